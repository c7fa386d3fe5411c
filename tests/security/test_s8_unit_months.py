"""Whose attendance months an admin OPD opens: the months in which the employee held a definitif
post in the admin's units (or their sub-units) on some day, not by today's post (S8-3, 7 December
2026). Before, the admin OPD of the unit an employee belongs to today opened every past month
(also those spent in another OPD), and the admin OPD of the unit they left lost the months they
had administered.

Budi moves from a bidang of Dinas Satu to Dinas Dua on 15 June 2026 (mid-month): Dinas Satu's
admin opens January to June, Dinas Dua's June to December; both open June. Cici moves the other way
on 1 July: Dinas Dua's admin opens January to June, Dinas Satu's July to December."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ekinerja.attendance.rules import may_view_month
from ekinerja.core.models import User
from ekinerja.org.models import Assignment
from tests.factories import (
    AssignmentFactory,
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    grant,
)

pytestmark = pytest.mark.django_db

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]
#: may_view_month for an admin OPD: the roles (grants, the employee record), the units (grants,
#: the unit tree), one EXISTS.
QUERIES = 5


@pytest.fixture
def moved(db, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC), tick=False)
    inst = InstansiFactory(timezone="Asia/Makassar")
    one = UnitFactory(instansi=inst, name="Dinas Satu")
    bidang = UnitFactory(instansi=inst, name="Bidang Satu", parent=one)
    two = UnitFactory(instansi=inst, name="Dinas Dua")
    other = UnitFactory(instansi=inst, name="Dinas Tiga")
    post_one = PositionFactory(unit=bidang)
    post_two = PositionFactory(unit=two)

    budi = employee_with_login(inst, post_one, name="Budi")
    Assignment.objects.filter(employee=budi).update(end=dt.date(2026, 6, 14))
    AssignmentFactory(employee=budi, position=post_two, start=dt.date(2026, 6, 15))

    cici = employee_with_login(inst, post_two, name="Cici")
    Assignment.objects.filter(employee=cici).update(end=dt.date(2026, 6, 30))
    AssignmentFactory(employee=cici, position=post_one, start=dt.date(2026, 7, 1))

    admins = {}
    for key, unit in (("one", one), ("two", two), ("other", other)):
        admin = employee_with_login(inst, None, name=f"Admin {unit.name}")
        grant(admin.user, "admin_opd", unit)
        admins[key] = admin
    return {"inst": inst, "units": (one, two), "budi": budi, "cici": cici, **admins}


def _opens(client, who, employee) -> list[str]:
    """The months of 2026 whose attendance page of `employee` answers 200 to `who` (404 otherwise)."""
    client.force_login(who.user)
    out = []
    for month in MONTHS:
        url = reverse("attendance:employee-month", args=[employee.pk]) + f"?periode={month}"
        status = client.get(url).status_code
        assert status in (200, 404), (month, status)
        if status == 200:
            out.append(month)
    return out


def test_the_admin_of_the_unit_left_keeps_its_months_up_to_the_move(moved, client):
    # Moved out on 15 June: January to June (the month of the move whole), not July on.
    assert _opens(client, moved["one"], moved["budi"]) == MONTHS[:6]


def test_the_admin_of_the_new_unit_opens_the_month_of_the_move_and_after(moved, client):
    # Not January to May, spent in Dinas Satu; June (moved in on the 15th) to December.
    assert _opens(client, moved["two"], moved["budi"]) == MONTHS[5:]


def test_the_other_direction_on_the_first_of_a_month(moved, client):
    # Cici moves from Dinas Dua to Dinas Satu on 1 July: June is Dinas Dua's alone.
    assert _opens(client, moved["two"], moved["cici"]) == MONTHS[:6]
    assert _opens(client, moved["one"], moved["cici"]) == MONTHS[6:]


def test_an_admin_of_a_unit_the_employee_never_was_in_opens_nothing(moved, client):
    assert _opens(client, moved["other"], moved["budi"]) == []
    assert _opens(client, moved["other"], moved["cici"]) == []


def test_a_retired_employee_stays_visible_for_the_months_administered(moved, client):
    """An employee whose last post ended (retired in August) has no unit today: the admin of the
    unit they left still opens their months there, not the months after."""
    budi = moved["budi"]
    Assignment.objects.filter(employee=budi, end__isnull=True).update(end=dt.date(2026, 8, 31))
    budi.is_active = False
    budi.save(update_fields=["is_active"])
    assert _opens(client, moved["two"], budi) == MONTHS[5:8]


def test_the_recap_lists_and_links_what_the_month_page_opens(moved, client):
    """The unit recap of a month lists whoever held a post in the unit on some day of it; each of
    its rows opens for the admin, and the employee is listed in both units in the month of the
    move."""
    one, two = moved["units"]
    budi = moved["budi"]
    url = reverse("attendance:employee-month", args=[budi.pk])
    for admin, unit, months in ((moved["one"], one, MONTHS[:6]), (moved["two"], two, MONTHS[5:])):
        client.force_login(admin.user)
        for month in ("2026-05", "2026-06"):
            page = client.get(reverse("attendance:recap") + f"?unit={unit.pk}&periode={month}")
            assert page.status_code == 200
            listed = f"{url}?periode={month}" in page.content.decode()
            assert listed == (month in months), (unit.name, month)
            if listed:
                assert client.get(f"{url}?periode={month}").status_code == 200


def test_the_recap_does_not_list_after_the_employee_left(moved, client):
    one, _two = moved["units"]
    budi = moved["budi"]
    client.force_login(moved["one"].user)
    page = client.get(reverse("attendance:recap") + f"?unit={one.pk}&periode=2026-07")
    assert page.status_code == 200
    assert budi.full_name not in page.content.decode()


def test_the_check_costs_the_same_for_a_long_range_and_many_posts(moved, django_assert_num_queries):
    """A fixed number of queries for an admin OPD (the roles, its units, one EXISTS), whatever the
    range and the number of posts the employee held: no query per month or per post."""
    budi = moved["budi"]
    for _ in range(6):
        AssignmentFactory(
            employee=budi,
            position=PositionFactory(unit=moved["units"][1]),
            start=dt.date(2026, 9, 1),
            end=dt.date(2026, 9, 30),
        )
    for start, end in (
        (dt.date(2026, 6, 1), dt.date(2026, 6, 30)),
        (dt.date(2020, 1, 1), dt.date(2026, 12, 31)),
    ):
        user = User.objects.select_related("instansi").get(pk=moved["two"].user_id)
        with django_assert_num_queries(QUERIES):
            assert may_view_month(user, budi, start, end)
