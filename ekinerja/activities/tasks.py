"""Background jobs of the activity app (inline when no broker is configured)."""

from __future__ import annotations

from celery import shared_task

from ekinerja.core.models import Instansi

from . import services


@shared_task
def nightly_deadlines() -> dict[str, int]:
    """Apply the entry and verification deadlines of every instansi (expire or auto-approve, per the
    policy). Schedule daily after midnight local time, and run before a TPP computation."""
    total: dict[str, int] = {}
    for inst in Instansi.objects.all():
        for key, n in services.activity_deadlines_process(instansi=inst).items():
            total[key] = total.get(key, 0) + n
    return total
