"""How the API answers about its own authentication (audit findings of December 2026):

1. A write with a dead token (revoked, expired, unknown) or an expired session answered 403 "CSRF
   check Failed" in English, because ninja's cookie authentication checked CSRF before it looked
   for a session. It is 401 "Belum masuk..." now, as for a read; a live session still needs its
   CSRF token, and hears so in Indonesian.
2. POST /auth/token said "wrong password" to a locked account and to a throttled address; it now
   says what the login page says: 403 locked until when, 429 too many attempts from the address.
3. A phone could not revoke its token: DELETE /auth/token revokes the token of the request (204,
   audited, 401 from then on); a browser session has no token to revoke (400)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from ekinerja.activities import services
from ekinerja.activities.models import ApiToken
from ekinerja.api import errors, v1
from ekinerja.core.models import AuditEvent
from tests.factories import InstansiFactory, employee_with_login

pytestmark = pytest.mark.django_db
PASSWORD = "Rahasia-Kuat-2026!"  # tests.factories.employee_with_login's
TOKEN = "/api/v1/auth/token"
CATALOG = "/api/v1/activities/catalog"
ENTRIES = "/api/v1/activities/entries"
NOT_LOGGED_IN = errors.HTTP_MESSAGES["Unauthorized"]
# Friday 9 October 2026, 09:00 WITA.
NOW = dt.datetime(2026, 10, 9, 1, 0, tzinfo=dt.UTC)
WRITES = [
    ("POST", ENTRIES),
    ("PATCH", f"{ENTRIES}/1"),
    ("DELETE", f"{ENTRIES}/1"),
    ("POST", f"{ENTRIES}/1/submit"),
    ("POST", "/api/v1/attendance/checkin"),
    ("DELETE", TOKEN),
]


@pytest.fixture
def ani():
    return employee_with_login(InstansiFactory(timezone="Asia/Makassar"), None, name="Ani").user


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def ask_token(client, username, password=PASSWORD, ip="127.0.0.1"):
    return client.post(
        TOKEN,
        json.dumps({"username": username, "password": password, "device": "HP"}),
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


# ---------------------------------------------------------------- 1: 401, not a CSRF refusal


@pytest.fixture
def dead_tokens(ani):
    with time_machine.travel(NOW, tick=False):
        revoked, raw_revoked = services.api_token_issue(actor=ani, name="dicabut")
        services.api_token_revoke(actor=ani, token=revoked)
        expired, raw_expired = services.api_token_issue(actor=ani, name="kedaluwarsa")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=NOW - dt.timedelta(days=1))
    return {"revoked": raw_revoked, "expired": raw_expired, "unknown": "ek_tidak-pernah-ada"}


@pytest.mark.parametrize("kind", ["revoked", "expired", "unknown"])
def test_a_write_with_a_dead_token_is_401_in_indonesian(dead_tokens, kind):
    client = Client(enforce_csrf_checks=True)  # as a real client meets the full stack
    with time_machine.travel(NOW, tick=False):
        for method, url in WRITES:
            resp = client.generic(
                method, url, "{}", "application/json", **bearer(dead_tokens[kind])
            )
            assert resp.status_code == 401, (method, url, resp.content)
            assert resp.json() == {"detail": NOT_LOGGED_IN}
    assert not ApiToken.objects.filter(revoked=False, expires_at__gt=NOW).exists()


def test_a_write_on_an_expired_or_unknown_session_is_401(ani):
    client = Client(enforce_csrf_checks=True)
    with time_machine.travel(NOW, tick=False) as clock:
        client.force_login(ani)
        assert client.get(CATALOG).status_code == 200
        clock.shift(dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES + 1))
        assert settings.SESSION_COOKIE_NAME in client.cookies  # the browser still sends it
        for method, url in WRITES:
            resp = client.generic(method, url, "{}", "application/json")
            assert resp.status_code == 401, (method, url, resp.content)
            assert resp.json() == {"detail": NOT_LOGGED_IN}
    client.cookies[settings.SESSION_COOKIE_NAME] = "sesi-yang-tidak-ada"
    resp = client.post(ENTRIES, {}, content_type="application/json")
    assert resp.status_code == 401 and resp.json() == {"detail": NOT_LOGGED_IN}


def test_a_live_session_still_needs_its_csrf_token_and_is_told_in_indonesian(ani):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ani)
    resp = client.post(ENTRIES, {}, content_type="application/json")
    assert resp.status_code == 403
    assert "CSRF check Failed" not in resp.content.decode()
    assert resp.json()["detail"].startswith("Halaman ini sudah kedaluwarsa")
    assert resp.json() == {"detail": errors.CSRF_FAILED}
    # A dead token beside the live session changes nothing: the session answers.
    resp = client.post(ENTRIES, {}, content_type="application/json", **bearer("ek_tidak-ada"))
    assert resp.status_code == 403 and resp.json() == {"detail": errors.CSRF_FAILED}
    # With the page's CSRF token the request gets past the authentication (to the schema).
    secret = "a" * 32
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    resp = client.post(ENTRIES, {}, content_type="application/json", HTTP_X_CSRFTOKEN=secret)
    assert resp.status_code == 422
    assert errors.http_message("CSRF check Failed") == errors.CSRF_FAILED


# ---------------------------------------------------------------- 2: locked, throttled


def test_a_locked_account_is_told_until_when_not_wrong_password(client, ani, settings):
    settings.LOGIN_LOCKOUT_THRESHOLD, settings.LOGIN_LOCKOUT_MINUTES = 5, 15
    locked = (
        "Akun terkunci sementara karena terlalu banyak percobaan gagal. Coba lagi setelah "
        "09.15 WITA."
    )
    with time_machine.travel(NOW, tick=False):
        for _ in range(4):
            resp = ask_token(client, ani.username, "salah-sekali")
            assert resp.status_code == 401
            assert resp.json() == {"detail": "NIP/nama pengguna atau kata sandi salah."}
        fifth = ask_token(client, ani.username, "salah-sekali")  # this one locks the account
        assert fifth.status_code == 403 and fifth.json() == {"detail": locked}
        right = ask_token(client, ani.username)
        assert right.status_code == 403 and right.json() == {"detail": locked}
    assert not ApiToken.objects.exists()
    event = AuditEvent.objects.filter(action="auth.login_failed").order_by("-pk").first()
    assert event.after["locked_until"]  # audited as the login page's attempts are
    with time_machine.travel(NOW + dt.timedelta(minutes=16), tick=False):
        assert ask_token(client, ani.username).status_code == 200


def test_a_throttled_address_gets_429_even_with_the_right_password(client, ani, settings):
    settings.LOGIN_IP_THRESHOLD, settings.LOGIN_IP_MINUTES = 3, 15
    attacker = "203.0.113.7"
    for n in range(3):
        assert ask_token(client, f"1980010120000{n}", "x", ip=attacker).status_code == 401
    resp = ask_token(client, ani.username, ip=attacker)
    assert resp.status_code == 429
    assert resp.json() == {
        "detail": "Terlalu banyak percobaan masuk yang gagal dari jaringan Anda. Coba lagi dalam "
        "15 menit."
    }
    assert not ApiToken.objects.exists()
    ani.refresh_from_db()
    assert ani.failed_login_count == 0 and ani.locked_until is None  # never reached the account
    assert ask_token(client, ani.username, ip="10.20.1.15").status_code == 200


def test_the_document_lists_the_token_answers(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"][TOKEN]
    issue = paths["post"]["responses"]
    assert set(issue) == {"200", "400", "401", "403", "422", "429"}
    message = {"$ref": "#/components/schemas/Message"}
    assert issue["429"]["content"]["application/json"]["schema"] == message
    assert issue["403"]["content"]["application/json"]["schema"] == message
    revoke = paths["delete"]["responses"]
    assert set(revoke) == {"204", "400", "401", "403", "404", "409", "429"}
    assert revoke["400"]["content"]["application/json"]["schema"] == message


# ---------------------------------------------------------------- 3: DELETE /auth/token


def test_a_phone_revokes_the_token_it_uses_and_only_that_one(client, ani):
    raw = ask_token(client, ani.username).json()["token"]
    other = ask_token(client, ani.username).json()["token"]  # another phone of Ani's
    assert client.get(CATALOG, **bearer(raw)).status_code == 200

    resp = client.delete(TOKEN, **bearer(raw))
    assert resp.status_code == 204 and resp.content == b""
    token = ApiToken.objects.get(key_hash=ApiToken.hash(raw))
    assert token.revoked
    event = AuditEvent.objects.get(action="auth.api_token.revoke")
    assert event.actor == ani and event.object_id == str(token.pk)

    gone = client.get(CATALOG, **bearer(raw))
    assert gone.status_code == 401 and gone.json() == {"detail": NOT_LOGGED_IN}
    assert client.delete(TOKEN, **bearer(raw)).status_code == 401
    assert client.get(CATALOG, **bearer(other)).status_code == 200
    assert not ApiToken.objects.get(key_hash=ApiToken.hash(other)).revoked


def test_a_browser_session_has_no_token_to_revoke(client, ani):
    _token, raw = services.api_token_issue(actor=ani, name="HP")
    client.force_login(ani)
    resp = client.delete(TOKEN)
    assert resp.status_code == 400
    assert resp.json() == {"detail": v1.SESSION_NOT_A_TOKEN}
    assert not ApiToken.objects.filter(revoked=True).exists()
    assert not AuditEvent.objects.filter(action="auth.api_token.revoke").exists()
    # Its CSRF check still holds for a page's script.
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ani)
    assert strict.delete(TOKEN).json() == {"detail": errors.CSRF_FAILED}
    assert client.get(CATALOG, **bearer(raw)).status_code == 200
