"""A new Pemda's first month (R15 walk-through): computing a month before its first TPP policy takes
effect is refused on the runs page without leaving an empty list behind. It used to open the run
and fail the compute, so "Oktober 2026 · Seluruh instansi · Terbuka · Rp0" stayed in "Perhitungan
terakhir" for good."""

from __future__ import annotations

import pytest

from ekinerja.core.periods import Period
from ekinerja.tpp import services
from ekinerja.tpp.models import Run

from .data import make_pemda

pytestmark = pytest.mark.django_db

BEFORE_POLICY = Period(2025, 12)  # make_pemda's policy takes effect on 1 January 2026


def test_a_month_before_the_first_policy_is_refused_and_no_run_is_left(client):
    p = make_pemda()
    client.force_login(p.bkpsdm1)
    resp = client.post(
        "/tpp/perhitungan/hitung/", {"periode": str(BEFORE_POLICY), "unit": ""}, follow=True
    )
    assert resp.redirect_chain[-1][0] == f"/tpp/perhitungan/?periode={BEFORE_POLICY}"
    body = resp.content.decode()
    assert "belum ada kebijakan TPP yang berlaku pada 1 Desember 2025" in body
    assert "Kebijakan TPP" in body
    assert not Run.objects.filter(instansi=p.inst).exists()


def test_the_service_refuses_too_but_a_run_already_stored_is_still_opened():
    p = make_pemda()
    with pytest.raises(services.ValidationError) as err:
        services.run_open(actor=p.bkpsdm1, instansi=p.inst, period=BEFORE_POLICY)
    assert "belum ada kebijakan TPP" in err.value.message_dict["period"][0]
    # The system (no acting account: scenarios, demo) still opens it, and a stored run is found.
    stored = services.run_open(actor=None, instansi=p.inst, period=BEFORE_POLICY)
    again = services.run_open(actor=p.bkpsdm1, instansi=p.inst, period=BEFORE_POLICY)
    assert again.pk == stored.pk


def test_a_pemda_without_an_adopted_policy_is_offered_the_templates_only(client):
    """ "Versi baru dari yang berlaku" copies the adopted version; with none it opened a blank
    draft. A new Pemda is offered the templates; once one is adopted, the copy too."""
    from django.urls import reverse

    from ekinerja.tpp.models import Policy
    from tests.factories import InstansiFactory, UserFactory, grant

    inst = InstansiFactory()
    officer = UserFactory(instansi=inst, username="bkpsdm-baru")
    grant(officer, "bkpsdm")
    client.force_login(officer)
    page = client.get(reverse("tpp:policies")).content.decode()
    assert 'data-testid="policy-new-from-current"' not in page
    assert 'data-testid="template-' in page
    Policy.objects.create(
        instansi=inst,
        name="Perbup",
        effective_from="2026-01-01",
        status=Policy.Status.ADOPTED,
        data={},
    )
    page = client.get(reverse("tpp:policies")).content.decode()
    assert 'data-testid="policy-new-from-current"' in page
