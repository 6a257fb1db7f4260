"""The gallery panel inside the studio pages (templates/media/_gallery.html): one target's
files, with upload, "add from Google Drive" and each file's actions; and the digest the galleries'
cached file markup is kept under (files_version)."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from media import selectors as media_selectors
from media.models import MediaAsset
from media.selectors import TargetRef
from modo.cache import fragment_version
from modo.errors import AppError

from .. import targets
from ..generate import prompts

# A gallery re-polls while a fresh asset's thumbnail is still being made (never for long).
THUMBNAIL_WAIT = timedelta(minutes=2)
# A target's page shows this many of its files (primary, favourites, newest); the project
# gallery pages through all of them. A bible's own gallery can hold hundreds.
GALLERY_LIMIT = 24

# The files' markup of a gallery (a panel's 24 files, a project gallery's page of 20: ~200
# template nodes each, most of those pages' time, benchmarks/README.md figure 5) is cached under
# files_version: any change to what it shows makes a new key, so nothing is invalidated by hand.
# It holds nothing of the viewer's session: each file's buttons submit one form of the page
# (HTML's form= attribute), which carries the CSRF token and where to come back to.
FILES_CACHE_SECONDS = 300
_COLUMNS = [field.attname for field in MediaAsset._meta.concrete_fields]


def files_version(assets, *, shown: tuple[str, ...] = (), **page) -> str:
    """A digest of everything a gallery's file markup shows: every column of each file, the
    attributes `shown` that the view set on them (is_stale, target_info, ...), `page` — what
    else the markup depends on: the target, the viewer's Drive — the reader's language and time
    zone, and the templates (modo.cache.fragment_version). What the viewer's team role allows is
    not shown (every member sees the same controls and each action checks the role): a control
    that depends on it belongs in `page`."""
    files = [[getattr(asset, name) for name in (*_COLUMNS, *shown)] for asset in assets]
    page.update(language=translation.get_language(), time_zone=timezone.get_current_timezone_name())
    return fragment_version(files, sorted(page.items()))


def gallery_context(request, target: TargetRef, *, error: AppError | None = None) -> dict:
    """What templates/media/_gallery.html needs for one target's gallery."""
    assets = media_selectors.gallery(target, limit=GALLERY_LIMIT + 1)  # one more: are there more?
    more, assets = len(assets) > GALLERY_LIMIT, assets[:GALLERY_LIMIT]
    stale = prompts.stale_asset_ids(target.obj, assets) if target.kind == MediaAsset.Target.CHARACTER else set()
    for asset in assets:
        asset.is_stale = asset.pk in stale  # made from an older version of the character sheet
    recent = timezone.now() - THUMBNAIL_WAIT
    connection = media_selectors.drive_connection_for(request.user)
    can_link_drive = bool(connection and connection.is_active) or bool(settings.GOOGLE_DRIVE_API_KEY)
    return {
        "target": target,
        "assets": assets,
        "files_version": files_version(assets, shown=("is_stale",), target=target.key, can_link_drive=can_link_drive),
        "actions_form": f"gallery-{target.kind}-{target.id}-actions",  # the form each file's buttons submit
        "cache_seconds": FILES_CACHE_SECONDS,
        "more_url": reverse("studio:gallery", args=[target.project.public_id]) if more else "",
        "pending": any(a.is_accessible and not a.thumbnail and a.created_at > recent for a in assets),
        "error": error,
        "drive_connected": bool(connection and connection.is_active),
        "can_link_drive": can_link_drive,
        "upload_max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        "next": targets.page_url(target.kind, target.id),
    }
