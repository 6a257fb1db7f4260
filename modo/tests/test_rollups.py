"""The analytics page from the daily roll-ups (modo/rollups.py): the same figures as the raw rows
give, for presets (windows) and any other period; a fill run twice writes the same rows; what
happens after the fill's watermark is counted live; a job still running keeps its day open."""

import threading
import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import teams
from accounts.tests.factories import UserFactory
from aiproviders import rollups as usage_rollups
from aiproviders.models import UsageLog
from credits import ledger
from credits.models import LedgerEntry, Plan
from credits.rollup_models import LedgerDay, SpendDay, SpendWindow, TrialDay
from modo import analytics, rollups, tasks
from modo.models import RollupMark
from studio.models import Draft, Generation, Project
from studio.rollup_models import ActiveDay, ActiveWindow, JobDay

from .test_analytics import D1, D2, TODAY, _charge, _job, _usage, on, world  # noqa: F401 (world: a fixture)

pytestmark = [pytest.mark.django_db]
TABLES = (LedgerDay, SpendDay, SpendWindow, TrialDay, JobDay, ActiveDay, ActiveWindow,
          usage_rollups.UsageDay, usage_rollups.EarnedDay)
YESTERDAY = TODAY - timedelta(days=1)


def raw_report(period):
    """The report as the raw rows give it: with no mark the page stores nothing and reads every
    day live (the roll-up tables' rows are left alone and rolled back with the marks)."""
    with transaction.atomic():
        RollupMark.objects.all().delete()
        report = analytics.period_report(period=period)
        transaction.set_rollback(True)
    return report


def stored_rows() -> dict:
    return {model.__name__: sorted(map(repr, model.objects.values(*[f.attname for f in model._meta.concrete_fields
                                                                      if not f.primary_key])))
            for model in TABLES}


@pytest.fixture
def busy(world):  # noqa: F811 (the fixture imported above)
    """The analytics world, plus a team's charge, more jobs, and rows today: an hour ago (stored
    by a fill) and just now (after its watermark: live)."""
    owner = UserFactory(email="erin@example.com")
    with on(D1):
        ledger.credit_account_open(user=owner, plan=Plan.objects.get(code="basic"))  # no trial: the conversions stay
        team = teams.team_create(user=owner, name="Kite Studio")
        account = ledger.credit_account_open(team=team)
        ledger.credits_grant(account=account, amount=100, idempotency_key="team:grant", reason="Test")
        hold = ledger.credits_hold(account=account, amount=12, reference="generation:team", idempotency_key="generation:team")
        ledger.credits_capture(hold=hold, amount=12)
        project = Project.objects.create(owner=owner, title="Kite", slug="kite")
        _job(owner, project, Generation.Kind.VOICE, Generation.Status.CANCELLED)
    _usage(world["image"], D1, "ok", 87, "0.01", "generation:team")
    earlier = timezone.now() - timedelta(hours=1)
    if rollups.local_day(earlier) == TODAY:  # (not in the first hour of the day)
        with on(TODAY, hour=earlier.hour):
            _charge(owner, 4, "draft:today-early")
            _job(owner, project, Generation.Kind.MOODBOARD, Generation.Status.SUCCEEDED)
        _usage(world["text"], TODAY, "ok", 1234, "0.002", "draft:today-early", user=owner)
    _charge(owner, 6, "draft:today-now")
    _job(owner, project, Generation.Kind.CHARACTER_IMAGE, Generation.Status.FAILED)
    UsageLog.objects.create(provider_id=world["text"].provider_id, model=world["text"], kind="text", status="ok",
                            latency_ms=640, est_cost_usd=Decimal("0.003"), reference="draft:today-now", user=owner)
    return {**world, "owner": owner, "project": project}


@pytest.mark.parametrize("days", [7, 30, 90])
def test_a_presets_figures_from_the_rollups_equal_the_raw_rows(busy, days):
    period = analytics.Period.last(days)
    raw = raw_report(period)

    written = rollups.fill()

    assert written["credits.ledger"] == rollups.BACKFILL_DAYS and written["credits.spend_window"] == 3
    reading = analytics.reading_for(period)
    assert reading.covers["credits.spend"].stored_through == TODAY  # today up to the watermark is stored
    assert reading.window("credits.spend_window", "credits.spend") is not None  # the preset's window is read
    assert reading.window("studio.active_window", "studio.active") is not None
    assert analytics.period_report(period=period) == raw
    early = LedgerEntry.objects.filter(reference="draft:today-early").exists()
    assert raw["credits"]["totals"]["spent"] == 38 + 12 + 6 + 4 * early + (7 if days == 90 else 0)  # (+ OLD's)


def test_any_other_period_sums_the_stored_days_and_equals_the_raw_rows(busy):
    rollups.fill()
    for period in (analytics.Period(start=D1, end=D2), analytics.Period(start=D1, end=TODAY),
                   analytics.Period(start=TODAY - timedelta(days=365), end=YESTERDAY)):  # (older days: live)
        reading = analytics.reading_for(period)
        assert reading.window("credits.spend_window", "credits.spend") is None
        assert analytics.period_report(period=period) == raw_report(period), period


def test_the_people_figures_count_the_team_account_and_the_users_once(busy):
    rollups.fill()
    report = analytics.period_report(period=analytics.Period.last(7))

    top = [(row["account__user__email"], row["spent"], row["charges"]) for row in report["top_spenders"]]
    assert top[:2] == [("carol@example.com", 30, 2), (None, 12, 1)]  # the team's account has no user
    early = LedgerEntry.objects.filter(reference="draft:today-early").exists()
    assert ("erin@example.com", 6 + 4 * early, 1 + early) in top
    assert report["active_users"] == 4  # alice, bob, carol and erin (the team's charge adds no one)
    assert report["conversion"] == {"started": 2, "converted": 2, "cohort_paid": 1, "cohort_pct": 50.0}


def test_a_second_fill_writes_nothing_and_a_rebuild_writes_the_same_rows(busy):
    now = timezone.now()
    rollups.fill(now=now)
    first = stored_rows()

    again = rollups.fill(now=now)
    assert set(again.values()) == {0}
    assert stored_rows() == first
    rollups.fill(now=now, rebuild=True)
    assert stored_rows() == first
    later = rollups.fill(now=now + timedelta(minutes=10))  # only today moves on (and the windows with it)
    assert later["credits.ledger"] == 1 and later["credits.spend_window"] == 3
    assert RollupMark.objects.filter(name="credits.ledger", day=D1).get().until == rollups.day_end(D1)


def test_rows_written_after_the_fill_are_counted_live_until_the_next_one(busy, client):
    rollups.fill()
    client.force_login(busy["admin"])
    before = client.get("/admin/analytics/", {"days": 7}).context["report"]

    _charge(busy["owner"], 9, "draft:after-the-fill")
    UsageLog.objects.create(provider_id=busy["video"].provider_id, model=busy["video"], kind="video", status="ok",
                            latency_ms=3000, est_cost_usd=Decimal("0.25"), reference="draft:after-the-fill")
    _job(busy["owner"], busy["project"], Generation.Kind.ANIMATION, Generation.Status.QUEUED)
    period = analytics.Period.last(7)
    after = analytics.period_report(period=period)  # (the page caches its report for a minute)

    assert after["credits"]["totals"]["spent"] == before["credits"]["totals"]["spent"] + 9
    assert after["generations"]["by_status"]["queued"] == before["generations"]["by_status"]["queued"] + 1
    video = next(row for row in after["models"]["models"] if row["model"] == "Beta Video")
    assert video["calls"] == 3 and video["cost"] == Decimal("0.75")
    assert after["cost_today"]["total"] == before["cost_today"]["total"] + Decimal("0.25")
    assert after == raw_report(period)


def _end_the_worlds_queued_job():
    """The world's animation has been queued since D2: it alone would hold every day since."""
    Generation.objects.filter(status=Generation.Status.QUEUED).update(status=Generation.Status.CANCELLED)


def test_a_job_not_ended_keeps_the_jobs_rollup_from_its_start_on(busy):
    rollups.fill()
    held = RollupMark.objects.get(name="studio.jobs", day=D2)
    assert held.until == Generation.objects.get(status=Generation.Status.QUEUED).created_at
    assert RollupMark.objects.get(name="studio.jobs", day=YESTERDAY).until == rollups.day_start(YESTERDAY)
    assert RollupMark.objects.get(name="credits.ledger", day=YESTERDAY).until == rollups.day_end(YESTERDAY)


def test_a_job_still_running_keeps_its_day_open_and_its_end_is_counted(busy):
    _end_the_worlds_queued_job()
    with on(YESTERDAY, hour=10):
        job = _job(busy["owner"], busy["project"], Generation.Kind.ANIMATION, Generation.Status.RUNNING)
    rollups.fill()
    held = RollupMark.objects.get(name="studio.jobs", day=YESTERDAY)
    assert held.until == job.created_at  # stored up to the job, the rest of the day read live
    assert RollupMark.objects.get(name="credits.ledger", day=YESTERDAY).until == rollups.day_end(YESTERDAY)
    period = analytics.Period.last(7)
    assert analytics.period_report(period=period)["generations"]["by_status"]["running"] == 1

    Generation.objects.filter(pk=job.pk).update(status=Generation.Status.SUCCEEDED)
    ended = analytics.period_report(period=period)
    assert ended["generations"]["by_status"]["running"] == 0
    rollups.fill()
    assert RollupMark.objects.get(name="studio.jobs", day=YESTERDAY).until == rollups.day_end(YESTERDAY)
    assert analytics.period_report(period=period) == ended == raw_report(period)


def test_a_streaming_draft_keeps_its_day_open_too(busy):
    _end_the_worlds_queued_job()
    with on(YESTERDAY, hour=15):
        draft = Draft.objects.create(owner=busy["owner"], project=busy["project"], target_kind="story", field="logline")
    rollups.fill()
    assert RollupMark.objects.get(name="studio.jobs", day=YESTERDAY).until == draft.created_at


def test_latencies_are_kept_to_two_significant_figures(busy):
    values = [5, 87, 99, 100, 109, 999, 1000, 1234, 99_999, 123_456_789]
    moment = timezone.make_aware(datetime.combine(YESTERDAY, time(6)))
    UsageLog.objects.bulk_create(UsageLog(provider_id=busy["text"].provider_id, model=busy["text"], kind="text",
                                          status="ok", latency_ms=ms, created_at=moment) for ms in values)
    rows = usage_rollups.usage_rows(moment, moment + timedelta(seconds=1))
    buckets = sorted(b for row in rows for b in [row["latency_bucket"]] * row["calls"])
    assert buckets == [5, 87, 99, 100, 100, 990, 1000, 1200, 99_000, 120_000_000]


@pytest.mark.parametrize("counts, fraction, expected", [
    ({100: 1, 200: 1, 300: 1, 500: 1}, 0.5, 250), ({100: 1, 200: 1, 300: 1, 500: 1}, 0.95, 470),
    ({40: 3}, 0.95, 40), ({10: 1, 20: 3}, 0.5, 20), ({}, 0.5, None),
])
def test_percentiles_interpolate_like_percentile_cont(counts, fraction, expected):
    assert analytics.percentile(counts, fraction) == (pytest.approx(expected) if expected is not None else None)


def test_the_page_runs_the_same_queries_with_10_or_1000_stored_usage_rows(busy, client, monkeypatch):
    monkeypatch.setattr("modo.admin_views.REPORT_CACHE_SECONDS", 0)
    client.force_login(busy["admin"])

    def queries(rows):
        UsageLog.objects.filter(created_at__date=YESTERDAY).delete()
        moment = timezone.make_aware(datetime.combine(YESTERDAY, time(9)))
        UsageLog.objects.bulk_create(
            UsageLog(provider_id=busy["text"].provider_id, model=busy["text"], kind="text", status="ok",
                     latency_ms=n % 700, created_at=moment, reference=f"draft:{uuid.uuid4()}") for n in range(rows))
        call_command("fill_rollups", "--days", "7", "--rebuild", stdout=open("/dev/null", "w"))
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/admin/analytics/", {"days": 7})
        assert response.status_code == 200
        return len(captured)

    assert queries(10) == queries(1000)


def test_the_command_lists_the_missing_days_and_fills_them(busy, capsys):
    call_command("fill_rollups", "--dry-run")
    assert f"credits.ledger: {rollups.BACKFILL_DAYS} day(s) to fill" in capsys.readouterr().out
    assert not RollupMark.objects.exists()

    call_command("fill_rollups", "--days", "7")
    out = capsys.readouterr().out
    assert "credits.ledger: 7 day(s) written" in out
    assert "credits.spend_window: 1 window(s) built" in out  # the 7 days' (30 and 90 miss days)
    call_command("fill_rollups", "--dry-run", "--days", "7")
    assert "credits.ledger: 1 day(s) to fill (" in capsys.readouterr().out  # today, past its watermark


def test_beat_fills_the_rollups_every_ten_minutes(settings, busy):
    assert settings.CELERY_BEAT_SCHEDULE["modo-fill-rollups"] == {"task": "modo.tasks.fill_rollups",
                                                                   "schedule": 600}
    assert tasks.fill_rollups()["credits.ledger"] == rollups.BACKFILL_DAYS


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_fills_at_once_store_each_day_once(seeded_defaults):  # plans: an earlier transactional test flushed them
    user = UserFactory(email="racer@example.com")
    for n in range(3):
        with on(TODAY - timedelta(days=n + 1)):
            _charge(user, 5, f"draft:race-{n}")
    now = timezone.now()
    barrier = threading.Barrier(2)

    def fill():
        barrier.wait()
        try:
            rollups.fill(now=now, days=7)
        finally:
            connection.close()

    threads = [threading.Thread(target=fill) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert SpendDay.objects.count() == 3 and sum(SpendDay.objects.values_list("spent", flat=True)) == 15
    assert RollupMark.objects.filter(name="credits.spend").count() == 7
    assert analytics.period_report(period=analytics.Period.last(7)) == raw_report(analytics.Period.last(7))
