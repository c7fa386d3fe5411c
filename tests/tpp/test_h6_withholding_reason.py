"""Who reads a withholding's reason (review H6). The reason may be personal ("LHKPN belum
dilaporkan", a disciplinary case): the employee, BKPSDM (who records it) and BPKAD (who pays) read
it; a superior, of the withheld month or of the month it is released into, and pimpinan see that
the month is withheld and when it is paid, not why. Before, the superior who opened the release
month's page read the reason."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ekinerja.core.periods import Period
from ekinerja.tpp import selectors, services
from tests.factories import UserFactory, grant

from .data import OCT, full_attendance, make_pemda, monthly_minutes

pytestmark = pytest.mark.django_db
REASON = "LHKPN belum dilaporkan"
NOV = Period(2026, 11)


@pytest.fixture
def released():
    p = make_pemda()
    guru = p.people["guru"]
    full_attendance(guru)
    monthly_minutes(p, guru, 15)
    services.withholding_create(actor=p.bkpsdm1, employee=guru, period=OCT, reason=REASON)
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    run = services.run_verify(actor=p.bkpsdm1, run=run)
    services.run_lock(actor=p.bkpsdm2, run=run)
    nov = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=NOV)
    services.withholding_release(
        actor=p.bkpsdm2, withholding=selectors.withholdings_of(p.inst, OCT)[0]
    )
    return p, nov


def _page(client, user, employee, period):
    client.force_login(user)
    response = client.get(reverse("tpp:employee", args=[employee.pk]) + f"?periode={period}")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("month", ["2026-10", "2026-11"])
def test_the_superior_sees_the_withholding_but_not_its_reason(client, released, month):
    p, _nov = released
    guru, kadis = p.people["guru"], p.people["kadis"]
    page = _page(client, kadis.user, guru, month)
    assert "Penahanan" in page and 'data-testid="reason-hidden"' in page
    assert REASON not in page


def test_the_employee_bkpsdm_and_bpkad_read_the_reason(client, released):
    p, _nov = released
    guru = p.people["guru"]
    for user in (guru.user, p.bkpsdm1, p.bpkad):
        for month in ("2026-10", "2026-11"):
            page = _page(client, user, guru, month)
            assert REASON in page and 'data-testid="reason-hidden"' not in page


def test_pimpinan_sees_the_withholding_but_not_its_reason(client, released):
    p, _nov = released
    boss = UserFactory(instansi=p.inst, username="bupati")
    grant(boss, "pimpinan")
    page = _page(client, boss, p.people["guru"], "2026-11")
    assert 'data-testid="reason-hidden"' in page and REASON not in page


def test_a_corrections_reason_follows_the_same_rule(client, released):
    """A correction's reason may be as personal as a withholding's ("hukuman disiplin berlaku
    surut"): the superior sees the correction and its amount on both months' pages, not why."""
    from decimal import Decimal

    p, nov = released
    guru, kadis = p.people["guru"], p.people["kadis"]
    why = "Hukuman disiplin berlaku surut sejak Oktober"
    services.adjustment_record(
        actor=p.bkpsdm1, employee=guru, source_period=OCT, amount=Decimal(-50_000), reason=why
    )
    services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=NOV)
    for month in ("2026-10", "2026-11"):
        page = _page(client, kadis.user, guru, month)
        assert "50.000" in page and why not in page, month
        assert 'data-testid="reason-hidden"' in page
        own = _page(client, guru.user, guru, month)
        assert why in own, month
