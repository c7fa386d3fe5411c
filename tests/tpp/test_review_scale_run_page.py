"""The run page's list of employees at a Pemda's size (review at scale): a list of thousands is found
by paying unit from a select that says which unit it shows, by name, or by NIP typed as printed on
the ID card ("19761125 200510 2 008"); the withholding and correction forms take the NIP so typed
too, and so does the simulation page's search. The filter is kept across pages, and the page's
queries do not grow with employees or units, filtered or not."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.tpp import services, simulation
from ekinerja.tpp.models import Adjustment, Withholding
from tests.factories import UnitFactory

from .data import OCT, add_staff, full_attendance, make_pemda, monthly_minutes

pytestmark = pytest.mark.django_db


@pytest.fixture
def pemda():
    p = make_pemda()
    for e in p.people.values():
        full_attendance(e)
        monthly_minutes(p, e, 12)
    return p


def printed(nip: str) -> str:
    """A NIP as printed on the ID card: birth date, appointment month, sex, number."""
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


def _page(client, run, **params) -> str:
    response = client.get(reverse("tpp:run", args=[run.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def _table(html: str) -> str:
    return html.split('data-testid="results"')[1].split("</table>")[0]


def _rows(html: str) -> int:
    return _table(html).count("?periode=")


def _listed(html: str, employee) -> bool:
    return reverse("tpp:employee", args=[employee.pk]) + "?periode=" in _table(html)


def test_a_nip_typed_as_printed_finds_the_employee(client, pemda):
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    staf = pemda.people["staf"]
    client.force_login(pemda.bkpsdm1)
    html = _page(client, run, q=printed(staf.nip))
    assert _listed(html, staf) and _rows(html) == 1
    # The start of one, as printed (birth date and appointment month), too.
    html = _page(client, run, q=f"{staf.nip[:8]} {staf.nip[8:14]}")
    assert _listed(html, staf)
    # A name is still searched as typed.
    html = _page(client, run, q="staf satu")
    assert _listed(html, staf) and _rows(html) == 1


def test_the_list_is_filtered_by_unit_from_a_select_that_says_which(client, pemda):
    add_staff(pemda, 3)  # Dinas Kesehatan
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    client.force_login(pemda.bkpsdm1)
    html = _page(client, run)
    unit_select = html.split('data-testid="results-unit"')[1].split("</select>")[0]
    # The paying units of the recap (the school's teacher is paid by its OPD).
    assert unit_select.count("<option") == 3
    for unit in (pemda.opd_a, pemda.opd_b):
        assert f'<option value="{unit.pk}">{unit.name}</option>' in unit_select
    assert 'data-testid="results-clear"' not in html
    assert "7 pegawai" in html.split('data-testid="results-count"')[1].split("</p>")[0]
    # The recap's unit links open the list filtered, at the list.
    assert f'href="?unit={pemda.opd_b.pk}#pegawai"' in html

    html = _page(client, run, unit=pemda.opd_b.pk)
    assert f'<option value="{pemda.opd_b.pk}" selected>' in html
    count = html.split('data-testid="results-count"')[1].split("</p>")[0]
    assert "5 pegawai cocok di Dinas Kesehatan" in count
    assert _rows(html) == 5 and not _listed(html, pemda.people["guru"])
    assert 'data-testid="results-clear"' in html

    html = _page(client, run, unit=pemda.opd_b.pk, q="zzz")
    assert "Tidak ada pegawai yang cocok." in html and _rows(html) == 0


def test_the_filter_is_kept_on_the_next_page(client, pemda):
    add_staff(pemda, 55)
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    client.force_login(pemda.bkpsdm1)
    html = _page(client, run, unit=pemda.opd_b.pk, q="Pegawai")
    assert _rows(html) == 50
    pages = html.split('data-testid="results-pages"')[1].split("</nav>")[0]
    assert f'href="?hal=2&amp;q=Pegawai&amp;unit={pemda.opd_b.pk}#pegawai"' in pages
    assert _rows(_page(client, run, unit=pemda.opd_b.pk, q="Pegawai", hal=2)) == 5


def test_withholding_and_correction_take_a_nip_typed_as_printed(client, pemda):
    staf = pemda.people["staf"]
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    client.force_login(pemda.bkpsdm1)
    response = client.post(
        reverse("tpp:withhold", args=[run.pk]), {"nip": printed(staf.nip), "reason": "LHKPN"}
    )
    assert response.status_code == 302
    assert Withholding.objects.get().employee == staf

    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    run = services.run_verify(actor=pemda.bkpsdm1, run=run)
    run = services.run_lock(actor=pemda.bkpsdm2, run=run)
    response = client.post(
        reverse("tpp:adjust", args=[run.pk]),
        {"nip": printed(staf.nip), "amount": "150.000", "reason": "Kurang bayar"},
    )
    assert response.status_code == 302
    adj = Adjustment.objects.get()
    assert adj.employee == staf and adj.amount == Decimal(150_000)


def test_the_simulation_page_finds_a_nip_typed_as_printed(client, pemda):
    data = dict(pemda.policy.data, name="Draf uji")
    draft = services.policy_save(actor=pemda.bkpsdm1, instansi=pemda.inst, data=data)
    sim = simulation.simulation_compute(
        simulation.simulation_start(actor=pemda.bkpsdm1, policy=draft, period=OCT)
    )
    staf = pemda.people["staf"]
    client.force_login(pemda.bkpsdm1)
    html = client.get(reverse("tpp:simulation", args=[sim.pk]), {"q": printed(staf.nip)})
    html = html.content.decode()
    assert f'data-testid="sim-row-{staf.nip}"' in html and html.count('data-testid="sim-row-') == 1


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("filtered", [False, True], ids=["all", "unit-and-search"])
def test_the_page_costs_the_same_queries_whatever_the_employees_and_units(client, pemda, filtered):
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    client.force_login(pemda.bkpsdm1)
    url = reverse("tpp:run", args=[run.pk])
    if filtered:
        url += f"?unit={pemda.opd_b.pk}&q=1"
    few = _queries(client, url)
    for i in range(6):
        unit = UnitFactory(instansi=pemda.inst, code=f"Z{i}", name=f"Dinas Z{i}")
        for e in add_staff(pemda, 4, unit=unit):
            full_attendance(e)
    for e in add_staff(pemda, 60):
        full_attendance(e)
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    assert run.employees == 88
    assert _queries(client, url) <= few
