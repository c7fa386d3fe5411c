"""The inbox count without the instansi's hierarchy of every day: the waiting entries are found from
the few employees who may answer to the account (org.selectors.SuperiorsOver), on the days they have
entries waiting. Same answer as the hierarchy rule (Hierarchy.superior_id, with Plt/Plh, vacancies,
moves, and BKPSDM's entries of employees without a superior), a fixed number of queries whatever the
number of employees; at 20,000 a sekda's home page and inbox paid 10 s for it."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Min, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.activities import selectors
from ekinerja.activities.models import ActivityEntry, EntryStatus
from ekinerja.org.models import Assignment, Employee, Position
from ekinerja.org.selectors import HierarchyTimeline, SuperiorsOver
from tests.factories import (
    AssignmentFactory,
    EmployeeFactory,
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    grant,
)

from .conftest import D, T

pytestmark = pytest.mark.django_db
S = EntryStatus
TODAY = D(2026, 10, 20)
START = TODAY - dt.timedelta(days=selectors.INBOX_LOOKBACK_DAYS)


# ---------------------------------------------------------------- references


def rule_count(superior: Employee, today: dt.date, bkpsdm: bool) -> tuple[int, dt.date | None]:
    """The count by the rule itself, one whole hierarchy per piece of the look-back: entries whose
    employee's Hierarchy.superior_id on the date is `superior`, and for BKPSDM those of everyone in
    the hierarchy without a superior (Hierarchy.without_superior), never the officer's own."""
    start = today - dt.timedelta(days=selectors.INBOX_LOOKBACK_DAYS)
    timeline = HierarchyTimeline(superior.instansi_id, start, today)
    q = Q(pk__in=[])
    for a, b in timeline.pieces():
        h = timeline.on(a)
        everyone = set(h.definitif) | {e for hs in h.holders.values() for _r, _n, e in hs}
        ids = {e for e in everyone if h.superior_id(e) == superior.id}
        if bkpsdm:
            ids |= h.without_superior()
        ids.discard(superior.id)
        q |= Q(employee_id__in=sorted(ids), date__gte=a, date__lte=b)
    q |= inactive_rule(superior, timeline, bkpsdm)
    agg = ActivityEntry.objects.filter(
        q, instansi_id=superior.instansi_id, status=S.SUBMITTED
    ).aggregate(n=Count("id"), due=Min("verify_by"))
    return agg["n"], agg["due"]


def inactive_rule(superior: Employee, timeline: HierarchyTimeline, bkpsdm: bool) -> Q:
    """The waiting days of employees made inactive since (the hierarchy leaves them out): on each
    day, the rule from the definitif post they held that day (the latest-starting one), on that
    day's hierarchy; for BKPSDM, those who then had nobody above them."""
    posts = list(
        Assignment.objects.filter(
            instansi_id=superior.instansi_id, kind="definitif", employee__is_active=False
        ).order_by("start", "id")
    )
    q = Q(pk__in=[])
    waiting = (
        ActivityEntry.objects.filter(
            instansi_id=superior.instansi_id,
            status=S.SUBMITTED,
            employee__is_active=False,
            date__gte=timeline.start,
            date__lte=timeline.end,
        )
        .exclude(employee_id=superior.id)
        .values_list("employee_id", "date")
        .distinct()
    )
    for emp, day in waiting:
        held = [
            a.position_id
            for a in posts
            if a.employee_id == emp and a.start <= day and (a.end is None or a.end >= day)
        ]
        if not held:
            continue
        h = timeline.on(day)
        h.definitif[emp] = held[-1]
        boss = h.superior_id(emp)
        del h.definitif[emp]
        if boss == superior.id or (bkpsdm and boss is None):
            q |= Q(employee_id=emp, date=day)
    return q


def old_count(superior: Employee, today: dt.date, bkpsdm: bool) -> tuple[int, dt.date | None]:
    """The former implementation (subordinate_ids of each piece's hierarchy), for the equivalence."""
    start = today - dt.timedelta(days=selectors.INBOX_LOOKBACK_DAYS)
    timeline = HierarchyTimeline(superior.instansi_id, start, today)
    q = Q(pk__in=[])
    for a, b in timeline.pieces():
        h = timeline.on(a)
        ids = set(h.subordinate_ids(superior.id))
        if bkpsdm:
            ids |= h.without_superior() - {superior.id}
        q |= Q(employee_id__in=sorted(ids), date__gte=a, date__lte=b)
    q |= inactive_rule(superior, timeline, bkpsdm)  # added since, on top of both
    agg = (
        ActivityEntry.objects.filter(q, instansi_id=superior.instansi_id, status=S.SUBMITTED)
        .exclude(employee_id=superior.id)
        .aggregate(n=Count("id"), due=Min("verify_by"))
    )
    return agg["n"], agg["due"]


def _entries(inst, item, employees, days, status=S.SUBMITTED) -> None:
    """Entries written directly (the entry window is not what is tested): one per employee and day,
    the deadline a week after the date."""
    ActivityEntry.objects.bulk_create(
        ActivityEntry(
            instansi=inst,
            employee=e,
            date=d,
            start_time=T(8),
            end_time=T(9),
            item=item,
            volume=Decimal(1),
            minutes_per_unit=60,
            status=status,
            verify_by=d + dt.timedelta(days=7 + i % 5),
        )
        for i, (e, d) in enumerate((e, d) for e in employees for d in days)
    )


def _catalog(inst):
    from ekinerja.activities.models import ActivityCatalogItem

    return ActivityCatalogItem.objects.create(
        instansi=inst,
        code="X1",
        name="Menyusun laporan",
        output_unit="laporan",
        standard_minutes=60,
        active_from=D(2020, 1, 1),
    )


def _assert_same(people: list[Employee], old_differs: set[str] | None = None) -> None:
    """The fast count and the inbox's total are the rule's for everyone, with and without BKPSDM;
    with `old_differs` also the former implementation's, but for those named."""
    for who in people:
        for bkpsdm in (False, True):
            want = rule_count(who, TODAY, bkpsdm)
            assert selectors.inbox_count(who, TODAY, bkpsdm=bkpsdm) == want, (who.name, bkpsdm)
            inbox = selectors.superior_inbox(who, TODAY, bkpsdm=bkpsdm)
            assert inbox.total == want[0], (who.name, bkpsdm)
            if old_differs is not None and who.name not in old_differs:
                assert old_count(who, TODAY, bkpsdm) == want, (who.name, bkpsdm)


# ---------------------------------------------------------------- a tricky office


@pytest.fixture
def tricky(db):
    """Sekda > kadis > (kabid 1 > kasi 1 > staff), (kabid 2, vacant > staff), over a look-back with:
    the kadis leaving mid-window, a Plt in the kadis post from later on (the sekda's own Plt first,
    then kabid 1's), a Plh of kabid 1 for a week, a staff member moving from kabid 1 to kabid 2
    mid-month, someone acting without any definitif post, an inactive holder, and an employee in no
    post at all."""
    inst = InstansiFactory()
    unit = UnitFactory(instansi=inst)
    item = _catalog(inst)

    def pos(parent=None, kelas=9):
        return PositionFactory(unit=unit, parent=parent, kelas=kelas)

    sekda_p = pos(kelas=16)
    kadis_p = pos(sekda_p, 14)
    kabid1_p, kabid2_p = pos(kadis_p, 12), pos(kadis_p, 12)
    kasi1_p = pos(kabid1_p, 9)
    staff1_p, staff2_p, kasi_staff_p = pos(kabid1_p, 7), pos(kabid2_p, 7), pos(kasi1_p, 7)
    p = {}
    for name, post in [
        ("sekda", sekda_p),
        ("kadis", kadis_p),
        ("kabid1", kabid1_p),
        ("kasi1", kasi1_p),
        ("ani", staff1_p),
        ("budi", staff2_p),
        ("cici", kasi_staff_p),
        ("mover", staff1_p),
        ("gone", staff2_p),
    ]:
        p[name] = employee_with_login(inst, post, name=name)
    Assignment.objects.filter(employee=p["kadis"]).update(end=D(2026, 9, 10))
    AssignmentFactory(
        employee=p["sekda"], position=kadis_p, kind="plt", start=D(2026, 9, 15), end=D(2026, 9, 30)
    )
    AssignmentFactory(employee=p["kabid1"], position=kadis_p, kind="plt", start=D(2026, 10, 1))
    AssignmentFactory(
        employee=p["kasi1"], position=kabid1_p, kind="plh", start=D(2026, 9, 1), end=D(2026, 9, 7)
    )
    Assignment.objects.filter(employee=p["mover"]).update(end=D(2026, 10, 9))
    AssignmentFactory(employee=p["mover"], position=staff2_p, start=D(2026, 10, 10))
    p["acting"] = employee_with_login(inst, None, name="acting")
    AssignmentFactory(employee=p["acting"], position=kabid2_p, kind="plt", start=D(2026, 10, 5))
    Employee.objects.filter(pk=p["gone"].pk).update(is_active=False)
    p["nowhere"] = employee_with_login(inst, None, name="nowhere")
    officer_p = PositionFactory(unit=UnitFactory(instansi=inst, name="BKPSDM"), kelas=7)
    p["officer"] = employee_with_login(inst, officer_p, name="officer")
    grant(p["officer"].user, "bkpsdm")
    days = [START - dt.timedelta(days=1), START, *(D(2026, 9, d) for d in (1, 5, 8, 12, 20))]
    days += [D(2026, 10, d) for d in (1, 6, 9, 10, 15, 20, 21)]  # the 21st: after today
    _entries(inst, item, list(p.values()), days)
    _entries(inst, item, list(p.values()), [D(2026, 9, 3)], status=S.APPROVED)
    _entries(inst, item, list(p.values()), [D(2026, 9, 4)], status=S.DRAFT)
    return {"inst": inst, "p": p, "item": item}


def test_the_count_is_the_hierarchy_rules_for_everyone_in_a_tricky_office(tricky):
    people = list(Employee.objects.filter(instansi=tricky["inst"]))
    # Kabid 1 only: see test_an_acting_holder_of_their_own_superiors_post_is_in_the_inbox...
    _assert_same(people, old_differs={"kabid1"})
    # Not trivially: each of these verifies something.
    p = tricky["p"]
    assert selectors.inbox_count(p["sekda"], TODAY)[0] > 0
    assert selectors.inbox_count(p["kabid1"], TODAY)[0] > 0
    assert selectors.inbox_count(p["officer"], TODAY, bkpsdm=True)[0] > 0


def test_through_a_vacancy_a_plt_and_a_move(tricky):
    p = tricky["p"]

    def days(who, emp):
        mine, _fallback = selectors.waiting_days(p[who], TODAY)
        return sorted(d for e, d in mine if e == p[emp].pk)

    # Kabid 1 answers to the kadis until 10 September; over the vacancy (11 to 14) to the sekda,
    # then to the sekda as Plt of the kadis post (15 to 30), and from October, being that Plt
    # themself, to the sekda again (a post one holds is skipped).
    assert days("sekda", "kabid1") == [D(2026, 9, 12), D(2026, 9, 20), *_oct(1, 6, 9, 10, 15, 20)]
    # The mover answers to kabid 1 until 9 October, then, under the vacant kabid 2 post, to the
    # acting kabid 2 (Plt from 5 October).
    assert days("kabid1", "mover")[-1] == D(2026, 10, 9)
    assert days("acting", "mover") == _oct(10, 15, 20)
    # Kasi 1 was Plh of kabid 1 in the first week of September: their own staff member (cici)
    # answers to them anyway; ani answered to the Plh on the 1st and the 5th.
    assert D(2026, 9, 5) in days("kasi1", "ani") and D(2026, 9, 8) not in days("kasi1", "ani")


def _oct(*ds):
    return [D(2026, 10, d) for d in ds]


def test_bkpsdm_gets_those_without_a_superior_and_never_the_others(tricky):
    p = tricky["p"]
    _mine, fallback = selectors.waiting_days(p["officer"], TODAY, bkpsdm=True)
    who = {e for e, _d in fallback}
    # The sekda (top of the tree), the acting kabid without a definitif post; not the officer
    # themself, not the inactive holder, not someone in no post at all.
    assert who == {p["sekda"].pk, p["acting"].pk}
    inbox = selectors.superior_inbox(p["officer"], TODAY, bkpsdm=True)
    assert {g.employee.pk for g in inbox.groups if g.as_bkpsdm} == who


def test_an_acting_holder_of_their_own_superiors_post_is_in_the_inbox_of_the_other_holder(tricky):
    """Kasi 1, Plh of kabid 1's post in the first week of September, answered then to kabid 1 (a
    post one holds is skipped) as may_verify says; the hierarchy of each day only looked below the
    posts kabid 1 *led*, and the Plh led it, so those entries were in nobody's inbox."""
    p = tricky["p"]
    mine, _fallback = selectors.waiting_days(p["kabid1"], TODAY)
    assert (p["kasi1"].pk, D(2026, 9, 1)) in mine and (p["kasi1"].pk, D(2026, 9, 5)) in mine
    entry = ActivityEntry.objects.get(employee=p["kasi1"], date=D(2026, 9, 5), status=S.SUBMITTED)
    assert selectors.may_verify(p["kabid1"], entry)
    assert old_count(p["kabid1"], TODAY, False)[0] == rule_count(p["kabid1"], TODAY, False)[0] - 2


# ---------------------------------------------------------------- random hierarchies


@pytest.mark.parametrize("seed", range(6))
def test_the_count_is_the_hierarchy_rules_in_random_hierarchies(seed):
    rnd = random.Random(seed)
    inst = InstansiFactory()
    unit = UnitFactory(instansi=inst)
    item = _catalog(inst)
    posts: list[Position] = []
    for i in range(14):
        parent = rnd.choice([None, *posts]) if i and rnd.random() < 0.9 else None
        posts.append(PositionFactory(unit=unit, parent=parent))
    people = [EmployeeFactory(instansi=inst, name=f"P{i}") for i in range(16)]
    day = [START + dt.timedelta(days=k) for k in range(0, 80, 3)]
    for e in people:
        for _ in range(rnd.choice([0, 1, 1, 2])):
            a = rnd.choice([START - dt.timedelta(days=10), *day])
            b = rnd.choice([None, None, a + dt.timedelta(days=rnd.randint(0, 40))])
            kind = rnd.choice(["definitif"] * 4 + ["plt", "plh"])
            AssignmentFactory(employee=e, position=rnd.choice(posts), kind=kind, start=a, end=b)
    Employee.objects.filter(pk=people[0].pk).update(is_active=False)
    _entries(inst, item, people, rnd.sample(day, 12) + [TODAY + dt.timedelta(days=1)])
    _assert_same(list(Employee.objects.filter(instansi=inst)))


# ---------------------------------------------------------------- cost


def _office_of(n_staff: int, inst=None):
    item = None
    if inst is None:
        inst = InstansiFactory()
        item = _catalog(inst)
    unit = UnitFactory(instansi=inst)
    head_p = PositionFactory(unit=unit, kelas=12)
    staff_p = PositionFactory(unit=unit, parent=head_p)
    head = employee_with_login(inst, head_p)
    staff = [employee_with_login(inst, staff_p) for _ in range(n_staff)]
    return inst, head, staff, item


def test_the_query_count_does_not_grow_with_employees_days_or_entries():
    def queries(n_staff):
        inst, head, staff, item = _office_of(n_staff)
        # Other offices of the same instansi, far larger than this one.
        _x, other_head, others, _i = _office_of(3 * n_staff, inst)
        days = [START + dt.timedelta(days=k) for k in range(3 * n_staff)]
        _entries(inst, item, staff + others, days)
        with CaptureQueriesContext(connection) as ctx:
            n, _due = selectors.inbox_count(head, TODAY)
        assert n == n_staff * len(days)
        return len(ctx.captured_queries)

    assert queries(2) == queries(8) <= 7


def test_only_the_people_who_may_answer_to_the_account_are_looked_at():
    inst, head, staff, item = _office_of(3)
    _x, _other_head, others, _i = _office_of(30, inst)
    over = SuperiorsOver(inst.pk, START, TODAY, superior_id=head.pk)
    assert over.candidates == {e.pk for e in staff}


def test_nobody_s_superior_pays_one_query_and_no_hierarchy(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("the whole hierarchy was built")

    inst, head, staff, item = _office_of(3)
    _entries(inst, item, staff, [D(2026, 10, 1)])
    monkeypatch.setattr(HierarchyTimeline, "__init__", boom)
    with CaptureQueriesContext(connection) as ctx:
        assert selectors.inbox_count(staff[0], TODAY) == (0, None)
        assert selectors.superior_inbox(staff[0], TODAY).total == 0
    assert len(ctx.captured_queries) == 2
    # A superior's count and inbox: no hierarchy of the instansi either.
    assert selectors.inbox_count(head, TODAY)[0] == 3
    assert selectors.superior_inbox(head, TODAY).total == 3


def test_home_page_and_day_page_of_a_superior_show_the_count_without_the_hierarchy(
    client, monkeypatch
):
    import time_machine

    inst, head, staff, item = _office_of(2)
    inst.timezone = "Asia/Jakarta"
    inst.save()
    _entries(inst, item, staff, [D(2026, 10, 1), D(2026, 10, 2)])
    real_init = HierarchyTimeline.__init__
    calls = []

    def counting(self, *args, **kwargs):
        calls.append(args)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(HierarchyTimeline, "__init__", counting)
    client.force_login(head.user)
    with time_machine.travel(dt.datetime(2026, 10, 5, 10, tzinfo=dt.UTC), tick=False):
        html = client.get(reverse("home")).content.decode()
        assert 'data-testid="home-waiting"' in html and "4 aktivitas bawahan" in html
        day = client.get(reverse("activities:day", args=["2026-10-05"])).content.decode()
        assert 'data-testid="inbox-reminder"' in day
    assert calls == []
