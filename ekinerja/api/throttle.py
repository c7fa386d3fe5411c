"""The API's rate limit: 429 "Terlalu banyak permintaan..." with `Retry-After` (seconds).

Each bearer token may make settings.API_RATE_LIMIT requests per API_RATE_WINDOW seconds (a browser
session calling the API: its account); each client address settings.API_TOKEN_RATE_LIMIT requests
per API_TOKEN_RATE_WINDOW seconds to the one route without authentication, POST /api/v1/auth/token
(its failed attempts are also counted by the login throttle, core.auth). 0 turns a limit off.

A counter per key and window in the cache (Redis in production, locmem on a single-process trial):
`incr`, and `add` for a window's first request, both atomic in Redis, unlike ninja's
SimpleRateThrottle, which reads a list of timestamps and writes it whole at every request (lost
updates under concurrency, a list the size of the limit each time). Windows are fixed (aligned to the epoch), so `Retry-After` is
the time left in the current window. When the cache does not answer, the limit is off rather than
the API, as the login throttle does.

ninja checks the throttles after authentication: a request with no valid token answers 401 before
it is counted, and request.auth is set for the per-token key."""

from __future__ import annotations

import ipaddress
import logging
import math
import threading
import time

from django.conf import settings
from django.core.cache import cache
from ninja.throttling import BaseThrottle

from ekinerja.core.http import client_ip

log = logging.getLogger(__name__)

#: The 429's `detail` (api.v1 answers ninja's Throttled with it, through api.errors.HTTP_MESSAGES).
TOO_MANY = (
    "Terlalu banyak permintaan dalam waktu singkat. Tunggu {seconds} detik (lihat Retry-After), "
    "lalu kirim lagi; data yang belum terkirim tetap tersimpan di aplikasi."
)


#: The same for POST /auth/token, counted per client address (an office's phones share it).
TOO_MANY_LOGINS = (
    "Terlalu banyak permintaan masuk dari jaringan Anda dalam waktu singkat. Tunggu {seconds} "
    "detik, lalu coba lagi."
)


def too_many(seconds: int | None, *, login: bool = False) -> str:
    if not seconds:
        return "Terlalu banyak permintaan. Coba lagi beberapa saat lagi."
    return (TOO_MANY_LOGINS if login else TOO_MANY).format(seconds=seconds)


def _address(ip: str) -> str:
    """One counter per IPv4 address; per /64 for IPv6, where one client holds the whole network."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:64]
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class ApiRateLimit(BaseThrottle):
    """One instance serves every request of the process (ninja keeps the API's throttles), so what
    `wait` reports is kept per thread."""

    def __init__(self):
        self._local = threading.local()

    def _key(self, request) -> tuple[str, int, int] | None:
        """(the counter's key, the limit, the window) for the request; None: not limited."""
        if getattr(request, "auth", None) is not None:
            token_id = getattr(request, "api_token_id", None)  # set by api.auth.TokenAuth
            ident = f"token:{token_id}" if token_id is not None else f"user:{request.auth.pk}"
            return ident, settings.API_RATE_LIMIT, settings.API_RATE_WINDOW
        ip = client_ip(request)
        if not ip:
            return None
        return f"ip:{_address(ip)}", settings.API_TOKEN_RATE_LIMIT, settings.API_TOKEN_RATE_WINDOW

    def allow_request(self, request) -> bool:
        self._local.wait = None
        found = self._key(request)
        if found is None:
            return True
        ident, limit, window = found
        if limit <= 0:
            return True
        now = time.time()
        start = math.floor(now / window) * window
        key = f"api-rate:{ident}:{start}"
        try:
            try:
                count = cache.incr(key)
            except ValueError:  # the window's first request: `add` is atomic, one of many wins
                # The key outlives its window by a little: an `incr` at its very end finds it.
                count = 1 if cache.add(key, 1, timeout=window + 5) else cache.incr(key)
        except Exception:  # redis ConnectionError, TimeoutError...
            log.warning("Cache tidak dapat dipakai; batas permintaan API dilewati", exc_info=True)
            return True
        if count <= limit:
            return True
        self._local.wait = max(1, math.ceil(start + window - now))
        return False

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)


rate_limit = ApiRateLimit()
