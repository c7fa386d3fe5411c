"""Holidays apply by their kind, and every change of the work calendar is announced
(signals.calendar_changed) with the dates and employees it touches."""

import datetime as dt

import pytest

from ekinerja.workcal import selectors
from ekinerja.workcal.models import Holiday
from ekinerja.workcal.services import (
    employee_schedule_assign,
    holiday_create,
    holiday_delete,
    holiday_restore,
    holiday_update,
    holidays_seed,
    roster_set,
    schedule_define,
    schedule_variant_define,
)
from ekinerja.workcal.signals import calendar_changed
from tests.factories import (
    EmployeeFactory,
    InstansiFactory,
    fixed_schedule,
    put_on_schedule,
    shift_schedule,
)

pytestmark = pytest.mark.django_db
D = dt.date
T = dt.time
SIX_DAYS = {d: (T(7, 30), T(14)) for d in range(6)}


@pytest.fixture
def inst():
    return InstansiFactory(code="6301")


@pytest.fixture
def heard():
    calls = []

    def listen(sender, **kwargs):
        calls.append((kwargs["start"], kwargs["end"], kwargs["employee_ids"]))

    calendar_changed.connect(listen, dispatch_uid="test-heard")
    yield calls
    calendar_changed.disconnect(dispatch_uid="test-heard")


def _opt_out(inst):
    """An IGD admin on a six-day schedule that does not follow national holidays."""
    igd = fixed_schedule(inst, code="IGD-ADM", use_national_holidays=False, days=SIX_DAYS)
    emp = EmployeeFactory(instansi=inst)
    put_on_schedule(emp, igd)
    return emp


def _works(emp, day):
    return day in selectors.working_days([emp], day, day)[emp.id]


def test_a_national_holiday_or_cuti_bersama_added_by_hand_applies_only_to_who_follows_them(inst):
    emp = _opt_out(inst)
    office = EmployeeFactory(instansi=inst)  # the Monday-Friday default, follows national holidays
    holiday_create(
        actor=None, instansi=inst, date=D(2026, 10, 5), name="Cuti bersama SKB", kind="cuti_bersama"
    )
    holiday_create(
        actor=None, instansi=inst, date=D(2026, 10, 6), name="Libur nasional", kind="national"
    )
    holiday_create(
        actor=None, instansi=inst, date=D(2026, 10, 7), name="Hari Jadi Kabupaten", kind="regional"
    )
    assert _works(emp, D(2026, 10, 5)) and _works(emp, D(2026, 10, 6))
    assert not _works(emp, D(2026, 10, 7))  # a regional holiday is everyone's
    assert not any(_works(office, D(2026, 10, d)) for d in (5, 6, 7))


def test_a_seeded_cuti_bersama_moved_by_bkpsdm_stays_a_national_one(inst):
    emp = _opt_out(inst)
    holidays_seed(actor=None, instansi=inst, year=2026)
    natal = Holiday.objects.get(instansi=inst, date=D(2026, 12, 24))
    moved = holiday_update(
        actor=None, holiday=natal, date=D(2026, 12, 23), name=natal.name, kind="cuti_bersama"
    )
    assert moved.source == Holiday.Source.MANUAL
    assert _works(emp, D(2026, 12, 23)) and _works(emp, D(2026, 12, 24))
    office = EmployeeFactory(instansi=inst)
    assert not _works(office, D(2026, 12, 23)) and _works(office, D(2026, 12, 24))


def test_holiday_changes_announce_their_dates_for_everyone(inst, heard):
    h = holiday_create(
        actor=None, instansi=inst, date=D(2026, 10, 20), name="Hari Jadi", kind="regional"
    )
    holiday_update(actor=None, holiday=h, date=D(2026, 10, 22), name="Hari Jadi", kind="regional")
    h = Holiday.objects.get(pk=h.pk)
    holiday_delete(actor=None, holiday=h)
    assert heard == [
        (D(2026, 10, 20), D(2026, 10, 20), None),
        (D(2026, 10, 20), D(2026, 10, 20), None),  # the old date and the new one, apart
        (D(2026, 10, 22), D(2026, 10, 22), None),
        (D(2026, 10, 22), D(2026, 10, 22), None),
    ]
    heard.clear()
    holidays_seed(actor=None, instansi=inst, year=2026)
    seeded = sorted(set(Holiday.objects.filter(instansi=inst).values_list("date", flat=True)))
    # One announcement per run of consecutive dates, never the months between two holidays.
    assert all((end - start).days <= 7 for start, end, _who in heard)
    assert {d for start, end, _w in heard for d in (start, end)} <= set(seeded)
    heard.clear()
    removed = Holiday.objects.filter(instansi=inst, date=D(2026, 8, 17)).first()
    holiday_delete(actor=None, holiday=removed)
    holiday_restore(actor=None, holiday=Holiday.objects.get(pk=removed.pk))
    assert heard == [(D(2026, 8, 17), D(2026, 8, 17), None)] * 2


def test_schedule_roster_and_period_changes_announce_whom_they_touch(inst, heard):
    five = fixed_schedule(inst, is_default=True)
    rs = shift_schedule(inst)
    nurse = EmployeeFactory(instansi=inst)
    heard.clear()
    employee_schedule_assign(actor=None, employee=nurse, schedule=rs, date_from=D(2026, 10, 1))
    roster_set(
        actor=None,
        instansi=inst,
        schedule=rs,
        entries=[(nurse, D(2026, 10, 5), "P"), (nurse, D(2026, 10, 9), "M")],
    )
    schedule_variant_define(
        actor=None,
        schedule=five,
        name="Ramadan",
        date_from=D(2027, 2, 18),
        date_to=D(2027, 3, 19),
        days={d: (T(8), T(15)) for d in range(5)},
    )
    assert heard == [
        (D(2026, 10, 1), None, [nurse.id]),
        (D(2026, 10, 5), D(2026, 10, 9), [nurse.id]),
        (D(2027, 2, 18), D(2027, 3, 19), None),  # the default schedule: everyone
    ]
    heard.clear()
    # Redefining a schedule with the same hours changes nothing; other hours touch its members.
    shift_schedule(inst)
    assert heard == []
    shift_schedule(inst, shifts={"P": (T(7), T(14)), "M": (T(21), T(7))})
    assert heard == [(None, None, [nurse.id])]
    heard.clear()
    schedule_define(
        actor=None, instansi=inst, code="5HK", name="Lima hari", days=SIX_DAYS, is_default=True
    )
    assert heard == [(None, None, None)]


def test_a_period_that_closes_an_open_one_announces_the_dates_to_the_end(inst, heard):
    five = fixed_schedule(inst)
    six = fixed_schedule(inst, code="6HK", days=SIX_DAYS)
    emp = EmployeeFactory(instansi=inst)
    put_on_schedule(emp, five, D(2026, 1, 1))
    heard.clear()
    employee_schedule_assign(
        actor=None,
        employee=emp,
        schedule=six,
        date_from=D(2026, 10, 1),
        date_to=D(2026, 10, 31),
        close_open=True,
    )
    # After 31 October the employee falls back to the default, no longer to the closed period.
    assert heard == [(D(2026, 10, 1), None, [emp.id])]


def test_a_variant_whose_days_fail_to_save_leaves_no_half_variant(inst, monkeypatch):
    """schedule_variant_define writes the variant, then its days, in one transaction: its
    @transaction.atomic had slipped onto the read-only variant_problems written above it."""
    from django.db import transaction

    from ekinerja.workcal.models import ScheduleDay, ScheduleVariant

    five = fixed_schedule(inst, is_default=True)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ScheduleDay.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError), transaction.atomic():
        sid = transaction.savepoint()
        try:
            schedule_variant_define(
                actor=None,
                schedule=five,
                name="Ramadan",
                date_from=D(2027, 2, 18),
                date_to=D(2027, 3, 19),
                days={d: (T(8), T(15)) for d in range(5)},
            )
        finally:
            assert not ScheduleVariant.objects.filter(schedule=five).exists()
            transaction.savepoint_rollback(sid)
