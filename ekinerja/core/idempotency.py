"""The `Idempotency-Key` request header (IETF draft-ietf-httpapi-idempotency-key-header) on the API
routes a phone may send twice: its answer was lost on a flaky connection, so it sends the same
request again. Documented in docs/api.md.

A route decorated with `idempotent` (below its `@router.post`) and called with the header runs once
per key: the first request's answer (status and JSON body) is kept with a fingerprint of its body
(SHA-256 of the bytes), and a repeat with the same key and the same body within `TTL` gets that
answer again, with `Idempotent-Replayed: true`, without running anything. A key is scoped to the
caller (user and instansi) and to the method and path, so another route or another user may use the
same key. Without the header a route answers exactly as before (no query more).

- The same key with another body: 422 `idempotency_key_reused` (a client bug: one key per action).
- A repeat while the first still runs: 409 `idempotency_in_progress`. The row is inserted when the
  request starts, in its own transaction, under a unique constraint (instansi, user, target, key):
  the second insert fails and finds the first's row without an answer. A unique constraint, not
  `select_for_update`: the lock would have to be held across the whole request (a transaction
  around the service's own), and SQLite has no row lock; the insert works on both databases. A
  row left without an answer for `STALE` (its process was killed) is taken over by the next repeat.
- A server error (5xx, or an exception) is not kept: the row goes, and the client may retry.
  Every other answer is kept, 4xx included (a rule's 422, a 409, a 404): the same body gives the
  same answer. A request refused before the route runs (no valid token 401/403, rate limit 429, a
  body that does not fit the schema 422) is not recorded: nothing ran, and sending it again gives
  the same answer anyway.
- Rows older than `TTL` count as absent and are deleted by `idempotent_requests_prune`
  (core.tasks.idempotency_prune, hourly through beat).

The route's view is wrapped when ninja builds the operation (after its signature was read), so the
claim runs after authentication and the schema, and `request.auth` is the caller. The answer is
recorded around `Operation.run` (ninja's `decorate_view`), where the exception handlers' answers
(api.v1: 409, 422...) are already responses. Refusals raise `IdempotencyRefused`, answered by
api.v1 as `{code, detail, errors: {"Idempotency-Key": [...]}}`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from functools import wraps

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from ninja.decorators import decorate_view
from ninja.utils import contribute_operation_callback

from .models import IdempotentRequest

HEADER = "Idempotency-Key"
META_KEY = "HTTP_IDEMPOTENCY_KEY"
#: The response header of a replayed answer.
REPLAYED = "Idempotent-Replayed"
#: How long an answer is kept and replayed.
TTL = dt.timedelta(hours=24)
#: A request without an answer after this long is taken for dead (its worker was killed: no request
#: of the API runs for minutes), and a repeat runs it again.
STALE = dt.timedelta(minutes=5)
MAX_LENGTH = 255
PRINTABLE = re.compile(r"[\x20-\x7e]*")
#: The content type of the API's answers (ninja's JSON renderer), for a replay.
JSON = "application/json; charset=utf-8"

KEY_LENGTH = (
    "Header Idempotency-Key harus berisi 1-255 karakter (terkirim {n} karakter); pakai mis. UUID."
)
KEY_CHARACTERS = (
    "Header Idempotency-Key hanya boleh memuat karakter ASCII yang dapat dicetak (huruf, angka, "
    "spasi, tanda baca); pakai mis. UUID."
)
KEY_REUSED = (
    "Idempotency-Key ini sudah dipakai untuk permintaan lain dengan isi yang berbeda. Buat kunci "
    "baru untuk setiap tindakan baru; kunci yang sama hanya untuk mengirim ulang permintaan yang "
    "persis sama."
)
IN_PROGRESS = (
    "Permintaan dengan Idempotency-Key ini masih diproses. Tunggu sebentar, lalu kirim ulang "
    "permintaan yang sama untuk menerima jawabannya."
)


class IdempotencyRefused(Exception):
    """The header refuses the request (400 invalid key, 409 in progress, 422 reused): api.v1
    answers `{code, detail, errors: {"Idempotency-Key": [detail]}}` with `status`."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


#: The header in the OpenAPI document of a decorated route (api.openapi adds its answers).
PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": "Kunci pilihan aplikasi (1-255 karakter ASCII yang dapat dicetak, mis. UUID), "
    "satu untuk setiap tindakan pengguna. Permintaan yang dikirim ulang dengan kunci dan isi yang "
    "sama dalam 24 jam menerima jawaban pertama lagi (dengan header `Idempotent-Replayed: true`) "
    "tanpa dijalankan dua kali. Kunci yang sama dengan isi berbeda: 422 "
    "`idempotency_key_reused`; permintaan pertama masih diproses: 409 `idempotency_in_progress`; "
    "kunci tidak sah: 400 `idempotency_key_invalid`.",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_LENGTH,
        "pattern": "^[\\x20-\\x7e]+$",
        "examples": ["9b2f4c1e-7d3a-4f5b-8c6d-0e1f2a3b4c5d"],
    },
}


def fingerprint(body: bytes) -> str:
    """The request body's fingerprint: a resent request carries the same bytes."""
    return hashlib.sha256(body).hexdigest()


def target(method: str, path: str) -> str:
    """What a key is scoped to besides the caller: the method and the whole path (an id in a path
    may be long; the digest keeps the unique index small)."""
    return hashlib.sha256(f"{method} {path}".encode()).hexdigest()


def check_key(key: str) -> None:
    if not 1 <= len(key) <= MAX_LENGTH:
        raise IdempotencyRefused(400, "idempotency_key_invalid", KEY_LENGTH.format(n=len(key)))
    if not PRINTABLE.fullmatch(key):
        raise IdempotencyRefused(400, "idempotency_key_invalid", KEY_CHARACTERS)


def replay(row: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(row.response_body, status=row.status_code, content_type=JSON)
    response[REPLAYED] = "true"
    return response


def idempotent_request_claim(
    *, user, method: str, path: str, key: str, body: bytes, now: dt.datetime | None = None
) -> IdempotentRequest | HttpResponse:
    """The row this request runs under (inserted, committed at once), or the stored answer of an
    earlier request with the same key and body (a replay). Raises IdempotencyRefused for an
    invalid key (400), a key used with another body (422), a first request still running (409)."""
    check_key(key)
    now = now or timezone.now()
    scope = {
        "instansi_id": user.instansi_id,
        "user_id": user.pk,
        "target": target(method, path),
        "key": key,
    }
    fields = {
        "method": method[:10],
        "path": path[:255],
        "fingerprint": fingerprint(body),
        "status_code": None,
        "response_body": "",
        "created_at": now,
    }
    # Twice at most: a row found expired or dead is taken over; one deleted meanwhile (pruned) lets
    # the insert succeed the second time.
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotentRequest.objects.create(**scope, **fields)
        except IntegrityError:
            pass
        found = IdempotentRequest.objects.filter(**scope).first()
        if found is None:
            continue
        expired = found.created_at <= now - TTL
        if not expired and found.fingerprint != fields["fingerprint"]:
            raise IdempotencyRefused(422, "idempotency_key_reused", KEY_REUSED)
        if not expired and found.status_code is not None:
            return replay(found)
        if expired or found.created_at <= now - STALE:
            # Conditional: of two repeats taking it over at once, one wins.
            taken = IdempotentRequest.objects.filter(
                pk=found.pk, created_at=found.created_at, status_code=found.status_code
            ).update(**fields)
            if taken:
                for name, value in fields.items():
                    setattr(found, name, value)
                return found
            continue
        raise IdempotencyRefused(409, "idempotency_in_progress", IN_PROGRESS)
    raise IdempotencyRefused(409, "idempotency_in_progress", IN_PROGRESS)


def idempotent_request_finish(row: IdempotentRequest, response) -> None:
    """Keep the answer of the request run under `row`; a server error is not kept (the row goes, so
    the client may send the request again)."""
    body = None
    if response is not None and response.status_code < 500 and not response.streaming:
        try:
            body = response.content.decode("utf-8")
        except UnicodeDecodeError:
            body = None
    if body is None:
        IdempotentRequest.objects.filter(pk=row.pk).delete()
        return
    IdempotentRequest.objects.filter(pk=row.pk).update(
        status_code=response.status_code, response_body=body
    )


def idempotent_requests_prune(now: dt.datetime | None = None) -> int:
    """Delete the rows older than TTL (they are no longer replayed); the number deleted."""
    now = now or timezone.now()
    deleted, _ = IdempotentRequest.objects.filter(created_at__lte=now - TTL).delete()
    return deleted


@dataclass
class _State:
    key: str
    row: IdempotentRequest | None = None


_ATTR = "_idempotency"


def _claiming(view):
    """The route's view, run only when the request claims its key (else the stored answer)."""

    @wraps(view)
    def claimed(request, *args, **kwargs):
        state = getattr(request, _ATTR, None)
        if state is None:
            return view(request, *args, **kwargs)
        user = getattr(request, "auth", None) or request.user
        found = idempotent_request_claim(
            user=user, method=request.method, path=request.path, key=state.key, body=request.body
        )
        if isinstance(found, HttpResponse):
            return found
        state.row = found
        return view(request, *args, **kwargs)

    return claimed


def _recording(run):
    """ninja's Operation.run, keeping the answer of a request that claimed its key."""

    @wraps(run)
    def recorded(request, *args, **kwargs):
        key = request.META.get(META_KEY)
        if key is None:
            return run(request, *args, **kwargs)
        state = _State(key)
        setattr(request, _ATTR, state)
        response = None
        try:
            response = run(request, *args, **kwargs)
        finally:
            if state.row is not None:
                idempotent_request_finish(state.row, response)
        return response

    return recorded


def _build(operation) -> None:
    """Called by ninja when it builds the operation: its signature is read from the route's own
    function already, so the view is wrapped here rather than by a decorator of the function."""
    operation.view_func = _claiming(operation.view_func)
    extra = dict(operation.openapi_extra or {})
    extra["parameters"] = [*extra.get("parameters", []), PARAMETER]
    operation.openapi_extra = extra


def idempotent(view):
    """Put below a route's `@router.post(...)`: the route honours the Idempotency-Key header."""
    contribute_operation_callback(view, _build)
    return decorate_view(_recording)(view)
