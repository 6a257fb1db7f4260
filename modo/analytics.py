"""The superadmin's figures for a period: plain read functions over the apps' daily roll-ups.

The big tables' figures — jobs, credits, AI usage, top spenders, active users, trials — come from
the daily roll-ups (modo/rollups.py): the days a fill stored are a few rows each, and only what
came after its watermark (normally the last minutes of today) is aggregated live from the raw
rows, by the same functions the fill used. So the page runs a fixed number of queries whose cost
does not grow with the rows of its period, and shows the raw rows' own figures (issue 23, bench
figure 7). Days are local dates in settings.TIME_ZONE, whatever the admin's own time zone."""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from aiproviders.models import AIModel, CostAlert, Provider, UsageLog
from credits.models import CreditAccount, LedgerEntry, Order
from credits.rollups import TRIAL_GRANT_KEY
from media.models import MediaAsset
from studio.models import Generation

from . import latency, rollups
from .models import RouteLatency

MAX_DAYS = 366
Kind = LedgerEntry.Kind
ROLLUPS = ("studio.jobs", "credits.ledger", "aiproviders.usage", "aiproviders.earned", "credits.spend",
           "credits.trials", "studio.active")
WINDOWS = ("credits.spend_window", "studio.active_window")


@dataclass(frozen=True)
class Period:
    """Whole local days, both ends included."""

    start: date
    end: date

    @classmethod
    def last(cls, days: int, *, today: date | None = None) -> "Period":
        today = today or rollups.local_day(timezone.now())
        return cls(start=today - timedelta(days=days - 1), end=today)

    @property
    def days(self) -> list[date]:
        return rollups.days_between(self.start, self.end)

    @property
    def since(self) -> datetime:
        return rollups.day_start(self.start)

    @property
    def until(self) -> datetime:
        return rollups.day_end(self.end)


@dataclass(frozen=True)
class Reading:
    """How a period is read: the marks of every roll-up and window, and each roll-up's coverage
    (its stored days, its live rest)."""

    period: Period
    marks: dict
    covers: dict

    def window(self, name: str, source: str):
        """(rows, how many) of the window when one was built for exactly this period's stored
        part, else None."""
        days = len(self.period.days)
        return rollups.window_rows(name, days, self.covers[source], self.marks.get(f"{name}.{days}", {}))


def reading_for(period: Period) -> Reading:
    """One query: the marks of every roll-up and window over the period."""
    windows = [f"{name}.{days}" for name in WINDOWS for days in rollups.WINDOW_DAYS]
    found = rollups.marks([*ROLLUPS, *windows], period.start, period.end)
    covers = {name: rollups.coverage(found[name], period.start, period.end) for name in ROLLUPS}
    return Reading(period=period, marks=found, covers=covers)


def _or_none(keys) -> list:
    """An IN list that is never empty (no row has id 0): the query runs, and is counted, whatever
    the live part holds."""
    return list(keys) or [0]


# --- generations -----------------------------------------------------------------------------

def generations_per_day(*, period: Period, reading: Reading | None = None) -> dict:
    """Visual jobs (studio.Generation) and text drafts (studio.Draft, kind "text") started per
    day, by kind and by status, plus the period's kind × status totals."""
    reading = reading or reading_for(period)
    kinds, statuses = Generation.Kind.values, Generation.Status.values
    per_day = {day: {"day": day, "kinds": dict.fromkeys(kinds, 0), "statuses": dict.fromkeys(statuses, 0), "total": 0}
               for day in period.days}
    matrix = {kind: dict.fromkeys(statuses, 0) for kind in kinds}
    for row in rollups.rows("studio.jobs", reading.covers["studio.jobs"]):
        day, kind, status, count = row["day"], row["kind"], row["status"], row["jobs"]
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

CREDIT_SERIES = ("spent", "purchased", "granted", "refunded", "expired", "deducted")


def _credit_series(moved: dict) -> dict:
    """The page's series from one day's {kind: [credited, debited]} (holds and releases move none)."""
    def net(kind):
        return sum(moved.get(kind, (0, 0)))

    return {
        # Captures are what generations cost (entries are negative: spending).
        "spent": -net(Kind.CAPTURE),
        # Credit packages bought through paid orders.
        "purchased": net(Kind.PURCHASE),
        # Plan cycle, trial and welcome credits, plans bought, and credits an admin added.
        "granted": net(Kind.GRANT) + net(Kind.BONUS) + moved.get(Kind.ADMIN_ADJUST, (0, 0))[0],
        "refunded": net(Kind.REFUND),
        "expired": -net(Kind.EXPIRY),
        "deducted": -moved.get(Kind.ADMIN_ADJUST, (0, 0))[1],
    }


def credits_per_day(*, period: Period, reading: Reading | None = None) -> dict:
    """Credits moved per day by what moved them."""
    reading = reading or reading_for(period)
    moved = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in rollups.rows("credits.ledger", reading.covers["credits.ledger"]):
        kind = moved[row["day"]][row["kind"]]
        kind[0] += row["credited"]
        kind[1] += row["debited"]
    days = [{"day": day, **_credit_series(moved.get(day, {}))} for day in period.days]
    return {"days": days, "totals": {key: sum(d[key] for d in days) for key in CREDIT_SERIES}}


# --- AI models: cost, credits, failures, latency ---------------------------------------------

def percentile(counts: dict, fraction: float) -> float | None:
    """PostgreSQL's percentile_cont over values given as {value: how many}: the value at
    `fraction` of the ordered values, interpolated between the two nearest (p50 of 100 and 200 is 150)."""
    total = sum(counts.values())
    if not total:
        return None
    ordered = sorted(counts.items())

    def at(rank):
        seen = 0
        for value, n in ordered:
            seen += n
            if rank < seen:
                return value

    position = fraction * (total - 1)
    below = math.floor(position)
    lower, upper = at(below), at(min(below + 1, total - 1))
    return float(lower + (upper - lower) * (position - below))


def _usage_by_model(usage_rows) -> dict:
    models: dict = {}
    for row in usage_rows:
        key = (row["provider_id"], row["model_id"])
        m = models.setdefault(key, {"calls": 0, "vendor_calls": 0, "errors": 0, "partial": 0, "cached": 0,
                                    "cost": Decimal(0), "latency": defaultdict(int)})
        calls, status = row["calls"], row["status"]
        m["calls"] += calls
        m["cost"] += row["cost"]
        m["vendor_calls"] += calls if status != UsageLog.Status.CACHED else 0  # a cached answer never reached the vendor
        m["errors"] += calls if status == UsageLog.Status.ERROR else 0
        m["partial"] += calls if status == UsageLog.Status.PARTIAL else 0
        m["cached"] += calls if status == UsageLog.Status.CACHED else 0
        if status == UsageLog.Status.OK:  # latency of answered calls
            m["latency"][row["latency_bucket"]] += calls
    return models


USAGE_KEYS = ("provider_id", "model_id", "status", "latency_bucket")


def models_report(*, period: Period, reading: Reading | None = None) -> dict:
    """Per provider and model: calls, failures, p50/p95 latency of answered calls (from latencies
    kept to two significant figures), estimated vendor cost (USD) and credits earned."""
    reading = reading or reading_for(period)
    cover = reading.covers["aiproviders.usage"]
    # The stored days summed in the database (a row per latency value, not per value and day).
    usage_rows = [*rollups.totals("aiproviders.usage", cover, USAGE_KEYS, ("calls", "cost")),
                  *rollups.live("aiproviders.usage", cover)]
    earned: dict = defaultdict(int)
    for row in rollups.rows("aiproviders.earned", reading.covers["aiproviders.earned"]):
        earned[row["model_id"]] += row["credits"]
    names = {m["id"]: m for m in AIModel.objects.values("id", "display_name", "model_id", "provider__name")}
    providers = dict(Provider.objects.values_list("id", "name"))

    rows, credited = [], set()
    for (provider_id, model_id), m in _usage_by_model(usage_rows).items():
        model = names.get(model_id, {})
        vendor_calls = m["vendor_calls"]
        rows.append({
            "provider": providers.get(provider_id) or "—",
            "model": model.get("display_name") or "(deleted model)",
            "model_id": model.get("model_id", ""),
            "calls": m["calls"], "vendor_calls": vendor_calls, "errors": m["errors"],
            "partial": m["partial"], "cached": m["cached"],
            "failure_pct": round(100 * m["errors"] / vendor_calls, 1) if vendor_calls else None,
            "p50": percentile(m["latency"], 0.5), "p95": percentile(m["latency"], 0.95),
            "cost": m["cost"],
            # A model's credits go on its first row (a deleted model's rows can span providers).
            "credits": 0 if model_id in credited else earned.get(model_id, 0),
        })
        credited.add(model_id)
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
    rows.sort(key=lambda r: (-r["cost"], -r["credits"], r["model"], r["provider"]))

    by_provider: dict[str, dict] = {}
    for row in rows:
        total = by_provider.setdefault(row["provider"], {"provider": row["provider"], "cost": Decimal(0), "credits": 0,
                                                         "calls": 0, "models": []})
        total["cost"] += row["cost"]
        total["credits"] += row["credits"]
        total["calls"] += row["calls"]
        total["models"].append(row)
    providers_by_cost = sorted(by_provider.values(), key=lambda p: (-p["cost"], p["provider"]))
    return {
        # Costliest provider first, and its costliest model first within it.
        "models": [row for provider in providers_by_cost for row in provider["models"]],
        "providers": providers_by_cost,
        "cost": sum((r["cost"] for r in rows), Decimal(0)),
        "credits": sum(r["credits"] for r in rows),
    }


# --- people ----------------------------------------------------------------------------------

def top_spenders(*, period: Period, limit: int = 10, reading: Reading | None = None) -> list[dict]:
    """The accounts that spent the most credits on generations in the period (ties: the older
    account first). From the preset's window when there is one (its first rows), else the days'
    sums; merged with what the accounts spent since the watermark."""
    reading = reading or reading_for(period)
    cover = reading.covers["credits.spend"]
    window = reading.window("credits.spend_window", "credits.spend")
    base = window[0] if window else rollups.summed("credits.spend_window", cover)
    since = defaultdict(lambda: [0, 0])
    for row in rollups.live("credits.spend", cover):
        since[row["account_id"]][0] += row["spent"]
        since[row["account_id"]][1] += row["charges"]
    # An account outside the stored top `limit` that spent nothing since cannot pass any of them.
    totals = {row["account_id"]: [row["spent"], row["charges"]] for row in base.order_by("-spent", "account_id")[:limit]}
    totals.update({row["account_id"]: [row["spent"], row["charges"]]
                   for row in base.filter(account_id__in=_or_none(since))})
    for account, (spent, charges) in since.items():
        total = totals.setdefault(account, [0, 0])
        total[0] += spent
        total[1] += charges
    top = sorted(totals.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    accounts = {a["id"]: a for a in CreditAccount.objects.filter(id__in=_or_none(a for a, _ in top))
                .values("id", "user_id", "user__email", "plan__name")}
    return [{"account_id": account, "account__user_id": accounts[account]["user_id"],
             "account__user__email": accounts[account]["user__email"],
             "account__plan__name": accounts[account]["plan__name"], "spent": spent, "charges": charges}
            for account, (spent, charges) in top]


def active_users(*, period: Period, reading: Reading | None = None) -> int:
    """Distinct creators who started a generation or a text draft, or were charged credits, in
    the period: the preset's window (or the days' distinct users), plus those active since the
    watermark who are not in it."""
    reading = reading or reading_for(period)
    cover = reading.covers["studio.active"]
    window = reading.window("studio.active_window", "studio.active")
    base, count = window if window else (rollups.summed("studio.active_window", cover), None)
    since = {row["user_id"] for row in rollups.live("studio.active", cover)}
    known = set(base.filter(user_id__in=_or_none(since)).values_list("user_id", flat=True))
    return (base.count() if count is None else count) + len(since - known)


def trial_conversion(*, period: Period, reading: Reading | None = None) -> dict:
    """Trial → paid. A trial is an account whose welcome credits were a trial grant (`signup:`
    key, kind grant; credits.rollups). "Paid" means a paid order with an amount (a plan or a
    credit package); an account converts on its first one.

    started: trials opened in the period; converted: trial accounts whose first paid order was
    paid in the period (whenever their trial started); cohort_paid: of the trials opened in the
    period, how many have paid since. Costs what the period's trials and paid orders number."""
    reading = reading or reading_for(period)
    trials = {row["account_id"] for row in rollups.rows("credits.trials", reading.covers["credits.trials"])}
    paid = Order.objects.filter(status=Order.Status.PAID, amount__gt=0, paid_at__isnull=False).order_by()
    is_trial = Exists(LedgerEntry.objects.filter(account=OuterRef("account_id"), kind=Kind.GRANT,
                                                 idempotency_key__startswith=TRIAL_GRANT_KEY))
    earlier = paid.filter(account=OuterRef("account_id"), paid_at__lt=OuterRef("paid_at"))
    counts = {
        "started": len(trials),
        "converted": paid.filter(paid_at__gte=period.since, paid_at__lt=period.until).filter(~Exists(earlier), is_trial)
        .values("account_id").distinct().count(),
        "cohort_paid": paid.filter(account_id__in=_or_none(trials)).values("account_id").distinct().count(),
    }
    counts["cohort_pct"] = round(100 * counts["cohort_paid"] / counts["started"], 1) if counts["started"] else None
    return counts


def inaccessible_assets() -> int:
    """Live media assets whose file can no longer be opened (now, not per period)."""
    return MediaAsset.objects.filter(is_accessible=False, deleted_at__isnull=True).count()


# --- today's cost alert ----------------------------------------------------------------------

def cost_alert_status(*, day: date | None = None, reading: Reading | None = None) -> dict:
    """The day's (today's) estimated vendor cost per provider against AI_DAILY_COST_ALERT_USD
    (0 = alerts off), and whether its alert email went out. From the usage roll-up: the day's
    stored part and the live rest (the marks from `reading` when it holds the day)."""
    day = day or rollups.local_day(timezone.now())
    threshold = Decimal(str(settings.AI_DAILY_COST_ALERT_USD))
    if reading is None or not reading.period.start <= day <= reading.period.end:
        found = rollups.marks(["aiproviders.usage"], day, day)["aiproviders.usage"]
    else:
        found = reading.marks["aiproviders.usage"]
    cover = rollups.coverage(found, day, day)
    spent: dict = {}
    for row in [*rollups.totals("aiproviders.usage", cover, ("provider_id",), ("calls", "cost")),
                *rollups.live("aiproviders.usage", cover)]:
        if row["provider_id"] is not None:
            total = spent.setdefault(row["provider_id"], [Decimal(0), 0])
            total[0] += row["cost"]
            total[1] += row["calls"]
    names = dict(Provider.objects.filter(id__in=_or_none(spent)).values_list("id", "name"))
    alerted = set(CostAlert.objects.filter(day=day).values_list("provider_id", flat=True))
    providers = [
        {"provider": names[provider_id], "cost": cost, "calls": calls,
         "over": threshold > 0 and cost >= threshold, "alerted": provider_id in alerted,
         "pct": round(float(100 * cost / threshold), 1) if threshold > 0 else None}
        for provider_id, (cost, calls) in sorted(spent.items(), key=lambda item: (-item[1][0], item[0]))
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
    minutes = RouteLatency.objects.filter(minute__gte=period.since, minute__lt=period.until).order_by()
    by_day = {row["day"]: row for row in
              minutes.annotate(day=TruncDate("minute", tzinfo=rollups.tz())).values("day").annotate(**_LATENCY_SUMS)}
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
    """Everything on the analytics page for one period, in a fixed number of queries, all reading
    the database at one moment (a fill committing meanwhile would count its rows twice)."""
    with rollups.snapshot():
        reading = reading_for(period)
        return {
            "period": period,
            "generations": generations_per_day(period=period, reading=reading),
            "credits": credits_per_day(period=period, reading=reading),
            "models": models_report(period=period, reading=reading),
            "top_spenders": top_spenders(period=period, reading=reading),
            "active_users": active_users(period=period, reading=reading),
            "conversion": trial_conversion(period=period, reading=reading),
            "inaccessible_assets": inaccessible_assets(),
            "cost_today": cost_alert_status(reading=reading),
            "latency": latency_report(period=period),
        }
