"""Nobody pays themselves: a BKPSDM officer who draws TPP does not record a correction to their own
TPP nor release a withholding of it; another officer does. Before, an officer could add up to
twelve times their own monthly ceiling to their next pay, or release the TPP another officer had
held pending their LHKPN, from the run page (the four-eyes lock then rested on a colleague noticing
one line among thousands)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ekinerja.core.periods import Period
from ekinerja.tpp import services
from ekinerja.tpp.models import Adjustment, Run, Withholding
from tests.factories import grant
from tests.tpp.data import OCT, make_pemda

pytestmark = pytest.mark.django_db
NOV = Period(2026, 11)
OWN = "TPP Anda sendiri"


@pytest.fixture
def pemda():
    p = make_pemda()
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    run = services.run_verify(actor=p.bkpsdm1, run=run)
    services.run_lock(actor=p.bkpsdm2, run=run)
    return p


@pytest.fixture
def officer(pemda):
    """An employee of the instansi (with TPP) who is also a BKPSDM officer."""
    staf = pemda.people["staf"]
    grant(staf.user, "bkpsdm")
    return staf


def test_an_officer_does_not_correct_their_own_tpp(client, pemda, officer):
    with pytest.raises(ValidationError, match=OWN):
        services.adjustment_record(
            actor=officer.user,
            employee=officer,
            source_period=OCT,
            amount=Decimal(5_000_000),
            reason="kekurangan bayar",
        )
    nov = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=NOV)
    client.force_login(officer.user)
    response = client.post(
        reverse("tpp:adjust", args=[nov.pk]),
        {"nip": officer.nip, "amount": "5.000.000", "reason": "kekurangan bayar"},
    )
    assert response.status_code == 400 and OWN in response.content.decode()
    assert not Adjustment.objects.exists()
    # Another officer corrects it.
    services.adjustment_record(
        actor=pemda.bkpsdm1,
        employee=officer,
        source_period=OCT,
        amount=Decimal(5_000_000),
        reason="kekurangan bayar",
    )
    assert Adjustment.objects.filter(employee=officer).count() == 1


def test_an_officer_does_not_release_their_own_withheld_tpp(client, pemda, officer):
    nov = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=NOV)
    held = services.withholding_create(
        actor=pemda.bkpsdm1, employee=officer, period=NOV, reason="LHKPN belum dilaporkan"
    )
    with pytest.raises(ValidationError, match=OWN):
        services.withholding_release(actor=officer.user, withholding=held)
    client.force_login(officer.user)
    client.post(reverse("tpp:release", args=[nov.pk, held.pk]))
    assert Withholding.objects.get(pk=held.pk).released_period == ""
    services.withholding_release(actor=pemda.bkpsdm2, withholding=held)
    assert Withholding.objects.get(pk=held.pk).released_period == "2026-11"
    assert Run.objects.filter(pk=nov.pk).exists()
