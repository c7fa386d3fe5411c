"""What the organisation tells the apps above it when the days someone holds a definitif post change.

A day on which an employee holds no definitif post (before their first, after their last, between
two) is no working day of theirs for attendance (docs/attendance.md, "Only days in post are working
days"), so the stored daily attendance of those days depends on the posts. org sits below attendance
and may not import it: it sends `posts_changed` from every write of a definitif assignment (created,
its dates, kind or employee changed, deleted: services.assignment_save, the employee import, the
admin's delete) and attendance listens (connected in AttendanceConfig.ready). An acting (Plt/Plh)
assignment changes no day in post and sends nothing.

As workcal.signals.calendar_changed, the signal is sent when the change is written, inside the
service's transaction: a receiver that hands the work to another process must defer it to
`transaction.on_commit`.

`nips_added` likewise tells that a NIP now names an employee of the instansi (an employee created,
by the admin or the import, or whose NIP was changed): a fingerprint machine may send the NIP as its
PIN, and the lines it sent before the employee was recorded were kept as mapped to nobody;
attendance listens and recovers them (docs/attendance.md, "Getting punches in").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.dispatch import Signal

#: Sent with `instansi_id`, `employee_ids` (a sorted, non-empty list) and `start` and `end` (dates,
#: inclusive; None: unbounded on that side): the days on which these employees' being in post may
#: have changed.
posts_changed = Signal()

#: Sent with `instansi_id`, `nips` (a sorted, non-empty list) and `actor_id` (the user who made the
#: change, or None): these NIPs now name employees of the instansi.
nips_added = Signal()

#: A definitif post's first and last day (None: open-ended).
Span = tuple[dt.date, dt.date | None]


def _in_post(spans: list[Span], day: dt.date) -> bool:
    # Without any definitif post on record every day counts (attendance keeps the calendar).
    return not spans or any(s <= day and (e is None or day <= e) for s, e in spans)


def changed_days(
    before: list[Span], after: list[Span]
) -> tuple[dt.date | None, dt.date | None] | None:
    """The first and the last day on which being in post differs between two sets of one
    employee's definitif posts (None on a side: unbounded), or None when no day differs. Exact:
    only the boundaries of the posts are looked at. An employee without any post keeps every day,
    so recording their first post (or deleting their last) changes every day outside it."""
    points: set[dt.date] = set()
    for s, e in (*before, *after):
        points.add(s)
        if e is not None and e < dt.date.max:
            points.add(e + dt.timedelta(days=1))
    if not points:
        return None
    ordered = sorted(points)
    # Being in post is constant on (-inf, p0 - 1], [p0, p1 - 1], ..., [pk, +inf).
    pieces: list[tuple[dt.date | None, dt.date | None]] = []
    if ordered[0] > dt.date.min:
        pieces.append((None, ordered[0] - dt.timedelta(days=1)))
    for i, p in enumerate(ordered):
        nxt = ordered[i + 1] - dt.timedelta(days=1) if i + 1 < len(ordered) else None
        pieces.append((p, nxt))
    differ = []
    for lo, hi in pieces:
        day = lo if lo is not None else hi
        assert day is not None
        if _in_post(before, day) != _in_post(after, day):
            differ.append((lo, hi))
    if not differ:
        return None
    return differ[0][0], differ[-1][1]


def notify(
    instansi_id: int,
    employee_ids: Iterable[int],
    start: dt.date | None,
    end: dt.date | None,
    *,
    sender=None,
) -> None:
    """Tell the listeners that being in post may have changed on [start, end] for these employees.
    Nothing is sent for an empty list."""
    ids = sorted(set(employee_ids))
    if not ids:
        return
    posts_changed.send(
        sender=sender or "org", instansi_id=instansi_id, employee_ids=ids, start=start, end=end
    )


def announce(
    instansi_id: int,
    before: Mapping[int, Iterable[Span]],
    after: Mapping[int, Iterable[Span]],
    *,
    sender=None,
) -> None:
    """notify() once for a write of one instansi (one post, or a whole import): employee id -> their
    definitif posts before and after it. The employees whose days changed, over the span from the
    first to the last changed day of any of them; nothing when no day changed (a post moved to
    another position on the same dates, a transfer whose new post starts the day after the old
    one ends)."""
    ids, starts, ends = [], [], []
    for emp in set(before) | set(after):
        changed = changed_days(list(before.get(emp, ())), list(after.get(emp, ())))
        if changed is None:
            continue
        ids.append(emp)
        starts.append(changed[0])
        ends.append(changed[1])
    if not ids:
        return
    notify(
        instansi_id,
        ids,
        None if None in starts else min(starts),
        None if None in ends else max(ends),
        sender=sender,
    )


def nips_announce(
    instansi_id: int, nips: Iterable[str], *, actor_id: int | None = None, sender=None
) -> None:
    """Tell the listeners that these NIPs now name employees of the instansi (nips_added). Nothing
    is sent for an empty list."""
    clean = sorted({n.strip() for n in nips if n and n.strip()})
    if not clean:
        return
    nips_added.send(sender=sender or "org", instansi_id=instansi_id, nips=clean, actor_id=actor_id)
