"""core.prepared: a queryset compiled once gives the ORM's own answers for new values, is counted like
any query, keeps select_for_update's guard; insert() writes rows as save() would."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, DateTimeField, IntegerField, signals
from django.db.transaction import TransactionManagementError

from ekinerja.core.models import AuditEvent, Instansi
from ekinerja.core.prepared import Param, Prepared, as_model, insert, model_fields
from tests.factories import InstansiFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC

_EVENTS = Prepared(
    lambda: (
        AuditEvent.objects.filter(
            instansi_id=Param("instansi", IntegerField()),
            action=Param("action", CharField()),
            at__gte=Param("since", DateTimeField()),
        )
        .order_by("id")
        .values_list("id", "at", "after", "ip_address")
    )
)


def _event(inst, action, at, after):
    return AuditEvent.objects.create(
        instansi=inst, action=action, at=at, after=after, ip_address="10.0.0.1"
    )


def test_prepared_query_answers_like_the_orm_for_each_new_set_of_values():
    a, b = InstansiFactory(), InstansiFactory()
    t = dt.datetime(2026, 10, 9, 8, 0, tzinfo=UTC)
    e1 = _event(a, "x.one", t, {"n": 1})
    _event(a, "x.one", t - dt.timedelta(days=2), {"n": 0})
    e3 = _event(b, "x.two", t, {"n": [2, 3]})
    since = t - dt.timedelta(hours=1)
    for inst, action, expected in ((a, "x.one", e1), (b, "x.two", e3)):
        orm = list(
            AuditEvent.objects.filter(instansi=inst, action=action, at__gte=since)
            .order_by("id")
            .values_list("id", "at", "after", "ip_address")
        )
        got = _EVENTS(instansi=inst.pk, action=action, since=since)
        assert got == orm == [(expected.pk, t, expected.after, "10.0.0.1")]
        # Converted as the ORM converts: aware datetimes, decoded JSON.
        assert got[0][1].tzinfo is not None and isinstance(got[0][2], dict)
    assert _EVENTS(instansi=a.pk, action="x.two", since=since) == []


def test_prepared_query_is_counted_like_any_query(django_assert_num_queries):
    inst = InstansiFactory()
    with django_assert_num_queries(1):
        _EVENTS(instansi=inst.pk, action="a", since=dt.datetime(2026, 1, 1, tzinfo=UTC))
    with django_assert_num_queries(1):
        _EVENTS(instansi=inst.pk, action="b", since=dt.datetime(2026, 1, 1, tzinfo=UTC))


@pytest.mark.django_db(transaction=True)
def test_select_for_update_still_needs_a_transaction():
    locked = Prepared(
        lambda: (
            Instansi.objects.select_for_update()
            .filter(pk=Param("pk", IntegerField()))
            .order_by()
            .values_list("pk")
        )
    )
    inst = InstansiFactory()
    with transaction.atomic():
        assert locked(pk=inst.pk) == [(inst.pk,)]
    if connection.features.has_select_for_update:
        with pytest.raises(TransactionManagementError):
            locked(pk=inst.pk)  # autocommit: the lock would end at once
    else:
        assert locked(pk=inst.pk) == [(inst.pk,)]  # SQLite: no row locks, as with the ORM


def test_model_rows_come_back_as_loaded_instances():
    inst = InstansiFactory(timezone="Asia/Jayapura")
    rows = Prepared(
        lambda: (
            Instansi.objects.filter(pk=Param("pk", IntegerField()))
            .order_by()
            .values_list(*model_fields(Instansi))
        )
    )(pk=inst.pk)
    got = as_model(Instansi, rows[0])
    assert (got.pk, got.code, got.name, got.timezone) == (
        inst.pk,
        inst.code,
        inst.name,
        "Asia/Jayapura",
    )
    assert not got._state.adding and got._state.db == "default"


def test_insert_writes_like_save_with_defaults_signals_and_the_new_id():
    inst = InstansiFactory()
    seen = []

    def pre(sender, instance, **kw):
        seen.append(("pre", instance.pk))

    def post(sender, instance, created, **kw):
        seen.append(("post", instance.pk, created))

    signals.pre_save.connect(pre, sender=AuditEvent)
    signals.post_save.connect(post, sender=AuditEvent)
    try:
        ev = insert(AuditEvent(instansi=inst, action="x.insert", after={"a": [1, "b"]}))
    finally:
        signals.pre_save.disconnect(pre, sender=AuditEvent)
        signals.post_save.disconnect(post, sender=AuditEvent)
    assert ev.pk and not ev._state.adding
    assert seen == [("pre", None), ("post", ev.pk, True)]
    stored = AuditEvent.objects.get(pk=ev.pk)
    assert stored.after == {"a": [1, "b"]} and stored.at == ev.at and stored.instansi_id == inst.pk
    with pytest.raises(ValueError):
        insert(ev)  # not a new row


def test_insert_failure_marks_the_transaction_for_rollback():
    with pytest.raises(IntegrityError), transaction.atomic():
        try:
            insert(Instansi(code=None, name="tanpa kode"))
        except IntegrityError:
            # As with save(): the block can only be rolled back now.
            assert transaction.get_rollback()
            raise
    assert not Instansi.objects.filter(name="tanpa kode").exists()
