"""is_below(superior, employee, start, end) answers `employee in employees_below(superior, start,
end)` by climbing up from the employee instead of walking down to everyone below the superior: the
same answer for every (superior, employee) pair on generated hierarchies (several units, nested
posts, Plt and Plh, posts changing during the month, acting posts that loop a chain back, inactive
employees, employees without a post), in two queries, without walking down."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, example, given, settings, target
from hypothesis import strategies as st

from ekinerja.org.models import Assignment, Employee, Position
from ekinerja.org.selectors import (
    Hierarchy,
    employees_below,
    employees_below_by_piece,
    hierarchy,
    is_below,
)
from tests.factories import EmployeeFactory, InstansiFactory, PositionFactory, UnitFactory

pytestmark = pytest.mark.django_db
D = dt.date
START, END = D(2026, 10, 1), D(2026, 10, 31)
DEF, PLT, PLH = Assignment.Kind.DEFINITIF, Assignment.Kind.PLT, Assignment.Kind.PLH


@st.composite
def charts(draw):
    """A plain description of an instansi: units, a forest of posts (a post's parent comes
    before it, so nested posts across units), employees (some inactive), for each a run of
    definitif posts one after another (moves within the month, or none at all), and acting posts
    (Plt/Plh) starting and ending inside or around the month."""
    n_units = draw(st.integers(1, 3))
    n_posts = draw(st.integers(2, 9))
    posts = []
    for i in range(n_posts):
        # -1: a post at the top; often the post just before (deep chains)
        parent = draw(st.one_of(st.just(i - 1), st.integers(-1, i - 1))) if i else -1
        posts.append((draw(st.integers(0, n_units - 1)), parent if parent >= 0 else None))
    n_people = draw(st.integers(3, 9))
    people = []
    for _ in range(n_people):
        active = draw(st.integers(0, 9)) > 0
        runs = []
        day = draw(st.integers(-40, 20))  # days from START
        for _ in range(draw(st.sampled_from([1, 2, 3, 0]))):  # 0: an employee without a post
            length = draw(st.one_of(st.none(), st.integers(0, 30)))
            runs.append((draw(st.integers(0, n_posts - 1)), day, length))
            if length is None:
                break
            day += length + 1
        people.append((active, runs))
    acting = draw(
        st.lists(
            st.tuples(
                st.integers(0, n_people - 1),
                # often a post at the top: someone acting above their superior loops the chain
                st.one_of(st.integers(0, 1), st.integers(0, n_posts - 1)),
                st.sampled_from([PLT, PLH]),
                st.integers(-10, 30),
                st.one_of(st.none(), st.integers(0, 25)),
            ),
            max_size=6,
        )
    )
    # Someone acting in a post above their own superior's: the chain loops back through them.
    for who, up, kind, start, length in draw(
        st.lists(
            st.tuples(
                st.integers(0, n_people - 1),
                st.integers(2, 3),
                st.sampled_from([PLT, PLH]),
                st.integers(-10, 30),
                st.one_of(st.none(), st.integers(0, 25)),
            ),
            max_size=2,
        )
    ):
        post = people[who][1][0][0] if people[who][1] else None
        for _ in range(up):
            post = posts[post][1] if post is not None else None
        if post is not None:
            acting.append((who, post, kind, start, length))
    return {"units": n_units, "posts": posts, "people": people, "acting": acting}


# A chain that loops: A (post 1) above B (post 2) above C (post 3) above D (post 4), post 0 above
# them all vacant. From the 15th C is Plt of post 0: A's superior is C, whose superior is B, whose
# superior is A. B's post ends on the 24th (then C answers to A: A <-> C). A Plh over B from the 4th
# to the 9th (someone without a definitif post); an inactive employee on D's post.
LOOP = {
    "units": 2,
    "posts": [(0, None), (0, 0), (1, 1), (1, 2), (1, 3)],
    "people": [
        (True, [(1, -30, None)]),
        (True, [(2, -30, 53)]),
        (True, [(3, -30, None)]),
        (True, [(4, -30, None)]),
        (False, [(4, -30, None)]),
        (True, []),
    ],
    "acting": [(2, 0, PLT, 14, None), (5, 1, PLH, 3, 5)],
}


def build(chart) -> tuple[list[Employee], list[Position]]:
    inst = InstansiFactory()
    root = UnitFactory(instansi=inst)
    units = [root] + [UnitFactory(instansi=inst, parent=root) for _ in range(chart["units"] - 1)]
    posts: list[Position] = []
    for unit, parent in chart["posts"]:
        posts.append(
            PositionFactory(
                unit=units[unit],
                parent=posts[parent] if parent is not None else None,
                kind=Position.Kind.STRUKTURAL,
            )
        )
    emps = [EmployeeFactory(instansi=inst, is_active=active) for active, _runs in chart["people"]]
    rows = []

    def day(offset: int) -> dt.date:
        return START + dt.timedelta(days=offset)

    def row(emp, post, kind, start, end) -> Assignment:
        return Assignment(
            instansi=inst, employee=emp, position=post, kind=kind, start=start, end=end
        )

    for emp, (_active, runs) in zip(emps, chart["people"], strict=True):
        for post, start, length in runs:
            end = None if length is None else day(start + length)
            rows.append(row(emp, posts[post], DEF, day(start), end))
    for who, post, kind, start, length in chart["acting"]:
        end = None if length is None else day(start + length)
        rows.append(row(emps[who], posts[post], kind, day(start), end))
    Assignment.objects.bulk_create(rows)
    return emps, posts


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(chart=charts())
@example(chart=LOOP)
def test_is_below_is_membership_of_employees_below_for_every_pair(chart):
    emps, _posts = build(chart)
    ids = [e.id for e in emps] + [max(e.id for e in emps) + 1000]  # and someone unknown
    found = 0
    for superior in emps:
        below = employees_below(superior, START, END)
        found += len(below)
        for emp_id in ids:
            assert is_below(superior, emp_id, START, END) is (emp_id in below), (
                superior.id,
                emp_id,
            )
        # and over a shorter range, which cuts the month elsewhere
        below = employees_below(superior, D(2026, 10, 12), D(2026, 10, 18))
        for emp_id in ids:
            assert is_below(superior, emp_id, D(2026, 10, 12), D(2026, 10, 18)) is (emp_id in below)
    target(found, label="pairs below")  # towards charts with deep, populated chains


def test_the_loop_example_really_loops_and_stops_at_the_superiors_own_superiors():
    """The hand-made chart above: on the 16th A -> C -> B -> A, so nobody of that loop is below A
    (they are its superiors), nor D, whose climb meets C first; D is below C."""
    emps, _posts = build(LOOP)
    a, b, c, d, inactive, no_post = emps
    day = D(2026, 10, 16)
    on_16 = hierarchy(a.instansi_id, day)
    assert on_16.superior_id(a.id) == c.id
    assert on_16.superior_id(c.id) == b.id and on_16.superior_id(b.id) == a.id
    for emp in (b, c, d):
        assert not is_below(a, emp.id, day, day)
    assert is_below(c, d.id, day, day)
    assert not is_below(c, a.id, day, day)
    # The Plh over B (4th-9th) answers for B: nobody below A then.
    assert not is_below(a, b.id, D(2026, 10, 4), D(2026, 10, 9))
    # Before and after the Plh, up to the Plt: a plain chain A > B > C > D.
    for emp in (b, c, d):
        assert is_below(a, emp.id, START, D(2026, 10, 3))
        assert is_below(a, emp.id, D(2026, 10, 10), D(2026, 10, 14))
    assert not is_below(b, a.id, START, END)
    # Never the superior themself, an inactive employee, someone without a definitif post.
    for emp in (a, inactive, no_post):
        assert not is_below(a, emp.id, START, END)
    assert {e.id for e in emps if is_below(a, e.id, START, END)} == employees_below(a, START, END)


def test_is_below_costs_two_queries_and_never_walks_down(monkeypatch):
    emps, _posts = build(LOOP)
    a, _b, _c, d, *_rest = emps

    def walked_down(*args, **kwargs):
        raise AssertionError("reporting_to walked down from the superior")

    pieces = len(employees_below_by_piece(a, START, END))
    assert pieces > 3  # the month is cut where the posts change
    monkeypatch.setattr(Hierarchy, "reporting_to", walked_down)
    with CaptureQueriesContext(connection) as queries:
        assert is_below(a, d.id, START, END)
        assert not is_below(d, a.id, START, END)
    assert len(queries) == 4
