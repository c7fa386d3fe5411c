"""A superior's attendance-month permission for one employee (rules.may_view_month) climbs up
from that employee (org.selectors.is_below) instead of walking down to everyone below the superior
on each piece of the month (Hierarchy.reporting_to: 139,000 calls, 1.5 s for a kepala bidang of the
20,000-employee demo opening one subordinate's TPP page). Same outcomes, two queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ekinerja.attendance.rules import may_view_month
from ekinerja.core.periods import Period
from ekinerja.org.models import Position
from ekinerja.org.selectors import Hierarchy
from tests.factories import PositionFactory, employee_with_login, moved_mid_october

pytestmark = pytest.mark.django_db
MONTHS = ("2026-09", "2026-10", "2026-11")


@pytest.fixture
def moved(db, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC), tick=False)
    data = moved_mid_october()
    # A kepala dinas above the kasubag (transitively above Ani until she moved), and a peer.
    kasubag_post = data["kasubag"].assignments.get().position
    kadis_post = PositionFactory(unit=kasubag_post.unit, kind=Position.Kind.STRUKTURAL, kelas=14)
    Position.objects.filter(pk=kasubag_post.pk).update(parent=kadis_post)
    data["kadis"] = employee_with_login(data["inst"], kadis_post, name="Kadis")
    peer_post = PositionFactory(
        unit=kasubag_post.unit, kind=Position.Kind.STRUKTURAL, kelas=9, parent=kadis_post
    )
    data["peer"] = employee_with_login(data["inst"], peer_post, name="Kasubag Lain")
    return data


@pytest.fixture
def no_walk_down(monkeypatch):
    calls = []

    def spy(self, employee_id, read=None):
        calls.append(employee_id)
        return set()

    monkeypatch.setattr(Hierarchy, "reporting_to", spy)
    return calls


def _opens(who, employee) -> dict[str, bool]:
    out = {}
    for month in MONTHS:
        period = Period.parse(month)
        out[month] = may_view_month(who.user, employee, period.first_day, period.last_day)
    return out


def test_a_superiors_month_check_never_walks_down_and_keeps_its_outcomes(moved, no_walk_down):
    ani = moved["ani"]
    assert _opens(moved["kasubag"], ani) == {"2026-09": True, "2026-10": True, "2026-11": False}
    assert _opens(moved["kabid"], ani) == {"2026-09": False, "2026-10": True, "2026-11": True}
    # Transitively below the kasubag's kepala dinas while she was in Dinas Satu.
    assert _opens(moved["kadis"], ani) == {"2026-09": True, "2026-10": True, "2026-11": False}
    # Never a peer's staff, nor one's own superior.
    assert _opens(moved["peer"], ani) == dict.fromkeys(MONTHS, False)
    assert _opens(moved["kasubag"], moved["kadis"]) == dict.fromkeys(MONTHS, False)
    assert no_walk_down == []


def test_the_month_page_opens_as_before_without_walking_down(moved, client, no_walk_down):
    client.force_login(moved["kadis"].user)
    url = reverse("attendance:employee-month", args=[moved["ani"].pk])
    assert client.get(url + "?periode=2026-10").status_code == 200
    assert client.get(url + "?periode=2026-11").status_code == 404
    assert no_walk_down == []


def test_a_superiors_month_check_costs_the_same_few_queries(moved, django_assert_num_queries):
    """Roles (grants, the record with its posts-above flag, the holders of their posts, one EXISTS
    below; the admin-OPD check is answered by them), the user's record, then is_below's two (the
    post tree and the month's assignments), as employees_below's two before."""
    kadis, ani = moved["kadis"], moved["ani"]
    period = Period.parse("2026-10")
    user = kadis.user
    with django_assert_num_queries(7):
        assert may_view_month(user, ani, period.first_day, period.last_day)
