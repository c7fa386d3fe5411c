"""Employees' accounts: BKPSDM (or an admin OPD for its units) creates them and resets forgotten
passwords with temporary passwords shown once; the owner must choose their own at the first login;
Kominfo manages neither, and cannot re-link an employee record to an account it controls."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ekinerja.activities.models import ApiToken
from ekinerja.core.models import AuditEvent, User
from ekinerja.org import services
from ekinerja.org.models import Employee, Position
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
PASSWORD = "Rahasia-Kuat-2026!"
NEW = "Sawah-Padi-Menguning-77"


@pytest.fixture
def org():
    inst = InstansiFactory()
    dinas = UnitFactory(instansi=inst, code="DISDIK", name="Dinas Pendidikan")
    sekolah = UnitFactory(instansi=inst, code="SDN1", name="SD Negeri 1", parent=dinas)
    other_unit = UnitFactory(instansi=inst, code="DINKES", name="Dinas Kesehatan")
    kadis = PositionFactory(unit=dinas, kind=Position.Kind.STRUKTURAL, kelas=14, name="Kepala")
    guru_pos = PositionFactory(unit=sekolah, parent=kadis, name="Guru")
    perawat_pos = PositionFactory(unit=other_unit, name="Perawat")
    guru1 = EmployeeFactory(instansi=inst, name="Guru Satu")
    guru2 = EmployeeFactory(instansi=inst, name="Guru Dua")
    perawat = EmployeeFactory(instansi=inst, name="Perawat Tanpa Akun")
    for e, p in ((guru1, guru_pos), (guru2, guru_pos), (perawat, perawat_pos)):
        AssignmentFactory(position=p, employee=e)
    head = employee_with_login(inst, kadis, name="Kepala Dinas")
    bkpsdm = employee_with_login(inst, None, name="Petugas BKPSDM")
    grant(bkpsdm.user, "bkpsdm")
    admin = employee_with_login(inst, None, name="Admin Disdik")
    grant(admin.user, "admin_opd", unit=dinas)
    kominfo = employee_with_login(inst, None, name="Admin Teknis")
    grant(kominfo.user, "kominfo")
    kominfo.user.is_staff = True
    kominfo.user.save()
    return {
        "inst": inst,
        "dinas": dinas,
        "sekolah": sekolah,
        "guru1": guru1,
        "guru2": guru2,
        "perawat": perawat,
        "head": head,
        "bkpsdm": bkpsdm.user,
        "admin": admin.user,
        "kominfo": kominfo.user,
    }


def _issued(html: str) -> dict[str, str]:
    """username -> temporary password, as the issued page shows them."""
    found = re.findall(
        r'data-testid="issued-(\w+)".*?data-testid="temporary-password">([^<]+)<', html, re.S
    )
    return dict(found)


def test_bkpsdm_creates_a_units_missing_accounts_with_temporary_passwords_shown_once(client, org):
    client.force_login(org["bkpsdm"])
    page = client.get(reverse("accounts"), {"unit": org["dinas"].pk}).content.decode()
    assert 'data-state="none"' in page and "2 belum punya akun" in page  # the school's two
    assert "Perawat Tanpa Akun" not in page  # another unit
    resp = client.post(reverse("accounts-create"), {"unit": org["dinas"].pk})
    assert "no-store" in resp["Cache-Control"]
    issued = _issued(resp.content.decode())
    assert set(issued) == {org["guru1"].nip, org["guru2"].nip}
    for nip, raw in issued.items():
        user = User.objects.get(username=nip)
        assert user.must_change_password and user.instansi_id == org["inst"].id
        assert user.password.startswith("pbkdf2_sementara$") and raw not in user.password
        assert Employee.objects.get(nip=nip).user_id == user.pk
        assert len(raw) == 12 and not set(raw) & set("0O1lI")
    events = AuditEvent.objects.filter(action="auth.account.create", actor=org["bkpsdm"])
    assert events.count() == 2
    assert not any(raw in str(e.after) + e.reason for e in events for raw in issued.values())
    assert org["perawat"].user_id is None and not Employee.objects.get(pk=org["perawat"].pk).user_id
    # Nothing left to create: the page says so, and posting again issues nothing.
    page = client.get(reverse("accounts"), {"unit": org["dinas"].pk}).content.decode()
    assert "0 belum punya akun" in page and 'data-state="temporary"' in page
    again = client.post(reverse("accounts-create"), {"unit": org["dinas"].pk})
    assert again.status_code == 302 and User.objects.filter(username__in=issued).count() == 2


def test_the_first_login_leads_only_to_the_password_page_and_the_api_waits(client, org):
    services.accounts_create(actor=org["bkpsdm"], employees=[org["guru1"]])
    guru = User.objects.get(username=org["guru1"].nip)
    raw = services.password_reset(
        actor=org["bkpsdm"], employee=Employee.objects.get(pk=org["guru1"].pk)
    ).password
    assert client.login(username=guru.username, password=raw)
    resp = client.get(reverse("home"))
    assert resp.status_code == 302 and resp["Location"] == reverse("password-change")
    assert client.get("/aktivitas/")["Location"] == reverse("password-change")
    page = client.get(reverse("password-change")).content.decode()
    assert 'data-testid="temporary-notice"' in page
    assert "diberikan oleh Petugas BKPSDM" in page  # who issued it, so a surprise is reported
    assert re.search(r"pada \d{1,2} \w+ \d{4} pukul \d{2}\.\d{2}\.", page)  # 07.30, not 07:30
    api = client.post(
        "/api/v1/auth/token",
        {"username": guru.username, "password": raw},
        content_type="application/json",
    )
    assert api.status_code == 403 and "kata sandi sementara" in api.json()["detail"]
    assert not ApiToken.objects.filter(user=guru).exists()


def test_the_owner_sets_their_own_password_with_field_errors_in_indonesian(client, org):
    issued, _ = services.accounts_create(actor=org["bkpsdm"], employees=[org["guru1"]])
    raw, guru = issued[0].password, issued[0].user
    client.login(username=guru.username, password=raw)
    url = reverse("password-change")

    def post(old, a, b):
        return client.post(url, {"old_password": old, "new_password1": a, "new_password2": b})

    bad = post("salah", NEW, NEW)
    assert bad.status_code == 400 and "Kata sandi saat ini salah." in bad.content.decode()
    assert "Kedua kata sandi baru tidak sama." in post(raw, NEW, NEW + "x").content.decode()
    short = post(raw, "pendek1", "pendek1").content.decode()
    assert 'data-testid="error-new_password1"' in short and "terlalu pendek" in short
    assert "harus berbeda" in post(raw, raw, raw).content.decode()
    guru.refresh_from_db()
    assert guru.must_change_password  # none of these changed anything

    ok = post(raw, NEW, NEW)
    assert ok.status_code == 302 and ok["Location"] == reverse("home")
    guru.refresh_from_db()
    assert not guru.must_change_password and guru.check_password(NEW)
    assert not guru.password.startswith("pbkdf2_sementara$")  # the installation's own hasher
    assert client.get(reverse("home")).status_code == 200  # the session stayed logged in
    assert AuditEvent.objects.filter(action="auth.password.change", actor=guru).exists()
    token = client.post(
        "/api/v1/auth/token",
        {"username": guru.username, "password": NEW},
        content_type="application/json",
    )
    assert token.status_code == 200


def test_a_reset_lifts_the_lockout_revokes_the_phones_tokens_and_is_audited(client, org):
    from django.utils import timezone

    staff = org["head"]
    User.objects.filter(pk=staff.user_id).update(
        locked_until=timezone.now() + timezone.timedelta(minutes=10)
    )
    ApiToken.objects.create(
        instansi=org["inst"],
        user=staff.user,
        key_hash="x" * 64,
        prefix="x",
        expires_at=timezone.now() + timezone.timedelta(days=9),
    )
    client.force_login(org["bkpsdm"])
    resp = client.post(reverse("account-reset", args=[staff.pk]))
    raw = _issued(resp.content.decode())[staff.nip]
    user = User.objects.get(pk=staff.user_id)
    assert user.locked_until is None and user.must_change_password and user.check_password(raw)
    assert not ApiToken.objects.filter(user=user, revoked=False).exists()
    assert AuditEvent.objects.filter(
        action="auth.password.reset", actor=org["bkpsdm"], object_id=str(user.pk)
    ).exists()


def test_an_admin_opd_manages_only_its_units_staff_without_roles(client, org):
    admin = org["admin"]
    issued, _ = services.accounts_create(actor=admin, employees=[org["guru1"]])  # a school below
    assert issued[0].user.username == org["guru1"].nip
    with pytest.raises(PermissionDenied):
        services.accounts_create(actor=admin, employees=[org["perawat"]])  # Dinas Kesehatan
    grant(org["head"].user, "pimpinan")
    with pytest.raises(PermissionDenied):  # an account holding a role: BKPSDM only
        services.password_reset(actor=admin, employee=org["head"])
    assert services.password_reset(actor=org["bkpsdm"], employee=org["head"]).password
    client.force_login(admin)
    page = client.get(reverse("accounts")).content.decode()
    assert "Guru Dua" in page and "Perawat Tanpa Akun" not in page
    # Through the page, another unit's employee is refused with a message, nothing issued.
    resp = client.post(reverse("account-reset", args=[org["perawat"].pk]), follow=True)
    assert "di luar unit" in resp.content.decode()
    assert Employee.objects.get(pk=org["perawat"].pk).user_id is None


def test_nobody_resets_their_own_password_and_kominfo_resets_none(client, org):
    me = Employee.objects.get(user=org["bkpsdm"])
    with pytest.raises(PermissionDenied):
        services.password_reset(actor=org["bkpsdm"], employee=me)
    client.force_login(org["kominfo"])
    assert client.get(reverse("accounts")).status_code == 403
    resp = client.post(reverse("account-reset", args=[org["head"].pk]))
    assert resp.status_code == 403
    with pytest.raises(PermissionDenied):
        services.password_reset(actor=org["kominfo"], employee=org["head"])
    assert not AuditEvent.objects.filter(action="auth.password.reset").exists()


def test_kominfo_cannot_link_an_employee_record_to_an_account_it_controls(client, org):
    """Before: the admin's employee form let Kominfo set the Kepala Dinas's record's login to its
    own account, and then verify the Kepala's subordinates' work as them."""
    head = org["head"]
    client.force_login(org["kominfo"])
    url = reverse("admin:org_employee_change", args=[head.pk])
    form = client.get(url).content.decode()
    assert 'name="user"' not in form  # shown, not editable
    with pytest.raises(ValidationError) as err:
        head.user_id = org["kominfo"].pk
        services.employee_save(actor=org["kominfo"], employee=head)
    assert "Akun pegawai" in str(err.value)
    assert Employee.objects.get(pk=head.pk).user_id != org["kominfo"].pk
    fresh = EmployeeFactory.build(instansi=org["inst"], user=org["kominfo"])
    with pytest.raises(ValidationError):
        services.employee_save(actor=org["kominfo"], employee=fresh)


def test_the_accounts_list_builds_only_the_shown_pages_employees(client, org, monkeypatch):
    """A whole instansi's list (20,000 at a big Pemda) is counted from plain values; only the page's
    employees become records (1.8 s to 0.17 s at 20,000)."""
    from django.db.models.signals import post_init

    from ekinerja.org import views_accounts

    monkeypatch.setattr(views_accounts, "PAGE_SIZE", 2)
    built: list[int] = []

    def count(sender, instance, **kwargs):
        built.append(instance.pk)

    client.force_login(org["bkpsdm"])
    post_init.connect(count, sender=Employee)
    try:
        page = client.get(reverse("accounts")).content.decode()
    finally:
        post_init.disconnect(count, sender=Employee)
    assert "3 belum punya akun" in page  # guru1, guru2 and the perawat, over both pages
    assert len(re.findall(r'data-testid="account-\d+"', page)) == 2
    # The two shown, plus the signed-in officer's own record (read for the menu).
    assert len(set(built)) <= 3
    second = client.get(reverse("accounts"), {"hal": 2}).content.decode()
    # 4 posted employees (the head has an account): the second page has the other two.
    assert len(re.findall(r'data-testid="account-\d+"', second)) == 2


def _set_active(actor, employee: Employee, active: bool) -> Employee:
    employee = Employee.objects.get(pk=employee.pk)
    employee.is_active = active
    return services.employee_save(actor=actor, employee=employee)


def test_deactivating_an_employee_deactivates_their_login_audited(client, org):
    """Before: a retired or moved Kepala Dinas, deactivated by BKPSDM, still signed in with their
    old password and still saw their former subordinates' data."""
    head, bkpsdm = org["head"], org["bkpsdm"]
    client.force_login(head.user)
    assert client.get(reverse("home")).status_code == 200
    platform = User.objects.create_superuser("root", password=PASSWORD)  # no employee record
    _set_active(bkpsdm, head, False)
    user = User.objects.get(pk=head.user_id)
    assert not user.is_active
    assert client.get(reverse("home")).status_code == 302  # the open session has ended
    assert not client.login(username=user.username, password=PASSWORD)
    event = AuditEvent.objects.get(action="auth.account.deactivate")
    assert event.actor == bkpsdm and event.object_id == str(user.pk)
    assert event.before == {"is_active": True}
    assert event.after == {"is_active": False, "employee": head.pk}
    assert "ikut dinonaktifkan" in event.reason and "pensiun" in event.reason
    assert AuditEvent.objects.filter(action="org.employee.update", object_id=str(head.pk)).exists()
    # Nobody else's login moves: the officers', the platform superuser's.
    assert User.objects.filter(is_active=False).count() == 1
    platform.refresh_from_db()
    assert platform.is_active
    # Saving the already inactive record again deactivates (and audits) nothing more.
    _set_active(bkpsdm, head, False)
    assert AuditEvent.objects.filter(action="auth.account.deactivate").count() == 1


def test_a_superusers_login_is_not_deactivated_with_their_employee_record(org):
    """The installation's administrator's login is managed on the server: BKPSDM deactivating
    their employee record does not lock them out."""
    User.objects.filter(pk=org["head"].user_id).update(is_superuser=True)
    _set_active(org["bkpsdm"], org["head"], False)
    assert User.objects.get(pk=org["head"].user_id).is_active
    assert not AuditEvent.objects.filter(action="auth.account.deactivate").exists()


def test_reactivating_the_employee_leaves_the_login_off_until_bkpsdm_reenables_it(client, org):
    head, bkpsdm = org["head"], org["bkpsdm"]
    _set_active(bkpsdm, head, False)
    _set_active(bkpsdm, head, True)
    assert not User.objects.get(pk=head.user_id).is_active
    assert not client.login(username=head.nip, password=PASSWORD)
    # An admin OPD of the unit cannot re-enable it (the page says why, the service refuses).
    with pytest.raises(PermissionDenied, match="hanya BKPSDM"):
        services.password_reset(actor=org["admin"], employee=Employee.objects.get(pk=head.pk))
    client.force_login(org["admin"])
    page = client.get(reverse("accounts"), {"unit": org["dinas"].pk}).content.decode()
    assert services.INACTIVE_RESET_REFUSED in page
    # BKPSDM sees the account as inactive, with the button that re-enables it.
    client.force_login(bkpsdm)
    page = client.get(reverse("accounts"), {"unit": org["dinas"].pk}).content.decode()
    row = page.split(f'data-testid="account-{head.nip}"')[1].split("</tr>")[0]
    assert 'data-state="inactive"' in row and "Aktifkan kembali" in row
    assert 'data-testid="inactive-help"' in page
    resp = client.post(reverse("account-reset", args=[head.pk]))
    raw = _issued(resp.content.decode())[head.nip]
    user = User.objects.get(pk=head.user_id)
    assert user.is_active and user.must_change_password
    event = AuditEvent.objects.get(action="auth.account.reactivate")
    assert event.actor == bkpsdm and event.object_id == str(user.pk)
    assert event.after == {"is_active": True, "employee": head.pk}
    assert AuditEvent.objects.filter(action="auth.password.reset", object_id=str(user.pk)).exists()
    client.logout()
    assert client.login(username=head.nip, password=raw)


def test_an_inactive_employees_account_is_neither_reset_nor_created(client, org):
    """A reset would hand someone who has left a working password (and, before, an inactive
    employee without an account made the reset fail with a server error)."""
    head, perawat = org["head"], org["perawat"]
    _set_active(org["bkpsdm"], head, False)
    _set_active(org["bkpsdm"], perawat, False)
    for employee in (head, perawat):
        with pytest.raises(ValidationError, match="Pegawai ini nonaktif"):
            services.password_reset(
                actor=org["bkpsdm"], employee=Employee.objects.get(pk=employee.pk)
            )
    client.force_login(org["bkpsdm"])
    resp = client.post(reverse("account-reset", args=[perawat.pk]), follow=True)
    assert "Pegawai ini nonaktif" in resp.content.decode()
    assert Employee.objects.get(pk=perawat.pk).user_id is None
    assert not User.objects.get(pk=head.user_id).is_active
    assert not AuditEvent.objects.filter(action="auth.password.reset").exists()


def test_logins_of_many_deactivated_employees_are_turned_off_in_fixed_queries(
    org, django_assert_num_queries
):
    """Set-based for a bulk deactivation: a read, an UPDATE and one audit INSERT, whatever the
    number of employees; an employee without an account, or an already inactive one, is skipped."""
    inst = org["inst"]
    staff = [employee_with_login(inst, None) for _ in range(5)]
    User.objects.filter(pk=staff[0].user_id).update(is_active=False)
    with django_assert_num_queries(3):
        done = services.logins_deactivate(actor=org["bkpsdm"], employees=[*staff, org["perawat"]])
    assert sorted(done) == sorted(e.user_id for e in staff[1:])
    assert not User.objects.filter(pk__in=[e.user_id for e in staff], is_active=True).exists()
    assert AuditEvent.objects.filter(action="auth.account.deactivate").count() == 4
