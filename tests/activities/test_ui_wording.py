"""The activity pages as people read them: times written the Indonesian way (08.00, not 08:00), the
per-date approval button named for the date it approves, a legible "Kembalikan", and the unlock
page's wording when nothing has been decided yet."""

import re

import pytest
from django.urls import reverse

from tests.factories import employee_with_login, grant

from .conftest import D, make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(at):
    at("2026-10-09 17:00")


def visible_clock_times(html: str) -> list[str]:
    """HH:MM written in the page's text (not inside tags: a time input's value keeps 08:00)."""
    text = re.sub(r"<[^>]*>", " ", html)
    return re.findall(r"\b\d{2}:\d{2}\b", text)


def test_the_day_and_the_entry_write_times_with_a_dot(client, office):
    e = make_entry(office, day=D(2026, 10, 8), submit=True)
    client.force_login(office["p"]["ani"].user)
    day = client.get(reverse("activities:day", kwargs={"day": "2026-10-08"})).content.decode()
    assert "08.00–09.00" in day
    assert visible_clock_times(day) == []
    detail = client.get(reverse("activities:entry", args=[e.pk])).content.decode()
    assert "08.00–09.00" in detail
    # Submitted at 17.00 WITA, the instansi's clock.
    assert "9 Oktober 2026 17.00" in detail
    assert visible_clock_times(detail) == []


def test_the_inbox_writes_times_with_a_dot_and_names_the_date_it_approves(client, office):
    make_entry(office, day=D(2026, 10, 8), submit=True)
    client.force_login(office["p"]["kasubag"].user)
    url = reverse("activities:inbox") + f"?pegawai={office['p']['ani'].pk}"
    html = client.get(url).content.decode()
    assert "08.00–09.00" in html and visible_clock_times(html) == []
    # "Setujui hari ini" beside Kamis, 8 Oktober read as "approve today".
    assert "Setujui hari ini" not in html
    day_button = re.search(r'<button[^>]*data-testid="approve-day"[^>]*>([^<]*)</button>', html)
    assert day_button and day_button.group(1) == "Setujui tanggal ini"


def test_the_inbox_return_button_is_legible(client, office):
    make_entry(office, day=D(2026, 10, 8), submit=True)
    client.force_login(office["p"]["kasubag"].user)
    url = reverse("activities:inbox") + f"?pegawai={office['p']['ani'].pk}"
    html = client.get(url).content.decode()
    # Yellow on white (btn-outline-warning) fails contrast; dark as in the bar at the bottom.
    assert "btn-outline-warning" not in html
    returns = re.findall(r'<button class="([^"]*)" name="decision" value="return"', html)
    assert returns and all("btn-outline-dark" in c for c in returns)


def test_the_unlock_page_says_what_it_is_for_and_when_nothing_was_decided(client, office):
    bk = employee_with_login(office["inst"], None).user
    grant(bk, "bkpsdm")
    client.force_login(bk)
    html = client.get(reverse("activities:unlocks-manage")).content.decode()
    assert "Setujui atau tolak permohonan membuka tanggal yang sudah terkunci" in html
    assert "membuka tanggal tersebut" not in html
    assert 'data-testid="unlock-decided-none">Belum ada keputusan.<' in html
    assert '<td class="text-muted">-</td>' not in html
