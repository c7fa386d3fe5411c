"""S10 (H5): a leaver's last weeks. Ani retires on Thursday 15 October 2026: BKPSDM records her
post's end (the 15th) and makes her inactive. On the days 1-15 she still held her post she is below
her superior of those days, exactly as an active employee (the attendance month page, the unit
recap's rows, the TPP month page, the SKP rater, and the verification of her entries); after the
15th she is below nobody. A leaver is never anyone's superior (she cannot log in: her staff's
entries go to the next holder up), and an inactive employee whose post was left open has no day to
go by and counts nowhere (docs/architecture.md, "A leaver in the hierarchy")."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from ekinerja.org import selectors as org
from ekinerja.org.models import Assignment, Employee, Position
from ekinerja.performance import selectors as perf
from tests.factories import (
    AssignmentFactory,
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
)

pytestmark = pytest.mark.django_db

D = dt.date
OCT_1, OCT_15, OCT_31 = D(2026, 10, 1), D(2026, 10, 15), D(2026, 10, 31)
NOV_1, NOV_30 = D(2026, 11, 1), D(2026, 11, 30)
NOW = dt.datetime(2026, 11, 2, 2, tzinfo=dt.UTC)  # Monday 2 November 2026, 10:00 WITA


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def office(db):
    inst = InstansiFactory(timezone="Asia/Makassar")
    unit = UnitFactory(instansi=inst, name="Dinas Kesehatan")
    kepala = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=14, name="Kepala")
    kasubag = PositionFactory(
        unit=unit, kind=Position.Kind.STRUKTURAL, kelas=9, name="Kasubag", parent=kepala
    )
    staf = PositionFactory(unit=unit, kind=Position.Kind.PELAKSANA, kelas=7, parent=kasubag)
    return {
        "inst": inst,
        "unit": unit,
        "pos": {"kepala": kepala, "kasubag": kasubag, "staf": staf},
        "kepala": employee_with_login(inst, kepala, name="Kepala Dinas"),
        "kasubag": employee_with_login(inst, kasubag, name="Kasubag Umum"),
        "ani": employee_with_login(inst, staf, name="Ani"),
        "budi": employee_with_login(inst, staf, name="Budi"),
    }


def _leave(person: Employee, last_day: dt.date | None) -> Employee:
    """BKPSDM records the post's last day (None: left open) and makes the employee inactive."""
    if last_day is not None:
        Assignment.objects.filter(employee=person).update(end=last_day)
    Employee.objects.filter(pk=person.pk).update(is_active=False)
    person.refresh_from_db()
    return person


def _get(client, who: Employee, url: str) -> int:
    client.force_login(who.user)
    return client.get(url).status_code


def test_the_superior_of_her_last_days_opens_her_attendance_month_and_not_the_next(office, client):
    """Before, the hierarchy left Ani out on every date: her kasubag (and kepala) were refused her
    October attendance page, the month whose days they supervised and the TPP run pays."""
    ani = _leave(office["ani"], OCT_15)
    url = reverse("attendance:employee-month", args=[ani.pk])
    assert _get(client, office["kasubag"], url + "?periode=2026-10") == 200
    assert _get(client, office["kepala"], url + "?periode=2026-10") == 200
    assert _get(client, office["kasubag"], url + "?periode=2026-11") != 200
    assert _get(client, office["budi"], url + "?periode=2026-10") != 200  # a peer
    assert org.is_below(office["kasubag"], ani.pk, OCT_1, OCT_31)
    assert org.is_below(office["kepala"], ani.pk, OCT_1, OCT_31)
    assert not org.is_below(office["kasubag"], ani.pk, D(2026, 10, 16), OCT_31)
    assert not org.is_below(office["kasubag"], ani.pk, NOV_1, NOV_30)
    assert not org.is_below(office["budi"], ani.pk, OCT_1, OCT_31)


def test_a_leaver_who_joined_mid_month_is_below_on_her_own_days_only(office):
    """Ani came on the 10th and left on the 15th, no other post changing: the days checked are her
    post's, not only the stretches of the others' assignments (those start on the 1st)."""
    Assignment.objects.filter(employee=office["ani"]).update(start=D(2026, 10, 10))
    ani = _leave(office["ani"], OCT_15)
    assert org.is_below(office["kasubag"], ani.pk, OCT_1, OCT_31)
    assert ani.pk in org.employees_below(office["kasubag"], OCT_1, OCT_31)
    assert not org.is_below(office["kasubag"], ani.pk, OCT_1, D(2026, 10, 9))
    assert ani.pk not in org.employees_below(office["kasubag"], OCT_1, D(2026, 10, 9))


def test_her_superior_sees_her_row_in_the_unit_recap_of_those_days(office):
    """views.visible_rows keeps employees_below for a superior: the unit recap lists a leaver
    (H2), but her superior's copy dropped her row."""
    ani = _leave(office["ani"], OCT_15)
    budi = office["budi"]
    assert org.employees_below(office["kasubag"], OCT_1, OCT_31) == {ani.pk, budi.pk}
    assert org.employees_below(office["kepala"], OCT_1, OCT_31) == {
        office["kasubag"].pk,
        ani.pk,
        budi.pk,
    }
    assert org.employees_below(office["kasubag"], NOV_1, NOV_30) == {budi.pk}
    assert org.employees_below(office["budi"], OCT_1, OCT_31) == set()


def test_the_superior_of_her_last_day_opens_her_tpp_month(office, client):
    """The TPP month page opens for the superior of the month's last day: for a leaver, of her last
    day in post (the one who rates that month: performance.selectors.departed_raters)."""
    ani = _leave(office["ani"], OCT_15)
    url = reverse("tpp:employee", args=[ani.pk])
    assert _get(client, office["kasubag"], url + "?periode=2026-10") == 200
    assert _get(client, office["kepala"], url + "?periode=2026-10") != 200  # not her direct one
    assert _get(client, office["kasubag"], url + "?periode=2026-11") != 200
    assert _get(client, office["budi"], url + "?periode=2026-10") != 200
    assert org.superior_of_month(ani, OCT_1, OCT_31) == office["kasubag"].pk
    assert org.superior_of_month(ani, NOV_1, NOV_30) is None


def test_her_october_skp_is_rated_by_her_superior_of_the_15th(office):
    ani = _leave(office["ani"], OCT_15)
    h = org.hierarchy(office["inst"].pk, NOV_1)
    assert perf.raters(office["inst"].pk, OCT_1, h, [ani.pk])[ani.pk] == office["kasubag"].pk


def test_a_leaver_is_nobodys_superior_and_an_open_post_counts_nowhere(office):
    """The kasubag retires on the 15th: she cannot log in, so on her last days too Ani and Budi
    answer to the next holder up (their entries are verified, their months seen); she herself is
    below the kepala on those days. An inactive employee whose post was left open: nowhere."""
    kasubag = _leave(office["kasubag"], OCT_15)
    ani, kepala = office["ani"], office["kepala"]
    for day in (OCT_1, OCT_15, D(2026, 10, 16)):
        assert org.superior_walk(office["inst"].pk, ani.pk, on=day) == kepala.pk
        assert org.hierarchy(office["inst"].pk, day).superior_id(ani.pk) == kepala.pk
    assert org.superior_walk(office["inst"].pk, kasubag.pk, on=OCT_15, leaver=True) == kepala.pk
    assert org.superior_walk(office["inst"].pk, kasubag.pk, on=OCT_15) is None  # as before
    assert org.superior_walk(office["inst"].pk, kasubag.pk, on=D(2026, 10, 16), leaver=True) is None
    assert org.superior_of_month(kasubag, OCT_1, OCT_31) == kepala.pk
    assert org.employees_below(kasubag, OCT_1, OCT_31) == set()
    assert not org.is_below(kasubag, ani.pk, OCT_1, OCT_31)
    assert org.employees_below(kepala, OCT_1, OCT_31) == {kasubag.pk, ani.pk, office["budi"].pk}

    budi = _leave(office["budi"], None)
    assert not org.is_below(kepala, budi.pk, OCT_1, OCT_31)
    assert budi.pk not in org.employees_below(kepala, OCT_1, OCT_31)
    assert org.superior_walk(office["inst"].pk, budi.pk, on=OCT_15, leaver=True) is None
    assert org.superior_of_month(budi, OCT_1, OCT_31) is None


def test_a_leaver_in_the_timeline_changes_no_hierarchy_of_any_day(office):
    """The leaver's rows come in the timeline's one query, kept apart: every day's Hierarchy is
    the same as hierarchy()'s, and the stretches are the active employees' only."""
    _leave(office["kasubag"], OCT_15)
    AssignmentFactory(
        position=office["pos"]["staf"],
        employee__instansi=office["inst"],
        start=D(2026, 10, 20),
        end=None,
    )
    timeline = org.HierarchyTimeline(office["inst"].pk, OCT_1, OCT_31)
    assert set(timeline.leaver_rows) == {office["kasubag"].pk}
    assert timeline.cuts == [OCT_1, D(2026, 10, 20)]
    for day in (OCT_1, OCT_15, D(2026, 10, 16), D(2026, 10, 20), OCT_31):
        mine, alone = timeline.on(day), org.hierarchy(office["inst"].pk, day)
        assert (mine.holders, mine.definitif) == (alone.holders, alone.definitif)
