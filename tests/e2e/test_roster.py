"""The kepala ruangan of an IGD draws up October's shifts for the nurses in a real browser, on a
desktop and on a phone. Screenshots: docs/screenshots/kehadiran-roster.png and
kehadiran-roster-phone.png."""

from __future__ import annotations

import datetime as dt

import pytest

from ekinerja.workcal.models import ShiftRoster
from tests.factories import (
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    fixed_schedule,
    put_on_schedule,
    shift_schedule,
)

from .conftest import login, no_horizontal_scroll, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def igd(transactional_db):
    inst = InstansiFactory(code="6301", name="Pemerintah Kabupaten Hulu Sungai Selatan")
    unit = UnitFactory(instansi=inst, code="RSUD-IGD", name="Instalasi Gawat Darurat RSUD")
    head = PositionFactory(unit=unit, instansi=inst, code="KARU", name="Kepala Ruangan IGD")
    nurse_pos = PositionFactory(
        unit=unit, instansi=inst, code="PRW", name="Perawat Terampil", parent=head
    )
    karu = employee_with_login(inst, head, name="Siti Rahmah, S.Kep., Ns.")
    fixed_schedule(inst, is_default=True)
    rs = shift_schedule(inst, code="IGD")
    nurses = [
        employee_with_login(inst, nurse_pos, name=name)
        for name in ("Ahmad Fauzi", "Bunga Lestari", "Citra Ayu Wulandari", "Dedi Kurniawan")
    ]
    for n in nurses:
        put_on_schedule(n, rs)
    return karu, nurses


def test_kepala_ruangan_draws_up_the_shifts(igd, live_server, page, phone_page):
    karu, nurses = igd
    login(page, live_server, karu.nip)
    page.goto(f"{live_server.url}/kehadiran/roster/?periode=2026-10")
    assert "Roster shift: Instalasi Gawat Darurat RSUD" in page.inner_text("h1")
    pattern = ["P", "P", "S", "S", "M", "M", "", ""]  # an eight-day rotation, staggered
    for i, nurse in enumerate(nurses):
        for d in range(1, 9):
            code = pattern[(d + 2 * i) % len(pattern)]
            page.select_option(f'select[name="r:{nurse.id}:2026-10-{d:02d}"]', code)
    coverage_p = page.locator('[data-testid="roster-coverage-P"] td[data-day="20"]')
    assert coverage_p.inner_text() == "0"
    # The rotation of the first eight days fills the rest of the month, in the page only.
    page.fill("#roster-cycle", "8")
    page.click("[data-roster-repeat]")
    assert "Periksa, lalu Simpan roster" in page.inner_text("[data-roster-repeat-note]")
    # Day 17 repeats day 1 (P for the first nurse), day 29 day 5 (M).
    assert page.input_value(f'select[name="r:{nurses[0].id}:2026-10-17"]') == "P"
    assert page.input_value(f'select[name="r:{nurses[0].id}:2026-10-29"]') == "M"
    assert coverage_p.inner_text() == "1"  # the counts follow
    assert not ShiftRoster.objects.exists()
    with page.expect_navigation():
        page.click('[data-testid="roster-save"]')
    assert "disimpan" in page.inner_text("main")
    first = {
        r.date: r.shift.code
        for r in ShiftRoster.objects.filter(employee=nurses[0]).select_related("shift")
    }
    assert first[dt.date(2026, 10, 1)] == pattern[1] and dt.date(2026, 10, 7) not in first
    assert (
        first[dt.date(2026, 10, 29)] == "M" and dt.date(2026, 10, 31) not in first
    )  # (day 7: off)
    assert page.input_value(f'select[name="r:{nurses[0].id}:2026-10-01"]') == pattern[1]
    screenshot(page, "kehadiran-roster")

    # The next fortnight is not rostered yet: the kepala's home page says so, by name.
    login(phone_page, live_server, karu.nip)
    missing = phone_page.locator('[data-testid="home-roster-missing"]')
    assert "4 dari 4 pegawai bershift belum punya satu shift pun" in missing.inner_text()
    assert no_horizontal_scroll(phone_page)
    screenshot(phone_page, "home-atasan-roster-phone")
    phone_page.goto(f"{live_server.url}/kehadiran/roster/?periode=2026-10")
    assert no_horizontal_scroll(phone_page)  # the days scroll inside the grid, not the page
    name = phone_page.locator(f'[data-testid="roster-row-{nurses[2].nip}"] th')
    box = name.bounding_box()
    assert box and box["x"] < 30
    # Scrolled to the month's end, the names stay in view.
    phone_page.locator(".roster-grid").evaluate("el => el.scrollLeft = el.scrollWidth")
    box = name.bounding_box()
    assert box and box["x"] < 30
    cell = phone_page.locator(f'select[name="r:{nurses[2].id}:2026-10-31"]').bounding_box()
    assert cell and cell["height"] >= 40
    phone_page.locator(".roster-grid").evaluate("el => el.scrollLeft = 0")
    phone_page.wait_for_timeout(300)
    assert phone_page.locator('[data-testid="roster-save"]').is_visible()
    screenshot(phone_page, "kehadiran-roster-phone")
    # The save bar stays above the grid's fixed name column (it was painted behind it).
    bar = phone_page.locator('[data-testid="roster-save"]').bounding_box()
    hit = phone_page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).dataset.testid || ''",
        [bar["x"] + 5, bar["y"] + bar["height"] / 2],
    )
    assert hit == "roster-save"

    # November starts from October: the ward's eight-day rotation goes on where it stopped.
    page.goto(f"{live_server.url}/kehadiran/roster/?periode=2026-11")
    page.click('[data-testid="roster-tools"] summary')
    page.fill("#roster-copy-cycle", "8")
    with page.expect_navigation():
        page.click('[data-testid="roster-copy-button"]')
    assert "Roster Oktober 2026 disalin ke November 2026" in page.inner_text("main")
    october = {
        (r.employee_id, r.date): r.shift.code
        for r in ShiftRoster.objects.filter(date__month=10).select_related("shift")
    }
    for nurse in nurses:
        for k in range(16):  # day k of November takes day k mod 8 of 24-31 October
            source = october.get((nurse.id, dt.date(2026, 10, 24 + k % 8)), "")
            day = f"2026-11-{k + 1:02d}"
            assert page.input_value(f'select[name="r:{nurse.id}:{day}"]') == source
    screenshot(page, "kehadiran-roster-salin")


def test_the_kepala_ruangans_own_row_is_read_only_and_still_counted(igd, live_server, page):
    """Nobody rosters themselves (workcal.services.roster_actor_check): a kepala ruangan who works
    the IGD's shifts too sees their own row without choices, and its shifts stay in the counts
    while the others' cells change."""
    from ekinerja.workcal.services import roster_set

    karu, nurses = igd
    rs = ShiftRoster._meta.get_field("shift").related_model.objects.get(code="P").schedule
    put_on_schedule(karu, rs)
    roster_set(
        actor=None, instansi=rs.instansi, entries=[(karu, dt.date(2026, 10, 3), "P")], schedule=rs
    )
    login(page, live_server, karu.nip)
    page.goto(f"{live_server.url}/kehadiran/roster/?periode=2026-10")
    own = page.locator(f'[data-testid="roster-row-{karu.nip}"]')
    assert own.locator("select").count() == 0
    assert "Roster Anda sendiri" in own.inner_text()
    day3 = page.locator('[data-testid="roster-coverage-P"] td[data-day="3"]')
    assert day3.inner_text() == "1"
    page.select_option(f'select[name="r:{nurses[0].id}:2026-10-03"]', "P")
    assert day3.inner_text() == "2"  # the recount keeps the read-only row's P
    with page.expect_navigation():
        page.click('[data-testid="roster-save"]')
    assert "disimpan" in page.inner_text("main")
    assert ShiftRoster.objects.filter(employee=karu).count() == 1
