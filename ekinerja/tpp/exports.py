"""Payroll documents of a locked TPP run, per paying unit or for the whole instansi:

- the daftar nominatif TPP (xlsx with one sheet per unit and a recap sheet; pdf, landscape A4, one
  section per unit with the head of unit's and the treasurer's signature blocks),
- the bank transfer csv (one line per employee paid this month),
- the recap per unit for the SP2D request (xlsx and pdf).

Every document is built from the same stored Result rows, so their totals are equal to the rupiah to
each other and to the Run's totals: the amount paid is Result.payable (net, or 0 when withheld, plus
releases and adjustments)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.template.loader import render_to_string

from ekinerja.core.money import terbilang
from ekinerja.core.periods import Period
from ekinerja.org.models import Unit

from . import selectors, services
from .models import Result, Run

ZERO = Decimal(0)
COLUMN_LABELS = {"attendance": "Kehadiran", "activity": "Aktivitas", "skp": "SKP"}
MONEY_FIELDS = ("ceiling", "gross", "pph21", "health_insurance", "net", "payable")


def component_keys(run: Run) -> list[str]:
    """The components of the run's policy, in policy order (several allowances: merged)."""
    data = run.policy_data or {}
    keys: list[str] = []
    groups = data.get("allowances") or [{"components": data.get("components") or []}]
    for allowance in groups:
        for c in allowance.get("components", []):
            if c["key"] not in keys:
                keys.append(c["key"])
    return keys


def component_amount(result: Result, key: str) -> Decimal:
    return Decimal((result.detail.get(key) or {}).get("amount", 0))


def remark(result: Result) -> str:
    parts = []
    if result.withheld:
        parts.append(f"Ditahan: {result.withheld_reason}")
    if result.released:
        parts.append(f"Pelepasan penahanan {int(result.released):,}".replace(",", "."))
    if result.adjustment:
        parts.append(f"Koreksi {int(result.adjustment):,}".replace(",", "."))
    return "; ".join(parts)


@dataclass
class Section:
    """One paying unit's part of the list."""

    unit: Unit | None
    rows: list[Result] = field(default_factory=list)
    totals: dict[str, Decimal] = field(default_factory=dict)
    head: selectors.UnitHead | None = None

    @property
    def title(self) -> str:
        return self.unit.name if self.unit is not None else "Tanpa unit"


@dataclass
class Payroll:
    run: Run
    period: Period
    keys: list[str]
    sections: list[Section]
    totals: dict[str, Decimal]

    @property
    def labels(self) -> list[str]:
        return [COLUMN_LABELS.get(k, k) for k in self.keys]


def _sum(rows: list[Result], keys: list[str]) -> dict[str, Decimal]:
    totals = {f: ZERO for f in MONEY_FIELDS}
    totals.update({k: ZERO for k in keys})
    totals["employees"] = Decimal(len(rows))
    totals["withheld"] = ZERO
    for r in rows:
        for f in MONEY_FIELDS:
            totals[f] += getattr(r, f)
        for k in keys:
            totals[k] += component_amount(r, k)
        if r.withheld:
            totals["withheld"] += services.due_amount(r)  # what the release will pay
    return totals


def payroll(run: Run, unit: Unit | None = None) -> Payroll:
    """The list's content, grouped by paying unit (three queries)."""
    keys = component_keys(run)
    rows = selectors.payroll_results(run, unit)
    sections: list[Section] = []
    for r in rows:
        if not sections or sections[-1].unit != r.unit:
            sections.append(Section(r.unit))
        sections[-1].rows.append(r)
    period = Period.parse(run.period)
    heads = selectors.unit_heads(
        run.instansi, [s.unit.id for s in sections if s.unit is not None], period.last_day
    )
    for s in sections:
        s.totals = _sum(s.rows, keys)
        s.head = heads.get(s.unit.id) if s.unit is not None else None
    return Payroll(run, period, keys, sections, _sum(rows, keys))


def filename(run: Run, kind: str, unit: Unit | None, ext: str) -> str:
    scope = unit.code if unit is not None else run.instansi.code
    return f"TPP-{run.period}-{kind}-{scope}.{ext}".replace("/", "-").replace(" ", "-")


# --------------------------------------------------------------------------------------------------
# xlsx


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "Unit"
    candidate, n = clean, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate = clean[: 31 - len(suffix)] + suffix
        n += 1
    used.add(candidate.lower())
    return candidate


def nominatif_xlsx(run: Run, unit: Unit | None = None) -> bytes:
    """The daftar nominatif TPP as an xlsx workbook: one sheet per paying unit ending with its
    JUMLAH row, and a 'Rekap' sheet with one row per unit and the grand total."""
    import xlsxwriter

    data = payroll(run, unit)
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = wb.add_format({"bold": True})
    title = wb.add_format({"bold": True, "font_size": 12})
    head = wb.add_format(
        {"bold": True, "bg_color": "#E8E8E8", "border": 1, "text_wrap": True, "valign": "top"}
    )
    cell = wb.add_format({"border": 1, "valign": "top"})
    text = wb.add_format({"border": 1, "valign": "top", "num_format": "@"})
    money = wb.add_format({"border": 1, "num_format": "#,##0", "valign": "top"})
    total_money = wb.add_format({"border": 1, "num_format": "#,##0", "bold": True})
    total_label = wb.add_format({"border": 1, "bold": True})
    headers = [
        "No",
        "NIP",
        "Nama",
        "Gol.",
        "Kelas",
        "Jabatan",
        "Pagu TPP",
        *data.labels,
        "TPP kotor",
        "PPh 21",
        "Iuran BPJS",
        "TPP bersih",
        "Dibayarkan",
        "Bank",
        "No. rekening",
        "Keterangan",
    ]
    widths = [5, 21, 30, 7, 6, 30, 14, *[14] * len(data.keys), 14, 13, 12, 14, 14, 14, 18, 30]
    used: set[str] = set()
    for section in data.sections:
        ws = wb.add_worksheet(_sheet_name(section.title, used))
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        ws.write(0, 0, f"DAFTAR NOMINATIF TPP BULAN {data.period.label.upper()}", title)
        ws.write(1, 0, f"{run.instansi.name} · {section.title}", bold)
        ws.write(2, 0, f"Kebijakan: {(run.policy_data or {}).get('name', '-')}")
        ws.write_row(4, 0, headers, head)
        ws.repeat_rows(4)
        row = 5
        for n, r in enumerate(section.rows, start=1):
            values = [
                (n, cell),
                (r.nip, text),
                (r.name, cell),
                (r.golongan, cell),
                (r.kelas, cell),
                (r.position_name, cell),
                (int(r.ceiling), money),
                *[(int(component_amount(r, k)), money) for k in data.keys],
                (int(r.gross), money),
                (int(r.pph21), money),
                (int(r.health_insurance), money),
                (int(r.net), money),
                (int(r.payable), money),
                (r.bank_name, cell),
                (r.bank_account, text),
                (remark(r), cell),
            ]
            for col, (value, fmt) in enumerate(values):
                ws.write(row, col, value, fmt)
            row += 1
        t = section.totals
        ws.merge_range(row, 0, row, 5, "JUMLAH", total_label)
        sums = [
            t["ceiling"],
            *[t[k] for k in data.keys],
            t["gross"],
            t["pph21"],
            t["health_insurance"],
            t["net"],
            t["payable"],
        ]
        for col, value in enumerate(sums, start=6):
            ws.write_number(row, col, int(value), total_money)
        ws.write(row + 2, 0, f"Terbilang: {terbilang(t['payable'])}", bold)
        sign = row + 4
        ws.write(sign, 2, "Mengetahui,")
        ws.write(sign + 1, 2, f"{section.head.acting} Kepala".strip() if section.head else "Kepala")
        ws.write(sign + 1, 9, "Bendahara Pengeluaran")
        ws.write(sign + 5, 2, section.head.name if section.head else "(....................)", bold)
        ws.write(sign + 5, 9, "(....................)", bold)
        ws.write(sign + 6, 2, f"NIP {section.head.nip}" if section.head else "NIP")
        ws.write(sign + 6, 9, "NIP")
    _recap_sheet(wb, data, used, head, cell, money, total_label, total_money, title, bold)
    wb.close()
    return out.getvalue()


RECAP_HEADERS = [
    "No",
    "Unit kerja",
    "Pegawai",
    "TPP kotor",
    "PPh 21",
    "Iuran BPJS",
    "TPP bersih",
    "Ditahan",
    "Pelepasan",
    "Koreksi",
    "Sisa potongan",
    "Dibayarkan",
]


def _recap_values(t: dict) -> list[int]:
    return [
        int(t["employees"]),
        int(t["gross"]),
        int(t["pph21"]),
        int(t["health_insurance"]),
        int(t["net"]),
        int(t["withheld"]),
        int(sum_field(t, "released")),
        int(sum_field(t, "adjustment")),
        int(sum_field(t, "unrecovered")),
        int(t["payable"]),
    ]


def sum_field(t: dict, name: str) -> Decimal:
    return t.get(name, ZERO)


def _recap_sheet(wb, data, used, head, cell, money, total_label, total_money, title, bold):
    ws = wb.add_worksheet(_sheet_name("Rekap", used))
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 11, 15)
    ws.write(0, 0, f"REKAPITULASI TPP PER UNIT KERJA BULAN {data.period.label.upper()}", title)
    ws.write(1, 0, data.run.instansi.name, bold)
    ws.write_row(3, 0, RECAP_HEADERS, head)
    row = 4
    for n, s in enumerate(data.sections, start=1):
        ws.write(row, 0, n, cell)
        ws.write(row, 1, s.title, cell)
        for col, v in enumerate(_recap_values(_with_extra(s.totals, s.rows)), start=2):
            ws.write_number(row, col, v, money)
        row += 1
    ws.merge_range(row, 0, row, 1, "JUMLAH", total_label)
    all_rows = [r for s in data.sections for r in s.rows]
    for col, v in enumerate(_recap_values(_with_extra(data.totals, all_rows)), start=2):
        ws.write_number(row, col, v, total_money)
    ws.write(row + 2, 0, f"Terbilang: {terbilang(data.totals['payable'])}", bold)


def _with_extra(totals: dict, rows: list[Result]) -> dict:
    out = dict(totals)
    out["released"] = sum((r.released for r in rows), ZERO)
    out["adjustment"] = sum((r.adjustment for r in rows), ZERO)
    out["unrecovered"] = sum((services.unrecovered(r) for r in rows), ZERO)
    return out


def recap_rows(data: Payroll) -> list[tuple[str, dict]]:
    rows = [(s.title, _with_extra(s.totals, s.rows)) for s in data.sections]
    return rows


def recap_xlsx(run: Run, unit: Unit | None = None) -> bytes:
    """The recap per unit for the SP2D request, alone."""
    import xlsxwriter

    data = payroll(run, unit)
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    f = {
        "head": wb.add_format(
            {"bold": True, "bg_color": "#E8E8E8", "border": 1, "text_wrap": True}
        ),
        "cell": wb.add_format({"border": 1}),
        "money": wb.add_format({"border": 1, "num_format": "#,##0"}),
        "total_label": wb.add_format({"border": 1, "bold": True}),
        "total_money": wb.add_format({"border": 1, "num_format": "#,##0", "bold": True}),
        "title": wb.add_format({"bold": True, "font_size": 12}),
        "bold": wb.add_format({"bold": True}),
    }
    _recap_sheet(
        wb,
        data,
        set(),
        f["head"],
        f["cell"],
        f["money"],
        f["total_label"],
        f["total_money"],
        f["title"],
        f["bold"],
    )
    wb.close()
    return out.getvalue()


# --------------------------------------------------------------------------------------------------
# pdf


def _pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html).write_pdf()


def nominatif_pdf(run: Run, unit: Unit | None = None, printed_on=None) -> bytes:
    """The daftar nominatif TPP as a landscape A4 pdf: per unit its table, JUMLAH row, amount in
    words and signature blocks (head of unit, treasurer); for the whole instansi a recap page."""
    data = payroll(run, unit)
    return _pdf(
        "tpp/pdf/nominatif.html",
        {
            "data": data,
            "run": run,
            "recap": recap_rows(data),
            "grand": _with_extra(data.totals, [r for s in data.sections for r in s.rows]),
            "whole": unit is None,
            "printed_on": printed_on,
        },
    )


def recap_pdf(run: Run, unit: Unit | None = None, printed_on=None) -> bytes:
    data = payroll(run, unit)
    return _pdf(
        "tpp/pdf/recap.html",
        {
            "data": data,
            "run": run,
            "recap": recap_rows(data),
            "grand": _with_extra(data.totals, [r for s in data.sections for r in s.rows]),
            "printed_on": printed_on,
        },
    )


# --------------------------------------------------------------------------------------------------
# csv


def bank_csv(run: Run, unit: Unit | None = None) -> str:
    """The bank transfer file: one line per employee with an amount to pay this month (payable > 0):
    no, NIP, name, bank, account number, amount (whole rupiah), description."""
    rows = [r for r in selectors.payroll_results(run, unit) if r.payable > 0]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["no", "nip", "nama", "bank", "no_rekening", "jumlah", "keterangan"])
    label = f"TPP {Period.parse(run.period).label}"
    for n, r in enumerate(rows, start=1):
        w.writerow([n, r.nip, r.name, r.bank_name, r.bank_account, int(r.payable), label])
    return out.getvalue()
