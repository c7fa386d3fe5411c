"""S11 (H8): the shift roster of the month someone left (/kehadiran/roster/) keeps their row up to
their post's end. Lina, a nurse of the ward, retired on 15 October 2026 (inactive now, her
definitif post ended on the 14th): the roster of October lists her with her shifts of the 1st to
the 14th, on the page and in the xlsx, and the days after her end as not hers ("×", nothing to
edit, nothing posted or imported saved there, nothing copied by "Salin"). Her superior, the
kepala, corrects a shift of her last days as on any row, and her attendance follows. Before, the
roster read active employees only (views.employees_of_unit) and her October shifts were gone."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.attendance import selectors, services
from ekinerja.attendance.models import DailyAttendance
from ekinerja.core.periods import Period
from ekinerja.workcal.models import ShiftRoster
from ekinerja.workcal.services import roster_set
from tests.factories import AssignmentFactory, employee_with_login, put_on_schedule

from .conftest import D, at

pytestmark = pytest.mark.django_db

URL = reverse("attendance:roster")
OCT = Period(2026, 10)
NOW = dt.datetime(2026, 10, 20, 2, tzinfo=dt.UTC)  # Tuesday 20 October 2026, 10:00 WITA
LAST_DAY = D(2026, 10, 14)  # her post's end: she left on the 15th
IN_POST = [D(2026, 10, d) for d in range(1, 15)]
AFTER = [D(2026, 10, d) for d in range(15, 32)]


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _leaver(office, name="Lina Pensiun", last=LAST_DAY):
    """A nurse of the ward on the shift schedule, inactive, her post ended on `last`."""
    emp = employee_with_login(office.instansi, name=name, is_active=False)
    AssignmentFactory(employee=emp, position=office.nurse.assignments.get().position, end=last)
    put_on_schedule(emp, office.shifts)
    return emp


def _set(office, emp, codes: dict):
    roster_set(
        actor=None,
        instansi=office.instansi,
        schedule=office.shifts,
        entries=[(emp, day, code) for day, code in codes.items()],
    )


@pytest.fixture
def lina(office):
    """Lina with P on the 2nd, S on the 10th, and a stale M on the 20th (a roster drawn up before
    her retirement was recorded)."""
    lina = _leaver(office)
    _set(office, lina, {D(2026, 10, 2): "P", D(2026, 10, 10): "S"})
    # Written while she was still active: roster_set refuses it now that her end is recorded.
    ShiftRoster.objects.create(
        instansi=office.instansi,
        employee=lina,
        date=D(2026, 10, 20),
        shift=office.shifts.shifts.get(code="M"),
    )
    return lina


def _roster(emp) -> dict:
    return {
        r.date: r.shift.code
        for r in ShiftRoster.objects.filter(employee=emp).select_related("shift")
    }


def _get(client, office):
    response = client.get(URL, {"unit": office.unit.id, "periode": "2026-10"})
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _post(client, office, cells: dict):
    data = {"periode": "2026-10"}
    data.update({f"r:{emp.id}:{day.isoformat()}": code for (emp, day), code in cells.items()})
    return client.post(f"{URL}?unit={office.unit.id}&periode=2026-10", data)


def _row(page: str, emp) -> str:
    return page.split(f'data-testid="roster-row-{emp.nip}"')[1].split("</tr>")[0]


def _download(client, office) -> openpyxl.Workbook:
    response = client.get(URL, {"unit": office.unit.id, "periode": "2026-10", "format": "xlsx"})
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _sheet_row(ws, emp) -> int:
    for row in ws.iter_rows(min_col=2, max_col=2):
        if row[0].value and f"({emp.nip})" in str(row[0].value):
            return row[0].row
    raise AssertionError(f"{emp.name} not in the sheet")


def _upload(client, office, wb):
    buf = io.BytesIO()
    wb.save(buf)
    return client.post(
        f"{URL}?unit={office.unit.id}&periode=2026-10",
        {
            "periode": "2026-10",
            "aksi": "impor",
            "berkas": SimpleUploadedFile("r.xlsx", buf.getvalue()),
        },
    )


def test_the_roster_lists_the_leaver_with_her_days_in_post_and_none_after(client, office, lina):
    client.force_login(office.bkpsdm_user)
    page = _get(client, office)
    row = _row(page, lina)
    assert "Lina Pensiun" in row and "Berhenti; menjabat s.d. 14 Oktober 2026" in row
    # A cell per day up to her end, with her shifts; after it "×", nothing to choose.
    assert re.findall(rf'name="r:{lina.id}:(2026-10-\d\d)"', row) == [
        d.isoformat() for d in IN_POST
    ]
    assert '<option value="P" selected>P</option>' in row
    assert '<option value="S" selected>S</option>' in row
    assert row.count('data-testid="roster-gone"') == len(AFTER)
    assert "2 shift" in row  # the stale M of the 20th is not hers
    assert 'data-testid="roster-gone-note"' in page
    # The coverage counts her shifts of her days, not the stale one after her end.
    coverage = page.split('data-testid="roster-coverage-M"')[1].split("</tr>")[0]
    assert [int(n) for n in re.findall(r">(\d+)</td>", coverage)][19] == 0
    coverage = page.split('data-testid="roster-coverage-P"')[1].split("</tr>")[0]
    assert [int(n) for n in re.findall(r">(\d+)</td>", coverage)][1] == 1


def test_the_sheet_has_her_shifts_of_her_days_and_a_mark_after(client, office, lina):
    client.force_login(office.bkpsdm_user)
    ws = _download(client, office)["Roster"]
    r = _sheet_row(ws, lina)
    values = [ws.cell(r, 3 + i).value or "" for i in range(31)]
    assert values[1] == "P" and values[9] == "S"
    assert values[:14].count("") == 12  # her other days in post: off
    assert values[14:] == [services.ROSTER_GONE] * len(AFTER)
    texts = [str(ws.cell(i, 1).value or "") for i in range(1, r)]
    assert any(t.startswith("× = tidak menjabat lagi") for t in texts)
    # The active nurse's row: a blank (off) cell on every day, no mark.
    n = _sheet_row(ws, office.nurse)
    assert [ws.cell(n, 3 + i).value or "" for i in range(31)] == [""] * 31


def test_her_superior_corrects_a_day_in_post_and_her_attendance_follows(client, office, lina):
    services.punches_insert(
        office.instansi,
        [
            services.PunchRow(lina.id, at(D(2026, 10, 13), 6, 55), "fingerprint", "SN1"),
            services.PunchRow(lina.id, at(D(2026, 10, 13), 14, 5), "fingerprint", "SN1"),
        ],
    )
    assert D(2026, 10, 13) not in {
        f.date for f in selectors.attendance_month([lina], OCT)[lina.id] if f.working
    }
    client.force_login(office.kepala.user)
    page = _get(client, office)
    row = _row(page, lina)
    assert f'name="r:{lina.id}:2026-10-13"' in row  # editable: a select, not a read-only span
    response = _post(
        client,
        office,
        {(lina, D(2026, 10, 13)): "P", (lina, D(2026, 10, 2)): "P", (lina, D(2026, 10, 16)): "S"},
    )
    assert response.status_code == 302
    # The 13th saved; the 16th, after her end, ignored as a cell not shown (the 20th's left).
    assert _roster(lina) == {
        D(2026, 10, 2): "P",
        D(2026, 10, 10): "S",
        D(2026, 10, 13): "P",
        D(2026, 10, 20): "M",
    }
    day = next(f for f in selectors.attendance_month([lina], OCT)[lina.id] if f.date.day == 13)
    assert day.working and day.status == "present"


def test_her_stored_day_is_derived_again_after_the_roster_changes(
    office, lina, django_capture_on_commit_callbacks
):
    services.daily_recompute(instansi=office.instansi, start=D(2026, 10, 1), end=D(2026, 10, 19))
    assert DailyAttendance.objects.get(employee=lina, date=D(2026, 10, 2)).status == "absent"
    with django_capture_on_commit_callbacks(execute=True):
        _set(office, lina, {D(2026, 10, 2): None})
    assert not DailyAttendance.objects.filter(employee=lina, date=D(2026, 10, 2)).exists()


def test_a_sheet_with_a_shift_after_her_end_is_refused_and_nothing_is_saved(client, office, lina):
    client.force_login(office.bkpsdm_user)
    wb = _download(client, office)
    ws = wb["Roster"]
    r = _sheet_row(ws, lina)
    ws.cell(r, 3 + 12).value = "M"  # 13 Oct: in post, fine on its own
    ws.cell(r, 3 + 17).value = "P"  # 18 Oct: after her end
    ws.cell(r, 3 + 19).value = None  # 20 Oct blanked: left as it is, not an error
    response = _upload(client, office, wb)
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert (
        f"Sel T{r} (Lina Pensiun, 18 Oktober 2026): Lina Pensiun tidak menjabat lagi sejak "
        "15 Oktober 2026 (berhenti); roster hari itu tidak dapat diisi" in page
    )
    assert f"V{r}" not in page
    assert _roster(lina) == {D(2026, 10, 2): "P", D(2026, 10, 10): "S", D(2026, 10, 20): "M"}
    # Without the cell after her end the sheet is imported: her 13th saved, the "×" left alone.
    ws.cell(r, 3 + 17).value = services.ROSTER_GONE
    response = _upload(client, office, wb)
    assert response.status_code == 302
    assert _roster(lina)[D(2026, 10, 13)] == "M" and _roster(lina)[D(2026, 10, 20)] == "M"


def test_copy_from_last_month_gives_her_nothing_after_her_end(client, office, lina):
    september = [D(2026, 9, 3) + dt.timedelta(days=i) for i in range(28)]
    _set(office, lina, {d: "P" for d in september})
    _set(office, office.nurse, {d: "S" for d in september})
    client.force_login(office.bkpsdm_user)
    response = client.post(
        f"{URL}?unit={office.unit.id}&periode=2026-10",
        {"periode": "2026-10", "aksi": "salin", "siklus": "28"},
    )
    assert response.status_code == 302
    got = _roster(lina)
    october = {d: c for d, c in got.items() if d.month == 10}
    # Her days in post filled (the 2nd and 10th already were, and kept); the stale 20th as it was.
    assert {d for d in october if d <= LAST_DAY} == set(IN_POST)
    assert {d for d in october if d > LAST_DAY} == {D(2026, 10, 20)}
    assert october[D(2026, 10, 20)] == "M"
    # The active nurse: the whole month, as before.
    assert len([d for d in _roster(office.nurse) if d.month == 10]) == 31


def test_an_active_nurses_row_is_unchanged_by_a_leaver_beside_her(client, office):
    _set(office, office.nurse, {D(2026, 10, 3): "M", D(2026, 10, 20): "P"})
    client.force_login(office.bkpsdm_user)
    before = _row(_get(client, office), office.nurse)
    _leaver(office)
    page = _get(client, office)
    assert _row(page, office.nurse) == before
    assert 'data-testid="roster-gone"' not in _row(page, office.nurse)


def test_a_leaver_of_another_month_or_off_shifts_has_no_row(client, office):
    gone_before = _leaver(office, name="Pensiun September", last=D(2026, 9, 30))
    client.force_login(office.bkpsdm_user)
    page = _get(client, office)
    assert f'roster-row-{gone_before.nip}"' not in page
    # In September she is a row for the whole month, nothing marked.
    response = client.get(URL, {"unit": office.unit.id, "periode": "2026-09"})
    row = _row(html.unescape(response.content.decode()), gone_before)
    assert row.count(f'name="r:{gone_before.id}:2026-09-') == 30
    assert 'data-testid="roster-gone"' not in row


def test_the_page_costs_the_same_queries_for_one_or_three_leavers(client, office):
    def count(user):
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            page = _get(client, office)
        return len(queries.captured_queries), page

    first = _leaver(office, name="Lina 1")
    _set(office, first, {D(2026, 10, 2): "P"})
    few_bk, _ = count(office.bkpsdm_user)
    few_head, page = count(office.kepala.user)
    assert f'name="r:{first.id}:2026-10-14"' in page
    for i in (2, 3):
        other = _leaver(office, name=f"Lina {i}", last=D(2026, 10, 10 + i))
        _set(office, other, {D(2026, 10, 2): "S"})
    many_bk, _ = count(office.bkpsdm_user)
    many_head, page = count(office.kepala.user)
    assert page.count('data-testid="roster-leaver"') == 3
    assert many_bk <= few_bk and many_head <= few_head
