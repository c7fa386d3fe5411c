"""The demo's attendance: every employee has punches for last month, the RSUD's medical staff work
rostered shifts (night shifts included)."""

import datetime as dt
import zoneinfo

import pytest

from ekinerja.attendance.models import Punch
from ekinerja.demo.attendance import generate_attendance
from ekinerja.demo.org import generate_org
from ekinerja.demo.runner import DEMO_PASSWORD, demo_generate
from ekinerja.org.models import Employee
from ekinerja.workcal.models import ShiftRoster

pytestmark = pytest.mark.django_db


def test_demo_month_of_punches_and_a_hospital_on_shifts():
    today = dt.date(2026, 11, 4)
    result = demo_generate(
        code="6306",
        employees=150,
        seed=7,
        password=DEMO_PASSWORD,
        today=today,
        generators=[("org", generate_org), ("attendance", generate_attendance)],
    )
    employees = Employee.objects.filter(instansi=result.instansi).count()
    october = Punch.objects.filter(
        instansi=result.instansi,
        at__date__gte=dt.date(2026, 10, 1),
        at__date__lte=dt.date(2026, 10, 31),
    )
    with_punches = october.values("employee_id").distinct().count()
    assert with_punches >= employees * 0.9  # a few are on leave all month, none is forgotten
    roster = ShiftRoster.objects.filter(instansi=result.instansi)
    assert roster.exists() and roster.filter(shift__code="M").exists()
    # Nothing is made up for today: the latest punch is the check-out of last night's shift.
    noon_today = dt.datetime.combine(
        today, dt.time(12), tzinfo=zoneinfo.ZoneInfo(result.instansi.timezone)
    )
    assert not Punch.objects.filter(instansi=result.instansi, at__gte=noon_today).exists()
