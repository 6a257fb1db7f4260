"""Index use on a representative scale set (issue 23): every query the creator's hot pages make
is EXPLAINed on a set with the shape of the bench's scale set (benchmarks/_scale.py: many
creators, each with projects, characters, scenes, assets, ledger entries and usage rows; here at
5 %: 500 creators, 50,000 ledger entries, 50,000 usage rows, 10,000 assets), after ANALYZE and
with the planner's defaults (enable_seqscan on). None may read the largest tables sequentially:
a page's cost must not grow with everyone else's data."""

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

pytestmark = pytest.mark.django_db  # seeded inside the test's transaction: ANALYZE and EXPLAIN run in it

LARGEST = ("credits_ledgerentry", "aiproviders_usagelog", "media_mediaasset", "studio_character", "studio_scene",
           "studio_project", "accounts_user", "credits_creditaccount")

SEQ_SCAN = re.compile(r"Seq Scan on (%s)\b" % "|".join(LARGEST))


@pytest.fixture
def scale_set():
    small = _seed.seed_small()
    with connection.cursor() as cursor:
        counts = _scale.seed_scale(cursor, scale=0.05)
    return small, counts


def _hot_pages(project) -> list[str]:
    p = project.public_id
    return ["/dashboard/", "/studio/", f"/studio/{p}/", f"/studio/{p}/characters/", f"/studio/{p}/scenes/",
            f"/studio/{p}/gallery/", "/settings/credits/"]


def _ledger_is_consistent(counts):
    with connection.cursor() as cursor:
        assert _scale.ledger_consistent(cursor) == 0
        cursor.execute("SELECT count(*) FROM credits_ledgerentry WHERE reference LIKE 'scale:%%'")
        assert cursor.fetchone()[0] == counts["ledger_entries"] == 50_000
        cursor.execute("SELECT count(*) FROM aiproviders_usagelog WHERE reference LIKE 'draft:scale-%%'")
        assert cursor.fetchone()[0] == counts["usage_rows"]


def test_no_sequential_scan_on_the_largest_tables_for_the_hot_pages(scale_set):
    small, counts = scale_set
    _ledger_is_consistent(counts)  # (seeded once for both checks: it takes a while)
    client = Client()
    client.force_login(small["user"])
    plans = {}
    for url in _hot_pages(small["project"]):
        client.get(url)
        cache.clear()  # what a page caches is read again: every query it can make
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        for query in queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT") or not any(t in sql for t in LARGEST):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + sql)
                plans[(url, sql)] = "\n".join(row[0] for row in cursor.fetchall())
    assert len(plans) >= 10  # the pages did read the big tables
    with connection.cursor() as cursor:  # the check below sees a sequential scan when there is one
        cursor.execute("EXPLAIN SELECT * FROM credits_ledgerentry WHERE reason LIKE 'nothing%%'")
        assert SEQ_SCAN.search("\n".join(row[0] for row in cursor.fetchall()))
    scans = {key: plan for key, plan in plans.items() if SEQ_SCAN.search(plan)}
    assert not scans, "\n\n".join(f"{url}\n{sql}\n{plan}" for (url, sql), plan in scans.items())
