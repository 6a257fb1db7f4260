"""What credits tells the creator through accounts.notifications: an order paid or expired,
credits running low, the trial ending in 3 days and ended. Called after commit; a failure
here is logged and never undoes the money side."""

import logging
from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone

from accounts import notifications
from accounts.models import Notification
from modo.after_response import after_response

from .models import CreditAccount, Order

log = logging.getLogger(__name__)
Kind = Notification.Kind
TRIAL_WARNING = timedelta(days=3)
# A trial that ended longer ago than this is not announced any more (a first run on old data).
TRIAL_ENDED_RECENT = timedelta(days=7)


def _safely(func):
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except Exception:
            log.exception("credits notification %s failed", func.__name__)
            return None
    return run


@_safely
def order_notify(*, order_id: int) -> None:
    order = Order.objects.select_related("account__user", "package", "plan").get(pk=order_id)
    user = order.account.user
    if user is None or order.status not in (Order.Status.PAID, Order.Status.EXPIRED):
        return
    kind = Kind.ORDER_PAID if order.status == Order.Status.PAID else Kind.ORDER_EXPIRED
    item = order.package.name if order.package_id else (order.plan.name if order.plan_id else order.number)
    notifications.notification_send(
        user=user, kind=kind, subject=f"order:{order.public_id}", url=reverse("credits:order", args=[order.public_id]),
        params={"credits": order.credits or 0, "package": item, "number": order.number})


def order_notify_on_commit(order_id: int) -> None:
    transaction.on_commit(lambda: order_notify(order_id=order_id))


@_safely
def credits_low_after_commit(*, account_id: int, owner_id: int | None, available_before: int, spent: int,
                             actor=None) -> None:
    """After a hold: "credits running low" for the account's own user, when it is they who hold
    (the actor in hand, so nothing is read unless the hold crossed below their threshold), once
    the transaction has committed and the response is sent. A team's account, or a hold that
    names no actor, warns no one."""
    if actor is None or owner_id is None or actor.pk != owner_id:
        return
    after = available_before - spent
    if not notifications.credits_low_crossed(user=actor, available_before=available_before, available_after=after):
        return
    url = reverse("credits:subscription")
    transaction.on_commit(lambda: after_response(lambda: notifications.credits_low_check(
        user=actor, available_before=available_before, available_after=after, url=url)))


def trials_notify(*, now=None) -> int:
    """Beat (hourly): "your trial ends in 3 days" and "your trial has ended", once per trial end
    date (the notification's subject carries it, so an extended trial is announced again)."""
    now = now or timezone.now()
    sent = 0
    trials = CreditAccount.objects.select_related("user").filter(
        plan__is_trial=True, user__isnull=False, user__is_active=True,
        trial_ends_at__gt=now - TRIAL_ENDED_RECENT, trial_ends_at__lte=now + TRIAL_WARNING)
    for account in trials:
        ends = account.trial_ends_at
        ended = ends <= now
        kind = Kind.TRIAL_ENDED if ended else Kind.TRIAL_ENDING
        with timezone.override(account.user.timezone or "UTC"):
            date = formats.date_format(timezone.localtime(ends), "DATE_FORMAT")
        sent += bool(notifications.notification_send(
            user=account.user, kind=kind, subject=f"{kind}:{account.public_id}:{ends:%Y-%m-%d}",
            url=reverse("credits:subscription"), params={"date": date}))
    return sent
