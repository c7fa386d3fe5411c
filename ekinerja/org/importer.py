"""Import of employees and organisation from the spreadsheets a Pemda already keeps.

One row per employee: NIP, name, titles, status, golongan, the unit (code, name, parent unit code), the
definitif position (code, name, kind, kelas jabatan, superior position code, TMT) and the optional
NPWP, bank account, phone and email. A row with an empty NIP and name describes a vacant position (its
unit and position only), so a structure with vacancies can be imported too.

Files: xlsx (read with openpyxl) or csv (comma, semicolon or tab; UTF-8 or Windows-1252), recognised by
content, not only by name; at most MAX_BYTES and MAX_ROWS data rows. Headers are matched without regard
to case, spaces or punctuation, with common aliases ("Gol/Ruang", "No. Rekening", "E-mail"...). Columns
that are missing from the file leave the matching stored values alone; blank cells in a present column
clear them.

`import_preview` reads the file and the instansi's current data (a fixed number of queries) and says,
row by row, what applying would do (create / update / unchanged) or what is wrong, in Indonesian with the
row number and column. `services.import_apply` re-runs it inside the transaction and writes the plan.
Employees not in the file are not touched: the file adds and updates, it never deletes.

Definitif assignments: the file states "from TMT on, this employee's definitif position is P".
The latest stored definitif assignment is kept when it is already P from TMT; corrected (its start moved)
when it is P from another date; otherwise it ends the day before TMT and a new open-ended one starts at
TMT, so two definitif assignments never overlap. A TMT not after the start of the latest stored definitif
assignment of another position is an error. So is a row that would record or change a post of the
importing officer's own employee record (`actor`): as on the manual path
(services.assignment_actor_check), another officer records one's own post; the row, if unchanged, is fine.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q

from ekinerja.core import spreadsheets
from ekinerja.core.clock import local_today
from ekinerja.core.models import Instansi, User
from ekinerja.core.periods import MONTHS_ID, tanggal

from .models import Assignment, Employee, Position, Unit
from .validation import bank_account_normalize, validate_employee

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
_HEADER_SCAN_ROWS = 20


class ImportFileError(ValidationError):
    """The file as a whole cannot be read (wrong format, too big, missing columns...)."""


class Action:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


ACTION_LABELS = {
    Action.CREATE: "baru",
    Action.UPDATE: "diubah",
    Action.UNCHANGED: "tetap",
    Action.ERROR: "galat",
}


# ---------------------------------------------------------------------------------------------------
# Columns


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool
    aliases: tuple[str, ...] = ()
    help: str = ""
    example: Any = ""


COLUMNS: tuple[Column, ...] = (
    Column(
        "nip",
        "NIP",
        True,
        ("NIP Baru", "Nomor Induk Pegawai", "NI PPPK", "NIP/NI PPPK"),
        "18 angka, ditulis sebagai teks. Kosongkan bersama Nama untuk jabatan yang lowong.",
        "198505172010031001",
    ),
    Column(
        "name", "Nama", True, ("Nama Pegawai", "Nama Lengkap"), "Nama tanpa gelar.", "Budi Santoso"
    ),
    Column("front_title", "Gelar Depan", False, ("Gelar Dpn",), "Mis. Dr., Ir., drg.", ""),
    Column("back_title", "Gelar Belakang", False, ("Gelar Blk",), "Mis. S.E., M.Si.", "S.E."),
    Column(
        "status",
        "Status",
        True,
        ("Status Pegawai", "Status Kepegawaian", "Jenis Pegawai", "Status ASN"),
        "PNS, CPNS atau PPPK.",
        "PNS",
    ),
    Column(
        "golongan",
        "Golongan",
        True,
        ("Gol", "Golongan/Ruang", "Gol/Ruang", "Gol Ruang", "Pangkat/Golongan", "Golongan PPPK"),
        "PNS/CPNS: I/a sampai IV/e (mis. III/b). PPPK: I sampai XVII (mis. IX).",
        "III/b",
    ),
    Column(
        "unit_code",
        "Kode Unit",
        True,
        ("Kode Unit Kerja", "Kode OPD", "Kode SKPD", "Kode Satker"),
        "Kode unit kerja tempat jabatan berada.",
        "4.01.02",
    ),
    Column(
        "unit_name",
        "Nama Unit",
        True,
        ("Unit Kerja", "Nama Unit Kerja", "Nama OPD", "OPD", "SKPD", "Satuan Kerja", "Nama Satker"),
        "Nama unit kerja.",
        "Bidang Pengadaan, Pemberhentian dan Informasi",
    ),
    Column(
        "parent_unit_code",
        "Kode Unit Induk",
        False,
        ("Kode Induk", "Kode Induk Unit", "Kode Unit Atasan"),
        "Kode unit induknya (kosong untuk OPD). Harus ada di berkas ini atau sudah tercatat.",
        "4.01",
    ),
    Column(
        "position_code",
        "Kode Jabatan",
        True,
        ("Kode Jab",),
        "Kode unik jabatan di Pemda ini.",
        "4.01.02.007",
    ),
    Column(
        "position_name",
        "Nama Jabatan",
        True,
        ("Jabatan",),
        "",
        "Analis Sumber Daya Manusia Aparatur",
    ),
    Column(
        "position_kind",
        "Jenis Jabatan",
        True,
        ("Jenis Jab",),
        "Struktural, Fungsional atau Pelaksana.",
        "Fungsional",
    ),
    Column(
        "kelas", "Kelas Jabatan", True, ("Kelas", "Kelas Jab"), "Bilangan bulat 1 sampai 17.", 9
    ),
    Column(
        "parent_position_code",
        "Kode Jabatan Atasan",
        False,
        ("Kode Atasan", "Kode Jab Atasan"),
        "Kode jabatan atasan langsung. Harus ada di berkas ini atau sudah tercatat.",
        "4.01.02.001",
    ),
    Column(
        "tmt",
        "TMT Jabatan",
        True,
        ("TMT", "TMT Jab", "Tanggal Mulai Jabatan"),
        "Tanggal mulai memegang jabatan definitif ini, mis. 2024-01-02 atau 02-01-2024.",
        dt.date(2024, 1, 2),
    ),
    Column(
        "npwp",
        "NPWP",
        False,
        (),
        "15 atau 16 angka, boleh dengan titik dan tanda hubung.",
        "12.345.678.9-123.000",
    ),
    Column("bank_name", "Bank", False, ("Nama Bank",), "", "Bank Kalsel"),
    Column(
        "bank_account",
        "No Rekening",
        False,
        ("Nomor Rekening", "Rekening", "No Rek", "Norek", "Rekening Bank"),
        "Angka saja, ditulis sebagai teks.",
        "0012345678",
    ),
    Column(
        "phone",
        "Telepon",
        False,
        ("No Telepon", "Nomor Telepon", "Telp", "No Telp", "HP", "No HP", "Nomor HP", "Ponsel"),
        "",
        "081234567890",
    ),
    Column(
        "email",
        "Email",
        False,
        ("E-mail", "Surel", "Alamat Email"),
        "",
        "budi.santoso@example.go.id",
    ),
)
LABELS = {c.key: c.label for c in COLUMNS}
REQUIRED = [c.key for c in COLUMNS if c.required]


def _norm_header(text: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


_ALIASES: dict[str, str] = {}
for _c in COLUMNS:
    for _name in (_c.label, _c.key, *_c.aliases):
        _ALIASES[_norm_header(_name)] = _c.key


# ---------------------------------------------------------------------------------------------------
# Reading the file


@dataclass
class SheetRow:
    number: int  # the row number the user sees in the spreadsheet (header included)
    cells: dict[str, Any]


@dataclass
class Sheet:
    kind: str  # "xlsx" or "csv"
    name: str
    size: int
    sha256: str
    columns: frozenset[str]
    rows: list[SheetRow]
    ignored_headers: list[str] = field(default_factory=list)


def read_source(file: Any, name: str | None = None) -> tuple[bytes, str]:
    """The bytes and name of an upload, an open binary file, a path or raw bytes (at most MAX_BYTES)."""
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
        file_name = name or ""
    elif isinstance(file, str | Path):
        with open(file, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
        file_name = name or Path(file).name
    else:
        if hasattr(file, "seek"):
            try:
                file.seek(0)
            except (OSError, ValueError):
                pass
        data = file.read(MAX_BYTES + 1)
        file_name = name or Path(getattr(file, "name", "") or "").name
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            f"Berkas terlalu besar: maksimal {MAX_BYTES // (1024 * 1024)} MB. "
            "Pecah menjadi beberapa berkas, mis. per OPD."
        )
    return data, file_name


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _decode_text(data: bytes) -> str | None:
    """The text of a CSV file, or None when the bytes are not text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    elif b"\x00" in data:
        return None
    else:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            return None
    if _CONTROL_CHARS.search(text):
        return None
    return text


_XLSX_EXT = (".xlsx", ".xlsm")
_TEXT_EXT = (".csv", ".txt")


def _detect(data: bytes, name: str) -> tuple[str, str | None]:
    """("xlsx" | "csv", decoded text for csv)."""
    ext = Path(name).suffix.lower()
    if ext == ".xls" or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "Format Excel lama (.xls, Excel 97-2003) tidak didukung. Buka berkas di Excel lalu "
            "simpan sebagai 'Excel Workbook (.xlsx)' atau 'CSV'."
        )
    if ext and ext not in _XLSX_EXT + _TEXT_EXT:
        raise ImportFileError(
            f"Jenis berkas '{ext}' tidak didukung. Unggah berkas Excel (.xlsx) atau CSV (.csv)."
        )
    if not data:
        raise ImportFileError("Berkas kosong (0 byte).")
    if data.startswith(b"PK\x03\x04"):
        if ext in _TEXT_EXT:
            raise ImportFileError(
                f"Berkas '{name}' berakhiran {ext} tetapi isinya berkas Excel (xlsx). "
                "Ganti akhiran namanya menjadi .xlsx lalu unggah lagi."
            )
        return "xlsx", None
    text = _decode_text(data)
    if text is None:
        raise ImportFileError(
            "Isi berkas bukan Excel (.xlsx) maupun CSV: berkas ini berisi data biner yang tidak "
            "dikenali. Unggah berkas .xlsx atau .csv hasil ekspor dari Excel/SIMPEG."
        )
    if ext in _XLSX_EXT:
        raise ImportFileError(
            f"Berkas '{name}' berakhiran {ext} tetapi isinya teks, bukan berkas Excel. Simpan ulang "
            "dari Excel sebagai .xlsx, atau beri akhiran .csv bila memang berkas CSV."
        )
    return "csv", text


def _csv_records(text: str) -> Iterator[tuple[int, Sequence[Any]]]:
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise ImportFileError(f"Berkas CSV tidak dapat dibaca: {exc}.") from exc


def _xlsx_records(data: bytes) -> Iterator[tuple[int, Sequence[Any]]]:
    import openpyxl

    try:
        spreadsheets.xlsx_check(data)  # before openpyxl unpacks anything (zip bombs)
    except spreadsheets.XlsxRejected as exc:
        message = exc.messages[0]
        if exc.code == "not_workbook":
            message += " Unggah berkas .xlsx atau .csv."
        raise ImportFileError(message) from exc
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        raise ImportFileError(
            "Berkas xlsx rusak atau tidak dapat dibaca. Simpan ulang dari Excel lalu unggah lagi."
        ) from exc
    try:
        if not workbook.worksheets:
            raise ImportFileError("Berkas xlsx tidak memiliki lembar kerja.")
        sheet = workbook.worksheets[0]
        try:
            yield from enumerate(sheet.iter_rows(values_only=True), start=1)
        except ImportFileError:
            raise
        except Exception as exc:
            raise ImportFileError(
                "Isi lembar kerja pertama tidak dapat dibaca; simpan ulang berkas dari Excel."
            ) from exc
    finally:
        workbook.close()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_map(values: Sequence[Any]) -> tuple[dict[str, int], list[str]]:
    mapping: dict[str, int] = {}
    ignored: list[str] = []
    for index, value in enumerate(values):
        if _blank(value):
            continue
        key = _ALIASES.get(_norm_header(value))
        if key is None:
            ignored.append(str(value).strip())
        elif key in mapping:
            raise ImportFileError(
                f"Kolom '{str(value).strip()}' dan '{str(values[mapping[key]]).strip()}' sama-sama "
                f"berarti '{LABELS[key]}'; hapus salah satunya."
            )
        else:
            mapping[key] = index
    return mapping, ignored


def _assemble(
    kind: str, records: Iterable[tuple[int, Sequence[Any]]], data: bytes, name: str
) -> Sheet:
    header: dict[str, int] | None = None
    ignored: list[str] = []
    first_nonblank: Sequence[Any] | None = None
    scanned = 0
    rows: list[SheetRow] = []
    for number, values in records:
        if all(_blank(v) for v in values):
            continue
        if header is None:
            # Pemda sheets often carry a title above the header: take the first row that names at
            # least three known columns.
            first_nonblank = first_nonblank if first_nonblank is not None else values
            mapping, extra = _header_map(values)
            scanned += 1
            if len(mapping) >= 3:
                header, ignored = mapping, extra
                _check_required(header, values)
            elif scanned >= _HEADER_SCAN_ROWS:
                break
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(
                f"Berkas berisi lebih dari {MAX_ROWS:,} baris data; pecah menjadi beberapa berkas.".replace(
                    ",", "."
                )
            )
        cells = {key: (values[i] if i < len(values) else None) for key, i in header.items()}
        rows.append(SheetRow(number, cells))
    if header is None:
        if first_nonblank is None:
            raise ImportFileError("Berkas tidak berisi data apa pun.")
        _check_required({}, first_nonblank)
    if not rows:
        raise ImportFileError("Berkas hanya berisi judul kolom, tanpa baris data pegawai.")
    return Sheet(
        kind=kind,
        name=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        columns=frozenset(header),
        rows=rows,
        ignored_headers=ignored,
    )


def _check_required(header: dict[str, int], values: Sequence[Any]) -> None:
    missing = [LABELS[k] for k in REQUIRED if k not in header]
    if missing:
        found = ", ".join(str(v).strip() for v in values if not _blank(v))[:300]
        raise ImportFileError(
            f"Kolom wajib tidak ditemukan: {', '.join(missing)}. Kolom yang terbaca: "
            f"{found or '(tidak ada)'}. Unduh templat untuk melihat susunan kolom yang benar."
        )


def parse(file: Any, name: str | None = None) -> Sheet:
    """Read an xlsx or csv file into rows keyed by column (see COLUMNS). Raises ImportFileError."""
    data, file_name = read_source(file, name)
    kind, text = _detect(data, file_name)
    records = _xlsx_records(data) if kind == "xlsx" else _csv_records(text or "")
    return _assemble(kind, records, data, file_name)


# ---------------------------------------------------------------------------------------------------
# Cell values


def _text(value: Any) -> str:
    if type(value) is str:
        return " ".join(value.split())
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return " ".join(str(value).split())


class CellError(ValueError):
    pass


_STATUS = {"PNS": "PNS", "CPNS": "CPNS", "PPPK": "PPPK", "P3K": "PPPK"}
_KINDS = {
    "struktural": Position.Kind.STRUKTURAL,
    "jpt": Position.Kind.STRUKTURAL,
    "administrator": Position.Kind.STRUKTURAL,
    "pengawas": Position.Kind.STRUKTURAL,
    "fungsional": Position.Kind.FUNGSIONAL,
    "jft": Position.Kind.FUNGSIONAL,
    "fungsionaltertentu": Position.Kind.FUNGSIONAL,
    "pelaksana": Position.Kind.PELAKSANA,
    "jfu": Position.Kind.PELAKSANA,
    "fungsionalumum": Position.Kind.PELAKSANA,
}
_ROMAN = [
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
]
_ROMAN_VALUE = {r: i for i, r in enumerate(_ROMAN, start=1)}
_PNS_GOLONGAN = {value for value, _label in Employee.GOLONGAN_CHOICES}
_PNS_RE = re.compile(r"^(IV|III|II|I|[1-4])\s*[/.\-\s]?\s*([A-E])$", re.ASCII)


def parse_status(value: Any) -> str:
    raw = _text(value)
    key = re.sub(r"[^A-Z0-9]", "", raw.upper())
    if key not in _STATUS:
        raise CellError(f"Status '{raw}' tidak dikenal; gunakan PNS, CPNS atau PPPK.")
    return _STATUS[key]


def parse_golongan(value: Any, status: str) -> tuple[str, str]:
    """(golongan, pppk_grade) for the status: III/a-style for PNS and CPNS, I-XVII for PPPK."""
    raw = _text(value)
    if not raw:
        raise CellError("Golongan wajib diisi.")
    upper = raw.upper().strip()
    pns = _PNS_RE.match(upper)
    pns_value = None
    if pns:
        major = pns.group(1)
        major = _ROMAN[int(major) - 1] if major.isdigit() else major
        candidate = f"{major}/{pns.group(2).lower()}"
        pns_value = candidate if candidate in _PNS_GOLONGAN else None
    grade_text = re.sub(r"^(PPPK|P3K|GOLONGAN|GOL)\.?\s*", "", upper).strip()
    grade = None
    if grade_text in _ROMAN_VALUE:
        grade = _ROMAN_VALUE[grade_text]
    elif grade_text.isdigit() and 1 <= int(grade_text) <= 17:
        grade = int(grade_text)
    if status == Employee.Status.PPPK:
        if grade is not None:
            return "", str(grade)
        if pns:
            raise CellError(
                f"Golongan '{raw}' tidak sesuai dengan status PPPK: PPPK memakai golongan I sampai "
                "XVII (mis. IX), bukan golongan/ruang PNS."
            )
        raise CellError(f"Golongan PPPK '{raw}' tidak dikenal; gunakan I sampai XVII (mis. IX).")
    if pns_value is not None:
        return pns_value, ""
    if grade is not None:
        raise CellError(
            f"Golongan '{raw}' tidak sesuai dengan status {status}: PNS dan CPNS memakai "
            "golongan/ruang I/a sampai IV/e (mis. III/a)."
        )
    raise CellError(f"Golongan/ruang '{raw}' tidak dikenal; gunakan I/a sampai IV/e (mis. III/a).")


def parse_kind(value: Any) -> str:
    raw = _text(value)
    key = _norm_header(raw)
    if key not in _KINDS:
        raise CellError(
            f"Jenis jabatan '{raw}' tidak dikenal; gunakan Struktural, Fungsional atau Pelaksana."
        )
    return _KINDS[key]


def parse_kelas(value: Any) -> int:
    raw = _text(value)
    try:
        number = float(raw.replace(",", "."))
    except ValueError:
        number = None
    if number is None or not number.is_integer() or not 1 <= number <= 17:
        raise CellError(f"Kelas jabatan '{raw}' tidak valid; isi bilangan bulat 1 sampai 17.")
    return int(number)


_MONTH_NAMES = {m.lower(): i for i, m in enumerate(MONTHS_ID, start=1)}
_MONTH_NAMES.update(
    {m.lower()[:3]: i for i, m in enumerate(MONTHS_ID, start=1)}
    | {"agt": 8, "ags": 8, "sept": 9, "may": 5, "aug": 8, "oct": 10, "dec": 12}
)
_DATE_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]+)?$"), ("y", "m", "d")),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T][\d:.]+)?$"), ("d", "m", "y")),
)
_DATE_WORDS = re.compile(r"^(\d{1,2})[\s\-]+([A-Za-z]+)\.?[\s\-]+(\d{4})$")


def parse_date(value: Any) -> dt.date:
    """A date from a date cell, an Excel serial number or text: 2024-01-15, 15-01-2024, 15/01/2024,
    15.01.2024, 15 Januari 2024, 15 Jan 2024."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = _text(value)
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            if float(value).is_integer() and 1 <= value < 2958466:
                return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
        for pattern, order in _DATE_PATTERNS:
            m = pattern.match(raw)
            if m:
                parts = dict(zip(order, (int(g) for g in m.groups()), strict=True))
                return dt.date(parts["y"], parts["m"], parts["d"])
        m = _DATE_WORDS.match(raw)
        if m and m.group(2).lower() in _MONTH_NAMES:
            return dt.date(int(m.group(3)), _MONTH_NAMES[m.group(2).lower()], int(m.group(1)))
    except (ValueError, OverflowError):
        pass
    raise CellError(
        f"Tanggal '{raw}' tidak dapat dibaca; gunakan format TTTT-BB-HH atau HH-BB-TTTT, "
        "mis. 2024-01-15 atau 15-01-2024."
    )


def parse_nip_cell(value: Any) -> str:
    if isinstance(value, float):
        raise CellError(
            "NIP terbaca sebagai angka pecahan sehingga digitnya tidak utuh; format kolom NIP "
            "sebagai Teks lalu ketik ulang NIP-nya."
        )
    raw = _text(value).lstrip("'").replace(" ", "")
    if re.search(r"[eE]\+\d+$", raw):
        raise CellError(
            f"NIP tertulis dalam notasi ilmiah ({raw}) sehingga digitnya hilang; format kolom NIP "
            "sebagai Teks lalu ketik ulang NIP-nya."
        )
    return raw


_PHONE_RE = re.compile(r"^[0-9+\-() ]+$")


# ---------------------------------------------------------------------------------------------------
# The preview


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # the column label, "" when the row as a whole is meant
    message: str

    def __str__(self) -> str:
        where = f"Baris {self.row}" + (f", kolom {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class RowResult:
    row: int
    nip: str
    name: str
    action: str
    changes: list[str] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return ACTION_LABELS[self.action]


@dataclass
class ObjectChange:
    """A unit or position the import creates or changes."""

    kind: str  # "unit" | "jabatan"
    code: str
    name: str
    action: str
    changes: list[str] = field(default_factory=list)


@dataclass
class _UnitSpec:
    row: int
    code: str
    name: str
    parent_code: str | None  # None: the column is absent (keep what is stored)


@dataclass
class _PositionSpec:
    row: int
    code: str
    name: str
    kind: str
    kelas: int
    unit_code: str
    parent_code: str | None


@dataclass
class _EmployeeSpec:
    row: int
    nip: str
    fields: dict[str, str]
    position_code: str
    tmt: dt.date


@dataclass
class Plan:
    """What applying writes. Units and positions are referred to by code, employees by NIP, because new
    ones have no id until they are created."""

    unit_parent_column: bool
    position_parent_column: bool
    employee_fields: list[str]
    units_create: list[_UnitSpec] = field(default_factory=list)
    # (id, spec, the attributes that change: name, parent / name, kind, kelas, unit, parent)
    units_update: list[tuple[int, _UnitSpec, frozenset[str]]] = field(default_factory=list)
    positions_create: list[_PositionSpec] = field(default_factory=list)
    positions_update: list[tuple[int, _PositionSpec, frozenset[str]]] = field(default_factory=list)
    employees_create: list[_EmployeeSpec] = field(default_factory=list)
    # (id, spec, {field: new value} for the fields that change)
    employees_update: list[tuple[int, _EmployeeSpec, dict[str, str]]] = field(default_factory=list)
    # (assignment id, {"start"/"end": new value} for what changes)
    assignments_update: list[tuple[int, dict[str, dt.date | None]]] = field(default_factory=list)
    # (nip, position code, start)
    assignments_create: list[tuple[str, str, dt.date]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.units_create
            or self.units_update
            or self.positions_create
            or self.positions_update
            or self.employees_create
            or self.employees_update
            or self.assignments_update
            or self.assignments_create
        )

    def counts(self) -> dict[str, int]:
        return {
            "units_created": len(self.units_create),
            "units_updated": len(self.units_update),
            "positions_created": len(self.positions_create),
            "positions_updated": len(self.positions_update),
            "employees_created": len(self.employees_create),
            "employees_updated": len(self.employees_update),
            "assignments_created": len(self.assignments_create),
            "assignments_updated": len(self.assignments_update),
        }


@dataclass
class ImportPreview:
    file_name: str
    file_kind: str
    size: int
    sha256: str
    rows: list[RowResult]
    errors: list[RowError]
    object_changes: list[ObjectChange]
    ignored_headers: list[str]
    plan: Plan

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def row_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTION_LABELS, 0)
        for r in self.rows:
            counts[r.action] += 1
        return counts

    def summary(self, *, max_errors: int = 1000, max_rows: int = 1000) -> dict[str, Any]:
        """A JSON-able digest for the preview page (lists capped; the counts are complete)."""
        changed = [r for r in self.rows if r.action in (Action.CREATE, Action.UPDATE)]
        return {
            "file_name": self.file_name,
            "file_kind": self.file_kind,
            "size": self.size,
            "sha256": self.sha256,
            "row_total": len(self.rows),
            "row_counts": self.row_counts,
            "plan_counts": self.plan.counts(),
            "error_total": len(self.errors),
            "errors": [
                {"row": e.row, "column": e.column, "message": e.message}
                for e in self.errors[:max_errors]
            ],
            "changed_total": len(changed),
            "changed": [
                {
                    "row": r.row,
                    "nip": r.nip,
                    "name": r.name,
                    "action": r.action,
                    "changes": r.changes,
                }
                for r in changed[:max_rows]
            ],
            "object_changes": [
                {
                    "kind": o.kind,
                    "code": o.code,
                    "name": o.name,
                    "action": o.action,
                    "changes": o.changes,
                }
                for o in self.object_changes[:max_rows]
            ],
            "ignored_headers": self.ignored_headers,
        }


_EMPLOYEE_FIELD_LABELS = {
    "name": "nama",
    "front_title": "gelar depan",
    "back_title": "gelar belakang",
    "status": "status",
    "golongan": "golongan/ruang",
    "pppk_grade": "golongan PPPK",
    "npwp": "NPWP",
    "bank_name": "bank",
    "bank_account": "nomor rekening",
    "phone": "telepon",
    "email": "email",
}
# Which model fields each optional/required employee column fills.
_COLUMN_FIELDS = {
    "name": ("name",),
    "front_title": ("front_title",),
    "back_title": ("back_title",),
    "status": ("status",),
    "golongan": ("golongan", "pppk_grade"),
    "npwp": ("npwp",),
    "bank_name": ("bank_name",),
    "bank_account": ("bank_account",),
    "phone": ("phone",),
    "email": ("email",),
}
_VALIDATION_COLUMN = {
    "nip": "nip",
    "golongan": "golongan",
    "pppk_grade": "golongan",
    "npwp": "npwp",
    "bank_account": "bank_account",
}


@functools.cache
def _max_len(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _show(value: str) -> str:
    return f"'{value}'" if value else "(kosong)"


#: The employee fields of the file that say what TPP is paid on and where (org.services.PAY_FIELDS
#: among the columns): the importing officer's own record keeps them (OWN_PAY_REFUSED).
PAY_COLUMNS = frozenset({"status", "golongan", "pppk_grade", "npwp", "bank_name", "bank_account"})
#: The position attributes that pay or place a post (org.services.POSITION_BKPSDM_FIELDS among
#: the columns): a post the importing officer holds keeps them (OWN_POSITION_REFUSED).
POSITION_PAY_ATTRS = frozenset({"kind", "kelas", "unit", "parent"})
OWN_PAY_REFUSED = (
    "Baris ini mengubah data pembayaran akun Anda sendiri (status, golongan, NPWP atau rekening); "
    "data itu harus diubah oleh petugas BKPSDM lain."
)
OWN_POSITION_REFUSED = (
    "Baris ini mengubah kelas, jenis, unit atau atasan jabatan yang Anda duduki sendiri; "
    "perubahan itu harus dilakukan oleh petugas BKPSDM lain."
)
#: The row error for a row that records or changes a post of the importing officer's own record.
OWN_POST_REFUSED = (
    "Baris ini mencatat atau mengubah jabatan akun Anda sendiri; jabatan akun sendiri harus "
    "dicatat oleh petugas BKPSDM lain."
)


class _Builder:
    """Builds an ImportPreview from a Sheet and the instansi's stored data (four queries; five for
    an officer's import: the posts they hold)."""

    def __init__(self, instansi: Instansi, sheet: Sheet, actor: User | None = None):
        self.instansi = instansi
        self.actor_id = actor.pk if actor is not None else None
        self.sheet = sheet
        self.today = local_today(instansi)
        self.errors: list[RowError] = []
        self.error_rows: set[int] = set()
        self.units: dict[str, _UnitSpec] = {}
        self.positions: dict[str, _PositionSpec] = {}
        self.employees: list[_EmployeeSpec] = []
        self.vacancy_rows: list[tuple[int, str]] = []  # (row, position code)
        self.row_identity: dict[int, tuple[str, str]] = {}
        fields = [f for col in sheet.columns for f in _COLUMN_FIELDS.get(col, ())]
        self.plan = Plan(
            unit_parent_column="parent_unit_code" in sheet.columns,
            position_parent_column="parent_position_code" in sheet.columns,
            employee_fields=sorted(fields),
        )

    def error(self, row: int, column_key: str | None, message: str) -> None:
        self.errors.append(RowError(row, LABELS.get(column_key or "", ""), message))
        self.error_rows.add(row)

    # -- per row ------------------------------------------------------------------------------------

    def read_rows(self) -> None:
        for row in self.sheet.rows:
            self._read_row(row)

    def _cell(self, row: SheetRow, key: str) -> Any:
        return row.cells.get(key)

    def _required_text(self, row: SheetRow, key: str, max_length: int) -> str | None:
        value = _text(self._cell(row, key))
        if not value:
            self.error(row.number, key, f"{LABELS[key]} wajib diisi.")
            return None
        return self._length(row, key, value, max_length)

    def _length(self, row: SheetRow, key: str, value: str, max_length: int) -> str | None:
        if len(value) > max_length:
            self.error(row.number, key, f"Terlalu panjang: maksimal {max_length} karakter.")
            return None
        return value

    def _read_row(self, row: SheetRow) -> None:
        n = row.number
        nip_raw = _text(self._cell(row, "nip"))
        name_raw = _text(self._cell(row, "name"))
        self.row_identity[n] = (nip_raw, name_raw)
        person_keys = ("nip", "name", "status", "golongan", "tmt")
        is_vacancy = all(_blank(self._cell(row, k)) for k in person_keys)

        unit = self._read_unit(row)
        position = self._read_position(row)
        employee = None if is_vacancy else self._read_employee(row)
        if unit is not None:
            self._merge_unit(unit)
        if position is not None:
            self._merge_position(position)
        if is_vacancy:
            if position is not None:
                self.vacancy_rows.append((n, position.code))
        elif employee is not None and position is not None and n not in self.error_rows:
            self.employees.append(employee)

    def _read_unit(self, row: SheetRow) -> _UnitSpec | None:
        code = self._required_text(row, "unit_code", _max_len(Unit, "code"))
        name = self._required_text(row, "unit_name", _max_len(Unit, "name"))
        parent_code = None
        if self.plan.unit_parent_column:
            parent_code = self._length(
                row, "parent_unit_code", _text(self._cell(row, "parent_unit_code")), 40
            )
            if parent_code is None:
                return None
            if code and parent_code == code:
                self.error(
                    row.number,
                    "parent_unit_code",
                    "Unit tidak boleh menjadi induk dirinya sendiri.",
                )
                return None
        if code is None or name is None:
            return None
        return _UnitSpec(row.number, code, name, parent_code)

    def _read_position(self, row: SheetRow) -> _PositionSpec | None:
        n = row.number
        code = self._required_text(row, "position_code", _max_len(Position, "code"))
        name = self._required_text(row, "position_name", _max_len(Position, "name"))
        unit_code = _text(self._cell(row, "unit_code"))
        kind = kelas = None
        try:
            kind = parse_kind(self._cell(row, "position_kind"))
        except CellError as exc:
            self.error(n, "position_kind", str(exc))
        try:
            kelas = parse_kelas(self._cell(row, "kelas"))
        except CellError as exc:
            self.error(n, "kelas", str(exc))
        parent_code = None
        if self.plan.position_parent_column:
            parent_code = self._length(
                row, "parent_position_code", _text(self._cell(row, "parent_position_code")), 40
            )
            if parent_code is None:
                return None
            if code and parent_code == code:
                self.error(
                    n,
                    "parent_position_code",
                    "Kode Jabatan Atasan tidak boleh sama dengan Kode Jabatan (siklus).",
                )
                return None
        if None in (code, name, kind, kelas) or not unit_code:
            return None
        return _PositionSpec(n, code, name, kind, kelas, unit_code, parent_code)

    def _read_employee(self, row: SheetRow) -> _EmployeeSpec | None:
        n = row.number
        before = len(self.errors)
        values: dict[str, str] = {}
        nip = None
        try:
            nip = parse_nip_cell(self._cell(row, "nip"))
            if not nip:
                self.error(
                    n, "nip", "NIP wajib diisi (kosongkan juga Nama bila jabatan ini lowong)."
                )
                nip = None
        except CellError as exc:
            self.error(n, "nip", str(exc))
        name = self._required_text(row, "name", _max_len(Employee, "name"))
        if name is not None:
            values["name"] = name
        status = None
        try:
            status = parse_status(self._cell(row, "status"))
            values["status"] = status
        except CellError as exc:
            self.error(n, "status", str(exc))
        if status is not None:
            try:
                values["golongan"], values["pppk_grade"] = parse_golongan(
                    self._cell(row, "golongan"), status
                )
            except CellError as exc:
                self.error(n, "golongan", str(exc))
        tmt = None
        try:
            if _blank(self._cell(row, "tmt")):
                raise CellError("TMT Jabatan wajib diisi.")
            tmt = parse_date(self._cell(row, "tmt"))
            if not dt.date(1950, 1, 1) <= tmt <= self.today + dt.timedelta(days=366):
                self.error(
                    n,
                    "tmt",
                    f"TMT jabatan {tanggal(tmt)} di luar rentang wajar (1950 sampai setahun ke depan).",
                )
                tmt = None
        except CellError as exc:
            self.error(n, "tmt", str(exc))
        for key, model_field in (
            ("front_title", "front_title"),
            ("back_title", "back_title"),
            ("npwp", "npwp"),
            ("bank_name", "bank_name"),
            ("bank_account", "bank_account"),
            ("phone", "phone"),
            ("email", "email"),
        ):
            if key not in self.sheet.columns:
                continue
            value = _text(self._cell(row, key))
            if key == "bank_account":
                # Stored digits only, as employee_save stores it (the bank's file wants them).
                value = bank_account_normalize(value.lstrip("'"))
            checked = self._length(row, key, value, _max_len(Employee, model_field) or 254)
            if checked is None:
                continue
            if key == "email" and value:
                try:
                    validate_email(value)
                except ValidationError:
                    self.error(n, key, f"Alamat email '{value}' tidak valid.")
                    continue
            if key == "phone" and value and not _PHONE_RE.match(value):
                self.error(
                    n, key, "Nomor telepon hanya boleh berisi angka, spasi, +, - dan kurung."
                )
                continue
            values[model_field] = value
        if nip is not None and status is not None and "golongan" in values:
            # validate_employee reads these fields only; a model instance per row costs far more.
            candidate = SimpleNamespace(
                nip=nip,
                status=status,
                golongan=values["golongan"],
                pppk_grade=values["pppk_grade"],
                npwp=values.get("npwp", ""),
                bank_account=values.get("bank_account", ""),
            )
            try:
                validate_employee(candidate, today=self.today)
            except ValidationError as exc:
                for model_field, messages in exc.message_dict.items():
                    column = _VALIDATION_COLUMN.get(model_field, model_field)
                    for message in messages:
                        self.error(n, column, message)
        if len(self.errors) > before or nip is None or tmt is None:
            return None
        return _EmployeeSpec(n, nip, values, _text(self._cell(row, "position_code")), tmt)

    # -- across rows ------------------------------------------------------------------------------

    def _merge_unit(self, spec: _UnitSpec) -> None:
        first = self.units.get(spec.code)
        if first is None:
            self.units[spec.code] = spec
            return
        if first.name != spec.name:
            self.error(
                spec.row,
                "unit_name",
                f"Unit {spec.code} di baris {first.row} bernama '{first.name}', di sini '{spec.name}'; "
                "data unit yang sama harus sama di setiap baris.",
            )
        if first.parent_code != spec.parent_code:
            self.error(
                spec.row,
                "parent_unit_code",
                f"Unit {spec.code} di baris {first.row} berinduk {_show(first.parent_code or '')}, "
                f"di sini {_show(spec.parent_code or '')}; data unit yang sama harus sama.",
            )

    def _merge_position(self, spec: _PositionSpec) -> None:
        first = self.positions.get(spec.code)
        if first is None:
            self.positions[spec.code] = spec
            return
        for attr, key, label in (
            ("name", "position_name", "nama"),
            ("kind", "position_kind", "jenis"),
            ("kelas", "kelas", "kelas"),
            ("unit_code", "unit_code", "kode unit"),
            ("parent_code", "parent_position_code", "kode jabatan atasan"),
        ):
            a, b = getattr(first, attr), getattr(spec, attr)
            if a != b:
                self.error(
                    spec.row,
                    key,
                    f"Jabatan {spec.code} di baris {first.row} tertulis dengan {label} "
                    f"{_show(str(a or ''))}, di sini {_show(str(b or ''))}; setiap baris jabatan yang "
                    "sama harus berisi data jabatan yang sama.",
                )

    def check_duplicates(self) -> None:
        first_row: dict[str, int] = {}
        struktural_holder: dict[str, _EmployeeSpec] = {}
        kept: list[_EmployeeSpec] = []
        for spec in self.employees:
            if spec.nip in first_row:
                self.error(
                    spec.row, "nip", f"NIP {spec.nip} sudah ada di baris {first_row[spec.nip]}."
                )
                continue
            first_row[spec.nip] = spec.row
            position = self.positions.get(spec.position_code)
            if position is not None and position.kind == Position.Kind.STRUKTURAL:
                holder = struktural_holder.get(spec.position_code)
                if holder is not None:
                    self.error(
                        spec.row,
                        "position_code",
                        f"Jabatan struktural {spec.position_code} sudah dipegang secara definitif oleh "
                        f"NIP {holder.nip} (baris {holder.row}); satu jabatan struktural hanya untuk "
                        "satu pejabat definitif.",
                    )
                    continue
                struktural_holder[spec.position_code] = spec
            kept.append(spec)
        self.employees = kept

    # -- against the database -------------------------------------------------------------------

    def load(self) -> None:
        inst = self.instansi
        self.db_units = {
            u["code"]: u
            for u in Unit.objects.filter(instansi=inst).values("id", "code", "name", "parent_id")
        }
        self.unit_code_by_id = {u["id"]: code for code, u in self.db_units.items()}
        self.db_positions = {
            p["code"]: p
            for p in Position.objects.filter(instansi=inst).values(
                "id", "code", "name", "kind", "kelas", "unit_id", "parent_id"
            )
        }
        self.position_by_id = {p["id"]: p for p in self.db_positions.values()}
        self.db_employees = {e.nip: e for e in Employee.objects.filter(instansi=inst)}
        self.db_definitif: dict[int, list[dict]] = defaultdict(list)
        for a in (
            Assignment.objects.filter(instansi=inst, kind=Assignment.Kind.DEFINITIF)
            .values("id", "employee_id", "position_id", "start", "end")
            .order_by("start", "id")
        ):
            self.db_definitif[a["employee_id"]].append(a)
        # The posts the importing officer holds now or from a later date (any kind): one query,
        # only for an officer's import.
        self.own_positions: set[int] = set()
        if self.actor_id is not None:
            self.own_positions = set(
                Assignment.objects.filter(
                    Q(end__isnull=True) | Q(end__gte=self.today),
                    instansi=inst,
                    employee__user_id=self.actor_id,
                ).values_list("position_id", flat=True)
            )

    def _unit_parent_code(self, code: str) -> str | None:
        spec = self.units.get(code)
        if spec is not None and spec.parent_code is not None:
            return spec.parent_code or None
        stored = self.db_units.get(code)
        return self.unit_code_by_id.get(stored["parent_id"]) if stored else None

    def _position_parent_code(self, code: str) -> str | None:
        spec = self.positions.get(code)
        if spec is not None and spec.parent_code is not None:
            return spec.parent_code or None
        stored = self.db_positions.get(code)
        if not stored or stored["parent_id"] is None:
            return None
        return self.position_by_id[stored["parent_id"]]["code"]

    def _check_tree(self, specs: dict, known: dict, parent_of, column: str, label: str) -> None:
        for code, spec in specs.items():
            if spec.parent_code and spec.parent_code not in specs and spec.parent_code not in known:
                self.error(
                    spec.row,
                    column,
                    f"{label} induk/atasan '{spec.parent_code}' tidak ada di berkas ini maupun di data "
                    "yang sudah tercatat.",
                )
                continue
            path = [code]
            node = parent_of(code)
            while node is not None and node not in path and len(path) <= len(specs) + len(known):
                path.append(node)
                node = parent_of(node)
            if node == code:
                self.error(
                    spec.row,
                    column,
                    f"{label} atasan membentuk siklus: {' → '.join([*path, code])}.",
                )

    def check_trees(self) -> None:
        self._check_tree(
            self.units, self.db_units, self._unit_parent_code, "parent_unit_code", "Unit"
        )
        self._check_tree(
            self.positions,
            self.db_positions,
            self._position_parent_code,
            "parent_position_code",
            "Jabatan",
        )

    def plan_units_and_positions(self) -> list[ObjectChange]:
        changes: list[ObjectChange] = []
        for code, spec in self.units.items():
            stored = self.db_units.get(code)
            if stored is None:
                self.plan.units_create.append(spec)
                changes.append(ObjectChange("unit", code, spec.name, Action.CREATE, ["unit baru"]))
                continue
            diff, attrs = [], set()
            if stored["name"] != spec.name:
                diff.append(f"nama: {_show(stored['name'])} → {_show(spec.name)}")
                attrs.add("name")
            if spec.parent_code is not None:
                old = self.unit_code_by_id.get(stored["parent_id"]) or ""
                if old != spec.parent_code:
                    diff.append(f"unit induk: {_show(old)} → {_show(spec.parent_code)}")
                    attrs.add("parent")
            if diff:
                self.plan.units_update.append((stored["id"], spec, frozenset(attrs)))
                changes.append(ObjectChange("unit", code, spec.name, Action.UPDATE, diff))
        for code, spec in self.positions.items():
            stored = self.db_positions.get(code)
            if stored is None:
                self.plan.positions_create.append(spec)
                changes.append(
                    ObjectChange("jabatan", code, spec.name, Action.CREATE, ["jabatan baru"])
                )
                continue
            diff, attrs = [], set()
            if stored["name"] != spec.name:
                diff.append(f"nama: {_show(stored['name'])} → {_show(spec.name)}")
                attrs.add("name")
            if stored["kind"] != spec.kind:
                diff.append(f"jenis: {stored['kind']} → {spec.kind}")
                attrs.add("kind")
            if stored["kelas"] != spec.kelas:
                diff.append(f"kelas: {stored['kelas']} → {spec.kelas}")
                attrs.add("kelas")
            old_unit = self.unit_code_by_id.get(stored["unit_id"], "")
            if old_unit != spec.unit_code:
                diff.append(f"unit: {_show(old_unit)} → {_show(spec.unit_code)}")
                attrs.add("unit")
            if spec.parent_code is not None:
                parent = self.position_by_id.get(stored["parent_id"])
                old = parent["code"] if parent else ""
                if old != spec.parent_code:
                    diff.append(f"jabatan atasan: {_show(old)} → {_show(spec.parent_code)}")
                    attrs.add("parent")
            if attrs & POSITION_PAY_ATTRS and stored["id"] in self.own_positions:
                self.error(spec.row, "kelas", OWN_POSITION_REFUSED)
                continue
            if diff:
                self.plan.positions_update.append((stored["id"], spec, frozenset(attrs)))
                changes.append(ObjectChange("jabatan", code, spec.name, Action.UPDATE, diff))
        return changes

    def _position_name(self, position_id: int) -> str:
        return self.position_by_id[position_id]["name"]

    def _struktural_clash(self, spec: _EmployeeSpec, employee_id: int | None) -> str | None:
        """Why a new definitif post from spec.tmt in a struktural position is refused: another
        employee's stored definitif post there reaches that day, and this file does not move them
        out before it (as services.assignment_save: one definitif holder of a struktural post)."""
        position = self.positions[spec.position_code]
        target = self.db_positions.get(spec.position_code)
        if position.kind != Position.Kind.STRUKTURAL or target is None:
            return None
        if not hasattr(self, "_file_posts"):  # once per preview, in memory
            self._file_posts = {s.nip: (s.position_code, s.tmt) for s in self.employees}
            self._nip_by_id = {e.id: nip for nip, e in self.db_employees.items()}
            self._holders: dict[int, list[dict]] = defaultdict(list)
            for posts in self.db_definitif.values():
                for a in posts:
                    self._holders[a["position_id"]].append(a)
        for a in self._holders.get(target["id"], ()):
            holder_id = a["employee_id"]
            if holder_id == employee_id or (a["end"] is not None and a["end"] < spec.tmt):
                continue
            nip = self._nip_by_id.get(holder_id, "")
            moved = self._file_posts.get(nip)
            if moved is not None and moved[0] != spec.position_code and moved[1] <= spec.tmt:
                continue  # this file ends their post the day before their new one
            until = tanggal(a["end"]) if a["end"] else "sekarang"
            return (
                f"Jabatan struktural {spec.position_code} dipegang secara definitif oleh NIP "
                f"{nip} ({tanggal(a['start'])} s.d. {until}); satu jabatan struktural hanya untuk "
                "satu pejabat definitif. Cantumkan jabatan baru pejabat itu di berkas ini atau "
                "akhiri dulu penempatannya."
            )
        return None

    def plan_employee(self, spec: _EmployeeSpec) -> RowResult:
        stored = self.db_employees.get(spec.nip)
        result = RowResult(spec.row, spec.nip, spec.fields.get("name", ""), Action.UNCHANGED)
        position = self.positions[spec.position_code]
        target_id = (self.db_positions.get(spec.position_code) or {}).get("id")
        history = self.db_definitif.get(stored.id, []) if stored is not None else []
        if not history or history[-1]["position_id"] != target_id:  # a new definitif post
            clash = self._struktural_clash(spec, stored.id if stored is not None else None)
            if clash:
                self.error(spec.row, "position_code", clash)
                result.action = Action.ERROR
                return result
        if stored is None:
            result.action = Action.CREATE
            result.changes = [
                "pegawai baru",
                f"jabatan definitif {position.name} mulai {tanggal(spec.tmt)}",
            ]
            self.plan.employees_create.append(spec)
            self.plan.assignments_create.append((spec.nip, spec.position_code, spec.tmt))
            return result
        diff, changed = [], {}
        for name in self.plan.employee_fields:
            old, new = getattr(stored, name) or "", spec.fields.get(name, "")
            if old != new:
                diff.append(f"{_EMPLOYEE_FIELD_LABELS[name]}: {_show(old)} → {_show(new)}")
                changed[name] = new
        own_pay = [
            f
            for f in changed
            if f in PAY_COLUMNS and self.actor_id is not None and stored.user_id == self.actor_id
        ]
        if own_pay:
            column = next(c for c, fs in _COLUMN_FIELDS.items() if own_pay[0] in fs)
            self.error(spec.row, column, OWN_PAY_REFUSED)
            result.action = Action.ERROR
            return result
        planned = (len(self.plan.assignments_update), len(self.plan.assignments_create))
        assignment_diff = self._plan_assignment(spec, stored, target_id, position)
        if assignment_diff is None:  # refused
            result.action = Action.ERROR
            return result
        if assignment_diff and self.actor_id is not None and stored.user_id == self.actor_id:
            # Their own post: taken back out of the plan, refused as a row error.
            del self.plan.assignments_update[planned[0] :]
            del self.plan.assignments_create[planned[1] :]
            self.error(spec.row, "position_code", OWN_POST_REFUSED)
            result.action = Action.ERROR
            return result
        if changed:
            self.plan.employees_update.append((stored.id, spec, changed))
        diff += assignment_diff
        if diff:
            result.action = Action.UPDATE
            result.changes = diff
        return result

    def _plan_assignment(
        self, spec: _EmployeeSpec, stored: Employee, target_id: int | None, position: _PositionSpec
    ) -> list[str] | None:
        history = self.db_definitif.get(stored.id, [])
        latest = history[-1] if history else None
        tmt = spec.tmt
        if latest is not None and latest["position_id"] == target_id:
            if latest["start"] == tmt and latest["end"] is None:
                return []
            # Same position: the file corrects the TMT (or reopens an assignment recorded as ended).
            for other in history[:-1]:
                if other["end"] is None or other["end"] >= tmt:
                    until = tanggal(other["end"]) if other["end"] else "sekarang"
                    self.error(
                        spec.row,
                        "tmt",
                        f"TMT jabatan {tanggal(tmt)} tumpang tindih dengan jabatan definitif "
                        f"{self._position_name(other['position_id'])} "
                        f"({tanggal(other['start'])} s.d. {until}).",
                    )
                    return None
            fix: dict[str, dt.date | None] = {}
            if latest["start"] != tmt:
                fix["start"] = tmt
            if latest["end"] is not None:
                fix["end"] = None
            self.plan.assignments_update.append((latest["id"], fix))
            changes = []
            if latest["start"] != tmt:
                changes.append(
                    f"TMT jabatan {position.name}: {tanggal(latest['start'])} → {tanggal(tmt)}"
                )
            if latest["end"] is not None:
                changes.append(
                    f"jabatan {position.name} yang tercatat berakhir {tanggal(latest['end'])} "
                    "dibuka kembali"
                )
            return changes
        if latest is not None and latest["start"] >= tmt:
            self.error(
                spec.row,
                "tmt",
                f"TMT jabatan {tanggal(tmt)} harus sesudah TMT jabatan definitif yang tercatat "
                f"({self._position_name(latest['position_id'])} mulai {tanggal(latest['start'])}); "
                "penempatan definitif tidak boleh tumpang tindih.",
            )
            return None
        changes = []
        if latest is not None and (latest["end"] is None or latest["end"] >= tmt):
            new_end = tmt - dt.timedelta(days=1)
            self.plan.assignments_update.append((latest["id"], {"end": new_end}))
            changes.append(
                f"jabatan {self._position_name(latest['position_id'])} berakhir {tanggal(new_end)}"
            )
        self.plan.assignments_create.append((spec.nip, spec.position_code, tmt))
        changes.insert(0, f"jabatan definitif baru: {position.name} mulai {tanggal(tmt)}")
        return changes

    def build(self) -> ImportPreview:
        self.read_rows()
        self.check_duplicates()
        self.load()
        self.check_trees()
        object_changes = self.plan_units_and_positions()
        object_action = {(o.kind, o.code): o for o in object_changes}
        results: dict[int, RowResult] = {}
        for spec in self.employees:
            if spec.row not in self.error_rows:
                results[spec.row] = self.plan_employee(spec)
        defining_row = {spec.row: code for code, spec in self.positions.items()}
        for row, code in self.vacancy_rows:
            change = object_action.get(("jabatan", code)) if defining_row.get(row) == code else None
            results[row] = RowResult(
                row,
                "",
                f"(lowong) {self.positions[code].name}" if code in self.positions else "(lowong)",
                change.action if change else Action.UNCHANGED,
                list(change.changes) if change else [],
            )
        rows = []
        for sheet_row in self.sheet.rows:
            n = sheet_row.number
            if n in self.error_rows:
                nip, name = self.row_identity.get(n, ("", ""))
                rows.append(RowResult(n, nip, name, Action.ERROR))
            else:
                rows.append(results[n])
        order = {c.label: i for i, c in enumerate(COLUMNS)}
        self.errors.sort(key=lambda e: (e.row, order.get(e.column, -1)))
        return ImportPreview(
            file_name=self.sheet.name,
            file_kind=self.sheet.kind,
            size=self.sheet.size,
            sha256=self.sheet.sha256,
            rows=rows,
            errors=self.errors,
            object_changes=object_changes,
            ignored_headers=self.sheet.ignored_headers,
            plan=self.plan,
        )


def preview_sheet(*, instansi: Instansi, sheet: Sheet, actor: User | None = None) -> ImportPreview:
    return _Builder(instansi, sheet, actor).build()


def import_preview(
    *, instansi: Instansi, file: Any, name: str | None = None, actor: User | None = None
) -> ImportPreview:
    """What importing `file` into `instansi` would do, row by row, without writing anything.
    `actor`: the officer who would apply it (a row changing their own post is an error).

    Raises ImportFileError when the file as a whole is unusable; row problems are in `.errors`."""
    return preview_sheet(instansi=instansi, sheet=parse(file, name), actor=actor)


# ---------------------------------------------------------------------------------------------------
# The template


def template_workbook() -> bytes:
    """An xlsx with the header row, one example row and a sheet explaining each column."""
    out = io.BytesIO()
    book = spreadsheets.workbook(out)
    bold = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True})
    text = book.add_format({"num_format": "@"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet("Pegawai")
    for col, column in enumerate(COLUMNS):
        sheet.write_string(0, col, column.label, bold)
        width = max(len(column.label), len(str(column.example))) + 2
        if column.key == "tmt":
            sheet.set_column(col, col, 14, date)
            sheet.write_datetime(1, col, dt.datetime.combine(column.example, dt.time()), date)
        elif column.key == "kelas":
            sheet.set_column(col, col, width)
            sheet.write_number(1, col, column.example)
        else:
            # Text format keeps NIP, account numbers and codes from being turned into numbers.
            sheet.set_column(col, col, min(width, 40), text)
            sheet.write_string(1, col, str(column.example), text)
    sheet.freeze_panes(1, 0)
    notes = book.add_worksheet("Petunjuk")
    notes.set_column(0, 0, 24)
    notes.set_column(1, 1, 10)
    notes.set_column(2, 2, 90)
    for col, title in enumerate(("Kolom", "Wajib", "Keterangan")):
        notes.write_string(0, col, title, bold)
    for i, column in enumerate(COLUMNS, start=1):
        notes.write_string(i, 0, column.label)
        notes.write_string(i, 1, "ya" if column.required else "tidak")
        aliases = (
            f" Nama lain yang dikenali: {', '.join(column.aliases)}." if column.aliases else ""
        )
        notes.write_string(i, 2, f"{column.help}{aliases}".strip())
    tail = len(COLUMNS) + 2
    for offset, line in enumerate(
        (
            "Satu baris untuk satu pegawai. Lembar pertama yang dibaca; baris judul boleh didahului judul tabel.",
            "Baris dengan NIP dan Nama kosong dibaca sebagai jabatan lowong (hanya unit dan jabatan).",
            "Kolom tidak wajib yang dihapus dari berkas tidak mengubah data yang sudah tercatat.",
            "Pegawai yang tidak ada di berkas tidak diubah maupun dihapus.",
            f"Ukuran berkas maksimal {MAX_BYTES // (1024 * 1024)} MB dan {MAX_ROWS:,} baris.".replace(
                ",", "."
            ),
        )
    ):
        notes.write_string(tail + offset, 0, line)
    book.close()
    return out.getvalue()
