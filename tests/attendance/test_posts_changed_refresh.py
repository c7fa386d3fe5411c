"""The stored daily attendance follows a change of someone's definitif posts (org.signals.posts_changed):
a CPNS's first post recorded late, a retirement's end date entered after the fact, a post deleted
or imported. Only the days in post are working days, so the days these changes take out of post
are no longer stored as tanpa keterangan, and the leaders' figures read from them follow; before,
the stored days kept their old status until someone ran `ekinerja attendance-recompute`. After the
commit, queued where Celery runs; inline the current and previous month only."""

import datetime as dt
import logging

import pytest
import time_machine
from django.db import connection

from ekinerja.attendance import selectors, services, tasks
from ekinerja.attendance.models import DailyAttendance
from ekinerja.core.periods import Period
from ekinerja.org import services as org_services
from ekinerja.org.models import Assignment, Employee
from ekinerja.reports.selectors import opd_month
from ekinerja.workcal.services import roster_set
from tests.attendance.conftest import D, at
from tests.factories import EmployeeFactory, InstansiFactory, employee_with_login, make_nip
from tests.org.test_import import base_rows, to_csv

pytestmark = pytest.mark.django_db
OCT = Period(2026, 10)
NOW = dt.datetime(2026, 11, 2, 2, tzinfo=dt.UTC)  # Monday 2 November 2026, 10:00 WITA
# October 2026 on Monday-Friday: 22 working days, 12 of them from Thursday the 15th.
BEFORE_15 = [D(2026, 10, d) for d in (1, 2, 5, 6, 7, 8, 9, 12, 13, 14)]
FROM_15 = [D(2026, 10, d) for d in (15, 16, 19, 20, 21, 22, 23, 26, 27, 28, 29, 30)]


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def stored(emp) -> dict:
    return {r.date: r.status for r in DailyAttendance.objects.filter(employee=emp)}


def _store_october(office):
    """The nightly runs of October, before the change."""
    services.daily_recompute(instansi=office.instansi, start=OCT.first_day, end=OCT.last_day)


def _staff_position(office):
    return office.ani.assignments.get().position


def _dinkes_absent_days(office) -> int:
    counts = opd_month(office.instansi, OCT, D(2026, 11, 2)).counts
    return next(c for c in counts if c.unit_id == office.unit.id).absent_days


def test_a_first_post_recorded_late_takes_the_days_before_it_out_of_the_stored_tk(
    office, django_capture_on_commit_callbacks
):
    # A CPNS whose post (from 15 October) BKPSDM has not recorded yet: no post on record, so the
    # calendar counts every working day, all of October stored as tanpa keterangan.
    citra = employee_with_login(office.instansi, name="Citra CPNS")
    _store_october(office)
    assert [d for d, s in stored(citra).items() if s == "absent"] == BEFORE_15 + FROM_15
    others = _dinkes_absent_days(office)  # Citra holds no post yet: not on the dashboard
    with django_capture_on_commit_callbacks(execute=True):
        org_services.assignment_save(
            actor=office.bkpsdm_user,
            assignment=Assignment(
                instansi=office.instansi,
                employee=citra,
                position=_staff_position(office),
                start=D(2026, 10, 15),
            ),
        )
    rows = stored(citra)
    assert not any(d in rows for d in BEFORE_15)
    assert [d for d, s in rows.items() if s == "absent"] == FROM_15
    c = selectors.attendance_counts(office.instansi, OCT.first_day, OCT.last_day)[citra.id]
    assert (c.scheduled, c.absent) == (12, 12)
    # The leaders' dashboard counts her 12 days in post, not 22.
    assert _dinkes_absent_days(office) == others + 12


def test_a_post_ended_in_the_past_takes_the_days_after_it_out_even_when_inactive(
    office, django_capture_on_commit_callbacks
):
    dedi = employee_with_login(office.instansi, _staff_position(office), name="Dedi Purna")
    _store_october(office)
    assert stored(dedi)[D(2026, 10, 30)] == "absent"
    # Retired on 14 October: set inactive first (the nightly job no longer derives his days),
    # the end of his post entered afterwards.
    Employee.objects.filter(pk=dedi.pk).update(is_active=False)
    post = dedi.assignments.get()
    post.end = D(2026, 10, 14)
    with django_capture_on_commit_callbacks(execute=True):
        org_services.assignment_save(actor=office.bkpsdm_user, assignment=post)
    rows = stored(dedi)
    assert [d for d, s in rows.items() if s == "absent"] == BEFORE_15
    # Someone else's days are not touched.
    assert stored(office.budi)[D(2026, 10, 30)] == "absent"


def test_an_acting_post_re_derives_nothing(office, django_capture_on_commit_callbacks, monkeypatch):
    _store_october(office)
    calls = []
    monkeypatch.setattr(services, "posts_refresh", lambda **kw: calls.append(kw) or 0)
    with django_capture_on_commit_callbacks(execute=True):
        org_services.assignment_save(
            actor=office.bkpsdm_user,
            assignment=Assignment(
                instansi=office.instansi,
                employee=office.ani,
                position=office.kepala.assignments.get().position,
                kind=Assignment.Kind.PLT,
                start=D(2026, 10, 5),
            ),
        )
    assert calls == []
    assert stored(office.ani)[D(2026, 10, 30)] == "absent"


def test_the_import_re_derives_the_stored_days_of_the_posts_it_records(
    django_capture_on_commit_callbacks,
):
    inst = InstansiFactory(code="6302")
    org_services.import_apply(actor=None, instansi=inst, file=to_csv(base_rows()), name="a.csv")
    nip = make_nip(appointed=(2026, 10))
    citra = EmployeeFactory(instansi=inst, nip=nip, name="Citra CPNS", golongan="III/a")
    services.daily_recompute(instansi=inst, start=OCT.first_day, end=OCT.last_day)
    assert stored(citra)[D(2026, 10, 1)] == "absent"
    rows = base_rows()
    rows.append({**rows[2], "NIP": nip, "Nama": "Citra CPNS", "TMT Jabatan": "2026-10-15"})
    with django_capture_on_commit_callbacks(execute=True):
        org_services.import_apply(actor=None, instansi=inst, file=to_csv(rows), name="b.csv")
    assert citra.assignments.get().start == D(2026, 10, 15)
    assert [d for d, s in stored(citra).items() if s == "absent"] == FROM_15


def test_without_a_broker_older_months_are_left_to_the_command(
    office, django_capture_on_commit_callbacks, caplog
):
    """The brief's CPNS: first post from 15 September entered on 20 November. Inline only October
    and November are derived at once; September is logged with the command to run."""
    citra = employee_with_login(office.instansi, name="Citra CPNS")
    with time_machine.travel(dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC), tick=False):
        services.daily_recompute(instansi=office.instansi, start=D(2026, 9, 1), end=D(2026, 11, 19))
        with (
            django_capture_on_commit_callbacks(execute=True),
            caplog.at_level(logging.WARNING, logger="ekinerja.attendance.services"),
        ):
            org_services.assignment_save(
                actor=office.bkpsdm_user,
                assignment=Assignment(
                    instansi=office.instansi,
                    employee=citra,
                    position=_staff_position(office),
                    start=D(2026, 9, 15),
                ),
            )
    rows = stored(citra)
    assert rows[D(2026, 9, 14)] == "absent"  # left as it was...
    assert (
        f"attendance-recompute --instansi {office.instansi.code} --from 2026-09-01 "
        "--to 2026-09-15" in caplog.text
    )  # ... and named
    # What a worker does with the whole range (the Celery path).
    tasks.posts_changed_task(office.instansi.id, None, "2026-09-15", [citra.id])
    rows = stored(citra)
    assert not any(d < D(2026, 9, 15) for d in rows)
    assert rows[D(2026, 9, 15)] == "absent"


def test_with_celery_the_refresh_is_queued_after_the_commit(
    office, settings, monkeypatch, django_capture_on_commit_callbacks
):
    _store_october(office)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued = []
    monkeypatch.setattr(
        tasks.posts_changed_task,
        "apply_async",
        lambda args=None, **options: queued.append(tuple(args)),
    )
    post = office.ani.assignments.get()
    post.end = D(2026, 10, 14)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        org_services.assignment_save(actor=office.bkpsdm_user, assignment=post)
        assert queued == []  # not before the commit: a worker would read the old posts
    for callback in callbacks:
        callback()
    # The changed days (from the 15th on) and the day beside them.
    assert queued == [(office.instansi.id, "2026-10-14", None, [office.ani.id])]
    tasks.posts_changed_task(*queued[0])
    assert [d for d, s in stored(office.ani).items() if s == "absent"] == BEFORE_15


def test_nothing_is_queued_before_anything_is_stored(
    office, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """A new installation or the demo being generated: nothing stored, nothing to put right."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued = []
    monkeypatch.setattr(
        tasks.posts_changed_task,
        "apply_async",
        lambda args=None, **options: queued.append(tuple(args)),
    )
    post = office.ani.assignments.get()
    post.end = D(2026, 10, 14)
    with django_capture_on_commit_callbacks(execute=True):
        org_services.assignment_save(actor=office.bkpsdm_user, assignment=post)
    assert queued == []


@pytest.mark.django_db(transaction=True)
def test_a_change_of_posts_is_derived_after_its_commit(office, monkeypatch):
    _store_october(office)
    seen = []
    refresh = services.posts_refresh

    def spy(**kwargs):
        seen.append(connection.in_atomic_block)
        return refresh(**kwargs)

    monkeypatch.setattr(services, "posts_refresh", spy)
    post = office.ani.assignments.get()
    post.end = D(2026, 10, 14)
    org_services.assignment_save(actor=office.bkpsdm_user, assignment=post)
    assert seen == [False]
    assert D(2026, 10, 30) not in stored(office.ani)


def test_the_day_beside_the_changed_ones_is_derived_again_too(
    office, django_capture_on_commit_callbacks
):
    """A night shift's check-out the next morning belongs to the shift; once the shift's day is
    out of post, that punch is the next day's own (an off day with a punch): the day after the
    changed ones is derived again as well."""
    n = office.nurse
    roster_set(
        actor=None,
        instansi=office.instansi,
        schedule=office.shifts,
        entries=[(n, D(2026, 10, 14), "M")],
    )
    services.punches_insert(
        office.instansi,
        [
            services.PunchRow(n.id, t, "fingerprint", "SN1")
            for t in (at(D(2026, 10, 14), 20, 55), at(D(2026, 10, 15), 7, 5))
        ],
    )
    _store_october(office)
    assert stored(n)[D(2026, 10, 14)] == "present" and D(2026, 10, 15) not in stored(n)
    # Her post was recorded from 2020; she joined on the 15th: the days up to the 14th change.
    post = n.assignments.get()
    post.start = D(2026, 10, 15)
    with django_capture_on_commit_callbacks(execute=True):
        org_services.assignment_save(actor=office.bkpsdm_user, assignment=post)
    row = DailyAttendance.objects.get(employee=n, date=D(2026, 10, 15))
    assert (row.status, row.working, row.check_in) == ("off", False, at(D(2026, 10, 15), 7, 5))
    assert stored(n)[D(2026, 10, 14)] == "off"  # out of post: its punch shown, not judged


def test_the_days_of_someone_who_left_during_the_month_are_derived_and_kept(office):
    """Retired on 14 October, recorded (inactive, post ended) on the 14th itself: the nightly job
    and every recomputation of October still derive his days until then. Before, only active
    employees were derived: the days not yet final when he was set inactive were never stored,
    and a recomputation of the month (a holiday added, `attendance-recompute`) deleted the days he
    had worked without storing them again."""
    dedi = employee_with_login(office.instansi, _staff_position(office), name="Dedi Purna")
    _store_october(office)
    Employee.objects.filter(pk=dedi.pk).update(is_active=False)
    Assignment.objects.filter(employee=dedi).update(end=D(2026, 10, 14))
    DailyAttendance.objects.filter(
        employee=dedi, date__gte=D(2026, 10, 13)
    ).delete()  # not final yet
    services.daily_recompute(instansi=office.instansi, start=OCT.first_day, end=OCT.last_day)
    rows = stored(dedi)
    assert [d for d, s in rows.items() if s == "absent"] == BEFORE_15
    # A colleague who left with his post still open (the flag has no date) stays out, as in the
    # reports; one who left in September is not derived in October.
    eka = employee_with_login(office.instansi, _staff_position(office), name="Eka Pindah")
    fajar = employee_with_login(office.instansi, _staff_position(office), name="Fajar Lama")
    Employee.objects.filter(pk__in=[eka.pk, fajar.pk]).update(is_active=False)
    Assignment.objects.filter(employee=fajar).update(start=D(2026, 1, 1), end=D(2026, 9, 30))
    services.daily_recompute(instansi=office.instansi, start=OCT.first_day, end=OCT.last_day)
    assert stored(eka) == {} and stored(fajar) == {}
    assert [d for d, s in stored(dedi).items() if s == "absent"] == BEFORE_15
    # The leaders' dashboard counts his ten days (the recompute of the month kept them).
    assert stored(office.budi)[D(2026, 10, 30)] == "absent"
