"""A superior's daily board derives the day of everyone below them (its counts are exact) but reads
whole employees only for the rows of its page, and a unit's punches by id stay its instansi's
(views.board, selectors.punch_times `by_id`): the demo's kepala bidang of Dinas Pendidikan (5,800
below him of 10,500) built 10,500 Employee objects to show 100, and read the punches of the whole
table around the day."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ekinerja.attendance import selectors, views
from ekinerja.org.models import Employee
from tests.attendance.conftest import D, at
from tests.attendance.test_views import NOW, punch
from tests.factories import InstansiFactory, PositionFactory, UnitFactory, employee_with_login

pytestmark = pytest.mark.django_db
MONDAY = D(2026, 10, 19)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _names(html: str) -> list[str]:
    table = html.split('data-testid="board-table"')[1].split("</table>")[0]
    return re.findall(r'/kehadiran/pegawai/\d+/\?periode=[\d-]+">([^<]+)<', table)


@pytest.fixture
def section(office):
    """A kasubag under the kepala dinas with five staff: Staf 1 and Staf 2 present on Monday,
    the others and the kasubag without a punch."""
    kasubag_pos = PositionFactory(
        unit=office.unit,
        instansi=office.instansi,
        code="KASUBAG",
        parent=office.unit.positions.get(code="KADIS"),
    )
    staff_pos = PositionFactory(
        unit=office.unit, instansi=office.instansi, code="STAFSUB", parent=kasubag_pos
    )
    kasubag = employee_with_login(office.instansi, kasubag_pos, name="Kasubag Umum")
    staff = [employee_with_login(office.instansi, staff_pos, name=f"Staf {i}") for i in range(1, 6)]
    for e in staff[:2]:
        punch(e, at(MONDAY, 7, 20))
        punch(e, at(MONDAY, 16, 0))
    return kasubag, staff


def test_a_superior_s_board_counts_everyone_below_and_reads_whole_only_the_page_s_rows(
    client, office, section, monkeypatch
):
    kasubag, staff = section
    real = Employee.from_db.__func__
    whole: list[int] = []

    def spy(cls, db, field_names, values):
        obj = real(cls, db, field_names, values)
        if "nip" in field_names:  # a whole row, not the board's id and instansi
            whole.append(obj.id)
        return obj

    monkeypatch.setattr(Employee, "from_db", classmethod(spy))
    monkeypatch.setattr(views, "PAGE_ROWS", 2)
    client.force_login(kasubag.user)
    url = f"/kehadiran/papan/?unit={office.unit.pk}&tanggal={MONDAY.isoformat()}"

    whole.clear()
    first = client.get(url).content.decode()
    # The counts are the six rows', the page shows two of them, by name.
    assert "Hadir 2" in first and "Tanpa keterangan 4" in first
    assert _names(first) == ["Kasubag Umum", "Staf 1"] and "1–2 dari 6 pegawai" in first
    shown = {kasubag.id, staff[0].id}
    # Whole employees: the page's two and the signed-in one, never the unit's ten.
    assert set(whole) <= shown, sorted(set(whole) - shown)

    whole.clear()
    third = client.get(url + "&hal=3").content.decode()
    assert _names(third) == ["Staf 4", "Staf 5"] and "5–6 dari 6 pegawai" in third
    assert "Hadir 2" in third and "Tanpa keterangan 4" in third
    assert set(whole) <= {kasubag.id, staff[3].id, staff[4].id}

    absent = client.get(url + "&status=absent&hal=2").content.decode()
    assert _names(absent) == ["Staf 4", "Staf 5"] and "3–4 dari 4 pegawai" in absent
    # Neither the kepala dinas above him nor the staff beside him are rows of his board.
    assert not {"Kepala Dinas Uji", "Ani", "Budi"} & set(_names(client.get(url).content.decode()))


def test_a_unit_s_punches_read_by_id_are_its_employees_and_its_instansi_s(office, section):
    """`by_id` (a unit's recap, the board) gives the same punches as the instansi's read, none of
    another Pemda's employee at the same instant, and its query names the instansi (on PostgreSQL
    its index on (instansi, at); by id alone the whole table was scanned)."""
    _kasubag, staff = section
    other = InstansiFactory(code="6302")
    stranger = employee_with_login(
        other, PositionFactory(unit=UnitFactory(instansi=other), instansi=other)
    )
    punch(stranger, at(MONDAY, 7, 20))
    day = MONDAY
    with CaptureQueriesContext(connection) as queries:
        by_id = selectors.punch_times(staff[:3], day - dt.timedelta(days=1), day, by_id=True)
    assert by_id == selectors.punch_times(staff[:3], day - dt.timedelta(days=1), day)
    assert set(by_id) == {staff[0].id, staff[1].id} and len(by_id[staff[0].id]) == 2
    (sql,) = [q["sql"] for q in queries if "attendance_punch" in q["sql"]]
    if connection.vendor == "postgresql":
        assert '"attendance_punch"."instansi_id" IN' in sql and "= ANY(" in sql
