"""Accounts in the Django admin, as the installation's superuser and the Pemda's staff use it.

- A permission or group given to an account in the admin is audited (the account's "Hak akses"
  section). Before, only username, instansi and the active/staff/superuser flags were: the
  superuser could give a Kominfo staff account "can change user" (and so every employee's
  password), and the audit log showed nothing at all.
- The admin's own "Ubah kata sandi" is the app's password page. Before, Django's form changed the
  password with no audit event and left the phones' API tokens of the old password valid."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from ekinerja.activities import services as activity_services
from ekinerja.activities.models import ApiToken
from ekinerja.core.models import AuditEvent, User
from tests.factories import InstansiFactory, UserFactory, employee_with_login, grant

pytestmark = pytest.mark.django_db
PASSWORD = "Rahasia-Kuat-2026!"
NEW = "Pilihan-Sendiri-2027!"


@pytest.fixture
def root(client):
    su = User.objects.create_superuser("root", password="Sangat-Rahasia-2026!")
    client.force_login(su)
    return su


def _change_data(client, user: User, **changes) -> dict:
    form = client.get(reverse("admin:core_user_change", args=[user.pk])).context["adminform"].form
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None and k not in ("password", "last_login", "locked_until")
    }
    data.update(
        {
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "08:00:00",
            "groups": [],
            "user_permissions": [],
        }
    )
    data.pop("is_staff", None)
    data.pop("is_superuser", None)
    data.update(changes)
    return data


def test_a_permission_given_in_the_admin_is_audited(client, root):
    inst = InstansiFactory()
    staff = UserFactory(instansi=inst, username="kominfo.staf", is_staff=True)
    grant(staff, "kominfo")
    perm = Permission.objects.get(content_type__app_label="core", codename="change_user")
    response = client.post(
        reverse("admin:core_user_change", args=[staff.pk]),
        _change_data(client, staff, is_staff="on", user_permissions=[perm.pk]),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert staff.user_permissions.filter(pk=perm.pk).exists()
    event = AuditEvent.objects.get(action="auth.account.admin_change")
    assert event.actor == root and event.object_id == str(staff.pk) and event.instansi == inst
    assert event.before["user_permissions"] == []
    assert event.after["user_permissions"] == ["core.change_user"]


def test_a_group_given_and_taken_back_in_the_admin_is_audited(client, root):
    inst = InstansiFactory()
    staff = UserFactory(instansi=inst, username="operator", is_staff=True)
    group = Group.objects.create(name="Operator data induk")
    url = reverse("admin:core_user_change", args=[staff.pk])
    assert (
        client.post(url, _change_data(client, staff, is_staff="on", groups=[group.pk])).status_code
        == 302
    )
    assert client.post(url, _change_data(client, staff, is_staff="on")).status_code == 302
    events = list(AuditEvent.objects.filter(action="auth.account.admin_change").order_by("id"))
    assert [(e.before["groups"], e.after["groups"]) for e in events] == [
        ([], ["Operator data induk"]),
        (["Operator data induk"], []),
    ]


def test_saving_an_account_unchanged_writes_no_event(client, root):
    inst = InstansiFactory()
    staff = UserFactory(instansi=inst, username="tetap", is_staff=True)
    url = reverse("admin:core_user_change", args=[staff.pk])
    assert client.post(url, _change_data(client, staff, is_staff="on")).status_code == 302
    assert not AuditEvent.objects.filter(action="auth.account.admin_change").exists()


def test_the_admins_own_password_form_is_the_apps_page(client):
    inst = InstansiFactory()
    officer = employee_with_login(inst, None, name="Staf Kominfo").user
    grant(officer, "kominfo")
    User.objects.filter(pk=officer.pk).update(is_staff=True)
    _token, raw = activity_services.api_token_issue(actor=officer, name="HP")
    client.force_login(officer)

    page = client.get(reverse("admin:password_change"))
    assert page.status_code == 302 and page["Location"] == reverse("password-change")
    # Django's form, posted straight to the admin's address, changes nothing any more.
    client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
    assert ApiToken.objects.get(key_hash=ApiToken.hash(raw)).revoked is False

    # The app's page changes it: audited, the phone's token of the old password ended.
    response = client.post(
        reverse("password-change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(NEW)
    assert AuditEvent.objects.filter(action="auth.password.change", actor=officer).exists()
    assert ApiToken.objects.get(key_hash=ApiToken.hash(raw)).revoked is True
