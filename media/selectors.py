"""Reads for media. Every lookup of an asset checks access through accounts.roles (a personal
project's owner, or a member of its team whose role allows the action): anyone else gets 404."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum

from accounts.selectors import allowed_or_404

from .models import DriveConnection, MediaAsset


@dataclass(frozen=True)
class TargetRef:
    """Where an asset belongs: a target kind and public id, the project whose gallery holds it
    and, when the caller loaded it, the object itself (studio/targets.py resolves these)."""

    kind: str
    id: object  # the object's public id (UUID)
    project: object  # the studio project
    obj: object

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def label(self) -> str:
        return str(self.obj)


def _live() -> QuerySet[MediaAsset]:
    return MediaAsset.objects.filter(deleted_at__isnull=True, project__deleted_at__isnull=True)


def asset_get(*, user, public_id, action: str | None = None) -> MediaAsset:
    """An asset of a project the user may `action` (its personal owner, or a member of its team
    whose role allows it: accounts.roles); 404 for anyone else, a removed member included."""
    return allowed_or_404(_live().select_related("project"), user=user, action=action, public_id=public_id)


def assets_for(*, user, team=None, project=None, target: TargetRef | None = None) -> QuerySet[MediaAsset]:
    """A project's or a target's assets (the caller got them through the access layer), else the
    workspace's: the team's (the caller checked membership) or the user's personal projects'."""
    assets = _live()
    if project is None and target is None:
        assets = assets.filter(project__team=team) if team is not None else \
            assets.filter(project__owner=user, project__team__isnull=True)
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


def references_for(*, user, project) -> QuerySet[MediaAsset]:
    """Every image of the project that can be picked as a generation reference."""
    return assets_for(user=user, project=project).filter(media_type=MediaAsset.MediaType.IMAGE, is_accessible=True)


def drive_connection_for(user) -> DriveConnection | None:
    return DriveConnection.objects.filter(user=user).first()


def storage_usage(*, user) -> dict[str, dict]:
    """{storage: {"count", "bytes"}} of the creator's live assets, for each storage that holds any."""
    rows = (MediaAsset.objects.filter(owner=user, deleted_at__isnull=True)
            .values("storage").annotate(count=Count("id"), bytes=Sum("size")))
    return {row["storage"]: row for row in rows}
