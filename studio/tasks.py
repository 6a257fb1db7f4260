"""Background work of the studio. Tasks take ids, load what they need and call one function."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services
from .exports.background import export_run, exports_purge
from .generate import worker


@shared_task
def export_project(user_id: int, project_public_id: str, fmt: str, export_id: str, language: str = "") -> str | None:
    """Builds a large JSON / Markdown zip export into default storage (see studio.exports.background.export_run)."""
    record = export_run(user_id=user_id, project_public_id=project_public_id, fmt=fmt,
                        export_id=export_id, language=language)
    return record["status"] if record else None


@shared_task
def purge_exports() -> int:
    """Deletes background export files past their download window (schedule it with beat)."""
    return exports_purge()


@shared_task
def purge_trash() -> int:
    return services.projects_purge_trash()


# A job's task delivered while PostgreSQL is down (or restarting) retries itself — backing off
# 2 s, 4 s, … up to a minute, for about six minutes in all — instead of being acknowledged and
# lost until the sweeper's next pass; the claim makes a retry of a claimed job do nothing.
DATABASE_DOWN = {"autoretry_for": (OperationalError, InterfaceError), "retry_backoff": 2, "retry_backoff_max": 60,
                 "max_retries": 10}


@shared_task(acks_late=True, ignore_result=True, **DATABASE_DOWN)
def run_generation(generation_id: int) -> None:
    """Runs one visual generation job. Delivered twice, the second delivery finds it claimed and
    does nothing; a transient provider error puts it back in the queue with a backoff."""
    worker.job_execute(generation_id)


@shared_task(acks_late=True, ignore_result=True, **DATABASE_DOWN)
def poll_generation(generation_id: int) -> None:
    """One check of a vendor video job (scheduled while it runs, or at once by its webhook)."""
    worker.job_poll(generation_id)


@shared_task(ignore_result=True)
def sweep_generations() -> dict:
    """Every minute: re-enqueue lost jobs and fail (and release) the ones stuck past their time."""
    return worker.jobs_sweep()
