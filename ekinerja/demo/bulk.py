"""Fast inserts for the demo generator.

`Model.objects.bulk_create` builds a model instance per row and compiles every value of every row
through the field machinery; for 20,000 employees with their accounts and assignments that alone took
most of a minute on a busy two-core machine. Here rows are plain dicts (attribute name -> value),
columns and defaults come from the model's own fields (so a column added later with a default keeps
working), values that need the backend's adaptation (dates, decimals, JSON) go through the field's
`get_db_prep_save`, and the rows are written with one `executemany` (SQLite) or one COPY
(PostgreSQL). No model instances, no signals (bulk_create sends none either).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections, router
from django.db.models import AutoField, BigAutoField, Model, SmallAutoField

# Internal types whose Python values the drivers bind as they are.
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
_MAX_PARAMS = 30000


def insert_rows(model: type[Model], rows: list[dict[str, Any]]) -> None:
    """INSERT `rows` (every row with the same keys: field attribute names) into `model`'s table.

    Fields missing from the rows get their default (evaluated once) or NULL; a required field with
    neither is an error.
    """
    if not rows:
        return
    conn = connections[router.db_for_write(model)]
    given = set(rows[0])
    columns: list[str] = []
    specs: list[tuple[str | None, Callable[[Any], Any] | None, Any]] = []
    for f in model._meta.concrete_fields:
        if f.primary_key and isinstance(f, AutoField | BigAutoField | SmallAutoField):
            continue
        columns.append(conn.ops.quote_name(f.column))
        if f.attname in given:
            convert = None
            if f.get_internal_type() not in _AS_IS:
                convert = lambda v, f=f: f.get_db_prep_save(v, conn)  # noqa: E731
            specs.append((f.attname, convert, None))
        elif f.has_default():
            specs.append((None, None, f.get_db_prep_save(f.get_default(), conn)))
        elif f.null:
            specs.append((None, None, None))
        else:
            raise ValueError(f"{model.__name__}.{f.name}: no value and no default")
    params = [
        tuple(
            (convert(row[name]) if convert else row[name]) if name else const
            for name, convert, const in specs
        )
        for row in rows
    ]
    table = conn.ops.quote_name(model._meta.db_table)
    # Table and column names come from the model and are quoted; every value is a parameter.
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.executemany(head + one, params)
        elif conn.vendor == "postgresql":
            # COPY: psycopg adapts the values in C and the server parses one stream.
            copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in params:
                    copy.write_row(row)
        else:
            per_statement = max(1, _MAX_PARAMS // len(columns))
            for i in range(0, len(params), per_statement):
                chunk = params[i : i + per_statement]
                values = [v for row in chunk for v in row]
                cursor.execute(head + ", ".join([one] * len(chunk)), values)
