"""POST /api/v1/attendance/checkin through the whole API (token, schema, error handlers): what the
check-in schema refuses as field errors (422, Indonesian `msg`) before the service is reached, and
what the published schema says of it."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
import time_machine

from ekinerja.activities.services import api_token_issue
from ekinerja.attendance.models import Office, Punch

pytestmark = pytest.mark.django_db
URL = "/api/v1/attendance/checkin"
NOW = dt.datetime(2026, 10, 1, 23, 40, tzinfo=dt.UTC)  # 07:40 WITA on 2 October


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def auth(office):
    Office.objects.create(
        instansi=office.instansi,
        unit=office.unit,
        name="Kantor Dinkes",
        latitude=Decimal("-2.767800"),
        longitude=Decimal("115.241500"),
        radius_m=100,
    )
    _token, raw = api_token_issue(actor=office.ani.user, name="HP")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def body(**kw):
    return {
        "latitude": -2.7678,
        "longitude": 115.2415,
        "accuracy_m": 12.0,
        "nonce": uuid.uuid4().hex,
        "client_time": NOW.isoformat(),
        **kw,
    }


def field_errors(resp):
    assert resp.status_code == 422, resp.content
    return {e["loc"][-1]: e for e in resp.json()["detail"]}


def test_a_client_time_without_its_offset_is_a_field_error(client, auth):
    """It was answered 400 "Jam ponsel berbeda lebih dari 5 menit..." though the phone's clock
    was right: a time without an offset names no instant."""
    naive = NOW.replace(tzinfo=None).isoformat()
    resp = client.post(URL, body(client_time=naive), content_type="application/json", **auth)
    error = field_errors(resp)["client_time"]
    assert error["type"] == "timezone_aware"
    assert error["loc"] == ["body", "data", "client_time"]
    assert error["msg"] == (
        "Kolom 'client_time' harus memuat zona waktu (selisih dari UTC, mis. +08:00 atau Z)."
    )
    assert not Punch.objects.exists()
    # The same instant with its offset, in any zone, is accepted.
    wita = NOW.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat()
    resp = client.post(URL, body(client_time=wita), content_type="application/json", **auth)
    assert resp.status_code == 201, resp.content


@pytest.mark.parametrize(
    ("field", "value", "msg"),
    [
        ("latitude", 90.5, "Kolom 'latitude' paling besar 90."),
        ("latitude", -91, "Kolom 'latitude' paling kecil -90."),
        ("longitude", 180.5, "Kolom 'longitude' paling besar 180."),
        ("longitude", -200, "Kolom 'longitude' paling kecil -180."),
    ],
)
def test_a_coordinate_beyond_the_globe_is_a_field_error(client, auth, field, value, msg):
    """It was a 400 `coordinates` refusal the published schema did not foretell."""
    resp = client.post(URL, body(**{field: value}), content_type="application/json", **auth)
    assert field_errors(resp)[field]["msg"] == msg
    assert not Punch.objects.exists()


def test_the_published_schema_states_the_limits_the_server_enforces(client, auth):
    doc = client.get("/api/v1/openapi.json").json()
    props = doc["components"]["schemas"]["CheckinIn"]["properties"]
    assert (props["latitude"]["minimum"], props["latitude"]["maximum"]) == (-90, 90)
    assert (props["longitude"]["minimum"], props["longitude"]["maximum"]) == (-180, 180)
    nonce = props["nonce"]
    assert (nonce["minLength"], nonce["maxLength"]) == (16, 64)
    assert "kecuali NUL" in nonce["description"]
    assert props["client_time"]["format"] == "date-time"
    # The server refuses what the schema leaves out, and takes what it allows.
    short = client.post(URL, body(nonce="x" * 15), content_type="application/json", **auth)
    assert short.status_code == 400 and short.json()["code"] == "nonce"
    long = client.post(URL, body(nonce="x" * 65), content_type="application/json", **auth)
    assert long.status_code == 400 and long.json()["code"] == "nonce"
    # A nonce sent is not "wajib diisi": the message says what is wrong with it.
    assert long.json()["detail"] == "Nonce harus 16-64 karakter (terkirim 65 karakter)."
    resp = client.post(URL, body(nonce="x" * 64), content_type="application/json", **auth)
    assert resp.status_code == 201, resp.content
