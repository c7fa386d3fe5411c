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


def test_kominfo_registers_a_fingerprint_machine_and_it_is_audited(client, inst):
    client.force_login(_staff(inst, Role.KOMINFO))
    assert client.get(reverse("admin:index")).status_code == 200
    response = client.post(
        reverse("admin:attendance_device_add"),
        {
            "serial": "CQZ7231260012",
            "name": "Mesin lobi",
            "timezone": "Asia/Makassar",
            "port": 4370,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    device = Device.objects.get(serial="CQZ7231260012")
    assert device.instansi == inst
    assert AuditEvent.objects.filter(action="attendance.device.create").exists()


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
