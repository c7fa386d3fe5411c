"""A tenant-owned row added or changed in the admin with a key its instansi already uses (a leave
type's code) gets a field error. Before: the instansi is not a field of the officer's form, so
Django skipped the unique check that involves it and the clash reached the database: an
IntegrityError, a server error page (500)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ekinerja.attendance.models import LeaveType
from ekinerja.attendance.services import leave_types_ensure
from tests.factories import InstansiFactory
from tests.tpp.data import make_pemda

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client):
    pemda = make_pemda()
    officer = pemda.bkpsdm1
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    client.force_login(officer)
    return client, pemda


def test_adding_a_leave_type_with_a_code_in_use_is_a_field_error(officer_client):
    client, pemda = officer_client
    before = LeaveType.objects.filter(instansi=pemda.inst).count()
    resp = client.post(
        reverse("admin:attendance_leavetype_add"),
        {"code": "sakit", "name": "Sakit lagi", "is_active": "on"},
    )
    assert resp.status_code == 200
    form = resp.context["adminform"].form
    assert form.errors == {"code": ["Kode ini sudah dipakai di instansi Anda."]}
    assert LeaveType.objects.filter(instansi=pemda.inst).count() == before


def test_changing_a_leave_type_to_a_code_in_use_is_a_field_error(officer_client):
    client, pemda = officer_client
    unused = LeaveType.objects.create(instansi=pemda.inst, code="cuti_khusus", name="Cuti khusus")
    resp = client.post(
        reverse("admin:attendance_leavetype_change", args=[unused.pk]),
        {"code": "sakit", "name": "Cuti khusus", "is_active": "on"},
    )
    assert resp.status_code == 200
    assert resp.context["adminform"].form.errors == {
        "code": ["Kode ini sudah dipakai di instansi Anda."]
    }
    unused.refresh_from_db()
    assert unused.code == "cuti_khusus"


def test_a_code_used_only_by_another_instansi_is_accepted(officer_client):
    client, pemda = officer_client
    other = InstansiFactory()
    leave_types_ensure(other)
    LeaveType.objects.create(instansi=other, code="cuti_baru", name="Cuti baru")
    resp = client.post(
        reverse("admin:attendance_leavetype_add"),
        {"code": "cuti_baru", "name": "Cuti baru", "is_active": "on"},
    )
    assert resp.status_code == 302
    assert LeaveType.objects.get(instansi=pemda.inst, code="cuti_baru").name == "Cuti baru"
