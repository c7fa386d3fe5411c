"""Fixtures of the performance tests: Kepala Dinas > Kepala Bidang > three staff, a frozen clock."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from ekinerja.org.models import Position
from tests.factories import (
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    UserFactory,
    employee_with_login,
    grant,
)
from tests.performance.factories import agreed_plan, small_org

WITA = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def at():
    """at("2026-11-03 09:00") freezes the clock at that local (WITA) time."""
    travellers = []

    def _at(text: str):
        moment = dt.datetime.fromisoformat(text).replace(tzinfo=WITA)
        t = time_machine.travel(moment, tick=False)
        t.start()
        travellers.append(t)
        return moment

    yield _at
    for t in reversed(travellers):
        t.stop()


@pytest.fixture
def org(db):
    return small_org(InstansiFactory(timezone="Asia/Makassar"))


@pytest.fixture
def kaban(org):
    """The Kepala BKPSDM: an employee at the top of the tree (no direct superior) with the BKPSDM
    role."""
    unit = UnitFactory(instansi=org["inst"], name="Badan Kepegawaian dan Pengembangan SDM")
    post = PositionFactory(unit=unit, name="Kepala BKPSDM", kind=Position.Kind.STRUKTURAL, kelas=14)
    employee = employee_with_login(org["inst"], post, name="Drs. Yusuf Hamzah")
    grant(employee.user, "bkpsdm")
    return employee


@pytest.fixture
def other_officer(org):
    """A BKPSDM officer account without an employee record."""
    user = UserFactory(instansi=org["inst"])
    grant(user, "bkpsdm")
    return user


@pytest.fixture
def cascaded(org):
    """Agreed 2026 plans down the chain: kadis -> kabid -> each staff member."""
    kadis_plan = agreed_plan(org["kadis"], 2026)
    kabid_plan = agreed_plan(
        org["kabid"], 2026, parents=list(kadis_plan.results.all()), appraiser=org["kadis"]
    )
    staff_plans = {
        key: agreed_plan(
            org[key], 2026, parents=list(kabid_plan.results.all()), appraiser=org["kabid"]
        )
        for key in ("staf1", "staf2", "staf3")
    }
    return {"kadis": kadis_plan, "kabid": kabid_plan, **staff_plans}
