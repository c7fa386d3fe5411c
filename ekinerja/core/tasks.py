"""Background jobs of the shared kernel: beat's heartbeat, which /health/ reads (ekinerja.health)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

#: The cache key of the last heartbeat (an aware datetime). In the cache, not the database: in
#: production the cache is the broker's Redis, which beat and the worker need anyway; a write every
#: few minutes adds no table, no migration and no row to back up, and /health/ stays free of
#: database writes. Redis restarted without its data loses the mark: /health/ then says "belum ada
#: detak" until the next heartbeat (at most BEAT_HEARTBEAT_MINUTES).
HEARTBEAT_KEY = "ekinerja:beat-heartbeat"
# Kept well beyond the stale threshold, so a stopped beat reads as "last seen N minutes ago" for a
# week rather than as no heartbeat at all.
HEARTBEAT_TTL = 7 * 24 * 3600


def heartbeat_record(now: dt.datetime | None = None) -> None:
    cache.set(HEARTBEAT_KEY, now or timezone.now(), HEARTBEAT_TTL)


def heartbeat_last() -> dt.datetime | None:
    return cache.get(HEARTBEAT_KEY)


@shared_task
def beat_heartbeat() -> None:
    """Sent by beat every BEAT_HEARTBEAT_MINUTES (settings.CELERY_BEAT_SCHEDULE) and run by a worker:
    its mark says that the periodic jobs are being sent and taken. /health/ reports beat as failed
    when the mark is older than BEAT_STALE_MINUTES (beat stopped, or no worker takes the jobs)."""
    heartbeat_record()


@shared_task
def idempotency_prune() -> int:
    """Hourly (settings.CELERY_BEAT_SCHEDULE): delete the answers kept for the API's
    Idempotency-Key header once older than 24 hours (core.idempotency); they are no longer replayed
    anyway. Inline without a broker, or called directly."""
    # Imported here: beat imports this module for the heartbeat (ekinerja.celery) before Django's
    # models may be loaded.
    from .idempotency import idempotent_requests_prune

    return idempotent_requests_prune()
