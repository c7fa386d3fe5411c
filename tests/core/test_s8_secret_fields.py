"""A model marks secret fields (`audit_secret_fields`), which the audit log records as "••••"
(and "•••• (diubah)" when a change altered one) instead of their value: a fingerprint machine's
Comm Key, its password, stood in clear in every audit event of the machine. A pull the machine
refuses no longer prints the key either."""

from __future__ import annotations

import copy
import json
import pickle

import pytest
from django.urls import reverse
from zk.exception import ZKErrorResponse

from ekinerja.attendance import pull, services
from ekinerja.attendance.models import Device
from ekinerja.core.audit import SECRET_CHANGED, SECRET_MASK, secret_fields, snapshot
from ekinerja.core.models import AuditEvent
from ekinerja.org.models import Role
from tests.factories import InstansiFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

KEY = 424242


@pytest.fixture
def inst():
    return InstansiFactory(timezone="Asia/Makassar")


def _officer(inst, role):
    user = UserFactory(instansi=inst, is_staff=True)
    grant(user, role)
    return user


def _stored(event: AuditEvent) -> str:
    event.refresh_from_db()
    return json.dumps([event.before, event.after])


def test_the_machine_marks_its_comm_key_secret_and_a_snapshot_masks_it(inst):
    device = Device.objects.create(instansi=inst, serial="SN-LAN", comm_key=KEY)
    assert secret_fields(Device) == {"comm_key"}
    snap = snapshot(device)
    assert snap["comm_key"] == SECRET_MASK and snap["serial"] == "SN-LAN"
    assert str(KEY) not in json.dumps(snap)
    # Copied or pickled, a snapshot carries the mask only.
    assert str(KEY) not in repr(pickle.loads(pickle.dumps(snap)))
    assert str(KEY).encode() not in pickle.dumps(snap)
    assert copy.deepcopy(snap)["comm_key"] == SECRET_MASK


def test_saving_a_machine_records_whether_the_key_changed_never_the_key(inst):
    bkpsdm = _officer(inst, Role.BKPSDM)
    device = services.device_save(
        actor=bkpsdm, device=Device(instansi=inst, serial="SN-LAN", comm_key=KEY)
    )
    created = AuditEvent.objects.get(action="attendance.device.create")
    assert created.after["comm_key"] == SECRET_MASK and str(KEY) not in _stored(created)

    device.name = "Mesin lobi"
    services.device_save(actor=bkpsdm, device=device)
    device.comm_key = 135791
    services.device_save(actor=bkpsdm, device=device)
    renamed, rekeyed = AuditEvent.objects.filter(action="attendance.device.update").order_by("pk")
    assert renamed.before["comm_key"] == renamed.after["comm_key"] == SECRET_MASK
    assert renamed.after["name"] == "Mesin lobi"
    assert rekeyed.before["comm_key"] == SECRET_MASK and rekeyed.after["comm_key"] == SECRET_CHANGED
    for event in (renamed, rekeyed):
        assert str(KEY) not in _stored(event) and "135791" not in _stored(event)


def test_a_before_and_after_that_differ_only_by_the_key_are_not_equal(inst):
    """A caller that skips "no change" (before == after) still sees a new key."""
    device = Device.objects.create(instansi=inst, serial="SN-LAN", comm_key=KEY)
    before = snapshot(device)
    assert snapshot(device) == before
    device.comm_key = 1
    assert snapshot(device) != before


def test_the_admin_form_sets_the_key_and_the_audit_log_hides_it(client, inst):
    client.force_login(_officer(inst, Role.KOMINFO))
    data = {"serial": "SN-LAN", "ip_address": "192.168.1.201", "port": "4370", "timezone": ""}
    client.post(reverse("admin:attendance_device_add"), {**data, "comm_key": "8888"})
    device = Device.objects.get()
    assert device.comm_key == 8888  # the key itself is kept: the pull sends it
    change = reverse("admin:attendance_device_change", args=[device.pk])
    client.post(change, {**data, "name": "Mesin lobi", "comm_key": "7777"})
    assert Device.objects.get().comm_key == 7777
    client.force_login(_officer(inst, Role.BKPSDM))  # BKPSDM deletes machines
    client.post(reverse("admin:attendance_device_delete", args=[device.pk]), {"post": "yes"})
    assert not Device.objects.exists()
    events = list(AuditEvent.objects.filter(object_type="attendance.Device").order_by("pk"))
    assert [e.action.rsplit(".", 1)[-1] for e in events] == ["create", "update", "delete"]
    for event in events:
        assert "8888" not in _stored(event) and "7777" not in _stored(event)
    assert events[1].after["comm_key"] == SECRET_CHANGED
    assert events[2].before["comm_key"] == SECRET_MASK


def test_a_refused_key_is_not_printed_in_the_pull_error(inst):
    def refuse(_device):
        raise ZKErrorResponse("Unauthenticated")

    device = Device.objects.create(
        instansi=inst, serial="SN-LAN", ip_address="192.168.1.201", comm_key=KEY
    )
    error = pull.pull_device(device, connect=refuse).error
    assert str(KEY) not in error
    assert "menolak Comm Key yang tersimpan (bukan 0)" in error and "Koneksi PC" in error
    device.comm_key = 0
    error = pull.pull_device(device, connect=refuse).error
    assert "menolak Comm Key 0 (bawaan)" in error and "setel keduanya ke 0" in error


def test_an_api_tokens_hash_is_masked_in_its_snapshot(inst):
    from ekinerja.activities.services import api_token_issue

    user = UserFactory(instansi=inst)
    token, _raw = api_token_issue(actor=user, name="HP")
    assert "key_hash" in secret_fields(type(token))
    shot = snapshot(token)
    assert shot["key_hash"] == SECRET_MASK
    assert token.key_hash not in json.dumps(shot)
