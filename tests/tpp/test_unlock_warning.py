"""BKPSDM deciding an unlock sees which of its months already have a locked TPP list for the
employee: approving reopens the dates for logging but cannot change that month's pay."""

import datetime as dt

import pytest
from django.urls import reverse

from ekinerja.activities import services as activities
from ekinerja.tpp import services

from .data import OCT, make_pemda

pytestmark = pytest.mark.django_db
D = dt.date


def test_the_unlock_page_warns_about_months_whose_tpp_is_locked(client, at):
    pemda = make_pemda()
    staf = pemda.people["staf"]
    at("2026-11-10 10:00")
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    services.run_lock(actor=pemda.bkpsdm2, run=services.run_verify(actor=pemda.bkpsdm1, run=run))
    spanning = activities.unlock_request_create(
        actor=staf.user,
        employee=staf,
        date_from=D(2026, 10, 29),
        date_to=D(2026, 11, 3),
        reason="Tugas ke kecamatan tanpa sinyal",
    )
    november = activities.unlock_request_create(
        actor=pemda.people["guru"].user,
        employee=pemda.people["guru"],
        date_from=D(2026, 11, 2),
        date_to=D(2026, 11, 3),
        reason="Diklat teknis di provinsi",
    )
    client.force_login(pemda.bkpsdm1)
    html = client.get(reverse("activities:unlocks-manage")).content.decode()
    cards = {int(part.split('"', 1)[0]): part for part in html.split('data-unlock="')[1:]}
    assert "TPP Oktober 2026 pegawai ini sudah dikunci" in cards[spanning.pk]
    assert "November 2026 pegawai" not in cards[spanning.pk]
    assert 'data-testid="unlock-locked-months"' not in cards[november.pk].split("</form>")[0]
