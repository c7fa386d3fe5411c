"""Catalog and bulk-entry spreadsheets: row by row through the same validation, all or nothing,
every refused row listed."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from ekinerja.activities import services
from ekinerja.activities.models import ActivityCatalogItem, ActivityEntry
from tests.factories import employee_with_login, grant

from .conftest import D, T, make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(at):
    at("2026-10-09 17:00")


def sheet(header, rows, title=None):
    wb = Workbook()
    ws = wb.active
    if title:
        ws.title = title
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("x.xlsx", buf.getvalue())


CAT_HEADER = [
    "kode",
    "nama",
    "satuan",
    "menit",
    "struktural",
    "fungsional",
    "pelaksana",
    "kelas_min",
    "kelas_max",
    "unit",
    "berlaku_mulai",
    "berlaku_sampai",
]
ENTRY_HEADER = ["tanggal", "mulai", "selesai", "kode_aktivitas", "volume", "uraian"]


@pytest.fixture
def bkpsdm(office):
    user = employee_with_login(office["inst"], None).user
    grant(user, "bkpsdm")
    return type(user).objects.get(pk=user.pk)


def test_catalog_round_trip_and_update_by_code(client, office, bkpsdm):
    client.force_login(bkpsdm)
    resp = client.get(reverse("activities:catalog-export"))
    wb = load_workbook(io.BytesIO(resp.content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert list(rows[0]) == CAT_HEADER and len(rows) == 4
    upload = sheet(
        CAT_HEADER,
        [
            [
                "A001",
                "Menyusun konsep surat dinas",
                "surat",
                40,
                "ya",
                "ya",
                "ya",
                1,
                17,
                "",
                "2020-01-01",
                "",
            ],
            [
                "B100",
                "Membuat notulen rapat",
                "notulen",
                45,
                "tidak",
                "ya",
                "ya",
                1,
                12,
                office["unit"].code,
                "2026-01-01",
                "",
            ],
        ],
    )
    result = services.catalog_import(actor=bkpsdm, instansi=office["inst"], upload=upload)
    assert result.ok and (result.created, result.updated) == (1, 1)
    assert ActivityCatalogItem.objects.get(code="A001").standard_minutes == 40
    assert list(ActivityCatalogItem.objects.get(code="B100").units.all()) == [office["unit"]]


def test_catalog_import_lists_every_refused_row_and_saves_nothing(client, office, bkpsdm):
    upload = sheet(
        CAT_HEADER,
        [
            ["B1", "Baik", "dok", 30, "ya", "ya", "ya", 1, 17, "", "2026-01-01", ""],
            ["B2", "Menit nol", "dok", 0, "ya", "ya", "ya", 1, 17, "", "2026-01-01", ""],
            ["B3", "Unit asing", "dok", 30, "ya", "ya", "ya", 1, 17, "ZZZ", "2026-01-01", ""],
            ["B4", "Kelas terbalik", "dok", 30, "ya", "ya", "ya", 12, 3, "", "2026-01-01", ""],
            ["B1", "Ganda", "dok", 30, "ya", "ya", "ya", 1, 17, "", "2026-01-01", ""],
        ],
    )
    client.force_login(bkpsdm)
    resp = client.post(reverse("activities:catalog"), {"file": upload})
    assert resp.status_code == 400
    html = resp.content.decode()
    for n in (3, 4, 5, 6):
        assert f"Baris {n}:" in html
    assert "Baris 2:" not in html
    assert not ActivityCatalogItem.objects.filter(code__startswith="B").exists()


def test_catalog_import_is_for_bkpsdm_only(office):
    with pytest.raises(Exception, match="BKPSDM"):
        services.catalog_import(
            actor=office["p"]["ani"].user, instansi=office["inst"], upload=sheet(CAT_HEADER, [])
        )


def test_not_an_xlsx_is_refused_cleanly(office):
    with pytest.raises(ValidationError, match="bukan spreadsheet"):
        services.entries_import(
            actor=office["p"]["ani"].user, upload=SimpleUploadedFile("a.xlsx", b"hello")
        )


def test_bulk_entry_template_lists_working_days_and_allowed_items(client, office):
    client.force_login(office["p"]["ani"].user)
    resp = client.get(
        reverse("activities:bulk"), {"unduh": "1", "dari": "2026-10-01", "sampai": "2026-10-06"}
    )
    wb = load_workbook(io.BytesIO(resp.content))
    days = [r[0] for r in wb["aktivitas"].iter_rows(min_row=2, values_only=True)]
    assert days == ["2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06"]
    codes = [r[0] for r in wb["katalog"].iter_rows(min_row=2, values_only=True)]
    assert codes == ["A001", "A002"]  # not the struktural-only A003


def test_bulk_entry_import_all_or_nothing(client, office):
    make_entry(office, day=D(2026, 10, 5), start=T(8), end=T(9))
    upload = sheet(
        ENTRY_HEADER,
        [
            ["2026-10-06", "08:00", "09:00", "A001", 2, "Surat undangan"],
            ["2026-10-06", "08:30", "09:30", "A001", 1, "bentrok dengan baris 2"],
            ["2026-10-05", "08:00", "08:30", "A001", 1, "bentrok dengan isian lama"],
            ["2026-09-01", "08:00", "09:00", "A001", 1, "lewat batas"],
            ["2026-10-07", "10:00", "09:00", "A001", 1, "jam terbalik"],
            ["2026-10-07", "10:00", "11:00", "ZZZ", 1, "kode asing"],
            ["2026-10-07", "10:00", "11:00", "A001", "dua", "volume bukan angka"],
            [None, None, None, None, None, None],
        ],
        title="aktivitas",
    )
    client.force_login(office["p"]["ani"].user)
    resp = client.post(reverse("activities:bulk"), {"file": upload})
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "6 baris ditolak" in html
    for n in (3, 4, 5, 6, 7, 8):
        assert f"Baris {n}:" in html
    assert "Baris 2:" not in html
    assert ActivityEntry.objects.count() == 1


def test_bulk_entry_import_saves_every_row_when_all_valid(office):
    upload = sheet(
        ENTRY_HEADER,
        [
            ["2026-10-06", "08:00", "09:00", "A001", 2, "Surat"],
            ["06/10/2026", "09:00", "11:00", "A002", 1, "Rapat"],
        ],
        title="aktivitas",
    )
    res = services.entries_import(actor=office["p"]["ani"].user, upload=upload, submit=True)
    assert res.ok and res.created == 2
    assert set(ActivityEntry.objects.values_list("status", flat=True)) == {"submitted"}


@pytest.mark.parametrize(
    ("minutes", "kelas"), [("Infinity", 1), (30, "Infinity"), ("sNaN", 1), ("NaN", 1)]
)
def test_a_number_that_is_no_number_is_a_row_error_not_a_server_error(
    client, office, bkpsdm, minutes, kelas
):
    """ "Infinity" and "sNaN" are Decimals: the import ended in OverflowError or InvalidOperation
    (a 500) instead of listing the row."""
    row = ["B9", "Laporan", "dok", minutes, "ya", "ya", "ya", kelas, 17, "", "2026-01-01", ""]
    client.force_login(bkpsdm)
    resp = client.post(reverse("activities:catalog"), {"file": sheet(CAT_HEADER, [row])})
    assert resp.status_code == 400
    assert "Baris 2:" in resp.content.decode() and "bukan angka" in resp.content.decode()
    assert not ActivityCatalogItem.objects.filter(code="B9").exists()


def test_an_excel_time_a_moment_before_midnight_is_the_days_last_minute():
    from ekinerja.activities.xlsx import cell_time

    assert cell_time(0.99999, "Mulai").strftime("%H:%M") == "23:59"
    assert cell_time(1 / 3, "Mulai").strftime("%H:%M") == "08:00"
