"""Celery application. Without REDIS_URL tasks run inline (CELERY_TASK_ALWAYS_EAGER)."""

import os

from celery import Celery
from celery.signals import beat_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ekinerja.settings.base")

app = Celery("ekinerja")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def _beat_started(**_kwargs) -> None:
    """Beat marks its own start as a heartbeat: its interval schedule sends the first one only
    BEAT_HEARTBEAT_MINUTES after a first start (or after an upgrade added the entry), and /health/
    would call a beat just (re)started stale until then (docs/operations.md, upgrade's check)."""
    from ekinerja.core.tasks import heartbeat_record

    heartbeat_record()


@worker_process_init.connect
def _worker_started(**_kwargs) -> None:
    """A worker process pays WeasyPrint's import (about 0.7 s of CPU) as it starts, not the first
    payroll pdf it renders (core.pdf.warm)."""
    from ekinerja.core.pdf import warm

    warm()
