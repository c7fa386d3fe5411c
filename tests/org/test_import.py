"""Import of employees and organisation from xlsx/csv: preview with row errors in Indonesian, apply in
one transaction (set-based), idempotent re-import, malformed files refused, and the upload pages."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import random
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.core.models import AuditEvent
from ekinerja.org import importer, services
from ekinerja.org.importer import ImportFileError, import_preview
from ekinerja.org.models import Assignment, Employee, ImportBatch, Position, Role, Unit
from ekinerja.org.selectors import direct_superior, hierarchy
from tests.factories import (
    AssignmentFactory,
    EmployeeFactory,
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    grant,
    make_nip,
)

pytestmark = pytest.mark.django_db
PASSWORD = "Rahasia-Kuat-2026!"
D = dt.date

# ---------------------------------------------------------------------------------------------------
# Building spreadsheets

HEADERS = [
    "NIP",
    "Nama",
    "Gelar Depan",
    "Gelar Belakang",
    "Status",
    "Golongan",
    "Kode Unit",
    "Nama Unit",
    "Kode Unit Induk",
    "Kode Jabatan",
    "Nama Jabatan",
    "Jenis Jabatan",
    "Kelas Jabatan",
    "Kode Jabatan Atasan",
    "TMT Jabatan",
    "NPWP",
    "Bank",
    "No Rekening",
    "Telepon",
    "Email",
]
NIP_KABID = "197803122005011002"
NIP_ANALIS = "198505172010032003"
NIP_PPPK = "199001012022212001"


def row(**values) -> dict:
    base = dict.fromkeys(HEADERS, "")
    for key, value in values.items():
        base[key.replace("_", " ")] = value
    return base


def base_rows() -> list[dict]:
    """Dinas Pendidikan (OPD) > Bidang SD; Kepala Dinas (vacant) > Kepala Bidang > two analysts."""
    return [
        row(
            **{
                "Kode Unit": "1.01",
                "Nama Unit": "Dinas Pendidikan",
                "Kode Jabatan": "J-KADIS",
                "Nama Jabatan": "Kepala Dinas Pendidikan",
                "Jenis Jabatan": "Struktural",
                "Kelas Jabatan": "15",
            }
        ),
        row(
            **{
                "NIP": NIP_KABID,
                "Nama": "Siti Nurhaliza",
                "Gelar Belakang": "S.Pd., M.Pd.",
                "Status": "PNS",
                "Golongan": "IV/a",
                "Kode Unit": "1.01.01",
                "Nama Unit": "Bidang Pembinaan SD",
                "Kode Unit Induk": "1.01",
                "Kode Jabatan": "J-KABID",
                "Nama Jabatan": "Kepala Bidang Pembinaan SD",
                "Jenis Jabatan": "Struktural",
                "Kelas Jabatan": "11",
                "Kode Jabatan Atasan": "J-KADIS",
                "TMT Jabatan": "2023-01-02",
                "NPWP": "12.345.678.9-123.000",
                "Bank": "Bank Kalsel",
                "No Rekening": "0012345678",
                "Telepon": "0812 3456 7890",
                "Email": "siti@example.go.id",
            }
        ),
        row(
            **{
                "NIP": NIP_ANALIS,
                "Nama": "Dewi Lestari",
                "Status": "pns",
                "Golongan": "III/b",
                "Kode Unit": "1.01.01",
                "Nama Unit": "Bidang Pembinaan SD",
                "Kode Unit Induk": "1.01",
                "Kode Jabatan": "J-ANALIS",
                "Nama Jabatan": "Analis Kurikulum",
                "Jenis Jabatan": "Fungsional",
                "Kelas Jabatan": "9",
                "Kode Jabatan Atasan": "J-KABID",
                "TMT Jabatan": "15-03-2024",
            }
        ),
        row(
            **{
                "NIP": NIP_PPPK,
                "Nama": "Budi Santoso",
                "Status": "PPPK",
                "Golongan": "IX",
                "Kode Unit": "1.01.01",
                "Nama Unit": "Bidang Pembinaan SD",
                "Kode Unit Induk": "1.01",
                "Kode Jabatan": "J-ANALIS",
                "Nama Jabatan": "Analis Kurikulum",
                "Jenis Jabatan": "Fungsional",
                "Kelas Jabatan": "9",
                "Kode Jabatan Atasan": "J-KABID",
                "TMT Jabatan": "1 Februari 2024",
            }
        ),
    ]


def to_csv(rows: list[dict], headers: list[str] = HEADERS, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headers)
    for r in rows:
        writer.writerow([r.get(h, "") for h in headers])
    return out.getvalue().encode("utf-8")


def to_xlsx(rows: list[dict], headers: list[str] = HEADERS, title: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.append([])
    sheet.append(headers)
    for r in rows:
        sheet.append([r.get(h, "") for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def org_counts() -> tuple[int, ...]:
    return (
        Unit.objects.count(),
        Position.objects.count(),
        Employee.objects.count(),
        Assignment.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def inst():
    return InstansiFactory(code="6301", name="Pemerintah Kabupaten Tanah Laut")


def apply(inst, data: bytes, name: str = "pegawai.csv"):
    return services.import_apply(actor=None, instansi=inst, file=data, name=name)


# ---------------------------------------------------------------------------------------------------
# Happy path


def _assert_base_imported(inst):
    opd = Unit.objects.get(instansi=inst, code="1.01")
    bidang = Unit.objects.get(instansi=inst, code="1.01.01")
    assert opd.parent_id is None and opd.kind == Unit.Kind.OPD
    assert bidang.parent_id == opd.id and bidang.kind == Unit.Kind.SUB
    kadis = Position.objects.get(instansi=inst, code="J-KADIS")
    kabid = Position.objects.get(instansi=inst, code="J-KABID")
    analis = Position.objects.get(instansi=inst, code="J-ANALIS")
    assert (kadis.kelas, kadis.kind, kadis.unit_id, kadis.parent_id) == (
        15,
        "struktural",
        opd.id,
        None,
    )
    assert (kabid.parent_id, kabid.unit_id) == (kadis.id, bidang.id)
    assert (analis.kelas, analis.kind, analis.parent_id) == (9, "fungsional", kabid.id)
    siti = Employee.objects.get(instansi=inst, nip=NIP_KABID)
    assert siti.full_name == "Siti Nurhaliza, S.Pd., M.Pd."
    assert (siti.status, siti.golongan, siti.pppk_grade) == ("PNS", "IV/a", "")
    assert (siti.npwp, siti.bank_name, siti.bank_account) == (
        "12.345.678.9-123.000",
        "Bank Kalsel",
        "0012345678",
    )
    assert (siti.phone, siti.email) == ("0812 3456 7890", "siti@example.go.id")
    budi = Employee.objects.get(instansi=inst, nip=NIP_PPPK)
    assert (budi.status, budi.golongan, budi.pppk_grade, budi.grade_label) == (
        "PPPK",
        "",
        "9",
        "PPPK IX",
    )
    dewi = Employee.objects.get(instansi=inst, nip=NIP_ANALIS)
    a = Assignment.objects.get(employee=dewi)
    assert (a.position_id, a.kind, a.start, a.end) == (analis.id, "definitif", D(2024, 3, 15), None)
    assert Assignment.objects.get(employee=budi).start == D(2024, 2, 1)
    # The imported tree drives the hierarchy: the analysts report to the Kepala Bidang.
    assert direct_superior(dewi, on=D(2024, 6, 1)) == siti
    assert direct_superior(siti, on=D(2024, 6, 1)) is None  # Kepala Dinas is vacant


def test_csv_import_creates_units_positions_employees_and_assignments(inst):
    data = to_csv(base_rows())
    preview = import_preview(instansi=inst, file=data, name="pegawai.csv")
    assert preview.ok, preview.errors
    assert preview.file_kind == "csv"
    assert [r.action for r in preview.rows] == ["create", "create", "create", "create"]
    assert preview.row_counts["create"] == 4
    assert Employee.objects.count() == 0  # preview writes nothing

    result = apply(inst, data)
    assert result.counts == {
        "units_created": 2,
        "units_updated": 0,
        "positions_created": 3,
        "positions_updated": 0,
        "employees_created": 3,
        "employees_updated": 0,
        "assignments_created": 3,
        "assignments_updated": 0,
    }
    _assert_base_imported(inst)
    event = AuditEvent.objects.get(action="org.import.apply")
    assert AuditEvent.objects.count() == 1  # one event summarising the import
    assert event.instansi == inst and event.after["employees_created"] == 3
    import hashlib

    assert event.after["sha256"] == hashlib.sha256(data).hexdigest()
    assert sorted(event.after["nip_created"]) == sorted([NIP_KABID, NIP_ANALIS, NIP_PPPK])


def test_xlsx_import_with_title_row_aliases_and_typed_cells(inst):
    headers = [
        "nip baru",
        "NAMA",
        "gelar depan",
        "Gelar belakang",
        "status kepegawaian",
        "Gol/Ruang",
        "kode unit",
        "Unit Kerja",
        "kode unit induk",
        "Kode Jabatan",
        "Jabatan",
        "jenis jabatan",
        "Kelas",
        "Kode Atasan",
        "TMT",
        "npwp",
        "Nama Bank",
        "No. Rekening",
        "No HP",
        "E-mail",
    ]
    rows = []
    for r in base_rows():
        r = dict(r)
        if r["TMT Jabatan"]:
            r["TMT Jabatan"] = importer.parse_date(r["TMT Jabatan"])  # a real date cell
        r["Kelas Jabatan"] = int(r["Kelas Jabatan"])  # a number cell
        rows.append(dict(zip(headers, [r[h] for h in HEADERS], strict=True)))
    data = to_xlsx(rows, headers, title="DAFTAR PEGAWAI DINAS PENDIDIKAN 2026")
    preview = import_preview(instansi=inst, file=data, name="Daftar Pegawai.XLSX")
    assert preview.ok, preview.errors
    assert preview.file_kind == "xlsx"
    assert [r.row for r in preview.rows] == [4, 5, 6, 7]  # spreadsheet row numbers
    apply(inst, data, "Daftar Pegawai.XLSX")
    _assert_base_imported(inst)


def test_semicolon_csv_in_windows_1252_is_read(inst):
    rows = base_rows()
    rows[1]["Nama"] = "Siti Nurhaliza"
    rows[2]["Nama"] = "Dewi Lestari Ñ"  # not UTF-8 once encoded as cp1252
    data = to_csv(rows, delimiter=";").decode("utf-8").encode("cp1252")
    preview = import_preview(instansi=inst, file=data, name="pegawai.csv")
    assert preview.ok, preview.errors
    apply(inst, data)
    assert Employee.objects.get(nip=NIP_ANALIS).name == "Dewi Lestari Ñ"


def test_importing_the_same_file_twice_changes_nothing_the_second_time(inst):
    data = to_xlsx(base_rows())
    apply(inst, data, "a.xlsx")
    before = org_counts()
    snapshot = list(Employee.objects.order_by("id").values())

    preview = import_preview(instansi=inst, file=data, name="a.xlsx")
    assert {r.action for r in preview.rows} == {"unchanged"}
    assert preview.object_changes == [] and preview.plan.is_empty
    with CaptureQueriesContext(connection) as ctx:
        result = apply(inst, data, "a.xlsx")
    writes = [
        q["sql"] for q in ctx.captured_queries if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"])
    ]
    assert writes == []
    assert result.audit_event is None and not result.changed
    assert org_counts() == before  # no new rows, no audit event either
    assert list(Employee.objects.order_by("id").values()) == snapshot


def test_changed_position_ends_the_old_assignment_the_day_before_the_new_tmt(inst):
    apply(inst, to_csv(base_rows()))
    rows = base_rows()
    # Dewi is promoted: new position, new golongan, from 1 July 2025.
    rows[2].update(
        {
            "Golongan": "III/c",
            "Kode Jabatan": "J-ANALIS-MUDA",
            "Nama Jabatan": "Analis Kurikulum Ahli Muda",
            "Kelas Jabatan": "10",
            "TMT Jabatan": "2025-07-01",
        }
    )
    # The Bidang is renamed and Budi's phone number is added.
    for r in rows[1:]:
        r["Nama Unit"] = "Bidang Pembinaan Sekolah Dasar"
    rows[3]["Telepon"] = "+62 811 222 333"
    preview = import_preview(instansi=inst, file=to_csv(rows), name="x.csv")
    assert preview.ok, preview.errors
    assert [r.action for r in preview.rows] == ["unchanged", "unchanged", "update", "update"]
    dewi_changes = preview.rows[2].changes
    assert "golongan/ruang: 'III/b' → 'III/c'" in dewi_changes
    assert "jabatan definitif baru: Analis Kurikulum Ahli Muda mulai 1 Juli 2025" in dewi_changes
    assert "jabatan Analis Kurikulum berakhir 30 Juni 2025" in dewi_changes
    assert {(o.kind, o.code, o.action) for o in preview.object_changes} == {
        ("unit", "1.01.01", "update"),
        ("jabatan", "J-ANALIS-MUDA", "create"),
    }

    result = apply(inst, to_csv(rows))
    assert result.counts["assignments_created"] == 1 and result.counts["assignments_updated"] == 1
    dewi = Employee.objects.get(nip=NIP_ANALIS)
    history = list(dewi.assignments.order_by("start").values_list("position__code", "start", "end"))
    assert history == [
        ("J-ANALIS", D(2024, 3, 15), D(2025, 6, 30)),
        ("J-ANALIS-MUDA", D(2025, 7, 1), None),
    ]
    assert dewi.golongan == "III/c"
    assert Unit.objects.get(code="1.01.01").name == "Bidang Pembinaan Sekolah Dasar"
    assert Employee.objects.get(nip=NIP_PPPK).phone == "+62 811 222 333"
    # Re-importing the new file is a no-op.
    assert {r.action for r in import_preview(instansi=inst, file=to_csv(rows)).rows} == {
        "unchanged"
    }


def test_corrected_tmt_moves_the_start_of_the_current_assignment(inst):
    apply(inst, to_csv(base_rows()))
    rows = base_rows()
    rows[2]["TMT Jabatan"] = "2024-04-01"
    preview = import_preview(instansi=inst, file=to_csv(rows))
    assert preview.rows[2].changes == ["TMT jabatan Analis Kurikulum: 15 Maret 2024 → 1 April 2024"]
    apply(inst, to_csv(rows))
    a = Assignment.objects.get(employee__nip=NIP_ANALIS)
    assert (a.start, a.end) == (D(2024, 4, 1), None)


def test_an_assignment_recorded_as_ended_is_reopened_when_the_file_says_it_continues(inst):
    apply(inst, to_csv(base_rows()))
    Assignment.objects.filter(employee__nip=NIP_ANALIS).update(end=D(2025, 12, 31))
    preview = import_preview(instansi=inst, file=to_csv(base_rows()))
    assert preview.rows[2].changes == [
        "jabatan Analis Kurikulum yang tercatat berakhir 31 Desember 2025 dibuka kembali"
    ]
    apply(inst, to_csv(base_rows()))
    a = Assignment.objects.get(employee__nip=NIP_ANALIS)
    assert (a.start, a.end) == (D(2024, 3, 15), None)


def test_utf16_tab_separated_text_from_excel_is_read(inst):
    data = to_csv(base_rows(), delimiter="\t").decode("utf-8").encode("utf-16")
    preview = import_preview(instansi=inst, file=data, name="pegawai.txt")
    assert preview.ok and preview.file_kind == "csv" and len(preview.rows) == 4


def test_absent_optional_columns_leave_stored_values_alone(inst):
    apply(inst, to_csv(base_rows()))
    slim = [h for h in HEADERS if h not in ("NPWP", "Bank", "No Rekening", "Telepon", "Email")]
    preview = import_preview(instansi=inst, file=to_csv(base_rows(), slim))
    assert {r.action for r in preview.rows} == {"unchanged"}
    rows = base_rows()
    for r in rows:
        r["NPWP"] = ""  # a present but blank column clears the value
    preview = import_preview(instansi=inst, file=to_csv(rows))
    assert preview.rows[1].action == "update"
    assert preview.rows[1].changes == ["NPWP: '12.345.678.9-123.000' → (kosong)"]


def test_existing_parent_codes_in_the_database_are_accepted(inst):
    opd = UnitFactory(instansi=inst, code="1.01", name="Dinas Pendidikan")
    PositionFactory(
        unit=opd, code="J-KADIS", name="Kepala Dinas Pendidikan", kind="struktural", kelas=15
    )
    rows = base_rows()[1:]  # without the vacancy row: J-KADIS and unit 1.01 come from the database
    preview = import_preview(instansi=inst, file=to_csv(rows))
    assert preview.ok, preview.errors
    apply(inst, to_csv(rows))
    assert Position.objects.get(code="J-KABID").parent.code == "J-KADIS"


def test_template_download_parses_and_imports(inst):
    data = importer.template_workbook()
    sheet = importer.parse(data, "templat.xlsx")
    assert sheet.columns == frozenset(c.key for c in importer.COLUMNS)
    assert len(sheet.rows) == 1
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert [c.value for c in book.worksheets[0][1]] == [c.label for c in importer.COLUMNS]
    # The example refers to a parent unit and position that must already exist.
    preview = import_preview(instansi=inst, file=data, name="templat.xlsx")
    assert {e.column for e in preview.errors} == {"Kode Unit Induk", "Kode Jabatan Atasan"}
    bkpsdm = UnitFactory(instansi=inst, code="4.01", name="BKPSDM")
    PositionFactory(unit=bkpsdm, code="4.01.02.001", kind="struktural", kelas=11)
    preview = import_preview(instansi=inst, file=data, name="templat.xlsx")
    assert preview.ok, preview.errors
    assert preview.rows[0].action == "create"


# ---------------------------------------------------------------------------------------------------
# Row errors: Indonesian, with row number and column; nothing is written


def _mutate(rows, index, **changes):
    for key, value in changes.items():
        rows[index][key.replace("_", " ")] = value


ERROR_CASES = {
    "bad NIP": (
        lambda rows: _mutate(rows, 2, NIP="198502302010032003"),
        4,
        "NIP",
        "tanggal lahir (digit 1-8) bukan tanggal yang valid",
    ),
    "short NIP": (lambda rows: _mutate(rows, 2, NIP="19850517"), 4, "NIP", "18 angka"),
    "PPPK NIP for a PNS": (
        lambda rows: _mutate(rows, 2, NIP="199001012022212009"),
        4,
        "NIP",
        "adalah NIP PPPK",
    ),
    "NIP in scientific notation": (
        lambda rows: _mutate(rows, 2, NIP="1.98505E+17"),
        4,
        "NIP",
        "notasi ilmiah",
    ),
    "unknown status": (
        lambda rows: _mutate(rows, 2, Status="Honorer"),
        4,
        "Status",
        "Status 'Honorer' tidak dikenal; gunakan PNS, CPNS atau PPPK.",
    ),
    "PPPK grade for a PNS": (
        lambda rows: _mutate(rows, 2, Golongan="IX"),
        4,
        "Golongan",
        "tidak sesuai dengan status PNS",
    ),
    "PNS golongan for a PPPK": (
        lambda rows: _mutate(rows, 3, Golongan="III/a"),
        5,
        "Golongan",
        "tidak sesuai dengan status PPPK",
    ),
    "unknown golongan": (
        lambda rows: _mutate(rows, 2, Golongan="V/a"),
        4,
        "Golongan",
        "tidak dikenal",
    ),
    "kelas 18": (
        lambda rows: [_mutate(rows, i, Kelas_Jabatan="18") for i in (2, 3)],
        4,
        "Kelas Jabatan",
        "1 sampai 17",
    ),
    "kelas not a number": (
        lambda rows: _mutate(rows, 0, Kelas_Jabatan="tinggi"),
        2,
        "Kelas Jabatan",
        "1 sampai 17",
    ),
    "unknown kind": (
        lambda rows: _mutate(rows, 0, Jenis_Jabatan="Eselon"),
        2,
        "Jenis Jabatan",
        "tidak dikenal",
    ),
    "unknown parent unit": (
        lambda rows: [_mutate(rows, i, Kode_Unit_Induk="9.99") for i in (1, 2, 3)],
        3,
        "Kode Unit Induk",
        "'9.99' tidak ada di berkas ini maupun di data yang sudah tercatat",
    ),
    "unknown parent position": (
        lambda rows: _mutate(rows, 1, Kode_Jabatan_Atasan="J-SEKDA"),
        3,
        "Kode Jabatan Atasan",
        "'J-SEKDA' tidak ada di berkas ini",
    ),
    "cycle among positions": (
        lambda rows: _mutate(rows, 0, Kode_Jabatan_Atasan="J-ANALIS"),
        2,
        "Kode Jabatan Atasan",
        "siklus: J-KADIS → J-ANALIS → J-KABID → J-KADIS",
    ),
    "position its own superior": (
        lambda rows: _mutate(rows, 0, Kode_Jabatan_Atasan="J-KADIS"),
        2,
        "Kode Jabatan Atasan",
        "tidak boleh sama",
    ),
    "duplicate NIP": (
        lambda rows: _mutate(rows, 3, NIP=NIP_ANALIS, Status="PNS", Golongan="III/a"),
        5,
        "NIP",
        f"NIP {NIP_ANALIS} sudah ada di baris 4.",
    ),
    "conflicting position data": (
        lambda rows: _mutate(rows, 3, Kelas_Jabatan="8"),
        5,
        "Kelas Jabatan",
        "Jabatan J-ANALIS di baris 4 tertulis dengan kelas '9', di sini '8'",
    ),
    "two definitif holders of one struktural post": (
        lambda rows: _mutate(
            rows,
            3,
            Kode_Jabatan="J-KABID",
            Nama_Jabatan="Kepala Bidang Pembinaan SD",
            Jenis_Jabatan="Struktural",
            Kelas_Jabatan="11",
            Kode_Jabatan_Atasan="J-KADIS",
        ),
        5,
        "Kode Jabatan",
        "hanya untuk satu pejabat definitif",
    ),
    "conflicting unit data": (
        lambda rows: _mutate(rows, 3, Nama_Unit="Bidang SD"),
        5,
        "Nama Unit",
        "data unit yang sama harus sama",
    ),
    "unparseable date": (
        lambda rows: _mutate(rows, 2, TMT_Jabatan="31-02-2024"),
        4,
        "TMT Jabatan",
        "Tanggal '31-02-2024' tidak dapat dibaca",
    ),
    "date in words nobody knows": (
        lambda rows: _mutate(rows, 2, TMT_Jabatan="kemarin"),
        4,
        "TMT Jabatan",
        "tidak dapat dibaca",
    ),
    "missing TMT": (lambda rows: _mutate(rows, 2, TMT_Jabatan=""), 4, "TMT Jabatan", "wajib"),
    "missing name": (lambda rows: _mutate(rows, 2, Nama=""), 4, "Nama", "Nama wajib diisi."),
    "missing NIP with a name": (lambda rows: _mutate(rows, 2, NIP=""), 4, "NIP", "wajib"),
    "bad email": (
        lambda rows: _mutate(rows, 1, Email="siti@"),
        3,
        "Email",
        "Alamat email 'siti@' tidak valid.",
    ),
    "bad account number": (
        lambda rows: _mutate(rows, 1, No_Rekening="12-AB"),
        3,
        "No Rekening",
        "hanya boleh berisi angka",
    ),
    "name too long": (lambda rows: _mutate(rows, 2, Nama="x" * 201), 4, "Nama", "maksimal 200"),
}


@pytest.mark.parametrize("case", list(ERROR_CASES), ids=list(ERROR_CASES))
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_row_errors_name_row_and_column_in_indonesian_and_write_nothing(inst, case, fmt):
    mutate, row_number, column, expected = ERROR_CASES[case]
    rows = base_rows()
    mutate(rows)
    data = to_csv(rows) if fmt == "csv" else to_xlsx(rows)
    name = f"pegawai.{fmt}"
    preview = import_preview(instansi=inst, file=data, name=name)
    assert not preview.ok
    matching = [e for e in preview.errors if e.row == row_number and e.column == column]
    assert matching, [str(e) for e in preview.errors]
    assert any(expected in e.message for e in matching), [str(e) for e in matching]
    assert str(matching[0]).startswith(f"Baris {row_number}, kolom {column}: ")
    assert preview.rows[[r.row for r in preview.rows].index(row_number)].action == "error"
    before = org_counts()
    with pytest.raises(services.ImportRejected) as err:
        apply(inst, data, name)
    assert "tidak ada data yang diubah" in err.value.messages[0]
    assert err.value.preview.errors == preview.errors
    assert org_counts() == before == (0, 0, 0, 0, 0)


def test_tmt_before_the_stored_definitif_assignment_is_refused(inst):
    apply(inst, to_csv(base_rows()))
    rows = base_rows()
    rows[2].update(
        {"Kode Jabatan": "J-BARU", "Nama Jabatan": "Analis Baru", "TMT Jabatan": "2024-03-15"}
    )
    preview = import_preview(instansi=inst, file=to_csv(rows))
    (error,) = preview.errors
    assert (error.row, error.column) == (4, "TMT Jabatan")
    assert (
        "harus sesudah TMT jabatan definitif yang tercatat (Analis Kurikulum mulai 15 Maret 2024)"
        in (error.message)
    )
    before = org_counts()
    with pytest.raises(services.ImportRejected):
        apply(inst, to_csv(rows))
    assert org_counts() == before
    assert not Position.objects.filter(code="J-BARU").exists()


def test_corrected_tmt_overlapping_an_earlier_definitif_is_refused(inst):
    unit = UnitFactory(instansi=inst, code="1.01", name="Dinas Pendidikan")
    old = PositionFactory(unit=unit, code="J-LAMA", name="Pengadministrasi")
    employee = EmployeeFactory(instansi=inst, nip=NIP_ANALIS, name="Dewi Lestari", golongan="III/b")
    AssignmentFactory(employee=employee, position=old, start=D(2015, 1, 1), end=D(2024, 3, 14))
    rows = base_rows()
    apply(inst, to_csv(rows))
    rows[2]["TMT Jabatan"] = "2024-01-01"
    preview = import_preview(instansi=inst, file=to_csv(rows))
    assert [str(e) for e in preview.errors] == [
        "Baris 4, kolom TMT Jabatan: TMT jabatan 1 Januari 2024 tumpang tindih dengan jabatan "
        "definitif Pengadministrasi (1 Januari 2015 s.d. 14 Maret 2024)."
    ]


def test_cycle_through_stored_units_is_refused(inst):
    a = UnitFactory(instansi=inst, code="A", name="A")
    UnitFactory(instansi=inst, code="B", name="B", parent=a)
    rows = base_rows()
    rows[0].update({"Kode Unit": "A", "Nama Unit": "A", "Kode Unit Induk": "B"})
    preview = import_preview(instansi=inst, file=to_csv(rows))
    assert any(
        e.row == 2 and e.column == "Kode Unit Induk" and "siklus: A → B → A" in e.message
        for e in preview.errors
    ), preview.errors


def test_other_instansi_data_is_neither_matched_nor_touched(inst):
    other = InstansiFactory(code="9471")
    foreign = UnitFactory(instansi=other, code="1.01", name="Dinas Pendidikan Kota")
    PositionFactory(unit=foreign, code="J-KADIS", name="Kepala Dinas Kota", kelas=15)
    EmployeeFactory(instansi=other, nip=NIP_KABID, name="Orang Lain")
    rows = base_rows()
    preview = import_preview(instansi=inst, file=to_csv(rows))
    assert [r.action for r in preview.rows] == ["create"] * 4
    apply(inst, to_csv(rows))
    assert Employee.objects.get(instansi=other, nip=NIP_KABID).name == "Orang Lain"
    assert Unit.objects.get(instansi=other, code="1.01").name == "Dinas Pendidikan Kota"
    assert Employee.objects.get(instansi=inst, nip=NIP_KABID).name == "Siti Nurhaliza"


# ---------------------------------------------------------------------------------------------------
# Malformed files


def _xlsx_missing_columns() -> bytes:
    return to_xlsx(
        [{"NIP": NIP_ANALIS, "Nama": "Dewi"}], headers=["NIP", "Nama", "Status", "Golongan"]
    )


def _zip_not_xlsx() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


MALFORMED = {
    "random bytes": (
        random.Random(7).randbytes(4096),
        "pegawai.csv",
        "bukan Excel (.xlsx) maupun CSV",
    ),
    "random bytes named xlsx": (
        b"PK\x03\x04" + random.Random(8).randbytes(4096),
        "pegawai.xlsx",
        "Berkas xlsx rusak",
    ),
    "empty file": (b"", "pegawai.xlsx", "Berkas kosong"),
    "xlsx missing required columns": (
        _xlsx_missing_columns(),
        "pegawai.xlsx",
        "Kolom wajib tidak ditemukan: Kode Unit, Nama Unit, Kode Jabatan, Nama Jabatan, Jenis "
        "Jabatan, Kelas Jabatan, TMT Jabatan.",
    ),
    "xlsx that is really text": (
        to_csv(base_rows()),
        "pegawai.xlsx",
        "berakhiran .xlsx tetapi isinya teks, bukan berkas Excel",
    ),
    "csv that is really xlsx": (
        to_xlsx(base_rows()),
        "pegawai.csv",
        "berakhiran .csv tetapi isinya berkas Excel (xlsx)",
    ),
    "old xls": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
        "pegawai.xls",
        "Excel lama (.xls",
    ),
    "a zip that is not a workbook": (_zip_not_xlsx(), "pegawai.xlsx", "bukan buku kerja Excel"),
    "pdf": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "pegawai.pdf", "Jenis berkas '.pdf' tidak didukung"),
    "text without a header": (
        b"ini bukan daftar pegawai\nhanya catatan\n",
        "catatan.csv",
        "Kolom wajib tidak ditemukan",
    ),
    "header only": (to_csv([]), "pegawai.csv", "tanpa baris data pegawai"),
    "two columns meaning the same": (
        to_csv(base_rows(), [*HEADERS, "Gol/Ruang"]),
        "pegawai.csv",
        "sama-sama berarti 'Golongan'",
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED), ids=list(MALFORMED))
def test_malformed_files_get_a_clear_error_and_write_nothing(inst, case):
    data, name, expected = MALFORMED[case]
    with pytest.raises(ImportFileError) as err:
        import_preview(instansi=inst, file=data, name=name)
    assert expected in err.value.messages[0]
    with pytest.raises(ImportFileError):
        apply(inst, data, name)
    assert org_counts() == (0, 0, 0, 0, 0)


def test_size_and_row_limits(inst, monkeypatch):
    data = to_csv(base_rows())
    monkeypatch.setattr(importer, "MAX_BYTES", len(data) - 1)
    with pytest.raises(ImportFileError, match="Berkas terlalu besar"):
        import_preview(instansi=inst, file=data, name="a.csv")
    monkeypatch.setattr(importer, "MAX_BYTES", 10 * 1024 * 1024)
    monkeypatch.setattr(importer, "MAX_ROWS", 3)
    with pytest.raises(ImportFileError, match="lebih dari 3 baris data"):
        import_preview(instansi=inst, file=data, name="a.csv")
    assert org_counts() == (0, 0, 0, 0, 0)


def test_nip_stored_as_a_number_in_excel_is_explained(inst):
    rows = base_rows()
    rows[2]["NIP"] = float(NIP_ANALIS)
    preview = import_preview(instansi=inst, file=to_xlsx(rows), name="a.xlsx")
    (error,) = preview.errors
    assert (
        error.row == 4
        and error.column == "NIP"
        and "format kolom NIP sebagai Teks" in error.message
    )


# ---------------------------------------------------------------------------------------------------
# Set-based: the number of queries does not grow with the number of rows


def _many_rows(n: int) -> list[dict]:
    """The Kepala Dinas and Kepala Bidang rows, then n pelaksana spread over 11 positions in 11 units."""
    rows = base_rows()[:2]
    for i in range(n):
        k = i % 11
        rows.append(
            row(
                **{
                    "NIP": make_nip(birth=D(1990, 1, 1), appointed=(2015, 3), serial=i + 1),
                    "Nama": f"Pegawai {i}",
                    "Status": "PNS",
                    "Golongan": "III/a",
                    "Kode Unit": f"1.01.{k + 2:02d}",
                    "Nama Unit": f"Seksi {k}",
                    "Kode Unit Induk": "1.01",
                    "Kode Jabatan": f"J-P{k}",
                    "Nama Jabatan": f"Pelaksana {k}",
                    "Jenis Jabatan": "Pelaksana",
                    "Kelas Jabatan": "6",
                    "Kode Jabatan Atasan": "J-KABID",
                    "TMT Jabatan": "2024-01-02",
                }
            )
        )
    return rows


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def _update_file(rows):
    for r in rows[2:]:
        r["Golongan"] = "III/b"
        r["Kode Jabatan"] = "J-NEW" + r["Kode Jabatan"][3:]
        r["TMT Jabatan"] = "2025-01-02"
    return to_csv(rows)


def test_preview_and_apply_query_counts_do_not_grow_with_rows():
    counts = []
    # Both above _FEW_VALUES distinct names, both within one batch (SQLite: 999 parameters a
    # statement; an employee row has 20 columns).
    for n in (25, 40):
        inst = InstansiFactory()
        rows = _many_rows(n)
        data = to_csv(rows)
        preview_q = _queries(lambda inst=inst, data=data: import_preview(instansi=inst, file=data))
        create_q = _queries(lambda inst=inst, data=data: apply(inst, data))
        assert Employee.objects.filter(instansi=inst).count() == n + 1
        update = _update_file(rows)
        update_q = _queries(lambda inst=inst, update=update: apply(inst, update))
        assert Assignment.objects.filter(instansi=inst, end=D(2025, 1, 1)).count() == n
        noop_q = _queries(lambda inst=inst, update=update: apply(inst, update))
        # Every name different: the many-distinct-values path (bulk_update) of the writer.
        for i, r in enumerate(rows[2:]):
            r["Nama"] = f"Pegawai Baru {i}"
        renamed = to_csv(rows)
        rename_q = _queries(lambda inst=inst, renamed=renamed: apply(inst, renamed))
        assert Employee.objects.filter(instansi=inst, name__startswith="Pegawai Baru").count() == n
        assert (
            Employee.objects.get(instansi=inst, nip=rows[-1]["NIP"]).name == f"Pegawai Baru {n - 1}"
        )
        counts.append((preview_q, create_q, update_q, noop_q, rename_q))
    assert counts[0] == counts[1], counts
    preview_q, create_q, update_q, noop_q, rename_q = counts[0]
    assert preview_q <= 5 and noop_q <= preview_q + 3


def test_hierarchy_after_import_is_consistent(inst):
    apply(inst, to_csv(_many_rows(12)))
    h = hierarchy(inst.id, D(2024, 6, 1))
    kabid = Employee.objects.get(instansi=inst, nip=NIP_KABID)
    assert len(h.subordinate_ids(kabid.id)) == 12


# ---------------------------------------------------------------------------------------------------
# Pages: upload -> preview -> apply


@pytest.fixture
def bkpsdm(inst):
    unit = UnitFactory(instansi=inst, code="4.01", name="BKPSDM")
    position = PositionFactory(unit=unit, code="4.01.001", name="Analis SDM", kelas=9)
    person = employee_with_login(inst, position, name="Rina Wulandari")
    grant(person.user, Role.BKPSDM)
    return person.user


def _upload(client, data: bytes, name: str):
    return client.post(
        reverse("employee-import"), {"file": SimpleUploadedFile(name, data)}, follow=False
    )


def test_upload_preview_apply_through_the_pages(client, inst, bkpsdm, settings):
    client.force_login(bkpsdm)
    page = client.get(reverse("employee-import"))
    assert page.status_code == 200 and "Impor pegawai" in page.content.decode()
    data = to_xlsx(base_rows())
    resp = _upload(client, data, "pegawai.xlsx")
    batch = ImportBatch.objects.get()
    assert resp.status_code == 302 and resp.url == reverse(
        "employee-import-preview", args=[batch.token]
    )
    stored = settings.MEDIA_ROOT / "imports" / str(inst.id) / f"{batch.token.hex}.xlsx"
    assert (
        stored.read_bytes() == data
        and batch.file.name == f"imports/{inst.id}/{batch.token.hex}.xlsx"
    )
    before = org_counts()

    page = client.get(resp.url).content.decode()
    assert "Baru" in page and "Terapkan" in page
    # The NIP as on the ID card: on a phone it wraps between its groups (it broke mid-number).
    spaced = f"{NIP_ANALIS[:8]} {NIP_ANALIS[8:14]} {NIP_ANALIS[14]} {NIP_ANALIS[15:]}"
    assert f'<div class="text-muted" data-testid="change-nip">{spaced}</div>' in page
    assert org_counts() == before  # previewing writes nothing

    resp = client.post(reverse("employee-import-apply", args=[batch.token]))
    assert resp.status_code == 302
    assert Employee.objects.filter(instansi=inst).count() == 4  # 3 imported + the BKPSDM officer
    batch.refresh_from_db()
    assert batch.status == "applied" and batch.applied_by == bkpsdm
    event = AuditEvent.objects.get(action="org.import.apply")
    assert event.object_id == str(batch.pk) and event.actor == bkpsdm
    page = client.get(resp.url).content.decode()
    assert "sudah diterapkan" in page.lower()

    # Applying the same batch again is refused; uploading the same file again changes nothing.
    resp = client.post(reverse("employee-import-apply", args=[batch.token]), follow=True)
    assert "sudah diterapkan sebelumnya" in resp.content.decode()
    resp = _upload(client, data, "pegawai.xlsx")
    again = ImportBatch.objects.exclude(pk=batch.pk).get()
    page = client.get(resp.url).content.decode()
    assert "Tidak ada perubahan" in page
    audit_before = AuditEvent.objects.count()
    client.post(reverse("employee-import-apply", args=[again.token]))
    assert AuditEvent.objects.count() == audit_before


def test_preview_page_lists_row_errors_and_refuses_to_apply(client, inst, bkpsdm):
    client.force_login(bkpsdm)
    rows = base_rows()
    rows[2]["NIP"] = "198502302010032003"
    rows[3]["Golongan"] = "III/a"
    _upload(client, to_csv(rows), "pegawai.csv")
    batch = ImportBatch.objects.get()
    page = client.get(reverse("employee-import-preview", args=[batch.token])).content.decode()
    assert "tanggal lahir (digit 1-8) bukan tanggal yang valid" in page
    assert "tidak sesuai dengan status PPPK" in page
    assert 'data-testid="apply"' not in page
    before = org_counts()
    resp = client.post(reverse("employee-import-apply", args=[batch.token]), follow=True)
    assert "tidak ada data yang diubah" in resp.content.decode()
    assert org_counts() == before
    assert ImportBatch.objects.get().status == "previewed"


def test_malformed_upload_shows_the_error_and_stores_nothing(client, inst, bkpsdm, settings):
    client.force_login(bkpsdm)
    for data, name, expected in MALFORMED.values():
        resp = _upload(client, data, name)
        assert resp.status_code == 200
        assert expected[:25] in html.unescape(resp.content.decode()), name
    assert ImportBatch.objects.count() == 0
    assert not (settings.MEDIA_ROOT / "imports").exists()


def test_template_download(client, bkpsdm):
    client.force_login(bkpsdm)
    resp = client.get(reverse("employee-import-template"))
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in resp["Content-Disposition"]
    assert importer.parse(
        b"".join(resp.streaming_content) if resp.streaming else resp.content, "t.xlsx"
    )


def test_only_bkpsdm_may_import(client, inst, bkpsdm):
    unit = Unit.objects.get(code="4.01")
    pegawai = employee_with_login(inst, PositionFactory(unit=unit, kelas=7), name="Pegawai Biasa")
    client.force_login(bkpsdm)
    _upload(client, to_csv(base_rows()), "pegawai.csv")
    batch = ImportBatch.objects.get()
    client.force_login(pegawai.user)
    for method, url in (
        ("get", reverse("employee-import")),
        ("post", reverse("employee-import")),
        ("get", reverse("employee-import-template")),
        ("get", reverse("employee-import-preview", args=[batch.token])),
        ("post", reverse("employee-import-apply", args=[batch.token])),
    ):
        assert getattr(client, method)(url).status_code == 403, url
    assert Employee.objects.filter(nip=NIP_ANALIS).count() == 0
    client.logout()
    resp = client.get(reverse("employee-import"))
    assert resp.status_code == 302 and reverse("login") in resp.url


def test_another_instansi_cannot_see_or_apply_a_batch(client, inst, bkpsdm):
    client.force_login(bkpsdm)
    _upload(client, to_csv(base_rows()), "pegawai.csv")
    batch = ImportBatch.objects.get()
    other = InstansiFactory(code="9471")
    unit = UnitFactory(instansi=other, code="4.01")
    stranger = employee_with_login(other, PositionFactory(unit=unit), name="BKPSDM Kota")
    grant(stranger.user, Role.BKPSDM)
    client.force_login(stranger.user)
    assert client.get(reverse("employee-import-preview", args=[batch.token])).status_code == 404
    assert client.post(reverse("employee-import-apply", args=[batch.token])).status_code == 404
    assert Employee.objects.filter(nip=NIP_ANALIS).count() == 0
    assert ImportBatch.objects.get().status == "previewed"
    # Their own list does not show it either.
    assert "pegawai.csv" not in client.get(reverse("employee-import")).content.decode()


def test_tampered_stored_file_is_refused(client, inst, bkpsdm):
    client.force_login(bkpsdm)
    _upload(client, to_csv(base_rows()), "pegawai.csv")
    batch = ImportBatch.objects.get()
    with open(batch.file.path, "ab") as fh:
        fh.write(b"\n")
    resp = client.post(reverse("employee-import-apply", args=[batch.token]), follow=True)
    assert "berbeda dari yang dipratinjau" in resp.content.decode()
    assert Employee.objects.filter(nip=NIP_ANALIS).count() == 0


def test_navigation_links_for_bkpsdm_only(client, inst, bkpsdm):
    client.force_login(bkpsdm)
    home = client.get(reverse("home")).content.decode()
    assert home.count(reverse("employee-import")) == 2  # navbar and the BKPSDM card
    pegawai = employee_with_login(inst, PositionFactory(unit=Unit.objects.get(code="4.01")))
    client.force_login(pegawai.user)
    assert reverse("employee-import") not in client.get(reverse("home")).content.decode()


def test_a_status_changed_by_the_spreadsheet_is_recorded_without_history(inst):
    """The spreadsheet has no date for a status change: the new status applies to every day (the
    admin form records an appointment with its TMT, see tests/tpp/test_status_change.py)."""
    apply(inst, to_csv(base_rows()))
    dewi = Employee.objects.get(nip=NIP_ANALIS)
    Employee.objects.filter(pk=dewi.pk).update(
        status_since=dt.date(2025, 1, 1), previous_status="CPNS"
    )
    rows = base_rows()
    assert dewi.status == "PNS"
    rows[2]["Status"] = "CPNS"
    apply(inst, to_csv(rows))
    dewi.refresh_from_db()
    assert dewi.status == rows[2]["Status"]
    assert (dewi.status_since, dewi.previous_status) == (None, "")


def test_the_preview_page_speaks_indonesian_and_keeps_the_hash_for_auditors(client, inst, bkpsdm):
    """The header showed "sha256 3f2a…" to every reader and the kinds column "unit"/"jabatan";
    the date of applying was written 05-10-2026 14:30."""
    client.force_login(bkpsdm)
    resp = _upload(client, to_xlsx(base_rows()), "pegawai.xlsx")
    batch = ImportBatch.objects.get()
    page = client.get(resp.url).content.decode()
    header = page[page.index("Diunggah") :]
    header = header[: header.index("</p>")]
    assert "sha256" not in header.lower() and batch.sha256[:16] not in header
    assert re.search(r"Diunggah \d{1,2} \w+ \d{4} \d{2}\.\d{2} oleh", header)
    hash_box = page[page.index('data-testid="file-hash"') :]
    assert batch.sha256 in hash_box[: hash_box.index("</details>")]
    kinds = page[page.index('data-testid="object-changes"') :]
    kinds = re.findall(r"<tr><td>([^<]*)</td>", kinds[: kinds.index("</table>")])
    assert set(kinds) == {"Unit kerja", "Jabatan"}

    client.post(reverse("employee-import-apply", args=[batch.token]))
    page = client.get(resp.url).content.decode()
    applied = page[page.index('data-testid="applied"') :]
    applied = applied[: applied.index("</div>")]
    assert re.search(r"diterapkan pada \d{1,2} \w+ \d{4} pukul \d{2}\.\d{2} oleh", applied)
