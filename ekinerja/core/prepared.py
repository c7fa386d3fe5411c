"""Queries of the busiest paths, compiled once per process.

Building and compiling a queryset costs the ORM 0.3-1.2 ms of CPU, often more than the database
needs to answer it (measured on the API submission path: the token lookup took 1.3 ms through the
ORM and 0.16 ms as the same SQL on a cursor). A `Prepared` query is written as an ordinary
`values_list` queryset whose changing values are `Param`s; it is compiled on first use for each
database connection, and later calls only bind the values (through the model field, as the ORM
would) and apply the ORM's own result converters. It goes through Django's cursor, so query counting
(`django_assert_num_queries`, `connection.execute_wrapper`) and DEBUG logging see it.

    _ACTIVE = Prepared(lambda: Thing.objects.filter(owner_id=Param("owner", IntegerField()))
                       .order_by().values_list("id", "name"))
    rows = _ACTIVE(owner=7)          # [(1, "a"), ...]

Only for querysets whose SQL does not depend on the values (no None or lists in Params, no
`__in`). `model_fields`/`as_model` turn a row slice back into a model instance, and `insert`
writes a new row the way `Model.save()` would, with its statement built once per process.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Expression, Field, Model, QuerySet, signals
from django.db.transaction import TransactionManagementError


class _Slot:
    """Stands in a compiled query's parameter list for a value given at each call."""

    __slots__ = ("field", "name")

    def __init__(self, name: str, field: Field):
        self.name, self.field = name, field


class Param(Expression):
    """A value given when a Prepared query runs (`name=` keyword), bound through `output_field`."""

    def __init__(self, name: str, output_field: Field):
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [_Slot(self.name, self.output_field)]


@dataclass
class _Compiled:
    sql: str
    params: list
    slots: list[tuple[int, _Slot]]
    converters: list
    for_update: bool


class Prepared:
    def __init__(self, build: Callable[[], QuerySet], using: str = DEFAULT_DB_ALIAS):
        self.build = build
        self.using = using
        # Per connection object (one per thread and alias), so converters see their own connection.
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _compile(self, connection) -> _Compiled:
        qs = self.build()
        compiler = qs.query.get_compiler(using=self.using)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = [(i, p) for i, p in enumerate(params) if isinstance(p, _Slot)]
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        converters = [
            (pos, convs, expr) for pos, (convs, expr) in compiler.get_converters(fields).items()
        ]
        for_update = bool(qs.query.select_for_update) and connection.features.has_select_for_update
        return _Compiled(sql, params, slots, converters, for_update)

    def __call__(self, **values) -> list[tuple]:
        connection = connections[self.using]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(connection)
        if compiled.for_update and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = list(compiled.params)
        for i, slot in compiled.slots:
            params[i] = slot.field.get_db_prep_value(values[slot.name], connection, prepared=False)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if not compiled.converters:
            return [tuple(r) for r in rows]
        out = []
        for row in rows:
            row = list(row)
            for pos, convs, expr in compiled.converters:
                value = row[pos]
                for conv in convs:
                    value = conv(value, expr, connection)
                row[pos] = value
            out.append(tuple(row))
        return out


def model_fields(model: type[Model], prefix: str = "") -> list[str]:
    """values_list names of every concrete field of `model`, in the order `as_model` expects."""
    return [prefix + f.name for f in model._meta.concrete_fields]


def as_model(model: type[Model], values, using: str = DEFAULT_DB_ALIAS) -> Model:
    """An instance from the values of model_fields(model), as the ORM would have loaded it."""
    return model.from_db(using, None, tuple(values))


_INSERTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _insert_sql(model: type[Model], connection) -> tuple[str, list[Field], bool]:
    per_model = _INSERTS.setdefault(connection, {})
    found = per_model.get(model)
    if found is None:
        meta, ops = model._meta, connection.ops
        fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
        returning = connection.features.can_return_columns_from_insert
        # Names from the model's metadata, quoted by the backend; values only as parameters.
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            ops.quote_name(meta.db_table),
            ", ".join(ops.quote_name(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
        )
        if returning:
            sql += " " + ops.return_insert_columns([meta.pk])[0]
        found = per_model[model] = (sql, fields, returning)
    return found


def insert(obj: Model, using: str = DEFAULT_DB_ALIAS) -> Model:
    """Insert a new instance of a model with an auto-increment primary key, as `obj.save()` would
    for a new object (pre_save/post_save signals, auto_now fields, values prepared by each field,
    the new id set on the object), without compiling the statement each time. No validation, as
    with save(): the caller has validated."""
    model = type(obj)
    if obj.pk is not None or model._meta.parents:
        raise ValueError("insert() is for a new row of a model without parents.")
    connection = connections[using]
    sql, fields, returning = _insert_sql(model, connection)
    obj._prepare_related_fields_for_save(operation_name="save")
    signals.pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection=connection) for f in fields]
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            pk = cursor.fetchone()[0]
        else:
            pk = connection.ops.last_insert_id(cursor, model._meta.db_table, model._meta.pk.column)
    obj.pk = model._meta.pk.to_python(pk)
    obj._state.adding = False
    obj._state.db = using
    signals.post_save.send(
        sender=model, instance=obj, created=True, update_fields=None, raw=False, using=using
    )
    return obj
