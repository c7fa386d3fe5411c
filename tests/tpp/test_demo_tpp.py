"""The demo TPP generator: policy adopted from January, a second BKPSDM account, sentences, and the
months with attendance data computed (the earlier one locked by the second account)."""

import datetime as dt
import random

import pytest

from ekinerja.core.models import User
from ekinerja.core.periods import Period
from ekinerja.demo.tpp import generate_tpp
from ekinerja.tpp.models import Policy, Run, Sentence
from ekinerja.tpp.selectors import policy_for
from tests.factories import (
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    fixed_schedule,
    grant,
)

from .data import full_attendance, workdays

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)


def _pemda(with_october: bool):
    inst = InstansiFactory(code="6399", timezone="Asia/Makassar")
    unit = UnitFactory(instansi=inst)
    boss = PositionFactory(unit=unit, kelas=12, kind="struktural")
    staff = PositionFactory(unit=unit, kelas=7, parent=boss)
    people = [employee_with_login(inst, boss)] + [
        employee_with_login(inst, staff) for _ in range(4)
    ]
    grant(people[0].user, "bkpsdm")
    fixed_schedule(inst, is_default=True)
    for e in people:
        full_attendance(e, days=workdays(Period(2026, 9)))
        if with_october:
            full_attendance(e, days=workdays(Period(2026, 10)))
    return inst


def _run(inst, employees=5):
    return generate_tpp(
        instansi=inst,
        employees=employees,
        rng=random.Random("2026:6399:tpp"),
        password="Demo-eKinerja-2026",
        today=TODAY,
    )


def test_demo_adopts_the_policy_and_computes_the_months_with_data():
    inst = _pemda(with_october=True)
    summary = _run(inst)
    assert policy_for(inst, Period(2026, 11)).status == Policy.Status.ADOPTED
    assert policy_for(inst, Period(2026, 1)).effective_from == dt.date(2026, 1, 1)
    assert summary.computed == ["2026-09", "2026-10"] and summary.locked == ["2026-09"]
    sept = Run.objects.get(instansi=inst, period="2026-09")
    octo = Run.objects.get(instansi=inst, period="2026-10")
    bkpsdm = User.objects.get(role_grants__role="bkpsdm", instansi=inst)
    assert sept.state == Run.State.LOCKED and sept.computed_by is None
    # Verified by the generator (the system), locked by the demo's BKPSDM: two hands, as the rule asks.
    assert sept.verified_by is None and sept.locked_by == bkpsdm
    assert octo.state == Run.State.COMPUTED and octo.employees == 5 and octo.total_payable > 0
    assert Sentence.objects.filter(instansi=inst).count() == summary.sentences == 1
    assert not User.objects.filter(username__startswith="bkpsdm2").exists()


def test_months_without_attendance_data_are_not_computed():
    inst = _pemda(with_october=False)
    summary = _run(inst)
    assert summary.computed == ["2026-09"] and summary.skipped == ["2026-10"]
