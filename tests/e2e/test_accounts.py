"""Accounts in a real browser: BKPSDM creates a school's missing accounts on a desktop and reads the
temporary passwords; a teacher logs in with one on a phone, lands on the password page and sets their
own. Also: a double tap on a submit button sends one request, and the BKPSDM menu fits a 1366-px
screen. Screenshots: accounts-issued.png, password-change-phone.png."""

from __future__ import annotations

import pytest

from ekinerja.core.models import AuditEvent, User
from ekinerja.org.models import Employee, Position
from tests.factories import (
    AssignmentFactory,
    EmployeeFactory,
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    grant,
)

from .conftest import _context, clipped_tables, login, no_horizontal_scroll, screenshot

pytestmark = pytest.mark.e2e
NEW = "Sawah-Padi-Menguning-77"


@pytest.fixture
def school(transactional_db):
    inst = InstansiFactory(code="6301", name="Pemerintah Kabupaten Tanah Laut")
    sekolah = UnitFactory(instansi=inst, code="SDN1", name="SD Negeri 1 Pelaihari")
    kepsek = PositionFactory(
        unit=sekolah, kind=Position.Kind.STRUKTURAL, kelas=9, name="Kepala Sekolah"
    )
    guru_pos = PositionFactory(unit=sekolah, parent=kepsek, name="Guru Kelas")
    teachers = [EmployeeFactory(instansi=inst, name=n) for n in ("Siti Aminah", "Rahmat Hidayat")]
    for t in teachers:
        AssignmentFactory(position=guru_pos, employee=t)
    bk = employee_with_login(inst, None, name="Petugas BKPSDM")
    grant(bk.user, "bkpsdm")
    return {"inst": inst, "unit": sekolah, "teachers": teachers, "bkpsdm": bk}


def test_bkpsdm_creates_accounts_and_a_teacher_sets_her_own_password(browser, live_server, school):
    desk = _context(browser, viewport={"width": 1366, "height": 800})
    page = desk.new_page()
    login(page, live_server, school["bkpsdm"].nip)
    assert no_horizontal_scroll(page, 1366)  # the whole menu fits, "Keluar" included
    assert page.locator("text=Keluar").is_visible()
    page.goto(f"{live_server.url}/akun/?unit={school['unit'].pk}")
    assert page.locator("[data-testid=accounts] [data-state=none]").count() == 2
    page.click("[data-testid=create-accounts] button")
    page.wait_for_selector("[data-testid=issued]")
    siti = school["teachers"][0]
    raw = page.locator(f"[data-testid=issued-{siti.nip}] [data-testid=temporary-password]")
    password = raw.inner_text().strip()
    assert len(password) == 12
    screenshot(page, "accounts-issued")
    desk.close()

    phone = _context(
        browser,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    p = phone.new_page()
    login(p, live_server, siti.nip, password)
    assert p.url.endswith("/profil/kata-sandi/")
    assert p.locator("[data-testid=temporary-notice]").is_visible()
    assert no_horizontal_scroll(p)
    p.fill("#id_old_password", password)
    p.fill("#id_new_password1", NEW)
    p.fill("#id_new_password2", "berbeda-dari-yang-tadi")
    p.click("[data-testid=password-form] button")
    assert "Kedua kata sandi baru tidak sama." in p.locator("body").inner_text()
    screenshot(p, "password-change-phone")
    p.fill("#id_old_password", password)
    p.fill("#id_new_password1", NEW)
    p.fill("#id_new_password2", NEW)
    with p.expect_navigation():
        p.click("[data-testid=password-form] button")
    assert p.url.rstrip("/") == live_server.url
    assert "Kata sandi baru tersimpan" in p.locator("body").inner_text()
    phone.close()
    user = User.objects.get(username=siti.nip)
    assert not user.must_change_password and user.check_password(NEW)
    assert Employee.objects.get(pk=siti.pk).user_id == user.pk


def test_a_double_tap_on_a_submit_button_sends_one_request(browser, live_server, school):
    bk = school["bkpsdm"]
    ctx = _context(browser, viewport={"width": 360, "height": 740})
    page = ctx.new_page()
    login(page, live_server, bk.nip)
    page.goto(f"{live_server.url}/profil/kata-sandi/")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.fill("#id_old_password", "Rahasia-Kuat-2026!")
    page.fill("#id_new_password1", NEW)
    page.fill("#id_new_password2", NEW)
    with page.expect_navigation():
        page.evaluate(
            """() => { const f = document.querySelector('[data-testid=password-form]');
                       const b = f.querySelector('button');
                       f.requestSubmit(b); f.requestSubmit(b); }"""
        )
    assert len(posts) == 1
    assert AuditEvent.objects.filter(action="auth.password.change").count() == 1
    assert "Kata sandi baru tersimpan" in page.locator("body").inner_text()
    ctx.close()


def test_a_refused_reset_shows_a_short_label_that_opens_the_reason(browser, live_server, school):
    """An officer's account (here a teacher also holding the BKPSDM role) is reset only by the
    installation's administrator: the row says so in a short label, and the reason opens on a tap."""
    officer = employee_with_login(
        school["inst"],
        Position.objects.get(name="Guru Kelas"),
        name="Nur Aisyah",
    )
    grant(officer.user, "bkpsdm")
    desk = _context(browser, viewport={"width": 1366, "height": 800})
    page = desk.new_page()
    login(page, live_server, school["bkpsdm"].nip)
    page.goto(f"{live_server.url}/akun/?unit={school['unit'].pk}")
    refused = page.locator(f"[data-testid=account-{officer.nip}] [data-testid=reset-refused]")
    assert refused.locator("summary").inner_text() == "Tidak dapat diatur ulang"
    assert not refused.locator("text=administrator sistem").is_visible()
    refused.locator("summary").click()
    assert refused.locator("text=administrator sistem").is_visible()
    assert no_horizontal_scroll(page, 1366)
    screenshot(page, "accounts-reset-refused")
    desk.close()
    # On a phone the label wraps: the table still fits, closed and open.
    phone = _context(
        browser,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    p = phone.new_page()
    login(p, live_server, school["bkpsdm"].nip)
    p.goto(f"{live_server.url}/akun/?unit={school['unit'].pk}")
    assert no_horizontal_scroll(p) and clipped_tables(p) == []
    p.locator(f"[data-testid=account-{officer.nip}] [data-testid=reset-refused] summary").tap()
    assert no_horizontal_scroll(p) and clipped_tables(p) == []
    screenshot(p, "accounts-reset-refused-phone")
    phone.close()
