"""The instansi's place of signing (`Instansi.place`, "Tempat penandatanganan"), printed before the
date of the TPP payroll documents' signatures ("Kandangan, 5 November 2026"): edited in the admin
with the instansi, audited as its other fields are; blank by default (the date alone)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ekinerja.core.models import AuditEvent, Instansi, User
from tests.factories import InstansiFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):
    su = User.objects.create_superuser("root", password="Sangat-Rahasia-2026!")
    client.force_login(su)
    return su


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
