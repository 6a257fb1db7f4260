"""The superadmin's figures for a period: plain read functions over aggregate queries.

Every function runs a fixed number of queries (GROUP BY in the database, never a loop over
usage rows in Python) bounded by `since <= created_at < until`, so the page costs the same
with ten usage rows or a hundred thousand. Days are local dates (settings.TIME_ZONE)."""

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Ceil, Coalesce, RowNumber, TruncDate
from django.utils import timezone

from aiproviders.models import AIModel, CostAlert, UsageLog
from aiproviders.reports import cost_by_provider, day_bounds
from credits.models import CreditAccount, LedgerEntry, Order
from media.models import MediaAsset
from studio.models import Draft, Generation

from . import latency
from .models import RouteLatency

MAX_DAYS = 366
Kind = LedgerEntry.Kind


@dataclass(frozen=True)
class Period:
    """Whole local days, both ends included."""

    start: date
    end: date

    @classmethod
    def last(cls, days: int, *, today: date | None = None) -> "Period":
        today = today or timezone.localdate()
        return cls(start=today - timedelta(days=days - 1), end=today)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))


class Percentile(Aggregate):
    """PostgreSQL's percentile_cont: the value at `fraction` of the ordered values, interpolated
    between the two nearest (p50 of 100 and 200 is 150)."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, *, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def _in(period: Period, field: str = "created_at") -> Q:
    return Q(**{f"{field}__gte": period.since, f"{field}__lt": period.until})


# --- generations -----------------------------------------------------------------------------

# Text is written as drafts (one per request); their statuses map onto a job's outcome.
_DRAFT_OUTCOME = Case(
    When(status=Draft.Status.STREAMING, then=Value(Generation.Status.RUNNING.value)),
    When(status=Draft.Status.INCOMPLETE, then=Value(Generation.Status.FAILED.value)),
    default=Value(Generation.Status.SUCCEEDED.value),
    output_field=CharField(),
)


def generations_per_day(*, period: Period) -> dict:
    """Visual jobs (studio.Generation) and text drafts (studio.Draft, kind "text") started per
    day, by kind and by status, plus the period's kind × status totals. Two queries."""
    jobs = (
        Generation.objects.filter(_in(period)).order_by()
        .annotate(day=TruncDate("created_at")).values("day", "kind", "status").annotate(count=Count("id"))
    )
    drafts = (
        Draft.objects.filter(_in(period)).order_by()
        .annotate(day=TruncDate("created_at"), outcome=_DRAFT_OUTCOME).values("day", "outcome").annotate(count=Count("id"))
    )
    rows = [(r["day"], r["kind"], r["status"], r["count"]) for r in jobs]
    rows += [(r["day"], Generation.Kind.TEXT.value, r["outcome"], r["count"]) for r in drafts]

    kinds, statuses = Generation.Kind.values, Generation.Status.values
    per_day = {day: {"day": day, "kinds": dict.fromkeys(kinds, 0), "statuses": dict.fromkeys(statuses, 0), "total": 0}
               for day in period.days}
    matrix = {kind: dict.fromkeys(statuses, 0) for kind in kinds}
    for day, kind, status, count in rows:
        per_day[day]["kinds"][kind] += count
        per_day[day]["statuses"][status] += count
        per_day[day]["total"] += count
        matrix[kind][status] += count
    totals = {status: sum(matrix[kind][status] for kind in kinds) for status in statuses}
    return {
        "days": list(per_day.values()),
        "by_kind": [{"kind": kind, "label": Generation.Kind(kind).label, "statuses": matrix[kind],
                     "total": sum(matrix[kind].values())} for kind in kinds],
        "by_status": totals,
        "total": sum(totals.values()),
    }


# --- credits ---------------------------------------------------------------------------------

def _credit_sums() -> dict:
    return {
        # Captures are what generations cost (entries are negative: spending).
        "spent": Coalesce(-Sum("amount", filter=Q(kind=Kind.CAPTURE)), 0),
        # Credit packages bought through paid orders.
        "purchased": Coalesce(Sum("amount", filter=Q(kind=Kind.PURCHASE)), 0),
        # Plan cycle, trial and welcome credits, plans bought, and credits an admin added.
        "granted": Coalesce(Sum("amount", filter=Q(kind__in=[Kind.GRANT, Kind.BONUS])
                                | Q(kind=Kind.ADMIN_ADJUST, amount__gt=0)), 0),
        "refunded": Coalesce(Sum("amount", filter=Q(kind=Kind.REFUND)), 0),
        "expired": Coalesce(-Sum("amount", filter=Q(kind=Kind.EXPIRY)), 0),
        "deducted": Coalesce(-Sum("amount", filter=Q(kind=Kind.ADMIN_ADJUST, amount__lt=0)), 0),
    }


CREDIT_SERIES = ("spent", "purchased", "granted", "refunded", "expired", "deducted")


def credits_per_day(*, period: Period) -> dict:
    """Credits moved per day by what moved them (holds and releases move none). One query."""
    rows = (
        LedgerEntry.objects.filter(_in(period), kind__in=[k for k in Kind.values if k not in (Kind.HOLD, Kind.RELEASE)])
        .order_by().annotate(day=TruncDate("created_at")).values("day").annotate(**_credit_sums())
    )
    by_day = {row["day"]: row for row in rows}
    empty = dict.fromkeys(CREDIT_SERIES, 0)
    days = [{"day": day, **{key: by_day.get(day, empty)[key] for key in CREDIT_SERIES}} for day in period.days]
    return {"days": days, "totals": {key: sum(d[key] for d in days) for key in CREDIT_SERIES}}


# --- AI models: cost, credits, failures, latency ---------------------------------------------

_VENDOR_CALL = ~Q(status=UsageLog.Status.CACHED)  # a cached answer never reached the vendor
_ANSWERED = Q(status=UsageLog.Status.OK)


def _credits_earned_by_model(period: Period) -> dict:
    """Credits captured in the period, by the model of the call that earned them: a capture's
    reference ("draft:…", "generation:…") is the reference of its successful usage-log row."""
    model_of = Subquery(
        UsageLog.objects.filter(reference=OuterRef("reference"), status__in=[UsageLog.Status.OK, UsageLog.Status.CACHED])
        .exclude(reference="").order_by("-created_at").values("model_id")[:1]
    )
    rows = (
        LedgerEntry.objects.filter(_in(period), kind=Kind.CAPTURE).order_by()
        .annotate(model_ref=model_of).values("model_ref").annotate(credits=-Sum("amount"))
    )
    return {row["model_ref"]: row["credits"] for row in rows}


def _latency_percentiles_portable(period: Period) -> dict:
    """Nearest-rank p50/p95 of answered calls per model with window functions, for databases
    without percentile_cont (SQLite in development). One query, two rows per model."""
    ranked = (
        UsageLog.objects.filter(_in(period), _ANSWERED)
        .annotate(
            position=Window(RowNumber(), partition_by=[F("model_id")], order_by=[F("latency_ms").asc(), F("id").asc()]),
            size=Window(Count("id"), partition_by=[F("model_id")]),
        )
        .filter(Q(position=Ceil(F("size") * 0.5)) | Q(position=Ceil(F("size") * 0.95)))
        .values("model_id", "position", "size", "latency_ms")
    )
    found: dict = {}
    for row in ranked:  # at most two rows per model
        for key, fraction in (("p50", 0.5), ("p95", 0.95)):
            if row["position"] == math.ceil(row["size"] * fraction):
                found.setdefault(row["model_id"], {})[key] = float(row["latency_ms"])
    return found


def models_report(*, period: Period) -> dict:
    """Per provider and model: calls, failures, p50/p95 latency of answered calls, estimated
    vendor cost (USD) and credits earned. Three queries (four without percentile_cont)."""
    aggregates = {
        "calls": Count("id"),
        "vendor_calls": Count("id", filter=_VENDOR_CALL),
        "errors": Count("id", filter=Q(status=UsageLog.Status.ERROR)),
        "partial": Count("id", filter=Q(status=UsageLog.Status.PARTIAL)),
        "cached": Count("id", filter=Q(status=UsageLog.Status.CACHED)),
        "cost": Coalesce(Sum("est_cost_usd"), Value(Decimal(0))),
    }
    native_percentiles = connection.vendor == "postgresql"
    if native_percentiles:
        aggregates["p50"] = Percentile("latency_ms", fraction=0.5, filter=_ANSWERED)
        aggregates["p95"] = Percentile("latency_ms", fraction=0.95, filter=_ANSWERED)
    usage = list(
        UsageLog.objects.filter(_in(period)).order_by()
        .values("provider_id", "provider__name", "model_id").annotate(**aggregates)
    )
    percentiles = {} if native_percentiles else _latency_percentiles_portable(period)
    earned = _credits_earned_by_model(period)
    names = {m["id"]: m for m in AIModel.objects.values("id", "display_name", "model_id", "provider__name")}

    rows, credited = [], set()
    for row in usage:
        model = names.get(row["model_id"], {})
        vendor_calls = row["vendor_calls"]
        rows.append({
            "provider": row["provider__name"] or "—",
            "model": model.get("display_name") or "(deleted model)",
            "model_id": model.get("model_id", ""),
            "calls": row["calls"], "vendor_calls": vendor_calls, "errors": row["errors"],
            "partial": row["partial"], "cached": row["cached"],
            "failure_pct": round(100 * row["errors"] / vendor_calls, 1) if vendor_calls else None,
            "p50": row.get("p50", percentiles.get(row["model_id"], {}).get("p50")),
            "p95": row.get("p95", percentiles.get(row["model_id"], {}).get("p95")),
            "cost": row["cost"],
            # A model's credits go on its first row (a deleted model's rows can span providers).
            "credits": 0 if row["model_id"] in credited else earned.get(row["model_id"], 0),
        })
        credited.add(row["model_id"])
    for model_ref, credits in earned.items():
        if model_ref in credited:
            continue
        model = names.get(model_ref, {})
        rows.append({
            "provider": model.get("provider__name", "—"),
            "model": model.get("display_name") or ("(deleted model)" if model_ref else "(no usage row)"),
            "model_id": model.get("model_id", ""), "calls": 0, "vendor_calls": 0, "errors": 0, "partial": 0,
            "cached": 0, "failure_pct": None, "p50": None, "p95": None, "cost": Decimal(0), "credits": credits,
        })
    rows.sort(key=lambda r: (-r["cost"], -r["credits"], r["model"]))

    providers: dict[str, dict] = {}
    for row in rows:
        total = providers.setdefault(row["provider"], {"provider": row["provider"], "cost": Decimal(0), "credits": 0,
                                                       "calls": 0, "models": []})
        total["cost"] += row["cost"]
        total["credits"] += row["credits"]
        total["calls"] += row["calls"]
        total["models"].append(row)
    providers_by_cost = sorted(providers.values(), key=lambda p: (-p["cost"], p["provider"]))
    return {
        # Costliest provider first, and its costliest model first within it.
        "models": [row for provider in providers_by_cost for row in provider["models"]],
        "providers": providers_by_cost,
        "cost": sum((r["cost"] for r in rows), Decimal(0)),
        "credits": sum(r["credits"] for r in rows),
    }


# --- people ----------------------------------------------------------------------------------

def top_spenders(*, period: Period, limit: int = 10) -> list[dict]:
    """The accounts that spent the most credits on generations in the period. One query."""
    return list(
        LedgerEntry.objects.filter(_in(period), kind=Kind.CAPTURE).order_by()
        .values("account_id", "account__user_id", "account__user__email", "account__plan__name")
        .annotate(spent=-Sum("amount"), charges=Count("id"))
        .order_by("-spent", "account__user__email")[:limit]
    )


def active_users(*, period: Period) -> int:
    """Distinct creators who started a generation or a text draft, or were charged credits, in
    the period. One query (a UNION, which also removes duplicates)."""
    jobs = Generation.objects.filter(_in(period)).order_by().values("owner_id")
    drafts = Draft.objects.filter(_in(period)).order_by().values("owner_id")
    charged = (LedgerEntry.objects.filter(_in(period), kind=Kind.CAPTURE, account__user__isnull=False)
               .order_by().values("account__user_id"))
    return jobs.union(drafts, charged).count()


def trial_conversion(*, period: Period) -> dict:
    """Trial → paid, one query over accounts opened on the trial plan (those whose welcome
    credits were a trial grant, `signup:` key, kind grant). "Paid" means a paid order with an
    amount (a plan or a credit package); an account converts on its first one.

    started: trials opened in the period; converted: trial accounts whose first paid order was
    paid in the period (whenever their trial started); cohort_paid: of the trials opened in the
    period, how many have paid since."""
    trial_started = Subquery(
        LedgerEntry.objects.filter(account=OuterRef("pk"), kind=Kind.GRANT, idempotency_key__startswith="signup:")
        .order_by().values("created_at")[:1]
    )
    first_paid = Subquery(
        Order.objects.filter(account=OuterRef("pk"), status=Order.Status.PAID, amount__gt=0, paid_at__isnull=False)
        .order_by("paid_at").values("paid_at")[:1]
    )
    started_in = _in(period, "trial_started_at")
    counts = (
        CreditAccount.objects.annotate(trial_started_at=trial_started, first_paid_at=first_paid)
        .filter(trial_started_at__isnull=False)
        .aggregate(
            started=Count("pk", filter=started_in),
            converted=Count("pk", filter=_in(period, "first_paid_at")),
            cohort_paid=Count("pk", filter=started_in & Q(first_paid_at__isnull=False)),
        )
    )
    counts["cohort_pct"] = round(100 * counts["cohort_paid"] / counts["started"], 1) if counts["started"] else None
    return counts


def inaccessible_assets() -> int:
    """Live media assets whose file can no longer be opened (now, not per period)."""
    return MediaAsset.objects.filter(is_accessible=False, deleted_at__isnull=True).count()


# --- today's cost alert ----------------------------------------------------------------------

def cost_alert_status(*, day: date | None = None) -> dict:
    """Today's estimated vendor cost per provider against AI_DAILY_COST_ALERT_USD (0 = alerts
    off), and whether today's alert email went out. Two queries."""
    day = day or timezone.localdate()
    threshold = Decimal(str(settings.AI_DAILY_COST_ALERT_USD))
    since, until = day_bounds(day)
    alerted = set(CostAlert.objects.filter(day=day).values_list("provider_id", flat=True))
    providers = [
        {"provider": row["provider__name"], "cost": row["cost"] or Decimal(0), "calls": row["calls"],
         "over": threshold > 0 and (row["cost"] or 0) >= threshold, "alerted": row["provider_id"] in alerted,
         "pct": round(float(100 * (row["cost"] or 0) / threshold), 1) if threshold > 0 else None}
        for row in cost_by_provider(since=since, until=until)
    ]
    for provider in providers:  # the meter's fill stops at the threshold
        provider["meter"] = min(100.0, provider["pct"]) if threshold > 0 else None
    return {
        "day": day, "threshold": threshold, "enabled": threshold > 0, "providers": providers,
        "total": sum((p["cost"] for p in providers), Decimal(0)), "over": any(p["over"] for p in providers),
    }


# --- request latency ---------------------------------------------------------------------------

def histogram_percentile(counts: list[int], fraction: float, max_ms: float) -> float | None:
    """The value at `fraction` of a latency histogram (latency.BOUNDS_MS), interpolated inside
    its bucket; the open last bucket ends at the slowest request seen."""
    total = sum(counts)
    if not total:
        return None
    target, seen = fraction * total, 0
    for i, n in enumerate(counts):
        if n and seen + n >= target:
            lower = latency.BOUNDS_MS[i - 1] if i else 0
            upper = latency.BOUNDS_MS[i] if i < len(latency.BOUNDS_MS) else max_ms
            upper = max(lower, min(upper, max_ms)) if max_ms else upper  # never past the slowest seen
            return round(lower + (upper - lower) * (target - seen) / n, 1)
        seen += n
    return round(max_ms, 1)


_LATENCY_SUMS = {"count": Sum("count"), "errors": Sum("errors"), "total_ms": Sum("total_ms"), "max_ms": Max("max_ms"),
                 **{f"b{i}": Sum(f"b{i}") for i in range(latency.BUCKETS)}}


def _latency_figures(row: dict) -> dict:
    counts = [row[f"b{i}"] or 0 for i in range(latency.BUCKETS)]
    count, max_ms = row["count"] or 0, row["max_ms"] or 0
    return {"count": count, "errors": row["errors"] or 0,
            "error_pct": round(100 * (row["errors"] or 0) / count, 2) if count else None,
            "mean": round((row["total_ms"] or 0) / count, 1) if count else None,
            **{name: histogram_percentile(counts, q, max_ms) for name, q in (("p50", .5), ("p95", .95), ("p99", .99))}}


def latency_report(*, period: Period, slow_routes: int = 10) -> dict:
    """Request latency (modo.latency): p50/p95/p99 and error rate per day, and the slowest routes
    by p95 (with at least a few requests, so one cold start does not top the list). Two queries."""
    minutes = RouteLatency.objects.filter(_in(period, "minute")).order_by()
    by_day = {row["day"]: row for row in
              minutes.annotate(day=TruncDate("minute")).values("day").annotate(**_LATENCY_SUMS)}
    days = []
    for day in period.days:
        figures = _latency_figures(by_day[day]) if day in by_day else {
            "count": 0, "errors": 0, "error_pct": None, "mean": None, "p50": None, "p95": None, "p99": None}
        days.append({"day": day, **figures})
    routes = [{"route": row["route"], **_latency_figures(row)}
              for row in minutes.values("route").annotate(**_LATENCY_SUMS)]
    routes.sort(key=lambda r: (r["count"] >= 5, r["p95"] or 0), reverse=True)
    return {"days": days, "slow_routes": routes[:slow_routes], "requests": sum(d["count"] for d in days),
            "errors": sum(d["errors"] for d in days)}


def period_report(*, period: Period) -> dict:
    """Everything on the analytics page for one period, in a fixed number of queries."""
    return {
        "period": period,
        "generations": generations_per_day(period=period),
        "credits": credits_per_day(period=period),
        "models": models_report(period=period),
        "top_spenders": top_spenders(period=period),
        "active_users": active_users(period=period),
        "conversion": trial_conversion(period=period),
        "inaccessible_assets": inaccessible_assets(),
        "cost_today": cost_alert_status(),
        "latency": latency_report(period=period),
    }
