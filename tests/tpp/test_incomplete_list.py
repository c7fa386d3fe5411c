"""A list missing someone who now has a post in its month is neither verified nor locked
(services._refuse_incomplete): locked, the month would be closed for them, and their TPP and any
release or correction due to them in it would be paid by no list. Found by an audit (December
2026): a correction of Rp100.000 and a released withholding were lost that way."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ekinerja.core.periods import Period
from ekinerja.org.models import Assignment
from ekinerja.tpp import services
from ekinerja.tpp.models import Result
from tests.factories import AssignmentFactory
from tests.tpp.data import OCT, D, full_attendance, make_pemda, monthly_minutes, workdays

pytestmark = pytest.mark.django_db
NOV = Period(2026, 11)


@pytest.fixture
def pemda():
    p = make_pemda()
    for e in p.people.values():
        for per in (OCT, NOV):
            full_attendance(e, days=workdays(per))
            monthly_minutes(p, e, 15, days=workdays(per))
    october = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    services.run_lock(actor=p.bkpsdm2, run=services.run_verify(actor=p.bkpsdm1, run=october))
    return p


def test_a_correction_due_to_someone_the_list_lacks_waits_for_the_recompute(pemda):
    p, staf = pemda, pemda.people["staf"]
    Assignment.objects.filter(employee=staf).update(end=D(2026, 10, 31))
    nov = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=NOV)
    assert not Result.objects.filter(run=nov, employee=staf).exists()
    # Their new post from 1 November is recorded only after the list was computed.
    AssignmentFactory(position=p.pos["staf"], employee=staf, start=D(2026, 11, 1))
    adj = services.adjustment_record(
        actor=p.bkpsdm1,
        employee=staf,
        source_period=OCT,
        amount=Decimal(100_000),
        reason="Kurang bayar Oktober",
    )
    assert adj.target_period == "2026-11"
    with pytest.raises(ValidationError) as err:
        services.run_verify(actor=p.bkpsdm1, run=nov)
    assert err.value.message_dict["period"] == [
        f"TPP November 2026 belum dapat diverifikasi: 1 pegawai yang kini punya jabatan pada bulan "
        f"ini belum ada dalam daftar ({staf.name}). Hitung ulang dulu."
    ]
    nov = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=NOV)
    nov = services.run_lock(actor=p.bkpsdm2, run=services.run_verify(actor=p.bkpsdm1, run=nov))
    row = Result.objects.get(run=nov, employee=staf)
    assert row.adjustment == Decimal(100_000)


def test_a_verified_list_is_not_locked_once_someone_is_missing_from_it(pemda):
    p, staf = pemda, pemda.people["staf"]
    Assignment.objects.filter(employee=staf).update(end=D(2026, 10, 31))
    nov = services.run_verify(
        actor=p.bkpsdm1, run=services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=NOV)
    )
    AssignmentFactory(position=p.pos["staf"], employee=staf, start=D(2026, 11, 1))
    with pytest.raises(ValidationError) as err:
        services.run_lock(actor=p.bkpsdm2, run=nov)
    assert "belum dapat dikunci: 1 pegawai" in err.value.message_dict["period"][0]
    nov.refresh_from_db()
    assert nov.state == "verified"
