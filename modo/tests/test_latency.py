"""Request latency per route: the middleware counts each request in the process and sends the
sums to the cache (Redis when it answers) every few seconds, the flush task moves finished minutes into RouteLatency rows, and the analytics page
charts p50/p95/p99 and lists the slowest routes."""

import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from modo import analytics, latency, tasks
from modo.models import RouteLatency

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clean_counters():
    latency.forget()
    for minute in latency._pending_minutes():
        latency._take(minute)
    yield
    for minute in latency._pending_minutes():
        latency._take(minute)


def test_the_histogram_gives_interpolated_percentiles():
    # 100 requests: 50 in (0, 10] ms, 45 in (50, 100], 5 in (100, 200].
    counts = [50, 0, 0, 45, 5] + [0] * (latency.BUCKETS - 5)
    assert analytics.histogram_percentile(counts, .5, 150) == 10.0
    assert analytics.histogram_percentile(counts, .95, 150) == 100.0
    assert analytics.histogram_percentile(counts, .99, 200) == 180.0
    assert analytics.histogram_percentile(counts, .99, 150) == 140.0  # the bucket ends at the slowest seen
    assert analytics.histogram_percentile([0] * latency.BUCKETS, .5, 0) is None


def test_requests_are_counted_per_route_and_flushed_into_rows(client):
    for _ in range(3):
        assert client.get(reverse("pricing")).status_code == 200
    client.get(reverse("showcase"))
    client.get("/no-such-page/")

    latency.push()  # what each process does every few seconds
    assert latency._pending_minutes()  # counted in the cache, not yet in the database
    assert not RouteLatency.objects.exists()
    # The current minute is still being counted: a flush now leaves it.
    assert tasks.flush_latency() == 0

    written = latency.flush(now=time.time() + 60)

    rows = {row.route: row for row in RouteLatency.objects.all()}
    assert written == len(rows) >= 3
    assert rows["pricing"].count == 3 and rows["showcase"].count == 1
    assert rows["(unresolved)"].count == 1  # a 404 resolves no route: never one row per path
    assert sum(getattr(rows["pricing"], f"b{i}") for i in range(latency.BUCKETS)) == 3
    assert 0 < rows["pricing"].total_ms and rows["pricing"].max_ms > 0
    assert latency._pending_minutes() == []


@pytest.mark.urls("modo.tests.error_urls")
def test_a_server_error_counts_as_an_error(client):
    client.raise_request_exception = False
    assert client.get("/boom/").status_code == 500
    client.get("/pricing/")
    latency.flush(now=time.time() + 60)

    broken = RouteLatency.objects.get(route="modo.tests.error_urls.boom")
    assert (broken.count, broken.errors) == (1, 1)
    assert RouteLatency.objects.get(route="pricing").errors == 0


def test_requests_reach_the_cache_in_sums_not_one_by_one():
    now = time.time() // 60 * 60 + 10  # well inside one minute
    latency.push(now=now)  # just sent: the next requests wait in the process
    for i in range(20):
        latency.record(route="home", ms=30.0 + i, error=False, now=now + 1)
    assert latency._take(int(now // 60)) == {}
    latency.record(route="home", ms=700.0, error=False, now=now + latency.PUSH_S + 1)  # due: one push of all
    counted = latency._take(int(now // 60))["home"]
    assert (counted["count"], counted["b2"], counted["b6"], counted["max_ms"]) == (21, 20, 1, 700.0)


def test_a_minute_flushed_twice_adds_up(client):
    now = time.time()
    latency.record(route="home", ms=30.0, error=False, now=now)
    latency.flush(now=now + 60)
    latency.record(route="home", ms=900.0, error=False, now=now)  # a late request of the same minute
    latency.flush(now=now + 60)

    row = RouteLatency.objects.get(route="home")
    assert (row.count, row.b2, row.b7, row.max_ms) == (2, 1, 1, 900.0)


def test_the_analytics_page_charts_latency_and_lists_slow_routes(admin_client, monkeypatch):
    monkeypatch.setattr("modo.admin_views.REPORT_CACHE_SECONDS", 0)
    now = time.time()
    for ms in (5, 8, 9, 40, 60):
        latency.record(route="studio:project", ms=ms, error=False, now=now)
    for ms in (300, 350, 700, 2000, 2500, 3000):
        latency.record(route="studio:export", ms=ms, error=ms == 3000, now=now)
    latency.flush(now=now + 60)

    page = admin_client.get(reverse("admin_analytics")).content.decode()

    chart = page.split('id="latency-chart"')[1].split("</svg>")[0]
    assert "<polyline" in chart
    # Only today had requests: one dot per percentile, none drawn at 0 ms for the empty days.
    assert chart.count("<circle") == 3 and ": 0 ms" not in chart and ": None" not in chart
    table = page.split('id="slow-routes"')[1].split("</table>")[0]
    assert table.index("studio:export") < table.index("studio:project")  # slowest first
    report = analytics.latency_report(period=analytics.Period.last(7))
    export = next(r for r in report["slow_routes"] if r["route"] == "studio:export")
    assert export["count"] == 6 and export["errors"] == 1 and export["error_pct"] == pytest.approx(16.67)
    assert export["p50"] < export["p95"] <= export["p99"] <= 3000
    assert report["days"][-1]["count"] == 11
    cache.clear()
