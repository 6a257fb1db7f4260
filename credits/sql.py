"""Plain SQL for the ledger's hot path (hold, capture, release).

Why: through the ORM one hold + capture cost ~10,000 Python calls (query compilation, model
saves), which under load — many threads sharing one interpreter — capped the ledger at a fifth
of what the database does (benchmarks/ledger.py). These helpers write the same rows with the
same column conversions (each field's own get_db_prep_save), just without the machinery."""

from datetime import datetime
from functools import cache
from uuid import UUID

from django.db import connection


@cache
def _fields(model) -> dict:
    return {f.attname: (f, connection.ops.quote_name(f.column)) for f in model._meta.concrete_fields}


def _native() -> tuple[type, ...]:
    """The Python types the driver sends as they are: on PostgreSQL also aware datetimes and
    UUIDs (what their fields' get_db_prep_save would return unchanged)."""
    return (int, str, datetime, UUID) if connection.vendor == "postgresql" else (int, str)


def _prepared(model, values: dict) -> tuple[list[str], list]:
    fields, native = _fields(model), _native()
    columns, params = [], []
    for name, value in values.items():
        field, column = fields[name]
        columns.append(column)
        # Native values go as they are; the rest (JSON, and dates or UUIDs on SQLite) through their field.
        params.append(value if value is None or type(value) in native else field.get_db_prep_save(value, connection))
    return columns, params


def insert(model, values: dict, *, skip_conflict_on: str = "") -> int | None:
    """INSERT one row (values by attname) and return its id; with `skip_conflict_on` (a unique
    column), a row that already exists is left alone and None is returned."""
    columns, params = _prepared(model, values)
    sql = (f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    if skip_conflict_on:
        sql += f" ON CONFLICT ({connection.ops.quote_name(skip_conflict_on)}) DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(sql + " RETURNING id", params)
        row = cursor.fetchone()
    return row[0] if row else None


def update_then_insert(model, pk, changes: dict, insert_model, values: dict) -> int:
    """UPDATE one row by id and INSERT another, in one round trip on PostgreSQL (a data-modifying
    WITH); two statements elsewhere. Returns the inserted row's id."""
    table = connection.ops.quote_name(model._meta.db_table)
    set_columns, set_params = _prepared(model, changes)
    assignments = ", ".join(f"{column} = %s" for column in set_columns)
    columns, params = _prepared(insert_model, values)
    insert_sql = (f"INSERT INTO {connection.ops.quote_name(insert_model._meta.db_table)} ({', '.join(columns)}) "
                  f"VALUES ({', '.join(['%s'] * len(columns))}) RETURNING id")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"WITH changed AS (UPDATE {table} SET {assignments} WHERE id = %s) {insert_sql}",
                           [*set_params, pk, *params])
        else:
            cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s", [*set_params, pk])
            cursor.execute(insert_sql, params)
        return cursor.fetchone()[0]


def update_where(model, pk, changes: dict, **where) -> int:
    """UPDATE one row by id if its columns equal `where`; returns the number of rows changed."""
    table = connection.ops.quote_name(model._meta.db_table)
    set_columns, set_params = _prepared(model, changes)
    where_columns, where_params = _prepared(model, where)
    condition = " AND ".join(f"{column} = %s" for column in ["id", *where_columns])
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {', '.join(f'{c} = %s' for c in set_columns)} WHERE {condition}",
                       [*set_params, pk, *where_params])
        return cursor.rowcount


def _row_select(model, values: dict, *, source: str, source_column: str) -> tuple[str, list]:
    """INSERT … SELECT parts: the values as parameters, plus `source_column` taken from `source`."""
    columns, params = _prepared(model, values)
    columns.append(_fields(model)[source_column][1])
    return (f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
            f"SELECT {', '.join(['%s'] * len(params))}, {source}.id FROM {source} RETURNING id"), params


def _set(model, changes: dict) -> tuple[str, list]:
    columns, params = _prepared(model, changes)
    return ", ".join(f"{column} = %s" for column in columns), params


def insert_with_entry(parent, values: dict, account_model, account_pk, changes: dict, entry_model, entry: dict,
                      *, link: str, unique: str, dependent: tuple | None = None) -> tuple[int | None, int | None]:
    """Inserts `parent` (unless its `unique` column already has the value: then None and nothing
    changes), updates the account and inserts the entry linked to the parent by `link` — one
    statement on PostgreSQL. `dependent`, (model, values, column), is a row that points at the
    parent by `column`, inserted with it (and only with it). Returns the parent's id and the
    dependent row's id."""
    if connection.vendor != "postgresql":
        parent_id = insert(parent, values, skip_conflict_on=unique)
        dependent_id = None
        if parent_id is not None:
            update_then_insert(account_model, account_pk, changes, entry_model, {**entry, link: parent_id})
            if dependent is not None:
                model, row, column = dependent
                dependent_id = insert(model, {**row, column: parent_id})
        return parent_id, dependent_id
    quote = connection.ops.quote_name
    columns, params = _prepared(parent, values)
    assignments, set_params = _set(account_model, changes)
    insert_entry, entry_params = _row_select(entry_model, entry, source="p", source_column=link)
    with_dependent, dependent_params = "", []
    if dependent is not None:
        model, row, column = dependent
        insert_dependent, dependent_params = _row_select(model, row, source="p", source_column=column)
        with_dependent = f", d AS ({insert_dependent})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH p AS (INSERT INTO {quote(parent._meta.db_table)} ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))}) ON CONFLICT ({quote(unique)}) DO NOTHING RETURNING id), "
            f"a AS (UPDATE {quote(account_model._meta.db_table)} SET {assignments} "
            f"WHERE id = %s AND EXISTS (SELECT 1 FROM p)), "
            # Every data-modifying part runs to its end, read or not.
            f"e AS ({insert_entry}){with_dependent} "
            f"SELECT p.id, {'(SELECT id FROM d)' if dependent is not None else 'NULL'} FROM p",
            [*params, *set_params, account_pk, *entry_params, *dependent_params])
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (None, None)


# The columns of a settle's ledger entry that only the database knows (it holds the lock).
SETTLED_COLUMNS = ("bonus_delta", "cycle_delta", "balance_after", "bonus_after", "cycle_after", "held_after")


def settle_hold(hold_model, hold_pk, hold_changes: dict, held: str, account_model, account_pk, *, spend: int,
                count_trial: bool, now, entry_model, entry: dict) -> dict | None:
    """Settles a hold whose status is still `held` and books it, in ONE statement (PostgreSQL): locks the
    account row, moves the hold out of `held`, takes `spend` from the buckets — bonus first, then
    this cycle's credits, then purchased — gives the rest of the hold back, counts a trial
    generation if `count_trial` and the plan is a trial, and appends the entry (`entry` holds its
    other columns) with the split and the account's new values. The lock comes first, so the
    split is computed from the latest balances, as the two-step path computes it under
    `select_for_update`; the hold's conditional update makes the settle happen once.

    Returns the entry's computed columns (SETTLED_COLUMNS), or {} when the hold was no longer
    held (nothing changed). None on other databases: use the locked two-step path there."""
    if connection.vendor != "postgresql":
        return None
    quote = connection.ops.quote_name
    account, plan = quote(account_model._meta.db_table), quote(account_model._meta.get_field("plan").related_model._meta.db_table)
    hold = quote(hold_model._meta.db_table)
    hold_set, hold_params = _set(hold_model, hold_changes)
    columns, params = _prepared(entry_model, entry)
    computed = ", ".join(quote(c) for c in SETTLED_COLUMNS)
    query = (
        f"WITH o AS MATERIALIZED (SELECT a.id, a.balance, a.bonus_balance, a.cycle_balance, a.held, p.is_trial "
        f"FROM {account} a JOIN {plan} p ON p.id = a.plan_id WHERE a.id = %s FOR UPDATE OF a), "
        # FROM o: the hold is changed only once the account is locked (the order every writer keeps).
        f"h AS (UPDATE {hold} SET {hold_set} FROM o WHERE {hold}.id = %s AND {hold}.status = %s "
        f"RETURNING {hold}.amount), "
        f"s AS (SELECT o.*, h.amount AS hold_amount, LEAST(%s, o.bonus_balance) AS bonus_taken, "
        f"LEAST(%s - LEAST(%s, o.bonus_balance), o.cycle_balance) AS cycle_taken FROM o, h), "
        f"c AS (UPDATE {account} SET balance = s.balance - %s, bonus_balance = s.bonus_balance - s.bonus_taken, "
        f"cycle_balance = s.cycle_balance - s.cycle_taken, held = s.held - s.hold_amount, "
        f"trial_generations_used = {account}.trial_generations_used + (CASE WHEN s.is_trial AND %s THEN 1 ELSE 0 END), "
        f"updated_at = %s FROM s WHERE {account}.id = s.id RETURNING {account}.balance, {account}.bonus_balance, "
        f"{account}.cycle_balance, {account}.held, s.bonus_taken, s.cycle_taken) "
        f"INSERT INTO {quote(entry_model._meta.db_table)} ({', '.join(columns)}, {computed}) "
        f"SELECT {', '.join(['%s'] * len(params))}, -c.bonus_taken, -c.cycle_taken, c.balance, c.bonus_balance, "
        f"c.cycle_balance, c.held FROM c RETURNING {computed}"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [account_pk, *hold_params, hold_pk, held, spend, spend, spend, spend, count_trial,
                               now, *params])
        row = cursor.fetchone()
    return dict(zip(SETTLED_COLUMNS, row, strict=True)) if row else {}
