"""GET /api/v1/activities/inbox answers a page of entries (H3): `limit` (default 100, at most 500)
and `offset`, with `next_offset` for the next page. Without `employee_id` it answered every waiting
entry of every subordinate in one document."""

import pytest

from ekinerja.activities import api as activities_api
from ekinerja.activities import services

from .conftest import EIGHT, NINE, D, T, make_entry

pytestmark = pytest.mark.django_db
INBOX = "/api/v1/activities/inbox"


@pytest.fixture(autouse=True)
def _now(at):
    at("2026-10-09 17:00")


@pytest.fixture
def waiting(office):
    """Ani: two entries on the 7th, one on the 8th; Budi: one on the 7th (5 in all)."""
    make_entry(office, day=D(2026, 10, 7), start=EIGHT, end=NINE, submit=True)
    make_entry(office, day=D(2026, 10, 7), start=NINE, end=T(10), submit=True)
    make_entry(office, day=D(2026, 10, 8), submit=True)
    make_entry(office, who="budi", day=D(2026, 10, 7), submit=True)
    make_entry(office, who="budi", day=D(2026, 10, 8), submit=True)
    _t, raw = services.api_token_issue(actor=office["p"]["kasubag"].user, name="HP")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _ids(page) -> list[tuple[str, str, int]]:
    return [
        (g["name"], d["date"], e["id"])
        for g in page["groups"]
        for d in g["days"]
        for e in d["entries"]
    ]


def test_the_inbox_comes_a_page_at_a_time(client, waiting):
    whole = client.get(INBOX, **waiting).json()
    assert (whole["total"], whole["limit"], whole["offset"], whole["next_offset"]) == (
        5,
        100,
        0,
        None,
    )
    everything = _ids(whole)
    assert len(everything) == 5

    first = client.get(INBOX, {"limit": 2}, **waiting).json()
    assert first["total"] == 5 and first["next_offset"] == 2
    assert _ids(first) == everything[:2]
    # The page ends inside Ani's group: it goes on at the start of the next page.
    second = client.get(INBOX, {"limit": 2, "offset": 2}, **waiting).json()
    assert _ids(second) == everything[2:4] and second["next_offset"] == 4
    assert [g["name"] for g in second["groups"]] == ["Ani", "Budi"]
    last = client.get(INBOX, {"limit": 2, "offset": 4}, **waiting).json()
    assert _ids(last) == everything[4:] and last["next_offset"] is None
    beyond = client.get(INBOX, {"limit": 2, "offset": 9}, **waiting).json()
    assert beyond["groups"] == [] and beyond["total"] == 5 and beyond["next_offset"] is None
    # A day cut by the page keeps its date and deadline on both pages.
    cut = client.get(INBOX, {"limit": 1, "offset": 1}, **waiting).json()
    assert cut["groups"][0]["days"][0]["date"] == "2026-10-07"
    assert cut["groups"][0]["days"][0]["verify_by"] == whole["groups"][0]["days"][0]["verify_by"]


def test_the_default_and_the_maximum_page(client, waiting):
    assert (activities_api.INBOX_LIMIT, activities_api.INBOX_LIMIT_MAX) == (100, 500)
    assert client.get(INBOX, **waiting).json()["limit"] == 100
    too_many = client.get(INBOX, {"limit": 501}, **waiting)
    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["msg"] == "Kolom 'limit' paling besar 500."
    assert client.get(INBOX, {"limit": 0}, **waiting).status_code == 422
    assert client.get(INBOX, {"offset": -1}, **waiting).status_code == 422


def test_one_subordinate_is_paged_the_same_way(client, office, waiting):
    ani = office["p"]["ani"].pk
    page = client.get(INBOX, {"employee_id": ani, "limit": 2}, **waiting).json()
    assert page["total"] == 3 and page["next_offset"] == 2
    assert [g["name"] for g in page["groups"]] == ["Ani"]
