"""Reading the exports of fingerprint software: CSV, XLSX and ZKTeco attlog .dat, each line a PIN or
NIP and a date-time. Pure: bytes in, parsed lines and line-numbered errors out; no ORM."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ekinerja.core.gcpause import gc_paused

_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})[ T]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$")
_YMD_LOOSE = re.compile(
    r"^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})[ T]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$"
)
_DAT_LINE = re.compile(r"^\s*(\S+)\s+(\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(?::\d{2})?)")

# In order of preference: a "No" column is usually just a row counter, so it comes last.
IDENT_HEADERS = [
    "pin",
    "nip",
    "acno",
    "userid",
    "enrollnumber",
    "enrollno",
    "enno",  # ZKTeco / Solution GLG_001.TXT (USB download)
    "badgenumber",
    "noabsen",
    "idpegawai",
    "nik",
    "noid",
    "id",
    "nomor",
    "no",
]
DATETIME_HEADERS = {
    "datetime",
    "waktu",
    "tanggaljam",
    "tanggalwaktu",
    "checktime",
    "scantime",
    "timestamp",
    "waktuscan",
    "jamabsen",
    "attendancetime",
}
DATE_HEADERS = {"tanggal", "date", "tgl", "tanggalscan", "scandate"}
TIME_HEADERS = {"jam", "time", "pukul", "jamscan"}


#: How many non-empty rows before the header line a file may hold: the report title, the period, the
#: unit (an Excel export's merged title cells, "sep=;" of a CSV saved for Excel).
HEADER_SCAN_ROWS = 15
#: Digits a float (an Excel number cell) holds exactly: an 18-digit NIP stored as a number has lost
#: its last digits (Excel keeps 15), and might end on another employee's NIP.
_FLOAT_EXACT = 10**15
_SCIENTIFIC = re.compile(r"^\d(?:[.,]\d+)?[eE]\+\d+$")
NUMERIC_IDENT = (
    "PIN/NIP {} tersimpan sebagai angka di Excel, sehingga digit terakhirnya hilang; format "
    "kolom PIN/NIP sebagai Teks lalu ekspor ulang berkasnya."
)
DATETIME_UNREADABLE = (
    "Tanggal/jam tidak dapat dibaca: '{}' (kolom {}); tulis tanggal-bulan-tahun dan jam 24 jam, "
    "mis. 01/10/2026 07:41 atau 2026-10-01 07:41:00."
)


#: How the dates "nn/nn/yyyy" of a file are read: day first (Indonesia) or month first (US
#: software, Excel in an English locale).
DAY_FIRST, MONTH_FIRST = "dmy", "mdy"


@dataclass
class SlashDates:
    """What the dates written nn/nn/yyyy of a file allow: read day first or month first (whether a
    first number above 12 rules one out) and the span of the file either way, so that a file whose
    every such date reads both ways is not silently read day first."""

    count: int = 0
    first_above_12: bool = False
    second_above_12: bool = False
    differ: bool = False  # some date whose two numbers differ (01/10 is not 10/01)
    spans: dict = field(default_factory=dict)  # reading -> [first date, last date] (readable ones)

    def add(self, a: int, b: int, year: int) -> None:
        self.count += 1
        if a > 12:
            self.first_above_12 = True
        if b > 12:
            self.second_above_12 = True
        if a != b:
            self.differ = True
        for reading, (day, month) in ((DAY_FIRST, (a, b)), (MONTH_FIRST, (b, a))):
            try:
                d = dt.date(year, month, day)
            except ValueError:
                continue
            span = self.spans.get(reading)
            if span is None:
                self.spans[reading] = [d, d]
            elif d < span[0]:
                span[0] = d
            elif d > span[1]:
                span[1] = d


@dataclass
class DateOrderQuestion:
    """A file whose dates read both ways (every first number 12 or less): the reading the span of
    the file makes likelier, and the file's first and last date under each (None: unreadable)."""

    guess: str
    spans: dict


@dataclass
class Parsed:
    rows: list[tuple[int, str, dt.datetime]] = field(default_factory=list)  # (line, ident, naive)
    errors: list[tuple[int, str]] = field(default_factory=list)
    total_lines: int = 0
    ident_kind: str = "pin"  # "pin" or "nip": what the identifier column holds
    date_order: str = DAY_FIRST  # how nn/nn/yyyy dates are read
    slash_dates: SlashDates = field(default_factory=SlashDates)
    # Set by parse_file(date_order=None) when the file's dates read both ways: nothing should be
    # imported until the user says which.
    date_question: DateOrderQuestion | None = None


def parse_datetime(
    text: str, order: str = DAY_FIRST, seen: SlashDates | None = None
) -> dt.datetime:
    """A local date-time as fingerprint software writes it: 2026-10-01 07:41:00, 2026-10-01T07:41,
    01/10/2026 07:41(:00), 01-10-2026 07.41 (day first, as in Indonesia; month first with
    `order` MONTH_FIRST). `seen` collects the numbers of nn/nn/yyyy dates. Raises ValueError."""
    text = text.strip()
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        m = _DMY.match(text)
        if m:
            d, mo, y, h, mi, s = m.groups()
            if seen is not None:
                seen.add(int(d), int(mo), int(y))
            if order == MONTH_FIRST:
                d, mo = mo, d
        else:
            m = _YMD_LOOSE.match(text)
            if not m:
                raise ValueError(text) from None
            y, mo, d, h, mi, s = m.groups()
        value = dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
    if len(text) < 12:  # a bare date has no time of day
        raise ValueError(text)
    if value.tzinfo is not None:
        raise ValueError(text)  # a zone in the file is not what the device software writes
    return value


def _norm(header: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(header or "").lower())


def _columns(header: list) -> tuple | str:
    """(ident column, datetime column or None, (date column, time column)...) from a header row;
    an error message when not recognisable."""
    names = [_norm(h) for h in header]
    ident = next((names.index(h) for h in IDENT_HEADERS if h in names), None)
    when = next((i for i, n in enumerate(names) if n in DATETIME_HEADERS), None)
    day = next((i for i, n in enumerate(names) if n in DATE_HEADERS), None)
    tod = next((i for i, n in enumerate(names) if n in TIME_HEADERS), None)
    if ident is None:
        return "Kolom PIN/NIP tidak ditemukan di baris judul."
    if when is None and (day is None or tod is None):
        if day is not None and tod is None:
            when, day = day, None  # a "Tanggal" column holding date and time
        elif tod is not None and day is None:
            when, tod = tod, None  # a "Time" column holding date and time (ZKTeco Att2000)
        else:
            return "Kolom tanggal dan jam tidak ditemukan di baris judul."
    kind = "nip" if names[ident] in ("nip", "nik") else "pin"
    return ident, when, (day, tod), kind


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _looks_like_data(row: list) -> bool:
    """A row holding a date-time cell: a data line, not a title above the header."""
    for cell in row:
        if isinstance(cell, dt.datetime | dt.date):
            return True
        text = cell_text(cell)
        if len(text) >= 12:
            try:
                parse_datetime(text)
            except ValueError:
                continue
            return True
    return False


def _tabular(rows: Iterator[tuple[int, list]], out: Parsed, fast: bool = False) -> Parsed:
    """Rows of cells with a header line. `fast`: every cell is a str (CSV). The header may follow a
    few title rows (HEADER_SCAN_ROWS: "LAPORAN ABSENSI", the period, a merged title of an Excel
    export), which are not data lines; a row holding a date-time before any header is not a title
    (a file without a header), and the file is refused at its first line."""
    header = None
    names: list[str] = []
    first_error: tuple[int, str] | None = None
    scanned = 0
    fromiso = dt.datetime.fromisoformat
    for line_no, row in rows:
        if not row or (
            len(row) == 1 and not row[0].strip() if fast else not any(cell_text(c) for c in row)
        ):
            continue
        if header is None:
            found = _columns(row)
            if isinstance(found, str):
                first_error = first_error or (line_no, found)
                scanned += 1
                if scanned >= HEADER_SCAN_ROWS or _looks_like_data(row):
                    out.total_lines += 1
                    out.errors.append(first_error)
                    return out
                continue
            header = found
            names = [cell_text(c) for c in row]
            out.ident_kind = header[3]
            continue
        out.total_lines += 1
        ident_col, when_col, (day_col, tod_col), _kind = header
        if when_col is not None and fast:
            # The common case, plain text cells "PIN,2026-10-01 07:41:00": no per-cell conversions.
            try:
                ident = row[ident_col].strip()
                when = fromiso(row[when_col].strip())
            except (ValueError, IndexError, AttributeError):
                pass
            else:
                if (
                    ident
                    and "+" not in ident
                    and when.tzinfo is None
                    and (when.hour or when.minute or when.second or len(row[when_col].strip()) > 10)
                ):
                    out.rows.append(
                        (line_no, ident, when.replace(microsecond=0) if when.microsecond else when)
                    )
                    continue
        try:
            raw_ident = row[ident_col]
        except IndexError:
            raw_ident = None
        ident = cell_text(raw_ident)
        if not ident:
            out.errors.append((line_no, "PIN/NIP kosong."))
            continue
        if (isinstance(raw_ident, float) and abs(raw_ident) >= _FLOAT_EXACT) or _SCIENTIFIC.match(
            ident
        ):
            # Excel turned the NIP into a number and dropped its last digits: which employee it
            # was can no longer be told (rounded, it may even be another employee's NIP).
            out.errors.append((line_no, NUMERIC_IDENT.format(ident)))
            continue
        shown, column = "", ""
        try:
            if when_col is not None:
                column = names[when_col] if when_col < len(names) else ""
                raw = row[when_col]
                shown = cell_text(raw)
                when = (
                    raw
                    if isinstance(raw, dt.datetime)
                    else parse_datetime(shown, out.date_order, out.slash_dates)
                )
            else:
                column = " + ".join(names[c] for c in (day_col, tod_col) if c < len(names))
                d, t = row[day_col], row[tod_col]
                if isinstance(d, dt.datetime):
                    d = d.date()
                if isinstance(t, dt.datetime):
                    t = t.time()
                if isinstance(d, dt.date) and isinstance(t, dt.time):
                    when = dt.datetime.combine(d, t)
                else:
                    d_text = d.isoformat() if isinstance(d, dt.date) else cell_text(d)
                    t_text = t.isoformat() if isinstance(t, dt.time) else cell_text(t)
                    shown = f"{d_text} {t_text}".strip()
                    when = _date_and_time(d_text, t_text, out)
        except (ValueError, IndexError, TypeError):
            out.errors.append((line_no, _unreadable(shown, column)))
            continue
        if when.tzinfo is not None:
            out.errors.append((line_no, _unreadable(shown or str(when), column)))
            continue
        out.rows.append((line_no, ident, when.replace(microsecond=0)))
    if header is None:
        out.errors.append(first_error or (1, "Berkas kosong."))
    return out


def _date_and_time(d_text: str, t_text: str, out: Parsed) -> dt.datetime:
    """A date column and a time column. The date column may hold the whole date-time itself
    (Fingerspot's "Tanggal scan" beside its own "Jam"): taken when the time column is empty or
    says the same time of day."""
    try:
        return parse_datetime(f"{d_text} {t_text}", out.date_order, out.slash_dates)
    except ValueError:
        if len(d_text) < 12:
            raise
        # ValueError when the date column is no date-time either
        when = parse_datetime(d_text, out.date_order, out.slash_dates)
        if t_text:
            own = parse_datetime(f"{when.date().isoformat()} {t_text}")
            if own.replace(second=0) != when.replace(second=0):
                raise ValueError(t_text) from None
        return when


def _unreadable(shown: str, column: str) -> str:
    if len(shown) > 40:
        shown = shown[:40] + "..."
    return DATETIME_UNREADABLE.format(shown, column or "tanggal/jam")


def _decode(data: bytes) -> str:
    # Excel's "Unicode text" and some fingerprint software write UTF-16 (with its byte order mark,
    # or recognisable by a NUL byte beside every ASCII character).
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif len(data) >= 4 and data[1:4:2] == b"\0\0" and data[0:4:2] != b"\0\0":
        try:
            return data.decode("utf-16-le")
        except UnicodeDecodeError:
            pass
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _csv_rows(reader, out: Parsed) -> Iterator[tuple[int, list]]:
    """The reader's rows with their line numbers; a line the csv module cannot read ends the file
    with that line's error (the file is refused, not a server error)."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            out.errors.append((reader.line_num, f"Baris CSV tidak dapat dibaca ({exc})."))
            return
        yield reader.line_num, row


def parse_dat(text: str, out: Parsed | None = None) -> Parsed:
    """ZKTeco attlog: `PIN<TAB>YYYY-MM-DD HH:MM:SS<TAB>status<TAB>verify...`, one punch a line, no
    header. Also what devices send in an ADMS ATTLOG push."""
    out = out or Parsed()
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        out.total_lines += 1
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].strip():
            ident, stamp = parts[0].strip(), parts[1].strip()
        else:
            m = _DAT_LINE.match(line)
            if not m:
                out.errors.append((line_no, "Baris tidak berformat 'PIN<tab>tanggal jam'."))
                continue
            ident, stamp = m.group(1), m.group(2)
        try:
            when = parse_datetime(stamp, out.date_order, out.slash_dates)
        except ValueError:
            out.errors.append((line_no, "Tanggal/jam tidak dapat dibaca."))
            continue
        out.rows.append((line_no, ident, when))
    return out


def _text_header(text: str) -> tuple[str, str] | None:
    """A .txt/.dat that is a table with a header line rather than a bare attlog: an export of the
    machine software, such as ZKTeco/Solution GLG_001.TXT (tab-separated "No, Mchn, EnNo, Name,
    Mode, IOMd, DateTime", whose header has empty columns the data lines do not have). The text to
    read as a table (the header's empty columns dropped, line numbers kept) and its delimiter, or
    None."""
    head, sep, rest = text.partition("\n")
    skipped = 0
    while not head.strip() and sep:
        skipped += 1
        head, sep, rest = rest.partition("\n")
    head = head.rstrip("\r")
    for delimiter in ("\t", ";", ","):
        cells = head.split(delimiter)
        if len(cells) < 2 or not isinstance(_columns(cells), tuple):
            continue
        if delimiter == "\t":
            cells = [c for c in cells if c.strip()]
        return "\n" * skipped + delimiter.join(cells) + sep + rest, delimiter
    return None


def _header_delimiter(text: str) -> str | None:
    """The delimiter that splits one of the first lines into a recognisable header (the sniffer,
    misled by title lines above it, took a comma in "Laporan Absensi; Periode ..."), or None."""
    lines = (line for line in text[:8192].splitlines() if line.strip())
    for _n, line in zip(range(HEADER_SCAN_ROWS), lines, strict=False):
        for delimiter in (",", ";", "\t", "|"):
            cells = [c.strip().strip('"') for c in line.split(delimiter)]
            if len(cells) > 1 and isinstance(_columns(cells), tuple):
                return delimiter
    return None


def _parse_delimited(text: str, out: Parsed, delimiter: str | None = None) -> Parsed:
    """A delimited table (CSV, or a .txt export with a header): the delimiter given, named by
    Excel's "sep=;" first line, or sniffed among , ; tab and |."""
    sep_line = re.match(r"\ufeff?sep=(.)[ \t]*\r?\n", text)
    if delimiter is not None:
        dialect = type("Given", (csv.excel,), {"delimiter": delimiter})
    elif sep_line:
        # The line stays as an empty one, so line numbers are those of the file.
        delimiter = sep_line.group(1)
        text = "\n" + text[sep_line.end() :]
        dialect = type("SepDialect", (csv.excel,), {"delimiter": delimiter})
    elif (found := _header_delimiter(text)) is not None:
        dialect = type("Header", (csv.excel,), {"delimiter": found})
    else:
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
    if '"' not in text and "\r\n" in text:
        text = text.replace("\r\n", "\n")
    if '"' not in text and "\r" not in text:
        # No quoting: splitting is what the csv module would do, at twice the speed.
        sep = dialect.delimiter
        rows = ((n, line.split(sep)) for n, line in enumerate(text.split("\n"), start=1))
        return _tabular(rows, out, fast=True)
    # newline="": the csv module reads \r, \n and \r\n line ends itself (a file with \r alone
    # raised "new-line character seen in unquoted field", a server error).
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    _tabular(_csv_rows(reader, out), out, fast=True)
    return out


def parse_file(name: str, data: bytes, date_order: str | None = DAY_FIRST) -> Parsed:
    """Parse an export by its extension (.csv, .xlsx, .dat/.txt). Dates nn/nn/yyyy are read as
    `date_order` says; None: day first when the file shows it (a first number above 12) or when
    it makes no difference, and otherwise `date_question` is set (a month-first export covering
    only days 1-12 was read day first, its punches filed under other months)."""
    # A million small tuples would set off the cyclic garbage collector again and again; they hold
    # no cycles, so it is paused while parsing.
    with gc_paused():
        out = _parse_file(name, data, Parsed(date_order=date_order or DAY_FIRST))
    if date_order is None:
        out.date_question = _date_question(out.slash_dates)
    return out


def _date_question(seen: SlashDates) -> DateOrderQuestion | None:
    """None when the file's nn/nn/yyyy dates read one way only (or alike both ways); otherwise
    the question, with a guess: month first when a second number is above 12, else the reading
    whose first and last dates lie closer together (an export covers days or weeks, not the
    twelve months 01/10, 02/10 ... 12/10 read day first make of 1-12 October), day first on a
    tie."""
    if not seen.differ or seen.first_above_12:
        return None  # a first number above 12: day first (as before; a mixed file errs)
    spans = {r: tuple(seen.spans[r]) if r in seen.spans else None for r in (DAY_FIRST, MONTH_FIRST)}
    if seen.second_above_12:
        guess = MONTH_FIRST
    else:
        width = {r: (s[1] - s[0]).days for r, s in spans.items() if s is not None}
        guess = (
            MONTH_FIRST
            if width.get(MONTH_FIRST, 10**6) < width.get(DAY_FIRST, 10**6)
            else DAY_FIRST
        )
    return DateOrderQuestion(guess, spans)


def _parse_file(name: str, data: bytes, out: Parsed) -> Parsed:
    lower = name.lower()
    if lower.endswith(".xlsx"):
        from ekinerja.core.spreadsheets import XlsxRejected, xlsx_check

        try:
            xlsx_check(data)  # a small file may unpack to gigabytes (a zip bomb)
        except XlsxRejected as exc:
            out.errors.append((1, exc.messages[0]))
            return out
        try:
            import openpyxl

            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any corrupt workbook is one error for the user
            out.errors.append((1, "Berkas XLSX rusak atau bukan XLSX."))
            return out
        ws = wb.worksheets[0]
        rows = ((i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), start=1))
        result = _tabular(rows, out)
        wb.close()
        return result
    text = _decode(data)
    if lower.endswith((".dat", ".txt")):
        table = _text_header(text)
        if table is not None:
            return _parse_delimited(table[0], out, table[1])
        return parse_dat(text, out)
    if lower.endswith(".csv"):
        return _parse_delimited(text, out)
    out.errors.append((0, "Jenis berkas tidak didukung; gunakan .csv, .xlsx atau .dat."))
    return out
