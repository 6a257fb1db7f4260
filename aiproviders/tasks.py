from celery import shared_task

from . import reports


@shared_task
def send_cost_alerts() -> int:
    return len(reports.cost_alerts_send())


@shared_task
def prune_usage_logs() -> int:
    """Daily: keeps the usage log to USAGE_LOG_RETENTION_DAYS."""
    from django.conf import settings

    from .services import usage_logs_prune

    return usage_logs_prune(older_than_days=settings.USAGE_LOG_RETENTION_DAYS)
