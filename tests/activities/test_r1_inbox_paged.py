"""GET /api/v1/activities/inbox reads only its page (R1): `limit`/`offset` go into the entries query
(LIMIT/OFFSET), so a sekda's or BKPSDM's inbox of thousands costs a page per page. Before, every
waiting entry was read and built, and the handler cut the page afterwards."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from ekinerja.activities import selectors, services
from ekinerja.activities.models import ActivityEntry

from .conftest import D, T, make_entry

pytestmark = pytest.mark.django_db
INBOX = "/api/v1/activities/inbox"


@pytest.fixture(autouse=True)
def _now(at):
    at("2026-10-09 17:00")


@pytest.fixture
def waiting(office):
    """Ani: three entries a day on the 5th-8th (12); Budi: two on the 6th and one on the 7th (3)."""
    for day in (5, 6, 7, 8):
        for hour in (8, 9, 10):
            make_entry(office, day=D(2026, 10, day), start=T(hour), end=T(hour + 1), submit=True)
    for day, hour in ((6, 8), (6, 9), (7, 8)):
        make_entry(
            office, who="budi", day=D(2026, 10, day), start=T(hour), end=T(hour + 1), submit=True
        )
    _t, raw = services.api_token_issue(actor=office["p"]["kasubag"].user, name="HP")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _ids(page) -> list[tuple[str, str, int]]:
    return [
        (g["name"], d["date"], e["id"])
        for g in page["groups"]
        for d in g["days"]
        for e in d["entries"]
    ]


@pytest.fixture
def built():
    """How many ActivityEntry objects were built while the test ran."""
    count = {"n": 0}

    def _count(sender, **kwargs):
        count["n"] += 1

    post_init.connect(_count, sender=ActivityEntry)
    yield count
    post_init.disconnect(_count, sender=ActivityEntry)


def test_a_page_reads_only_its_entries(client, waiting, built):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(INBOX, {"limit": 4, "offset": 6}, **waiting).json()
    assert len(_ids(page)) == 4 and page["total"] == 15 and page["next_offset"] == 10
    # Four entries built, not fifteen; the entries query carries the page's LIMIT and OFFSET.
    assert built["n"] == 4
    entry_reads = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "activities_activityentry"' in q["sql"] and "LIMIT" in q["sql"]
    ]
    assert any("LIMIT 4 OFFSET 6" in sql for sql in entry_reads), entry_reads


def test_the_selector_bounds_the_rows_and_keeps_the_whole_inbox_figures(office, waiting, built):
    kasubag = office["p"]["kasubag"]
    whole = selectors.superior_inbox(kasubag)
    built["n"] = 0
    page = selectors.superior_inbox(kasubag, limit=2, offset=13)
    assert built["n"] == 2
    assert whole.total == 15 and whole.earliest_deadline is not None
    assert (page.total, page.earliest_deadline) == (whole.total, whole.earliest_deadline)
    assert [e.pk for g in page.groups for d in g.days for e in d.entries] == [
        e.pk for g in whole.groups for d in g.days for e in d.entries
    ][13:]


def test_pages_across_group_and_day_boundaries_add_up_to_the_whole(client, waiting):
    whole = client.get(INBOX, **waiting).json()
    everything = _ids(whole)
    assert len(everything) == 15 and whole["next_offset"] is None
    deadline_of = {
        (g["name"], d["date"]): d["verify_by"] for g in whole["groups"] for d in g["days"]
    }
    for limit in (1, 2, 4, 5, 7):
        seen, offset, pages = [], 0, 0
        while offset is not None:
            page = client.get(INBOX, {"limit": limit, "offset": offset}, **waiting).json()
            assert page["total"] == 15
            assert page["earliest_deadline"] == whole["earliest_deadline"]
            for g in page["groups"]:
                for d in g["days"]:
                    assert d["verify_by"] == deadline_of[g["name"], d["date"]]
            seen += _ids(page)
            offset, pages = page["next_offset"], pages + 1
        assert seen == everything and pages == -(-15 // limit)
    # Ani's last day (3 entries) and Budi's first entry: a page of 4 from 9 holds both groups.
    cut = client.get(INBOX, {"limit": 4, "offset": 9}, **waiting).json()
    assert [(g["name"], [d["date"] for d in g["days"]]) for g in cut["groups"]] == [
        ("Ani", ["2026-10-08"]),
        ("Budi", ["2026-10-06"]),
    ]


def test_a_cut_day_keeps_the_nearest_deadline_of_all_its_entries(client, office, waiting):
    """An entry resubmitted under an unlock has a later deadline than its day's others: the page
    holding only that entry still shows the day's nearest deadline (every entry of the day)."""
    ani = office["p"]["ani"]
    first, *rest = ActivityEntry.objects.filter(employee=ani, date=D(2026, 10, 5)).order_by(
        "start_time"
    )
    ActivityEntry.objects.filter(pk__in=[e.pk for e in rest]).update(
        verify_by=first.verify_by + dt.timedelta(days=5)
    )
    page = client.get(INBOX, {"limit": 2, "offset": 1}, **waiting).json()
    day = page["groups"][0]["days"][0]
    assert [e["id"] for e in day["entries"]] == [e.pk for e in rest]
    assert day["verify_by"] == first.verify_by.isoformat()


def test_one_subordinate_paged_counts_only_theirs(client, office, waiting, built):
    budi = office["p"]["budi"].pk
    page = client.get(INBOX, {"employee_id": budi, "limit": 2, "offset": 1}, **waiting).json()
    assert (page["total"], page["next_offset"]) == (3, None)
    assert built["n"] == 2
    assert [(g["name"], [d["date"] for d in g["days"]]) for g in page["groups"]] == [
        ("Budi", ["2026-10-06", "2026-10-07"])
    ]


def test_the_query_count_does_not_depend_on_the_page(client, waiting):
    with CaptureQueriesContext(connection) as small:
        client.get(INBOX, {"limit": 1}, **waiting)
    with CaptureQueriesContext(connection) as large:
        client.get(INBOX, {"limit": 500, "offset": 3}, **waiting)
    assert len(small) == len(large)
