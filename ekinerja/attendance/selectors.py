"""Reads of attendance, set-based (a fixed number of queries whatever the number of employees).

`attendance_month(employees, period)` is what the TPP run uses: for every scheduled working day of
the month, the facts derived from the raw inputs (schedule/roster, holidays, punches, approved leave)
by derivation.derive_day. It always derives from the raw inputs, so it never depends on whether the
stored DailyAttendance rows were refreshed; the stored rows serve the pages and reports.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import zoneinfo
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction
from django.db.models import (
    Aggregate,
    BooleanField,
    Count,
    DateTimeField,
    F,
    Func,
    Max,
    Min,
    Q,
    Sum,
    Value,
)
from django.utils import timezone

from ekinerja.core import locked_months
from ekinerja.core.clock import local_today
from ekinerja.core.models import Instansi
from ekinerja.core.periods import Period
from ekinerja.core.scoping import scoped
from ekinerja.org import selectors as org
from ekinerja.org.models import Employee, Role, Unit
from ekinerja.workcal import selectors as workcal

from .derivation import DayFacts, Shift, derive_day
from .models import (
    CorrectionRequest,
    Device,
    DeviceDump,
    LeaveRequest,
    LeaveType,
    PinMapping,
    Punch,
    PunchImport,
    UnmappedPunch,
)

_IN_LIST_LIMIT = 500


def _employee_q(employees: list[Employee], field: str = "employee_id") -> Q:
    if len(employees) > _IN_LIST_LIMIT:
        return Q(instansi_id__in={e.instansi_id for e in employees})
    return Q(**{f"{field}__in": [e.id for e in employees]})


def counted_punches(qs=None):
    """Punches that count: all but flagged phone punches not (yet) accepted by the superior."""
    qs = Punch.objects.all() if qs is None else qs
    return qs.filter(Q(needs_review=False) | Q(review__accepted=True))


def punch_times(
    employees: list[Employee], start: dt.date, end: dt.date, *, by_id: bool = False
) -> dict[int, list[dt.datetime]]:
    """Counted punch times per employee, sorted, covering every window of the days in [start, end]
    (one query). `by_id`: the employees are a part of their instansi (a unit's recap): on
    PostgreSQL their punches are read by id whatever their number, not the whole instansi's (a
    Dinas Pendidikan of 9,600 in a Pemda of 20,000 read twice the punches it needed)."""
    lo = dt.datetime.combine(start - dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    hi = dt.datetime.combine(end + dt.timedelta(days=3), dt.time.min, tzinfo=dt.UTC)
    ids = {e.id for e in employees}
    out: dict[int, list[dt.datetime]] = defaultdict(list)
    postgres = connection.vendor == "postgresql"
    if by_id and postgres:
        # The instansi too: its (instansi, at) index reads the days' punches, the ids filter them
        # (by id alone, PostgreSQL scanned the whole table: a board's 5,800 of Dinas Pendidikan
        # 230 ms, 120 ms with the instansi). The ids go as one array, `= ANY(%s)`: the same plan
        # as an IN list of 5,800 parameters, without preparing each of them.
        any_id = Func(
            F("employee_id"),
            Value(sorted(ids)),
            template="%(expressions)s::bigint[])",
            arg_joiner=" = ANY(",
            output_field=BooleanField(),
        )
        who = Q(instansi_id__in={e.instansi_id for e in employees}) & Q(any_id)
    else:
        who = _employee_q(employees)
    rows = counted_punches().filter(who, at__gte=lo, at__lt=hi)
    utc = dt.UTC
    if postgres:
        # One row per employee with their punches as a sorted array (a TPP run's million punches
        # are 20,000 rows), read with a plain cursor (Django's per-row converters are not needed)
        # whose timestamptz values go through psycopg's own C loader rather than the Python one
        # Django registers: aware datetimes in the session's zone, UTC under Django.
        import psycopg

        agg = Aggregate(
            F("at"),
            function="array_agg",
            # DISTINCT: the same instant stored under two sources (a machine's push and its file
            # imported without choosing the machine, before imports skipped such lines) is one
            # punch: twice, an off day's single punch showed as both its first and last punch.
            template="%(function)s(DISTINCT %(expressions)s ORDER BY %(expressions)s)",
            output_field=DateTimeField(),
        )
        sql, params = (
            rows.order_by()
            .values("employee_id")
            .annotate(ats=agg)
            .values_list("employee_id", "ats")
            .query.sql_with_params()
        )
        with connection.cursor() as cur:
            oid = psycopg.postgres.types["timestamptz"].oid
            for fmt in (psycopg.pq.Format.TEXT, psycopg.pq.Format.BINARY):
                cur.cursor.adapters.register_loader(oid, psycopg.adapters.get_loader(oid, fmt))
            cur.execute(sql, params)
            for emp_id, ats in cur.fetchall():
                if emp_id in ids:
                    if ats[0].tzinfo is not utc:  # one loader: every element has the same zone
                        ats = [at.astimezone(utc) for at in ats]
                    out[emp_id] = ats
        return out
    for emp_id, at in rows.values_list("employee_id", "at").iterator(chunk_size=50000):
        if emp_id in ids:
            out[emp_id].append(at.astimezone(utc))
    for emp_id, lst in out.items():
        lst.sort()
        if len(lst) != len(set(lst)):  # the same instant from two sources is one punch
            out[emp_id] = sorted(set(lst))
    return out


def unmapped_pins(instansi_id: int) -> list[dict]:
    """The PINs the instansi's machines sent that are mapped to nobody, per machine: the PIN, how
    many punches are waiting, the first and last (services.unmapped_recover stores them once the
    PIN is mapped). Newest first; one query."""
    return list(
        UnmappedPunch.objects.filter(instansi_id=instansi_id, recovered_at__isnull=True)
        .values("device_id", "device__serial", "device__name", "pin")
        .annotate(count=Count("id"), first=Min("at"), last=Max("at"))
        .order_by("-last", "pin")
    )


def approved_leave_days(
    employees: list[Employee], start: dt.date, end: dt.date
) -> dict[int, dict[dt.date, str]]:
    """Employee id -> {date: leave type code} for approved leave in [start, end] (one query). Where
    (imported) requests overlap, the earliest request wins."""
    ids = {e.id for e in employees}
    out: dict[int, dict[dt.date, str]] = defaultdict(dict)
    rows = (
        LeaveRequest.objects.filter(
            _employee_q(employees),
            status=LeaveRequest.Status.APPROVED,
            date_from__lte=end,
            date_to__gte=start,
        )
        .order_by("id")
        .values_list("employee_id", "date_from", "date_to", "leave_type__code")
    )
    for emp_id, d_from, d_to, code in rows:
        if emp_id not in ids:
            continue
        day = max(d_from, start)
        last = min(d_to, end)
        while day <= last:
            out[emp_id].setdefault(day, code)
            day += dt.timedelta(days=1)
    return out


def data_cutoff(
    instansi_ids: Iterable[int], now: dt.datetime | None = None
) -> dict[int, dt.datetime]:
    """Per instansi, the time up to which every punch of everyone is known to be complete: now, or
    the earliest watermark of its active devices that have ever delivered data (one query). The
    conservative bound; the derivation itself uses data_cutoffs, per employee."""
    now = now or timezone.now()
    instansi_ids = list(instansi_ids)
    marks = dict(
        Device.objects.filter(instansi_id__in=instansi_ids, is_active=True, watermark__isnull=False)
        .values("instansi_id")
        .annotate(m=Min("watermark"))
        .values_list("instansi_id", "m")
    )
    return {i: min(now, marks[i]) if i in marks else now for i in instansi_ids}


#: A device whose watermark is further behind than this has stalled (a machine off the network, a
#: file not imported yet): it holds back only the days of the employees who use it. A device a
#: moment behind (between two polls) holds back everyone's, as it may be anyone's punch in transit.
STALLED_AFTER = dt.timedelta(hours=1)
#: Who uses a stalled device: its own PIN mappings, the employees posted in its unit, and whoever
#: punched on it in this span before its watermark.
USERS_LOOKBACK = dt.timedelta(days=14)


def device_users(
    devices: list[tuple[int, int, int | None, dt.datetime]], start: dt.date, end: dt.date
) -> dict[int, set[int]]:
    """Device id -> the employees known to use it (an empty set: nobody known), for devices given as
    (id, instansi id, unit id, watermark): the device's own PIN mappings, the definitif holders of a
    post in the device's unit during [start, end], and whoever punched on it in USERS_LOOKBACK
    before its watermark (three queries)."""
    from ekinerja.org.models import Assignment

    ids = [d[0] for d in devices]
    out: dict[int, set[int]] = {d: set() for d in ids}
    for dev, emp in PinMapping.objects.filter(device_id__in=ids).values_list(
        "device_id", "employee_id"
    ):
        out[dev].add(emp)
    marks = [d[3] for d in devices]
    for dev, emp in (
        Punch.objects.filter(
            instansi_id__in={d[1] for d in devices},
            at__gte=min(marks) - USERS_LOOKBACK,
            at__lte=max(marks),
            device_id__in=ids,
        )
        .order_by()
        .values_list("device_id", "employee_id")
        .distinct()
    ):
        out[dev].add(emp)
    by_unit: dict[int, list[int]] = defaultdict(list)
    for dev, _inst, unit, _mark in devices:
        if unit is not None:
            by_unit[unit].append(dev)
    if by_unit:
        for unit, emp in Assignment.objects.filter(
            Q(end__isnull=True) | Q(end__gte=start),
            kind=Assignment.Kind.DEFINITIF,
            position__unit_id__in=list(by_unit),
            start__lte=end,
        ).values_list("position__unit_id", "employee_id"):
            for dev in by_unit[unit]:
                out[dev].add(emp)
    return out


# A scenario file (`ekinerja scenario run`) holds every punch and leave of its month: its days are
# final whatever the wall clock says, so a month not over yet (a draft Perbup simulated on a coming
# month) is judged from the file like any other. Set around the computation by complete_data().
_COMPLETE_DATA: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "attendance_complete_data", default=False
)


_END_OF_TIME = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)  # room left for any arithmetic on it


@contextlib.contextmanager
def complete_data() -> Iterator[None]:
    """Inside: every day's data counts as complete (data_cutoffs at the end of time)."""
    token = _COMPLETE_DATA.set(True)
    try:
        yield
    finally:
        _COMPLETE_DATA.reset(token)


def data_cutoffs(
    employees: list[Employee], start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> tuple[dict[int, dt.datetime], dict[int, dt.datetime]]:
    """The time up to which punches are known to be complete, for deriving [start, end]: per
    instansi (what holds back everyone) and, where earlier, per employee (one query; four when a
    device has stalled).

    Only active devices that have delivered data and whose watermark is before both now and the
    last moment a day of the range can close (its window, end + 6 h) count. A device a moment
    behind (STALLED_AFTER) holds back everyone of its instansi. A stalled one holds back only the
    employees who use it (device_users), or everyone when nobody is known to use it; so one
    machine off the network no longer stops the stored attendance of a whole Pemda."""
    instansi_ids = {e.instansi_id for e in employees}
    if _COMPLETE_DATA.get():
        return {i: _END_OF_TIME for i in instansi_ids}, {}
    now = now or timezone.now()
    base = {i: now for i in instansi_ids}
    horizon = min(now, dt.datetime.combine(end + dt.timedelta(days=3), dt.time.min, tzinfo=dt.UTC))
    behind = list(
        Device.objects.filter(
            instansi_id__in=instansi_ids,
            is_active=True,
            watermark__isnull=False,
            watermark__lt=horizon,
        ).values_list("id", "instansi_id", "unit_id", "watermark")
    )
    stalled = []
    for row in behind:
        if now - row[3] < STALLED_AFTER:
            base[row[1]] = min(base[row[1]], row[3])
        else:
            stalled.append(row)
    per_employee: dict[int, dt.datetime] = {}
    if stalled:
        users = device_users(stalled, start, end)
        ids = {e.id for e in employees}
        for dev, inst, _unit, mark in stalled:
            who = users[dev]
            if not who:
                base[inst] = min(base[inst], mark)
            for emp in who & ids:
                per_employee[emp] = min(per_employee.get(emp, mark), mark)
    return base, per_employee


def posts_held(employees: list[Employee]) -> dict[int, list[tuple[dt.date, dt.date | None]]]:
    """Employee id -> the (start, end) of each of their definitif posts (end None: open), by start
    (one query). An employee without any definitif post on record is left out."""
    from ekinerja.org.models import Assignment

    ids = {e.id for e in employees}
    out: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    rows = (
        Assignment.objects.filter(_employee_q(employees), kind=Assignment.Kind.DEFINITIF)
        .order_by("start")
        .values_list("employee_id", "start", "end")
    )
    for emp_id, start, end in rows:
        if emp_id in ids:
            out[emp_id].append((start, end))
    return dict(out)


def _posts_counted():
    """A definitif post counts while its dates say it lasted; an inactive employee's (retired,
    dismissed, moved out of the instansi) only when its end is recorded: the flag has no date to
    stop at (as the reports' _opd_spans and the nightly job's with_days)."""
    from ekinerja.org.models import Assignment

    return Q(kind=Assignment.Kind.DEFINITIF) & (Q(employee__is_active=True) | Q(end__isnull=False))


def unit_recap_queryset(unit: Unit, start: dt.date, end: dt.date):
    """The employees who held a definitif post in the unit (or a sub-unit) on some day of
    [start, end], by name then id, as a queryset: active employees and a leaver (inactive, their
    post's end recorded) up to that end (_posts_counted). One rule for the recap
    (unit_recap_employees) and the unit's board of a day (which reads only id and instansi); the
    unit's tree is read when this is called, the employees when the queryset is."""
    from ekinerja.org.models import Assignment

    posts = Assignment.objects.filter(
        Q(end__isnull=True) | Q(end__gte=start),
        _posts_counted(),
        instansi_id=unit.instansi_id,
        position__unit_id__in=org.unit_descendant_ids(unit),
        start__lte=end,
    ).values("employee_id")
    return Employee.objects.filter(id__in=posts, instansi_id=unit.instansi_id).order_by(
        "name", "id"
    )


def unit_recap_employees(
    unit: Unit, start: dt.date, end: dt.date, *, ids_only: bool = False
) -> list[Employee] | list[int]:
    """Everyone who held a definitif post in the unit (or a sub-unit) on some day of [start, end],
    by name: active employees and a leaver (retired, dismissed on the 15th: inactive now, their
    post's end recorded) alike, so a unit's rows add up to its OPD's figures in the reports, which
    keep a leaver's days with the OPD they left (two queries: the unit's tree, the employees;
    unit_recap_queryset). `ids_only`: their ids in that order (a page reads its own hundred with
    employees_by_ids)."""
    found = unit_recap_queryset(unit, start, end)
    return list(found.values_list("id", flat=True)) if ids_only else list(found)


def employees_by_ids(ids: list[int]) -> list[Employee]:
    """The employees of `ids` (a page's hundred) in that order (one query)."""
    found = Employee.objects.in_bulk(list(ids))
    return [found[i] for i in ids if i in found]


def unit_days(
    unit: Unit, employees: list[Employee], start: dt.date, end: dt.date
) -> dict[int, list[tuple[dt.date, dt.date]]]:
    """Employee id -> the (first, last) days of [start, end] on which they held a definitif post
    in the unit or one of its sub-units, merged and in order (two queries: the unit's tree, the
    posts). An employee without such a day is left out.

    A unit's recap passes these as the posts of attendance_month, so a mover's days in another
    unit are not counted there (as the activity recap's days in the unit)."""
    from ekinerja.org.models import Assignment

    if not employees:
        return {}
    ids = {e.id for e in employees}
    # A leaver's open post (no end recorded) is no day in the unit (_posts_counted): in Python, as
    # their flag is on the employees already read.
    gone = {e.id for e in employees if not e.is_active}
    spans: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    rows = (
        Assignment.objects.filter(
            Q(end__isnull=True) | Q(end__gte=start),
            _employee_q(employees),
            instansi_id=unit.instansi_id,
            kind=Assignment.Kind.DEFINITIF,
            position__unit_id__in=org.unit_descendant_ids(unit),
            start__lte=end,
        )
        .order_by("start")
        .values_list("employee_id", "start", "end")
    )
    for emp, first, last in rows:
        if emp not in ids or (last is None and emp in gone):
            continue
        a, b = max(first, start), min(last or end, end)
        merged = spans[emp]
        if merged and a <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return dict(spans)


def _in_post(spans: list[tuple[dt.date, dt.date | None]], day: dt.date) -> bool:
    return any(s <= day and (e is None or day <= e) for s, e in spans)


@dataclass
class Inputs:
    work: dict[int, list]  # employee id -> [workcal.calendar.WorkDay]
    punches: dict[int, list[dt.datetime]]
    leave: dict[int, dict[dt.date, str]]
    cutoff: dict[int, dt.datetime]  # instansi id -> data complete up to (for everyone)
    zones: dict[int, dt.tzinfo]
    # instansi id -> {id(WorkDay): (WorkDay, Shift in UTC, window start, window end, closes at)}
    shifts: dict[int, dict] = field(default_factory=dict)
    # employee id -> data complete up to, where a stalled device they use makes it earlier
    employee_cutoff: dict[int, dt.datetime] = field(default_factory=dict)
    # With posts (posts_held), a working day on which the employee holds no definitif post is not
    # one of theirs; None: the calendar alone (the TPP run's W, tpp-rules.md "Working days W").
    posts: dict[int, list[tuple[dt.date, dt.date | None]]] | None = None


def load_inputs(
    employees: list[Employee],
    start: dt.date,
    end: dt.date,
    now=None,
    *,
    in_post: bool = False,
    posts: dict | None = None,
    by_id: bool = False,
) -> Inputs:
    """Everything derivation needs for the employees over [start, end] (thirteen queries; three
    more when a device has stalled; one more with `in_post` unless `posts` are given; `by_id`:
    punch_times')."""
    instansi_ids = {e.instansi_id for e in employees}
    zones = {
        i: zoneinfo.ZoneInfo(z)
        for i, z in Instansi.objects.filter(id__in=instansi_ids).values_list("id", "timezone")
    }
    cutoff, employee_cutoff = data_cutoffs(employees, start, end, now)
    return Inputs(
        work=workcal.work_days(employees, start, end),
        punches=punch_times(employees, start, end, by_id=by_id),
        leave=approved_leave_days(employees, start, end),
        cutoff=cutoff,
        zones=zones,
        employee_cutoff=employee_cutoff,
        posts=(posts if posts is not None else posts_held(employees)) if in_post else None,
    )


def derive_employee(
    employee: Employee,
    inputs: Inputs,
    start: dt.date,
    end: dt.date,
    *,
    all_days: bool = False,
) -> list[DayFacts]:
    """Facts for one employee from preloaded inputs: every working day, plus (with all_days) leave
    days and off days that have punches of their own (a punch inside the window of a working day,
    such as a night shift's check-out the next morning, is that day's).

    With `inputs.posts`, the working days on which the employee holds no definitif post (before
    their first, after their last, between two) are not theirs, as the TPP run's days in post
    (tpp-rules.md "Days in post"): off, or leave, with `in_post` false; never absent. An employee
    without any definitif post on record keeps the calendar as it is."""
    work = {w.date: w for w in inputs.work.get(employee.id, ())}
    spans = inputs.posts.get(employee.id) if inputs.posts is not None else None
    if spans:
        lo, hi = (min(start, min(work)), max(end, max(work))) if work else (start, end)
        if _covers(spans, lo, hi):
            spans = None  # in post on every day of the range (nearly everyone): nothing to mark
        else:
            work = {d: w for d, w in work.items() if _in_post(spans, d)}
    punches = inputs.punches.get(employee.id, [])
    leave = inputs.leave.get(employee.id, {})
    cutoff = inputs.cutoff[employee.instansi_id]
    own = inputs.employee_cutoff.get(employee.id)
    if own is not None and own < cutoff:
        cutoff = own
    tz = inputs.zones[employee.instansi_id]
    utc = dt.UTC
    before = dt.timedelta(hours=4)
    after = dt.timedelta(hours=6, microseconds=1)
    six = dt.timedelta(hours=6)
    one_day = dt.timedelta(days=1)
    # Employees on the same fixed schedule share their WorkDay objects (workcal's cache): the
    # day's shift in UTC, its punch window and when it closes are worked out once per object
    # (whether it is final depends on the employee's own cutoff).
    shifts = inputs.shifts.setdefault(employee.instansi_id, {})
    out: list[DayFacts] = []
    days = set(work) | (set(leave) if all_days else set())
    if all_days and punches:
        days |= {p.astimezone(tz).date() for p in punches}
    days = sorted(days)
    for day in days:
        if day < start or day > end:
            continue
        w = work.get(day)
        if w is not None:
            known = shifts.get(id(w))
            if known is None or known[0] is not w:
                # Everything in UTC: comparing datetimes that share one tzinfo skips utcoffset().
                s_utc, e_utc = w.start.astimezone(utc), w.end.astimezone(utc)
                known = shifts[id(w)] = (
                    w,
                    Shift(s_utc, e_utc, w.grace_minutes, w.shift),
                    s_utc - before,
                    e_utc + after,
                    e_utc + six,
                )
            _w, shift, lo_at, hi_at, closes = known
            final = closes <= cutoff
            lo = bisect_left(punches, lo_at)
            hi = bisect_left(punches, hi_at, lo)
            out.append(
                derive_day(
                    day, shift, punches[lo:hi], leave.get(day), final=final, sorted_punches=True
                )
            )
        else:
            # The off day's own punches: of its date, outside the windows of the working days
            # beside it (a night shift's check-out the next morning belongs to that shift).
            claimed = [
                (n.start - before, n.end + after)
                for n in (work.get(day - one_day), work.get(day + one_day))
                if n is not None
            ]
            local = [
                p.astimezone(tz)
                for p in punches
                if p.astimezone(tz).date() == day and not any(lo <= p < hi for lo, hi in claimed)
            ]
            if not local and day not in leave:
                continue
            final = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(6), tzinfo=tz) <= cutoff
            f = derive_day(day, None, local, leave.get(day), final=final, sorted_punches=True)
            if spans is not None and not _in_post(spans, day):
                f.in_post = False
            out.append(f)
    return out


def _covers(spans: list[tuple[dt.date, dt.date | None]], start: dt.date, end: dt.date) -> bool:
    """Whether one post covers the whole of [start, end]."""
    return any(s <= start and (e is None or e >= end) for s, e in spans)


def attendance_month(
    employees: list[Employee],
    period: Period,
    *,
    in_post: bool = False,
    posts: dict[int, list[tuple[dt.date, dt.date | None]]] | None = None,
) -> dict[int, list[DayFacts]]:
    """Employee id -> DayFacts for each scheduled working day of the month (late / early minutes,
    missing check-in / check-out, absent without notice, leave type, has_any_punch, final).

    The TPP run's W: every working day of the calendar, whatever the posts (tpp-rules.md; it
    judges only the days in post itself). With `in_post`, only the days on which the employee
    holds a definitif post (derive_employee; one more query). With `in_post` and `posts` (a unit's
    recap: unit_days), only the days of those spans instead, and no query for the posts, the
    employees being one unit's (punch_times' `by_id`)."""
    employees = list(employees)
    if not employees:
        return {}
    start, end = period.first_day, period.last_day
    inputs = load_inputs(
        employees, start, end, in_post=in_post, posts=posts, by_id=posts is not None
    )
    return {e.id: derive_employee(e, inputs, start, end) for e in employees}


def attendance_days(
    employees: list[Employee],
    start: dt.date,
    end: dt.date,
    now=None,
    *,
    posts=None,
    by_id: bool = False,
) -> dict[int, list[DayFacts]]:
    """Like attendance_month over any range, including leave days and off days with punches, and
    counting as working days only the days in post (the pages, the stored days and the reports
    read from them; `posts`: posts_held of the employees when the caller has read it already;
    `by_id`: punch_times', for the employees of one unit such as a board's). Only the employees'
    id and instansi_id are read."""
    employees = list(employees)
    if not employees:
        return {}
    # The working days either side too: a punch in their window (a night shift's check-out on the
    # morning after) is theirs, not the off day's.
    one = dt.timedelta(days=1)
    inputs = load_inputs(
        employees, start - one, end + one, now, in_post=True, posts=posts, by_id=by_id
    )
    return {e.id: derive_employee(e, inputs, start, end, all_days=True) for e in employees}


# ---------------------------------------------------------------- leave balance

ANNUAL_DAYS = 12
MAX_CARRY = 6


@dataclass(frozen=True)
class AnnualLeave:
    year: int
    entitlement: int
    used: int
    pending: int
    # The first day cuti tahunan may be taken (one year after appointment), None when unknown.
    eligible_from: dt.date | None = None
    # A cuti besar (pending or approved) starts in this year: no cuti tahunan in it (PP 11/2017
    # Pasal 316), and nothing of it is carried over.
    cuti_besar: bool = False

    @property
    def available(self) -> int:
        return max(0, self.entitlement - self.used - self.pending)

    @property
    def not_yet_eligible(self) -> bool:
        """No entitlement this year: the year of continuous service is completed only later."""
        return self.eligible_from is not None and self.eligible_from > dt.date(self.year, 12, 31)


def appointment_date(employee: Employee) -> dt.date | None:
    """The date the employee's continuous service began (TMT CPNS): the appointment year and month
    the NIP carries (digits 9-14, org.nip), on the 1st; a PPPK NIP carries the year only, so the
    first day of a definitif post that year, else 1 January. Without a readable NIP, the first day
    of their earliest post here; None when neither is known (one query at most)."""
    from ekinerja.org.models import Assignment
    from ekinerja.org.nip import NipError, parse_nip

    try:
        info = parse_nip(employee.nip)
    except NipError:
        info = None
    if info is not None and info.appointment_month is not None:
        return dt.date(info.appointment_year, info.appointment_month, 1)
    starts = Assignment.objects.filter(employee=employee).order_by("start")
    if info is not None:  # PPPK: the year only
        first = starts.filter(start__year=info.appointment_year).values_list("start", flat=True)
        return first.first() or dt.date(info.appointment_year, 1, 1)
    return starts.values_list("start", flat=True).first()


def one_year_after(day: dt.date) -> dt.date:
    """The same date a year later (29 February: 1 March)."""
    return years_after(day, 1)


#: The code of cuti besar (DEFAULT_LEAVE_TYPES in services, the TPP policy's key).
CUTI_BESAR = "cuti_besar"


def cuti_besar_years(employee: Employee, years: list[int], exclude: int | None = None) -> set[int]:
    """The years among `years` in which a pending or approved cuti besar of the employee starts
    (one query). PP 11/2017 Pasal 316: a PNS using cuti besar has no cuti tahunan that year."""
    qs = LeaveRequest.objects.filter(
        employee=employee,
        leave_type__code=CUTI_BESAR,
        date_from__year__in=years,
        status__in=[
            LeaveRequest.Status.APPROVED,
            LeaveRequest.Status.SUBMITTED,
            LeaveRequest.Status.AWAITING_BKPSDM,
        ],
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return set(qs.values_list("date_from__year", flat=True))


def years_after(day: dt.date, years: int) -> dt.date:
    """The same date `years` later (29 February: 1 March)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def _annual_used(
    employee: Employee, years: list[int], exclude: int | None = None
) -> dict[tuple[int, str], int]:
    requests = LeaveRequest.objects.all()
    if exclude is not None:
        requests = requests.exclude(pk=exclude)
    rows = (
        requests.filter(
            employee=employee,
            leave_type__annual_quota=True,
            date_from__year__in=years,
            status__in=[
                LeaveRequest.Status.APPROVED,
                LeaveRequest.Status.SUBMITTED,
                LeaveRequest.Status.AWAITING_BKPSDM,
            ],
        )
        .values_list("date_from__year", "status")
        .annotate(n=Sum("working_days"))
    )
    out: dict[tuple[int, str], int] = defaultdict(int)
    for year, status, n in rows:
        out[(year, "approved" if status == LeaveRequest.Status.APPROVED else "pending")] += n or 0
    return out


def annual_leave(
    employee: Employee,
    year: int,
    *,
    exclude: int | None = None,
    adding: tuple[int, int] | None = None,
    adding_cuti_besar: int | None = None,
) -> AnnualLeave:
    """Cuti tahunan of a year (PP 11/2017 art. 310-312): 12 working days; up to 6 unused days of the
    previous year carry over; if none was taken in the two previous years, up to 24 days in all.
    Only after one year of continuous service (art. 311(1)): nothing in a year that ends before the
    first anniversary of the appointment (appointment_date), and no carry-over from such a year.
    Carry-over counts only for years in which the employee held a position. Pending requests are
    reserved against the balance, except `exclude` (the request being decided), and also against
    what the previous years carry over (a December leave still waiting is not 'unused' for the
    January after it). `adding` (year, working days): a request being filed or decided, counted
    as pending in its year. A request is counted in the year it starts. A year in which a pending
    or approved cuti besar starts gives no cuti tahunan and carries nothing over (art. 316; the
    cuti besar counts in the year it starts, as cuti tahunan does). `adding_cuti_besar` (a year):
    a cuti besar being filed or decided that starts then; `exclude` leaves out a cuti besar too."""
    from ekinerja.org.models import Assignment

    appointed = appointment_date(employee)
    eligible_from = one_year_after(appointed) if appointed is not None else None
    big = cuti_besar_years(employee, [year - 2, year - 1, year], exclude=exclude)
    if adding_cuti_besar is not None:
        big.add(adding_cuti_besar)

    def entitled(y: int) -> bool:
        return y not in big and (eligible_from is None or eligible_from <= dt.date(y, 12, 31))

    used = _annual_used(employee, [year - 2, year - 1, year], exclude)
    if adding is not None:
        used[(adding[0], "pending")] += adding[1]
    if not entitled(year):
        return AnnualLeave(
            year=year,
            entitlement=0,
            used=used[(year, "approved")],
            pending=used[(year, "pending")],
            eligible_from=eligible_from,
            cuti_besar=year in big,
        )
    served = set()
    for start, end in Assignment.objects.filter(employee=employee).values_list("start", "end"):
        for y in (year - 2, year - 1):
            if (
                entitled(y)
                and start <= dt.date(y, 12, 31)
                and (end is None or end >= dt.date(y, 1, 1))
            ):
                served.add(y)
    entitlement = ANNUAL_DAYS

    def taken(y: int) -> int:
        return used[(y, "approved")] + used[(y, "pending")]

    prev_used = taken(year - 1)
    if year - 1 in served:
        entitlement += min(MAX_CARRY, max(0, ANNUAL_DAYS - prev_used))
        if year - 2 in served and prev_used == 0 and taken(year - 2) == 0:
            entitlement = 2 * ANNUAL_DAYS
    return AnnualLeave(
        year=year,
        entitlement=entitlement,
        used=used[(year, "approved")],
        pending=used[(year, "pending")],
        eligible_from=eligible_from,
    )


def leave_day_counts(requests: list[LeaveRequest]) -> dict[int, int]:
    """Request id -> the working days it is charged (workcal.leave_days: a shift worker's unrostered
    dates count by the base pattern), for any number of requests in eight queries."""
    if not requests:
        return {}
    by_emp: dict[int, Employee] = {}
    for r in requests:
        by_emp.setdefault(r.employee_id, r.employee)
    lo = min(r.date_from for r in requests)
    hi = max(r.date_to for r in requests)
    days = workcal.leave_days(list(by_emp.values()), lo, hi)
    out = {}
    for r in requests:
        mine = days.get(r.employee_id, [])
        out[r.pk] = bisect_left(mine, r.date_to + dt.timedelta(days=1)) - bisect_left(
            mine, r.date_from
        )
    return out


def leave_types(instansi) -> list[LeaveType]:
    return list(LeaveType.objects.filter(instansi=instansi, is_active=True).order_by("name"))


def leave_type_names(instansi, *, active_only: bool = False) -> dict[str, str]:
    """The instansi's leave types, code -> name, by name (one query). Every type by default, so a
    day of a type retired since still shows its name; `active_only` for what may be chosen now."""
    qs = LeaveType.objects.filter(instansi=instansi)
    if active_only:
        qs = qs.filter(is_active=True)
    return dict(qs.order_by("name").values_list("code", "name"))


def request_day(request) -> dt.date:
    """The day a leave or correction request is about: a leave's first day, a correction's local date."""
    if isinstance(request, LeaveRequest):
        return request.date_from
    return request.at.astimezone(zoneinfo.ZoneInfo(request.employee.instansi.timezone)).date()


def may_decide_as_superior(me: Employee | None, request) -> bool:
    """Whether `me` decides a request at the superior's step: the employee's direct superior today,
    or the approver it was addressed to (the superior on its day at submission) while they are still
    the superior on that day (a leave's first day, a corrected punch's date). A superior who has moved
    post before a future leave no longer decides it; today's superior does. Someone who becomes the
    superior only later (a head or a Plh recorded in advance) decides once in post. The inbox lists
    exactly these (decidable_as_superior); when the employee has no superior at all today, BKPSDM
    decides instead (without_superior), so no request is left waiting for nobody."""
    if me is None or me.id == request.employee_id:
        return False
    if org.is_direct_superior_of(me, request.employee, on=local_today(me.instansi)):
        return True
    return request.approver_id == me.id and org.is_direct_superior_of(
        me, request.employee, on=request_day(request)
    )


def decidable_as_superior(me: Employee, requests: list) -> list:
    """The requests (of me's instansi) that `me` may decide at the superior's step, by
    may_decide_as_superior's rule, from one hierarchy timeline (two queries) whatever their number."""
    if not requests:
        return []
    today = local_today(me.instansi)
    days = [request_day(r) for r in requests]
    timeline = org.HierarchyTimeline(me.instansi_id, min(*days, today), max(*days, today))
    now = timeline.on(today)
    return [
        r
        for r, day in zip(requests, days, strict=True)
        if r.employee_id != me.id
        and (
            now.superior_id(r.employee_id) == me.id
            or (r.approver_id == me.id and timeline.on(day).superior_id(r.employee_id) == me.id)
        )
    ]


def addressed_and_decidable(me: Employee) -> bool:
    """Whether a leave or correction request addressed to `me` still waits for `me` at the superior's
    step (two small queries; the hierarchy only when there is such a request). For the menu of
    someone who is nobody's superior today but decides the requests of days they supervised."""
    waiting = [
        *LeaveRequest.objects.filter(approver=me, status=LeaveRequest.Status.SUBMITTED),
        *CorrectionRequest.objects.filter(approver=me, status=CorrectionRequest.Status.SUBMITTED),
    ]
    return bool(decidable_as_superior(me, waiting))


def without_superior(instansi: Instansi | int, requests: list) -> list:
    """Of requests at the superior's step, those whose employee has no direct superior today (the
    top of the tree, or every post above vacant): BKPSDM decides them (two queries)."""
    if not requests:
        return []
    inst = instansi if isinstance(instansi, Instansi) else Instansi.objects.get(pk=instansi)
    now = org.hierarchy(inst.id, local_today(inst))
    return [r for r in requests if now.superior_id(r.employee_id) is None]


def has_left(user) -> bool:
    """Whether the account's employee record is inactive (retired, dismissed, moved out): its
    owner serves no more, even when the login was kept (employee_save turns it off, except a
    superuser's). An account with no employee record (an administrator) has not left. One query;
    a page of many requests asks it once and passes it on (may_revoke_leave, request_visible_to)."""
    return Employee.objects.filter(user_id=user.id, is_active=False).exists()


def _the_decider_still_serving(user, request, left: bool | None) -> bool:
    """Whether `user` decided `request` and is still serving: a decider who has since left acts no
    more as "the one who decided". `left` is has_left(user) when the caller asked it already;
    None asks it here, only for the decider (one query)."""
    if request.decided_by_id is None or request.decided_by_id != user.id:
        return False
    return not (has_left(user) if left is None else left)


def has_no_superior_today(employee: Employee) -> bool:
    """Whether `employee` has no direct superior today, so BKPSDM decides their requests at the
    superior's step (without_superior's rule for one employee): climbed from their own post
    (org.superior_walk, two queries whatever the instansi's size; the whole hierarchy of a
    20,000-employee instansi is 24,500 rows)."""
    today = local_today(employee.instansi)
    return org.superior_walk(employee.instansi_id, employee.id, on=today) is None


def may_revoke_leave(user, request, *, left: bool | None = None) -> bool:
    """Whether `user` withdraws someone's approved leave as an official (services.
    leave_request_cancel, with a reason, before its first day): the one who gave the final approval
    while still serving (_the_decider_still_serving), or BKPSDM; of the leave's instansi, never
    their own leave. `left`: has_left(user), when the caller asked it once for many leaves."""
    if request.employee.user_id is not None and request.employee.user_id == user.id:
        return False
    if user.instansi_id != request.instansi_id:
        return False
    return _the_decider_still_serving(user, request, left) or Role.BKPSDM in org.user_roles(user)


def request_visible_to(user, request, *, left: bool | None = None) -> bool:
    """Who may open a leave or correction request's attachment: the employee, BKPSDM, whoever
    decided it while still serving (_the_decider_still_serving), and whoever may decide it as
    superior (may_decide_as_superior); all of the request's instansi. `left`: has_left(user), when
    the caller asked it already."""
    if user.instansi_id != request.instansi_id:
        return False
    if request.employee.user_id == user.id or Role.BKPSDM in org.user_roles(user):
        return True
    if _the_decider_still_serving(user, request, left):
        return True
    return may_decide_as_superior(org.employee_for_user(user), request)


# --------------------------------------------------------------------------------------------------
# Counts for the leaders' reports


@dataclass(frozen=True)
class AttendanceCounts:
    scheduled: int  # working days (a leave day that is not one is left out)
    leave: int
    present: int  # some presence: on time, late, early, or one punch missing
    on_time: int  # present with both punches, neither late nor early
    late: int
    late_minutes: int
    absent: int  # tanpa keterangan


def attendance_counts(
    instansi: Instansi,
    start: dt.date,
    end: dt.date,
    *,
    employee_ids: Iterable[int] | None = None,
    per_day: bool = False,
) -> dict:
    """Employee id -> their stored daily attendance in [start, end], counted by status (one
    query); only `employee_ids` when given. `per_day`: keyed by (employee id, date) instead, each
    day counted alone by the same rules (the OPD reports split a mover's days between OPDs). Read from DailyAttendance, which the nightly job and every change to a day's inputs
    keep derived, so a whole instansi's month costs one aggregation, not a derivation.

    Only working days count as scheduled (or as leave): a leave day on a weekend, a holiday or a
    shift worker's unrostered date is stored (status leave, `working` false, for the pages) but
    counts neither as scheduled nor as leave, so the counts agree with the working days of the TPP
    run (attendance_month)."""
    from django.db.models import Count

    from .models import DailyAttendance

    st = DailyAttendance.Status
    present = [st.PRESENT, st.LATE, st.EARLY, st.LATE_EARLY, st.MISSING_IN, st.MISSING_OUT]
    working = Q(working=True) & ~Q(status=st.OFF)
    found = DailyAttendance.objects.filter(instansi=instansi, date__gte=start, date__lte=end)
    if employee_ids is not None:
        found = found.filter(employee_id__in=list(employee_ids))
    keys = ("employee_id", "date") if per_day else ("employee_id",)
    rows = (
        found.values(*keys)
        .annotate(
            scheduled=Count("id", filter=working),
            leave=Count("id", filter=working & Q(status=st.LEAVE)),
            present=Count("id", filter=Q(status__in=present)),
            on_time=Count("id", filter=Q(status=st.PRESENT)),
            # Any working day with late minutes, also one whose check-out is missing (stored as
            # missing_out): the same count as the unit's attendance recap.
            late=Count("id", filter=Q(late_minutes__gt=0) & ~Q(status=st.OFF)),
            late_minutes=Sum("late_minutes", filter=~Q(status=st.OFF)),
            absent=Count("id", filter=Q(status=st.ABSENT)),
        )
        .order_by()
        .values_list(
            *keys,
            "scheduled",
            "leave",
            "present",
            "on_time",
            "late",
            "late_minutes",
            "absent",
        )
    )
    n = len(keys)
    return {
        (row[:n] if per_day else row[0]): AttendanceCounts(*row[n:-2], row[-2] or 0, row[-1])
        for row in rows
    }


def full_day_leaves_on(days) -> dict[tuple[int, dt.date], str]:
    """For (employee id, date) pairs: the name of the employee's approved leave covering the date
    that keeps them from work, for the pairs that have one. Work done elsewhere (dinas luar, WFH:
    the types allowing a remote check-in) is not such leave. Activities refuses entries on such a
    day and does not approve them (registered by tpp.apps; one query for any number of pairs)."""
    pairs = set(days)
    if not pairs:
        return {}
    found: dict[tuple[int, dt.date], str] = {}
    rows = (
        LeaveRequest.objects.filter(
            employee_id__in={emp for emp, _ in pairs},
            status=LeaveRequest.Status.APPROVED,
            date_from__lte=max(day for _, day in pairs),
            date_to__gte=min(day for _, day in pairs),
            leave_type__allows_remote_checkin=False,
        )
        .order_by("date_from", "pk")
        .values_list("employee_id", "date_from", "date_to", "leave_type__name")
    )
    by_employee: dict[int, list[dt.date]] = {}
    for emp, day in pairs:
        by_employee.setdefault(emp, []).append(day)
    for emp, start, end, name in rows:
        for day in by_employee[emp]:
            if start <= day <= end:
                found.setdefault((emp, day), name)
    return found


def devices_behind(instansi: Instansi | int, until: dt.datetime) -> list[Device]:
    """The instansi's active fingerprint machines whose data are not complete up to `until`
    (watermark earlier), most behind first: what holds a month's attendance back from being final
    (one query). A machine broken for good is deactivated, and then holds nothing back."""
    inst = instansi.pk if isinstance(instansi, Instansi) else instansi
    return list(
        Device.objects.filter(
            instansi_id=inst, is_active=True, watermark__isnull=False, watermark__lt=until
        )
        .select_related("unit")
        .order_by("watermark", "serial")
    )


@dataclass(frozen=True)
class DeviceState:
    device: Device
    behind: bool  # data complete only up to more than STALLED_AFTER ago
    silent: bool  # never delivered anything
    problem_pushes: int  # pushes of the last 7 days with lines that were not stored

    @property
    def awaiting(self) -> bool:
        """Registered but not active yet, never having delivered: waiting for BKPSDM."""
        return not self.device.is_active and self.silent


def device_states(instansi_id: int, now: dt.datetime) -> list[DeviceState]:
    """Every machine of the instansi: the inactive ones first (a machine Kominfo registered waits
    for BKPSDM to activate it), then the active ones, the most behind first, with what needs a look
    (two queries, whatever the number of machines)."""
    devices = list(
        Device.objects.filter(instansi_id=instansi_id)
        .select_related("unit")
        .order_by("is_active", F("watermark").asc(nulls_first=True), "serial")
    )
    if not devices:
        return []
    problems = dict(
        DeviceDump.objects.filter(
            device_id__in=[d.id for d in devices], received_at__gte=now - dt.timedelta(days=7)
        )
        .exclude(error="")
        .values("device_id")
        .annotate(n=Count("id"))
        .values_list("device_id", "n")
    )
    return [
        DeviceState(
            d,
            d.is_active and d.watermark is not None and now - d.watermark > STALLED_AFTER,
            d.watermark is None,
            problems.get(d.id, 0),
        )
        for d in devices
    ]


def locked_month_employees(instansi_id: int, employee_ids: Iterable[int], period) -> set[int]:
    """Of the employees, those whose TPP of `period` is already locked (core.locked_months; one
    query with tpp)."""
    pairs = {(e, str(period)) for e in employee_ids}
    return {e for e, _m in locked_months.locked(instansi_id, pairs)}


def mark_locked_months(instansi_id: int, requests: list) -> None:
    """Sets `locked_months` (["Oktober 2026"]) on leave and correction requests whose days fall in a
    month whose TPP is already locked for the employee: deciding them changes the attendance record,
    not that pay (core.locked_months; one query for them all)."""

    def span(r):
        if isinstance(r, LeaveRequest):
            return r.employee_id, r.date_from, r.date_to
        day = request_day(r)
        return r.employee_id, day, day

    locked_months.mark(instansi_id, requests, span)


def roster_cell_name(employee_id: int, day: dt.date) -> str:
    """The roster form's field of one employee's day."""
    return f"r:{employee_id}:{day.isoformat()}"


@dataclass
class RosterGrid:
    """The roster page's grid (views.roster, and its xlsx)."""

    # Per employee: employee, cells (day, name, schedule id or None, code, options, leave type
    # name), shifts (how many are rostered), schedules (their codes).
    rows: list[dict]
    # Per shift code (by start time): the code and, per day, (day, how many are rostered on it).
    coverage: list[tuple[str, list[tuple[dt.date, int]]]]
    # Per shift schedule used (by code): code, name, its shifts.
    legend: list[tuple[str, str, list]]


def roster_grid(instansi, month, employees: list[Employee], posted=None) -> RosterGrid:
    """The grid of a workcal.selectors.RosterMonth: what is rostered (or, with `posted`, what was
    submitted, to show it again beside the problems), approved leave by its type's name, and the
    coverage per shift and day (one query for the leave, one more for the names when there is
    any). A cell without a shift schedule that day has no options, so nothing can be posted there:
    a value posted for it anyway is ignored (a leaver's day after their post's end is such a day,
    RosterMonth.gone_on). A leaver's row holds their last day in post (`in_post_until`, None for
    anyone else) and each cell whether it comes after it (`gone`: the page's and the sheet's ×)."""
    start, end = month.days[0], month.days[-1]
    leave = approved_leave_days(employees, start, end) if employees else {}
    leave_names = leave_type_names(instansi) if leave else {}
    rows = []
    for e in employees:
        on = month.schedule_on[e.id]
        had = month.rostered.get(e.id, {})
        away = leave.get(e.id, {})
        cells = []
        for day in month.days:
            sched = on.get(day)
            name = roster_cell_name(e.id, day)
            code = had.get(day, "")
            if posted is not None and sched is not None:
                code = posted.get(name, code)
            cells.append(
                {
                    "day": day,
                    "name": name,
                    "schedule": sched,
                    "code": code or "",
                    "options": month.shifts.get(sched, []) if sched else [],
                    "leave": leave_names.get(away[day], away[day]) if day in away else "",
                    "gone": month.gone_on(e.id, day),
                }
            )
        rows.append(
            {
                "employee": e,
                "in_post_until": month.in_post_until.get(e.id),
                "cells": cells,
                "shifts": sum(1 for c in cells if c["schedule"] and c["code"]),
                "schedules": sorted({month.schedules[s][0] for s in on.values()}),
            }
        )
    starts: dict[str, dt.time] = {}
    for options in month.shifts.values():
        for o in options:
            starts[o.code] = min(starts.get(o.code, o.start), o.start)
    coverage = [
        (
            code,
            [
                (day, sum(1 for r in rows if r["cells"][i]["code"] == code))
                for i, day in enumerate(month.days)
            ],
        )
        for code in sorted(starts, key=lambda c: (starts[c], c))
    ]
    legend = [
        (code, name, month.shifts.get(pk, []))
        for pk, (code, name) in sorted(month.schedules.items(), key=lambda i: i[1])
    ]
    return RosterGrid(rows, coverage, legend)


def visible_imports(user):
    """The punch import batches this account may list, open and run: BKPSDM every batch of its
    instansi; an admin OPD only the batches they uploaded themselves. A batch's checked lines were
    limited to its uploader's units when it was previewed, and two admins' units may differ, so a
    colleague's batch (even of the same unit) is not theirs to run: they upload the file again
    (repeat-safe). Anyone else's batch answers 404 like any other scoped object."""
    qs = scoped(PunchImport, user)
    if Role.BKPSDM in org.user_roles(user):
        return qs
    return qs.filter(uploaded_by=user)


def pullable_devices():
    """The machines read over the network (`attendance-pull`, tasks.pull_devices): active, with an
    IP address (a machine that pushes by itself, ADMS, has none), by serial."""
    return (
        Device.objects.filter(is_active=True)
        .exclude(ip_address="")
        .select_related("instansi")
        .order_by("serial")
    )


def import_stopped(batch: PunchImport) -> bool:
    """A batch marked running whose run has stopped (a worker lost, a request that timed out): its
    load rolled back, nothing was added, and it may be run again. A live run holds the batch's row
    lock until it is done (services.import_run), so on PostgreSQL a running batch whose row can be
    locked without waiting has no run behind it. SQLite has no row locks: there a batch still
    marked running is taken as stopped (imports run inline, inside the officer's own request, and a
    second run of a finished batch does nothing)."""
    if batch.status != PunchImport.Status.RUNNING:
        return False
    if connection.vendor != "postgresql":
        return True
    try:
        with transaction.atomic():
            still_running = list(
                PunchImport.objects.select_for_update(nowait=True)
                .filter(pk=batch.pk, status=PunchImport.Status.RUNNING)
                .values("pk")
            )
    except DatabaseError:
        return False  # locked: a run is loading it now
    return bool(still_running)


@dataclass(frozen=True)
class PunchPlace:
    """Where a punch at a given moment counts (tpp-rules.md, "Check-in and check-out"): the working
    day whose window holds it, as a check-in or check-out; `night_after`: the same date's own shift
    when it crosses midnight and the punch lies before it (a night nurse's "07:00 on the 17th" is
    the check-out of the 16th's shift, not of the 17th's)."""

    day: object | None  # workcal WorkDay
    check_out: bool = False
    night_after: object | None = None


def punch_place(employee: Employee, at: dt.datetime) -> PunchPlace:
    """The working day (of the day before and the punch's own date) whose window holds `at`, the
    latest first as the derivation reads overlapping windows. Two queries."""
    from .derivation import AFTER, BEFORE

    tz = zoneinfo.ZoneInfo(employee.instansi.timezone)
    day = at.astimezone(tz).date()
    days = sorted(
        workcal.work_days([employee], day - dt.timedelta(days=1), day).get(employee.id, ()),
        key=lambda w: w.date,
    )
    own = next((w for w in days if w.date == day), None)
    night = (
        own
        if own is not None and own.end.date() > own.start.date() and at < own.start - BEFORE
        else None
    )
    for w in reversed(days):
        if w.start - BEFORE <= at <= w.end + AFTER:
            middle = w.start + (w.end - w.start) / 2
            return PunchPlace(w, at >= middle, night if w is not own else None)
    return PunchPlace(None, False, night)
