"""Reads of the TPP app, set-based: a fixed number of queries whatever the number of employees.

`gather(instansi, period, unit=None)` turns the month's data into the calculator's plain inputs
(`calculator.EmployeeMonth`), one per employee who held a definitif position on some day of the
month (in the unit's subtree when a unit is given):

- W (the working days) are the days `attendance.selectors.attendance_month` derives, which are exactly
  `workcal.selectors.work_days` (the same call, done once instead of twice).
- The position of each day comes from the org assignments (definitif; Plt/Plh as acting positions).
- Attendance facts come from attendance_month. Its late/early minutes are already past the
  *schedule's* grace; the calculator applies the *policy's* grace again, so the effective grace is
  the larger of the two.
- Credited minutes come from `activities.selectors.activity_month` with the policy's entry window and
  no daily pre-cap (the calculator applies the policy's cap); expired entries are its
  `window_expired` count. The minutes of every day of the month are passed: a working day's on its
  WorkingDay (in post or not), other days' as `off_day_minutes` (all credited, tpp-rules.md
  "Activity").
- The predicate comes from `performance.selectors.predicate_month`, sentences from tpp.Sentence.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, connections
from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone

from ekinerja.activities.models import ActivityEntry, EntryStatus
from ekinerja.activities.selectors import NO_CAP, activity_month, activity_settings
from ekinerja.attendance.selectors import (
    attendance_month,
    devices_behind,
    leave_type_names,
)
from ekinerja.core.gcpause import gc_paused
from ekinerja.core.models import Instansi
from ekinerja.core.periods import Period, tanggal
from ekinerja.org.models import Assignment, Employee, Unit
from ekinerja.org.selectors import HierarchyTimeline
from ekinerja.performance.selectors import predicate_month, predicates_of_instansi
from ekinerja.workcal.selectors import default_working_days

from .calculator import EmployeeMonth, PositionDay, WorkingDay
from .models import Adjustment, Result, Run, RunInputs, Sentence, Withholding
from .models import Policy as PolicyRow
from .policy import Policy, PolicyError, in_spec_tables, policy_from_dict


class NoPolicy(LookupError):
    """No adopted policy is in force on the month's first day."""


def adoption_notes(policy: PolicyRow) -> list[str]:
    """What adopting `policy` (just adopted) means for the months, in words for BKPSDM (three
    queries): a month takes the policy in force on its first day, so an effective date that is not
    a 1st applies only from the next month, and not at all when a later version already takes that
    month; lists already locked keep the policy they were computed with; lists computed but open
    must be computed again (services.policy_changed refuses to verify or lock them meanwhile)."""
    notes: list[str] = []
    start = policy.effective_from
    first = Period.of(start) if start.day == 1 else Period.of(start).next()
    later = (
        PolicyRow.objects.filter(
            instansi_id=policy.instansi_id,
            status=PolicyRow.Status.ADOPTED,
            effective_from__gt=start,
        )
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )
    end = Period.of(later - dt.timedelta(days=1)) if later else None  # last month it may take
    if start.day != 1:
        if later and later <= first.first_day:
            notes.append(
                f"Berlaku mulai {tanggal(start)} bukan tanggal 1, dan versi berikutnya sudah "
                f"berlaku mulai {tanggal(later)}: kebijakan ini tidak akan dipakai untuk bulan "
                "mana pun (TPP sebulan dihitung dengan kebijakan yang berlaku pada tanggal 1)."
            )
            return notes
        notes.append(
            f"Berlaku mulai {tanggal(start)} bukan tanggal 1: TPP sebulan dihitung dengan kebijakan "
            f"yang berlaku pada tanggal 1 bulan itu, jadi {Period.of(start).label} tetap dengan "
            f"kebijakan sebelumnya dan kebijakan ini dipakai mulai {first.label}."
        )
    runs = Run.objects.filter(instansi_id=policy.instansi_id, period__gte=str(first))
    if end is not None:
        runs = runs.filter(period__lte=str(end))
    locked, open_ = set(), set()
    for period, state in runs.values_list("period", "state"):
        if state in (Run.State.LOCKED, Run.State.EXPORTED):
            locked.add(period)
        elif state in (Run.State.COMPUTED, Run.State.VERIFIED):
            open_.add(period)
    if locked:
        months = ", ".join(Period.parse(p).label for p in sorted(locked))
        notes.append(
            f"Daftar TPP yang sudah dikunci ({months}) tetap dengan kebijakan yang dipakai saat "
            "dihitung; selisihnya, bila perlu dibayar, dicatat sebagai koreksi pada bulan berjalan."
        )
    if open_:
        months = ", ".join(Period.parse(p).label for p in sorted(open_))
        notes.append(
            f"Daftar TPP yang sudah dihitung tetapi belum dikunci ({months}) perlu dihitung ulang "
            "dengan kebijakan ini sebelum diverifikasi dan dikunci."
        )
    return notes


def policy_for(instansi: Instansi | int, period: Period) -> PolicyRow | None:
    """The adopted policy in force on the period's first day: the latest effective_from on or before
    it (one query)."""
    return (
        PolicyRow.objects.filter(
            instansi=instansi,
            status=PolicyRow.Status.ADOPTED,
            effective_from__lte=period.first_day,
        )
        .order_by("-effective_from", "-id")
        .first()
    )


# --------------------------------------------------------------------------------------------------
# Units


@dataclass
class UnitTree:
    """Every unit of an instansi (one query): parent links, names and the paying OPD of each."""

    parent: dict[int, int | None]
    kind: dict[int, str]
    name: dict[int, str]
    code: dict[int, str]

    @classmethod
    def load(cls, instansi: Instansi | int) -> UnitTree:
        parent, kind, name, code = {}, {}, {}, {}
        for uid, par, k, n, c in Unit.objects.filter(instansi=instansi).values_list(
            "id", "parent_id", "kind", "name", "code"
        ):
            parent[uid], kind[uid], name[uid], code[uid] = par, k, n, c
        return cls(parent, kind, name, code)

    def opd_of(self, unit_id: int) -> int:
        """The nearest unit of kind OPD at or above `unit_id` (the unit that pays: it has the
        treasurer); the top of the chain when none is marked OPD."""
        node, seen, last = unit_id, set(), unit_id
        while node is not None and node not in seen:
            seen.add(node)
            if self.kind.get(node) == Unit.Kind.OPD:
                return node
            last = node
            node = self.parent.get(node)
        return last

    def subtree(self, root_id: int) -> set[int]:
        kids: dict[int | None, list[int]] = defaultdict(list)
        for uid, par in self.parent.items():
            kids[par].append(uid)
        out, stack = set(), [root_id]
        while stack:
            u = stack.pop()
            if u not in out:
                out.add(u)
                stack.extend(kids.get(u, ()))
        return out


# --------------------------------------------------------------------------------------------------
# Gathering the month's inputs


@dataclass
class EmployeeInfo:
    """What the payroll list shows of an employee besides the figures."""

    employee: Employee
    unit_id: int  # the paying OPD of the last definitif position held in the month
    position_name: str
    kelas: int


@dataclass
class Gathered:
    instansi: Instansi
    period: Period
    policy: Policy
    policy_row: PolicyRow | None
    months: dict[int, EmployeeMonth] = field(default_factory=dict)  # employee id ->
    info: dict[int, EmployeeInfo] = field(default_factory=dict)
    # Employee working days whose attendance was not final yet: a shift not over long enough, or a
    # fingerprint machine that has not delivered its data up to them (attendance.selectors).
    unfinished_days: int = 0

    def employee_months(self) -> list[EmployeeMonth]:
        return list(self.months.values())


def _covers(start: dt.date, end: dt.date | None, day: dt.date) -> bool:
    return start <= day and (end is None or end >= day)


def pph21_golongan(e: Employee) -> str | None:
    """The golongan whose part before "/" is the employee's PPh 21 key: a PNS or CPNS golongan, a
    PPPK's grade label (IX). In a scenario run (`policy.spec_tables`) a PPPK's golongan as the file
    wrote it, which the loader keeps verbatim: "9" stays "9" (tpp-rules.md's key), not grade IX."""
    if e.golongan:
        return e.golongan
    if not e.pppk_grade:
        return None
    return e.pppk_grade if in_spec_tables() else e.get_pppk_grade_display()


def gather(
    instansi: Instansi,
    period: Period,
    unit: Unit | None = None,
    *,
    policy: Policy | None = None,
    policy_row: PolicyRow | None = None,
    until: dt.date | None = None,
    employee_ids: list[int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Gathered:
    """The calculator's inputs for the month (see the module docstring).

    `policy` defaults to the adopted policy in force (NoPolicy when there is none). `until` (the live
    estimate) treats working days after it as not yet happened: no attendance facts (no deduction)
    and no minutes. `employee_ids` restricts the employees (the estimate of one employee).

    Queries: policy (unless given), units, assignments, employees, sentences, predicates, plus the
    attendance and activity selectors' own fixed counts; none per employee.

    `progress` (the background check of verify and lock: inputs_changed) is told how far the
    gather is, 0 to 100, at most a dozen times; it changes nothing gathered."""
    say = progress or (lambda _pct: None)
    if policy is None:
        policy_row = policy_for(instansi, period)
        if policy_row is None:
            raise NoPolicy(
                f"Belum ada kebijakan TPP yang berlaku pada {tanggal(period.first_day)}."
            )
        policy = policy_from_dict(policy_row.data)
    start, end = period.first_day, period.last_day
    units = UnitTree.load(instansi)
    scope = units.subtree(unit.id) if unit is not None else None

    # One query: every assignment overlapping the month.
    rows = Assignment.objects.filter(
        Q(end__isnull=True) | Q(end__gte=start), instansi=instansi, start__lte=end
    )
    if employee_ids is not None:
        rows = rows.filter(employee_id__in=employee_ids)
    definitif: dict[int, list[tuple]] = defaultdict(list)
    acting: dict[int, list[tuple]] = defaultdict(list)
    for emp_id, kind, a_start, a_end, kelas, tpp_base, unit_id, pos_name, pos_id in rows.order_by(
        "start", "id"
    ).values_list(
        "employee_id",
        "kind",
        "start",
        "end",
        "position__kelas",
        "position__tpp_base",
        "position__unit_id",
        "position__name",
        "position_id",
    ):
        item = (a_start, a_end, PositionDay(kelas, tpp_base), unit_id, pos_name, kelas, pos_id)
        (definitif if kind == Assignment.Kind.DEFINITIF else acting)[emp_id].append(item)

    # The employees: a definitif post on some day of the month, whose last such post (the latest
    # start) lies in the unit's subtree when a unit is given.
    chosen: dict[int, tuple] = {}
    for emp_id, items in definitif.items():
        last = items[-1]
        if scope is not None and last[3] not in scope:
            continue
        chosen[emp_id] = last
    gathered = Gathered(instansi=instansi, period=period, policy=policy, policy_row=policy_row)
    if not chosen:
        return gathered
    employees = list(
        Employee.objects.filter(instansi=instansi, id__in=_id_filter(instansi, chosen, start, end))
        .select_related("instansi")
        .order_by("name", "nip")
    )
    employees = [e for e in employees if e.id in chosen]
    say(10)

    attendance, activity = _attendance_and_activity(
        employees, period, policy.activity.entry_window_working_days
    )
    say(60)
    predicates = predicate_month(employees, period)
    sentences: dict[int, set[str]] = defaultdict(set)
    for emp_id, level in (
        Sentence.objects.filter(instansi=instansi, start__lte=end, end__gte=start)
        .filter(employee_id__in=_id_filter(instansi, chosen, start, end))
        .values_list("employee_id", "level")
    ):
        sentences[emp_id].add(level)

    as_decimal: dict[int, Decimal] = {}  # whole minutes -> Decimal, shared (immutable)
    unfinished = 0
    ticks = {-(-len(employees) * k // 4): 60 + 10 * k for k in range(1, 5)} if progress else {}
    for i, e in enumerate(employees, start=1):
        if i in ticks:
            say(ticks[i])
        posts = definitif[e.id]
        acts = acting.get(e.id, ())
        minutes = activity[e.id].minutes_by_day if e.id in activity else {}
        days: list[WorkingDay] = []
        seen_dates: set[dt.date] = set()
        # Single-post months (nearly everyone) skip the per-day search.
        single = posts[0] if len(posts) == 1 and posts[0][0] <= start else None
        if single is not None and single[1] is not None and single[1] < end:
            single = None
        for f in attendance.get(e.id, ()):
            day = f.date
            seen_dates.add(day)
            if single is not None:
                position, post_id = single[2], single[6]
            else:
                position = post_id = None
                for a_start, a_end, pos, *_rest, pid in posts:  # latest start wins on overlap
                    if _covers(a_start, a_end, day):
                        position, post_id = pos, pid
            # Plt/Plh of another position only (tpp-rules.md step 1): acting in one's own post
            # adds nothing (assignment_validate refuses it now; older rows may hold it).
            acting_today = (
                tuple(
                    pos
                    for a_s, a_e, pos, *_rest, pid in acts
                    if pid != post_id and _covers(a_s, a_e, day)
                )
                if acts
                else ()
            )
            m = minutes.get(day, 0)
            # A day covered by leave is judged by its leave alone, whatever punches may still come.
            if not f.final and not f.leave_type:
                if until is None:
                    unfinished += 1
                if until is None or day <= until:
                    # Not judged yet (a check-out due this evening is not missing, a day still to
                    # come is no absence); its minutes count. The live estimate; and a run's
                    # preview of the current month, whose days still to come counted as absences
                    # without notice (18 of them on the 4th: every floor policy paid Rp0). Such a
                    # list is never verified or locked (Run.unfinished_days), so no paid figure
                    # depends on it.
                    days.append(
                        WorkingDay(
                            day,
                            position,
                            acting_today,
                            None,
                            0,
                            0,
                            False,
                            False,
                            False,
                            True,
                            Decimal(m),
                        )
                    )
                    continue
            if until is not None and day > until:
                # A day still to come: clean (present, no deduction, no minutes yet), unless an
                # approved leave already covers it; then its leave decides, as it will in the run
                # (a CLTN prorates the ceiling, a cuti lowers the target, an izin deducts).
                if f.leave_type:
                    days.append(WorkingDay(day, position, acting_today, f.leave_type))
                else:
                    days.append(WorkingDay(day, position, acting_today, has_any_punch=True))
                continue
            credited = as_decimal.get(m) if type(m) is int else None
            if credited is None:
                credited = Decimal(m)
                if type(m) is int:
                    as_decimal[m] = credited
            days.append(
                WorkingDay(  # positional, in field order: half a million of these in a large run
                    day,  # date
                    position,
                    acting_today,  # acting
                    f.leave_type,  # leave
                    f.late_minutes,
                    f.early_minutes,
                    f.missing_check_in,
                    f.missing_check_out,
                    f.absent_without_notice,  # absent
                    f.has_any_punch,
                    credited,  # credited_minutes
                )
            )
        # Approved minutes on the month's other days (weekends, holidays): credited as well.
        off_day = tuple(
            (d, Decimal(m))
            for d, m in sorted(minutes.items())
            if m and d not in seen_dates and not (until and d > until)
        )
        am = activity.get(e.id)
        # A status that changed (CPNS to PNS): before its TMT the days take the earlier status.
        status, status_change = e.status, None
        if e.status_since is not None and e.previous_status:
            if e.status_since > end:
                status = e.previous_status
            elif e.status_since > start:
                status_change = (e.status_since, e.previous_status)
        gathered.months[e.id] = EmployeeMonth(
            nip=e.nip,
            status=status,
            # A PPPK employee's grade (IX) is their golongan key for PPh 21 (docs/exchange-format.md).
            golongan=pph21_golongan(e),
            days=tuple(days),
            salary=_salary_of_month(e, start),
            predicate=predicates.get(e.id),
            sentences=tuple(sorted(sentences.get(e.id, ()))),
            expired_entries=am.window_expired if am else 0,
            off_day_minutes=off_day,
            status_change=status_change,
        )
        last = chosen[e.id]
        gathered.info[e.id] = EmployeeInfo(
            employee=e, unit_id=units.opd_of(last[3]), position_name=last[4], kelas=last[5]
        )
    gathered.unfinished_days = unfinished
    return gathered


def payment_only_info(
    instansi: Instansi, period: Period, unit: Unit | None, employee_ids: Iterable[int]
) -> dict[int, EmployeeInfo]:
    """For employees with no result of their own in the month (no definitif post in it: retired,
    moved away) but a release or adjustment due in it: what their list row shows, from their last
    definitif post up to the month's end; with a unit, only those whose post lies in its subtree
    (three queries whatever their number)."""
    ids = list(employee_ids)
    if not ids:
        return {}
    units = UnitTree.load(instansi)
    scope = units.subtree(unit.id) if unit is not None else None
    last: dict[int, tuple] = {}
    for emp_id, unit_id, name, kelas in (
        Assignment.objects.filter(
            instansi=instansi,
            employee_id__in=ids,
            kind=Assignment.Kind.DEFINITIF,
            start__lte=period.last_day,
        )
        .order_by("start", "id")
        .values_list("employee_id", "position__unit_id", "position__name", "position__kelas")
    ):
        last[emp_id] = (unit_id, name, kelas)  # the latest start wins
    chosen = {e: v for e, v in last.items() if scope is None or v[0] in scope}
    return {
        e.id: EmployeeInfo(
            employee=e,
            unit_id=units.opd_of(chosen[e.id][0]),
            position_name=chosen[e.id][1],
            kelas=chosen[e.id][2],
        )
        for e in Employee.objects.filter(instansi=instansi, id__in=list(chosen))
    }


# Above this many employees the rows are fetched for the whole instansi and filtered in memory
# rather than with a long `IN (...)` list (the other apps' selectors do the same).
_IN_LIST_LIMIT = 500
# From this many employees on, activity_month runs beside attendance_month (below: not worth a
# second connection).
_SIDE_BY_SIDE_FROM = 500


def _attendance_and_activity(employees: list[Employee], period: Period, window: int):
    """attendance_month and activity_month (the policy's entry window, no daily pre-cap).

    On PostgreSQL, outside a transaction and for many employees, activity_month runs in a second
    thread on its own connection, so that the server aggregates the month's entries while this
    thread derives the attendance (most of the server's part of a large month happens meanwhile).
    Inside a transaction (tests, a request-wide transaction) another connection would not see its
    writes, so there the two run one after the other. The figures are the same either way."""

    def activity() -> dict:
        return activity_month(employees, period, window_working_days=window, daily_cap=NO_CAP)

    if (
        connection.vendor != "postgresql"
        or connection.in_atomic_block
        or len(employees) < _SIDE_BY_SIDE_FROM
    ):
        return attendance_month(employees, period), activity()
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The wrapper object itself: `connection` is a proxy to the current thread's connection.
        pending = pool.submit(_on_own_connection, activity, connections[connection.alias])
        attendance = attendance_month(employees, period)
        return attendance, pending.result()


def _on_own_connection(fn, caller):
    """fn() in a worker thread, on that thread's own connection (closed afterwards). When the
    caller's connection logs its queries (DEBUG, CaptureQueriesContext), the worker's are logged
    there too, so they are counted as the run's."""
    logging = caller.queries_logged
    if logging:
        connection.force_debug_cursor = True
    try:
        return fn()
    finally:
        if logging:
            caller.queries_log.extend(connection.queries_log)
        connection.close()


def _id_filter(instansi, chosen: dict[int, tuple], start: dt.date, end: dt.date):
    if len(chosen) <= _IN_LIST_LIMIT:
        return list(chosen)
    return Assignment.objects.filter(
        Q(end__isnull=True) | Q(end__gte=start),
        instansi=instansi,
        start__lte=end,
        kind=Assignment.Kind.DEFINITIF,
    ).values("employee_id")


def _salary_of_month(e: Employee, first_day: dt.date) -> Decimal | None:
    """The salary in effect on the month's first day (a salary is paid for its month in advance): the
    one before the latest change when that change's TMT is later."""
    if e.salary_since is not None and e.salary_since > first_day and e.previous_salary is not None:
        return e.previous_salary
    return e.salary


def gather_inputs(
    instansi: Instansi, period: Period, unit: Unit | None = None
) -> list[EmployeeMonth]:
    """The calculator's inputs for every employee of the month (ordered by name, NIP)."""
    return gather(instansi, period, unit).employee_months()


# --------------------------------------------------------------------------------------------------
# Runs, results, withholdings


def run_for(instansi: Instansi, period: Period, unit: Unit | None = None) -> Run | None:
    return (
        Run.objects.filter(instansi=instansi, period=str(period), unit=unit)
        .select_related("computed_by", "verified_by", "locked_by", "policy", "unit")
        .first()
    )


def runs_of_period(instansi: Instansi, period: Period) -> list[Run]:
    return list(
        Run.objects.filter(instansi=instansi, period=str(period))
        .select_related("unit")
        .order_by("unit__code")
    )


def result_of(employee: Employee, period: Period) -> Result | None:
    """The employee's stored result for the month (from whichever run of the month holds it)."""
    return (
        Result.objects.filter(
            instansi_id=employee.instansi_id, employee=employee, run__period=str(period)
        )
        .select_related("run", "unit")
        .first()
    )


def results_of_employee(employee: Employee, limit: int = 12) -> list[Result]:
    return list(
        Result.objects.filter(instansi_id=employee.instansi_id, employee=employee)
        .select_related("run")
        .order_by("-run__period")[:limit]
    )


def results_as_superior(
    superior: Employee,
    employee: Employee,
    results: list[Result],
    *,
    timeline: HierarchyTimeline | None = None,
) -> list[Result]:
    """Of an employee's results, those of months whose last day had `superior` as their superior
    (the months a superior may open), from one hierarchy timeline (two queries; none with
    `timeline`, one the caller built over a range holding those last days)."""
    if not results:
        return results
    ends = [Period.parse(r.run.period).last_day for r in results]
    if timeline is None:
        timeline = HierarchyTimeline(employee.instansi_id, min(ends), max(ends))
    # Asked oldest first: each month's hierarchy is then the one before with only what changed
    # done again (HierarchyTimeline._build); newest first rebuilt every month's in full.
    superior_on = {end: timeline.on(end).superior_id(employee.id) for end in sorted(set(ends))}
    return [r for r, end in zip(results, ends, strict=True) if superior_on[end] == superior.id]


def unit_totals(run: Run) -> list[dict]:
    """Per paying unit: employees, gross, PPh 21, health insurance, net, withheld, payable (one
    query). The SP2D recap."""
    from django.db.models import Count, Sum

    rows = (
        Result.objects.filter(run=run)
        .values("unit_id", "unit__code", "unit__name")
        .annotate(
            employees=Count("id"),
            ceiling=Sum("ceiling"),
            gross=Sum("gross"),
            pph21=Sum("pph21"),
            health=Sum("health_insurance"),
            net=Sum("net"),
            released=Sum("released"),
            adjustment=Sum("adjustment"),
            payable=Sum("payable"),
        )
        .order_by("unit__code")
    )
    return list(rows)


def unrecovered_without_post(run: Run) -> Decimal:
    """The part of recoveries the run's payment-only rows (someone with no post in the month) could
    not cover: never carried on when the month is locked (services.carried_rest), left to BPKAD
    to recover outside TPP. Zero or positive (one query)."""
    month_total = F("net") + F("released") + F("adjustment")
    found = (
        Result.objects.filter(run=run, detail__payment_only=True)
        .annotate(month_total=month_total)
        .filter(month_total__lt=0)
        .aggregate(total=Sum("month_total"))["total"]
    )
    return -(found or Decimal(0))


def machines_behind(instansi: Instansi, period: Period) -> list:
    """The fingerprint machines whose data are not complete up to the month's last shift's end (the
    day after the month, 13:00 local: a night shift's check-out and its punch window), or up to now:
    why a list's attendance is not final (one query)."""
    zone = zoneinfo.ZoneInfo(instansi.timezone)
    closes = dt.datetime.combine(period.last_day + dt.timedelta(days=1), dt.time(13), tzinfo=zone)
    return devices_behind(instansi, min(closes, timezone.now()))


def leave_types_not_in_policy(
    instansi: Instansi, policy_data: dict | None, active: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    """The instansi's active leave types (code, name) that the policy's `leave_types` does not list:
    the calculator counts their days with no deduction, no target reduction and TPP paid (a note in
    each explanation), which for CLTN or tugas belajar would pay what the Perbup withholds. One query,
    none when the caller already has `active` (leave_type_names(instansi, active_only=True))."""
    if not isinstance(policy_data, dict):
        return []
    known = policy_data.get("leave_types")
    if not isinstance(known, dict):
        return []
    if active is None:
        active = leave_type_names(instansi, active_only=True)
    return [(code, name) for code, name in active.items() if code not in known]


def without_bank_account(run: Run, limit: int = 20) -> tuple[int, list[Result]]:
    """Results of the run with an amount to pay but no bank account number (the bank file would
    carry an empty account; an account of spaces is none, as exports.account_remark says it on
    the documents): how many, and the first `limit` by name (two queries)."""
    from django.db.models.functions import Trim

    rows = (
        Result.objects.filter(run=run, payable__gt=0)
        .annotate(account=Trim("bank_account"))
        .filter(account="")
    )
    return rows.count(), list(rows.order_by("name")[:limit])


def _last_definitif_units(instansi_id: int, period: Period) -> dict[int, int]:
    """Employee id -> the unit of their last definitif post of the month (the latest start wins;
    gather's rule for the list that pays them). One query."""
    start, end = period.first_day, period.last_day
    last: dict[int, int] = {}
    for emp_id, unit_id in (
        Assignment.objects.filter(
            Q(end__isnull=True) | Q(end__gte=start),
            instansi_id=instansi_id,
            start__lte=end,
            kind=Assignment.Kind.DEFINITIF,
        )
        .order_by("start", "id")
        .values_list("employee_id", "position__unit_id")
    ):
        last[emp_id] = unit_id
    return last


def not_in_list(run: Run, limit: int = 20) -> tuple[int, list[Employee]]:
    """Employees a compute of the run would list now but whom no list of the month holds: a hire or
    transfer recorded after the run was computed (gather's rule: a definitif post on some day of
    the month, the last one in the run's unit subtree). Their number and up to `limit` of them by
    name (four queries; named from the first 900 by id). Recomputing the run adds them."""
    period = Period.parse(run.period)
    last = _last_definitif_units(run.instansi_id, period)
    if run.unit_id is not None:
        scope = UnitTree.load(run.instansi_id).subtree(run.unit_id)
        last = {e: u for e, u in last.items() if u in scope}
    listed = set(
        Result.objects.filter(instansi_id=run.instansi_id, run__period=run.period).values_list(
            "employee_id", flat=True
        )
    )
    return _counted(run, sorted(set(last) - listed), limit)


def unpaid_after_lock(
    instansi: Instansi | int, period: Period, limit: int = 20
) -> tuple[int, list[Employee]]:
    """Employees whom a locked list of the month should hold and no list of the month holds: a
    definitif post on some day of the month, the last one in the scope of a locked list (the whole
    instansi's, or a unit's subtree), recorded after that list was locked. A hire, or a transfer
    into the unit: computing the list of the unit they left again leaves them out, as their last
    post is no longer there, and the locked list cannot take them. Their month is paid by a
    correction (the locked list's "Periksa selisih sejak dikunci"). Their number and up to `limit`
    of them by name; four queries whatever the number of lists or employees (five with names)."""
    from .services import LOCKED_STATES

    instansi_id = instansi if isinstance(instansi, int) else instansi.pk
    scopes = list(
        Run.objects.filter(
            instansi_id=instansi_id, period=str(period), state__in=LOCKED_STATES
        ).values_list("unit_id", flat=True)
    )
    if not scopes:
        return 0, []
    last = _last_definitif_units(instansi_id, period)
    if None not in scopes:  # only unit lists are locked
        tree = UnitTree.load(instansi_id)
        covered: set[int] = set()
        for unit_id in scopes:
            covered |= tree.subtree(unit_id)
        last = {e: u for e, u in last.items() if u in covered}
    listed = set(
        Result.objects.filter(instansi_id=instansi_id, run__period=str(period)).values_list(
            "employee_id", flat=True
        )
    )
    missing = sorted(set(last) - listed)
    if not missing:
        return 0, []
    first = list(
        Employee.objects.filter(instansi_id=instansi_id, id__in=missing[:900]).order_by(
            "name", "nip"
        )[:limit]
    )
    return len(missing), first


def _counted(run: Run, ids: list[int], limit: int) -> tuple[int, list[Employee]]:
    """How many of the run's instansi's employees `ids` are, and up to `limit` of them by name
    (named from the first 900 ids; one query, none when there are none)."""
    if not ids:
        return 0, []
    first = list(
        Employee.objects.filter(instansi_id=run.instansi_id, id__in=ids[:900]).order_by(
            "name", "nip"
        )[:limit]
    )
    return len(ids), first


def predicates_changed(run: Run, limit: int = 20) -> tuple[int, list[Employee]]:
    """Employees of the run whose SKP predicate for its month (predicate_month's rule) is no longer
    the one their result was computed with: rated, re-rated, or rated in a period BKPSDM reopened
    after the compute. Their number and up to `limit` of them by name (three queries whatever the
    size; named from the first 900 by id). Nothing when the run's policy has no SKP component.
    Recomputing the run takes the predicates of now. A payment-only row (someone with no post in
    the month, paid only a release or a correction) has no SKP component and is never compared:
    its empty predicate would differ for ever from a rating whose period still covers the month."""
    if not run.policy_data or "skp" not in policy_from_dict(run.policy_data).component_keys():
        return 0, []
    stored = Result.objects.filter(run=run).values_list(
        "employee_id", "detail__skp__predicate", "detail__payment_only"
    )
    now = predicates_of_instansi(run.instansi_id, Period.parse(run.period))
    changed = sorted(
        emp for emp, used, only_paid in stored if not only_paid and now.get(emp) != used
    )
    return _counted(run, changed, limit)


def input_digests(
    policy_data: dict, months: dict[int, EmployeeMonth]
) -> tuple[str, dict[str, str]]:
    """The run's input digest (SHA-256 of the policy and of every employee's calculator inputs in
    gather's order: identical inputs, identical digest) and each employee's own (employee id as text
    -> the first 16 hex digits of the SHA-256 of their inputs but the SKP predicate, which counts
    only under a policy with an SKP component and is compared by predicates_changed)."""
    whole = hashlib.sha256(repr(sorted(policy_data.items())).encode())
    each: dict[str, str] = {}
    sha256 = hashlib.sha256
    for emp_id, month in months.items():
        head, predicate, tail = (part.encode() for part in month.digest_parts())
        # Fed in parts: the same digest as of the text joined, without copying it.
        whole.update(head)
        whole.update(predicate)
        whole.update(tail)
        own = sha256(head)
        own.update(tail)
        each[str(emp_id)] = own.hexdigest()[:16]
    return whole.hexdigest(), each


@dataclass
class InputsCheck:
    """What `inputs_changed` found: how many of the run's employees have other inputs now, and the
    first of them by name."""

    count: int = 0
    first: list[Employee] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.count)


def inputs_changed(
    run: Run, limit: int = 20, progress: Callable[[int], None] | None = None
) -> InputsCheck:
    """Employees of the run whose calculator inputs (attendance days, leave, credited minutes,
    positions, status, salary, sentences; the predicate is predicates_changed's) are no longer
    those their result was computed from: an entry approved, a leave decided, punches imported or a post corrected after the
    compute. The month is gathered again with the run's own policy copy (the gather's fixed query
    count, as long as a third of the run) and each employee's digest compared with the one kept
    at the compute (RunInputs). Employees the run does not list are `not_in_list`'s. A run
    computed before the digests were kept is not checked until computed again. `progress` is told
    how far the check is (0 to 100; the background check of verify and lock)."""
    say = progress or (lambda _pct: None)
    if not run.policy_data or run.computed_at is None:
        return InputsCheck()
    kept = RunInputs.objects.filter(run=run).values_list("digests", flat=True).first()
    if kept is None:
        # Computed before the digests were kept: checked once computed again (the run's whole
        # digest holds the predicate and employees the list no longer holds, and would refuse
        # changes that do not count).
        return InputsCheck()
    # Only those the run still lists: a unit run computed later may have taken someone over.
    listed = set(Result.objects.filter(run=run).values_list("employee_id", flat=True))
    period = Period.parse(run.period)
    with gc_paused():
        gathered = gather(
            run.instansi,
            period,
            run.unit,
            policy=policy_from_dict(run.policy_data),
            policy_row=run.policy,
            progress=(lambda pct: say(5 + pct * 80 // 100)) if progress else None,
        )
        _whole, each = input_digests(run.policy_data, gathered.months)
    say(95)
    changed = sorted(
        int(emp) for emp, digest in kept.items() if int(emp) in listed and each.get(emp) != digest
    )
    count, first = _counted(run, changed, limit)
    return InputsCheck(count, first)


@dataclass
class ActivityUnsettled:
    """What of the month's activity can still change the run's figures (`activity_unsettled`)."""

    submitted: int = 0  # entries waiting for their superior's verification
    verify_by: dt.date | None = None  # the latest verification deadline among them
    returned: int = 0  # entries returned for revision, which may be submitted again
    window_end: dt.date | None = None  # the entry window of the month's last day, if still open

    def __bool__(self) -> bool:
        return bool(self.submitted or self.returned or self.window_end)


def activity_unsettled(run: Run, today: dt.date) -> ActivityUnsettled:
    """The run's month's activity entries that may still be approved (submitted, or returned for
    revision) by its listed employees, and the entry window of the month's last day when it has
    not closed by `today` (the instansi's default schedule and the entry window of the policy the
    list was computed with): an entry approved after the compute stops verify and lock until the
    list is computed again (inputs_changed), and one approved after the lock is paid in no list
    but by a correction. Eight queries (the entries grouped by status; settings; the default calendar)."""
    period = Period.parse(run.period)
    found = ActivityUnsettled()
    for status, n, last in (
        ActivityEntry.objects.filter(
            instansi_id=run.instansi_id,
            status__in=[EntryStatus.SUBMITTED, EntryStatus.RETURNED],
            date__gte=period.first_day,
            date__lte=period.last_day,
            employee_id__in=Result.objects.filter(run=run).values("employee_id"),
        )
        .values("status")
        .annotate(n=Count("id"), last=Max("verify_by"))
        .order_by()
        .values_list("status", "n", "last")
    ):
        if status == EntryStatus.SUBMITTED:
            found.submitted, found.verify_by = n, last
        else:
            found.returned = n
    # The window the list was computed with (its policy copy), else the activity settings'.
    n = activity_settings(run.instansi_id).window_working_days
    if run.policy_data:
        with contextlib.suppress(PolicyError):
            n = policy_from_dict(run.policy_data).activity.entry_window_working_days
    if today <= period.last_day + dt.timedelta(days=7 * n + 31):
        start = period.last_day + dt.timedelta(days=1)
        days = default_working_days(run.instansi, start, start + dt.timedelta(days=7 * n + 31))
        # A window of 0 working days (same day) closed with the month's last day.
        if n and len(days) >= n and today <= days[n - 1]:
            found.window_end = days[n - 1]
    return found


def withholdings_of(instansi: Instansi, period: Period) -> list[Withholding]:
    return list(
        Withholding.objects.filter(instansi=instansi, period=str(period))
        .select_related("employee", "created_by", "released_by")
        .order_by("employee__name")
    )


def adjustments_of(run: Run) -> list[Adjustment]:
    """The corrections the run's page lists (one query): those paid or recovered in its month
    (target) and those recorded against its month (source, paid in a later one), of the run's
    employees (all of the instansi for a whole-instansi run)."""
    qs = Adjustment.objects.filter(instansi_id=run.instansi_id).filter(
        Q(target_period=run.period) | Q(source_period=run.period)
    )
    if run.unit_id is not None:
        qs = qs.filter(employee_id__in=Result.objects.filter(run=run).values("employee_id"))
    return list(
        qs.select_related("employee", "created_by__employee").order_by(
            "target_period", "employee__name", "id"
        )
    )


def open_withholdings(instansi: Instansi) -> list[Withholding]:
    return list(
        Withholding.objects.filter(instansi=instansi, released_period="")
        .select_related("employee")
        .order_by("period", "employee__name")
    )


# --------------------------------------------------------------------------------------------------
# Payroll lists


def payroll_results(run: Run, unit: Unit | None = None) -> list[Result]:
    """The run's results in list order: paying unit, kelas (high first), name (one query)."""
    qs = Result.objects.filter(run=run).select_related("unit")
    if unit is not None:
        qs = qs.filter(unit=unit)
    return list(qs.order_by("unit__code", "unit_id", "-kelas", "name", "nip"))


@dataclass
class UnitHead:
    name: str
    nip: str
    position: str
    acting: str  # "", "Plt." or "Plh."


def unit_heads(instansi: Instansi, unit_ids: Iterable[int], on: dt.date) -> dict[int, UnitHead]:
    """The head of each unit on a date, for the signature block: the holder of the unit's top
    position (no superior position inside the unit; highest kelas), Plh before Plt before definitif
    as in org.selectors (two queries)."""
    from ekinerja.org.models import Position

    unit_ids = set(unit_ids)
    positions = list(
        Position.objects.filter(instansi=instansi, unit_id__in=unit_ids).values_list(
            "id", "unit_id", "parent_id", "kelas", "name", "parent__unit_id"
        )
    )
    top: dict[int, tuple] = {}
    for pid, uid, parent, kelas, name, parent_unit in positions:
        if parent is not None and parent_unit == uid:
            continue
        if uid not in top or kelas > top[uid][1]:
            top[uid] = (pid, kelas, name)
    holders = position_holders([t[0] for t in top.values()], on)
    out = {}
    for uid, (pid, _kelas, pname) in top.items():
        if pid in holders:
            full, nip, prefix = holders[pid]
            out[uid] = UnitHead(full, nip, pname, prefix)
    return out


def position_holders(position_ids: Iterable[int], on: dt.date) -> dict[int, tuple[str, str, str]]:
    """Who signs for each position on a date: (full name with titles, NIP, "Plt."/"Plh." or ""), an
    active Plh before a Plt before the definitif holder, as in org.selectors (one query)."""
    from ekinerja.org.selectors import active_on

    rank = {Assignment.Kind.PLH: 0, Assignment.Kind.PLT: 1, Assignment.Kind.DEFINITIF: 2}
    best: dict[int, tuple] = {}
    for pid, kind, name, front, back, nip in Assignment.objects.filter(
        active_on(on), position_id__in=list(position_ids)
    ).values_list(
        "position_id",
        "kind",
        "employee__name",
        "employee__front_title",
        "employee__back_title",
        "employee__nip",
    ):
        full = f"{front} {name}".strip() if front else name
        if back:
            full = f"{full}, {back}"
        key = (rank[kind], nip)
        if pid not in best or key < best[pid][0]:
            best[pid] = (key, full, nip, {"plt": "Plt.", "plh": "Plh."}.get(kind, ""))
    return {pid: (full, nip, prefix) for pid, (_key, full, nip, prefix) in best.items()}


# --------------------------------------------------------------------------------------------------
# The live estimate


@dataclass
class Estimate:
    period: Period
    today: dt.date
    result: object  # calculator.TppResult
    info: EmployeeInfo
    policy_name: str
    policy_data: dict = field(default_factory=dict)


def estimate(employee: Employee, today: dt.date) -> Estimate | None:
    """The current month computed on the fly for one employee (nothing stored), from the data known
    today: working days after today count as clean days without minutes yet, so the estimate rises
    as entries are verified; one covered by an approved leave counts as that leave. None without a
    policy in force or without a definitif post this month. A fixed number of queries."""
    from .calculator import calculate

    period = Period.of(today)
    try:
        g = gather(employee.instansi, period, employee_ids=[employee.id], until=today)
    except NoPolicy:
        return None
    if employee.id not in g.months:
        return None
    return Estimate(
        period=period,
        today=today,
        result=calculate(g.policy, g.months[employee.id]),
        info=g.info[employee.id],
        policy_name=g.policy.name,
        policy_data=g.policy_row.data if g.policy_row is not None else {},
    )


def unlocked_lists_of(instansi: Instansi, period: Period) -> bool:
    """Whether a computed list of the month is not locked yet (computed or verified), so that its
    figures may still change (one query)."""
    return Run.objects.filter(
        instansi=instansi,
        period=str(period),
        state__in=[Run.State.COMPUTED, Run.State.VERIFIED],
    ).exists()


def computed_sums_by_unit(instansi: Instansi, period: Period) -> dict[int, tuple[Decimal, Decimal]]:
    """Unit id (of each result's post) -> (sum of ceilings, sum of gross) of the month's computed
    results, from any run that is no longer open (one query). Empty when the month is not computed."""
    rows = (
        Result.objects.filter(instansi=instansi, run__period=str(period), unit__isnull=False)
        .exclude(run__state=Run.State.OPEN)
        .values("unit_id")
        .annotate(ceiling=Sum("ceiling"), gross=Sum("gross"))
        .order_by()
        .values_list("unit_id", "ceiling", "gross")
    )
    return {unit: (ceiling, gross) for unit, ceiling, gross in rows}


def adjustments_into(employee: Employee, period: Period) -> list[Adjustment]:
    """The corrections paid (or recovered) in the employee's month, oldest first (one query): what
    makes up the result's `adjustment`, each with the month it corrects and its reason."""
    return list(
        Adjustment.objects.filter(
            instansi_id=employee.instansi_id, employee=employee, target_period=str(period)
        ).order_by("source_period", "created_at", "id")
    )


@dataclass(frozen=True)
class PaymentSource:
    """One part of what a month's list pays besides the month's own net: a withheld earlier month
    released into it, or a correction (or a recovery's carried rest) of an earlier locked month."""

    kind: str  # "released" or "adjustment"
    period: str  # the month it belongs to / corrects, "YYYY-MM"
    amount: Decimal
    carried: bool = False


def payment_sources(
    instansi_id: int, period: Period, employee_ids: Iterable[int]
) -> dict[int, list[PaymentSource]]:
    """For the list's Keterangan: per employee, the releases and corrections paid in the month, each
    with the month it comes from, releases first, oldest month first (two queries)."""
    ids = list(employee_ids)
    out: dict[int, list[PaymentSource]] = defaultdict(list)
    if not ids:
        return out
    released = (
        Withholding.objects.filter(
            instansi_id=instansi_id, released_period=str(period), employee_id__in=ids
        )
        .exclude(period=str(period))
        .order_by("period", "id")
        .values_list("employee_id", "period", "amount")
    )
    for emp, held, amount in released:
        out[emp].append(PaymentSource("released", held, amount or Decimal(0)))
    corrections = (
        Adjustment.objects.filter(
            instansi_id=instansi_id, target_period=str(period), employee_id__in=ids
        )
        .order_by("source_period", "created_at", "id")
        .values_list("employee_id", "source_period", "amount", "carried")
    )
    for emp, source, amount, carried in corrections:
        out[emp].append(PaymentSource("adjustment", source, amount, carried))
    return out


def carried_from(employee: Employee, period: Period) -> Adjustment | None:
    """The rest of a recovery the month could not cover, carried to a later month when it was
    locked (services._carry_unrecovered), if any (one query)."""
    return Adjustment.objects.filter(
        instansi_id=employee.instansi_id,
        employee=employee,
        source_period=str(period),
        carried=True,
    ).first()


def withholdings_to_release_from(run: Run) -> list[Withholding]:
    """The withholdings of other months still held, offered for release on the run's page (two
    queries). Each knows `own_month`: its held month is not locked for the employee, so the release
    pays it in that month's own list, not in this one (services.withholding_release); the page says
    so. A later month already locked is not offered: it cannot be paid in an earlier list."""
    held = [w for w in open_withholdings(run.instansi) if w.period != run.period]
    locked = locked_months_of(run.instansi_id, {(w.employee_id, w.period) for w in held})
    out = []
    for w in held:
        w.own_month = (w.employee_id, w.period) not in locked
        if w.own_month or w.period < run.period:
            out.append(w)
    return out


def corrections_of_month(employee: Employee, period: Period) -> list[dict]:
    """The corrections of the employee's `period` recorded after its list was locked, paid or
    recovered in a later month, for the month's page: {amount (positive), recovered, target_period,
    reason}, in the order they are paid (one query). A carried rest is not one: it corrects no
    figure of the month."""
    return [
        {
            "amount": abs(a.amount),
            "recovered": a.amount < 0,
            "target_period": a.target_period,
            "reason": a.reason,
        }
        for a in Adjustment.objects.filter(
            employee=employee, source_period=str(period), carried=False
        ).order_by("target_period", "created_at", "pk")
    ]


def locked_months_of(instansi_id: int, pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Of (employee id, "YYYY-MM") pairs, those whose month has a locked or exported TPP list holding
    the employee (one query). Registered as core.locked_months' source (TppConfig.ready)."""
    from .services import LOCKED_STATES

    if not pairs:
        return set()
    rows = Result.objects.filter(
        instansi_id=instansi_id,
        employee_id__in={e for e, _ in pairs},
        run__period__in={m for _, m in pairs},
        run__state__in=LOCKED_STATES,
    ).values_list("employee_id", "run__period")
    return {(e, m) for e, m in rows if (e, m) in pairs}
