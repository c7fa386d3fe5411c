"""Refreshes that follow a change (a calendar change, a stalled machine catching up) run after the
change is committed, never inside it, and without a broker derive at once only the current and
previous month: redefining the default schedule in the admin re-derived every stored day of the
instansi inside the HTTP request (on SQLite holding the write lock for minutes), and a machine
coming back re-derived its users' days inside the ADMS request while its row was locked."""

import datetime as dt
import logging

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from ekinerja.attendance import services, tasks
from ekinerja.attendance.models import DailyAttendance, Device, PinMapping
from ekinerja.workcal.services import holiday_create, schedule_define
from tests.attendance.conftest import D, T

pytestmark = pytest.mark.django_db
UTC = dt.UTC
NOW_30 = dt.datetime(2026, 10, 30, 2, tzinfo=UTC)  # Friday 30 October, 10:00 WITA
SIX_DAYS = {d: (T(7, 30), T(15)) for d in range(6)}


def stored(emp):
    return {r.date: r for r in DailyAttendance.objects.filter(employee=emp)}


def test_the_inline_refresh_waits_for_the_commit(office, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW_30, tick=False):
        services.daily_recompute(
            instansi=office.instansi, start=D(2026, 10, 19), end=D(2026, 10, 23)
        )
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            holiday_create(
                actor=None,
                instansi=office.instansi,
                date=D(2026, 10, 20),
                name="L",
                kind="regional",
            )
            # Inside the change's transaction nothing is derived yet.
            assert stored(office.ani)[D(2026, 10, 20)].status == "absent"
        assert callbacks
        for callback in callbacks:
            callback()
    assert D(2026, 10, 20) not in stored(office.ani)


def test_without_a_broker_a_redefined_default_schedule_derives_two_months_at_once(
    office, django_capture_on_commit_callbacks, caplog
):
    with time_machine.travel(NOW_30, tick=False):
        services.daily_recompute(
            instansi=office.instansi,
            start=D(2026, 7, 1),
            end=D(2026, 10, 29),
            employees=[office.ani],
        )
        assert D(2026, 8, 1) not in stored(office.ani)  # a Saturday
        with (
            django_capture_on_commit_callbacks(execute=True),
            caplog.at_level(logging.WARNING, logger="ekinerja.attendance.services"),
        ):
            schedule_define(
                actor=None,
                instansi=office.instansi,
                code="5HK",
                name="Enam hari",
                days=SIX_DAYS,
                is_default=True,
            )
        rows = stored(office.ani)
        # The current and the previous month follow the new week at once...
        assert rows[D(2026, 10, 24)].status == "absent"
        assert rows[D(2026, 9, 5)].status == "absent"
        assert rows[D(2026, 9, 1)].scheduled_end.hour == 7  # 15:00 WITA
        # ... the months before are left to the command, which the log names with the dates.
        assert D(2026, 8, 1) not in rows and D(2026, 8, 29) not in rows
        assert rows[D(2026, 8, 31)].scheduled_end.hour == 8  # still 16:00 WITA
        assert (
            f"attendance-recompute --instansi {office.instansi.code} --from 2026-07-01 "
            "--to 2026-08-31" in caplog.text
        )
        call_command("attendance-recompute", "--from", "2026-07-01", "--to", "2026-08-31")
    assert stored(office.ani)[D(2026, 8, 1)].status == "absent"


def test_a_change_before_anything_is_stored_derives_no_stored_day(
    office, django_capture_on_commit_callbacks, monkeypatch
):
    """A new installation or the demo being generated: the days stored after the change (in the
    same transaction) follow the new calendar already; deriving them again after the commit was
    wasted work (the leave is still counted again: test_fixes_audit)."""
    calls = []
    monkeypatch.setattr(services, "stored_days_refresh", lambda **kw: calls.append(kw) or 0)
    with time_machine.travel(NOW_30, tick=False), django_capture_on_commit_callbacks(execute=True):
        schedule_define(
            actor=None,
            instansi=office.instansi,
            code="5HK",
            name="Enam hari",
            days=SIX_DAYS,
            is_default=True,
        )
        services.daily_recompute(
            instansi=office.instansi, start=D(2026, 10, 19), end=D(2026, 10, 25)
        )
    assert calls == []
    assert stored(office.ani)[D(2026, 10, 24)].status == "absent"


def test_a_celery_worker_derives_every_stored_day(office, settings, monkeypatch):
    """The bound is the inline run's only: the queued task covers the whole range."""
    with time_machine.travel(NOW_30, tick=False):
        services.daily_recompute(
            instansi=office.instansi,
            start=D(2026, 7, 1),
            end=D(2026, 10, 29),
            employees=[office.ani],
        )
        schedule_define(
            actor=None,
            instansi=office.instansi,
            code="5HK",
            name="Enam hari",
            days=SIX_DAYS,
            is_default=True,
        )
        # What the worker runs for the message dispatch queued (instansi, None, None, None).
        tasks.calendar_changed_task(office.instansi.id, None, None, None)
    rows = stored(office.ani)
    assert rows[D(2026, 7, 4)].status == "absent" and rows[D(2026, 10, 24)].status == "absent"


def _stalled_since_july(office):
    dev = Device.objects.create(
        instansi=office.instansi,
        serial="PKM-01",
        timezone="Asia/Makassar",
        watermark=dt.datetime(2026, 7, 15, tzinfo=UTC),
    )
    PinMapping.objects.create(instansi=office.instansi, device=dev, pin="9", employee=office.ani)
    with time_machine.travel(NOW_30, tick=False):
        # The nightly runs stored the others; Ani's days waited for the machine.
        services.daily_recompute(instansi=office.instansi, start=D(2026, 7, 1), end=D(2026, 10, 29))
    assert max(stored(office.ani)) == D(2026, 7, 14)
    return dev


def test_a_machine_back_after_months_stores_two_months_at_once_without_a_broker(
    office, django_capture_on_commit_callbacks, caplog
):
    dev = _stalled_since_july(office)
    with (
        time_machine.travel(NOW_30, tick=False),
        django_capture_on_commit_callbacks(execute=True),
        caplog.at_level(logging.WARNING, logger="ekinerja.attendance.services"),
    ):
        services.device_touch(dev, watermark=True)
    rows = stored(office.ani)
    assert rows[D(2026, 9, 1)].status == "absent" and rows[D(2026, 10, 29)].status == "absent"
    assert D(2026, 8, 31) not in rows
    assert "--from 2026-07-14 --to 2026-08-31" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_the_watermark_move_is_committed_before_the_machine_s_users_are_derived(
    office, monkeypatch
):
    """device_touch locks the machine's row: its users' days are derived after that commit."""
    dev = _stalled_since_july(office)
    seen = []
    refresh = services.stored_days_refresh

    def spy(**kwargs):
        watermark = Device.objects.values_list("watermark", flat=True).get(pk=dev.pk)
        seen.append((connection.in_atomic_block, watermark))
        return refresh(**kwargs)

    monkeypatch.setattr(services, "stored_days_refresh", spy)
    with time_machine.travel(NOW_30, tick=False):
        services.device_touch(dev, watermark=True)
    assert seen == [(False, NOW_30)]
    assert stored(office.ani)[D(2026, 10, 29)].status == "absent"


@pytest.mark.django_db(transaction=True)
def test_a_calendar_change_is_derived_after_its_commit(office, monkeypatch):
    """Not inside the service's transaction (an admin's HTTP request holding the write lock)."""
    seen = []
    refresh = services.calendar_refresh

    def spy(**kwargs):
        seen.append(connection.in_atomic_block)
        return refresh(**kwargs)

    monkeypatch.setattr(services, "calendar_refresh", spy)
    with time_machine.travel(NOW_30, tick=False):
        holiday_create(
            actor=None, instansi=office.instansi, date=D(2026, 10, 20), name="L", kind="regional"
        )
    assert seen == [False]


def test_a_broker_that_is_down_fails_the_refresh_not_the_committed_change(
    office, settings, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    """With Redis down, queueing the refresh after the commit raised in the request (a 500 for a
    holiday that was saved); now it is logged and the nightly job derives the days again."""
    from celery import Task
    from kombu.exceptions import OperationalError

    from ekinerja.workcal.models import Holiday

    def refuse(self, args=None, kwargs=None, **options):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(Task, "apply_async", refuse)
    with (
        time_machine.travel(NOW_30, tick=False),
        caplog.at_level(logging.ERROR),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        holiday_create(
            actor=None, instansi=office.instansi, date=D(2026, 10, 20), name="L", kind="regional"
        )
    assert callbacks
    assert Holiday.objects.filter(instansi=office.instansi, date=D(2026, 10, 20)).exists()
    assert any("QueueUnavailable" in r.getMessage() or r.exc_info for r in caplog.records)
