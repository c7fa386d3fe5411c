"""Demo attendance for a month: punches with realistic lateness and missing punches, some leave, and
a hospital unit on shifts (morning, afternoon, night). Called by the demo-data command; deterministic
for a given seed."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from django.core.exceptions import ValidationError
from django.utils import timezone

from ekinerja.core.models import Instansi
from ekinerja.core.periods import Period
from ekinerja.org.models import Employee
from ekinerja.workcal import selectors as workcal
from ekinerja.workcal.models import EmployeeSchedule, WorkSchedule
from ekinerja.workcal.services import (
    employee_schedule_assign,
    holidays_seed,
    roster_set,
    schedule_define,
)

from . import services
from .models import LeaveType

ROTATION = [
    "P",
    "P",
    "S",
    "S",
    "M",
    "M",
    None,
    None,
]  # two mornings, two afternoons, two nights, off


def _schedules(instansi: Instansi) -> tuple[WorkSchedule, WorkSchedule]:
    t = dt.time
    fixed = WorkSchedule.objects.filter(instansi=instansi, is_default=True).first()
    if fixed is None:
        fixed = schedule_define(
            actor=None,
            instansi=instansi,
            code="5HK",
            name="Lima hari kerja",
            days={**{d: (t(7, 30), t(16, 0)) for d in range(4)}, 4: (t(7, 30), t(16, 30))},
            is_default=True,
        )
    shift = WorkSchedule.objects.filter(instansi=instansi, code="RS-3SHIFT").first()
    if shift is None:
        shift = schedule_define(
            actor=None,
            instansi=instansi,
            code="RS-3SHIFT",
            name="Rumah sakit tiga shift",
            kind=WorkSchedule.Kind.SHIFT,
            shifts={"P": (t(7), t(14)), "S": (t(14), t(21)), "M": (t(21), t(7))},
            grace_minutes=5,
        )
    return fixed, shift


def demo_attendance(
    instansi: Instansi,
    period: Period,
    *,
    shift_employees: list[Employee] | None = None,
    seed: int = 2026,
    until: dt.date | None = None,
) -> Counter:
    """Generate the month's attendance for every active employee of the instansi (up to `until`,
    default today). `shift_employees` (e.g. the staff of an RSUD) work a rotating three-shift roster."""
    stats: Counter = Counter()
    holidays_seed(actor=None, instansi=instansi, year=period.year)
    services.leave_types_ensure(instansi)
    _fixed, shift = _schedules(instansi)
    employees = list(Employee.objects.filter(instansi=instansi, is_active=True).order_by("id"))
    shift_ids = {e.id for e in shift_employees or []}
    on_shift = set(
        EmployeeSchedule.objects.filter(employee_id__in=shift_ids, schedule=shift).values_list(
            "employee_id", flat=True
        )
    )
    for e in shift_employees or []:
        if e.id not in on_shift:
            try:
                employee_schedule_assign(
                    actor=None,
                    employee=e,
                    schedule=shift,
                    date_from=period.first_day,
                    close_open=True,
                )
            except ValidationError:
                continue
    entries = []
    for i, e in enumerate(sorted(shift_ids)):
        for d in period.days():
            entries.append((e, d, ROTATION[(d.toordinal() + i) % len(ROTATION)]))
    if entries:
        stats["roster"] = roster_set(actor=None, instansi=instansi, entries=entries, schedule=shift)

    last = min(period.last_day, until or timezone.localdate())
    work = workcal.work_days(employees, period.first_day, period.last_day)
    types = {lt.code: lt for lt in LeaveType.objects.filter(instansi=instansi)}
    rows: list[services.PunchRow] = []
    for e in employees:
        # One stream per employee, so a second run draws exactly the same days and punches.
        rng = random.Random(f"{seed}-{e.nip}-{period}")
        days = [w for w in work.get(e.id, []) if w.date <= last]
        taken: set[dt.date] = set()
        if days and rng.random() < 0.12:  # some leave this month
            code = rng.choice(["sakit", "izin", "cuti_tahunan", "dinas_luar"])
            first = rng.randrange(len(days))
            span = days[first : first + rng.randint(1, 3)]
            taken = {w.date for w in span}
            try:
                services.leave_record_approved(
                    actor=None,
                    employee=e,
                    leave_type=types[code],
                    date_from=span[0].date,
                    date_to=span[-1].date,
                    reason="Data demo",
                    recompute=False,
                )
                stats["leave"] += 1
            except ValidationError:
                pass  # already recorded by an earlier run
        habit = rng.random()  # some people are often late
        for w in days:
            if w.date in taken:
                continue
            r = rng.random()
            if r < 0.02:
                stats["absent"] += 1
                continue
            late = rng.random() < (0.35 if habit > 0.85 else 0.08)
            offset = rng.randint(1, 75) if late else -rng.randint(0, 35)
            rows.append(
                services.PunchRow(
                    e.id,
                    w.start + dt.timedelta(minutes=offset, seconds=rng.randint(0, 59)),
                    "fingerprint",
                    "DEMO",
                )
            )
            if r < 0.05:
                stats["missing_out"] += 1
                continue
            early = rng.random() < 0.05
            out = -rng.randint(5, 60) if early else rng.randint(0, 40)
            rows.append(
                services.PunchRow(
                    e.id,
                    w.end + dt.timedelta(minutes=out, seconds=rng.randint(0, 59)),
                    "fingerprint",
                    "DEMO",
                )
            )
    stats["punches"] = services.punches_insert(instansi, rows)
    stats["days"] = services.daily_recompute(
        instansi=instansi, start=period.first_day, end=period.last_day, employees=employees
    )
    return stats
