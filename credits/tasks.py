from celery import shared_task

from . import cycles, orders, receipts


@shared_task
def run_cycle_grants() -> dict:
    return cycles.credits_run_due_cycles()


@shared_task
def expire_trials() -> int:
    return cycles.credits_expire_ended_trials()


@shared_task
def expire_stale_orders() -> int:
    return orders.orders_expire_stale()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def receipt_email(receipt_id: int) -> bool:
    return receipts.receipt_email_send(receipt_id=receipt_id)


@shared_task
def notify_trials() -> int:
    """Hourly: "your trial ends in 3 days" / "your trial has ended" (once per trial end)."""
    from . import notices

    return notices.trials_notify()
