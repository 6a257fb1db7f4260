"""Background work of the studio. Tasks take ids, load what they need and call one function."""

from celery import shared_task

from . import exports, services


@shared_task
def export_project(user_id: int, project_public_id: str, fmt: str, export_id: str, language: str = "") -> str | None:
    """Builds a large JSON / Markdown zip export into default storage (see exports.export_run)."""
    record = exports.export_run(user_id=user_id, project_public_id=project_public_id, fmt=fmt,
                                export_id=export_id, language=language)
    return record["status"] if record else None


@shared_task
def purge_exports() -> int:
    """Deletes background export files past their download window (schedule it with beat)."""
    return exports.exports_purge()


@shared_task
def purge_trash() -> int:
    return services.projects_purge_trash()
