"""Deleting calendar rows in the Django admin: from the form or the changelist's bulk action, each
row is audited once and the change is announced (signals.calendar_changed), so the stored
attendance and the leave requests' working days follow. Before, the bulk action announced nothing
and the form wrote two audit events per row."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from ekinerja.attendance import services as attendance
from ekinerja.attendance.models import DailyAttendance
from ekinerja.core.models import AuditEvent
from ekinerja.workcal.models import EmployeeSchedule, ScheduleVariant, ShiftRoster
from ekinerja.workcal.services import roster_set, schedule_variant_define
from ekinerja.workcal.signals import calendar_changed
from tests.attendance.conftest import D, T, office  # noqa: F401
from tests.factories import UserFactory, fixed_schedule, grant, put_on_schedule

pytestmark = pytest.mark.django_db
NOW_30 = dt.datetime(2026, 10, 30, 2, tzinfo=dt.UTC)  # Friday 30 October, 10:00 WITA


@pytest.fixture
def heard():
    calls = []

    def listen(sender, **kwargs):
        calls.append((kwargs["start"], kwargs["end"], kwargs["employee_ids"]))

    calendar_changed.connect(listen, dispatch_uid="test-heard-admin")
    yield calls
    calendar_changed.disconnect(dispatch_uid="test-heard-admin")


@pytest.fixture
def bkpsdm_staff(client, office):  # noqa: F811
    user = UserFactory(instansi=office.instansi, username="bkpsdm-staf", is_staff=True)
    grant(user, "bkpsdm")
    client.force_login(user)
    return user


def _deleted(model):
    """The audit events of deletions of this model (the admin's own "admin.delete" included)."""
    return list(
        AuditEvent.objects.filter(
            object_type=f"workcal.{model}", action__endswith="delete"
        ).values_list("action", flat=True)
    )


@time_machine.travel(NOW_30, tick=False)
def test_a_bulk_delete_of_rosters_is_announced_and_each_row_audited_once(
    client,
    office,  # noqa: F811
    bkpsdm_staff,
    heard,
    django_capture_on_commit_callbacks,
):
    nurse, budi = office.nurse, office.budi
    roster_set(
        actor=None,
        instansi=office.instansi,
        schedule=office.shifts,
        entries=[(nurse, D(2026, 10, 20), "P"), (nurse, D(2026, 10, 22), "S")],
    )
    attendance.daily_recompute(instansi=office.instansi, start=D(2026, 10, 19), end=D(2026, 10, 23))
    assert DailyAttendance.objects.filter(employee=nurse, date=D(2026, 10, 20)).exists()
    heard.clear()
    rows = list(ShiftRoster.objects.filter(employee=nurse).values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:workcal_shiftroster_changelist"),
            {"action": "delete_selected", "_selected_action": rows, "post": "yes"},
        )
    assert response.status_code == 302
    assert not ShiftRoster.objects.exists()
    # One announcement for the span and the employees of the rows deleted.
    assert heard == [(D(2026, 10, 20), D(2026, 10, 22), [nurse.id])]
    # The stored days followed: without a roster the nurse's days are no working days any more.
    assert not DailyAttendance.objects.filter(employee=nurse, date__in=[D(2026, 10, 20)]).exists()
    assert DailyAttendance.objects.filter(employee=budi, date=D(2026, 10, 20)).exists()
    assert _deleted("ShiftRoster") == ["workcal.shiftroster.delete"] * 2
    assert not AuditEvent.objects.filter(action="admin.delete").exists()


def test_deleting_a_variant_from_its_form_is_audited_once_and_announced(
    client,
    office,  # noqa: F811
    bkpsdm_staff,
    heard,
):
    variant = schedule_variant_define(
        actor=None,
        schedule=office.schedule,
        name="Ramadan",
        date_from=D(2027, 2, 18),
        date_to=D(2027, 3, 19),
        days={d: (T(8), T(15)) for d in range(5)},
    )
    heard.clear()
    response = client.post(
        reverse("admin:workcal_schedulevariant_delete", args=[variant.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not ScheduleVariant.objects.exists()
    assert heard == [(D(2027, 2, 18), D(2027, 3, 19), None)]  # the default schedule: everyone
    assert _deleted("ScheduleVariant") == ["workcal.schedulevariant.delete"]


def test_a_bulk_delete_of_schedule_periods_is_announced_per_instansi(
    client,
    office,  # noqa: F811
    bkpsdm_staff,
    heard,
):
    six = fixed_schedule(office.instansi, code="6HK", days={d: (T(7), T(14)) for d in range(6)})
    put_on_schedule(office.ani, six, D(2026, 10, 1), D(2026, 10, 31))
    put_on_schedule(office.budi, six, D(2026, 11, 1))
    heard.clear()
    periods = list(EmployeeSchedule.objects.filter(schedule=six).values_list("pk", flat=True))
    client.post(
        reverse("admin:workcal_employeeschedule_changelist"),
        {"action": "delete_selected", "_selected_action": periods, "post": "yes"},
    )
    assert not EmployeeSchedule.objects.filter(schedule=six).exists()
    assert heard == [(D(2026, 10, 1), None, sorted([office.ani.id, office.budi.id]))]
    assert _deleted("EmployeeSchedule") == ["workcal.employeeschedule.delete"] * 2
