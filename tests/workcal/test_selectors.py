"""Working days, hours and deadlines from the database, set-based."""

import datetime as dt
import zoneinfo

import pytest

from ekinerja.workcal import selectors
from ekinerja.workcal.services import holidays_seed, roster_set, schedule_variant_define
from tests.factories import (
    EmployeeFactory,
    InstansiFactory,
    fixed_schedule,
    holiday,
    put_on_schedule,
    shift_schedule,
)

pytestmark = pytest.mark.django_db
D = dt.date
T = dt.time


@pytest.fixture
def inst():
    return InstansiFactory(code="6301")


def test_without_any_schedule_employees_work_monday_to_friday(inst):
    emp = EmployeeFactory(instansi=inst)
    days = selectors.working_days([emp], D(2026, 10, 1), D(2026, 10, 31))[emp.id]
    assert len(days) == 22 and all(d.weekday() < 5 for d in days)


def test_default_schedule_of_the_instansi_is_used(inst):
    fixed_schedule(inst, code="6HK", days={d: (T(7), T(13)) for d in range(6)}, is_default=True)
    emp = EmployeeFactory(instansi=inst)
    days = selectors.working_days([emp], D(2026, 10, 1), D(2026, 10, 31))[emp.id]
    assert len(days) == 27


def test_seeded_holidays_and_cuti_bersama_are_not_working_days(inst):
    holidays_seed(actor=None, instansi=inst, year=2026)
    sched = fixed_schedule(inst)
    emp = EmployeeFactory(instansi=inst)
    put_on_schedule(emp, sched)
    days = selectors.working_days([emp], D(2026, 12, 21), D(2026, 12, 31))[emp.id]
    # 24 Dec: cuti bersama Natal; 25 Dec: Natal.
    assert D(2026, 12, 24) not in days and D(2026, 12, 25) not in days
    assert days == [
        D(2026, 12, 21),
        D(2026, 12, 22),
        D(2026, 12, 23),
        D(2026, 12, 28),
        D(2026, 12, 29),
        D(2026, 12, 30),
        D(2026, 12, 31),
    ]


def test_regional_holiday_applies_even_without_national_holidays(inst):
    holidays_seed(actor=None, instansi=inst, year=2026)
    holiday(inst, D(2026, 8, 18), "Hari Jadi Kabupaten", kind="regional")
    sched = fixed_schedule(inst, use_national_holidays=False)
    emp = EmployeeFactory(instansi=inst)
    put_on_schedule(emp, sched)
    days = selectors.working_days([emp], D(2026, 8, 17), D(2026, 8, 19))[emp.id]
    assert days == [D(2026, 8, 17), D(2026, 8, 19)]


def test_manual_cuti_bersama_applies_and_removed_holidays_do_not(inst):
    sched = fixed_schedule(inst)
    emp = EmployeeFactory(instansi=inst)
    put_on_schedule(emp, sched)
    holiday(inst, D(2026, 10, 5), "Cuti bersama tambahan", kind="cuti_bersama")
    removed = holiday(inst, D(2026, 10, 6), "Dicabut", kind="national", source="seeded")
    removed.is_active = False
    removed.save()
    days = selectors.working_days([emp], D(2026, 10, 5), D(2026, 10, 6))[emp.id]
    assert days == [D(2026, 10, 6)]


def test_holidays_of_another_instansi_do_not_count(inst):
    other = InstansiFactory(code="7101")
    holiday(other, D(2026, 10, 5), "Libur daerah lain")
    emp = EmployeeFactory(instansi=inst)
    assert D(2026, 10, 5) in selectors.working_days([emp], D(2026, 10, 5), D(2026, 10, 5))[emp.id]


def test_shift_workers_follow_the_roster_on_holidays(inst):
    holidays_seed(actor=None, instansi=inst, year=2026)
    rs = shift_schedule(inst)
    emp = EmployeeFactory(instansi=inst)
    put_on_schedule(emp, rs)
    roster_set(
        actor=None,
        instansi=inst,
        schedule=rs,
        entries=[(emp, D(2026, 8, 17), "M"), (emp, D(2026, 8, 16), "P")],
    )
    assert selectors.working_days([emp], D(2026, 8, 1), D(2026, 8, 31))[emp.id] == [
        D(2026, 8, 16),
        D(2026, 8, 17),
    ]
    hours = selectors.work_hours([emp], D(2026, 8, 1), D(2026, 8, 31))[emp.id]
    wita = zoneinfo.ZoneInfo("Asia/Makassar")
    assert hours[D(2026, 8, 17)] == (
        dt.datetime(2026, 8, 17, 21, tzinfo=wita),
        dt.datetime(2026, 8, 18, 7, tzinfo=wita),
    )


def test_schedule_periods_switch_within_a_month(inst):
    five = fixed_schedule(inst)
    rs = shift_schedule(inst)
    emp = EmployeeFactory(instansi=inst)
    put_on_schedule(emp, five, D(2026, 1, 1), D(2026, 10, 15))
    put_on_schedule(emp, rs, D(2026, 10, 16))
    roster_set(
        actor=None,
        instansi=inst,
        schedule=rs,
        entries=[(emp, D(2026, 10, 14), "P"), (emp, D(2026, 10, 18), "S")],
    )
    days = selectors.working_days([emp], D(2026, 10, 12), D(2026, 10, 20))[emp.id]
    assert days == [
        D(2026, 10, 12),
        D(2026, 10, 13),
        D(2026, 10, 14),
        D(2026, 10, 15),
        D(2026, 10, 18),
    ]


def test_ramadan_variant_hours(inst):
    sched = fixed_schedule(inst, grace_minutes=5)
    schedule_variant_define(
        actor=None,
        schedule=sched,
        name="Ramadan 1447 H",
        date_from=D(2026, 2, 18),
        date_to=D(2026, 3, 19),
        days={d: (T(8), T(14)) for d in range(5)},
    )
    emp = EmployeeFactory(instansi=inst)
    put_on_schedule(emp, sched)
    wds = {w.date: w for w in selectors.work_days([emp], D(2026, 2, 17), D(2026, 2, 20))[emp.id]}
    assert wds[D(2026, 2, 17)].start.time() == T(7, 30)
    assert wds[D(2026, 2, 20)].start.time() == T(8) and wds[D(2026, 2, 20)].end.time() == T(14)
    assert wds[D(2026, 2, 20)].grace_minutes == 5


def test_nth_working_day_after_skips_weekends_and_holidays(inst):
    holidays_seed(actor=None, instansi=inst, year=2026)
    emp = EmployeeFactory(instansi=inst)
    put_on_schedule(emp, fixed_schedule(inst))
    # Thu 2026-03-12: 13 Fri, 16 Mon, 17 Tue, [18 cuti bersama Nyepi, 19 Nyepi, 20 cuti bersama,
    # 21-22 weekend/Idul Fitri, 23-24 cuti bersama], 25 Wed, 26 Thu, 27 Fri, 30 Mon.
    assert selectors.nth_working_day_after(emp, D(2026, 3, 12), 7) == D(2026, 3, 30)
    assert selectors.nth_working_day_after(emp, D(2026, 3, 12), 1) == D(2026, 3, 13)
    # From a Friday, the first working day after is Monday.
    assert selectors.nth_working_day_after(emp, D(2026, 10, 2), 1) == D(2026, 10, 5)
    with pytest.raises(ValueError):
        selectors.nth_working_day_after(emp, D(2026, 10, 2), 0)


def test_nth_working_day_after_beyond_the_roster_still_answers(inst):
    rs = shift_schedule(inst)
    emp = EmployeeFactory(instansi=inst)
    put_on_schedule(emp, rs)
    roster_set(actor=None, instansi=inst, schedule=rs, entries=[(emp, D(2026, 10, 3), "P")])
    assert selectors.nth_working_day_after(emp, D(2026, 10, 1), 1) == D(2026, 10, 3)
    far = selectors.nth_working_day_after(emp, D(2026, 10, 1), 2)
    assert far > D(2026, 10, 3)


def _staff(inst, n, sched, rs):
    emps = [EmployeeFactory(instansi=inst) for _ in range(n)]
    for i, e in enumerate(emps):
        put_on_schedule(e, sched if i % 2 else rs)
    roster_set(
        actor=None,
        instansi=inst,
        schedule=rs,
        entries=[(e, D(2026, 10, d), "P") for e in emps[::2] for d in (1, 2, 3)],
    )
    return emps


def test_query_count_does_not_grow_with_employees(inst, django_assert_num_queries):
    sched, rs = fixed_schedule(inst), shift_schedule(inst)
    holiday(inst, D(2026, 10, 5), "Libur daerah")
    few = _staff(inst, 3, sched, rs)
    many = few + _staff(inst, 30, sched, rs)
    with django_assert_num_queries(8):
        small = selectors.work_days(few, D(2026, 10, 1), D(2026, 10, 31))
    with django_assert_num_queries(8):
        big = selectors.work_days(many, D(2026, 10, 1), D(2026, 10, 31))
    assert len(big) == 33 and big[few[1].id] == small[few[1].id]
    assert len(big[many[0].id]) == 3 and len(big[many[1].id]) == 21


def test_large_lists_are_fetched_by_instansi(inst, monkeypatch, django_assert_num_queries):
    sched, rs = fixed_schedule(inst), shift_schedule(inst)
    emps = _staff(inst, 6, sched, rs)
    expected = selectors.working_days(emps[:3], D(2026, 10, 1), D(2026, 10, 31))
    monkeypatch.setattr(selectors, "_IN_LIST_LIMIT", 2)
    with django_assert_num_queries(8):
        got = selectors.working_days(emps[:3], D(2026, 10, 1), D(2026, 10, 31))
    assert got == expected


def test_empty_employee_list_needs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.working_days([], D(2026, 10, 1), D(2026, 10, 31)) == {}


def test_shared_instansi_calendars_give_the_same_days_in_two_queries(
    inst, django_assert_num_queries
):
    holidays_seed(actor=None, instansi=inst, year=2026)
    fixed_schedule(inst, code="6HK", days={d: (T(7), T(13)) for d in range(6)}, is_default=True)
    rs = shift_schedule(inst)
    office, nurse = EmployeeFactory(instansi=inst), EmployeeFactory(instansi=inst)
    put_on_schedule(nurse, rs)
    roster_set(actor=None, instansi=inst, schedule=rs, entries=[(nurse, D(2026, 8, 17), "M")])
    holiday(inst, D(2026, 8, 20))
    start, end = D(2026, 8, 1), D(2026, 8, 31)
    shared = selectors.instansi_calendars([inst.pk], D(2026, 7, 1), D(2026, 9, 30))
    for emp in (office, nurse):
        expected = selectors.work_days([emp], start, end)[emp.id]
        with django_assert_num_queries(2):  # only the employee's schedule periods and roster
            assert selectors.work_days([emp], start, end, shared)[emp.id] == expected
    assert D(2026, 8, 20) not in [
        w.date for w in selectors.work_days([office], start, end)[office.id]
    ]
    # Not covering the range (or the instansi): read afresh, never wrong.
    narrow = selectors.instansi_calendars([inst.pk], D(2026, 8, 1), D(2026, 8, 10))
    with django_assert_num_queries(8):
        days = selectors.working_days([office], start, end, narrow)[office.id]
    assert days == selectors.working_days([office], start, end)[office.id]


def test_one_employee_read_matches_the_set_based_read(inst):
    five, rs = fixed_schedule(inst), shift_schedule(inst)
    a, b = EmployeeFactory(instansi=inst), EmployeeFactory(instansi=inst)
    put_on_schedule(a, five, D(2026, 1, 1), D(2026, 10, 15))
    put_on_schedule(a, rs, D(2026, 10, 16))
    put_on_schedule(b, rs, D(2026, 9, 1), D(2026, 10, 5))
    roster_set(
        actor=None,
        instansi=inst,
        schedule=rs,
        entries=[(a, D(2026, 10, 18), "S"), (b, D(2026, 10, 2), "M"), (b, D(2026, 9, 30), "P")],
    )
    start, end = D(2026, 9, 25), D(2026, 10, 25)
    together = selectors.work_days([a, b], start, end)
    assert together[a.id] == selectors.work_days([a], start, end)[a.id]
    assert together[b.id] == selectors.work_days([b], start, end)[b.id]
    assert D(2026, 10, 18) in [w.date for w in together[a.id]]
