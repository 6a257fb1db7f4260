"""Reads of the galleries: the project gallery's filtered assets, the public files of a published
bible, and which character images were drawn from an older version of their character's sheet.
The owner-checked asset lookups themselves are media's (media/selectors.py)."""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from media import selectors as media_selectors
from media.models import MediaAsset

from .. import selectors, targets
from ..generate import prompts
from ..models import Character


def showcase_asset_get(*, slug: str, public_id) -> MediaAsset:
    """A file the showcase shows of a published project, in a section its creator published; 404
    otherwise. The showcase shows primary images (the cover, each character's sheet, ...), each
    moodboard's picture and the animations: nothing else of the creator's gallery is public."""
    project = selectors.showcase_get(slug=slug)
    try:
        asset = get_object_or_404(MediaAsset, project=project, public_id=public_id, deleted_at__isnull=True)
    except (ValueError, TypeError) as exc:
        raise Http404 from exc
    if not is_published_kind(project, asset.target_kind):
        raise Http404
    if targets.in_project(project, asset.target_kind, asset.target_id) is None:
        raise Http404  # what it belonged to is gone
    if asset.is_video or asset.media_type == MediaAsset.MediaType.AUDIO:  # animations, lip-syncs, voice lines
        return asset
    if asset.target_kind == MediaAsset.Target.MOODBOARD:
        shown = moodboard_pictures(project=project, public_ids=[asset.target_id]).get(asset.target_id)
        if shown != asset:
            raise Http404
    elif not asset.is_primary:
        raise Http404
    return asset


def is_published_kind(project, kind: str) -> bool:
    """Whether the showcase shows this project's files of this kind (the section that holds them
    is published; the project's own files, its cover, always are)."""
    section = targets.showcase_section(kind)
    return section is not None and (not section or section in project.published_sections)


def moodboard_pictures(*, project, public_ids) -> dict:
    """{moodboard public id: its picture} — its primary image, else its newest — in one query."""
    pictures = {}
    for asset in (MediaAsset.objects.filter(project=project, target_kind=MediaAsset.Target.MOODBOARD,
                                            target_id__in=list(public_ids), deleted_at__isnull=True,
                                            media_type=MediaAsset.MediaType.IMAGE)
                  .order_by("-is_primary", "-created_at", "-id")):
        pictures.setdefault(asset.target_id, asset)
    return pictures


def animations_of(project) -> list[MediaAsset]:
    """The project's animations (its videos that can still be opened, of an object that still
    exists), oldest first, each with `target_info` (the label of what it animates)."""
    videos = (MediaAsset.objects.filter(project=project, media_type=MediaAsset.MediaType.VIDEO,
                                        deleted_at__isnull=True, is_accessible=True)
              .select_related("project").order_by("created_at", "id"))
    return [video for video in targets.with_targets(project.owner, videos) if video.target_info]


def sounds_of(project) -> list[MediaAsset]:
    """The project's sounds (voice lines, scene readings, uploads) that can still be opened, of an
    object that still exists, oldest first, each with `target_info` — one query and the labels'."""
    sounds = (MediaAsset.objects.filter(project=project, media_type=MediaAsset.MediaType.AUDIO,
                                        deleted_at__isnull=True, is_accessible=True)
              .select_related("project").order_by("created_at", "id"))
    return [sound for sound in targets.with_targets(project.owner, sounds) if sound.target_info]


def latest_images(*, kind: str, public_ids) -> dict:
    """{target public id: its primary image, else its newest} for these targets of one kind, in one
    query (e.g. the cover of each moodboard in the list)."""
    latest = {}
    for asset in (MediaAsset.objects.filter(target_kind=kind, target_id__in=public_ids, deleted_at__isnull=True,
                                            media_type=MediaAsset.MediaType.IMAGE)
                  .order_by("-is_primary", "-created_at").only("public_id", "target_id", "is_primary", "created_at")):
        latest.setdefault(asset.target_id, asset)
    return latest


def sheet_characters(project, assets) -> list[Character]:
    """The characters of the project these assets were made for, with only what their sheet's
    hash reads (a bible can have hundreds of characters; a gallery page shows twenty assets)."""
    ids = {a.target_id for a in assets if a.target_kind == MediaAsset.Target.CHARACTER}
    return list(Character.objects.filter(project=project, public_id__in=ids).only(
        "public_id", "name", "appearance", "clothing", "accessories", "visual_style"))


def stale_ids(assets, characters) -> set:
    """Of these assets, the character images made from an older version of the character's sheet."""
    by_character: dict = {}
    for asset in assets:
        if asset.target_kind == MediaAsset.Target.CHARACTER:
            by_character.setdefault(asset.target_id, []).append(asset)
    stale = set()
    for character in characters:
        if character.public_id in by_character:
            stale |= prompts.stale_asset_ids(character, by_character[character.public_id])
    return stale


# Gallery "source" filters for images made from another image, and the job kind that made them.
DERIVED_SOURCES = {"upscaled": "upscale", "restyled": "restyle"}
# The "out of date" filter looks at this many generated character images at most.
STALE_SCAN_LIMIT = 2000
SORTS = {"newest": ("-created_at", "-id"), "oldest": ("created_at", "id"),
         "favourites": ("-is_favourite", "-created_at", "-id")}


def project_gallery(*, user, project, q: str = "", media: str = "", source: str = "", favourites: bool = False,
                    stale: bool = False, sort: str = "") -> tuple[QuerySet[MediaAsset], list[Character] | None]:
    """The project gallery's assets, filtered and sorted. With `stale`, only the character images
    drawn from an older version of their sheet; then the characters read to tell come back too
    (the page reuses them), otherwise None."""
    assets = media_selectors.assets_for(user=user, project=project)
    if q:
        assets = assets.filter(prompt__icontains=q)
    if media == "lipsync":  # the talking videos (their job's kind is kept in the asset's params)
        assets = assets.filter(media_type=MediaAsset.MediaType.VIDEO, params__kind="lipsync")
    elif media:
        assets = assets.filter(media_type=media)
    if source == "linked":
        assets = assets.filter(source_type__in=[MediaAsset.Source.LINKED, MediaAsset.Source.REPLACED])
    elif source in DERIVED_SOURCES:  # made from another image by a job of that kind (params["kind"])
        assets = assets.filter(source_type=MediaAsset.Source.GENERATED, params__kind=DERIVED_SOURCES[source])
    elif source:
        assets = assets.filter(source_type=source)
    if favourites:
        assets = assets.filter(is_favourite=True)
    characters = None
    if stale:
        generated = list(assets.filter(target_kind=MediaAsset.Target.CHARACTER, source_type=MediaAsset.Source.GENERATED)
                         .only("pk", "target_kind", "target_id", "params")[:STALE_SCAN_LIMIT])
        characters = sheet_characters(project, generated)
        assets = assets.filter(pk__in=stale_ids(generated, characters))
    return assets.order_by(*SORTS.get(sort or "newest")), characters
