"""ekinerja.demo.bulk: rows written with executemany/COPY read back exactly as the ORM would have
saved them, and a large load that builds its indexes and foreign keys afterwards ends with the
table's own indexes and constraints, still enforced."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from ekinerja.activities.models import ActivityEntry, EntryStatus
from ekinerja.attendance.models import Punch
from ekinerja.demo import bulk
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db(transaction=False)

WITA = zoneinfo.ZoneInfo("Asia/Makassar")


def _catalog_item(instansi):
    from ekinerja.activities.models import ActivityCatalogItem

    return ActivityCatalogItem.objects.create(
        instansi=instansi,
        code="T-001",
        name="Uji",
        output_unit="x",
        standard_minutes=30,
        active_from=dt.date(2026, 1, 1),
    )


def _fields(obj) -> dict:
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in ("id", "created_at", "updated_at")
    }


def test_tuples_read_back_like_orm_saves():
    emp = EmployeeFactory()
    item = _catalog_item(emp.instansi)
    at = dt.datetime(2026, 10, 5, 15, 30, 7, tzinfo=WITA)
    values = {
        "instansi_id": emp.instansi_id,
        "employee_id": emp.id,
        "date": dt.date(2026, 10, 5),
        "start_time": dt.time(7, 30),
        "end_time": dt.time(8, 15),
        "item_id": item.id,
        "volume": Decimal("1.5"),
        "description": "It's 100% done, %s and %% stay as they are",
        "minutes_per_unit": 30,
        "status": EntryStatus.APPROVED,
        "submitted_at": at,
        "verified_at": at + dt.timedelta(microseconds=250),
        "verify_by": None,
        "approved_volume": 1,
        "credited_minutes": 30,
        "reason": "a 'quoted' reason",
    }
    by_orm = ActivityEntry.objects.create(**values)
    names = ["employee_id", "date", "start_time", "end_time", "item_id", "volume"]
    constants = {k: v for k, v in values.items() if k not in names}
    constants["created_at"] = constants["updated_at"] = by_orm.created_at
    n = bulk.insert_tuples(
        ActivityEntry,
        names,
        [tuple(values[k] for k in names)],
        constants=constants,
    )
    assert n == 1
    by_bulk = ActivityEntry.objects.exclude(pk=by_orm.pk).get()
    assert _fields(by_bulk) == _fields(ActivityEntry.objects.get(pk=by_orm.pk))
    # The same stored text, so comparisons in SQL match too.
    assert ActivityEntry.objects.filter(submitted_at=at, verified_at__gt=at).count() == 2


def test_rows_as_dicts_and_defaults():
    emp = EmployeeFactory()
    at = dt.datetime(2026, 10, 5, 7, 31, tzinfo=dt.UTC)
    bulk.insert_rows(
        Punch,
        [
            {
                "instansi_id": emp.instansi_id,
                "employee_id": emp.id,
                "at": at,
                "source": Punch.Source.FINGERPRINT,
                "source_key": "T",
                "created_at": at,
            }
        ],
    )
    punch = Punch.objects.get()
    assert punch.at == at and punch.reason == "" and punch.device_id is None
    assert punch.mock_location is False and punch.needs_review is False


def _schema(table: str) -> set:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE tbl_name = %s AND type = 'index'",
                [table],
            )
            return set(cursor.fetchall())
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass",
            [table],
        )
        constraints = set(cursor.fetchall())
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return constraints | set(cursor.fetchall())


def _punches(emp, n, *, employee_id=None, repeat=False):
    base = dt.datetime(2026, 10, 5, 7, 0, tzinfo=dt.UTC)
    rows = [
        (employee_id or emp.id, base + dt.timedelta(minutes=0 if repeat else i)) for i in range(n)
    ]
    constants = {
        "instansi_id": emp.instansi_id,
        "source": Punch.Source.FINGERPRINT,
        "source_key": "T",
        "created_at": base,
    }
    return bulk.insert_tuples(Punch, ["employee_id", "at"], rows, constants=constants)


def test_large_load_rebuilds_indexes_and_keys_and_still_checks_them(monkeypatch):
    monkeypatch.setattr(bulk, "DEFER_KEYS_ROWS", 2)
    emp = EmployeeFactory()
    table = Punch._meta.db_table
    before = _schema(table)
    # A duplicate still aborts the load (the unique key stays in place).
    with pytest.raises(IntegrityError), transaction.atomic():
        _punches(emp, 3, repeat=True)
    assert _schema(table) == before
    with transaction.atomic():
        assert _punches(emp, 5) == 5
        assert _schema(table) == before  # rebuilt within the transaction
    assert Punch.objects.count() == 5


def test_large_load_still_refuses_an_unknown_employee_on_postgresql(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("foreign keys are only set aside on PostgreSQL")
    monkeypatch.setattr(bulk, "DEFER_KEYS_ROWS", 2)
    emp = EmployeeFactory()
    before = _schema(Punch._meta.db_table)
    with pytest.raises(IntegrityError), transaction.atomic():
        _punches(emp, 3, employee_id=emp.id + 999_999)
    assert _schema(Punch._meta.db_table) == before
    assert not Punch.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_keys_stay_in_place(monkeypatch):
    """Autocommit: a dropped index would not come back if the load failed, so nothing is dropped."""
    monkeypatch.setattr(bulk, "DEFER_KEYS_ROWS", 2)
    emp = EmployeeFactory()
    with CaptureQueriesContext(connection) as ctx:
        _punches(emp, 3)
    assert not [q for q in ctx.captured_queries if q["sql"].startswith(("DROP", "ALTER"))]
    assert Punch.objects.count() == 3


def test_unknown_or_missing_fields_are_refused():
    with pytest.raises(ValueError, match="unknown"):
        bulk.insert_tuples(Punch, ["employee_id", "when"], [(1, 2)])
    with pytest.raises(ValueError, match="no value"):
        bulk.insert_tuples(Punch, ["employee_id"], [(1,)])


def test_bulk_load_restores_the_connection():
    import gc

    assert gc.isenabled()
    with bulk.bulk_load():
        assert not gc.isenabled()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size")
                assert cursor.fetchone()[0] == -bulk.LOAD_CACHE_KIB
    assert gc.isenabled()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            assert cursor.fetchone()[0] != -bulk.LOAD_CACHE_KIB
