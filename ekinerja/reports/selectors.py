"""Reads behind the leaders' dashboard and the workload analysis (docs/reports.md).

One month of a whole instansi in a fixed number of set-based queries, whatever the number of
employees or OPDs: the unit tree, who holds which post on the reference day, the stored daily
attendance and the approved activity minutes aggregated per employee, the SKP predicates, the
month's computed TPP per unit, the policy in force and the default calendar. Everything is then
summed per OPD in memory and handed to the pure reports.indicators.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.utils import timezone

from ekinerja.activities import selectors as activities
from ekinerja.attendance import selectors as attendance
from ekinerja.core import generations
from ekinerja.core.models import Instansi
from ekinerja.core.periods import Period
from ekinerja.org import selectors as org
from ekinerja.org.models import Unit
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


def opd_month(instansi: Instansi, period: Period, today: dt.date) -> OpdMonth:
    """Every OPD's counts for `period` as of `today`: posts on the month's last day (today in the
    current month), attendance and activities up to the month's last day (yesterday in the current
    month: today is not over). An employee counts wholly for the OPD of their definitif post on
    that day."""
    staff_day = min(period.last_day, today)
    data_end: dt.date | None = min(period.last_day, today - dt.timedelta(days=1))
    if data_end < period.first_day:
        data_end = None
    tree = tpp.UnitTree.load(instansi)
    opds = {uid for uid, kind in tree.kind.items() if kind == Unit.Kind.OPD}
    opd_cache: dict[int, int] = {}

    def opd_of(unit_id: int) -> int:
        if unit_id not in opd_cache:
            opd_cache[unit_id] = tree.opd_of(unit_id)
        return opd_cache[unit_id]

    staff = org.staffing(instansi, on=staff_day, since=period.first_day)
    days = workcal.default_working_days(instansi, period.first_day, period.last_day)
    counted = sum(1 for d in days if data_end is not None and d <= data_end)
    full, source = _target(instansi, period, len(days))
    # One employee's target over the counted days, in whole minutes (half up).
    target = (
        (full * counted / len(days)).quantize(Decimal(1), ROUND_HALF_UP) if days else Decimal(0)
    )
    if data_end is not None:
        att = attendance.attendance_counts(instansi, period.first_day, data_end)
        minutes = activities.minutes_by_employee(instansi, period.first_day, data_end)
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
            a["scheduled_days"] += c.scheduled
            a["leave_days"] += c.leave
            a["present_days"] += c.present
            a["on_time_days"] += c.on_time
            a["late_days"] += c.late
            a["late_minutes"] += c.late_minutes
            a["absent_days"] += c.absent
        done, pending = minutes.get(emp, (0, 0))
        a["approved_minutes"] += done
        a["pending_entries"] += pending
        own_target = target_from(staff.in_post_from.get(emp, period.first_day))
        a["achieved_minutes"] += min(done, own_target)
        a["target_minutes"] += own_target
        predicate = predicates.get(emp)
        if predicate:
            a[f"skp_{predicate}"] += 1
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
