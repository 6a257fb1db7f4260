"""Plain SQL for the ledger's hot path (hold, capture, release).

Why: through the ORM one hold + capture cost ~10,000 Python calls (query compilation, model
saves), which under load — many threads sharing one interpreter — capped the ledger at a fifth
of what the database does (benchmarks/ledger.py). These helpers write the same rows with the
same column conversions (each field's own get_db_prep_save), just without the machinery."""

from functools import cache

from django.db import connection


@cache
def _fields(model) -> dict:
    return {f.attname: (f, connection.ops.quote_name(f.column)) for f in model._meta.concrete_fields}


def _prepared(model, values: dict) -> tuple[list[str], list]:
    fields = _fields(model)
    columns, params = [], []
    for name, value in values.items():
        field, column = fields[name]
        columns.append(column)
        # Plain numbers and text go as they are; dates, UUIDs and JSON through their field.
        params.append(value if value is None or type(value) in (int, str) else field.get_db_prep_save(value, connection))
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


def select_for_update_with(model, pk, related: str):
    """The row by id, locked (`FOR UPDATE OF` it alone), with one foreign-key row read along and
    set on it — what `select_for_update(of=("self",)).select_related(related).get(pk=pk)` does,
    in one statement and without compiling a query. PostgreSQL only (its drivers return the
    fields' Python types, so `from_db` needs no converters); None elsewhere: use the ORM."""
    if connection.vendor != "postgresql":
        return None
    query, own, other, theirs = _locking_select(model, related)
    with connection.cursor() as cursor:
        cursor.execute(query, [pk])
        row = cursor.fetchone()
    if row is None:
        raise model.DoesNotExist
    obj = model.from_db("default", own, row[:len(own)])
    setattr(obj, related, other.from_db("default", theirs, row[len(own):]))
    return obj


@cache
def _locking_select(model, related: str):
    field = model._meta.get_field(related)
    other = field.related_model
    own = [f.attname for f in model._meta.concrete_fields]
    theirs = [f.attname for f in other._meta.concrete_fields]
    quote = connection.ops.quote_name
    columns = [f"a.{quote(model._meta.get_field(n).column)}" for n in own] + \
              [f"b.{quote(other._meta.get_field(n).column)}" for n in theirs]
    query = (f"SELECT {', '.join(columns)} FROM {quote(model._meta.db_table)} a "
             f"JOIN {quote(other._meta.db_table)} b ON b.id = a.{quote(field.column)} WHERE a.id = %s FOR UPDATE OF a")
    return query, own, other, theirs


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
                      *, link: str, unique: str) -> int | None:
    """Inserts `parent` (unless its `unique` column already has the value: then None and nothing
    changes), updates the account and inserts the entry linked to the parent by `link` — one
    statement on PostgreSQL. Returns the parent's id."""
    if connection.vendor != "postgresql":
        parent_id = insert(parent, values, skip_conflict_on=unique)
        if parent_id is not None:
            update_then_insert(account_model, account_pk, changes, entry_model, {**entry, link: parent_id})
        return parent_id
    quote = connection.ops.quote_name
    columns, params = _prepared(parent, values)
    assignments, set_params = _set(account_model, changes)
    insert_entry, entry_params = _row_select(entry_model, entry, source="p", source_column=link)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH p AS (INSERT INTO {quote(parent._meta.db_table)} ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))}) ON CONFLICT ({quote(unique)}) DO NOTHING RETURNING id), "
            f"a AS (UPDATE {quote(account_model._meta.db_table)} SET {assignments} "
            f"WHERE id = %s AND EXISTS (SELECT 1 FROM p)) "
            f"{insert_entry.replace(' RETURNING id', ' RETURNING ' + _fields(entry_model)[link][1])}",
            [*params, *set_params, account_pk, *entry_params])
        row = cursor.fetchone()
    return row[0] if row else None


def settle_with_entry(parent, parent_pk, parent_changes: dict, where: dict, account_model, account_pk,
                      changes: dict, entry_model, entry: dict, *, link: str) -> bool:
    """Updates `parent` if its columns equal `where` (a conditional settle), and only then updates
    the account and inserts the entry linked to it — one statement on PostgreSQL. False when the
    parent did not match (nothing changed)."""
    if connection.vendor != "postgresql":
        if not update_where(parent, parent_pk, parent_changes, **where):
            return False
        update_then_insert(account_model, account_pk, changes, entry_model, {**entry, link: parent_pk})
        return True
    quote = connection.ops.quote_name
    parent_set, parent_params = _set(parent, parent_changes)
    where_columns, where_params = _prepared(parent, where)
    assignments, set_params = _set(account_model, changes)
    insert_entry, entry_params = _row_select(entry_model, entry, source="p", source_column=link)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH p AS (UPDATE {quote(parent._meta.db_table)} SET {parent_set} WHERE id = %s"
            f"{''.join(f' AND {c} = %s' for c in where_columns)} RETURNING id), "
            f"a AS (UPDATE {quote(account_model._meta.db_table)} SET {assignments} "
            f"WHERE id = %s AND EXISTS (SELECT 1 FROM p)) {insert_entry}",
            [*parent_params, parent_pk, *where_params, *set_params, account_pk, *entry_params])
        return cursor.fetchone() is not None
