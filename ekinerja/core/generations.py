"""Generation counters in the shared cache: a value kept in the cache is keyed by its scope's
current generation, so a change makes every value kept for the scope stale at once by giving the
scope a new generation (activities' calendar values, the leaders' monthly figures).

The cache is an optimisation only: when it does not answer, `current` gives a generation never
used before, so nothing kept is reused and every value is computed afresh (slower, never stale)."""

from __future__ import annotations

import logging
import secrets

from django.core.cache import cache

log = logging.getLogger(__name__)


def fresh() -> int:
    """A generation no earlier one of the same key had: one evicted from the cache must not bring
    back values kept under an older one."""
    return secrets.randbits(62)


def current(key: str, *, what: str) -> int:
    """The generation under `key` (one read of the shared cache; set when missing). `what` names
    the values in the log line written when the cache does not answer."""
    try:
        found = cache.get(key)
        if found is None:
            cache.add(key, fresh(), None)
            found = cache.get(key)
    except Exception:  # redis ConnectionError, TimeoutError...: the cache is an optimisation
        log.warning("Cache tidak dapat dibaca; %s dihitung ulang", what, exc_info=True)
        return fresh()
    return found if found is not None else fresh()
