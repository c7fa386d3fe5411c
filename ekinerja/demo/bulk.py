"""Fast inserts for the demo generator.

`Model.objects.bulk_create` builds a model instance per row and compiles every value of every row
through the field machinery; for the 20,000-employee demo (several million rows) that alone would
take minutes. Here rows are plain tuples (or dicts), columns and defaults come from the model's own
fields (so a column added later with a default keeps working), and the rows are written with one
`executemany` (SQLite) or one binary COPY (PostgreSQL) per call. No model instances, no signals
(bulk_create sends none either), no per-row `full_clean`; the database's own constraints (NOT NULL,
CHECK, UNIQUE, foreign keys) still apply to every row.

Values are converted only where the driver needs it, once per value and without the field
machinery: on SQLite aware datetimes become Django's naive-UTC text and times their text (dates and
decimals go through the adapters Django registers); on PostgreSQL psycopg dumps dates, times, aware
datetimes, decimals and JSON itself, in binary with the table's own column types. Anything else (a
field type the fast path does not know) goes through the field's `get_db_prep_save`, as Django would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from enum import Enum
from operator import itemgetter
from typing import Any

from django.db import connections, router
from django.db.models import AutoField, BigAutoField, Model, SmallAutoField

from ekinerja.core.gcpause import gc_paused

# Internal types whose Python values every driver binds as they are.
_AS_IS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "EmailField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
}
# ... and those psycopg dumps itself (binary COPY with the column's type).
_AS_IS_PG = _AS_IS | {"DateField", "DateTimeField", "DecimalField", "FileField", "TimeField"}
# ... and on SQLite: decimals through the adapter Django registers, files as names.
_AS_IS_SQLITE = _AS_IS | {"DecimalField", "FileField"}
# Column types psycopg writes in binary COPY (int8, bool, text, int2, int4, varchar, date, time,
# timestamptz, numeric, jsonb); a table with any other type is copied as text.
_BINARY_OIDS = {16, 20, 21, 23, 25, 1043, 1082, 1083, 1184, 1700, 3802}
_MAX_PARAMS = 30000
LOAD_CACHE_KIB = 256 * 1024  # SQLite page cache during a demo load
DEFER_KEYS_ROWS = 50_000  # loads from this size build their indexes and foreign keys afterwards


_HMS = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]

Column = Callable[[Sequence[Any]], list[Any]]  # converts one column's values


def _sqlite_column(field, conn) -> Column | None:
    """The text Django's SQLite backend stores for the field's values, where the driver cannot bind
    the value itself: aware datetimes as naive UTC "YYYY-MM-DD HH:MM:SS[.ffffff]", times and dates
    as ISO text. Each distinct value is converted once (values repeat a lot: schedules, days), and
    the column is then mapped through a dict in C."""
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        zone = conn.timezone  # UTC with USE_TZ: what Django stores
        days: dict[int, str] = {}

        def text(v):
            if v.tzinfo is not zone:
                v = v.astimezone(zone) if v.tzinfo is not None else v
            if v.microsecond:
                return str(v.replace(tzinfo=None))
            day = days.get(v.toordinal())
            if day is None:
                day = days[v.toordinal()] = f"{v.date().isoformat()} "
            return day + _HMS[v.hour * 3600 + v.minute * 60 + v.second]

    elif kind == "TimeField":
        text = str
    elif kind == "DateField":
        text = dt.date.isoformat
    elif kind in _AS_IS_SQLITE:
        return None
    else:
        return _per_value(field, conn)

    def column(values: Sequence[Any]) -> list[Any]:
        table = {v: text(v) for v in set(values) if v is not None}
        table[None] = None
        return list(map(table.__getitem__, values))

    return column


def _per_value(field, conn) -> Column:
    def column(values: Sequence[Any]) -> list[Any]:
        return [field.get_db_prep_save(v, conn) for v in values]

    return column


def _converter(field, conn) -> Column | None:
    """How the values of `field` are made ready for the driver (None: as they are)."""
    if conn.vendor == "sqlite":
        return _sqlite_column(field, conn)
    if conn.vendor == "postgresql" and field.get_internal_type() in _AS_IS_PG:
        return None
    if conn.vendor != "postgresql" and field.get_internal_type() in _AS_IS:
        return None
    return _per_value(field, conn)


def insert_tuples(
    model: type[Model],
    names: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    constants: dict[str, Any] | None = None,
) -> int:
    """INSERT `rows` (tuples of values for the field attribute names in `names`, in that order) into
    `model`'s table; `constants` gives one value for every row (converted once). Fields in neither
    get their default (evaluated once), NULL, or "" for a text field, as a new model instance
    would; any other field without a value is an error. Returns the number of rows written."""
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return 0
    conn = connections[router.db_for_write(model)]
    constants = constants or {}
    fields = {f.attname: f for f in model._meta.concrete_fields}
    unknown = set(names) - set(fields)
    if unknown:
        raise ValueError(f"{model.__name__}: unknown fields {sorted(unknown)}")
    columns = [fields[n].column for n in names]
    converters = [
        (i, convert)
        for i, n in enumerate(names)
        if (convert := _converter(fields[n], conn)) is not None
    ]
    fixed: dict[str, Any] = {}  # column -> value for every row, converted
    for f in fields.values():
        if f.attname in names or (
            f.primary_key and isinstance(f, AutoField | BigAutoField | SmallAutoField)
        ):
            continue
        if f.attname in constants:
            value = constants[f.attname]
            value = value.value if isinstance(value, Enum) else value
        elif f.has_default():
            value = f.get_default()
        elif f.null:
            value = None
        elif f.empty_strings_allowed:
            value = ""  # what Model() and bulk_create store for a blank text field
        else:
            raise ValueError(f"{model.__name__}.{f.name}: no value and no default")
        if value is not None and _converter(f, conn) is not None:
            value = f.get_db_prep_save(value, conn)
        fixed[f.column] = value
    if converters:
        # Column-wise: one list per converted column, no Python work per untouched value.
        cols: list[Any] = list(zip(*rows, strict=True))
        for i, convert in converters:
            cols[i] = convert(cols[i])
        rows = list(zip(*cols, strict=True))
    _write(conn, model._meta.db_table, columns, rows, fixed)
    return len(rows)


def insert_rows(model: type[Model], rows: list[dict[str, Any]]) -> int:
    """INSERT `rows` (dicts, every row with the same keys: field attribute names) into `model`'s
    table; see insert_tuples."""
    if not rows:
        return 0
    names = list(rows[0])
    get = itemgetter(*names)
    tuples = [get(r) for r in rows] if len(names) > 1 else [(get(r),) for r in rows]
    return insert_tuples(model, names, tuples)


def _sqlite_literal(value: Any) -> str | None:
    """An SQL literal for a constant SQLite stores as this very value (None: bind it instead)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if type(value) is int:
        return str(value)
    if type(value) is str and "\x00" not in value:
        # Quotes doubled (SQL), percent signs doubled (Django's format-style placeholders).
        return "'" + value.replace("'", "''").replace("%", "%%") + "'"
    return None


def _write(
    conn, table: str, columns: list[str], rows: list[Sequence], fixed: dict[str, Any]
) -> None:
    """One executemany (SQLite) or COPY (PostgreSQL) of `rows` into `columns`, with the `fixed`
    values in every row: on SQLite as literals of the statement (the rows go to the driver as they
    are), elsewhere appended to each row."""
    q = conn.ops.quote_name
    qtable = q(table)
    with conn.cursor() as cursor, _keys_built_after(conn, cursor, table, len(rows)):
        if conn.vendor == "sqlite":
            literal = {c: _sqlite_literal(v) for c, v in fixed.items()}
            bound = [c for c, lit in literal.items() if lit is None]
            inline = [c for c, lit in literal.items() if lit is not None]
            names = ", ".join(q(c) for c in [*columns, *bound, *inline])
            values = ", ".join(["%s"] * (len(columns) + len(bound)) + [literal[c] for c in inline])
            if bound:
                tail = tuple(fixed[c] for c in bound)
                rows = [(*r, *tail) for r in rows]
            # Table and column names come from the model and are quoted; constants are literals
            # of plain ints and escaped strings; every other value is a parameter.
            cursor.executemany(f"INSERT INTO {qtable} ({names}) VALUES ({values})", rows)  # noqa: S608
            return
        all_columns = [*columns, *fixed]
        tail = tuple(fixed.values())
        quoted = ", ".join(q(c) for c in all_columns)
        if conn.vendor == "postgresql":
            raw = cursor.cursor
            oids = dict(
                raw.execute(
                    "SELECT attname, atttypid::int FROM pg_attribute "
                    "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                    [qtable],
                ).fetchall()
            )
            types = [oids[c] for c in all_columns]
            binary = all(t in _BINARY_OIDS for t in types)
            # COPY: psycopg formats the values in C (binary: no text parsing on the server either).
            fmt = " (FORMAT BINARY)" if binary else ""
            with (
                conn.wrap_database_errors,  # Django's IntegrityError etc., as for any query
                raw.copy(f"COPY {qtable} ({quoted}) FROM STDIN{fmt}") as copy,
            ):
                if binary:
                    copy.set_types(types)
                write = copy.write_row
                if tail:
                    for row in rows:
                        write((*row, *tail))
                else:
                    for row in rows:
                        write(row)
            return
        head = f"INSERT INTO {qtable} ({quoted}) VALUES "  # noqa: S608
        one = "(" + ", ".join(["%s"] * len(all_columns)) + ")"
        per_statement = max(1, _MAX_PARAMS // len(all_columns))
        for i in range(0, len(rows), per_statement):
            chunk = rows[i : i + per_statement]
            values = [v for row in chunk for v in (*row, *tail)]
            cursor.execute(head + ", ".join([one] * len(chunk)), values)


@contextmanager
def _keys_built_after(conn, cursor, table: str, n: int):
    """A large load into a table that holds fewer rows: its plain (non-unique) indexes, and on
    PostgreSQL its foreign keys, are dropped before and created again right after, in the same
    transaction, from their own definitions in the catalogue. Building an index once from all rows
    is much cheaper than maintaining it row by row, and re-adding a foreign key checks every row
    with one join instead of one trigger per row and key at commit (PostgreSQL's advice for
    populating a database). Unique and primary keys stay in place throughout, and the table ends
    with exactly the indexes and constraints it had: an orphan key or a duplicate still aborts the
    load; only inside a transaction, so a failed load rolls the drops back too. (The table is
    locked meanwhile, which the demo's one transaction does anyway.)"""
    if n < DEFER_KEYS_ROWS or conn.vendor not in ("sqlite", "postgresql"):
        yield
        return
    if not conn.in_atomic_block:  # dropped keys must come back or roll back with the load
        yield
        return
    qtable = conn.ops.quote_name(table)
    cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {qtable} LIMIT %s) AS t", [n])  # noqa: S608
    if cursor.fetchone()[0] >= n:
        yield
        return
    restore: list[str] = []
    if conn.vendor == "sqlite":
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE %%'",
            [table],
        )
        for name, sql in cursor.fetchall():
            cursor.execute(f"DROP INDEX {conn.ops.quote_name(name)}")
            restore.append(sql)
    else:
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary",
            [qtable],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [qtable],
        )
        keys = cursor.fetchall()
        if keys:
            # ALTER TABLE refuses a table (or a referenced one) with pending deferred checks: run
            # them now instead of at commit, then return every constraint to its initial mode.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(
                "SELECT format('%%I.%%I', n.nspname, c.conname) FROM pg_constraint c "
                "JOIN pg_namespace n ON n.oid = c.connamespace "
                "WHERE c.condeferrable AND NOT c.condeferred AND n.nspname = current_schema()"
            )
            immediate = [row[0] for row in cursor.fetchall()]
            if immediate:
                cursor.execute(f"SET CONSTRAINTS {', '.join(immediate)} IMMEDIATE")
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {conn.ops.quote_name(name)}")
        for name, _sql in keys:
            cursor.execute(f"ALTER TABLE {qtable} DROP CONSTRAINT {conn.ops.quote_name(name)}")
        restore += [sql for _name, sql in indexes]
        restore += [
            f"ALTER TABLE {qtable} ADD CONSTRAINT {conn.ops.quote_name(name)} {sql}"
            for name, sql in keys
        ]
    yield
    for sql in restore:
        cursor.execute(sql)  # no parameters: the definition is run as it is


@contextmanager
def bulk_load(using: str = "default"):
    """Around a large load. Python's cyclic garbage collector is paused: the generators create
    millions of tuples and no cycles, and each full collection would walk all of them again. On
    SQLite the page cache is made big enough for the indexes being filled (the default 2 MB makes
    every index insert of a million-row table spill and re-read pages). Both are restored
    afterwards; nothing that weakens durability or constraints is changed."""
    conn = connections[using]
    before = None
    with gc_paused():
        try:
            if conn.vendor == "sqlite":
                with conn.cursor() as cursor:
                    cursor.execute("PRAGMA cache_size")
                    before = int(cursor.fetchone()[0])
                    cursor.execute(f"PRAGMA cache_size = {-LOAD_CACHE_KIB}")
            yield
        finally:
            if before is not None:
                with conn.cursor() as cursor:
                    cursor.execute(f"PRAGMA cache_size = {before}")
