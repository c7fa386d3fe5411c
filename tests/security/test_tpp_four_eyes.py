"""The four-eyes lock holds for changes made after computing: whoever withheld, released or
adjusted TPP in a month's list cannot lock that list alone."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from ekinerja.core.periods import Period
from ekinerja.tpp import services
from ekinerja.tpp.models import Result, Run
from tests.factories import UserFactory, grant
from tests.tpp.data import OCT, make_pemda

pytestmark = pytest.mark.django_db
NOV = Period(2026, 11)


@pytest.fixture
def pemda():
    return make_pemda()


def test_who_adjusted_the_list_cannot_verify_and_lock_it_alone(pemda):
    oct_run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    services.run_verify(actor=pemda.bkpsdm1, run=oct_run)
    services.run_lock(actor=pemda.bkpsdm2, run=oct_run)
    nov = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=NOV)
    staf = pemda.people["staf"]
    before = Result.objects.get(run=nov, employee=staf).payable
    # bkpsdm2 adds 25 million to a colleague's November pay, then verifies...
    services.adjustment_record(
        actor=pemda.bkpsdm2,
        employee=staf,
        source_period=OCT,
        amount=Decimal(25_000_000),
        reason="koreksi",
    )
    nov = services.run_verify(actor=pemda.bkpsdm2, run=nov)
    # ...but cannot lock: bkpsdm1 computed, bkpsdm2 changed; neither alone.
    with pytest.raises(PermissionDenied, match="mengoreksi"):
        services.run_lock(actor=pemda.bkpsdm2, run=nov)
    assert Run.objects.get(pk=nov.pk).state == Run.State.VERIFIED
    with pytest.raises(PermissionDenied, match="menghitung"):
        services.run_lock(actor=pemda.bkpsdm1, run=nov)
    # A third officer locks it.
    third = UserFactory(instansi=pemda.inst, username="bkpsdm3")
    grant(third, "bkpsdm")
    nov = services.run_lock(actor=third, run=nov)
    assert nov.state == Run.State.LOCKED
    assert Result.objects.get(run=nov, employee=staf).payable == before + 25_000_000


def test_who_withheld_cannot_lock(pemda):
    nov = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=NOV)
    services.withholding_create(
        actor=pemda.bkpsdm2, employee=pemda.people["guru"], period=NOV, reason="LHKPN belum ada"
    )
    nov = services.run_verify(actor=pemda.bkpsdm2, run=nov)
    with pytest.raises(PermissionDenied, match="menahan"):
        services.run_lock(actor=pemda.bkpsdm2, run=nov)


def test_a_list_computed_by_the_system_is_not_verified_and_locked_by_one_person(client):
    """The demo's lists and any job without an officer: the verifier is the first person."""
    p = make_pemda()
    run = services.run_compute(actor=None, instansi=p.inst, period=OCT)
    run = services.run_verify(actor=p.bkpsdm1, run=run)
    client.force_login(p.bkpsdm1)
    page = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
    assert 'data-testid="lock-hint"' in page and 'data-testid="lock-form"' not in page
    with pytest.raises(PermissionDenied, match="dihitung oleh sistem"):
        services.run_lock(actor=p.bkpsdm1, run=run)
    assert Run.objects.get(pk=run.pk).state == Run.State.VERIFIED
    run = services.run_lock(actor=p.bkpsdm2, run=run)
    assert run.state == Run.State.LOCKED
