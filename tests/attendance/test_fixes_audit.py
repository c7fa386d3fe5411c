"""Fixes from the attendance audit: cuti tahunan approved without counting itself as pending, leave
days that are not working days kept out of the counts, stored days and leave counts that follow the
work calendar, a stalled machine holding back only its own users, shift workers' leave, the one
year of service before cuti tahunan, cancelling an approved leave, the superior of the local day."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ekinerja.attendance import selectors, services, tasks
from ekinerja.attendance.models import DailyAttendance, Device, LeaveType, PinMapping
from ekinerja.core.models import AuditEvent
from ekinerja.core.periods import Period
from ekinerja.org.models import Assignment
from ekinerja.workcal.services import (
    employee_schedule_assign,
    holiday_create,
    holiday_delete,
    roster_set,
    schedule_define,
)
from tests.attendance.conftest import D, T, at
from tests.factories import (
    AssignmentFactory,
    PositionFactory,
    employee_with_login,
    fixed_schedule,
    make_nip,
)

pytestmark = pytest.mark.django_db
OCT = Period(2026, 10)
UTC = dt.UTC


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """A change followed by its commit: the refreshes it asks for run once it is committed
    (tasks.dispatch), as they do after a request or a command."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def lt(office, code):
    return LeaveType.objects.get(instansi=office.instansi, code=code)


def stored(emp):
    return {r.date: r for r in DailyAttendance.objects.filter(employee=emp)}


def punches(emp, *times, key="SN1", device=None):
    services.punches_insert(
        emp.instansi,
        [
            services.PunchRow(emp.id, t, "fingerprint", key, device.id if device else None)
            for t in times
        ],
    )


# ---------------------------------------------------------------- 1. approval of cuti tahunan


def test_cuti_tahunan_is_approved_without_counting_itself_as_pending(office):
    office.ani.assignments.update(start=D(2026, 1, 1))  # 12 days, no carry-over
    tahunan = lt(office, "cuti_tahunan")
    seven = services.leave_request_submit(
        actor=office.ani.user,
        employee=office.ani,
        leave_type=tahunan,
        date_from=D(2026, 10, 5),
        date_to=D(2026, 10, 13),
    )
    five = services.leave_request_submit(
        actor=office.ani.user,
        employee=office.ani,
        leave_type=tahunan,
        date_from=D(2026, 11, 2),
        date_to=D(2026, 11, 6),
    )
    assert (seven.working_days, five.working_days) == (7, 5)
    # 7 + 5 = the 12 days: each approval fits, the other request still reserved.
    services.leave_request_decide(actor=office.kepala.user, request=seven, approve=True)
    seven.refresh_from_db()
    assert seven.status == "approved"
    bal = selectors.annual_leave(office.ani, 2026)
    assert (bal.used, bal.pending, bal.available) == (7, 5, 0)
    services.leave_request_decide(actor=office.kepala.user, request=five, approve=True)
    five.refresh_from_db()
    assert five.status == "approved"
    assert selectors.annual_leave(office.ani, 2026).used == 12


def test_approval_still_refuses_what_the_balance_no_longer_holds(office):
    office.ani.assignments.update(start=D(2026, 1, 1))
    req = services.leave_request_submit(
        actor=office.ani.user,
        employee=office.ani,
        leave_type=lt(office, "cuti_tahunan"),
        date_from=D(2026, 10, 5),
        date_to=D(2026, 10, 13),
    )
    services.leave_record_approved(
        actor=None,
        employee=office.ani,
        leave_type=lt(office, "cuti_tahunan"),
        date_from=D(2026, 11, 2),
        date_to=D(2026, 11, 9),  # 6 days on paper meanwhile: 12 - 6 = 6 < 7
    )
    with pytest.raises(ValidationError) as exc:
        services.leave_request_decide(actor=office.kepala.user, request=req, approve=True)
    assert "Sisa cuti tahunan 2026 hanya 6" in str(exc.value)


# ---------------------------------------------------------------- 3. leave days that are not working


@time_machine.travel(dt.datetime(2026, 10, 12, 2, tzinfo=UTC), tick=False)
def test_a_leave_over_a_weekend_counts_only_its_working_days_as_scheduled_and_leave(office, client):
    services.leave_record_approved(
        actor=None,
        employee=office.ani,
        leave_type=lt(office, "sakit"),
        date_from=D(2026, 10, 2),  # Friday .. Monday
        date_to=D(2026, 10, 5),
    )
    services.daily_recompute(instansi=office.instansi, start=D(2026, 10, 1), end=D(2026, 10, 9))
    rows = stored(office.ani)
    saturday = rows[D(2026, 10, 3)]
    assert (saturday.status, saturday.leave_type, saturday.working) == ("leave", "sakit", False)
    assert rows[D(2026, 10, 2)].working and rows[D(2026, 10, 2)].status == "leave"
    c = selectors.attendance_counts(office.instansi, D(2026, 10, 1), D(2026, 10, 9))[office.ani.id]
    facts = [
        f
        for f in selectors.attendance_month([office.ani], OCT)[office.ani.id]
        if f.date <= D(2026, 10, 9)
    ]
    assert (c.scheduled, c.leave, c.absent) == (7, 2, 5)
    assert (c.scheduled, c.leave) == (len(facts), sum(1 for f in facts if f.leave_type))
    # The board of that Saturday counts no one on leave: it is nobody's working day.
    client.force_login(office.kepala.user)
    html = client.get(f"/kehadiran/papan/?unit={office.unit.pk}&tanggal=2026-10-03").content
    counts = html.decode().split('data-testid="board-counts"')[1].split("</p>")[0]
    assert "Cuti/izin 0" in counts


# ---------------------------------------------------------------- 4. the work calendar changes


NOW_30 = dt.datetime(2026, 10, 30, 2, tzinfo=UTC)  # Friday 30 October, 10:00 WITA


@time_machine.travel(NOW_30, tick=False)
def test_a_holiday_added_or_removed_later_changes_the_stored_days(office, committed):
    services.daily_recompute(instansi=office.instansi, start=D(2026, 10, 19), end=D(2026, 10, 23))
    assert stored(office.ani)[D(2026, 10, 20)].status == "absent"
    with committed():
        h = holiday_create(
            actor=office.bkpsdm_user,
            instansi=office.instansi,
            date=D(2026, 10, 20),
            name="Hari Jadi Kabupaten",
            kind="regional",
        )
    assert D(2026, 10, 20) not in stored(office.ani)
    assert D(2026, 10, 20) not in stored(office.budi)
    c = selectors.attendance_counts(office.instansi, D(2026, 10, 19), D(2026, 10, 23))
    assert (c[office.ani.id].scheduled, c[office.ani.id].absent) == (4, 4)
    with committed():
        holiday_delete(actor=office.bkpsdm_user, holiday=h)
    assert stored(office.ani)[D(2026, 10, 20)].status == "absent"


@time_machine.travel(NOW_30, tick=False)
def test_a_holiday_inside_an_approved_cuti_tahunan_gives_the_day_back(office, committed):
    req = services.leave_record_approved(
        actor=None,
        employee=office.ani,
        leave_type=lt(office, "cuti_tahunan"),
        date_from=D(2026, 11, 16),
        date_to=D(2026, 11, 20),
    )
    assert selectors.annual_leave(office.ani, 2026).used == 5
    with committed():
        holiday_create(
            actor=office.bkpsdm_user,
            instansi=office.instansi,
            date=D(2026, 11, 18),
            name="Hari Jadi Kabupaten",
            kind="regional",
        )
    req.refresh_from_db()
    assert req.working_days == 4
    assert selectors.annual_leave(office.ani, 2026).used == 4
    event = AuditEvent.objects.filter(action="attendance.leave.recount").get()
    assert event.after["hari_kerja"][str(req.pk)] == {"dari": 5, "menjadi": 4}


@time_machine.travel(NOW_30, tick=False)
def test_a_roster_corrected_after_the_day_changes_its_stored_shift(office, committed):
    n = office.nurse
    roster_set(actor=None, instansi=office.instansi, schedule=office.shifts,
               entries=[(n, D(2026, 10, 20), "P")])  # fmt: skip
    punches(n, at(D(2026, 10, 20), 21, 0), at(D(2026, 10, 21), 7, 2))
    services.daily_recompute(instansi=office.instansi, start=D(2026, 10, 19), end=D(2026, 10, 22))
    assert (stored(n)[D(2026, 10, 20)].shift, stored(n)[D(2026, 10, 20)].status) == ("P", "absent")
    with committed():
        roster_set(actor=None, instansi=office.instansi, schedule=office.shifts,
                   entries=[(n, D(2026, 10, 20), "M")])  # fmt: skip
    row = stored(n)[D(2026, 10, 20)]
    assert (row.shift, row.status, row.late_minutes) == ("M", "present", 0)


@time_machine.travel(NOW_30, tick=False)
def test_schedule_changes_reach_the_stored_days_of_whom_they_touch(office, committed):
    services.daily_recompute(instansi=office.instansi, start=D(2026, 10, 19), end=D(2026, 10, 25))
    assert D(2026, 10, 24) not in stored(office.budi)  # a Saturday
    six = fixed_schedule(office.instansi, code="6HK", days={d: (T(7, 30), T(14)) for d in range(6)})
    with committed():
        employee_schedule_assign(
            actor=None, employee=office.budi, schedule=six, date_from=D(2026, 10, 19)
        )
    assert stored(office.budi)[D(2026, 10, 24)].status == "absent"
    assert D(2026, 10, 24) not in stored(office.ani)
    # The default schedule redefined with Saturdays: everyone without a period of their own.
    with committed():
        schedule_define(
            actor=None,
            instansi=office.instansi,
            code="5HK",
            name="Enam hari",
            days={d: (T(7, 30), T(15)) for d in range(6)},
            is_default=True,
        )
    assert stored(office.ani)[D(2026, 10, 24)].status == "absent"
    assert stored(office.ani)[D(2026, 10, 19)].scheduled_end.hour == 7  # 15:00 WITA


@time_machine.travel(NOW_30, tick=False)
def test_a_calendar_change_never_stores_history_the_nightly_job_never_stored(office, committed):
    with committed():
        holiday_create(
            actor=None,
            instansi=office.instansi,
            date=D(2026, 10, 20),
            name="Libur",
            kind="regional",
        )
    assert not DailyAttendance.objects.exists()


@time_machine.travel(NOW_30, tick=False)
def test_a_holiday_recomputes_one_day_for_everyone_in_a_fixed_number_of_queries(office, committed):
    services.daily_recompute(instansi=office.instansi, start=D(2026, 10, 19), end=D(2026, 10, 23))

    def queries(day):
        with CaptureQueriesContext(connection) as ctx, committed():
            holiday_create(
                actor=None, instansi=office.instansi, date=day, name="Libur", kind="regional"
            )
        return len(ctx.captured_queries)

    few = queries(D(2026, 10, 21))
    for _ in range(25):
        AssignmentFactory(position=office.ani.assignments.get().position)
    services.daily_recompute(instansi=office.instansi, start=D(2026, 10, 19), end=D(2026, 10, 23))
    assert queries(D(2026, 10, 22)) == few
    assert DailyAttendance.objects.filter(date=D(2026, 10, 22)).count() == 0
    assert DailyAttendance.objects.filter(date=D(2026, 10, 23)).count() == 28


def test_with_celery_the_refresh_is_queued_after_the_commit(
    office, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued = []
    monkeypatch.setattr(
        tasks.calendar_changed_task,
        "apply_async",
        lambda args=None, **options: queued.append(tuple(args)),
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        holiday_create(
            actor=None, instansi=office.instansi, date=D(2026, 10, 20), name="L", kind="regional"
        )
        assert queued == []  # not before the commit: a worker would read the old calendar
    for callback in callbacks:
        callback()
    assert queued == [(office.instansi.id, "2026-10-20", "2026-10-20", None)]


# ---------------------------------------------------------------- 5. a stalled machine


def _stalled(office, **kwargs):
    return Device.objects.create(
        instansi=office.instansi,
        serial="PKM-01",
        timezone="Asia/Makassar",
        watermark=dt.datetime(2026, 10, 1, tzinfo=UTC),
        **kwargs,
    )


def test_a_stalled_machine_holds_back_only_its_users_and_catches_up_when_it_returns(
    office, committed
):
    dev = _stalled(office)
    PinMapping.objects.create(instansi=office.instansi, device=dev, pin="9", employee=office.ani)
    with time_machine.travel(dt.datetime(2026, 10, 9, 2, tzinfo=UTC), tick=False):
        tasks.nightly_recompute()
    # Budi (who uses no machine of its) is stored absent; Ani's days wait for the machine.
    assert stored(office.budi)[D(2026, 10, 5)].status == "absent"
    assert not stored(office.ani)
    facts = {f.date: f for f in selectors.attendance_month([office.ani], OCT)[office.ani.id]}
    assert not facts[D(2026, 10, 5)].final
    # Back on the 20th, more than the nightly job's week later: the days from its old watermark on.
    with time_machine.travel(dt.datetime(2026, 10, 20, 2, tzinfo=UTC), tick=False), committed():
        services.device_touch(dev, watermark=True)
    rows = stored(office.ani)
    # The 2nd (the first day stored at all) is beyond the nightly job's week on the 20th.
    assert rows[D(2026, 10, 2)].status == "absent" and rows[D(2026, 10, 19)].status == "absent"
    assert D(2026, 10, 20) not in rows  # today is not over


def test_a_machine_a_moment_behind_still_holds_back_everyone(office):
    Device.objects.create(
        instansi=office.instansi,
        serial="ADMS-1",
        watermark=dt.datetime(2026, 10, 1, 13, 59, tzinfo=UTC),  # 21:59 WITA
    )
    # 22:00:30 WITA on the 1st: the day's window (16:00 + 6 h) has just closed, the machine's last
    # poll was a minute ago: a punch may still be on its way.
    now = dt.datetime(2026, 10, 1, 14, 0, 30, tzinfo=UTC)
    facts = selectors.attendance_days([office.budi], D(2026, 10, 1), D(2026, 10, 1), now=now)
    assert not facts[office.budi.id][0].final


def test_users_of_a_stalled_machine_are_its_pins_its_unit_and_who_punched_on_it(office):
    other_unit = PositionFactory(instansi=office.instansi, name="Staf Puskesmas")
    pkm = AssignmentFactory(position=other_unit).employee
    dev = _stalled(office, unit=other_unit.unit)
    punches(office.budi, at(D(2026, 9, 25), 7, 30), key="PKM-01", device=dev)
    now = dt.datetime(2026, 10, 9, 2, tzinfo=UTC)
    everyone = [office.ani, office.budi, pkm]
    facts = selectors.attendance_days(everyone, D(2026, 10, 5), D(2026, 10, 5), now=now)
    assert [facts[e.id][0].final for e in everyone] == [True, False, False]
    # Nobody known to use a machine: it may be anyone's, so it holds back everyone.
    Device.objects.create(
        instansi=office.instansi, serial="X-2", watermark=dt.datetime(2026, 10, 2, tzinfo=UTC)
    )
    facts = selectors.attendance_days([office.ani], D(2026, 10, 5), D(2026, 10, 5), now=now)
    assert not facts[office.ani.id][0].final


def test_an_imported_file_that_moves_the_watermark_stores_the_absences_since(office, committed):
    dev = _stalled(office)
    PinMapping.objects.create(instansi=office.instansi, device=dev, pin="7", employee=office.ani)
    PinMapping.objects.create(instansi=office.instansi, device=dev, pin="8", employee=office.budi)
    # The file holds Ani's punches of the 15th and 16th; Budi never punched: absent since the 1st.
    # The data is complete up to the file's last punch (07:20 on the 16th): the 15th is final.
    with time_machine.travel(dt.datetime(2026, 10, 20, 2, tzinfo=UTC), tick=False):
        # The nightly runs so far (the machine held everyone's days back).
        services.daily_recompute(
            instansi=office.instansi, start=D(2026, 9, 28), end=D(2026, 10, 19)
        )
        assert max(stored(office.budi)) == D(2026, 9, 30)  # held back from the 1st
        data = b"PIN,Waktu\n7,2026-10-15 07:20:00\n7,2026-10-15 16:10:00\n7,2026-10-16 07:20:00\n"
        batch = services.import_preview(
            actor=None, instansi=office.instansi, name="a.csv", data=data, device=dev
        )
        with committed():
            services.import_run(actor=None, batch=batch)
    budi = stored(office.budi)
    assert budi[D(2026, 10, 1)].status == "absent" and budi[D(2026, 10, 15)].status == "absent"
    assert stored(office.ani)[D(2026, 10, 15)].status == "present"
    assert D(2026, 10, 16) not in budi


# ---------------------------------------------------------------- 7. leave of shift workers


def _file(emp, code, start, end, attachment=None):
    return services.leave_request_submit(
        actor=emp.user,
        employee=emp,
        leave_type=LeaveType.objects.get(instansi=emp.instansi, code=code),
        date_from=start,
        date_to=end,
        attachment=attachment,
    )


def test_a_shift_worker_files_leave_before_the_roster_exists_on_the_base_pattern(office):
    n = office.nurse
    n.nip = make_nip(sex=2)  # cuti melahirkan is refused to a man's NIP (digit 15)
    n.save(update_fields=["nip"])
    pdf = SimpleUploadedFile("surat.pdf", b"%PDF-1.4 x")
    maternity = _file(n, "cuti_melahirkan", D(2026, 11, 2), D(2027, 1, 29), attachment=pdf)
    assert maternity.working_days > 50  # Monday-Friday, not 0
    maternity.status = "cancelled"
    maternity.save()
    req = _file(n, "cuti_tahunan", D(2026, 11, 2), D(2026, 11, 13))
    assert req.working_days == 10


def test_a_partly_rostered_leave_charges_rostered_and_unrostered_working_days(office, committed):
    n = office.nurse
    roster_set(
        actor=None,
        instansi=office.instansi,
        schedule=office.shifts,
        entries=[(n, D(2026, 11, 2), "P"), (n, D(2026, 11, 3), "P"), (n, D(2026, 11, 7), "M")],
    )
    req = _file(n, "cuti_tahunan", D(2026, 11, 2), D(2026, 11, 13))
    assert req.working_days == 11  # 10 weekdays and the rostered Saturday night
    # Drawing up the roster around the leave does not make it cheaper; a new shift in it counts.
    with committed():
        roster_set(actor=None, instansi=office.instansi, schedule=office.shifts,
                   entries=[(n, D(2026, 11, 8), "P")])  # fmt: skip
    req.refresh_from_db()
    assert req.working_days == 12


def test_a_leave_counting_no_working_day_is_refused_with_the_reason(office):
    with pytest.raises(ValidationError) as exc:
        _file(office.nurse, "cuti_tahunan", D(2026, 11, 7), D(2026, 11, 8))  # unrostered weekend
    assert "Tidak ada hari kerja" in exc.value.message_dict["date_from"][0]


# ---------------------------------------------------------------- 8. one year of service


def _appointed(office, nip, start, status="CPNS"):
    golongan = "" if status == "PPPK" else "III/a"
    e = employee_with_login(office.instansi, name="Baru", nip=nip, status=status, golongan=golongan)
    AssignmentFactory(employee=e, position=office.ani.assignments.get().position, start=start)
    return e


def test_no_cuti_tahunan_before_a_year_of_service_from_tmt_cpns(office):
    cpns = _appointed(office, make_nip(appointed=(2026, 9)), D(2026, 9, 1))
    bal = selectors.annual_leave(cpns, 2026)
    assert (bal.entitlement, bal.eligible_from, bal.not_yet_eligible) == (0, D(2027, 9, 1), True)
    with pytest.raises(ValidationError) as exc:
        _file(cpns, "cuti_tahunan", D(2026, 10, 5), D(2026, 10, 6))
    message = exc.value.message_dict["date_from"][0]
    assert "Pasal 311" in message and "1 September 2027" in message
    assert selectors.annual_leave(cpns, 2027).entitlement == 12
    with pytest.raises(ValidationError):
        _file(cpns, "cuti_tahunan", D(2027, 8, 30), D(2027, 9, 3))
    assert _file(cpns, "cuti_tahunan", D(2027, 9, 6), D(2027, 9, 7)).working_days == 2
    # The first year gave no right, so nothing of it is carried into 2028.
    assert selectors.annual_leave(cpns, 2028).entitlement == 12 + 6
    other_leave = _file(
        cpns, "sakit", D(2026, 10, 7), D(2026, 10, 7), SimpleUploadedFile("s.pdf", b"x")
    )
    assert other_leave.status == "submitted"  # only cuti tahunan waits for the year


@time_machine.travel(dt.datetime(2026, 10, 20, 2, tzinfo=UTC), tick=False)
def test_the_leave_page_tells_a_new_cpns_when_cuti_tahunan_begins(office, client):
    cpns = _appointed(office, make_nip(appointed=(2026, 9)), D(2026, 9, 1))
    client.force_login(cpns.user)
    page = client.get("/kehadiran/cuti/").content.decode()
    balance = page.split('data-testid="leave-balance"')[1].split("</p>")[0]
    assert "hak 0 hari kerja" in balance
    assert "Pasal 311" in balance and "1 September 2027" in balance


def test_the_year_of_a_pppk_or_an_unreadable_nip_runs_from_the_first_post(office):
    pppk = _appointed(office, make_nip(appointed=(2026, 1), pppk=True), D(2026, 3, 1), "PPPK")
    assert selectors.annual_leave(pppk, 2027).eligible_from == D(2027, 3, 1)
    odd = _appointed(office, "NIP-LAMA-77", D(2026, 4, 15), "PNS")
    assert selectors.annual_leave(odd, 2027).eligible_from == D(2027, 4, 15)
    assert selectors.annual_leave(office.ani, 2026).eligible_from == D(2011, 3, 1)  # TMT 2010-03


# ---------------------------------------------------------------- 9. cancelling an approved leave


@time_machine.travel(dt.datetime(2026, 10, 1, 2, tzinfo=UTC), tick=False)
def test_an_approved_leave_is_cancelled_before_its_first_day_and_the_days_come_back(office):
    req = _file(office.ani, "cuti_tahunan", D(2026, 10, 12), D(2026, 10, 13))
    services.leave_request_decide(actor=office.kepala.user, request=req, approve=True)
    assert selectors.annual_leave(office.ani, 2026).used == 2
    with pytest.raises(ValidationError):  # someone else
        services.leave_request_cancel(actor=office.budi.user, request=req)
    services.leave_request_cancel(actor=office.ani.user, request=req)
    req.refresh_from_db()
    assert req.status == "cancelled"
    assert selectors.annual_leave(office.ani, 2026).used == 0
    facts = {f.date: f for f in selectors.attendance_month([office.ani], OCT)[office.ani.id]}
    assert facts[D(2026, 10, 12)].leave_type is None
    event = AuditEvent.objects.filter(action="attendance.leave.cancel").get()
    assert (event.before["status"], event.after["status"]) == ("approved", "cancelled")


def test_bkpsdm_revokes_an_approved_leave_with_a_reason_but_not_one_under_way(office):
    with time_machine.travel(dt.datetime(2026, 10, 1, 2, tzinfo=UTC), tick=False):
        req = _file(office.ani, "cuti_tahunan", D(2026, 10, 12), D(2026, 10, 16))
        services.leave_request_decide(actor=office.kepala.user, request=req, approve=True)
        with pytest.raises(ValidationError) as exc:
            services.leave_request_cancel(actor=office.bkpsdm_user, request=req)
        assert "Alasan pembatalan wajib diisi." in exc.value.message_dict["reason"]
    with time_machine.travel(dt.datetime(2026, 10, 12, 2, tzinfo=UTC), tick=False):
        with pytest.raises(ValidationError) as exc:
            services.leave_request_cancel(actor=office.ani.user, request=req)
        assert "sudah dimulai" in str(exc.value)
    with time_machine.travel(dt.datetime(2026, 10, 2, 2, tzinfo=UTC), tick=False):
        services.leave_request_cancel(
            actor=office.bkpsdm_user, request=req, reason="Penangguhan karena kepentingan dinas"
        )
    req.refresh_from_db()
    assert req.status == "cancelled" and "Penangguhan" in req.decision_note


@time_machine.travel(dt.datetime(2026, 10, 1, 2, tzinfo=UTC), tick=False)
def test_the_leave_page_offers_to_cancel_an_approved_leave_not_yet_begun(office, client):
    req = _file(office.ani, "cuti_tahunan", D(2026, 10, 12), D(2026, 10, 13))
    services.leave_request_decide(actor=office.kepala.user, request=req, approve=True)
    client.force_login(office.ani.user)
    row = client.get("/kehadiran/cuti/").content.decode().split(f'data-testid="leave-row-{req.pk}"')
    assert f"/kehadiran/cuti/{req.pk}/batal/" in row[1].split("</tr>")[0]
    client.post(f"/kehadiran/cuti/{req.pk}/batal/")
    req.refresh_from_db()
    assert req.status == "cancelled"


# ---------------------------------------------------------------- 10. the superior of the local day


def test_the_fallback_superior_is_the_one_of_the_instansi_s_day_not_utc(office):
    # The head takes up the post on 20 October; at 00:30 WITA that day it is still the 19th in UTC.
    Assignment.objects.filter(employee=office.kepala).update(start=D(2026, 10, 20))
    with time_machine.travel(dt.datetime(2026, 10, 19, 16, 30, tzinfo=UTC), tick=False):
        req = _file(office.ani, "cuti_tahunan", D(2026, 10, 5), D(2026, 10, 6))
    assert (req.status, req.approver_id) == ("submitted", office.kepala.id)
