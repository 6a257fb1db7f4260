"""The studio's daily roll-ups (modo/rollups.py explains the machinery): jobs and text drafts
started per day by kind and status, and the users active each day (summed into the presets'
windows). Each function is the one definition of its figure: the fill stores what it returns and
the analytics page calls it for the part of today that is not stored yet.

A job changes status until it ends, so the jobs roll-up is `settled` only up to the oldest job
(or streaming draft) that has not: the fill stores no further, and the page reads the rest live."""

from collections import defaultdict

from django.db.models import Case, CharField, Count, F, Min, Value, When
from django.db.models.functions import TruncDate

from credits.models import LedgerEntry
from modo import rollups

from .models import Draft, Generation
from .rollup_models import ActiveDay, ActiveWindow, JobDay

# Text is written as drafts (one per request); their statuses map onto a job's outcome.
DRAFT_OUTCOME = Case(
    When(status=Draft.Status.STREAMING, then=Value(Generation.Status.RUNNING.value)),
    When(status=Draft.Status.INCOMPLETE, then=Value(Generation.Status.FAILED.value)),
    default=Value(Generation.Status.SUCCEEDED.value),
    output_field=CharField(),
)


def _day():
    return TruncDate("created_at", tzinfo=rollups.tz())


def _started(model, since, until):
    return model.objects.filter(created_at__gte=since, created_at__lt=until).order_by()


def jobs_rows(since, until) -> list[dict]:
    """(day, kind, status): jobs started. Two queries (jobs, drafts), merged."""
    counts: dict[tuple, int] = defaultdict(int)
    for row in _started(Generation, since, until).annotate(day=_day()).values("day", "kind", "status").annotate(
            n=Count("id")):
        counts[(row["day"], row["kind"], row["status"])] += row["n"]
    for row in _started(Draft, since, until).annotate(day=_day(), outcome=DRAFT_OUTCOME).values(
            "day", "outcome").annotate(n=Count("id")):
        counts[(row["day"], Generation.Kind.TEXT.value, row["outcome"])] += row["n"]
    return [{"day": day, "kind": kind, "status": status, "jobs": n} for (day, kind, status), n in counts.items()]


def jobs_settled(since, until):
    """The start of the oldest job or streaming draft of the range that has not ended."""
    oldest = [
        _started(Generation, since, until).filter(status__in=Generation.ACTIVE).aggregate(t=Min("created_at"))["t"],
        _started(Draft, since, until).filter(status=Draft.Status.STREAMING).aggregate(t=Min("created_at"))["t"],
    ]
    return min((t for t in oldest if t is not None), default=None)


def active_rows(since, until):
    """(day, user) of the users who started a job or a text draft, or were charged (their own
    account; a team's charges count through the member's job), without duplicates. One query."""
    jobs = _started(Generation, since, until).annotate(day=_day(), user_id=F("owner_id")).values("day", "user_id")
    drafts = _started(Draft, since, until).annotate(day=_day(), user_id=F("owner_id")).values("day", "user_id")
    charged = (_started(LedgerEntry, since, until).filter(kind=LedgerEntry.Kind.CAPTURE, account__user__isnull=False)
               .annotate(day=_day(), user_id=F("account__user_id")).values("day", "user_id"))
    return jobs.union(drafts, charged)


def register() -> None:
    """Called from StudioConfig.ready()."""
    rollups.register(rollups.Rollup("studio.jobs", JobDay, jobs_rows, settled=jobs_settled))
    rollups.register(rollups.Rollup("studio.active", ActiveDay, active_rows))
    rollups.register_window(rollups.Window("studio.active_window", source="studio.active", model=ActiveWindow,
                                           keys=("user_id",)))
