"""The Django admin for master data: domain rules show as form errors (never a 500) and write nothing;
another instansi's rows are neither listed, nor reachable, nor offered as choices."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import reverse

from ekinerja.core.models import AuditEvent
from ekinerja.org.models import Assignment, Employee, Position, Role, Unit
from tests.factories import (
    AssignmentFactory,
    EmployeeFactory,
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    grant,
)

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def world():
    a = InstansiFactory(code="6301", name="Kabupaten A")
    b = InstansiFactory(code="9471", name="Kota B")
    unit_a = UnitFactory(instansi=a, code="A.01", name="Dinas Milik A")
    top_a = PositionFactory(
        unit=unit_a, code="A-TOP", name="Kepala Dinas A", kind="struktural", kelas=14
    )
    staff_a = PositionFactory(unit=unit_a, code="A-STAF", name="Analis A", kelas=8, parent=top_a)
    officer = employee_with_login(a, staff_a, name="Rina BKPSDM")
    officer.user.is_staff = True
    officer.user.save(update_fields=["is_staff"])
    grant(officer.user, Role.BKPSDM)
    # The admin pages are used by a second BKPSDM officer: nobody records their own post.
    clerk = employee_with_login(a, staff_a, name="Sari BKPSDM").user
    clerk.is_staff = True
    clerk.save(update_fields=["is_staff"])
    grant(clerk, Role.BKPSDM)
    unit_b = UnitFactory(instansi=b, code="B.01", name="Dinas Rahasia B")
    pos_b = PositionFactory(unit=unit_b, code="B-POS", name="Jabatan Rahasia B", kelas=9)
    emp_b = EmployeeFactory(instansi=b, name="Pegawai Rahasia B")
    assignment_b = AssignmentFactory(employee=emp_b, position=pos_b)
    return {
        "a": a,
        "b": b,
        "unit_a": unit_a,
        "top_a": top_a,
        "staff_a": staff_a,
        "officer": officer,
        "user": clerk,
        "unit_b": unit_b,
        "pos_b": pos_b,
        "emp_b": emp_b,
        "assignment_b": assignment_b,
    }


@pytest.fixture
def admin_client(client, world):
    client.force_login(world["user"])
    return client


def _text(resp) -> str:
    return html.unescape(resp.content.decode())


def _employee_post(**overrides) -> dict:
    data = {
        "nip": "197002142000032011",
        "name": "Ahmad Fauzi",
        "front_title": "",
        "back_title": "",
        "status": "PNS",
        "golongan": "III/a",
        "pppk_grade": "",
        "npwp": "",
        "bank_name": "",
        "bank_account": "",
        "phone": "",
        "email": "",
        "salary": "",
        "user": "",
        "is_active": "on",
        # The read-only assignment inline still sends its management form.
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "0",
    }
    data.update(overrides)
    return data


def _counts():
    return (
        Unit.objects.count(),
        Position.objects.count(),
        Employee.objects.count(),
        Assignment.objects.count(),
        AuditEvent.objects.count(),
    )


def test_bkpsdm_staff_sees_the_org_admin(admin_client):
    resp = admin_client.get(reverse("admin:index"))
    assert resp.status_code == 200
    assert reverse("admin:org_employee_changelist") in resp.content.decode()


def test_bad_nip_is_a_field_error_and_writes_nothing(admin_client, world):
    before = _counts()
    resp = admin_client.post(
        reverse("admin:org_employee_add"), _employee_post(nip="197002302000032011")
    )
    assert resp.status_code == 200
    form = resp.context["adminform"].form
    assert form.errors["nip"] == ["NIP: tanggal lahir (digit 1-8) bukan tanggal yang valid."]
    assert "NIP: tanggal lahir (digit 1-8) bukan tanggal yang valid." in _text(resp)
    assert _counts() == before


def test_pppk_golongan_mismatch_and_duplicate_nip_are_field_errors(admin_client, world):
    resp = admin_client.post(
        reverse("admin:org_employee_add"),
        _employee_post(nip="199001012022212001", status="PPPK", golongan="III/a"),
    )
    errors = resp.context["adminform"].form.errors
    assert "golongan" in errors and "pppk_grade" in errors
    existing = world["officer"].nip
    resp = admin_client.post(reverse("admin:org_employee_add"), _employee_post(nip=existing))
    assert resp.context["adminform"].form.errors["nip"] == [f"NIP {existing} sudah terdaftar."]
    assert Employee.objects.filter(nip=existing).count() == 1


def test_valid_employee_is_saved_through_the_service_with_an_audit_event(admin_client, world):
    resp = admin_client.post(reverse("admin:org_employee_add"), _employee_post())
    assert resp.status_code == 302, resp.context["adminform"].form.errors
    employee = Employee.objects.get(nip="197002142000032011")
    assert employee.instansi == world["a"]
    event = AuditEvent.objects.get(action="org.employee.create")
    assert event.actor == world["user"] and event.instansi == world["a"]


def test_overlapping_definitif_assignment_is_a_form_error(admin_client, world):
    officer = world["officer"]  # definitif in A-STAF since 2020-01-01, open-ended
    before = _counts()
    resp = admin_client.post(
        reverse("admin:org_assignment_add"),
        {
            "employee": officer.pk,
            "position": world["top_a"].pk,
            "kind": "definitif",
            "start": "2025-06-01",
            "end": "",
            "decree": "",
        },
    )
    assert resp.status_code == 200
    errors = resp.context["adminform"].form.errors
    assert errors["start"] == [
        "Tumpang tindih dengan jabatan definitif Analis A mulai 1 Januari 2020 yang belum berakhir."
    ]
    assert _counts() == before
    # A Plt on top of the definitif assignment is allowed.
    resp = admin_client.post(
        reverse("admin:org_assignment_add"),
        {
            "employee": officer.pk,
            "position": world["top_a"].pk,
            "kind": "plt",
            "start": "2025-06-01",
            "end": "2025-08-31",
            "decree": "800/123/BKPSDM",
        },
    )
    assert resp.status_code == 302
    assert Assignment.objects.filter(employee=officer, kind="plt", instansi=world["a"]).exists()


def test_end_before_start_is_a_form_error(admin_client, world):
    resp = admin_client.post(
        reverse("admin:org_assignment_add"),
        {
            "employee": world["officer"].pk,
            "position": world["top_a"].pk,
            "kind": "plh",
            "start": "2025-06-10",
            "end": "2025-06-01",
            "decree": "",
        },
    )
    assert resp.context["adminform"].form.errors["end"] == [
        "Tanggal selesai tidak boleh sebelum tanggal mulai."
    ]


def test_position_cycle_and_kelas_are_form_errors(admin_client, world):
    top, staff, unit = world["top_a"], world["staff_a"], world["unit_a"]
    data = {
        "code": top.code,
        "name": top.name,
        "unit": unit.pk,
        "kind": "struktural",
        "kelas": "14",
        "parent": staff.pk,
        "tpp_base": "",
    }
    before = _counts()
    resp = admin_client.post(reverse("admin:org_position_change", args=[top.pk]), data)
    assert resp.status_code == 200
    assert resp.context["adminform"].form.errors["parent"] == [
        "Jabatan tidak boleh menjadi bawahan dirinya sendiri (siklus)."
    ]
    top.refresh_from_db()
    assert top.parent_id is None and _counts() == before
    resp = admin_client.post(
        reverse("admin:org_position_add"),
        {**data, "code": "A-NEW", "kelas": "18", "parent": top.pk},
    )
    assert resp.context["adminform"].form.errors["kelas"] == [
        "Kelas jabatan harus antara 1 dan 17."
    ]
    resp = admin_client.post(
        reverse("admin:org_position_add"), {**data, "code": "A-STAF", "parent": top.pk}
    )
    assert resp.context["adminform"].form.errors["code"] == ["Kode jabatan 'A-STAF' sudah dipakai."]
    assert _counts() == before


def test_unit_cycle_is_a_form_error(admin_client, world):
    unit = world["unit_a"]
    sub = UnitFactory(instansi=world["a"], code="A.01.01", name="Bidang A", parent=unit, kind="sub")
    resp = admin_client.post(
        reverse("admin:org_unit_change", args=[unit.pk]),
        {"code": unit.code, "name": unit.name, "kind": "opd", "parent": sub.pk},
    )
    assert resp.context["adminform"].form.errors["parent"] == [
        "Unit tidak boleh menjadi bawahan dirinya sendiri (siklus)."
    ]
    unit.refresh_from_db()
    assert unit.parent_id is None


def test_other_instansi_rows_are_not_listed_nor_reachable(admin_client, world):
    cases = [
        ("employee", world["emp_b"], "Pegawai Rahasia B"),
        ("unit", world["unit_b"], "Dinas Rahasia B"),
        ("position", world["pos_b"], "Jabatan Rahasia B"),
        ("assignment", world["assignment_b"], "Jabatan Rahasia B"),
    ]
    for model, obj, secret in cases:
        listing = admin_client.get(reverse(f"admin:org_{model}_changelist"))
        assert listing.status_code == 200
        assert secret not in _text(listing), model
        resp = admin_client.get(reverse(f"admin:org_{model}_change", args=[obj.pk]), follow=True)
        assert secret not in _text(resp), model
        assert (
            resp.status_code == 404
            or "tidak ada" in _text(resp).lower()
            or ("doesn't exist" in _text(resp))
        ), model
    # Own rows are listed.
    assert "Dinas Milik A" in _text(admin_client.get(reverse("admin:org_unit_changelist")))


def test_foreign_key_choices_are_limited_to_own_instansi(admin_client, world):
    page = _text(admin_client.get(reverse("admin:org_unit_add")))
    assert "Dinas Milik A" in page and "Dinas Rahasia B" not in page
    # Autocomplete widgets ask the related admin, which is scoped too.
    for model, field, own, secret in (
        ("assignment", "position", "Analis A", "Jabatan Rahasia B"),
        ("assignment", "employee", "Rina BKPSDM", "Pegawai Rahasia B"),
        ("position", "unit", "Dinas Milik A", "Dinas Rahasia B"),
    ):
        resp = admin_client.get(
            reverse("admin:autocomplete"),
            {"app_label": "org", "model_name": model, "field_name": field, "term": ""},
        )
        texts = [r["text"] for r in resp.json()["results"]]
        assert any(own in t for t in texts) and not any(secret in t for t in texts), (model, field)
    # Posting another instansi's id anyway is refused as an invalid choice and writes nothing.
    before = _counts()
    resp = admin_client.post(
        reverse("admin:org_assignment_add"),
        {
            "employee": world["officer"].pk,
            "position": world["pos_b"].pk,
            "kind": "plt",
            "start": "2025-06-01",
            "end": "",
            "decree": "",
        },
    )
    assert resp.status_code == 200 and "position" in resp.context["adminform"].form.errors
    assert _counts() == before


def test_role_grants_are_not_edited_in_place(admin_client, world):
    grant_row = world["user"].role_grants.get()
    resp = admin_client.post(
        reverse("admin:org_rolegrant_change", args=[grant_row.pk]),
        {"user": world["user"].pk, "role": "bpkad", "unit": ""},
    )
    assert resp.status_code == 403
    assert list(world["user"].role_grants.values_list("role", flat=True)) == ["bkpsdm"]


def test_staff_without_a_master_data_role_gets_no_org_admin(client, world):
    plain = employee_with_login(world["a"], world["staff_a"], name="Staf Biasa")
    plain.user.is_staff = True
    plain.user.save(update_fields=["is_staff"])
    client.force_login(plain.user)
    assert (
        reverse("admin:org_employee_changelist")
        not in client.get(reverse("admin:index")).content.decode()
    )
    assert client.get(reverse("admin:org_employee_add")).status_code == 403


def test_making_an_employee_inactive_with_a_post_still_open_warns_to_end_it(admin_client, world):
    """The inactive flag has no date; a post ended with its last day keeps the months before it in
    the reports. Deactivating someone whose post is still open says so; ending it first does not."""
    resp = admin_client.post(reverse("admin:org_employee_add"), _employee_post())
    employee = Employee.objects.get(nip="197002142000032011")
    post = AssignmentFactory(employee=employee, position=world["staff_a"], start=D(2021, 3, 1))
    change = reverse("admin:org_employee_change", args=[employee.pk])
    data = _employee_post()
    del data["is_active"]
    resp = admin_client.post(change, data, follow=True)
    assert resp.status_code == 200
    warned = [str(m) for m in resp.context["messages"] if m.level_tag == "warning"]
    assert warned == [
        "Pegawai ini nonaktif, tetapi jabatannya belum diakhiri (Analis A). Bila ia pensiun, pindah "
        "atau berhenti, isi tanggal selesai jabatannya di Penempatan jabatan agar bulan-bulan "
        "sebelumnya tetap menghitungnya."
    ]
    employee.refresh_from_db()
    assert not employee.is_active
    post.end = D(2026, 9, 30)
    post.save(update_fields=["end"])
    resp = admin_client.post(change, data, follow=True)
    assert not [m for m in resp.context["messages"] if m.level_tag == "warning"]


def test_deactivating_an_employee_in_the_admin_says_their_login_was_turned_off(admin_client, world):
    """The officer is told the login went with the record, and, when reactivating, that it did
    not come back by itself."""
    leaver = employee_with_login(world["a"], None, name="Budi Pensiun")
    change = reverse("admin:org_employee_change", args=[leaver.pk])
    data = _employee_post(nip=leaver.nip, name=leaver.name)
    del data["is_active"]
    resp = admin_client.post(change, data, follow=True)
    warned = [str(m) for m in resp.context["messages"] if m.level_tag == "warning"]
    assert warned == [
        f"Akun masuk pegawai ini ({leaver.nip}) ikut dinonaktifkan: ia tidak dapat masuk lagi. "
        "Bila ia kembali bertugas, aktifkan data pegawainya lalu aktifkan akunnya dengan tombol "
        "Aktifkan kembali di halaman Akun pegawai (BKPSDM)."
    ]
    leaver.user.refresh_from_db()
    assert not leaver.user.is_active
    assert AuditEvent.objects.filter(
        action="auth.account.deactivate", actor=world["user"], object_id=str(leaver.user_id)
    ).exists()
    resp = admin_client.post(change, _employee_post(nip=leaver.nip, name=leaver.name), follow=True)
    warned = [str(m) for m in resp.context["messages"] if m.level_tag == "warning"]
    assert len(warned) == 1 and "akun masuknya" in warned[0] and "tetap nonaktif" in warned[0]
    leaver.user.refresh_from_db()
    assert not leaver.user.is_active


def test_role_grant_form_names_no_account_of_another_instansi(admin_client, world):
    """The raw id field names the account beside the id only when it is the instansi's own: it
    printed the username (a NIP) of any instansi's account whose id was put in the address."""
    from tests.factories import UserFactory

    victim = UserFactory(instansi=world["b"], username="199001012015031777")
    page = _text(admin_client.get(reverse("admin:org_rolegrant_add") + f"?user={victim.pk}"))
    assert victim.username not in page
    own = world["officer"].user
    page = _text(admin_client.get(reverse("admin:org_rolegrant_add") + f"?user={own.pk}"))
    assert f">{own.username}</a>" in page
    page = _text(admin_client.get(reverse("admin:org_rolegrant_add") + "?user=x1"))
    assert "Server Error" not in page


def test_admin_list_filters_offer_only_the_instansis_own_related_rows(admin_client, world):
    """A filter on a foreign key offered every instansi's rows (machines by their serial, a shared
    secret of the ADMS push; schedules)."""
    from ekinerja.attendance.models import Device, DeviceDump
    from ekinerja.workcal.models import EmployeeSchedule
    from tests.factories import fixed_schedule

    mine = Device.objects.create(instansi=world["a"], serial="SN-A-0001", name="Mesin A")
    DeviceDump.objects.create(instansi=world["a"], device=mine, channel="push", raw="")
    Device.objects.create(instansi=world["b"], serial="SECRET-B-9999", name="Mesin Bupati B")
    page = _text(admin_client.get(reverse("admin:attendance_devicedump_changelist")))
    assert "SN-A-0001" in page and "SECRET-B-9999" not in page

    own = fixed_schedule(world["a"], code="MILIKA")
    fixed_schedule(world["b"], code="RAHASIAB")
    EmployeeSchedule.objects.create(
        instansi=world["a"], employee=world["officer"], schedule=own, date_from=D(2026, 1, 1)
    )
    page = _text(admin_client.get(reverse("admin:workcal_employeeschedule_changelist")))
    assert "MILIKA" in page and "RAHASIAB" not in page


def test_a_role_for_an_account_of_no_instansi_is_a_field_error(client, db):
    """The platform superuser giving a role to an account not attached to an instansi got a server
    error (role_grant's refusal raised in save_model): it is the user field's error now."""
    from ekinerja.core.models import User
    from ekinerja.org.models import RoleGrant
    from tests.factories import InstansiFactory

    root = User.objects.create_superuser("root-r15", password="Rahasia-Kuat-2026!")
    loose = User.objects.create_user("akun-lepas", password="Rahasia-Kuat-2026!")
    client.force_login(root)
    inst = InstansiFactory()
    resp = client.post(
        reverse("admin:org_rolegrant_add"),
        {"instansi": inst.pk, "user": loose.pk, "role": "bpkad", "unit": ""},
    )
    assert resp.status_code == 200
    assert "Akun belum terhubung ke instansi." in resp.content.decode()
    assert not RoleGrant.objects.exists()
