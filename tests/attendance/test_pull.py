"""Pulling from ZKTeco devices (pyzk), with a fake connection."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from zk.attendance import Attendance

from ekinerja.attendance import pull
from ekinerja.attendance.models import Device, DeviceDump, PinMapping, Punch
from tests.attendance.conftest import D, at

pytestmark = pytest.mark.django_db


class FakeZK:
    def __init__(self, records, fail_read=False):
        self.records = records
        self.fail_read = fail_read
        self.enabled = False
        self.closed = False

    def get_attendance(self):
        if self.fail_read:
            raise OSError("koneksi putus")
        return self.records

    def enable_device(self):
        self.enabled = True

    def disconnect(self):
        self.closed = True


@pytest.fixture
def device(office):
    dev = Device.objects.create(instansi=office.instansi, serial="PULL1", ip_address="10.0.0.5")
    PinMapping.objects.create(instansi=office.instansi, pin="7", employee=office.ani)
    return dev


def rec(h, m, day=1):
    return Attendance("7", dt.datetime(2026, 10, day, h, m), 0, 0)


def test_pull_saves_the_dump_inserts_and_resumes(office, device):
    fake = FakeZK([rec(7, 20), rec(16, 5)])
    r = pull.pull_device(device, connect=lambda d: fake)
    assert (r.read, r.new, r.inserted) == (2, 2, 2) and fake.enabled and fake.closed
    assert DeviceDump.objects.get().channel == "pull"
    device.refresh_from_db()
    assert device.pulled_until == at(D(2026, 10, 1), 16, 5) and device.watermark is not None
    # Next pull: the device still holds the old records; only the new one is taken.
    fake = FakeZK([rec(7, 20), rec(16, 5), rec(7, 25, day=2)])
    r = pull.pull_device(device, connect=lambda d: fake)
    assert (r.new, r.inserted) == (
        2,
        1,
    )  # 16:05 is within the hour of overlap, skipped as duplicate
    assert Punch.objects.count() == 3


def test_failed_connection_is_reported_and_changes_nothing(office, device):
    def boom(d):
        raise ConnectionRefusedError("tidak ada jawaban")

    r = pull.pull_device(device, connect=boom)
    assert "Gagal terhubung" in r.error and not Punch.objects.exists()
    # Said for the operator: where it tried and what to check (not "[Errno 32] Broken pipe").
    assert f"{device.ip_address}:{device.port}" in r.error and "periksa IP, port" in r.error
    device.refresh_from_db()
    assert device.watermark is None


def test_read_failure_closes_the_connection(office, device):
    fake = FakeZK([], fail_read=True)
    with pytest.raises(OSError):
        pull.pull_device(device, connect=lambda d: fake)
    assert fake.closed and fake.enabled


def test_command(office, device, monkeypatch, capsys):
    monkeypatch.setattr(pull, "zk_connection", lambda d, timeout=10: FakeZK([rec(7, 20)]))
    call_command("attendance-pull", "--device", "PULL1")
    assert "1 ditambahkan" in capsys.readouterr().out
    with pytest.raises(CommandError, match="NONE belum terdaftar"):
        call_command("attendance-pull", "--device", "NONE")
    type(device).objects.filter(pk=device.pk).update(ip_address="")
    with pytest.raises(CommandError, match="belum diisi alamat IP"):
        call_command("attendance-pull", "--device", "PULL1")


def test_a_record_of_a_clock_that_ran_ahead_is_reported_and_moves_nothing(office, device):
    """A record dated 2066 (a clock glitch) set pulled_until to 2066: every later pull read the
    employee's real punches and dropped them as already pulled, while the watermark moved on and
    their days became final as absent without notice."""
    from ekinerja.attendance.services import device_receive

    glitch = Attendance("7", dt.datetime(2066, 1, 1, 7, 0), 0, 0)
    pull.pull_device(device, connect=lambda d: FakeZK([glitch, rec(7, 20)]))
    device.refresh_from_db()
    assert device.pulled_until == at(D(2026, 10, 1), 7, 20)
    assert not Punch.objects.filter(at__year=2066).exists()
    assert "periksa jam mesin" in DeviceDump.objects.get().error
    pull.pull_device(device, connect=lambda d: FakeZK([glitch, rec(7, 20), rec(7, 25, day=2)]))
    assert Punch.objects.count() == 2
    # A mark left in the future before this rule is ignored: the real punches are taken again.
    type(device).objects.filter(pk=device.pk).update(pulled_until=at(D(2065, 12, 31), 23))
    device.refresh_from_db()
    r = pull.pull_device(device, connect=lambda d: FakeZK([rec(7, 20), rec(16, 0, day=2)]))
    assert r.inserted == 1 and Punch.objects.count() == 3
    # A push from a machine whose clock was reset (2000) or ran ahead: reported, not stored.
    dump = device_receive(
        device=device, raw="7\t2000-01-01 00:01:00\t0\t1\n7\t2099-12-31 07:00:00\t0\t1\n"
    )
    assert dump.inserted == 0 and dump.error.count("periksa jam mesin") == 2
    assert not Punch.objects.filter(at__year__in=[2000, 2099]).exists()


def test_an_import_that_left_out_other_units_lines_does_not_move_the_watermark(office):
    """A shared machine, stalled since 1 October: an admin OPD imports its file; the other unit's
    teacher's lines are skipped ("bukan pegawai unit Anda"). The watermark moved to the file's last
    punch anyway, and her held-back days became final as absent although she had punched."""
    from ekinerja.attendance import selectors, services
    from ekinerja.core.periods import Period
    from tests.factories import (
        PositionFactory,
        UnitFactory,
        UserFactory,
        employee_with_login,
        grant,
    )

    inst = office.instansi
    school = UnitFactory(instansi=inst, code="DISDIK", name="Dinas Pendidikan")
    guru = employee_with_login(inst, PositionFactory(unit=school, instansi=inst), name="Guru Sari")
    dev = Device.objects.create(instansi=inst, serial="SHARED1", is_active=True, unit=office.unit)
    Device.objects.filter(pk=dev.pk).update(watermark=at(D(2026, 10, 1), 0))
    PinMapping.objects.create(instansi=inst, device=dev, pin="1", employee=office.ani)
    PinMapping.objects.create(instansi=inst, device=dev, pin="2", employee=guru)
    admin = UserFactory(instansi=inst, username="admin_dinkes")
    grant(admin, "admin_opd", office.unit)
    lines = ["PIN,Waktu"] + [
        f"{pin},2026-10-0{d} {hour}:0{pin}:00"
        for d in (5, 6, 7)
        for pin in "12"
        for hour in (7, 16)
    ]
    dev.refresh_from_db()
    batch = services.import_preview(
        actor=admin, instansi=inst, name="m.csv", data="\n".join(lines).encode(), device=dev
    )
    assert batch.others_skipped
    services.import_run(actor=admin, batch=batch)
    dev.refresh_from_db()
    assert dev.watermark == at(D(2026, 10, 1), 0)
    days = {f.date: f for f in selectors.attendance_month([guru], Period(2026, 10))[guru.id]}
    assert not days[D(2026, 10, 6)].final
    # BKPSDM imports the whole file: nothing skipped, the mark moves, her days are judged.
    bkpsdm = UserFactory(instansi=inst, username="bkpsdm_x")
    grant(bkpsdm, "bkpsdm")
    whole = services.import_preview(
        actor=bkpsdm, instansi=inst, name="m.csv", data="\n".join(lines).encode(), device=dev
    )
    assert not whole.others_skipped
    services.import_run(actor=bkpsdm, batch=whole)
    dev.refresh_from_db()
    assert dev.watermark > at(D(2026, 10, 7), 0)
    days = {f.date: f for f in selectors.attendance_month([guru], Period(2026, 10))[guru.id]}
    assert days[D(2026, 10, 6)].final and not days[D(2026, 10, 6)].absent_without_notice


def test_the_scheduled_job_pulls_every_active_machine_with_an_address(office, device, monkeypatch):
    """`attendance-pull` used to be run by nobody: not on beat's schedule, not in the cron list of
    docs/operations.md, so a LAN machine's punches never arrived. One machine that fails does not
    stop the others."""
    from ekinerja.attendance.tasks import pull_devices

    Device.objects.create(instansi=office.instansi, serial="PUSH1")  # ADMS: no address, not pulled
    Device.objects.create(instansi=office.instansi, serial="OFF1", ip_address="10.0.0.6")
    Device.objects.filter(serial="OFF1").update(is_active=False)
    Device.objects.create(instansi=office.instansi, serial="BROKEN", ip_address="10.0.0.7")
    tried = []

    def connect(d, timeout=10):
        tried.append(d.serial)
        if d.serial == "BROKEN":
            return FakeZK([], fail_read=True)
        return FakeZK([rec(7, 20), rec(16, 5)])

    monkeypatch.setattr(pull, "zk_connection", connect)
    assert pull_devices() == 2
    assert tried == ["BROKEN", "PULL1"]
    assert Punch.objects.filter(employee=office.ani).count() == 2
