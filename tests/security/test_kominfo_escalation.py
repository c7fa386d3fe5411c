"""Kominfo maintains accounts and master data but cannot make itself a decider: no role to oneself,
BKPSDM (and tim penilai, admin OPD) only from BKPSDM, no post recorded for one's own employee record.
Each path below was an actual escalation (unlock approved, entry verified by the technical admin)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ekinerja.activities import services
from ekinerja.activities.models import ActivityEntry
from ekinerja.org import services as org_services
from ekinerja.org.models import Assignment, RoleGrant
from tests.activities.conftest import make_entry
from tests.factories import UserFactory, employee_with_login, grant

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def tech(office):
    emp = employee_with_login(office["inst"], None, name="Admin teknis")
    grant(emp.user, "kominfo")
    emp.user.is_staff = True
    emp.user.save()
    return emp


def test_kominfo_cannot_grant_itself_bkpsdm_and_approve_an_unlock(client, office, at, tech):
    at("2026-10-09 10:00")
    ani = office["p"]["ani"]
    unlock = services.unlock_request_create(
        actor=ani.user,
        employee=ani,
        date_from=D(2026, 9, 1),
        date_to=D(2026, 9, 2),
        reason="Tugas luar daerah tanpa sinyal",
    )
    client.force_login(tech.user)
    resp = client.post(
        reverse("admin:org_rolegrant_add"), {"user": tech.user.pk, "role": "bkpsdm", "unit": ""}
    )
    assert resp.status_code == 200  # the form again, with the error
    assert "Peran tidak dapat diberikan kepada akun sendiri" in resp.content.decode()
    assert not RoleGrant.objects.filter(user=tech.user, role="bkpsdm").exists()
    client.post(
        reverse("activities:unlock-decide", kwargs={"pk": unlock.pk}),
        {"decision": "approve", "deadline": "2026-10-12"},
    )
    unlock.refresh_from_db()
    assert unlock.status == "pending"


def test_only_bkpsdm_gives_the_roles_that_decide(client, office, tech):
    puppet = UserFactory(instansi=office["inst"], username="boneka")
    client.force_login(tech.user)
    for role in ("bkpsdm", "tim_penilai", "admin_opd"):
        resp = client.post(
            reverse("admin:org_rolegrant_add"), {"user": puppet.pk, "role": role, "unit": ""}
        )
        assert "hanya dapat diberikan oleh BKPSDM" in resp.content.decode()
    assert not RoleGrant.objects.filter(user=puppet).exists()
    # Kominfo still gives the read-only and technical roles.
    resp = client.post(
        reverse("admin:org_rolegrant_add"), {"user": puppet.pk, "role": "pimpinan", "unit": ""}
    )
    assert resp.status_code == 302
    assert RoleGrant.objects.filter(user=puppet, role="pimpinan").exists()
    # BKPSDM gives BKPSDM to a second officer (the four-eyes lock); the service says the same.
    bkpsdm = UserFactory(instansi=office["inst"], username="bk1")
    grant(bkpsdm, "bkpsdm")
    org_services.role_grant(actor=bkpsdm, user=puppet, role="bkpsdm")
    with pytest.raises(ValidationError):
        org_services.role_grant(actor=tech.user, user=puppet, role="tim_penilai")
    with pytest.raises(ValidationError):
        org_services.role_grant(actor=bkpsdm, user=bkpsdm, role="admin_opd")


def test_kominfo_cannot_make_itself_plh_over_others_and_verify(client, office, at, tech):
    at("2026-10-05 17:00")
    entry = make_entry(office, day=D(2026, 10, 5), submit=True)
    client.force_login(tech.user)
    resp = client.post(
        reverse("admin:org_assignment_add"),
        {
            "employee": tech.pk,
            "position": office["pos"]["kasubag"].pk,
            "kind": "plh",
            "start": "2026-10-01",
            "end": "2026-10-31",
            "decree": "",
        },
    )
    assert resp.status_code == 403  # posts are recorded by BKPSDM only
    assert not Assignment.objects.filter(employee=tech).exists()
    client.post(reverse("activities:verify", kwargs={"pk": entry.pk}), {"decision": "approve"})
    assert ActivityEntry.objects.get(pk=entry.pk).status == "submitted"
    plh = Assignment(
        instansi=office["inst"],
        employee=tech,
        position=office["pos"]["kasubag"],
        kind="plh",
        start=D(2026, 10, 1),
    )
    with pytest.raises(ValidationError) as err:
        org_services.assignment_save(actor=tech.user, assignment=plh)
    assert err.value.message_dict["employee"] == [
        "Jabatan akun sendiri harus dicatat oleh petugas lain."
    ]
    # Nor does a BKPSDM officer record a post for their own employee record.
    tech.user.role_grants.update(role="bkpsdm")
    resp = client.post(
        reverse("admin:org_assignment_add"),
        {
            "employee": tech.pk,
            "position": office["pos"]["kasubag"].pk,
            "kind": "plh",
            "start": "2026-10-01",
            "end": "2026-10-31",
            "decree": "",
        },
    )
    assert "Jabatan akun sendiri harus dicatat oleh petugas lain" in resp.content.decode()
    assert not Assignment.objects.filter(employee=tech).exists()


def test_kominfo_cannot_redirect_tpp_by_changing_a_bank_account_or_salary(client, office, tech):
    """Before: the admin's employee form let Kominfo change anyone's bank account (where TPP is paid)
    and salary. Now they are BKPSDM's; Kominfo still maintains the rest of the record."""
    from ekinerja.org.models import Employee

    ani = office["p"]["ani"]
    Employee.objects.filter(pk=ani.pk).update(bank_name="Bank Kalsel", bank_account="0011223344")
    client.force_login(tech.user)
    form = client.get(reverse("admin:org_employee_change", args=[ani.pk])).content.decode()
    assert 'name="bank_account"' not in form and 'name="salary"' not in form
    assert 'name="phone"' in form  # the rest stays editable
    ani.refresh_from_db()
    ani.bank_account = "9999999999"
    with pytest.raises(ValidationError) as err:
        org_services.employee_save(actor=tech.user, employee=ani)
    assert err.value.message_dict["bank_account"] == [
        "Data pembayaran hanya dapat diubah oleh BKPSDM."
    ]
    assert Employee.objects.get(pk=ani.pk).bank_account == "0011223344"
    ani.bank_account, ani.phone = "0011223344", "081234567890"
    org_services.employee_save(actor=tech.user, employee=ani)  # a phone number is fine
    bk = UserFactory(instansi=office["inst"], username="bk-officer")
    grant(bk, "bkpsdm")
    ani.bank_account = "5555000011"
    org_services.employee_save(actor=bk, employee=ani)
    assert Employee.objects.get(pk=ani.pk).bank_account == "5555000011"


def test_kominfo_cannot_change_a_nip_that_machines_and_imports_know_an_employee_by(
    client, office, tech
):
    """An audit swapped two employees' NIPs from Kominfo's admin; a machine's PIN equal to the NIP
    then stored one person's check-ins on the other's record. The NIP is BKPSDM's to change."""
    from ekinerja.org.models import Employee

    ani, budi = office["p"]["ani"], office["p"]["budi"]
    client.force_login(tech.user)
    form = client.get(reverse("admin:org_employee_change", args=[ani.pk])).content.decode()
    assert 'name="nip"' not in form and 'name="phone"' in form
    old_nip = ani.nip
    ani.nip = "199001012015031009"
    with pytest.raises(ValidationError) as err:
        org_services.employee_save(actor=tech.user, employee=ani)
    assert err.value.message_dict["nip"] == [org_services.NIP_BKPSDM_ONLY]
    assert Employee.objects.get(pk=ani.pk).nip == old_nip
    # BKPSDM corrects an existing NIP.
    bk = UserFactory(instansi=office["inst"], username="bk-nip")
    grant(bk, "bkpsdm")
    org_services.employee_save(actor=bk, employee=ani)
    assert Employee.objects.get(pk=ani.pk).nip == "199001012015031009"
    assert Employee.objects.get(pk=budi.pk).nip == budi.nip
