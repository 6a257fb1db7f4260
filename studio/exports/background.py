"""Exports of large projects, built by a worker (studio.tasks.export_project) instead of in the
request. `export_is_large` decides; `export_start` records a queued export and enqueues the task,
`export_run` builds the file into default storage, `export_open` serves it to its owner and
`exports_purge` deletes it after EXPORT_TTL_SECONDS. An export's status lives in the cache and,
because the cache of a `make run` install is per process, in a small status file next to the
export in default storage; either one is enough to follow the job.
"""

import json
import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import selectors
from ..models import Project
from .formats import FILE_FORMATS, export_bytes, export_filename

logger = logging.getLogger(__name__)

# Above this many scenes + characters, JSON and zip exports are built by a worker.
DEFAULT_EXPORT_SYNC_LIMIT = 200
# How long a background export can be downloaded (its status and its file).
EXPORT_TTL_SECONDS = 24 * 3600


def export_size(project: Project) -> int:
    return project.characters.count() + project.scenes.count()


def export_is_large(project: Project) -> bool:
    return export_size(project) > getattr(settings, "EXPORT_SYNC_LIMIT", DEFAULT_EXPORT_SYNC_LIMIT)


class ExportStatus:
    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"

    PENDING = (QUEUED, RUNNING)
    RANK = {QUEUED: 0, RUNNING: 1, READY: 2, FAILED: 2}


def _cache_key(export_id) -> str:
    return f"studio:export:{export_id}"


def _file_key(owner_public_id, export_id, ext: str) -> str:
    # Generated names only: never anything the user typed.
    return f"exports/{owner_public_id}/{export_id}.{ext}"


def _status_key(owner_public_id, export_id) -> str:
    return _file_key(owner_public_id, export_id, "status.json")


def _overwrite(key: str, data: bytes) -> str:
    if default_storage.exists(key):
        default_storage.delete(key)
    return default_storage.save(key, ContentFile(data))


def _record_save(record: dict) -> None:
    record["updated_at"] = timezone.now().isoformat()
    cache.set(_cache_key(record["id"]), record, EXPORT_TTL_SECONDS)
    _overwrite(_status_key(record["owner_public_id"], record["id"]), json.dumps(record).encode())


def _record_from_storage(owner_public_id, export_id) -> dict | None:
    key = _status_key(owner_public_id, export_id)
    try:
        with default_storage.open(key, "rb") as fh:
            return json.loads(fh.read())
    except (FileNotFoundError, OSError, ValueError):
        return None


def _record_load(owner_public_id, export_id) -> dict | None:
    """The cache answers first; while it says the job is still pending, the status file may
    know better (a worker with its own per-process cache writes only there for this process)."""
    record = cache.get(_cache_key(export_id))
    if record is None or record["status"] in ExportStatus.PENDING:
        stored = _record_from_storage(owner_public_id, export_id)
        if stored and (record is None or ExportStatus.RANK[stored["status"]] > ExportStatus.RANK[record["status"]]):
            record = stored
    return record


def export_record_get(*, user, export_id) -> dict:
    """The status of one background export of `user`'s; anyone else's (or an expired one) → 404."""
    record = _record_load(user.public_id, export_id)
    if record is None or record.get("owner_id") != user.pk:
        raise Http404
    return record


def export_start(*, user, project: Project, fmt: str, language: str = "") -> str:
    """Records a queued export and enqueues its task once the surrounding transaction commits.
    Returns the export id for the status page."""
    if fmt not in FILE_FORMATS:
        raise ValueError(f"Unknown export format: {fmt}")
    export_id = str(uuid.uuid4())
    _record_save({
        "id": export_id, "owner_id": user.pk, "owner_public_id": str(user.public_id),
        "project_public_id": str(project.public_id), "project_title": project.title,
        "fmt": fmt, "status": ExportStatus.QUEUED, "path": "", "filename": export_filename(project, fmt),
        "error": "", "created_at": timezone.now().isoformat(),
    })
    from .. import tasks  # tasks import this module

    transaction.on_commit(lambda: tasks.export_project.delay(user.pk, str(project.public_id), fmt, export_id,
                                                             language=language))
    return export_id


def export_run(*, user_id: int, project_public_id: str, fmt: str, export_id: str, language: str = "") -> dict | None:
    """Builds the file, stores it under exports/<owner>/<export id>.<ext> and marks the export
    ready (or failed, with a message for the creator). Safe to run twice: a ready export is
    left alone, and a running one is claimed by one worker at a time."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return None
    record = _record_load(user.public_id, export_id)
    if record is None or record.get("owner_id") != user.pk or record["status"] == ExportStatus.READY:
        return record
    claim_seconds = getattr(settings, "CELERY_TASK_TIME_LIMIT", 11 * 60)
    if not cache.add(f"{_cache_key(export_id)}:claim", 1, claim_seconds):
        return record
    record.update(status=ExportStatus.RUNNING, error="")
    _record_save(record)
    try:
        with translation.override(language or user.locale or settings.LANGUAGE_CODE):
            try:
                project = selectors.project_get(user=user, public_id=project_public_id)
            except Http404:
                record.update(status=ExportStatus.FAILED, error=_("This project is no longer available."))
                _record_save(record)
                return record
            data = export_bytes(project, fmt)
        # No transaction is open here: the upload may be slow (S3 / R2).
        record["path"] = _overwrite(_file_key(user.public_id, export_id, FILE_FORMATS[fmt][0]), data)
        record.update(status=ExportStatus.READY, size=len(data))
    except Exception:
        logger.exception("Export %s of project %s failed", export_id, project_public_id)
        with translation.override(language or user.locale or settings.LANGUAGE_CODE):
            record.update(status=ExportStatus.FAILED, error=_("The export could not be built. Please try again."))
    finally:
        cache.delete(f"{_cache_key(export_id)}:claim")
    _record_save(record)
    return record


def export_open(*, record: dict):
    """The stored file of a ready export (the caller checked its owner)."""
    if record["status"] != ExportStatus.READY or not record.get("path"):
        raise Http404
    expected = f"exports/{record['owner_public_id']}/"
    if not record["path"].startswith(expected):  # only ever a generated key
        raise Http404
    try:
        return default_storage.open(record["path"], "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None


def exports_purge(*, now=None) -> int:
    """Deletes background export files (and their status files) older than EXPORT_TTL_SECONDS."""
    cutoff = (now or timezone.now()) - timezone.timedelta(seconds=EXPORT_TTL_SECONDS)
    removed = 0
    try:
        owners, _files = default_storage.listdir("exports")
    except (FileNotFoundError, OSError):
        return 0
    for owner in owners:
        _dirs, files = default_storage.listdir(f"exports/{owner}")
        for name in files:
            key = f"exports/{owner}/{name}"
            try:
                if default_storage.get_modified_time(key) < cutoff:
                    default_storage.delete(key)
                    removed += 1
            except (FileNotFoundError, OSError, NotImplementedError):
                continue
    return removed
