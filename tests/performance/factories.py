"""Factories and a small organisation for the performance tests (and the e2e rating scenario)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ekinerja.org.models import Position
from ekinerja.performance.models import (
    CoreValue,
    SkpBehaviour,
    SkpIndicator,
    SkpPlan,
    SkpResult,
)
from tests.factories import InstansiFactory, PositionFactory, UnitFactory, employee_with_login


def agreed_plan(
    employee,
    year: int,
    *,
    parents: list[SkpResult] | None = None,
    n_results: int = 2,
    appraiser=None,
    status: str = SkpPlan.Status.AGREED,
    effective_from: dt.date | None = None,
    version: int = 1,
) -> SkpPlan:
    """A plan written straight to the database (no service), with results, indicators and the
    seven core values. `parents[i]` is the superior's result that result i supports."""
    plan = SkpPlan.objects.create(
        instansi_id=employee.instansi_id,
        employee=employee,
        year=year,
        version=version,
        status=status,
        appraiser=appraiser,
        effective_from=effective_from
        or (dt.date(year, 1, 1) if status in ("agreed", "superseded") else None),
    )
    for n in range(n_results):
        parent = parents[n % len(parents)] if parents else None
        r = SkpResult.objects.create(
            instansi_id=employee.instansi_id,
            plan=plan,
            order=n + 1,
            text=f"Hasil kerja {n + 1} {employee.name}",
            parent_result=parent,
        )
        SkpIndicator.objects.create(
            instansi_id=employee.instansi_id,
            result=r,
            order=1,
            text=f"Jumlah dokumen {n + 1} yang diselesaikan",
            target_quantity=Decimal("12"),
            target_unit="dokumen",
        )
    SkpBehaviour.objects.bulk_create(
        [SkpBehaviour(instansi_id=employee.instansi_id, plan=plan, value=v) for v in CoreValue]
    )
    return plan


def small_org(inst=None):
    """Kepala Dinas > Kepala Bidang > three staff; every one with a login. Returns a dict."""
    inst = inst or InstansiFactory()
    unit = UnitFactory(instansi=inst, name="Dinas Pendidikan")
    kadis_pos = PositionFactory(
        unit=unit, name="Kepala Dinas Pendidikan", kind=Position.Kind.STRUKTURAL, kelas=14
    )
    kabid_pos = PositionFactory(
        unit=unit,
        name="Kepala Bidang Pembinaan SD",
        kind=Position.Kind.STRUKTURAL,
        kelas=11,
        parent=kadis_pos,
    )
    staff_pos = PositionFactory(
        unit=unit, name="Pengelola Data Pendidikan", kelas=7, parent=kabid_pos
    )
    org = {
        "inst": inst,
        "unit": unit,
        "kadis": employee_with_login(inst, kadis_pos, name="Hj. Siti Rahmah"),
        "kabid": employee_with_login(inst, kabid_pos, name="Ahmad Fauzi"),
        "staf1": employee_with_login(inst, staff_pos, name="Budi Santoso"),
        "staf2": employee_with_login(inst, staff_pos, name="Citra Lestari"),
        "staf3": employee_with_login(inst, staff_pos, name="Dewi Anggraini"),
    }
    return org
