"""The TPP month in a real browser: BKPSDM computes and verifies, a second BKPSDM account locks (on a
phone), BPKAD downloads the daftar nominatif as xlsx and pdf, both opened and checked against the
totals on the screen; an employee's explanation page on a desktop and a phone. Screenshots go to
docs/screenshots/."""

from __future__ import annotations

import io

import openpyxl
import pytest
from pypdf import PdfReader

from ekinerja.core.money import format_rupiah
from ekinerja.org.models import Unit
from ekinerja.tpp.models import Result, Run
from tests.tpp.data import full_attendance, make_pemda, monthly_minutes, rate, workdays

from .conftest import _context, clipped_tables, login, no_horizontal_scroll, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def pemda(transactional_db):
    p = make_pemda()
    days = workdays()
    for i, e in enumerate(p.people.values()):
        full_attendance(e, late={days[2]: 12 + 20 * i}, skip={days[9]} if i == 1 else ())
        monthly_minutes(p, e, 11 + i)
        rate(e, "baik" if i else "sangat_baik")
    return p


def _rupiah_text(page, testid: str) -> int:
    text = page.locator(f'[data-testid="{testid}"]').inner_text().strip()
    return int(text.replace("Rp", "").replace(".", ""))


def _xlsx_paid(content: bytes) -> int:
    wb = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    rows = list(wb["Rekap"].iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "No")
    total = next(r for r in rows if r and r[0] == "JUMLAH")
    return dict(zip(header, total, strict=False))["Dibayarkan"]


def test_compute_lock_by_second_account_and_download(pemda, live_server, page, phone_page, browser):
    # BKPSDM (first account) computes October and verifies it.
    login(page, live_server, "bkpsdm1")
    page.goto(f"{live_server.url}/tpp/perhitungan/?periode=2026-10")
    with page.expect_navigation():
        page.click('[data-testid="compute"]')
    assert page.locator('[data-testid="run-state"]').inner_text() == "Dihitung"
    run = Run.objects.get()
    assert _rupiah_text(page, "total-payable") == run.total_payable
    # Verifying gathers the month again (a few seconds on a big Pemda): the button says so and
    # stays busy until the answer replaces the page.
    with page.expect_navigation():
        busy = page.evaluate(
            """() => new Promise((done) => {
                 const b = document.querySelector('[data-testid=verify]');
                 b.form.requestSubmit(b);
                 setTimeout(() => done([b.textContent, b.disabled]), 0);
               })"""
        )
    assert busy == ["Memeriksa ulang data bulan ini…", True]
    # Who computed cannot lock: no button, a hint instead.
    assert page.locator('[data-testid="lock"]').count() == 0
    assert page.locator('[data-testid="lock-hint"]').is_visible()
    screenshot(page, "tpp-perhitungan")

    # A second BKPSDM account locks, on a phone, after ticking the confirmation (the browser does not
    # submit without it).
    login(phone_page, live_server, "bkpsdm2")
    phone_page.goto(f"{live_server.url}/tpp/perhitungan/{run.pk}/")
    phone_page.click('[data-testid="lock"]')
    assert phone_page.locator('[data-testid="run-state"]').inner_text() == "Diverifikasi BKPSDM"
    phone_page.check('[data-testid="lock-confirm"]')
    assert phone_page.locator('[data-testid="lock-check-hint"]').is_visible()
    assert no_horizontal_scroll(phone_page)
    screenshot(phone_page, "tpp-perhitungan-kunci-phone")
    with phone_page.expect_navigation():
        phone_page.click('[data-testid="lock"]')
    assert phone_page.locator('[data-testid="run-state"]').inner_text() == "Dikunci"
    assert no_horizontal_scroll(phone_page)
    # The unit recap and the employee list fit the phone: what is paid is not behind a sideways
    # scroll (ceiling, gross and net fold under the name).
    assert clipped_tables(phone_page) == []
    screenshot(phone_page, "tpp-perhitungan-dikunci-phone")

    # BPKAD downloads the list as xlsx and pdf; both agree with the screen to the rupiah.
    context = _context(browser, viewport={"width": 1280, "height": 900}, accept_downloads=True)
    bpkad = context.new_page()
    login(bpkad, live_server, "bpkad1")
    bpkad.goto(f"{live_server.url}/tpp/perhitungan/{run.pk}/")
    on_screen = _rupiah_text(bpkad, "total-payable")
    with bpkad.expect_download() as dl:
        bpkad.click('[data-testid="dl-nominatif-xlsx"]')
    xlsx = open(dl.value.path(), "rb").read()  # noqa: SIM115
    with bpkad.expect_download() as dl:
        bpkad.click('[data-testid="dl-nominatif-pdf"]')
    pdf = open(dl.value.path(), "rb").read()  # noqa: SIM115
    # One unit's csv for the bank, from the per-unit form (a POST, like every document).
    bpkad.select_option("#dl-unit", str(pemda.opd_b.pk))
    with bpkad.expect_download() as dl:
        bpkad.click('#unit-dl button:has-text("Transfer bank (csv)")')
    assert dl.value.suggested_filename == f"TPP-{run.period}-bank-{pemda.opd_b.code}.csv"
    unit_csv = open(dl.value.path(), encoding="utf-8").read()  # noqa: SIM115
    context.close()
    opd_b_staf = pemda.people["staf"]
    assert opd_b_staf.nip in unit_csv and pemda.people["guru"].nip not in unit_csv
    assert _xlsx_paid(xlsx) == on_screen
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert f"Jumlah dibayarkan: {format_rupiah(on_screen)}" in text
    run.refresh_from_db()
    assert run.state == Run.State.EXPORTED and run.total_payable == on_screen

    # BPKAD on a phone, with a large Pemda's figures and OPD names: no amount wraps mid-number, the
    # unit recap shows what is paid, and the per-unit download select does not widen the page.
    Unit.objects.filter(pk=pemda.opd_a.pk).update(
        name="Dinas Pemberdayaan Masyarakat dan Desa, Pemberdayaan Perempuan dan Perlindungan Anak"
    )
    Run.objects.filter(pk=run.pk).update(
        total_gross=1_191_268_817, total_net=1_091_268_817, total_payable=1_091_268_817
    )
    phone = _context(
        browser,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    bpkad_phone = phone.new_page()
    login(bpkad_phone, live_server, "bpkad1")
    bpkad_phone.goto(f"{live_server.url}/tpp/perhitungan/{run.pk}/")
    assert no_horizontal_scroll(bpkad_phone)
    assert clipped_tables(bpkad_phone) == []
    for testid in ("total-gross", "total-net", "total-payable"):
        box = bpkad_phone.locator(f'[data-testid="{testid}"]')
        assert "\n" not in box.inner_text() and box.bounding_box()["height"] < 30
        # ... and stays inside its card.
        assert box.evaluate(
            "el => el.getBoundingClientRect().right <= el.closest('.card-body')"
            ".getBoundingClientRect().right"
        )
    assert bpkad_phone.locator("#dl-unit").bounding_box()["width"] <= 360
    # The two sets of documents are told apart by their headings; the unit select has a line of
    # its own, as wide as the card, below its label and above its buttons.
    downloads = bpkad_phone.locator('[data-testid="downloads"]')
    text = downloads.inner_text()
    assert text.index("Seluruh instansi") < text.index("Unit terpilih")
    select = bpkad_phone.locator("#dl-unit").bounding_box()
    body = downloads.bounding_box()
    label = bpkad_phone.locator('label[for="dl-unit"]').bounding_box()
    first_button = bpkad_phone.locator("#unit-dl button >> nth=0").bounding_box()
    assert select["width"] >= body["width"] - 2 * 17  # the card body's padding
    assert label["y"] + label["height"] <= select["y"]
    assert select["y"] + select["height"] <= first_button["y"]
    screenshot(bpkad_phone, "tpp-perhitungan-bpkad-phone")
    phone.close()


def test_employee_explanation_page(pemda, live_server, page, phone_page):
    from ekinerja.tpp import services
    from tests.tpp.data import OCT

    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    guru = pemda.people["guru"]
    result = Result.objects.get(run=run, employee=guru)
    url = f"{live_server.url}/tpp/saya/?periode=2026-10"
    login(page, live_server, guru.nip)
    page.goto(url)
    assert _rupiah_text(page, "net") == result.net
    assert page.locator('[data-testid="lines"] li').count() == len(result.detail["lines"])
    assert page.locator('[data-testid="card-activity"]').is_visible()
    screenshot(page, "tpp-saya")
    login(phone_page, live_server, guru.nip)
    phone_page.goto(url)
    assert no_horizontal_scroll(phone_page)
    # The months' history fits: what was paid and the state are not behind a sideways scroll.
    assert clipped_tables(phone_page) == []
    assert "Oktober 2026" in phone_page.inner_text('[data-testid="history"]')
    screenshot(phone_page, "tpp-saya-phone")


def test_the_run_page_of_two_allowances_on_a_phone_and_a_desktop(
    transactional_db, live_server, page, phone_page
):
    """Kota Madiun's TPP + UKK: the unit recap splits each allowance's ceiling and gross; on a
    phone they fold under the unit's name and nothing scrolls sideways, on a desktop they are
    columns."""
    from tests.tpp.test_exports_allowances import madiun_run

    p, run = madiun_run.__wrapped__()
    login(phone_page, live_server, "bkpsdm1")
    phone_page.goto(f"{live_server.url}/tpp/perhitungan/{run.pk}/")
    recap = phone_page.locator('[data-testid="unit-recap"]')
    assert recap.is_visible()
    assert "Uang Kinerja" in recap.inner_text()
    assert no_horizontal_scroll(phone_page)
    assert clipped_tables(phone_page) == []
    recap.scroll_into_view_if_needed()
    screenshot(phone_page, "tpp-perhitungan-dua-tunjangan-phone")
    # An office PC (1280 px): the figures still fold under the names (eight amount columns do
    # not fit beside them), nothing hidden behind a sideways scroll; a wide screen has columns.
    login(page, live_server, "bkpsdm1")
    page.goto(f"{live_server.url}/tpp/perhitungan/{run.pk}/")
    assert "Jumlah kotor" in page.locator('[data-testid="unit-recap"] tbody').inner_text()
    assert clipped_tables(page) == []
    screenshot(page, "tpp-perhitungan-dua-tunjangan")
    page.set_viewport_size({"width": 1600, "height": 900})
    header = page.locator('[data-testid="unit-recap"] thead').inner_text()
    assert "Pagu Uang Kinerja" in header and "Jumlah kotor" in header
    assert clipped_tables(page) == []


def test_the_recheck_of_a_locked_month_on_a_phone(pemda, live_server, phone_page):
    """After the lock the guru's absence of 14 October becomes an approved leave: BKPSDM checks
    the difference since the lock on a phone and records it as a correction from the same page."""
    from ekinerja.tpp import services
    from ekinerja.tpp.models import Adjustment
    from tests.tpp.data import OCT, leave

    p = pemda
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    run = services.run_lock(actor=p.bkpsdm2, run=services.run_verify(actor=p.bkpsdm1, run=run))
    absent = workdays()[9]
    leave(p.people["guru"], "cuti_tahunan", absent, absent)

    login(phone_page, live_server, "bkpsdm1")
    phone_page.goto(f"{live_server.url}/tpp/perhitungan/{run.pk}/")
    with phone_page.expect_navigation():
        phone_page.click('[data-testid="recheck-start"]')
    assert "sejak dikunci" in phone_page.locator("h1").inner_text()
    row = phone_page.locator(f'[data-testid="sim-row-{p.people["guru"].nip}"]')
    assert row.locator('[data-testid="sim-diff"]').inner_text().startswith("+Rp")
    assert no_horizontal_scroll(phone_page)
    screenshot(phone_page, "tpp-selisih-sejak-dikunci-phone")
    with phone_page.expect_navigation():
        row.locator('[data-testid="correct"]').click()
    assert "Koreksi" in phone_page.locator(".alert-success").inner_text()
    adj = Adjustment.objects.get(employee=p.people["guru"])
    assert adj.amount > 0 and adj.target_period == "2026-11"
    assert phone_page.locator('[data-testid="correct-form"]').count() == 0
    assert no_horizontal_scroll(phone_page)
