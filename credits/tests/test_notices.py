"""What credits announces through the notifications inbox: an order paid or expired, credits
falling below the creator's threshold, the trial ending in 3 days and ended."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Notification
from credits import ledger, notices, orders
from credits.models import CreditPackage, Order
from credits.selectors import credit_account_for

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


def kinds(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("created_at", "pk").values_list("kind", flat=True))


def test_a_paid_order_is_announced_once(user, django_capture_on_commit_callbacks):
    order = orders.order_create(user=user, package=CreditPackage.objects.get(code="credits-200"))
    with django_capture_on_commit_callbacks(execute=True):
        orders.order_mark_paid(order=order)
        orders.order_mark_paid(order=order)
    assert kinds(user) == [Kind.ORDER_PAID]
    n = Notification.objects.get(user=user)
    assert n.params["credits"] == 200 and n.url.endswith(f"{order.public_id}/")


def test_an_expired_order_is_announced(user, django_capture_on_commit_callbacks):
    order = orders.order_create(user=user, package=CreditPackage.objects.get(code="credits-50"))
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert orders.orders_expire_stale() == 1
        assert orders.orders_expire_stale() == 0
    assert kinds(user) == [Kind.ORDER_EXPIRED]


def test_a_hold_that_crosses_the_threshold_announces_low_credits_once(user, django_capture_on_commit_callbacks):
    account = credit_account_for(user=user)  # the trial's signup credits
    available = account.available
    user.low_credits_threshold = available - 3
    user.save(update_fields=["low_credits_threshold"])
    with django_capture_on_commit_callbacks(execute=True):
        ledger.credits_hold(account=account, amount=2, reference="job:a", idempotency_key="hold:a", actor=user)
    assert kinds(user) == []
    with django_capture_on_commit_callbacks(execute=True):
        ledger.credits_hold(account=account, amount=2, reference="job:b", idempotency_key="hold:b", actor=user)
        ledger.credits_hold(account=account, amount=1, reference="job:c", idempotency_key="hold:c", actor=user)
    assert kinds(user) == [Kind.CREDITS_LOW]
    assert Notification.objects.get(user=user).params == {"available": available - 4, "threshold": available - 3}


def test_the_trial_is_announced_three_days_before_and_when_it_ended(user):
    account = credit_account_for(user=user)
    assert account.plan.is_trial
    now = timezone.now()
    account.trial_ends_at = now + timedelta(days=5)
    account.save(update_fields=["trial_ends_at"])
    assert notices.trials_notify(now=now) == 0

    assert notices.trials_notify(now=now + timedelta(days=2, hours=1)) == 1
    assert notices.trials_notify(now=now + timedelta(days=2, hours=2)) == 0
    assert notices.trials_notify(now=now + timedelta(days=5, hours=1)) == 1
    assert notices.trials_notify(now=now + timedelta(days=5, hours=2)) == 0
    assert kinds(user) == [Kind.TRIAL_ENDING, Kind.TRIAL_ENDED]
    assert notices.trials_notify(now=now + timedelta(days=30)) == 0  # long over: not announced again
