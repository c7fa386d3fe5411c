"""The two daily flows on a cheap phone (audit of 3 December 2026): an employee logging a routine day
in a minute, a superior clearing a month of ten subordinates. What made them slow or wrong on a
360-px phone with a slow CPU and network is pinned here; the browser side is in
tests/e2e/test_activities.py."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ekinerja.activities import selectors
from ekinerja.activities.models import ActivityCatalogItem, ActivityEntry, EntryStatus
from ekinerja.activities.views import INBOX_PAGE_LIMIT
from tests.factories import PositionFactory, employee_with_login

from .conftest import D, T, make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(at):
    at("2026-10-30 17:00")


def day_url(d: dt.date | None = None):
    return reverse("activities:day", kwargs={"day": (d or D(2026, 10, 29)).isoformat()})


def _working_days(n: int) -> list[dt.date]:
    days, d = [], D(2026, 10, 29)
    while len(days) < n:
        if d.weekday() < 5:
            days.append(d)
        d -= dt.timedelta(days=1)
    return sorted(days)


def _month_of_entries(office, people, days, per_day=5):
    """Submitted entries, `per_day` a day, written directly (thousands through the service would
    make the test slow; the inbox only reads them)."""
    rows = []
    for person in people:
        for d in days:
            for k in range(per_day):
                rows.append(
                    ActivityEntry(
                        instansi=office["inst"],
                        employee=person,
                        date=d,
                        start_time=T(8 + k),
                        end_time=T(9 + k),
                        item=office["surat"],
                        volume=Decimal(1),
                        minutes_per_unit=30,
                        status=EntryStatus.SUBMITTED,
                        submitted_at=timezone.now(),
                        verify_by=D(2026, 11, 12),
                        description="Konsep surat undangan rapat koordinasi",
                    )
                )
    ActivityEntry.objects.bulk_create(rows)


@pytest.fixture
def month(office):
    """Ten subordinates of the kasubag, twenty working days of five entries each (1000 entries),
    and one employee of another superior with entries of the same days."""
    staff = [office["p"]["ani"], office["p"]["budi"]] + [
        employee_with_login(office["inst"], office["pos"]["staf"], name=f"Staf {i:02d}")
        for i in range(8)
    ]
    other_boss = PositionFactory(unit=office["unit"], kind="struktural", kelas=9)
    stranger = employee_with_login(
        office["inst"],
        PositionFactory(unit=office["unit"], parent=other_boss),
        name="Bukan Bawahan",
    )
    days = _working_days(20)
    _month_of_entries(office, staff + [stranger], days)
    return {"staff": staff, "stranger": stranger, "days": days}


# --------------------------------------------------------------------------------------------------
# Superior: a month of ten subordinates


def test_a_month_of_ten_subordinates_is_listed_by_person_not_in_full(
    client, office, month, django_assert_max_num_queries
):
    """1000 waiting entries made a 1.9 MB page (1212 forms, 162,734 px tall) that a phone with a 4x
    slower CPU on a 3G link took 44 s to show. The inbox now lists who waits, with a whole-month
    approval each, and shows one subordinate at a time; its cost does not grow with them."""
    client.force_login(office["p"]["kepala"].user)  # one subordinate (the kasubag), nothing waits
    make_entry(office, who="kasubag", day=D(2026, 10, 29), submit=True)
    client.get(reverse("activities:inbox"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("activities:inbox"))
    n_small = len(small.captured_queries)
    client.force_login(office["p"]["kasubag"].user)
    client.get(reverse("activities:inbox"))
    with django_assert_max_num_queries(n_small):
        resp = client.get(reverse("activities:inbox"))
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "1.000 aktivitas menunggu verifikasi Anda" in html  # with the thousands dot
    assert html.count('data-testid="inbox-person"') == 10
    assert html.count('data-testid="summary-approve-all"') == 10
    assert 'data-testid="inbox-entry"' not in html
    assert "Bukan Bawahan" not in html
    assert len(resp.content) < 40_000
    ani = office["p"]["ani"]
    row = html.split(f'data-employee="{ani.pk}"')[1].split('data-testid="inbox-person"')[0]
    assert "20 hari" in row and "Setujui 100" in row
    # A month in one tap pays or not: the phone asks first (static/js/ekinerja.js, data-confirm).
    assert 'data-confirm="Setujui 100 aktivitas Ani?"' in row


def test_one_subordinate_at_a_time_and_the_month_approved_from_the_list(client, office, month):
    client.force_login(office["p"]["kasubag"].user)
    ani = office["p"]["ani"]
    url = reverse("activities:inbox") + f"?pegawai={ani.pk}"
    resp = client.get(url)
    html = resp.content.decode()
    assert html.count('data-testid="inbox-entry"') == 100
    assert html.count('data-testid="inbox-group"') == 1
    assert html.count('data-testid="pick-day"') == 20  # tick a whole day to return it with a note
    assert len(resp.content) < 300_000
    # Deciding from the filtered page comes back to it.
    first, last = month["days"][0], month["days"][-1]
    resp = client.post(
        reverse("activities:verify-bulk"),
        {
            "employee": ani.pk,
            "start": first.isoformat(),
            "end": last.isoformat(),
            "decision": "approve",
            "next": url,
        },
    )
    assert resp["Location"] == url
    assert ActivityEntry.objects.filter(employee=ani, status=EntryStatus.APPROVED).count() == 100
    html = client.get(url).content.decode()
    assert "Tidak ada aktivitas pegawai ini yang menunggu verifikasi Anda." in html
    assert html.count('data-testid="inbox-person"') == 9


def test_the_filter_never_shows_someone_elses_subordinate(client, office, month):
    client.force_login(office["p"]["kasubag"].user)
    for other in (
        month["stranger"].pk,
        office["p"]["kepala"].pk,
        office["p"]["kasubag"].pk,
        999999,
    ):
        html = client.get(reverse("activities:inbox") + f"?pegawai={other}").content.decode()
        assert 'data-testid="inbox-entry"' not in html
        assert "Bukan Bawahan" not in html
        assert "Tidak ada aktivitas pegawai ini yang menunggu verifikasi Anda." in html
    # Nor may the month of another superior's subordinate be decided through the forms.
    client.post(
        reverse("activities:verify-bulk"),
        {"employee": month["stranger"].pk, "start": "2026-10-01", "end": "2026-10-31"},
    )
    stranger_entry = ActivityEntry.objects.filter(employee=month["stranger"]).first()
    client.post(
        reverse("activities:verify-bulk"),
        {"entries": [stranger_entry.pk], "decision": "return", "reason": "coba"},
    )
    resp = client.post(
        reverse("activities:verify", kwargs={"pk": stranger_entry.pk}), {"decision": "approve"}
    )
    assert resp.status_code == 404
    assert not ActivityEntry.objects.filter(employee=month["stranger"]).exclude(
        status=EntryStatus.SUBMITTED
    )


def test_a_small_inbox_stays_on_one_page(client, office):
    for d in (D(2026, 10, 27), D(2026, 10, 28)):
        make_entry(office, day=d, submit=True)
        make_entry(office, who="budi", day=d, submit=True)
    client.force_login(office["p"]["kasubag"].user)
    html = client.get(reverse("activities:inbox")).content.decode()
    assert html.count('data-testid="inbox-entry"') == 4
    assert html.count('data-testid="inbox-person"') == 2
    assert INBOX_PAGE_LIMIT >= 4


def test_the_api_inbox_is_unchanged_by_the_page_summary(office, month):
    inbox = selectors.superior_inbox(office["p"]["kasubag"], D(2026, 10, 30))
    assert inbox.total == 1000 and len(inbox.groups) == 10 and not inbox.summarised


# --------------------------------------------------------------------------------------------------
# Employee: a routine day in a minute


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("susun laporan", "Menyusun laporan bulanan"),
        ("periksa", "Memeriksa berkas usulan"),
        ("tulis notula", "Menulis notula rapat"),
        ("ketik", "Mengetik naskah dinas"),
    ],
)
def test_catalog_search_finds_the_me_form_of_a_root_word(client, office, typed, name):
    """People type the root ("susun", "periksa"); the catalog says "Menyusun", "Memeriksa", where
    the first letter of the root melts into the prefix: the search found nothing."""
    for n, text in enumerate(
        [
            "Menyusun laporan bulanan",
            "Memeriksa berkas usulan",
            "Menulis notula rapat",
            "Mengetik naskah dinas",
        ]
    ):
        ActivityCatalogItem.objects.create(
            instansi=office["inst"],
            code=f"R{n}",
            name=text,
            output_unit="berkas",
            standard_minutes=20,
            active_from=D(2020, 1, 1),
        )
    client.force_login(office["p"]["ani"].user)
    html = client.get(
        reverse("activities:catalog-search"), {"q": typed, "date": "2026-10-29"}
    ).content.decode()
    assert name in html
    assert html.count('data-testid="item-choice"') == 1


def test_the_next_activity_starts_where_the_last_one_ended(client, office):
    make_entry(office, day=D(2026, 10, 29), start=T(7, 30), end=T(9), volume=2)
    make_entry(office, day=D(2026, 10, 29), start=T(9), end=T(11, 15), volume=1, item="rapat")
    client.force_login(office["p"]["ani"].user)
    html = client.get(day_url()).content.decode()
    assert 'name="start_time" value="11:15"' in html
    assert 'name="volume" value="1"' in html
    # The radio of each item carries its minutes, from which the page fills in the end time.
    assert f'value="{office["surat"].pk}" data-minutes="30"' in html


def _form(office, **kw):
    data = {
        "date": "2026-10-29",
        "start_time": "08:00",
        "end_time": "09:00",
        "item": office["surat"].pk,
        "volume": "2",
        "description": "Surat undangan",
        "action": "submit",
    }
    data.update(kw)
    return data


def test_the_same_form_sent_twice_saves_once_and_says_so(client, office):
    """A second tap before the page's script has loaded, or the form sent again after the answer
    was lost: the second answered 'Waktu bertumpang tindih' (400) about the employee's own entry,
    as if it had failed."""
    client.force_login(office["p"]["ani"].user)
    first = client.post(day_url(), _form(office))
    assert first.status_code == 302
    again = client.post(day_url(), _form(office), follow=True)
    assert again.status_code == 200
    assert "sudah tersimpan sebelumnya" in again.content.decode()
    assert "bertumpang tindih" not in again.content.decode()
    assert ActivityEntry.objects.filter(employee=office["p"]["ani"]).count() == 1
    # A different activity at the same time is still refused.
    other = client.post(day_url(), _form(office, item=office["rapat"].pk, volume="0.5"))
    assert other.status_code == 400
    assert "bertumpang tindih" in other.content.decode()


def test_the_first_field_in_error_takes_the_focus(client, office):
    """The form sits below the day's entries: a refused form answered with the top of the page and
    no message in sight on a phone."""
    make_entry(office, day=D(2026, 10, 29), start=T(8), end=T(9), volume=2)
    client.force_login(office["p"]["ani"].user)
    html = client.post(
        day_url(), _form(office, start_time="08:30", end_time="09:30")
    ).content.decode()
    assert 'name="start_time" value="08:30" autofocus' in html or (
        "autofocus" in html.split('name="start_time"')[1].split(">")[0]
    )
    html = client.post(day_url(), _form(office, item="", start_time="10:00", end_time="11:00"))
    html = html.content.decode()
    assert "autofocus" in html.split('data-testid="catalog-search"')[0].split("<input")[-1]
