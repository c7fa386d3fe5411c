"""The mobile app's devices through the API (H3): GET /api/v1/auth/tokens lists the account's live
tokens without their secret, DELETE /api/v1/auth/tokens/{id} ends one (a lost phone, from another
device or the browser); another account's or instansi's token answers 404. A token's last use is
recorded at most once every five minutes, not per request."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ekinerja.activities import services
from ekinerja.activities.models import ApiToken
from ekinerja.api.v1 import api
from ekinerja.core.models import AuditEvent
from tests.factories import InstansiFactory, employee_with_login

pytestmark = pytest.mark.django_db
TOKENS = "/api/v1/auth/tokens"
ENTRIES = "/api/v1/activities/entries"
# Friday 9 October 2026, 09:00 WITA.
NOW = dt.datetime(2026, 10, 9, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(clock):
    inst = InstansiFactory(timezone="Asia/Makassar")
    ani = employee_with_login(inst, None, name="Ani").user
    budi = employee_with_login(inst, None, name="Budi").user
    stranger = employee_with_login(InstansiFactory(), None, name="Orang Lain").user
    return {"ani": ani, "budi": budi, "stranger": stranger}


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_list_shows_the_accounts_live_devices_without_their_secret(client, people, clock):
    ani = people["ani"]
    phone, raw_phone = services.api_token_issue(actor=ani, name="HP Ani")
    clock.shift(dt.timedelta(hours=1))
    tablet, raw_tablet = services.api_token_issue(actor=ani, name="Tablet")
    gone, _ = services.api_token_issue(actor=ani, name="Lama")
    services.api_token_revoke(actor=ani, token=gone)
    expired, _ = services.api_token_issue(actor=ani, name="Kedaluwarsa")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=NOW)
    services.api_token_issue(actor=people["budi"], name="HP Budi")

    resp = client.get(TOKENS, **bearer(raw_phone))
    assert resp.status_code == 200, resp.content
    got = resp.json()
    assert [t["device"] for t in got] == ["Tablet", "HP Ani"]  # the most recently used first
    assert [t["current"] for t in got] == [False, True]
    assert got[1]["id"] == phone.pk and got[1]["prefix"] == raw_phone[:8]
    assert got[1]["expires_at"].startswith("2027-01-07")
    # Never the token or its hash.
    text = resp.content.decode()
    assert raw_phone not in text and raw_tablet not in text and phone.key_hash not in text
    assert set(got[0]) == {
        "id",
        "device",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "current",
    }


def test_a_lost_phone_is_revoked_from_another_device(client, people):
    ani = people["ani"]
    lost, raw_lost = services.api_token_issue(actor=ani, name="HP hilang")
    _new, raw_new = services.api_token_issue(actor=ani, name="HP baru")
    assert client.get(ENTRIES, **bearer(raw_lost)).status_code == 200

    resp = client.delete(f"{TOKENS}/{lost.pk}", **bearer(raw_new))
    assert resp.status_code == 204, resp.content
    assert client.get(ENTRIES, **bearer(raw_lost)).status_code == 401
    assert client.get(ENTRIES, **bearer(raw_new)).status_code == 200
    assert [t["device"] for t in client.get(TOKENS, **bearer(raw_new)).json()] == ["HP baru"]
    event = AuditEvent.objects.get(action="auth.api_token.revoke")
    assert event.actor == ani and event.object_id == str(lost.pk)
    # Revoked already: not in the list, and 404 like any id that is not one of the list's.
    assert client.delete(f"{TOKENS}/{lost.pk}", **bearer(raw_new)).status_code == 404


def test_another_accounts_or_instansis_token_is_404_and_stays_valid(client, people):
    _mine, raw = services.api_token_issue(actor=people["ani"], name="HP Ani")
    budis, raw_budi = services.api_token_issue(actor=people["budi"], name="HP Budi")
    strangers, raw_stranger = services.api_token_issue(actor=people["stranger"], name="HP")
    for token in (budis, strangers):
        resp = client.delete(f"{TOKENS}/{token.pk}", **bearer(raw))
        assert resp.status_code == 404
        assert resp.json() == {"detail": "Data tidak ditemukan."}
    assert client.get(ENTRIES, **bearer(raw_budi)).status_code == 200
    assert client.get(ENTRIES, **bearer(raw_stranger)).status_code == 200
    assert not ApiToken.objects.filter(revoked=True).exists()
    assert client.delete(f"{TOKENS}/0", **bearer(raw)).status_code == 422


def test_the_browser_session_lists_and_revokes_too(client, people):
    ani = people["ani"]
    token, raw = services.api_token_issue(actor=ani, name="HP Ani")
    client.force_login(ani)
    got = client.get(TOKENS).json()
    assert [(t["id"], t["current"]) for t in got] == [(token.pk, False)]
    csrf = client.get("/profil/kata-sandi/").cookies["csrftoken"].value
    resp = client.delete(f"{TOKENS}/{token.pk}", HTTP_X_CSRFTOKEN=csrf)
    assert resp.status_code == 204
    assert ApiToken.objects.get(pk=token.pk).revoked


def test_last_use_is_written_at_most_every_five_minutes(client, people, clock):
    token, raw = services.api_token_issue(actor=people["ani"], name="HP Ani")
    assert token.last_used_at == NOW  # the login is its first use

    def writes() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(ENTRIES, **bearer(raw)).status_code == 200
        return sum(q["sql"].startswith("UPDATE") for q in ctx.captured_queries)

    clock.shift(dt.timedelta(minutes=4))
    assert writes() == 0  # fresh enough: no write
    assert ApiToken.objects.get(pk=token.pk).last_used_at == NOW
    clock.shift(dt.timedelta(minutes=2))
    assert writes() == 1
    later = ApiToken.objects.get(pk=token.pk).last_used_at
    assert later == NOW + dt.timedelta(minutes=6)
    assert writes() == 0 and writes() == 0  # the following requests write nothing
    got = client.get(TOKENS, **bearer(raw)).json()
    assert got[0]["last_used_at"].startswith("2026-10-09T01:06")


def test_the_openapi_document_describes_the_device_routes():
    doc = api.get_openapi_schema()
    paths = doc["paths"]
    assert "get" in paths["/api/v1/auth/tokens"]
    delete = paths["/api/v1/auth/tokens/{token_id}"]["delete"]
    assert {"204", "404"} <= {str(s) for s in delete["responses"]}
    device = doc["components"]["schemas"]["DeviceOut"]["properties"]
    assert "token" not in device and "key_hash" not in device and "current" in device
    assert "/api/v1/auth/tokens" in doc["info"]["description"]
