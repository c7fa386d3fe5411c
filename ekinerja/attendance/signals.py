"""What attendance does when the work calendar changes (workcal.signals.calendar_changed, sent by
workcal's services and admin): the working days of the leave requests and the stored daily
attendance of the dates and employees concerned are derived again (services.calendar_refresh) once
the change is committed (tasks.dispatch): as a background job where Celery runs; otherwise in the
process that made the change, the stored days of the current and previous month only (the older
ones are logged for `ekinerja attendance-recompute --from/--to`).

Likewise when someone's definitif posts change (org.signals.posts_changed, sent by org's services
and admin): only the days in post are working days, so the stored days of those employees over the
dates concerned are derived again (services.posts_refresh), with the same bounds.

And when a NIP comes to name an employee (org.signals.nips_added: an employee created, by the admin
or the import, or whose NIP changed): a machine may send the NIP as its PIN, so the lines it sent
for that PIN before, kept as mapped to nobody (UnmappedPunch), are recovered
(services.unmapped_recover) once the change is committed (tasks.unmapped_recover_task)."""

from __future__ import annotations

import datetime as dt


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _on_calendar_changed(sender, instansi_id, start, end, employee_ids=None, **kwargs):
    from ekinerja.core.jobs import inline

    from .models import DailyAttendance
    from .tasks import calendar_changed_task, dispatch

    args = (calendar_changed_task, instansi_id, _iso(start), _iso(end), employee_ids)
    if not inline():
        dispatch(*args)
        return
    # Read now, inside the change's transaction: an instansi without any stored day yet (a new
    # installation, the demo being generated) has none to correct, and the days it stores after
    # the change follow the new calendar; so the run after the commit only recounts the leave.
    stored = DailyAttendance.objects.filter(instansi_id=instansi_id).exists()
    dispatch(*args, recent_only=True, stored=stored)


def _on_posts_changed(sender, instansi_id, employee_ids, start, end, **kwargs):
    from .models import DailyAttendance
    from .services import with_neighbours
    from .tasks import dispatch, posts_changed_task

    # Read now, inside the change's transaction: an instansi without any stored day yet (a new
    # installation, the demo being generated) has none to correct.
    if not DailyAttendance.objects.filter(instansi_id=instansi_id).exists():
        return
    # A day either side too (services.with_neighbours).
    start, end = with_neighbours(start, end)
    # recent_only applies to the inline run only (tasks.dispatch).
    dispatch(
        posts_changed_task,
        instansi_id,
        _iso(start),
        _iso(end),
        list(employee_ids),
        recent_only=True,
    )


def _on_nips_added(sender, instansi_id, nips, actor_id=None, **kwargs):
    from .models import UnmappedPunch
    from .tasks import dispatch, unmapped_recover_task

    # Read now, inside the change's transaction: most NIPs were never sent by a machine (one
    # indexed query), and an import of a whole Pemda queues nothing then.
    waiting = UnmappedPunch.objects.filter(
        instansi_id=instansi_id, recovered_at__isnull=True, pin__in=list(nips)
    ).exists()
    if waiting:
        dispatch(unmapped_recover_task, instansi_id, list(nips), actor_id)


def connect() -> None:
    from ekinerja.org.signals import nips_added, posts_changed
    from ekinerja.workcal.signals import calendar_changed

    calendar_changed.connect(_on_calendar_changed, dispatch_uid="attendance-calendar-changed")
    posts_changed.connect(_on_posts_changed, dispatch_uid="attendance-posts-changed")
    nips_added.connect(_on_nips_added, dispatch_uid="attendance-nips-added")
