import pytest
from django.core.management import call_command
from django.utils import timezone

from credits import cycles, ledger, orders, periods
from credits.models import CreditAccount, LedgerEntry

from .factories import assert_consistent, plan


def _paid_basic(user, billing_cycle="monthly"):
    order = orders.order_create(user=user, plan=plan("basic"), billing_cycle=billing_cycle)
    orders.order_mark_paid(order=order)
    return CreditAccount.objects.get(user=user)


@pytest.mark.django_db
def test_monthly_cycle_run_twice_grants_once_and_expires_the_last_cycle(user):
    account = _paid_basic(user, billing_cycle="yearly")  # a yearly plan still gets credits monthly
    hold = ledger.credits_hold(account=account, amount=100, reference="job", idempotency_key="k")
    ledger.credits_capture(hold=hold, amount=100)  # 400 of 500 left
    later = account.next_cycle_at + timezone.timedelta(minutes=1)

    assert cycles.credits_run_due_cycles(now=later) == {"granted": 1}
    assert cycles.credits_run_due_cycles(now=later) == {}
    assert ledger.credits_run_cycle(account=account, now=later) == "not due"

    account.refresh_from_db()
    assert account.cycle_balance == 500
    assert LedgerEntry.objects.filter(account=account, kind="expiry").latest("id").amount == -400
    assert LedgerEntry.objects.filter(account=account, kind="grant", metadata__reason="cycle_credits").count() == 1
    assert_consistent(account)


@pytest.mark.django_db
def test_lapsed_paid_plan_moves_to_free(user):
    account = _paid_basic(user)
    after_expiry = account.plan_expires_at + timezone.timedelta(minutes=1)
    CreditAccount.objects.filter(pk=account.pk).update(next_cycle_at=after_expiry - timezone.timedelta(minutes=1))

    assert cycles.credits_run_due_cycles(now=after_expiry) == {"lapsed": 1}
    assert cycles.credits_run_due_cycles(now=after_expiry) == {}

    account.refresh_from_db()
    assert account.plan.code == "free"
    assert account.cycle_balance == 60
    assert_consistent(account)


@pytest.mark.django_db
def test_ended_trial_credits_expire_once(user, capsys):
    account = ledger.credit_account_open(user=user)
    CreditAccount.objects.filter(pk=account.pk).update(trial_ends_at=timezone.now() - timezone.timedelta(hours=1))

    call_command("expire_trials", dry_run=True)
    assert "1 (dry run" in capsys.readouterr().out
    call_command("expire_trials")
    call_command("expire_trials")

    account.refresh_from_db()
    assert account.balance == 0
    assert LedgerEntry.objects.filter(account=account, kind="expiry").count() == 1
    assert_consistent(account)


@pytest.mark.django_db
def test_cycle_command_reports_and_dry_run_changes_nothing(user, capsys):
    account = _paid_basic(user, billing_cycle="yearly")
    CreditAccount.objects.filter(pk=account.pk).update(next_cycle_at=timezone.now() - timezone.timedelta(minutes=1))

    call_command("run_cycle_grants", dry_run=True)
    assert "1 account(s) due" in capsys.readouterr().out
    assert CreditAccount.objects.get(pk=account.pk).cycle_balance == 500

    call_command("run_cycle_grants")
    assert "granted: 1" in capsys.readouterr().out


def test_add_months_clamps_to_the_month_end():
    from datetime import datetime

    assert periods.add_months(datetime(2026, 1, 31), 1) == datetime(2026, 2, 28)
    assert periods.add_months(datetime(2026, 11, 30), 3) == datetime(2027, 2, 28)
    assert periods.add_months(datetime(2026, 5, 15), 12) == datetime(2027, 5, 15)


@pytest.mark.django_db
def test_seed_plans_is_idempotent_and_reset_restores_edits(capsys):
    from credits.models import Plan

    Plan.objects.filter(code="basic").update(credits_per_cycle=1)
    call_command("seed_plans")
    assert Plan.objects.get(code="basic").credits_per_cycle == 1
    assert "created 0" in capsys.readouterr().out

    call_command("seed_plans", reset=True)
    assert Plan.objects.get(code="basic").credits_per_cycle == 500
