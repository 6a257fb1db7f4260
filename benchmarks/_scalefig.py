"""Figure 7: does a page's cost stay flat as everyone else's data grows?

The scale database is a copy (CREATE DATABASE … TEMPLATE) of the bench's database once the
small and large sets are in, plus the scale set (benchmarks/_scale.py: 10,000 creators in 2,000
teams, 1,200,000 ledger entries, 1,000,000 usage rows, …), and the analytics roll-ups filled on
each side as the beat task keeps them (modo/rollups.py). The small creator's and the small team's
own data are identical in both, so scale ÷ base isolates the cost of the tables' size. A second
gunicorn (web only, its own cache prefix) serves the copy; both are loaded in alternated rounds
by the same clients: the small creator's pages and credit history, the small team's page and
credit history (as its owner, working in it), the admin's user list and the minimal view on each
side; then the analytics report alone (uncached: its cache entry is deleted before each request;
three requests a side, one at a time, alternated)."""

import random
import time

import psycopg
from _harness import run_clients, say, summary
from _ratios import against, ratio, within

ROUNDS, CLIENTS = 3, 10
ANALYTICS_REQUESTS = 3
THINK_S = (0.5, 1.5)
MINIMAL = "minimal view"


def scale_urls(project) -> dict[str, tuple[str, str]]:
    p = project.public_id
    return {"dashboard": ("creator", "/dashboard/"), "studio list": ("creator", "/studio/"),
            "bible overview": ("creator", f"/studio/{p}/"), "characters list": ("creator", f"/studio/{p}/characters/"),
            "gallery": ("creator", f"/studio/{p}/gallery/"), "credit history": ("creator", "/settings/credits/"),
            "team page": ("team", "/settings/team/"), "team credit history": ("team", "/settings/credits/"),
            "admin user list": ("admin", "/admin/accounts/user/"), "analytics (uncached)": ("admin", "/admin/analytics/")}


def prepare(db: dict, small: dict, count_queries) -> dict:
    """The scale copy of the bench's database (its roll-ups filled), and each side's query counts."""
    from django.db import connection

    from modo import rollups

    rollups.fill()  # today up to now: what the figures before this one wrote (figure 1's bookings) is stored
    users = {"creator": small["user"], "admin": small["admin"], "team": small["team_user"]}
    scale = {"name": f"{db['NAME']}_scale", "urls": scale_urls(small["project"]), "users": users}
    scale["counts"] = {"base": count_queries(users, scale["urls"])}
    connection.close()
    say("7. seeding the scale set into a copy of the database")
    scale["seeded"] = create_scale_database(db, db["NAME"], scale["name"])
    say(f"7. scale set seeded in {scale['seeded']['seconds']} s (roll-ups: {scale['seeded']['rollups_s']} s)")
    scale["counts"]["scale"] = on_database(scale["name"], count_queries, users, scale["urls"])
    return scale


def fill_rollups() -> float:
    """The analytics roll-ups of the last 90 days, all computed again (a copy inherits its
    template's marks, which the rows seeded since do not match). Returns the seconds it took."""
    from modo import rollups

    started = time.monotonic()
    rollups.fill(rebuild=True)
    return round(time.monotonic() - started, 1)


def _admin(db: dict) -> dict:
    return {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"], "autocommit": True}


def create_scale_database(db: dict, base: str, scale: str) -> dict:
    """The copy, then the scale set into it (its own connection). Returns the row counts."""
    import _scale

    with psycopg.connect(dbname="postgres", **_admin(db)) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scale}"')
        conn.execute(f'CREATE DATABASE "{scale}" TEMPLATE "{base}"')
    started = time.monotonic()
    with psycopg.connect(dbname=scale, **{**_admin(db), "autocommit": False}) as conn:
        with conn.cursor() as cursor:
            counts = _scale.seed_scale(cursor, say=say)
            assert _scale.ledger_consistent(cursor) == 0, "the scale set's ledger does not add up"
        conn.commit()
    say("  scale set: the analytics roll-ups")
    counts["rollups_s"] = on_database(scale, fill_rollups)
    with psycopg.connect(dbname=scale, **_admin(db)) as conn:
        conn.execute("VACUUM ANALYZE")
        conn.execute("CHECKPOINT")
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts


def drop_scale_database(db: dict, scale: str) -> None:
    with psycopg.connect(dbname="postgres", **_admin(db)) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scale}" WITH (FORCE)')


def on_database(database: str, work, *args):
    """work(*args) with the in-process connection pointed at `database` for a while."""
    from django.db import connection

    home = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = database
    try:
        return work(*args)
    finally:
        connection.close()
        connection.settings_dict["NAME"] = home


def figure_scale(results, stacks: dict, sessions: dict, urls: dict, counts: dict, *, redis_url: str,
                 max_ratio: float, seeded: dict) -> None:
    """stacks / sessions / counts: {"base": …, "scale": …}."""
    import redis

    urls = {**urls, MINIMAL: ("creator", "/_bench/minimal/")}
    # The uncached report takes seconds on the scale set: inside the load it would hold a worker
    # and queue everything behind it. It is timed alone, one request at a time, after the rounds.
    alone = {name: urls.pop(name) for name in list(urls) if name.startswith("analytics")}
    every = {**urls, **alone}
    cache = redis.Redis.from_url(redis_url)
    say(f"7. scale set: base vs scale, {ROUNDS} alternated rounds of {CLIENTS} clients × {len(urls)} pages")

    def work_for(side):
        cookies = {who: f"sessionid={value}" for who, value in sessions[side].items()}

        def work(http, name):
            who, url = every[name]
            if name.startswith("analytics"):  # uncached: the report is computed by this request
                for key in cache.scan_iter(match="*analytics:report*"):
                    cache.delete(key)
            started = time.perf_counter()
            response = http.get(url, headers={"Cookie": cookies[who]}, timeout=30)
            elapsed = (time.perf_counter() - started) * 1000
            return name, elapsed, response.status_code == 200

        return work

    samples = {"base": [], "scale": []}
    for side in samples:  # warm-up
        run_clients(2, [list(urls)] * 2, work_for(side), think=None, base_url=stacks[side].base_url)
    for n in range(ROUNDS):
        for side in (list(samples) if n % 2 == 0 else list(samples)[::-1]):  # neither side always goes first
            plans = []
            for i in range(CLIENTS):
                plan = list(urls)
                random.Random(1000 * n + i).shuffle(plan)
                plans.append(plan)
            got, _seconds = run_clients(CLIENTS, plans, work_for(side), think=THINK_S, base_url=stacks[side].base_url)
            samples[side] += got
    for _n in range(ANALYTICS_REQUESTS):  # alone, alternated, each one computed (cache entry deleted)
        for side in samples:
            got, _seconds = run_clients(1, [list(alone)], work_for(side), think=None, base_url=stacks[side].base_url)
            samples[side] += got
    urls.update(alone)
    cache.close()
    stats = {side: {name: {**summary([s[1] for s in got if s[0] == name]),
                           "failed": sum(not s[2] for s in got if s[0] == name)} for name in urls}
             for side, got in samples.items()}
    data = {"seeded": seeded, "rounds": ROUNDS, "clients": CLIENTS, "think_s": THINK_S, "pages": {}}
    for name in urls:
        base, scale = stats["base"][name], stats["scale"][name]
        entry = {"base": base, "scale": scale, "scale_over_base_p50": ratio(scale["p50"], base["p50"])}
        if name != MINIMAL:
            entry.update(queries_base=counts["base"][name], queries_scale=counts["scale"][name],
                         scale_over_minimal=against(scale, stats["scale"][MINIMAL]))
        data["pages"][name] = entry
        failed = base["failed"] + scale["failed"]
        shown = f"{entry['scale_over_base_p50']:.2f} ({base['p50']:.1f} → {scale['p50']:.1f} ms)" + (
            f" ({failed} failed)" if failed else "")
        if name == MINIMAL:
            results.add(f"7. {name} p50 scale / base", shown, "", "", None if not failed else False)
            continue
        results.add(f"7. {name} p50 scale / base", shown, "", f"<= {max_ratio:g}",
                    within(entry["scale_over_base_p50"], max_ratio) and not failed)
        results.add(f"7. {name} queries base / scale", f"{counts['base'][name]} / {counts['scale'][name]}", "",
                    "equal", counts["base"][name] == counts["scale"][name])
    for name in ("admin user list", "analytics (uncached)", "credit history", "team page", "team credit history"):
        scale = stats["scale"][name]
        x = data["pages"][name]["scale_over_minimal"]
        results.add(f"7. {name} on the scale set p50 / p95", f"{scale['p50']:.1f} / {scale['p95']:.1f} ms "
                    f"({x['p50_x']:.1f}× / {x['p95_x']:.1f}× minimal)", "")
    results.data["scale"] = data
