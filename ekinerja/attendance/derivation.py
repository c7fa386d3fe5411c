"""The daily attendance status as a pure function: plain data in, plain data out; no ORM, no clock.

Rule (shared/spec/tpp-rules.md, "Check-in and check-out"): for a working day with hours
[start, end] (end may be on the next day), consider the punches from start - 4 h to end + 6 h
(inclusive). The check-in is the earliest of them before the midpoint of start and end, the
check-out the latest at or after the midpoint. No punch at all and no leave: absent without notice
(TK). Late minutes = check-in - start in whole (floored) minutes, counted only if greater than the
grace minutes, and then as the whole figure; early-leave minutes likewise from end - check-out.
A day covered by an approved leave has no late / early / missing / absent facts, only the leave type.
A day that is not a working day is an off day: never present, late or absent; its own punches (an
overtime Sunday, a duty on a holiday) are shown as its first and last punch.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

BEFORE = dt.timedelta(hours=4)
AFTER = dt.timedelta(hours=6)

PRESENT = "present"
LATE = "late"
EARLY = "early"
LATE_EARLY = "late_early"
MISSING_IN = "missing_in"
MISSING_OUT = "missing_out"
ABSENT = "absent"
LEAVE = "leave"
OFF = "off"


@dataclass(slots=True)
class Shift:
    """The scheduled hours of one working day (aware datetimes)."""

    start: dt.datetime
    end: dt.datetime
    grace_minutes: int = 0
    code: str | None = None


# Not frozen: a frozen dataclass sets each of its fields through object.__setattr__, which made
# building half a million facts for a TPP run several times slower. Treat instances as read-only.
@dataclass(slots=True)
class DayFacts:
    date: dt.date
    status: str
    working: bool
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    shift: str | None = None
    check_in: dt.datetime | None = None
    check_out: dt.datetime | None = None
    late_minutes: int = 0
    early_minutes: int = 0
    missing_check_in: bool = False
    missing_check_out: bool = False
    absent_without_notice: bool = False
    leave_type: str | None = None
    has_any_punch: bool = False
    final: bool = True
    # False: a day on which the employee held no definitif post (before their first, after their
    # last, between two): not one of their working days (selectors.derive_employee with posts).
    in_post: bool = True


#: The DailyAttendance columns a day's facts fill, in the order of stored_values().
STORED_COLUMNS = (
    "date",
    "status",
    "scheduled_start",
    "scheduled_end",
    "shift",
    "check_in",
    "check_out",
    "late_minutes",
    "early_minutes",
    "missing_in",
    "missing_out",
    "absent",
    "leave_type",
    "has_any_punch",
    "working",
)


def stored_values(f: DayFacts) -> tuple | None:
    """The values (STORED_COLUMNS) a derived day is stored with as a DailyAttendance row, or None
    when it is not stored: not final yet, or an off day without any punch."""
    if not f.final or (f.status == OFF and not f.has_any_punch):
        return None
    return (
        f.date,
        f.status,
        f.start,
        f.end,
        f.shift or "",
        f.check_in,
        f.check_out,
        f.late_minutes,
        f.early_minutes,
        f.missing_check_in,
        f.missing_check_out,
        f.absent_without_notice,
        f.leave_type or "",
        f.has_any_punch,
        f.working,
    )


def _whole_minutes(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 60)


def window(shift: Shift) -> tuple[dt.datetime, dt.datetime]:
    return shift.start - BEFORE, shift.end + AFTER


def derive_day(
    day: dt.date,
    shift: Shift | None,
    punches: Sequence[dt.datetime],
    leave_type: str | None = None,
    *,
    final: bool = True,
    sorted_punches: bool = False,
) -> DayFacts:
    """Derive one day. `punches` are the employee's punch times (aware; any superset of the window is
    fine; pass sorted_punches=True when they are already sorted to skip the sort). For a day that is
    not a working day (`shift` None), the punches of its own date (in their zone) are its check-in
    (the first) and check-out (the last, when there are two or more): shown, never judged."""
    ordered = punches if sorted_punches else sorted(punches)
    if shift is None:
        own = [p for p in ordered if p.date() == day] if ordered else []
        return DayFacts(
            date=day,
            status=LEAVE if leave_type else OFF,
            working=False,
            check_in=own[0] if own else None,
            check_out=own[-1] if len(own) > 1 else None,
            leave_type=leave_type,
            has_any_punch=bool(own),
            final=final,
        )
    # Positional arguments throughout: this runs for every employee-day of a TPP run.
    start, end = shift.start, shift.end
    inside = ordered[bisect_left(ordered, start - BEFORE) : bisect_right(ordered, end + AFTER)]
    if not inside and not leave_type:
        return DayFacts(
            day,
            ABSENT,
            True,
            start,
            end,
            shift.code,
            None,
            None,
            0,
            0,
            False,
            False,
            True,
            None,
            False,
            final,
        )
    # The check-in is the earliest punch before the midpoint, the check-out the latest at or after
    # it; `inside` is sorted, so the punches before the midpoint are its first `k`.
    k = bisect_left(inside, start + (end - start) / 2)
    check_in = inside[0] if k else None
    check_out = inside[-1] if k < len(inside) else None
    if leave_type:
        return DayFacts(
            day,
            LEAVE,
            True,
            start,
            end,
            shift.code,
            check_in,
            check_out,
            0,
            0,
            False,
            False,
            False,
            leave_type,
            bool(inside),
            final,
        )
    late = early = 0
    grace = shift.grace_minutes
    if check_in is not None:
        m = int((check_in - start).total_seconds() // 60)
        late = m if m > grace else 0
    if check_out is not None:
        m = int((end - check_out).total_seconds() // 60)
        early = m if m > grace else 0
    if check_in is None:
        status = MISSING_IN
    elif check_out is None:
        status = MISSING_OUT
    elif late and early:
        status = LATE_EARLY
    elif late:
        status = LATE
    elif early:
        status = EARLY
    else:
        status = PRESENT
    return DayFacts(
        day,
        status,
        True,
        start,
        end,
        shift.code,
        check_in,
        check_out,
        late,
        early,
        check_in is None,
        check_out is None,
        False,
        None,
        True,
        final,
    )
