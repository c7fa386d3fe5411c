"""Demo attendance: fingerprint punches with realistic lateness, missing punches and absences, some
approved leave, and the stored daily status of every day; the RSUD's medical staff work a rotating
three-shift roster (nights included).

How long (see scope.py): in a demo of up to 1,000 employees everyone has the months from the first day
of the month two months back up to yesterday (the two months the TPP demo computes, and this month so
far); in a larger one the demo accounts' units have that, everybody else the last 30 days.

Called by the demo runner with the same keyword arguments as every generator (see runner.py).
Deterministic for a given rng and `today`.

How it stays fast (900,000 punches and 480,000 daily rows for 20,000 employees): everything is built
in memory and each table is written once with bulk.insert_tuples (executemany on SQLite, COPY on
PostgreSQL); no per-row service call, no per-employee query. The rules are still the app's: working
days come from `workcal.selectors.work_days` (the default schedule, the shift roster and the seeded
national holidays, read back after they are written), and the daily status is derived with
`attendance.derivation.derive_day` from the very punches and leave written here, exactly as
`attendance.services.daily_recompute` derives and stores it (final days only; off days only when
they have a punch); tests/demo compares the two. The schedules, holidays and leave types are made
through their services (a handful of rows); the per-employee rows (schedule periods, roster, leave,
punches, daily status) are recorded once, by the demo's own audit event.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import time
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from ekinerja.attendance import derivation
from ekinerja.attendance import selectors as att
from ekinerja.attendance.models import DailyAttendance, LeaveRequest, LeaveType, Punch
from ekinerja.attendance.services import leave_types_ensure
from ekinerja.core.models import Instansi
from ekinerja.org.models import Assignment, Employee, Position
from ekinerja.org.selectors import active_on
from ekinerja.workcal import selectors as workcal
from ekinerja.workcal.models import EmployeeSchedule, Holiday, Shift, ShiftRoster, WorkSchedule
from ekinerja.workcal.services import holidays_seed, schedule_define

from .bulk import insert_tuples
from .scope import demo_scope, history_months

# Two mornings, two afternoons, two nights, two days off.
ROTATION = ["P", "P", "S", "S", "M", "M", None, None]
LEAVE_CODES = ["sakit", "izin", "cuti_tahunan", "dinas_luar"]
SOURCE_KEY = "DEMO"
UTC = dt.UTC


@dataclass(frozen=True)
class _Emp:
    """What the calendar and derivation selectors read of an employee."""

    id: int
    instansi_id: int


def ensure_calendar(instansi: Instansi, today: dt.date) -> tuple[WorkSchedule, WorkSchedule]:
    """The demo calendar (idempotent): national holidays of the demo's years and of the next one
    (as `instansi-create` seeds them: a demo made in November or December would otherwise greet
    BKPSDM with next year's empty calendar), the default five-day schedule and the hospital's
    three-shift schedule, through the workcal services."""
    years = {p.year for p in history_months(today)} | {today.year, today.year + 1}
    for year in sorted(years):
        if not Holiday.objects.filter(instansi=instansi, date__year=year).exists():
            holidays_seed(actor=None, instansi=instansi, year=year)
    t = dt.time
    fixed = WorkSchedule.objects.filter(instansi=instansi, is_default=True).first()
    if fixed is None:
        fixed = schedule_define(
            actor=None,
            instansi=instansi,
            code="5HK",
            name="Lima hari kerja",
            days={**{d: (t(7, 30), t(16, 0)) for d in range(4)}, 4: (t(7, 30), t(16, 30))},
            is_default=True,
        )
    shift = WorkSchedule.objects.filter(instansi=instansi, code="RS-3SHIFT").first()
    if shift is None:
        shift = schedule_define(
            actor=None,
            instansi=instansi,
            code="RS-3SHIFT",
            name="Rumah sakit tiga shift",
            kind=WorkSchedule.Kind.SHIFT,
            shifts={"P": (t(7), t(14)), "S": (t(14), t(21)), "M": (t(21), t(7))},
            grace_minutes=5,
        )
    return fixed, shift


def generate_attendance(
    *,
    instansi: Instansi,
    employees: int,
    rng: random.Random,
    today: dt.date,
    progress: Callable[[str], None] | None = None,
    previous: dict | None = None,
    **_ignored,
) -> Counter:
    say = progress or (lambda _m: None)
    t0 = time.perf_counter()
    stats: Counter = Counter()
    scope = demo_scope(instansi, employees, today, previous)
    months = history_months(today)
    first = scope.history_start
    last = today - dt.timedelta(days=1)
    _fixed, shift_schedule = ensure_calendar(instansi, today)
    leave_types_ensure(instansi)
    now = timezone.now()
    inst = {"instansi_id": instansi.pk}

    # The RSUD's medical staff: on the shift schedule from the start of their history, rostered up
    # to the end of this month (so the roster page shows the weeks ahead).
    nurses = sorted(
        Assignment.objects.filter(
            active_on(today),
            instansi=instansi,
            kind=Assignment.Kind.DEFINITIF,
            position__unit__code__contains="RSUD",
            position__kind=Position.Kind.FUNGSIONAL,
        )
        .values_list("employee_id", flat=True)
        .distinct()
    )
    on_shift = set(
        EmployeeSchedule.objects.filter(instansi=instansi, employee_id__in=nurses).values_list(
            "employee_id", flat=True
        )
    )
    nurses = [e for e in nurses if e not in on_shift]
    rostered = set(nurses)
    insert_tuples(
        EmployeeSchedule,
        ("employee_id", "schedule_id", "date_from"),
        [(e, shift_schedule.pk, scope.start_for(e)) for e in nurses],
        constants=inst,
    )
    shift_ids = dict(Shift.objects.filter(schedule=shift_schedule).values_list("code", "id"))
    roster_rows = []
    roster_days = [d for p in months for d in p.days()]
    for i, e in enumerate(nurses):
        since = scope.start_for(e)
        for d in roster_days:
            code = ROTATION[(d.toordinal() + i) % len(ROTATION)]
            if code is not None and d >= since:
                roster_rows.append((e, d, shift_ids[code]))
    stats["roster"] = insert_tuples(
        ShiftRoster, ("employee_id", "date", "shift_id"), roster_rows, constants=inst
    )

    people = [
        _Emp(pk, instansi.pk)
        for pk in Employee.objects.filter(instansi=instansi, is_active=True)
        .order_by("id")
        .values_list("id", flat=True)
    ]
    if last < first or not people:
        return stats
    work = workcal.work_days(people, first, last)
    # Nobody has attendance before their first definitif post (a joiner of the 15th): the app's
    # own derivation stores none there (days in post), and an audit found the demo's joiners
    # "present" on ten days before they started.
    joined: dict[int, dt.date] = {}
    for emp, start in (
        Assignment.objects.filter(instansi=instansi, kind=Assignment.Kind.DEFINITIF)
        .order_by("start")
        .values_list("employee_id", "start")
    ):
        joined.setdefault(emp, start)
    say(f"  kalender kerja {len(people)} pegawai ({time.perf_counter() - t0:.1f} dtk)")
    types = dict(LeaveType.objects.filter(instansi=instansi).values_list("code", "id"))

    bounds = [(p.first_day, p.last_day) for p in months]
    deltas: dict[int, dt.timedelta] = {}  # offsets in seconds, built once

    def delta(seconds: int) -> dt.timedelta:
        d = deltas.get(seconds)
        if d is None:
            d = deltas[seconds] = dt.timedelta(seconds=seconds)
        return d

    spans: dict[int, tuple[dt.datetime, dt.datetime]] = {}  # id(WorkDay) -> hours in UTC

    random_, choice = rng.random, rng.choice
    punch_rows: list[tuple[int, dt.datetime]] = []
    punches: dict[int, list[dt.datetime]] = {}
    starts: dict[int, dt.date] = {}
    leave_rows = []
    leave_days: dict[int, dict[dt.date, str]] = defaultdict(dict)
    one_day = dt.timedelta(days=1)
    for e in people:
        since = starts[e.id] = max(scope.start_for(e.id), joined.get(e.id, first))
        days = work.get(e.id, [])
        dates = [w.date for w in days]
        cut = bisect.bisect_left(dates, since)
        days, dates = days[cut:], dates[cut:]
        taken: set[dt.date] = set()
        for m_first, m_last in bounds:
            lo, hi = bisect.bisect_left(dates, m_first), bisect.bisect_right(dates, m_last)
            if hi > lo and random_() < 0.12:  # some leave this month
                code = choice(LEAVE_CODES)
                at = lo + int(random_() * (hi - lo))
                span = dates[at : min(hi, at + 1 + int(random_() * 3))]
                taken.update(span)
                leave_rows.append((e.id, types[code], span[0], span[-1], len(span)))
                day = span[0]
                while day <= span[-1]:
                    leave_days[e.id].setdefault(day, code)
                    day += one_day
        habit = 0.35 if random_() > 0.85 else 0.08  # some people are often late
        mine: list[dt.datetime] = []
        for w in days:
            if taken and w.date in taken:
                continue
            r = random_()
            if r < 0.02:
                stats["absent"] += 1
                continue
            hours = spans.get(id(w))
            if hours is None:
                hours = spans[id(w)] = (w.start.astimezone(UTC), w.end.astimezone(UTC))
            # Check-in: up to 75 minutes late for some, else up to 35 minutes early.
            if random_() < habit:
                offset = 60 + int(random_() * 4500)
            else:
                offset = int(random_() * 60) - int(random_() * 2101)
            mine.append(hours[0] + delta(offset))
            if r < 0.05:
                stats["missing_out"] += 1
                continue
            # Check-out: mostly up to 40 minutes after the end, a few leave 5-60 minutes early.
            if random_() < 0.05:
                offset = int(random_() * 60) - 300 - int(random_() * 3301)
            else:
                offset = int(random_() * 2460)
            mine.append(hours[1] + delta(offset))
        mine.sort()
        punches[e.id] = mine
        punch_rows.extend([(e.id, at) for at in mine])
    stats["leave"] = insert_tuples(
        LeaveRequest,
        ("employee_id", "leave_type_id", "date_from", "date_to", "working_days"),
        leave_rows,
        constants={
            **inst,
            "reason": "Data demo",
            "status": LeaveRequest.Status.APPROVED,
            "decided_at": now,
            "created_at": now,
        },
    )
    stats["punches"] = insert_tuples(
        Punch,
        ("employee_id", "at"),
        punch_rows,
        constants={
            **inst,
            "source": Punch.Source.FINGERPRINT,
            "source_key": SOURCE_KEY,
            "created_at": now,
        },
    )
    say(
        f"  kehadiran: {stats['punches']} rekaman jari, {stats['leave']} cuti/izin "
        f"({time.perf_counter() - t0:.1f} dtk)"
    )
    del punch_rows

    # The stored daily status, derived by the attendance app's own rule from the same inputs: what
    # daily_recompute stores (final days; off days only with a punch).
    cutoff = att.data_cutoff([instansi.pk], now)
    inputs = att.Inputs(
        work=work,
        punches=punches,
        leave=leave_days,
        cutoff=cutoff,
        zones={instansi.pk: zoneinfo.ZoneInfo(instansi.timezone)},
    )
    daily = []
    shifts: dict[int, tuple] = {}  # id(WorkDay) -> hours, window, end of window (work is alive)
    t1 = time.perf_counter()
    for e in people:
        if e.id in rostered:
            facts = att.derive_employee(e, inputs, starts[e.id], last, all_days=True)
        else:
            facts = _fixed_days(
                work.get(e.id, ()),
                punches[e.id],
                leave_days.get(e.id, {}),
                (starts[e.id], last),
                cutoff[e.instansi_id],
                inputs.zones[e.instansi_id],
                shifts,
            )
        for f in facts:
            values = derivation.stored_values(f)
            if values is not None:
                daily.append((e.id, *values))
    say(f"  status harian diturunkan ({time.perf_counter() - t1:.1f} dtk)")
    stats["days"] = insert_tuples(
        DailyAttendance,
        ("employee_id", *derivation.STORED_COLUMNS),
        daily,
        constants={**inst, "computed_at": now},
    )
    say(
        f"  kehadiran harian: {stats['days']} baris, {first} s.d. {last}"
        + ("" if scope.full else f" (unit akun contoh; pegawai lain sejak {scope.recent_start})")
        + f" ({time.perf_counter() - t0:.1f} dtk)"
    )
    return stats


_BEFORE, _AFTER = dt.timedelta(hours=4), dt.timedelta(hours=6)


def _fixed_days(
    days,
    punches: list[dt.datetime],
    leave: dict[dt.date, str],
    span: tuple[dt.date, dt.date],
    cutoff: dt.datetime,
    tz: dt.tzinfo,
    shifts: dict,
) -> list:
    """attendance.selectors.derive_employee(all_days=True) over `span` for an employee on a fixed
    schedule, whose every punch lies on a working day (the days to derive are the working days and
    the leave days): the same derive_day calls, with each working day's hours, window and finality
    worked out once for everyone who shares the schedule rather than once per employee."""
    out = []
    derive = derivation.derive_day
    since, until = span
    on_leave = sorted(d for d in leave if since <= d <= until)
    at_work = {w.date for w in days} if on_leave else set()
    extra = [d for d in on_leave if d not in at_work]  # leave days that are not working days
    for w in days:
        while extra and extra[0] < w.date:
            out.append(_off_day(extra.pop(0), punches, leave, cutoff, tz))
        if w.date < since or w.date > until:
            continue
        known = shifts.get(id(w))
        if known is None:
            s_utc, e_utc = w.start.astimezone(UTC), w.end.astimezone(UTC)
            known = shifts[id(w)] = (
                derivation.Shift(s_utc, e_utc, w.grace_minutes, w.shift),
                s_utc - _BEFORE,
                e_utc + _AFTER + dt.timedelta(microseconds=1),
                e_utc + _AFTER,
            )
        shift, lo, hi, closes = known
        inside = punches[bisect.bisect_left(punches, lo) : bisect.bisect_left(punches, hi)]
        out.append(
            derive(
                w.date,
                shift,
                inside,
                leave.get(w.date),
                final=closes <= cutoff,
                sorted_punches=True,
            )
        )
    out.extend(_off_day(d, punches, leave, cutoff, tz) for d in extra)
    return out


def _off_day(day, punches, leave, cutoff, tz):
    """A day that is not a working day, as derive_employee derives it."""
    local = [p.astimezone(tz) for p in punches if p.astimezone(tz).date() == day]
    final = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(6), tzinfo=tz) <= cutoff
    return derivation.derive_day(day, None, local, leave.get(day), final=final, sorted_punches=True)
