"""Writing an `ekinerja/1` document into the database (for `scenario run`, into a fresh throwaway one).

Everything is bulk-inserted in one transaction; the rows are the same ones the web app writes, so the
month that follows is computed by the same code path (tpp.services.run_compute) as in production.

Decisions where the format leaves room (see docs/exchange-format.md):
- Every employee names their schedule (required by read_document).
- National holidays and cuti bersama come from the `holidays` package when use_national_holidays;
  listed holidays always apply.
- Leaves are approved leave requests; activities keep their status; `submitted_on` is taken as noon,
  local time, of that date.
- An unlock has no deadline in the format: it covers its dates whenever the entry was submitted.
- An SKP rating becomes a one-month evaluation with the given predicate.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import transaction

from ekinerja.activities.models import (
    ActivityCatalogItem,
    ActivityEntry,
    UnlockRequest,
    minutes_for,
)
from ekinerja.attendance.models import LeaveRequest, LeaveType, Punch
from ekinerja.core.audit import audit_record
from ekinerja.core.models import Instansi, User
from ekinerja.core.periods import Period
from ekinerja.org.models import Assignment, Employee, Position, Unit
from ekinerja.performance.models import SkpEvaluation, SkpPlan
from ekinerja.tpp.models import Policy, Sentence
from ekinerja.workcal.models import (
    EmployeeSchedule,
    Holiday,
    ScheduleDay,
    Shift,
    ShiftRoster,
    WorkSchedule,
)
from ekinerja.workcal.services import holidays_seed

from .document import OTHER_PUNCH_SOURCE, PUNCH_SOURCES, Document, stored_minutes

FAR_PAST = dt.date(1900, 1, 1)
NO_DEADLINE = dt.date(9999, 12, 31)
NOON = dt.time(12, 0)
PREDICATE_RATINGS = {
    # (results, behaviour) giving each predicate in the PermenPANRB 6/2022 matrix.
    "sangat_baik": ("above", "above"),
    "baik": ("as_expected", "as_expected"),
    "butuh_perbaikan": ("below", "as_expected"),
    "kurang": ("as_expected", "below"),
    "sangat_kurang": ("below", "below"),
}


def _years(doc: Document) -> set[int]:
    years: set[int] = set()
    for group in (doc.punches, doc.activities):
        for rec in group:
            years.add((rec.at if hasattr(rec, "at") else rec.date).year)
    for act in doc.activities:
        if act.submitted_on is not None:  # a window may end in the next year
            years.add(act.submitted_on.year)
    for e in doc.employees:
        for a in e.assignments:
            years.add(a.start.year)
            if a.end:
                years.add(a.end.year)
    for pol, _src in doc.policies:
        years.add(pol.effective_from.year)
    return years


@transaction.atomic
def load_document(
    doc: Document, *, actor: User | None = None, extra_years: set[int] | None = None
) -> Instansi:
    """Create the instansi and all its rows from a read document. Refuses an existing instansi code."""
    if Instansi.objects.filter(code=doc.instansi.code).exists():
        raise ValueError(f"Instansi {doc.instansi.code} sudah ada di basis data ini.")
    inst = Instansi.objects.create(
        code=doc.instansi.code, name=doc.instansi.name, timezone=doc.instansi.timezone
    )
    zone = zoneinfo.ZoneInfo(inst.timezone)
    if actor is None:
        # Rows that need a requesting account (unlocks) name this inactive system account.
        actor = User.objects.create(
            username=f"ekinerja1-{inst.code}", instansi=inst, is_active=False
        )
        actor.set_unusable_password()
        actor.save(update_fields=["password"])

    # Calendar ------------------------------------------------------------------------------------
    if doc.use_national_holidays:
        for year in sorted(_years(doc) | (extra_years or set())):
            # The system's own calendar (actor None): the account above holds no role.
            holidays_seed(actor=None, instansi=inst, year=year)

    # The listed holidays always apply (tpp-rules.md: "national when use_national_holidays, plus
    # the listed ones"). The app applies a national or cuti bersama row only to schedules that use
    # the national calendar (workcal.selectors.holiday_sets), so without it they are kept as the
    # instansi's own (regional) days, as the format reads them.
    def kind_of(h) -> str:
        if doc.use_national_holidays:
            return h.kind
        return Holiday.Kind.REGIONAL

    Holiday.objects.bulk_create(
        [
            Holiday(
                instansi=inst,
                date=h.date,
                name=h.name,
                kind=kind_of(h),
                source=Holiday.Source.MANUAL,
            )
            for h in doc.holidays
        ],
        ignore_conflicts=True,
    )
    default_code = next((s.code for s in doc.schedules if s.kind == "fixed"), None)
    schedules = {
        s.code: WorkSchedule(
            instansi=inst,
            code=s.code,
            name=s.code,
            kind=s.kind,
            grace_minutes=0,
            use_national_holidays=doc.use_national_holidays,
            is_default=s.code == default_code,
        )
        for s in doc.schedules
    }
    WorkSchedule.objects.bulk_create(schedules.values())
    days, shifts = [], {}
    for s in doc.schedules:
        ws = schedules[s.code]
        for weekday, (start, end) in s.days.items():
            days.append(
                ScheduleDay(instansi=inst, schedule=ws, weekday=weekday, start=start, end=end)
            )
        for code, (start, end) in s.shifts.items():
            shifts[(s.code, code)] = Shift(
                instansi=inst, schedule=ws, code=code, name=code, start=start, end=end
            )
    ScheduleDay.objects.bulk_create(days)
    Shift.objects.bulk_create(shifts.values())

    # Organisation --------------------------------------------------------------------------------
    units = {
        u.code: Unit(
            instansi=inst,
            code=u.code,
            name=u.name,
            kind=Unit.Kind.SUB if u.parent else Unit.Kind.OPD,
        )
        for u in doc.units
    }
    Unit.objects.bulk_create(units.values())
    for u in doc.units:
        if u.parent:
            units[u.code].parent = units[u.parent]
    Unit.objects.bulk_update([units[u.code] for u in doc.units if u.parent], ["parent"])
    positions = {
        p.code: Position(
            instansi=inst,
            code=p.code,
            name=p.name,
            unit=units[p.unit],
            kind=p.kind,
            kelas=p.kelas,
            tpp_base=p.tpp_base,
        )
        for p in doc.positions
    }
    Position.objects.bulk_create(positions.values())
    for p in doc.positions:
        if p.parent:
            positions[p.code].parent = positions[p.parent]
    Position.objects.bulk_update([positions[p.code] for p in doc.positions if p.parent], ["parent"])

    employees = {}
    for e in doc.employees:
        gol = e.golongan or ""
        grade = ""
        if e.status == "PPPK":
            # A PPPK employee has no PNS golongan: what the file writes in `golongan` ("IX",
            # "III/b", "9") is kept verbatim as their grade, and the scenario run reads it back as
            # written (tpp.selectors.pph21_golongan), so its PPh 21 key is the part before "/"
            # ("IX", "III", "9") as tpp-rules.md defines it. Stored as the grade's code, "9" and
            # "IX" would both have read back as "IX". (The scenario database is SQLite, which
            # keeps a label longer than the field's two characters.)
            grade, gol = gol, ""
        employees[e.nip] = Employee(
            instansi=inst,
            nip=e.nip,
            name=e.name,
            status=e.status,
            golongan=gol,
            pppk_grade=grade,
            salary=e.salary,
        )
    Employee.objects.bulk_create(employees.values())
    Assignment.objects.bulk_create(
        [
            Assignment(
                instansi=inst,
                employee=employees[e.nip],
                position=positions[a.position],
                kind=a.kind,
                start=a.start,
                end=a.end,
            )
            for e in doc.employees
            for a in e.assignments
        ]
    )
    EmployeeSchedule.objects.bulk_create(
        [
            EmployeeSchedule(
                instansi=inst,
                employee=employees[e.nip],
                schedule=schedules[e.schedule],
                date_from=FAR_PAST,
            )
            for e in doc.employees
            if e.schedule
        ]
    )
    sched_of = {e.nip: e.schedule or default_code for e in doc.employees}
    ShiftRoster.objects.bulk_create(
        [
            ShiftRoster(
                instansi=inst,
                employee=employees[r.nip],
                date=r.date,
                shift=shifts[(sched_of[r.nip], r.shift)],
            )
            for r in doc.shift_roster
        ]
    )

    # Attendance ----------------------------------------------------------------------------------
    Punch.objects.bulk_create(
        [
            Punch(
                instansi=inst,
                employee=employees[p.nip],
                at=p.at.replace(tzinfo=zone),
                # A source the app does not know (face_recognition) is a device punch; the file's
                # own name stays its source key.
                source=p.source if p.source in PUNCH_SOURCES else OTHER_PUNCH_SOURCE,
                source_key=p.source,
                reason="ekinerja/1" if p.source == "manual" else "",
            )
            for p in doc.punches
        ],
        ignore_conflicts=True,  # the same punch twice in a file is one punch
    )
    leave_keys = sorted(
        {k for pol, _ in doc.policies for k in pol.leave_types} | {lv.type for lv in doc.leaves}
    )
    leave_types = {
        k: LeaveType(instansi=inst, code=k, name=k.replace("_", " ").capitalize())
        for k in leave_keys
    }
    LeaveType.objects.bulk_create(leave_types.values())
    LeaveRequest.objects.bulk_create(
        [
            LeaveRequest(
                instansi=inst,
                employee=employees[lv.nip],
                leave_type=leave_types[lv.type],
                date_from=lv.start,
                date_to=lv.end,
                status=LeaveRequest.Status.APPROVED,
            )
            for lv in doc.leaves
        ]
    )

    # Activities ----------------------------------------------------------------------------------
    catalog = {
        c.code: ActivityCatalogItem(
            instansi=inst,
            code=c.code,
            name=c.name,
            output_unit=c.output,
            standard_minutes=c.minutes,
            active_from=FAR_PAST,
        )
        for c in doc.activity_catalog
    }
    ActivityCatalogItem.objects.bulk_create(catalog.values())
    entries = []
    for a in doc.activities:
        item = catalog[a.catalog]
        submitted_at = (
            dt.datetime.combine(a.submitted_on, NOON, tzinfo=zone) if a.submitted_on else None
        )
        approved = a.status == "approved"
        # read_document checked that the exact minutes can be kept (stored_minutes is not None).
        per_unit, volume = stored_minutes(item.standard_minutes, a.volume)
        entries.append(
            ActivityEntry(
                instansi=inst,
                employee=employees[a.nip],
                date=a.date,
                start_time=a.start,
                # An entry across midnight belongs to its date; the app's entries lie within one
                # day, so it is kept as running to the end of that date (times are not computed).
                end_time=a.end if a.end > a.start else dt.time.max,
                item=item,
                volume=volume,
                minutes_per_unit=per_unit,
                status=a.status,
                submitted_at=submitted_at,
                credited_minutes=minutes_for(per_unit, volume) if approved else 0,
                verified_at=submitted_at if a.status in ("approved", "rejected") else None,
            )
        )
    ActivityEntry.objects.bulk_create(entries)
    UnlockRequest.objects.bulk_create(
        [
            UnlockRequest(
                instansi=inst,
                employee=employees[u.nip],
                date_from=u.start,
                date_to=u.end,
                reason="ekinerja/1",
                requested_by=actor,
                status="approved",
                deadline=NO_DEADLINE,
                decided_at=dt.datetime.combine(u.approved_on, NOON, tzinfo=zone),
            )
            for u in doc.unlocks
        ]
    )

    # Performance ---------------------------------------------------------------------------------
    plans = {}
    for r in doc.skp_ratings:
        year = int(r.period[:4])
        key = (r.nip, year)
        if key not in plans:
            plans[key] = SkpPlan(
                instansi=inst,
                employee=employees[r.nip],
                year=year,
                status=SkpPlan.Status.AGREED,
                effective_from=dt.date(year, 1, 1),
                agreed_at=dt.datetime(year, 1, 1, tzinfo=zone),
            )
    SkpPlan.objects.bulk_create(plans.values())
    evaluations = []
    for r in doc.skp_ratings:
        period = Period.parse(r.period)
        results, behaviour = PREDICATE_RATINGS[r.predicate]
        evaluations.append(
            SkpEvaluation(
                instansi=inst,
                employee=employees[r.nip],
                plan=plans[(r.nip, period.year)],
                period_start=period.first_day,
                period_end=period.last_day,
                results_rating=results,
                behaviour_rating=behaviour,
                predicate=r.predicate,
            )
        )
    SkpEvaluation.objects.bulk_create(evaluations)

    # TPP -----------------------------------------------------------------------------------------
    Sentence.objects.bulk_create(
        [
            Sentence(
                instansi=inst, employee=employees[s.nip], level=s.level, start=s.start, end=s.end
            )
            for s in doc.sentences
        ]
    )
    Policy.objects.bulk_create(
        [
            Policy(
                instansi=inst,
                name=pol.name,
                effective_from=pol.effective_from,
                status=Policy.Status.ADOPTED,
                data=src,
            )
            for pol, src in doc.policies
        ]
    )
    audit_record(
        action="exchange.load",
        actor=actor,
        instansi=inst,
        after={
            "employees": len(doc.employees),
            "punches": len(doc.punches),
            "activities": len(doc.activities),
            "policies": len(doc.policies),
        },
    )
    return inst
