"""The admin analytics page: every figure equals the hand-computed one on a known fixture, the
page is for staff with `modo.view_analytics`, its query count does not grow with the usage log,
and the admin index shows today's cost against the alert threshold."""

import re
import time as pytime
import uuid
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from aiproviders.models import AIModel, CostAlert, Provider, UsageLog
from credits import ledger, orders
from credits.models import CreditPackage, Plan
from media.models import MediaAsset
from modo import analytics
from studio.models import Draft, Generation, Project

pytestmark = [pytest.mark.django_db, pytest.mark.requires_postgres]

URL = "/admin/analytics/"
TODAY = timezone.localdate()
D1, D2, OLD = TODAY - timedelta(days=3), TODAY - timedelta(days=2), TODAY - timedelta(days=40)
WEEK = analytics.Period(start=TODAY - timedelta(days=6), end=TODAY)


@contextmanager
def on(day, hour=12):
    """Writes made inside happen at noon of `day` (auto_now_add and the services read the clock)."""
    moment = timezone.make_aware(datetime.combine(day, time(hour)))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _usage(model, day, status, latency, cost="0", reference="", user=None):
    return UsageLog.objects.create(
        user=user, provider_id=model.provider_id, model=model, kind=model.type, status=status, latency_ms=latency,
        est_cost_usd=Decimal(cost), reference=reference,
        created_at=timezone.make_aware(datetime.combine(day, time(12))),
    )


def _charge(user, amount, reference):
    """A generation's charge as the studio makes it: hold, then capture."""
    account = ledger.credit_account_open(user=user)
    hold = ledger.credits_hold(account=account, amount=amount, reference=reference, idempotency_key=reference)
    ledger.credits_capture(hold=hold, amount=amount)


def _job(owner, project, kind, status):
    return Generation.objects.create(owner=owner, project=project, target_kind="character", target_id=uuid.uuid4(),
                                     kind=kind, status=status)


def _draft(owner, project, status):
    return Draft.objects.create(owner=owner, project=project, target_kind="story", field="synopsis", status=status)


@pytest.fixture
def world():
    """Four creators over two days of the last week (D1, D2) and one day long before (OLD).

    alice: trial opened D1 (+20), charged 5 (text), buys 50 credits D2 → moved to Free (trial
           credits left, 15, expire; +60 Free credits) and +50 purchased: a conversion.
    bob:   trial opened D1 (+20), charged 3 (text, a cached answer) on D2; never pays.
    carol: opened on Basic at OLD (+500), charged 7 at OLD; D1: charged 25 (image), a failed
           image job released, +10 by an admin; D2: charged 5 (text) then refunded, −5 by an admin.
    dave:  trial opened at OLD (+20); buys Basic on D2 (trial's 20 expire, +500): a conversion."""
    acme = Provider.objects.create(name="Acme", kind=Provider.Kind.OPENAI)
    beta = Provider.objects.create(name="Beta", kind=Provider.Kind.REPLICATE)
    text = AIModel.objects.create(provider=acme, model_id="acme-text", display_name="Acme Text", type="text")
    image = AIModel.objects.create(provider=acme, model_id="acme-image", display_name="Acme Image", type="image")
    video = AIModel.objects.create(provider=beta, model_id="beta-video", display_name="Beta Video", type="video")
    alice, bob, carol, dave = (UserFactory(email=f"{name}@example.com") for name in ("alice", "bob", "carol", "dave"))
    trial, basic = Plan.objects.get(code="trial"), Plan.objects.get(code="basic")
    admin_user = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)

    with on(OLD):
        ledger.credit_account_open(user=carol, plan=basic)
        ledger.credit_account_open(user=dave, plan=trial)
        _charge(carol, 7, "generation:old")
        project = Project.objects.create(owner=carol, title="Ember Kite", slug="ember-kite")
        alice_project = Project.objects.create(owner=alice, title="Tide", slug="tide")
        _job(carol, project, Generation.Kind.MOODBOARD, Generation.Status.SUCCEEDED)
        _draft(carol, project, Draft.Status.READY)
    _usage(image, OLD, "ok", 9999, "1.0", "generation:old")

    with on(D1):
        ledger.credit_account_open(user=alice, plan=trial)
        ledger.credit_account_open(user=bob, plan=trial)
        _charge(alice, 5, "draft:a1")
        _charge(carol, 25, "generation:g1")
        account = ledger.credit_account_open(user=carol)
        hold = ledger.credits_hold(account=account, amount=10, reference="generation:g2", idempotency_key="generation:g2")
        ledger.credits_release(hold=hold)
        ledger.credits_admin_adjust(account=account, delta=10, reason="Goodwill", actor=admin_user)
        _job(carol, project, Generation.Kind.CHARACTER_IMAGE, Generation.Status.SUCCEEDED)
        _job(carol, project, Generation.Kind.CHARACTER_IMAGE, Generation.Status.FAILED)
        _draft(alice, alice_project, Draft.Status.READY)
    _usage(text, D1, "error", 50, "0", "draft:a1")
    _usage(text, D1, "ok", 100, "0.002", "draft:a1")
    _usage(image, D1, "ok", 2000, "0.04", "generation:g1")
    _usage(image, D1, "error", 3000, "0", "generation:g2")

    with on(D2):
        order = orders.order_create(user=alice, package=CreditPackage.objects.get(code="credits-50"))
        orders.order_mark_paid(order=order)
        order = orders.order_create(user=dave, plan=basic, billing_cycle="monthly")
        orders.order_mark_paid(order=order)
        _charge(carol, 5, "draft:c1")
        ledger.credits_refund(account=account, reference="draft:c1", reason="Bad output")
        _charge(bob, 3, "draft:b1")
        ledger.credits_admin_adjust(account=account, delta=-5, reason="Correction", actor=admin_user)
        _job(carol, project, Generation.Kind.MOODBOARD, Generation.Status.SUCCEEDED)
        _job(alice, alice_project, Generation.Kind.ANIMATION, Generation.Status.QUEUED)
        _draft(carol, project, Draft.Status.ACCEPTED)
        _draft(bob, alice_project, Draft.Status.READY)
        _draft(carol, project, Draft.Status.INCOMPLETE)
    _usage(text, D2, "ok", 300, "0.003", "draft:c1")
    _usage(text, D2, "cached", 0, "0", "draft:b1")
    _usage(text, D2, "partial", 400, "0.001", "draft:x")
    _usage(text, D2, "ok", 200, "0.001", "draft:e1")
    _usage(text, D2, "ok", 500, "0.001", "draft:e2")
    _usage(video, D2, "ok", 10000, "0.5", "generation:anim")
    _usage(video, D2, "error", 500, "0", "generation:anim")

    for accessible, deleted in ((False, None), (False, timezone.now()), (True, None)):
        MediaAsset.objects.create(owner=carol, project=project, target_id=project.public_id, is_accessible=accessible,
                                  deleted_at=deleted)
    return {"admin": admin_user, "text": text, "image": image, "video": video}


# --- the figures -------------------------------------------------------------------------------

def test_generations_per_day_by_kind_and_status_count_jobs_and_text_drafts(world):
    g = analytics.generations_per_day(period=WEEK)

    by_kind = {row["kind"]: row["statuses"] for row in g["by_kind"]}
    assert by_kind["character_image"] == {"queued": 0, "running": 0, "succeeded": 1, "failed": 1, "cancelled": 0}
    assert by_kind["moodboard"]["succeeded"] == 1 and sum(by_kind["moodboard"].values()) == 1
    assert by_kind["animation"]["queued"] == 1 and sum(by_kind["animation"].values()) == 1
    assert by_kind["text"] == {"queued": 0, "running": 0, "succeeded": 3, "failed": 1, "cancelled": 0}
    assert g["by_status"] == {"queued": 1, "running": 0, "succeeded": 5, "failed": 2, "cancelled": 0}
    assert g["total"] == 8

    days = {d["day"]: d for d in g["days"]}
    assert len(days) == 7
    assert days[D1]["total"] == 3 and days[D1]["kinds"]["character_image"] == 2 and days[D1]["kinds"]["text"] == 1
    assert days[D2]["total"] == 5 and days[D2]["kinds"] == {  # every kind has its column, the others' are 0
        **dict.fromkeys(Generation.Kind.values, 0), "text": 3, "moodboard": 1, "animation": 1}
    assert days[D2]["statuses"]["failed"] == 1
    assert sum(d["total"] for d in g["days"]) == 8


def test_credits_spent_purchased_and_granted_per_day_follow_the_ledger(world):
    c = analytics.credits_per_day(period=WEEK)

    days = {d["day"]: d for d in c["days"]}
    assert {k: days[D1][k] for k in analytics.CREDIT_SERIES} == {
        "spent": 30, "purchased": 0, "granted": 50, "refunded": 0, "expired": 0, "deducted": 0}
    assert {k: days[D2][k] for k in analytics.CREDIT_SERIES} == {
        "spent": 8, "purchased": 50, "granted": 560, "refunded": 5, "expired": 35, "deducted": 5}
    assert c["totals"] == {"spent": 38, "purchased": 50, "granted": 610, "refunded": 5, "expired": 35, "deducted": 5}
    assert all(d[k] == 0 for d in c["days"] if d["day"] not in (D1, D2) for k in analytics.CREDIT_SERIES)


def test_models_report_cost_credits_failures_and_latency_percentiles(world):
    report = analytics.models_report(period=WEEK)

    rows = {row["model"]: row for row in report["models"]}
    assert set(rows) == {"Acme Text", "Acme Image", "Beta Video"}
    text = rows["Acme Text"]
    assert (text["calls"], text["vendor_calls"], text["errors"], text["partial"], text["cached"]) == (7, 6, 1, 1, 1)
    assert text["failure_pct"] == 16.7
    # Answered latencies 100, 200, 300, 500: interpolated median 250; p95 at 2.85 → 300 + 0.85 × 200.
    assert text["p50"] == pytest.approx(250) and text["p95"] == pytest.approx(470)
    assert text["cost"] == Decimal("0.008") and text["credits"] == 13
    image = rows["Acme Image"]
    assert (image["calls"], image["errors"], image["failure_pct"]) == (2, 1, 50.0)
    assert image["p50"] == image["p95"] == pytest.approx(2000)
    assert image["cost"] == Decimal("0.04") and image["credits"] == 25
    video = rows["Beta Video"]
    assert (video["calls"], video["failure_pct"], video["p50"], video["cost"], video["credits"]) == (
        2, 50.0, pytest.approx(10000), Decimal("0.5"), 0)

    providers = [(p["provider"], p["cost"], p["credits"], p["calls"]) for p in report["providers"]]
    assert providers == [("Beta", Decimal("0.5"), 0, 2), ("Acme", Decimal("0.048"), 38, 9)]
    assert report["cost"] == Decimal("0.548") and report["credits"] == 38


def test_people_top_spenders_active_users_trial_conversion_and_assets(world):
    top = [(row["account__user__email"], row["spent"], row["charges"]) for row in analytics.top_spenders(period=WEEK)]
    assert top == [("carol@example.com", 30, 2), ("alice@example.com", 5, 1), ("bob@example.com", 3, 1)]
    assert analytics.active_users(period=WEEK) == 3
    assert analytics.trial_conversion(period=WEEK) == {"started": 2, "converted": 2, "cohort_paid": 1, "cohort_pct": 50.0}
    assert analytics.inaccessible_assets() == 1


def test_a_period_that_starts_long_ago_takes_in_the_old_day_too(world):
    since_old = analytics.Period(start=OLD, end=TODAY)
    assert analytics.credits_per_day(period=since_old)["totals"]["spent"] == 45
    assert analytics.generations_per_day(period=since_old)["total"] == 10
    assert analytics.trial_conversion(period=since_old)["started"] == 3
    assert analytics.models_report(period=since_old)["cost"] == Decimal("1.548")


def test_the_page_shows_the_figures(client, world):
    client.force_login(world["admin"])
    response = client.get(URL, {"start": WEEK.start.isoformat(), "end": WEEK.end.isoformat()})

    assert response.status_code == 200
    report = response.context["report"]
    assert report["credits"]["totals"]["spent"] == 38 and report["active_users"] == 3
    html = response.content.decode()
    assert html.count("<svg class=\"chart\"") == 4  # generations, credits, AI models, request latency
    assert 'id="kpi-active">3<' in html and 'id="kpi-converted">2<' in html
    assert "carol@example.com" in html and "Acme Text" in html and "Beta Video" in html
    assert "470" in html and "16.7%" in html


# --- access ------------------------------------------------------------------------------------

def test_anonymous_and_non_staff_users_are_sent_to_the_admin_login(client, user):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_staff_without_the_permission_get_403(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(URL).status_code == 403


def test_staff_with_the_permission_and_superusers_see_the_page(client):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(content_type__app_label="modo", codename="view_analytics"))
    client.force_login(staff)
    assert client.get(URL).status_code == 200
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(URL).status_code == 200


# --- the period --------------------------------------------------------------------------------

@pytest.fixture
def root(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_default_period_is_the_last_30_days_and_presets_choose_7_or_90(root):
    period = root.get(URL).context["period"]
    assert (period.start, period.end) == (TODAY - timedelta(days=29), TODAY)
    assert len(root.get(URL, {"days": 7}).context["period"].days) == 7
    assert len(root.get(URL, {"days": 90}).context["period"].days) == 90


def test_a_date_range_is_shown_both_ends_included_up_to_366_days(root):
    start = TODAY - timedelta(days=365)
    response = root.get(URL, {"start": start.isoformat(), "end": TODAY.isoformat()})
    assert response.status_code == 200
    assert len(response.context["period"].days) == 366
    assert len(response.context["report"]["credits"]["days"]) == 366


@pytest.mark.parametrize("params, message", [
    ({"days": 14}, "Select a valid choice"),
    ({"start": "2025-02-30", "end": "2025-03-01"}, "Enter the start date as YYYY-MM-DD."),
    ({"start": "2025-03-01"}, "Give both a start and an end date"),
    ({"start": "2025-03-10", "end": "2025-03-01"}, "The start date must be on or before the end date."),
    ({"start": "2024-01-01", "end": "2025-01-01"}, "A period can be at most 366 days; this one is 367."),
])
def test_an_invalid_period_is_refused_with_a_clear_message(root, params, message):
    response = root.get(URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "report" not in response.context


# --- speed -------------------------------------------------------------------------------------

def _queries_for_page(client, usage_rows: int, model) -> int:
    UsageLog.objects.all().delete()
    day = timezone.make_aware(datetime.combine(TODAY - timedelta(days=1), time(9)))
    UsageLog.objects.bulk_create(
        UsageLog(provider_id=model.provider_id, model=model, kind="text", status="error" if n % 10 == 0 else "ok",
                 latency_ms=n % 700, est_cost_usd=Decimal("0.001"), created_at=day, reference=f"draft:{n}")
        for n in range(usage_rows)
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"days": 7})
    assert response.status_code == 200
    assert response.context["report"]["models"]["models"][0]["calls"] == usage_rows
    return len(queries)


# Session, user, the report's snapshot, the roll-ups' marks, then each roll-up's stored and live
# parts and the people figures' few (modo/analytics.py): 24 before any fill, 34 once filled.
MAX_QUERIES = 34


def test_the_page_runs_the_same_few_queries_for_10_or_1000_usage_rows(root, world, monkeypatch):
    monkeypatch.setattr("modo.admin_views.REPORT_CACHE_SECONDS", 0)  # compute the report each time
    few = _queries_for_page(root, 10, world["text"])
    many = _queries_for_page(root, 1000, world["text"])
    assert few == many <= MAX_QUERIES


def _calls_shown(html: str, model: str) -> int:
    """The calls column of `model`'s row in the page's models table."""
    table = html.split('id="models"')[1].split("</table>")[0]
    return int(re.search(rf'{model} <span class="muted">[^<]*</span></th>\s*<td class="num">([\d,.]+)</td>', table)
               .group(1).replace(",", "").replace(".", ""))


def test_a_periods_report_is_computed_once_a_minute(root, world):
    first = _queries_for_page(root, 10, world["text"])
    UsageLog.objects.all().delete()

    with CaptureQueriesContext(connection) as queries:
        response = root.get(URL, {"days": 7})

    assert len(queries) == 2  # session and user: the report is the one rendered a moment ago
    assert len(queries) < first
    html = response.content.decode()
    assert _calls_shown(html, "Acme Text") == 10  # as computed a moment ago
    assert "at most 60 seconds old" in html


def test_the_cached_report_is_kept_per_language_and_period(root, world):
    english = root.get(URL, {"days": 7}).content.decode()
    _usage(world["text"], TODAY, "ok", 100, "0.5")  # after the English report was cached
    # Another period is its own report (the last 30 days hold the same calls as the last 7 here).
    assert _calls_shown(root.get(URL, {"days": 30}).content.decode(), "Acme Text") == _calls_shown(english, "Acme Text") + 1

    User.objects.filter(is_superuser=True).update(locale="id")
    with CaptureQueriesContext(connection) as queries:
        indonesian = root.get(URL, {"days": 7}).content.decode()

    assert len(queries) > 2  # computed for this language, not the English page's
    assert "Generations per day" in english and "Generations per day" not in indonesian
    assert "Pembuatan AI per hari" in indonesian
    assert _calls_shown(indonesian, "Acme Text") == _calls_shown(english, "Acme Text") + 1


def test_the_report_is_computed_again_once_its_minute_is_over(root, world, monkeypatch):
    monkeypatch.setattr("modo.admin_views.REPORT_CACHE_SECONDS", 1)  # a second instead of a minute
    shown = _calls_shown(root.get(URL, {"days": 7}).content.decode(), "Acme Text")
    _usage(world["text"], TODAY, "ok", 100, "0.5")
    assert _calls_shown(root.get(URL, {"days": 7}).content.decode(), "Acme Text") == shown  # still the cached one

    pytime.sleep(1.1)

    assert _calls_shown(root.get(URL, {"days": 7}).content.decode(), "Acme Text") == shown + 1


# --- the cost alert on the admin index -----------------------------------------------------------

def test_the_admin_index_shows_todays_cost_against_the_threshold(root, settings, world):
    settings.AI_DAILY_COST_ALERT_USD = 1.0
    _usage(world["text"], TODAY, "ok", 100, "0.6")
    _usage(world["video"], TODAY, "ok", 100, "1.5")
    CostAlert.objects.create(day=TODAY, provider=world["video"].provider, threshold_usd=Decimal("1.00"),
                             total_usd=Decimal("1.5"))

    response = root.get(reverse("admin:index"))

    assert response.status_code == 200
    alert = response.context["cost_alert"]
    assert alert["over"] and alert["total"] == Decimal("2.1")
    assert [(p["provider"], p["cost"], p["over"], p["alerted"], p["pct"], p["meter"]) for p in alert["providers"]] == [
        ("Beta", Decimal("1.5"), True, True, 150.0, 100.0), ("Acme", Decimal("0.6"), False, False, 60.0, 60.0)]
    html = response.content.decode()
    assert 'id="cost-alert"' in html and "Over the alert threshold" in html and "alert sent" in html
    assert reverse("admin_analytics") in html
    assert "app-credits" in html  # the app list is still there


def test_the_index_says_when_cost_alerts_are_off(root, settings):
    settings.AI_DAILY_COST_ALERT_USD = 0
    html = root.get(reverse("admin:index")).content.decode()
    assert "Cost alerts are off" in html and "No AI calls yet today." in html


def test_staff_without_the_permission_see_the_index_without_the_cost_box(client):
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200 and 'id="cost-alert"' not in response.content.decode()
