"""Attendance pages agree with the TPP run on whose working days count: a joiner's days before their
first definitif post and a retiree's after their last are no working days of theirs (not tanpa
keterangan, not counted in the month page, the recap, the stored days or the leaders' counts);
punches on a Sunday or a holiday are shown on that day, marked as a non-working day; a shift
worker's leave is counted as docs/attendance.md says."""

import datetime as dt
import re

import pytest
import time_machine

from ekinerja.attendance import derivation, selectors, services
from ekinerja.attendance.models import DailyAttendance, LeaveType
from ekinerja.core.periods import Period
from ekinerja.workcal.services import roster_set
from tests.attendance.conftest import D, at
from tests.factories import AssignmentFactory, employee_with_login, holiday

pytestmark = pytest.mark.django_db
OCT = Period(2026, 10)
NOW = dt.datetime(2026, 11, 2, 2, tzinfo=dt.UTC)  # Monday 2 November 2026, 10:00 WITA
# October 2026 on the office's Monday-Friday schedule: 22 working days, 12 of them from Thursday
# the 15th, 11 up to and including Thursday the 15th.
BEFORE_15 = [D(2026, 10, d) for d in (1, 2, 5, 6, 7, 8, 9, 12, 13, 14)]


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def punches(emp, *times):
    services.punches_insert(
        emp.instansi, [services.PunchRow(emp.id, t, "fingerprint", "SN1") for t in times]
    )


def _posted(office, name, start, end=None):
    """An employee whose only definitif post (a staff post of the office's unit) runs from `start`
    to `end`."""
    e = employee_with_login(office.instansi, name=name)
    position = office.ani.assignments.get().position
    AssignmentFactory(employee=e, position=position, start=start, end=end)
    return e


def _present_every_day(emp, days):
    punches(emp, *[t for d in days for t in (at(d, 7, 25), at(d, 16, 35))])


def _recap_row(html: str, name: str) -> list[int]:
    table = html.split('data-testid="recap-table"')[1].split("</table>")[0]
    row = next(r for r in table.split("<tr") if f">{name}<" in r)
    return [int(x) for x in re.findall(r'<td class="text-end">(\d+)</td>', row)]


# ---------------------------------------------------------------- 1. days in post


def test_a_joiner_s_days_before_the_first_post_are_not_tanpa_keterangan_on_the_month_page(
    office, client
):
    citra = _posted(office, "Citra CPNS", D(2026, 10, 15))
    client.force_login(citra.user)
    html = client.get("/kehadiran/?periode=2026-10").content.decode()
    summary = html.split('data-testid="month-summary"')[1].split("</div>\n{%")[0]
    values = re.findall(r'<div class="value">(\d+)', summary)
    # Hari kerja 12 (from the 15th), Tanpa keterangan 12 (no punch at all since).
    assert values[0] == "12" and values[3] == "12"
    for day in BEFORE_15:
        assert f'data-testid="day-{day:%Y-%m-%d}" data-status="absent"' not in html
    assert 'data-testid="day-2026-10-15" data-status="absent"' in html
    assert "Menjabat sejak 15 Oktober 2026" in html


def test_a_retiree_s_days_after_the_last_post_are_not_working_days(office, client):
    dedi = _posted(office, "Dedi Purna", D(2020, 1, 1), end=D(2026, 10, 14))
    _present_every_day(dedi, BEFORE_15)
    facts = selectors.attendance_days([dedi], OCT.first_day, OCT.last_day)[dedi.id]
    working = [f for f in facts if f.working]
    assert [f.date for f in working] == BEFORE_15
    assert all(f.status == "present" for f in working)
    client.force_login(office.bkpsdm_user)
    r = client.get(f"/kehadiran/pegawai/{dedi.pk}/?periode=2026-10")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-status="absent"' not in html
    assert 'data-testid="day-2026-10-15" data-status="not_in_post"' not in html  # no punch: blank
    assert "Menjabat sampai 14 Oktober 2026" in html


def test_the_recap_counts_a_joiner_s_days_in_post_only(office, client):
    citra = _posted(office, "Citra CPNS", D(2026, 10, 15))
    _present_every_day(citra, [D(2026, 10, 15), D(2026, 10, 16)])
    client.force_login(office.kepala.user)
    html = client.get(f"/kehadiran/rekap/?unit={office.unit.pk}&periode=2026-10").content.decode()
    cells = _recap_row(html, "Citra CPNS")
    # Hari kerja, hadir tepat, ..., tanpa keterangan (9th column)
    assert cells[0] == 12 and cells[1] == 2 and cells[8] == 10
    assert _recap_row(html, "Ani")[0] == 22  # in post all month: every working day


def test_stored_days_and_the_leaders_counts_leave_out_the_days_before_the_first_post(office):
    citra = _posted(office, "Citra CPNS", D(2026, 10, 15))
    services.daily_recompute(instansi=office.instansi, start=OCT.first_day, end=OCT.last_day)
    rows = {r.date: r for r in DailyAttendance.objects.filter(employee=citra)}
    assert not any(d in rows for d in BEFORE_15)
    assert rows[D(2026, 10, 15)].status == "absent"
    c = selectors.attendance_counts(office.instansi, OCT.first_day, OCT.last_day)
    assert (c[citra.id].scheduled, c[citra.id].absent) == (12, 12)
    assert (c[office.ani.id].scheduled, c[office.ani.id].absent) == (22, 22)


def test_days_between_two_posts_are_not_working_days_either(office):
    # As the TPP run's days in post (tpp-rules.md): a day without any definitif post is not one.
    eko = _posted(office, "Eko Mutasi", D(2020, 1, 1), end=D(2026, 10, 9))
    AssignmentFactory(
        employee=eko, position=office.ani.assignments.get().position, start=D(2026, 10, 19)
    )
    facts = selectors.attendance_days([eko], OCT.first_day, OCT.last_day)[eko.id]
    days = {f.date for f in facts if f.working}
    assert D(2026, 10, 9) in days and D(2026, 10, 19) in days
    assert not any(D(2026, 10, d) in days for d in (12, 13, 14, 15, 16))


def test_leave_and_punches_before_the_first_post_are_shown_but_not_working(office):
    citra = _posted(office, "Citra CPNS", D(2026, 10, 15))
    punches(citra, at(D(2026, 10, 13), 8), at(D(2026, 10, 13), 12))  # an orientation day
    facts = {
        f.date: f for f in selectors.attendance_days([citra], OCT.first_day, OCT.last_day)[citra.id]
    }
    f = facts[D(2026, 10, 13)]
    assert (f.status, f.working, f.in_post) == ("off", False, False)
    assert f.check_in == at(D(2026, 10, 13), 8) and f.check_out == at(D(2026, 10, 13), 12)


def test_the_tpp_run_s_working_days_still_do_not_depend_on_posts(office):
    # tpp-rules.md "Working days W": W does not depend on assignments (a prorated ceiling).
    citra = _posted(office, "Citra CPNS", D(2026, 10, 15))
    assert len(selectors.attendance_month([citra], OCT)[citra.id]) == 22


def test_an_employee_without_any_post_on_record_keeps_the_plain_calendar(office):
    from tests.factories import EmployeeFactory

    lone = EmployeeFactory(instansi=office.instansi)
    facts = selectors.attendance_days([lone], OCT.first_day, OCT.last_day)[lone.id]
    assert sum(1 for f in facts if f.working) == 22


def test_the_recap_reads_the_posts_without_a_query_per_employee(office, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _posted(office, "Citra CPNS", D(2026, 10, 15))
    client.force_login(office.kepala.user)
    url = f"/kehadiran/rekap/?unit={office.unit.pk}&periode=2026-10"
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n, first in enumerate((D(2026, 10, 5), D(2026, 10, 20), D(2026, 10, 26))):
        _posted(office, f"Baru {n}", first)
    with CaptureQueriesContext(connection) as four:
        html = client.get(url).content.decode()
    assert len(four.captured_queries) == len(one.captured_queries)
    assert _recap_row(html, "Baru 1")[0] == 9  # from Tuesday the 20th


# ---------------------------------------------------------------- 3. punches on non-working days


def test_a_sunday_s_punches_are_shown_on_the_month_page_as_a_non_working_day(office, client):
    sunday = D(2026, 10, 4)
    punches(office.ani, at(sunday, 8, 5), at(sunday, 12, 40))
    client.force_login(office.ani.user)
    html = client.get("/kehadiran/?periode=2026-10").content.decode()
    cell = html.split(f'data-testid="day-{sunday:%Y-%m-%d}"')[1].split("</td>")[0]
    assert 'data-status="off"' in cell
    assert "08.05" in cell and "12.40" in cell
    assert "Libur" in cell
    summary = html.split('data-testid="month-summary"')[1].split("</div>\n{%")[0]
    assert re.findall(r'<div class="value">(\d+)', summary)[0] == "22"  # no extra working day


def test_a_holiday_s_punches_are_shown_on_the_board_and_not_counted(office, client):
    day = D(2026, 10, 19)  # a Monday made a regional holiday
    holiday(office.instansi, day, name="Hari Jadi Kabupaten")
    punches(office.budi, at(day, 7, 50), at(day, 11, 15))
    client.force_login(office.kepala.user)
    html = client.get(f"/kehadiran/papan/?unit={office.unit.pk}&tanggal=2026-10-19").content
    html = html.decode()
    counts = html.split('data-testid="board-counts"')[1].split("</p>")[0]
    assert "Hadir 0" in counts and "Tanpa keterangan 0" in counts
    row = next(r for r in html.split("<tr") if ">Budi<" in r)
    assert "07.50" in row and "11.15" in row and "Libur" in row


def test_the_check_out_of_a_night_shift_is_not_an_off_day_punch(office):
    n = office.nurse
    roster_set(
        actor=None,
        instansi=office.instansi,
        schedule=office.shifts,
        entries=[(n, D(2026, 10, 9), "M")],
    )
    punches(n, at(D(2026, 10, 9), 20, 55), at(D(2026, 10, 10), 7, 5))
    facts = {f.date: f for f in selectors.attendance_days([n], OCT.first_day, OCT.last_day)[n.id]}
    assert facts[D(2026, 10, 9)].status == "present"
    # Saturday the 10th is off: the 07:05 punch is the night's check-out, not a Saturday punch.
    assert D(2026, 10, 10) not in facts


def test_an_off_day_with_punches_is_derived_with_its_times():
    tz = dt.timezone(dt.timedelta(hours=8))
    day = D(2026, 10, 4)
    times = [dt.datetime(2026, 10, 4, h, tzinfo=tz) for h in (13, 8, 10)]
    f = derivation.derive_day(day, None, times)
    assert (f.status, f.working, f.has_any_punch) == ("off", False, True)
    assert (f.check_in.hour, f.check_out.hour) == (8, 13)
    one = derivation.derive_day(day, None, times[:1])
    assert (one.check_in.hour, one.check_out) == (13, None)
    assert not f.absent_without_notice and not f.late_minutes


def test_a_stored_off_day_keeps_its_punch_times(office):
    sunday = D(2026, 10, 4)
    punches(office.ani, at(sunday, 8, 5), at(sunday, 12, 40))
    services.daily_recompute(instansi=office.instansi, start=sunday, end=sunday)
    row = DailyAttendance.objects.get(employee=office.ani, date=sunday)
    assert (row.status, row.working) == ("off", False)
    assert row.check_in == at(sunday, 8, 5) and row.check_out == at(sunday, 12, 40)
    c = selectors.attendance_counts(office.instansi, sunday, sunday)[office.ani.id]
    assert (c.scheduled, c.present, c.absent) == (0, 0, 0)


# ---------------------------------------------------------------- 2. a shift worker's leave


def test_a_shift_worker_s_leave_counts_only_rostered_days_in_the_attendance_figures(office, client):
    # Not a defect: the attendance figures (month page, recap, stored days, leaders' counts) count
    # a shift worker's leave on rostered days only. The cuti balance charges an unrostered weekday
    # by the base pattern on purpose (docs/attendance.md "Leave of shift workers").
    n = office.nurse
    roster_set(
        actor=None,
        instansi=office.instansi,
        schedule=office.shifts,
        entries=[(n, D(2026, 10, 5), "P"), (n, D(2026, 10, 6), "S"), (n, D(2026, 10, 10), "P")],
    )
    req = services.leave_record_approved(
        actor=None,
        employee=n,
        leave_type=LeaveType.objects.get(instansi=office.instansi, code="sakit"),
        date_from=D(2026, 10, 5),  # Monday .. Sunday
        date_to=D(2026, 10, 11),
    )
    assert req.working_days == 6  # the balance: 3 rostered + Wed-Fri by the base pattern
    client.force_login(office.bkpsdm_user)
    html = client.get(f"/kehadiran/pegawai/{n.pk}/?periode=2026-10").content.decode()
    summary = html.split('data-testid="month-summary"')[1].split("</div>\n{%")[0]
    values = re.findall(r'<div class="value">(\d+)', summary)
    assert (values[0], values[4]) == ("3", "3")  # Hari kerja 3, Cuti/izin 3
    assert 'data-testid="day-2026-10-07" data-status="leave"' in html  # shown, not counted
    services.daily_recompute(instansi=office.instansi, start=OCT.first_day, end=OCT.last_day)
    c = selectors.attendance_counts(office.instansi, OCT.first_day, OCT.last_day)[n.id]
    assert (c.scheduled, c.leave, c.absent) == (3, 3, 0)
    recap = selectors.attendance_month([n], OCT, in_post=True)[n.id]
    assert sum(1 for f in recap if f.leave_type) == 3
