"""/health/ sees Celery beat: beat's heartbeat job (core.tasks.beat_heartbeat, every few minutes)
leaves a mark in the cache; /health/ fails when the mark is older than BEAT_STALE_MINUTES, and
says "tidak berlaku" on a trial without Redis (jobs inline, no beat). Before, /health/ did not see
beat at all: a stopped beat left the nightly jobs and the machine pulls undone with a 200."""

from __future__ import annotations

import datetime as dt

import pytest
from celery.schedules import schedule
from celery.signals import beat_init
from django.core.cache import cache
from django.utils import timezone

from ekinerja import health
from ekinerja.celery import app
from ekinerja.core.tasks import beat_heartbeat, heartbeat_last, heartbeat_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_redis(settings, monkeypatch):
    """As in production (REDIS_URL set): jobs queued, beat expected. The broker itself is not
    reached here (the queue check has its own tests)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setitem(health.CHECKS, "queue", lambda: "ok")
    cache.delete("ekinerja:beat-heartbeat")
    yield
    cache.delete("ekinerja:beat-heartbeat")


def test_without_redis_beat_is_not_applicable_and_health_stays_ok(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["beat"] == "tidak berlaku" and body["status"] == "ok"


def test_a_recent_heartbeat_is_ok(client, with_redis):
    heartbeat_record(timezone.now() - dt.timedelta(minutes=4))
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["beat"] == "ok"


def test_a_stale_heartbeat_fails_health_with_its_age(client, with_redis, settings):
    heartbeat_record(timezone.now() - dt.timedelta(minutes=settings.BEAT_STALE_MINUTES + 8))
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "gagal"
    assert body["beat"] == f"gagal: detak terakhir {settings.BEAT_STALE_MINUTES + 8} menit lalu"
    assert body["database"] == "ok" and body["queue"] == "ok"


def test_no_heartbeat_at_all_fails_health(client, with_redis):
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["beat"] == "gagal: belum ada detak"


def test_the_heartbeat_job_makes_health_ok_again(client, with_redis, settings):
    heartbeat_record(timezone.now() - dt.timedelta(hours=3))
    assert client.get("/health/").status_code == 503
    beat_heartbeat()  # what the worker runs when beat sends it
    assert timezone.now() - heartbeat_last() < dt.timedelta(seconds=5)
    response = client.get("/health/")
    assert response.status_code == 200 and response.json()["beat"] == "ok"


def test_beat_marks_its_own_start(with_redis):
    """A beat just (re)started is not reported stale until its first heartbeat job."""
    assert heartbeat_last() is None
    beat_init.send(sender=None)
    assert timezone.now() - heartbeat_last() < dt.timedelta(seconds=5)


def test_beat_sends_the_heartbeat_often_enough_for_the_threshold(settings):
    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["core-beat-heartbeat"]
    assert entry["task"] == "ekinerja.core.tasks.beat_heartbeat" and entry["task"] in app.tasks
    every = schedule(entry["schedule"]).run_every
    assert every == dt.timedelta(minutes=settings.BEAT_HEARTBEAT_MINUTES)
    # Several heartbeats fit in the threshold (a worker busy for a while is not a stopped beat) and
    # one still queued expires before the next is sent (none pile up behind a stopped worker).
    assert 3 * every <= dt.timedelta(minutes=settings.BEAT_STALE_MINUTES)
    assert entry["options"]["expires"] < every.total_seconds()
