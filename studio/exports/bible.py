"""One project read for an export: `Bible` loads every section of a bible in a fixed number of
queries, with the pictures that go with the text (the cover, each character's primary image, each
moodboard's picture and each animation's poster) as `Image`s, and the animations as `Animation`s. The JSON dump, the Markdown zip and the pitch bible all read a project through it;
`unique_slugs` gives the file names that the zip's Markdown files and images share.
"""

import base64
import logging
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.urls import reverse
from django.utils.text import slugify

from .. import selectors
from ..gallery import selectors as gallery_selectors
from ..models import Project, Relationship, Story, World

logger = logging.getLogger(__name__)


class Bible:
    """Every section of one project, loaded in a fixed number of queries."""

    def __init__(self, project: Project):
        self.project = project
        self.story = Story.objects.filter(project=project).first() or Story(project=project)
        self.world = World.objects.filter(project=project).first() or World(project=project)
        self.beats = list(project.beats.all())
        self.characters = list(project.characters.select_related("primary_image"))
        self.locations = list(project.locations.all())
        self.relationships = list(
            Relationship.objects.filter(source__project=project).select_related("source", "target").order_by("id")
        )
        self.scenes = list(selectors.scenes_of(project))
        self.moodboards = list(selectors.moodboards_of(project))
        self.moodboard_pictures = gallery_selectors.moodboard_pictures(
            project=project, public_ids=[m.public_id for m in self.moodboards])
        self.animations = [Animation(asset, (asset.target_info or {}).get("label", ""), _link(project, asset))
                           for asset in gallery_selectors.animations_of(project)]

    @cached_property
    def images(self) -> dict:
        """The pictures that go with the text, that can be read now: {"cover": Image,
        <character pk>: Image, ("moodboard", pk): Image, ("animation", asset pk): its poster}."""
        slugs = unique_slugs([c.name for c in self.characters], "character")
        wanted = [("cover", "cover", self.project.cover)] + [
            (c.pk, f"characters/{slug}", c.primary_image) for c, slug in zip(self.characters, slugs, strict=True)]
        board_slugs = unique_slugs([m.title for m in self.moodboards], "moodboard")
        wanted += [(("moodboard", m.pk), f"moodboards/{slug}", self.moodboard_pictures.get(m.public_id))
                   for m, slug in zip(self.moodboards, board_slugs, strict=True)]
        out = {}
        for key, stem, asset in wanted:
            data = _asset_bytes(asset)
            if data is not None:
                out[key] = Image(f"{stem}.{_extension(asset.mime)}", asset.mime, data)
        animation_slugs = unique_slugs([a.label for a in self.animations], "animation")
        for animation, slug in zip(self.animations, animation_slugs, strict=True):
            data = _poster_bytes(animation.asset)
            if data is not None:
                out[("animation", animation.asset.pk)] = Image(f"animations/{slug}.webp", "image/webp", data)
        return out

    @cached_property
    def sounds(self) -> list["Sound"]:
        """The voice lines and scene readings that can be read now, as files for the zip's audio/
        (named after what they belong to), each with the (kind, pk) of its character or scene."""
        by_id = {("character", c.public_id): c.pk for c in self.characters}
        by_id.update({("scene", s.public_id): s.pk for s in self.scenes})
        assets = gallery_selectors.sounds_of(self.project)
        slugs = unique_slugs([a.target_info.get("label", "") for a in assets], "sound")
        out = []
        for asset, slug in zip(assets, slugs, strict=True):
            owner = by_id.get((asset.target_kind, asset.target_id))
            data = _asset_bytes(asset) if owner else None
            if data is not None:
                out.append(Sound(f"{slug}.{_audio_extension(asset.mime)}", asset.mime, data, (asset.target_kind, owner),
                                 asset.duration or 0.0))
        return out

    def relationships_by_character(self) -> dict[int, list[dict]]:
        """Both ends: each relationship is listed under its source and under its target."""
        out = defaultdict(list)
        for r in self.relationships:
            kind = r.get_kind_display()
            out[r.source_id].append({"other": r.target, "kind": kind, "note": r.note, "outgoing": True, "relationship": r})
            out[r.target_id].append({"other": r.source, "kind": kind, "note": r.note, "outgoing": False, "relationship": r})
        return out


@dataclass(frozen=True)
class Image:
    name: str  # its path under images/ in the zip
    mime: str
    data: bytes

    @property
    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode()}"


@dataclass(frozen=True)
class Sound:
    name: str  # its path under audio/ in the zip
    mime: str
    data: bytes
    owner: tuple  # ("character" | "scene", pk)
    duration: float


@dataclass(frozen=True)
class Animation:
    asset: object  # the video's MediaAsset
    label: str  # what it animates (a moodboard's title, a character's name...)
    url: str  # where to watch it: its public file while the showcase shows it, else its studio page


def _link(project: Project, asset) -> str:
    if project.is_published and gallery_selectors.is_published_kind(project, asset.target_kind):
        path = reverse("studio:showcase_file", args=[project.slug, asset.public_id])
    else:
        path = reverse("studio:asset", args=[asset.public_id])
    return settings.SITE_URL.rstrip("/") + path


def _extension(mime: str) -> str:
    return mime.rsplit("/", 1)[-1].replace("jpeg", "jpg")


def _audio_extension(mime: str) -> str:
    return {"audio/mpeg": "mp3", "audio/wav": "wav", "audio/ogg": "ogg"}.get(mime, "bin")


def _poster_bytes(asset) -> bytes | None:
    """A video's poster: its thumbnail (a WebP picture in platform storage), or None."""
    from media import storage

    if not asset.thumbnail:
        return None
    try:
        return storage.read(asset.thumbnail)
    except Exception:  # a missing thumbnail must not fail the whole export
        logger.warning("export: could not read a poster, left out", exc_info=True)
        return None


def _asset_bytes(asset) -> bytes | None:
    """An image's bytes for an export, or None (none set, deleted, or its file out of reach)."""
    from media.services import asset_open

    if asset is None or asset.deleted_at is not None or not asset.is_accessible:
        return None
    try:
        return asset_open(asset=asset)
    except Exception:  # a Drive that does not answer must not fail the whole export
        logger.warning("export: could not read an image, left out", exc_info=True)
        return None


def unique_slugs(names: list[str], fallback: str) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for index, name in enumerate(names, start=1):
        base = slugify(name)[:60].strip("-") or f"{fallback}-{index}"
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return out
