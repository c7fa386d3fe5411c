"""A small Pemda for the TPP run tests: two OPD (one with a sub-unit), a 5-day schedule in WITA with
no grace, standard leave types, the HSS template adopted from 1 January 2026, two BKPSDM accounts and
one BPKAD account. October 2026 has 22 working days (1 October is a Thursday).

Helpers write the raw inputs the run reads: punches, leave, activity entries, SKP predicates."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from ekinerja.activities.models import ActivityCatalogItem, ActivityEntry, EntryStatus
from ekinerja.attendance.models import LeaveRequest, LeaveType, Punch
from ekinerja.attendance.services import leave_types_ensure
from ekinerja.core.periods import Period
from ekinerja.org.models import Position
from ekinerja.tpp import services
from ekinerja.tpp.policy import hss_template
from tests.factories import (
    AssignmentFactory,
    EmployeeFactory,
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    UserFactory,
    employee_with_login,
    fixed_schedule,
    grant,
)

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
OCT = Period(2026, 10)
D = dt.date


def workdays(period: Period = OCT) -> list[dt.date]:
    return [d for d in period.days() if d.weekday() < 5]


@dataclass
class Pemda:
    inst: object
    opd_a: object
    sub_a: object
    opd_b: object
    pos: dict
    people: dict
    bkpsdm1: object
    bkpsdm2: object
    bpkad: object
    item: object
    policy: object
    extra: list = field(default_factory=list)


def make_pemda(template=hss_template) -> Pemda:
    inst = InstansiFactory(
        code="6306", name="Pemerintah Kabupaten Uji TPP", timezone="Asia/Makassar"
    )
    opd_a = UnitFactory(instansi=inst, code="A", name="Dinas Pendidikan")
    sub_a = UnitFactory(instansi=inst, code="A1", name="SDN 1 Uji", kind="sub", parent=opd_a)
    opd_b = UnitFactory(instansi=inst, code="B", name="Dinas Kesehatan")
    kadis = PositionFactory(
        unit=opd_a, code="KADIS", name="Kepala Dinas", kind=Position.Kind.STRUKTURAL, kelas=13
    )
    guru = PositionFactory(
        unit=sub_a, code="GURU", name="Guru Ahli Pertama", kind="fungsional", kelas=9, parent=kadis
    )
    kadis_b = PositionFactory(
        unit=opd_b, code="KADISB", name="Kepala Dinas Kesehatan", kind="struktural", kelas=13
    )
    staf_b = PositionFactory(
        unit=opd_b, code="STAFB", name="Pengadministrasi", kelas=7, parent=kadis_b
    )
    people = {
        "kadis": employee_with_login(inst, kadis, name="Kepala Dinas A", golongan="IV/c"),
        "guru": employee_with_login(inst, guru, name="Guru Satu", golongan="III/b"),
        "kadis_b": employee_with_login(inst, kadis_b, name="Kepala Dinas B", golongan="IV/b"),
        "staf": employee_with_login(
            inst, staf_b, name="Staf Satu", golongan="II/c", bank_name="Bank Kalsel"
        ),
    }
    for e in people.values():
        e.salary = Decimal(5_500_000)
        e.bank_account = f"00{e.nip[-6:]}"
        e.bank_name = e.bank_name or "Bank Kalsel"
        e.save(update_fields=["salary", "bank_account", "bank_name"])
    fixed_schedule(inst, is_default=True)
    leave_types_ensure(inst)
    bk1 = UserFactory(instansi=inst, username="bkpsdm1")
    bk2 = UserFactory(instansi=inst, username="bkpsdm2")
    fin = UserFactory(instansi=inst, username="bpkad1")
    grant(bk1, "bkpsdm")
    grant(bk2, "bkpsdm")
    grant(fin, "bpkad")
    item = ActivityCatalogItem.objects.create(
        instansi=inst,
        code="A001",
        name="Menyusun konsep surat dinas",
        output_unit="surat",
        standard_minutes=30,
        active_from=D(2020, 1, 1),
    )
    policy = services.policy_save(actor=bk1, instansi=inst, data=template("2026-01-01"))
    services.policy_adopt(actor=bk1, policy=policy)
    return Pemda(
        inst,
        opd_a,
        sub_a,
        opd_b,
        {"kadis": kadis, "guru": guru, "kadis_b": kadis_b, "staf": staf_b},
        people,
        bk1,
        bk2,
        fin,
        item,
        policy,
    )


def add_staff(p: Pemda, n: int, unit=None, kelas: int = 7) -> list:
    unit = unit or p.opd_b
    pos = PositionFactory(instansi=p.inst, unit=unit, kelas=kelas, parent=p.pos["kadis_b"])
    out = []
    for _ in range(n):
        e = EmployeeFactory(instansi=p.inst, golongan="III/a", salary=Decimal(4_000_000))
        AssignmentFactory(position=pos, employee=e)
        out.append(e)
    p.extra.extend(out)
    return out


def punch(employee, day: dt.date, hh: int, mm: int = 0) -> None:
    Punch.objects.create(
        instansi_id=employee.instansi_id,
        employee=employee,
        at=dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=WITA),
        source=Punch.Source.FINGERPRINT,
        source_key=f"t{employee.pk}",
    )


def full_attendance(employee, days=None, late: dict | None = None, skip=()) -> None:
    """In at 07:25 (or 07:30 + late minutes), out at 16:35, every working day except `skip`."""
    rows = []
    for d in days or workdays():
        if d in skip:
            continue
        extra = (late or {}).get(d, 0)
        start = dt.datetime(d.year, d.month, d.day, 7, 25, tzinfo=WITA)
        if extra:
            start = dt.datetime(d.year, d.month, d.day, 7, 30, tzinfo=WITA) + dt.timedelta(
                minutes=extra
            )
        for at in (start, dt.datetime(d.year, d.month, d.day, 16, 35, tzinfo=WITA)):
            rows.append(
                Punch(
                    instansi_id=employee.instansi_id,
                    employee=employee,
                    at=at,
                    source=Punch.Source.FINGERPRINT,
                    source_key=f"t{employee.pk}",
                )
            )
    Punch.objects.bulk_create(rows)


def leave(employee, code: str, start: dt.date, end: dt.date) -> None:
    LeaveRequest.objects.create(
        instansi_id=employee.instansi_id,
        employee=employee,
        leave_type=LeaveType.objects.get(instansi_id=employee.instansi_id, code=code),
        date_from=start,
        date_to=end,
        status=LeaveRequest.Status.APPROVED,
    )


def activity(
    p: Pemda,
    employee,
    day: dt.date,
    volume: int,
    submitted: dt.date | None = None,
    status=EntryStatus.APPROVED,
) -> ActivityEntry:
    """An entry of `volume` x 30 minutes, submitted on `submitted` (default: the same day)."""
    submitted = submitted or day
    minutes = 30 * volume
    return ActivityEntry.objects.create(
        instansi_id=employee.instansi_id,
        employee=employee,
        date=day,
        start_time=dt.time(8),
        end_time=(dt.datetime(2000, 1, 1, 8) + dt.timedelta(minutes=minutes)).time(),
        item=p.item,
        volume=Decimal(volume),
        minutes_per_unit=30,
        status=status,
        submitted_at=timezone.make_aware(dt.datetime.combine(submitted, dt.time(17)), WITA),
        credited_minutes=minutes if status == EntryStatus.APPROVED else 0,
    )


def monthly_minutes(p: Pemda, employee, per_day_volume: int = 15, days=None) -> None:
    """Approved entries of per_day_volume x 30 minutes on each working day (default 450 a day)."""
    minutes = 30 * per_day_volume
    ActivityEntry.objects.bulk_create(
        [
            ActivityEntry(
                instansi_id=employee.instansi_id,
                employee=employee,
                date=d,
                start_time=dt.time(8),
                end_time=dt.time(23, 59),
                item=p.item,
                volume=Decimal(per_day_volume),
                minutes_per_unit=30,
                status=EntryStatus.APPROVED,
                submitted_at=timezone.make_aware(dt.datetime.combine(d, dt.time(17)), WITA),
                credited_minutes=minutes,
            )
            for d in (days or workdays())
        ]
    )


def rate(employee, predicate: str, period: Period = OCT) -> None:
    from ekinerja.performance.models import SkpEvaluation, SkpPlan

    plan = SkpPlan.objects.create(
        instansi_id=employee.instansi_id, employee=employee, year=period.year
    )
    SkpEvaluation.objects.create(
        instansi_id=employee.instansi_id,
        employee=employee,
        plan=plan,
        period_start=period.first_day,
        period_end=period.last_day,
        results_rating="as_expected",
        behaviour_rating="as_expected",
        predicate=predicate,
    )


def admin_employee_change(client, pemda: Pemda, employee, changes: dict) -> dict:
    """BKPSDM (as staff) submits the employee's admin change form with `changes`; returns the form's
    errors (the response re-shows the form with them)."""
    officer = pemda.bkpsdm1
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    client.force_login(officer)
    url = reverse("admin:org_employee_change", args=[employee.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(changes)
    data.update({"assignments-TOTAL_FORMS": "0", "assignments-INITIAL_FORMS": "0"})
    resp = client.post(url, data)
    assert resp.status_code == 200
    return resp.context["adminform"].form.errors
