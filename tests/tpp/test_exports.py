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
