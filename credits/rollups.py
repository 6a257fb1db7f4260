"""The ledger's daily roll-ups (modo/rollups.py explains the machinery): credits moved per day and
kind of entry, charges per account and day (summed per account over the presets' windows), and the
trials opened per day. Each function is the one definition of its figure: the fill stores what it
returns and the analytics page calls it for the part of today that is not stored yet.

The ledger is append-only, so a day's rows are final once its entries are committed."""

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncDate

from modo import rollups

from .models import LedgerEntry
from .rollup_models import LedgerDay, SpendDay, SpendWindow, TrialDay

Kind = LedgerEntry.Kind
# A trial's welcome credits: the grant credit_account_open writes with this key (credits/ledger.py).
TRIAL_GRANT_KEY = "signup:"


def _entries(since, until):
    return (LedgerEntry.objects.filter(created_at__gte=since, created_at__lt=until).order_by()
            .annotate(day=TruncDate("created_at", tzinfo=rollups.tz())))


def ledger_rows(since, until):
    """(day, kind): credited, debited, entries."""
    # Every kind named: the (kind, created_at) index then reads only the range, never the whole index.
    return _entries(since, until).filter(kind__in=Kind.values).values("day", "kind").annotate(
        credited=Coalesce(Sum("amount", filter=Q(amount__gt=0)), 0),
        debited=Coalesce(Sum("amount", filter=Q(amount__lt=0)), 0),
        entries=Count("id"),
    )


def spend_rows(since, until):
    """(day, account): credits charged for generations (captures are negative: spending) and charges."""
    return (_entries(since, until).filter(kind=Kind.CAPTURE).values("day", "account_id")
            .annotate(spent=-Sum("amount"), charges=Count("id")))


def trial_rows(since, until):
    """(day, account) of the trials opened."""
    return (_entries(since, until).filter(kind=Kind.GRANT, idempotency_key__startswith=TRIAL_GRANT_KEY)
            .values("day", "account_id").distinct())


def register() -> None:
    """Called from CreditsConfig.ready()."""
    rollups.register(rollups.Rollup("credits.ledger", LedgerDay, ledger_rows))
    rollups.register(rollups.Rollup("credits.spend", SpendDay, spend_rows))
    rollups.register(rollups.Rollup("credits.trials", TrialDay, trial_rows))
    rollups.register_window(rollups.Window("credits.spend_window", source="credits.spend", model=SpendWindow,
                                           keys=("account_id",), sums=("spent", "charges")))
