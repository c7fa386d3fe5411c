"""S9 (H8): a unit's attendance recap (/kehadiran/rekap/, page and xlsx) counts a mover's working
days, lateness, absences and leave of the days their definitif post was in the unit only, and says
which days (docs/attendance.md, "The recap counts the days in the unit"), as the activity recap
does; someone in the unit all month is unchanged."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ekinerja.attendance import services, views
from ekinerja.core.periods import Period
from tests.attendance.conftest import D, annual_leave, at
from tests.factories import AssignmentFactory, PositionFactory, UnitFactory, employee_with_login

pytestmark = pytest.mark.django_db

OCT = Period(2026, 10)
NOW = dt.datetime(2026, 11, 2, 2, tzinfo=dt.UTC)  # Monday 2 November 2026, 10:00 WITA
# The recap's columns, in order (views.RECAP_COLUMNS).
KEYS = [k for k, _label in views.RECAP_COLUMNS]


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _punches(emp, *times):
    services.punches_insert(
        emp.instansi, [services.PunchRow(emp.id, t, "fingerprint", "SN1") for t in times]
    )


def _mover(office, sosial, name: str):
    """Dinas Kesehatan (the office's unit) until Thursday 15 October, Dinas Sosial from the 16th."""
    e = employee_with_login(office.instansi, name=name)
    AssignmentFactory(
        employee=e, position=office.ani.assignments.get().position, end=D(2026, 10, 15)
    )
    AssignmentFactory(employee=e, position=PositionFactory(unit=sosial), start=D(2026, 10, 16))
    return e


@pytest.fixture
def moved(office):
    """Citra moves on the 16th, with punches, lateness, absences and leave on both sides.

    Dinas Kesehatan (11 working days, 1-15): late 15 minutes on the 5th, on time on the 6th, cuti
    on the 8th and 9th, nothing else (7 days tanpa keterangan). Dinas Sosial (11 working days,
    16-31): late 30 minutes on the 19th, on time on the 21st, cuti on the 20th (8 days tanpa
    keterangan)."""
    sosial = UnitFactory(instansi=office.instansi, name="Dinas Sosial")
    citra = _mover(office, sosial, "Citra Pindahan")
    _punches(
        citra,
        at(D(2026, 10, 5), 7, 45),
        at(D(2026, 10, 5), 16, 5),
        at(D(2026, 10, 6), 7, 20),
        at(D(2026, 10, 6), 16, 5),
        at(D(2026, 10, 19), 8, 0),
        at(D(2026, 10, 19), 16, 5),
        at(D(2026, 10, 21), 7, 25),
        at(D(2026, 10, 21), 16, 5),
    )
    annual_leave(citra, D(2026, 10, 8), D(2026, 10, 9))
    annual_leave(citra, D(2026, 10, 20), D(2026, 10, 20))
    return {"sosial": sosial, "citra": citra}


def _xlsx_rows(client, unit) -> dict[str, dict]:
    r = client.get(f"/kehadiran/rekap/?unit={unit.pk}&periode=2026-10&format=xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    header = next(row for row in ws.iter_rows(values_only=True) if row and "NIP" in row)
    return {
        row[1]: dict(zip(header, row, strict=False))
        for row in ws.iter_rows(min_row=5, values_only=True)
        if row[1]
    }


def _page_row(client, unit, name: str) -> tuple[list[int], str]:
    html = client.get(f"/kehadiran/rekap/?unit={unit.pk}&periode=2026-10").content.decode()
    table = html.split('data-testid="recap-table"')[1].split("</table>")[0]
    row = next(r for r in table.split("<tr") if f">{name}<" in r)
    return [int(x) for x in re.findall(r'<td class="text-end">(\d+)</td>', row)], row


def test_each_unit_s_recap_counts_only_the_mover_s_days_there(client, office, moved):
    citra, sosial = moved["citra"], moved["sosial"]
    client.force_login(office.bkpsdm_user)
    kesehatan, _row = _page_row(client, office.unit, "Citra Pindahan")
    there, _row = _page_row(client, sosial, "Citra Pindahan")
    a, b = dict(zip(KEYS, kesehatan, strict=True)), dict(zip(KEYS, there, strict=True))
    assert a == {
        "working": 11,
        "present": 1,
        "late": 1,
        "late_minutes": 15,
        "early": 0,
        "early_minutes": 0,
        "missing_in": 0,
        "missing_out": 0,
        "absent": 7,
        "leave": 2,
    }
    assert b == {
        "working": 11,
        "present": 1,
        "late": 1,
        "late_minutes": 30,
        "early": 0,
        "early_minutes": 0,
        "missing_in": 0,
        "missing_out": 0,
        "absent": 8,
        "leave": 1,
    }
    # The two units' rows add up to the whole month in post (the employee's own reading).
    whole = views.recap_rows([citra], OCT)[0]
    assert {k: a[k] + b[k] for k in KEYS} == {k: whole[k] for k in KEYS}
    assert whole["working"] == 22


def test_the_page_and_the_xlsx_say_which_days_count(client, office, moved):
    citra, sosial = moved["citra"], moved["sosial"]
    client.force_login(office.bkpsdm_user)
    _cells, row = _page_row(client, office.unit, "Citra Pindahan")
    text = " ".join(row.split())
    assert citra.nip in text
    assert "Di unit ini 1 Oktober 2026 – 15 Oktober 2026; hanya kehadiran hari-hari itu" in text
    _cells, row = _page_row(client, sosial, "Citra Pindahan")
    assert "Di unit ini 16 Oktober 2026 – 31 Oktober 2026; hanya kehadiran hari-hari itu" in row
    _cells, row = _page_row(client, office.unit, "Ani")
    assert "Di unit ini" not in row  # in the unit all month: no line

    rows = _xlsx_rows(client, office.unit)
    mine = rows[citra.nip]
    assert (mine["Hari kerja"], mine["Terlambat (menit)"], mine["Tanpa keterangan"]) == (11, 15, 7)
    assert (
        mine["Keterangan"]
        == "Di unit ini 1 Oktober 2026 – 15 Oktober 2026; hanya kehadiran hari-hari itu"
    )
    assert rows[office.ani.nip]["Keterangan"] is None
    mine = _xlsx_rows(client, sosial)[citra.nip]
    assert (mine["Hari kerja"], mine["Cuti/izin"], mine["Tanpa keterangan"]) == (11, 1, 8)
    assert (
        mine["Keterangan"]
        == "Di unit ini 16 Oktober 2026 – 31 Oktober 2026; hanya kehadiran hari-hari itu"
    )


def test_the_phone_list_says_which_days_count_too(client, office, moved):
    client.force_login(office.bkpsdm_user)
    html = client.get(f"/kehadiran/rekap/?unit={moved['sosial'].pk}&periode=2026-10").content
    phone = html.decode().split('data-testid="recap-list"')[1].split("</ul>")[0]
    assert "Di unit ini 16 Oktober 2026 – 31 Oktober 2026; hanya kehadiran hari-hari itu" in phone
    assert "Hari kerja 11" in phone


def test_someone_in_the_unit_all_month_is_unchanged(client, office, moved):
    _punches(office.ani, at(D(2026, 10, 5), 7, 50), at(D(2026, 10, 5), 16, 5))
    unit_rows = views.recap_rows([office.ani, office.budi], OCT, office.unit)
    plain = views.recap_rows([office.ani, office.budi], OCT)
    assert [r["cells"] for r in unit_rows] == [r["cells"] for r in plain]
    assert [r["days_in_unit"] for r in unit_rows] == ["", ""]
    assert unit_rows[0]["working"] == 22 and unit_rows[0]["late_minutes"] == 20


def test_a_move_within_the_unit_s_sub_units_keeps_the_whole_month(office):
    """From the unit to its sub-unit on the 16th: both posts are the unit's, so no line and every
    day counts in the unit's recap; the sub-unit's recap has the 16th to the 31st."""
    bidang = UnitFactory(instansi=office.instansi, parent=office.unit, name="Bidang P2P")
    e = employee_with_login(office.instansi, name="Dodi")
    AssignmentFactory(
        employee=e, position=office.ani.assignments.get().position, end=D(2026, 10, 15)
    )
    AssignmentFactory(employee=e, position=PositionFactory(unit=bidang), start=D(2026, 10, 16))
    row = views.recap_rows([e], OCT, office.unit)[0]
    assert (row["working"], row["days_in_unit"]) == (22, "")
    row = views.recap_rows([e], OCT, bidang)[0]
    assert (row["working"], row["days_in_unit"]) == (11, "16 Oktober 2026 – 31 Oktober 2026")


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_many_movers_take_no_query_more_than_one(client, office, moved):
    client.force_login(office.bkpsdm_user)
    page = f"/kehadiran/rekap/?unit={office.unit.pk}&periode=2026-10"
    xlsx = page + "&format=xlsx"
    _count(client, page)  # warm caches (content types, sessions)
    before = (_count(client, page), _count(client, xlsx))
    for n in range(8):
        _mover(office, moved["sosial"], f"Pindahan {n}")
    after = (_count(client, page), _count(client, xlsx))
    assert after == before
    html = client.get(page).content.decode()
    assert html.count('data-testid="days-in-unit"') == 2 * 9  # the phone list and the table
