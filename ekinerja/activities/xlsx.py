"""Spreadsheets of the activity app: the catalog (export/import) and the bulk-entry template.
Reading and writing cells only; the rows go through the services' validation."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from ekinerja.core.periods import tanggal
from ekinerja.core.spreadsheets import XlsxRejected, workbook, xlsx_check

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 3000

CATALOG_COLUMNS = [
    ("kode", 12),
    ("nama", 60),
    ("satuan", 14),
    ("menit", 8),
    ("struktural", 11),
    ("fungsional", 11),
    ("pelaksana", 11),
    ("kelas_min", 10),
    ("kelas_max", 10),
    ("unit", 20),
    ("berlaku_mulai", 14),
    ("berlaku_sampai", 14),
]
ENTRY_COLUMNS = [
    ("tanggal", 12),
    ("mulai", 8),
    ("selesai", 8),
    ("kode_aktivitas", 16),
    ("volume", 8),
    ("uraian", 60),
]
# Optional: a sheet without it (an older template) still imports. The number of a result in the
# sheet 'skp' (its place in the agreed SKP of the row's year).
ENTRY_OPTIONAL_COLUMNS = [("hasil_skp", 10)]


@dataclass
class RowError:
    row: int
    messages: list[str]

    def __str__(self) -> str:
        return f"Baris {self.row}: " + " ".join(self.messages)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Rows refused only because their new validity strands entries not verified yet (catalog).
    stranded: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _book(write) -> bytes:
    buf = io.BytesIO()
    wb = workbook(buf)  # text stays text: a catalog or SKP name "=..." is no formula
    write(wb)
    wb.close()
    return buf.getvalue()


def _header(wb, ws, columns) -> None:
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    for i, (name, width) in enumerate(columns):
        ws.write(0, i, name, bold)
        ws.set_column(i, i, width)
    ws.freeze_panes(1, 0)


def catalog_workbook(items) -> bytes:
    """The catalog as a workbook (the same columns the import reads)."""

    def write(wb):
        ws = wb.add_worksheet("katalog")
        _header(wb, ws, CATALOG_COLUMNS)
        yes = {True: "ya", False: "tidak"}
        for r, it in enumerate(items, start=1):
            ws.write_row(
                r,
                0,
                [
                    it.code,
                    it.name,
                    it.output_unit,
                    it.standard_minutes,
                    yes[it.for_struktural],
                    yes[it.for_fungsional],
                    yes[it.for_pelaksana],
                    it.kelas_min,
                    it.kelas_max,
                    ",".join(sorted(u.code for u in it.units.all())),
                    it.active_from.isoformat(),
                    it.active_to.isoformat() if it.active_to else "",
                ],
            )

    return _book(write)


def entry_template(
    employee_name: str, days: list[dt.date], items, skp_results: dict[int, list] | None = None
) -> bytes:
    """A bulk-entry sheet with one pre-filled row per working day, a sheet of usable items and a
    sheet of the SKP results of each year (`skp_results`: year -> results in their order)."""
    skp_results = skp_results or {}
    n_skp = sum(len(v) for v in skp_results.values())

    def write(wb):
        ws = wb.add_worksheet("aktivitas")
        _header(wb, ws, ENTRY_COLUMNS + ENTRY_OPTIONAL_COLUMNS)
        for r, d in enumerate(days, start=1):
            ws.write_string(r, 0, d.isoformat())
        ws.data_validation(
            1,
            3,
            max(len(days), 1) + 200,
            3,
            {"validate": "list", "source": f"=katalog!$A$2:$A${len(items) + 1}"}
            if items
            else {"validate": "any"},
        )
        if n_skp:
            ws.data_validation(
                1,
                len(ENTRY_COLUMNS),
                max(len(days), 1) + 200,
                len(ENTRY_COLUMNS),
                {"validate": "list", "source": f"=skp!$A$2:$A${n_skp + 1}"},
            )
        info = wb.add_worksheet("petunjuk")
        lines = [
            f"Aktivitas harian {employee_name}",
            "Satu baris = satu aktivitas. Tanggal TTTT-BB-HH, jam JJ:MM (mis. 08:00).",
            "Kode aktivitas dari lembar 'katalog'. Volume > 0. Baris kosong dilewati.",
            "Tambahkan baris untuk tanggal yang sama bila ada beberapa aktivitas.",
            "Semua baris diperiksa; bila satu baris ditolak, tidak ada yang disimpan.",
            "Kolom hasil_skp (boleh kosong): nomor hasil kerja SKP yang didukung, dari lembar 'skp'.",
        ]
        for i, line in enumerate(lines):
            info.write(i, 0, line)
        info.set_column(0, 0, 100)
        cat = wb.add_worksheet("katalog")
        _header(wb, cat, [("kode", 12), ("nama", 60), ("satuan", 14), ("menit", 8)])
        for r, it in enumerate(items, start=1):
            cat.write_row(r, 0, [it.code, it.name, it.output_unit, it.standard_minutes])
        skp = wb.add_worksheet("skp")
        _header(wb, skp, [("no", 6), ("tahun", 8), ("hasil_kerja", 100)])
        r = 1
        for year, results in sorted(skp_results.items()):
            for n, result in enumerate(results, start=1):
                skp.write_row(r, 0, [n, year, result.text])
                r += 1

    return _book(write)


# --------------------------------------------------------------------------------------------------
# Reading


def read_rows(
    upload,
    columns: list[tuple[str, int]],
    sheet: str | None = None,
    optional: list[tuple[str, int]] = (),
) -> list[tuple[int, dict]]:
    """(row number, {column: value}) for each non-empty row; the header row must name the columns
    (an `optional` column it does not name reads as None)."""
    from openpyxl import load_workbook

    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError({"file": "Berkas terlalu besar (paling besar 5 MB)."})
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if head != b"PK\x03\x04":
        raise ValidationError({"file": "Berkas bukan spreadsheet Excel (.xlsx)."})
    try:
        xlsx_check(upload)  # a few hundred KB may unpack to gigabytes (a zip bomb)
    except XlsxRejected as exc:
        raise ValidationError({"file": exc.messages}) from exc
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ValidationError({"file": "Berkas .xlsx tidak dapat dibaca (rusak?)."}) from exc
    ws = wb[sheet] if sheet and sheet in wb.sheetnames else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    try:
        header = [str(c or "").strip().lower() for c in next(rows)]
    except StopIteration as exc:
        raise ValidationError({"file": "Lembar kerja kosong."}) from exc
    names = [c for c, _w in columns]
    missing = [n for n in names if n not in header]
    if missing:
        raise ValidationError({"file": "Kolom tidak ditemukan: " + ", ".join(missing) + "."})
    index = {n: header.index(n) for n in names}
    index.update({n: header.index(n) for n, _w in optional if n in header})
    absent = dict.fromkeys(n for n, _w in optional if n not in header)
    out = []
    for number, row in enumerate(rows, start=2):
        values = {n: (row[i] if i < len(row) else None) for n, i in index.items()} | absent
        if all(v in (None, "") for v in values.values()):
            continue
        out.append((number, values))
        if len(out) > MAX_ROWS:
            raise ValidationError({"file": f"Paling banyak {MAX_ROWS} baris per impor."})
    wb.close()
    return out


def cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def cell_date(v, label: str) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    text = cell_text(v)
    if not text:
        raise ValueError(f"{label} wajib diisi (contoh 2026-11-01).")
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{label} '{text}' tidak valid (gunakan TTTT-BB-HH).")


def cell_time(v, label: str) -> dt.time:
    if isinstance(v, dt.datetime):
        return v.time().replace(second=0, microsecond=0)
    if isinstance(v, dt.time):
        return v.replace(second=0, microsecond=0)
    if isinstance(v, float) and 0 <= v < 1:  # Excel's fraction of a day
        # 23:59:59.x rounds to 1,440 minutes: the day's last minute, not "hour must be in 0..23".
        minutes = min(round(v * 24 * 60), 24 * 60 - 1)
        return dt.time(minutes // 60, minutes % 60)
    text = cell_text(v).replace(".", ":")
    try:
        return dt.datetime.strptime(text, "%H:%M").time()
    except ValueError:
        raise ValueError(f"{label} '{text}' tidak valid (gunakan JJ:MM).") from None


def cell_decimal(v, label: str) -> Decimal:
    try:
        number = Decimal(cell_text(v).replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{label} '{cell_text(v)}' bukan angka.") from None
    if not number.is_finite():  # "Infinity", "NaN", "sNaN" are Decimals, not numbers of a sheet
        raise ValueError(f"{label} '{cell_text(v)}' bukan angka.")
    return number


def cell_bool(v, label: str) -> bool:
    text = cell_text(v).lower()
    if text in ("ya", "y", "1", "true", "benar"):
        return True
    if text in ("tidak", "t", "0", "false", "salah", "n"):
        return False
    raise ValueError(f"{label} harus 'ya' atau 'tidak'.")


def describe_day(d: dt.date) -> str:
    return tanggal(d)
