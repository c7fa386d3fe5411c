"""`ekinerja attendance-recompute`: the nightly derivation on demand (cron on an installation
without Celery beat), which the leaders' reports read."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from ekinerja.attendance.models import DailyAttendance
from ekinerja.core.periods import Period
from ekinerja.reports import selectors as reports
from tests.factories import InstansiFactory, PositionFactory, UnitFactory, employee_with_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    inst = InstansiFactory(timezone="Asia/Makassar", code="6301")
    unit = UnitFactory(instansi=inst, name="Dinas Uji")
    return inst, employee_with_login(inst, PositionFactory(unit=unit))


def _run(*args) -> str:
    out = io.StringIO()
    call_command("attendance-recompute", *args, stdout=out)
    return out.getvalue()


def test_a_day_without_any_punch_is_stored_absent_and_the_report_counts_it(office):
    inst, emp = office
    with time_machine.travel(dt.datetime(2026, 10, 10, 2, tzinfo=dt.UTC), tick=False):
        assert (
            reports.opd_month(inst, Period(2026, 10), dt.date(2026, 10, 3)).counts[0].absent_days
            == 0
        )
        out = _run("--from", "2026-10-01", "--to", "2026-10-02")
        assert "6301" in out and "2 hari tersimpan" in out
        rows = DailyAttendance.objects.filter(employee=emp).order_by("date")
        assert [(r.date.day, r.status) for r in rows] == [(1, "absent"), (2, "absent")]
        month = reports.opd_month(inst, Period(2026, 10), dt.date(2026, 10, 3))
        assert month.counts[0].absent_days == 2


def test_the_last_days_by_default(office):
    inst, emp = office
    # Saturday 10 October 2026, 10:00 WITA: the last 7 days hold five working days, all final.
    with time_machine.travel(dt.datetime(2026, 10, 10, 2, tzinfo=dt.UTC), tick=False):
        out = _run("--instansi", "6301")
    assert "(2026-10-03 s.d. 2026-10-10)" in out
    assert DailyAttendance.objects.filter(employee=emp, status="absent").count() == 5


@pytest.mark.parametrize(
    "args, message",
    [
        (["--instansi", "9999"], "Instansi 9999 tidak ditemukan."),
        (["--from", "2026-10-01"], "Isi --from dan --to bersama-sama."),
        (["--from", "2026-10-01", "--to", "1-10-2026"], "Tanggal tidak valid"),
        (["--from", "2026-10-05", "--to", "2026-10-01"], "Tanggal awal sesudah tanggal akhir."),
        (["--from", "2025-01-01", "--to", "2026-10-01"], "Paling banyak 400 hari"),
        (["--days", "-1"], "--days harus 0 sampai 399."),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_written(office, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert not DailyAttendance.objects.exists()
