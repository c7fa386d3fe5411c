"""The mobile app's devices on the account pages (H3): the owner's "Perangkat aplikasi" on their
account page (name, since, last used, expiry; "Cabut" per device, audited), and the officer who may
reset an employee's password (BKPSDM; an admin OPD for its units' accounts without a role) sees and
ends that employee's devices from the accounts page, within their instansi."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.activities import services as activity_services
from ekinerja.activities.models import ApiToken
from ekinerja.core.models import AuditEvent
from ekinerja.org.models import Position
from tests.factories import (
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    grant,
)

pytestmark = pytest.mark.django_db
# Friday 9 October 2026, 09:00 WITA.
NOW = dt.datetime(2026, 10, 9, 1, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def org():
    inst = InstansiFactory(timezone="Asia/Makassar")
    dinas = UnitFactory(instansi=inst, code="DISDIK", name="Dinas Pendidikan")
    other = UnitFactory(instansi=inst, code="DINKES", name="Dinas Kesehatan")
    kadis = PositionFactory(unit=dinas, kind=Position.Kind.STRUKTURAL, kelas=14, name="Kepala")
    guru_pos = PositionFactory(unit=dinas, parent=kadis, name="Guru")
    perawat_pos = PositionFactory(unit=other, name="Perawat")
    employee_with_login(inst, kadis, name="Kepala Dinas")
    guru = employee_with_login(inst, guru_pos, name="Guru Satu")
    perawat = employee_with_login(inst, perawat_pos, name="Perawat Satu")
    bkpsdm = employee_with_login(inst, None, name="Petugas BKPSDM")
    grant(bkpsdm.user, "bkpsdm")
    admin = employee_with_login(inst, None, name="Admin Disdik")
    grant(admin.user, "admin_opd", unit=dinas)
    kominfo = employee_with_login(inst, None, name="Admin Teknis")
    grant(kominfo.user, "kominfo")
    phone, raw_phone = activity_services.api_token_issue(actor=guru.user, name="HP Guru")
    tablet, raw_tablet = activity_services.api_token_issue(actor=guru.user, name="Tablet Guru")
    return {
        "inst": inst,
        "dinas": dinas,
        "guru": guru,
        "perawat": perawat,
        "bkpsdm": bkpsdm.user,
        "admin": admin.user,
        "kominfo": kominfo.user,
        "phone": phone,
        "raw_phone": raw_phone,
        "tablet": tablet,
        "raw_tablet": raw_tablet,
    }


def alive(raw: str, _client=None) -> bool:
    """Whether the phone's token still works (a client of its own: no page's session cookie)."""
    resp = Client().get("/api/v1/activities/entries", HTTP_AUTHORIZATION=f"Bearer {raw}")
    return resp.status_code == 200


# ---------------------------------------------------------------- the owner's page


def test_the_owner_sees_their_devices_and_ends_one(client, org, _clock):
    guru = org["guru"].user
    other_person, _ = activity_services.api_token_issue(actor=org["perawat"].user, name="HP Lain")
    _clock.shift(dt.timedelta(minutes=10))
    assert alive(org["raw_phone"], client)  # used now: 09:10 WITA
    client.force_login(guru)
    page = client.get(reverse("password-change")).content.decode()
    assert "Perangkat aplikasi" in page
    assert f'data-testid="device-{org["phone"].pk}"' in page
    assert f'data-testid="device-{org["tablet"].pk}"' in page
    assert "HP Guru" in page and "Tablet Guru" in page and "HP Lain" not in page
    assert "9 Oktober 2026 09.10" in page  # the phone's last use, in the instansi's zone
    assert "7 Januari 2027" in page  # the expiry
    assert org["raw_phone"] not in page

    resp = client.post(reverse("my-device-revoke", args=[org["phone"].pk]))
    assert resp.status_code == 302 and resp["Location"].endswith("/profil/kata-sandi/#perangkat")
    assert not alive(org["raw_phone"], client)
    assert alive(org["raw_tablet"], client)
    event = AuditEvent.objects.get(action="auth.api_token.revoke")
    assert event.actor == guru and event.object_id == str(org["phone"].pk)
    page = client.get(reverse("password-change")).content.decode()
    assert "dicabut" in page and f'data-testid="device-{org["phone"].pk}"' not in page
    # Another account's token, or one ended already: 404, nothing changes.
    assert client.post(reverse("my-device-revoke", args=[other_person.pk])).status_code == 404
    assert client.post(reverse("my-device-revoke", args=[org["phone"].pk])).status_code == 404
    assert not ApiToken.objects.get(pk=other_person.pk).revoked
    assert client.get(reverse("my-device-revoke", args=[org["tablet"].pk])).status_code == 405


def test_the_revoke_needs_the_pages_csrf_token(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org["guru"].user)
    resp = client.post(reverse("my-device-revoke", args=[org["phone"].pk]))
    assert resp.status_code == 403
    assert not ApiToken.objects.get(pk=org["phone"].pk).revoked


def test_a_new_password_still_ends_every_device(client, org):
    from ekinerja.org import services as org_services

    org_services.password_change(
        user=org["guru"].user,
        old_password="Rahasia-Kuat-2026!",
        new_password="Sawah-Padi-Menguning-77",
    )
    assert not ApiToken.objects.filter(revoked=False).exists()
    client.force_login(org["guru"].user)
    page = client.get(reverse("password-change")).content.decode()
    assert 'data-testid="no-devices"' in page


# ---------------------------------------------------------------- the officer's pages


def test_bkpsdm_sees_an_employees_devices_from_the_accounts_page_and_ends_them(client, org):
    client.force_login(org["bkpsdm"])
    listing = client.get(reverse("accounts")).content.decode()
    url = reverse("account-devices", args=[org["guru"].pk])
    assert url in listing and "2 perangkat aplikasi" in listing
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "HP Guru" in html and "Tablet Guru" in html and org["raw_phone"] not in html

    resp = client.post(
        reverse("account-devices-revoke", args=[org["guru"].pk]), {"token": org["phone"].pk}
    )
    assert resp.status_code == 302 and resp["Location"] == url
    assert not alive(org["raw_phone"], client) and alive(org["raw_tablet"], client)
    event = AuditEvent.objects.get(action="auth.api_token.revoke_officer")
    assert event.actor == org["bkpsdm"] and event.object_id == str(org["phone"].pk)
    assert event.after["employee"] == org["guru"].pk and event.instansi == org["inst"]

    client.post(reverse("account-devices-revoke", args=[org["guru"].pk]), {"semua": "1"})
    assert not alive(org["raw_tablet"], client)
    assert AuditEvent.objects.filter(action="auth.api_token.revoke_officer").count() == 2
    # The employee's password is untouched.
    guru = org["guru"].user
    guru.refresh_from_db()
    assert guru.check_password("Rahasia-Kuat-2026!") and not guru.must_change_password


def test_an_admin_opd_manages_only_its_units_devices(client, org):
    nurse_token, raw_nurse = activity_services.api_token_issue(
        actor=org["perawat"].user, name="HP Perawat"
    )
    client.force_login(org["admin"])
    assert client.get(reverse("account-devices", args=[org["guru"].pk])).status_code == 200
    # An employee outside its units: refused, and the token stays.
    assert client.get(reverse("account-devices", args=[org["perawat"].pk])).status_code == 403
    resp = client.post(
        reverse("account-devices-revoke", args=[org["perawat"].pk]), {"token": nurse_token.pk}
    )
    assert resp.status_code == 403 and alive(raw_nurse, client)
    # A token of another employee posted under the guru's page is not the guru's: nothing ends.
    resp = client.post(
        reverse("account-devices-revoke", args=[org["guru"].pk]), {"token": nurse_token.pk}
    )
    assert resp.status_code == 302 and alive(raw_nurse, client)
    assert not AuditEvent.objects.filter(action="auth.api_token.revoke_officer").exists()


def test_kominfo_and_other_instansi_cannot_touch_devices(client, org):
    client.force_login(org["kominfo"])  # maintains the installation, not people's accounts
    assert client.get(reverse("account-devices", args=[org["guru"].pk])).status_code == 403
    resp = client.post(reverse("account-devices-revoke", args=[org["guru"].pk]), {"semua": "1"})
    assert resp.status_code == 403
    other = employee_with_login(InstansiFactory(), None, name="BKPSDM Lain")
    grant(other.user, "bkpsdm")
    client.force_login(other.user)
    assert client.get(reverse("account-devices", args=[org["guru"].pk])).status_code == 404
    resp = client.post(reverse("account-devices-revoke", args=[org["guru"].pk]), {"semua": "1"})
    assert resp.status_code == 404
    assert alive(org["raw_phone"], client) and alive(org["raw_tablet"], client)


def test_the_accounts_page_reads_every_rows_devices_in_one_query(client, org):
    guru_pos = org["guru"].assignments.get().position
    for n in range(4):
        e = employee_with_login(org["inst"], guru_pos, name=f"Guru Tambahan {n}")
        activity_services.api_token_issue(actor=e.user, name=f"HP {n}")
    client.force_login(org["bkpsdm"])
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("accounts"), {"unit": org["dinas"].pk}).content.decode()
    assert page.count('data-testid="devices-link"') == 2 * 5  # two places per row (phone, desktop)
    token_reads = [q for q in ctx.captured_queries if "activities_apitoken" in q["sql"]]
    assert len(token_reads) == 1


def test_the_user_menu_leads_to_the_devices(org):
    """The devices were reachable only through "Ubah kata sandi": the user's menu names them; an
    account still on its temporary password (which hides them) is not offered the link."""
    user = org["guru"].user
    c = Client()
    c.force_login(user)
    page = c.get(reverse("home")).content.decode()
    assert 'data-testid="nav-devices"' in page
    assert reverse("password-change") + "#perangkat" in page
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    page = c.get(reverse("password-change")).content.decode()
    assert 'data-testid="nav-devices"' not in page
