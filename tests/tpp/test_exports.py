"""Payroll exports: the daftar nominatif (xlsx, pdf), the bank csv and the SP2D recap, read back and
checked to the rupiah against each other and the Run's totals."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from pypdf import PdfReader

from ekinerja.core.money import format_rupiah, terbilang
from ekinerja.tpp import exports, services
from ekinerja.tpp.models import Result

from .data import OCT, add_staff, full_attendance, make_pemda, monthly_minutes, rate, workdays

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked_run():
    p = make_pemda()
    add_staff(p, 3)
    add_staff(p, 2, unit=p.sub_a, kelas=8)
    everyone = [*p.people.values(), *p.extra]
    for i, e in enumerate(everyone):
        full_attendance(e, late={workdays()[i % 22]: 13 + 7 * i})
        monthly_minutes(p, e, 9 + i % 6)
        rate(e, ["baik", "sangat_baik", "butuh_perbaikan"][i % 3])
    services.withholding_create(
        actor=p.bkpsdm1, employee=p.extra[0], period=OCT, reason="SKP bulanan belum diunggah"
    )
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    run = services.run_verify(actor=p.bkpsdm1, run=run)
    run = services.run_lock(actor=p.bkpsdm2, run=run)
    return p, run


def _xlsx_totals(content: bytes) -> tuple[dict, dict]:
    """{sheet: {header: JUMLAH value}} for the unit sheets and the Rekap sheet's JUMLAH row."""
    wb = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    units = {}
    recap = {}
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        header_row = next(r for r in rows if r and r[0] == "No")
        total_row = next(r for r in rows if r and r[0] == "JUMLAH")
        table = {h: v for h, v in zip(header_row, total_row, strict=False) if h}
        if ws.title == "Rekap":
            recap = table
        else:
            units[ws.title] = table
    return units, recap


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_all_documents_agree_to_the_rupiah_with_the_run(locked_run):
    p, run = locked_run
    results = list(Result.objects.filter(run=run))
    assert run.total_payable == sum(r.payable for r in results)
    assert run.total_payable == run.total_net - run.total_withheld > 0

    units, recap = _xlsx_totals(exports.nominatif_xlsx(run))
    assert set(units) == {"Dinas Pendidikan", "Dinas Kesehatan"}
    assert sum(t["Dibayarkan"] for t in units.values()) == run.total_payable
    assert sum(t["TPP bersih"] for t in units.values()) == run.total_net
    assert sum(t["TPP kotor"] for t in units.values()) == run.total_gross
    assert sum(t["PPh 21"] for t in units.values()) == run.total_pph21
    assert sum(t["Iuran BPJS"] for t in units.values()) == run.total_health
    assert sum(t["Pagu TPP"] for t in units.values()) == run.total_ceiling
    assert recap["Dibayarkan"] == run.total_payable and recap["Ditahan"] == run.total_withheld
    assert recap["Pegawai"] == run.employees == len(results)
    for key, label in (("attendance", "Kehadiran"), ("activity", "Aktivitas"), ("skp", "SKP")):
        assert sum(t[label] for t in units.values()) == sum(
            exports.component_amount(r, key) for r in results
        )

    bank = list(csv.DictReader(io.StringIO(exports.bank_csv(run))))
    assert sum(Decimal(row["jumlah"]) for row in bank) == run.total_payable
    assert len(bank) == len([r for r in results if r.payable > 0]) == len(results) - 1
    assert {row["nip"] for row in bank} == {r.nip for r in results if r.payable > 0}

    sp2d_units, sp2d = _xlsx_totals(exports.recap_xlsx(run))
    assert not sp2d_units and sp2d["Dibayarkan"] == run.total_payable

    text = _pdf_text(exports.nominatif_pdf(run))
    # Every unit's JUMLAH row and the recap's: paid amounts in words and figures.
    paid = re.findall(r"Jumlah dibayarkan: (Rp[\d.]+)", text)
    assert len(paid) == 3
    assert format_rupiah(run.total_payable) == paid[-1]
    unit_paid = sum(int(x[2:].replace(".", "")) for x in paid[:-1])
    assert unit_paid == run.total_payable
    assert terbilang(run.total_payable) in text.replace("\n", " ")
    assert "Bendahara Pengeluaran" in text and "Mengetahui" in text
    for r in results:
        assert r.nip in text

    recap_text = _pdf_text(exports.recap_pdf(run))
    assert format_rupiah(run.total_payable) in recap_text
    assert format_rupiah(run.total_withheld) in recap_text


def test_unit_documents_cover_only_that_unit(locked_run):
    p, run = locked_run
    units, recap = _xlsx_totals(exports.nominatif_xlsx(run, p.opd_a))
    expected = sum(r.payable for r in Result.objects.filter(run=run, unit=p.opd_a))
    assert (
        list(units) == ["Dinas Pendidikan"] and units["Dinas Pendidikan"]["Dibayarkan"] == expected
    )
    assert recap["Dibayarkan"] == expected
    text = _pdf_text(exports.nominatif_pdf(run, p.opd_a))
    assert "Dinas Kesehatan".upper() not in text and format_rupiah(expected) in text
    # The head of the unit signs: the holder of its top position.
    assert p.people["kadis"].name in text and f"NIP {p.people['kadis'].nip}" in text
    bank = list(csv.DictReader(io.StringIO(exports.bank_csv(run, p.opd_a))))
    assert sum(Decimal(row["jumlah"]) for row in bank) == expected


def test_withheld_employee_is_listed_as_withheld_with_nothing_paid(locked_run):
    p, run = locked_run
    wb = openpyxl.load_workbook(io.BytesIO(exports.nominatif_xlsx(run, p.opd_b)), data_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "No")
    held = next(r for r in rows if r and r[1] == p.extra[0].nip)
    line = dict(zip(header, held, strict=False))
    assert line["Dibayarkan"] == 0 and line["TPP bersih"] > 0
    assert line["Keterangan"].startswith("Ditahan: SKP bulanan")


# --------------------------------------------------------------------------------------------------
# Read as BPKAD reads them: printed pages, long texts, negative amounts, prorated ceilings


def test_a_negative_amount_in_a_remark_never_breaks_after_its_minus_sign(locked_run, monkeypatch):
    """A correction recovered ("Koreksi -Rp1.234.567") wrapped in the Keterangan column used to end
    a line with "-" and start the next with "Rp1.234.567": a recovery read as a payment. Reasons of
    every length put the line's end at every place of the remark; the amount stays whole."""
    import copy
    from dataclasses import replace

    p, run = locked_run
    real = exports.payroll

    def payroll(run, unit=None, signed=False):
        data = real(run, unit, signed=signed)
        s = data.sections[0]
        rows = []
        for n in range(1, 25):
            r = copy.copy(s.rows[0])
            r.withheld, r.withheld_reason = True, " ".join(["SKP"] + ["x" * n] * 3)
            r.adjustment = Decimal(-1_234_567)
            rows.append(r)
        data.sections = [replace(s, rows=rows)]
        return data

    monkeypatch.setattr(exports, "payroll", payroll)
    text = _pdf_text(exports.nominatif_pdf(run, p.opd_b))
    assert text.count("Koreksi") == 24
    assert text.count("-Rp1.234.567") == 24, [ln for ln in text.splitlines() if ln.endswith("-")]
    assert not [ln for ln in text.splitlines() if ln.rstrip().endswith(" -")]


def test_the_workbooks_print_on_the_page_width_with_their_header_and_page_numbers(locked_run):
    """The Rekap sheets (of the list and the SP2D recap) were printed at 100%: 195 characters of
    columns over two A4 sheets, the amount paid and the treasurer's signature on the second, without
    a header. Every sheet is now landscape A4, one page wide, header row repeated, and numbered."""
    p, run = locked_run
    for content, header_row in (
        (exports.nominatif_xlsx(run), None),
        (exports.recap_xlsx(run), "$4:$4"),
    ):
        wb = openpyxl.load_workbook(io.BytesIO(content))
        for ws in wb.worksheets:
            setup = ws.page_setup
            assert setup.orientation == "landscape" and setup.paperSize == 9, ws.title
            assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
            assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0, ws.title
            expected = header_row or ("$4:$4" if ws.title == "Rekap" else "$5:$5")
            assert ws.print_title_rows == expected, ws.title
            assert ws.oddFooter.right.text == "Halaman &P dari &N", ws.title
            assert "TPP Oktober 2026" in ws.oddFooter.left.text, ws.title


def test_long_names_posts_banks_and_units_wrap_instead_of_being_cut_off(locked_run):
    p, run = locked_run
    long_unit = "Badan Perencanaan Pembangunan, Penelitian dan Pengembangan Daerah Kabupaten Uji"
    p.opd_b.name = long_unit
    p.opd_b.save()
    r = Result.objects.filter(run=run, unit=p.opd_b).order_by("-kelas").first()
    r.name = "Prof. Dr. Ir. Hj. Siti Nurhaliza Rahmawati Kusumaningrum Wijayakusuma, M.Sc., Ph.D."
    r.position_name = "Kepala Badan Perencanaan Pembangunan, Penelitian dan Pengembangan Daerah"
    r.bank_name = "Bank Pembangunan Daerah Kalimantan Selatan"
    r.save()
    wb = openpyxl.load_workbook(io.BytesIO(exports.nominatif_xlsx(run)))
    ws = next(ws for ws in wb.worksheets if ws.title.startswith("B Badan Perencanaan"))
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for value in (r.name, r.position_name, r.bank_name):
        assert cells[value].alignment.wrap_text, value
    recap = wb["Rekap"]
    unit = next(c for row in recap.iter_rows() for c in row if c.value == long_unit)
    assert unit.alignment.wrap_text
    sp2d = openpyxl.load_workbook(io.BytesIO(exports.recap_xlsx(run))).worksheets[0]
    unit = next(c for row in sp2d.iter_rows() for c in row if c.value == long_unit)
    assert unit.alignment.wrap_text


def test_a_prorated_or_zero_ceiling_says_why():
    """An employee on CLTN all month is listed with zeros from the ceiling to what is paid; one on
    CLTN for part of it with a ceiling below the kelas's. The Keterangan said nothing of either."""
    from .data import leave

    p = make_pemda()
    away, part = add_staff(p, 2)
    for e in (away, part):  # paid by transfer: the Keterangan says only why the ceiling is lower
        e.bank_name, e.bank_account = "Bank Kalsel", f"00{e.nip[-6:]}"
        e.save(update_fields=["bank_name", "bank_account"])
    for e in [*p.people.values(), *p.extra]:
        full_attendance(e)
        monthly_minutes(p, e, 12)
        rate(e, "baik")
    leave(away, "cltn", OCT.first_day, OCT.last_day)
    leave(part, "cltn", OCT.first_day, workdays()[9])  # 10 of the 22 working days
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    run = services.run_verify(actor=p.bkpsdm1, run=run)
    run = services.run_lock(actor=p.bkpsdm2, run=run)
    zero = Result.objects.get(run=run, employee=away)
    assert zero.ceiling == zero.payable == 0
    prorated = Result.objects.get(run=run, employee=part)
    full = Result.objects.get(run=run, employee=p.people["staf"])
    assert 0 < prorated.ceiling < full.ceiling

    wb = openpyxl.load_workbook(io.BytesIO(exports.nominatif_xlsx(run, p.opd_b)), data_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "No")
    lines = {r[1]: dict(zip(header, r, strict=False)) for r in rows if r and isinstance(r[0], int)}
    assert lines[away.nip]["Keterangan"] == "Pagu diprorata: menjabat 0 dari 22 hari kerja"
    assert lines[part.nip]["Keterangan"] == "Pagu diprorata: menjabat 12 dari 22 hari kerja"
    assert not lines[full.nip]["Keterangan"]
    text = re.sub(r"\s+", " ", _pdf_text(exports.nominatif_pdf(run, p.opd_b)))
    assert "Pagu diprorata: menjabat 0 dari 22 hari kerja" in text


def test_the_pdf_footer_writes_the_instansi_name_as_it_is(locked_run):
    p, run = locked_run
    p.inst.name = 'Pemerintah Kab. "Tanah" & Laut\'s </style>'
    p.inst.save(update_fields=["name"])
    run.refresh_from_db()
    for content in (exports.nominatif_pdf(run), exports.recap_pdf(run)):
        text = _pdf_text(content)
        assert 'Pemerintah Kab. "Tanah" & Laut\'s </style>' in text
        assert "&amp;" not in text and "&#x27;" not in text and "&quot;" not in text


def test_a_row_without_a_bank_shows_only_a_dash_in_its_account_cell(locked_run, monkeypatch):
    p, run = locked_run
    Result.objects.filter(run=run, employee=p.extra[1]).update(bank_name="", bank_account="")
    Result.objects.filter(run=run, employee=p.extra[2]).update(bank_name="Bank Kalsel")
    seen = {}
    monkeypatch.setattr(exports, "_pdf", lambda template, context: seen.setdefault("ctx", context))
    exports.nominatif_pdf(run)
    from django.template.loader import render_to_string

    page = render_to_string("tpp/pdf/nominatif.html", seen["ctx"])
    assert "<td>-</td>" in page  # no empty line above the dash
    assert "<td><br>" not in page
    assert "<td>Bank Kalsel<br>" in page
