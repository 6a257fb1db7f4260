from celery import shared_task

from . import orders, services


@shared_task
def run_cycle_grants() -> dict:
    return services.credits_run_due_cycles()


@shared_task
def expire_trials() -> int:
    return services.credits_expire_ended_trials()


@shared_task
def expire_stale_orders() -> int:
    return orders.orders_expire_stale()
