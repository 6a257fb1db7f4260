"""Index use on a representative scale set (issue 23): every query the hot pages make is
EXPLAINed on a set with the shape of the bench's scale set (benchmarks/_scale.py: many creators,
each with projects, characters, scenes, assets, ledger entries and usage rows, in teams of five
with their own accounts, ledgers and projects; here at 5 %: 500 creators, 100 teams, 60,000 ledger
entries, 50,000 usage rows, 10,000 assets), after ANALYZE and with the planner's defaults
(enable_seqscan on): the creator's pages, a team member's (the team page, the team's credit
history and bibles: every access check looks up their membership) and the superuser's user list
and analytics (its roll-ups filled as the beat task would). None may read the largest tables
sequentially: a page's cost must not grow with everyone else's data."""

import re
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import _scale  # noqa: E402
import _seed  # noqa: E402

from modo import rollups  # noqa: E402

pytestmark = pytest.mark.django_db  # seeded inside the test's transaction: ANALYZE and EXPLAIN run in it

LARGEST = ("credits_ledgerentry", "aiproviders_usagelog", "media_mediaasset", "studio_character", "studio_scene",
           "studio_project", "accounts_user", "credits_creditaccount", "accounts_membership")

SEQ_SCAN = re.compile(r"Seq Scan on (%s)\b" % "|".join(LARGEST))
# The admin pages look up the ten top spenders' accounts and the few users active since the
# roll-ups' watermark by key: at 5 % the planner reads those two tables whole (600 rows), at the
# bench's full scale it probes their indexes (checked there: benchmarks/README.md, figure 7).
SMALL_HERE = ("accounts_user", "credits_creditaccount")
SEQ_SCAN_ADMIN = re.compile(r"Seq Scan on (%s)\b" % "|".join(t for t in LARGEST if t not in SMALL_HERE))
# An admin list's bounded count (modo.admin.EstimatedCountPaginator) reads 1,001 rows at most.
BOUNDED_COUNT = re.compile(r"^SELECT COUNT\(\*\) FROM \(SELECT .* LIMIT \d+\) subquery$")


@pytest.fixture
def scale_set():
    small = _seed.seed_small()
    with connection.cursor() as cursor:
        counts = _scale.seed_scale(cursor, scale=0.05)
    rollups.fill(rebuild=True)  # what the beat task keeps filled; ANALYZE again for its tables
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return small, counts


def _hot_pages(small) -> dict[str, list[str]]:
    """who → the pages they load."""
    p, t = small["project"].public_id, small["team_project"].public_id
    return {"user": ["/dashboard/", "/studio/", f"/studio/{p}/", f"/studio/{p}/characters/", f"/studio/{p}/scenes/",
                     f"/studio/{p}/gallery/", "/settings/credits/"],
            "team_user": ["/settings/team/", "/settings/credits/", "/dashboard/", "/studio/", f"/studio/{t}/",
                          f"/studio/{t}/characters/"],
            "admin": ["/admin/accounts/user/", "/admin/analytics/", "/admin/credits/ledgerentry/",
                      "/admin/aiproviders/usagelog/", "/admin/media/mediaasset/", "/admin/studio/generation/",
                      "/admin/accounts/team/"]}


def _ledger_is_consistent(counts):
    with connection.cursor() as cursor:
        assert _scale.ledger_consistent(cursor) == 0
        cursor.execute("SELECT count(*) FROM credits_ledgerentry WHERE reference LIKE 'scale:%%'")
        assert cursor.fetchone()[0] == counts["ledger_entries"] + counts["team_ledger_entries"] == 60_000
        cursor.execute("SELECT count(*) FROM accounts_membership m JOIN accounts_team t ON t.id = m.team_id "
                       "WHERE t.slug LIKE 'scale-team-%%'")
        assert cursor.fetchone()[0] == counts["memberships"] == 500
        cursor.execute("SELECT count(*) FROM aiproviders_usagelog WHERE reference LIKE 'draft:scale-%%'")
        assert cursor.fetchone()[0] == counts["usage_rows"]


def test_no_sequential_scan_on_the_largest_tables_for_the_hot_pages(scale_set):
    small, counts = scale_set
    _ledger_is_consistent(counts)  # (seeded once for both checks: it takes a while)
    plans = {}
    for who, urls in _hot_pages(small).items():
        client = Client()
        client.force_login(small[who])
        for url in urls:
            client.get(url)
            cache.clear()  # what a page caches is read again: every query it can make
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, url
            for query in queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith(("SELECT", "(SELECT")) or not any(t in sql for t in LARGEST):
                    continue
                if BOUNDED_COUNT.match(sql):
                    continue
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN " + sql)
                    plans[(f"{who} {url}", sql)] = "\n".join(row[0] for row in cursor.fetchall())
    assert len(plans) >= 40  # the pages did read the big tables
    assert any("accounts_membership" in sql for _url, sql in plans)  # the team's access checks are among them
    with connection.cursor() as cursor:  # the check below sees a sequential scan when there is one
        cursor.execute("EXPLAIN SELECT * FROM credits_ledgerentry WHERE reason LIKE 'nothing%%'")
        assert SEQ_SCAN.search("\n".join(row[0] for row in cursor.fetchall()))
    scans = {(url, sql): plan for (url, sql), plan in plans.items()
             if (SEQ_SCAN_ADMIN if url.startswith("admin ") else SEQ_SCAN).search(plan)}
    assert not scans, "\n\n".join(f"{url}\n{sql}\n{plan}" for (url, sql), plan in scans.items()) + "\n\nIN: " + "; ".join(
        sorted({f"{url}: {', '.join(sorted(set(SEQ_SCAN.findall(plan))))}" for (url, _sql), plan in scans.items()}))
