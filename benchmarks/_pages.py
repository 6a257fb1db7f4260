"""Figure 5: the pages under load on the large set, each as a multiple of the minimal view
(benchmarks/bench_views.py) loaded in the same shuffled plans; and the in-process query counts."""

import random
import time

from _harness import Results, run_clients, say, summary
from _ratios import against, within

THINK_S = (1.0, 5.0)  # as run.py's: a Locust-like user, 1–5 s between requests
PAGE_CLIENTS, PAGE_ROUNDS = 50, 2
PAGE_TIMEOUT_S = 10
# Pages: multiples of the minimal view measured in the same load (benchmarks/README.md says why these).
PAGE_P50_X, PAGE_P95_X = 8.0, 8.0
MINIMAL, MINIMAL_URL = "minimal view", "/_bench/minimal/"


def page_urls(project) -> dict[str, tuple[str, str]]:
    """name → (who, URL)"""
    p = project.public_id
    return {
        "dashboard": ("creator", "/dashboard/"),
        "studio list": ("creator", "/studio/"),
        "bible overview": ("creator", f"/studio/{p}/"),
        "characters list": ("creator", f"/studio/{p}/characters/"),
        "gallery": ("creator", f"/studio/{p}/gallery/"),
        "admin user list": ("admin", "/admin/accounts/user/"),
        "analytics": ("admin", "/admin/analytics/"),
    }


def count_queries(users: dict, urls: dict) -> dict[str, int]:
    """Queries per page, in-process (Django's test Client on the same database), after one warm-up
    and with an empty cache."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    clients = {}
    for who, user in users.items():
        clients[who] = Client()
        clients[who].force_login(user)
    counts = {}
    for name, (who, url) in urls.items():
        clients[who].get(url)
        cache.clear()  # what a page caches (the analytics report, the cast's rows) is read again: the worst case
        with CaptureQueriesContext(connection) as queries:
            response = clients[who].get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code} in-process")
        counts[name] = len(queries)
    return counts


def figure_pages(results: Results, stack, sessions: dict, urls: dict, small_counts: dict, large_counts: dict):
    """The pages and, mixed into the same shuffled plans, the minimal view (the yardstick): every
    page's p50 and p95 are budgeted as multiples of the minimal view's, measured side by side."""
    urls = {**urls, MINIMAL: ("creator", MINIMAL_URL)}
    say(f"5. pages: {PAGE_CLIENTS} clients × {PAGE_ROUNDS} rounds of {len(urls)} pages (with the minimal view), "
        f"{THINK_S[0]:g}–{THINK_S[1]:g} s apart")
    work = page_work(sessions, urls)
    # Warm-up: every page a few times per worker (templates compiled, connections open).
    run_clients(4, [list(urls)] * 4, work, think=None, base_url=stack.base_url)
    plans = []
    for i in range(PAGE_CLIENTS):
        plan = list(urls) * PAGE_ROUNDS
        random.Random(100 + i).shuffle(plan)
        plans.append(plan)
    samples, seconds = run_clients(PAGE_CLIENTS, plans, work, think=THINK_S, base_url=stack.base_url)
    # Capacity: the same clients, one round, without waiting (a closed loop).
    closed, closed_seconds = run_clients(PAGE_CLIENTS, [p[:len(urls)] for p in plans], work, think=None,
                                         base_url=stack.base_url)
    results.data["pages"] = {"clients": PAGE_CLIENTS, "think_s": THINK_S, "seconds": round(seconds, 1),
                             "rate_per_s": round(len(samples) / seconds, 1), "pages": {},
                             "closed_loop": {**summary([s[1] for s in closed]),
                                             "rate_per_s": round(len(closed) / closed_seconds, 1)}}
    stats_of = {}
    for name in urls:
        mine = [s for s in samples if s[0] == name]
        stats = summary([s[1] for s in mine])
        stats.update(failed=sum(not s[3] for s in mine), bytes=max(s[2] for s in mine))
        stats_of[name] = stats
    base = stats_of[MINIMAL]
    results.data["pages"]["minimal"] = base
    results.add("5. minimal view p50 / p95 (the yardstick)", f"{base['p50']:.1f} / {base['p95']:.1f}", "ms", "",
                None if not base["failed"] else False)
    for name in urls:
        if name == MINIMAL:
            continue
        stats = stats_of[name]
        stats.update(against(stats, base), queries_small=small_counts[name], queries_large=large_counts[name])
        results.data["pages"]["pages"][name] = stats
        failed = stats["failed"]
        shown = f"{stats['p50_x']:.1f}× / {stats['p95_x']:.1f}×" + (f" ({failed} failed)" if failed else "")
        results.add(f"5. {name} p50 / p95 ÷ minimal", shown, "",
                    f"<= {PAGE_P50_X:g}× / {PAGE_P95_X:g}×",
                    within(stats["p50_x"], PAGE_P50_X) and within(stats["p95_x"], PAGE_P95_X) and not failed)
        results.add(f"5. {name} p50 / p95 (absolute)", f"{stats['p50']:.1f} / {stats['p95']:.1f}", "ms")
    results.add("5. pages capacity (50 clients, no wait)", results.data["pages"]["closed_loop"]["rate_per_s"], "req/s")
    for name in urls:
        if name == MINIMAL:
            continue
        same = small_counts[name] == large_counts[name]
        results.add(f"5. {name} queries small / large", f"{small_counts[name]} / {large_counts[name]}", "",
                    "equal", same)


def page_work(sessions: dict, urls: dict):
    """The load's request: (page, ms, bytes, ok); a timeout or an error page is a sample too
    (counted as failed)."""
    cookies = {who: f"sessionid={value}" for who, value in sessions.items()}

    def work(http, name):
        who, url = urls[name]
        started = time.perf_counter()
        try:
            response = http.get(url, headers={"Cookie": cookies[who]}, timeout=PAGE_TIMEOUT_S)
        except TimeoutError:
            return name, PAGE_TIMEOUT_S * 1000, 0, False
        elapsed = (time.perf_counter() - started) * 1000
        return name, elapsed, len(response.content), response.status_code == 200

    return work
