"""S10 (H5): HierarchyTimeline now also reads a leaver's definitif posts with a recorded end (kept
apart, `leaver_rows`). On the generated charts of tests/org/test_s9_is_below.py, with about half of
the people inactive: is_below and employees_below hold a leaver below a superior exactly when, on
some day of the range on which the leaver held such a post, the day's own hierarchy() with that
post as theirs (and nothing held for anyone else) climbs from them to the superior; the active
employees' answers stay below_in_hierarchy's of each day; the timeline's hierarchies are
hierarchy()'s of each day."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st

from ekinerja.org.models import Assignment, Employee
from ekinerja.org.selectors import (
    Hierarchy,
    HierarchyTimeline,
    below_in_hierarchy,
    employees_below,
    hierarchy,
    is_below,
)
from tests.org.test_s9_is_below import END, START, build, charts

pytestmark = pytest.mark.django_db
DAYS = [START + dt.timedelta(days=i) for i in range((END - START).days + 1)]


def _climbs_to(h: Hierarchy, superior_id: int, employee_id: int) -> bool:
    """below_in_hierarchy's rule read upwards: the employee's climb reaches the superior before
    any of the superior's own superiors."""
    above: set[int] = set()
    sup = h.superior_id(superior_id)
    while sup is not None and sup != superior_id and sup not in above:
        above.add(sup)
        sup = h.superior_id(sup)
    cur, seen = employee_id, {employee_id}
    while cur not in above:
        nxt = h.superior_id(cur)
        if nxt == superior_id:
            return True
        if nxt is None or nxt in seen:
            return False
        seen.add(nxt)
        cur = nxt
    return False


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(chart=charts(), gone=st.lists(st.booleans(), min_size=9, max_size=9))
def test_a_leaver_is_below_on_the_days_of_their_ended_posts_only(chart, gone):
    chart = {
        **chart,
        "people": [
            (active and not gone[i], runs) for i, (active, runs) in enumerate(chart["people"])
        ],
    }
    emps, _posts = build(chart)
    inst = emps[0].instansi_id
    trees = {day: hierarchy(inst, day) for day in DAYS}
    ended: dict[int, list[tuple[dt.date, dt.date, int]]] = {}
    for emp, pos, a_start, a_end in (
        Assignment.objects.filter(
            instansi_id=inst,
            employee__is_active=False,
            kind=Assignment.Kind.DEFINITIF,
            end__gte=START,
            start__lte=END,
        )
        .order_by("start")
        .values_list("employee_id", "position_id", "start", "end")
    ):
        ended.setdefault(emp, []).append((a_start, a_end, pos))
    leavers = [e for e in emps if not e.is_active]

    def leaver_below(superior: Employee, leaver: Employee, days) -> bool:
        for day in days:
            held = [pos for a, b, pos in ended.get(leaver.id, ()) if a <= day <= b]
            if not held:
                continue
            h = trees[day]
            mine = Hierarchy(on=day, parent=h.parent, holders=h.holders, definitif={**h.definitif})
            mine.definitif[leaver.id] = held[-1]  # the latest-starting, as hierarchy()
            if _climbs_to(mine, superior.id, leaver.id):
                return True
        return False

    found = 0
    for superior in emps:
        for span in ((START, END), (dt.date(2026, 10, 12), dt.date(2026, 10, 18))):
            days = [d for d in DAYS if span[0] <= d <= span[1]]
            below = employees_below(superior, *span)
            active_below = set().union(*(below_in_hierarchy(trees[d], superior.id) for d in days))
            assert below - {e.id for e in leavers} == active_below
            for leaver in leavers:
                expected = leaver.id != superior.id and leaver_below(superior, leaver, days)
                assert is_below(superior, leaver.id, *span) is expected, (superior.id, leaver.id)
                assert (leaver.id in below) is expected
                found += expected
    timeline = HierarchyTimeline(inst, START, END)
    assert set(timeline.leaver_rows) == set(ended) & {e.id for e in leavers}
    for day in DAYS:
        assert timeline.on(day).holders == trees[day].holders
        assert timeline.on(day).definitif == trees[day].definitif
    target(found, label="leavers below")
