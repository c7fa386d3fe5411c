"""R7: the home page's SKP rating reminder goes to whoever rates the period, not only to whoever
has subordinates today: a kepala bidang who moved on the 1st still rates the month before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ekinerja.org.models import Assignment, Position
from tests.factories import PositionFactory, UnitFactory, employee_with_login

pytestmark = pytest.mark.django_db


def _card(client, employee) -> str | None:
    client.force_login(employee.user)
    html = client.get(reverse("home")).content.decode()
    if 'data-testid="home-rating-due"' not in html:
        return None
    return html.split('data-testid="home-rating-due"')[1].split("</div>")[0]


@pytest.fixture
def moved(org, cascaded):
    """Ahmad Fauzi (kabid) moves on 1 December to a post without subordinates; Rina Wulandari
    takes his kabid post that day."""
    Assignment.objects.filter(employee=org["kabid"]).update(end=dt.date(2026, 11, 30))
    other = UnitFactory(instansi=org["inst"], name="Inspektorat")
    analis = PositionFactory(unit=other, name="Analis Kebijakan", kelas=9)
    Assignment.objects.create(
        instansi=org["inst"], employee=org["kabid"], position=analis, start=dt.date(2026, 12, 1)
    )
    kabid_post = Position.objects.get(name="Kepala Bidang Pembinaan SD")
    successor = employee_with_login(org["inst"], None, name="Rina Wulandari")
    Assignment.objects.create(
        instansi=org["inst"], employee=successor, position=kabid_post, start=dt.date(2026, 12, 1)
    )
    return successor


def test_a_superior_who_moved_on_the_first_is_reminded_of_the_month_they_still_rate(
    client, org, moved, at
):
    at("2026-12-03 09:00")  # November's deadline (5 December) is two days away
    due = _card(client, org["kabid"])
    assert due is not None, "no reminder for the month he still rates"
    assert "3 bawahan belum dinilai SKP-nya untuk" in due and "5 Desember 2026" in due
    assert "?periode=2026-11" in due
    # His successor leads the staff today but rates nobody for November: no card.
    assert _card(client, moved) is None
    # Nor does a staff member, who never held a post with posts under it.
    assert _card(client, org["staf1"]) is None


def test_once_the_month_he_rated_is_past_the_moved_superior_gets_no_card(client, org, moved, at):
    at("2026-12-29 09:00")  # December's deadline (5 January) is not near yet; November is closed
    assert _card(client, org["kabid"]) is None
    at("2027-01-03 09:00")  # December is rated by Rina, who led the staff all month
    assert _card(client, org["kabid"]) is None
    assert "3 bawahan belum dinilai" in (_card(client, moved) or "")
