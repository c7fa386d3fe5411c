"""The hierarchy walked down from a superior's own posts (user_roles, below_in_hierarchy,
employees_below_by_piece) gives the answers of the whole-instansi computation it replaced, on random
org charts with vacancies, Plt/Plh, moves and inactive employees, at a cost that does not grow with
the instansi."""

import datetime as dt
import random
from collections import defaultdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ekinerja.org import selectors
from ekinerja.org.models import Assignment, Employee, Position
from ekinerja.org.selectors import (
    Hierarchy,
    below_in_hierarchy,
    employees_below_by_piece,
    hierarchy,
    leads_anyone,
    subordinates_walk,
    user_roles,
)
from tests.factories import InstansiFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
D = dt.date
START, END = D(2026, 10, 1), D(2026, 10, 31)
KINDS = [Assignment.Kind.DEFINITIF] * 6 + [Assignment.Kind.PLT, Assignment.Kind.PLH]


def old_below_in_hierarchy(h: Hierarchy, employee_id: int) -> set[int]:
    """The implementation before R4 (everyone's superior, then a walk down), as the reference."""
    superior = {e: h.superior_id(e) for e in h.definitif}
    below: dict[int, list[int]] = defaultdict(list)
    for emp, sup in superior.items():
        if sup is not None:
            below[sup].append(emp)
    above: set[int] = set()
    sup = superior.get(employee_id)
    while sup is not None and sup != employee_id and sup not in above:
        above.add(sup)
        sup = superior.get(sup)
    out: set[int] = set()
    stack = [employee_id]
    while stack:
        for emp in below.get(stack.pop(), ()):
            if emp == employee_id or emp in above or emp in out:
                continue
            out.add(emp)
            stack.append(emp)
    return out


def random_chart(seed: int, positions: int = 24, people: int = 22):
    """A random position tree; definitif holders (some posts shared, some vacant), Plt/Plh, moves
    within the month (a post ended and another begun the next day), a few inactive employees."""
    rng = random.Random(seed)
    inst = InstansiFactory()
    unit = UnitFactory(instansi=inst)
    posts: list[Position] = []
    for i in range(positions):
        parent = rng.choice(posts) if posts and rng.random() < 0.9 else None
        posts.append(
            Position.objects.create(
                instansi=inst,
                unit=unit,
                code=f"R{seed}-{i}",
                name=f"Jabatan {i}",
                kind=Position.Kind.STRUKTURAL,
                kelas=7,
                parent=parent,
            )
        )
    emps = [
        Employee.objects.create(
            instansi=inst,
            nip=f"19800101200001{rng.randrange(10000):04d}",
            name=f"Pegawai {seed}-{i}",
            status=Employee.Status.PNS,
            is_active=rng.random() > 0.08,
        )
        for i in range(people)
    ]
    rows = []
    for emp in emps:
        day = START - dt.timedelta(days=rng.randrange(0, 40))
        for _ in range(rng.choice([1, 1, 2, 3])):  # moves: definitif posts one after another
            end = day + dt.timedelta(days=rng.randrange(3, 40)) if rng.random() < 0.5 else None
            rows.append(
                Assignment(
                    instansi=inst,
                    employee=emp,
                    position=rng.choice(posts),
                    kind=Assignment.Kind.DEFINITIF,
                    start=day,
                    end=end,
                )
            )
            if end is None:
                break
            day = end + dt.timedelta(days=1)
    for _ in range(rng.randrange(3, 12)):  # acting posts, some on the employee's own superior's
        day = START + dt.timedelta(days=rng.randrange(-5, 31))
        rows.append(
            Assignment(
                instansi=inst,
                employee=rng.choice(emps),
                position=rng.choice(posts),
                kind=rng.choice(KINDS[6:]),
                start=day,
                end=day + dt.timedelta(days=rng.randrange(0, 20)) if rng.random() < 0.7 else None,
            )
        )
    Assignment.objects.bulk_create(rows)
    return inst, emps


SEEDS = range(12)


@pytest.mark.parametrize("seed", SEEDS)
def test_walks_down_give_the_whole_hierarchy_answers(seed):
    inst, emps = random_chart(seed)
    checked_leads = 0
    for day in (START, D(2026, 10, 9), D(2026, 10, 17), END):
        h = hierarchy(inst, day)
        for emp in emps:
            # who reports to them: the old rule is superior_id of every definitif holder
            assert h.reporting_to(emp.id) == {
                e for e in h.definitif if h.superior_id(e) == emp.id
            }, (seed, day, emp.id)
            assert below_in_hierarchy(h, emp.id) == old_below_in_hierarchy(h, emp.id)
            if not emp.is_active:
                continue
            subs = h.subordinate_ids(emp.id)
            assert subordinates_walk(inst.id, emp.id, on=day) == set(subs), (seed, day, emp.id)
            assert leads_anyone(emp, on=day) is (len(subs) > 0)
            checked_leads += bool(subs)
    assert checked_leads  # the chart had superiors to find


@pytest.mark.parametrize("seed", SEEDS)
def test_employees_below_by_piece_is_each_days_hierarchy(seed):
    inst, emps = random_chart(seed)
    for emp in emps:
        pieces = employees_below_by_piece(emp, START, END)
        assert pieces[0][0] == START and pieces[-1][1] == END
        for first, last, below in pieces:
            for day in {first, last}:  # a fresh hierarchy of the day, not the timeline's
                assert below == old_below_in_hierarchy(hierarchy(inst, day), emp.id), (
                    seed,
                    emp.id,
                    day,
                )


def test_user_roles_no_longer_builds_the_hierarchy_and_costs_the_same_at_any_size(monkeypatch):
    """A superior's roles: grants, the record, the holders of their posts and one EXISTS below
    them; the same four queries with 10 or 200 more employees elsewhere, and never the instansi's
    whole hierarchy (24,500 rows and 0.35 s a page at 20,000 employees)."""

    def forbidden(*args, **kwargs):
        raise AssertionError("user_roles built the whole hierarchy")

    inst, _emps = random_chart(3)
    unit = UnitFactory(instansi=inst)
    head_post = Position.objects.create(
        instansi=inst, unit=unit, code="KEP", name="Kepala", kind="struktural", kelas=12
    )
    staff_post = Position.objects.create(
        instansi=inst,
        unit=unit,
        code="STF",
        name="Staf",
        kind="pelaksana",
        kelas=6,
        parent=head_post,
    )
    user = UserFactory(instansi=inst)
    head = Employee.objects.create(
        instansi=inst, nip="197001012000011001", name="Kepala", status="PNS", user=user
    )
    Assignment.objects.create(instansi=inst, employee=head, position=head_post, start=D(2020, 1, 1))

    def add_staff(n: int, tag: str) -> None:
        for i in range(n):
            e = Employee.objects.create(
                instansi=inst, nip=f"1990010120100{tag}{i:04d}", name=f"Staf {i}", status="PNS"
            )
            Assignment.objects.create(
                instansi=inst, employee=e, position=staff_post, start=D(2020, 1, 1)
            )

    monkeypatch.setattr(selectors, "hierarchy", forbidden)
    monkeypatch.setattr(selectors, "subordinate_count", forbidden)
    counts = []
    for n, tag in ((10, "1"), (200, "2")):
        add_staff(n, tag)
        user.__dict__.pop("_ekinerja_roles", None)
        with CaptureQueriesContext(connection) as ctx:
            assert "atasan" in user_roles(user)
        counts.append(len(ctx.captured_queries))
    assert counts == [4, 4]


def test_a_head_whose_posts_below_are_all_vacant_is_no_atasan_in_a_bounded_walk(monkeypatch):
    """Posts under theirs, none held (and one held by them only as Plt): the walk goes down the
    empty posts level by level, two queries a level, and finds nobody; the first staff member
    posted at the bottom makes them atasan."""
    inst = InstansiFactory()
    unit = UnitFactory(instansi=inst)
    top = Position.objects.create(
        instansi=inst, unit=unit, code="A", name="A", kind="struktural", kelas=12
    )
    mid = Position.objects.create(
        instansi=inst, unit=unit, code="B", name="B", kind="struktural", kelas=9, parent=top
    )
    low = Position.objects.create(
        instansi=inst, unit=unit, code="C", name="C", kind="pelaksana", kelas=6, parent=mid
    )
    head = Employee.objects.create(instansi=inst, nip="197001012000011001", name="H", status="PNS")
    Assignment.objects.create(instansi=inst, employee=head, position=top, start=D(2020, 1, 1))
    Assignment.objects.create(
        instansi=inst, employee=head, position=mid, kind="plt", start=D(2020, 1, 1)
    )
    on = D(2026, 10, 1)
    with CaptureQueriesContext(connection) as ctx:
        assert leads_anyone(head, on=on) is False
    assert len(ctx.captured_queries) <= 1 + 2 + 2 * 3
    staff = Employee.objects.create(instansi=inst, nip="199001012010011001", name="S", status="PNS")
    Assignment.objects.create(instansi=inst, employee=staff, position=low, start=D(2020, 1, 1))
    assert leads_anyone(head, on=on) is True
    assert subordinates_walk(inst.id, head.id, on=on) == {staff.id}
