"""The JSON API: token auth, own entries, catalog search, inbox and verification; OpenAPI schema."""

import pytest
from django.utils import timezone

from ekinerja.activities.models import ActivityEntry, ApiToken, EntryStatus
from ekinerja.core.models import AuditEvent
from tests.factories import InstansiFactory, employee_with_login

from .conftest import D, make_entry

pytestmark = pytest.mark.django_db
PASSWORD = "Rahasia-Kuat-2026!"


@pytest.fixture(autouse=True)
def _now(at):
    at("2026-10-09 17:00")


def token_for(client, employee):
    resp = client.post(
        "/api/v1/auth/token",
        {"username": employee.user.username, "password": PASSWORD, "device": "HP Android"},
        content_type="application/json",
    )
    assert resp.status_code == 200, resp.content
    return {"HTTP_AUTHORIZATION": f"Bearer {resp.json()['token']}"}


def test_token_is_issued_for_the_right_password_and_stored_hashed(client, office):
    ani = office["p"]["ani"]
    bad = client.post(
        "/api/v1/auth/token",
        {"username": ani.user.username, "password": "salah"},
        content_type="application/json",
    )
    assert bad.status_code == 401
    h = token_for(client, ani)
    raw = h["HTTP_AUTHORIZATION"].split()[1]
    tok = ApiToken.objects.get()
    assert tok.key_hash == ApiToken.hash(raw) and raw not in tok.key_hash
    assert AuditEvent.objects.filter(action="auth.api_token.issue").exists()
    assert client.get("/api/v1/activities/entries").status_code == 401
    assert (
        client.get("/api/v1/activities/entries", HTTP_AUTHORIZATION="Bearer salah").status_code
        == 401
    )
    ApiToken.objects.update(expires_at=timezone.now())
    assert client.get("/api/v1/activities/entries", **h).status_code == 401


def test_create_list_submit_and_validation_errors(client, office):
    h = token_for(client, office["p"]["ani"])
    body = {
        "date": "2026-10-08",
        "start_time": "08:00",
        "end_time": "09:00",
        "item_id": office["surat"].pk,
        "volume": "2",
        "description": "Surat",
    }
    resp = client.post("/api/v1/activities/entries", body, content_type="application/json", **h)
    assert resp.status_code == 201, resp.content
    entry = resp.json()["entry"]
    assert entry["status"] == "draft" and entry["minutes_per_unit"] == 30
    resp = client.post(
        "/api/v1/activities/entries",
        {**body, "start_time": "08:30", "end_time": "09:30", "volume": "1"},
        content_type="application/json",
        **h,
    )
    assert resp.status_code == 422 and "bertumpang tindih" in resp.json()["errors"]["start_time"][0]
    resp = client.post(
        "/api/v1/activities/entries", {**body, "volume": "0"}, content_type="application/json", **h
    )
    assert resp.status_code == 422
    resp = client.post(f"/api/v1/activities/entries/{entry['id']}/submit", **h)
    assert resp.json()["status"] == "submitted"
    listed = client.get(
        "/api/v1/activities/entries?date_from=2026-10-01&date_to=2026-10-09", **h
    ).json()
    assert [e["id"] for e in listed] == [entry["id"]]


def test_other_peoples_entries_are_404(client, office):
    e = make_entry(office, who="budi", day=D(2026, 10, 8))
    h = token_for(client, office["p"]["ani"])
    assert client.post(f"/api/v1/activities/entries/{e.pk}/submit", **h).status_code == 404
    assert client.delete(f"/api/v1/activities/entries/{e.pk}", **h).status_code == 404
    stranger = employee_with_login(InstansiFactory(), None)
    hs = token_for(client, stranger)
    assert (
        client.post(
            f"/api/v1/activities/entries/{e.pk}/verify",
            {"decision": "approve"},
            content_type="application/json",
            **hs,
        ).status_code
        == 404
    )


def test_catalog_search(client, office):
    h = token_for(client, office["p"]["ani"])
    names = [i["name"] for i in client.get("/api/v1/activities/catalog?q=rapat", **h).json()]
    assert names == ["Mengikuti rapat koordinasi"]


def test_a_big_inbox_is_read_a_subordinate_at_a_time(client, office):
    """GET /inbox answered every waiting entry of every subordinate in one document (thousands for
    a month of a kabid's staff); the summary lists who waits and `employee_id` opens one."""
    for day in (6, 7, 8):
        make_entry(office, day=D(2026, 10, day), submit=True)
    make_entry(office, who="budi", day=D(2026, 10, 7), submit=True)
    h = token_for(client, office["p"]["kasubag"])
    summary = client.get("/api/v1/activities/inbox/summary", **h).json()
    assert summary["total"] == 4
    rows = {r["name"]: r for r in summary["subordinates"]}
    assert (rows["Ani"]["count"], rows["Ani"]["days"]) == (3, 3)
    assert (rows["Ani"]["first"], rows["Ani"]["last"]) == ("2026-10-06", "2026-10-08")
    assert rows["Budi"]["count"] == 1 and not rows["Budi"]["as_bkpsdm"]
    budi = client.get(
        f"/api/v1/activities/inbox?employee_id={rows['Budi']['employee_id']}", **h
    ).json()
    assert budi["total"] == 1 and [g["name"] for g in budi["groups"]] == ["Budi"]
    # Someone outside the caller's inbox (the kepala, their own superior) finds nothing.
    kepala = office["p"]["kepala"].pk
    other = client.get(f"/api/v1/activities/inbox?employee_id={kepala}", **h).json()
    assert other["total"] == 0 and other["groups"] == []
    assert client.get("/api/v1/activities/inbox?employee_id=0", **h).status_code == 422


def test_inbox_and_verify(client, office):
    a = make_entry(office, day=D(2026, 10, 7), submit=True)
    b = make_entry(office, day=D(2026, 10, 8), submit=True)
    h = token_for(client, office["p"]["kasubag"])
    inbox = client.get("/api/v1/activities/inbox", **h).json()
    assert inbox["total"] == 2 and inbox["groups"][0]["name"] == "Ani"
    resp = client.post(
        f"/api/v1/activities/entries/{a.pk}/verify",
        {"decision": "reject"},
        content_type="application/json",
        **h,
    )
    assert resp.status_code == 422 and "Alasan" in resp.json()["detail"]
    resp = client.post(
        f"/api/v1/activities/entries/{a.pk}/verify",
        {"decision": "approve", "approved_volume": "1", "reason": "Satu"},
        content_type="application/json",
        **h,
    )
    assert resp.json()["credited_minutes"] == 30
    resp = client.post(
        "/api/v1/activities/verify-bulk",
        {"entry_ids": [b.pk]},
        content_type="application/json",
        **h,
    )
    assert resp.json() == {"count": 1, "late": 0, "changed": 0, "on_leave": 0}
    assert ActivityEntry.objects.get(pk=b.pk).status == EntryStatus.APPROVED
    # The employee cannot verify their own entries through the API either.
    c = make_entry(office, day=D(2026, 10, 6), submit=True)
    ha = token_for(client, office["p"]["ani"])
    assert (
        client.post(
            f"/api/v1/activities/entries/{c.pk}/verify",
            {"decision": "approve"},
            content_type="application/json",
            **ha,
        ).status_code
        == 404
    )
    month = client.get("/api/v1/activities/month?period=2026-10", **ha).json()
    assert month["credited_minutes"] == 90 and month["approved"] == 2


def test_openapi_schema_is_published(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    paths = resp.json()["paths"]
    assert "/api/v1/activities/entries" in paths and "/api/v1/auth/token" in paths


def test_swagger_ui_is_served_from_own_static_files(client):
    resp = client.get("/api/v1/docs")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_an_id_beyond_any_row_is_a_field_error_not_a_crash(client, office):
    """A 20-digit item or entry id reached the database driver (500 on SQLite)."""
    h = token_for(client, office["p"]["kasubag"])
    big = 10**20
    for url, body in (
        (
            "/api/v1/activities/entries",
            {
                "date": "2026-10-08",
                "start_time": "08:00",
                "end_time": "09:00",
                "item_id": big,
                "volume": "1",
            },
        ),
        ("/api/v1/activities/verify-bulk", {"entry_ids": [big]}),
        ("/api/v1/activities/verify-bulk", {"employee_id": big, "start": "2026-10-01"}),
    ):
        resp = client.post(url, body, content_type="application/json", **h)
        assert resp.status_code == 422, (url, resp.content)


def test_a_volume_is_answered_as_stored_whatever_its_written_places(client, office):
    """ "1" was echoed "1" on create and "1.00" once read back; the service keeps the column's two
    places (services._parse_volume), so every answer and the row agree."""
    h = token_for(client, office["p"]["ani"])
    body = {
        "date": "2026-10-08",
        "start_time": "08:00",
        "end_time": "09:00",
        "item_id": office["surat"].pk,
        "volume": "1",
    }
    resp = client.post("/api/v1/activities/entries", body, content_type="application/json", **h)
    assert resp.status_code == 201, resp.content
    made = resp.json()["entry"]
    assert made["volume"] == "1.00"
    listed = client.get("/api/v1/activities/entries?date_from=2026-10-08&date_to=2026-10-08", **h)
    assert [e["volume"] for e in listed.json()] == ["1.00"]
    resp = client.patch(
        f"/api/v1/activities/entries/{made['id']}",
        {"volume": "1.5"},
        content_type="application/json",
        **h,
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["entry"]["volume"] == "1.50"
    assert str(ActivityEntry.objects.get(pk=made["id"]).volume) == "1.50"


def _query_error(resp, field):
    assert resp.status_code == 422, resp.content
    return {e["loc"][-1]: e for e in resp.json()["detail"]}[field]


def test_a_year_outside_the_apps_years_is_a_field_error(client, office):
    """`?year=0` answered this year's results (0 read as "no year"); any year outside 1900-9998
    (core.periods) is refused with its bound."""
    h = token_for(client, office["p"]["ani"])
    error = _query_error(client.get("/api/v1/activities/skp-results?year=0", **h), "year")
    assert error["loc"] == ["query", "year"]
    assert error["msg"] == "Kolom 'year' paling kecil 1900."
    error = _query_error(client.get("/api/v1/activities/skp-results?year=10000", **h), "year")
    assert error["msg"] == "Kolom 'year' paling besar 9998."
    assert client.get("/api/v1/activities/skp-results?year=2026", **h).json() == []


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_date_outside_the_apps_years_is_a_field_error(client, office, day):
    """0001-01-01 and 9999-12-31 answered an empty list, or "Rentang paling panjang 92 hari." on
    `date_to` for a `date_from` the client had typed wrong."""
    h = token_for(client, office["p"]["kasubag"])
    error = _query_error(
        client.get(f"/api/v1/activities/entries?date_from={day}", **h), "date_from"
    )
    assert error["type"] == "date_out_of_range"
    assert error["msg"] == "Kolom 'date_from' harus tanggal antara tahun 1900 dan 9998."
    assert error["ctx"] == {"min_year": 1900, "max_year": 9998}
    resp = client.get(f"/api/v1/activities/entries?date_from=2026-10-01&date_to={day}", **h)
    assert _query_error(resp, "date_to")["type"] == "date_out_of_range"
    resp = client.get(f"/api/v1/activities/catalog?date={day}", **h)
    assert _query_error(resp, "date")["type"] == "date_out_of_range"
    resp = client.post(
        "/api/v1/activities/verify-bulk",
        {"employee_id": office["p"]["ani"].pk, "start": day},
        content_type="application/json",
        **h,
    )
    assert _query_error(resp, "start")["loc"] == ["body", "data", "start"]


def test_a_date_from_after_today_without_date_to_is_refused(client, office):
    """The range then ends today, before it begins: it answered an empty list."""
    h = token_for(client, office["p"]["ani"])
    resp = client.get("/api/v1/activities/entries?date_from=2026-12-01", **h)
    assert resp.status_code == 422, resp.content
    assert resp.json()["errors"] == {"date_from": ["Tanggal awal tidak boleh sesudah hari ini."]}


def test_bulk_verify_of_a_range_ending_before_it_starts_is_refused(client, office):
    """It answered `count: 0` as if nothing were waiting."""
    e = make_entry(office, day=D(2026, 10, 7), submit=True)
    h = token_for(client, office["p"]["kasubag"])
    resp = client.post(
        "/api/v1/activities/verify-bulk",
        {"employee_id": office["p"]["ani"].pk, "start": "2026-10-08", "end": "2026-10-06"},
        content_type="application/json",
        **h,
    )
    assert resp.status_code == 422, resp.content
    assert resp.json()["errors"] == {"end": ["Tanggal akhir tidak boleh sebelum tanggal awal."]}
    assert ActivityEntry.objects.get(pk=e.pk).status == EntryStatus.SUBMITTED
    resp = client.post(
        "/api/v1/activities/verify-bulk",
        {"employee_id": office["p"]["ani"].pk, "start": "2026-10-06", "end": "2026-10-08"},
        content_type="application/json",
        **h,
    )
    assert resp.json()["count"] == 1


def test_bulk_verify_of_someone_elses_subordinate_answers_404_like_the_single_verify(
    client, office
):
    """The list answered 403 "Sebagian aktivitas bukan milik bawahan langsung Anda..." where the
    single verify answers 404: it told that the entries exist."""
    theirs = make_entry(office, who="kepala", day=D(2026, 10, 7), submit=True)
    mine = make_entry(office, day=D(2026, 10, 7), submit=True)
    h = token_for(client, office["p"]["kasubag"])
    single = client.post(
        f"/api/v1/activities/entries/{theirs.pk}/verify",
        {"decision": "approve"},
        content_type="application/json",
        **h,
    )
    assert single.status_code == 404
    for ids in ([theirs.pk], [mine.pk, theirs.pk]):
        resp = client.post(
            "/api/v1/activities/verify-bulk",
            {"entry_ids": ids},
            content_type="application/json",
            **h,
        )
        assert resp.status_code == 404, resp.content
        assert resp.json() == single.json() == {"detail": "Data tidak ditemukan."}
    assert set(ActivityEntry.objects.values_list("status", flat=True)) == {EntryStatus.SUBMITTED}


def test_a_rule_error_names_the_field_the_request_sent(client, office):
    """The service names the entry's fields as the pages do (`item`); the API's 422 named it so
    too, though the request's field is `item_id`."""
    h = token_for(client, office["p"]["ani"])
    body = {
        "date": "2026-10-08",
        "start_time": "08:00",
        "end_time": "09:00",
        "item_id": office["pimpin"].pk,  # not for a pelaksana
        "volume": "1",
    }
    resp = client.post("/api/v1/activities/entries", body, content_type="application/json", **h)
    assert resp.status_code == 422, resp.content
    errors = resp.json()["errors"]
    assert set(errors) == {"item_id"}
    assert "tidak tersedia untuk jabatan Anda" in errors["item_id"][0]
    assert not ActivityEntry.objects.exists()

    made = client.post(
        "/api/v1/activities/entries",
        {**body, "item_id": office["surat"].pk},
        content_type="application/json",
        **h,
    )
    assert made.status_code == 201, made.content
    pk = made.json()["entry"]["id"]
    resp = client.patch(
        f"/api/v1/activities/entries/{pk}",
        {"item_id": office["pimpin"].pk},
        content_type="application/json",
        **h,
    )
    assert resp.status_code == 422 and set(resp.json()["errors"]) == {"item_id"}
