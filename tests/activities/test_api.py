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
