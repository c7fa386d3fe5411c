"""The API speaks Indonesian in its errors too: a request that does not fit the schema gets ninja's
422 shape (`detail`: a list of {type, loc, msg}) with `msg` an Indonesian sentence naming the field,
and ninja's fixed English refusals (bad JSON, no token) an Indonesian `detail`."""

import pytest

from ekinerja.activities import services
from ekinerja.api import errors
from tests.factories import InstansiFactory, employee_with_login

pytestmark = pytest.mark.django_db
URL = "/api/v1/activities/entries"


@pytest.fixture
def staff():
    ani = employee_with_login(InstansiFactory(timezone="Asia/Makassar"), None, name="Ani")
    _token, raw = services.api_token_issue(actor=ani.user, name="HP")
    return {"auth": {"HTTP_AUTHORIZATION": f"Bearer {raw}"}}


def _by_field(resp):
    assert resp.status_code == 422, resp.content
    detail = resp.json()["detail"]
    assert isinstance(detail, list)
    return {tuple(e["loc"]): e for e in detail}


def test_missing_fields_are_reported_in_indonesian_with_their_location(client, staff):
    got = _by_field(client.post(URL, {}, content_type="application/json", **staff["auth"]))
    volume = got[("body", "data", "volume")]
    assert volume["type"] == "missing"
    assert volume["msg"] == "Kolom 'volume' wajib diisi."
    assert got[("body", "data", "date")]["msg"] == "Kolom 'date' wajib diisi."


def test_wrong_types_and_bounds_are_reported_in_indonesian(client, staff):
    body = {
        "date": "2026-13-01",
        "start_time": "8",
        "end_time": "08:00",
        "item_id": "x",
        "volume": "abc",
        "description": "x" * 5000,
        "submit": "mungkin",
    }
    got = _by_field(client.post(URL, body, content_type="application/json", **staff["auth"]))
    msgs = {loc[-1]: e["msg"] for loc, e in got.items()}
    assert msgs["volume"] == "Kolom 'volume' harus berupa angka desimal."
    assert msgs["item_id"] == "Kolom 'item_id' harus berupa bilangan bulat."
    assert msgs["date"].startswith("Kolom 'date' harus berupa tanggal")
    assert msgs["start_time"].startswith("Kolom 'start_time' harus berupa jam")
    assert msgs["description"] == "Kolom 'description' maksimal 2000 karakter."
    assert msgs["submit"] == "Kolom 'submit' harus berupa true atau false."
    for msg in msgs.values():
        assert "Input should" not in msg and "Field required" not in msg

    got = _by_field(
        client.post(
            URL,
            {**body, "date": "2026-10-08", "start_time": "08:00", "volume": "0"},
            content_type="application/json",
            **staff["auth"],
        )
    )
    assert got[("body", "data", "volume")]["msg"] == "Kolom 'volume' harus lebih besar dari 0."


def test_no_english_detail_is_left_in_ctx(client, staff):
    """pydantic puts an English `error` in `ctx` for a date it cannot parse ("month value is
    outside expected range"); the answer keeps no English, only the bounds an app can use."""
    body = {"date": "2026-13-01", "volume": "1", "description": "x" * 5000}
    resp = client.post(URL, body, content_type="application/json", **staff["auth"])
    got = _by_field(resp)
    date = got[("body", "data", "date")]
    assert date["type"] == "date_from_datetime_parsing"
    assert "ctx" not in date
    assert "range" not in resp.content.decode() and "input is" not in resp.content.decode()
    assert got[("body", "data", "description")]["ctx"] == {"max_length": 2000}


def test_query_and_choice_errors(client, staff):
    got = _by_field(client.get(URL + "?date_from=kemarin", **staff["auth"]))
    assert got[("query", "date_from")]["msg"].startswith("Kolom 'date_from' harus berupa tanggal")
    got = _by_field(
        client.post(
            URL + "/1/verify",
            {"decision": "mungkin"},
            content_type="application/json",
            **staff["auth"],
        )
    )
    assert got[("body", "data", "decision")]["msg"] == (
        "Kolom 'decision' harus salah satu dari: approve, reject atau return."
    )


def test_body_level_and_ninja_refusals_are_indonesian(client, staff):
    got = _by_field(client.post(URL, "", content_type="application/json", **staff["auth"]))
    assert got[("body", "data")]["msg"] == "Isi permintaan (JSON) wajib diisi."
    resp = client.post(URL, "{rusak", content_type="application/json", **staff["auth"])
    assert resp.status_code == 400
    assert resp.json() == {"detail": "Isi permintaan bukan JSON yang sah."}
    resp = client.get(URL)
    assert resp.status_code == 401 and resp.json()["detail"].startswith("Belum masuk")


def test_every_listed_type_and_the_fallback():
    def msg(kind, **ctx):
        return errors.message({"type": kind, "loc": ("body", "data", "x"), "ctx": ctx})

    assert msg("string_type") == "Kolom 'x' harus berupa teks."
    assert msg("too_long", max_length=3) == "Kolom 'x' maksimal berisi 3 item."
    assert msg("less_than_equal", le="99.50") == "Kolom 'x' paling besar 99,5."
    assert msg("greater_than_equal", ge=1) == "Kolom 'x' paling kecil 1."
    assert msg("literal_error", expected="'a', 'b' or 'c'") == (
        "Kolom 'x' harus salah satu dari: a, b atau c."
    )
    assert msg("enum", expected="'draft' or 'submitted'") == (
        "Kolom 'x' harus salah satu dari: draft atau submitted."
    )
    assert msg("json_invalid") == "Kolom 'x' bukan JSON yang sah."
    assert msg("value_error", error="boom") == "Kolom 'x' tidak valid."
    assert msg("date_parsing").startswith("Kolom 'x' harus berupa tanggal")
    assert msg("time_parsing").startswith("Kolom 'x' harus berupa jam")
    assert msg("jenis_baru_pydantic") == "Kolom 'x' tidak valid."
    assert errors.field_name(("body", "data", "rows", 0, "id")) == "rows[0].id"
    assert errors.field_name(("path", "entry_id")) == "entry_id"


def test_openapi_schema_still_builds(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200 and resp.json()["info"]["title"] == "e-Kinerja API"


def test_a_method_the_path_does_not_have_is_a_json_405_in_indonesian(client, staff):
    """ninja answered 405 with English text/html ("Method not allowed"), unlike every other error."""
    resp = client.put("/api/v1/activities/catalog", {}, content_type="application/json")
    assert resp.status_code == 405
    assert resp["Content-Type"].startswith("application/json")
    assert resp.json() == {"detail": "Metode PUT tidak tersedia di alamat ini. Yang tersedia: GET."}
    assert resp["Allow"] == "GET"
    # A path with several methods lists them all; the Allow header stays as ninja set it.
    resp = client.put(URL + "/1", {}, content_type="application/json", **staff["auth"])
    assert resp.status_code == 405
    assert resp.json()["detail"] == (
        "Metode PUT tidak tersedia di alamat ini. Yang tersedia: DELETE, PATCH."
    )
    assert set(resp["Allow"].split(", ")) == {"DELETE", "PATCH"}
    # The methods a path has are not affected.
    assert client.get("/api/v1/activities/catalog", **staff["auth"]).status_code == 200
