"""Nobody decides their own request: a BKPSDM officer's own leave, or an unlock they filed on
someone's behalf, is decided by another officer."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from ekinerja.activities import services as act_services
from ekinerja.attendance.models import LeaveRequest, LeaveType
from ekinerja.attendance.services import leave_types_ensure
from tests.factories import (
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    fixed_schedule,
    grant,
)

pytestmark = pytest.mark.django_db


def test_bkpsdm_officer_cannot_give_the_final_approval_to_own_leave(client):
    inst = InstansiFactory()
    unit = UnitFactory(instansi=inst)
    boss_pos = PositionFactory(unit=unit, kind="struktural", kelas=12)
    me = employee_with_login(inst, PositionFactory(unit=unit, parent=boss_pos), name="Staf BKPSDM")
    employee_with_login(inst, boss_pos, name="Kabid")
    fixed_schedule(inst, is_default=True)
    leave_types_ensure(inst)
    grant(me.user, "bkpsdm")
    req = LeaveRequest.objects.create(
        instansi=inst,
        employee=me,
        leave_type=LeaveType.objects.get(instansi=inst, code="cuti_besar"),
        date_from=dt.date(2026, 11, 2),
        date_to=dt.date(2026, 11, 27),
        working_days=20,
        reason="Cuti besar",
        status=LeaveRequest.Status.AWAITING_BKPSDM,
    )
    client.force_login(me.user)
    client.post(f"/kehadiran/cuti/{req.pk}/putuskan/", {"decision": "approve"})
    req.refresh_from_db()
    assert req.status == LeaveRequest.Status.AWAITING_BKPSDM and req.decided_by is None
    # Another BKPSDM officer decides it.
    other = employee_with_login(inst, None, name="Staf BKPSDM lain")
    grant(other.user, "bkpsdm")
    client.force_login(other.user)
    client.post(f"/kehadiran/cuti/{req.pk}/putuskan/", {"decision": "approve"})
    req.refresh_from_db()
    assert req.status == LeaveRequest.Status.APPROVED and req.decided_by == other.user


def test_an_unlock_filed_for_someone_is_not_decided_by_who_filed_it(office, at):
    at("2026-10-09 10:00")
    ani = office["p"]["ani"]
    officer = employee_with_login(office["inst"], None, name="Admin OPD dan BKPSDM").user
    grant(officer, "admin_opd", unit=ani.assignments.first().position.unit)
    grant(officer, "bkpsdm")
    unlock = act_services.unlock_request_create(
        actor=officer,
        employee=ani,
        date_from=dt.date(2026, 9, 1),
        date_to=dt.date(2026, 9, 2),
        reason="Tugas luar daerah tanpa sinyal",
    )
    with pytest.raises(PermissionDenied):
        act_services.unlock_request_decide(
            actor=officer, unlock=unlock, approve=True, deadline=dt.date(2026, 10, 12)
        )
