"""A machine pulled over the LAN with a Comm Key other than 0: the key is kept per machine and sent
by the pull (pyzk's `password`); before, the pull had no such setting and the machine refused it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from zk.exception import ZKErrorResponse

from ekinerja.attendance import pull
from ekinerja.attendance.models import Device
from ekinerja.org.models import Role
from tests.factories import InstansiFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def inst():
    return InstansiFactory(timezone="Asia/Makassar")


def test_the_pull_sends_the_machines_comm_key(inst, monkeypatch):
    seen = {}

    class FakeZK:
        def __init__(self, ip, **kwargs):
            seen.update(kwargs, ip=ip)

        def connect(self):
            return self

        def disable_device(self):
            pass

    monkeypatch.setattr("zk.ZK", FakeZK)
    device = Device.objects.create(
        instansi=inst, serial="SN-LAN", ip_address="192.168.1.201", comm_key=123456
    )
    pull.zk_connection(device)
    assert seen["ip"] == "192.168.1.201" and seen["password"] == 123456


def test_a_refused_comm_key_says_a_key_was_sent_not_which(inst):
    device = Device.objects.create(
        instansi=inst, serial="SN-LAN", ip_address="192.168.1.201", comm_key=42
    )

    def refuse(_device):
        raise ZKErrorResponse("Unauthenticated")

    error = pull.pull_device(device, connect=refuse).error
    assert (
        "42" not in error and "Comm Key yang tersimpan (bukan 0)" in error and "Koneksi PC" in error
    )


def test_kominfo_sets_the_comm_key_and_a_too_long_one_is_a_field_error(client, inst):
    user = UserFactory(instansi=inst, is_staff=True)
    grant(user, Role.KOMINFO)
    client.force_login(user)
    data = {"serial": "SN-LAN", "ip_address": "192.168.1.201", "port": "4370", "timezone": ""}
    resp = client.post(reverse("admin:attendance_device_add"), {**data, "comm_key": "1234567"})
    assert resp.status_code == 200 and not Device.objects.exists()
    assert "1234567" in resp.content.decode() and "999999" in resp.content.decode()
    client.post(reverse("admin:attendance_device_add"), {**data, "comm_key": "8888"})
    assert Device.objects.get().comm_key == 8888


def test_a_form_without_the_comm_key_keeps_the_machines_default(client, inst):
    user = UserFactory(instansi=inst, is_staff=True)
    grant(user, Role.KOMINFO)
    client.force_login(user)
    data = {"serial": "SN-LAN", "ip_address": "192.168.1.201", "port": "4370", "timezone": ""}
    client.post(reverse("admin:attendance_device_add"), data)
    assert Device.objects.get().comm_key == 0
