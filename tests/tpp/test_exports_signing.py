"""Payroll documents read as BPKAD reads them (a review of the October 2026 demo exports):

- an employee paid without a bank account number is in the bank csv with an empty account, and the
  list's Keterangan says the amount cannot be transferred;
- the signatures are dated the day the list was locked (the instansi's time zone; a draft the day it
  is printed), after the place of signing ("Kandangan, 5 November 2026"), not the month's last day;
- every page of a long unit's pdf names the unit, and every xlsx sheet's page header;
- an SKP component without a predicate says so;
- the pdf's page footer is set in the body's sans-serif font;
- the SP2D recap's head of BKPSDM signs with the post's full name (tests/tpp/test_exports_dec.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import subprocess
from dataclasses import replace
from decimal import Decimal

import openpyxl
import pytest
from pypdf import PdfReader

from ekinerja.tpp import documents, exports, services
from ekinerja.tpp.models import Result, Run

from .data import OCT, add_staff, full_attendance, make_pemda, monthly_minutes, rate

pytestmark = pytest.mark.django_db

NO_ACCOUNT = "Nomor rekening belum ada: tidak dapat ditransfer"
NO_PREDICATE = "Predikat SKP belum ada"


def _pages(content: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def _text(content: bytes) -> str:
    return " ".join(_pages(content))


def _cells(content: bytes) -> list:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]


def _lines(content: bytes) -> dict[str, dict]:
    """{NIP: {header: value}} of every unit sheet's rows."""
    wb = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    out = {}
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        header = next(r for r in rows if r and r[0] == "No")
        for r in rows:
            if r and isinstance(r[0], int) and ws.title != "Rekap":
                out[r[1]] = dict(zip(header, r, strict=False))
    return out


def _compute(p, unrated=()):
    for e in [*p.people.values(), *p.extra]:
        full_attendance(e)
        monthly_minutes(p, e, 12)
        if e not in unrated:
            rate(e, "baik")
    return services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)


def _lock(run: Run) -> Run:
    run = services.run_verify(actor=_bk(run, 1), run=run)
    return services.run_lock(actor=_bk(run, 2), run=run)


def _bk(run: Run, n: int):
    from ekinerja.core.models import User

    return User.objects.get(username=f"bkpsdm{n}", instansi=run.instansi)


@pytest.fixture
def pemda():
    p = make_pemda()
    # Two staff of Dinas Kesehatan; tests/tpp/data.add_staff gives them no bank account.
    add_staff(p, 2)
    return p


# --------------------------------------------------------------------------------------------------
# 1. Paid without a bank account number


def test_a_row_paid_without_an_account_says_it_cannot_be_transferred(pemda):
    p = pemda
    without, with_account = p.extra
    with_account.bank_name, with_account.bank_account = "Bank Kalsel", "0011223344"
    with_account.save(update_fields=["bank_name", "bank_account"])
    run = _lock(_compute(p))
    row = Result.objects.get(run=run, employee=without)
    assert row.payable > 0 and row.bank_account == ""

    # Still in the bank file, with an empty account: its total is the list's.
    bank = list(csv.DictReader(io.StringIO(exports.bank_csv(run))))
    line = next(b for b in bank if b["nip"] == without.nip)
    assert line["no_rekening"] == "" and Decimal(line["jumlah"]) == row.payable
    assert sum(Decimal(b["jumlah"]) for b in bank) == run.total_payable

    lines = _lines(exports.nominatif_xlsx(run))
    assert lines[without.nip]["Keterangan"].startswith(NO_ACCOUNT)
    assert lines[without.nip]["Dibayarkan"] == row.payable
    for nip, line in lines.items():
        if nip != without.nip:
            assert NO_ACCOUNT not in (line["Keterangan"] or ""), nip
    assert sum(line["Dibayarkan"] for line in lines.values()) == run.total_payable

    text = _text(exports.nominatif_pdf(run))
    assert text.count(NO_ACCOUNT) == 1
    assert exports.remark(Result.objects.get(run=run, employee=with_account)) == ""


def test_a_withheld_row_without_an_account_is_not_flagged():
    """Nothing is paid: nothing to transfer (as the bank file leaves it out)."""
    r = Result(
        gross=Decimal(1_000_000),
        net=Decimal(900_000),
        payable=Decimal(0),
        withheld=True,
        withheld_reason="LHKPN belum dilaporkan",
        detail={},
    )
    assert exports.remark(r) == "Ditahan: LHKPN belum dilaporkan"
    r.withheld, r.payable, r.bank_account = False, Decimal(900_000), "   "
    assert exports.remark(r) == NO_ACCOUNT


# --------------------------------------------------------------------------------------------------
# 2. Signed on the day the list was locked, at the instansi's place


def _locked_at(run: Run, moment: dt.datetime) -> Run:
    Run.objects.filter(pk=run.pk).update(locked_at=moment)
    run.refresh_from_db()
    return run


def test_documents_are_signed_at_the_place_on_the_day_the_list_was_locked(pemda):
    p = pemda
    p.inst.place, p.inst.timezone = "Kandangan", "Asia/Makassar"
    p.inst.save(update_fields=["place", "timezone"])
    run = _lock(_compute(p))
    # 23:30 UTC on 4 November is 07:30 on the 5th in Kandangan (WITA).
    run = _locked_at(run, dt.datetime(2026, 11, 4, 23, 30, tzinfo=dt.UTC))
    signed = "Kandangan, 5 November 2026"

    nominatif = _text(exports.nominatif_pdf(run, printed_on=dt.date(2026, 12, 1)))
    assert nominatif.count(signed) == 2  # each unit's treasurer block
    recap = _text(exports.recap_pdf(run, printed_on=dt.date(2026, 12, 1)))
    assert signed in recap
    for text in (nominatif, recap):
        assert "31 Oktober 2026" not in text and "4 November 2026" not in text
        assert re.search(r"Mengetahui.*Kandangan, 5 November 2026", text)

    cells = _cells(exports.nominatif_xlsx(run))
    assert cells.count(signed) == 2 and "31 Oktober 2026" not in cells
    assert signed in _cells(exports.recap_xlsx(run))
    # The unit's own pdf too.
    assert signed in _text(exports.nominatif_pdf(run, p.opd_a))


def test_without_a_place_the_date_stands_alone(pemda):
    p = pemda
    run = _locked_at(_lock(_compute(p)), dt.datetime(2026, 11, 5, 2, 0, tzinfo=dt.UTC))
    assert p.inst.place == ""
    text = _text(exports.recap_pdf(run))
    assert "5 November 2026" in text and ", 5 November 2026" not in text
    assert "5 November 2026" in _cells(exports.recap_xlsx(run))


def test_a_draft_is_dated_the_day_it_is_printed(pemda):
    p = pemda
    p.inst.place = "Kandangan"
    p.inst.save(update_fields=["place"])
    run = _compute(p)  # computed, not locked
    assert run.locked_at is None
    text = _text(exports.nominatif_pdf(run, printed_on=dt.date(2026, 11, 3)))
    assert "Kandangan, 3 November 2026" in text


def test_the_kept_pdf_changes_with_the_place(pemda):
    p = pemda
    run = _lock(_compute(p))
    before = documents.document(run, None, dt.date(2026, 11, 5)).name
    p.inst.place = "Kandangan"
    p.inst.save(update_fields=["place"])
    run.refresh_from_db()
    run.instansi.refresh_from_db()
    assert documents.document(run, None, dt.date(2026, 11, 5)).name != before


# --------------------------------------------------------------------------------------------------
# 3. Every page names the unit


def test_every_page_of_a_long_unit_names_it(pemda, monkeypatch):
    p = pemda
    run = _lock(_compute(p))
    real = exports.payroll

    def payroll(run, unit=None, signed=False):
        data = real(run, unit, signed=signed)
        s = data.sections[0]
        data.sections = [replace(s, rows=[s.rows[0]] * 45)]
        return data

    monkeypatch.setattr(exports, "payroll", payroll)
    pages = _pages(exports.nominatif_pdf(run, p.opd_b))
    assert len(pages) >= 2
    running = f"Daftar nominatif TPP Oktober 2026 · {p.opd_b.code} {p.opd_b.name}"
    for n, page in enumerate(pages, start=1):
        assert running in page, f"halaman {n}: {page[:200]}"
    # Page 2 holds rows only: the unit is named by the running head, not by the title.
    assert "DAFTAR NOMINATIF TAMBAHAN" not in pages[1]


def test_the_whole_instansi_list_names_each_unit_and_then_the_recap(pemda):
    p = pemda
    run = _lock(_compute(p))
    pages = _pages(exports.nominatif_pdf(run))
    assert len(pages) == 3
    assert f"· {p.opd_a.code} {p.opd_a.name}" in pages[0]
    assert f"· {p.opd_b.code} {p.opd_b.name}" in pages[1] and p.opd_a.name not in pages[1]
    assert "Rekapitulasi TPP per unit kerja Oktober 2026" in pages[2]


def test_each_xlsx_sheet_names_its_unit_in_the_page_header(pemda):
    p = pemda
    p.opd_b.name = "Dinas Kesehatan & Keluarga Berencana"
    p.opd_b.save(update_fields=["name"])
    run = _lock(_compute(p))
    wb = openpyxl.load_workbook(io.BytesIO(exports.nominatif_xlsx(run)))
    headers = [ws.oddHeader.left.text for ws in wb.worksheets]
    assert headers == [
        f"Daftar nominatif TPP Oktober 2026 · {p.opd_a.code} {p.opd_a.name}",
        f"Daftar nominatif TPP Oktober 2026 · {p.opd_b.code} Dinas Kesehatan && Keluarga Berencana",
        "Rekapitulasi TPP Oktober 2026",
    ]
    assert wb.sheetnames[-1] == "Rekap"


# --------------------------------------------------------------------------------------------------
# 4. SKP without a predicate


def test_a_month_without_an_skp_predicate_says_so(pemda):
    p = pemda
    unrated = p.extra[0]
    run = _lock(_compute(p, unrated=[unrated]))
    row = Result.objects.get(run=run, employee=unrated)
    assert row.detail["skp"]["predicate"] is None and exports.component_amount(row, "skp") == 0
    lines = _lines(exports.nominatif_xlsx(run))
    assert NO_PREDICATE in lines[unrated.nip]["Keterangan"]
    assert "(komponen SKP dihitung 0%)" in lines[unrated.nip]["Keterangan"]
    for nip, line in lines.items():
        if nip != unrated.nip:
            assert NO_PREDICATE not in (line["Keterangan"] or ""), nip
    assert _text(exports.nominatif_pdf(run)).count(NO_PREDICATE) == 1


def test_no_skp_remark_without_an_skp_component_or_for_a_payment_only_row():
    base = {"attendance": {"amount": 1}, "skp": {"predicate": None, "pct": 0, "amount": 0}}
    r = Result(net=0, payable=0, detail={**base, "pots": {"attendance": 1, "skp": 1}})
    assert exports.remark(r) == "Predikat SKP belum ada (komponen SKP dihitung 0%)"
    r.detail["pots"] = {"attendance": 1, "activity": 1}  # a policy without SKP
    assert exports.remark(r) == ""
    r.detail = {"payment_only": True}
    assert NO_PREDICATE not in exports.remark(r)
    rated = {**base, "skp": {"predicate": "baik", "pct": 100, "amount": 1}, "pots": {"skp": 1}}
    assert exports.remark(Result(net=0, payable=0, detail=rated)) == ""


# --------------------------------------------------------------------------------------------------
# 5. The footer's font


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="pdffonts (poppler-utils) tidak ada")
def test_the_page_footer_and_header_are_set_in_the_body_font(pemda, tmp_path):
    run = _lock(_compute(pemda))
    for name, content in (
        ("nominatif.pdf", exports.nominatif_pdf(run)),
        ("rekap.pdf", exports.recap_pdf(run)),
    ):
        path = tmp_path / name
        path.write_bytes(content)
        fonts = subprocess.run(
            ["pdffonts", str(path)], capture_output=True, text=True, check=True
        ).stdout
        assert "Serif" not in fonts, fonts
        assert "DejaVu-Sans" in fonts or "Liberation" in fonts, fonts
