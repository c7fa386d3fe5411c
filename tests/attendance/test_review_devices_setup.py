"""Kominfo registering fingerprint machines in admin → Mesin absensi: a mistyped IP or port, a
serial registered elsewhere, a clock zone other than the instansi's, a machine refused by ADMS,
a pull refused for its Comm Key, and the admin lists' query counts."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.attendance import services
from ekinerja.attendance.models import Device, PinMapping
from ekinerja.attendance.pull import pull_device
from ekinerja.org.models import Role
from tests.factories import (
    InstansiFactory,
    UnitFactory,
    UserFactory,
    employee_with_login,
    grant,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def inst():
    return InstansiFactory(timezone="Asia/Makassar")


def _login(client, inst, role):
    user = UserFactory(instansi=inst, is_staff=True)
    grant(user, role)
    client.force_login(user)
    return client


def _add(client, **fields):
    data = {"serial": "CKJG201960001", "name": "Mesin lobi", "timezone": "", "port": "4370"}
    data.update(fields)
    return client.post(reverse("admin:attendance_device_add"), data)


@pytest.mark.parametrize(
    ("ip", "message"),
    [
        ("192.168.1.300", "Alamat IP tidak valid"),
        ("192.168 1 20", "Alamat IP tidak valid"),
        ("192.168.1.201:4370", "port diisi pada kolom Port"),
    ],
)
def test_a_bad_ip_address_is_a_field_error_and_nothing_is_saved(client, inst, ip, message):
    resp = _add(_login(client, inst, Role.KOMINFO), ip_address=ip)
    assert resp.status_code == 200
    assert message in " ".join(resp.context["adminform"].form.errors["ip_address"])
    assert not Device.objects.exists()


def test_a_port_out_of_range_is_a_field_error(client, inst):
    resp = _add(_login(client, inst, Role.KOMINFO), ip_address="192.168.1.201", port="99999")
    assert resp.status_code == 200
    assert "antara 1 dan 65535" in " ".join(resp.context["adminform"].form.errors["port"])
    assert not Device.objects.exists()


def test_a_good_ip_address_or_host_name_is_kept(client, inst):
    c = _login(client, inst, Role.KOMINFO)
    assert _add(c, ip_address=" 192.168.1.201 ").status_code == 302
    assert _add(c, serial="CKJG201960002", ip_address="mesin-aula.lan").status_code == 302
    assert sorted(Device.objects.values_list("ip_address", flat=True)) == [
        "192.168.1.201",
        "mesin-aula.lan",
    ]


def test_a_serial_of_another_instansi_says_so(client, inst):
    Device.objects.create(instansi=InstansiFactory(), serial="CKJG201960001")
    resp = _add(_login(client, inst, Role.KOMINFO))
    assert resp.status_code == 200
    errors = " ".join(resp.context["adminform"].form.errors["serial"])
    assert "sudah terdaftar pada instansi lain" in errors
    assert Device.objects.count() == 1


def test_a_serial_differing_only_in_case_is_a_duplicate(client, inst):
    """The machine sends one spelling: two rows differing in case could not both be served."""
    Device.objects.create(instansi=inst, serial="CKJG201960001")
    resp = _add(_login(client, inst, Role.BKPSDM), serial="ckjg201960001")
    assert resp.status_code == 200
    assert "sudah terdaftar" in " ".join(resp.context["adminform"].form.errors["serial"])
    assert Device.objects.count() == 1


def test_the_form_tells_what_to_set_on_the_machine(client, inst, settings):
    settings.ALLOWED_HOSTS = ["ekinerja.hss.go.id"]
    c = _login(client, inst, Role.KOMINFO)
    html = c.get(reverse("admin:attendance_device_add"), HTTP_HOST="ekinerja.hss.go.id").content
    html = html.decode()
    assert "Alamat Server ekinerja.hss.go.id, Port Server 80" in html
    assert "Comm Key mesin harus 0" in html


def test_a_clock_zone_other_than_the_instansi_is_warned(client, inst):
    resp = _add(_login(client, inst, Role.BKPSDM), timezone="Asia/Jakarta")
    assert resp.status_code == 302
    text = " ".join(str(m) for m in resp.wsgi_request._messages)
    assert "diatur WIB (Asia/Jakarta), sedangkan instansi memakai WITA" in text


def test_a_refused_machine_is_logged_once_with_the_reason(client, inst, caplog):
    cache.clear()
    Device.objects.create(instansi=inst, serial="SN-OFF", is_active=False)
    with caplog.at_level(logging.WARNING, logger="ekinerja.attendance.adms"):
        for _ in range(3):
            assert client.get("/iclock/cdata", {"SN": "SN-TYPO"}).status_code == 403
        assert client.get("/iclock/getrequest", {"SN": "SN-OFF"}).status_code == 403
    lines = [r.getMessage() for r in caplog.records if r.name == "ekinerja.attendance.adms"]
    assert len(lines) == 2
    assert "'SN-TYPO'" in lines[0] and "tidak terdaftar" in lines[0]
    assert "'SN-OFF'" in lines[1] and "belum diaktifkan BKPSDM" in lines[1]


def test_a_pull_refused_for_its_comm_key_says_what_to_set(inst):
    from zk.exception import ZKErrorResponse

    device = Device.objects.create(instansi=inst, serial="SN-LAN", ip_address="192.168.1.201")

    def refuse(_device):
        raise ZKErrorResponse("Unauthenticated")

    result = pull_device(device, connect=refuse)
    assert "Comm Key" in result.error and "ke 0" in result.error


@pytest.mark.parametrize(
    "name", ["attendance_device", "attendance_pinmapping", "attendance_devicedump"]
)
def test_the_machine_lists_cost_the_same_whatever_the_number_of_rows(client, inst, name):
    c = _login(client, inst, Role.BKPSDM)
    url = reverse(f"admin:{name}_changelist")

    def add(i):
        unit = UnitFactory(instansi=inst, code=f"U{i}", name=f"Puskesmas {i}")
        device = Device.objects.create(instansi=inst, serial=f"SN-{i}", unit=unit)
        employee = employee_with_login(inst, None, name=f"Pegawai {i}")
        PinMapping.objects.create(instansi=inst, device=device, pin=str(i), employee=employee)
        services.device_receive(
            device=device, raw=f"{i}\t2026-11-30 07:25:00\t0\t1\n", recompute=False
        )

    add(1)
    c.get(url)
    with CaptureQueriesContext(connection) as one:
        assert c.get(url).status_code == 200
    for i in range(2, 8):
        add(i)
    with CaptureQueriesContext(connection) as many:
        assert c.get(url).status_code == 200
    assert len(many.captured_queries) == len(one.captured_queries)
