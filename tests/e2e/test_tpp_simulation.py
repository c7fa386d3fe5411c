"""Simulating a draft TPP policy in a real browser: BKPSDM opens a draft that raises the kelas 13
base, simulates it on October 2026 (already computed), and reads the per-unit table and an
employee's difference; then the same page on a phone. Screenshots: docs/screenshots/tpp-simulation.png,
tpp-simulation-phone.png and the draft's page with the button, tpp-simulation-draft.png."""

from __future__ import annotations

import copy

import pytest

from ekinerja.tpp import services
from ekinerja.tpp.models import Result, Run, Simulation
from tests.tpp.data import OCT, full_attendance, make_pemda, monthly_minutes, rate, workdays

from .conftest import clipped_tables, login, no_horizontal_scroll, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def pemda(transactional_db):
    p = make_pemda()
    days = workdays()
    for key, e in p.people.items():
        full_attendance(e, late={days[0]: 10, days[1]: 20} if key == "kadis" else None)
        monthly_minutes(p, e, 15)
        rate(e, "baik")
    services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    data = copy.deepcopy(p.policy.data)
    data["name"] = "Draf Perbup TPP 2027"
    data["effective_from"] = "2027-01-01"
    data["base_by_class"]["13"] = 10_000_000
    p.draft = services.policy_save(actor=p.bkpsdm1, instansi=p.inst, data=data)
    return p


def test_bkpsdm_simulates_a_draft_on_last_month(pemda, live_server, page, phone_page):
    results = Result.objects.count()
    login(page, live_server, "bkpsdm1")
    page.goto(f"{live_server.url}/tpp/kebijakan/")
    assert page.locator(f'[data-testid="simulate-{pemda.draft.pk}"]').is_visible()
    # Open the draft (October preselected: the month the fixture computed).
    page.goto(f"{live_server.url}/tpp/kebijakan/{pemda.draft.pk}/?periode=2026-10")
    period = page.locator('[data-testid="simulate-period"]')
    assert period.input_value() == "2026-10"
    screenshot(page, "tpp-simulation-draft")
    with page.expect_navigation():
        page.click('[data-testid="simulate"]')
    sim = Simulation.objects.get()
    assert page.url.endswith(f"/tpp/simulasi/{sim.pk}/")
    assert "Oktober 2026" in page.locator("h1").inner_text()
    assert (
        "hasil perhitungan TPP Oktober 2026"
        in page.locator('[data-testid="simulation-about"]').inner_text()
    )
    # Summary and the per-unit table, largest difference first.
    assert page.locator('[data-testid="sim-difference"]').inner_text() == "+Rp1.691.500"
    assert "2 naik" in page.locator('[data-testid="sim-counts"]').inner_text()
    units = page.locator('[data-testid="sim-units"] tbody tr')
    assert units.count() == 2
    assert "Dinas Kesehatan" in units.nth(0).inner_text()
    assert "+Rp850.000" in units.nth(0).inner_text()
    assert "+Rp841.500" in units.nth(1).inner_text()
    # The head of Dinas Pendidikan gains Rp841.500, with the changed figures listed.
    kadis = pemda.people["kadis"]
    row = page.locator(f'[data-testid="sim-row-{kadis.nip}"]')
    assert row.locator('[data-testid="sim-diff"]').inner_text() == "+Rp841.500"
    assert "Pagu: Rp9.000.000 → Rp10.000.000" in row.inner_text()
    # Only the changed ones.
    page.check("#f-changed")
    with page.expect_navigation():
        page.click('[data-testid="sim-filter-apply"]')
    assert page.locator('[data-testid="sim-employees"] tbody tr').count() == 2
    page.goto(f"{live_server.url}/tpp/simulasi/{sim.pk}/")
    screenshot(page, "tpp-simulation")

    login(phone_page, live_server, "bkpsdm1")
    phone_page.goto(f"{live_server.url}/tpp/simulasi/{sim.pk}/")
    assert phone_page.locator('[data-testid="sim-difference"]').is_visible()
    screenshot(phone_page, "tpp-simulation-phone")
    assert no_horizontal_scroll(phone_page)
    assert clipped_tables(phone_page) == []
    # Nothing was stored as a run or a result.
    assert Result.objects.count() == results and Run.objects.count() == 1


def test_a_pemdas_billions_fit_the_simulation_on_a_phone(pemda, live_server, phone_page):
    """The demo's simulation (600 employees) on a 360-px phone: the summary cards' ten-digit totals
    ran past their cards, and the per-unit and per-employee tables hid the difference (the column
    that matters) behind a sideways scroll. Here the stored figures are made a Pemda's size."""
    from decimal import Decimal

    from ekinerja.tpp import simulation
    from ekinerja.tpp.models import SimulationRow
    from ekinerja.tpp.tasks import simulate_policy_task

    sim = simulation.simulation_start(actor=pemda.bkpsdm1, policy=pemda.draft, period=OCT)
    simulate_policy_task(sim.pk)
    pemda.opd_a.name = "Dinas Pendidikan dan Kebudayaan"
    pemda.opd_a.save(update_fields=["name"])
    pemda.opd_b.name = "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia"
    pemda.opd_b.save(update_fields=["name"])
    SimulationRow.objects.filter(simulation=sim).update(
        old_gross=Decimal(12_000_000),
        old_net=Decimal(10_169_300),
        new_gross=Decimal(31_000_000),
        new_net=Decimal(30_710_048),
        difference=Decimal(20_540_748),
        abs_difference=Decimal(20_540_748),
        gross_difference=Decimal(19_000_000),
    )
    Simulation.objects.filter(pk=sim.pk).update(
        old_net=Decimal(1_937_807_450),
        old_gross=Decimal(2_106_305_448),
        new_net=Decimal(2_036_443_657),
        new_gross=Decimal(2_053_147_471),
        employees=600,
        up=394,
        down=202,
        same=4,
    )

    login(phone_page, live_server, "bkpsdm1")
    phone_page.goto(f"{live_server.url}/tpp/simulasi/{sim.pk}/")
    screenshot(phone_page, "tpp-simulation-phone-billions")
    assert no_horizontal_scroll(phone_page)
    assert clipped_tables(phone_page) == []
    # Every amount of the summary lies inside its card.
    overflowing = phone_page.evaluate(
        """() => [...document.querySelectorAll('.card .text-nowrap')].filter(el => {
            const box = el.closest('.card').getBoundingClientRect();
            const r = el.getBoundingClientRect();
            return r.right > box.right + 0.5 || r.left < box.left - 0.5;
        }).map(el => el.innerText)"""
    )
    assert overflowing == []
    assert phone_page.locator('[data-testid="sim-old"]').inner_text() == "Rp1.937.807.450"
    # The unit's employees fold under its name; the difference is on the screen.
    unit = phone_page.locator('[data-testid="sim-units"] tbody tr').first
    assert "pegawai" in unit.locator("td").first.inner_text()
    assert unit.get_by_text("+Rp41.081.496").is_visible()
