"""A list computed with a policy that is no longer the month's is neither verified nor locked, and
its page says why. An audit computed August, adopted a version effective from 1 August, and the
list was verified and locked under the old rules with no word of it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ekinerja.tpp import services
from ekinerja.tpp.models import Run
from ekinerja.tpp.policy import national_template

from .data import OCT, make_pemda

pytestmark = pytest.mark.django_db


@pytest.fixture
def pemda():
    return make_pemda()


def _compute(p):
    return services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)


def _adopt_for_october(p):
    data = national_template("2026-10-01")
    data["name"] = "Perbup 9/2026 (pola nasional)"
    later = services.policy_save(actor=p.bkpsdm1, instansi=p.inst, data=data)
    return services.policy_adopt(actor=p.bkpsdm1, policy=later)


def test_a_policy_adopted_for_the_month_after_the_compute_stops_verify_and_lock(pemda):
    run = _compute(pemda)
    assert services.policy_changed(run) is None
    _adopt_for_october(pemda)
    with pytest.raises(ValidationError) as err:
        services.run_verify(actor=pemda.bkpsdm1, run=run)
    assert "Perbup 9/2026 (pola nasional)" in str(err.value) and "Hitung ulang" in str(err.value)
    run.refresh_from_db()
    assert run.state == Run.State.COMPUTED
    # Computed again, the list is the new policy's and goes on.
    run = _compute(pemda)
    assert run.policy.name == "Perbup 9/2026 (pola nasional)"
    run = services.run_verify(actor=pemda.bkpsdm1, run=run)
    assert services.run_lock(actor=pemda.bkpsdm2, run=run).state == Run.State.LOCKED


def test_a_verified_list_whose_policy_was_then_replaced_is_not_locked(pemda):
    run = services.run_verify(actor=pemda.bkpsdm1, run=_compute(pemda))
    _adopt_for_october(pemda)
    with pytest.raises(ValidationError, match="Hitung ulang"):
        services.run_lock(actor=pemda.bkpsdm2, run=run)
    run.refresh_from_db()
    assert run.state == Run.State.VERIFIED


def test_the_run_page_says_the_policy_changed(client, pemda):
    run = _compute(pemda)
    client.force_login(pemda.bkpsdm1)
    url = reverse("tpp:run", args=[run.pk])
    assert 'data-testid="policy-changed"' not in client.get(url).content.decode()
    _adopt_for_october(pemda)
    page = client.get(url).content.decode()
    assert 'data-testid="policy-changed"' in page
    assert "Perbup 9/2026 (pola nasional)" in page


def _adopt(p, effective_from: str, name: str):
    data = national_template(effective_from)
    data["name"] = name
    draft = services.policy_save(actor=p.bkpsdm1, instansi=p.inst, data=data)
    return services.policy_adopt(actor=p.bkpsdm1, policy=draft)


def test_adopting_says_what_it_means_for_the_months(pemda):
    from ekinerja.tpp import selectors

    run = services.run_verify(actor=pemda.bkpsdm1, run=_compute(pemda))
    services.run_lock(actor=pemda.bkpsdm2, run=run)
    mid = _adopt(pemda, "2026-09-15", "Perbup 15 September")
    notes = selectors.adoption_notes(mid)
    assert notes[0].startswith("Berlaku mulai 15 September 2026 bukan tanggal 1")
    assert "September 2026 tetap dengan kebijakan sebelumnya" in notes[0]
    assert "dipakai mulai Oktober 2026" in notes[0]
    assert "sudah dikunci (Oktober 2026)" in notes[1]
    # A mid-month date whose next month a later version already takes applies to no month.
    late = _adopt(pemda, "2026-10-20", "Perbup 20 Oktober")
    _adopt(pemda, "2026-11-01", "Perbup November")
    assert "tidak akan dipakai untuk bulan mana pun" in selectors.adoption_notes(late)[0]


def test_the_adoption_page_message_names_lists_to_compute_again(client, pemda):
    _compute(pemda)
    data = national_template("2026-10-01")
    data["name"] = "Perbup Oktober"
    draft = services.policy_save(actor=pemda.bkpsdm1, instansi=pemda.inst, data=data)
    client.force_login(pemda.bkpsdm1)
    response = client.post(reverse("tpp:policy-adopt", args=[draft.pk]), follow=True)
    page = response.content.decode()
    assert "Kebijakan berlaku mulai 1 Oktober 2026." in page
    assert "belum dikunci (Oktober 2026) perlu dihitung ulang" in page
