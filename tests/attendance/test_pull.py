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
