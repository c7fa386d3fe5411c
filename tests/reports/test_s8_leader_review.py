"""S8-4 review of the leaders' pages as a bupati reads them: the TPP money behind "Capaian TPP"
in rupiah as Indonesians write it, on the card and per OPD in the spreadsheet."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import time_machine

from ekinerja.org.models import Role
from tests.factories import InstansiFactory, employee_with_login, grant
from tests.reports.data import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def bupati(client):
    inst = InstansiFactory(timezone="Asia/Makassar")
    build(inst)
    boss = employee_with_login(inst, name="Bupati")
    grant(boss.user, Role.PIMPINAN)
    client.login(username=boss.nip, password="Rahasia-Kuat-2026!")
    return client


NOV_15 = dt.datetime(2026, 11, 15, 2, 0, tzinfo=dt.UTC)


def test_the_tpp_card_gives_the_gross_and_ceiling_in_rupiah(bupati):
    """A percentage alone ("86,7%") does not say how much money: the card adds the month's gross
    and ceiling (Dinas A 8.000.000 of 10.000.000, Dinas B 5.000.000 of 5.000.000)."""
    with time_machine.travel(NOV_15, tick=False):
        html = bupati.get("/laporan/?periode=2026-10").content.decode()
    card = html[html.index('data-testid="tpp-amounts"') :]
    assert card.startswith('data-testid="tpp-amounts">kotor Rp13.000.000 dari pagu Rp15.000.000')


def test_the_spreadsheet_has_each_opds_tpp_in_whole_rupiah(bupati):
    with time_machine.travel(NOV_15, tick=False):
        book = bupati.get("/laporan/?periode=2026-10&format=xlsx").content
    rows = list(openpyxl.load_workbook(io.BytesIO(book)).active.iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "Peringkat")
    body = [dict(zip(header, r, strict=True)) for r in rows[rows.index(header) + 1 :][:3]]
    money = {r["OPD"]: (r["TPP kotor (Rp)"], r["Pagu TPP (Rp)"]) for r in body}
    assert money["Dinas A"] == (8_000_000, 10_000_000)
    assert money["Dinas B"] == (5_000_000, 5_000_000)
    assert isinstance(money["Dinas A"][0], int)
    total = next(r for r in body if r["Peringkat"] == "Jumlah")
    assert (total["TPP kotor (Rp)"], total["Pagu TPP (Rp)"]) == (13_000_000, 15_000_000)


def test_a_month_not_computed_shows_no_amount(bupati):
    with time_machine.travel(NOV_15, tick=False):
        html = bupati.get("/laporan/?periode=2026-09").content.decode()
    assert 'data-testid="tpp-amounts"' not in html
    assert "bulan ini belum dihitung" in html


def test_the_legend_says_attendance_counts_day_by_day(bupati):
    with time_machine.travel(NOV_15, tick=False):
        html = bupati.get("/laporan/?periode=2026-10").content.decode()
        book = bupati.get("/laporan/?periode=2026-10&format=xlsx").content
    line = (
        "kehadiran dihitung per hari pada OPD tempat pegawai menjabat hari itu, sehingga hari "
        "kerja pegawai yang pindah atau pensiun di tengah bulan tetap tercatat di OPD lamanya."
    )
    assert line in html
    cells = [
        c
        for row in openpyxl.load_workbook(io.BytesIO(book)).active.iter_rows(values_only=True)
        for c in row
        if isinstance(c, str)
    ]
    assert any(line in c for c in cells)
