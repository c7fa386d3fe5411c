"""The `ekinerja-result/1` document of a computed run (scenario-format.md, "Result")."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q

from ekinerja.activities.selectors import NO_CAP, activity_month
from ekinerja.attendance.selectors import attendance_month
from ekinerja.core.periods import Period, rentang_tanggal
from ekinerja.org.models import Assignment, Employee
from ekinerja.performance.selectors import predicate_month
from ekinerja.tpp.calculator import EmployeeMonth, PositionDay, WorkingDay, calculate
from ekinerja.tpp.models import Result, Run, Sentence
from ekinerja.tpp.policy import Policy
from ekinerja.tpp.selectors import pph21_golongan

FORMAT = "ekinerja-result/1"
# What the stored explanation adds to the format's row (kept for the web explanation page only).
_EXTRA = {
    "lines",
    "days_in_post",
    "status_factor",
    "presence_rate",
    "sentence_level",
    "pph21_rate",
    "pph21_key",
    "subtotal",
    "position",
    "kelas",
    "pots",
    "weights",
    "allowance_names",
}
_EXTRA_ATTENDANCE = {"late_by_band", "early_by_band", "present_days"}
_EXTRA_ACTIVITY = {"uncapped_minutes", "days_over_cap"}


def _row(detail: dict) -> dict:
    row = {k: v for k, v in detail.items() if k not in _EXTRA}
    for key, extra in (("attendance", _EXTRA_ATTENDANCE), ("activity", _EXTRA_ACTIVITY)):
        if isinstance(row.get(key), dict):
            row[key] = {k: v for k, v in row[key].items() if k not in extra}
    if isinstance(row.get("allowances"), dict):
        row["allowances"] = {
            name: _allowance(allowance) for name, allowance in row["allowances"].items()
        }
    return row


# The keys of an allowance in the order of the format's example ({"ceiling", "attendance",
# "activity", "gross"}): the stored row lists its components in the policy's order, so a policy
# listing activity before attendance wrote them the other way round.
_ALLOWANCE_ORDER = ("ceiling", "attendance", "activity", "skp", "gross")


def _allowance(allowance: dict) -> dict:
    for key, extra in (("attendance", _EXTRA_ATTENDANCE), ("activity", _EXTRA_ACTIVITY)):
        if isinstance(allowance.get(key), dict):
            allowance[key] = {k: v for k, v in allowance[key].items() if k not in extra}
    ordered = {k: allowance[k] for k in _ALLOWANCE_ORDER if k in allowance}
    return {**ordered, **{k: v for k, v in allowance.items() if k not in ordered}}


def rows_without_post(run: Run, policy: Policy) -> list[dict]:
    """Rows for the employees of the file the run lists no result for: no definitif post on any day
    of the month (it ended before, starts after, only Plt/Plh, or no assignment at all).

    The web app's run lists only employees with a post in the month (docs/tpp-run.md); the format
    gives every employee of the file a row (tpp-rules.md step 1: "an employee with no working day in
    a position ... gets 0 with the reason"). Their month goes through the same calculator with no
    position on any working day, so every amount is 0, W is their own calendar's and the row has
    the format's shape; a first note says why."""
    period = Period.parse(run.period)
    listed = Result.objects.filter(run=run).values("employee_id")
    employees = list(
        Employee.objects.filter(instansi=run.instansi)
        .exclude(id__in=listed)
        .select_related("instansi")
        .order_by("nip")
    )
    if not employees:
        return []
    start, end = period.first_day, period.last_day
    ids = [e.id for e in employees]
    attendance = attendance_month(employees, period)
    activity = activity_month(
        employees,
        period,
        window_working_days=policy.activity.entry_window_working_days,
        daily_cap=NO_CAP,
    )
    predicates = predicate_month(employees, period)
    sentences: dict[int, set[str]] = defaultdict(set)
    for emp_id, level in Sentence.objects.filter(
        employee_id__in=ids, start__lte=end, end__gte=start
    ).values_list("employee_id", "level"):
        sentences[emp_id].add(level)
    acting: dict[int, list[tuple]] = defaultdict(list)
    for emp_id, a_start, a_end, kelas, base in (
        Assignment.objects.filter(Q(end__isnull=True) | Q(end__gte=start), start__lte=end)
        .filter(employee_id__in=ids)
        .exclude(kind=Assignment.Kind.DEFINITIF)
        .order_by("start", "id")
        .values_list("employee_id", "start", "end", "position__kelas", "position__tpp_base")
    ):
        acting[emp_id].append((a_start, a_end, PositionDay(kelas, base)))

    def acting_on(emp_id: int, day: dt.date) -> tuple[PositionDay, ...]:
        return tuple(
            pos for a, b, pos in acting.get(emp_id, ()) if a <= day and (b is None or day <= b)
        )

    rows = []
    for e in employees:
        # Approved minutes are credited on every day of the month (tpp-rules.md; as gather does).
        minutes = activity[e.id].minutes_by_day if e.id in activity else {}
        facts = attendance.get(e.id, ())
        working = {f.date for f in facts}
        month = EmployeeMonth(
            nip=e.nip,
            status=e.status,
            golongan=pph21_golongan(e),
            days=tuple(
                WorkingDay(
                    date=f.date,
                    position=None,
                    acting=acting_on(e.id, f.date),
                    leave=f.leave_type,
                    has_any_punch=f.has_any_punch,
                    credited_minutes=Decimal(minutes.get(f.date) or 0),
                )
                for f in facts
            ),
            off_day_minutes=tuple(
                (d, Decimal(m)) for d, m in sorted(minutes.items()) if m and d not in working
            ),
            salary=e.salary,
            predicate=predicates.get(e.id),
            sentences=tuple(sorted(sentences.get(e.id, ()))),
            expired_entries=activity[e.id].window_expired if e.id in activity else 0,
        )
        row = _row(calculate(policy, month).as_row())
        row["notes"] = [
            f"Tidak memiliki jabatan definitif pada {period.label}: TPP bulan ini 0.",
            *row.get("notes", ()),
        ]
        rows.append(row)
    return rows


def overlapping_leave_notes(leaves, period: Period) -> dict[str, list[str]]:
    """NIP -> a note per leave of the file that another leave of the same NIP, listed before it,
    covers on some day of the month: that day is the earlier leave's (docs/exchange-format.md,
    "Leaves of one NIP may overlap"), and the spec's `notes` say every exclusion applied."""
    notes: dict[str, list[str]] = defaultdict(list)
    earlier: dict[str, list] = defaultdict(list)
    for leave in leaves:
        start = max(leave.start, period.first_day)
        end = min(leave.end, period.last_day)
        taken: list[tuple[dt.date, dt.date, str]] = []
        for other in earlier[leave.nip]:
            lo, hi = max(start, other.start), min(end, other.end)
            if lo <= hi:
                taken.append((lo, hi, other.type))
        earlier[leave.nip].append(leave)
        for lo, hi, kind in taken:
            notes[leave.nip].append(
                f"Cuti {leave.type} {rentang_tanggal(leave.start, leave.end)} tumpang tindih "
                f"dengan cuti {kind} yang tercantum lebih dulu: {rentang_tanggal(lo, hi)} "
                f"dihitung sebagai {kind}."
            )
    return notes


def result_document(
    run: Run, extra_rows: list[dict] = (), notes_by_nip: dict[str, list[str]] | None = None
) -> dict:
    """`extra_rows`: rows of employees the run does not list (rows_without_post); `notes_by_nip`:
    notes of the file's own (overlapping_leave_notes) added after each row's."""
    rows = [_row(r.detail) for r in Result.objects.filter(run=run)]
    rows = sorted([*rows, *extra_rows], key=lambda row: row["nip"])
    for row in rows:
        if notes_by_nip and row["nip"] in notes_by_nip:
            row["notes"] = [*row.get("notes", ()), *notes_by_nip[row["nip"]]]
    return {
        "format": FORMAT,
        "instansi": run.instansi.code,
        "period": run.period,
        "policy": (run.policy_data or {}).get("name", run.policy.name if run.policy_id else ""),
        "employees": rows,
        "totals": {
            "employees": len(rows),
            "gross": sum(r["gross"] for r in rows),
            "pph21": sum(r["pph21"] for r in rows),
            "health_insurance": sum(r["health_insurance"] for r in rows),
            "net": sum(r["net"] for r in rows),
        },
    }
