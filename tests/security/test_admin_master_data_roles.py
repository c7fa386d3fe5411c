"""Who maintains which attendance and calendar master data in the Django admin. Before, only the
installation's superuser could: Kominfo got 403 on the machines the docs tell it to register, and
BKPSDM could not define schedules or leave types."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ekinerja.attendance.models import Device, LeaveType
from ekinerja.core.models import AuditEvent
from ekinerja.org.models import Role
from ekinerja.workcal.models import WorkSchedule
from tests.factories import InstansiFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def inst():
    return InstansiFactory(timezone="Asia/Makassar")


def _staff(inst, role):
    user = UserFactory(instansi=inst, username=f"{role}-staf", is_staff=True)
    grant(user, role)
    return user


ADMS_PUSH = "/iclock/cdata?SN={}&table=ATTLOG"
ATTLOG = "{}\t2026-11-30 07:25:00\t0\t1\n"


def _device_form(**fields):
    return {"name": "", "timezone": "Asia/Makassar", "ip_address": "", "port": 4370, **fields}


def test_kominfo_registers_a_machine_inactive_and_only_bkpsdm_activates_it(client, inst):
    """ADMS knows a machine by its serial alone and its PINs (or any NIP) resolve to anyone of the
    instansi: a machine Kominfo registered pushed punches for anyone, on anyone's TPP."""
    from ekinerja.attendance.models import Punch
    from tests.factories import EmployeeFactory

    victim = EmployeeFactory(instansi=inst)
    client.force_login(_staff(inst, Role.KOMINFO))
    assert client.get(reverse("admin:index")).status_code == 200
    assert "is_active" not in client.get(reverse("admin:attendance_device_add")).content.decode()
    response = client.post(
        reverse("admin:attendance_device_add"),
        _device_form(serial="CQZ7231260012", name="Mesin lobi", is_active="on"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    device = Device.objects.get(serial="CQZ7231260012")
    assert device.instansi == inst and not device.is_active
    event = AuditEvent.objects.get(action="attendance.device.create")
    assert event.after["is_active"] is False
    push = ADMS_PUSH.format(device.serial)
    assert (
        client.post(push, ATTLOG.format(victim.nip), content_type="text/plain").status_code == 403
    )
    assert not Punch.objects.exists()
    # Kominfo maintains the technical fields, but cannot activate it nor change its serial.
    change = reverse("admin:attendance_device_change", args=[device.pk])
    response = client.post(
        change,
        _device_form(
            serial="SN-ASLI", name="Mesin lobi lt. 1", ip_address="10.0.0.9", is_active="on"
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    device.refresh_from_db()
    assert (device.name, device.ip_address) == ("Mesin lobi lt. 1", "10.0.0.9")
    assert (device.serial, device.is_active) == ("CQZ7231260012", False)
    # BKPSDM checks the machine and activates it: from then on its pushes are stored.
    client.force_login(_staff(inst, Role.BKPSDM))
    response = client.post(
        change, _device_form(serial=device.serial, name=device.name, is_active="on")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    device.refresh_from_db()
    assert device.is_active
    assert (
        client.post(push, ATTLOG.format(victim.nip), content_type="text/plain").status_code == 200
    )
    assert Punch.objects.filter(employee=victim).count() == 1


def test_the_device_service_refuses_kominfo_the_serial_and_the_active_flag(inst):
    """What the admin shows read-only is refused by the service too (a crafted save)."""
    from django.core.exceptions import ValidationError

    from ekinerja.attendance import services

    kominfo = _staff(inst, Role.KOMINFO)
    real = Device.objects.create(instansi=inst, serial="SN-ASLI", timezone="Asia/Makassar")
    fake = services.device_save(
        actor=kominfo, device=Device(instansi=inst, serial="SN-PALSU", is_active=True)
    )
    assert not Device.objects.get(pk=fake.pk).is_active
    fake.is_active = True
    with pytest.raises(ValidationError) as exc:
        services.device_save(actor=kominfo, device=fake)
    assert "is_active" in exc.value.message_dict
    real.serial = "SN-LAIN"
    with pytest.raises(ValidationError) as exc:
        services.device_save(actor=kominfo, device=real)
    assert "serial" in exc.value.message_dict
    real.refresh_from_db()
    real.timezone = "Asia/Jakarta"  # every punch of the office an hour later: all late
    with pytest.raises(ValidationError) as exc:
        services.device_save(actor=kominfo, device=real)
    assert "timezone" in exc.value.message_dict
    assert set(Device.objects.values_list("serial", "is_active")) == {
        ("SN-ASLI", True),
        ("SN-PALSU", False),
    }


def test_only_bkpsdm_maps_pins_and_deletes_machines(client, inst):
    """A PIN remapped to another employee put one person's fingers on another's attendance."""
    from django.core.exceptions import PermissionDenied

    from ekinerja.attendance import services
    from ekinerja.attendance.models import PinMapping
    from tests.factories import EmployeeFactory

    owner, other = EmployeeFactory(instansi=inst), EmployeeFactory(instansi=inst)
    device = Device.objects.create(instansi=inst, serial="SN-LOBI", timezone="Asia/Makassar")
    mapping = PinMapping.objects.create(instansi=inst, device=device, pin="7", employee=owner)
    kominfo = _staff(inst, Role.KOMINFO)
    client.force_login(kominfo)
    assert client.get(reverse("admin:attendance_pinmapping_changelist")).status_code == 200
    add = reverse("admin:attendance_pinmapping_add")
    change = reverse("admin:attendance_pinmapping_change", args=[mapping.pk])
    form = {"device": device.pk, "pin": "7", "employee": other.pk}
    assert client.post(add, {**form, "pin": "8"}).status_code == 403
    assert client.post(change, form).status_code == 403
    delete = reverse("admin:attendance_pinmapping_delete", args=[mapping.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [mapping.pk], "post": "yes"}
    client.post(reverse("admin:attendance_pinmapping_changelist"), bulk)
    device_delete = reverse("admin:attendance_device_delete", args=[device.pk])
    assert client.post(device_delete, {"post": "yes"}).status_code == 403
    assert list(PinMapping.objects.values_list("pin", "employee")) == [("7", owner.pk)]
    assert Device.objects.filter(pk=device.pk).exists()
    with pytest.raises(PermissionDenied):
        services.pin_mapping_actor_check(kominfo)
    # BKPSDM does: the change is audited.
    client.force_login(_staff(inst, Role.BKPSDM))
    assert client.post(change, form).status_code == 302
    assert PinMapping.objects.get(pk=mapping.pk).employee == other
    assert AuditEvent.objects.filter(action="attendance.pinmapping.update").count() == 1


def test_kominfo_sees_but_does_not_change_leave_types_schedules_or_offices(client, inst):
    client.force_login(_staff(inst, Role.KOMINFO))
    for name in ("attendance_leavetype", "attendance_office", "workcal_workschedule"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:{name}_add")).status_code == 403


def test_bkpsdm_defines_leave_types_and_schedules(client, inst):
    client.force_login(_staff(inst, Role.BKPSDM))
    response = client.post(
        reverse("admin:attendance_leavetype_add"),
        {"code": "cuti_khusus", "name": "Cuti khusus daerah", "is_active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert LeaveType.objects.filter(instansi=inst, code="cuti_khusus").exists()
    assert client.get(reverse("admin:workcal_workschedule_add")).status_code == 200
    assert not WorkSchedule.objects.filter(instansi=inst).exists()


def test_an_employee_without_a_role_gets_nothing(client, inst):
    user = UserFactory(instansi=inst, username="staf-biasa", is_staff=True)
    client.force_login(user)
    assert client.get(reverse("admin:attendance_device_changelist")).status_code == 403


def test_kominfo_does_not_import_punch_files(client, inst):
    """A CSV it wrote put 'fingerprint' punches on anyone's attendance (and TPP)."""
    from django.core.exceptions import PermissionDenied
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ekinerja.attendance import services
    from ekinerja.attendance.models import Punch

    kominfo = _staff(inst, Role.KOMINFO)
    data = b"nip,waktu\n198701082018062578,2026-11-30 07:25:00\n"
    with pytest.raises(PermissionDenied):
        services.import_preview(actor=kominfo, instansi=inst, name="x.csv", data=data)
    client.force_login(kominfo)
    response = client.post(
        reverse("attendance:imports"), {"file": SimpleUploadedFile("x.csv", data)}
    )
    assert response.status_code == 403
    assert not Punch.objects.exists()


def test_kominfo_sees_the_lines_a_machine_sent_that_were_not_stored(client, inst):
    """ADMS answers a machine 'OK' for every line it sent; a PIN mapped to nobody is stored nowhere
    but in the raw push. The machines' raw data page shows and filters those."""
    from ekinerja.attendance import services

    device = Device.objects.create(instansi=inst, serial="SN-LOBI", timezone="Asia/Makassar")
    services.device_receive(device=device, raw="9999\t2026-11-30 07:25:00\t0\t1\n", recompute=False)
    services.device_receive(device=device, raw="", recompute=False)
    client.force_login(_staff(inst, Role.KOMINFO))
    url = reverse("admin:attendance_devicedump_changelist")
    page = client.get(url, {"masalah": "ya"}).content.decode()
    assert "PIN/NIP 9999 tidak terdaftar" in page
    assert client.get(url, {"masalah": "ya"}).context["cl"].result_count == 1


def test_a_row_deleted_in_the_attendance_admin_is_audited_once(client, inst):
    """From the form and the changelist's bulk action alike (the form wrote two events)."""
    client.force_login(_staff(inst, Role.BKPSDM))
    one = LeaveType.objects.create(instansi=inst, code="cuti_a", name="Cuti A")
    two = LeaveType.objects.create(instansi=inst, code="cuti_b", name="Cuti B")
    three = LeaveType.objects.create(instansi=inst, code="cuti_c", name="Cuti C")
    delete = reverse("admin:attendance_leavetype_delete", args=[one.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    client.post(
        reverse("admin:attendance_leavetype_changelist"),
        {"action": "delete_selected", "_selected_action": [two.pk, three.pk], "post": "yes"},
    )
    assert not LeaveType.objects.filter(instansi=inst).exists()
    events = AuditEvent.objects.filter(object_type="attendance.LeaveType")
    assert sorted(events.values_list("object_id", "action")) == sorted(
        (str(t.pk), "attendance.leavetype.delete") for t in (one, two, three)
    )


def test_the_raw_data_page_speaks_indonesian_in_its_filters(client, inst):
    device = Device.objects.create(instansi=inst, serial="SN-F", timezone="Asia/Makassar")
    from ekinerja.attendance import services

    services.device_receive(device=device, raw="", channel="pull", recompute=False)
    client.force_login(_staff(inst, Role.BKPSDM))
    url = reverse("admin:attendance_devicedump_changelist")
    page = client.get(url).content.decode()
    assert "cara kirim" in page and "Berdasarkan channel" not in page
    assert client.get(url, {"cara": "pull"}).context["cl"].result_count == 1
    assert client.get(url, {"cara": "push"}).context["cl"].result_count == 0
