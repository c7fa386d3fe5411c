"""Leaders' pages in Chromium: the pimpinan opens the OPD ranking from the home card on a phone,
BKPSDM reads the workload analysis on a desktop and downloads it (the spreadsheet is opened and
checked). Screenshots: reports-dashboard-phone, reports-workload-phone, reports-dashboard,
reports-workload."""

from __future__ import annotations

import io

import openpyxl
import pytest

from ekinerja.org.models import Role
from tests.factories import (
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    grant,
)
from tests.reports.data import build

from .conftest import clipped_tables, login, no_horizontal_scroll, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def town():
    inst = InstansiFactory(timezone="Asia/Makassar")
    build(inst)
    # A long OPD name, as real ones are, must not push the ranking sideways on a phone.
    long = UnitFactory(
        instansi=inst, name="Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah"
    )
    employee_with_login(inst, PositionFactory(unit=long), name="Staf Bappeda")
    people = {}
    for role in (Role.PIMPINAN, Role.BKPSDM):
        e = employee_with_login(inst, name=f"Akun {role}")
        grant(e.user, role)
        people[role] = e.user.username
    return people


def test_pimpinan_reads_the_opd_ranking_on_a_phone(phone_page, live_server, town):
    page = phone_page
    login(page, live_server, town[Role.PIMPINAN])
    page.tap("[data-testid=link-reports-dashboard]")
    page.wait_for_url(f"{live_server.url}/laporan/")
    # The last finished month is shown first (the test's data are October's, whatever today is).
    page.goto(f"{live_server.url}/laporan/?periode=2026-10")
    names = page.locator("[data-testid=opd-row] td:nth-child(2)").all_inner_texts()
    assert [n.splitlines()[0] for n in names][:2] == ["Dinas B", "Dinas A"]
    assert "Badan Perencanaan" in names[2]  # no working day counted: no value, ranked last
    assert "Kehadiran dan aktivitas sampai 31 Oktober 2026" in page.inner_text(
        "[data-testid=as-of]"
    )
    row_a = page.locator("[data-testid=opd-row]").nth(1).inner_text()
    # On a phone the staffing and the percentages sit under the OPD's name.
    assert "3 pegawai · 1 jabatan kosong · hadir 80,0%" in row_a
    assert "tepat waktu 60,0%" in row_a and "aktivitas 50,0%" in row_a and "55,0" in row_a
    assert no_horizontal_scroll(page)
    assert clipped_tables(page) == []
    screenshot(page, "reports-dashboard-phone")
    # The workload analysis fits the phone too: the verdict moves under the OPD's name.
    page.tap("text=Analisis beban kerja >> nth=-1")
    page.wait_for_url(f"{live_server.url}/laporan/beban-kerja/?periode=2026-10")
    first = page.locator("[data-testid=workload-row]").first
    assert "Sementara: kelebihan 1 pegawai" in first.inner_text()
    # Bappeda has recorded nothing yet: no evidence, not "Kelebihan 1 pegawai".
    last = page.locator("[data-testid=workload-row]").last
    assert "Belum ada aktivitas yang disetujui" in last.inner_text()
    assert no_horizontal_scroll(page)
    assert clipped_tables(page) == []
    screenshot(page, "reports-workload-phone")


def test_bkpsdm_reads_and_downloads_the_workload_analysis(page, live_server, town):
    login(page, live_server, town[Role.BKPSDM])
    page.goto(f"{live_server.url}/laporan/?periode=2026-10")
    screenshot(page, "reports-dashboard")
    page.click("text=Analisis beban kerja >> nth=-1")
    page.wait_for_url(f"{live_server.url}/laporan/beban-kerja/?periode=2026-10")
    rows = page.locator("[data-testid=workload-row]").all_inner_texts()
    assert "Sementara: kelebihan 1 pegawai" in rows[0] and "Sesuai" in rows[1]
    screenshot(page, "reports-workload")
    with page.expect_download() as info:
        page.click("[data-testid=download-xlsx]")
    ws = openpyxl.load_workbook(io.BytesIO(open(info.value.path(), "rb").read())).active
    a = next(r for r in ws.iter_rows(values_only=True) if r and r[1] == "Dinas A")
    assert a[2:6] == (3, 3, 10375, 6750)  # pegawai, tersedia (setara penuh), beban, waktu efektif
