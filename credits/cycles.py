"""The scheduled sweeps over accounts (beat tasks, ops commands): due plan cycles and ended
trials, one account per transaction, each account changed only through the ledger."""

from django.db import models
from django.utils import timezone

from . import ledger
from .models import CreditAccount


def credits_run_due_cycles(*, now=None, dry_run: bool = False) -> dict[str, int]:
    """Runs every due cycle (see credits_run_cycle), one account per transaction."""
    now = now or timezone.now()
    due = CreditAccount.objects.filter(next_cycle_at__lte=now, plan__is_trial=False)
    if dry_run:
        return {"due": due.count()}
    outcomes: dict[str, int] = {}
    for account in due.iterator():
        outcome = ledger.credits_run_cycle(account=account, now=now)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def credits_expire_ended_trials(*, now=None, dry_run: bool = False) -> int:
    """Expires the credits of every ended trial that still has some; returns how many."""
    now = now or timezone.now()
    ended = CreditAccount.objects.filter(
        plan__is_trial=True, trial_ends_at__lte=now, cycle_balance__gt=0, balance__gt=models.F("held")
    )
    if dry_run:
        return ended.count()
    return sum(1 for account in ended.iterator() if ledger.credits_expire_trial(account=account, now=now))
