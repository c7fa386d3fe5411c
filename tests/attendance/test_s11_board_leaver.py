"""S11 (H1): the unit's daily board of a past day (/kehadiran/papan/?tanggal=) lists the same people
as the unit's recap of that day (selectors.unit_recap_employees): a leaver (retired on the 15th:
inactive now, their post's end recorded) is a row of the days up to the end of their post and of no
day after it, so the board's counts (Hadir, Terlambat, Tanpa keterangan, ...) add up to the recap's.
Before, the board read active employees only and left the leaver out of the days they worked."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ekinerja.attendance import selectors, services, views
from ekinerja.core.periods import Period
from ekinerja.org.models import Position
from tests.attendance.conftest import D, annual_leave, at
from tests.factories import AssignmentFactory, PositionFactory, employee_with_login

pytestmark = pytest.mark.django_db

OCT = Period(2026, 10)
NOW = dt.datetime(2026, 11, 2, 2, tzinfo=dt.UTC)  # Monday 2 November 2026, 10:00 WITA
LATE_DAY, ON_TIME_DAY, LEAVE_DAY, LAST_DAY = (
    D(2026, 10, 5),
    D(2026, 10, 6),
    D(2026, 10, 8),
    D(2026, 10, 15),
)
AFTER = D(2026, 10, 20)  # Tuesday after leaving, with punches that count nowhere


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _punches(emp, *times):
    services.punches_insert(
        emp.instansi, [services.PunchRow(emp.id, t, "fingerprint", "SN1") for t in times]
    )


@pytest.fixture
def lina(office):
    """Lina, staff under the kepala dinas, retired on Thursday 15 October (post ended, inactive):
    late 15 minutes on the 5th, on time on the 6th, cuti on the 8th and 9th, no punch on the other
    days up to the 15th; punches on the 20th, after leaving. Ani is late 20 minutes on the 5th."""
    lina = employee_with_login(office.instansi, name="Lina Pensiun", is_active=False)
    AssignmentFactory(employee=lina, position=office.ani.assignments.get().position, end=LAST_DAY)
    _punches(
        lina,
        at(LATE_DAY, 7, 45),
        at(LATE_DAY, 16, 5),
        at(ON_TIME_DAY, 7, 20),
        at(ON_TIME_DAY, 16, 5),
        at(AFTER, 7, 20),
        at(AFTER, 16, 5),
    )
    annual_leave(lina, LEAVE_DAY, LEAVE_DAY + dt.timedelta(days=1))
    _punches(office.ani, at(LATE_DAY, 7, 50), at(LATE_DAY, 16, 5))
    return lina


def _board(client, unit, day: dt.date, status: str = ""):
    url = f"/kehadiran/papan/?unit={unit.pk}&tanggal={day.isoformat()}"
    r = client.get(url + (f"&status={status}" if status else ""))
    assert r.status_code == 200
    html = r.content.decode()
    table = html.split('data-testid="board-table"')[1].split("</table>")[0]
    names = re.findall(r'/kehadiran/pegawai/\d+/\?periode=[\d-]+">([^<]+)<', table)
    return names, r.context["counts"], html


def test_a_leaver_is_on_the_board_of_her_days_in_her_group_and_not_after(client, office, lina):
    client.force_login(office.bkpsdm_user)
    names, counts, html = _board(client, office.unit, LATE_DAY)
    assert "Lina Pensiun" in names
    # Ani and Lina late; the kepala and Budi without a punch.
    assert counts["late"] == 2 and "Terlambat/pulang cepat 2" in html
    assert _board(client, office.unit, LATE_DAY, "late")[0] == ["Ani", "Lina Pensiun"]
    names, counts, _ = _board(client, office.unit, ON_TIME_DAY, "present")
    assert names == ["Lina Pensiun"] and counts["present"] == 1
    names, counts, _ = _board(client, office.unit, LEAVE_DAY, "leave")
    assert names == ["Lina Pensiun"] and counts["leave"] == 1
    # Her last day: a row (no punch, a working day judged: tanpa keterangan).
    names, counts, _ = _board(client, office.unit, LAST_DAY, "absent")
    assert "Lina Pensiun" in names and counts["absent"] == 4
    # The day after her post's end, and the 20th with her punches: no row, counted nowhere.
    for day in (LAST_DAY + dt.timedelta(days=1), AFTER):
        names, counts, _ = _board(client, office.unit, day)
        assert "Lina Pensiun" not in names
        assert counts["absent"] == 3 and not counts["present"] and not counts["late"]


def test_her_superior_sees_her_on_that_past_day_and_a_kasi_beside_her_does_not(
    client, office, lina
):
    client.force_login(office.kepala.user)
    names, counts, _ = _board(client, office.unit, LATE_DAY, "late")
    assert names == ["Ani", "Lina Pensiun"] and counts["late"] == 2
    assert "Lina Pensiun" not in _board(client, office.unit, AFTER)[0]
    # A kepala seksi of the unit whom she was never below: not a row of his board.
    head = office.kepala.assignments.get().position
    kasi_post = PositionFactory(
        unit=office.unit, instansi=office.instansi, kind=Position.Kind.STRUKTURAL, parent=head
    )
    kasi = employee_with_login(office.instansi, kasi_post, name="Kasi")
    staff_post = PositionFactory(unit=office.unit, instansi=office.instansi, parent=kasi_post)
    employee_with_login(office.instansi, staff_post, name="Staf Kasi")
    client.force_login(kasi.user)
    names, counts, _ = _board(client, office.unit, LATE_DAY)
    assert names == ["Kasi", "Staf Kasi"] and not counts["late"]


def test_the_board_s_days_add_up_to_the_recap_s_month(client, office, lina):
    """Every day of October on the board (BKPSDM: the whole unit) lists the recap's people of that
    day, and its counts summed over the month are the unit recap's totals for October."""
    client.force_login(office.bkpsdm_user)
    board: Counter = Counter()
    for n in range(1, 32):
        day = D(2026, 10, n)
        _names, counts, _ = _board(client, office.unit, day)
        people = selectors.unit_recap_employees(office.unit, day, day, ids_only=True)
        assert sum(counts.values()) == len(people), day  # every row has a group ("off" too)
        board.update(counts)
    emps = selectors.unit_recap_employees(office.unit, OCT.first_day, OCT.last_day)
    recap = Counter()
    for r in views.recap_rows(emps, OCT, office.unit):
        recap.update({k: r[k] for k, _label in views.RECAP_COLUMNS})
    assert recap["leave"] == 2 and recap["late"] == 2  # Lina's cuti and lateness are in it
    assert board["present"] == recap["present"]
    assert board["late"] == recap["late"] + recap["early"]  # no day both late and early here
    assert board["missing"] == recap["missing_in"] + recap["missing_out"]
    assert board["absent"] == recap["absent"]
    assert board["leave"] == recap["leave"]
    assert board.total() - board["off"] == recap["working"]


def test_the_board_s_queries_do_not_grow_with_its_rows(client, office, lina):
    """The rows are read as ids and instansi in one query, whatever their number (a leaver too)."""
    client.force_login(office.bkpsdm_user)
    url = f"/kehadiran/papan/?unit={office.unit.pk}&tanggal={LATE_DAY.isoformat()}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    staff = office.ani.assignments.get().position
    for i in range(6):
        gone = employee_with_login(office.instansi, name=f"Pensiun {i}", is_active=False)
        AssignmentFactory(employee=gone, position=staff, end=LAST_DAY)
    with CaptureQueriesContext(connection) as many:
        names, _counts, _ = _board(client, office.unit, LATE_DAY)
    assert sum(n.startswith("Pensiun ") for n in names) == 6
    assert len(many) == len(few)
