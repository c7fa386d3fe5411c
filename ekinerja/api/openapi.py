"""The error answers every route may give, written into the OpenAPI document (/api/v1/openapi.json).

They do not come from the routes but from api.v1's exception handlers and ninja itself: a body
that is not JSON (400), no or a bad token (401), a temporary password or a refused action (403), a
row that does not exist or is another instansi's (404), a request that does not fit the schema or
a rule of a service (422), a write that conflicts with the current state of the row it acts on
(409, api.errors.is_conflict), too many requests (429 with `Retry-After`, api.throttle); on the
routes that take the `Idempotency-Key` header (core.idempotency), its refusals (400, 409, 422,
with a body `{code, detail, errors}`) and the `Idempotent-Replayed` header of a replayed answer.
A route's own answer with the same status (the check-in's `Refusal`) is kept and the common one
added as an alternative (`anyOf`), so a client (and the schemathesis fuzz test,
tests/api/test_fuzz.py) finds every answer the server can give in the document."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from ninja.openapi.schema import REF_TEMPLATE
from ninja.schema import NinjaGenerateJsonSchema

from ekinerja.core.idempotency import HEADER as IDEMPOTENCY_KEY
from ekinerja.core.idempotency import REPLAYED


class Message(Schema):
    detail: str


class SchemaErrorItem(Schema):
    """One field that does not fit: pydantic's `type` and `loc`, an Indonesian `msg` (api.errors)
    and, where the rule has bounds, `ctx` (`max_length`, `ge`, `expected`...)."""

    type: str
    loc: list[str | int]
    msg: str
    ctx: dict[str, Any] | None = None


class SchemaInvalid(Schema):
    """A request that does not fit the schema (api.v1._schema_error)."""

    detail: list[SchemaErrorItem]


class RuleInvalid(Schema):
    """A request refused by a rule of a service: every message in `detail`, and by field in
    `errors` (`__all__` for the request as a whole) (api.v1._validation_error)."""

    detail: str
    errors: dict[str, list[str]]


class IdempotencyRefusal(Schema):
    """The Idempotency-Key header refuses the request (api.v1._idempotency_refused): `code`
    `idempotency_key_invalid` (400), `idempotency_in_progress` (409) or `idempotency_key_reused`
    (422); `errors` under the header's name."""

    code: str
    detail: str
    errors: dict[str, list[str]]


def _ref(model: type[Schema]) -> dict:
    return {"$ref": REF_TEMPLATE.format(model=model.__name__)}


MESSAGE = _ref(Message)
INVALID = {"anyOf": [_ref(SchemaInvalid), _ref(RuleInvalid)]}
CONFLICT = _ref(RuleInvalid)

#: The header of every 429 (api.throttle, and POST /auth/token's login throttle).
RETRY_AFTER = {
    "Retry-After": {
        "description": "Detik yang harus ditunggu sebelum mengirim lagi.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}
WRITES = {"post", "put", "patch", "delete"}

# status -> (description, schema, applies to the operation (op, method)?)
COMMON: dict[int, tuple[str, dict, Any]] = {
    400: (
        "Isi permintaan bukan JSON yang sah.",
        MESSAGE,
        lambda op, method: "requestBody" in op,
    ),
    401: (
        "Belum masuk, atau token tidak berlaku lagi.",
        MESSAGE,
        lambda op, method: bool(op.get("security")),
    ),
    403: (
        "Tidak diizinkan (mis. akun masih memakai kata sandi sementara).",
        MESSAGE,
        lambda op, method: bool(op.get("security")),
    ),
    404: (
        "Data tidak ditemukan (atau milik instansi lain).",
        MESSAGE,
        lambda op, method: bool(op.get("security")),
    ),
    409: (
        "Bertentangan dengan keadaan data saat ini (mis. aktivitas sudah diverifikasi, sudah "
        "diputuskan, atau diubah sejak dibaca): `detail` berupa kalimat, `errors` per kolom "
        "(biasanya `status`). Mengirim ulang permintaan yang sama tidak akan berhasil; baca lagi "
        "datanya.",
        CONFLICT,
        # A route answering conflicts itself (the check-in's `Refusal`) documents its own 409.
        lambda op, method: (
            method in WRITES
            and bool(op.get("security"))
            and not {409, "409"} & set(op.get("responses", {}))
        ),
    ),
    422: (
        "Permintaan tidak sesuai skema (`detail` berisi daftar kolom) atau ditolak aturan "
        "(`detail` berupa kalimat, `errors` per kolom).",
        INVALID,
        lambda op, method: bool(op.get("parameters")) or "requestBody" in op,
    ),
    429: (
        "Terlalu banyak permintaan (per token; POST /auth/token per alamat). Tunggu selama "
        "`Retry-After` detik, lalu kirim lagi.",
        MESSAGE,
        lambda op, method: True,
    ),
}
#: Headers of a common answer, by status.
HEADERS: dict[int, dict] = {429: RETRY_AFTER}

#: The answers of the Idempotency-Key header, on the operations that take it (core.idempotency
#: adds the header parameter): status -> description.
IDEMPOTENCY: dict[int, str] = {
    400: "Header `Idempotency-Key` tidak sah (`code: idempotency_key_invalid`).",
    409: "Permintaan pertama dengan `Idempotency-Key` yang sama masih diproses "
    "(`code: idempotency_in_progress`): kirim ulang sebentar lagi.",
    422: "`Idempotency-Key` ini sudah dipakai untuk permintaan dengan isi berbeda "
    "(`code: idempotency_key_reused`).",
}
#: On every answer of such an operation: a replay carries it (any status the first run answered).
REPLAYED_HEADER = {
    REPLAYED: {
        "description": "`true` bila jawaban ini diulang dari permintaan pertama dengan "
        "`Idempotency-Key` yang sama (tidak dijalankan lagi).",
        "required": False,
        "schema": {"type": "string", "enum": ["true"]},
    }
}


def _alternatives(schema: dict) -> list[dict]:
    return list(schema["anyOf"]) if set(schema) == {"anyOf"} else [schema]


def _merge(existing: dict, common: dict) -> dict:
    """The route's own schema for a status, with the common one as an alternative."""
    options = _alternatives(existing)
    for option in _alternatives(common):
        if option not in options:
            options.append(option)
    return options[0] if len(options) == 1 else {"anyOf": options}


def document_errors(openapi: dict) -> dict:
    """Add the common error answers to every operation of an OpenAPI document (in place)."""
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    for model in (Message, SchemaInvalid, RuleInvalid, IdempotencyRefusal):
        definition = model.model_json_schema(
            ref_template=REF_TEMPLATE,
            schema_generator=NinjaGenerateJsonSchema,
            mode="serialization",
        )
        schemas.update(definition.pop("$defs", {}))
        schemas.setdefault(model.__name__, definition)
    for methods in openapi.get("paths", {}).values():
        for method, op in methods.items():
            responses = op.setdefault("responses", {})
            for status, (description, schema, applies) in COMMON.items():
                if not applies(op, method):
                    continue
                # ninja's keys are numbers; a route's `openapi_extra` may have written strings.
                key = str(status) if str(status) in responses else status
                answer = responses.setdefault(key, {"description": description})
                content = answer.setdefault("content", {}).setdefault("application/json", {})
                content["schema"] = _merge(content["schema"], schema) if content else schema
                if status in HEADERS:
                    answer.setdefault("headers", {}).update(HEADERS[status])
            if _idempotent(op):
                _document_idempotency(responses)
    return openapi


def _idempotent(op: dict) -> bool:
    return any(
        p.get("in") == "header" and p.get("name") == IDEMPOTENCY_KEY
        for p in op.get("parameters", ())
    )


def _document_idempotency(responses: dict) -> None:
    """The refusals of the Idempotency-Key header among the operation's answers, and the replay's
    header on each answer. The refusal's body, `{code, detail, errors}`, fits every schema these
    statuses already have here (RuleInvalid, Message, the check-in's Refusal: none forbids more
    properties), so those stay as they are and their description names the refusal; a status not
    documented yet (400 on a route without a body) gets IdempotencyRefusal."""
    for status, description in IDEMPOTENCY.items():
        key = str(status) if str(status) in responses else status
        if key in responses:
            answer = responses[key]
            answer["description"] = f"{answer.get('description', '')} {description}".strip()
        else:
            responses[key] = {
                "description": description,
                "content": {"application/json": {"schema": _ref(IdempotencyRefusal)}},
            }
    for answer in responses.values():
        answer.setdefault("headers", {}).update(REPLAYED_HEADER)
