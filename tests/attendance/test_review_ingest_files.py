"""Review of ingestion: exports as the machines' software writes them (title rows above the header,
Excel's "sep=;", the GLG_001.TXT of a USB download, Fingerspot's "Tanggal scan" beside its own
"Jam", NIPs that Excel turned into numbers) and PINs mapped with leading zeros."""

import datetime as dt
import io

import openpyxl
import pytest
import time_machine

from ekinerja.attendance import services
from ekinerja.attendance.models import DailyAttendance, Device, DeviceDump, PinMapping, Punch
from ekinerja.attendance.parsing import parse_file
from tests.attendance.conftest import D, at

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 10, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _xlsx(rows, merge=None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _import(office, name, data, device=None):
    batch = services.import_preview(
        actor=None, instansi=office.instansi, name=name, data=data, device=device
    )
    return batch


def test_xlsx_export_with_a_merged_title_above_the_header_is_imported(office):
    """The usual "Laporan Absensi" export: a merged title, the period, a blank row, then the
    header. It was refused at line 1, "Kolom PIN/NIP tidak ditemukan di baris judul"."""
    PinMapping.objects.create(instansi=office.instansi, pin="101", employee=office.ani)
    data = _xlsx(
        [
            ["LAPORAN ABSENSI PEGAWAI DINAS KESEHATAN"],
            ["Periode: 01/10/2026 s.d. 31/10/2026"],
            [],
            ["No", "PIN", "Nama", "Tanggal", "Jam"],
            [1, "101", "Ani", dt.date(2026, 10, 1), dt.time(7, 31)],
            [2, "101", "Ani", dt.date(2026, 10, 1), dt.time(16, 2)],
        ],
        merge="A1:E1",
    )
    batch = _import(office, "laporan.xlsx", data)
    assert batch.status == "preview", batch.errors
    assert (batch.total_lines, batch.valid_lines) == (2, 2)
    services.import_run(actor=None, batch=batch)
    assert sorted(Punch.objects.values_list("at", flat=True)) == [
        at(D(2026, 10, 1), 7, 31),
        at(D(2026, 10, 1), 16, 2),
    ]
    day = DailyAttendance.objects.get(employee=office.ani, date=D(2026, 10, 1))
    assert day.status == "late" and day.late_minutes == 1


def test_csv_with_title_lines_and_excel_sep_line(office):
    """Title lines above the header (the sniffer then split on commas) and Excel's "sep=;" first
    line were refused; line numbers stay those of the file."""
    PinMapping.objects.create(instansi=office.instansi, pin="101", employee=office.ani)
    titled = (
        "Laporan Absensi\nPeriode Oktober 2026\n\nNo;PIN;Nama;Waktu\n1;101;Ani;01/10/2026 07:20\n"
    )
    p = parse_file("a.csv", titled.encode())
    assert p.errors == [] and p.rows == [(5, "101", dt.datetime(2026, 10, 1, 7, 20))]
    assert p.total_lines == 1
    p = parse_file("b.csv", b"sep=;\r\nPIN;Waktu\r\n101;01/10/2026 07:20\r\n")
    assert p.errors == [] and p.rows == [(3, "101", dt.datetime(2026, 10, 1, 7, 20))]


def test_rows_of_data_before_any_header_are_never_skipped_silently():
    p = parse_file(
        "x.csv", b"Laporan\n101,2026-10-01 07:41:00\nPIN,Waktu\n102,2026-10-01 07:42:00\n"
    )
    assert p.rows == [] and p.errors == [(1, "Kolom PIN/NIP tidak ditemukan di baris judul.")]
    p = parse_file("y.csv", b"101,2026-10-01 07:41:00\n")
    assert p.rows == [] and p.errors[0][0] == 1


GLG = (
    "No\tMchn\tEnNo\t\tName\t\tMode\tIOMd\tDateTime\t\r\n"
    "000001\t1\t000000101\tAni          \t1\t0\t2026/10/01  07:25:00\r\n"
    "000002\t1\t000000101\tAni          \t1\t1\t2026/10/01  16:05:00\r\n"
    "000003\t1\t000000777\tTamu         \t1\t0\t2026/10/01  08:00:00\r\n"
)


def test_glg_txt_of_a_usb_download_is_imported(office):
    """ZKTeco/Solution GLG_001.TXT: a header whose empty columns the data lines do not have, the
    sequence number first. Every line was refused ("Tanggal/jam tidak dapat dibaca")."""
    dev = Device.objects.create(instansi=office.instansi, serial="GLG1", timezone="Asia/Makassar")
    PinMapping.objects.create(instansi=office.instansi, device=dev, pin="101", employee=office.ani)
    batch = _import(office, "GLG_001.TXT", GLG.encode(), device=dev)
    assert batch.status == "preview", batch.errors
    assert (batch.total_lines, batch.valid_lines) == (3, 2)
    assert batch.warnings[0][0] == 4 and "000000777" in batch.warnings[0][1]
    services.import_run(actor=None, batch=batch)
    assert sorted(Punch.objects.values_list("at", flat=True)) == [
        at(D(2026, 10, 1), 7, 25),
        at(D(2026, 10, 1), 16, 5),
    ]
    # The same file again adds nothing.
    again = services.import_run(actor=None, batch=_import(office, "GLG_001.TXT", GLG.encode(), dev))
    assert (again.inserted, again.duplicates) == (0, 2) and Punch.objects.count() == 2


def test_txt_export_with_a_tab_header_is_not_an_attlog():
    p = parse_file("absen.txt", b"PIN\tWaktu\n101\t2026-10-01 07:41:00\n")
    assert p.errors == [] and p.rows == [(2, "101", dt.datetime(2026, 10, 1, 7, 41))]
    # A bare attlog is read as before.
    p = parse_file("1_attlog.dat", b"  101\t2026-10-01 07:41:00\t0\t1\t0\t0\n")
    assert p.errors == [] and p.rows == [(1, "101", dt.datetime(2026, 10, 1, 7, 41))]


FINGERSPOT = (
    "Tanggal scan;Tanggal;Jam;PIN;NIP;Nama;Jabatan;Departemen;Kantor;Verifikasi;I/O;Workcode;SN;Mesin\n"
    "01-10-2026 07:41:00;01-10-2026;07:41:00;101;;Ani;Staf;Dinkes;Pusat;1;1;0;FS1;Mesin 1\n"
)


def test_fingerspot_scan_log_with_tanggal_scan_beside_its_own_jam(office):
    """ "Tanggal scan" holds the date and time, "Tanggal" and "Jam" again: the date column (the
    first) and "Jam" made "01-10-2026 07:41:00 07:41:00" and every line was refused."""
    p = parse_file("scanlog.csv", FINGERSPOT.encode())
    assert p.errors == [] and p.rows == [(2, "101", dt.datetime(2026, 10, 1, 7, 41))]
    # The two columns disagreeing is an error naming the columns and the text.
    bad = FINGERSPOT.replace(";07:41:00;101", ";07:49:00;101")
    p = parse_file("scanlog.csv", bad.encode())
    assert p.rows == [] and p.errors[0][0] == 2
    assert (
        "01-10-2026 07:41:00 07:49:00" in p.errors[0][1] and "Tanggal scan + Jam" in p.errors[0][1]
    )


def test_unreadable_time_names_the_text_and_the_column(office):
    PinMapping.objects.create(instansi=office.instansi, pin="101", employee=office.ani)
    batch = _import(office, "a.csv", b"PIN,Waktu\n101,01/10/2026 04:05 PM\n")
    assert batch.status == "refused"
    assert batch.errors[0][0] == 2
    assert "'01/10/2026 04:05 PM' (kolom Waktu)" in batch.errors[0][1]
    assert "jam 24 jam" in batch.errors[0][1]


def test_nip_that_excel_stored_as_a_number_is_refused_not_guessed(office):
    """An 18-digit NIP in a number cell keeps 15-17 digits: read back it ended in ...008 instead
    of ...001, a different NIP (perhaps another employee's, born the same day and appointed the
    same month); from a CSV Excel saved it is "1.98001E+17". Both are now refused with the fix."""
    nip = office.ani.nip
    as_number = float(nip) if nip.isdigit() else 198001012005011001.0
    data = _xlsx([["NIP", "Waktu"], [as_number, dt.datetime(2026, 10, 1, 7, 41)]])
    batch = _import(office, "nip.xlsx", data)
    assert batch.status == "refused" and batch.errors[0][0] == 2
    assert "tersimpan sebagai angka di Excel" in batch.errors[0][1]
    batch = _import(office, "nip.csv", b"NIP,Waktu\n1.98001E+17,01/10/2026 07:41\n")
    assert batch.status == "refused" and "1.98001E+17" in batch.errors[0][1]
    assert not Punch.objects.exists()
    # A PIN in a number cell (a small whole number) is read as before.
    PinMapping.objects.create(instansi=office.instansi, pin="101", employee=office.ani)
    batch = _import(office, "pin.xlsx", _xlsx([["PIN", "Waktu"], [101, "01/10/2026 07:41"]]))
    assert batch.status == "preview" and batch.valid_lines == 1


def test_pin_mapped_with_leading_zeros_takes_the_machines_pushes(client, office):
    """BKPSDM typed the PIN as the machine's screen shows it ("00101"); ADMS sends "101". The
    lines were skipped as an unknown PIN and the employee's days became tanpa keterangan."""
    dev = Device.objects.create(instansi=office.instansi, serial="ZK0001", timezone="Asia/Makassar")
    PinMapping.objects.create(
        instansi=office.instansi, device=dev, pin="00101", employee=office.ani
    )
    PinMapping.objects.create(instansi=office.instansi, pin="0102", employee=office.budi)
    body = "101\t2026-10-01 07:20:00\t0\t1\n102\t2026-10-01 07:21:00\t0\t1\n"
    r = client.post("/iclock/cdata?SN=ZK0001&table=ATTLOG", body, content_type="text/plain")
    assert r.status_code == 200
    dump = DeviceDump.objects.get()
    assert dump.inserted == 2 and dump.error == ""
    assert set(Punch.objects.values_list("employee_id", flat=True)) == {
        office.ani.id,
        office.budi.id,
    }


def test_ambiguous_pins_without_leading_zeros_stay_unknown(office):
    """Two mappings, "0105" and "00105", of different employees: "105" names neither."""
    PinMapping.objects.create(instansi=office.instansi, pin="0105", employee=office.ani)
    PinMapping.objects.create(instansi=office.instansi, pin="00105", employee=office.budi)
    resolve = services.pin_resolver(office.instansi, None)
    assert resolve("105") is None
    assert resolve("0105") == office.ani.id and resolve("00105") == office.budi.id
