"""Indonesian messages for the errors django-ninja and pydantic report in English.

A request that does not fit the schema (a missing field, text where a number belongs) is answered
422 with ninja's documented shape, `{"detail": [{"type", "loc", "msg", "ctx"?}, ...]}`: `type` and
`loc` stay as pydantic gives them (the app puts the message next to the field named by `loc`), only
`msg` becomes an Indonesian sentence naming the field. The ninja errors with a fixed English text
(an unreadable body, no or a bad token) keep their status and get an Indonesian `detail`."""

from __future__ import annotations

import re
from decimal import Decimal

# Sources ninja puts first in `loc`; a body schema adds the parameter's name after it.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}

_DATE = "harus berupa tanggal dengan format TTTT-BB-HH (mis. 2026-10-08)"
_TIME = "harus berupa jam dengan format JJ:MM (mis. 08:00)"
_DATETIME = "harus berupa tanggal dan jam dengan format ISO 8601 (mis. 2026-10-08T08:00:00+08:00)"
_INT = "harus berupa bilangan bulat"
_NUMBER = "harus berupa angka"
_DECIMAL = "harus berupa angka desimal"
_TEXT = "harus berupa teks"
_BOOL = "harus berupa true atau false"
_OBJECT = "harus berupa objek JSON"
_LIST = "harus berupa daftar (array)"

# pydantic error type -> the predicate of "Kolom 'x' ...". Placeholders are filled from `ctx`.
PREDICATES: dict[str, str] = {
    "missing": "wajib diisi",
    "missing_argument": "wajib diisi",
    "none_required": "harus dikosongkan",
    "extra_forbidden": "tidak dikenal",
    "unexpected_keyword_argument": "tidak dikenal",
    "string_type": _TEXT,
    "string_sub_type": _TEXT,
    "string_unicode": _TEXT,
    "string_too_short": "minimal {min_length} karakter",
    "string_too_long": "maksimal {max_length} karakter",
    "too_short": "minimal berisi {min_length} item",
    "too_long": "maksimal berisi {max_length} item",
    "string_pattern_mismatch": "formatnya tidak sesuai",
    "string_nul": "tidak boleh memuat karakter NUL",
    "int_type": _INT,
    "int_parsing": _INT,
    "int_parsing_size": "terlalu besar",
    "int_from_float": _INT,
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "finite_number": "harus berupa angka yang terhingga",
    "decimal_type": _DECIMAL,
    "decimal_parsing": _DECIMAL,
    "decimal_max_digits": "maksimal {max_digits} digit",
    "decimal_max_places": "maksimal {decimal_places} angka di belakang koma",
    "decimal_whole_digits": "maksimal {whole_digits} digit sebelum koma",
    "greater_than": "harus lebih besar dari {gt}",
    "greater_than_equal": "paling kecil {ge}",
    "less_than": "harus lebih kecil dari {lt}",
    "less_than_equal": "paling besar {le}",
    "multiple_of": "harus kelipatan {multiple_of}",
    "bool_type": _BOOL,
    "bool_parsing": _BOOL,
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE + ", tanpa jam",
    "date_out_of_range": "harus tanggal antara tahun {min_year} dan {max_year}",  # core.http.Date
    "date_past": "harus tanggal yang sudah lewat",
    "date_future": "harus tanggal yang akan datang",
    "time_type": _TIME,
    "time_parsing": _TIME,
    "datetime_type": _DATETIME,
    "datetime_parsing": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "datetime_object_invalid": _DATETIME,
    "timezone_naive": "tidak boleh memuat zona waktu",
    "timezone_aware": "harus memuat zona waktu (selisih dari UTC, mis. +08:00 atau Z)",
    "time_delta_type": "harus berupa durasi",
    "time_delta_parsing": "harus berupa durasi",
    "enum": "harus salah satu dari: {expected}",
    "literal_error": "harus salah satu dari: {expected}",
    "dict_type": _OBJECT,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "dataclass_type": _OBJECT,
    "list_type": _LIST,
    "tuple_type": _LIST,
    "set_type": _LIST,
    "iterable_type": _LIST,
    "uuid_type": "harus berupa UUID",
    "uuid_parsing": "harus berupa UUID",
    "url_type": "harus berupa URL",
    "url_parsing": "harus berupa URL",
    "url_scheme": "harus berupa URL",
    "json_type": "harus berupa JSON",
    "json_invalid": "bukan JSON yang sah",
    "bytes_type": _TEXT,
    "bytes_too_long": "maksimal {max_length} byte",
    "bytes_too_short": "minimal {min_length} byte",
    "value_error": "tidak valid",
    "assertion_error": "tidak valid",
}
FALLBACK = "tidak valid"

# The errors about the request body as a whole (loc is just ("body", <parameter>) or ("body",)).
BODY_MESSAGES: dict[str, str] = {
    "missing": "Isi permintaan (JSON) wajib diisi.",
    "json_invalid": "Isi permintaan bukan JSON yang sah.",
}
BODY_FALLBACK = "Isi permintaan harus berupa objek JSON sesuai skema."

#: A page's session calling the API without the CSRF token of the page (403).
CSRF_FAILED = (
    "Halaman ini sudah kedaluwarsa (token keamanan CSRF tidak ada atau tidak cocok). Muat ulang "
    "halaman, lalu ulangi."
)

# ninja's own fixed English texts (ninja.errors, ninja.params.models) by status.
HTTP_MESSAGES: dict[str, str] = {
    "Cannot parse request body": "Isi permintaan bukan JSON yang sah.",
    "Unauthorized": "Belum masuk, atau token tidak berlaku lagi. Silakan masuk kembali.",
    "Forbidden": "Tidak diizinkan.",
    "Too many requests.": "Terlalu banyak permintaan. Coba lagi beberapa saat lagi.",
    # A logged-in browser session without its CSRF token (api.auth.ActiveSessionAuth).
    "CSRF check Failed": CSRF_FAILED,
}


def field_name(loc) -> str:
    """The field a `loc` points at, without the source and the body parameter: ("body", "data",
    "volume") -> "volume", ("query", "date_from") -> "date_from", ("body", "data", "rows", 0, "id")
    -> "rows[0].id". Empty when the error is about the whole body."""
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if source in {"body", "form"} and parts:
            parts.pop(0)  # the view's schema parameter ("data"), not a field of the request
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name


def _number(value) -> str:
    """A bound from `ctx` as Indonesians write it: a decimal comma, no trailing zeros."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        text = format(Decimal(str(value)).normalize(), "f")
        return text.replace(".", ",")
    if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value):
        return _number(Decimal(value))
    return str(value)


def _choices(expected) -> str:
    """pydantic's "'a', 'b' or 'c'" in Indonesian: "a, b atau c"."""
    items = re.findall(r"'([^']*)'", str(expected)) or [str(expected)]
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " atau " + items[-1]


def message(error: dict) -> str:
    """The Indonesian sentence of one pydantic/ninja error dict."""
    kind = error.get("type", "")
    ctx = dict(error.get("ctx") or {})
    name = field_name(error.get("loc") or ())
    if not name:
        if kind in BODY_MESSAGES:
            return BODY_MESSAGES[kind]
        return BODY_FALLBACK
    predicate = PREDICATES.get(kind, FALLBACK)
    if kind == "string_pattern_mismatch":
        # A pattern listing the allowed words, ^(a|b|c)$, reads better as the list of choices.
        choices = re.fullmatch(r"\^\(?([\w|]+)\)?\$", str(ctx.get("pattern", "")))
        if choices:
            predicate = "harus salah satu dari: {expected}"
            ctx["expected"] = "'" + "', '".join(choices.group(1).split("|")) + "'"
    if "expected" in ctx:
        ctx["expected"] = _choices(ctx["expected"])
    values = {key: _number(value) for key, value in ctx.items() if key != "expected"}
    values["expected"] = ctx.get("expected", "")
    try:
        predicate = predicate.format(**values)
    except (KeyError, IndexError, ValueError):
        predicate = FALLBACK
    return f"Kolom '{name}' {predicate}."


def _ctx(ctx: dict) -> dict:
    """`ctx` without pydantic's `error`: an English detail ("input is too short", "month value is
    outside expected range") that the Indonesian `msg` already says in its own words. The bounds
    (`max_length`, `ge`, `expected`...) stay, for an app that words its own message."""
    return {key: value for key, value in ctx.items() if key != "error"}


def translate(errors: list[dict]) -> list[dict]:
    """ninja's error list with each `msg` in Indonesian; `type` and `loc` kept, and `ctx` without
    its English `error` detail (dropped when nothing else is left)."""
    out = []
    for error in errors:
        item = {**error, "msg": message(error)}
        if "ctx" in item:
            ctx = _ctx(dict(item["ctx"] or {}))
            if ctx:
                item["ctx"] = ctx
            else:
                del item["ctx"]
        out.append(item)
    return out


def http_message(text: str) -> str:
    return HTTP_MESSAGES.get(text, text)


#: A method the path does not have (PUT on a read-only path): ninja answers 405 with English
#: text/html ("Method not allowed"), which api.v1.Api turns into `{detail}` with this sentence.
METHOD_NOT_ALLOWED = "Metode {method} tidak tersedia di alamat ini. Yang tersedia: {allowed}."


def method_not_allowed(method: str, allowed: list[str]) -> str:
    return METHOD_NOT_ALLOWED.format(method=method, allowed=", ".join(sorted(allowed)) or "-")


# --------------------------------------------------------------------------------------------------
# 409 Conflict: the request is well formed, but the row it acts on is not in a state that allows it
# (an entry already verified or expired, a decision already taken, a list changed since the client
# read it, a nonce already used). Sending the same request again will not help; reading the row
# again (or waiting for its state to change) will. A request the client can correct by changing
# what it sends (a field out of range, a time overlapping another entry, a closed entry window for
# the date it chose) stays 422.

#: The field on which the services report the state of the row a request acts on: never a field of
#: a request (no API body has `status`), so an error on it cannot be corrected by the client.
CONFLICT_FIELDS = frozenset({"status"})
#: A ValidationError raised with this `code` is a conflict whatever its field.
CONFLICT_CODE = "conflict"


class Conflict(Exception):
    """Raised by a route for a conflict of its own: 409 `{detail, errors}`, `errors` keyed by
    `field` (`__all__` when the request as a whole conflicts), as a service's ValidationError is
    answered."""

    def __init__(self, message: str, field: str = "__all__"):
        super().__init__(message)
        self.message = message
        self.field = field


def is_conflict(exc) -> bool:
    """Whether a service's ValidationError is about the state of a row (409), not the request's
    input (422): it names a CONFLICT_FIELDS field, or carries CONFLICT_CODE."""
    if hasattr(exc, "error_dict"):
        if CONFLICT_FIELDS & set(exc.error_dict):
            return True
        items = [e for errs in exc.error_dict.values() for e in errs]
    else:
        items = exc.error_list
    return any(getattr(e, "code", None) == CONFLICT_CODE for e in items)
