"""The pages each role uses most, on a cheap 360-px Android phone (demo Pemda): every button, field
and select a thumb can hit (at least 44 px high, WCAG 2.5.5) and nothing scrolls sideways; the TPP
policy form's components are read whole. Found in December 2026: on a phone Bootstrap's buttons
and fields were 31 px (small) or 38 px high on every page (BPKAD's download buttons, the rating's
"Di bawah / Sesuai / Di atas", the month selects, "Cari", "Tahan", the leave form's "Ajukan"), the
TPP run's and simulation's "berikutnya" was a 20-px text link, and the policy form cut the
component "Produktivitas (aktivitas harian)" to "Produktivitas (aktiv".

Screenshots: docs/screenshots/ponsel-*.png (one per page below) and
tpp-kebijakan-komponen-phone.png."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from ekinerja.core.models import Instansi
from ekinerja.demo.runner import DEMO_PASSWORD, stored_accounts
from ekinerja.tpp.models import Run
from tests.tpp.data import make_pemda

from .conftest import PHONE_WIDTH, login, no_horizontal_scroll, screenshot

pytestmark = pytest.mark.e2e
THUMB = 44

# Every visible control below a thumb's height. A control made flat on purpose (`py-0`, `p-0`: a
# link-like button inside a line of text) is left out.
SMALL_CONTROLS = """(min) => [...document.querySelectorAll(
        '.btn, .form-control, .form-select, .page-link')]
    .filter(el => el.offsetParent !== null && el.getBoundingClientRect().height > 0)
    .filter(el => !el.matches('.py-0, .p-0, [type=hidden]'))
    .filter(el => el.getBoundingClientRect().height < min - 0.5)
    .map(el => `${el.tagName} "${(el.innerText || el.value || el.name || '').trim().slice(0, 30)}"`
               + ` ${Math.round(el.getBoundingClientRect().height)}px`)"""


def _check(page, base: str, url: str, shot: str | None = None) -> list[str]:
    response = page.goto(base + url)
    assert response is not None and response.status == 200, url
    problems = [f"{url}: {c}" for c in page.evaluate(SMALL_CONTROLS, THUMB)]
    if not no_horizontal_scroll(page):
        problems.append(
            f"{url}: scrollWidth {page.evaluate('document.documentElement.scrollWidth')}"
        )
    if shot:
        screenshot(page, shot)
    return problems


@pytest.fixture
def demo(transactional_db):
    call_command("demo-data", "--employees", "100", verbosity=0)
    return {a.role: a.username for a in stored_accounts(Instansi.objects.get())}


def test_the_pages_each_role_uses_most_have_thumb_sized_controls_on_a_phone(
    phone_page, live_server, demo
):
    page, base = phone_page, live_server.url
    computed = Run.objects.filter(state="computed", unit__isnull=True).latest("period")
    locked = Run.objects.filter(state="locked", unit__isnull=True).latest("period")
    assert computed.results.count() > 50  # the employee list has a second page
    problems: list[str] = []

    def as_(role: str):
        page.context.clear_cookies()
        login(page, live_server, demo[role], DEMO_PASSWORD)

    as_("pegawai")
    problems += _check(page, base, "/kehadiran/cuti/", "ponsel-pegawai-cuti")
    problems += _check(page, base, "/tpp/saya/", "ponsel-pegawai-tpp-saya")
    problems += _check(page, base, "/kinerja/", "ponsel-pegawai-skp")
    problems += _check(page, base, "/kinerja/realisasi/")

    as_("atasan")
    problems += _check(page, base, "/kinerja/penilaian/", "ponsel-atasan-penilaian")

    as_("bkpsdm")
    problems += _check(page, base, "/tpp/perhitungan/", "ponsel-bkpsdm-perhitungan")
    problems += _check(page, base, f"/tpp/perhitungan/{computed.pk}/")
    # The list's next page is a button a thumb hits, not a 20-px link in small text.
    pager = page.locator('[data-testid="results-pages"] a')
    assert pager.count() == 1 and pager.bounding_box()["height"] >= THUMB - 0.5
    problems += _check(page, base, "/tpp/kebijakan/", "ponsel-bkpsdm-kebijakan")
    page.goto(f"{base}/tpp/kebijakan/baru/")
    with page.expect_navigation():
        page.click('[data-testid="policy-save"]')
    with page.expect_navigation():
        page.click('[data-testid="simulate"]')
    assert "/tpp/simulasi/" in page.url
    page.wait_for_selector('[data-testid="sim-pages"]')
    sim_pager = page.locator('[data-testid="sim-pages"] a')
    assert sim_pager.count() == 1 and sim_pager.bounding_box()["height"] >= THUMB - 0.5
    problems += _check(page, base, page.url.removeprefix(base))

    as_("bpkad")
    problems += _check(
        page,
        base,
        f"/tpp/perhitungan/{locked.pk}/?q={demo['pegawai']}",
        "ponsel-bpkad-dokumen-pembayaran",
    )

    as_("pimpinan")
    problems += _check(page, base, "/laporan/", "ponsel-pimpinan-laporan")
    problems += _check(page, base, "/laporan/beban-kerja/")
    assert problems == []


@pytest.fixture
def pemda(transactional_db):
    return make_pemda()


def test_the_policy_forms_components_are_read_whole_on_a_phone(pemda, live_server, phone_page):
    """Each component's name is read whole in its select beside its weight on a 360-px phone."""
    login(phone_page, live_server, "bkpsdm1")
    phone_page.goto(f"{live_server.url}/tpp/kebijakan/baru/")
    fits = phone_page.evaluate(
        """() => [...document.querySelectorAll('[data-path="f:components"] select')].map(s => {
            const cs = getComputedStyle(s), c = document.createElement('canvas').getContext('2d');
            c.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
            const text = s.options[s.selectedIndex].text;
            const need = c.measureText(text).width + parseFloat(cs.paddingLeft)
                         + parseFloat(cs.paddingRight) + parseFloat(cs.borderLeftWidth) * 2;
            return [text, need <= s.offsetWidth]; })"""
    )
    assert [t for t, _ in fits][:3] == [
        "Disiplin (kehadiran)",
        "Produktivitas (aktivitas harian)",
        "Capaian SKP",
    ]
    assert all(ok for _, ok in fits), fits
    assert phone_page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert phone_page.evaluate("innerWidth") == PHONE_WIDTH
    phone_page.locator('[data-path="f:components"]').scroll_into_view_if_needed()
    screenshot(phone_page, "tpp-kebijakan-komponen-phone")
