"""The working-day calendar as a pure function: plain dataclasses in, plain dataclasses out; no ORM,
no clock.

Rule (tpp-rules.md, "Working days W"): for a fixed schedule, the dates whose weekday the schedule
lists (the variant's days when a date-ranged variant such as Ramadan covers the date), minus holidays:
the national ones (holidays of kind national and cuti bersama, seeded or added by hand) only when the
schedule has `use_national_holidays`, and the listed ones (kind regional) always. For a shift
schedule, the dates with a roster entry; holidays do not apply, shift workers follow their roster. Each working day has aware start/end datetimes in the instansi's
zone; a day whose end is at or before its start (night shift) ends on the next calendar day.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

FIXED = "fixed"
SHIFT = "shift"


@dataclass(frozen=True)
class Hours:
    start: dt.time
    end: dt.time

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def on(self, day: dt.date, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
        start = dt.datetime.combine(day, self.start, tzinfo=tz)
        end_day = day + dt.timedelta(days=1) if self.crosses_midnight else day
        return start, dt.datetime.combine(end_day, self.end, tzinfo=tz)


@dataclass(frozen=True)
class Variant:
    """Replaces the schedule's week between date_from and date_to (inclusive)."""

    date_from: dt.date
    date_to: dt.date
    days: Mapping[int, Hours]
    name: str = ""


@dataclass(frozen=True)
class Schedule:
    kind: str = FIXED
    days: Mapping[int, Hours] = field(default_factory=dict)  # weekday 0=Monday .. 6=Sunday
    variants: tuple[Variant, ...] = ()
    shifts: Mapping[str, Hours] = field(default_factory=dict)
    grace_minutes: int = 0
    use_national_holidays: bool = True
    code: str = ""

    def hours_for(self, day: dt.date) -> Hours | None:
        """The fixed hours of a date before holidays are applied (None: not a scheduled weekday)."""
        days = self.days
        for v in self.variants:
            if v.date_from <= day <= v.date_to:
                days = v.days
                break
        return days.get(day.weekday())


# Used when an employee has no schedule and the instansi has no default one: Monday to Friday.
DEFAULT_HOURS = Hours(dt.time(7, 30), dt.time(16, 0))
BUILTIN_SCHEDULE = Schedule(
    kind=FIXED, days={d: DEFAULT_HOURS for d in range(5)}, code="SENIN-JUMAT"
)


@dataclass(frozen=True)
class HolidaySet:
    """`national`: dates off only for schedules that follow national holidays (holidays of kind
    national and cuti bersama, whether seeded or added by hand). `listed`: dates off for every fixed
    schedule (kind regional: the instansi's own holidays)."""

    national: frozenset[dt.date] = frozenset()
    listed: frozenset[dt.date] = frozenset()

    def is_off(self, day: dt.date, schedule: Schedule) -> bool:
        return day in self.listed or (schedule.use_national_holidays and day in self.national)


@dataclass(frozen=True)
class Segment:
    """An employee follows `schedule` from date_from to date_to (inclusive; None = open-ended)."""

    date_from: dt.date
    date_to: dt.date | None
    schedule: Schedule


@dataclass(frozen=True)
class WorkDay:
    date: dt.date
    start: dt.datetime
    end: dt.datetime
    grace_minutes: int = 0
    shift: str | None = None
    schedule_code: str = ""


def _dates(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    # Counted, not stepped past `end`: a range ending on dt.date.max must not step beyond it.
    for n in range((end - start).days + 1):
        yield start + dt.timedelta(days=n)


def fixed_work_days(
    schedule: Schedule, holidays: HolidaySet, start: dt.date, end: dt.date, tz: dt.tzinfo
) -> dict[dt.date, WorkDay]:
    """Working days of a fixed schedule in [start, end], independent of any employee."""
    out: dict[dt.date, WorkDay] = {}
    for day in _dates(start, end):
        hours = schedule.hours_for(day)
        if hours is None or holidays.is_off(day, schedule):
            continue
        if hours.crosses_midnight and day == dt.date.max:
            continue  # would end after the last representable date
        s, e = hours.on(day, tz)
        out[day] = WorkDay(day, s, e, schedule.grace_minutes, None, schedule.code)
    return out


def shift_work_days(
    schedule: Schedule,
    roster: Mapping[dt.date, str],
    start: dt.date,
    end: dt.date,
    tz: dt.tzinfo,
) -> dict[dt.date, WorkDay]:
    """Working days of a shift schedule: the rostered dates in [start, end]. A roster code the schedule
    does not define is ignored (the roster service refuses such entries)."""
    out: dict[dt.date, WorkDay] = {}
    for day in sorted(roster):
        if not start <= day <= end:
            continue
        hours = schedule.shifts.get(roster[day])
        if hours is None or (hours.crosses_midnight and day == dt.date.max):
            continue
        s, e = hours.on(day, tz)
        out[day] = WorkDay(day, s, e, schedule.grace_minutes, roster[day], schedule.code)
    return out


def schedule_pieces(segments: Iterable, fallback, start: dt.date, end: dt.date) -> list[tuple]:
    """[start, end] cut into (first, last, schedule) pieces: the dates a segment covers follow its
    schedule (where segments overlap, the one starting first), the others `fallback`. A segment is
    anything with date_from, date_to (None: open-ended) and schedule: a Segment, or the roster
    page's (workcal.selectors.roster_month) with schedule ids."""
    pieces: list[tuple] = []
    for seg in sorted(segments, key=lambda s: s.date_from):
        lo = max(seg.date_from, start)
        hi = min(seg.date_to or end, end)
        if lo <= hi:
            pieces.append((lo, hi, seg.schedule))
    # Fill the gaps with the fallback schedule.
    filled: list[tuple] = []
    cursor = start
    one = dt.timedelta(days=1)
    for lo, hi, sched in pieces:
        lo = max(lo, cursor)
        if lo > hi:
            continue
        if cursor < lo:
            filled.append((cursor, lo - one, fallback))
        filled.append((lo, hi, sched))
        if hi >= end:  # covered to the end (which may be dt.date.max: no day after it)
            cursor = None
            break
        cursor = hi + one
    if cursor is not None and cursor <= end:
        filled.append((cursor, end, fallback))
    return filled


def employee_work_days(
    segments: Iterable[Segment],
    fallback: Schedule,
    holidays: HolidaySet,
    roster: Mapping[dt.date, str],
    start: dt.date,
    end: dt.date,
    tz: dt.tzinfo | str,
    cache: dict | None = None,
    unrostered: Schedule | None = None,
) -> list[WorkDay]:
    """An employee's working days in [start, end], sorted by date.

    Dates covered by a segment follow its schedule; dates no segment covers follow `fallback`.
    With `unrostered` (a fixed schedule), the dates of a shift schedule that have no roster entry
    follow it instead of being off: the days a leave is charged on (see leave_days_base).
    `cache` (optional, any dict) shares the fixed-schedule computation between employees that follow
    the same schedule; pass the same dict only with the same holidays, range and zone.
    """
    if isinstance(tz, str):
        tz = zoneinfo.ZoneInfo(tz)
    if start > end:
        return []
    cache = {} if cache is None else cache

    def fixed(schedule: Schedule) -> dict[dt.date, WorkDay]:
        key = id(schedule)
        if key not in cache:
            cache[key] = (schedule, fixed_work_days(schedule, holidays, start, end, tz))
        return cache[key][1]

    out: list[WorkDay] = []
    for lo, hi, sched in schedule_pieces(segments, fallback, start, end):
        if sched.kind == SHIFT:
            out.extend(shift_work_days(sched, roster, lo, hi, tz).values())
            if unrostered is not None:
                out.extend(
                    wd for d, wd in fixed(unrostered).items() if lo <= d <= hi and d not in roster
                )
        else:
            days = fixed(sched)
            if lo == start and hi == end:
                out.extend(days.values())
            else:
                out.extend(wd for d, wd in days.items() if lo <= d <= hi)
    out.sort(key=lambda w: w.date)
    return out


def leave_days_base(fallback: Schedule) -> Schedule:
    """The working pattern a shift worker's leave is charged on where the roster is empty: the
    instansi's default schedule when it is a fixed one, else Monday to Friday (BUILTIN_SCHEDULE).

    Rule (docs/attendance.md, "Leave of shift workers"): cuti is counted in working days (PP 11/2017).
    A rostered date counts as the roster says; a date without a roster entry (the roster not drawn up
    yet, or the worker left off it because of the leave) counts when it is a working day of this
    pattern, holidays applied. So a leave filed before the roster exists is charged as for an office
    worker, and drawing up the roster around the leave does not make it free."""
    return fallback if fallback.kind == FIXED else BUILTIN_SCHEDULE


def nth_after(days: Iterable[dt.date], day: dt.date, n: int) -> dt.date | None:
    """The n-th date strictly after `day` among `days` (None when there are fewer)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    count = 0
    for d in sorted(days):
        if d > day:
            count += 1
            if count == n:
                return d
    return None
