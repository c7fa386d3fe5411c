"""Migration 0002: holidays now apply by kind, not by source; the manual national holidays and cuti
bersama of an instansi with a schedule that opts out of national holidays stay days off for it, as
they were (converted to regional), so nothing stored changes with the upgrade."""

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ekinerja.core.models import AuditEvent
from ekinerja.workcal import selectors
from ekinerja.workcal.models import Holiday, WorkSchedule
from tests.factories import (
    EmployeeFactory,
    InstansiFactory,
    fixed_schedule,
    holiday,
    put_on_schedule,
    shift_schedule,
)

pytestmark = pytest.mark.django_db
D = dt.date
T = dt.time
MIGRATION = importlib.import_module(
    "ekinerja.workcal.migrations.0002_manual_national_holidays_stay_for_every_schedule"
)


def _run_migration():
    """The migration's function on the historical models of its dependencies."""
    deps = MIGRATION.Migration.dependencies
    apps = MigrationExecutor(connection).loader.project_state(deps).apps
    return MIGRATION.manual_national_holidays_to_regional(apps, None)


def _works(emp, day):
    return day in selectors.working_days([emp], day, day)[emp.id]


def test_manual_national_holidays_stay_days_off_where_a_schedule_opts_out():
    igd = InstansiFactory(code="6301")
    opted_out = fixed_schedule(
        igd, code="IGD-ADM", use_national_holidays=False, days={d: (T(7), T(14)) for d in range(6)}
    )
    nurse_admin = EmployeeFactory(instansi=igd)
    put_on_schedule(nurse_admin, opted_out)
    manual_cb = holiday(igd, D(2026, 12, 23), "Cuti bersama Natal (SKB)", kind="cuti_bersama")
    manual_nat = holiday(igd, D(2026, 10, 6), "Libur nasional tambahan", kind="national")
    regional = holiday(igd, D(2026, 10, 7), "Hari Jadi Kabupaten", kind="regional")
    seeded = holiday(igd, D(2026, 8, 17), "Hari Kemerdekaan", kind="national", source="seeded")
    # Today's rule (by kind) would make the opted-out schedule work on the manual rows.
    assert _works(nurse_admin, D(2026, 12, 23)) and _works(nurse_admin, D(2026, 10, 6))

    # Elsewhere every fixed schedule follows national holidays (a shift schedule ignores them).
    plain = InstansiFactory(code="6302")
    fixed_schedule(plain, is_default=True)
    shift_schedule(plain)
    WorkSchedule.objects.filter(instansi=plain, kind="shift").update(use_national_holidays=False)
    elsewhere = holiday(plain, D(2026, 12, 23), "Cuti bersama Natal (SKB)", kind="cuti_bersama")

    assert _run_migration() == 2
    kinds = dict(Holiday.objects.values_list("pk", "kind"))
    assert kinds[manual_cb.pk] == kinds[manual_nat.pk] == "regional"
    assert (kinds[regional.pk], kinds[seeded.pk]) == ("regional", "national")
    assert kinds[elsewhere.pk] == "cuti_bersama"
    # As before the rule changed: the manual days are off for the opted-out schedule, the seeded
    # national holiday is not.
    assert not _works(nurse_admin, D(2026, 12, 23)) and not _works(nurse_admin, D(2026, 10, 6))
    assert _works(nurse_admin, D(2026, 8, 17))
    events = AuditEvent.objects.filter(action="workcal.holiday.update", instansi=igd)
    assert sorted(events.values_list("object_id", flat=True)) == sorted(
        [str(manual_cb.pk), str(manual_nat.pk)]
    )
    assert events.first().after == {"kind": "regional"}
    # Running it again changes nothing.
    assert _run_migration() == 0
