"""What the work calendar tells the apps above it when working days change.

Holidays, schedules, variants, rosters and schedule periods decide which days are working days and
their hours, and so what was derived from them: the stored daily attendance and the working days a
leave request is charged. workcal sits below those apps and may not import them, so it sends
`calendar_changed` and they listen (attendance connects in AttendanceConfig.ready).

The signal is sent when the change is written, inside the service's transaction, so a receiver that
does its work at once does it atomically with the change (and sees it); a receiver that hands the
work to another process (a Celery worker) must defer it to `transaction.on_commit`, or the worker
could read the calendar from before the change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.dispatch import Signal

#: Sent with `instansi_id`, `start` and `end` (dates, inclusive; None: unbounded on that side) and
#: `employee_ids` (a sorted list, or None: every employee of the instansi, e.g. a holiday).
calendar_changed = Signal()


def notify(
    instansi_id: int,
    start: dt.date | None,
    end: dt.date | None,
    employee_ids: Iterable[int] | None = None,
    *,
    sender=None,
) -> None:
    """Tell the listeners that working days of [start, end] may have changed for these employees
    (None: everyone of the instansi). Nothing is sent for an empty list of employees."""
    ids = None if employee_ids is None else sorted(set(employee_ids))
    if ids is not None and not ids:
        return
    calendar_changed.send(
        sender=sender or "workcal",
        instansi_id=instansi_id,
        start=start,
        end=end,
        employee_ids=ids,
    )


def notify_dates(instansi_id: int, dates: Iterable[dt.date], *, sender=None) -> None:
    """notify() for each run of consecutive dates (a holiday is one day for everyone: recomputing
    that day alone, not the span between two holidays months apart)."""
    days = sorted(set(dates))
    run_start = prev = None
    for day in days:
        if prev is not None and (day - prev).days == 1:
            prev = day
            continue
        if run_start is not None:
            notify(instansi_id, run_start, prev, sender=sender)
        run_start = prev = day
    if run_start is not None:
        notify(instansi_id, run_start, prev, sender=sender)
