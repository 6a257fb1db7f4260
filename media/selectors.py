"""Reads for media. Every lookup of a creator's asset or target checks the owner: anyone else gets 404."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from studio import selectors as studio_selectors
from studio.models import Character, Location, Moodboard, Project, Scene

from .models import DriveConnection, MediaAsset

Target = MediaAsset.Target

# The showcase section an asset of each kind belongs to (a project's own images are its cover).
TARGET_SECTION = {Target.CHARACTER: "characters", Target.LOCATION: "world", Target.SCENE: "scenes",
                  Target.MOODBOARD: "scenes", Target.ANIMATION: "scenes"}

_TARGET_GETTERS = {
    Target.CHARACTER: studio_selectors.character_get,
    Target.LOCATION: studio_selectors.location_get,
    Target.SCENE: studio_selectors.scene_get,
    Target.MOODBOARD: studio_selectors.moodboard_get,
}


@dataclass(frozen=True)
class TargetRef:
    """One object that can hold assets, resolved for its owner."""

    kind: str
    id: object  # the object's public id (UUID)
    project: Project
    obj: object

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def label(self) -> str:
        return str(self.obj)


def parse_target(value: str) -> tuple[str, str]:
    """"character:<uuid>" → ("character", "<uuid>"); ValueError when it is not that shape."""
    kind, sep, public_id = (value or "").partition(":")
    if not sep or kind not in Target.values:
        raise ValueError(value)
    return kind, public_id


def target_get(*, user, kind: str, public_id) -> TargetRef:
    """The creator's object named by (kind, public id): 404 for anyone else's or an unknown one."""
    try:
        if kind == Target.PROJECT:
            project = studio_selectors.project_get(user=user, public_id=public_id)
            return TargetRef(kind, project.public_id, project, project)
        getter = _TARGET_GETTERS.get(kind)
        if getter is None:
            raise Http404
        obj = getter(user=user, public_id=public_id)
    except (ValueError, TypeError) as exc:  # not a UUID
        raise Http404 from exc
    return TargetRef(kind, obj.public_id, obj.project, obj)


def target_of(obj) -> TargetRef:
    """The target of an already-loaded studio object (its owner was checked by whoever loaded it)."""
    if isinstance(obj, Project):
        return TargetRef(Target.PROJECT, obj.public_id, obj, obj)
    kind = {Character: Target.CHARACTER, Location: Target.LOCATION, Scene: Target.SCENE,
            Moodboard: Target.MOODBOARD}[type(obj)]
    return TargetRef(kind, obj.public_id, obj.project, obj)


def _live(user) -> QuerySet[MediaAsset]:
    return MediaAsset.objects.filter(owner=user, deleted_at__isnull=True, project__deleted_at__isnull=True)


def asset_get(*, user, public_id) -> MediaAsset:
    try:
        return get_object_or_404(_live(user).select_related("project"), public_id=public_id)
    except (ValueError, TypeError) as exc:
        raise Http404 from exc


def assets_for(*, user, project: Project | None = None, target: TargetRef | None = None) -> QuerySet[MediaAsset]:
    assets = _live(user)
    if project is not None:
        assets = assets.filter(project=project)
    if target is not None:
        assets = assets.filter(target_kind=target.kind, target_id=target.id)
    return assets.order_by("-is_primary", "-is_favourite", "-created_at", "-id")


def gallery(target: TargetRef, *, limit: int | None = None) -> list[MediaAsset]:
    """A target's assets for its gallery: primary first, then favourites, newest first (the
    first `limit` of them)."""
    assets = (MediaAsset.objects.filter(target_kind=target.kind, target_id=target.id, deleted_at__isnull=True)
              .order_by("-is_primary", "-is_favourite", "-created_at", "-id"))
    return list(assets[:limit] if limit is not None else assets)


def references_for(*, user, project: Project) -> QuerySet[MediaAsset]:
    """Every image of the project that can be picked as a generation reference."""
    return assets_for(user=user, project=project).filter(media_type=MediaAsset.MediaType.IMAGE, is_accessible=True)


def public_asset_get(*, slug: str, public_id) -> MediaAsset:
    """A primary image of a published project, in a section its creator published; 404 otherwise."""
    project = studio_selectors.showcase_get(slug=slug)
    try:
        asset = get_object_or_404(MediaAsset, project=project, public_id=public_id, deleted_at__isnull=True)
    except (ValueError, TypeError) as exc:
        raise Http404 from exc
    # The showcase shows primary images only (the cover, each character's sheet, ...): nothing else
    # of the creator's gallery is public.
    if not asset.is_primary:
        raise Http404
    if asset.target_kind != Target.PROJECT and TARGET_SECTION.get(asset.target_kind) not in project.published_sections:
        raise Http404
    return asset


def drive_connection_for(user) -> DriveConnection | None:
    return DriveConnection.objects.filter(user=user).first()
