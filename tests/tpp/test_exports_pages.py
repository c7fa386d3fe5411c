"""Page breaks of the payroll pdfs: a signature page is never a page without the list it signs.

Found by printing the November demo list: a unit of 20 employees filled its first page exactly, so
the JUMLAH row, the amount in words and the signature blocks (or only the signatures) went alone to
the next page: a signed page with no employee on it, which could be stapled to any list."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from pypdf import PdfReader

from ekinerja.tpp import exports, services

from .data import OCT, add_staff, full_attendance, make_pemda, monthly_minutes, rate

pytestmark = pytest.mark.django_db

NIP = re.compile(r"\b\d{18}\b")


@pytest.fixture
def locked_run():
    p = make_pemda()
    add_staff(p, 2)
    for e in [*p.people.values(), *p.extra]:
        full_attendance(e)
        monthly_minutes(p, e, 12)
        rate(e, "baik")
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    run = services.run_verify(actor=p.bkpsdm1, run=run)
    return p, services.run_lock(actor=p.bkpsdm2, run=run)


def _pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def _list_of(run, unit, n: int, monkeypatch) -> list[str]:
    """The unit's nominatif pdf with its first row repeated to n rows (the layout is what is
    tested: every row as tall as a real one, with a position name over two lines)."""
    real = exports.payroll

    def payroll(run, unit=None, signed=False):
        data = real(run, unit, signed=signed)
        s = data.sections[0]
        row = s.rows[0]
        row.position_name = "Pengelola Layanan Operasional Sekretariat"
        data.sections = [replace(s, rows=[row] * n)]
        return data

    monkeypatch.setattr(exports, "payroll", payroll)
    return _pages(exports.nominatif_pdf(run, unit))


def _first_two_pages(render, lo: int, hi: int) -> int:
    """The smallest n in (lo, hi] whose document takes two pages: there the old layout put the
    total and the signatures, or only the signatures, on a page of their own."""
    assert len(render(lo)) == 1 and len(render(hi)) > 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if len(render(mid)) > 1:
            hi = mid
        else:
            lo = mid
    return hi


def test_the_signatures_never_stand_on_a_page_without_rows(locked_run, monkeypatch):
    p, run = locked_run
    first = _first_two_pages(lambda n: _list_of(run, p.opd_a, n, monkeypatch), 2, 60)
    for n in (first, first + 1):
        pages = _list_of(run, p.opd_a, n, monkeypatch)
        signed = [text for text in pages if "Mengetahui" in text]
        assert len(signed) == 1
        # The signatures share their page with the total, the amount in words and a row.
        assert "JUMLAH" in signed[0] and "Jumlah dibayarkan" in signed[0]
        assert NIP.search(signed[0].split("JUMLAH")[0]), (
            f"{n} baris: halaman tanda tangan tanpa baris"
        )
        # Every row is printed exactly once.
        assert sum(len(NIP.findall(t.split("Mengetahui")[0])) for t in pages) == n


def test_the_sp2d_recap_keeps_its_signatures_with_the_units(locked_run, monkeypatch):
    """The whole instansi's SP2D recap of a Pemda with many units (the demo's 26 filled the first
    page and the signatures of the head of BKPSDM and the treasurer stood alone on the second)."""
    p, run = locked_run
    real = exports.recap_rows

    def render(n: int) -> list[str]:
        def recap_rows(data):
            title, totals = real(data)[0]
            return [(f"Unit {i + 1}", totals) for i in range(n)]

        monkeypatch.setattr(exports, "recap_rows", recap_rows)
        return _pages(exports.recap_pdf(run))

    first = _first_two_pages(render, 2, 80)
    for n in (first, first + 1):
        signed = [text for text in render(n) if "Mengetahui" in text]
        assert len(signed) == 1
        assert "JUMLAH" in signed[0] and re.search(r"\bUnit \d+\b", signed[0]), (
            f"{n} unit: halaman tanda tangan tanpa baris rekap"
        )
