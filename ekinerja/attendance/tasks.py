"""Background jobs of attendance (inline when no broker is configured)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from ekinerja.core.clock import local_today
from ekinerja.core.models import Instansi, User

from . import services
from .models import PunchImport


@shared_task
def import_run_task(batch_id: int, user_id: int | None = None) -> int:
    batch = PunchImport.objects.get(pk=batch_id)
    actor = User.objects.filter(pk=user_id).first() if user_id else None
    return services.import_run(actor=actor, batch=batch).inserted


@shared_task
def nightly_recompute(days_back: int = 7) -> int:
    """Recompute the stored daily status of the last `days_back` days for every instansi (days whose
    device watermark has not passed yet are left for the next run)."""
    total = 0
    for inst in Instansi.objects.all():
        today = local_today(inst)
        total += services.daily_recompute(
            instansi=inst, start=today - dt.timedelta(days=days_back), end=today
        )
    return total
