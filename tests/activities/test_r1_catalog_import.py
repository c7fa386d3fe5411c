"""The catalog sheet import (R1): every row read and checked first, then written in bulk, a fixed
number of queries whatever the number of rows. Before, each row was saved on its own (about eight
queries a row: 2,000 items took 19-24 s on SQLite)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ekinerja.activities import services
from ekinerja.activities.models import ActivityCatalogItem
from ekinerja.core.models import AuditEvent
from tests.factories import UnitFactory

from .test_xlsx import CAT_HEADER, bkpsdm, sheet  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(at):
    at("2026-10-09 17:00")


def _row(code, name=None, minutes=30, unit="", active_from="2026-01-01", active_to="", out="dok"):
    return [code, name or f"Butir {code}", out, minutes, "ya", "ya", "ya", 1, 17, unit,
            active_from, active_to]  # fmt: skip


def _import(office, user, rows, **kw):
    return services.catalog_import(
        actor=user, instansi=office["inst"], upload=sheet(CAT_HEADER, rows), **kw
    )


def _queries(office, user, rows) -> int:
    with CaptureQueriesContext(connection) as q:
        res = _import(office, user, rows)
    assert res.ok, [str(e) for e in res.errors]
    return len(q)


def test_the_number_of_queries_does_not_grow_with_the_rows(office, bkpsdm):  # noqa: F811
    unit = office["unit"].code
    _import(office, bkpsdm, [])  # the account's roles, read once and kept on it
    few = _queries(office, bkpsdm, [_row(f"F{i}", unit=unit if i % 2 else "") for i in range(3)])
    many = _queries(office, bkpsdm, [_row(f"M{i}", unit=unit if i % 2 else "") for i in range(60)])
    assert few == many
    # Updating them all (minutes and unit limits changed) costs the same for 3 rows as for 60.
    few_up = _queries(office, bkpsdm, [_row(f"F{i}", minutes=45, unit=unit) for i in range(3)])
    many_up = _queries(office, bkpsdm, [_row(f"M{i}", minutes=45, unit=unit) for i in range(60)])
    assert few_up == many_up
    assert set(
        ActivityCatalogItem.objects.filter(code__startswith="M").values_list(
            "standard_minutes", flat=True
        )
    ) == {45}
    assert all(
        list(i.units.all()) == [office["unit"]]
        for i in ActivityCatalogItem.objects.filter(code__startswith="M")
    )


def test_each_row_is_audited_as_catalog_item_save_audits_it(office, bkpsdm):  # noqa: F811
    other = UnitFactory(instansi=office["inst"], name="Bagian Umum")
    surat = office["surat"]
    res = _import(
        office,
        bkpsdm,
        [
            _row("A001", surat.name, minutes=40, unit=other.code),
            _row("N1", "Menyusun notulen", unit=f"{office['unit'].code},{other.code}"),
        ],
    )
    assert res.ok and (res.created, res.updated) == (1, 1)
    events = {
        e.object_id: e for e in AuditEvent.objects.filter(action__startswith="activities.catalog.")
    }
    updated = events[str(surat.pk)]
    assert updated.action == "activities.catalog.update"
    assert updated.actor == bkpsdm and updated.instansi == office["inst"]
    assert (updated.before["standard_minutes"], updated.after["standard_minutes"]) == (30, 40)
    assert (updated.before["units"], updated.after["units"]) == ([], [other.pk])
    new = ActivityCatalogItem.objects.get(code="N1")
    created = events[str(new.pk)]
    assert created.action == "activities.catalog.create" and created.before is None
    assert created.after["units"] == sorted([office["unit"].pk, other.pk])
    assert created.object_repr == "N1 Menyusun notulen"
    assert sorted(u.pk for u in new.units.all()) == sorted([office["unit"].pk, other.pk])


def test_a_sheet_with_one_refused_row_saves_nothing_and_names_every_row(office, bkpsdm):  # noqa: F811
    res = _import(
        office,
        bkpsdm,
        [
            _row("A001", office["surat"].name, minutes=50),  # a valid update
            _row("G1", "Baris baik"),
            _row("G2", "x" * 300),  # too long a name
            _row("G3", "Menit pecahan", minutes="2,5"),
            _row("G4", "Unit asing", unit="ZZ"),
            _row("G5", "Menyusun konsep surat dinas"),  # A001's name, same days
        ],
    )
    errors = {e.row: str(e) for e in res.errors}
    # Both rows sharing a name are named (each against the catalog as the sheet would leave it);
    # row by row, only the later one was.
    assert sorted(errors) == [2, 4, 5, 6, 7]
    assert "sudah dipakai butir G5" in errors[2]
    assert "Nama aktivitas paling panjang 255 karakter; diisi 300." in errors[4]
    assert errors[5] == "Baris 5: Menit harus bilangan bulat."
    assert errors[6] == "Baris 6: Unit tidak dikenal: ZZ."
    assert "sudah dipakai butir A001" in errors[7]
    assert (res.created, res.updated) == (0, 0)
    assert not ActivityCatalogItem.objects.filter(code__startswith="G").exists()
    office["surat"].refresh_from_db()
    assert office["surat"].standard_minutes == 30
    assert not AuditEvent.objects.filter(action__startswith="activities.catalog.").exists()


def test_an_unchanged_row_writes_no_update_but_is_audited(office, bkpsdm):  # noqa: F811
    surat = office["surat"]
    with CaptureQueriesContext(connection) as q:
        res = _import(
            office, bkpsdm, [_row("A001", surat.name, active_from="2020-01-01", out="surat")]
        )
    assert res.ok and res.updated == 1
    assert not any(s["sql"].startswith("UPDATE") for s in q.captured_queries)
    assert AuditEvent.objects.filter(
        action="activities.catalog.update", object_id=str(surat.pk)
    ).exists()


def test_two_items_swapping_names_in_one_sheet_are_taken(office, bkpsdm):  # noqa: F811
    """Judged on the catalog as the sheet leaves it: row by row, the first row clashed with the
    second item's old name and the sheet was refused."""
    surat, rapat = office["surat"], office["rapat"]
    res = _import(
        office,
        bkpsdm,
        [
            _row("A001", rapat.name, active_from="2020-01-01"),
            _row("A002", surat.name, active_from="2020-01-01"),
        ],
    )
    assert res.ok, [str(e) for e in res.errors]
    surat.refresh_from_db()
    rapat.refresh_from_db()
    assert (surat.name, rapat.name) == (
        "Mengikuti rapat koordinasi",
        "Menyusun konsep surat dinas",
    )


def test_a_missing_start_date_says_it_is_required_and_offers_no_tetap_simpan(office, bkpsdm):  # noqa: F811
    """An empty "Berlaku mulai" said "Berlaku mulai '' tidak valid (gunakan TTTT-BB-HH)", and any
    refused sheet offered the "Tetap simpan" meant for entries left outside a new validity."""
    res = _import(office, bkpsdm, [_row("G1", "Tanpa tanggal", active_from="")])
    assert [str(e) for e in res.errors] == [
        "Baris 2: Berlaku mulai wajib diisi (contoh 2026-11-01)."
    ]
    assert res.stranded is False
