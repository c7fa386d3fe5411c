"""Reads behind the leaders' dashboard and the workload analysis (docs/reports.md).

One month of a whole instansi in a fixed number of set-based queries, whatever the number of
employees or OPDs: the unit tree, who holds which post on the reference day, the stored daily
attendance and the approved activity minutes aggregated per employee (per day for the few whose
definitif posts changed during the month, so each day counts for the OPD of that day's post), the
SKP predicates, the month's computed TPP per unit, the policy in force and the default calendar.
Everything is then summed per OPD in memory and handed to the pure reports.indicators.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from ekinerja.activities import selectors as activities
from ekinerja.attendance import selectors as attendance
from ekinerja.attendance.models import DailyAttendance
from ekinerja.core import generations
from ekinerja.core.models import Instansi
from ekinerja.core.periods import Period
from ekinerja.org import selectors as org
from ekinerja.org.models import Assignment, Unit
from ekinerja.performance import selectors as performance
from ekinerja.tpp import selectors as tpp
from ekinerja.tpp.policy import policy_from_dict
from ekinerja.workcal import selectors as workcal

from .indicators import OpdCounts

# Permendagri 12/2008: 1.250 effective working hours a year, i.e. 75,000 minutes, 6,250 a month.
# Used when no TPP policy is in force for the month.
ABK_MONTHLY_MINUTES = Decimal(6250)


@dataclass(frozen=True)
class OpdMonth:
    period: Period
    staff_day: dt.date  # posts and headcounts as on this day
    data_end: dt.date | None  # attendance and activities counted up to this day; None: none yet
    working_days: int  # of the default schedule in the month
    counted_days: int  # of those, up to data_end
    full_target: Decimal  # one employee's activity target over the whole month
    target: Decimal  # over the counted days
    target_source: str
    computed: bool  # the month has computed TPP results
    counts: list[OpdCounts]
    computed_at: dt.datetime | None = None  # when these figures were read from the database
    tpp_final: bool = False  # every computed list of the month is locked: its TPP will not change
    # The first working day the nightly derivation has not stored yet (its absences without notice
    # are unknown), when that holds the counted days back; None: nothing waits.
    awaiting_derivation: dt.date | None = None
    ended: bool = False  # the month is over (its figures may still wait for its last nights)

    @property
    def complete(self) -> bool:
        return self.data_end == self.period.last_day


def _target(instansi: Instansi, period: Period, working_days: int) -> tuple[Decimal, str]:
    row = tpp.policy_for(instansi, period)
    if row is None:
        return ABK_MONTHLY_MINUTES, "standar ABK (1.250 jam efektif setahun)"
    rules = policy_from_dict(row.data).activity
    if rules.monthly_target_minutes is not None:
        return rules.monthly_target_minutes, f"target bulanan kebijakan TPP {row.name}"
    return (
        rules.daily_target_minutes * working_days,
        f"target harian kebijakan TPP {row.name} x {working_days} hari kerja",
    )


#: The nightly job (attendance.tasks.nightly_recompute) derives again this many days back; a day
#: older than that is as stored, whatever the stored rows look like.
NIGHTLY_LOOKBACK_DAYS = 7


def _derived_through(
    instansi: Instansi, recent: list[dt.date], end: dt.date, headcount: int
) -> dt.date | None:
    """The first of the `recent` working days (the nightly job's look-back, up to `end`) that the
    nightly derivation has not stored yet, or None when none waits (one query).

    Only the nightly run (or `ekinerja attendance-recompute`) stores a day for everyone, a day
    without any punch as "tanpa keterangan"; before it a finished day holds only the few employees
    whose inputs changed after it closed (a late punch, a leave decided), so it would read better
    than it was. A working day counts as stored once it holds a row for at least half the
    employees in post (a whole-instansi run stores one for nearly everyone: present, absent or on
    leave); the days after the last such day wait. An instansi without a single stored day in the
    look-back (not recording attendance in e-Kinerja, or no nightly job at all) is not held back:
    nothing would ever come (docs/reports.md)."""
    days = [d for d in recent if d <= end]
    if not days or not headcount:
        return None
    rows = dict(
        DailyAttendance.objects.filter(instansi=instansi, date__gte=days[0], date__lte=days[-1])
        .values("date")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("date", "n")
    )
    if not rows:
        return None
    stored = [d for d in days if rows.get(d, 0) * 2 >= headcount]
    waiting = [d for d in days if not stored or d > stored[-1]]
    return waiting[0] if waiting else None


def _opd_spans(
    instansi: Instansi, start: dt.date, end: dt.date, upto: dt.date, opd_of
) -> dict[int, list[tuple[dt.date, dt.date, int]]]:
    """Employee id -> the (first, last, OPD) of their definitif posts within [start, end], by first
    day, for the employees whose definitif posts began or ended within [start, upto] (the days
    counted and the headcount's day): the others held the same post all along (one query). The
    same posts as org.staffing: an inactive employee's only while its dates say it lasted."""
    definitif = Assignment.objects.filter(instansi=instansi, kind=Assignment.Kind.DEFINITIF)
    changed = definitif.filter(
        Q(start__gt=start, start__lte=upto) | Q(end__gte=start, end__lt=upto)
    ).values("employee_id")
    out: dict[int, list[tuple[dt.date, dt.date, int]]] = defaultdict(list)
    for emp, unit, first, last in (
        definitif.filter(
            Q(end__isnull=True) | Q(end__gte=start),
            Q(employee__is_active=True) | Q(end__isnull=False),
            start__lte=end,
            employee_id__in=changed,
        )
        .order_by("start")
        .values_list("employee_id", "position__unit_id", "start", "end")
    ):
        out[emp].append((max(first, start), min(last or end, end), opd_of(unit)))
    return out


def _wholly_in(spans: list[tuple[dt.date, dt.date, int]], opd: int, start, end) -> bool:
    """The spans are one OPD's, `opd`, without a gap over [start, end]."""
    day = start
    for first, last, unit in spans:
        if unit != opd or first > day:
            return False
        day = max(day, last + dt.timedelta(days=1))
    return day > end


def _add_counts(a: dict, c) -> None:
    """Add one employee's (or one day's) attendance counts to an OPD's."""
    a["scheduled_days"] += c.scheduled
    a["leave_days"] += c.leave
    a["present_days"] += c.present
    a["on_time_days"] += c.on_time
    a["late_days"] += c.late
    a["late_minutes"] += c.late_minutes
    a["absent_days"] += c.absent


def _days_by_opd(
    instansi: Instansi,
    spans: dict[int, list[tuple[dt.date, dt.date, int]]],
    start: dt.date,
    end: dt.date,
) -> dict[int, dict[str, int]]:
    """OPD id -> the attendance counts of these employees' stored days in [start, end], each day
    for the OPD of the post held on it; a day without a post counts nowhere (one query, for the
    few who moved, joined or left during the month; attendance.attendance_counts per day, so the
    same rules)."""
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    days = attendance.attendance_counts(instansi, start, end, employee_ids=spans, per_day=True)
    for (emp, day), c in days.items():
        opd = _opd_on(spans[emp], day)
        if opd is not None:
            _add_counts(out[opd], c)
    return out


def _opd_on(spans: list[tuple[dt.date, dt.date, int]], day: dt.date) -> int | None:
    """The OPD of the definitif post held on `day`, None without one."""
    return next((u for first, last, u in spans if first <= day <= last), None)


def _minutes_by_opd(
    instansi: Instansi,
    spans: dict[int, list[tuple[dt.date, dt.date, int]]],
    start: dt.date,
    end: dt.date,
) -> dict[int, dict[int, tuple[int, int]]]:
    """Employee id -> OPD id -> (approved minutes, entries waiting) of these employees' entries
    dated in [start, end], each day for the OPD of the post held on it; a day without a post
    counts nowhere (one query, for the few who moved, joined or left during the month;
    activities.minutes_by_employee per day, so the same figures)."""
    out: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    days = activities.minutes_by_employee(instansi, start, end, employee_ids=spans, per_day=True)
    for (emp, day), (done, pending) in days.items():
        opd = _opd_on(spans[emp], day)
        if opd is not None:
            before = out[emp].get(opd, (0, 0))
            out[emp][opd] = (before[0] + done, before[1] + pending)
    return out


def _targets_by_opd(
    spans: list[tuple[dt.date, dt.date, int]], counted: list[dt.date], cumulative: list[int]
) -> dict[int, int]:
    """OPD id -> one employee's activity target for the counted working days (`counted`, in
    order) on which they held a definitif post there. `cumulative[k]` is the target of k working
    days (whole minutes, half up); each day adds cumulative[k] - cumulative[k - 1] for the k-th
    day in post, so the shares add up to exactly the target of all the days in post (a joiner's,
    a whole month's) and one OPD's share is never rounded twice."""
    out: dict[int, int] = defaultdict(int)
    k = 0
    for day in counted:
        opd = _opd_on(spans, day)
        if opd is None:
            continue
        k += 1
        out[opd] += cumulative[k] - cumulative[k - 1]
    return out


def opd_month(instansi: Instansi, period: Period, today: dt.date) -> OpdMonth:
    """Every OPD's counts for `period` as of `today`: posts on the month's last day (today in the
    current month), attendance and activities up to the month's last day (yesterday in the current
    month: today is not over), or up to the day before the first working day the nightly
    derivation has not stored yet. Each stored day of attendance, each day's approved activity
    minutes and each working day's share of the activity target count for the OPD of the
    definitif post held on that day (a leaver's days stay with the OPD they left, a mover's are
    split); headcounts, SKP and TPP count for the OPD of the post on the last day."""
    staff_day = min(period.last_day, today)
    data_end: dt.date | None = min(period.last_day, today - dt.timedelta(days=1))
    lookback = today - dt.timedelta(days=NIGHTLY_LOOKBACK_DAYS + 1)
    tree = tpp.UnitTree.load(instansi)
    opds = {uid for uid, kind in tree.kind.items() if kind == Unit.Kind.OPD}
    opd_cache: dict[int, int] = {}

    def opd_of(unit_id: int) -> int:
        if unit_id not in opd_cache:
            opd_cache[unit_id] = tree.opd_of(unit_id)
        return opd_cache[unit_id]

    staff = org.staffing(instansi, on=staff_day, since=period.first_day)
    # One calendar read for the month and the nightly job's look-back before it.
    calendar = workcal.default_working_days(
        instansi, min(period.first_day, lookback), period.last_day
    )
    days = [d for d in calendar if d >= period.first_day]
    awaiting = (
        _derived_through(
            instansi, [d for d in calendar if d >= lookback], data_end, len(staff.definitif)
        )
        if data_end >= period.first_day  # else nothing is counted anyway (a month's 1st)
        else None
    )
    if awaiting is not None:
        data_end = awaiting - dt.timedelta(days=1)
    if data_end < period.first_day:
        data_end = None
    counted = sum(1 for d in days if data_end is not None and d <= data_end)
    full, source = _target(instansi, period, len(days))
    # One employee's target over the counted days, in whole minutes (half up).
    target = (
        (full * counted / len(days)).quantize(Decimal(1), ROUND_HALF_UP) if days else Decimal(0)
    )
    moved: dict[int, dict[str, int]] = {}
    split: dict[int, list[tuple[dt.date, dt.date, int]]] = {}
    split_minutes: dict[int, dict[int, tuple[int, int]]] = {}
    if data_end is not None:
        att = attendance.attendance_counts(instansi, period.first_day, data_end)
        minutes = activities.minutes_by_employee(instansi, period.first_day, data_end)
        # Who was not in one OPD all through the counted days (moved, joined, left): their days
        # are counted day by day, each for the OPD of that day: attendance, activity minutes and
        # the target's working days alike.
        spans = _opd_spans(instansi, period.first_day, data_end, staff_day, opd_of)
        split = {
            emp: s
            for emp, s in spans.items()
            if not (
                emp in staff.definitif
                and _wholly_in(s, opd_of(staff.definitif[emp]), period.first_day, data_end)
            )
        }
        # The per-day reads only for those with something to read (none: no query).
        with_days = {emp: s for emp, s in split.items() if emp in att}
        if with_days:
            moved = _days_by_opd(instansi, with_days, period.first_day, data_end)
            att = {emp: c for emp, c in att.items() if emp not in with_days}
        with_entries = {emp: s for emp, s in split.items() if emp in minutes}
        if with_entries:
            split_minutes = _minutes_by_opd(instansi, with_entries, period.first_day, data_end)
    else:
        att, minutes = {}, {}
    sums = tpp.computed_sums_by_unit(instansi, period)
    predicates = performance.predicates_of_instansi(instansi, period)

    # Whole minutes (the target is one), as ints in the loop: 20,000 employees, no Decimal per one.
    whole_target = int(target)
    # Someone in post only from the 26th carries the target of the counted days from then on, worked
    # out once per first day (half up, as the month's).
    joined_target: dict[dt.date, int] = {}

    def target_from(first: dt.date) -> int:
        if first <= period.first_day:
            return whole_target
        if first not in joined_target:
            n = sum(1 for d in days if first <= d and data_end is not None and d <= data_end)
            joined_target[first] = int(
                (full * n / len(days)).quantize(Decimal(1), ROUND_HALF_UP) if days else 0
            )
        return joined_target[first]

    acc: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for pos, unit in staff.position_units.items():
        a = acc[opd_of(unit)]
        a["positions"] += 1
        if pos not in staff.held:
            a["vacant"] += 1
    for unit in staff.acting_units:
        acc[opd_of(unit)]["acting"] += 1
    for emp, unit in staff.definitif.items():
        a = acc[opd_of(unit)]
        a["employees"] += 1
        c = att.get(emp)
        if c is not None:
            _add_counts(a, c)
        predicate = predicates.get(emp)
        if predicate:
            a[f"skp_{predicate}"] += 1
        if emp in split:
            continue  # their minutes and target day by day, below
        done, pending = minutes.get(emp, (0, 0))
        a["approved_minutes"] += done
        a["pending_entries"] += pending
        own_target = target_from(staff.in_post_from.get(emp, period.first_day))
        a["achieved_minutes"] += min(done, own_target)
        a["target_minutes"] += own_target
    if split:
        # Those who moved, joined or left: each OPD gets the minutes of their days there and the
        # target of the working days they held a post there (min per OPD, as per employee).
        counted_list = [d for d in days if data_end is not None and d <= data_end]
        cumulative = [
            int((full * k / len(days)).quantize(Decimal(1), ROUND_HALF_UP)) if days else 0
            for k in range(len(counted_list) + 1)
        ]
        for emp, s in split.items():
            targets = _targets_by_opd(s, counted_list, cumulative)
            theirs = split_minutes.get(emp, {})
            for opd in targets.keys() | theirs.keys():
                a = acc[opd]
                done, pending = theirs.get(opd, (0, 0))
                own_target = targets.get(opd, 0)
                a["approved_minutes"] += done
                a["pending_entries"] += pending
                a["achieved_minutes"] += min(done, own_target)
                a["target_minutes"] += own_target
    for opd, counted_days in moved.items():
        a = acc[opd]
        for key, n in counted_days.items():
            a[key] += n
    for unit, (ceiling, gross) in sums.items():
        a = acc[opd_of(unit)]
        a["ceiling"] += ceiling
        a["gross"] += gross

    for a in acc.values():
        for key in ("achieved_minutes", "target_minutes"):
            if key in a:
                a[key] = Decimal(a[key])
    # A figure never added keeps OpdCounts' default (ceiling and gross: None, not computed).
    counts = [
        OpdCounts(
            unit_id=uid,
            code=tree.code.get(uid, ""),
            name=tree.name.get(uid, ""),
            **acc.get(uid, {}),
        )
        for uid in sorted(opds | set(acc), key=lambda u: (tree.code.get(u, ""), u))
    ]
    return OpdMonth(
        period=period,
        staff_day=staff_day,
        data_end=data_end,
        working_days=len(days),
        counted_days=counted,
        full_target=full,
        target=target,
        target_source=source,
        computed=bool(sums),
        counts=counts,
        computed_at=timezone.now(),
        tpp_final=bool(sums) and not tpp.unlocked_lists_of(instansi, period),
        awaiting_derivation=awaiting,
        ended=today > period.last_day,
    )


# --------------------------------------------------------------------------------------------------
# The month's figures kept in the shared cache (docs/reports.md, "Cost")
#
# One month of a 20,000-employee instansi reads some 400,000 stored days and as many activity
# entries (1-3 s), and a leader moves between the ranking, the workload analysis and their
# spreadsheets. The per-OPD counts (a few kilobytes) are kept for CACHE_SECONDS under the
# instansi's generation, which reports.signals bumps after the changes a leader expects to see at
# once (a TPP run computed or locked, a policy, posts and units, the calendar, SKP ratings, a
# punch import, a scenario loaded). The steady streams (entries verified, punches arriving, leave
# decided, the nightly derivation) show within CACHE_SECONDS; the page says when its figures were
# read. The cache is an optimisation only: when it does not answer, the figures are read afresh.

CACHE_SECONDS = 300
log = logging.getLogger(__name__)


def _generation_key(instansi_id: int) -> str:
    return f"reports:generation:{instansi_id}"


def generation(instansi_id: int) -> int:
    """The instansi's current generation (core.generations: a never-used one when the cache does
    not answer, so nothing kept is reused)."""
    return generations.current(_generation_key(instansi_id), what="angka laporan")


def figures_changed(instansi_id: int) -> None:
    """Figures a leader sees changed: every month kept for the instansi is stale."""
    try:
        cache.set(_generation_key(instansi_id), generations.fresh(), None)
    except Exception:
        log.warning(
            "Cache tidak dapat diperbarui; angka laporan tersimpan kedaluwarsa sendiri",
            exc_info=True,
        )


def cached_opd_month(instansi: Instansi, period: Period, today: dt.date) -> OpdMonth:
    """opd_month, kept for CACHE_SECONDS per instansi, generation and counted days."""
    staff_day = min(period.last_day, today)
    data_end = min(period.last_day, today - dt.timedelta(days=1))
    # The code with the id: a value never outlives its instansi row. The days decide the figures
    # (a past month is the same whatever today is; the current one changes every day).
    key = (
        f"reports:opd-month:{instansi.pk}:{instansi.code}:{generation(instansi.pk)}:"
        f"{period}:{staff_day.isoformat()}:{data_end.isoformat()}"
    )
    try:
        found = cache.get(key)
    except Exception:
        log.warning("Cache tidak dapat dibaca; angka laporan dihitung ulang", exc_info=True)
        found = None
    if isinstance(found, OpdMonth):
        return found
    month = opd_month(instansi, period, today)
    try:
        cache.set(key, month, CACHE_SECONDS)
    except Exception:
        log.warning("Cache tidak dapat diisi; angka laporan tidak disimpan", exc_info=True)
    return month
