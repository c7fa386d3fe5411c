"""The error pages as an employee sees them on a phone: Indonesian, the app's own look, a way home,
no sideways scrolling."""

from __future__ import annotations

import pytest

from tests.factories import InstansiFactory, employee_with_login

from .conftest import login, no_horizontal_scroll, screenshot

pytestmark = pytest.mark.e2e


def test_a_page_that_does_not_exist_on_a_phone(phone_page, live_server, transactional_db):
    inst = InstansiFactory(code="6301", name="Pemerintah Kabupaten Tanah Laut")
    siti = employee_with_login(inst, None, name="Siti Aminah")
    login(phone_page, live_server, siti.nip)
    response = phone_page.goto(f"{live_server.url}/aktivitas/hari/2026-02-30/x/")
    assert response.status == 404
    assert phone_page.get_by_test_id("error-404").is_visible()
    assert phone_page.get_by_text("Halaman tidak ditemukan").first.is_visible()
    assert no_horizontal_scroll(phone_page)
    screenshot(phone_page, "error-404-phone")
    phone_page.get_by_role("link", name="Kembali ke beranda").click()
    phone_page.wait_for_url(f"{live_server.url}/")
