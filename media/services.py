"""Writes for media: storing, uploading, linking, checking and deleting assets.

Only media's own rows and files change here. What an asset means to the bible (a project's cover,
a character's reference sheet) is studio's to write: studio/gallery/services.py.

No transaction is held across storage or Drive I/O: files are written first and the row after
(the file is removed again if the row cannot be made); on delete the row changes first and the
files go once the transaction has committed."""

import logging
import mimetypes
import os
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import notifications
from accounts.models import Membership, Notification, Role
from modo.errors import AppError

from . import audio, drive, images, selectors, storage, video
from .models import DriveConnection, MediaAsset
from .selectors import TargetRef

log = logging.getLogger(__name__)

Source, Storage = MediaAsset.Source, MediaAsset.Storage

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "video/mp4": "mp4",
              "video/webm": "webm", "audio/mpeg": "mp3", "audio/wav": "wav", "audio/ogg": "ogg"}


class InvalidDriveLink(AppError):
    code, status = "INVALID_DRIVE_URL", 422
    default_message = _("Paste a Google Drive file link (drive.google.com/file/d/…).")


class WrongMediaType(AppError):
    code, status = "WRONG_MEDIA_TYPE", 422
    default_message = _("That file is not of the kind asked for.")


class NotAnImage(AppError):
    code, status = "NOT_AN_IMAGE", 422
    default_message = _("Only an image can be the primary picture.")


def media_type_of(mime: str) -> str:
    kind = mime.split("/", 1)[0]
    return kind if kind in MediaAsset.MediaType.values else MediaAsset.MediaType.IMAGE


def extension(mime: str) -> str:
    """The file extension for a MIME type, without the dot (png, mp4)."""
    return EXTENSIONS.get(mime) or (mimetypes.guess_extension(mime) or ".bin").lstrip(".")


def _display_name(name: str, ext: str) -> str:
    """The uploader's file name, for display only (never a storage key)."""
    stem = os.path.splitext(os.path.basename((name or "").replace("\\", "/")))[0]
    stem = "".join(c for c in stem if c.isprintable()).strip()[:120]
    return f"{stem or 'image'}.{ext}"


def drive_client_for(user) -> drive.DriveClient:
    """The creator's Drive client; raises DriveNotConnected (action connect_drive) without one."""
    connection = DriveConnection.objects.filter(user=user).first()
    if connection is None:
        raise drive.DriveNotConnected()
    return drive.DriveClient(connection)


def team_storage(*, team) -> tuple[str, object | None]:
    """Where a team project's files go: MODO storage, or the team owner's Google Drive when the
    team chose it (only the owner can: it is their Drive). Returns (storage, the Drive's user).
    A member's own Drive is never written for a team project."""
    if team.storage_preference == Storage.DRIVE:
        owner = Membership.objects.filter(team=team, role=Role.OWNER).select_related("user").first()
        if owner is not None:
            return Storage.DRIVE, owner.user
    return Storage.PLATFORM, None


def storage_ready(*, user, team=None) -> None:
    """Raises DriveNotConnected when the creator (or, for a team's project, the team) stores in
    Drive but has no working connection. Generation calls this before holding credits."""
    if team is not None:
        kind, user = team_storage(team=team)
        if kind != Storage.DRIVE:
            return
    if user.storage_preference == Storage.DRIVE or team is not None:
        connection = DriveConnection.objects.filter(user=user).first()
        if connection is None:
            raise drive.DriveNotConnected()
        if not connection.is_active:
            raise drive.DriveReconnectRequired()


def _send_thumbnail(asset_id: int) -> None:
    """Best effort: the file and its row are what count. A broker that does not answer now must
    not fail what was stored (a generation's output would be given away); thumbnails_queue_missing
    sends it again."""
    from .tasks import asset_thumbnail

    try:
        asset_thumbnail.delay(asset_id)
    except Exception:
        log.warning("could not queue the thumbnail of asset %s; it will be queued again", asset_id, exc_info=True)


def _queue_thumbnail(asset: MediaAsset) -> None:
    if asset.media_type == MediaAsset.MediaType.AUDIO:
        return  # a sound has no picture
    transaction.on_commit(lambda: _send_thumbnail(asset.pk))


def thumbnails_queue_missing(*, before, limit: int = 100) -> int:
    """Queues again the thumbnails of recent platform images and videos that have none yet (their
    first message was lost). Only the last hour's: a file whose thumbnail keeps failing is not
    retried forever. Called by the generation sweeper every minute; returns how many were queued."""
    due = list(MediaAsset.objects.filter(
        storage=Storage.PLATFORM, thumbnail="", deleted_at__isnull=True, created_at__lt=before,
        created_at__gte=before - timedelta(hours=1), media_type__in=[MediaAsset.MediaType.IMAGE, MediaAsset.MediaType.VIDEO],
    ).exclude(storage_key="").order_by("-created_at").values_list("pk", flat=True)[:limit])
    for asset_id in due:
        _send_thumbnail(asset_id)
    return len(due)


def asset_store(*, data: bytes, mime: str, owner, target: TargetRef, storage_to: str | None = None,
                source_type: str = Source.GENERATED, file_name: str = "", generation: dict | None = None,
                width: int | None = None, height: int | None = None, duration: float | None = None,
                derived_from: MediaAsset | None = None) -> MediaAsset:
    """Stores trusted bytes (a generation's output, a cleaned upload) in the creator's preferred
    storage — or `storage_to` — and records the asset. Raises DriveNotConnected when Drive is
    wanted but not connected; never leaves a file behind without its row. A team project's files
    go where the team chose (team_storage): a Drive file's owner is the Drive's user."""
    team = getattr(target.project, "team", None) if target.project is not None else None
    if team is not None and storage_to is None:
        storage_to, drive_user = team_storage(team=team)
        owner = drive_user or owner
    storage_to = storage_to or owner.storage_preference
    ext = extension(mime)
    media_type = media_type_of(mime)
    if media_type == MediaAsset.MediaType.IMAGE and width is None:
        width, height = images.image_size(data)
    fields = {}
    if storage_to == Storage.DRIVE:
        client = drive_client_for(owner)
        meta = client.upload(data, name=file_name or f"modo-{timezone.now():%Y%m%d-%H%M%S}.{ext}", mime=mime)
        fields = {"drive_file_id": meta["id"], "drive_view_link": meta.get("webViewLink", ""),
                  "thumbnail_link": meta.get("thumbnailLink", "")}
    else:
        fields = {"storage_key": storage.save(storage.new_key(owner=owner, ext=ext), data)}
    generation = generation or {}
    try:
        asset = MediaAsset.objects.create(
            owner=owner, project=target.project, target_kind=target.kind, target_id=target.id,
            media_type=media_type, file_name=file_name or f"{media_type}.{ext}", mime=mime, size=len(data),
            width=width, height=height, duration=duration, source_type=source_type, storage=storage_to,
            gen_model=generation.get("model", ""), prompt=generation.get("prompt", ""),
            params=generation.get("params", {}), credits=generation.get("credits", 0),
            vendor_request_id=generation.get("vendor_request_id", ""), input_hash=generation.get("input_hash", ""),
            derived_from=derived_from, last_checked_at=timezone.now(), **fields,
        )
    except Exception:
        _remove_files(storage_to, fields.get("storage_key", ""), "", fields.get("drive_file_id", ""), owner)
        raise
    _queue_thumbnail(asset)
    return asset


def _sounds_like_audio(head: bytes) -> bool:
    """WAV, MP3 (ID3 tag or frame sync), Ogg, FLAC or an M4A by its first bytes."""
    return (head[:4] in (b"OggS", b"fLaC") or head[:3] == b"ID3" or (head[:4] == b"RIFF" and head[8:12] == b"WAVE")
            or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0) or head[4:11] == b"ftypM4A")


def asset_upload(*, file, owner, target: TargetRef) -> MediaAsset:
    """A creator's upload: an image is refused (413/422, nothing stored) unless it is a JPEG, PNG
    or WebP within the size and pixel caps, and stored re-encoded, without its metadata; a sound
    goes through audio_upload, a video (MP4, MOV, WebM) through video_upload."""
    head = file.read(16)
    file.seek(0)
    if _sounds_like_audio(head):
        return audio_upload(file=file, owner=owner, target=target)
    if video.looks_like_video(head):
        return video_upload(file=file, owner=owner, target=target)
    if file.size is not None and file.size > settings.UPLOAD_MAX_BYTES:
        raise images.FileTooLarge()
    clean = images.clean_image(file.read())
    return asset_store(data=clean.data, mime=clean.mime, owner=owner, target=target, source_type=Source.UPLOADED,
                       file_name=_display_name(file.name, clean.ext), width=clean.width, height=clean.height)


def audio_upload(*, file, owner, target: TargetRef) -> MediaAsset:
    """A creator's sound upload: refused (413/422, nothing stored) unless it decodes whole as
    sound within the size and length caps (media/audio.py); stored re-encoded as MP3."""
    if file.size is not None and file.size > settings.AUDIO_UPLOAD_MAX_BYTES:
        raise images.FileTooLarge()
    data, mime, seconds = audio.clean(file.read(settings.AUDIO_UPLOAD_MAX_BYTES + 1))
    return asset_store(data=data, mime=mime, owner=owner, target=target, source_type=Source.UPLOADED,
                       file_name=_display_name(file.name or "sound", extension(mime)),
                       duration=seconds)


def video_upload(*, file, owner, target: TargetRef) -> MediaAsset:
    """A creator's video upload (a lip-sync's face): refused (413/422, nothing stored) unless it
    decodes whole within the size, length and picture caps (media/video.py); stored re-encoded as
    an H.264 MP4 without any of the upload's metadata."""
    if file.size is not None and file.size > settings.VIDEO_UPLOAD_MAX_BYTES:
        raise images.FileTooLarge()
    clean = video.clean(file.read(settings.VIDEO_UPLOAD_MAX_BYTES + 1))
    return asset_store(data=clean.data, mime=clean.mime, owner=owner, target=target, source_type=Source.UPLOADED,
                       file_name=_display_name(file.name or "video", extension(clean.mime)),
                       width=clean.width, height=clean.height, duration=clean.duration)


def _drive_file_id(url: str) -> str:
    try:
        return drive.parse_drive_url(url)
    except ValueError as exc:
        raise InvalidDriveLink(str(exc) or None) from exc


def _drive_metadata(owner, file_id: str) -> dict:
    """The file's Drive metadata through the creator's connection, or — without one — the
    public ("anyone with the link") check. Raises DriveFileNotFound / DriveNotConnected."""
    connection = DriveConnection.objects.filter(user=owner, is_active=True).first()
    if connection is not None:
        return drive.DriveClient(connection).metadata(file_id)
    return drive.public_metadata(file_id)


def _linked_fields(meta: dict, file_id: str, media_type: str) -> dict:
    mime = meta.get("mimeType", "")
    if media_type_of(mime) != media_type or not mime.startswith(("image/", "video/", "audio/")):
        raise WrongMediaType(_("That Drive file is not a %(kind)s.") % {"kind": MediaAsset.MediaType(media_type).label.lower()})
    dims = meta.get("imageMediaMetadata") or meta.get("videoMediaMetadata") or {}
    millis = dims.get("durationMillis")
    return {
        "storage": Storage.DRIVE, "storage_key": "", "drive_file_id": file_id, "media_type": media_type,
        "mime": mime, "file_name": (meta.get("name") or "drive-file")[:255], "size": int(meta.get("size") or 0),
        "width": dims.get("width"), "height": dims.get("height"),
        "duration": int(millis) / 1000 if millis else None,
        "drive_view_link": meta.get("webViewLink", ""), "thumbnail_link": meta.get("thumbnailLink", ""),
        # Stored in canonical form: the creator's string is parsed, never kept or fetched as given.
        "original_url": f"https://drive.google.com/file/d/{file_id}/view",
        "linked_at": timezone.now(), "is_accessible": True, "last_checked_at": timezone.now(),
    }


def asset_link_drive(*, url: str, owner, target: TargetRef, media_type: str = MediaAsset.MediaType.IMAGE
                     ) -> MediaAsset:
    """Records a file from the creator's Google Drive as a `linked` asset after checking it is
    reachable. Raises InvalidDriveLink, WrongMediaType, DriveFileNotFound or DriveNotConnected."""
    file_id = _drive_file_id(url)
    fields = _linked_fields(_drive_metadata(owner, file_id), file_id, media_type)
    asset = MediaAsset.objects.create(owner=owner, project=target.project, target_kind=target.kind,
                                      target_id=target.id, source_type=Source.LINKED, **fields)
    _queue_thumbnail(asset)
    return asset


def asset_replace(*, asset: MediaAsset, url: str) -> MediaAsset:
    """Points the asset at another Drive file (its place in galleries, primary flag and
    history stay); the old stored file, if the platform or the app folder held it, is removed."""
    file_id = _drive_file_id(url)
    fields = _linked_fields(_drive_metadata(asset.owner, file_id), file_id, asset.media_type)
    old = (asset.storage, asset.storage_key, asset.thumbnail, asset.drive_file_id if _we_made(asset) else "")
    for name, value in fields.items():
        setattr(asset, name, value)
    asset.source_type, asset.thumbnail = Source.REPLACED, ""
    asset.save()
    transaction.on_commit(lambda: _remove_files(*old, asset.owner))
    _queue_thumbnail(asset)
    return asset


def asset_check(*, asset: MediaAsset) -> MediaAsset:
    """Re-checks that the file is still there and reachable and records the answer. A Drive
    that does not answer (DriveError) changes nothing and is raised."""
    lost = False
    if asset.storage == Storage.DRIVE:
        try:
            _drive_metadata(asset.owner, asset.drive_file_id)
            accessible = True
        except drive.DriveFileNotFound:
            accessible, lost = False, asset.is_accessible
        except drive.DriveNotConnected:
            accessible = False
    else:
        accessible = storage.exists(asset.storage_key)
    asset.is_accessible, asset.last_checked_at = accessible, timezone.now()
    asset.save(update_fields=["is_accessible", "last_checked_at", "updated_at"])
    if lost:  # it was there at the last check: the creator hears of it (not of a disconnected Drive)
        notifications.notification_send(
            user=asset.owner, kind=Notification.Kind.DRIVE_FILE_LOST, subject=f"asset:{asset.public_id}",
            url=reverse("studio:asset", args=[asset.public_id]), params={"name": asset.file_name})
    return asset


def _we_made(asset: MediaAsset) -> bool:
    """Drive files this app created (in its folder) are ours to delete; linked ones are the creator's."""
    return asset.storage == Storage.DRIVE and not asset.is_linked and bool(asset.drive_file_id)


def _remove_files(storage_kind: str, key: str, thumbnail: str, drive_file_id: str, owner) -> None:
    """Best effort: a file that cannot be removed now is logged, not raised (the row is already gone)."""
    try:
        storage.delete(key)
        storage.delete(thumbnail)
        if drive_file_id:
            drive_client_for(owner).delete(drive_file_id)
    except Exception:
        log.warning("could not remove the stored files of a deleted asset", exc_info=True)


def asset_delete(*, asset: MediaAsset) -> None:
    """Deletes the asset (soft: the row stays for history) and, once committed, its stored file
    and thumbnail — in the app's Drive folder too; a linked Drive file is never touched. A cover
    or a reference sheet is deleted through studio.gallery.services, which also unsets it."""
    with transaction.atomic():
        asset.deleted_at, asset.is_primary = timezone.now(), False
        asset.save(update_fields=["deleted_at", "is_primary", "updated_at"])
        old = (asset.storage, asset.storage_key, asset.thumbnail, asset.drive_file_id if _we_made(asset) else "")
        transaction.on_commit(lambda: _remove_files(*old, asset.owner))


def assets_files_remove(*, projects) -> None:
    """Removes, once committed, the stored files of every asset of these projects (which are
    about to be deleted for good)."""
    doomed = [(a.storage, a.storage_key, a.thumbnail, a.drive_file_id if _we_made(a) else "", a.owner)
              for a in MediaAsset.objects.filter(project__in=projects).select_related("owner")]
    transaction.on_commit(lambda: [_remove_files(*files) for files in doomed])


def asset_set_primary(*, asset: MediaAsset) -> MediaAsset:
    """Makes the image its target's one primary picture, unsetting the previous one. Raises
    NotAnImage for a video or a sound."""
    if not asset.is_image:
        raise NotAnImage()
    with transaction.atomic():
        MediaAsset.objects.filter(target_kind=asset.target_kind, target_id=asset.target_id, is_primary=True
                                  ).exclude(pk=asset.pk).update(is_primary=False, updated_at=timezone.now())
        asset.is_primary = True
        asset.save(update_fields=["is_primary", "updated_at"])
    return asset


def asset_favourite(*, asset: MediaAsset, favourite: bool) -> MediaAsset:
    asset.is_favourite = favourite
    asset.save(update_fields=["is_favourite", "updated_at"])
    return asset


def asset_open(*, asset: MediaAsset) -> bytes:
    """The asset's bytes, e.g. as a reference image for a generation. Raises DriveFileNotFound
    or DriveNotConnected for a Drive file that cannot be reached."""
    if asset.storage == Storage.DRIVE:
        return drive_client_for(asset.owner).download(asset.drive_file_id)
    return storage.read(asset.storage_key)


def asset_thumbnail_make(*, asset: MediaAsset) -> MediaAsset:
    """Makes (or re-makes) the asset's WebP thumbnail in platform storage; for a video, also
    reads its size and duration. A Drive file that is gone marks the asset inaccessible."""
    try:
        data = asset_open(asset=asset)
    except (drive.DriveFileNotFound, drive.DriveNotConnected):
        asset.is_accessible, asset.last_checked_at = False, timezone.now()
        asset.save(update_fields=["is_accessible", "last_checked_at", "updated_at"])
        return asset
    if asset.is_video and not asset.duration:
        info = images.probe_video(data)
        asset.width, asset.height, asset.duration = info["width"], info["height"], info["duration"]
    old = asset.thumbnail
    asset.thumbnail = storage.save(storage.new_key(owner=asset.owner, ext="webp", suffix="-thumb"),
                                   images.thumbnail(data, asset.mime))
    asset.save(update_fields=["thumbnail", "width", "height", "duration", "updated_at"])
    storage.delete(old)
    return asset


# A file this big is not opened to make a picture of it for an email (a long video linked from Drive).
PICTURE_SOURCE_MAX_BYTES = 64 * 1024 * 1024


def asset_picture(*, user, asset_id) -> bytes | None:
    """A still of the asset for a preview away from the site (a notification email's picture,
    registered with accounts in MediaConfig.ready()): its stored thumbnail (for a video, the
    poster frame), else one made now from the file, since the thumbnail task may not have run
    yet. Nothing is saved. None for a sound, for an asset `user` may not see (or deleted), and
    for a file that cannot be read or decoded."""
    try:
        asset = selectors.asset_get(user=user, public_id=asset_id)
    except Http404:
        return None
    if asset.media_type == MediaAsset.MediaType.AUDIO:
        return None
    if asset.thumbnail:
        try:
            return storage.read(asset.thumbnail)
        except OSError:
            log.info("thumbnail %s of asset %s cannot be read; trying the file", asset.thumbnail, asset.pk)
    if asset.size > PICTURE_SOURCE_MAX_BYTES:
        return None
    try:
        return images.thumbnail(asset_open(asset=asset), asset.mime)
    except (AppError, OSError):
        log.info("no picture of asset %s: its file cannot be read or decoded", asset.pk, exc_info=True)
        return None


def storage_preference_set(*, user, preference: str) -> None:
    """Platform or Google Drive for new files; Drive only with a working connection."""
    if preference == Storage.DRIVE:
        connection = DriveConnection.objects.filter(user=user).first()
        if connection is None:
            raise drive.DriveNotConnected()
        if not connection.is_active:
            raise drive.DriveReconnectRequired()
    user.storage_preference = preference
    user.save(update_fields=["storage_preference", "updated_at"])


def assets_check_due(*, limit: int = 200, dry_run: bool = False) -> dict:
    """Re-checks the Drive files checked longest ago (a daily beat task and `check_assets`).
    Returns counts: checked, inaccessible, errors."""
    due = list(MediaAsset.objects.filter(storage=Storage.DRIVE, deleted_at__isnull=True)
               .select_related("owner").order_by("last_checked_at", "id")[:limit])
    counts = {"checked": 0, "inaccessible": 0, "errors": 0}
    if dry_run:
        return {**counts, "due": len(due)}
    for asset in due:
        try:
            asset_check(asset=asset)
        except drive.DriveError:
            counts["errors"] += 1
            continue
        counts["checked"] += 1
        counts["inaccessible"] += not asset.is_accessible
    return counts
