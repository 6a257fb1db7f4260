"""The gallery panel inside the studio pages (templates/media/_gallery.html): one target's
files, with upload, "add from Google Drive" and each file's actions."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from media import selectors as media_selectors
from media.models import MediaAsset
from media.selectors import TargetRef
from modo.errors import AppError

from .. import targets
from ..generate import prompts

# A gallery re-polls while a fresh asset's thumbnail is still being made (never for long).
THUMBNAIL_WAIT = timedelta(minutes=2)
# A target's page shows this many of its files (primary, favourites, newest); the project
# gallery pages through all of them. A bible's own gallery can hold hundreds.
GALLERY_LIMIT = 24


def gallery_context(request, target: TargetRef, *, error: AppError | None = None) -> dict:
    """What templates/media/_gallery.html needs for one target's gallery."""
    assets = media_selectors.gallery(target, limit=GALLERY_LIMIT + 1)  # one more: are there more?
    more, assets = len(assets) > GALLERY_LIMIT, assets[:GALLERY_LIMIT]
    stale = prompts.stale_asset_ids(target.obj, assets) if target.kind == MediaAsset.Target.CHARACTER else set()
    for asset in assets:
        asset.is_stale = asset.pk in stale  # made from an older version of the character sheet
    recent = timezone.now() - THUMBNAIL_WAIT
    connection = media_selectors.drive_connection_for(request.user)
    return {
        "target": target,
        "assets": assets,
        "more_url": reverse("studio:gallery", args=[target.project.public_id]) if more else "",
        "pending": any(a.is_accessible and not a.thumbnail and a.created_at > recent for a in assets),
        "error": error,
        "drive_connected": bool(connection and connection.is_active),
        "can_link_drive": bool(connection and connection.is_active) or bool(settings.GOOGLE_DRIVE_API_KEY),
        "upload_max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        "next": targets.page_url(target.kind, target.id),
    }
