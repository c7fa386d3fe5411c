"""S12 (H1): a leaver's days after their post's end, at the right depth.

Lina, a nurse of the ward, retired on 15 October 2026 (inactive, her definitif post ended on the
14th). Her days after the 14th have no shift schedule in the roster's month
(workcal.selectors.roster_month), so:

- attendance.selectors.roster_grid shows nothing posted for a cell without a schedule that day,
  hers after her end or anyone's (such a cell has no options; the roster view filtered her days
  itself before);
- workcal.services.roster_set refuses a shift on such a day whoever calls it (the page never
  posts one, but any other caller wrote it: a command, a script, the admin form), naming her, her
  NIP and the day; clearing the day stays allowed; an active employee is unaffected. A fixed
  number of queries however many entries.

The live `ekinerja exchange import` reads no roster (policies, catalog, schedules, holidays only)
and the scenario loader's employees are all active, so neither has a leaver's day to refuse.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.attendance import selectors
from ekinerja.core.periods import Period
from ekinerja.workcal import selectors as workcal
from ekinerja.workcal.models import Shift, ShiftRoster
from ekinerja.workcal.services import roster_set
from tests.factories import AssignmentFactory, employee_with_login, put_on_schedule

from .conftest import D

pytestmark = pytest.mark.django_db

OCT = Period(2026, 10)
URL = reverse("attendance:roster")
LAST_DAY = D(2026, 10, 14)


def _leaver(office, name="Lina Pensiun", last=LAST_DAY):
    emp = employee_with_login(office.instansi, name=name, is_active=False)
    AssignmentFactory(employee=emp, position=office.nurse.assignments.get().position, end=last)
    put_on_schedule(emp, office.shifts)
    return emp


def _set(office, entries, actor=None):
    return roster_set(
        actor=actor, instansi=office.instansi, schedule=office.shifts, entries=entries
    )


def _roster(emp) -> dict:
    return {
        r.date: r.shift.code
        for r in ShiftRoster.objects.filter(employee=emp).select_related("shift")
    }


def _month(office, emps):
    return workcal.roster_month(office.instansi, emps, OCT.first_day, OCT.last_day)


def _cell(grid, emp, day):
    row = next(r for r in grid.rows if r["employee"].id == emp.id)
    return next(c for c in row["cells"] if c["day"] == day)


def _coverage(grid, code, day) -> int:
    counts = dict(dict(grid.coverage)[code])
    return counts[day]


# ---------------------------------------------------------------- roster_grid


def test_the_grid_shows_nothing_posted_on_a_leavers_day_after_her_end(office):
    lina = _leaver(office)
    emps = [office.nurse, lina]
    month = _month(office, emps)
    assert month.gone_on(lina.id, D(2026, 10, 16))
    assert D(2026, 10, 16) not in month.schedule_on[lina.id]  # no schedule there: no options
    posted = {
        selectors.roster_cell_name(lina.id, D(2026, 10, 13)): "P",
        selectors.roster_cell_name(lina.id, D(2026, 10, 16)): "M",
        selectors.roster_cell_name(office.nurse.id, D(2026, 10, 16)): "S",
    }
    grid = selectors.roster_grid(office.instansi, month, emps, posted=posted)
    assert _cell(grid, lina, D(2026, 10, 13))["code"] == "P"  # in post: shown again
    assert _cell(grid, lina, D(2026, 10, 16))["code"] == ""  # after her end: not shown
    assert _cell(grid, office.nurse, D(2026, 10, 16))["code"] == "S"
    assert _coverage(grid, "M", D(2026, 10, 16)) == 0
    assert _coverage(grid, "S", D(2026, 10, 16)) == 1


def test_the_grid_shows_nothing_posted_on_anyones_day_without_a_shift_schedule(office):
    # Rudi follows the shift schedule from the 11th only (the default, fixed one before).
    rudi = employee_with_login(
        office.instansi, office.nurse.assignments.get().position, name="Rudi Baru"
    )
    put_on_schedule(rudi, office.shifts, date_from=D(2026, 10, 11))
    month = _month(office, [rudi])
    assert D(2026, 10, 5) not in month.schedule_on[rudi.id]
    posted = {
        selectors.roster_cell_name(rudi.id, D(2026, 10, 5)): "P",
        selectors.roster_cell_name(rudi.id, D(2026, 10, 12)): "P",
    }
    grid = selectors.roster_grid(office.instansi, month, [rudi], posted=posted)
    assert _cell(grid, rudi, D(2026, 10, 5))["code"] == ""
    assert _cell(grid, rudi, D(2026, 10, 12))["code"] == "P"
    assert _coverage(grid, "P", D(2026, 10, 5)) == 0
    assert _coverage(grid, "P", D(2026, 10, 12)) == 1


def test_a_refused_save_shows_her_days_after_her_end_empty(client, office):
    lina = _leaver(office)
    client.force_login(office.bkpsdm_user)
    response = client.post(
        f"{URL}?unit={office.unit.id}&periode=2026-10",
        {
            "periode": "2026-10",
            f"r:{lina.id}:2026-10-13": "X",  # not a shift: the save is refused, the grid shown
            f"r:{lina.id}:2026-10-16": "M",  # after her end: not a cell, not shown
        },
    )
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "shift 'X' tidak ada di jadwalnya" in page
    coverage = page.split('data-testid="roster-coverage-M"')[1].split("</tr>")[0]
    assert [int(n) for n in re.findall(r">(\d+)</td>", coverage)][15] == 0
    assert _roster(lina) == {}


# ---------------------------------------------------------------- roster_set


def test_roster_set_refuses_a_shift_after_her_end_naming_her_and_the_day(office):
    lina = _leaver(office)
    with pytest.raises(ValidationError) as exc:
        _set(
            office,
            [
                (lina, D(2026, 10, 13), "P"),
                (lina, D(2026, 10, 25), "S"),
                (office.nurse, D(2026, 10, 25), "P"),
            ],
        )
    assert exc.value.message_dict["entries"] == [
        f"Lina Pensiun (NIP {lina.nip}): 25 Oktober 2026 sesudah akhir jabatannya "
        "(14 Oktober 2026); tidak bisa diberi shift."
    ]
    assert _roster(lina) == {} and _roster(office.nurse) == {}  # nothing written
    # Her days in post are hers to roster, as before; and BKPSDM's own call is refused alike.
    _set(office, [(lina, D(2026, 10, 13), "P"), (lina, LAST_DAY, "S")])
    assert _roster(lina) == {D(2026, 10, 13): "P", LAST_DAY: "S"}
    with pytest.raises(ValidationError, match="15 Oktober 2026 sesudah akhir jabatannya"):
        _set(office, [(lina, D(2026, 10, 15), "M")], actor=office.bkpsdm_user)
    assert D(2026, 10, 15) not in _roster(lina)


def test_clearing_her_day_after_her_end_is_allowed(office):
    lina = _leaver(office)
    # A shift written before her retirement was recorded.
    ShiftRoster.objects.create(
        instansi=office.instansi,
        employee=lina,
        date=D(2026, 10, 20),
        shift=Shift.objects.get(schedule=office.shifts, code="M"),
    )
    assert _set(office, [(lina, D(2026, 10, 20), None)]) == 0
    assert _roster(lina) == {}
    # A shift then cleared in the same go: the last entry of a day counts.
    _set(office, [(lina, D(2026, 10, 21), "P"), (lina, D(2026, 10, 21), None)])
    assert _roster(lina) == {}


def test_an_active_employee_and_an_inactive_one_without_an_end_are_unaffected(office):
    # Inactive with an open post: no end recorded, so the roster page keeps her whole month too.
    open_ended = employee_with_login(
        office.instansi,
        office.nurse.assignments.get().position,
        name="Tanpa Akhir",
        is_active=False,
    )
    put_on_schedule(open_ended, office.shifts)
    _set(
        office,
        [(office.nurse, D(2026, 10, 25), "P"), (open_ended, D(2026, 10, 25), "S")],
    )
    assert _roster(office.nurse) == {D(2026, 10, 25): "P"}
    assert _roster(open_ended) == {D(2026, 10, 25): "S"}


def test_roster_set_costs_the_same_queries_for_one_leaver_day_or_many(office):
    def count(entries) -> int:
        with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError):
            _set(office, entries)
        return len(queries.captured_queries)

    lina = _leaver(office)
    one = count([(lina, D(2026, 10, 20), "P")])
    others = [_leaver(office, name=f"Pensiun {i}", last=D(2026, 10, 10 + i)) for i in (1, 2, 3)]
    many = count(
        [
            (e, D(2026, 10, 15) + dt.timedelta(days=k), "P")
            for e in [lina, *others]
            for k in range(8)
        ]
    )
    assert many == one


def test_the_admin_form_refuses_a_shift_after_her_end(admin_client, office):
    lina = _leaver(office)
    add = reverse("admin:workcal_shiftroster_add")

    def post(day: str):
        return admin_client.post(
            add,
            {
                "instansi": office.instansi.id,
                "employee": lina.id,
                "date": day,
                "shift": Shift.objects.get(schedule=office.shifts, code="P").id,
            },
        )

    response = post("2026-10-25")
    assert response.status_code == 200
    assert (
        f"Lina Pensiun (NIP {lina.nip}): 25 Oktober 2026 sesudah akhir jabatannya "
        "(14 Oktober 2026); tidak bisa diberi shift." in html.unescape(response.content.decode())
    )
    assert _roster(lina) == {}
    assert post("2026-10-13").status_code == 302
    assert _roster(lina) == {D(2026, 10, 13): "P"}
