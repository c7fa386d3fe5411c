"""Raw punches: immutable, unique, imported from fingerprint exports repeat-safely."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ekinerja.attendance import services
from ekinerja.attendance.models import DailyAttendance, Device, PinMapping, Punch, PunchImport
from ekinerja.attendance.parsing import parse_datetime, parse_file
from tests.attendance.conftest import WITA, D, at

pytestmark = pytest.mark.django_db


def punch(emp, when, key="file"):
    services.punches_insert(emp.instansi, [services.PunchRow(emp.id, when, "fingerprint", key)])


def test_punches_cannot_be_changed_or_deleted(office):
    punch(office.ani, at(D(2026, 10, 1), 7, 20))
    p = Punch.objects.get()
    p.reason = "ubah"
    with pytest.raises(PermissionError):
        p.save()
    with pytest.raises(PermissionError):
        p.delete()
    with pytest.raises(PermissionError):
        Punch.objects.all().update(reason="x")
    with pytest.raises(PermissionError):
        Punch.objects.all().delete()


def test_same_punch_twice_is_stored_once(office):
    when = at(D(2026, 10, 1), 7, 20)
    assert (
        services.punches_insert(
            office.instansi, [services.PunchRow(office.ani.id, when, "fingerprint", "SN1")] * 2
        )
        == 1
    )
    assert (
        services.punches_insert(
            office.instansi, [services.PunchRow(office.ani.id, when, "fingerprint", "SN1")]
        )
        == 0
    )
    # The same instant from another source is another raw record.
    assert (
        services.punches_insert(
            office.instansi, [services.PunchRow(office.ani.id, when, "fingerprint", "SN2")]
        )
        == 1
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Punch.objects.create(
            instansi=office.instansi,
            employee=office.ani,
            at=when,
            source="fingerprint",
            source_key="SN1",
        )


def test_manual_punch_needs_a_reason(office):
    with pytest.raises(IntegrityError), transaction.atomic():
        Punch.objects.create(
            instansi=office.instansi,
            employee=office.ani,
            at=at(D(2026, 10, 1), 7),
            source="manual",
            source_key="manual",
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-01 07:41:00", dt.datetime(2026, 10, 1, 7, 41)),
        ("2026-10-01T07:41", dt.datetime(2026, 10, 1, 7, 41)),
        ("01/10/2026 07:41", dt.datetime(2026, 10, 1, 7, 41)),
        ("1-10-2026 7.41.05", dt.datetime(2026, 10, 1, 7, 41, 5)),
        ("2026/10/01 07:41:09", dt.datetime(2026, 10, 1, 7, 41, 9)),
    ],
)
def test_datetime_formats(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    "text",
    ["2026-10-01", "31/02/2026 07:00", "kemarin", "2026-10-01 25:00", "2026-10-01 07:00+08:00"],
)
def test_unreadable_datetimes(text):
    with pytest.raises(ValueError):
        parse_datetime(text)


CSV = (
    "No;PIN;Nama;Waktu\n"
    "1;101;Ani;01/10/2026 07:20:10\n"
    "2;101;Ani;01/10/2026 16:05:00\n"
    "3;102;Budi;01/10/2026 07:45:00\n"
    "4;999;Tamu;01/10/2026 08:00:00\n"
)


def _map(office):
    PinMapping.objects.create(instansi=office.instansi, pin="101", employee=office.ani)
    PinMapping.objects.create(instansi=office.instansi, pin="102", employee=office.budi)


def test_csv_import_twice_adds_nothing_the_second_time(office):
    _map(office)
    batch = services.import_preview(
        actor=None, instansi=office.instansi, name="absen.csv", data=CSV.encode()
    )
    assert batch.status == PunchImport.Status.PREVIEW
    assert (batch.total_lines, batch.valid_lines) == (4, 3)
    assert batch.warnings[0][0] == 5 and "999" in batch.warnings[0][1]
    done = services.import_run(actor=None, batch=batch)
    assert (done.status, done.inserted, done.duplicates) == ("done", 3, 0)
    assert Punch.objects.count() == 3
    assert Punch.objects.filter(employee=office.ani).first().at == at(D(2026, 10, 1), 7, 20, 10)
    again = services.import_run(
        actor=None,
        batch=services.import_preview(
            actor=None, instansi=office.instansi, name="absen.csv", data=CSV.encode()
        ),
    )
    assert (again.inserted, again.duplicates) == (0, 3)
    assert Punch.objects.count() == 3
    # The import recomputed Budi's day: 15 minutes late, no check-out.
    day = DailyAttendance.objects.get(employee=office.budi, date=D(2026, 10, 1))
    assert day.late_minutes == 15 and day.missing_out


def test_a_batch_runs_only_once(office):
    _map(office)
    batch = services.import_preview(
        actor=None, instansi=office.instansi, name="absen.csv", data=CSV.encode()
    )
    services.import_run(actor=None, batch=batch)
    with pytest.raises(ValidationError):
        services.import_run(actor=None, batch=batch)


def test_malformed_file_is_refused_with_line_numbers_and_adds_nothing(office):
    _map(office)
    bad = CSV + "5;101;Ani;32/10/2026 07:00\n6;;Tanpa PIN;01/10/2026 07:00\n"
    batch = services.import_preview(
        actor=None, instansi=office.instansi, name="absen.csv", data=bad.encode()
    )
    assert batch.status == PunchImport.Status.REFUSED
    assert [e[0] for e in batch.errors] == [6, 7]
    assert "Tanggal/jam" in batch.errors[0][1] and "PIN/NIP kosong" in batch.errors[1][1]
    with pytest.raises(ValidationError):
        services.import_run(actor=None, batch=batch)
    assert Punch.objects.count() == 0


def test_unrecognised_header_and_unsupported_type_are_refused(office):
    b = services.import_preview(
        actor=None, instansi=office.instansi, name="x.csv", data=b"a,b\n1,2\n"
    )
    assert b.status == "refused" and b.errors[0][0] == 1
    b = services.import_preview(actor=None, instansi=office.instansi, name="x.pdf", data=b"%PDF")
    assert b.status == "refused"
    b = services.import_preview(
        actor=None, instansi=office.instansi, name="x.xlsx", data=b"not a zip"
    )
    assert b.status == "refused" and "xlsx rusak" in b.errors[0][1].lower()


def test_xlsx_with_nip_and_separate_date_and_time(office):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["NIP", "Nama", "Tanggal", "Jam"])
    ws.append([office.ani.nip, "Ani", dt.date(2026, 10, 1), dt.time(7, 25)])
    ws.append([office.ani.nip, "Ani", "2026-10-01", "16:10"])
    buf = io.BytesIO()
    wb.save(buf)
    batch = services.import_preview(
        actor=None, instansi=office.instansi, name="rekap.xlsx", data=buf.getvalue()
    )
    assert batch.status == "preview" and batch.valid_lines == 2, batch.errors
    services.import_run(actor=None, batch=batch)
    assert sorted(Punch.objects.values_list("at", flat=True)) == [
        at(D(2026, 10, 1), 7, 25),
        at(D(2026, 10, 1), 16, 10),
    ]


def test_dat_export_in_the_device_clock_zone(office):
    dev = Device.objects.create(instansi=office.instansi, serial="ABC123", timezone="Asia/Jakarta")
    PinMapping.objects.create(instansi=office.instansi, device=dev, pin="7", employee=office.ani)
    dat = "     7\t2026-10-01 06:20:00\t1\t0\t0\t0\n     7\t2026-10-01 15:05:00\t1\t1\t0\t0\n"
    batch = services.import_preview(
        actor=None, instansi=office.instansi, name="1_attlog.dat", data=dat.encode(), device=dev
    )
    services.import_run(actor=None, batch=batch)
    # 06:20 WIB on the device clock is 07:20 WITA.
    first = Punch.objects.order_by("at").first()
    assert (
        first.at == at(D(2026, 10, 1), 7, 20)
        and first.source_key == "ABC123"
        and first.device == dev
    )
    dev.refresh_from_db()
    assert dev.watermark == dt.datetime(
        2026, 10, 1, 15, 5, tzinfo=dt.timezone(dt.timedelta(hours=7))
    )


def test_pin_with_leading_zeros_maps(office):
    PinMapping.objects.create(instansi=office.instansi, pin="42", employee=office.budi)
    parsed = parse_file("a.dat", b"0042\t2026-10-01 07:00:00\t0\t1\n")
    assert (
        parsed.rows
        and services.pin_resolver(office.instansi, None)(parsed.rows[0][1]) == office.budi.id
    )


def test_device_of_another_instansi_is_refused(office):
    from tests.factories import InstansiFactory

    other = Device.objects.create(instansi=InstansiFactory(code="7101"), serial="OTHER")
    with pytest.raises(ValidationError):
        services.import_preview(
            actor=None, instansi=office.instansi, name="a.dat", data=b"", device=other
        )


def test_zone_of_imported_file_without_device_is_the_instansi_zone(office):
    _map(office)
    services.import_run(
        actor=None,
        batch=services.import_preview(
            actor=None, instansi=office.instansi, name="a.csv", data=CSV.encode()
        ),
    )
    assert Punch.objects.filter(employee=office.budi).get().at.astimezone(WITA).hour == 7


def test_a_broker_that_is_down_leaves_the_import_waiting_with_the_reason(
    client, office, monkeypatch
):
    """With Redis down, "Jalankan" answered 500; now it says so and the import stays ready."""
    from celery import Task
    from django.test import override_settings
    from django.urls import reverse
    from kombu.exceptions import OperationalError

    def refuse(self, args=None, kwargs=None, **options):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    _map(office)
    batch = services.import_preview(
        actor=office.bkpsdm_user, instansi=office.instansi, name="absen.csv", data=CSV.encode()
    )
    monkeypatch.setattr(Task, "apply_async", refuse)
    client.force_login(office.bkpsdm_user)
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        response = client.post(reverse("attendance:import-run", args=[batch.pk]), follow=True)
    assert response.status_code == 200
    assert "tidak dapat dihubungi" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == PunchImport.Status.PREVIEW and not Punch.objects.exists()


def test_punches_are_inserted_outside_a_transaction_too(transactional_db):
    """In autocommit mode (a script, a test without a transaction) PostgreSQL commits the COPY into
    the temporary table on its own, and the table empties at commit: the service keeps the COPY and
    the INSERT in one transaction, so the punches are there afterwards."""
    from django.db import connection

    from tests.factories import EmployeeFactory, InstansiFactory

    emp = EmployeeFactory(instansi=InstansiFactory(code="6302"))
    assert connection.get_autocommit()
    rows = [
        services.PunchRow(emp.id, at(D(2026, 10, 1), 7, 20), "fingerprint", "SN1"),
        services.PunchRow(emp.id, at(D(2026, 10, 1), 16, 5), "fingerprint", "SN1"),
    ]
    assert services.punches_insert(emp.instansi, rows) == 2
    assert sorted(Punch.objects.values_list("at", flat=True)) == [r.at for r in rows]


def test_a_machine_clock_reset_or_ahead_refuses_the_file_before_anything_is_stored(office):
    """An audit imported a line of 2066 (the machine's watermark went 40 years ahead), one of 2000
    (27 years of absences derived for everybody) and one of year 0001 (a server error)."""
    _map(office)
    for stamp in ("05/12/2066 07:20:00", "01/01/2000 07:20:00", "01/01/0001 07:20:00"):
        bad = CSV + f"5;101;Ani;{stamp}\n"
        batch = services.import_preview(
            actor=None, instansi=office.instansi, name="absen.csv", data=bad.encode()
        )
        assert batch.status == PunchImport.Status.REFUSED, stamp
        assert [e[0] for e in batch.errors] == [6]
        assert "di luar rentang yang diterima" in batch.errors[0][1]
    assert not Punch.objects.exists()


def test_utf16_and_carriage_return_files_are_read_or_refused_with_their_line(office):
    """Excel's "Unicode text" (UTF-16) and a file with bare \\r line ends were server errors."""
    _map(office)
    for data in (
        b"\xff\xfe" + CSV.encode("utf-16-le"),
        CSV.replace("\n", "\r").replace(";Ani;", ';"Ani";').encode(),
    ):
        batch = services.import_preview(
            actor=None, instansi=office.instansi, name="absen.csv", data=data
        )
        assert batch.status == PunchImport.Status.PREVIEW, batch.errors
        assert (batch.total_lines, batch.valid_lines) == (4, 3)
    broken = b'No;PIN;Nama;Waktu\n1;101;"Ani\r\n;01/10/2026 07:20:10\n'
    parsed = parse_file("absen.csv", broken.replace(b"\r\n", b"\r"))
    assert parsed.rows == [] or parsed.errors  # never an exception


def test_a_time_column_holding_date_and_time_is_read():
    """ZKTeco Att2000 writes "AC-No.,...,Time" with the date in the Time column; Fingerspot
    writes "Scan Date"."""
    for header in ("AC-No.,Name,Time", "PIN,Nama,Scan Date"):
        parsed = parse_file("x.csv", f"{header}\n101,Ani,01/10/2026 07:20\n".encode())
        assert parsed.errors == [] and parsed.rows[0][2] == dt.datetime(2026, 10, 1, 7, 20)
