"""`/health/`: for Diskominfo's monitoring (a load balancer, Uptime Kuma, Zabbix...). Answers 200
when the database, the cache and the job queue answer, else 503, with what failed, in JSON; no login
(it shows nothing but component states) and no session or database write.

- database: a trivial query;
- cache: a write and read back (Redis in production, the process's memory otherwise);
- queue: a connection to Celery's broker (Redis) when REDIS_URL is set; "inline" without one (jobs
  run in the request). Whether a worker takes the jobs is seen on the TPP run page (a job not started
  after five minutes is reported there) and with `celery -A ekinerja inspect ping`;
- beat: the age of beat's last heartbeat (core.tasks.beat_heartbeat, in the cache) when REDIS_URL is
  set, failed beyond BEAT_STALE_MINUTES (beat stopped, or no worker runs what it sends: the nightly
  jobs and the machine pulls are not done); "tidak berlaku" without Redis (no beat: cron)."""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database() -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()
    return "ok"


def _cache() -> str:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    return "ok" if ok else "tidak terbaca"


def _queue() -> str:
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return "inline"
    from ekinerja.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


NOT_APPLICABLE = "tidak berlaku"


def _beat() -> str:
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return NOT_APPLICABLE  # no broker, no beat: the periodic jobs run from cron
    from ekinerja.core.tasks import heartbeat_last

    last = heartbeat_last()
    if last is None:
        return "gagal: belum ada detak"
    minutes = int((timezone.now() - last).total_seconds() // 60)
    if minutes >= settings.BEAT_STALE_MINUTES:
        return f"gagal: detak terakhir {minutes} menit lalu"
    return "ok"


CHECKS = {"database": _database, "cache": _cache, "queue": _queue, "beat": _beat}


@never_cache
@require_GET
def health(request):
    started = time.monotonic()
    states: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            states[name] = check()
        except Exception as exc:  # noqa: BLE001 - reported as the component's state
            states[name] = f"gagal: {type(exc).__name__}"
    healthy = all(v in ("ok", "inline", NOT_APPLICABLE) for v in states.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "gagal",
            **states,
            "ms": round((time.monotonic() - started) * 1000),
        },
        status=200 if healthy else 503,
    )
