"""S11 (H2): the demo's locked list is dated the demo's own day. The demo builds its data for
`today` (demo_generate's, else the instansi's local day), while run_compute, run_verify and
run_lock stamp the real clock: a demo made for 23 November 2026 on 7 December printed "7 Desember
2026" as the lock date on its payroll pdf (exports.signed_on) and its run page. The generator now
moves its runs' times onto its day by whole days; the services still stamp the real clock."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import zoneinfo

import pytest
from pypdf import PdfReader

from ekinerja.core.periods import Period
from ekinerja.demo.tpp import generate_tpp
from ekinerja.tpp import exports, services
from ekinerja.tpp.models import Run
from ekinerja.tpp.policy import hss_template
from tests.factories import (
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    fixed_schedule,
    grant,
)
from tests.tpp.data import full_attendance, workdays

pytestmark = pytest.mark.django_db
WITA = zoneinfo.ZoneInfo("Asia/Makassar")
# 7 December 2026, 21:30 UTC: already the 8th in WITA.
REAL_NOW = dt.datetime(2026, 12, 7, 21, 30, tzinfo=dt.UTC)


@pytest.fixture
def pemda(time_machine):
    time_machine.move_to(REAL_NOW, tick=False)
    inst = InstansiFactory(code="6399", timezone="Asia/Makassar", place="Kandangan")
    unit = UnitFactory(instansi=inst)
    boss = PositionFactory(unit=unit, kelas=12, kind="struktural")
    staff = PositionFactory(unit=unit, kelas=7, parent=boss)
    people = [employee_with_login(inst, boss)] + [
        employee_with_login(inst, staff) for _ in range(3)
    ]
    grant(people[0].user, "bkpsdm")
    fixed_schedule(inst, is_default=True)
    for e in people:
        full_attendance(e, days=workdays(Period(2026, 9)) + workdays(Period(2026, 10)))
    return inst


def _generate(inst, today):
    return generate_tpp(
        instansi=inst,
        employees=4,
        rng=random.Random("2026:6399:tpp"),
        password="Demo-eKinerja-2026",
        today=today,
    )


def _local(moment: dt.datetime) -> dt.date:
    return moment.astimezone(WITA).date()


def test_the_demos_lock_date_is_its_own_day_on_the_run_and_the_payroll_pdf(pemda):
    today = dt.date(2026, 11, 23)
    summary = _generate(pemda, today)
    assert summary.locked == ["2026-09"] and summary.computed == ["2026-09", "2026-10"]
    sept = Run.objects.get(instansi=pemda, period="2026-09")
    octo = Run.objects.get(instansi=pemda, period="2026-10")
    assert sept.state == Run.State.LOCKED and octo.state == Run.State.COMPUTED
    # Was 8 December (the real clock in WITA) for all three.
    assert _local(sept.computed_at) == _local(sept.verified_at) == _local(sept.locked_at) == today
    assert _local(octo.computed_at) == today and octo.verified_at is None
    # Whole days: the services' order and hours are kept (05:30 WITA).
    assert sept.computed_at <= sept.verified_at <= sept.locked_at
    assert sept.locked_at == REAL_NOW - dt.timedelta(days=15)
    payroll = exports.payroll(sept, signed=True)
    assert payroll.signed_on == today
    assert payroll.signed_line == "Kandangan, 23 November 2026"
    pdf = exports.nominatif_pdf(sept)
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert "Kandangan, 23 November 2026" in text
    assert "Desember 2026" not in text


def test_a_demo_of_the_real_day_keeps_the_services_times(pemda):
    """The demo-data command's case: `today` is the instansi's local day; nothing is moved."""
    summary = _generate(pemda, _local(REAL_NOW))
    assert summary.locked == ["2026-10"]  # October and November its months: November has no data
    octo = Run.objects.get(instansi=pemda, period="2026-10")
    assert octo.computed_at == octo.verified_at == octo.locked_at == REAL_NOW


def test_the_services_still_stamp_the_real_clock(pemda):
    """Outside the demo nothing changed: a real BKPSDM's lock is dated by the real clock."""
    from ekinerja.core.models import User

    bkpsdm = User.objects.get(instansi=pemda, role_grants__role="bkpsdm")
    policy = services.policy_save(actor=None, instansi=pemda, data=hss_template("2026-01-01"))
    services.policy_adopt(actor=None, policy=policy)
    run = services.run_compute(actor=None, instansi=pemda, period=Period(2026, 9))
    run = services.run_verify(actor=None, run=run)
    run = services.run_lock(actor=bkpsdm, run=run)
    run.refresh_from_db()
    assert run.computed_at == run.verified_at == run.locked_at == REAL_NOW
    assert exports.payroll(run, signed=True).signed_on == dt.date(2026, 12, 8)
