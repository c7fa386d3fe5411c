"""Payroll documents of a run whose policy has several allowances (Kota Madiun: TPP and UKK, paid by
BPKAD from separate budget lines): each allowance's ceiling and gross per row, with their totals, in
the nominatif (xlsx columns; the pdf's "Rincian per tunjangan" table) and the recaps, equal to the
calculator's and adding up to the combined figures to the rupiah. A single allowance gives the
documents as before."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from ekinerja.core.money import format_rupiah, round_rupiah
from ekinerja.tpp import exports, selectors, services
from ekinerja.tpp.calculator import calculate
from ekinerja.tpp.models import Result
from ekinerja.tpp.policy import madiun_template
from tests.factories import UnitFactory

from . import builders
from .data import OCT, add_staff, full_attendance, make_pemda, monthly_minutes, rate, workdays

pytestmark = pytest.mark.django_db

TPP, UKK = "Tambahan Penghasilan Pegawai", "Uang Kinerja"  # the Madiun template's names
SPLIT = [
    f"Pagu {TPP}",
    f"Pagu {UKK}",
    "Jumlah pagu",
    f"Kotor {TPP}",
    f"Kotor {UKK}",
    "Jumlah kotor",
]
RP = r"-?Rp[\d.]+"


def _lock(p):
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    run = services.run_verify(actor=p.bkpsdm1, run=run)
    return services.run_lock(actor=p.bkpsdm2, run=run)


def _staff(p) -> None:
    add_staff(p, 3)
    add_staff(p, 2, unit=p.sub_a, kelas=8)
    for i, e in enumerate([*p.people.values(), *p.extra]):
        full_attendance(e, late={workdays()[i % 22]: 13 + 7 * i})
        monthly_minutes(p, e, 9 + i % 6)
        rate(e, ["baik", "sangat_baik", "butuh_perbaikan"][i % 3])


@pytest.fixture
def madiun_run():
    p = make_pemda(madiun_template)
    _staff(p)
    services.withholding_create(
        actor=p.bkpsdm1, employee=p.extra[0], period=OCT, reason="SKP bulanan belum diunggah"
    )
    return p, _lock(p)


def _sheets(content: bytes) -> dict[str, tuple[list, list[dict], dict]]:
    """{sheet: (header, rows as {header: value}, JUMLAH row as {header: value})}."""
    wb = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    out = {}
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        header = next(r for r in rows if r and r[0] == "No")
        lines = [dict(zip(header, r, strict=False)) for r in rows if r and isinstance(r[0], int)]
        total = dict(zip(header, next(r for r in rows if r and r[0] == "JUMLAH"), strict=False))
        out[ws.title] = (list(header), lines, total)
    return out


def _pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def _rp(text: str) -> int:
    return int(text.replace("Rp", "").replace(".", ""))


def _split_lines(text: str) -> tuple[dict[str, list[int]], list[list[int]]]:
    """The pdf's "Rincian per tunjangan" rows ({NIP: six figures}) and JUMLAH rows (six figures:
    those after a list's own JUMLAH row with its nine or more)."""
    rows = {
        m[1]: [_rp(x) for x in m[2].split()]
        for m in re.finditer(rf"^\d+ (\d{{18}}) .*?((?: {RP}){{6}})$", text, re.M)
    }
    totals = [
        [_rp(x) for x in m[1].split()]
        for m in re.finditer(rf"^JUMLAH(?: \(\d+ pegawai\))?((?: {RP}){{6}})$", text, re.M)
    ]
    return rows, totals


def test_each_allowances_ceiling_and_gross_are_the_calculators_and_add_up(madiun_run):
    p, run = madiun_run
    g = selectors.gather(p.inst, OCT)
    calc = {m.nip: calculate(g.policy, m) for m in g.months.values()}
    results = {r.nip: r for r in Result.objects.filter(run=run)}
    assert set(calc) == set(results) and len(calc) == 9

    sheets = _sheets(exports.nominatif_xlsx(run))
    units = {k: v for k, v in sheets.items() if k != "Rekap"}
    for header, _lines, _total in units.values():
        assert header[6:15] == [
            SPLIT[0],
            SPLIT[1],
            "Jumlah pagu",
            "Kehadiran",
            "Aktivitas",
            "SKP",
            SPLIT[3],
            SPLIT[4],
            "Jumlah kotor",
        ]
        assert header[15:18] == ["PPh 21", "Iuran BPJS", "TPP bersih"]
        assert "Pagu TPP" not in header and "TPP kotor" not in header
    seen = 0
    for _header, lines, total in units.values():
        for line in lines:
            res = calc[line["NIP"]]
            tpp, ukk = res.allowances
            assert (tpp.key, ukk.key) == ("tpp", "ukk")
            assert line[f"Pagu {TPP}"] == tpp.ceiling and line[f"Pagu {UKK}"] == ukk.ceiling
            assert line[f"Kotor {TPP}"] == tpp.gross and line[f"Kotor {UKK}"] == ukk.gross
            # The calculator's gross is the allowances' grosses summed (each rounded on its own);
            # its ceiling the allowances' displayed ceilings summed: the parts add up exactly.
            assert line["Jumlah kotor"] == res.gross == tpp.gross + ukk.gross
            assert line["Jumlah pagu"] == res.ceiling == tpp.ceiling + ukk.ceiling
            assert line["PPh 21"] == res.pph21 and line["TPP bersih"] == res.net
            seen += 1
        for label in SPLIT:
            assert total[label] == sum(line[label] for line in lines), label
    assert seen == 9

    # The pdf's Rincian per tunjangan: the same six figures per row as the xlsx.
    rows, _totals = _split_lines("\n".join(_pages(exports.nominatif_pdf(run))))
    assert set(rows) == set(calc)
    for nip, figures in rows.items():
        tpp, ukk = calc[nip].allowances
        assert figures == [
            tpp.ceiling,
            ukk.ceiling,
            calc[nip].ceiling,
            tpp.gross,
            ukk.gross,
            calc[nip].gross,
        ]
        assert figures[2] == results[nip].ceiling and figures[5] == results[nip].gross


def test_the_per_allowance_totals_agree_across_xlsx_pdf_and_recap(madiun_run):
    p, run = madiun_run
    results = list(Result.objects.filter(run=run))
    detail = [r.detail["allowances"] for r in results]
    expected = [
        sum(d["tpp"]["ceiling"] for d in detail),
        sum(d["ukk"]["ceiling"] for d in detail),
        run.total_ceiling,
        sum(d["tpp"]["gross"] for d in detail),
        sum(d["ukk"]["gross"] for d in detail),
        run.total_gross,
    ]
    assert expected[0] + expected[1] == expected[2] and expected[3] + expected[4] == expected[5]

    sheets = _sheets(exports.nominatif_xlsx(run))
    units = [v for k, v in sheets.items() if k != "Rekap"]
    assert [sum(t[label] for _h, _l, t in units) for label in SPLIT] == expected
    header, recap_lines, recap = sheets["Rekap"]
    assert header[:9] == ["No", "Unit kerja", "Pegawai", *SPLIT]
    assert header[9:] == exports.RECAP_HEADERS[4:]
    assert [recap[label] for label in SPLIT] == expected
    # Each unit's recap row is that unit's sheet's JUMLAH row.
    by_unit = {k: t for k, (_h, _l, t) in sheets.items() if k != "Rekap"}
    for line in recap_lines:
        assert [line[label] for label in SPLIT] == [by_unit[line["Unit kerja"]][x] for x in SPLIT]
    assert recap["Dibayarkan"] == run.total_payable and recap["Ditahan"] == run.total_withheld

    _h, _l, sp2d = _sheets(exports.recap_xlsx(run))["Rekap"]
    assert [sp2d[label] for label in SPLIT] == expected
    assert sp2d["Dibayarkan"] == run.total_payable

    # The nominatif pdf: a Rincian total per unit, then the recap page's; the SP2D recap pdf's.
    text = "\n".join(_pages(exports.nominatif_pdf(run)))
    _rows, totals = _split_lines(text)
    assert len(totals) == 3
    assert [sum(col) for col in zip(*totals[:2], strict=True)] == expected == totals[2]
    assert [list(t) for t in totals[:2]] == [
        [int(by_unit[unit][label]) for label in SPLIT]
        for unit in ("Dinas Pendidikan", "Dinas Kesehatan")
    ]
    # The lists keep their combined columns, headed as the sums they are.
    assert "Jumlah pagu Kehadiran Aktivitas SKP Jumlah" in text
    assert text.count("Rincian per tunjangan") == 3
    sp2d_text = "\n".join(_pages(exports.recap_pdf(run)))
    assert _split_lines(sp2d_text)[1] == [expected]
    assert "Rincian per tunjangan" in sp2d_text and format_rupiah(run.total_payable) in sp2d_text


def test_one_units_documents_split_that_unit_only(madiun_run):
    p, run = madiun_run
    mine = list(Result.objects.filter(run=run, unit=p.opd_b))
    gross_ukk = sum(r.detail["allowances"]["ukk"]["gross"] for r in mine)
    sheets = _sheets(exports.nominatif_xlsx(run, p.opd_b))
    assert list(sheets) == ["Dinas Kesehatan", "Rekap"]
    assert sheets["Dinas Kesehatan"][2][f"Kotor {UKK}"] == gross_ukk
    assert sheets["Rekap"][2][f"Kotor {UKK}"] == gross_ukk
    _rows, totals = _split_lines("\n".join(_pages(exports.recap_pdf(run, p.opd_b))))
    assert totals == [[sheets["Rekap"][2][label] for label in SPLIT]]


def _one_allowance(effective_from="2026-01-01") -> dict:
    data = madiun_template(effective_from)
    data["allowances"] = data["allowances"][:1]
    return data


@pytest.mark.parametrize("template", [None, _one_allowance], ids=["hss", "allowances-form"])
def test_a_single_allowance_gives_the_documents_as_before(template):
    """The normal case, and a policy written in the `allowances` form with one allowance: the
    combined columns only, under their old headers, and no Rincian per tunjangan."""
    p = make_pemda(template) if template else make_pemda()
    _staff(p)
    run = _lock(p)
    assert exports.allowance_list(run) == []
    labels = [exports.COLUMN_LABELS[k] for k in exports.component_keys(run)]
    sheets = _sheets(exports.nominatif_xlsx(run))
    assert len(sheets) == 3
    for title, (header, _lines, _total) in sheets.items():
        if title == "Rekap":
            assert header == exports.RECAP_HEADERS
            continue
        assert header == [
            "No", "NIP", "Nama", "Gol.", "Kelas", "Jabatan", "Pagu TPP", *labels,
            "TPP kotor", "PPh 21", "Iuran BPJS", "TPP bersih", "Dibayarkan", "Bank",
            "No. rekening", "Keterangan",
        ]  # fmt: skip
    assert _sheets(exports.recap_xlsx(run))["Rekap"][0] == exports.RECAP_HEADERS
    for content in (exports.nominatif_pdf(run), exports.recap_pdf(run)):
        text = "\n".join(_pages(content))
        assert "Rincian per tunjangan" not in text and "Jumlah pagu" not in text
        assert "Jumlah kotor" not in text and "TPP kotor" in text


def test_the_remark_writes_each_allowances_gross_when_a_factor_applies():
    """Each allowance's gross is rounded on its own: with an attendance floor of 50% the components'
    sum times the factor can be a rupiah off the gross (6,066,668 x 50% = 3,033,334, the gross
    3,033,335). The Keterangan wrote that sum and the gross as if one followed from the other; it
    now writes each allowance's sum, factor and gross, which add up to the gross."""

    def template(effective_from="2026-01-01"):
        data = madiun_template(effective_from)
        data["attendance_floors"] = [[0, 25, 0], [25, 50, 50]]
        data["allowances"][1]["base_by_class"]["13"] = 2_100_001
        return data

    days = [
        builders.day(d, credited_minutes=137 if i < 10 else 0, absent=i >= 10)
        for i, d in enumerate(builders.workdays(22))
    ]
    res = calculate(builders.policy(template), builders.month(days))
    tpp, ukk = res.allowances
    assert res.floor_pct == 50 and res.gross == tpp.gross + ukk.gross == 3_033_335
    assert round_rupiah(res.subtotal * Decimal("0.5")) == 3_033_334  # a rupiah off
    info = SimpleNamespace(position_name="Kepala Dinas", kelas=13)
    row = Result(gross=res.gross, detail=services._detail(res, info))
    assert exports.gross_remark(row) == (
        "Faktor kehadiran minimum 50% (tingkat kehadiran 45,45%): jumlah komponen "
        f"{TPP} {format_rupiah(tpp.subtotal)} × 50% = {format_rupiah(tpp.gross)}, "
        f"{UKK} Rp2.100.001 × 50% = Rp1.050.001; jumlah kotor Rp3.033.335"
    )


def test_the_signatures_stay_with_the_rincian_and_its_title_with_its_rows(madiun_run, monkeypatch):
    """The Rincian per tunjangan comes between the list and the signatures: the signatures still
    share their page with rows (of the Rincian), and its title never ends a page alone."""
    p, run = madiun_run
    real = exports.payroll

    def render(n: int) -> list[str]:
        def payroll(run, unit=None, signed=False):
            data = real(run, unit, signed=signed)
            s = data.sections[0]
            row = s.rows[0]
            row.position_name = "Pengelola Layanan Operasional Sekretariat"
            data.sections = [
                replace(
                    s, rows=[row] * n, totals=exports._sum([row] * n, data.keys, data.allowances)
                )
            ]
            return data

        monkeypatch.setattr(exports, "payroll", payroll)
        return _pages(exports.nominatif_pdf(run, p.opd_a))

    nip = re.compile(r"\b\d{18}\b")
    checked = set()
    # 11: one Rincian row goes over with the signatures; 17: the list fills the first page and the
    # Rincian's title would end it alone (without `break-after: avoid`); 24: three pages.
    for n in (10, 11, 17, 24):
        pages = render(n)
        checked.add(len(pages))
        signed = [t for t in pages if "Mengetahui" in t]
        assert len(signed) == 1
        assert nip.search(signed[0].split("Mengetahui")[0]), f"{n} baris: tanda tangan tanpa baris"
        for text in pages:
            if "Rincian per tunjangan" in text:
                after = text.split("Rincian per tunjangan", 1)[1]
                assert nip.search(after), f"{n} baris: judul rincian sendirian di akhir halaman"
        # Every row printed twice: in the list and in the Rincian.
        assert sum(len(nip.findall(t.split("Mengetahui")[0])) for t in pages) == 2 * n
    assert len(checked) > 1


# --------------------------------------------------------------------------------------------------
# The run page's "Rekap per unit"


def _page_recap(page: str) -> tuple[list[str], dict[str, dict], dict, list[str]]:
    """The run page's unit recap: (headers, {unit: {header: cell text}}, the Jumlah row as
    {header: cell text} or {}, the folded figures under each name as "label Rp…")."""
    table = page[page.index('data-testid="unit-recap"') :]
    table = table[: table.index("</table>")]

    def text(cell: str) -> str:
        return " ".join(re.sub(r"<[^>]+>", " ", cell).split())

    headers = [text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]
    rows, total, folded = {}, {}, []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]:
        first, *cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        name = re.match(r"\s*(?:<a[^>]*>)?([^<]*)", first)[1].strip()
        line = dict(zip(headers, [name, *[text(c) for c in cells]], strict=True))
        folded += [
            text(f) for f in re.findall(r'<div class="d-flex[^"]*">(.*?)</div>', first, re.S)
        ]
        if name == "Jumlah":
            total = line
        else:
            rows[name] = line
    return headers, rows, total, folded


def _run_page(client, p, run) -> str:
    client.force_login(p.bkpsdm1)
    return client.get(reverse("tpp:run", args=[run.pk])).content.decode()


def test_the_run_page_splits_each_units_totals_by_allowance_as_the_recap_does(client, madiun_run):
    """BKPSDM sees on the run page each allowance's ceiling and gross per unit, the figures of the
    recap BPKAD receives (the SP2D recap xlsx) to the rupiah, with their Jumlah."""
    p, run = madiun_run
    headers, rows, total, folded = _page_recap(_run_page(client, p, run))
    assert headers == ["Unit", "Pegawai", *SPLIT, "Bersih", "Dibayarkan"]
    _h, recap_lines, recap_total = _sheets(exports.recap_xlsx(run))["Rekap"]
    assert (
        set(rows)
        == {line["Unit kerja"] for line in recap_lines}
        == {
            "Dinas Pendidikan",
            "Dinas Kesehatan",
        }
    )
    for line in recap_lines:
        mine = rows[line["Unit kerja"]]
        assert mine["Pegawai"] == str(line["Pegawai"])
        for label in SPLIT:
            assert line[label] > 0 and mine[label] == format_rupiah(line[label]), label
        assert mine["Bersih"] == format_rupiah(line["TPP bersih"])
        assert mine["Dibayarkan"] == format_rupiah(line["Dibayarkan"])
        # Below xl the same figures fold under the unit's name, each amount on one line.
        for label in SPLIT:
            assert f"{label} {format_rupiah(line[label])}" in folded
    for label in SPLIT:
        assert total[label] == format_rupiah(recap_total[label]), label
    assert total["Dibayarkan"] == format_rupiah(run.total_payable)
    assert recap_total["Jumlah kotor"] == run.total_gross


def test_the_run_pages_split_recap_costs_the_same_queries_whatever_the_units(client):
    """One read of the rows for all units: a third unit and thirty more employees add no query."""
    p = make_pemda(madiun_template)
    _staff(p)
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    client.force_login(p.bkpsdm1)
    url = reverse("tpp:run", args=[run.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert len(_page_recap(page)[1]) == 2
    opd_c = UnitFactory(instansi=p.inst, code="C", name="Dinas Perhubungan")
    add_staff(p, 30, unit=opd_c)
    services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    headers, rows, _total, _folded = _page_recap(page)
    assert len(rows) == 3 and "Jumlah pagu" in headers
    assert len(many.captured_queries) <= len(few.captured_queries)


@pytest.mark.parametrize("template", [None, _one_allowance], ids=["hss", "allowances-form"])
def test_a_single_allowance_run_page_recap_has_no_extra_columns(client, template):
    p = make_pemda(template) if template else make_pemda()
    _staff(p)
    run = _lock(p)
    page = _run_page(client, p, run)
    headers, rows, total, folded = _page_recap(page)
    assert headers == ["Unit", "Pegawai", "Kotor", "Bersih", "Dibayarkan"]
    assert len(rows) == 2 and total == {} and folded == []
    assert 'data-testid="unit-recap-split"' not in page
