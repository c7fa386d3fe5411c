"""Four eyes through a password reset. A BKPSDM officer could reset another officer's password (the
temporary password is shown to whoever resets it), log in as that officer and, for instance, lock
the TPP list they had computed themselves: the second pair of eyes was their own. Or reset a plain
employee's password and give that account BKPSDM.

Now the password of an account holding a privileged role (org.models.PRIVILEGED_ROLES: BKPSDM,
Kominfo, admin OPD, tim penilai, BPKAD), or a staff or superuser account, is reset only by the
installation's administrator (the superuser, in the admin); and an officer who ever issued an
account's temporary password does not give that account a privileged role."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ekinerja.core.models import AuditEvent, User
from ekinerja.org import services
from ekinerja.org.models import Employee, RoleGrant
from tests.factories import (
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    grant,
)

pytestmark = pytest.mark.django_db
PASSWORD = "Rahasia-Kuat-2026!"
ADMIN_ONLY = "administrator sistem"


@pytest.fixture
def pemda():
    inst = InstansiFactory()
    unit = UnitFactory(instansi=inst, code="4.01", name="BKPSDM")
    dinas = UnitFactory(instansi=inst, code="1.01", name="Dinas Pendidikan")
    pos = PositionFactory(unit=unit, kelas=9)
    staff_pos = PositionFactory(unit=dinas, kelas=7)
    people = {}
    for key, role in (
        ("bk1", "bkpsdm"),
        ("bk2", "bkpsdm"),
        ("kominfo", "kominfo"),
        ("admin_opd", "admin_opd"),
        ("tim_penilai", "tim_penilai"),
        ("bpkad", "bpkad"),
        ("pimpinan", "pimpinan"),
        ("plain", None),
        ("plain2", None),
    ):
        e = employee_with_login(
            inst, staff_pos if key.startswith("plain") else pos, name=f"Pegawai {key}"
        )
        if role is not None:
            grant(e.user, role, unit=dinas if role == "admin_opd" else None)
        people[key] = e
    return {"inst": inst, "dinas": dinas, "unit": unit, **people}


@pytest.mark.parametrize("holder", ["bk2", "kominfo", "admin_opd", "tim_penilai", "bpkad"])
def test_bkpsdm_cannot_reset_the_password_of_a_privileged_account(pemda, holder):
    target = pemda[holder]
    with pytest.raises(PermissionDenied, match=ADMIN_ONLY):
        services.password_reset(actor=pemda["bk1"].user, employee=target)
    user = User.objects.get(pk=target.user_id)
    assert user.check_password(PASSWORD) and not user.must_change_password
    assert not AuditEvent.objects.filter(action="auth.password.reset").exists()


def test_staff_accounts_are_the_administrators_too(pemda):
    User.objects.filter(pk=pemda["plain"].user_id).update(is_staff=True)
    with pytest.raises(PermissionDenied, match=ADMIN_ONLY):
        services.password_reset(
            actor=pemda["bk1"].user, employee=Employee.objects.get(pk=pemda["plain"].pk)
        )


def test_bkpsdm_still_resets_plain_and_read_only_accounts(pemda):
    for key in ("plain", "pimpinan"):
        issued = services.password_reset(actor=pemda["bk1"].user, employee=pemda[key])
        assert issued.password and User.objects.get(pk=pemda[key].user_id).must_change_password


def test_the_installations_superuser_resets_an_officers_password_in_the_admin(client, pemda):
    root = User.objects.create_superuser(username="root", password=PASSWORD)  # no instansi
    client.force_login(root)
    bk2 = pemda["bk2"].user
    new = "Sawah-Padi-Menguning-77"
    resp = client.post(
        reverse("admin:auth_user_password_change", args=[bk2.pk]),
        {"password1": new, "password2": new},
    )
    assert resp.status_code == 302
    bk2.refresh_from_db()
    assert bk2.check_password(new) and bk2.must_change_password
    assert AuditEvent.objects.filter(action="auth.password.admin_set", actor=root).exists()


def test_who_issued_an_accounts_password_cannot_make_it_privileged(pemda):
    """The other link of the chain: reset a plain account, then give it BKPSDM."""
    bk1, bk2 = pemda["bk1"].user, pemda["bk2"].user
    temporary = services.password_reset(actor=bk1, employee=pemda["plain"]).password
    puppet = User.objects.get(pk=pemda["plain"].user_id)
    for role in ("bkpsdm", "admin_opd", "tim_penilai", "kominfo", "bpkad"):
        with pytest.raises(ValidationError, match="kata sandi sementara akun ini"):
            services.role_grant(
                actor=bk1,
                user=puppet,
                role=role,
                unit=pemda["dinas"] if role == "admin_opd" else None,
            )
    # Even after the owner (or whoever logged in with it) chose a new password.
    services.password_change(
        user=puppet, old_password=temporary, new_password="Pohon-Jati-Tua-2026"
    )
    with pytest.raises(ValidationError):
        services.role_grant(actor=bk1, user=puppet, role="bkpsdm")
    assert not RoleGrant.objects.filter(user=puppet).exists()
    # A read-only role is no escalation; another officer may give the privileged ones.
    services.role_grant(actor=bk1, user=puppet, role="pimpinan")
    services.role_grant(actor=bk2, user=puppet, role="bkpsdm")
    assert set(RoleGrant.objects.filter(user=puppet).values_list("role", flat=True)) == {
        "pimpinan",
        "bkpsdm",
    }
    # And once it is BKPSDM, bk1 cannot reset it either.
    with pytest.raises(PermissionDenied, match=ADMIN_ONLY):
        services.password_reset(actor=bk1, employee=Employee.objects.get(pk=pemda["plain"].pk))


def test_an_account_created_by_an_officer_is_not_made_privileged_by_them(pemda):
    newcomer = employee_with_login(pemda["inst"], None, name="Pegawai Baru")
    newcomer.user.delete()
    newcomer = Employee.objects.get(pk=newcomer.pk)
    issued, _ = services.accounts_create(actor=pemda["bk1"].user, employees=[newcomer])
    with pytest.raises(ValidationError, match="kata sandi sementara akun ini"):
        services.role_grant(actor=pemda["bk1"].user, user=issued[0].user, role="bkpsdm")


def test_the_admin_form_shows_the_refusal(client, pemda):
    bk1 = pemda["bk1"].user
    bk1.is_staff = True
    bk1.save()
    services.password_reset(actor=bk1, employee=pemda["plain"])
    client.force_login(bk1)
    resp = client.post(
        reverse("admin:org_rolegrant_add"),
        {"user": pemda["plain"].user_id, "role": "bkpsdm", "unit": ""},
    )
    assert resp.status_code == 200 and "kata sandi sementara akun ini" in resp.content.decode()
    assert not RoleGrant.objects.filter(user_id=pemda["plain"].user_id).exists()


def test_the_accounts_page_hides_the_reset_where_it_is_refused(client, pemda):
    client.force_login(pemda["bk1"].user)
    page = client.get(reverse("accounts")).content.decode()

    def cell(key: str) -> str:
        nip = pemda[key].nip
        start = page.index(f'data-testid="account-{nip}"')
        return page[start : page.index("</tr>", start)]

    for key in ("plain", "pimpinan"):
        assert reverse("account-reset", args=[pemda[key].pk]) in cell(key), key
    for key in ("bk2", "kominfo", "admin_opd", "tim_penilai", "bpkad"):
        row = cell(key)
        assert reverse("account-reset", args=[pemda[key].pk]) not in row, key
        assert ADMIN_ONLY in row, key
        # A short label on the row; the reason opens under it.
        assert "<summary" in row and "Tidak dapat diatur ulang</summary>" in row, key
    # Posting anyway is refused with the reason, nothing issued.
    resp = client.post(reverse("account-reset", args=[pemda["bk2"].pk]), follow=True)
    assert ADMIN_ONLY in resp.content.decode()
    assert not AuditEvent.objects.filter(action="auth.password.reset").exists()


def test_an_admin_opd_sees_no_reset_for_accounts_holding_a_role(client, pemda):
    admin = pemda["admin_opd"].user
    grant(pemda["plain2"].user, "pimpinan")
    client.force_login(admin)
    page = client.get(reverse("accounts")).content.decode()
    start = page.index(f'data-testid="account-{pemda["plain2"].nip}"')
    row = page[start : page.index("</tr>", start)]
    assert reverse("account-reset", args=[pemda["plain2"].pk]) not in row
    assert reverse("account-reset", args=[pemda["plain"].pk]) in page
