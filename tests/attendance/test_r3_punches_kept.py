"""Punches that must not be lost or doubled: the lines a machine sent for a PIN mapped to nobody
are recovered once BKPSDM maps the PIN; the same punch from the machine and from its file is
stored and counted once; a file whose dates read both day first and month first is not guessed."""

import datetime as dt
import html
import importlib

import pytest
import time_machine
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ekinerja.attendance import selectors, services
from ekinerja.attendance.models import (
    DailyAttendance,
    Device,
    DeviceDump,
    PinMapping,
    Punch,
    PunchImport,
    UnmappedPunch,
)
from ekinerja.attendance.parsing import DAY_FIRST, MONTH_FIRST, parse_file
from ekinerja.core import locked_months
from tests.attendance.conftest import WITA, D, at
from tests.factories import InstansiFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

# Monday 5 October 2026, 09:00 WITA: Thursday 1 and Friday 2 October are judged.
NOW = dt.datetime(2026, 10, 5, 1, 0, tzinfo=dt.UTC)
NEW_PIN_LOG = (
    "777\t2026-10-01 07:25:00\t0\t1\t0\t0\t0\n"
    "777\t2026-10-01 16:05:00\t1\t1\t0\t0\t0\n"
    "777\t2026-10-02 07:20:00\t0\t1\t0\t0\t0\n"
)


@pytest.fixture
def device(office):
    # The machine's clock in the instansi's zone (WITA); its data complete up to now.
    return Device.objects.create(instansi=office.instansi, serial="CQZ0001", watermark=NOW)


def _map(office, device, pin="777", employee=None):
    mapping = PinMapping(
        instansi=office.instansi, device=device, pin=pin, employee=employee or office.ani
    )
    return services.pin_mapping_save(actor=office.bkpsdm_user, mapping=mapping)


# ---------------------------------------------------------------- 1. unknown PINs recovered


@time_machine.travel(NOW)
def test_a_new_employees_punches_sent_before_the_pin_was_mapped_are_recovered(office, device):
    services.device_receive(device=device, raw=NEW_PIN_LOG)
    assert not Punch.objects.exists()
    # The nightly job stored Thursday as absent without notice.
    services.daily_recompute(instansi=office.instansi, start=D(2026, 10, 1), end=D(2026, 10, 2))
    assert DailyAttendance.objects.get(employee=office.ani, date=D(2026, 10, 1)).absent
    assert UnmappedPunch.objects.filter(device=device, pin="777").count() == 3

    recovered = _map(office, device)

    assert (recovered.lines, recovered.inserted) == (3, 3)
    assert (recovered.first, recovered.last) == (D(2026, 10, 1), D(2026, 10, 2))
    assert "3 absen PIN 777" in recovered.message("777") and not recovered.locked
    times = list(
        Punch.objects.filter(employee=office.ani).order_by("at").values_list("at", flat=True)
    )
    assert times == [
        at(D(2026, 10, 1), 7, 25),
        at(D(2026, 10, 1), 16, 5),
        at(D(2026, 10, 2), 7, 20),
    ]
    assert set(Punch.objects.values_list("source_key", "device_id")) == {("CQZ0001", device.id)}
    thursday = DailyAttendance.objects.get(employee=office.ani, date=D(2026, 10, 1))
    assert thursday.status == DailyAttendance.Status.PRESENT and not thursday.absent
    assert thursday.check_in == at(D(2026, 10, 1), 7, 25)
    friday = DailyAttendance.objects.get(employee=office.ani, date=D(2026, 10, 2))
    assert friday.status == DailyAttendance.Status.MISSING_OUT
    assert selectors.unmapped_pins(office.instansi.id) == []


@time_machine.travel(NOW)
def test_mapping_twice_recovers_nothing_twice(office, device):
    services.device_receive(device=device, raw=NEW_PIN_LOG)
    _map(office, device)
    mapping = PinMapping.objects.get()
    again = services.pin_mapping_save(actor=office.bkpsdm_user, mapping=mapping)
    assert (again.lines, again.inserted) == (0, 0) and again.message("777") == ""
    # Even lines not yet marked (a recovery interrupted) are stored once.
    UnmappedPunch.objects.update(recovered_at=None)
    third = services.unmapped_recover(actor=None, instansi=office.instansi)
    assert (third.lines, third.inserted) == (3, 0)
    assert Punch.objects.count() == 3
    # The machine resending its log adds nothing either.
    services.device_receive(device=device, raw=NEW_PIN_LOG)
    assert Punch.objects.count() == 3 and UnmappedPunch.objects.count() == 3


@time_machine.travel(NOW)
def test_an_instansi_wide_mapping_with_leading_zeros_recovers_only_its_own_instansi(office, device):
    other = InstansiFactory(code="7101", timezone="Asia/Makassar")
    other_device = Device.objects.create(instansi=other, serial="OTHER01", watermark=NOW)
    services.device_receive(device=other_device, raw=NEW_PIN_LOG)
    services.device_receive(device=device, raw=NEW_PIN_LOG + "778\t2026-10-01 07:00:00\t0\t1\n")

    recovered = _map(office, None, pin="00777")  # instansi-wide, typed with leading zeros

    assert recovered.lines == 3 and recovered.employee_ids == {office.ani.id}
    assert Punch.objects.filter(instansi=other).count() == 0
    assert UnmappedPunch.objects.filter(instansi=other, recovered_at__isnull=True).count() == 3
    # PIN 778 of this machine is still waiting, and listed.
    waiting = selectors.unmapped_pins(office.instansi.id)
    assert [(w["pin"], w["count"], w["device__serial"]) for w in waiting] == [("778", 1, "CQZ0001")]


@time_machine.travel(NOW)
def test_a_locked_tpp_month_is_recorded_and_said(office, device, monkeypatch):
    monkeypatch.setattr(
        locked_months,
        "_source",
        [lambda _inst, pairs: {p for p in pairs if p == (office.ani.id, "2026-10")}],
    )
    services.device_receive(device=device, raw=NEW_PIN_LOG)
    recovered = _map(office, device)
    assert recovered.inserted == 3 and recovered.locked == ["Oktober 2026"]
    assert "TPP Oktober 2026 sudah dikunci" in recovered.message("777")
    assert DailyAttendance.objects.get(employee=office.ani, date=D(2026, 10, 1)).status == "present"


@time_machine.travel(NOW)
def test_bkpsdm_sees_the_unmapped_pins_and_mapping_one_in_the_admin_recovers_it(
    client, office, device
):
    services.device_receive(device=device, raw=NEW_PIN_LOG)
    officer = UserFactory(instansi=office.instansi, is_staff=True)
    grant(officer, "bkpsdm")
    client.force_login(officer)
    page = html.unescape(
        client.get(reverse("admin:attendance_pinmapping_changelist")).content.decode()
    )
    assert 'data-testid="unmapped-pins"' in page
    row = page.split('data-testid="unmapped-pin"')[1].split("</tr>")[0]
    assert "777" in row and "CQZ0001" in row and "<td>3</td>" in row
    assert "1 Oktober 2026 07.25" in row and "2 Oktober 2026 07.20" in row
    assert f"pin=777&device={device.id}" in row

    response = client.post(
        reverse("admin:attendance_pinmapping_add"),
        {"device": device.id, "pin": "777", "employee": office.ani.id},
        follow=True,
    )
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert "3 absen PIN 777 yang sudah dikirim mesin dipulihkan" in text
    assert Punch.objects.filter(employee=office.ani).count() == 3
    assert 'data-testid="unmapped-pins"' not in text


@time_machine.travel(NOW)
def test_lines_skipped_before_the_upgrade_are_indexed_from_the_kept_dumps(office, device):
    dump = DeviceDump.objects.create(
        instansi=office.instansi,
        device=device,
        channel="push",
        table="ATTLOG",
        raw=NEW_PIN_LOG + "101\t2026-10-01 07:00:00\t0\t1\n",
        lines=4,
        error="PIN/NIP 777 tidak terdaftar (3 baris dilewati, baris 1, 2, 3).",
    )
    migration = importlib.import_module("ekinerja.attendance.migrations.0007_unmapped_punch")
    migration.index_skipped_lines(apps, None)
    rows = UnmappedPunch.objects.filter(dump=dump)
    assert sorted(rows.values_list("pin", flat=True)) == ["777"] * 3
    assert _map(office, device).inserted == 3


# ---------------------------------------------------------------- 2. the same punch once

FILE = "PIN,Waktu\n101,2026-10-01 07:25:00\n101,2026-10-01 16:05:00\n101,2026-10-02 07:20:00\n"
PUSH = "101\t2026-10-01 07:25:00\t0\t1\n101\t2026-10-01 16:05:00\t1\t1\n"


@time_machine.travel(NOW)
def test_a_file_imported_without_its_machine_does_not_store_pushed_punches_again(
    client, office, device
):
    PinMapping.objects.create(instansi=office.instansi, pin="101", employee=office.ani)
    services.device_receive(device=device, raw=PUSH)
    assert Punch.objects.count() == 2
    client.force_login(office.bkpsdm_user)
    client.post(
        reverse("attendance:imports"), {"file": SimpleUploadedFile("usb.csv", FILE.encode())}
    )
    batch = PunchImport.objects.get()
    assert batch.device is None and batch.valid_lines == 3
    client.post(reverse("attendance:import-run", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.inserted, batch.duplicates) == (1, 2)
    assert Punch.objects.count() == 3
    assert Punch.objects.filter(source_key="file").count() == 1
    page = client.get(reverse("attendance:import-detail", args=[batch.pk])).content.decode()
    assert 'data-testid="import-duplicates">2 sudah ada<' in page
    assert "2 sudah ada" in client.get(reverse("attendance:imports")).content.decode()


@time_machine.travel(NOW)
def test_a_push_after_the_machines_file_does_not_store_the_punches_again(office, device):
    PinMapping.objects.create(instansi=office.instansi, pin="101", employee=office.ani)
    batch = services.import_preview(
        actor=None, instansi=office.instansi, name="usb.csv", data=FILE.encode()
    )
    assert services.import_run(actor=None, batch=batch).inserted == 3
    dump = services.device_receive(device=device, raw=PUSH)
    assert dump.inserted == 0 and Punch.objects.count() == 3
    # The same file chosen with its machine this time: nothing new either.
    again = services.import_preview(
        actor=None, instansi=office.instansi, name="usb.csv", data=FILE.encode(), device=device
    )
    assert services.import_run(actor=None, batch=again).duplicates == 3


@time_machine.travel(NOW)
def test_the_same_instant_stored_twice_before_counts_once(office):
    """Copies stored before the fix (push and file): a Sunday's single punch showed as both its
    first and last punch."""
    sunday = D(2026, 10, 4)
    for key in ("CQZ0001", "file"):
        services.punches_insert(
            office.instansi,
            [services.PunchRow(office.ani.id, at(sunday, 9, 0), "fingerprint", key)],
        )
    assert Punch.objects.count() == 2
    days = {
        f.date: f for f in selectors.attendance_days([office.ani], sunday, sunday)[office.ani.id]
    }
    assert days[sunday].check_in == at(sunday, 9, 0) and days[sunday].check_out is None


# ---------------------------------------------------------------- 3. ambiguous dates

US_FILE = "".join(
    ["PIN,Waktu\n"] + [f"101,10/{d:02d}/2026 07:{20 + d:02d}:00\n" for d in range(1, 13)]
)


def test_a_file_of_days_1_to_12_reads_both_ways_and_the_likelier_is_guessed():
    parsed = parse_file("us.csv", US_FILE.encode(), None)
    assert parsed.date_question is not None and parsed.date_question.guess == MONTH_FIRST
    assert parsed.date_question.spans[MONTH_FIRST] == (D(2026, 10, 1), D(2026, 10, 12))
    assert parsed.date_question.spans[DAY_FIRST] == (D(2026, 1, 10), D(2026, 12, 10))
    # Chosen, it is read so.
    chosen = parse_file("us.csv", US_FILE.encode(), MONTH_FIRST)
    assert chosen.date_question is None and not chosen.errors
    assert [w.date() for _l, _i, w in chosen.rows][:2] == [D(2026, 10, 1), D(2026, 10, 2)]
    # A day above 12 shows the order; ISO dates and 05/05 read one way only.
    for text in (
        "PIN,Waktu\n101,13/10/2026 07:00\n101,01/10/2026 07:00\n",
        "PIN,Waktu\n101,2026-10-01 07:00:00\n",
        "PIN,Waktu\n101,05/05/2026 07:00\n",
    ):
        assert parse_file("x.csv", text.encode(), None).date_question is None
    # Month first shown by a second number above 12: asked, month first offered.
    shown = parse_file("x.csv", b"PIN,Waktu\n101,10/13/2026 07:00\n101,10/01/2026 07:00\n", None)
    assert shown.date_question.guess == MONTH_FIRST


@time_machine.travel(dt.datetime(2026, 10, 20, 1, 0, tzinfo=dt.UTC))
def test_the_import_form_asks_for_the_date_format_of_an_ambiguous_file(client, office):
    PinMapping.objects.create(instansi=office.instansi, pin="101", employee=office.ani)
    client.force_login(office.bkpsdm_user)
    url = reverse("attendance:imports")
    r = client.post(url, {"file": SimpleUploadedFile("us.csv", US_FILE.encode())})
    assert r.status_code == 200 and not PunchImport.objects.exists()
    errors = r.context["form"].errors["date_order"]
    assert errors == [
        "Tanggal di berkas ini dapat dibaca dua cara: sebagai tanggal/bulan/tahun "
        "(10 Januari – 10 Desember 2026) atau bulan/tanggal/tahun (1–12 Oktober 2026). Pilih "
        "format tanggalnya, lalu pilih berkasnya lagi; perkiraan kami: bulan/tanggal/tahun."
    ]
    page = r.content.decode()
    assert '<option value="mdy" selected>' in page
    # Chosen: read month first, October 1-12.
    r = client.post(
        url, {"file": SimpleUploadedFile("us.csv", US_FILE.encode()), "date_order": MONTH_FIRST}
    )
    batch = PunchImport.objects.get()
    assert r.status_code == 302 and batch.status == "preview"
    span = (batch.first_at.astimezone(WITA).date(), batch.last_at.astimezone(WITA).date())
    assert span == (D(2026, 10, 1), D(2026, 10, 12))
    # An unambiguous file goes through without a choice, as before.
    day_first = "PIN,Waktu\n101,13/10/2026 07:00\n101,01/10/2026 07:05\n"
    r = client.post(url, {"file": SimpleUploadedFile("id.csv", day_first.encode())})
    assert r.status_code == 302 and PunchImport.objects.count() == 2


@time_machine.travel(NOW)
def test_recovery_costs_the_same_queries_for_one_line_or_many(office, device):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(log: str, pins: dict) -> int:
        services.device_receive(device=device, raw=log)
        for pin, emp in pins.items():
            PinMapping.objects.create(instansi=office.instansi, pin=pin, employee=emp)
        with CaptureQueriesContext(connection) as ctx:
            result = services.unmapped_recover(actor=None, instansi=office.instansi)
        assert result.inserted == len(log.splitlines())
        return len(ctx.captured_queries)

    one = cost("801\t2026-10-01 07:25:00\t0\t1\n", {"801": office.ani})
    many = "".join(
        f"{pin}\t2026-10-0{d} 0{h}:1{d}:00\t0\t1\n"
        for pin in ("802", "803", "804")
        for d in (1, 2)
        for h in (7, 8)
    )
    assert cost(many, {"802": office.budi, "803": office.kepala, "804": office.nurse}) == one
