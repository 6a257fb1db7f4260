"""The usage log's daily roll-ups (modo/rollups.py explains the machinery): calls, statuses, cost
and a latency histogram per provider and model, and the credits each model earned. Each function
is the one definition of its figure: the fill stores what it returns and the analytics page calls
it for the part of today that is not stored yet.

Latency is kept to two significant figures (87 → 87 ms, 1234 → 1200 ms, rounded down), so the
percentiles of any period come from the summed counts per value, within 10 % of the exact ones
(exact below 100 ms). Usage rows are written once, so a day's rows are final once committed."""

from decimal import Decimal

from django.db.models import Case, Count, F, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate

from credits.models import LedgerEntry
from modo import rollups

from .models import UsageLog
from .rollup_models import EarnedDay, UsageDay

# Latencies below the first bound are kept to the millisecond, then each decade in steps of a tenth.
EXACT_BELOW_MS = 100


def latency_bucket(field: str = "latency_ms"):
    """The SQL for a latency to two significant figures, rounded down (integer division on both
    PostgreSQL and SQLite)."""
    whens = [When(**{f"{field}__lt": EXACT_BELOW_MS}, then=F(field))]
    step = EXACT_BELOW_MS // 10
    while step < 10**8:
        whens.append(When(**{f"{field}__lt": step * 100}, then=F(field) / step * step))
        step *= 10
    return Case(*whens, default=F(field) / step * step, output_field=IntegerField())


def _day(field: str = "created_at"):
    return TruncDate(field, tzinfo=rollups.tz())


def usage_rows(since, until):
    """(day, provider, model, status, latency bucket of answered calls): calls and cost."""
    return (
        UsageLog.objects.filter(created_at__gte=since, created_at__lt=until).order_by()
        .annotate(day=_day(), latency_bucket=Case(When(status=UsageLog.Status.OK, then=latency_bucket()),
                                                  default=Value(0), output_field=IntegerField()))
        .values("day", "provider_id", "model_id", "status", "latency_bucket")
        .annotate(calls=Count("id"), cost=Coalesce(Sum("est_cost_usd"), Value(Decimal(0))))
    )


def earned_rows(since, until):
    """(day, model): the credits captured in the ledger, credited to the model of the call that
    produced the result (the latest answered or cached usage row with the charge's reference)."""
    model_of = Subquery(
        UsageLog.objects.filter(reference=OuterRef("reference"), status__in=[UsageLog.Status.OK, UsageLog.Status.CACHED])
        .exclude(reference="").order_by("-created_at").values("model_id")[:1]
    )
    return (
        LedgerEntry.objects.filter(created_at__gte=since, created_at__lt=until, kind=LedgerEntry.Kind.CAPTURE)
        .order_by().annotate(day=_day(), model_id=model_of).values("day", "model_id")
        .annotate(credits=-Sum("amount"))
    )


def register() -> None:
    """Called from AIProvidersConfig.ready()."""
    rollups.register(rollups.Rollup("aiproviders.usage", UsageDay, usage_rows))
    rollups.register(rollups.Rollup("aiproviders.earned", EarnedDay, earned_rows))
