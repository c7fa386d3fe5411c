"""ekinerja.wsgi: the mobile app's bearer requests take the short middleware stack with the same
answers and security headers; browser requests (any cookie) keep the full stack."""

import datetime as dt
import io
import json
import sys

import pytest
import time_machine
from django.core import signals
from django.db import close_old_connections
from django.test import Client

from ekinerja.activities import services
from ekinerja.activities.models import ActivityCatalogItem, ActivityEntry, ApiToken
from ekinerja.api.handler import Handler, is_bearer_request
from ekinerja.org.models import Position
from tests.factories import InstansiFactory, PositionFactory, UnitFactory, employee_with_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def app():
    # As Django's test client does: a request must not close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield Handler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def phone():
    inst = InstansiFactory(timezone="Asia/Makassar")
    unit = UnitFactory(instansi=inst)
    boss = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=9)
    pos = PositionFactory(unit=unit, kind=Position.Kind.PELAKSANA, kelas=7, parent=boss)
    ani = employee_with_login(inst, pos, name="Ani")
    item = ActivityCatalogItem.objects.create(
        instansi=inst,
        code="A1",
        name="Surat",
        output_unit="surat",
        standard_minutes=30,
        active_from=dt.date(2020, 1, 1),
    )
    _t, raw = services.api_token_issue(actor=ani.user)
    return {"token": raw, "item": item}


def call(app, method, path, body=None, **headers):
    data = json.dumps(body).encode() if body is not None else b""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(data)),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.input": io.BytesIO(data),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        **{f"HTTP_{k.upper()}": v for k, v in headers.items()},
    }
    got = {}

    def start_response(status, response_headers, exc_info=None):
        got["status"] = int(status.split()[0])
        got["headers"] = dict(response_headers)

    got["body"] = b"".join(app(environ, start_response))
    return got


def test_only_cookieless_bearer_api_requests_take_the_short_stack():
    api = {"PATH_INFO": "/api/v1/activities/entries", "HTTP_AUTHORIZATION": "Bearer ek_x"}
    assert is_bearer_request(api)
    assert is_bearer_request({**api, "HTTP_AUTHORIZATION": "bearer ek_x"})
    assert not is_bearer_request({**api, "HTTP_COOKIE": "sessionid=abc"})
    assert not is_bearer_request({**api, "HTTP_AUTHORIZATION": ""})
    assert not is_bearer_request({**api, "PATH_INFO": "/aktivitas/"})


def test_a_submission_on_the_short_stack(app, phone):
    body = {
        "date": "2026-10-08",
        "start_time": "08:00",
        "end_time": "09:00",
        "item_id": phone["item"].pk,
        "volume": "1",
        "submit": True,
    }
    with time_machine.travel(dt.datetime(2026, 10, 9, 9, 0, tzinfo=dt.UTC), tick=False):
        resp = call(
            app,
            "POST",
            "/api/v1/activities/entries",
            body,
            authorization=f"Bearer {phone['token']}",
        )
    assert resp["status"] == 201, resp["body"]
    assert json.loads(resp["body"])["entry"]["status"] == "submitted"
    assert ActivityEntry.objects.get().status == "submitted"
    # Security headers kept; no session, CSRF or language middleware at work.
    h = resp["headers"]
    assert h["X-Frame-Options"] == "DENY" and h["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in h and "Content-Language" not in h


def test_bad_tokens_are_refused_on_the_short_stack_as_on_the_full_one(app, phone):
    """401 "Belum masuk..." for a read and a write alike: a write used to be refused 403 "CSRF
    check Failed" (English), ninja's session check running before anything looked for a session
    (api.auth.ActiveSessionAuth)."""
    bad = "Bearer ek_salah"
    url = "/api/v1/activities/entries"
    requests = [("GET", url), ("POST", url), ("DELETE", f"{url}/1")]
    got = {m: call(app, m, path, {}, authorization=bad) for m, path in requests}
    short = {m: (r["status"], json.loads(r["body"])["detail"]) for m, r in got.items()}
    # (The test client last: it reconnects the signal that closes connections after a request.)
    client = Client(enforce_csrf_checks=True)  # as a real client meets the full stack
    full = {}
    for m, path in requests:
        resp = client.generic(m, path, "{}", "application/json", HTTP_AUTHORIZATION=bad)
        full[m] = (resp.status_code, resp.json()["detail"])
    refused = (401, "Belum masuk, atau token tidak berlaku lagi. Silakan masuk kembali.")
    assert short == full == {m: refused for m, _path in requests}
    assert not ActivityEntry.objects.exists()


def test_a_phone_revokes_its_token_on_the_short_stack(app, phone):
    auth = f"Bearer {phone['token']}"
    assert call(app, "GET", "/api/v1/activities/catalog", authorization=auth)["status"] == 200
    resp = call(app, "DELETE", "/api/v1/auth/token", authorization=auth)
    assert resp["status"] == 204 and resp["body"] == b""
    assert ApiToken.objects.get(key_hash=ApiToken.hash(phone["token"])).revoked
    assert call(app, "GET", "/api/v1/activities/catalog", authorization=auth)["status"] == 401
    assert call(app, "DELETE", "/api/v1/auth/token", authorization=auth)["status"] == 401


def test_requests_with_cookies_keep_the_full_stack(app, phone):
    resp = call(
        app,
        "GET",
        "/api/v1/activities/entries",
        authorization=f"Bearer {phone['token']}",
        cookie="foo=bar",
    )
    assert resp["status"] == 200
    assert resp["headers"]["Content-Language"] == "id"  # LocaleMiddleware: the full stack
    resp = call(app, "GET", "/api/v1/activities/entries", authorization=f"Bearer {phone['token']}")
    assert resp["status"] == 200 and "Content-Language" not in resp["headers"]


def test_answers_are_compressed_for_a_phone_that_accepts_gzip(app, phone):
    """The mobile app's JSON (short stack) and the browser's pages (full stack) are sent gzipped
    when the phone says it accepts gzip, and plain when it does not (a fingerprint machine)."""
    import gzip

    for n in range(8):
        ActivityCatalogItem.objects.create(
            instansi=phone["item"].instansi,
            code=f"B{n}",
            name=f"Menyusun konsep surat dinas nomor {n}",
            output_unit="konsep",
            standard_minutes=30,
            active_from=dt.date(2020, 1, 1),
        )
    auth = f"Bearer {phone['token']}"
    url = "/api/v1/activities/catalog"
    zipped = call(app, "GET", url, authorization=auth, accept_encoding="gzip, deflate")
    assert zipped["status"] == 200
    assert zipped["headers"]["Content-Encoding"] == "gzip"
    items = json.loads(gzip.decompress(zipped["body"]))
    assert len(items) == 9
    plain = call(app, "GET", url, authorization=auth)
    assert "Content-Encoding" not in plain["headers"]
    assert json.loads(plain["body"]) == items

    page = Client().get("/masuk/", HTTP_ACCEPT_ENCODING="gzip")
    assert page.status_code == 200 and page["Content-Encoding"] == "gzip"
    assert b"<form" in gzip.decompress(page.content)
