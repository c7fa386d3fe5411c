"""What attendance does when the work calendar changes (workcal.signals.calendar_changed, sent by
workcal's services and admin): the working days of the leave requests and the stored daily
attendance of the dates and employees concerned are derived again (services.calendar_refresh), as a
background job where Celery runs (after the commit), at once otherwise (tasks.dispatch)."""

from __future__ import annotations

import datetime as dt


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _on_calendar_changed(sender, instansi_id, start, end, employee_ids=None, **kwargs):
    from .tasks import calendar_changed_task, dispatch

    dispatch(calendar_changed_task, instansi_id, _iso(start), _iso(end), employee_ids)


def connect() -> None:
    from ekinerja.workcal.signals import calendar_changed

    calendar_changed.connect(_on_calendar_changed, dispatch_uid="attendance-calendar-changed")
