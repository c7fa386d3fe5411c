"""Writes to the work calendar. Holidays and schedules decide working days, hence attendance
deductions and activity windows, so every change is validated and audited, and announced
(signals.calendar_changed) with the dates and employees it touches, so what was derived from the
calendar (stored daily attendance, the working days of leave requests) is derived again."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from ekinerja.core import locked_months
from ekinerja.core.audit import audit_record, snapshot
from ekinerja.core.models import Instansi, User
from ekinerja.core.periods import DATE_OUT_OF_RANGE, MONTHS_ID, Period, date_in_range, tanggal
from ekinerja.org import selectors as org
from ekinerja.org.models import Assignment, Employee, Role

from . import selectors, signals
from .models import (
    WEEKDAY_CHOICES,
    EmployeeSchedule,
    Holiday,
    ScheduleDay,
    ScheduleVariant,
    Shift,
    ShiftRoster,
    WorkSchedule,
)

HOLIDAY_FIELDS = ["date", "name", "kind", "source", "is_active"]


# ---------------------------------------------------------------- who may change the calendar


def _installation_superuser(actor: User) -> bool:
    return actor.is_superuser and actor.instansi_id is None


def holiday_actor_check(actor: User | None, instansi_id: int) -> None:
    """Holidays decide the working days of a whole instansi (attendance deductions, activity
    windows, TPP): BKPSDM of that instansi keeps them (workcal.manage_holidays), or the system
    (actor None: commands, scenario files) or the installation's superuser. Checked here, not only
    on the pages: any other caller of these services was trusted blindly."""
    if actor is None or _installation_superuser(actor):
        return
    if actor.instansi_id != instansi_id or Role.BKPSDM not in org.user_roles(actor):
        raise PermissionDenied("Hari libur hanya dapat diubah oleh BKPSDM.")


#: The refusal of a change to one's own roster (roster_actor_check).
ROSTER_OWN_REFUSED = (
    "Roster Anda sendiri tidak dapat Anda ubah: shift Anda menentukan hari kerja dan kehadiran "
    "Anda, jadi diatur oleh atasan Anda, admin OPD unit Anda, atau petugas BKPSDM lain."
)


def roster_actor_check(
    actor: User | None,
    instansi: Instansi,
    cells: Iterable[tuple[int, dt.date]],
) -> None:
    """Who rosters whom on which day (attendance.edit_roster, now in the service too), for each
    (employee id, day) cell: BKPSDM anyone of its instansi; an admin OPD an employee posted in one of
    their units on that day; a superior an employee below them in that day's hierarchy; the system
    (actor None) anything. Nobody their own shifts, BKPSDM included (ROSTER_OWN_REFUSED, a field
    error): a roster decides which days are one's working days, so one's absences and TPP
    deductions. Per day, not over the span of the days changed: a former superior could otherwise
    roster a transferred nurse's days under her new head by changing one day of their own period
    too. A few queries."""
    if actor is None:
        return
    cells = set(cells)
    if not cells:
        return
    me = org.employee_for_user(actor)
    if me is not None and any(e == me.id for e, _d in cells):
        raise ValidationError({"roster": [ROSTER_OWN_REFUSED]})
    if _cells_allowed(actor, instansi, cells, me) != cells:
        raise PermissionDenied("Anda tidak berwenang menyusun roster pegawai ini pada hari itu.")


def roster_cells_allowed(
    actor: User, instansi: Instansi, cells: Iterable[tuple[int, dt.date]]
) -> set[tuple[int, dt.date]]:
    """The (employee id, day) cells of `cells` that `actor` may roster (roster_actor_check's rule,
    one's own cells never): the roster page shows the others read-only. A few queries."""
    me = org.employee_for_user(actor)
    return _cells_allowed(actor, instansi, {c for c in cells if me is None or c[0] != me.id}, me)


def _cells_allowed(actor, instansi, cells: set, me) -> set[tuple[int, dt.date]]:
    if not cells:
        return set()
    if _installation_superuser(actor):
        return cells
    if actor.instansi_id != instansi.id:
        return set()
    roles = org.user_roles(actor)
    if Role.BKPSDM in roles:
        return cells
    ids = {e for e, _d in cells}
    start, end = min(d for _e, d in cells), max(d for _e, d in cells)
    allowed: set[tuple[int, dt.date]] = set()
    units = org.admin_unit_ids(actor) if Role.ADMIN_OPD in roles else set()
    if units:
        posted: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
        for emp_id, a_start, a_end in Assignment.objects.filter(
            Q(end__isnull=True) | Q(end__gte=start),
            instansi=instansi,
            employee_id__in=ids,
            position__unit_id__in=units,
            start__lte=end,
        ).values_list("employee_id", "start", "end"):
            posted[emp_id].append((a_start, a_end))
        allowed |= {
            (e, d)
            for e, d in cells
            if any(s <= d and (t is None or d <= t) for s, t in posted.get(e, ()))
        }
    if me is not None and cells - allowed:
        pieces = org.employees_below_by_piece(me, start, end)
        allowed |= {
            (e, d)
            for e, d in cells - allowed
            if any(p_start <= d <= p_end and e in below for p_start, p_end, below in pieces)
        }
    if me is not None and cells - allowed:
        allowed |= _leaver_cells_below(me, instansi, cells - allowed)
    return allowed


def _leaver_cells_below(me: Employee, instansi: Instansi, cells: set) -> set[tuple[int, dt.date]]:
    """The cells of a leaver (inactive, their definitif post's end recorded) on a day they held
    that post below `me`: a superior rosters their last days as any other row's (the hierarchy of
    employees_below_by_piece holds active employees only; employees_below, by which the page
    shows the row, counts a leaver on those days). One query to find the leavers among `cells`,
    two more (one HierarchyTimeline) when there are any; is_below per stretch over which neither
    the hierarchy nor the leaver's post changes, all with the timeline's one climber."""
    ids = {e for e, _d in cells}
    leavers = set(
        Employee.objects.filter(instansi=instansi, id__in=ids, is_active=False).values_list(
            "id", flat=True
        )
    )
    if not leavers:
        return set()
    days: dict[int, set[dt.date]] = defaultdict(set)
    for e, d in cells:
        if e in leavers:
            days[e].add(d)
    first = min(min(v) for v in days.values())
    last = max(max(v) for v in days.values())
    timeline = org.HierarchyTimeline(instansi.id, first, last)
    pieces = timeline.pieces()
    allowed: set[tuple[int, dt.date]] = set()
    for e, wanted in days.items():
        for _pos, a_start, a_end in timeline.leaver_rows.get(e, ()):
            for p_start, p_end in pieces:
                lo, hi = max(p_start, a_start, first), min(p_end, a_end, last)
                here = {d for d in wanted if lo <= d <= hi}
                if here and org.is_below(me, e, lo, hi, timeline=timeline):
                    allowed |= {(e, d) for d in here}
    return allowed


# ---------------------------------------------------------------- holidays


def national_holidays(year: int) -> list[tuple[dt.date, str, str]]:
    """(date, name, kind) of Indonesia's national holidays (kind national) and cuti bersama
    (kind cuti_bersama) for a year, from the `holidays` package (categories PUBLIC and GOVERNMENT),
    named in Indonesian."""
    import holidays as holidays_pkg

    out: list[tuple[dt.date, str, str]] = []
    for category, kind in (
        ("public", Holiday.Kind.NATIONAL),
        ("government", Holiday.Kind.CUTI_BERSAMA),
    ):
        found = holidays_pkg.country_holidays(
            "ID", years=year, categories=(category,), language="id"
        )
        for day in sorted(found):
            for name in found.get_list(day):
                out.append((day, name[:200], kind))
    return out


@transaction.atomic
def holidays_seed(*, actor: User | None, instansi: Instansi, year: int) -> int:
    """Add the year's national holidays and cuti bersama as seeded rows. Idempotent: a (date, name)
    already present, active or removed by BKPSDM, is left alone. Returns the number of rows added.
    BKPSDM of the instansi, or the system (holiday_actor_check): the rows decide every employee's
    working days as much as a holiday added by hand."""
    holiday_actor_check(actor, instansi.id)
    existing = set(
        Holiday.objects.filter(
            instansi=instansi, date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31)
        ).values_list("date", "name")
    )
    rows = [
        Holiday(instansi=instansi, date=day, name=name, kind=kind, source=Holiday.Source.SEEDED)
        for day, name, kind in national_holidays(year)
        if (day, name) not in existing
    ]
    Holiday.objects.bulk_create(rows, ignore_conflicts=True)
    signals.notify_dates(instansi.id, [h.date for h in rows])
    audit_record(
        action="workcal.holiday.seed",
        actor=actor,
        instansi=instansi,
        after={"year": year, "added": len(rows)},
        reason=f"Kalender nasional {year} dari paket holidays",
    )
    return len(rows)


def holiday_tidy(holiday: Holiday) -> None:
    """The holiday's name as it is stored: without surrounding spaces."""
    holiday.name = (holiday.name or "").strip()


def holiday_errors(holiday: Holiday) -> dict[str, str]:
    """The rules a holiday meets on its own (no query), after holiday_tidy: a name that fits its
    column (PostgreSQL refuses a longer one with a database error), a known kind, a date in the
    sane range. `exchange import` checks the holidays of a file with these too."""
    errors: dict[str, str] = {}
    name, longest = holiday.name or "", Holiday._meta.get_field("name").max_length
    if not name.strip():
        errors["name"] = "Nama hari libur wajib diisi."
    elif len(name) > longest:
        errors["name"] = f"Nama hari libur paling panjang {longest} karakter; diisi {len(name)}."
    if holiday.kind not in Holiday.Kind.values:
        errors["kind"] = "Jenis hari libur tidak dikenal."
    if holiday.date is None:
        errors["date"] = "Tanggal wajib diisi."
    elif not date_in_range(holiday.date):
        errors["date"] = DATE_OUT_OF_RANGE
    return errors


def _validate_holiday(holiday: Holiday) -> None:
    errors = holiday_errors(holiday)
    if errors:
        raise ValidationError(errors)


def _check_duplicate(holiday: Holiday, exclude_pk=None) -> Holiday | None:
    """An existing row with the same date and name: an inactive one is returned for reuse, an active
    one is an error."""
    other = (
        Holiday.objects.filter(instansi=holiday.instansi, date=holiday.date, name=holiday.name)
        .exclude(pk=exclude_pk)
        .first()
    )
    if other is not None and other.is_active:
        raise ValidationError(
            {"name": f"Hari libur '{holiday.name}' pada {tanggal(holiday.date)} sudah ada."}
        )
    return other


@transaction.atomic
def holiday_create(
    *, actor: User | None, instansi: Instansi, date: dt.date, name: str, kind: str, reason: str = ""
) -> Holiday:
    """BKPSDM adds a holiday (regional, cuti bersama by the year's SKB, or a missing national one).
    Its kind decides the schedules it applies to (selectors.holiday_sets): a national holiday or
    cuti bersama only to those that follow national holidays, a regional one to every fixed one."""
    holiday_actor_check(actor, instansi.id)
    holiday = Holiday(
        instansi=instansi, date=date, name=name, kind=kind, source=Holiday.Source.MANUAL
    )
    holiday_tidy(holiday)
    _validate_holiday(holiday)
    removed = _check_duplicate(holiday)
    if removed is not None:
        before = snapshot(removed, HOLIDAY_FIELDS)
        removed.is_active = True
        removed.kind = kind
        removed.save(update_fields=["is_active", "kind"])
        holiday = removed
    else:
        before = None
        holiday.save()
    audit_record(
        action="workcal.holiday.create",
        actor=actor,
        instansi=instansi,
        obj=holiday,
        before=before,
        after=snapshot(holiday, HOLIDAY_FIELDS),
        reason=reason,
    )
    signals.notify_dates(instansi.id, [holiday.date])
    return holiday


@transaction.atomic
def holiday_update(
    *,
    actor: User | None,
    holiday: Holiday,
    date: dt.date,
    name: str,
    kind: str,
    reason: str = "",
) -> Holiday:
    """Change a holiday. Moving or renaming a seeded row keeps the original as removed (so seeding again
    does not restore it) and records the change as a manual row."""
    holiday_actor_check(actor, holiday.instansi_id)
    holiday = Holiday.objects.select_for_update().get(pk=holiday.pk)
    before = snapshot(holiday, HOLIDAY_FIELDS)
    # The old date and the new one (the kind alone decides which schedules the day is off for).
    touched = [holiday.date, date]
    candidate = Holiday(instansi=holiday.instansi, date=date, name=name, kind=kind)
    holiday_tidy(candidate)
    _validate_holiday(candidate)
    name = candidate.name
    moved = (date, name) != (holiday.date, holiday.name)
    if moved:
        reuse = _check_duplicate(candidate, exclude_pk=holiday.pk)
    if holiday.source == Holiday.Source.SEEDED and moved:
        holiday.is_active = False
        holiday.save(update_fields=["is_active"])
        audit_record(
            action="workcal.holiday.delete",
            actor=actor,
            instansi=holiday.instansi,
            obj=holiday,
            before=before,
            after=snapshot(holiday, HOLIDAY_FIELDS),
            reason=reason,
        )
        if reuse is not None:
            reuse.is_active, reuse.kind = True, kind
            reuse.save(update_fields=["is_active", "kind"])
            result = reuse
        else:
            result = Holiday.objects.create(
                instansi=holiday.instansi,
                date=date,
                name=name,
                kind=kind,
                source=Holiday.Source.MANUAL,
            )
        audit_record(
            action="workcal.holiday.create",
            actor=actor,
            instansi=holiday.instansi,
            obj=result,
            after=snapshot(result, HOLIDAY_FIELDS),
            reason=reason,
        )
        signals.notify_dates(holiday.instansi_id, touched)
        return result
    if moved and reuse is not None:
        reuse.delete()  # an inactive manual row never exists; this is a removed seeded one
    holiday.date, holiday.name, holiday.kind = date, name, kind
    holiday.save()
    audit_record(
        action="workcal.holiday.update",
        actor=actor,
        instansi=holiday.instansi,
        obj=holiday,
        before=before,
        after=snapshot(holiday, HOLIDAY_FIELDS),
        reason=reason,
    )
    signals.notify_dates(holiday.instansi_id, touched)
    return holiday


@transaction.atomic
def holiday_delete(*, actor: User | None, holiday: Holiday, reason: str = "") -> None:
    """Remove a holiday: a seeded row stays as removed (seeding again will not bring it back), a
    manual row is deleted."""
    holiday_actor_check(actor, holiday.instansi_id)
    before = snapshot(holiday, HOLIDAY_FIELDS)
    if holiday.source == Holiday.Source.SEEDED:
        holiday.is_active = False
        holiday.save(update_fields=["is_active"])
        after = snapshot(holiday, HOLIDAY_FIELDS)
    else:
        after = None
    audit_record(
        action="workcal.holiday.delete",
        actor=actor,
        instansi=holiday.instansi,
        obj=holiday,
        before=before,
        after=after,
        reason=reason,
    )
    instansi_id, day = holiday.instansi_id, holiday.date
    if holiday.source != Holiday.Source.SEEDED:
        holiday.delete()
    signals.notify_dates(instansi_id, [day])


@transaction.atomic
def holiday_restore(*, actor: User | None, holiday: Holiday, reason: str = "") -> Holiday:
    """Bring back a removed seeded holiday."""
    holiday_actor_check(actor, holiday.instansi_id)
    before = snapshot(holiday, HOLIDAY_FIELDS)
    holiday.is_active = True
    holiday.save(update_fields=["is_active"])
    audit_record(
        action="workcal.holiday.update",
        actor=actor,
        instansi=holiday.instansi,
        obj=holiday,
        before=before,
        after=snapshot(holiday, HOLIDAY_FIELDS),
        reason=reason,
    )
    signals.notify_dates(holiday.instansi_id, [holiday.date])
    return holiday


# ---------------------------------------------------------------- schedules

Span = tuple[dt.time, dt.time]


#: A problem of a schedule definition: (field, the weekday or shift code it concerns or None,
#: message).
ScheduleProblem = tuple[str, int | str | None, str]


def _days_problems(days: Mapping[int, Span] | None) -> list[ScheduleProblem]:
    problems: list[ScheduleProblem] = []
    for wd, (start, end) in (days or {}).items():
        if wd not in range(7):
            problems.append(("days", wd, f"Hari {wd} tidak dikenal (0 = Senin .. 6 = Minggu)."))
        elif start == end:
            day = dict(WEEKDAY_CHOICES)[wd]
            problems.append(("days", wd, f"{day}: jam masuk dan pulang tidak boleh sama."))
    return problems


def _raise_problems(problems: list[ScheduleProblem]) -> None:
    if problems:
        errors: dict[str, list[str]] = {}
        for name, _key, message in problems:
            errors.setdefault(name, []).append(message)
        raise ValidationError(errors)


def schedule_problems(
    *,
    code: str,
    name: str,
    kind: str,
    days: Mapping[int, Span] | None,
    shifts: Mapping[str, Span] | None,
    grace_minutes: int = 0,
) -> list[ScheduleProblem]:
    """The rules a schedule definition meets on its own (no query), its code without surrounding
    spaces: a code that fits its column, a name that does (the code when none is given: then the
    code's own limit says it), a known kind, a fixed schedule with a working day and a shift one
    with a shift, weekdays 0-6, shift codes that are not empty and fit theirs (PostgreSQL refuses a
    longer text with a database error), a start unlike the end, a grace not negative. Used by
    schedule_define and by `exchange import` (every problem of a file at once)."""
    problems: list[ScheduleProblem] = []
    longest = WorkSchedule._meta.get_field("code").max_length
    if not code:
        problems.append(("code", None, "Kode jadwal wajib diisi."))
    elif len(code) > longest:
        problems.append(
            ("code", None, f"Kode jadwal paling panjang {longest} karakter; diisi {len(code)}.")
        )
    longest = WorkSchedule._meta.get_field("name").max_length
    if name and name != code and len(name) > longest:
        problems.append(
            ("name", None, f"Nama jadwal paling panjang {longest} karakter; diisi {len(name)}.")
        )
    if kind not in WorkSchedule.Kind.values:
        problems.append(("kind", None, "Jenis jadwal tidak dikenal."))
    if kind == WorkSchedule.Kind.FIXED and not days:
        problems.append(("days", None, "Jadwal tetap membutuhkan paling sedikit satu hari kerja."))
    if kind == WorkSchedule.Kind.SHIFT and not shifts:
        problems.append(("shifts", None, "Jadwal shift membutuhkan paling sedikit satu shift."))
    if grace_minutes < 0:
        problems.append(("grace_minutes", None, "Toleransi tidak boleh negatif."))
    problems += _days_problems(days)
    longest = Shift._meta.get_field("code").max_length
    for sc, (start, end) in (shifts or {}).items():
        if not (sc or "").strip():
            problems.append(("shifts", sc, "Kode shift wajib diisi."))
        elif len(sc) > longest:
            problems.append(
                (
                    "shifts",
                    sc,
                    f"Kode shift {sc} paling panjang {longest} karakter; diisi {len(sc)}.",
                )
            )
        if start == end:
            problems.append(("shifts", sc, f"Shift {sc}: jam masuk dan pulang tidak boleh sama."))
    return problems


@transaction.atomic
def schedule_define(
    *,
    actor: User | None,
    instansi: Instansi,
    code: str,
    name: str,
    kind: str = WorkSchedule.Kind.FIXED,
    days: Mapping[int, Span] | None = None,
    shifts: Mapping[str, Span] | None = None,
    grace_minutes: int = 0,
    use_national_holidays: bool = True,
    is_default: bool = False,
) -> WorkSchedule:
    """Create or replace a schedule with its weekday hours (fixed) or its shifts (shift). Weekdays are
    0 = Monday .. 6 = Sunday; an end at or before the start ends on the next day. Making a schedule the
    default unsets the previous default of the instansi."""
    code = (code or "").strip()
    _raise_problems(
        schedule_problems(
            code=code,
            name=name,
            kind=kind,
            days=days,
            shifts=shifts,
            grace_minutes=grace_minutes,
        )
    )

    schedule = WorkSchedule.objects.filter(instansi=instansi, code=code).first()
    before = snapshot(schedule) if schedule else None
    old_hours = _schedule_hours(schedule) if schedule else None
    if is_default:
        WorkSchedule.objects.filter(instansi=instansi, is_default=True).exclude(code=code).update(
            is_default=False
        )
    if schedule is None:
        schedule = WorkSchedule(instansi=instansi, code=code)
    if schedule.pk and schedule.kind != kind and schedule.members.exists():
        raise ValidationError(
            {"kind": "Jenis jadwal yang sudah dipakai pegawai tidak dapat diubah."}
        )
    schedule.name = name or code
    schedule.kind = kind
    schedule.grace_minutes = grace_minutes
    schedule.use_national_holidays = use_national_holidays
    schedule.is_default = is_default
    schedule.save()
    ScheduleDay.objects.filter(schedule=schedule, variant__isnull=True).delete()
    ScheduleDay.objects.bulk_create(
        ScheduleDay(instansi=instansi, schedule=schedule, weekday=wd, start=s, end=e)
        for wd, (s, e) in sorted((days or {}).items())
    )
    if shifts is not None:
        existing = {s.code: s for s in schedule.shifts.all()}
        for sc, (s, e) in shifts.items():
            shift = existing.pop(sc, None) or Shift(instansi=instansi, schedule=schedule, code=sc)
            shift.start, shift.end = s, e
            shift.save()
        for leftover in existing.values():
            if leftover.roster.exists():
                raise ValidationError(
                    {
                        "shifts": f"Shift {leftover.code} masih dipakai di roster; tidak dapat dihapus."
                    }
                )
            leftover.delete()
    new_hours = _schedule_hours(schedule)
    if before is None:
        changed = is_default  # a new default replaces the one everyone without a period followed
    else:
        kept = ("kind", "grace_minutes", "use_national_holidays", "is_default")
        changed = old_hours != new_hours or any(before[f] != getattr(schedule, f) for f in kept)
    if changed:
        # The hours of a schedule have no history: every date of its members may have changed.
        signals.notify(
            instansi.id,
            None,
            None,
            None if is_default or (before and before["is_default"]) else _members(schedule),
        )
    audit_record(
        action="workcal.schedule.update" if before else "workcal.schedule.create",
        actor=actor,
        instansi=instansi,
        obj=schedule,
        before=before,
        after={
            **snapshot(schedule),
            "days": {str(k): [v[0], v[1]] for k, v in (days or {}).items()},
            "shifts": {k: [v[0], v[1]] for k, v in (shifts or {}).items()},
        },
    )
    return schedule


def _schedule_hours(schedule: WorkSchedule) -> tuple:
    """A schedule's weekday hours and shifts, to tell whether a redefinition changed anything."""
    days = sorted(
        ScheduleDay.objects.filter(schedule=schedule, variant__isnull=True).values_list(
            "weekday", "start", "end"
        )
    )
    shifts = sorted(Shift.objects.filter(schedule=schedule).values_list("code", "start", "end"))
    return days, shifts


def _members(schedule: WorkSchedule) -> list[int]:
    """Employees who follow the schedule in some period (one query)."""
    return list(
        EmployeeSchedule.objects.filter(schedule=schedule)
        .values_list("employee_id", flat=True)
        .distinct()
    )


def affected_by_schedule(schedule: WorkSchedule) -> list[int] | None:
    """Whose working days a change of this schedule touches: everyone (None) for the instansi's
    default schedule, which whoever has no schedule period follows; else its members."""
    return None if schedule.is_default else _members(schedule)


def variant_problems(
    schedule: WorkSchedule,
    date_from: dt.date | None,
    date_to: dt.date | None,
    exclude_pk: int | None = None,
) -> dict[str, str]:
    """What refuses a variant of `schedule` between the dates, by field: a schedule that is not
    fixed, an end before the start, another variant of the schedule overlapping (two Ramadan hours
    on one day: which one?). A date not given (a form's field in error) is not judged.
    `exclude_pk`: the variant being edited. At most one query. The service and the admin's form
    both ask it."""
    problems: dict[str, str] = {}
    if schedule.kind != WorkSchedule.Kind.FIXED:
        problems["schedule"] = "Variasi hanya untuk jadwal tetap."
    if date_from is None or date_to is None:
        return problems
    if date_to < date_from:
        problems["date_to"] = "Tanggal selesai tidak boleh sebelum tanggal mulai."
        return problems
    clash = (
        ScheduleVariant.objects.filter(
            schedule=schedule, date_from__lte=date_to, date_to__gte=date_from
        )
        .exclude(pk=exclude_pk)
        .first()
    )
    if clash is not None:
        problems["date_from"] = (
            f"Tumpang tindih dengan variasi '{clash.name}' ({tanggal(clash.date_from)} "
            f"s.d. {tanggal(clash.date_to)})."
        )
    return problems


@transaction.atomic
def schedule_variant_define(
    *,
    actor: User | None,
    schedule: WorkSchedule,
    name: str,
    date_from: dt.date,
    date_to: dt.date,
    days: Mapping[int, Span],
) -> ScheduleVariant:
    """Hours that replace a fixed schedule's week between two dates (e.g. Ramadan). Variants of one
    schedule may not overlap."""
    problems = variant_problems(schedule, date_from, date_to)
    if problems:
        raise ValidationError(problems)
    _raise_problems(_days_problems(days))
    variant = ScheduleVariant.objects.create(
        instansi=schedule.instansi,
        schedule=schedule,
        name=name,
        date_from=date_from,
        date_to=date_to,
    )
    ScheduleDay.objects.bulk_create(
        ScheduleDay(
            instansi=schedule.instansi,
            schedule=schedule,
            variant=variant,
            weekday=wd,
            start=s,
            end=e,
        )
        for wd, (s, e) in sorted(days.items())
    )
    signals.notify(schedule.instansi_id, date_from, date_to, affected_by_schedule(schedule))
    audit_record(
        action="workcal.variant.create",
        actor=actor,
        instansi=schedule.instansi,
        obj=variant,
        after={**snapshot(variant), "days": {str(k): list(v) for k, v in days.items()}},
    )
    return variant


def _overlaps(a_from, a_to, b_from, b_to) -> bool:
    far = dt.date.max
    return a_from <= (b_to or far) and b_from <= (a_to or far)


@transaction.atomic
def employee_schedule_assign(
    *,
    actor: User | None,
    employee: Employee,
    schedule: WorkSchedule,
    date_from: dt.date,
    date_to: dt.date | None = None,
    close_open: bool = False,
) -> EmployeeSchedule:
    """Put an employee on a schedule from a date. Periods of one employee may not overlap; with
    `close_open`, an open-ended earlier period is ended the day before instead of refused."""
    if schedule.instansi_id != employee.instansi_id:
        raise ValidationError({"schedule": "Jadwal milik instansi lain."})
    if date_to is not None and date_to < date_from:
        raise ValidationError({"date_to": "Tanggal selesai tidak boleh sebelum tanggal mulai."})
    Employee.objects.select_for_update().filter(pk=employee.pk).first()
    changed_until = date_to
    for other in EmployeeSchedule.objects.filter(employee=employee).select_related("schedule"):
        if not _overlaps(date_from, date_to, other.date_from, other.date_to):
            continue
        if close_open and other.date_to is None and other.date_from < date_from:
            before = snapshot(other)
            other.date_to = date_from - dt.timedelta(days=1)
            other.save(update_fields=["date_to"])
            changed_until = None  # after date_to the fallback now rules where `other` did
            audit_record(
                action="workcal.employee_schedule.update",
                actor=actor,
                instansi=employee.instansi,
                obj=other,
                before=before,
                after=snapshot(other),
            )
            continue
        until = f"s.d. {tanggal(other.date_to)}" if other.date_to else "yang belum berakhir"
        raise ValidationError(
            {
                "date_from": f"Tumpang tindih dengan jadwal {other.schedule.code} mulai "
                f"{tanggal(other.date_from)} {until}."
            }
        )
    row = EmployeeSchedule.objects.create(
        instansi=employee.instansi,
        employee=employee,
        schedule=schedule,
        date_from=date_from,
        date_to=date_to,
    )
    signals.notify(employee.instansi_id, date_from, changed_until, [employee.id])
    audit_record(
        action="workcal.employee_schedule.create",
        actor=actor,
        instansi=employee.instansi,
        obj=row,
        after=snapshot(row),
    )
    return row


@transaction.atomic
def roster_set(
    *,
    actor: User | None,
    instansi: Instansi,
    entries: Iterable[tuple[Employee | int, dt.date, str | None]],
    schedule: WorkSchedule,
    check_overlaps: bool = True,
) -> int:
    """Set roster entries (employee, date, shift code of `schedule`, or None to clear the day) in one
    go: existing entries on those days are replaced. Returns the number of entries written. Who may
    roster whom: roster_actor_check. A shift that overlaps the employee's shift of the day before or
    after (roster_overlaps) is refused; `check_overlaps=False` only for a caller that has checked the
    whole change already (roster_month_save, over several schedules at once). A shift on a leaver's
    day after their post's end (an inactive employee, their definitif post's end recorded:
    selectors.leavers_in_post_until, the roster page's rule) is refused whoever calls, naming the
    person and the day; clearing such a day is allowed. One query more only when an inactive
    employee is given a shift, whatever the number of entries."""
    if schedule.kind != WorkSchedule.Kind.SHIFT or schedule.instansi_id != instansi.id:
        raise ValidationError({"schedule": "Roster hanya untuk jadwal shift instansi ini."})
    shifts = {s.code: s for s in schedule.shifts.all()}
    entries = [(e if isinstance(e, int) else e.id, d, c) for e, d, c in entries]
    if actor is not None and entries:
        roster_actor_check(actor, instansi, {(e, d) for e, d, _c in entries})
    emp_ids = {e for e, _d, _c in entries}
    known = {
        pk: (name, nip, active)
        for pk, name, nip, active in Employee.objects.filter(
            instansi=instansi, id__in=emp_ids
        ).values_list("id", "name", "nip", "is_active")
    }
    errors = []
    for emp_id, day, code in entries:
        if emp_id not in known:
            errors.append(f"Pegawai {emp_id} bukan pegawai instansi ini.")
        if code is not None and code not in shifts:
            errors.append(f"{tanggal(day)}: shift '{code}' tidak ada di jadwal {schedule.code}.")
    errors += shifts_after_post_end(instansi, known, entries)
    if errors:
        raise ValidationError({"entries": errors})
    if not entries:
        return 0
    if check_overlaps:
        clashes = roster_overlaps(
            instansi,
            {
                (e, d): None if c is None else (c, shifts[c].start, shifts[c].end)
                for e, d, c in entries
            },
        )
        if clashes:
            raise ValidationError({"entries": [m for _cells, m in clashes]})
    days = {d for _e, d, _c in entries}
    pairs = {(e, d) for e, d, _c in entries}
    stale = [
        pk
        for pk, emp_id, day in ShiftRoster.objects.filter(
            instansi=instansi, employee_id__in=emp_ids, date__gte=min(days), date__lte=max(days)
        ).values_list("id", "employee_id", "date")
        if (emp_id, day) in pairs
    ]
    for i in range(0, len(stale), 2000):
        ShiftRoster.objects.filter(id__in=stale[i : i + 2000]).delete()
    final = {(e, d): c for e, d, c in entries}  # the last entry for a day wins
    rows = [
        ShiftRoster(instansi=instansi, employee_id=emp_id, date=day, shift=shifts[code])
        for (emp_id, day), code in final.items()
        if code is not None
    ]
    ShiftRoster.objects.bulk_create(rows, batch_size=2000)
    signals.notify(instansi.id, min(days), max(days), emp_ids)
    audit_record(
        action="workcal.roster.set",
        actor=actor,
        instansi=instansi,
        obj=schedule,
        after={"entries": len(entries), "from": min(days), "to": max(days)},
    )
    return len(rows)


def shifts_after_post_end(
    instansi: Instansi, known: Mapping[int, tuple[str, str, bool]], entries: list
) -> list[str]:
    """roster_set's refusal of a shift on a leaver's day after their post's end, one message per
    day ("Budi (NIP ...): 25 Oktober 2026 sesudah akhir jabatannya (20 Oktober 2026); tidak bisa
    diberi shift."). `known`: employee id -> (name, NIP, is_active). The last entry of a day counts
    (roster_set's own rule), so clearing such a day passes. One query, none unless an inactive
    employee is given a shift. The admin's roster form asks it too (admin.ShiftRosterForm)."""
    final = {(e, d): c for e, d, c in entries}
    shifted = sorted(
        (e, d) for (e, d), c in final.items() if c is not None and e in known and not known[e][2]
    )
    if not shifted:
        return []
    until = selectors.leavers_in_post_until(
        instansi, {e for e, _d in shifted}, max(d for _e, d in shifted)
    )
    problems = []
    for emp_id, day in shifted:
        last = until.get(emp_id)
        if last is not None and day > last:
            name, nip, _active = known[emp_id]
            problems.append(
                f"{name} (NIP {nip}): {tanggal(day)} sesudah akhir jabatannya ({tanggal(last)}); "
                "tidak bisa diberi shift."
            )
    return problems


@transaction.atomic
def roster_month_save(
    *,
    actor: User | None,
    instansi: Instansi,
    month,
    cells: dict[tuple[int, dt.date], str | None],
    names: dict[int, str] | None = None,
) -> int:
    """The roster page's save: `cells` {(employee id, day): shift code or None (off)} over a
    `selectors.RosterMonth`. Cells on days the employee follows no shift schedule are ignored; a code
    that is not a shift of the employee's schedule that day is refused (every problem at once,
    nothing written); of the rest only those that changed are written, by `roster_set` per shift
    schedule (audited; the days' attendance re-derived). Returns the number of days changed."""
    names = names or {}
    problems: list[str] = []
    changes: dict[int, list[tuple[int, dt.date, str | None]]] = defaultdict(list)
    codes = {sched: {s.code for s in shifts} for sched, shifts in month.shifts.items()}
    for (emp_id, day), code in sorted(cells.items()):
        sched = month.schedule_on.get(emp_id, {}).get(day)
        if sched is None:
            continue
        if code is not None and code not in codes.get(sched, set()):
            who = names.get(emp_id, f"Pegawai {emp_id}")
            problems.append(f"{who}, {tanggal(day)}: shift '{code}' tidak ada di jadwalnya.")
            continue
        if code != month.rostered.get(emp_id, {}).get(day):
            changes[sched].append((emp_id, day, code))
    if problems:
        raise ValidationError({"roster": problems})
    changed = [(emp_id, day) for entries in changes.values() for emp_id, day, _c in entries]
    if changed:  # once for the whole grid, before anything is written
        roster_actor_check(actor, instansi, changed)
        # Over every schedule at once: an employee moving from one shift schedule to another
        # mid-month has neighbouring days in two of them.
        hours = {
            sched: {o.code: (o.code, o.start, o.end) for o in options}
            for sched, options in month.shifts.items()
        }
        clashes = roster_overlaps(
            instansi,
            {
                (emp_id, day): None if code is None else hours[sched][code]
                for sched, entries in changes.items()
                for emp_id, day, code in entries
            },
            names=names,
        )
        if clashes:
            raise RosterProblems(
                {"roster": [m for _cells, m in clashes]},
                cells={c for cells, _m in clashes for c in cells},
            )
    schedules = {s.id: s for s in WorkSchedule.objects.filter(instansi=instansi, id__in=changes)}
    for sched_id, entries in changes.items():
        roster_set(
            actor=actor,
            instansi=instansi,
            entries=entries,
            schedule=schedules[sched_id],
            check_overlaps=False,
        )
    return sum(len(v) for v in changes.values())


class RosterProblems(ValidationError):
    """A refusal of roster cells: `cells` are the (employee id, day) cells it is about, so the page
    marks them."""

    def __init__(self, message, cells=()):
        super().__init__(message)
        self.cells = set(cells)


def _hours(day: dt.date, start: dt.time, end: dt.time) -> tuple[dt.datetime, dt.datetime]:
    """The moments a shift of `day` begins and ends (an end at or before its start: the next day)."""
    until = day + dt.timedelta(days=1) if end <= start else day
    return dt.datetime.combine(day, start), dt.datetime.combine(until, end)


def roster_overlaps(
    instansi: Instansi,
    proposed: Mapping[tuple[int, dt.date], tuple[str, dt.time, dt.time] | None],
    names: Mapping[int, str] | None = None,
    exclude: Iterable[int] = (),
) -> list[tuple[set[tuple[int, dt.date]], str]]:
    """The overlaps the `proposed` cells ((employee id, day): (code, start, end), or None for a day
    made off) would make with the employee's shift of the day before or after, as rostered
    (ShiftRoster rows `exclude`d) or proposed: a night shift 21.00-07.00 followed by a morning shift
    starting 06.00, or custom hours running into the next shift. A shift ending when the next begins
    (M until 07.00, P from 07.00) is fine. A shift lasts at most 24 hours, so only neighbouring days
    can meet. Each overlap once: (the proposed cells it concerns, an Indonesian message naming the
    employee, both days and both shifts). One query for any number of employees."""
    names = names or {}
    proposed = dict(proposed)
    if not proposed:
        return []
    ids = {e for e, _d in proposed}
    first = min(d for _e, d in proposed) - dt.timedelta(days=1)
    last = max(d for _e, d in proposed) + dt.timedelta(days=1)
    merged: dict[tuple[int, dt.date], tuple[str, dt.time, dt.time]] = {
        (emp_id, day): (code, start, end)
        for emp_id, day, code, start, end in ShiftRoster.objects.filter(
            instansi=instansi, employee_id__in=ids, date__gte=first, date__lte=last
        )
        .exclude(id__in=list(exclude))
        .values_list("employee_id", "date", "shift__code", "shift__start", "shift__end")
    }
    for cell, shift in proposed.items():
        if shift is None:
            merged.pop(cell, None)
        else:
            merged[cell] = shift
    pairs = sorted(
        {
            (emp_id, day + dt.timedelta(days=step))
            for (emp_id, day), shift in proposed.items()
            if shift is not None
            for step in (-1, 0)
        }
    )
    found = []
    for emp_id, day in pairs:  # the pair (day, day + 1)
        after = day + dt.timedelta(days=1)
        one, two = merged.get((emp_id, day)), merged.get((emp_id, after))
        if one is None or two is None:
            continue
        one_start, one_end = _hours(day, one[1], one[2])
        two_start, _two_end = _hours(after, two[1], two[2])
        if one_end <= two_start:
            continue
        who = names.get(emp_id, f"Pegawai {emp_id}")
        found.append(
            (
                {c for c in ((emp_id, day), (emp_id, after)) if c in proposed},
                f"{who}, {tanggal(after)}: shift {two[0]} ({two[1]:%H.%M}-{two[2]:%H.%M}) mulai "
                f"sebelum shift {one[0]} ({one[1]:%H.%M}-{one[2]:%H.%M}) tanggal {tanggal(day)} "
                "selesai; kedua shift tumpang tindih.",
            )
        )
    return found


#: The longest rotation "Salin dari bulan lalu" repeats: four weeks (the default, so each shift
#: falls on the same weekday as four weeks before) fits inside any previous month.
COPY_CYCLE_MAX = 28


@dataclass
class RosterCopy:
    """What roster_copy_previous did: days written, days already filled and left, and the days or
    employees refused, each with its reason (Indonesian)."""

    changed: int = 0
    kept: int = 0
    refused: list[str] = field(default_factory=list)


@transaction.atomic
def roster_copy_previous(
    *,
    actor: User | None,
    instansi: Instansi,
    month,
    employee_ids: Iterable[int],
    names: Mapping[int, str] | None = None,
    cycle: int = COPY_CYCLE_MAX,
    overwrite: bool = False,
) -> RosterCopy:
    """ "Salin dari bulan lalu": the last `cycle` days of the month before `month` (a
    selectors.RosterMonth of a calendar month) repeat over it, per employee: day k of the month
    (k = 0, 1, ...) takes the shift (or the day off) of day k mod `cycle` of that window. With 28
    (the default) every shift falls on the weekday it fell on four weeks before (a school or an
    office roster by weekday); with a ward's rotation length (8: P P S S M M L L) the rotation goes
    on where it stopped, whatever the weekday.

    Only days the employee follows a shift schedule are filled; days already rostered are left
    unless `overwrite` (then the pattern's day off clears them too). Refused, each with its reason,
    the rest copied: an employee without any roster in the window, a shift their schedule of that
    day does not have, a month whose TPP is already locked for them (core.locked_months: a copy is
    not a considered correction), a day the actor may not roster (roster_cells_allowed: their own,
    another unit's). What is left goes through roster_month_save, the page's own save (shift codes,
    who may roster whom, overlapping shifts: any overlap refuses the whole copy, nothing written),
    audited and announced once per schedule. A fixed number of queries for any number of
    employees."""
    if not 1 <= cycle <= COPY_CYCLE_MAX:
        raise ValidationError({"cycle": f"Panjang siklus 1 sampai {COPY_CYCLE_MAX} hari."})
    names = names or {}
    ids = [e for e in employee_ids if month.follows_shifts(e)]
    result = RosterCopy()
    if not ids:
        return result
    first = month.days[0]
    period = Period.of(first)
    window = [first - dt.timedelta(days=cycle - i) for i in range(cycle)]
    source: dict[int, dict[dt.date, str]] = defaultdict(dict)
    for emp_id, day, code in ShiftRoster.objects.filter(
        instansi=instansi, employee_id__in=ids, date__gte=window[0], date__lt=first
    ).values_list("employee_id", "date", "shift__code"):
        source[emp_id][day] = code
    locked = {e for e, _m in locked_months.locked(instansi.id, {(e, str(period)) for e in ids})}
    codes = {sched: {o.code for o in options} for sched, options in month.shifts.items()}
    wanted: dict[tuple[int, dt.date], str | None] = {}
    for emp_id in ids:
        who = names.get(emp_id, f"Pegawai {emp_id}")
        if not source.get(emp_id):
            result.refused.append(
                f"{who}: tidak ada roster pada {tanggal(window[0])} s.d. "
                f"{tanggal(window[-1])}; tidak ada yang disalin."
            )
            continue
        if emp_id in locked:
            result.refused.append(
                f"{who}: TPP {period.label} sudah dikunci; roster bulan ini tidak disalin."
            )
            continue
        had = month.rostered.get(emp_id, {})
        missing: dict[str, list[dt.date]] = defaultdict(list)
        for k, day in enumerate(month.days):
            sched = month.schedule_on[emp_id].get(day)
            if sched is None:
                continue
            code = source[emp_id].get(window[k % cycle])
            if day in had and not overwrite:
                result.kept += code != had[day]
                continue
            if code is not None and code not in codes.get(sched, set()):
                missing[code].append(day)
                continue
            if code != had.get(day):
                wanted[(emp_id, day)] = code
        for code, days in missing.items():
            result.refused.append(
                f"{who}: shift {code} tidak ada di jadwalnya pada {_days_text(days)}."
            )
    allowed = set(wanted) if actor is None else roster_cells_allowed(actor, instansi, set(wanted))
    me = org.employee_for_user(actor) if actor is not None else None
    not_allowed: dict[int, list[dt.date]] = defaultdict(list)
    for emp_id, day in sorted(set(wanted) - allowed):
        not_allowed[emp_id].append(day)
    for emp_id, days in not_allowed.items():
        who = names.get(emp_id, f"Pegawai {emp_id}")
        if me is not None and emp_id == me.id:
            result.refused.append(f"{who}: {ROSTER_OWN_REFUSED}")
        else:
            result.refused.append(
                f"{who}: pada {_days_text(days)} tidak di bawah kewenangan Anda; "
                "hari itu tidak disalin."
            )
    cells = {c: code for c, code in wanted.items() if c in allowed}
    result.changed = roster_month_save(
        actor=actor, instansi=instansi, month=month, cells=cells, names=dict(names)
    )
    return result


def _days_text(days: list[dt.date]) -> str:
    """ "3, 10 dan 17 Oktober 2026" (days of one month); past five, the first five and how many
    more."""
    days = sorted(days)
    if len(days) == 1:
        return tanggal(days[0])
    shown = [str(d.day) for d in days[:5]]
    more = f" (dan {len(days) - 5} hari lain)" if len(days) > 5 else ""
    month = f"{MONTHS_ID[days[0].month - 1]} {days[0].year}"
    if len(days) > 5:
        return f"{', '.join(shown)} {month}{more}"
    return f"{', '.join(shown[:-1])} dan {shown[-1]} {month}"
