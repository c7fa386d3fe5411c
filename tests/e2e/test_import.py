"""Browser test of the employee import on a 360-px phone: upload a file with errors (errors listed by
row, nothing to apply), then a good file (preview, apply, success), with screenshots."""

from __future__ import annotations

import pytest

from ekinerja.org.models import Employee, Role
from tests.e2e.conftest import clipped_tables, login, no_horizontal_scroll, screenshot
from tests.factories import (
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    grant,
)
from tests.org.test_import import NIP_ANALIS, base_rows, to_csv

pytestmark = pytest.mark.django_db(transaction=True)


def _upload(page, path):
    page.set_input_files("input[type=file]", str(path))
    with page.expect_navigation():
        page.click("[data-testid=upload-form] button")


def test_import_flow_on_a_phone(phone_page, live_server, tmp_path):
    inst = InstansiFactory(code="6301", name="Pemerintah Kabupaten Tanah Laut")
    unit = UnitFactory(instansi=inst, code="4.01", name="BKPSDM")
    officer = employee_with_login(inst, PositionFactory(unit=unit, kelas=9), name="Rina Wulandari")
    grant(officer.user, Role.BKPSDM)
    page = login(phone_page, live_server, officer.nip)

    page.goto(f"{live_server.url}/impor/pegawai/")
    assert no_horizontal_scroll(page)
    screenshot(page, "import-upload-phone")

    bad = base_rows()
    bad[2]["NIP"] = "198502302010032003"
    bad[3]["Golongan"] = "III/a"
    bad_file = tmp_path / "pegawai-salah.csv"
    bad_file.write_bytes(to_csv(bad))
    _upload(page, bad_file)
    errors = page.locator("[data-testid=errors] tbody tr")
    assert errors.count() == 2
    assert "tanggal lahir" in errors.nth(0).inner_text()
    assert page.locator("[data-testid=apply]").count() == 0
    assert no_horizontal_scroll(page)
    screenshot(page, "import-preview-errors-phone")

    good_file = tmp_path / "pegawai.csv"
    good_file.write_bytes(to_csv(base_rows()))
    page.goto(f"{live_server.url}/impor/pegawai/")
    _upload(page, good_file)
    assert page.locator("[data-testid=changes] tbody tr").count() == 4  # with the vacancy
    assert no_horizontal_scroll(page) and clipped_tables(page) == []
    screenshot(page, "import-preview-phone")
    with page.expect_navigation():
        page.click("[data-testid=apply] button")
    assert page.locator("[data-testid=applied]").is_visible()
    assert "Impor diterapkan: 3 pegawai baru" in page.locator(".alert-success").first.inner_text()
    assert Employee.objects.filter(instansi=inst, nip=NIP_ANALIS).exists()
