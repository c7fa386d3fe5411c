"""Payroll documents, December fixes: who signs (the head of BKPSDM on the SP2D recap, the head and
the treasurer of each paying unit) read from the organisation on the document's date; Excel sheet
names; every row's Keterangan explaining a gross below the components' sum and a payment that is
not the net."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from ekinerja.core.money import format_rupiah
from ekinerja.org.models import Assignment, Position
from ekinerja.tpp import exports, services
from ekinerja.tpp.models import Result, Sentence
from tests.factories import AssignmentFactory, EmployeeFactory, PositionFactory, UnitFactory

from .data import OCT, add_staff, full_attendance, make_pemda, monthly_minutes, rate, workdays

pytestmark = pytest.mark.django_db

DOTS = "...................................."


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _sheet_rows(ws) -> list[tuple]:
    return [r for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]


def _head(p, unit, name, pos_name, kelas=14, **assignment):
    """An employee holding `unit`'s top position (definitif unless `kind` says otherwise)."""
    pos = Position.objects.filter(unit=unit, parent__isnull=True).first() or PositionFactory(
        instansi=p.inst, unit=unit, name=pos_name, kind="struktural", kelas=kelas
    )
    e = EmployeeFactory(instansi=p.inst, name=name, salary=Decimal(6_000_000))
    AssignmentFactory(position=pos, employee=e, **assignment)
    return e, pos


def _lock(p):
    everyone = [*p.people.values(), *p.extra]
    for e in everyone:
        full_attendance(e)
        monthly_minutes(p, e, 12)
        rate(e, "baik")
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    run = services.run_verify(actor=p.bkpsdm1, run=run)
    return services.run_lock(actor=p.bkpsdm2, run=run)


@pytest.fixture
def pemda():
    p = make_pemda()
    add_staff(p, 2)
    p.bkpsdm_unit = UnitFactory(
        instansi=p.inst,
        code="05.BKPSDM",
        name="Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
    )
    return p


# --------------------------------------------------------------------------------------------------
# 1. Signatories


def test_sp2d_recap_is_signed_by_the_head_of_bkpsdm(pemda):
    head, _pos = _head(
        pemda, pemda.bkpsdm_unit, "Dr. Kepala Kepegawaian", "Kepala Badan Kepegawaian"
    )
    run = _lock(pemda)

    text = _pdf_text(exports.recap_pdf(run))
    # The post's full name, as the heads of units sign (it read "Kepala BKPSDM").
    assert "Kepala Badan Kepegawaian" in text and "Plt. Kepala" not in text
    assert "Kepala BKPSDM" not in text
    assert head.name in text and f"NIP {head.nip}" in text

    ws = openpyxl.load_workbook(io.BytesIO(exports.recap_xlsx(run))).worksheets[0]
    cells = [v for row in _sheet_rows(ws) for v in row if v is not None]
    assert "Kepala Badan Kepegawaian" in cells and head.name in cells
    assert f"NIP {head.nip}" in cells
    # Signed on the day the list was locked (no place set: the date alone), not 31 October.
    assert exports.payroll(run).signed_line in cells
    assert "31 Oktober 2026" not in cells


def test_an_acting_head_of_bkpsdm_signs_as_plt_on_the_documents_date(pemda):
    # The definitif head left mid-October; from the 16th the head of Dinas B is Plt.
    gone, pos = _head(
        pemda,
        pemda.bkpsdm_unit,
        "Kepala Lama",
        "Kepala Badan Kepegawaian",
        end=dt.date(2026, 10, 15),
    )
    acting = pemda.people["kadis_b"]
    AssignmentFactory(
        position=pos, employee=acting, kind=Assignment.Kind.PLT, start=dt.date(2026, 10, 16)
    )
    run = _lock(pemda)
    text = _pdf_text(exports.recap_pdf(run))
    assert "Plt. Kepala Badan Kepegawaian" in text
    assert acting.name in text and f"NIP {acting.nip}" in text
    assert gone.name not in text


def test_nobody_heading_bkpsdm_leaves_the_dots(pemda):
    PositionFactory(
        instansi=pemda.inst, unit=pemda.bkpsdm_unit, name="Kepala Badan", kind="struktural"
    )
    run = _lock(pemda)
    text = " ".join(_pdf_text(exports.recap_pdf(run)).split())
    # Nobody in post: the unit's name after "Kepala", as for a unit's head.
    assert "Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia" in text
    assert f"NIP {DOTS}" in text


def test_bkpsdm_is_recognised_by_its_code_or_name(pemda):
    from ekinerja.tpp.selectors import UnitTree

    tree = UnitTree.load(pemda.inst)
    assert exports.bkpsdm_unit_id(tree) == pemda.bkpsdm_unit.id
    pemda.bkpsdm_unit.code, pemda.bkpsdm_unit.name = "4.02", "Badan Kepegawaian Daerah"
    pemda.bkpsdm_unit.save()
    assert exports.bkpsdm_unit_id(UnitTree.load(pemda.inst)) == pemda.bkpsdm_unit.id
    pemda.bkpsdm_unit.code, pemda.bkpsdm_unit.name = "4.02", "Dinas Sosial"
    pemda.bkpsdm_unit.save()
    assert exports.bkpsdm_unit_id(UnitTree.load(pemda.inst)) is None


def test_the_treasurer_of_the_paying_unit_signs_its_list(pemda):
    # A treasurer in a sub-unit of Dinas A; Dinas B has none (dots stay).
    pos = PositionFactory(
        instansi=pemda.inst,
        unit=pemda.sub_a,
        name="Bendahara Pengeluaran",
        kind="pelaksana",
        kelas=7,
        parent=pemda.pos["kadis"],
    )
    helper = PositionFactory(
        instansi=pemda.inst,
        unit=pemda.sub_a,
        name="Bendahara Pengeluaran Pembantu",
        kind="pelaksana",
        kelas=8,
        parent=pemda.pos["kadis"],
    )
    treasurer = EmployeeFactory(instansi=pemda.inst, name="Bendahara Satu", salary=4_000_000)
    AssignmentFactory(position=pos, employee=treasurer)
    helper_holder = EmployeeFactory(instansi=pemda.inst, name="Pembantu Dua")
    AssignmentFactory(position=helper, employee=helper_holder)
    run = _lock(pemda)

    data = exports.payroll(run, signed=True)
    signed = {s.unit.code: s for s in data.sections}
    assert signed["A"].treasurer == exports.Signatory(
        "Bendahara Pengeluaran", treasurer.name, treasurer.nip
    )
    assert signed["B"].treasurer == exports.Signatory("Bendahara Pengeluaran")

    # The signature blocks follow each section's "Jumlah dibayarkan" line.
    text = _pdf_text(exports.nominatif_pdf(run))
    start_a, start_b = text.index("DINAS PENDIDIKAN"), text.index("DINAS KESEHATAN")
    assert start_a < start_b  # sections in unit code order
    blocks = {
        "A": text[text.index("Jumlah dibayarkan", start_a) : start_b],
        "B": text[text.index("Jumlah dibayarkan", start_b) : text.index("REKAPITULASI")],
    }
    assert treasurer.name in blocks["A"] and f"NIP {treasurer.nip}" in blocks["A"]
    assert helper_holder.name not in blocks["A"]
    assert f"NIP {pemda.people['kadis'].nip}" in blocks["A"]
    assert treasurer.name not in blocks["B"] and f"NIP {DOTS}" in blocks["B"]

    wb = openpyxl.load_workbook(io.BytesIO(exports.nominatif_xlsx(run)))
    rows = _sheet_rows(wb["Dinas Pendidikan"])
    jumlah = next(i for i, r in enumerate(rows) if r[0] == "JUMLAH")
    cells = [v for row in rows[jumlah + 1 :] for v in row if v is not None]
    assert "Bendahara Pengeluaran" in cells and treasurer.name in cells
    assert f"NIP {treasurer.nip}" in cells
    # The head signs by the post's name in the xlsx too (it said only "Kepala").
    assert "Kepala Dinas" in cells and pemda.people["kadis"].name in cells

    # One unit's SP2D recap: that unit's treasurer.
    assert f"NIP {treasurer.nip}" in _pdf_text(exports.recap_pdf(run, pemda.opd_a))


def test_signatories_take_a_fixed_number_of_queries(pemda):
    _head(pemda, pemda.bkpsdm_unit, "Kepala BKPSDM Satu", "Kepala Badan Kepegawaian")
    for n in range(5):  # five more paying units, each with a head and a treasurer
        unit = UnitFactory(instansi=pemda.inst, code=f"X{n}", name=f"Dinas Uji {n}")
        _head(pemda, unit, f"Kepala Uji {n}", f"Kepala Dinas Uji {n}")
        pos = PositionFactory(instansi=pemda.inst, unit=unit, name="Bendahara Pengeluaran")
        AssignmentFactory(position=pos, employee=EmployeeFactory(instansi=pemda.inst))
    run = _lock(pemda)
    with CaptureQueriesContext(connection) as one:
        data = exports.payroll(run, pemda.opd_a, signed=True)
    assert len(data.sections) == 1
    with CaptureQueriesContext(connection) as every:
        data = exports.payroll(run, signed=True)
    assert len(data.sections) == 8
    assert len(one.captured_queries) <= len(every.captured_queries) <= 6
    assert all(s.signer.name and s.treasurer.name for s in data.sections if s.unit.code[0] == "X")
    assert data.bkpsdm.name == "Kepala BKPSDM Satu"


# --------------------------------------------------------------------------------------------------
# 2. Sheet names


def test_sheet_names_are_short_unique_and_without_trailing_space():
    used = {"rekap"}
    long = "Badan Pengelolaan Keuangan dan Aset Daerah"
    names = [
        exports._sheet_name(long, used, "4.01"),
        exports._sheet_name(long, used, "4.01"),
        exports._sheet_name("Dinas Pendidikan", used, "1.01"),
        exports._sheet_name("Dinas: Pekerjaan [Umum]/Penataan*Ruang?", used, "1.03"),
        exports._sheet_name("Rekap", used, "9"),
        exports._sheet_name(long, used, "KODE-YANG-SANGAT-PANJANG-SEKALI-2"),
    ]
    assert names[0] == "4.01 Badan Pengelolaan Keuanga…"
    assert names[2] == "Dinas Pendidikan"
    for name in names:
        assert 0 < len(name) <= 31, name
        assert name == name.strip() and not any(ch in name for ch in "[]:*?/\\"), name
    assert len({n.lower() for n in names}) == len(names)
    assert "Rekap" not in names


def test_workbook_sheets_of_long_unit_names(pemda):
    pemda.opd_b.code, pemda.opd_b.name = "4.01", "Badan Pengelolaan Keuangan dan Aset Daerah"
    pemda.opd_b.save()
    run = _lock(pemda)
    wb = openpyxl.load_workbook(io.BytesIO(exports.nominatif_xlsx(run)))
    titles = wb.sheetnames
    assert "4.01 Badan Pengelolaan Keuanga…" in titles and titles[-1] == "Rekap"
    for t in titles:
        assert len(t) <= 31 and t == t.strip()
    ws = wb["4.01 Badan Pengelolaan Keuanga…"]
    assert "4.01 Badan Pengelolaan Keuangan dan Aset Daerah" in ws["A2"].value


# --------------------------------------------------------------------------------------------------
# 3. Keterangan


def _result(**detail) -> Result:
    base = {"attendance": {"amount": 1_000_000}, "activity": {"amount": 1_392_858}}
    base["skp"] = {"amount": 1_000_000}
    return Result(
        gross=Decimal(2_544_644),
        net=Decimal(2_500_000),
        payable=Decimal(2_500_000),
        bank_name="Bank Kalsel",
        bank_account="0012345678",
        detail={**base, **detail},
    )


def test_remark_states_the_floor_factor_with_the_components_sum():
    r = _result(floor_pct=75, presence_rate=68.18, sentence_pct=0, subtotal=3_392_858)
    note = exports.remark(r)
    assert "Faktor kehadiran minimum 75%" in note and "68,18%" in note
    assert "Rp3.392.858 × 75% = TPP kotor Rp2.544.644" in note
    assert exports.remark(_result(floor_pct=100, sentence_pct=0, subtotal=2_544_644)) == ""
    nothing = _result(floor_pct=0, presence_rate=20, sentence_pct=0, subtotal=3_392_858)
    nothing.gross = nothing.net = nothing.payable = Decimal(0)
    assert "Rp3.392.858 × 0% = TPP kotor Rp0" in exports.remark(nothing)


def test_remark_states_the_sentence_cut_and_the_payments():
    r = _result(floor_pct=50, presence_rate=40, sentence_pct=25, sentence_level="ringan")
    r.gross = Decimal(318_000)
    r.detail["subtotal"] = 848_000
    r.released, r.adjustment = Decimal(150_000), Decimal(-20_000)
    note = exports.remark(r)
    assert "hukuman disiplin ringan dipotong 25%" in note
    assert "Rp848.000 × 50% × (100% − 25%) = TPP kotor Rp318.000" in note
    assert "Pelepasan penahanan Rp150.000" in note and "Koreksi -Rp20.000" in note


def test_list_rows_explain_floor_and_sentence(pemda):
    p = pemda
    everyone = [*p.people.values(), *p.extra]
    low, sentenced = p.extra
    days = workdays()
    for e in everyone:
        if e is low:
            full_attendance(e, days=days[:8])  # 8 of 22 days: floor 50%
        else:
            full_attendance(e)
        monthly_minutes(p, e, 12)
        rate(e, "baik")
    Sentence.objects.create(
        instansi=p.inst,
        employee=sentenced,
        level="ringan",
        start=dt.date(2026, 9, 1),
        end=dt.date(2027, 8, 31),
    )
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    run = services.run_verify(actor=p.bkpsdm1, run=run)
    run = services.run_lock(actor=p.bkpsdm2, run=run)
    low_r = Result.objects.get(run=run, employee=low)
    sent_r = Result.objects.get(run=run, employee=sentenced)
    assert low_r.detail["floor_pct"] == 50 and sent_r.detail["sentence_pct"] == 25
    keys = exports.component_keys(run)
    for r in (low_r, sent_r):
        assert sum(exports.component_amount(r, k) for k in keys) > r.gross

    wb = openpyxl.load_workbook(io.BytesIO(exports.nominatif_xlsx(run)), data_only=True)
    rows = _sheet_rows(wb["Dinas Kesehatan"])
    header = next(r for r in rows if r[0] == "No")
    lines = {r[1]: dict(zip(header, r, strict=False)) for r in rows if isinstance(r[0], int)}
    low_line, sent_line = lines[low.nip], lines[sentenced.nip]
    subtotal = format_rupiah(sum(exports.component_amount(low_r, k) for k in keys))
    assert "Faktor kehadiran minimum 50%" in low_line["Keterangan"]
    assert f"{subtotal} × 50% = TPP kotor {format_rupiah(low_r.gross)}" in low_line["Keterangan"]
    assert "hukuman disiplin ringan dipotong 25%" in sent_line["Keterangan"].lower()
    # Nothing else moved: the same columns, the same totals.
    assert header[-1] == "Keterangan" and header[-3:-1] == ("Bank", "No. rekening")
    total = next(r for r in rows if r[0] == "JUMLAH")
    assert dict(zip(header, total, strict=False))["TPP kotor"] == sum(
        r.gross for r in Result.objects.filter(run=run, unit=p.opd_b)
    )

    text = re.sub(r"\s+", " ", _pdf_text(exports.nominatif_pdf(run, p.opd_b)))
    assert "Keterangan" in text
    assert "Faktor kehadiran minimum 50%" in text
    assert f"TPP kotor {format_rupiah(low_r.gross)}" in text
    assert "dipotong 25%" in text


def test_the_list_pdf_fits_the_page(pemda):
    """A big unit's figures (nine-digit totals) and a remark: every account number and the remark
    are still on the page (text beyond the page's edge is cut off, pdftotext does not see it)."""
    run = _lock(pemda)
    big = Decimal(123_456_789)
    for r in Result.objects.filter(run=run, unit=pemda.opd_b):
        for k in ("attendance", "activity", "skp"):
            r.detail[k]["amount"] = int(big)
        r.detail.update(floor_pct=50, presence_rate=36.36, subtotal=int(big * 3))
        r.ceiling = r.gross = r.net = r.payable = big * 3
        r.pph21 = r.health_insurance = big / 10
        r.bank_name, r.bank_account = "Bank Syariah Indonesia", "7326329318345467"
        r.save()
    content = exports.nominatif_pdf(run, pemda.opd_b)
    try:
        out = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
        ).stdout.decode()
    except FileNotFoundError:
        # pypdf reads text beyond the page's edge too, so it cannot check this: poppler-utils is
        # installed by `make test` (scripts/ensure-pdf-libs); CI must have it.
        if os.environ.get("EKINERJA_REQUIRE_BROWSER") == "1":
            raise
        pytest.skip(
            "pdftotext (poppler-utils) tidak ada: pasang dengan apt-get install poppler-utils"
        )
    assert out.count("7326329318345467") == Result.objects.filter(run=run, unit=pemda.opd_b).count()
    assert "Keterangan" in out and out.count("Faktor kehadiran") == out.count("7326329318345467")
