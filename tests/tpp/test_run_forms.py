"""The run page's withholding and correction forms answer a refusal at the field, keeping what was
typed. They used to redirect to the top of a long page (about 5,000 px for 600 employees) with a
message there, and the emptied form at its bottom: the officer retyped NIP, amount and reason."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from ekinerja.tpp import services
from ekinerja.tpp.models import Adjustment, Withholding

from .data import OCT, full_attendance, make_pemda, monthly_minutes

pytestmark = pytest.mark.django_db


@pytest.fixture
def pemda():
    p = make_pemda()
    for e in p.people.values():
        full_attendance(e)
        monthly_minutes(p, e, 12)
    return p


def _computed(p):
    return services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)


def _locked(p):
    run = services.run_verify(actor=p.bkpsdm1, run=_computed(p))
    return services.run_lock(actor=p.bkpsdm2, run=run)


def _field(html: str, field_id: str) -> str:
    """The <input> tag of the field."""
    return re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html).group(0)


def _error(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">([^<]*)<', html)
    return found.group(1) if found else ""


def test_a_correction_too_large_is_refused_under_the_amount_keeping_the_form(client, pemda):
    run = _locked(pemda)
    staf = pemda.people["staf"]
    client.force_login(pemda.bkpsdm1)
    response = client.post(
        reverse("tpp:adjust", args=[run.pk]),
        {"nip": staf.nip, "amount": "999.999.999", "reason": "Absen 3 Oktober terkoreksi"},
    )
    assert response.status_code == 400
    assert not Adjustment.objects.exists()
    html = response.content.decode()
    assert "tidak wajar: paling banyak" in _error(html, "adjust-error-amount")
    amount = _field(html, "a-amount")
    assert "is-invalid" in amount and 'value="999.999.999"' in amount and "autofocus" in amount
    assert f'value="{staf.nip}"' in _field(html, "a-nip")
    assert 'value="Absen 3 Oktober terkoreksi"' in _field(html, "a-reason")
    # Only the refused field is marked.
    assert "is-invalid" not in _field(html, "a-nip")
    # Corrected, it is recorded.
    ok = client.post(
        reverse("tpp:adjust", args=[run.pk]),
        {"nip": staf.nip, "amount": "150.000", "reason": "Absen 3 Oktober terkoreksi"},
    )
    assert ok.status_code == 302 and Adjustment.objects.get().amount == 150_000


def test_an_unknown_nip_and_a_missing_reason_are_each_under_their_field(client, pemda):
    run = _locked(pemda)
    client.force_login(pemda.bkpsdm1)
    html = client.post(
        reverse("tpp:adjust", args=[run.pk]),
        {"nip": "199001012020121999", "amount": "150.000", "reason": ""},
    ).content.decode()
    assert _error(html, "adjust-error-nip") == (
        "Pegawai dengan NIP 199001012020121999 tidak ditemukan."
    )
    assert 'value="150.000"' in _field(html, "a-amount")
    staf = pemda.people["staf"]
    html = client.post(
        reverse("tpp:adjust", args=[run.pk]),
        {"nip": staf.nip, "amount": "150.000", "reason": "  "},
    ).content.decode()
    assert _error(html, "adjust-error-reason") == "Alasan koreksi wajib diisi."
    assert "autofocus" in _field(html, "a-reason")


def test_a_withholding_refused_keeps_the_nip_and_says_why_in_the_form(client, pemda):
    run = _computed(pemda)
    staf = pemda.people["staf"]
    client.force_login(pemda.bkpsdm1)
    url = reverse("tpp:withhold", args=[run.pk])
    response = client.post(url, {"nip": staf.nip, "reason": "LHKPN belum dilaporkan"})
    assert response.status_code == 302
    # The same employee again: the month's reason, in the form, with what was typed.
    response = client.post(url, {"nip": staf.nip, "reason": "SKP bulanan"})
    assert response.status_code == 400
    html = response.content.decode()
    assert _error(html, "withhold-error-form") == "TPP Oktober 2026 pegawai ini sudah ditahan."
    assert f'value="{staf.nip}"' in _field(html, "w-nip")
    assert 'value="SKP bulanan"' in _field(html, "w-reason")
    assert Withholding.objects.count() == 1


def test_a_refusal_for_a_form_no_longer_on_the_page_is_a_message(client, pemda):
    """Withholding in a month another officer locked meanwhile: the page has no withholding form
    any more, so the reason is said at the top."""
    run = _locked(pemda)
    client.force_login(pemda.bkpsdm1)
    response = client.post(
        reverse("tpp:withhold", args=[run.pk]),
        {"nip": pemda.people["staf"].nip, "reason": "LHKPN"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "withhold-form" not in html
    assert "TPP Oktober 2026 sudah dikunci; tidak dapat ditahan." in html
    assert not Withholding.objects.exists()


def test_a_released_months_card_says_when_it_is_paid(client, pemda):
    """November's explanation of an employee whose withheld TPP was released into December said
    "dibayarkan pada bulan penahanan dilepas" as if it were still held."""
    staf = pemda.people["staf"]
    services.withholding_create(
        actor=pemda.bkpsdm1, employee=staf, period=OCT, reason="LHKPN belum dilaporkan"
    )
    run = _locked(pemda)
    client.force_login(pemda.bkpsdm1)
    url = reverse("tpp:employee", args=[staf.pk]) + "?periode=2026-10"
    held = client.get(url).content.decode()
    assert "dibayarkan pada bulan penahanan dilepas." in held
    assert 'data-testid="held-released"' not in held
    w = Withholding.objects.get()
    services.withholding_release(actor=pemda.bkpsdm1, withholding=w)
    released = client.get(url).content.decode()
    assert _error(released, "held-released") == "dilepas, dibayarkan pada November 2026."
    assert run.state == "locked"
