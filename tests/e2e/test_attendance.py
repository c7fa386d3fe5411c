"""Attendance in a real browser: an employee requests leave, the superior approves it, and the
employee's month view shows the leave days; on a desktop and on a 360-px phone. Screenshots go to
docs/screenshots/."""

from __future__ import annotations

import datetime as dt

import pytest

from ekinerja.attendance import services
from ekinerja.attendance.services import PunchRow, leave_types_ensure
from ekinerja.core.clock import local_today
from tests.factories import (
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    fixed_schedule,
)

from .conftest import _context, clipped_tables, login, no_horizontal_scroll, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def dinas(transactional_db):
    inst = InstansiFactory(code="6301", name="Pemerintah Kabupaten Hulu Sungai Selatan")
    unit = UnitFactory(instansi=inst, code="DINKES", name="Dinas Kesehatan")
    head = PositionFactory(
        unit=unit,
        instansi=inst,
        code="KADIS",
        name="Kepala Dinas Kesehatan",
        kind="struktural",
        kelas=14,
    )
    staff = PositionFactory(
        unit=unit, instansi=inst, code="ADM", name="Pengadministrasi Umum", parent=head
    )
    kepala = employee_with_login(inst, head, name="dr. Rahmat Hidayat")
    ani = employee_with_login(inst, staff, name="Ani Lestari")
    fixed_schedule(inst, is_default=True)
    leave_types_ensure(inst)
    # Some punches earlier this month so the calendar has content.
    today = local_today(inst)
    import zoneinfo

    tz = zoneinfo.ZoneInfo(inst.timezone)
    rows = []
    for d in range(1, today.day):
        day = today.replace(day=d)
        if day.weekday() < 5:
            rows.append(
                PunchRow(
                    ani.id,
                    dt.datetime.combine(day, dt.time(7, 20 + d % 25), tzinfo=tz),
                    "fingerprint",
                    "SN1",
                )
            )
            rows.append(
                PunchRow(
                    ani.id,
                    dt.datetime.combine(day, dt.time(16, 5), tzinfo=tz),
                    "fingerprint",
                    "SN1",
                )
            )
    services.punches_insert(inst, rows)
    return {"inst": inst, "kepala": kepala, "ani": ani, "today": today}


def _next_workday(day: dt.date, n: int = 1) -> dt.date:
    while True:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
            if n == 0:
                return day


def test_leave_requested_approved_and_shown(browser, page, phone_page, live_server, dinas):
    start = _next_workday(dinas["today"], 1)
    end = start if start.month != _next_workday(start).month else _next_workday(start)
    # Employee asks for leave.
    login(page, live_server, dinas["ani"].nip)
    page.goto(f"{live_server.url}/kehadiran/cuti/")
    page.select_option("#id_leave_type", label="Izin")
    page.fill("#id_date_from", start.isoformat())
    page.fill("#id_date_to", end.isoformat())
    page.fill("#id_reason", "Menghadiri wisuda anak")
    page.click('[data-testid="leave-submit"]')
    page.wait_for_selector("text=telah diajukan")
    assert "Menunggu atasan" in page.inner_text('[data-testid="leave-table"]')
    screenshot(page, "kehadiran-cuti-pegawai")
    page.click("form[action='/keluar/'] button")
    # On her phone the waiting request's row fits: "Menunggu atasan" and "Batalkan" were cut off
    # behind a sideways scroll of the table.
    login(phone_page, live_server, dinas["ani"].nip)
    phone_page.goto(f"{live_server.url}/kehadiran/cuti/")
    assert "Menunggu atasan" in phone_page.inner_text('[data-testid="leave-table"]')
    assert clipped_tables(phone_page) == [] and no_horizontal_scroll(phone_page)
    phone_page.context.clear_cookies()

    # The superior's requests on a phone: cards, the decision buttons on screen.
    boss_phone = _context(
        browser,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    ).new_page()
    login(boss_phone, live_server, dinas["kepala"].nip)
    boss_phone.goto(f"{live_server.url}/kehadiran/persetujuan/")
    approve = boss_phone.locator('[data-testid="inbox-leave"] button[value="approve"]')
    box = approve.bounding_box()
    assert approve.is_visible() and box["x"] + box["width"] <= 360
    assert no_horizontal_scroll(boss_phone)
    screenshot(boss_phone, "kehadiran-persetujuan-atasan-phone")
    boss_phone.context.close()

    # The superior approves.
    login(page, live_server, dinas["kepala"].nip)
    page.goto(f"{live_server.url}/kehadiran/persetujuan/")
    assert "Ani Lestari" in page.inner_text('[data-testid="inbox-leave"]')
    screenshot(page, "kehadiran-persetujuan-atasan")
    page.click('[data-testid="inbox-leave"] button[value="approve"]')
    page.wait_for_selector("text=disetujui")
    page.click("form[action='/keluar/'] button")

    # The month view shows the leave.
    login(page, live_server, dinas["ani"].nip)
    page.goto(f"{live_server.url}/kehadiran/?periode={start:%Y-%m}")
    cell = page.locator(f'[data-testid="day-{start.isoformat()}"]')
    assert cell.get_attribute("data-status") == "leave"
    assert "Izin" in cell.inner_text()
    assert "Disetujui" in page.inner_text('[data-testid="month-leaves"]')
    screenshot(page, "kehadiran-bulan-pegawai")

    # The same month on a phone: a list, nothing scrolls sideways.
    login(phone_page, live_server, dinas["ani"].nip)
    phone_page.goto(f"{live_server.url}/kehadiran/?periode={start:%Y-%m}")
    item = phone_page.locator(f'[data-testid="item-{start.isoformat()}"]')
    assert item.get_attribute("data-status") == "leave"
    assert no_horizontal_scroll(phone_page)
    # The month's leave table fits too: its status column is not hidden behind a sideways scroll.
    assert clipped_tables(phone_page) == []
    assert "Disetujui" in phone_page.inner_text('[data-testid="month-leaves"]')
    screenshot(phone_page, "kehadiran-bulan-pegawai-phone")

    # The leave has not started: she may cancel it from her phone, after confirming.
    phone_page.goto(f"{live_server.url}/kehadiran/cuti/")
    cancel = phone_page.locator('[data-testid^="leave-cancel-"]')
    box = cancel.bounding_box()
    assert cancel.is_visible() and box["x"] + box["width"] <= 360
    assert no_horizontal_scroll(phone_page)
    screenshot(phone_page, "kehadiran-cuti-pegawai-phone")
    asked = []
    phone_page.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    cancel.click()
    phone_page.wait_for_selector("text=dibatalkan")
    assert "sudah disetujui" in asked[0]
    assert "Dibatalkan" in phone_page.inner_text('[data-testid="leave-table"]')


def test_the_head_finds_who_was_absent_on_the_board_on_a_phone(phone_page, live_server, dinas):
    """The board's counts are links: "Tanpa keterangan" shows only those rows (the head has no
    punches, Ani has both), on a 360-px phone without sideways scrolling."""
    today = dinas["today"]
    days = [today.replace(day=d) for d in range(1, today.day)]
    days = [d for d in days if d.weekday() < 5]
    if not days:
        pytest.skip("no working day before today in this month yet")
    day = days[-1]
    login(phone_page, live_server, dinas["kepala"].nip)
    phone_page.goto(f"{live_server.url}/kehadiran/papan/?tanggal={day.isoformat()}")
    counts = phone_page.inner_text('[data-testid="board-counts"]')
    assert "Tanpa keterangan 1" in counts and "Hadir" in counts
    phone_page.click('[data-testid="filter-absent"]')
    phone_page.wait_for_url("**status=absent**")
    table = phone_page.inner_text('[data-testid="board-table"]')
    assert "dr. Rahmat Hidayat" in table and "Ani Lestari" not in table
    assert phone_page.locator('[data-testid="board-table"] tbody tr').count() == 1
    assert no_horizontal_scroll(phone_page)
    assert clipped_tables(phone_page) == []  # the status is on the screen, not behind a scroll
    screenshot(phone_page, "kehadiran-papan-phone")


def test_the_monthly_recap_fits_a_phone(phone_page, live_server, dinas):
    """Ten figures per employee do not fit 360 px as columns: a phone gets a line per employee with
    the working days and every figure that is not zero; the xlsx keeps the columns."""
    login(phone_page, live_server, dinas["kepala"].nip)
    phone_page.goto(f"{live_server.url}/kehadiran/rekap/?periode={dinas['today']:%Y-%m}")
    line = phone_page.inner_text('[data-testid="recap-list"]')
    assert "Ani Lestari" in line and "Hari kerja" in line
    assert not phone_page.is_visible('[data-testid="recap-table"]')
    assert no_horizontal_scroll(phone_page)
    assert clipped_tables(phone_page) == []
    screenshot(phone_page, "kehadiran-rekap-phone")
