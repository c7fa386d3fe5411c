"""Audit of the payroll documents as BPKAD reads them (S12, H5): the amount in words at its edges,
and a locked month with two paying units, a withheld employee, a correction of a previous month
and an employee paid nothing, whose every document (the daftar nominatif xlsx and pdf, the bank
csv, the SP2D recap xlsx and pdf) adds up, row by row and unit by unit, to the run page's totals to
the rupiah."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader

from ekinerja.core.money import format_rupiah, terbilang
from ekinerja.core.periods import Period
from ekinerja.tpp import exports, services
from ekinerja.tpp.models import Result

from .data import OCT, add_staff, full_attendance, make_pemda, monthly_minutes, rate, workdays

NOV = Period(2026, 11)


# --------------------------------------------------------------------------------------------------
# 1. Terbilang at its edges


@pytest.mark.parametrize(
    "amount, words",
    [
        (0, "nol rupiah"),
        (1, "satu rupiah"),
        (10, "sepuluh rupiah"),
        (11, "sebelas rupiah"),
        (19, "sembilan belas rupiah"),
        (100, "seratus rupiah"),
        (101, "seratus satu rupiah"),
        (111, "seratus sebelas rupiah"),
        (1_000, "seribu rupiah"),
        (1_001, "seribu satu rupiah"),
        (1_100_000, "satu juta seratus ribu rupiah"),
        (10_000_000, "sepuluh juta rupiah"),
        (1_000_000_000, "satu miliar rupiah"),
        (
            999_999_999_999,
            "sembilan ratus sembilan puluh sembilan miliar sembilan ratus sembilan puluh sembilan "
            "juta sembilan ratus sembilan puluh sembilan ribu sembilan ratus sembilan puluh "
            "sembilan rupiah",
        ),
        (1_000_000_000_000, "satu triliun rupiah"),
        (11_000, "sebelas ribu rupiah"),
        (100_000, "seratus ribu rupiah"),
        (111_111, "seratus sebelas ribu seratus sebelas rupiah"),
        (1_000_001, "satu juta satu rupiah"),
        (
            Decimal("1234567.50"),
            "satu juta dua ratus tiga puluh empat ribu lima ratus enam puluh delapan rupiah",
        ),
    ],
)
def test_terbilang_at_its_edges(amount, words):
    assert terbilang(amount) == words
    assert terbilang(Decimal(amount)) == words
    assert "  " not in words and words.endswith(" rupiah") and words == words.lower()


# --------------------------------------------------------------------------------------------------
# 2. A locked month whose documents add up


@pytest.fixture
def november(db):
    """October locked; November with a correction of October (+Rp150.000 to Staf Satu), a
    withholding, an employee with no attendance nor activity (net Rp0), in two paying units."""
    p = make_pemda()
    add_staff(p, 3)  # Dinas Kesehatan
    add_staff(p, 1, unit=p.sub_a, kelas=8)  # Dinas Pendidikan, through its school
    everyone = [*p.people.values(), *p.extra]
    for i, e in enumerate(everyone):
        full_attendance(e)
        monthly_minutes(p, e, 9 + i % 6)
        rate(e, "baik")
    oct_run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    oct_run = services.run_verify(actor=p.bkpsdm1, run=oct_run)
    services.run_lock(actor=p.bkpsdm2, run=oct_run)

    idle = p.extra[1]  # no punch, no entry in November
    for i, e in enumerate(everyone):
        if e != idle:
            full_attendance(e, days=workdays(NOV), late={workdays(NOV)[i]: 11 + 5 * i})
            monthly_minutes(p, e, 8 + i % 5, days=workdays(NOV))
        _rate_again(e, ["baik", "sangat_baik", "butuh_perbaikan"][i % 3], NOV)
    services.adjustment_record(
        actor=p.bkpsdm1,
        employee=p.people["staf"],
        source_period=OCT,
        amount=Decimal(150_000),
        reason="Kurang bayar Oktober",
    )
    services.withholding_create(
        actor=p.bkpsdm1, employee=p.extra[0], period=NOV, reason="LHKPN belum dilaporkan"
    )
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=NOV)
    run = services.run_verify(actor=p.bkpsdm1, run=run)
    run = services.run_lock(actor=p.bkpsdm2, run=run)
    return p, run


def _rate_again(employee, predicate: str, period: Period) -> None:
    """A second month's rating on the year's plan (`data.rate` makes the plan)."""
    from ekinerja.performance.models import SkpEvaluation, SkpPlan

    SkpEvaluation.objects.create(
        instansi_id=employee.instansi_id,
        employee=employee,
        plan=SkpPlan.objects.get(employee=employee, year=period.year),
        period_start=period.first_day,
        period_end=period.last_day,
        results_rating="as_expected",
        behaviour_rating="as_expected",
        predicate=predicate,
    )


def _money(text: str) -> int:
    return int(text.replace("Rp", "").replace(".", ""))


def _sheets(content: bytes) -> dict[str, tuple[list[dict], dict, list[str]]]:
    """{sheet: (rows by header, the JUMLAH row by header, every text cell)}."""
    wb = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    out = {}
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        at = next(i for i, r in enumerate(rows) if r and r[0] == "No")
        header = rows[at]
        body, total = [], {}
        for r in rows[at + 1 :]:
            if r[0] == "JUMLAH":
                total = {h: v for h, v in zip(header, r, strict=False) if h}
                break
            body.append({h: v for h, v in zip(header, r, strict=False) if h})
        texts = [v for r in rows for v in r if isinstance(v, str)]
        out[ws.title] = (body, total, texts)
    return out


def _pdf_text(content: bytes, tmp_path) -> str:
    """The pdf's text, by pdftotext -layout when installed (as a reader sees the page), else pypdf."""
    if shutil.which("pdftotext"):
        path = tmp_path / "doc.pdf"
        path.write_bytes(content)
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_month_holds_what_the_audit_needs(november):
    p, run = november
    rows = {r.employee_id: r for r in Result.objects.filter(run=run)}
    assert len({r.unit_id for r in rows.values()}) == 2
    assert rows[p.extra[0].pk].withheld and rows[p.extra[0].pk].payable == 0
    assert rows[p.extra[0].pk].net > 0
    assert rows[p.people["staf"].pk].adjustment == 150_000
    assert rows[p.extra[1].pk].net == 0 and rows[p.extra[1].pk].payable == 0
    assert run.total_payable == run.total_net - run.total_withheld + 150_000


def test_every_document_adds_up_to_the_run_page_to_the_rupiah(client, november, tmp_path):
    p, run = november
    results = list(Result.objects.filter(run=run))
    by_unit: dict[str, list[Result]] = {}
    for r in results:
        by_unit.setdefault(r.unit.name, []).append(r)

    # The screen: the run page's totals and its per-unit recap.
    client.force_login(p.bpkad)
    page = client.get(reverse("tpp:run", args=[run.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-testid="total-payable">{format_rupiah(run.total_payable)}<' in html
    assert f'data-testid="total-net">{format_rupiah(run.total_net)}<' in html
    assert terbilang(run.total_payable) in html
    screen = {u["unit__name"]: u for u in page.context["unit_rows"]}
    assert set(screen) == set(by_unit) == {"Dinas Pendidikan", "Dinas Kesehatan"}
    for name, rows in by_unit.items():
        assert screen[name]["payable"] == sum(r.payable for r in rows)
        assert screen[name]["net"] == sum(r.net for r in rows)
    assert sum(u["payable"] for u in screen.values()) == run.total_payable

    # The daftar nominatif xlsx: each unit's rows add up to its JUMLAH, the units to the recap
    # sheet and the run.
    sheets = _sheets(exports.nominatif_xlsx(run))
    recap_rows, recap_total, _ = sheets.pop("Rekap")
    assert set(sheets) == set(by_unit)
    for name, (rows, total, texts) in sheets.items():
        assert len(rows) == len(by_unit[name])
        for col in ("Pagu TPP", "TPP kotor", "PPh 21", "Iuran BPJS", "TPP bersih", "Dibayarkan"):
            assert sum(r[col] for r in rows) == total[col], (name, col)
        assert total["Dibayarkan"] == screen[name]["payable"]
        assert f"Terbilang: {terbilang(total['Dibayarkan'])}" in texts
        recap = next(r for r in recap_rows if r["Unit kerja"] == name)
        assert recap["Dibayarkan"] == total["Dibayarkan"] and recap["Pegawai"] == len(rows)
    for col, field in (
        ("TPP kotor", "total_gross"),
        ("PPh 21", "total_pph21"),
        ("Iuran BPJS", "total_health"),
        ("TPP bersih", "total_net"),
        ("Ditahan", "total_withheld"),
        ("Koreksi", "total_adjustment"),
        ("Dibayarkan", "total_payable"),
    ):
        assert sum(r[col] for r in recap_rows) == recap_total[col] == getattr(run, field), col
    idle = next(r for rows, _t, _x in sheets.values() for r in rows if r["NIP"] == p.extra[1].nip)
    assert idle["TPP bersih"] == idle["Dibayarkan"] == 0
    staf = next(
        r for rows, _t, _x in sheets.values() for r in rows if r["NIP"] == p.people["staf"].nip
    )
    assert "Koreksi TPP Oktober 2026 Rp150.000" in staf["Keterangan"]

    # The bank csv: only what is paid, its sum the run's and each unit's.
    bank = list(csv.DictReader(io.StringIO(exports.bank_csv(run))))
    assert sum(int(b["jumlah"]) for b in bank) == run.total_payable
    assert {b["nip"] for b in bank} == {r.nip for r in results if r.payable > 0}
    assert p.extra[0].nip not in {b["nip"] for b in bank}  # withheld
    assert p.extra[1].nip not in {b["nip"] for b in bank}  # nothing to pay
    for unit in (p.opd_a, p.opd_b):
        lines = list(csv.DictReader(io.StringIO(exports.bank_csv(run, unit))))
        assert sum(int(b["jumlah"]) for b in lines) == screen[unit.name]["payable"]

    # The SP2D recap xlsx: one row per unit, the same figures.
    sp2d = _sheets(exports.recap_xlsx(run))
    assert list(sp2d) == ["Rekap"]
    sp2d_rows, sp2d_total, sp2d_texts = sp2d["Rekap"]
    assert sp2d_rows == recap_rows and sp2d_total == recap_total
    assert f"Terbilang: {terbilang(run.total_payable)}" in sp2d_texts

    # The pdfs: each unit's "Jumlah dibayarkan" the sum of its rows, the recap's the run's.
    text = _pdf_text(exports.nominatif_pdf(run), tmp_path)
    flat = " ".join(text.split())
    paid = [_money(x) for x in re.findall(r"Jumlah dibayarkan: (Rp[\d.]+)", flat)]
    unit_paid = {name: sum(r.payable for r in rows) for name, rows in by_unit.items()}
    assert sorted(paid[:-1]) == sorted(unit_paid.values())  # one per unit, then the recap's
    assert paid[-1] == run.total_payable == sum(paid[:-1])
    assert f"({terbilang(run.total_payable)})" in flat
    recap_flat = " ".join(_pdf_text(exports.recap_pdf(run), tmp_path).split())
    assert f"Jumlah dibayarkan: {format_rupiah(run.total_payable)}" in recap_flat
    for amount in unit_paid.values():
        assert format_rupiah(amount) in recap_flat


def test_the_pdf_prints_the_account_number_as_the_bank_file_and_the_xlsx_do(november, tmp_path):
    """A month computed before accounts were normalised holds "0012-34-5678": the bank csv and the
    xlsx wrote 0012345678 and the signed pdf 0012-34-5678, so BPKAD matched two spellings of one
    account (and the pdf's column, sized for the digits, was too narrow for the dashes)."""
    p, run = november
    staf = p.people["staf"]
    Result.objects.filter(run=run, employee=staf).update(bank_account=" 0012-34-5678 ")
    bank = {b["nip"]: b for b in csv.DictReader(io.StringIO(exports.bank_csv(run, p.opd_b)))}
    assert bank[staf.nip]["no_rekening"] == "0012345678"
    rows, _total, _texts = _sheets(exports.nominatif_xlsx(run, p.opd_b))["Dinas Kesehatan"]
    assert next(r for r in rows if r["NIP"] == staf.nip)["No. rekening"] == "0012345678"
    text = _pdf_text(exports.nominatif_pdf(run, p.opd_b), tmp_path)
    assert "0012345678" in text and "0012-34-5678" not in text
