"""The payroll documents as BPKAD reads them (found by opening the 600-employee demo's documents):
the xlsx keeps its header and the names in view, a unit's list says how its net becomes what it
pays, an account of spaces is an empty account in every file, and every page of the SP2D recap
names the document."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from pypdf import PdfReader

from ekinerja.core.money import format_rupiah
from ekinerja.tpp import exports, services
from ekinerja.tpp.models import Result

from .data import OCT, add_staff, full_attendance, make_pemda, monthly_minutes, rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked_run():
    p = make_pemda()
    add_staff(p, 3)
    for i, e in enumerate([*p.people.values(), *p.extra]):
        full_attendance(e)
        monthly_minutes(p, e, 9 + i % 6)
        rate(e, "baik")
    services.withholding_create(
        actor=p.bkpsdm1, employee=p.extra[0], period=OCT, reason="SKP bulanan belum diunggah"
    )
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    run = services.run_verify(actor=p.bkpsdm1, run=run)
    return p, services.run_lock(actor=p.bkpsdm2, run=run)


def _text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))


def test_the_workbooks_keep_their_header_rows_and_the_names_in_view(locked_run):
    """A unit of 210 rows and 18 columns scrolled its column headers, and the NIP and name of the
    row being read, off the screen: nothing was frozen."""
    p, run = locked_run
    wb = openpyxl.load_workbook(io.BytesIO(exports.nominatif_xlsx(run)))
    for ws in wb.worksheets:
        if ws.title == "Rekap":
            assert ws.freeze_panes == "C5", ws.title  # No and the unit's name, below the header
        else:
            assert ws.freeze_panes == "D6", ws.title  # No, NIP and Nama, below the header
            assert [ws.cell(5, c).value for c in (1, 2, 3)] == ["No", "NIP", "Nama"]
    sp2d = openpyxl.load_workbook(io.BytesIO(exports.recap_xlsx(run))).worksheets[0]
    assert sp2d.freeze_panes == "C5"
    assert [sp2d.cell(4, c).value for c in (1, 2)] == ["No", "Unit kerja"]


def test_a_units_list_says_how_its_net_becomes_what_it_pays(locked_run):
    """The unit's JUMLAH showed a net and a lower amount paid; what was withheld or corrected was
    only in the rows' Keterangan (a unit's pdf has no recap page)."""
    p, run = locked_run
    # A recovery larger than the month's pay: nothing paid, the rest carried.
    recovered = Result.objects.get(run=run, employee=p.extra[1])
    recovered.adjustment = -(recovered.net + 1000)
    recovered.payable = Decimal(0)
    recovered.save(update_fields=["adjustment", "payable"])
    rows = list(Result.objects.filter(run=run, unit=p.opd_b))
    net = sum(r.net for r in rows)
    held = sum(services.due_amount(r) for r in rows if r.withheld)
    paid = sum(r.payable for r in rows)
    assert held > 0 and paid == net - held + recovered.adjustment + 1000
    line = (
        f"TPP bersih {format_rupiah(net)} − ditahan {format_rupiah(held)} − koreksi "
        f"{format_rupiah(-recovered.adjustment)} + sisa potongan belum terpotong Rp1.000 = "
        f"dibayarkan {format_rupiah(paid)}"
    )
    assert line in _text(exports.nominatif_pdf(run, p.opd_b))
    ws = openpyxl.load_workbook(io.BytesIO(exports.nominatif_xlsx(run, p.opd_b))).worksheets[0]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert line in texts
    # A unit paying exactly its net has no such line.
    assert "TPP bersih Rp" not in _text(exports.nominatif_pdf(run, p.opd_a))


def test_an_account_of_spaces_is_an_empty_account_in_every_document(locked_run, monkeypatch):
    """An account imported as spaces went into the bank file as spaces (past a filter on an empty
    no_rekening) and one with spaces around it failed the bank's check."""
    p, run = locked_run
    blank, padded = p.extra[1], p.extra[2]
    Result.objects.filter(run=run, employee=blank).update(bank_account="   ")
    Result.objects.filter(run=run, employee=padded).update(bank_account=" 0012345678 ")
    lines = list(csv.DictReader(io.StringIO(exports.bank_csv(run))))
    by_nip = {line["nip"]: line for line in lines}
    assert by_nip[blank.nip]["no_rekening"] == ""
    assert by_nip[padded.nip]["no_rekening"] == "0012345678"
    ws = openpyxl.load_workbook(io.BytesIO(exports.nominatif_xlsx(run, p.opd_b))).worksheets[0]
    header = [c.value for c in ws[5]]
    rows = {
        r[1]: dict(zip(header, r, strict=False))
        for r in ws.iter_rows(min_row=6, values_only=True)
        if isinstance(r[0], int)
    }
    assert rows[blank.nip]["No. rekening"] in ("", None)
    assert rows[blank.nip]["Keterangan"] == exports.NO_ACCOUNT
    assert rows[padded.nip]["No. rekening"] == "0012345678"
    seen = {}
    monkeypatch.setattr(exports, "_pdf", lambda template, context: seen.setdefault("ctx", context))
    exports.nominatif_pdf(run, p.opd_b)
    from django.template.loader import render_to_string

    page = render_to_string("tpp/pdf/nominatif.html", seen["ctx"])
    cells = re.findall(r"<td>(?:[^<]*<br>)?([^<]*)</td>\s*</tr>", page)  # each row's account
    assert "   " not in cells and "-" in cells
    assert "0012345678" in cells


def test_every_page_of_the_sp2d_recap_names_it(locked_run, monkeypatch):
    """Many units take the SP2D recap to a second page, whose head was empty: only the table's
    header said what it was."""
    p, run = locked_run
    real = exports.recap_rows

    def recap_rows(data):
        title, totals = real(data)[0]
        return [(f"Unit {i + 1}", totals) for i in range(70)]

    monkeypatch.setattr(exports, "recap_rows", recap_rows)
    pages = PdfReader(io.BytesIO(exports.recap_pdf(run))).pages
    assert len(pages) > 1
    for page in pages:
        text = re.sub(r"\s+", " ", page.extract_text())
        assert "Rekapitulasi TPP per unit kerja untuk pengajuan SP2D Oktober 2026" in text
