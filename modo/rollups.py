"""Daily roll-ups: per-day aggregates of the big tables, so that the analytics page costs the same
whatever the number of rows in its period (issue 23, bench figure 7, "analytics (uncached)").

An app registers each of its roll-ups from its AppConfig.ready(): a table with a `day` column and
the one function that aggregates its raw rows over [since, until) by local day (settings.TIME_ZONE).
The fill stores what that function returns; the page calls the same function for what is not
stored yet — so the figures are the raw rows' own, however the period is split.

`fill()` (the beat task every 10 minutes, and `manage.py fill_rollups`) stores each day up to a
watermark: now − GRACE (a row is committed within moments of its timestamp), and never past the
first instant whose rows may still change (a job that has not finished: the roll-up's `settled`).
A RollupMark says how far each day is stored. Past days are complete; today is stored up to the
watermark, and the page aggregates only what came after it, live.

A window (`register_window`) is a roll-up summed per key (an account, a user) over the last 7, 30
and 90 days, rebuilt by each fill: the page's presets rank or count keys over their period from it
in a few rows instead of summing a row per key and day."""

from collections import defaultdict, namedtuple
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, Model, Q, QuerySet, Sum
from django.utils import timezone

from .models import RollupMark

GRACE = timedelta(minutes=5)
WINDOW_DAYS = (7, 30, 90)
BACKFILL_DAYS = max(WINDOW_DAYS)  # what a fill (re)builds when days are missing: the longest preset


@dataclass(frozen=True)
class Rollup:
    name: str
    model: type[Model]
    # rows(since, until): dicts with "day" and every other field of `model` (foreign keys by their
    # attname, e.g. "account_id"), aggregated from the raw rows: a values() queryset (the fill then
    # inserts it inside the database) or a list (written through the ORM).
    rows: Callable[[datetime, datetime], QuerySet | list[dict]]
    # settled(since, until): the earliest instant in the range whose rows may still change, or None.
    settled: Callable[[datetime, datetime], datetime | None] | None = None

    @property
    def fields(self) -> list[str]:
        return [f.attname for f in self.model._meta.concrete_fields if not f.primary_key]


@dataclass(frozen=True)
class Window:
    name: str
    source: str  # the roll-up it sums
    model: type[Model]  # its rows: `days`, the keys and the sums
    keys: tuple[str, ...]
    sums: tuple[str, ...] = ()


_rollups: dict[str, Rollup] = {}
_windows: dict[str, Window] = {}


def register(rollup: Rollup) -> None:
    _rollups[rollup.name] = rollup


def register_window(window: Window) -> None:
    _windows[window.name] = window


def windows() -> list[str]:
    return list(_windows)


# --- days ------------------------------------------------------------------------------------

def tz():
    return timezone.get_default_timezone()


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz())


def day_end(day: date) -> datetime:
    return day_start(day + timedelta(days=1))


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment, tz()).date()


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


# --- reading ---------------------------------------------------------------------------------

Mark = namedtuple("Mark", "until rows")


def marks(names: Iterable[str], first: date, last: date) -> dict[str, dict[date, Mark]]:
    """{name: {day: Mark(until, rows)}} of the given roll-ups (and windows: "<window>.<days>")
    for the days first … last. One query."""
    found: dict[str, dict[date, Mark]] = defaultdict(dict)
    for name, day, until, count in RollupMark.objects.filter(
            name__in=list(names), day__gte=first, day__lte=last).values_list("name", "day", "until", "rows"):
        found[name][day] = Mark(until, count)
    return found


@dataclass(frozen=True)
class Coverage:
    """How a period's rows of one roll-up are read: the stored rows of the days start …
    `stored_through` (None: none), and the raw rows aggregated over [`live_from`, `until`)
    (None: nothing left to aggregate)."""

    start: date
    stored_through: date | None
    live_from: datetime | None
    until: datetime


def coverage(day_marks: dict[date, Mark], first: date, last: date) -> Coverage:
    """Stored rows for the complete days at the start of the period and the stored part of the
    first incomplete one; everything after that live (normally: today after the watermark)."""
    stored_through, live_from = None, None
    for day in days_between(first, last):
        until = day_marks[day].until if day in day_marks else None
        if until is not None and until >= day_end(day):
            stored_through = day
            continue
        if until is not None and until > day_start(day):
            stored_through, live_from = day, until
        else:
            live_from = day_start(day)
        break
    return Coverage(start=first, stored_through=stored_through, live_from=live_from, until=day_end(last))


def stored(name: str, cover: Coverage) -> QuerySet:
    """The stored rows the coverage reads (a values() queryset; empty when it reads none)."""
    spec = _rollups[name]
    rows = spec.model.objects.order_by().values(*spec.fields)
    if cover.stored_through is None:
        return rows.none()
    return rows.filter(day__gte=cover.start, day__lte=cover.stored_through)


def live(name: str, cover: Coverage) -> QuerySet:
    """The raw rows the coverage aggregates live, in the roll-up's own shape."""
    spec = _rollups[name]
    if cover.live_from is None:
        return spec.model.objects.order_by().values(*spec.fields).none()
    return spec.rows(cover.live_from, cover.until)


def rows(name: str, cover: Coverage) -> list[dict]:
    """Every row of the period: the stored ones (one query), then the live ones (one or two)."""
    return [*stored(name, cover), *live(name, cover)]


def window_rows(name: str, days: int, cover: Coverage, window_marks: dict[date, Mark]) -> tuple[QuerySet, int] | None:
    """The window's rows (and how many) for a period of the last `days` days whose source reads
    `cover`, when the window was built from exactly what `cover` reads as stored (the same day,
    the same watermark); else None."""
    built = window_marks.get(cover.stored_through) if cover.stored_through else None
    if built is None or (cover.stored_through - cover.start).days + 1 != days:
        return None
    if built.until != (cover.live_from or day_end(cover.stored_through)):
        return None
    spec = _windows[name]
    return spec.model.objects.filter(days=days).order_by().values(*spec.keys, *spec.sums), built.rows


def totals(name: str, cover: Coverage, by: Iterable[str], sums: Iterable[str]) -> QuerySet:
    """The stored part of `cover` summed by `by` in the database (the page needs no row per day)."""
    return stored(name, cover).values(*by).annotate(**{s: Sum(s) for s in sums})


def summed(name: str, cover: Coverage) -> QuerySet:
    """A window's sums (or distinct keys) over the stored part of `cover`, from its source."""
    spec = _windows[name]
    rows = stored(spec.source, cover).values(*spec.keys)
    return rows.annotate(**{s: Sum(s) for s in spec.sums}) if spec.sums else rows.distinct()


@contextmanager
def snapshot():
    """Every read inside sees the database at one moment: a fill committing between the marks
    and the rows would otherwise count the rows it just stored twice (stored and live)."""
    outermost = not connection.in_atomic_block  # inside a caller's transaction, its isolation stands
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


# --- filling ---------------------------------------------------------------------------------

def fill(*, now: datetime | None = None, days: int = BACKFILL_DAYS, names: Iterable[str] | None = None,
         rebuild: bool = False) -> dict[str, int]:
    """Stores every registered roll-up's days from `days` − 1 days ago to today (each up to the
    watermark), then rebuilds the windows. Idempotent: a day already stored to its watermark is
    left alone (with `rebuild`, every day of the range is computed again). Returns the days
    written per roll-up or window."""
    now = now or timezone.now()
    today = local_day(now)
    first = today - timedelta(days=days - 1)
    chosen = [r for r in _rollups.values() if names is None or r.name in names]
    written = {r.name: _fill_rollup(r, first, today, now, rebuild=rebuild) for r in chosen}
    for spec in _windows.values():
        if names is None or spec.source in names or spec.name in names:
            written[spec.name] = _fill_window(spec, today)
    return written


def pending(*, now: datetime | None = None, days: int = BACKFILL_DAYS) -> dict[str, list[date]]:
    """The days each roll-up has not stored completely (what a fill would write). One query."""
    now = now or timezone.now()
    today = local_day(now)
    first = today - timedelta(days=days - 1)
    found = marks(_rollups, first, today)
    return {name: [d for d in days_between(first, today) if d not in found[name] or found[name][d].until < day_end(d)]
            for name in _rollups}


def _watermark(spec: Rollup, since: datetime, now: datetime) -> datetime:
    watermark = now - GRACE
    if spec.settled and watermark > since:
        unsettled = spec.settled(since, watermark)
        if unsettled is not None:
            watermark = min(watermark, unsettled)
    return watermark


def _fill_rollup(spec: Rollup, first: date, today: date, now: datetime, *, rebuild: bool) -> int:
    have = {day: mark.until for day, mark in marks([spec.name], first, today)[spec.name].items()}
    todo = [d for d in days_between(first, today) if rebuild or have.get(d, day_start(d)) < day_end(d)]
    if not todo:
        return 0
    since = day_start(todo[0])
    watermark = _watermark(spec, since, now)
    target = {d: max(day_start(d), min(day_end(d), watermark)) for d in todo}
    target = {d: until for d, until in target.items() if rebuild or have.get(d) != until}
    if not target:
        return 0
    with transaction.atomic():
        RollupMark.objects.bulk_create([RollupMark(name=spec.name, day=d, until=day_start(d)) for d in target],
                                       ignore_conflicts=True)
        locked = {m.day: m for m in RollupMark.objects.select_for_update().filter(name=spec.name, day__in=list(target))}
        if not rebuild:  # a fill that ran meanwhile may have stored these days already
            target = {d: until for d, until in target.items() if locked[d].until < until}
        days = list(target)
        spec.model.objects.filter(day__in=days).delete()
        if days and watermark > since:
            rows = spec.rows(since, watermark)  # one query over every day to write
            if isinstance(rows, QuerySet):
                _insert_select(spec.model, spec.fields, rows, days=days)
            else:
                spec.model.objects.bulk_create([spec.model(**row) for row in rows if row["day"] in target],
                                               batch_size=5000)
        counts = dict(spec.model.objects.filter(day__in=days).order_by().values_list("day").annotate(n=Count("pk")))
        written = timezone.now()
        for d, until in target.items():
            locked[d].until, locked[d].rows, locked[d].updated_at = until, counts.get(d, 0), written
        RollupMark.objects.bulk_update([locked[d] for d in target], ["until", "rows", "updated_at"])
    return len(target)


def _fill_window(spec: Window, today: date) -> int:
    """Rebuilds each length of the window whose source has every day before today complete and
    today stored (to any watermark), unless it was built from that same watermark already."""
    source = {day: mark.until for day, mark in
              marks([spec.source], today - timedelta(days=max(WINDOW_DAYS) - 1), today)[spec.source].items()}
    until = source.get(today)
    if until is None:
        return 0
    built = 0
    for days in WINDOW_DAYS:
        first = today - timedelta(days=days - 1)
        if any(source.get(d, day_start(d)) < day_end(d) for d in days_between(first, today - timedelta(days=1))):
            continue
        name = f"{spec.name}.{days}"
        if RollupMark.objects.filter(name=name, day=today, until=until).exists():
            continue
        cover = Coverage(start=first, stored_through=today, live_from=None, until=day_end(today))
        with transaction.atomic():
            mark, _created = RollupMark.objects.get_or_create(name=name, day=today, defaults={"until": day_start(today)})
            mark = RollupMark.objects.select_for_update().get(pk=mark.pk)
            if mark.until == until:
                continue
            spec.model.objects.filter(days=days).delete()
            _insert_select(spec.model, [*spec.keys, *spec.sums], summed(spec.name, cover), constants={"days": days})
            mark.until, mark.rows = until, spec.model.objects.filter(days=days).count()
            mark.save(update_fields=["until", "rows", "updated_at"])
            RollupMark.objects.filter(~Q(day=today), name=name).delete()  # a window holds one day's view
        built += 1
    return built


def _insert_select(model: type[Model], fields: list[str], rows: QuerySet, *, constants: dict | None = None,
                   days: list[date] | None = None) -> None:
    """INSERT INTO <model's table> (fields) SELECT … FROM (<rows' aggregate>): a roll-up's rows go
    from the raw rows into its table inside the database, never through Python objects. Raw SQL
    for bench figure 7: filling 90 days of its scale set took a minute through bulk_create (a
    million SpendDay / ActiveDay rows), seconds this way. The same statement on SQLite."""
    quote = connection.ops.quote_name
    sql, params = rows.query.sql_with_params()
    constants = constants or {}
    columns = [model._meta.get_field(name).column for name in [*fields, *constants]]
    select = [f"q.{quote(name)}" for name in fields] + ["%s"] * len(constants)
    statement = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "
                 f"SELECT {', '.join(select)} FROM ({sql}) q")
    params = [*constants.values(), *params]
    if days is not None:
        statement += f" WHERE q.{quote('day')} IN ({', '.join(['%s'] * len(days))})"
        params += days
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
