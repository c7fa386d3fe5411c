"""Refused ADMS machines on Kominfo's home card (they were only in the server's log): the serial,
address, last time, tries and reason, with a link to register the machine under that serial; one
row per serial, pruned and capped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from ekinerja.attendance import adms
from ekinerja.attendance.models import Device, RefusedDevice
from ekinerja.org.models import Role
from tests.factories import InstansiFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def inst():
    cache.clear()
    return InstansiFactory(timezone="Asia/Makassar")


def _kominfo(client, inst):
    user = UserFactory(instansi=inst, is_staff=True)
    grant(user, Role.KOMINFO)
    client.force_login(user)
    return client


def test_each_refusal_is_counted_on_one_row_per_serial(client, inst):
    for _ in range(3):
        assert (
            client.get("/iclock/cdata", {"SN": "CKJG2019X"}, REMOTE_ADDR="10.20.3.7").status_code
            == 403
        )
    client.get("/iclock/getrequest", {"SN": "CKJG2019X"}, REMOTE_ADDR="10.20.3.8")
    row = RefusedDevice.objects.get()
    assert (row.serial, row.attempts, row.ip_address) == ("CKJG2019X", 4, "10.20.3.8")
    assert row.reason == RefusedDevice.Reason.UNKNOWN and row.instansi_id is None


def test_the_reason_and_instansi_are_known_for_a_registered_serial(client, inst):
    Device.objects.create(instansi=inst, serial="SN-OFF", is_active=False)
    Device.objects.create(instansi=inst, serial="ckjg201960001")
    client.get("/iclock/getrequest", {"SN": "SN-OFF"})
    client.get("/iclock/getrequest", {"SN": "CKJG201960001"})
    rows = {r.serial: r for r in RefusedDevice.objects.all()}
    assert rows["SN-OFF"].reason == RefusedDevice.Reason.INACTIVE
    assert rows["CKJG201960001"].reason == RefusedDevice.Reason.CASE
    assert {r.instansi_id for r in rows.values()} == {inst.id}


def test_an_accepted_machine_leaves_no_row(client, inst):
    Device.objects.create(instansi=inst, serial="SN-OK")
    assert client.get("/iclock/getrequest", {"SN": "SN-OK"}).status_code == 200
    assert not RefusedDevice.objects.exists()


def test_kominfo_sees_the_refused_machine_with_a_link_to_register_it(client, inst):
    client.get("/iclock/cdata", {"SN": "CKJG 2019/A"}, REMOTE_ADDR="10.20.3.7")
    client.get("/iclock/cdata", {"SN": "CKJG 2019/A"}, REMOTE_ADDR="10.20.3.7")
    html = _kominfo(client, inst).get("/").content.decode()
    assert 'data-testid="refused-row"' in html
    assert "CKJG 2019/A" in html and "10.20.3.7" in html and "2 kali" in html
    assert "nomor seri tidak terdaftar di Mesin absensi" in html
    link = reverse("admin:attendance_device_add") + "?serial=CKJG%202019%2FA"
    assert link in html
    # The link opens the registration form with the serial filled in.
    form = client.get(link).content.decode()
    assert 'value="CKJG 2019/A"' in form


def test_an_inactive_machine_links_to_its_own_page(client, inst):
    device = Device.objects.create(instansi=inst, serial="SN-OFF", is_active=False)
    client.get("/iclock/getrequest", {"SN": "SN-OFF"})
    html = _kominfo(client, inst).get("/").content.decode()
    assert "mesin belum diaktifkan BKPSDM" in html
    assert reverse("admin:attendance_device_change", args=[device.pk]) in html
    assert 'data-testid="refused-register"' not in html


def test_a_machine_active_by_now_and_old_refusals_are_left_off(client, inst):
    client.get("/iclock/getrequest", {"SN": "SN-LATER"})
    Device.objects.create(instansi=inst, serial="SN-LATER")
    now = timezone.now()
    RefusedDevice.objects.create(
        serial="SN-OLD",
        reason="unknown",
        first_seen=now - dt.timedelta(days=9),
        last_seen=now - dt.timedelta(days=8),
    )
    html = _kominfo(client, inst).get("/").content.decode()
    assert 'data-testid="refused-row"' not in html


def test_another_instansis_refusals_are_not_shown(client, inst):
    other = InstansiFactory()
    Device.objects.create(instansi=other, serial="SN-THEIRS", is_active=False)
    client.get("/iclock/getrequest", {"SN": "SN-THEIRS"})
    # Two instansi on the installation: an unknown serial is nobody's, shown to neither.
    client.get("/iclock/getrequest", {"SN": "SN-NOBODY"})
    html = _kominfo(client, inst).get("/").content.decode()
    assert "SN-THEIRS" not in html and "SN-NOBODY" not in html
    assert RefusedDevice.objects.count() == 2


def test_the_table_is_pruned_and_capped(inst, monkeypatch):
    monkeypatch.setattr(adms, "REFUSED_MAX_ROWS", 5)
    now = timezone.now()
    RefusedDevice.objects.create(
        serial="OLD",
        reason="unknown",
        first_seen=now - dt.timedelta(days=40),
        last_seen=now - dt.timedelta(days=31),
    )
    for i in range(8):
        adms.refusal_record(
            serial=f"SN-{i}",
            reason="unknown",
            instansi_id=None,
            ip="10.0.0.1",
            now=now + dt.timedelta(seconds=i),
        )
    serials = set(RefusedDevice.objects.values_list("serial", flat=True))
    assert serials == {f"SN-{i}" for i in range(3, 8)}


def test_invented_serials_do_not_push_a_registered_machines_row_off_the_card(inst, monkeypatch):
    """Anyone reaching /iclock/ can invent serials: the cap counts unknown serials only, so the
    row of a registered machine BKPSDM has not activated stays for Kominfo to see."""
    monkeypatch.setattr(adms, "REFUSED_MAX_ROWS", 5)
    now = timezone.now()
    adms.refusal_record(
        serial="SN-OURS", reason="inactive", instansi_id=inst.id, ip="10.0.0.9", now=now
    )
    for i in range(20):
        adms.refusal_record(
            serial=f"FAKE-{i}",
            reason="unknown",
            instansi_id=None,
            ip="203.0.113.1",
            now=now + dt.timedelta(seconds=i + 1),
        )
    assert RefusedDevice.objects.filter(serial="SN-OURS").exists()
    assert RefusedDevice.objects.filter(instansi__isnull=True).count() == 5
