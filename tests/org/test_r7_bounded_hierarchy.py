"""R7: the profile permission (rules.is_superior_of), the org chart's openable profiles
(selectors.openable_profile_ids) and the home and profile pages' superior and subordinates
(views._superior_and_subordinates, employee_profile) walk from the employee's own posts instead of
building the instansi's whole hierarchy (24,500 rows, 0.3-0.5 s at 20,000 employees), with the
answers of the functions they replaced on the random charts of the R4 tests, and a query and row
count that does not grow with the instansi."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.db.backends import utils as db_utils
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.core.clock import local_today
from ekinerja.org import rules as org_rules
from ekinerja.org import selectors, views
from ekinerja.org.models import Assignment, Employee, Position, Role
from tests.factories import UnitFactory, UserFactory
from tests.org.test_r4_hierarchy_walk import SEEDS, random_chart

pytestmark = pytest.mark.django_db
D = dt.date
DAYS = (D(2026, 10, 1), D(2026, 10, 9), D(2026, 10, 17), D(2026, 10, 31))


# ---------------------------------------------------------------- the replaced functions


def old_is_superior_of(user, employee) -> bool:
    me = selectors.employee_for_user(user)
    if me is None or employee is None or employee.instansi_id != me.instansi_id:
        return False
    h = selectors.hierarchy(me.instansi_id, local_today(me.instansi))
    return h.superior_id(employee.id) == me.id


def old_openable_profile_ids(user, *, on):
    roles = selectors.user_roles(user)
    if roles & {Role.BKPSDM, Role.PIMPINAN, Role.BPKAD, Role.KOMINFO}:
        return None
    ids: set[int] = set()
    me = selectors.employee_for_user(user)
    if me is not None:
        ids.add(me.id)
        ids.update(selectors.hierarchy(me.instansi_id, on).subordinate_ids(me.id))
    return ids  # (admin OPD units: unchanged, not part of the charts below)


def old_superior_and_subordinates(employee, *, on):
    tree = selectors.hierarchy(employee.instansi_id, on)
    return tree.superior_id(employee.id), tree.subordinate_ids(employee.id)


def _with_accounts(inst, emps):
    for emp in emps:
        emp.user = UserFactory(instansi=inst)
        emp.save(update_fields=["user"])


def _travel(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.UTC), tick=False)


# ---------------------------------------------------------------- same answers


@pytest.mark.parametrize("seed", SEEDS)
def test_superior_walk_is_hierarchys_superior_for_everyone_on_random_charts(seed):
    inst, emps = random_chart(seed)
    for day in DAYS:
        h = selectors.hierarchy(inst, day)
        for emp in emps:  # inactive ones too: they have no superior in either
            assert selectors.superior_walk(inst.id, emp.id, on=day) == h.superior_id(emp.id), (
                seed,
                day,
                emp.id,
            )
            sup, subs = selectors.superior_and_subordinates(emp, on=day)
            old_sup, old_subs = old_superior_and_subordinates(emp, on=day)
            assert (sup, sorted(subs)) == (old_sup, old_subs), (seed, day, emp.id)


@pytest.mark.parametrize("seed", SEEDS[:6])  # the old check builds a hierarchy per pair
def test_permission_and_openable_profiles_answer_as_before_on_random_charts(seed):
    inst, emps = random_chart(seed)
    _with_accounts(inst, emps)
    superiors_seen = 0
    for day in (DAYS[0], DAYS[2]):
        with _travel(day):
            for viewer in emps:
                viewer.user.__dict__.pop("_ekinerja_roles", None)
                assert selectors.openable_profile_ids(viewer.user, on=day) == (
                    old_openable_profile_ids(viewer.user, on=day)
                ), (seed, day, viewer.id)
                for employee in emps:
                    new = org_rules.is_superior_of(viewer.user, employee)
                    assert new is old_is_superior_of(viewer.user, employee), (
                        seed,
                        day,
                        viewer.id,
                        employee.id,
                    )
                    superiors_seen += new
    assert superiors_seen  # the charts had superiors to find


@pytest.mark.parametrize("seed", SEEDS[:4])
def test_home_and_profile_show_the_same_superior_and_subordinates(client, seed):
    inst, emps = random_chart(seed)
    _with_accounts(inst, emps)
    day = DAYS[1]
    with _travel(day):
        for emp in emps:
            if not emp.is_active:
                continue
            old_sup, old_subs = old_superior_and_subordinates(emp, on=day)
            sup, subs = views._superior_and_subordinates(emp, on=day)
            assert (sup and sup.pk, [s.pk for s in subs]) == (
                old_sup,
                [e.pk for e in Employee.objects.filter(pk__in=old_subs).order_by("name")],
            )
            client.force_login(emp.user)
            ctx = client.get(reverse("employee-profile", args=[emp.pk])).context
            assert (ctx["superior"] and ctx["superior"].pk) == old_sup
            assert sorted(s.pk for s in ctx["subordinates"]) == sorted(old_subs)[:50]
            assert ctx["subordinate_total"] == len(old_subs)


# ---------------------------------------------------------------- bounded cost


@pytest.fixture
def rows_read(monkeypatch):
    """How many rows the database hands back (every fetch through Django's cursor)."""
    counter = {"rows": 0}

    def counting(name):
        def fetch(self, *args):
            out = getattr(self.cursor, name)(*args)
            if name == "fetchone":
                counter["rows"] += out is not None
            else:
                counter["rows"] += len(out)
            return out

        return fetch

    for name in ("fetchone", "fetchmany", "fetchall"):
        monkeypatch.setattr(db_utils.CursorWrapper, name, counting(name), raising=False)
    return counter


@pytest.fixture
def no_whole_hierarchy(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("built the instansi's whole hierarchy")

    monkeypatch.setattr(selectors, "hierarchy", forbidden)


def _chart_with_elsewhere():
    """Kepala > Kabid > staff in one unit; `grow(n)` adds n staff under one head in another unit:
    the instansi grows, nothing around the kabid changes. (Only staff: the activity inbox's card
    on the home page, activities.selectors via org.SuperiorsOver, reads the holders of every post
    with posts under it in the instansi, which R7 does not change.)"""
    inst, _emps = random_chart(5)
    unit = UnitFactory(instansi=inst)
    other = UnitFactory(instansi=inst)
    top = Position.objects.create(
        instansi=inst, unit=unit, code="KD", name="Kepala Dinas", kind="struktural", kelas=14
    )
    mid = Position.objects.create(
        instansi=inst, unit=unit, code="KB", name="Kabid", kind="struktural", kelas=11, parent=top
    )
    staff_post = Position.objects.create(
        instansi=inst, unit=unit, code="ST", name="Staf", kind="pelaksana", kelas=6, parent=mid
    )
    far_top = Position.objects.create(
        instansi=inst, unit=other, code="FT", name="Kepala Lain", kind="struktural", kelas=12
    )
    far_post = Position.objects.create(
        instansi=inst,
        unit=other,
        code="FS",
        name="Staf Lain",
        kind="pelaksana",
        kelas=6,
        parent=far_top,
    )
    people = {}
    for key, post, nip in (
        ("kadis", top, "197001012000011001"),
        ("kabid", mid, "197501012000011002"),
        ("staf", staff_post, "199001012010011003"),
        ("staf2", staff_post, "199001012010011004"),
    ):
        e = Employee.objects.create(
            instansi=inst, nip=nip, name=key, status="PNS", user=UserFactory(instansi=inst)
        )
        Assignment.objects.create(instansi=inst, employee=e, position=post, start=D(2020, 1, 1))
        people[key] = e
    counter = iter(range(100000))

    def grow(n: int) -> None:
        rows = []
        for _ in range(n):
            i = next(counter)
            e = Employee.objects.create(
                instansi=inst, nip=f"1991010120100{i:05d}", name=f"Lain {i}", status="PNS"
            )
            rows.append(
                Assignment(
                    instansi=inst,
                    employee=e,
                    position=far_top if i == 0 else far_post,
                    start=D(2020, 1, 1),
                )
            )
        Assignment.objects.bulk_create(rows)

    return inst, people, grow


def _cost(rows_read, fn):
    rows_read["rows"] = 0
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries), rows_read["rows"]


def test_permission_and_openable_ids_cost_the_same_at_any_size(rows_read, no_whole_hierarchy):
    inst, p, grow = _chart_with_elsewhere()
    today = local_today(inst)
    kabid_user = p["kabid"].user
    costs = []
    for n in (10, 300):
        grow(n)
        kabid_user.__dict__.pop("_ekinerja_roles", None)
        selectors.user_roles(kabid_user)  # cached per request, as on a page
        costs.append(
            (
                _cost(rows_read, lambda: org_rules.is_superior_of(kabid_user, p["staf"])),
                _cost(rows_read, lambda: org_rules.is_superior_of(kabid_user, p["kadis"])),
                _cost(
                    rows_read,
                    lambda: selectors.openable_profile_ids(kabid_user, on=today),
                ),
            )
        )
    assert org_rules.is_superior_of(kabid_user, p["staf"]) is True
    assert org_rules.is_superior_of(kabid_user, p["kadis"]) is False
    assert selectors.openable_profile_ids(kabid_user, on=today) == {
        p["kabid"].id,
        p["staf"].id,
        p["staf2"].id,
    }
    assert costs[0] == costs[1], costs
    # is_superior_of: the record, the post with the chain above it, the chain's holders.
    assert costs[0][0][0] == 3 and costs[0][0][1] <= 4


def test_home_and_profile_cost_the_same_at_any_size(client, rows_read, monkeypatch):
    inst, p, grow = _chart_with_elsewhere()
    builds = []
    original = selectors.hierarchy

    def counting(*args, **kwargs):
        builds.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(selectors, "hierarchy", counting)
    client.force_login(p["kabid"].user)
    urls = [
        reverse("home"),
        reverse("employee-profile", args=[p["kabid"].pk]),
        reverse("employee-profile", args=[p["staf"].pk]),
    ]
    client.get(urls[0])  # the session's first request warms per-process caches
    costs = []
    for n in (10, 300):
        grow(n)
        costs.append([_cost(rows_read, lambda u=u: client.get(u)) for u in urls])
    assert costs[0] == costs[1], costs
    assert builds == []  # no page of org's built the whole hierarchy
    html = client.get(urls[1]).content.decode()
    assert "kadis" in html and "staf2" in html
