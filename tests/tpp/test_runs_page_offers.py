"""The month's page offers only what may still be computed: a locked month no button (an audit was
offered "Hitung TPP November 2026" on a locked month, refused only after the click); with a
whole-instansi list, no unit; no unit whose own list is locked."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from ekinerja.tpp import services

from .data import OCT, make_pemda

pytestmark = pytest.mark.django_db


def _page(client, period=OCT) -> str:
    return client.get(reverse("tpp:runs"), {"periode": str(period)}).content.decode()


def _unit_options(page: str) -> list[str]:
    select = re.search(
        r'<select class="form-select" id="unit" name="unit">(.*?)</select>', page, re.S
    )
    return re.findall(r'<option value="(\d+)">', select.group(1)) if select else []


def test_a_locked_month_offers_no_compute(client):
    pemda = make_pemda()
    client.force_login(pemda.bkpsdm1)
    assert 'data-testid="compute-form"' in _page(client)
    assert str(pemda.opd_a.pk) in _unit_options(_page(client))
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    page = _page(client)
    assert 'data-testid="compute-form"' in page and _unit_options(page) == []
    services.run_lock(actor=pemda.bkpsdm2, run=services.run_verify(actor=pemda.bkpsdm1, run=run))
    page = _page(client)
    assert 'data-testid="compute-form"' not in page
    assert 'data-testid="month-locked"' in page and "sudah dikunci" in page


def test_a_unit_whose_list_is_locked_is_not_offered(client):
    pemda = make_pemda()
    client.force_login(pemda.bkpsdm1)
    run = services.run_compute(
        actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT, unit=pemda.opd_a
    )
    services.run_lock(actor=pemda.bkpsdm2, run=services.run_verify(actor=pemda.bkpsdm1, run=run))
    offered = _unit_options(_page(client))
    assert str(pemda.opd_a.pk) not in offered and str(pemda.opd_b.pk) in offered
