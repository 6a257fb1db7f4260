"""Platform storage: Django's default storage (local files, or S3 / R2 / MinIO through
django-storages), reached only through these functions.

Keys are generated here — `<owner>/<yyyy>/<uuid>.<ext>` — never taken from a file name."""

import logging
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.http import content_disposition_header

log = logging.getLogger(__name__)


def new_key(*, owner, ext: str, suffix: str = "") -> str:
    return f"{owner.public_id}/{timezone.now():%Y}/{uuid.uuid4().hex}{suffix}.{ext}"


def save(key: str, data: bytes) -> str:
    """Stores the bytes and returns the key they were stored under (never overwrites a file). A
    write that fails part-way (disk full, "File too large", a storage error) leaves nothing
    behind: local storage would otherwise keep the truncated file under this never-reused key."""
    try:
        return default_storage.save(key, ContentFile(data))
    except Exception:
        try:
            default_storage.delete(key)
        except Exception:
            log.warning("could not remove the partial file %s", key, exc_info=True)
        raise


def read(key: str) -> bytes:
    with default_storage.open(key, "rb") as handle:
        return handle.read()


def exists(key: str) -> bool:
    return bool(key) and default_storage.exists(key)


def delete(key: str) -> None:
    if key:
        default_storage.delete(key)


def is_remote() -> bool:
    """True on S3-compatible storage, where files are handed out as signed URLs."""
    return hasattr(default_storage, "bucket_name")


def signed_url(key: str, *, filename: str = "", attachment: bool = False) -> str:
    """A short-lived URL for one private object (S3 storage only; S3_SIGNED_URL_SECONDS)."""
    params = {"Bucket": default_storage.bucket_name, "Key": default_storage._normalize_name(key)}
    if attachment:
        params["ResponseContentDisposition"] = content_disposition_header(True, filename or "download")
    # The client, not storage.url(): a custom (public CDN) domain must never serve private files.
    return default_storage.connection.meta.client.generate_presigned_url(
        "get_object", Params=params, ExpiresIn=default_storage.querystring_expire
    )


def public_url(key: str) -> str:
    """The CDN URL of a published file when S3_CUSTOM_DOMAIN is set, else a signed URL."""
    if getattr(default_storage, "custom_domain", None):
        return default_storage.url(key)
    return signed_url(key)
