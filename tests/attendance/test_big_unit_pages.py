"""The board and the recap of a big unit (a Dinas Pendidikan of 8,000 teachers was 2.4 MB and
3.8 MB of HTML): the counts cover everyone, each count shows its rows, the rows come a page at a
time, and the xlsx has the whole unit."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
import time_machine

from ekinerja.attendance import views
from tests.attendance.conftest import D, at
from tests.attendance.test_views import NOW, punch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _names(html: str) -> list[str]:
    table = html.split('data-testid="board-table"')[1].split("</table>")[0]
    return re.findall(r'/kehadiran/pegawai/\d+/\?periode=[\d-]+">([^<]+)<', table)


def test_the_board_filters_by_its_counts_and_pages_its_rows(client, office, monkeypatch):
    punch(office.budi, at(D(2026, 10, 19), 7, 20))
    punch(office.budi, at(D(2026, 10, 19), 16, 0))
    client.force_login(office.kepala.user)
    url = f"/kehadiran/papan/?unit={office.unit.pk}&tanggal=2026-10-19"
    html = client.get(url).content.decode()
    assert "Tanpa keterangan 2" in html and "Hadir 1" in html
    absent = client.get(url + "&status=absent").content.decode()
    assert sorted(_names(absent)) == ["Ani", "Kepala Dinas Uji"]
    assert "Tanpa keterangan 2" in absent  # the counts stay the whole unit's
    assert 'data-testid="filter-absent" aria-current="true"' in absent
    assert _names(client.get(url + "&status=present").content.decode()) == ["Budi"]
    assert client.get(url + "&status=bogus").status_code == 200  # an unknown filter shows all

    monkeypatch.setattr(views, "PAGE_ROWS", 2)
    first = client.get(url).content.decode()
    assert len(_names(first)) == 2 and "1–2 dari 4 pegawai" in first  # the nurse: off today
    nxt = re.search(r'href="(\?[^"]*hal=2[^"]*)"', first).group(1)
    assert "tanggal=2026-10-19" in nxt and f"unit={office.unit.pk}" in nxt.replace("&amp;", "&")
    second = client.get("/kehadiran/papan/" + nxt.replace("&amp;", "&")).content.decode()
    assert len(_names(second)) == 2 and "3–4 dari 4 pegawai" in second
    # Changing the filter starts again at the first page.
    href = re.search(r'href="([^"]*)" data-testid="filter-absent"', second).group(1)
    assert "hal=" not in href and "status=absent" in href


def test_the_recap_pages_its_rows_and_the_xlsx_has_everyone(client, office, monkeypatch):
    monkeypatch.setattr(views, "PAGE_ROWS", 2)
    client.force_login(office.kepala.user)
    base = f"/kehadiran/rekap/?unit={office.unit.pk}&periode=2026-10"
    page1 = client.get(base).content.decode()
    rows = page1.split('data-testid="recap-table"')[1].split("</table>")[0].count("<tr><td")
    assert rows == 2 and "1–2 dari 4 pegawai" in page1  # the nurse is in the unit too
    page2 = client.get(base + "&hal=2").content.decode()
    assert page2.split('data-testid="recap-table"')[1].split("</table>")[0].count("<tr><td") == 2
    r = client.get(base + "&format=xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    nips = {row[1] for row in ws.iter_rows(min_row=5, values_only=True) if row[1]}
    assert {office.ani.nip, office.budi.nip, office.kepala.nip, office.nurse.nip} <= nips


def test_the_current_month_s_recap_counts_no_absence_for_days_not_over(client, office):
    """On Tuesday 20 October at 10:00 the recap counted all 22 working days of October as tanpa
    keterangan for someone without punches; only the 13 days already over are."""
    client.force_login(office.kepala.user)
    r = client.get(f"/kehadiran/rekap/?unit={office.unit.pk}&periode=2026-10&format=xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    header = next(row for row in ws.iter_rows(values_only=True) if row and "NIP" in row)
    rows = {row[1]: row for row in ws.iter_rows(min_row=5, values_only=True) if row[1]}
    ani = dict(zip(header, rows[office.ani.nip], strict=False))
    assert ani["Hari kerja"] == 22 and ani["Tanpa keterangan"] == 13
