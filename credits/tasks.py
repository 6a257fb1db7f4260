from celery import shared_task

from . import ledger, orders


@shared_task
def run_cycle_grants() -> dict:
    return ledger.credits_run_due_cycles()


@shared_task
def expire_trials() -> int:
    return ledger.credits_expire_ended_trials()


@shared_task
def expire_stale_orders() -> int:
    return orders.orders_expire_stale()


@shared_task
def notify_trials() -> int:
    """Hourly: "your trial ends in 3 days" / "your trial has ended" (once per trial end)."""
    from . import notices

    return notices.trials_notify()
