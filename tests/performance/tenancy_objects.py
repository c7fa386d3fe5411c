"""Registrations of the performance app for tests/test_tenancy.py (merged in there): the month lock
behind "Buka kembali periode", and one row per performance model in the Django admin."""

from __future__ import annotations

import datetime as dt

from ekinerja.performance.models import (
    PerformancePeriodLock,
    PerformanceSettings,
    SkpEvaluation,
)


def _lock(t):
    return t.make(
        "performance.lock",
        lambda t: PerformancePeriodLock.objects.create(
            instansi=t.instansi, year=2026, month=10, locked_by=t.user
        ),
    )


def _plan(t):
    from tests.performance.factories import agreed_plan

    return t.make("performance.plan", lambda t: agreed_plan(t.staff, 2026, appraiser=t.head))


def _evaluation(t):
    return t.make(
        "performance.evaluation",
        lambda t: SkpEvaluation.objects.create(
            instansi=t.instansi,
            employee=t.staff,
            plan=_plan(t),
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 1, 31),
        ),
    )


ROUTE_OBJECTS = {
    "performance:overview-reopen": {"pk": _lock},
}

MODEL_OBJECTS = {
    "performance.PerformanceSettings": lambda t: PerformanceSettings.objects.create(
        instansi=t.instansi, evaluation_period_months=3
    ),
    "performance.SkpPlan": _plan,
    "performance.SkpResult": lambda t: _plan(t).results.first(),
    "performance.SkpEvaluation": _evaluation,
    "performance.PerformancePeriodLock": _lock,
}
