"""Reads of the performance app. All are set-based: a fixed number of queries whatever the number of
employees.

Dates used for "who is whose superior":
- for a plan of year Y: today if today is in Y, else 1 January of Y (future year) or 31 December of
  Y (past year) -- `plan_reference_date`;
- for an evaluation period: the earlier of today and the period's last day -- `rater_date`. The
  superior who holds the post at the end of the period (or today, while it is still running) rates;
  someone who left during the period (no post on that date, or deactivated: retired, moved away) is
  rated by the superior of their last day in post in it -- `raters`, `departed_raters`.

The plan that governs a period is the agreed (or since superseded) version of the period's year with
the latest `effective_from` on or before the period's first day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)

from ekinerja.core.clock import local_today
from ekinerja.core.models import Instansi
from ekinerja.core.periods import Period
from ekinerja.org.models import Assignment, Employee, Unit
from ekinerja.org.selectors import Hierarchy, HierarchyTimeline, active_on, hierarchy

from .evalperiods import EvalPeriod, eval_period, ratable_periods, reportable_periods
from .models import (
    PerformancePeriodLock,
    PerformanceSettings,
    SkpEvaluation,
    SkpIndicator,
    SkpPlan,
    SkpRealisation,
    SkpResult,
)

# ---------------------------------------------------------------- settings, periods, locks


def performance_settings(instansi: Instansi | int) -> PerformanceSettings:
    """The instansi's settings, or the defaults (monthly, deadline the 5th, remind 3 days before)."""
    instansi_id = instansi if isinstance(instansi, int) else instansi.pk
    found = PerformanceSettings.objects.filter(instansi_id=instansi_id).first()
    return found or PerformanceSettings(instansi_id=instansi_id)


def period_containing(cfg: PerformanceSettings, month: Period | dt.date) -> EvalPeriod:
    if isinstance(month, dt.date):
        month = Period.of(month)
    return eval_period(
        month,
        period_months=cfg.evaluation_period_months,
        deadline_day=cfg.rating_deadline_day,
    )


def period_from_key(cfg: PerformanceSettings, key: str) -> EvalPeriod:
    """The period whose first month is `key` (YYYY-MM); ValueError for anything else."""
    month = Period.parse(key)
    p = period_containing(cfg, month)
    if p.start != month.first_day:
        raise ValueError(f"{key} bukan awal periode penilaian.")
    return p


def ratable(cfg: PerformanceSettings, today: dt.date) -> list[EvalPeriod]:
    return ratable_periods(
        today,
        period_months=cfg.evaluation_period_months,
        deadline_day=cfg.rating_deadline_day,
    )


def reportable(cfg: PerformanceSettings, today: dt.date) -> list[EvalPeriod]:
    return reportable_periods(
        today,
        period_months=cfg.evaluation_period_months,
        deadline_day=cfg.rating_deadline_day,
    )


def locked_months(instansi: Instansi | int, year: int | None = None) -> set[Period]:
    """The months locked now (locks in force; a lifted lock does not count)."""
    qs = PerformancePeriodLock.objects.filter(instansi=instansi, lifted_at__isnull=True)
    if year is not None:
        qs = qs.filter(year=year)
    return {Period(y, m) for y, m in qs.values_list("year", "month")}


def is_period_locked(instansi: Instansi | int, period: EvalPeriod) -> bool:
    """True when any month of the period is locked (one query)."""
    return is_locked_between(instansi, period.start, period.end)


def is_locked_between(instansi: Instansi | int, start: dt.date, end: dt.date) -> bool:
    """True when any month from `start` to `end` (same year) is locked (one query)."""
    return PerformancePeriodLock.objects.filter(
        instansi=instansi,
        year=start.year,
        month__gte=start.month,
        month__lte=end.month,
        lifted_at__isnull=True,
    ).exists()


def lock_history(instansi: Instansi | int, period: EvalPeriod) -> list[PerformancePeriodLock]:
    """Every lock of the period's months, in force or lifted, oldest first, with who locked and who
    lifted it (one query)."""
    return list(
        PerformancePeriodLock.objects.filter(
            instansi=instansi,
            year=period.start.year,
            month__gte=period.start.month,
            month__lte=period.end.month,
        )
        .select_related("locked_by__employee", "lifted_by__employee")
        .order_by("month", "locked_at", "id")
    )


def _latest_reopenings(rows) -> dict[tuple[int, int], dt.date]:
    """(year, month) -> the day until which the month's reopening lets ratings in, from its lock rows
    (year, month, lifted_at, reopened_until) oldest first. Only the month's latest row counts: when
    it is lifted, its `reopened_until` (a later, shorter reopening replaces an earlier, longer one);
    when it is in force, nothing (a reopening followed by a new lock is over)."""
    latest: dict[tuple[int, int], dt.date | None] = {}
    for year, month, lifted_at, until in rows:
        latest[(year, month)] = until if lifted_at is not None else None
    return {key: until for key, until in latest.items() if until is not None}


_LOCK_ROW = ("year", "month", "lifted_at", "reopened_until")


def rating_deadline(instansi: Instansi | int, period: EvalPeriod) -> dt.date:
    """The last day the superior may rate the period: the settings' deadline, or later when BKPSDM
    reopened one of its months until a later day. Only a month's latest reopening counts, and not
    once the month is locked again (`_latest_reopenings`). One query."""
    rows = (
        PerformancePeriodLock.objects.filter(
            instansi=instansi,
            year=period.start.year,
            month__gte=period.start.month,
            month__lte=period.end.month,
        )
        .order_by("locked_at", "id")
        .values_list(*_LOCK_ROW)
    )
    reopened = max(_latest_reopenings(rows).values(), default=None)
    return max(period.deadline, reopened) if reopened else period.deadline


def ratable_with_reopened(cfg: PerformanceSettings, today: dt.date) -> list[EvalPeriod]:
    """The periods a superior may rate today: the usual ones (`ratable`) plus earlier periods BKPSDM
    reopened until today or later and not locked again. A reopened period comes with its extended
    deadline; only a month's latest reopening counts (`_latest_reopenings`). Oldest first; one
    query, two when a month was reopened until today or later."""
    out = ratable(cfg, today)
    candidates = set(
        PerformancePeriodLock.objects.filter(
            instansi_id=cfg.instansi_id, reopened_until__gte=today
        ).values_list("year", "month")
    )
    if not candidates:
        return out
    # The whole history of those months (their latest row decides), and every lock in force.
    which = Q(lifted_at__isnull=True)
    for year, month in candidates:
        which |= Q(year=year, month=month)
    rows = list(
        PerformancePeriodLock.objects.filter(which, instansi_id=cfg.instansi_id)
        .order_by("locked_at", "id")
        .values_list(*_LOCK_ROW)
    )
    locked = {(y, m) for y, m, lifted_at, _u in rows if lifted_at is None}
    extended: dict[EvalPeriod, dt.date] = {}
    for (year, month), until in _latest_reopenings(rows).items():
        if until < today:
            continue
        p = period_containing(cfg, Period(year, month))
        extended[p] = max(until, extended.get(p, until))
    by_start = {p.start: p for p in out}
    for p, until in extended.items():
        if p.rating_opens > today or any((m.year, m.month) in locked for m in p.month_periods):
            continue
        if until > p.deadline:
            by_start[p.start] = dataclasses.replace(p, deadline=until)
        else:
            by_start.setdefault(p.start, p)
    return [by_start[k] for k in sorted(by_start)]


def evaluations_rating(period: EvalPeriod):
    """The evaluation rows that rate `period`: begun on its first day and reaching its end. A row
    rated for a shorter period with the same first day (January rated monthly, then quarterly from
    February) does not: Q1 looked rated everywhere while February and March read no predicate."""
    return SkpEvaluation.objects.filter(period_start=period.start, period_end__gte=period.end)


def rater_date(period: EvalPeriod, today: dt.date) -> dt.date:
    return min(today, period.end)


def departed_raters(
    instansi_id: int, start: dt.date, h: Hierarchy, employee_ids: Iterable[int] | None = None
) -> dict[int, int | None]:
    """employee id -> who rates them (None: BKPSDM), for the employees who held a definitif post
    in the period (from its first day `start` to the rater date `h.on`) but hold no post on the
    rater date, or are no longer active (retired, moved to another Pemda, died: an inactive
    employee drops out of the hierarchy, on every date). Their rater is the direct superior on
    their last day in post in the period. Without this, nobody could rate a retiree's last month
    (TMT pensiun 1 November, deactivated on 1 November, October rated on 3 November) and that
    month's TPP paid the not-rated value. Everyone else is rated by `h.superior_id` (`raters`).
    One query, two more when someone left before the rater date."""
    on = h.on
    # An inactive employee whose post was left open has no last day to go by: they stay out, as in
    # the reports and the stored attendance (docs/attendance.md), instead of counting as "left
    # during" every period after their deactivation.
    rows = Assignment.objects.filter(
        Q(end__lt=on) | Q(employee__is_active=False, end__isnull=False),
        Q(end__isnull=True) | Q(end__gte=start),
        instansi_id=instansi_id,
        kind=Assignment.Kind.DEFINITIF,
        start__lte=on,
    )
    if employee_ids is not None:
        rows = rows.filter(employee_id__in=list(employee_ids))
    last: dict[int, tuple[dt.date, int]] = {}  # employee -> (last day in post, position)
    for emp, pos, a_end in rows.order_by("start", "id").values_list(
        "employee_id", "position_id", "end"
    ):
        day = on if a_end is None or a_end > on else a_end
        if emp not in last or day >= last[emp][0]:
            last[emp] = (day, pos)  # the latest-starting post of the last day, as in hierarchy()
    if not last:
        return {}
    # Someone still holding a post on the rater date (moved within the instansi, or only a Plt or
    # Plh post left: BKPSDM's, Hierarchy.without_superior) keeps the usual rule.
    holding = set(h.definitif) | {e for held in h.holders.values() for *_x, e in held}
    departed = {e: v for e, v in last.items() if e not in holding}
    days = {day for day, _pos in departed.values()}
    timeline = HierarchyTimeline(instansi_id, min(days), on) if days - {on} else None
    out: dict[int, int | None] = {}
    for emp, (day, pos) in departed.items():
        tree = h if day == on else timeline.on(day)
        # Hierarchy's own rule, from the post they held that day.
        alone = Hierarchy(on=day, parent=tree.parent, holders=tree.holders, definitif={emp: pos})
        out[emp] = alone.superior_id(emp)
    return out


def raters(
    instansi_id: int,
    start: dt.date,
    h: Hierarchy,
    employee_ids: Iterable[int],
    departed: dict[int, int | None] | None = None,
) -> dict[int, int | None]:
    """employee id -> who rates them for the period starting on `start` whose rater date is `h.on`:
    the direct superior on the rater date, or for someone who left during the period the one on
    their last day in post (`departed_raters`, read here unless the caller has read it for the
    whole instansi); None: BKPSDM acts for the head of region."""
    ids = list(employee_ids)
    if departed is None:
        departed = departed_raters(instansi_id, start, h, ids)
    return {e: departed[e] if e in departed else h.superior_id(e) for e in ids}


def plan_reference_date(year: int, today: dt.date) -> dt.date:
    if today.year == year:
        return today
    return dt.date(year, 1, 1) if year > today.year else dt.date(year, 12, 31)


# ---------------------------------------------------------------- plans


def plans_of_employee(employee: Employee) -> QuerySet[SkpPlan]:
    """Every version of every year, newest first."""
    return SkpPlan.objects.filter(employee=employee).order_by("-year", "-version")


def latest_plan(employee: Employee, year: int) -> SkpPlan | None:
    """The newest version of the employee's plan for the year (whatever its status)."""
    return (
        SkpPlan.objects.filter(employee=employee, year=year)
        .select_related("employee", "appraiser")
        .order_by("-version")
        .first()
    )


def plan_detail_queryset() -> QuerySet[SkpPlan]:
    """Plans with everything the detail page and the PDF show (four queries for one plan)."""
    return SkpPlan.objects.select_related(
        "employee", "appraiser", "instansi", "previous"
    ).prefetch_related(
        Prefetch(
            "results",
            queryset=SkpResult.objects.select_related(
                "parent_result", "parent_result__plan__employee"
            ).prefetch_related(Prefetch("indicators", queryset=SkpIndicator.objects.all())),
        ),
        "behaviours",
    )


def _in_force_on(on: dt.date) -> Q:
    """The agreed plan versions (and those superseded later) that may govern a period starting on
    `on`; the latest effective one of an employee governs it."""
    return Q(
        year=on.year,
        status__in=[SkpPlan.Status.AGREED, SkpPlan.Status.SUPERSEDED],
        effective_from__lte=on,
    )


def plans_in_force(employee_ids: Iterable[int], on: dt.date) -> dict[int, SkpPlan]:
    """employee id -> the agreed plan version governing a period that starts on `on` (one query)."""
    ids = list(employee_ids)
    if not ids:
        return {}
    out: dict[int, SkpPlan] = {}
    for plan in SkpPlan.objects.filter(_in_force_on(on), employee_id__in=ids).order_by(
        "employee_id", "effective_from", "version"
    ):
        out[plan.employee_id] = plan  # the latest effective version wins
    return out


def employees_with_plan_in_force(instansi: Instansi, on: dt.date) -> set[int]:
    """The instansi's employees with an agreed plan version governing a period that starts on `on`
    (plans_in_force's keys, as ids only: one query, no plan records)."""
    return set(
        SkpPlan.objects.filter(_in_force_on(on), instansi=instansi)
        .order_by()
        .values_list("employee_id", flat=True)
        .distinct()
    )


def plan_in_force(employee: Employee, on: dt.date) -> SkpPlan | None:
    return plans_in_force([employee.pk], on).get(employee.pk)


def results_for_employee(employee: Employee | int, year: int) -> QuerySet[SkpResult]:
    """Results of the employee's agreed plan for the year: what an activity entry may name.

    Only the currently agreed version is offered (never a draft, whose results may still be deleted,
    nor a superseded version). Empty when there is no agreed plan."""
    employee_id = employee if isinstance(employee, int) else employee.pk
    return (
        SkpResult.objects.filter(
            plan__employee_id=employee_id, plan__year=year, plan__status=SkpPlan.Status.AGREED
        )
        .select_related("plan")
        .order_by("order", "id")
    )


def results_offered_for_entry(
    employee: Employee, year: int, keep_id: int | None = None
) -> list[SkpResult]:
    """The results an entry form offers: those of `results_for_employee`, plus the one the entry
    already names (`keep_id`) when it was linked while an earlier version was agreed, so that an
    edit keeps the link. At most two queries."""
    results = list(results_for_employee(employee, year))
    if keep_id and keep_id not in {r.pk for r in results}:
        results += list(
            SkpResult.objects.filter(pk=keep_id, instansi_id=employee.instansi_id).select_related(
                "plan"
            )
        )
    return results


def evaluation_or_blank(employee: Employee, period: EvalPeriod) -> SkpEvaluation:
    """The employee's evaluation of the period (the row that rates it: evaluations_rating), or an
    unsaved blank one (for permission checks on a period nobody has rated yet). A row of a shorter
    period with the same first day (January rated monthly, then quarterly) is not the quarter's:
    its rater, perhaps a superior the employee left in February, was let into the activities of
    the whole quarter."""
    return evaluations_rating(period).filter(employee=employee).order_by(
        "-period_end"
    ).first() or SkpEvaluation(
        instansi_id=employee.instansi_id,
        employee=employee,
        period_start=period.start,
        period_end=period.end,
    )


# ---------------------------------------------------------------- activities behind a result


@dataclass(frozen=True)
class LinkedActivities:
    """The approved activity entries naming an SKP result in a period: how many, credited minutes."""

    count: int = 0
    minutes: int = 0


NO_LINKED_ACTIVITIES = LinkedActivities()
LinkedActivitiesSource = Callable[[list[int], dt.date, dt.date], dict[int, LinkedActivities]]
_linked_activities_source: list[LinkedActivitiesSource] = []


def set_linked_activities_source(source: LinkedActivitiesSource) -> None:
    """Activity entries name SKP results, but performance sits below activities and may not import
    it: the activities app registers the read behind `linked_activities` at start-up
    (`ActivitiesConfig.ready`)."""
    _linked_activities_source[:] = [source]


def linked_activities(
    result_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[int, LinkedActivities]:
    """result id -> the approved activity entries naming it (or its copy in a later SKP version) dated
    from start to end; results without any are left out. One query; none without results, and {}
    when no activities app registered itself."""
    ids = sorted(set(result_ids))
    if not ids or not _linked_activities_source:
        return {}
    return _linked_activities_source[0](ids, start, end)


def cascade_candidates(superior: Employee | None, year: int) -> QuerySet[SkpResult]:
    """Results of the superior's plan for the year that a subordinate's result may support: every
    version not yet superseded (the superior's own plan may still be awaiting agreement)."""
    if superior is None:
        return SkpResult.objects.none()
    return (
        SkpResult.objects.filter(plan__employee=superior, plan__year=year)
        .exclude(plan__status=SkpPlan.Status.SUPERSEDED)
        .select_related("plan")
        .order_by("plan__version", "order", "id")
    )


def plans_awaiting_bkpsdm(instansi_id: int, *, today: dt.date, exclude: int | None = None):
    """Submitted plans of the instansi's employees who have no direct superior on the plan's
    reference date (plan_reference_date), which BKPSDM agrees or returns in the superior's place
    (services._require_appraiser), except those of `exclude` (the officer's own employee id). Two
    queries (the submitted plans as plain tuples, in January thousands of them, then the few kept)
    plus two per distinct year among them."""
    submitted = list(
        SkpPlan.objects.filter(instansi_id=instansi_id, status=SkpPlan.Status.SUBMITTED)
        .exclude(employee_id=exclude)
        .values_list("pk", "employee_id", "year")
    )
    trees = {
        year: hierarchy(instansi_id, plan_reference_date(year, today))
        for year in {year for _pk, _emp, year in submitted}
    }
    kept = [pk for pk, emp, year in submitted if trees[year].superior_id(emp) is None]
    if not kept:
        return []
    return list(
        SkpPlan.objects.filter(pk__in=kept)
        .select_related("employee")
        .order_by("employee__name", "year")
    )


def plans_awaiting_agreement(superior: Employee, *, on: dt.date) -> list[SkpPlan]:
    """Submitted plans whose appraiser is `superior`: the owner's direct superior on the plan's
    reference date (plan_reference_date of its year and `on`, as services._require_appraiser
    decides), so a plan for next year waits for next year's superior, not today's (one query
    without such plans; otherwise two more per distinct year among them)."""
    submitted = list(
        SkpPlan.objects.filter(instansi_id=superior.instansi_id, status=SkpPlan.Status.SUBMITTED)
        .exclude(employee_id=superior.pk)
        .values_list("pk", "employee_id", "year")
    )
    trees = {
        year: hierarchy(superior.instansi_id, plan_reference_date(year, on))
        for year in {year for _pk, _emp, year in submitted}
    }
    kept = [pk for pk, emp, year in submitted if trees[year].superior_id(emp) == superior.pk]
    if not kept:
        return []
    return list(
        SkpPlan.objects.filter(pk__in=kept)
        .select_related("employee")
        .order_by("employee__name", "year")
    )


# ---------------------------------------------------------------- the predicate of a month


def predicate_month(
    employees: Iterable[Employee | int] | QuerySet, period: Period
) -> dict[int, str | None]:
    """employee id -> the SKP predicate ("sangat_baik", "baik", "butuh_perbaikan", "kurang",
    "sangat_kurang") of the evaluation period containing the month, or None when not rated.

    This is what the TPP run uses. Ratings are refused after the deadline and in locked months
    (services.evaluations_rate), so an evaluation without a predicate here is "not rated" and the
    policy's not-rated value applies. If the period length changed within a year so that two
    evaluations cover the month, the one starting later wins. One query (two for a QuerySet)."""
    if isinstance(employees, QuerySet):
        ids = list(employees.values_list("pk", flat=True))
    else:
        ids = [e if isinstance(e, int) else e.pk for e in employees]
    out: dict[int, str | None] = dict.fromkeys(ids)
    if not ids:
        return out
    for employee_id, predicate in _rated_in(period, employee_id__in=ids):
        out[employee_id] = predicate
    return out


def _rated_in(period: Period, **scope):
    """(employee id, predicate) of the rated evaluations covering the month, by employee and then
    period start, so that a dict built from them keeps the later period (one query)."""
    return (
        SkpEvaluation.objects.filter(
            period_start__lte=period.last_day, period_end__gte=period.first_day, **scope
        )
        .exclude(predicate="")
        .order_by("employee_id", "period_start")
        .values_list("employee_id", "predicate")
    )


def predicates_of_instansi(instansi, period: Period) -> dict[int, str]:
    """employee id -> the SKP predicate of the evaluation period containing the month, for every
    rated employee of the instansi (the leaders' reports; the same rule as predicate_month, without
    a list of employees). One query."""
    return dict(_rated_in(period, instansi=instansi))


# ---------------------------------------------------------------- rating screen


@dataclass
class RatingRow:
    employee: Employee
    plan: SkpPlan | None
    evaluation: SkpEvaluation | None
    realisations: dict[int, SkpRealisation] = field(default_factory=dict)  # indicator id ->
    linked: dict[int, LinkedActivities] = field(default_factory=dict)  # result id ->

    @property
    def reported(self) -> int:
        return len(self.realisations)

    @property
    def indicator_count(self) -> int:
        if self.plan is None:
            return 0
        return sum(len(r.indicators.all()) for r in self.plan.results.all())

    @property
    def linked_total(self) -> LinkedActivities:
        return LinkedActivities(
            count=sum(a.count for a in self.linked.values()),
            minutes=sum(a.minutes for a in self.linked.values()),
        )


def evaluations_with_details(qs: QuerySet[SkpEvaluation]) -> QuerySet[SkpEvaluation]:
    return qs.prefetch_related(
        Prefetch(
            "realisations",
            queryset=SkpRealisation.objects.prefetch_related("evidence"),
        )
    )


@dataclass
class RatingSheet:
    """Who is on a rating sheet, read before anything else: the employee ids in name order and
    those still to rate (a plan in force, no predicate yet), three queries whatever the size. The
    rows (plans, results, realisations, linked activities) are read for the ids asked only
    (`rows`): a kepala bidang over 600 school heads had all 600 read for a page of 50 cards (2.3 s
    at 20,000 employees, bench/pages.py)."""

    ids: list[int]
    to_rate: list[int]
    period: EvalPeriod
    on: dt.date

    def rows(self, ids: Iterable[int] | None = None) -> list[RatingRow]:
        """RatingRow of `ids` (default: everyone on the sheet), in the sheet's order; a constant
        number of queries (about ten) for any number of rows."""
        return _rating_rows(list(self.ids if ids is None else ids), self.period, self.on)


def rating_sheet(superior: Employee, period: EvalPeriod, *, today: dt.date) -> list[RatingRow]:
    """The superior's direct subordinates for the period (and those who left during it whom the
    superior rates, departed_raters) with their plan in force, realisation, rating and the approved
    activities linked to each result, ordered by name. A constant number of queries (about ten)
    for any number of rows."""
    on = rater_date(period, today)
    return _rating_rows(_sheet_ids(superior, period, on), period, on)


def rating_sheet_index(superior: Employee, period: EvalPeriod, *, today: dt.date) -> RatingSheet:
    """rating_sheet's employees, as a RatingSheet (ids only until `rows` is asked)."""
    on = rater_date(period, today)
    return _sheet(_sheet_ids(superior, period, on), period, on)


def _sheet_ids(superior: Employee, period: EvalPeriod, on: dt.date) -> list[int]:
    h = hierarchy(superior.instansi_id, on)
    return h.subordinate_ids(superior.id) + _departed_rated_by(
        superior.instansi_id, period, h, superior.id
    )


def _departed_rated_by(instansi_id: int, period: EvalPeriod, h: Hierarchy, rater: int | None):
    """Those who left during the period (departed_raters) whom `rater` rates (None: BKPSDM)."""
    departed = departed_raters(instansi_id, period.start, h)
    return sorted(e for e, sup in departed.items() if sup == rater)


def rating_sheet_without_superior(
    instansi_id: int, period: EvalPeriod, *, today: dt.date, exclude: int | None = None
) -> list[RatingRow]:
    """BKPSDM's sheet: the employees who hold a post on the rater date but have no direct superior
    there (the Sekda under the head of region, anyone whose every post above is vacant), whom BKPSDM
    rates in the superior's place (services.evaluations_rate), and those who left during the
    period with nobody above them on their last day in post (departed_raters), except `exclude`
    (the officer's own employee id: nobody rates their own SKP). Rows as rating_sheet's, same
    number of queries."""
    on = rater_date(period, today)
    return _rating_rows(_ids_without_superior(instansi_id, period, on, exclude), period, on)


def rating_sheet_without_superior_index(
    instansi_id: int, period: EvalPeriod, *, today: dt.date, exclude: int | None = None
) -> RatingSheet:
    """rating_sheet_without_superior's employees, as a RatingSheet."""
    on = rater_date(period, today)
    return _sheet(_ids_without_superior(instansi_id, period, on, exclude), period, on)


def _ids_without_superior(
    instansi_id: int, period: EvalPeriod, on: dt.date, exclude: int | None
) -> list[int]:
    h = hierarchy(instansi_id, on)
    ids = h.without_superior() | set(_departed_rated_by(instansi_id, period, h, None))
    return sorted(ids - {exclude})


def _sheet(ids: list[int], period: EvalPeriod, on: dt.date) -> RatingSheet:
    """One query: the ids in name order, and whether each has a plan in force and a predicate."""
    if not ids:
        return RatingSheet(ids=[], to_rate=[], period=period, on=on)
    rows = list(
        Employee.objects.filter(id__in=ids)
        .annotate(
            has_plan=Exists(
                SkpPlan.objects.filter(_in_force_on(period.start), employee_id=OuterRef("pk"))
            ),
            rated=Exists(
                evaluations_rating(period).filter(employee_id=OuterRef("pk")).exclude(predicate="")
            ),
        )
        .order_by("name", "id")
        .values_list("id", "has_plan", "rated")
    )
    return RatingSheet(
        ids=[pk for pk, _plan, _rated in rows],
        to_rate=[pk for pk, has_plan, rated in rows if has_plan and not rated],
        period=period,
        on=on,
    )


def _rating_rows(ids: list[int], period: EvalPeriod, on: dt.date) -> list[RatingRow]:
    if not ids:
        return []
    employees = list(
        Employee.objects.filter(id__in=ids)
        .order_by("name", "id")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(active_on(on))
                .filter(kind=Assignment.Kind.DEFINITIF)
                .select_related("position"),
                to_attr="current_assignments",
            )
        )
    )
    plans = plans_in_force(ids, period.start)
    # The plans in force get their results and indicators (two queries, not the plans again).
    prefetch_related_objects(
        list(plans.values()),
        Prefetch("results", queryset=SkpResult.objects.prefetch_related("indicators")),
    )
    detailed = {p.pk: p for p in plans.values()}
    evaluations = {
        ev.employee_id: ev
        for ev in evaluations_with_details(evaluations_rating(period).filter(employee_id__in=ids))
    }
    rows = []
    for emp in employees:
        plan = plans.get(emp.pk)
        ev = evaluations.get(emp.pk)
        if ev is not None and ev.plan_id in detailed:
            plan = detailed[ev.plan_id]
        elif plan is not None:
            plan = detailed[plan.pk]
        rows.append(
            RatingRow(
                employee=emp,
                plan=plan,
                evaluation=ev,
                realisations={r.indicator_id: r for r in ev.realisations.all()} if ev else {},
            )
        )
    linked = linked_activities(
        (r.pk for row in rows if row.plan for r in row.plan.results.all()),
        period.start,
        period.end,
    )
    for row in rows:
        if row.plan is not None:
            row.linked = {r.pk: linked[r.pk] for r in row.plan.results.all() if r.pk in linked}
    return rows


def evaluation_history(employee: Employee) -> list[SkpEvaluation]:
    return list(
        SkpEvaluation.objects.filter(employee=employee)
        .select_related("plan", "rated_by")
        .annotate(n_realisations=Count("realisations"))
        .order_by("-period_start")
    )


# ---------------------------------------------------------------- BKPSDM overview, reminders


@dataclass(frozen=True, slots=True)
class Person:
    """Who is listed in the overview: what the page and the xlsx show of an employee. A
    20,000-employee Pemda lists 20,000 of them and their superiors; a whole Employee each took
    most of the xlsx's reading time (read as plain values it takes a few hundredths of a second)."""

    pk: int
    nip: str
    name: str
    front_title: str
    back_title: str

    # Employee's own rule for the name with titles, not a copy of it.
    full_name = property(Employee.full_name.fget)


@dataclass
class UnitRow:
    unit: Unit
    total: int = 0
    rated: int = 0
    unrated: list[tuple[Person, Person | None]] = field(default_factory=list)  # (emp, superior)

    @property
    def not_rated(self) -> int:
        return self.total - self.rated


def _opd_of(unit_parent: dict[int, int | None], unit_id: int) -> int:
    seen = set()
    while unit_parent.get(unit_id) is not None and unit_id not in seen:
        seen.add(unit_id)
        unit_id = unit_parent[unit_id]
    return unit_id


def rating_overview(
    instansi: Instansi, period: EvalPeriod, *, today: dt.date, inline_limit: int | None = None
) -> list[UnitRow]:
    """Per OPD (top-level unit): employees to rate for the period (in post at the rater date, and
    those who left during it: `departed_raters`, counted in the OPD of their last post), how many
    are rated, and who is not yet rated with their rater (the direct superior at the rater date,
    or on a leaver's last day in post). With `inline_limit`, the names only for OPDs with at most
    that many not rated (a page of a 20,000-employee Pemda would otherwise carry 20,000 names at
    the start of a period; the xlsx has them all). The people as `Person` (NIP and name with titles).
    Seven queries whatever the size, three more when someone left during the period."""
    on = rater_date(period, today)
    units = {u.pk: u for u in Unit.objects.filter(instansi=instansi)}
    unit_parent = {pk: u.parent_id for pk, u in units.items()}
    posts = dict(
        Assignment.objects.filter(
            active_on(on),
            instansi=instansi,
            kind=Assignment.Kind.DEFINITIF,
            employee__is_active=True,
        )
        .order_by("start")
        .values_list("employee_id", "position__unit_id")
    )
    h = hierarchy(instansi, on)
    # Someone who retired or moved out during the period is still rated for it (their TPP months
    # take the predicate): counted, in the OPD of their last post in the period.
    departed = departed_raters(instansi.pk, period.start, h)
    if departed:
        for emp_id, unit_id in (
            Assignment.objects.filter(
                Q(end__isnull=True) | Q(end__gte=period.start),
                employee_id__in=list(departed),
                kind=Assignment.Kind.DEFINITIF,
                start__lte=on,
            )
            .order_by("start", "id")
            .values_list("employee_id", "position__unit_id")
        ):
            posts[emp_id] = unit_id  # the latest start wins
    # Read for the whole instansi and intersected here: 20,000 ids in an IN list cost more.
    rated = posts.keys() & set(
        evaluations_rating(period)
        .filter(instansi=instansi)
        .exclude(predicate="")
        .values_list("employee_id", flat=True)
    )
    opd_of_unit = {u: _opd_of(unit_parent, u) for u in set(posts.values())}
    opd_of = {e: opd_of_unit[u] for e, u in posts.items()}
    rows: dict[int, UnitRow] = {}
    for emp_id in posts:
        row = rows.setdefault(opd_of[emp_id], UnitRow(unit=units[opd_of[emp_id]]))
        row.total += 1
        if emp_id in rated:
            row.rated += 1
    listed = {
        opd for opd, row in rows.items() if inline_limit is None or row.not_rated <= inline_limit
    }
    unrated_ids = [e for e in posts if e not in rated and opd_of[e] in listed]
    if unrated_ids:
        sup_ids = raters(instansi.pk, period.start, h, unrated_ids, departed)
        people = _people(instansi, set(unrated_ids) | {s for s in sup_ids.values() if s})
        for emp_id in unrated_ids:
            sup = sup_ids.get(emp_id)
            rows[opd_of[emp_id]].unrated.append((people[emp_id], people.get(sup) if sup else None))
    for row in rows.values():
        row.unrated.sort(key=lambda pair: pair[0].name)
    return sorted(rows.values(), key=lambda r: r.unit.code)


#: From this many people on, _people reads the whole instansi instead of an IN list of ids.
PEOPLE_IN_LIST_MAX = 1000


def _people(instansi: Instansi, ids: set[int]) -> dict[int, Person]:
    """id -> Person of `ids` (employees of `instansi`), in one query."""
    rows = Employee.objects.filter(instansi=instansi).order_by()
    if len(ids) <= PEOPLE_IN_LIST_MAX:
        rows = rows.filter(id__in=list(ids))
    return {
        row[0]: Person(*row)
        for row in rows.values_list("id", "nip", "name", "front_title", "back_title")
        if row[0] in ids
    }


@dataclass
class Reminder:
    superior: Employee
    period: EvalPeriod
    pending: list[Employee]


def _pending_by_superior(instansi: Instansi, today: dt.date) -> list[tuple[EvalPeriod, int, list]]:
    """(period, superior id, [employee id]) of the reminders (see rating_reminders), as ids."""
    cfg = performance_settings(instansi)
    out: list[tuple[EvalPeriod, int, list]] = []
    for period in ratable_with_reopened(cfg, today):
        if (period.deadline - today).days > cfg.reminder_days:
            continue
        on = rater_date(period, today)
        h = hierarchy(instansi, on)
        # Who left during the period is rated by their superior of their last day in post.
        departed = departed_raters(instansi.pk, period.start, h)
        # Read for the whole instansi and intersected here: 20,000 ids in an IN list cost more.
        with_plan = employees_with_plan_in_force(instansi, period.start) & (
            set(h.definitif) | set(departed)
        )
        rated = set(
            evaluations_rating(period)
            .filter(instansi=instansi)
            .exclude(predicate="")
            .values_list("employee_id", flat=True)
        )
        pending: dict[int, list[int]] = defaultdict(list)
        for emp_id, sup in raters(
            instansi.pk, period.start, h, sorted(with_plan - rated), departed
        ).items():
            if sup is not None:
                pending[sup].append(emp_id)
        out.extend((period, sup, emps) for sup, emps in pending.items())
    return out


def _reminders(items: list[tuple[EvalPeriod, int, list]]) -> list[Reminder]:
    """The reminders of `items`, with their people (one query)."""
    people = Employee.objects.in_bulk(
        {s for _p, s, _e in items} | {e for *_x, emps in items for e in emps}
    )
    return [
        Reminder(
            superior=people[sup_id],
            period=period,
            pending=sorted((people[e] for e in emp_ids), key=lambda e: e.name),
        )
        for period, sup_id, emp_ids in items
    ]


def rating_reminders(instansi: Instansi, *, today: dt.date | None = None) -> list[Reminder]:
    """Superiors to remind: for each period open for rating whose deadline is at most
    `reminder_days` away, every superior with direct subordinates not yet rated (with an agreed plan
    governing the period -- without one there is nothing to rate). A period BKPSDM reopened counts
    with its extended deadline (`ratable_with_reopened`). A fixed number of queries per open period
    (at most two periods, plus any reopened ones)."""
    today = today or local_today(instansi)
    out = _reminders(_pending_by_superior(instansi, today))
    out.sort(key=lambda r: (r.period.start, r.superior.name))
    return out


@dataclass
class ReminderSummary:
    shown: list[Reminder]  # those with the most subordinates waiting, at most `limit`
    superiors: int  # all of them (a superior reminded for two periods counts twice)
    pending: int  # subordinates waiting, over all


def rating_reminder_summary(
    instansi: Instansi, *, today: dt.date | None = None, limit: int = 25
) -> ReminderSummary:
    """rating_reminders for a page: the `limit` superiors with the most subordinates waiting
    (then by period and name) with their people, and the totals (a 20,000-employee Pemda has over
    a thousand of them a few days before the deadline; the xlsx of the unrated lists them all)."""
    today = today or local_today(instansi)
    items = _pending_by_superior(instansi, today)
    items.sort(key=lambda i: (-len(i[2]), i[0].start, i[1]))  # ties: the same ones every time
    shown = _reminders(items[:limit])
    shown.sort(key=lambda r: (-len(r.pending), r.period.start, r.superior.name))
    return ReminderSummary(shown, len(items), sum(len(e) for *_x, e in items))


def unrated_subordinate_count(superior: Employee, period: EvalPeriod, *, today: dt.date) -> int:
    """How many of the superior's direct subordinates with an agreed plan are not rated yet."""
    h = hierarchy(superior.instansi_id, rater_date(period, today))
    ids = h.subordinate_ids(superior.id) + _departed_rated_by(
        superior.instansi_id, period, h, superior.id
    )
    with_plan = list(plans_in_force(ids, period.start))
    rated = (
        evaluations_rating(period).filter(employee_id__in=with_plan).exclude(predicate="").count()
    )
    return len(with_plan) - rated
