"""Putting a background job on the queue (Celery on Redis; inline without REDIS_URL).

`enqueue` publishes without kombu's retry loop, so a broker that is down answers at once (instead
of holding the officer's request for about 20 seconds) with an Indonesian reason the page can show;
inline (CELERY_TASK_ALWAYS_EAGER) the job simply runs."""

from __future__ import annotations


class QueueUnavailable(Exception):
    """The job could not be put on the queue: the broker (Redis) does not answer."""

    message = (
        "Antrean tugas latar belakang (Redis) tidak dapat dihubungi; tugas ini belum dimulai. "
        "Coba lagi sebentar lagi atau hubungi Diskominfo."
    )

    def __str__(self) -> str:
        return self.message


def inline() -> bool:
    """No broker (CELERY_TASK_ALWAYS_EAGER): jobs run in the process that asked for them."""
    from django.conf import settings

    return bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False))


def enqueue(task, *args) -> None:
    """Run `task` with `args` in the background (inline without a broker). Raises QueueUnavailable
    when the broker cannot take it; an error of the job itself, run inline, propagates."""
    if inline():
        task.delay(*args)
        return
    try:
        task.apply_async(args=args, retry=False)
    except ImportError:
        # A broken installation (a transport's module missing), not a queue that is down: said as
        # "Redis tidak dapat dihubungi" it sent the administrator to look at a healthy Redis.
        raise
    except Exception as exc:  # kombu.OperationalError, redis ConnectionError, OSError...
        raise QueueUnavailable() from exc
