"""The API's rate limit (api.throttle, docs/api.md): per bearer token (a browser session: per
account) API_RATE_LIMIT requests per API_RATE_WINDOW seconds, per client address
API_TOKEN_RATE_LIMIT logins per API_TOKEN_RATE_WINDOW seconds; beyond, 429 with `Retry-After` and an
Indonesian `detail`. The defaults leave a phone's day of sync far below the limit."""

from __future__ import annotations

import datetime as dt
import json
from unittest import mock

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache

from ekinerja.activities import services
from ekinerja.activities.models import ActivityCatalogItem, ActivityEntry
from ekinerja.api import throttle
from ekinerja.api.v1 import api
from ekinerja.org.models import Position
from tests.factories import InstansiFactory, PositionFactory, UnitFactory, employee_with_login

pytestmark = pytest.mark.django_db
PASSWORD = "Rahasia-Kuat-2026!"  # tests.factories.employee_with_login's
TOKEN = "/api/v1/auth/token"
ENTRIES = "/api/v1/activities/entries"
CATALOG = "/api/v1/activities/catalog"
# Friday 9 October 2026, 17:00:10 WITA: 10 seconds into a minute (the windows are aligned to it).
NOW = dt.datetime(2026, 10, 9, 9, 0, 10, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def office():
    inst = InstansiFactory(timezone="Asia/Makassar")
    unit = UnitFactory(instansi=inst)
    boss = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=9)
    pos = PositionFactory(unit=unit, kind=Position.Kind.PELAKSANA, kelas=7, parent=boss)
    ani = employee_with_login(inst, pos, name="Ani")
    employee_with_login(inst, boss, name="Atasan")
    item = ActivityCatalogItem.objects.create(
        instansi=inst,
        code="A1",
        name="Menyusun konsep surat",
        output_unit="surat",
        standard_minutes=20,
        active_from=dt.date(2020, 1, 1),
    )
    return {"ani": ani, "item": item}


def bearer(user, name="HP") -> dict[str, str]:
    _token, raw = services.api_token_issue(actor=user, name=name)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def ask_token(client, username, ip="203.0.113.7", password=PASSWORD):
    return client.post(
        TOKEN,
        json.dumps({"username": username, "password": password, "device": "HP"}),
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def assert_too_many(resp, window: int, login: bool = False) -> int:
    assert resp.status_code == 429, resp.content
    seconds = int(resp["Retry-After"])
    assert 1 <= seconds <= window
    detail = resp.json()["detail"]
    assert detail == throttle.too_many(seconds, login=login)
    assert f"Tunggu {seconds} detik" in detail
    assert ("jaringan Anda" in detail) is login
    return seconds


def test_a_token_over_its_limit_is_told_to_wait_until_the_window_ends(
    client, office, clock, settings
):
    settings.API_RATE_LIMIT, settings.API_RATE_WINDOW = 3, 60
    auth = bearer(office["ani"].user)
    for _ in range(3):
        assert client.get(ENTRIES, **auth).status_code == 200
    refused = client.get(ENTRIES, **auth)
    # 10 seconds into the minute: 50 seconds left.
    assert assert_too_many(refused, 60) == 50
    # A write is refused too, before it does anything.
    body = {
        "date": "2026-10-09",
        "start_time": "08:00",
        "end_time": "08:20",
        "item_id": office["item"].pk,
        "volume": "1",
    }
    resp = client.post(ENTRIES, body, content_type="application/json", **auth)
    assert_too_many(resp, 60)
    assert not ActivityEntry.objects.exists()
    clock.shift(dt.timedelta(seconds=50))  # the next window
    assert client.get(ENTRIES, **auth).status_code == 200


def test_the_limit_is_per_token(client, office, clock, settings):
    settings.API_RATE_LIMIT = 2
    phone, tablet = bearer(office["ani"].user, "HP"), bearer(office["ani"].user, "Tablet")
    assert [client.get(CATALOG, **phone).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(CATALOG, **tablet).status_code == 200


def test_a_browser_session_is_limited_per_account(client, office, clock, settings):
    settings.API_RATE_LIMIT = 2
    client.force_login(office["ani"].user)
    assert [client.get(CATALOG).status_code for _ in range(3)] == [200, 200, 429]


def test_logins_are_limited_per_address_right_password_or_not(client, office, clock, settings):
    settings.API_TOKEN_RATE_LIMIT, settings.API_TOKEN_RATE_WINDOW = 2, 60
    username = office["ani"].user.username
    assert ask_token(client, username).status_code == 200
    assert ask_token(client, username, password="salah-sekali-123").status_code == 401
    assert_too_many(ask_token(client, username), 60, login=True)
    # Another address (another office's network) is not affected.
    assert ask_token(client, username, ip="198.51.100.9").status_code == 200
    # An IPv6 client holds its whole /64: one counter for it.
    assert ask_token(client, username, ip="2001:db8::1").status_code == 200
    assert ask_token(client, username, ip="2001:db8::2").status_code == 200
    assert ask_token(client, username, ip="2001:db8::3").status_code == 429


def test_the_login_throttle_also_says_when_to_retry(client, office, settings):
    """The failed-attempt throttle of core.auth answered 429 without Retry-After."""
    settings.LOGIN_IP_THRESHOLD, settings.LOGIN_IP_MINUTES = 2, 15
    username = office["ani"].user.username
    for _ in range(2):
        assert ask_token(client, username, password="salah-sekali-123").status_code == 401
    resp = ask_token(client, username)
    assert resp.status_code == 429
    assert resp["Retry-After"] == str(15 * 60)
    assert "Terlalu banyak percobaan masuk" in resp.json()["detail"]


def test_zero_turns_a_limit_off(client, office, clock, settings):
    settings.API_RATE_LIMIT = 0
    settings.API_TOKEN_RATE_LIMIT = 0
    auth = bearer(office["ani"].user)
    assert all(client.get(CATALOG, **auth).status_code == 200 for _ in range(5))
    username = office["ani"].user.username
    assert all(ask_token(client, username).status_code == 200 for _ in range(5))


def test_a_cache_that_does_not_answer_leaves_the_api_open(client, office, clock, settings):
    settings.API_RATE_LIMIT = 1
    auth = bearer(office["ani"].user)
    with mock.patch.object(cache, "incr", side_effect=ConnectionError("redis down")):
        assert [client.get(CATALOG, **auth).status_code for _ in range(3)] == [200, 200, 200]


def test_a_day_of_sync_stays_under_the_default_limits(client, office, clock):
    """With the default settings, what the app does on a busy day within one minute: log in, read the catalog, the SKP
    results and the month, send 24 entries (08:00-16:00, 20 minutes each) one by one, read them
    back. Every request answers as it would without a limit."""
    resp = ask_token(client, office["ani"].user.username)
    assert resp.status_code == 200
    auth = {"HTTP_AUTHORIZATION": f"Bearer {resp.json()['token']}"}
    statuses = [
        client.get(CATALOG, **auth).status_code,
        client.get("/api/v1/activities/skp-results", **auth).status_code,
        client.get("/api/v1/activities/month", **auth).status_code,
    ]
    start = dt.datetime(2026, 10, 9, 8, 0)
    for n in range(24):
        begin, end = start + dt.timedelta(minutes=20 * n), start + dt.timedelta(minutes=20 * n + 20)
        body = {
            "date": "2026-10-09",
            "start_time": f"{begin:%H:%M}",
            "end_time": f"{end:%H:%M}",
            "item_id": office["item"].pk,
            "volume": "1",
            "submit": True,
        }
        statuses.append(
            client.post(ENTRIES, body, content_type="application/json", **auth).status_code
        )
    statuses.append(client.get(ENTRIES, **auth).status_code)
    statuses.append(client.get("/api/v1/activities/month", **auth).status_code)
    assert statuses == [200, 200, 200] + [201] * 24 + [200, 200]
    assert ActivityEntry.objects.count() == 24
    # ... with room to spare: a second phone's worth of requests fits in the same minute.
    assert len(statuses) * 2 < django_settings.API_RATE_LIMIT


def test_the_document_lists_429_with_retry_after_everywhere():
    doc = api.get_openapi_schema()
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            answer = op["responses"][429]
            assert answer["headers"]["Retry-After"]["required"] is True, (path, method)
            assert answer["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Message"
            }
