"""Background jobs of attendance (inline when no broker is configured)."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from ekinerja.core.clock import local_today
from ekinerja.core.jobs import enqueue, inline
from ekinerja.core.models import Instansi, User

from . import selectors, services
from .models import PunchImport

log = logging.getLogger(__name__)


def dispatch(task, *args, **inline_kwargs) -> None:
    """Run a job that follows a change once the caller's transaction has committed: before, a
    worker would derive from the old data, and a job run inside that transaction would hold its
    locks (on SQLite the database's write lock; in ADMS the machine's row) for as long as it takes.
    With Celery it is queued then; without a broker (inline()) it runs in this process right after
    the commit, with `inline_kwargs` added (recent_only=True: only the recent stored days, since
    the request that made the change waits for it). An inline job that fails after the commit
    raises as configured (CELERY_TASK_EAGER_PROPAGATES), else it is logged; the change stays."""
    if inline():
        propagate = bool(getattr(settings, "CELERY_TASK_EAGER_PROPAGATES", False))
        transaction.on_commit(lambda: task(*args, **inline_kwargs), robust=not propagate)
    else:
        # A broker that does not answer fails this refresh, not the change already committed (the
        # nightly job derives the recent days again); logged.
        transaction.on_commit(lambda: enqueue(task, *args), robust=True)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@shared_task
def import_run_task(batch_id: int, user_id: int | None = None) -> int:
    """services.import_run for one batch. Acknowledged late (settings): a worker lost half-way has
    its job redelivered, which runs the batch it left marked running; a second delivery of a job
    already done does nothing. Returns the number of punches added."""
    batch = PunchImport.objects.get(pk=batch_id)
    if batch.status == PunchImport.Status.DONE:
        return 0
    actor = User.objects.filter(pk=user_id).first() if user_id else None
    try:
        return services.import_run(actor=actor, batch=batch).inserted
    except ValidationError:
        # Another delivery finished the batch while this one waited for its lock: nothing to do.
        if PunchImport.objects.filter(pk=batch_id, status=PunchImport.Status.DONE).exists():
            return 0
        raise


@shared_task
def pull_devices() -> int:
    """`ekinerja attendance-pull` for every active machine with an IP address (the machines on the
    LAN that cannot push, docs/attendance.md "Getting punches in"), one after the other, on beat's
    schedule (settings.CELERY_BEAT_SCHEDULE, every 30 minutes). A machine that does not answer or
    fails half-way is logged and the others are still pulled; the next pull resumes from its last
    one. Returns the number of punches added."""
    from .pull import pull_device

    added = 0
    for device in selectors.pullable_devices():
        try:
            result = pull_device(device)
        except Exception:  # noqa: BLE001 - one machine's failure does not stop the others
            log.exception("Tarik data mesin %s gagal", device.serial)
            continue
        if result.error:
            log.warning("Tarik data mesin %s: %s", device.serial, result.error)
        added += result.inserted
    return added


@shared_task
def nightly_recompute(days_back: int = 7) -> int:
    """Recompute the stored daily status of the last `days_back` days for every instansi (days whose
    device watermark has not passed yet are left for the next run; a device that stalled longer has
    its users' days stored when it catches up, services.watermark_moved). Then prunes the machine
    lines of PINs still mapped to nobody that are too old to recover usefully
    (services.unmapped_prune, bounded; the rest the next night)."""
    total = 0
    for inst in Instansi.objects.all():
        today = local_today(inst)
        total += services.daily_recompute(
            instansi=inst, start=today - dt.timedelta(days=days_back), end=today
        )
    pruned = services.unmapped_prune()
    if pruned:
        log.info("%s absen PIN belum dipetakan yang terlalu lama dihapus dari indeks", pruned)
    return total


@shared_task(acks_late=True, reject_on_worker_lost=True)
def unmapped_recover_task(instansi_id: int, pins: list[str], user_id: int | None = None) -> int:
    """services.unmapped_recover for these PINs (the NIPs an employee record now carries,
    org.signals.nips_added). Repeat-safe, so a redelivered task is harmless. Returns the number
    of punches stored."""
    instansi = Instansi.objects.get(pk=instansi_id)
    actor = User.objects.filter(pk=user_id).first() if user_id else None
    return services.unmapped_recover(actor=actor, instansi=instansi, pins=pins).inserted


@shared_task(acks_late=True, reject_on_worker_lost=True)
def calendar_changed_task(
    instansi_id: int,
    start: str | None,
    end: str | None,
    employee_ids: list[int] | None = None,
    *,
    recent_only: bool = False,
    stored: bool = True,
) -> int:
    """services.calendar_refresh after a change of the work calendar (dates as ISO strings, None:
    unbounded; employee_ids None: everyone). Idempotent, so a redelivered task is harmless.
    recent_only (the inline run): stored days only from services.recent_floor on; stored False:
    the instansi had no stored day at the change, so only the leave requests are counted again."""
    instansi = Instansi.objects.get(pk=instansi_id)
    return services.calendar_refresh(
        instansi=instansi,
        start=_date(start),
        end=_date(end),
        employee_ids=employee_ids,
        since=services.recent_floor(instansi) if recent_only else None,
        stored=stored,
    )


@shared_task(acks_late=True, reject_on_worker_lost=True)
def stored_days_task(
    instansi_id: int,
    start: str | None,
    end: str | None,
    employee_ids: list[int] | None = None,
    *,
    recent_only: bool = False,
) -> int:
    """services.stored_days_refresh (a device catching up after a stall). Idempotent.
    recent_only (the inline run): only from services.recent_floor on."""
    instansi = Instansi.objects.get(pk=instansi_id)
    return services.stored_days_refresh(
        instansi=instansi,
        start=_date(start),
        end=_date(end),
        employee_ids=employee_ids,
        since=services.recent_floor(instansi) if recent_only else None,
    )


@shared_task(acks_late=True, reject_on_worker_lost=True)
def posts_changed_task(
    instansi_id: int,
    start: str | None,
    end: str | None,
    employee_ids: list[int],
    *,
    recent_only: bool = False,
) -> int:
    """services.posts_refresh after a change of these employees' definitif posts (dates as ISO
    strings, None: unbounded). Idempotent. recent_only (the inline run): only from
    services.recent_floor on."""
    instansi = Instansi.objects.get(pk=instansi_id)
    return services.posts_refresh(
        instansi=instansi,
        start=_date(start),
        end=_date(end),
        employee_ids=employee_ids,
        since=services.recent_floor(instansi) if recent_only else None,
    )
