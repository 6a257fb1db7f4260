"""Reads of /watch/: the clips on show — animations and lip-syncs (the talking videos' asset
params say `"kind": "lipsync"`) — and one clip's player page.

A clip is on show while all of these hold, checked in the database (so a page of clips costs the
same queries however many there are, and unpublishing takes it off at once — nothing is cached
here, and the pages and the clip's file tell shared caches to ask again: views.py,
gallery.views.showcase_file):
its creator ticked "Show on Watch" (a WatchClip row), its bible is published and not in the
trash, the video is alive and can be opened, the section that holds what it animates is
published (the rule the showcase applies to its files: gallery.selectors.is_published_kind), and
that object still exists outside the trash."""

from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.http import Http404
from django.shortcuts import get_object_or_404

from media.models import MediaAsset

from .. import targets
from ..models import Character, Project, WatchClip


def _published_target() -> Q:
    """The clip's target is in a published section of its bible and still exists."""
    either = Q()
    for kind in targets.GALLERY_KINDS:
        section = targets.showcase_section(kind)
        condition = Q(asset__target_kind=kind)
        if section:
            # published_sections is a JSON list of names: '"characters"' matches that name only.
            condition &= Q(project__published_sections__icontains=f'"{section}"')
        if kind == "project":
            condition &= Q(asset__target_id=F("project__public_id"))
        else:
            model = targets.KINDS[kind].model
            condition &= Exists(model.objects.filter(project=OuterRef("project"), public_id=OuterRef("asset__target_id")))
        either |= condition
    return either


def watch_clips(*, genre: str = "", format: str = "") -> QuerySet[WatchClip]:
    """The clips on show, newest first, with their video and bible (one query per page)."""
    clips = WatchClip.objects.filter(
        _published_target(),
        project__visibility=Project.Visibility.PUBLISHED, project__deleted_at__isnull=True,
        asset__deleted_at__isnull=True, asset__is_accessible=True, asset__media_type=MediaAsset.MediaType.VIDEO,
    )
    if genre:
        clips = clips.filter(project__genre=genre)
    if format:
        clips = clips.filter(project__format=format)
    return clips.select_related("asset", "project", "project__owner").order_by("-created_at", "-id")


def with_subjects(clips) -> list[WatchClip]:
    """The clips, each with `subject`: the name of what it animates ("" for the bible itself) — in
    one query for a whole page, whatever the kinds."""
    clips = list(clips)
    wanted: dict[str, set] = {}
    for clip in clips:
        if clip.asset.target_kind in targets.KINDS and clip.asset.target_kind != "project":
            wanted.setdefault(clip.asset.target_kind, set()).add(clip.asset.target_id)
    parts = [targets.KINDS[kind].model.objects.filter(public_id__in=ids).order_by()
             .annotate(kind=Value(kind, output_field=CharField()), label=F(targets.KINDS[kind].label))
             .values_list("kind", "public_id", "label") for kind, ids in wanted.items()]
    names = {(kind, public_id): label for kind, public_id, label in parts[0].union(*parts[1:], all=True)} if parts else {}
    for clip in clips:
        clip.subject = names.get((clip.asset.target_kind, clip.asset.target_id), "")
    return clips


def watch_clip_get(*, slug: str, public_id) -> WatchClip:
    """The clip on show of this published bible; 404 for anything not on show."""
    try:
        return get_object_or_404(watch_clips(), project__slug=slug, asset__public_id=public_id)
    except (ValueError, TypeError) as exc:  # not a UUID
        raise Http404 from exc


def clip_characters(clip: WatchClip, *, limit: int = 8) -> list[Character]:
    """The characters in the clip, only when the bible publishes its characters: the animated
    character itself, or the characters of the animated moodboard or scene; for a clip of the
    bible or a location, the bible's leading characters."""
    project = clip.project
    if "characters" not in project.published_sections:
        return []
    kind, target_id = clip.asset.target_kind, clip.asset.target_id
    characters = Character.objects.filter(project=project).select_related("primary_image")
    if kind == MediaAsset.Target.CHARACTER:
        characters = characters.filter(public_id=target_id)
    elif kind == MediaAsset.Target.MOODBOARD:
        characters = characters.filter(moodboards__public_id=target_id, moodboards__deleted_at__isnull=True)
    elif kind == MediaAsset.Target.SCENE:
        characters = characters.filter(scenes__public_id=target_id, scenes__deleted_at__isnull=True)
    return list(characters.order_by("order", "id")[:limit])


def watch_clip_ids(*, project: Project) -> set:
    """The public ids of this bible's videos ticked "Show on Watch" (the publish page's ticks)."""
    return set(WatchClip.objects.filter(project=project).values_list("asset__public_id", flat=True))

