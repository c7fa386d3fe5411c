"""A small dinas for attendance tests: a head (kepala) and two staff under them, on a 5-day schedule
(Mon-Thu 07:30-16:00, Fri 07:30-16:30) in WITA, plus a hospital nurse on shifts."""

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

import pytest

from ekinerja.attendance.services import leave_types_ensure
from tests.factories import (
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    fixed_schedule,
    grant,
    put_on_schedule,
    shift_schedule,
)

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
D = dt.date
T = dt.time


def at(day: dt.date, hh: int, mm: int = 0, ss: int = 0, tz=WITA) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=tz)


@dataclass
class Office:
    instansi: object
    unit: object
    kepala: object
    ani: object
    budi: object
    nurse: object
    schedule: object
    shifts: object
    bkpsdm_user: object = None
    people: dict = field(default_factory=dict)


@pytest.fixture
def office(db) -> Office:
    inst = InstansiFactory(code="6301", name="Pemerintah Kabupaten Hulu Sungai Selatan")
    unit = UnitFactory(instansi=inst, code="DINKES", name="Dinas Kesehatan")
    head_pos = PositionFactory(
        unit=unit, instansi=inst, code="KADIS", name="Kepala Dinas", kind="struktural", kelas=14
    )
    staff_pos = PositionFactory(
        unit=unit, instansi=inst, code="STAF", name="Pengadministrasi", parent=head_pos
    )
    nurse_pos = PositionFactory(
        unit=unit, instansi=inst, code="PERAWAT", name="Perawat", kind="fungsional", parent=head_pos
    )
    kepala = employee_with_login(inst, head_pos, name="Kepala Dinas Uji")
    ani = employee_with_login(inst, staff_pos, name="Ani")
    budi = employee_with_login(inst, staff_pos, name="Budi")
    nurse = employee_with_login(inst, nurse_pos, name="Nina Perawat")
    sched = fixed_schedule(inst, is_default=True)
    rs = shift_schedule(inst)
    put_on_schedule(nurse, rs)
    leave_types_ensure(inst)
    from tests.factories import UserFactory

    bk = UserFactory(instansi=inst, username="bkpsdm1")
    grant(bk, "bkpsdm")
    return Office(inst, unit, kepala, ani, budi, nurse, sched, rs, bk)


def annual_leave(employee, first: dt.date, last: dt.date, status="approved"):
    """A cuti tahunan request of `employee` from `first` to `last`, stored as it is (no workflow)."""
    from ekinerja.attendance.models import LeaveRequest, LeaveType

    return LeaveRequest.objects.create(
        instansi_id=employee.instansi_id,
        employee=employee,
        leave_type=LeaveType.objects.get(instansi_id=employee.instansi_id, code="cuti_tahunan"),
        date_from=first,
        date_to=last,
        status=status,
    )


@pytest.fixture
def kasubag_office(db) -> dict:
    """The office of the departed-official tests (test_s11_departed_approver, test_s11_followups,
    test_s12_departed_officials): a Dinas Kesehatan in WITA with the Kepala Dinas at the top,
    Kasubag Sari under him and Ani (staf) under Sari, each with a login, and a BKPSDM account of
    its own (no employee record)."""
    from ekinerja.org.models import Position
    from tests.factories import UserFactory

    inst = InstansiFactory(timezone="Asia/Makassar")
    unit = UnitFactory(instansi=inst, name="Dinas Kesehatan")
    kepala = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=14, name="Kepala")
    kasubag = PositionFactory(
        unit=unit, kind=Position.Kind.STRUKTURAL, kelas=9, name="Kasubag", parent=kepala
    )
    staf = PositionFactory(unit=unit, kind=Position.Kind.PELAKSANA, kelas=7, parent=kasubag)
    fixed_schedule(inst, is_default=True)
    leave_types_ensure(inst)
    bkpsdm = UserFactory(instansi=inst, username="bkpsdm-dinkes")
    grant(bkpsdm, "bkpsdm")
    return {
        "inst": inst,
        "unit": unit,
        "kepala": employee_with_login(inst, kepala, name="Kepala Dinas Uji"),
        "sari": employee_with_login(inst, kasubag, name="Kasubag Sari"),
        "ani": employee_with_login(inst, staf, name="Ani Staf"),
        "bkpsdm": bkpsdm,
    }
