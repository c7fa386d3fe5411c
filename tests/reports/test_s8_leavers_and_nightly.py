"""S8-4: a leaver's and a mover's days count for the OPD they were in on each day, and the
current month counts only the days the nightly derivation has stored (docs/reports.md, "Which
days and which people")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ekinerja.attendance.models import DailyAttendance
from ekinerja.core.periods import Period
from ekinerja.reports import selectors
from tests.factories import (
    AssignmentFactory,
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
)
from tests.reports.data import OCT, build

pytestmark = pytest.mark.django_db

ST = DailyAttendance.Status
NOV_15 = dt.date(2026, 11, 15)


def _days(emp, days, status=ST.PRESENT, month=10):
    DailyAttendance.objects.bulk_create(
        DailyAttendance(
            instansi_id=emp.instansi_id,
            employee=emp,
            date=dt.date(2026, month, d),
            status=status,
            computed_at=timezone.now(),
        )
        for d in days
    )


@pytest.fixture
def town():
    inst = InstansiFactory(timezone="Asia/Makassar")
    return {"inst": inst, **build(inst)}


def _by_name(month):
    return {c.name: c for c in month.counts}


def test_a_leavers_days_count_for_the_opd_they_were_in(town):
    """Retired on 15 October (post ended, employee inactive): their 11 working days of October in
    Dinas B stay in Dinas B's attendance; before, they vanished from every OPD."""
    inst = town["inst"]
    post = PositionFactory(unit=town["b"])
    leaver = employee_with_login(inst, name="Pensiun B", is_active=False)
    AssignmentFactory(position=post, employee=leaver, end=dt.date(2026, 10, 15))
    # 1-15 October: 11 working days (Mon-Fri), two of them without notice.
    _days(leaver, (1, 2, 5, 6, 7, 8, 9, 12, 13))
    _days(leaver, (14, 15), ST.ABSENT)
    b = _by_name(selectors.opd_month(inst, OCT, NOV_15))["Dinas B"]
    # Dinas B's own staff member: 4 present days (tests/reports/data.py).
    assert (b.scheduled_days, b.present_days, b.on_time_days, b.absent_days) == (15, 13, 13, 2)
    # Not a headcount on the month's last day.
    assert b.employees == 1


def test_a_movers_days_are_split_between_the_two_opds(town):
    """Moved from Dinas B to Dinas A on 16 October: 1-15 count for B, 16-31 for A."""
    inst = town["inst"]
    old, new = PositionFactory(unit=town["b"]), PositionFactory(unit=town["a"])
    mover = employee_with_login(inst, name="Pindah")
    AssignmentFactory(position=old, employee=mover, end=dt.date(2026, 10, 15))
    AssignmentFactory(position=new, employee=mover, start=dt.date(2026, 10, 16))
    _days(mover, (1, 2, 5))  # in B
    _days(mover, (16, 19, 20), ST.ABSENT)  # in A
    month = selectors.opd_month(inst, OCT, NOV_15)
    a, b = _by_name(month)["Dinas A"], _by_name(month)["Dinas B"]
    # Dinas A alone: 6 scheduled, 4 present, 1 absent; Dinas B alone: 4 present of 4.
    assert (a.scheduled_days, a.present_days, a.absent_days) == (6 + 3, 4, 1 + 3)
    assert (b.scheduled_days, b.present_days, b.absent_days) == (4 + 3, 4 + 3, 0)
    assert (a.employees, b.employees) == (4, 1)


def test_a_day_without_a_post_counts_nowhere(town):
    """Stored days after the post ended (a late re-derivation) count for no OPD."""
    inst = town["inst"]
    post = PositionFactory(unit=town["b"])
    leaver = employee_with_login(inst, name="Keluar")
    AssignmentFactory(position=post, employee=leaver, end=dt.date(2026, 10, 9))
    _days(leaver, (8, 9))
    _days(leaver, (12, 13), ST.ABSENT)  # no post any more
    b = _by_name(selectors.opd_month(inst, OCT, NOV_15))["Dinas B"]
    assert (b.scheduled_days, b.present_days, b.absent_days) == (4 + 2, 4 + 2, 0)
    a = _by_name(selectors.opd_month(inst, OCT, NOV_15))["Dinas A"]
    assert a.absent_days == 1


# ------------------------------------------------------------------ (b) the nightly derivation

NOV = Period(2026, 11)


@pytest.fixture
def november():
    """Dinas X with four employees on the default calendar; November 2026's stored days."""
    inst = InstansiFactory(timezone="Asia/Makassar")
    x = UnitFactory(instansi=inst, code="X", name="Dinas X")
    people = [employee_with_login(inst, PositionFactory(unit=x), name=f"P{i}") for i in range(4)]
    return inst, people


def _stored_through(people, last: int, month=11):
    """Everyone's working days of November up to `last` stored, as the nightly job does."""
    working = [d for d in range(1, last + 1) if dt.date(2026, month, d).weekday() < 5]
    for i, p in enumerate(people):
        _days(p, working, ST.ABSENT if i == 0 else ST.PRESENT, month=month)


def test_b_yesterday_counts_only_once_the_nightly_job_stored_it(november):
    """On Wednesday 18 November before the nightly job, Tuesday 17th holds only the one day
    re-derived after a late punch: the page counts up to Monday 16th and says so."""
    inst, people = november
    _stored_through(people, 16)
    _days(people[1], (17,), month=11)  # one employee's late-pushed punch re-derived their day
    month = selectors.opd_month(inst, NOV, dt.date(2026, 11, 18))
    assert month.data_end == dt.date(2026, 11, 16)
    assert month.counted_days == 11
    assert month.awaiting_derivation == dt.date(2026, 11, 17)
    x = month.counts[0]
    # P0 absent without notice on each of the 11 days, P1 present on 12 (the 17th not counted).
    assert (x.scheduled_days, x.absent_days, x.present_days) == (44, 11, 33)
    # After the job: Tuesday counts.
    _days(people[0], (17,), ST.ABSENT, month=11)
    _days(people[2], (17,), month=11)
    _days(people[3], (17,), month=11)
    month = selectors.opd_month(inst, NOV, dt.date(2026, 11, 18))
    assert (month.data_end, month.counted_days, month.awaiting_derivation) == (
        dt.date(2026, 11, 17),
        12,
        None,
    )


def test_b_the_last_finished_month_waits_for_its_last_day_too(november):
    """On 1 December before the nightly job, November's 30th is not stored yet: November is not
    complete, counted to the 27th (the 28th-29th a weekend)."""
    inst, people = november
    _stored_through(people, 27)
    month = selectors.opd_month(inst, NOV, dt.date(2026, 12, 1))
    assert (month.data_end, month.complete) == (dt.date(2026, 11, 29), False)
    assert month.awaiting_derivation == dt.date(2026, 11, 30)
    assert month.counted_days == 20
    _days(people[0], (30,), ST.ABSENT, month=11)
    for p in people[1:]:
        _days(p, (30,), month=11)
    month = selectors.opd_month(inst, NOV, dt.date(2026, 12, 1))
    assert (month.data_end, month.complete, month.awaiting_derivation) == (
        dt.date(2026, 11, 30),
        True,
        None,
    )


def test_b_a_weekend_yesterday_needs_no_derivation(november):
    """Monday 23 November: Sunday and Saturday are no working days, Friday 20th is stored."""
    inst, people = november
    _stored_through(people, 20)
    month = selectors.opd_month(inst, NOV, dt.date(2026, 11, 23))
    assert (month.data_end, month.awaiting_derivation) == (dt.date(2026, 11, 22), None)


def test_b_an_instansi_without_any_stored_day_counts_as_before(november):
    """Nothing stored at all (not on e-Kinerja attendance yet): no derivation to wait for."""
    inst, _people = november
    month = selectors.opd_month(inst, NOV, dt.date(2026, 11, 18))
    assert (month.data_end, month.awaiting_derivation) == (dt.date(2026, 11, 17), None)


def test_b_the_page_says_yesterday_waits_for_the_nightly_job(november, client):
    from ekinerja.org.models import Role
    from tests.factories import grant

    inst, people = november
    _stored_through(people, 16)
    boss = employee_with_login(inst, name="Bupati")
    grant(boss.user, Role.PIMPINAN)
    client.login(username=boss.nip, password="Rahasia-Kuat-2026!")
    import time_machine

    with time_machine.travel(dt.datetime(2026, 11, 18, 1, 0, tzinfo=dt.UTC), tick=False):
        for url in ("/laporan/", "/laporan/beban-kerja/"):
            html = client.get(url + "?periode=2026-11").content.decode()
            assert "Kehadiran dan aktivitas sampai 16 November 2026" in html
            assert "17 November 2026 belum direkap" in html


def test_b_the_spreadsheet_and_a_finished_month_say_what_waits(november, client):
    import io

    import openpyxl
    import time_machine

    from ekinerja.org.models import Role
    from tests.factories import grant

    inst, people = november
    _stored_through(people, 27)
    boss = employee_with_login(inst, name="Sekda")
    grant(boss.user, Role.PIMPINAN)
    client.login(username=boss.nip, password="Rahasia-Kuat-2026!")
    # 1 December 00:30 WITA, before the nightly job: November is over but its 30th not stored.
    with time_machine.travel(dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC), tick=False):
        html = client.get("/laporan/").content.decode()
        assert "Bulan ini belum berakhir" not in html
        assert "Kehadiran sejak 30 November 2026 belum direkap oleh proses malam." in html
        assert "Dihitung sampai 29 November 2026." in html
        html = client.get("/laporan/beban-kerja/").content.decode()
        assert "Bulan ini belum berakhir" not in html
        assert "Kehadiran sejak 30 November 2026 belum direkap oleh proses malam." in html
        book = client.get("/laporan/?format=xlsx").content
    cells = [
        c
        for row in openpyxl.load_workbook(io.BytesIO(book)).active.iter_rows(values_only=True)
        for c in row
        if c
    ]
    assert "Kehadiran dan aktivitas sampai 29 November 2026" in cells
    assert (
        "Kehadiran sejak 30 November 2026 belum direkap oleh proses malam, jadi belum dihitung"
        in cells
    )


def _queries(inst, today) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        selectors.opd_month(inst, OCT, today)
    return len(ctx.captured_queries)


def test_a_the_queries_do_not_grow_with_movers_and_leavers(town):
    inst = town["inst"]

    def leave(n):
        for i in range(n):
            post = PositionFactory(unit=town["b"])
            emp = employee_with_login(inst, name=f"Keluar {n}-{i}")
            AssignmentFactory(position=post, employee=emp, end=dt.date(2026, 10, 9 + i))
            _days(emp, (8, 9))

    leave(1)
    one = _queries(inst, NOV_15)
    leave(5)
    assert _queries(inst, NOV_15) == one
    b = _by_name(selectors.opd_month(inst, OCT, NOV_15))["Dinas B"]
    assert b.present_days == 4 + 6 * 2


def test_a_someone_moving_today_keeps_yesterdays_days_in_the_old_opd(town):
    """Current month: moved from Dinas B to Dinas A today (7 October); the headcount is taken today
    (Dinas A), the days counted up to yesterday were Dinas B's."""
    inst = town["inst"]
    old, new = PositionFactory(unit=town["b"]), PositionFactory(unit=town["a"])
    mover = employee_with_login(inst, name="Pindah hari ini")
    AssignmentFactory(position=old, employee=mover, end=dt.date(2026, 10, 6))
    AssignmentFactory(position=new, employee=mover, start=dt.date(2026, 10, 7))
    _days(mover, (1, 2, 5, 6))
    month = selectors.opd_month(inst, OCT, dt.date(2026, 10, 7))
    a, b = _by_name(month)["Dinas A"], _by_name(month)["Dinas B"]
    assert (a.employees, b.employees) == (4, 1)
    assert (a.present_days, b.present_days) == (4, 4 + 4)
