"""The superior's inbox with hundreds of subordinates waiting (R5, 7 December 2026). A Kabid of the
20,000-employee demo (657 subordinates, 648 waiting) was sent a 780-800 KB page: every subordinate
waiting with its own "Setujui n" form, also beside one subordinate's month. The list of who waits
is now a page of INBOX_PEOPLE_PAGE, nearest deadline first, found by name or NIP."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ekinerja.activities.models import ActivityEntry, EntryStatus
from ekinerja.activities.views import INBOX_PAGE_LIMIT, INBOX_PEOPLE_PAGE
from tests.factories import AssignmentFactory, EmployeeFactory, make_nip

from .conftest import D, T, make_entry

pytestmark = pytest.mark.django_db

DAYS = [D(2026, 10, 27), D(2026, 10, 28), D(2026, 10, 29)]


@pytest.fixture(autouse=True)
def _now(at):
    at("2026-10-30 17:00")


def _subordinates(office, n: int, start: int = 0) -> list:
    """`n` staff under the kasubag (names "Staf 000"...), three entries each waiting; the first
    staff's deadline is the latest, so the deadline order is not the name order."""
    people = []
    for i in range(start, start + n):
        people.append(
            AssignmentFactory(
                position=office["pos"]["staf"],
                employee=EmployeeFactory(
                    instansi=office["inst"],
                    name=f"Staf {i:03d}",
                    nip=make_nip(birth=dt.date(1990, 1, 1), serial=i + 1),
                ),
            ).employee
        )
    rows = [
        ActivityEntry(
            instansi=office["inst"],
            employee=p,
            date=d,
            start_time=T(8 + k),
            end_time=T(9 + k),
            item=office["surat"],
            volume=Decimal(1),
            minutes_per_unit=30,
            status=EntryStatus.SUBMITTED,
            submitted_at=timezone.now(),
            verify_by=D(2026, 11, 30) - dt.timedelta(days=i % 20),
        )
        for i, p in enumerate(people)
        for k, d in enumerate(DAYS)
    ]
    ActivityEntry.objects.bulk_create(rows)
    return people


def _inbox(client, query: str = ""):
    resp = client.get(reverse("activities:inbox") + query)
    assert resp.status_code == 200
    return resp, resp.content.decode()


def test_the_list_of_who_waits_is_a_page_whatever_the_number_of_subordinates(client, office):
    _subordinates(office, 30)
    client.force_login(office["p"]["kasubag"].user)
    _inbox(client)
    with CaptureQueriesContext(connection) as thirty:
        _resp, html = _inbox(client)
    assert html.count('data-testid="inbox-person"') == INBOX_PEOPLE_PAGE

    _subordinates(office, 90, start=30)
    with CaptureQueriesContext(connection) as hundred_twenty:
        resp, html = _inbox(client)
    # 120 subordinates waiting: one page of people, each with its one form, and no entries.
    assert html.count('data-testid="inbox-person"') == INBOX_PEOPLE_PAGE
    assert html.count('data-testid="summary-approve-all"') == INBOX_PEOPLE_PAGE
    assert len(re.findall(r"<form\b", html)) <= INBOX_PEOPLE_PAGE + 3  # + search, logout
    assert 'data-testid="inbox-entry"' not in html
    assert len(resp.content) < 60_000
    # The figures stay those of the whole inbox; the pager says where the page is.
    assert "360 aktivitas menunggu verifikasi Anda" in html
    assert "Bawahan yang menunggu (120)" in html
    assert f"1–{INBOX_PEOPLE_PAGE} dari 120 pegawai" in html
    # The cost does not grow with the subordinates.
    assert len(hundred_twenty.captured_queries) == len(thirty.captured_queries)


def test_nearest_deadline_first_then_by_name_or_by_count(client, office):
    people = _subordinates(office, 30)
    # Staf 019 and Staf 039... the deadline is 30 Nov minus (i % 20) days: i = 19 is the nearest.
    client.force_login(office["p"]["kasubag"].user)
    _resp, html = _inbox(client)
    order = re.findall(r'data-testid="inbox-person" data-employee="(\d+)"', html)
    assert order[0] == str(people[19].pk)
    assert "batas 11 November 2026" in html.split('data-testid="inbox-person"')[1]
    _resp, html = _inbox(client, "?urut=nama")
    order = re.findall(r'data-testid="inbox-person" data-employee="(\d+)"', html)
    assert order == [str(p.pk) for p in people[:INBOX_PEOPLE_PAGE]]
    # The most entries waiting first: one more entry for Staf 005.
    extra = ActivityEntry.objects.filter(employee=people[5]).first()
    extra.pk, extra.date = None, D(2026, 10, 26)
    extra.save()
    _resp, html = _inbox(client, "?urut=jumlah")
    order = re.findall(r'data-testid="inbox-person" data-employee="(\d+)"', html)
    assert order[:2] == [str(people[5].pk), str(people[19].pk)]
    # An unknown order is the deadline's.
    _resp, html = _inbox(client, "?urut=xyz")
    assert re.findall(r'data-employee="(\d+)"', html)[0] == str(people[19].pk)


def test_the_next_page_keeps_the_order_and_search(client, office):
    people = _subordinates(office, 60)
    client.force_login(office["p"]["kasubag"].user)
    _resp, html = _inbox(client, "?urut=nama&hal=2")
    order = re.findall(r'data-testid="inbox-person" data-employee="(\d+)"', html)
    assert order == [str(p.pk) for p in people[INBOX_PEOPLE_PAGE : 2 * INBOX_PEOPLE_PAGE]]
    assert f"{INBOX_PEOPLE_PAGE + 1}–{2 * INBOX_PEOPLE_PAGE} dari 60 pegawai" in html
    assert "urut=nama&amp;hal=3" in html
    # A decision from page 2 comes back to page 2.
    assert 'name="next" value="/aktivitas/verifikasi/?urut=nama&amp;hal=2"' in html


def test_found_by_name_or_nip(client, office):
    people = _subordinates(office, 60)
    client.force_login(office["p"]["kasubag"].user)
    _resp, html = _inbox(client, "?q=staf+042")
    assert re.findall(r'data-testid="inbox-person" data-employee="(\d+)"', html) == [
        str(people[42].pk)
    ]
    assert "Bawahan yang menunggu (1 dari 60)" in html
    # The NIP as often written, in groups.
    nip = people[7].nip
    spaced = f"{nip[:8]}+{nip[8:14]}+{nip[14]}+{nip[15:]}"
    _resp, html = _inbox(client, f"?q={spaced}")
    assert re.findall(r'data-testid="inbox-person" data-employee="(\d+)"', html) == [
        str(people[7].pk)
    ]
    _resp, html = _inbox(client, "?q=tidak+ada")
    assert 'data-testid="inbox-person"' not in html
    assert "Tidak ada bawahan yang menunggu dengan nama atau NIP “tidak ada”." in html
    # The search leaves the inbox's figures as they are.
    assert "180 aktivitas menunggu verifikasi Anda" in html


def test_one_subordinate_beside_a_page_of_the_list_that_holds_them(client, office):
    people = _subordinates(office, 120)
    client.force_login(office["p"]["kasubag"].user)
    who = people[70]
    resp, html = _inbox(client, f"?urut=nama&pegawai={who.pk}")
    assert html.count('data-testid="inbox-entry"') == 3
    assert html.count('data-testid="inbox-person"') == INBOX_PEOPLE_PAGE
    # Staf 070 is the 71st by name: page 3, marked as the one shown.
    assert f"{2 * INBOX_PEOPLE_PAGE + 1}–{3 * INBOX_PEOPLE_PAGE} dari 120 pegawai" in html
    assert f'list-group-item-primary" data-testid="inbox-person" data-employee="{who.pk}"' in html
    assert 'href="/aktivitas/verifikasi/?urut=nama&amp;hal=3" data-testid="inbox-all"' in html
    assert len(resp.content) < 70_000


def test_a_small_inbox_shows_as_before(client, office):
    for d in DAYS[:2]:
        make_entry(office, day=d, submit=True)
        make_entry(office, who="budi", day=d, submit=True)
    client.force_login(office["p"]["kasubag"].user)
    _resp, html = _inbox(client)
    assert html.count('data-testid="inbox-entry"') == 4
    assert html.count('data-testid="inbox-person"') == 2
    assert 'data-testid="inbox-find"' not in html and 'data-testid="pager"' not in html
    assert INBOX_PAGE_LIMIT >= 4
    # A search typed into the address finds the entries of those it finds only.
    _resp, html = _inbox(client, "?q=budi")
    assert html.count('data-testid="inbox-entry"') == 2
    assert f'data-employee="{office["p"]["ani"].pk}"' not in html
