"""The bench's pure helpers (benchmarks/_ratios.py, _scale.py's ledger arithmetic) and its
bench-only minimal view (benchmarks/bench_views.py), the yardstick of figure 5."""

import copy
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))
import _ratios  # noqa: E402
import _scale  # noqa: E402


def test_ratio_divides_and_refuses_a_missing_yardstick():
    assert _ratios.ratio(30, 12) == 2.5
    assert _ratios.ratio(1, 3, digits=3) == 0.333
    assert _ratios.ratio(5, 0) is None
    assert _ratios.ratio(5, -1) is None


def test_against_takes_each_percentile_over_its_own():
    page, base = {"p50": 20.0, "p95": 90.0}, {"p50": 5.0, "p95": 30.0}
    assert _ratios.against(page, base) == {"p50_x": 4.0, "p95_x": 3.0}


def test_median_of_rounds_ignores_one_slow_round():
    rounds = [{"p50": 10}, {"p50": 11}, {"p50": 95}, {"p50": 9}, {"p50": 12}]
    assert _ratios.median_rounds(rounds, "p50") == 11


@pytest.mark.parametrize(("value", "budget", "at_least", "expected"), [
    (1.3, 1.3, False, True), (1.31, 1.3, False, False), (1.5, 1.5, True, True), (1.49, 1.5, True, False),
    (None, 1.3, False, False), (None, 0.5, True, False)])
def test_within_a_budget(value, budget, at_least, expected):
    assert _ratios.within(value, budget, at_least=at_least) is expected


def test_seeded_ledger_rows_are_running_sums():
    rows = [_scale.ledger_row(k) for k in range(1, _scale.SCALE["ledger_per_account"] + 1)]
    balance = held = 0
    for row in rows:
        balance += row["amount"]
        held += row["held_delta"]
        assert (row["balance_after"], row["held_after"]) == (balance, held)
        assert held >= 0 and balance - held >= 0
    assert balance == _scale.final_balance() and held == 0
    assert [r["kind"] for r in rows[:4]] == ["grant", "hold", "capture", "hold"] and rows[-1]["kind"] == "grant"


def test_clone_sql_replaces_only_the_named_columns():
    sql = _scale.clone_sql("t_x", ["a", "order"], "SELECT * FROM t_x", "generate_series(1, 3) g", {"a": "g"})
    assert sql == ('INSERT INTO t_x ("a", "order") SELECT g, t."order" FROM (SELECT * FROM t_x LIMIT 1) t, '
                   "generate_series(1, 3) g ")
    with pytest.raises(ValueError):
        _scale.clone_sql("t_x", ["a"], "SELECT 1", "x", {"b": "1"})


def test_counts_keep_the_shape_at_a_smaller_scale():
    full, tenth = _scale.counts_for(1.0), _scale.counts_for(0.1)
    assert full == {"creators": 10_000, "projects": 30_000, "characters": 150_000, "scenes": 150_000,
                    "assets": 200_000, "ledger_entries": 1_000_000, "usage_rows": 1_000_000, "teams": 2_000,
                    "memberships": 10_000, "team_projects": 6_000, "team_ledger_entries": 200_000}
    assert tenth["creators"] == 1_000 and tenth["ledger_entries"] == 100_000 and tenth["teams"] == 200
    assert _scale.counts_for(0.0001)["teams"] == 0  # one creator: no team of five


def _bench_templates():
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], BENCH / "templates"]
    return templates


@pytest.mark.django_db
def test_the_minimal_view_exists_only_under_the_bench_urlconf(client, user):
    with pytest.raises(NoReverseMatch):
        reverse("bench-minimal")  # production's URLconf (modo.urls) has no such page
    with override_settings(ROOT_URLCONF="bench_urls", TEMPLATES=_bench_templates()):
        assert client.get("/_bench/minimal/").status_code == 403  # nobody signed in: nothing shown
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/_bench/minimal/")
        assert response.status_code == 200 and user.display_name.encode() in response.content
        # One session read and one trivial query (the user): the least a signed-in page does here.
        assert [q["sql"].split(" FROM ")[1].split()[0].strip('"') for q in queries] == ["django_session", "accounts_user"]


# --- the open-load generator (benchmarks/_openload.py) --------------------------------------------

import random  # noqa: E402

import _openload  # noqa: E402


def test_arrivals_are_a_poisson_process_at_the_asked_rate():
    times = _openload.arrival_times(20, 500, random.Random(7))
    assert times == sorted(times) and 0 < times[0] and times[-1] < 500
    assert 9_500 < len(times) < 10_500  # 20/s over 500 s, within a few standard deviations (±100)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert 0.045 < sum(gaps) / len(gaps) < 0.055
    assert _openload.arrival_times(20, 500, random.Random(7)) == times  # seeded: the same steps each run


def test_the_mix_follows_its_weights():
    kinds = _openload.mix_of({"page": 5, "api read": 3, "image job": 2}, 10_000, random.Random(3))
    share = {k: kinds.count(k) / len(kinds) for k in set(kinds)}
    assert abs(share["page"] - 0.5) < 0.03 and abs(share["api read"] - 0.3) < 0.03 and abs(share["image job"] - 0.2) < 0.03


def test_rate_steps_are_geometric_up_to_the_top():
    assert _openload.rate_steps(2, 1.5, 10) == [2, 3, 4.5, 6.8]
    assert _openload.rate_steps(5, 2, 4) == []


def _step(rate, p95, errors=0):
    return {"rate": rate, "p95": p95, "errors": errors}


def test_the_knee_is_the_last_step_inside_the_latency_limit_and_without_errors():
    steps = [_step(2, 30), _step(3, 35), _step(4.5, 90), _step(6.8, 400), _step(10, 60)]
    assert _openload.knee(steps, idle_p95=25) == 4.5  # 4 × 25 = 100 ms; a later recovery does not count
    assert _openload.knee([_step(2, 30), _step(3, 40, errors=1), _step(4.5, 35)], idle_p95=25) == 2
    assert _openload.knee([_step(2, 101)], idle_p95=25) is None
