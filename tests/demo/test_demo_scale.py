"""The demo at scale: the stored daily status is exactly what the attendance service computes, every
employee has a month of activities, a large demo keeps the full history only in the demo accounts'
units and computes the TPP there per unit, and the whole demo is deterministic."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict

import pytest
from django.db import transaction

from ekinerja.activities.models import ActivityEntry
from ekinerja.attendance.derivation import STORED_COLUMNS
from ekinerja.attendance.models import DailyAttendance, Punch
from ekinerja.attendance.services import daily_recompute
from ekinerja.demo import scope as demo_scope
from ekinerja.demo.attendance import generate_attendance
from ekinerja.demo.org import generate_org
from ekinerja.demo.runner import DEMO_PASSWORD, demo_generate
from ekinerja.demo.scope import history_months
from ekinerja.org.models import Employee, Unit
from ekinerja.performance.models import SkpEvaluation
from ekinerja.tpp.models import Result, Run

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 18)
STATES = {"draft", "submitted", "approved", "rejected", "returned", "expired"}


def _generate(employees=150, seed=7, generators=None):
    return demo_generate(
        code="6306",
        employees=employees,
        seed=seed,
        password=DEMO_PASSWORD,
        today=TODAY,
        generators=generators,
    )


_DAILY = ["employee_id", *STORED_COLUMNS]


def _a_joiner_of_mid_october(*, instansi, **_ignored):
    """One employee whose first (and only) definitif post starts on 15 October."""
    from ekinerja.org.models import Assignment

    one = Assignment.objects.filter(instansi=instansi, kind="definitif").order_by("id").last()
    Assignment.objects.filter(pk=one.pk).update(start=dt.date(2026, 10, 15))
    return {}


def test_stored_daily_status_is_what_daily_recompute_stores():
    result = _generate(
        generators=[
            ("org", generate_org),
            ("joiner", _a_joiner_of_mid_october),
            ("attendance", generate_attendance),
        ]
    )
    inst = result.instansi
    demo = set(DailyAttendance.objects.filter(instansi=inst).values_list(*_DAILY))
    assert len(demo) > 150 * 40
    statuses = {row[2] for row in demo}
    assert {"present", "late", "absent", "leave", "missing_out"} <= statuses
    assert any(row[5] == "M" for row in demo)  # night shifts in the hospital
    # Leave over a weekend: a stored leave day that is not a working day.
    assert any(row[2] == "leave" and row[3] is None for row in demo)
    first = history_months(TODAY)[0].first_day
    # Nobody has a day before their first definitif post (the demo's joiners were "present" on
    # the days before they started, which the app's own derivation never stores).
    from ekinerja.org.models import Assignment

    joined = {}
    for emp, start in (
        Assignment.objects.filter(instansi=inst, kind="definitif")
        .order_by("start")
        .values_list("employee_id", "start")
    ):
        joined.setdefault(emp, start)
    assert any(first < start for start in joined.values()), "the demo has a joiner"
    early = [(emp, day) for emp, day, *_ in demo if day < joined[emp]]
    assert early == []
    daily_recompute(instansi=inst, start=first, end=TODAY - dt.timedelta(days=1))
    assert set(DailyAttendance.objects.filter(instansi=inst).values_list(*_DAILY)) == demo


def test_every_employee_has_a_month_of_activities_in_every_state():
    result = _generate()
    inst = result.instansi
    month_ago = TODAY - dt.timedelta(days=30)
    dates = defaultdict(set)
    for emp, day in ActivityEntry.objects.filter(instansi=inst, date__gte=month_ago).values_list(
        "employee_id", "date"
    ):
        dates[emp].add(day)
    employees = list(Employee.objects.filter(instansi=inst).values_list("id", flat=True))
    # About 21 working days in 30, less up to three days of leave and the odd day without a post.
    assert all(len(dates[e]) >= 12 for e in employees), sorted(len(dates[e]) for e in employees)
    states = set(ActivityEntry.objects.filter(instansi=inst).values_list("status", flat=True))
    assert states == STATES
    # A small demo has the full history for everyone: the two months the TPP run computes.
    earlier, last = history_months(TODAY)[:2]
    for period in (earlier, last):
        with_entries = (
            ActivityEntry.objects.filter(
                instansi=inst, date__gte=period.first_day, date__lte=period.last_day
            )
            .values("employee_id")
            .distinct()
            .count()
        )
        assert with_entries >= 0.95 * len(employees)
    runs = {r.period: r for r in Run.objects.filter(instansi=inst)}
    assert set(runs) == {str(earlier), str(last)}
    assert runs[str(earlier)].state == Run.State.LOCKED and runs[str(earlier)].unit_id is None
    assert runs[str(last)].state == Run.State.COMPUTED and runs[str(last)].employees == 150


def test_a_large_demo_keeps_the_full_history_in_the_demo_accounts_units(monkeypatch):
    monkeypatch.setattr(demo_scope, "FULL_HISTORY_LIMIT", 100)
    lines: list[str] = []
    result = demo_generate(
        code="6306",
        employees=150,
        seed=7,
        password=DEMO_PASSWORD,
        today=TODAY,
        progress=lines.append,
    )
    inst = result.instansi
    scope = demo_scope.demo_scope(inst, 150, TODAY, result.summaries)
    assert not scope.full and scope.focus_units and scope.focus_opds
    focus = {e for e, u in scope.unit_of.items() if u in scope.focus_units}
    others = set(scope.unit_of) - focus
    assert focus and others
    first, recent = scope.history_start, scope.recent_start

    def employees_with(model, field, since, until):
        rows = model.objects.filter(
            instansi=inst, **{f"{field}__gte": since, f"{field}__lt": until}
        )
        return set(rows.values_list("employee_id", flat=True))

    # Everybody: a month of punches and of activities, in every state.
    assert len(employees_with(Punch, "at__date", recent, TODAY)) >= 0.95 * 150
    assert employees_with(ActivityEntry, "date", recent, TODAY) >= others
    assert set(ActivityEntry.objects.filter(instansi=inst).values_list("status", flat=True)) == (
        STATES
    )
    # The full history only in the focus units.
    assert not employees_with(Punch, "at__date", first, recent) & others
    assert not employees_with(ActivityEntry, "date", first, recent) & others
    assert len(employees_with(Punch, "at__date", first, recent)) >= 0.9 * len(focus)
    # TPP: unit runs for the OPDs wholly in the focus, the earlier month locked.
    earlier, last = history_months(TODAY)[:2]
    runs = list(Run.objects.filter(instansi=inst))
    assert runs and all(r.unit_id in scope.focus_opds for r in runs)
    assert {r.period for r in runs if r.state == Run.State.LOCKED} == {str(earlier)}
    assert {r.period for r in runs if r.state == Run.State.COMPUTED} == {str(last)}
    paid = set(Result.objects.filter(instansi=inst).values_list("employee_id", flat=True))
    assert paid and paid <= focus
    names = set(Unit.objects.filter(id__in=scope.focus_opds).values_list("name", flat=True))
    assert result.summaries["tpp"].units == sorted(names)
    assert any("dapat dihitung BKPSDM" in line for line in lines)


class _Rollback(Exception):
    pass


def _digest() -> dict[str, str]:
    """What a run produced (times the clock decides, such as created_at, left out)."""
    queries = {
        "entries": ActivityEntry.objects.order_by("employee_id", "date", "start_time").values_list(
            "employee__nip",
            "date",
            "start_time",
            "item__code",
            "volume",
            "status",
            "verify_by",
            "submitted_at",
            "verified_at",
            "credited_minutes",
        ),
        "punches": Punch.objects.order_by("employee__nip", "at").values_list("employee__nip", "at"),
        "daily": DailyAttendance.objects.order_by("employee__nip", "date").values_list(
            "employee__nip", "date", "status", "late_minutes", "early_minutes"
        ),
        "ratings": SkpEvaluation.objects.order_by("employee__nip", "period_start").values_list(
            "employee__nip", "period_start", "predicate"
        ),
        "tpp": Result.objects.order_by("nip", "run__period").values_list(
            "nip", "run__period", "gross", "net"
        ),
    }
    return {k: hashlib.sha256(repr(list(q)).encode()).hexdigest() for k, q in queries.items()}


def _generate_and_forget(seed: int) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        with transaction.atomic():
            _generate(employees=120, seed=seed)
            out = _digest()
            raise _Rollback
    except _Rollback:
        pass
    return out


def test_same_seed_same_demo():
    first, again, other = _generate_and_forget(7), _generate_and_forget(7), _generate_and_forget(8)
    assert first == again
    assert all(first[k] != other[k] for k in first)
