"""The services that decide pay, policy and attendance check the actor's instansi themselves, not only
the pages that call them (which look the object up with get_scoped_or_404). Before, an officer of
another Pemda holding the same role passed every check of these services: a BKPSDM account of
instansi B verified and locked instansi A's TPP list, adopted or retired its policy, recorded a
payroll export of it and approved a correction of one of its employees; and the work calendar's
services (holidays, rosters) checked no role at all."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied

from ekinerja.attendance import services as attendance
from ekinerja.attendance.models import CorrectionRequest, Punch
from ekinerja.core.models import AuditEvent
from ekinerja.org.models import Assignment
from ekinerja.tpp import services as tpp
from ekinerja.tpp.models import Policy, Run
from ekinerja.tpp.policy import hss_template
from ekinerja.workcal import services as workcal
from ekinerja.workcal.models import Holiday, ShiftRoster
from tests.factories import (
    InstansiFactory,
    UserFactory,
    employee_with_login,
    grant,
    holiday,
    put_on_schedule,
    shift_schedule,
)
from tests.tpp.data import OCT, make_pemda

pytestmark = pytest.mark.django_db
WITA = zoneinfo.ZoneInfo("Asia/Makassar")


@pytest.fixture
def pemda():
    return make_pemda()


@pytest.fixture
def outsider():
    """A BKPSDM officer (with an employee record) of another instansi."""
    other = InstansiFactory(code="9999", name="Kabupaten Lain")
    officer = employee_with_login(other, None, name="BKPSDM lain").user
    grant(officer, "bkpsdm")
    return officer


def test_another_instansis_bkpsdm_cannot_verify_lock_or_export_a_tpp_list(pemda, outsider):
    run = tpp.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    with pytest.raises(PermissionDenied):
        tpp.run_verify(actor=outsider, run=run)
    assert Run.objects.get(pk=run.pk).state == Run.State.COMPUTED
    run = tpp.run_verify(actor=pemda.bkpsdm1, run=run)
    with pytest.raises(PermissionDenied):
        tpp.run_lock(actor=outsider, run=run)
    assert Run.objects.get(pk=run.pk).state == Run.State.VERIFIED
    run = tpp.run_lock(actor=pemda.bkpsdm2, run=run)
    with pytest.raises(PermissionDenied):
        tpp.run_mark_exported(actor=outsider, run=run, what="nominatif-xlsx")
    assert Run.objects.get(pk=run.pk).state == Run.State.LOCKED
    assert not AuditEvent.objects.filter(actor=outsider).exists()


def test_another_instansis_bkpsdm_cannot_adopt_or_retire_a_policy(pemda, outsider):
    draft = tpp.policy_save(
        actor=pemda.bkpsdm1, instansi=pemda.inst, data=hss_template("2027-01-01")
    )
    with pytest.raises(PermissionDenied):
        tpp.policy_adopt(actor=outsider, policy=draft)
    assert Policy.objects.get(pk=draft.pk).status == Policy.Status.DRAFT
    with pytest.raises(PermissionDenied):
        tpp.policy_retire(actor=outsider, policy=pemda.policy, reason="dicabut dari luar")
    assert Policy.objects.get(pk=pemda.policy.pk).status == Policy.Status.ADOPTED


def test_another_instansis_bkpsdm_cannot_decide_a_correction(pemda, outsider, at):
    at("2026-11-10 09:00")
    staf = pemda.people["staf"]
    # Nobody above the employee: BKPSDM decides, but the employee's own BKPSDM only.
    Assignment.objects.filter(employee=pemda.people["kadis_b"]).update(end=dt.date(2026, 11, 1))
    req = attendance.correction_submit(
        actor=staf.user,
        employee=staf,
        at=dt.datetime(2026, 11, 5, 7, 28, tzinfo=WITA),
        reason="Mesin sidik jari rusak",
    )
    with pytest.raises(PermissionDenied):
        attendance.correction_decide(actor=outsider, correction=req, approve=True)
    assert CorrectionRequest.objects.get(pk=req.pk).status == CorrectionRequest.Status.SUBMITTED
    assert not Punch.objects.filter(employee=staf).exists()
    attendance.correction_decide(actor=pemda.bkpsdm1, correction=req, approve=True)
    assert Punch.objects.filter(employee=staf).count() == 1


def test_only_bkpsdm_of_the_instansi_changes_its_holidays(pemda, outsider):
    plain = pemda.people["guru"].user
    kominfo = UserFactory(instansi=pemda.inst, username="kominfo1")
    grant(kominfo, "kominfo")
    day = holiday(pemda.inst, dt.date(2026, 8, 20), "Hari Jadi")
    for actor in (plain, kominfo, outsider):
        with pytest.raises(PermissionDenied):
            workcal.holiday_create(
                actor=actor,
                instansi=pemda.inst,
                date=dt.date(2026, 9, 1),
                name="Libur",
                kind="regional",
            )
        with pytest.raises(PermissionDenied):
            workcal.holiday_update(
                actor=actor, holiday=day, date=day.date, name="Diubah", kind="regional"
            )
        with pytest.raises(PermissionDenied):
            workcal.holiday_delete(actor=actor, holiday=day)
        with pytest.raises(PermissionDenied):
            workcal.holiday_restore(actor=actor, holiday=day)
        with pytest.raises(PermissionDenied):  # the national calendar of a year, in one go
            workcal.holidays_seed(actor=actor, instansi=pemda.inst, year=2026)
    assert list(Holiday.objects.filter(instansi=pemda.inst).values_list("name", "is_active")) == [
        ("Hari Jadi", True)
    ]
    workcal.holiday_create(
        actor=pemda.bkpsdm1,
        instansi=pemda.inst,
        date=dt.date(2026, 9, 1),
        name="Libur",
        kind="regional",
    )
    assert Holiday.objects.filter(instansi=pemda.inst).count() == 2
    assert workcal.holidays_seed(actor=pemda.bkpsdm1, instansi=pemda.inst, year=2026) > 10


def test_only_who_may_roster_an_employee_rosters_them(pemda, outsider):
    shifts = shift_schedule(pemda.inst)
    guru, staf = pemda.people["guru"], pemda.people["staf"]
    put_on_schedule(staf, shifts)
    day = dt.date(2026, 10, 7)

    def roster(actor):
        return workcal.roster_set(
            actor=actor, instansi=pemda.inst, entries=[(staf, day, "P")], schedule=shifts
        )

    # A colleague elsewhere, Kominfo and another Pemda's BKPSDM: no.
    kominfo = UserFactory(instansi=pemda.inst, username="kominfo1")
    grant(kominfo, "kominfo")
    for actor in (guru.user, kominfo, outsider):
        with pytest.raises(PermissionDenied):
            roster(actor)
    assert not ShiftRoster.objects.exists()
    # The employee's superior, BKPSDM: yes.
    roster(pemda.people["kadis_b"].user)
    assert ShiftRoster.objects.filter(employee=staf).count() == 1
    roster(pemda.bkpsdm1)
