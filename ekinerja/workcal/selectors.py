"""Reads of the work calendar, set-based: a fixed number of queries for any number of employees.

The public interface other apps code against:
- `working_days(employees, start, end)` -> {employee id: [dates]}
- `work_hours(employees, start, end)` -> {employee id: {date: (start, end)}} (aware, instansi zone)
- `work_days(employees, start, end)` -> {employee id: [calendar.WorkDay]} (also grace and shift code)
- `nth_working_day_after(employee, day, n)` -> date
- `leave_days(employees, start, end)` -> {employee id: [dates]}: the days a leave is charged on
  (working days, and for a shift worker the base pattern's days where the roster is empty)

An employee follows the schedule of their EmployeeSchedule period covering the date; without one, the
instansi's default schedule (WorkSchedule.is_default); without that, Monday to Friday 07:30-16:00.
The rule for a date being a working day is in calendar.py.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import DateField, IntegerField, Max, Q

from ekinerja.core.models import Instansi
from ekinerja.core.periods import days_after
from ekinerja.core.prepared import Param, Prepared
from ekinerja.org.models import Assignment, Employee

from . import calendar as cal
from .models import (
    EmployeeSchedule,
    Holiday,
    ScheduleDay,
    ScheduleVariant,
    Shift,
    ShiftRoster,
    WorkSchedule,
)

# Above this many employees, rows are fetched by instansi and filtered in memory rather than with a
# long `IN (...)` list.
_IN_LIST_LIMIT = 500


def _employee_filter(employees: list[Employee], field: str = "employee_id") -> Q:
    ids = [e.id for e in employees]
    if len(ids) > _IN_LIST_LIMIT:
        return Q(instansi_id__in={e.instansi_id for e in employees})
    return Q(**{f"{field}__in": ids})


def schedule_specs(instansi_ids) -> tuple[dict[int, cal.Schedule], dict[int, int]]:
    """Every schedule of the given instansi as a pure calendar.Schedule (four queries), and the
    default schedule id per instansi."""
    instansi_ids = list(instansi_ids)
    schedules = list(
        WorkSchedule.objects.filter(instansi_id__in=instansi_ids).values(
            "id",
            "instansi_id",
            "code",
            "kind",
            "grace_minutes",
            "use_national_holidays",
            "is_default",
        )
    )
    days: dict[int, dict[int, cal.Hours]] = defaultdict(dict)
    variant_days: dict[int, dict[int, cal.Hours]] = defaultdict(dict)
    for sched_id, variant_id, weekday, start, end in ScheduleDay.objects.filter(
        instansi_id__in=instansi_ids
    ).values_list("schedule_id", "variant_id", "weekday", "start", "end"):
        if variant_id is None:
            days[sched_id][weekday] = cal.Hours(start, end)
        else:
            variant_days[variant_id][weekday] = cal.Hours(start, end)
    variants: dict[int, list[cal.Variant]] = defaultdict(list)
    for vid, sched_id, name, date_from, date_to in (
        ScheduleVariant.objects.filter(instansi_id__in=instansi_ids)
        .order_by("date_from")
        .values_list("id", "schedule_id", "name", "date_from", "date_to")
    ):
        variants[sched_id].append(
            cal.Variant(date_from, date_to, dict(variant_days.get(vid, {})), name)
        )
    shifts: dict[int, dict[str, cal.Hours]] = defaultdict(dict)
    for sched_id, code, start, end in Shift.objects.filter(
        instansi_id__in=instansi_ids
    ).values_list("schedule_id", "code", "start", "end"):
        shifts[sched_id][code] = cal.Hours(start, end)
    specs: dict[int, cal.Schedule] = {}
    defaults: dict[int, int] = {}
    for s in schedules:
        specs[s["id"]] = cal.Schedule(
            kind=s["kind"],
            days=dict(days.get(s["id"], {})),
            variants=tuple(variants.get(s["id"], ())),
            shifts=dict(shifts.get(s["id"], {})),
            grace_minutes=s["grace_minutes"],
            use_national_holidays=s["use_national_holidays"],
            code=s["code"],
        )
        if s["is_default"]:
            defaults[s["instansi_id"]] = s["id"]
    return specs, defaults


#: Holiday kinds that are off only for schedules with `use_national_holidays`; any other kind
#: (regional: the instansi's own holidays) is off for every fixed schedule.
NATIONAL_KINDS = frozenset({Holiday.Kind.NATIONAL, Holiday.Kind.CUTI_BERSAMA})


def holiday_sets(instansi_ids, start: dt.date, end: dt.date) -> dict[int, cal.HolidaySet]:
    """Active holidays per instansi in [start, end] (one query), classified by kind, not by where
    the row came from: a national holiday or cuti bersama that BKPSDM added or moved by hand (an SKB
    correction) still applies only to schedules that follow national holidays."""
    national: dict[int, set[dt.date]] = defaultdict(set)
    listed: dict[int, set[dt.date]] = defaultdict(set)
    for inst, day, kind in Holiday.objects.filter(
        instansi_id__in=list(instansi_ids), is_active=True, date__gte=start, date__lte=end
    ).values_list("instansi_id", "date", "kind"):
        (national if kind in NATIONAL_KINDS else listed)[inst].add(day)
    return {
        inst: cal.HolidaySet(frozenset(national.get(inst, ())), frozenset(listed.get(inst, ())))
        for inst in instansi_ids
    }


@dataclass(frozen=True)
class InstansiCalendars:
    """What the working days of every employee of some instansi share over a date range: the zone,
    every schedule, the default schedule and the holidays (six queries). Handed to work_days or
    working_days, only the employees' own schedule periods and rosters are read (two queries), so
    a caller that computes many employees' days one by one can read it once and keep it."""

    start: dt.date
    end: dt.date
    zones: dict[int, str]
    specs: dict[int, cal.Schedule]
    defaults: dict[int, int]
    holidays: dict[int, cal.HolidaySet]

    def covers(self, instansi_ids, start: dt.date, end: dt.date) -> bool:
        return self.start <= start and end <= self.end and set(instansi_ids) <= self.zones.keys()


def instansi_calendars(instansi_ids, start: dt.date, end: dt.date) -> InstansiCalendars:
    ids = set(instansi_ids)
    zones = dict(Instansi.objects.filter(id__in=ids).values_list("id", "timezone"))
    specs, defaults = schedule_specs(ids)
    return InstansiCalendars(start, end, zones, specs, defaults, holiday_sets(ids, start, end))


_DATE, _ID = DateField(), IntegerField()
_ONE_SEGMENTS = Prepared(
    lambda: (
        EmployeeSchedule.objects.filter(
            Q(date_to__isnull=True) | Q(date_to__gte=Param("start", _DATE)),
            employee_id=Param("employee", _ID),
            date_from__lte=Param("end", _DATE),
        )
        .order_by("date_from")
        .values_list("schedule_id", "date_from", "date_to")
    )
)
_ONE_ROSTER = Prepared(
    lambda: (
        ShiftRoster.objects.filter(
            employee_id=Param("employee", _ID),
            date__gte=Param("start", _DATE),
            date__lte=Param("end", _DATE),
        )
        .order_by("date")
        .values_list("date", "shift__code")
    )
)


def work_days(
    employees: list[Employee],
    start: dt.date,
    end: dt.date,
    shared: InstansiCalendars | None = None,
    *,
    for_leave: bool = False,
) -> dict[int, list[cal.WorkDay]]:
    """Each employee's scheduled working days in [start, end] with their hours, grace minutes and shift
    code (eight queries whatever the number of employees; two with `shared` covering them). With
    `for_leave`, the days a leave is charged on (leave_days)."""
    employees = list(employees)
    if not employees:
        return {}
    ids = {e.id for e in employees}
    instansi_ids = {e.instansi_id for e in employees}
    if shared is None or not shared.covers(instansi_ids, start, end):
        shared = instansi_calendars(instansi_ids, start, end)
    zones, specs, defaults, holidays = shared.zones, shared.specs, shared.defaults, shared.holidays

    segments: dict[int, list[cal.Segment]] = defaultdict(list)
    roster: dict[int, dict[dt.date, str]] = defaultdict(dict)
    if len(employees) == 1:
        # One employee (an entry window, a deadline): the same reads, compiled once per process.
        emp_id = employees[0].id
        for sched_id, date_from, date_to in _ONE_SEGMENTS(employee=emp_id, start=start, end=end):
            segments[emp_id].append(cal.Segment(date_from, date_to, specs[sched_id]))
        for day, code in _ONE_ROSTER(employee=emp_id, start=start, end=end):
            roster[emp_id][day] = code
    else:
        for emp_id, sched_id, date_from, date_to in EmployeeSchedule.objects.filter(
            _employee_filter(employees),
            Q(date_to__isnull=True) | Q(date_to__gte=start),
            date_from__lte=end,
        ).values_list("employee_id", "schedule_id", "date_from", "date_to"):
            if emp_id in ids:
                segments[emp_id].append(cal.Segment(date_from, date_to, specs[sched_id]))
        for emp_id, day, code in ShiftRoster.objects.filter(
            _employee_filter(employees), date__gte=start, date__lte=end
        ).values_list("employee_id", "date", "shift__code"):
            if emp_id in ids:
                roster[emp_id][day] = code

    caches: dict[int, dict] = defaultdict(dict)
    tzs = {inst: zoneinfo.ZoneInfo(zone) for inst, zone in zones.items()}
    out: dict[int, list[cal.WorkDay]] = {}
    for e in employees:
        default_id = defaults.get(e.instansi_id)
        fallback = specs[default_id] if default_id else cal.BUILTIN_SCHEDULE
        out[e.id] = cal.employee_work_days(
            segments.get(e.id, ()),
            fallback,
            holidays[e.instansi_id],
            roster.get(e.id, {}),
            start,
            end,
            tzs[e.instansi_id],
            cache=caches[e.instansi_id],
            unrostered=cal.leave_days_base(fallback) if for_leave else None,
        )
    return out


def leave_days(employees: list[Employee], start: dt.date, end: dt.date) -> dict[int, list[dt.date]]:
    """Employee id -> the sorted dates in [start, end] a leave is charged on (eight queries): the
    working days, and, on a shift schedule, where the roster has no entry, the working days of the
    instansi's base pattern (calendar.leave_days_base), holidays applied. Attendance counts a leave
    request's working days (and the cuti tahunan balance) with it."""
    return {
        eid: [w.date for w in days]
        for eid, days in work_days(employees, start, end, for_leave=True).items()
    }


def working_days(
    employees: list[Employee],
    start: dt.date,
    end: dt.date,
    shared: InstansiCalendars | None = None,
) -> dict[int, list[dt.date]]:
    """Employee id -> sorted scheduled working dates in [start, end]."""
    return {
        eid: [w.date for w in days]
        for eid, days in work_days(employees, start, end, shared).items()
    }


def default_working_days(instansi: Instansi, start: dt.date, end: dt.date) -> list[dt.date]:
    """The working days in [start, end] of the instansi's default schedule (holidays and cuti
    bersama left out): what an employee with no schedule of their own works (six queries)."""
    shared = instansi_calendars([instansi.id], start, end)
    default_id = shared.defaults.get(instansi.id)
    schedule = shared.specs[default_id] if default_id else cal.BUILTIN_SCHEDULE
    days = cal.employee_work_days(
        (), schedule, shared.holidays[instansi.id], {}, start, end, shared.zones[instansi.id]
    )
    return [w.date for w in days]


def work_hours(
    employees: list[Employee], start: dt.date, end: dt.date
) -> dict[int, dict[dt.date, tuple[dt.datetime, dt.datetime]]]:
    """Employee id -> {working date: (scheduled start, scheduled end)}, aware in the instansi zone."""
    return {
        eid: {w.date: (w.start, w.end) for w in days}
        for eid, days in work_days(employees, start, end).items()
    }


def nth_working_day_after(employee: Employee, day: dt.date, n: int) -> dt.date:
    """The n-th working day strictly after `day` in the employee's own calendar (e.g. the deadline of
    the 7-working-day entry window is nth_working_day_after(emp, entry_date, 7)).

    The search widens up to 400 days ahead; if even then fewer than n working days are scheduled
    (a shift worker without a future roster), the remaining ones are counted as calendar days after
    the search horizon, so a deadline always exists and is never earlier than the schedule allows.
    """
    if n < 1:
        raise ValueError("n harus paling sedikit 1.")
    span = max(31, 3 * n + 14)
    if day == dt.date.max:
        return day
    while True:
        end = days_after(day, span)  # never past 9999-12-31: the deadline is then that day
        found = working_days([employee], day + dt.timedelta(days=1), end)[employee.id]
        if len(found) >= n:
            return found[n - 1]
        if span >= 400 or end == dt.date.max:
            return days_after(end, n - len(found))
        span = min(400, span * 4)


def year_holidays(instansi: Instansi | int, year: int, *, include_inactive: bool = False):
    """Holidays of one instansi in one year, by date (one query)."""
    qs = Holiday.objects.filter(
        instansi=instansi, date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31)
    ).order_by("date", "name")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs


def years_with_holidays(instansi_id: int, years: list[int]) -> set[int]:
    """Which of `years` hold at least one active national holiday in the instansi's calendar (one
    query): a year without any has not been filled in (holidays_seed or by hand)."""
    found = Holiday.objects.filter(
        instansi_id=instansi_id,
        is_active=True,
        kind=Holiday.Kind.NATIONAL,
        date__gte=dt.date(min(years), 1, 1),
        date__lte=dt.date(max(years), 12, 31),
    ).dates("date", "year")
    return {d.year for d in found}


@dataclass(frozen=True)
class ShiftOption:
    code: str
    name: str
    start: dt.time
    end: dt.time

    @property
    def label(self) -> str:
        """ "P · Pagi 07.00-14.00" """
        hours = f"{self.start:%H.%M}-{self.end:%H.%M}"
        return f"{self.code} · {self.name} {hours}" if self.name else f"{self.code} · {hours}"


@dataclass
class RosterMonth:
    """The roster grid of some employees over some days: which shift schedule each employee follows
    on each day (None: a fixed schedule that day, so no roster) and the shift rostered there."""

    days: list[dt.date]
    schedules: dict[int, tuple[str, str]]  # shift schedule id -> (code, name)
    shifts: dict[int, list[ShiftOption]]  # shift schedule id -> its shifts, by start
    schedule_on: dict[int, dict[dt.date, int]]  # employee id -> {day: shift schedule id}
    rostered: dict[int, dict[dt.date, str]]  # employee id -> {day: shift code}
    # A leaver (inactive, their definitif post's end recorded) whose end falls before the last
    # day: employee id -> that end. The days after it are not theirs: no schedule there (so no
    # cell, no save, no copy, no import) and nothing rostered.
    in_post_until: dict[int, dt.date] = field(default_factory=dict)

    def follows_shifts(self, employee_id: int) -> bool:
        return bool(self.schedule_on.get(employee_id))

    def gone_on(self, employee_id: int, day: dt.date) -> bool:
        """Whether `day` is after the leaver's post's end (not theirs to roster)."""
        until = self.in_post_until.get(employee_id)
        return until is not None and day > until


def roster_month(instansi: Instansi, employees: list[Employee], start: dt.date, end: dt.date):
    """For the roster page: the shift schedules the employees follow in [start, end], day by day
    (their EmployeeSchedule periods, else the instansi's default schedule), and the shifts rostered
    (four queries). A leaver among `employees` (inactive, read with is_active: the unit recap's
    rule lists them up to their definitif post's end) has the days up to that end only: after
    it they follow no schedule here and nothing is rostered (one more query, only when there is
    one; an inactive employee with no end recorded keeps the whole range)."""
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    in_post_until = leavers_in_post_until(
        instansi, [e.id for e in employees if not e.is_active], end
    )
    every = list(  # every schedule of the instansi: a handful
        WorkSchedule.objects.filter(instansi=instansi).values_list(
            "id", "kind", "is_default", "code", "name"
        )
    )
    kinds = {pk: kind for pk, kind, _d, _c, _n in every}
    default = next((pk for pk, _k, is_default, _c, _n in every if is_default), None)
    periods: dict[int, list[cal.Segment]] = defaultdict(list)
    ids = [e.id for e in employees]
    for emp, sched, date_from, date_to in (
        EmployeeSchedule.objects.filter(instansi=instansi, employee_id__in=ids, date_from__lte=end)
        .filter(Q(date_to__isnull=True) | Q(date_to__gte=start))
        .values_list("employee_id", "schedule_id", "date_from", "date_to")
    ):
        periods[emp].append(cal.Segment(date_from, date_to, sched))  # a schedule id, not a spec
    schedule_on: dict[int, dict[dt.date, int]] = {}
    for emp in ids:
        on: dict[dt.date, int] = {}
        # The same rule as work_days: a period's schedule where one covers the day, else the default.
        for lo, hi, sched in cal.schedule_pieces(periods.get(emp, ()), default, start, end):
            if sched is not None and kinds.get(sched) == WorkSchedule.Kind.SHIFT:
                hi = min(hi, in_post_until.get(emp, hi))
                on.update((d, sched) for d in days if lo <= d <= hi)
        schedule_on[emp] = on
    used = {s for on in schedule_on.values() for s in on.values()}
    shifts: dict[int, list[ShiftOption]] = defaultdict(list)
    for sched, code, name, s_start, s_end in (
        Shift.objects.filter(schedule_id__in=used)
        .order_by("schedule_id", "start", "code")
        .values_list("schedule_id", "code", "name", "start", "end")
    ):
        shifts[sched].append(ShiftOption(code, name, s_start, s_end))
    schedules = {pk: (code, name) for pk, _k, _d, code, name in every if pk in used}
    rostered: dict[int, dict[dt.date, str]] = defaultdict(dict)
    with_shifts = [e for e in ids if schedule_on[e]]
    for emp, day, code in ShiftRoster.objects.filter(
        instansi=instansi, employee_id__in=with_shifts, date__gte=start, date__lte=end
    ).values_list("employee_id", "date", "shift__code"):
        if day <= in_post_until.get(emp, day):  # a leaver's shift after their end: not theirs
            rostered[emp][day] = code
    return RosterMonth(days, schedules, dict(shifts), schedule_on, dict(rostered), in_post_until)


def leavers_in_post_until(
    instansi: Instansi, leavers: Iterable[int], end: dt.date
) -> dict[int, dt.date]:
    """Leaver id -> the last recorded end of their definitif posts, when before `end` (one query,
    none without leavers): the day their roster stops (attendance.selectors._posts_counted, the
    unit recap's rule: an inactive employee's post counts up to its recorded end). `leavers` are
    inactive employees' ids (the caller's is_active); roster_month and services.roster_set."""
    leavers = list(leavers)
    if not leavers:
        return {}
    return {
        emp: last
        for emp, last in Assignment.objects.filter(
            instansi=instansi,
            employee_id__in=leavers,
            kind=Assignment.Kind.DEFINITIF,
            end__isnull=False,
        )
        .order_by()
        .values("employee_id")
        .annotate(last=Max("end"))
        .values_list("employee_id", "last")
        if last < end
    }


def has_shift_schedules(instansi: Instansi) -> bool:
    """Whether the instansi has any shift schedule (one query)."""
    return WorkSchedule.objects.filter(instansi=instansi, kind=WorkSchedule.Kind.SHIFT).exists()
