"""What the installation's superuser does to accounts and instansi in the Django admin is audited,
and a password set there must be replaced by its owner (it is known to the admin). Before, the
superuser could silently set the BKPSDM account's password and lock a TPP month as BKPSDM."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ekinerja.core.models import AuditEvent, Instansi, User
from tests.factories import InstansiFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):
    su = User.objects.create_superuser("root", password="Sangat-Rahasia-2026!")
    client.force_login(su)
    return su


def test_a_password_set_in_the_admin_is_audited_and_must_be_replaced(client, root):
    inst = InstansiFactory()
    bkpsdm = UserFactory(instansi=inst, username="bkpsdm.x")
    grant(bkpsdm, "bkpsdm")
    url = reverse("admin:auth_user_password_change", args=[bkpsdm.pk])
    response = client.post(
        url, {"password1": "Diketahui-Admin-2026", "password2": "Diketahui-Admin-2026"}
    )
    assert response.status_code == 302
    bkpsdm.refresh_from_db()
    assert bkpsdm.must_change_password
    event = AuditEvent.objects.get(action="auth.password.admin_set")
    assert event.actor == root and event.object_id == str(bkpsdm.pk)
    client.logout()
    assert client.login(username="bkpsdm.x", password="Diketahui-Admin-2026")
    assert client.get("/tpp/perhitungan/")["Location"].startswith("/profil/kata-sandi/")


def test_account_changes_and_creations_in_the_admin_are_audited(client, root):
    inst = InstansiFactory()
    user = UserFactory(instansi=inst, username="petugas", is_staff=False)
    change = reverse("admin:core_user_change", args=[user.pk])
    form = client.get(change).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "username": "petugas",
            "is_staff": "on",
            "is_active": "on",
            "instansi": inst.pk,
            "failed_login_count": 0,
            "date_joined_0": "2026-01-01",
            "date_joined_1": "08:00:00",
        }
    )
    data.pop("groups", None)
    data.pop("user_permissions", None)
    data.pop("last_login", None)
    response = client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action="auth.account.admin_change")
    assert event.before["is_staff"] is False and event.after["is_staff"] is True
    add = reverse("admin:core_user_add")
    response = client.post(
        add,
        {
            "username": "baru",
            "password1": "Sementara-Admin-2026",
            "password2": "Sementara-Admin-2026",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="baru").must_change_password
    assert AuditEvent.objects.filter(action="auth.account.admin_create").count() == 1


def test_an_instansi_created_in_the_admin_is_audited(client, root):
    response = client.post(
        reverse("admin:core_instansi_add"),
        {"code": "6399", "name": "Pemerintah Kabupaten Uji", "timezone": "Asia/Jayapura"},
    )
    assert response.status_code == 302
    inst = Instansi.objects.get(code="6399")
    event = AuditEvent.objects.get(action="core.instansi.create")
    assert event.instansi == inst and event.after["timezone"] == "Asia/Jayapura"


def test_an_instansi_is_never_deleted_from_the_admin(client, root):
    inst = InstansiFactory()
    response = client.get(reverse("admin:core_instansi_delete", args=[inst.pk]))
    assert response.status_code == 403
    assert Instansi.objects.filter(pk=inst.pk).exists()


# The instansi's place of signing (`Instansi.place`, "Tempat penandatanganan"), printed before the
# date of the TPP payroll documents' signatures ("Kandangan, 5 November 2026"): edited in the admin
# with the instansi, audited as its other fields are; blank by default (the date alone).


def test_a_new_instansi_has_no_place():
    inst = Instansi.objects.create(code="6398", name="Pemerintah Kabupaten Tanpa Tempat")
    assert inst.place == ""


def test_the_place_is_edited_in_the_admin_and_audited(client, root):
    inst = InstansiFactory(timezone="Asia/Makassar")
    url = reverse("admin:core_instansi_change", args=[inst.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Tempat penandatanganan" in page.content.decode()
    response = client.post(
        url,
        {"code": inst.code, "name": inst.name, "timezone": inst.timezone, "place": "Kandangan"},
    )
    assert response.status_code == 302
    inst.refresh_from_db()
    assert inst.place == "Kandangan"
    event = AuditEvent.objects.get(action="core.instansi.change")
    assert event.before["place"] == "" and event.after["place"] == "Kandangan"


def test_an_instansi_is_created_in_the_admin_without_a_place(client, root):
    response = client.post(
        reverse("admin:core_instansi_add"),
        {"code": "6397", "name": "Pemerintah Kabupaten Uji", "timezone": "Asia/Jakarta"},
    )
    assert response.status_code == 302
    assert Instansi.objects.get(code="6397").place == ""
