"""The employee's home page shows their latest TPP month with a link to its explanation."""

import pytest
from django.urls import reverse

from ekinerja.tpp import services
from ekinerja.tpp.models import Result

from .data import OCT, make_pemda

pytestmark = pytest.mark.django_db


def test_the_home_page_shows_the_latest_tpp_and_links_to_its_explanation(client):
    pemda = make_pemda()
    staf = pemda.people["staf"]
    client.force_login(staf.user)
    before = client.get(reverse("home")).content.decode()
    assert 'data-testid="home-tpp"' in before and "setelah BKPSDM menghitung" in before
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    result = Result.objects.get(run=run, employee=staf)
    html = client.get(reverse("home")).content.decode()
    assert "TPP Oktober 2026" in html and "Dihitung" in html
    net = f"Rp{int(result.net):,}".replace(",", ".")
    assert f'data-testid="home-tpp-net">{net}<' in html
    assert f"{reverse('tpp:mine')}?periode=2026-10" in html
    # Someone without an employee record (BKPSDM's technical account) gets no such card.
    client.force_login(pemda.bkpsdm1)
    assert 'data-testid="home-tpp"' not in client.get(reverse("home")).content.decode()
