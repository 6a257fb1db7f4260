from celery import shared_task
from django.core import management

from . import latency, rollups, services


@shared_task
def clear_expired_sessions() -> None:
    management.call_command("clearsessions")


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def contact_message_notify(message_id: int) -> None:
    services.contact_message_notify(message_id=message_id)


@shared_task
def flush_latency() -> int:
    """Moves the finished minutes of request latency from the cache into RouteLatency rows."""
    return latency.flush()


@shared_task
def fill_rollups() -> dict:
    """Every 10 minutes: the analytics page's daily roll-ups, up to a few minutes ago (idempotent)."""
    return rollups.fill()


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def alert_notify(alert_id: int) -> None:
    from . import alerts

    alerts.alert_notify(alert_id=alert_id)
