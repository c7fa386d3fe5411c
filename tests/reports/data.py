"""A small instansi for the leaders' reports (tests/reports and tests/e2e/test_reports.py).

Two OPDs: Dinas A (a kepala and two staff in a sub-unit, one vacant post) and Dinas B (one staff,
its head's post held by a Plt from Dinas A), with October 2026's stored daily attendance, activity
entries, the adopted national policy (6,750 minutes a month) and a locked TPP run.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ekinerja.activities.models import ActivityCatalogItem, ActivityEntry, EntryStatus
from ekinerja.attendance.models import DailyAttendance
from ekinerja.core.periods import Period
from ekinerja.org.models import Assignment, Position, Unit
from ekinerja.performance.models import SkpEvaluation, SkpPlan
from ekinerja.tpp.models import Policy, Result, Run
from ekinerja.tpp.policy import national_template
from tests.factories import AssignmentFactory, PositionFactory, UnitFactory, employee_with_login

OCT = Period(2026, 10)
ST = DailyAttendance.Status


def _day(emp, day: int, status: str, late: int = 0):
    return DailyAttendance(
        instansi_id=emp.instansi_id,
        employee=emp,
        date=dt.date(2026, 10, day),
        status=status,
        late_minutes=late,
        computed_at=timezone.now(),
    )


def _entry(item, emp, day: int, minutes: int, status=EntryStatus.APPROVED):
    return ActivityEntry(
        instansi_id=emp.instansi_id,
        employee=emp,
        date=dt.date(2026, 10, day),
        start_time=dt.time(8),
        end_time=dt.time(9),
        item=item,
        volume=1,
        minutes_per_unit=minutes,
        approved_volume=1 if status == EntryStatus.APPROVED else None,
        credited_minutes=minutes if status == EntryStatus.APPROVED else 0,
        status=status,
    )


def build(inst, prefix=""):
    a = UnitFactory(instansi=inst, code=f"{prefix}A", name=f"{prefix}Dinas A")
    a1 = UnitFactory(
        instansi=inst, code=f"{prefix}A1", name="Bidang A1", kind=Unit.Kind.SUB, parent=a
    )
    b = UnitFactory(instansi=inst, code=f"{prefix}B", name=f"{prefix}Dinas B")
    kepala = PositionFactory(unit=a, kind=Position.Kind.STRUKTURAL, kelas=14)
    staf = PositionFactory(unit=a1, parent=kepala)
    PositionFactory(unit=a1, parent=kepala)  # vacant
    kabid_b = PositionFactory(unit=b, kind=Position.Kind.STRUKTURAL, kelas=12)
    staf_b = PositionFactory(unit=b, parent=kabid_b)
    p = {
        "a1": employee_with_login(inst, kepala, name=f"{prefix}Kepala A"),
        "a2": employee_with_login(inst, staf, name=f"{prefix}Staf A2"),
        "a3": employee_with_login(inst, staf, name=f"{prefix}Staf A3"),
        "b1": employee_with_login(inst, staf_b, name=f"{prefix}Staf B1"),
        "gone": employee_with_login(inst, name=f"{prefix}Pensiun"),
    }
    AssignmentFactory(position=kabid_b, employee=p["a2"], kind=Assignment.Kind.PLT)
    # Retired at the end of September: counted nowhere in October.
    AssignmentFactory(position=staf, employee=p["gone"], end=dt.date(2026, 9, 30))
    item = ActivityCatalogItem.objects.create(
        instansi=inst,
        code=f"{prefix}X1",
        name="Menyusun laporan",
        output_unit="laporan",
        standard_minutes=60,
        active_from=dt.date(2020, 1, 1),
    )
    DailyAttendance.objects.bulk_create(
        [
            _day(p["a1"], 1, ST.PRESENT),
            _day(p["a1"], 2, ST.PRESENT),
            _day(p["a1"], 5, ST.LATE, late=30),
            _day(p["a1"], 6, ST.LEAVE),
            _day(p["a2"], 1, ST.ABSENT),
            _day(p["a2"], 2, ST.PRESENT),
            _day(p["a2"], 3, ST.OFF),  # a Saturday with punches
            *(_day(p["b1"], d, ST.PRESENT) for d in (1, 2, 5, 6)),
            _day(p["gone"], 1, ST.ABSENT),
        ]
    )
    ActivityEntry.objects.bulk_create(
        [
            _entry(item, p["a1"], 1, 7000),
            _entry(item, p["a2"], 2, 3375),
            _entry(item, p["a2"], 5, 500, EntryStatus.SUBMITTED),
            _entry(item, p["a3"], 5, 900, EntryStatus.REJECTED),
            _entry(item, p["b1"], 1, 6750),
            _entry(item, p["gone"], 1, 6750),
        ]
    )
    Policy.objects.get_or_create(
        instansi=inst,
        effective_from=dt.date(2026, 1, 1),
        defaults={
            "name": "Pola nasional",
            "status": Policy.Status.ADOPTED,
            "data": national_template("2026-01-01"),
        },
    )
    # Monthly SKP periods: October rated for a1 (Sangat Baik) and a2 (Butuh Perbaikan); a3 not
    # rated; b1 Baik; September's rating of a3 does not count for October.
    ratings = {  # predicate -> (results, behaviour) of the matrix
        "sangat_baik": ("above", "above"),
        "baik": ("as_expected", "as_expected"),
        "butuh_perbaikan": ("as_expected", "below"),
        "": ("", ""),
    }
    for who, start, end, predicate in (
        ("a1", 1, 31, "sangat_baik"),
        ("a2", 1, 31, "butuh_perbaikan"),
        ("a3", 1, 31, ""),
        ("b1", 1, 31, "baik"),
    ):
        plan = SkpPlan.objects.create(instansi=inst, employee=p[who], year=2026)
        SkpEvaluation.objects.create(
            instansi=inst,
            employee=p[who],
            plan=plan,
            period_start=dt.date(2026, 10, start),
            period_end=dt.date(2026, 10, end),
            results_rating=ratings[predicate][0],
            behaviour_rating=ratings[predicate][1],
            predicate=predicate,
        )
        if who == "a3":
            SkpEvaluation.objects.create(
                instansi=inst,
                employee=p[who],
                plan=plan,
                period_start=dt.date(2026, 9, 1),
                period_end=dt.date(2026, 9, 30),
                results_rating="as_expected",
                behaviour_rating="as_expected",
                predicate="baik",
            )
    run, _ = Run.objects.get_or_create(
        instansi=inst, period=str(OCT), unit=None, defaults={"state": Run.State.LOCKED}
    )
    for emp, unit, ceiling, gross in (
        (p["a1"], a, 6_000_000, 5_000_000),
        (p["a2"], a1, 4_000_000, 3_000_000),
        (p["b1"], b, 5_000_000, 5_000_000),
    ):
        Result.objects.create(
            instansi=inst,
            run=run,
            employee=emp,
            unit=unit,
            nip=emp.nip,
            name=emp.name,
            ceiling=ceiling,
            gross=gross,
            pph21=0,
            health_insurance=0,
            net=gross,
            detail={},
        )
    return {"a": a, "b": b, "p": p}
