"""The unit's shift roster page (/kehadiran/roster/): a kepala ruangan, an admin OPD or BKPSDM draws
up the month's shifts of the unit's shift workers in one grid; only changed days are written, through
workcal.services.roster_set (audited, attendance re-derived)."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.attendance import selectors
from ekinerja.core import locked_months
from ekinerja.core.models import AuditEvent
from ekinerja.core.periods import Period
from ekinerja.workcal.models import ShiftRoster
from ekinerja.workcal.services import roster_set
from tests.factories import (
    PositionFactory,
    UserFactory,
    employee_with_login,
    grant,
    put_on_schedule,
)

from .conftest import D

OCT = Period(2026, 10)
URL = reverse("attendance:roster")


def _get(client, office, periode="2026-10"):
    response = client.get(URL, {"unit": office.unit.id, "periode": periode})
    return response, html.unescape(response.content.decode())


def _post(client, office, cells: dict, periode="2026-10"):
    data = {"periode": periode}
    data.update({f"r:{emp.id}:{day.isoformat()}": code for (emp, day), code in cells.items()})
    return client.post(f"{URL}?unit={office.unit.id}&periode={periode}", data)


def _roster(emp) -> dict:
    return {
        r.date: r.shift.code
        for r in ShiftRoster.objects.filter(employee=emp).select_related("shift")
    }


def test_bkpsdm_draws_up_the_month_and_only_changes_are_written(client, office):
    client.force_login(office.bkpsdm_user)
    response, page = _get(client, office)
    assert response.status_code == 200
    # Only the shift worker has a row; the office staff on the fixed schedule do not.
    assert f'data-testid="roster-row-{office.nurse.nip}"' in page
    assert office.ani.nip not in page and office.budi.nip not in page
    assert "P · 07.00-14.00" in page and "M · 21.00-07.00" in page
    assert page.count(f'name="r:{office.nurse.id}:2026-10-') == 31
    response = _post(
        client, office, {(office.nurse, D(2026, 10, 3)): "M", (office.nurse, D(2026, 10, 4)): "P"}
    )
    assert response.status_code == 302
    assert _roster(office.nurse) == {D(2026, 10, 3): "M", D(2026, 10, 4): "P"}
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "Roster Oktober 2026 disimpan: 2 hari diubah." in page
    # Coverage per shift and day: one on M on the 3rd, none on the 5th (marked).
    coverage = page.split('data-testid="roster-coverage-M"')[1].split("</tr>")[0]
    cells = re.findall(
        r"<td class=\"text-center( text-danger fw-semibold)?\"[^>]*>(\d+)</td>", coverage
    )
    assert [int(n) for _mark, n in cells][:5] == [0, 0, 1, 0, 0] and cells[4][0]
    assert (
        page.index('roster-coverage-P"')
        < page.index('roster-coverage-S"')
        < page.index('roster-coverage-M"')
    )
    assert AuditEvent.objects.filter(action="workcal.roster.set").count() == 1
    # The days' attendance follows the roster: both are working days now.
    facts = selectors.attendance_month([office.nurse], OCT)[office.nurse.id]
    assert [f.date for f in facts if f.working] == [D(2026, 10, 3), D(2026, 10, 4)]
    # Posting the same grid again writes nothing; clearing a day removes its entry.
    response = _post(
        client, office, {(office.nurse, D(2026, 10, 3)): "M", (office.nurse, D(2026, 10, 4)): ""}
    )
    assert _roster(office.nurse) == {D(2026, 10, 3): "M"}
    assert AuditEvent.objects.filter(action="workcal.roster.set").count() == 2
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "1 hari diubah" in page
    _post(client, office, {(office.nurse, D(2026, 10, 3)): "M"})
    assert AuditEvent.objects.filter(action="workcal.roster.set").count() == 2


def test_a_shift_the_schedule_lacks_is_refused_and_nothing_is_written(client, office):
    client.force_login(office.bkpsdm_user)
    response = _post(
        client, office, {(office.nurse, D(2026, 10, 3)): "M", (office.nurse, D(2026, 10, 5)): "X"}
    )
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "Nina Perawat, 5 Oktober 2026: shift 'X' tidak ada di jadwalnya." in page
    assert _roster(office.nurse) == {}
    # The grid shows what was typed, to correct it.
    assert '<option value="M" selected>M</option>' in page


def test_days_on_a_fixed_schedule_have_no_cell_and_are_ignored(client, office):
    """Ani moves to the shift schedule on 16 October: her first half is not rostered."""
    from ekinerja.workcal.models import EmployeeSchedule

    EmployeeSchedule.objects.filter(employee=office.ani).delete()
    put_on_schedule(office.ani, office.shifts, date_from=D(2026, 10, 16))
    client.force_login(office.bkpsdm_user)
    _response, page = _get(client, office)
    assert page.count(f'name="r:{office.ani.id}:2026-10-') == 16
    assert f'name="r:{office.ani.id}:2026-10-15"' not in page
    _post(client, office, {(office.ani, D(2026, 10, 15)): "P", (office.ani, D(2026, 10, 16)): "S"})
    assert _roster(office.ani) == {D(2026, 10, 16): "S"}


def test_who_may_edit_whom(client, office):
    # The kepala leads the unit: the nurse below them, editable.
    client.force_login(office.kepala.user)
    response, page = _get(client, office)
    assert response.status_code == 200 and 'data-testid="roster-save"' in page
    _post(client, office, {(office.nurse, D(2026, 10, 7)): "S"})
    assert _roster(office.nurse) == {D(2026, 10, 7): "S"}
    # A leader (pimpinan) reads it only.
    leader = UserFactory(instansi=office.instansi, username="bupati")
    grant(leader, "pimpinan")
    client.force_login(leader)
    response, page = _get(client, office)
    assert response.status_code == 200 and 'data-testid="roster-save"' not in page
    assert "<select" not in page.split('data-testid="roster-table"')[1]
    assert _post(client, office, {(office.nurse, D(2026, 10, 8)): "P"}).status_code == 403
    # A colleague of the nurse who leads nobody: no roster at all.
    client.force_login(office.ani.user)
    assert _get(client, office)[0].status_code == 403
    assert _roster(office.nurse) == {D(2026, 10, 7): "S"}


def test_a_superior_sees_only_the_shift_workers_below_them(client, office):
    """A second nurse under another head in the same unit is not the kepala ruangan's to roster."""
    other_head = PositionFactory(
        unit=office.unit, instansi=office.instansi, code="KARU2", name="Kepala Ruangan 2"
    )
    nurse_pos = PositionFactory(
        unit=office.unit, instansi=office.instansi, code="PRW2", parent=other_head
    )
    karu = employee_with_login(office.instansi, other_head, name="Karu Dua")
    nurse2 = employee_with_login(office.instansi, nurse_pos, name="Nanda Perawat")
    put_on_schedule(nurse2, office.shifts)
    client.force_login(karu.user)
    _response, page = _get(client, office)
    assert f"roster-row-{nurse2.nip}" in page and f"roster-row-{office.nurse.nip}" not in page
    # A forged cell for the other nurse is ignored.
    _post(client, office, {(office.nurse, D(2026, 10, 9)): "P", (nurse2, D(2026, 10, 9)): "M"})
    assert _roster(office.nurse) == {} and _roster(nurse2) == {D(2026, 10, 9): "M"}


def test_the_grid_costs_the_same_queries_for_more_shift_workers(client, office):
    nurse_pos = office.nurse.assignments.first().position
    client.force_login(office.bkpsdm_user)
    roster_set(
        actor=None,
        instansi=office.instansi,
        schedule=office.shifts,
        entries=[(office.nurse, D(2026, 10, d), "P") for d in range(1, 11)],
    )
    with CaptureQueriesContext(connection) as few:
        assert _get(client, office)[0].status_code == 200
    for i in range(8):
        e = employee_with_login(office.instansi, nurse_pos, name=f"Perawat {i}")
        put_on_schedule(e, office.shifts)
        roster_set(
            actor=None,
            instansi=office.instansi,
            schedule=office.shifts,
            entries=[(e, D(2026, 10, d), "S") for d in range(1, 11)],
        )
    with CaptureQueriesContext(connection) as many:
        response, page = _get(client, office)
    assert page.count('data-testid="roster-row-') == 9
    assert len(many.captured_queries) <= len(few.captured_queries), [
        q["sql"][:120] for q in many.captured_queries
    ]


def test_a_unit_without_shift_workers_says_so(client, office):
    from ekinerja.workcal.models import EmployeeSchedule

    EmployeeSchedule.objects.filter(employee=office.nurse).delete()
    client.force_login(office.bkpsdm_user)
    _response, page = _get(client, office)
    assert 'data-testid="roster-empty"' in page and "Tidak ada pegawai dengan jadwal shift" in page
    assert "Roster shift: Dinas Kesehatan" in page and "Oktober 2026" in page


def test_the_roster_downloads_as_a_sheet_to_print(client, office):
    import io

    import openpyxl

    roster_set(
        actor=None,
        instansi=office.instansi,
        schedule=office.shifts,
        entries=[(office.nurse, D(2026, 10, 3), "M"), (office.nurse, D(2026, 10, 4), "P")],
    )
    client.force_login(office.kepala.user)
    response = client.get(URL, {"unit": office.unit.id, "periode": "2026-10", "format": "xlsx"})
    assert response.status_code == 200
    assert 'filename="roster-DINKES-2026-10.xlsx"' in response["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == "ROSTER SHIFT DINAS KESEHATAN" and values[1][0] == "Bulan Oktober 2026"
    assert "P · 07.00-14.00" in values[2][0]
    header = next(r for r in values if r[0] == "No")
    assert header[:3] == ["No", "Nama / NIP", "1\nKam"] and header[5] == "4\nMin"
    nurse = next(r for r in values if r[1] and office.nurse.nip in str(r[1]))
    assert [v or "" for v in nurse[2:6]] == ["", "", "M", "P"]
    coverage = {r[1]: r[2:] for r in values if r[1] and str(r[1]).startswith("Jumlah shift")}
    assert coverage["Jumlah shift M"][2] == 1 and coverage["Jumlah shift P"][3] == 1


def test_approved_leave_is_marked_in_the_grid(client, office):
    from ekinerja.attendance.models import LeaveType

    from .conftest import annual_leave

    annual_leave(office.nurse, D(2026, 10, 5), D(2026, 10, 6))
    annual_leave(office.nurse, D(2026, 10, 9), D(2026, 10, 9), "submitted")  # not marked
    annual = LeaveType.objects.get(instansi=office.instansi, code="cuti_tahunan")
    client.force_login(office.kepala.user)
    _response, page = _get(client, office)
    marked = re.findall(
        r'<td class="p-0 text-center roster-leave" title="([^"]+)" data-testid="roster-leave">'
        r'<select [^>]*name="r:\d+:(2026-10-\d\d)"',
        page,
    )
    assert marked == [(annual.name, "2026-10-05"), (annual.name, "2026-10-06")]


def test_a_superior_of_shift_workers_is_reminded_of_an_empty_roster(client, office):
    """The home page of the nurse's kepala says when a shift worker has nothing rostered in the
    next 14 days; an office head without shift workers gets no such card."""
    from ekinerja.core.clock import local_today

    client.force_login(office.kepala.user)
    page = html.unescape(client.get(reverse("home")).content.decode())
    assert 'data-testid="home-roster-missing"' in page
    assert "1 dari 1 pegawai bershift belum punya satu shift pun" in page and "Nina Perawat" in page
    assert f"roster/?unit={office.unit.id}&periode=" in page
    today = local_today(office.instansi)
    roster_set(
        actor=None,
        instansi=office.instansi,
        schedule=office.shifts,
        entries=[(office.nurse, today + dt.timedelta(days=3), "P")],
    )
    page = html.unescape(client.get(reverse("home")).content.decode())
    assert 'data-testid="home-roster-ok"' in page and "home-roster-missing" not in page
    # No shift worker below: no card.
    from ekinerja.workcal.models import EmployeeSchedule

    EmployeeSchedule.objects.filter(employee=office.nurse).delete()
    page = client.get(reverse("home")).content.decode()
    assert "home-roster" not in page


def test_a_month_whose_tpp_is_locked_is_said_to_change_no_pay(client, office, monkeypatch):
    from ekinerja.tpp.selectors import locked_months_of

    # TPP registers its read at start-up.
    assert locked_months._source == [locked_months_of]
    nurse = office.nurse.id
    monkeypatch.setattr(
        locked_months,
        "_source",
        [lambda _inst, pairs: {p for p in pairs if p == (nurse, "2026-10")}],
    )
    client.force_login(office.bkpsdm_user)
    _response, page = _get(client, office)
    assert 'data-testid="roster-locked"' in page
    assert "TPP Oktober 2026 sudah dikunci untuk 1 pegawai di sini" in page
    _response, page = _get(client, office, periode="2026-11")
    assert "roster-locked" not in page


def _transfer_nurse(office):
    """The nurse works under the kepala until 9 October and in the RSUD under its director from the
    10th (both on the same shift schedule)."""
    from ekinerja.org.models import Assignment
    from tests.factories import AssignmentFactory, UnitFactory

    rsud = UnitFactory(instansi=office.instansi, code="RSUD", name="RSUD")
    director = PositionFactory(unit=rsud, instansi=office.instansi, code="DIR", kelas=13)
    ward = PositionFactory(unit=rsud, instansi=office.instansi, code="PRW-RS", parent=director)
    boss = employee_with_login(office.instansi, director, name="Direktur RSUD")
    Assignment.objects.filter(employee=office.nurse).update(end=D(2026, 10, 9))
    AssignmentFactory(position=ward, employee=office.nurse, start=D(2026, 10, 10))
    return rsud, boss


def test_a_former_superior_rosters_only_the_days_the_nurse_was_below_them(client, office):
    """The check is per day: before, changing one day of their own period too let the former
    superior set the transferred nurse's shifts under her new head (the span of the changed days
    held a day on which she was below them)."""
    _rsud, boss = _transfer_nurse(office)
    client.force_login(office.kepala.user)
    _response, page = _get(client, office)
    row = page.split(f'data-testid="roster-row-{office.nurse.nip}"')[1].split("</tr>")[0]
    # Nine days of hers are his (selects), the rest read-only.
    assert row.count("<select") == 9 and 'data-testid="roster-not-yours"' in row
    assert f'name="r:{office.nurse.id}:2026-10-09"' in row
    assert f'name="r:{office.nurse.id}:2026-10-20"' not in row
    response = _post(
        client, office, {(office.nurse, D(2026, 10, 5)): "P", (office.nurse, D(2026, 10, 20)): "M"}
    )
    assert response.status_code == 403 and _roster(office.nurse) == {}
    _post(client, office, {(office.nurse, D(2026, 10, 5)): "P"})
    assert _roster(office.nurse) == {D(2026, 10, 5): "P"}
    # Her new head: from the 10th only (not the days under the kepala).
    roster_set(
        actor=boss.user,
        instansi=office.instansi,
        schedule=office.shifts,
        entries=[(office.nurse, D(2026, 10, 20), "M")],
    )
    with pytest.raises(PermissionDenied):
        roster_set(
            actor=boss.user,
            instansi=office.instansi,
            schedule=office.shifts,
            entries=[(office.nurse, D(2026, 10, 6), "S"), (office.nurse, D(2026, 10, 21), "S")],
        )
    assert _roster(office.nurse) == {D(2026, 10, 5): "P", D(2026, 10, 20): "M"}


def test_an_admin_opd_rosters_only_the_days_the_nurse_is_posted_in_their_unit(client, office):
    _transfer_nurse(office)
    admin = UserFactory(instansi=office.instansi, username="admin-dinkes")
    grant(admin, "admin_opd", unit=office.unit)
    client.force_login(admin)
    response = _post(
        client, office, {(office.nurse, D(2026, 10, 5)): "P", (office.nurse, D(2026, 10, 20)): "M"}
    )
    assert response.status_code == 403 and _roster(office.nurse) == {}
    _post(client, office, {(office.nurse, D(2026, 10, 9)): "S"})
    assert _roster(office.nurse) == {D(2026, 10, 9): "S"}
    # BKPSDM: any day.
    client.force_login(office.bkpsdm_user)
    _post(client, office, {(office.nurse, D(2026, 10, 20)): "M"})
    assert _roster(office.nurse) == {D(2026, 10, 9): "S", D(2026, 10, 20): "M"}
