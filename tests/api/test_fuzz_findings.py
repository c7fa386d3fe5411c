"""What the schemathesis fuzz test (tests/api/test_fuzz.py) found, one test each: a time with an
offset crashed an entry (500), a NUL character crashed PostgreSQL (500), and the OpenAPI document
did not list the error answers the API gives (401, 404, 422...) nor describe its local times as
they are. The check-in's double tap is in tests/attendance/test_adms_mobile.py."""

import datetime as dt

import pytest
import time_machine

from ekinerja.activities import services
from ekinerja.activities.models import ActivityCatalogItem, ActivityEntry
from ekinerja.org.models import Position
from tests.factories import InstansiFactory, PositionFactory, UnitFactory, employee_with_login

pytestmark = pytest.mark.django_db
URL = "/api/v1/activities/entries"


@pytest.fixture(autouse=True)
def _now():
    # Friday 9 October 2026, 17:00 WITA.
    with time_machine.travel(dt.datetime(2026, 10, 9, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def staff():
    inst = InstansiFactory(timezone="Asia/Makassar")
    unit = UnitFactory(instansi=inst)
    boss = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=9)
    pos = PositionFactory(unit=unit, kind=Position.Kind.PELAKSANA, kelas=7, parent=boss)
    ani = employee_with_login(inst, pos, name="Ani")
    item = ActivityCatalogItem.objects.create(
        instansi=inst,
        code="A1",
        name="Menyusun konsep surat",
        output_unit="surat",
        standard_minutes=30,
        active_from=dt.date(2020, 1, 1),
    )
    _token, raw = services.api_token_issue(actor=ani.user, name="HP")
    return {"ani": ani, "item": item, "auth": {"HTTP_AUTHORIZATION": f"Bearer {raw}"}}


def entry(item, **kw):
    return {
        "date": "2026-10-08",
        "start_time": "08:00",
        "end_time": "09:00",
        "item_id": item.pk,
        "volume": "1",
        **kw,
    }


def field_error(resp, field):
    assert resp.status_code == 422, resp.content
    return {e["loc"][-1]: e for e in resp.json()["detail"]}[field]


@pytest.mark.parametrize("time", ["08:00+08:00", "08:00:00Z"])
def test_an_entry_time_with_an_offset_is_a_field_error_not_a_crash(client, staff, time):
    body = entry(staff["item"], start_time=time)
    resp = client.post(URL, body, content_type="application/json", **staff["auth"])
    error = field_error(resp, "start_time")
    assert error["type"] == "timezone_naive"
    assert error["msg"] == "Kolom 'start_time' tidak boleh memuat zona waktu."
    assert not ActivityEntry.objects.exists()

    made = client.post(URL, entry(staff["item"]), content_type="application/json", **staff["auth"])
    assert made.status_code == 201, made.content
    pk = made.json()["entry"]["id"]
    resp = client.patch(
        f"{URL}/{pk}", {"end_time": time}, content_type="application/json", **staff["auth"]
    )
    assert field_error(resp, "end_time")["type"] == "timezone_naive"
    assert ActivityEntry.objects.get(pk=pk).end_time == dt.time(9)


def test_a_nul_character_in_a_text_is_a_field_error(client, staff):
    # PostgreSQL can neither store nor compare it: each was a server error there.
    resp = client.get("/api/v1/activities/catalog?q=su%00rat", **staff["auth"])
    assert field_error(resp, "q")["msg"] == "Kolom 'q' tidak boleh memuat karakter NUL."
    body = entry(staff["item"], description="Surat\x00")
    resp = client.post(URL, body, content_type="application/json", **staff["auth"])
    assert field_error(resp, "description")["type"] == "string_nul"
    resp = client.post(
        "/api/v1/auth/token",
        {"username": staff["ani"].user.username + "\x00", "password": "x"},
        content_type="application/json",
    )
    assert field_error(resp, "username")["type"] == "string_nul"
    resp = client.post(
        "/api/v1/attendance/checkin",
        {
            "latitude": 0,
            "longitude": 0,
            "nonce": "\x00" * 20,
            "client_time": "2026-10-09T09:00:00Z",
        },
        content_type="application/json",
        **staff["auth"],
    )
    assert field_error(resp, "nonce")["type"] == "string_nul"
    assert not ActivityEntry.objects.exists()


def test_the_openapi_document_lists_the_error_answers_and_local_times(client):
    doc = client.get("/api/v1/openapi.json").json()
    ref = "#/components/schemas/{}".format

    def schema(path, method, status):
        return doc["paths"][path][method]["responses"][status]["content"]["application/json"][
            "schema"
        ]

    invalid = {"anyOf": [{"$ref": ref("SchemaInvalid")}, {"$ref": ref("RuleInvalid")}]}
    create = doc["paths"][URL]["post"]["responses"]
    assert set(create) == {"201", "400", "401", "403", "404", "409", "422", "429"}
    assert schema(URL, "post", "422") == invalid
    assert schema(URL, "post", "401") == {"$ref": ref("Message")}
    # A route's own answer stays, the common one is an alternative.
    checkin = "/api/v1/attendance/checkin"
    assert schema(checkin, "post", "422")["anyOf"] == [
        {"$ref": ref("Refusal")},
        *invalid["anyOf"],
    ]
    # Nothing to refuse: no parameters, no body (429: the rate limit, on every operation).
    assert set(doc["paths"]["/api/v1/activities/inbox/summary"]["get"]["responses"]) == {
        "200",
        "401",
        "403",
        "404",
        "429",
    }
    # The inbox takes one parameter (employee_id), so it can answer 422 too.
    assert set(doc["paths"]["/api/v1/activities/inbox"]["get"]["responses"]) == {
        "200",
        "401",
        "403",
        "404",
        "422",
        "429",
    }
    # No token needed, so no 401/404 of the common kind beyond its own (429: a throttled address).
    assert set(doc["paths"]["/api/v1/auth/token"]["post"]["responses"]) == {
        "200",
        "400",
        "401",
        "403",
        "422",
        "429",
    }
    components = doc["components"]["schemas"]
    assert components["SchemaInvalid"]["properties"]["detail"]["type"] == "array"
    assert components["RuleInvalid"]["required"] == ["detail", "errors"]
    # Entry times are the instansi's wall-clock times: JSON Schema's `format: time` demands an
    # offset, which the API neither sends nor accepts.
    start = components["EntryOut"]["properties"]["start_time"]
    assert "format" not in start and start["pattern"].startswith("^([01][0-9]|2[0-3])")
