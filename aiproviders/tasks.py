from celery import shared_task

from . import reports


@shared_task
def send_cost_alerts() -> int:
    return len(reports.cost_alerts_send())
