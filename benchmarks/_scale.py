"""The scale set (figure 7): the population the brief plans for, written in bulk by PostgreSQL
itself — one INSERT … SELECT over generate_series per table, no Python row objects:

    10,000 creators (and their credit accounts), 30,000 projects (3 each), 150,000 characters and
    150,000 scenes (5 + 5 a project), 200,000 media assets (rows only), 1,000,000 ledger entries
    (100 an account, 21 hours apart: 87 days) and 1,000,000 usage-log rows (100 a creator, over 90
    days); and 2,000 teams of 5 (every creator in one: an owner, an admin, two editors, a viewer),
    their 2,000 credit accounts with 100 ledger entries each (200,000 more) and 6,000 team projects.

Each new row is a copy of a template row of the small set (so every column has a value the app
wrote itself) with its identity, owner and a few fields replaced. The ledger rows are written
straight into credits_ledgerentry — this bypasses credits/ledger.py, for seeding only — and are
consistent: each account's entries (a creator's or a team's) are a grant of 1,000, 49 hold +
capture pairs of 5 and a grant of 100, with balance_after / held_after the running sums, and the
account's balance (855) and held (0) equal to the sums of its entries (`ledger_consistent` checks it).

`seed_scale(cursor, scale=1.0)` seeds it; a smaller `scale` keeps the shape with fewer creators
(the EXPLAIN test, modo/tests/test_scale_plans.py, uses it). Needs the small set (the templates)."""

SCALE = {"creators": 10_000, "projects_per_creator": 3, "characters_per_project": 5, "scenes_per_project": 5,
         "assets": 200_000, "ledger_per_account": 100, "usage_per_creator": 100, "teams": 2_000,
         "members_per_team": 5, "projects_per_team": 3}
EMAIL = "scale-%s@bench.example"
TEMPLATE_EMAIL = "small-other-0@bench.example"
SMALL_EMAIL = "small@bench.example"
TEMPLATE_TEAM = "small-studio"  # the small set's team (its slug): the scale teams' rows are copies of its rows'
TEAM_ROLES = "CASE k WHEN 1 THEN 'owner' WHEN 2 THEN 'admin' WHEN {last} THEN 'viewer' ELSE 'editor' END"
GRANT, STEP, TOP_UP = 1000, 5, 100


def _columns(cursor, table: str) -> list[str]:
    cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name <> 'id' "
                   "ORDER BY ordinal_position", [table])
    return [row[0] for row in cursor.fetchall()]


def clone_sql(table: str, columns: list[str], template: str, source: str, overrides: dict[str, str],
              tail: str = "") -> str:
    """INSERT INTO table SELECT, for each row of `source`, the template row `t` with `overrides`
    (column → SQL expression) in place of its own values. Pure: returns the statement."""
    if unknown := set(overrides) - set(columns):
        raise ValueError(f"{table} has no column {', '.join(sorted(unknown))}")
    names = ", ".join(f'"{c}"' for c in columns)
    values = ", ".join(overrides.get(c, f't."{c}"') for c in columns)
    return f"INSERT INTO {table} ({names}) SELECT {values} FROM ({template} LIMIT 1) t, {source} {tail}"


def counts_for(scale: float) -> dict[str, int]:
    creators = max(1, round(SCALE["creators"] * scale))
    projects = creators * SCALE["projects_per_creator"]
    # Every creator in one team at most: as many teams as their members allow.
    teams = min(max(1, round(SCALE["teams"] * scale)), creators // SCALE["members_per_team"])
    return {"creators": creators, "projects": projects,
            "characters": projects * SCALE["characters_per_project"], "scenes": projects * SCALE["scenes_per_project"],
            "assets": max(1, round(SCALE["assets"] * scale)),
            "ledger_entries": creators * SCALE["ledger_per_account"],
            "usage_rows": creators * SCALE["usage_per_creator"],
            "teams": teams, "memberships": teams * SCALE["members_per_team"],
            "team_projects": teams * SCALE["projects_per_team"],
            "team_ledger_entries": teams * SCALE["ledger_per_account"]}


def ledger_row(k: int) -> dict:
    """The k-th (1-based, 1..100) ledger entry of a seeded account: kind, amount, held delta and the
    running balance and held after it. Pure; the SQL below computes the same (a test compares)."""
    if k == 1:
        return {"kind": "grant", "amount": GRANT, "held_delta": 0, "balance_after": GRANT, "held_after": 0}
    if k == SCALE["ledger_per_account"]:
        pairs = (k - 2) // 2
        return {"kind": "grant", "amount": TOP_UP, "held_delta": 0, "balance_after": GRANT - STEP * pairs + TOP_UP,
                "held_after": 0}
    j = k - 2
    if j % 2 == 0:  # a hold of 5
        return {"kind": "hold", "amount": 0, "held_delta": STEP, "balance_after": GRANT - STEP * (j // 2),
                "held_after": STEP}
    return {"kind": "capture", "amount": -STEP, "held_delta": -STEP, "balance_after": GRANT - STEP * ((j + 1) // 2),
            "held_after": 0}


_LEDGER_K = {  # the same as ledger_row, in SQL over k = generate_series(1, 100)
    "kind": "CASE WHEN k = 1 OR k = {n} THEN 'grant' WHEN (k - 2) %% 2 = 0 THEN 'hold' ELSE 'capture' END",
    "amount": "CASE WHEN k = 1 THEN {grant} WHEN k = {n} THEN {top} WHEN (k - 2) %% 2 = 0 THEN 0 ELSE -{step} END",
    "held_delta": "CASE WHEN k = 1 OR k = {n} THEN 0 WHEN (k - 2) %% 2 = 0 THEN {step} ELSE -{step} END",
    "balance_after": "CASE WHEN k = 1 THEN {grant} WHEN k = {n} THEN {grant} - {step} * (({n} - 2) / 2) + {top} "
                     "WHEN (k - 2) %% 2 = 0 THEN {grant} - {step} * ((k - 2) / 2) ELSE {grant} - {step} * ((k - 1) / 2) END",
    "held_after": "CASE WHEN k = 1 OR k = {n} THEN 0 WHEN (k - 2) %% 2 = 0 THEN {step} ELSE 0 END",
}


def final_balance() -> int:
    return ledger_row(SCALE["ledger_per_account"])["balance_after"]


def seed_scale(cursor, *, scale: float = 1.0, say=lambda message: None) -> dict[str, int]:
    """Seeds the scale set through `cursor` (a DB-API cursor on the database holding the small
    set). Returns the row counts written."""
    counts = counts_for(scale)
    n = counts["creators"]
    like = "scale-%%@bench.example"
    cols = {table: _columns(cursor, table) for table in (
        "accounts_user", "credits_creditaccount", "studio_project", "studio_character", "studio_scene",
        "media_mediaasset", "credits_ledgerentry", "aiproviders_usagelog", "accounts_team", "accounts_membership")}
    new_ids = "gen_random_uuid()"

    def run(label: str, sql: str, params=None):
        say(f"  scale set: {label}")
        cursor.execute(sql, params)

    run(f"{n:,} creators", clone_sql(
        "accounts_user", cols["accounts_user"],
        "SELECT * FROM accounts_user WHERE email = %s", "generate_series(1, %s) g",
        {"public_id": new_ids, "email": "format('scale-%%s@bench.example', g)",
         "display_name": "format('Scale %%s', g)", "date_joined": "now() - g * interval '1 minute'",
         "created_at": "now() - g * interval '1 minute'", "updated_at": "now()", "is_superuser": "false",
         "is_staff": "false"}), [TEMPLATE_EMAIL, n])
    run("their credit accounts", clone_sql(
        "credits_creditaccount", cols["credits_creditaccount"],
        "SELECT a.* FROM credits_creditaccount a JOIN accounts_user u ON u.id = a.user_id WHERE u.email = %s",
        "accounts_user u", {"public_id": new_ids, "user_id": "u.id", "balance": str(final_balance()),
                            "held": "0", "bonus_balance": "0", "cycle_balance": "0"},
        f"WHERE u.email LIKE '{like}'"), [TEMPLATE_EMAIL])
    small_project = "SELECT p.* FROM studio_project p JOIN accounts_user u ON u.id = p.owner_id WHERE u.email = %s"
    run(f"{counts['projects']:,} projects", clone_sql(
        "studio_project", cols["studio_project"], small_project,
        "accounts_user u, generate_series(1, %s) g",
        {"public_id": new_ids, "owner_id": "u.id", "slug": "format('scale-%%s-%%s', u.id, g)",
         "title": "format('Scale bible %%s', g)", "cover_id": "NULL",
         "updated_at": "now() - (u.id %% 1000) * interval '1 minute'"},
        f"WHERE u.email LIKE '{like}'"), [SMALL_EMAIL, SCALE["projects_per_creator"]])
    scale_projects = "studio_project p JOIN accounts_user u ON u.id = p.owner_id AND u.email LIKE '%s'" % like
    for table, per in (("studio_character", "characters_per_project"), ("studio_scene", "scenes_per_project")):
        run(f"{counts[per.split('_')[0]]:,} {per.split('_')[0]}", clone_sql(
            table, cols[table],
            f"SELECT x.* FROM {table} x JOIN studio_project p ON p.id = x.project_id "
            "JOIN accounts_user u ON u.id = p.owner_id WHERE u.email = %s",
            f"{scale_projects}, generate_series(1, %s) g",
            {"public_id": new_ids, "project_id": "p.id", "order": "g",
             **({"primary_image_id": "NULL"} if table == "studio_character" else {"beat_id": "NULL", "location_id": "NULL"})}),
            [SMALL_EMAIL, SCALE[per]])
    per_project = -(-counts["assets"] // counts["projects"])
    run(f"{counts['assets']:,} media assets", clone_sql(
        "media_mediaasset", cols["media_mediaasset"],
        "SELECT a.* FROM media_mediaasset a JOIN accounts_user u ON u.id = a.owner_id WHERE u.email = %s",
        f"{scale_projects}, generate_series(1, %s) g",
        {"public_id": new_ids, "owner_id": "p.owner_id", "project_id": "p.id", "target_kind": "'project'",
         "target_id": "p.public_id", "is_primary": "false", "file_name": "format('scale-%%s.png', g)",
         "created_at": "now() - ((p.id * 7919 + g * 104729) %% 7776000) * interval '1 second'"},
        "LIMIT %s"), [SMALL_EMAIL, per_project, counts["assets"]])
    per_account = SCALE["ledger_per_account"]
    sql_k = {c: e.format(n=per_account, grant=GRANT, step=STEP, top=TOP_UP) for c, e in _LEDGER_K.items()}

    def ledger(label: str, accounts: str):
        run(label, clone_sql(
            "credits_ledgerentry", cols["credits_ledgerentry"],
            "SELECT e.* FROM credits_ledgerentry e WHERE e.kind = 'grant' ORDER BY e.id",
            f"{accounts}, generate_series(1, %s) k",
            {"public_id": new_ids, "account_id": "a.id", "actor_id": "NULL", "hold_id": "NULL",
             "reference_type_id": "NULL", "reference_id": "''", "reference": "format('scale:%%s:%%s', a.id, k)",
             "idempotency_key": "format('scale:%%s:%%s', a.id, k)", "bonus_delta": "0", "cycle_delta": "0",
             "bonus_after": "0", "cycle_after": "0", "metadata": "'{}'::jsonb", "reason": "'Scale set'",
             # 21 h apart: an account's 100 entries span the last 87 days (a 30-day report sees a third).
             "created_at": f"now() - ({per_account + 1} - k) * interval '21 hours'", **sql_k}), [per_account])

    ledger(f"{counts['ledger_entries']:,} ledger entries",
           "credits_creditaccount a JOIN accounts_user u ON u.id = a.user_id AND u.email LIKE '%s'" % like)
    run(f"{counts['usage_rows']:,} usage-log rows", clone_sql(
        "aiproviders_usagelog", cols["aiproviders_usagelog"],
        "SELECT l.* FROM aiproviders_usagelog l JOIN accounts_user u ON u.id = l.user_id WHERE u.email = %s "
        "ORDER BY l.id", "accounts_user u, generate_series(1, %s) k",
        {"user_id": "u.id", "reference": "format('draft:scale-%%s-%%s', u.id, k)",
         "latency_ms": "50 + (u.id * 31 + k * 17) %% 9000",
         "created_at": "now() - ((u.id * 7919 + k * 104729) %% 7776000) * interval '1 second'"},
        f"AND u.email LIKE '{like}'".replace("AND", "WHERE", 1)), [SMALL_EMAIL, SCALE["usage_per_creator"]])
    _seed_teams(run, cols, counts, ledger)
    say("  scale set: ANALYZE")
    cursor.execute("ANALYZE")
    return counts


def _seed_teams(run, cols: dict, counts: dict, ledger) -> None:
    """Teams of SCALE["members_per_team"] scale creators each (team g: creators (g − 1) × 5 + 1 …
    g × 5, the first its owner), their accounts and ledgers, and their projects (owned by the
    team's owner), each row a copy of the small set's team's. (`t` is clone_sql's template row:
    a team here is `tm`.)"""
    teams, per_team = counts["teams"], SCALE["members_per_team"]
    scale_teams = "tm.slug LIKE 'scale-team-%%'"
    template = "SELECT {row}.* FROM {table} {row} JOIN accounts_team x ON x.id = {row}.team_id WHERE x.slug = %s"
    run(f"{teams:,} teams", clone_sql(
        "accounts_team", cols["accounts_team"], "SELECT * FROM accounts_team WHERE slug = %s",
        "generate_series(1, %s) g",
        {"public_id": "gen_random_uuid()", "name": "format('Scale team %%s', g)", "slug": "format('scale-team-%%s', g)",
         "created_at": "now() - g * interval '1 minute'", "updated_at": "now()"}), [TEMPLATE_TEAM, teams])
    run(f"{counts['memberships']:,} memberships", clone_sql(
        "accounts_membership", cols["accounts_membership"],
        template.format(row="m", table="accounts_membership") + " AND m.role = 'owner'",
        "accounts_team tm, generate_series(1, %s) k, accounts_user u",
        {"public_id": "gen_random_uuid()", "team_id": "tm.id", "user_id": "u.id", "role": TEAM_ROLES.format(last=per_team),
         "monthly_credit_cap": "NULL", "created_at": "tm.created_at + k * interval '1 second'", "updated_at": "now()"},
        f"WHERE {scale_teams} AND u.email = "
        "format('scale-%%s@bench.example', (split_part(tm.slug, '-', 3)::int - 1) * %s + k)"),
        [TEMPLATE_TEAM, per_team, per_team])
    run("their credit accounts", clone_sql(
        "credits_creditaccount", cols["credits_creditaccount"], template.format(row="a", table="credits_creditaccount"),
        "accounts_team tm",
        {"public_id": "gen_random_uuid()", "team_id": "tm.id", "user_id": "NULL", "balance": str(final_balance()),
         "held": "0", "bonus_balance": "0", "cycle_balance": "0"},
        f"WHERE {scale_teams}"), [TEMPLATE_TEAM])
    run(f"{counts['team_projects']:,} team projects", clone_sql(
        "studio_project", cols["studio_project"], template.format(row="p", table="studio_project"),
        "accounts_team tm JOIN accounts_membership m ON m.team_id = tm.id AND m.role = 'owner', generate_series(1, %s) g",
        {"public_id": "gen_random_uuid()", "owner_id": "m.user_id", "team_id": "tm.id",
         "slug": "format('scale-team-%%s-%%s', tm.id, g)", "title": "format('Team bible %%s', g)", "cover_id": "NULL",
         "updated_at": "now() - (tm.id %% 1000) * interval '1 minute'"},
        f"WHERE {scale_teams}"), [TEMPLATE_TEAM, SCALE["projects_per_team"]])
    ledger(f"{counts['team_ledger_entries']:,} ledger entries on team accounts",
           f"credits_creditaccount a JOIN accounts_team tm ON tm.id = a.team_id AND {scale_teams}")


def ledger_consistent(cursor) -> int:
    """How many accounts' stored balance or held differ from the sums of their entries (0 = all agree)."""
    cursor.execute(
        "SELECT count(*) FROM credits_creditaccount a JOIN LATERAL (SELECT coalesce(sum(amount), 0) AS amount, "
        "coalesce(sum(held_delta), 0) AS held FROM credits_ledgerentry e WHERE e.account_id = a.id) s ON true "
        "WHERE a.balance <> s.amount OR a.held <> s.held")
    return cursor.fetchone()[0]
