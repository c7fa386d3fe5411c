"""R9: the last whole-hierarchy builds on ordinary pages walk from the employee's own posts instead:
org.selectors.direct_superior / is_direct_superior_of / subordinate_count (the
attendance inbox and leave/correction decisions, performance pages), tpp.views._may_view_employee,
performance.rules.appraises_plan and rates_evaluation (someone still in post), the activities
verifier (activities.selectors.superior_of_on) and the attendance inbox's subordinates. Each gives the answer of
the function it replaced (copied below) on the R4 random charts, at a query and row count that does
not grow with the instansi."""

from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace

import pytest
from django.test import RequestFactory

from ekinerja.activities import selectors as act_selectors
from ekinerja.attendance.models import LeaveRequest, LeaveType
from ekinerja.core.clock import local_today
from ekinerja.core.periods import Period
from ekinerja.org import selectors
from ekinerja.org.models import Assignment, Employee
from ekinerja.performance import rules as perf_rules
from ekinerja.performance import selectors as perf_selectors
from ekinerja.tpp import views as tpp_views
from tests.org.test_r4_hierarchy_walk import SEEDS, random_chart
from tests.org.test_r7_bounded_hierarchy import (  # noqa: F401 (fixtures)
    _chart_with_elsewhere,
    _cost,
    _travel,
    _with_accounts,
    no_whole_hierarchy,
    rows_read,
)

pytestmark = pytest.mark.django_db
D = dt.date
DAYS = (D(2026, 10, 1), D(2026, 10, 9), D(2026, 10, 17), D(2026, 10, 31))


# ---------------------------------------------------------------- the replaced functions


def old_direct_superior_id(employee, *, on):
    return selectors.hierarchy(employee.instansi_id, on).superior_id(employee.id)


def old_subordinate_ids(employee, *, on):
    return selectors.hierarchy(employee.instansi_id, on).subordinate_ids(employee.id)


def old_is_direct_superior_of(superior, employee, *, on):
    if superior.instansi_id != employee.instansi_id or superior.id == employee.id:
        return False
    return selectors.hierarchy(employee.instansi_id, on).superior_id(employee.id) == superior.id


def old_may_view_employee(request, employee, period):
    if request.user.has_perm("tpp.view_employee_tpp", employee):
        return True
    me = selectors.employee_for_user(request.user)
    if me is None or period is None or me.instansi_id != employee.instansi_id:
        return False
    on = min(period.last_day, local_today(request.user.instansi))
    if not employee.is_active:
        # S10 (H5): a leaver's month is their superior's of their last day in a definitif post with
        # a recorded end (that day's hierarchy, with that post as theirs).
        posts = list(
            Assignment.objects.filter(
                employee=employee,
                kind=Assignment.Kind.DEFINITIF,
                end__isnull=False,
                end__gte=period.first_day,
                start__lte=on,
            ).values_list("start", "id", "end", "position_id")
        )
        if not posts:
            return False
        day = min(max(p[2] for p in posts), on)
        h = selectors.hierarchy(me.instansi_id, day)
        h.definitif[employee.id] = max(p for p in posts if p[0] <= day <= p[2])[3]
        return h.superior_id(employee.id) == me.id
    return selectors.hierarchy(me.instansi_id, on).superior_id(employee.id) == me.id


def old_appraises_plan(user, plan):
    me = selectors.employee_for_user(user)
    if me is None or plan is None or me.instansi_id != plan.instansi_id:
        return False
    if plan.appraiser_id == me.pk:
        return True
    on = perf_selectors.plan_reference_date(plan.year, local_today(me.instansi))
    return selectors.hierarchy(me.instansi_id, on).superior_id(plan.employee_id) == me.pk


def old_superior_of_on(employee_id, instansi_id, day):
    h = selectors.hierarchy(instansi_id, day)
    if employee_id in h.definitif:
        return h.superior_id(employee_id)
    return act_selectors.superior_in(
        h,
        employee_id,
        day,
        act_selectors.inactive_posts(instansi_id, day, day, employee_ids=[employee_id]),
    )


def old_rates_evaluation(user, evaluation):
    me = selectors.employee_for_user(user)
    if me is None or evaluation is None or me.instansi_id != evaluation.instansi_id:
        return False
    if evaluation.rated_by_id == me.pk:
        return True
    on = min(local_today(me.instansi), evaluation.period_end)
    h = selectors.hierarchy(me.instansi_id, on)
    emp = evaluation.employee_id
    return perf_selectors.raters(me.instansi_id, evaluation.period_start, h, [emp])[emp] == me.pk


def _evaluation(inst, employee):
    return SimpleNamespace(
        instansi_id=inst.id,
        rated_by_id=None,
        employee_id=employee.id,
        period_start=D(2026, 10, 1),
        period_end=D(2026, 10, 31),
    )


# ---------------------------------------------------------------- same answers


@pytest.mark.parametrize("seed", SEEDS)
def test_activities_verifier_answers_as_before_on_random_charts(seed):
    """superior_of_on (is_verifier_of, may_verify, the objection decider's fallback), inactive
    employees (the R4 charts have some, with posts ended and begun) included."""
    inst, emps = random_chart(seed)
    found = 0
    for day in DAYS:
        for emp in emps:
            old = old_superior_of_on(emp.id, inst.id, day)
            assert act_selectors.superior_of_on(emp.id, inst.id, day) == old, (seed, day, emp.id)
            found += old is not None
    assert found


@pytest.mark.parametrize("seed", SEEDS)
def test_org_selectors_answer_as_before_on_random_charts(seed):
    inst, emps = random_chart(seed)
    rng = random.Random(seed)
    found = {"sup": 0, "subs": 0}
    for day in DAYS:
        for emp in emps:
            sup = selectors.direct_superior(emp, on=day)
            old_sup = old_direct_superior_id(emp, on=day)
            assert (sup and sup.pk) == old_sup, (seed, day, emp.id)
            old_subs = old_subordinate_ids(emp, on=day)
            by_name = list(
                Employee.objects.filter(pk__in=old_subs)
                .order_by("name")
                .values_list("pk", flat=True)
            )
            assert [s.pk for s in selectors.subordinates(emp, on=day)] == by_name, (seed, day)
            assert selectors.subordinate_count(emp, on=day) == len(old_subs)
            found["sup"] += bool(old_sup)
            found["subs"] += bool(old_subs)
            # the superior, a few others and oneself
            for other in {*rng.sample(emps, 4), emp, *(e for e in emps if e.pk == old_sup)}:
                assert selectors.is_direct_superior_of(other, emp, on=day) is (
                    old_is_direct_superior_of(other, emp, on=day)
                ), (seed, day, other.id, emp.id)
    assert found["sup"] and found["subs"]


@pytest.mark.parametrize("seed", SEEDS[:4])  # the old checks build a hierarchy per pair
def test_tpp_and_plan_permissions_answer_as_before_on_random_charts(seed):
    inst, emps = random_chart(seed)
    _with_accounts(inst, emps)
    rf = RequestFactory()
    october = Period.of(D(2026, 10, 1))
    allowed = 0
    for today in (D(2026, 10, 9), D(2026, 11, 15)):  # on: the 9th, then the month's last day
        with _travel(today):
            for viewer in emps:
                request = rf.get("/")
                request.user = viewer.user
                for employee in emps:
                    new = tpp_views._may_view_employee(request, employee, october)
                    assert new is old_may_view_employee(request, employee, october), (
                        seed,
                        today,
                        viewer.id,
                        employee.id,
                    )
                    plan = SimpleNamespace(
                        instansi_id=inst.id, appraiser_id=None, year=2026, employee_id=employee.id
                    )
                    new_plan = perf_rules.appraises_plan(viewer.user, plan)
                    assert new_plan is old_appraises_plan(viewer.user, plan)
                    allowed += new_plan and viewer.pk != employee.pk
                    evaluation = _evaluation(inst, employee)
                    assert perf_rules.rates_evaluation(viewer.user, evaluation) is (
                        old_rates_evaluation(viewer.user, evaluation)
                    ), (seed, today, viewer.id, employee.id)
    assert allowed  # the charts had superiors to find


# ---------------------------------------------------------------- bounded cost


def test_superior_questions_cost_the_same_at_any_size(rows_read, no_whole_hierarchy):  # noqa: F811
    inst, p, grow = _chart_with_elsewhere()
    today = local_today(inst)
    rf = RequestFactory()
    request = rf.get("/")
    request.user = p["kabid"].user
    october = Period.of(D(2026, 10, 1))
    plan = SimpleNamespace(
        instansi_id=inst.id, appraiser_id=None, year=today.year, employee_id=p["staf"].id
    )
    calls = {
        "direct_superior": lambda: selectors.direct_superior(p["staf"], on=today),
        "is_direct_superior_of": lambda: selectors.is_direct_superior_of(
            p["kabid"], p["staf"], on=today
        ),
        "subordinate_count": lambda: selectors.subordinate_count(p["kabid"], on=today),
        "tpp": lambda: tpp_views._may_view_employee(request, p["staf"], october),
        "plan": lambda: perf_rules.appraises_plan(p["kabid"].user, plan),
        "rates": lambda: perf_rules.rates_evaluation(p["kabid"].user, _evaluation(inst, p["staf"])),
        "verifier": lambda: act_selectors.superior_of_on(p["staf"].id, inst.id, today),
    }
    for fn in calls.values():
        fn()  # the first has_perm reads the account's roles once per request
    costs = []
    for n in (10, 300):
        grow(n)
        costs.append({name: _cost(rows_read, fn) for name, fn in calls.items()})
    assert costs[0] == costs[1], costs
    assert selectors.direct_superior(p["staf"], on=today) == p["kabid"]
    assert selectors.is_direct_superior_of(p["kabid"], p["staf"], on=today) is True
    assert selectors.is_direct_superior_of(p["kadis"], p["staf"], on=today) is False
    assert selectors.subordinate_count(p["kadis"], on=today) == 1
    assert tpp_views._may_view_employee(request, p["staf"], october) is True
    assert tpp_views._may_view_employee(request, p["kadis"], october) is False
    assert perf_rules.appraises_plan(p["kabid"].user, plan) is True
    # the post with the chain above it, the chain's holders (+ the superior's record)
    assert costs[0]["is_direct_superior_of"][0] == 2
    assert costs[0]["direct_superior"][0] == 3
    assert costs[0]["verifier"][0] == 2
    assert perf_rules.rates_evaluation(p["kabid"].user, _evaluation(inst, p["staf"])) is True
    assert perf_rules.rates_evaluation(p["kabid"].user, _evaluation(inst, p["kadis"])) is False
    assert act_selectors.superior_of_on(p["staf"].id, inst.id, today) == p["kabid"].id


def test_attendance_inbox_lists_subordinates_requests_without_the_whole_hierarchy(
    client,
    no_whole_hierarchy,  # noqa: F811
):
    inst, p, grow = _chart_with_elsewhere()
    grow(20)
    today = local_today(inst)
    lt = LeaveType.objects.filter(instansi=inst).first() or LeaveType.objects.create(
        instansi=inst, code="CT", name="Cuti Tahunan"
    )
    req = LeaveRequest.objects.create(
        instansi=inst,
        employee=p["staf"],
        leave_type=lt,
        date_from=today + dt.timedelta(days=7),
        date_to=today + dt.timedelta(days=7),
        reason="Keperluan keluarga",
        status=LeaveRequest.Status.SUBMITTED,
    )
    client.force_login(p["kabid"].user)
    response = client.get("/kehadiran/persetujuan/")
    assert response.status_code == 200
    assert req in response.context["pending_leave"]
