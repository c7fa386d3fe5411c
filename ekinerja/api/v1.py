"""API v1: /api/v1/ (OpenAPI at /api/v1/openapi.json). Each app contributes a router from its api.py."""

from __future__ import annotations

import datetime as dt
import math
from functools import wraps

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern
from ninja import Field, NinjaAPI, Router, Schema, Status
from ninja.errors import HttpError, Throttled
from ninja.errors import ValidationError as SchemaError

from ekinerja.activities import selectors as activity_selectors
from ekinerja.activities import services as activity_services
from ekinerja.activities.api import Id
from ekinerja.activities.api import router as activities_router
from ekinerja.activities.models import ApiToken
from ekinerja.attendance.api import router as attendance_router
from ekinerja.core.http import Text
from ekinerja.core.idempotency import HEADER as IDEMPOTENCY_KEY
from ekinerja.core.idempotency import IdempotencyRefused
from ekinerja.core.scoping import get_scoped_or_404
from ekinerja.org.forms import LoginForm, login_refusal

from . import errors
from .auth import session_auth, token_auth
from .openapi import Message, document_errors
from .throttle import rate_limit, too_many


class Api(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """ninja's document with the error answers of the exception handlers below (api.openapi)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document_errors(schema)

    @property
    def urls(self):
        """ninja's URL configuration, each view answering a method its path does not have (PUT on
        a read-only path) like the other errors: 405 `{detail}` in Indonesian, JSON, with ninja's
        `Allow` header. ninja returns that answer itself (English text/html "Method not
        allowed"), without raising anything an exception handler could catch."""
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = self._json_not_allowed(pattern.callback)
        return patterns, app_name, namespace

    def _json_not_allowed(self, view):
        @wraps(view)  # keeps csrf_exempt: ninja's authenticators check CSRF themselves
        def answer(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if not isinstance(response, HttpResponseNotAllowed):
                return response
            allowed = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
            detail = errors.method_not_allowed(request.method, allowed)
            refusal = self.create_response(request, {"detail": detail}, status=405)
            refusal["Allow"] = response["Allow"]
            return refusal

        return answer


api = Api(
    title="e-Kinerja API",
    version="1",
    description="API e-Kinerja untuk aplikasi seluler dan integrasi. Autentikasi: "
    "`Authorization: Bearer <token>` (token dari POST /api/v1/auth/token, dicabut dengan "
    "DELETE /api/v1/auth/token). Perangkat yang masuk dengan akun ini: GET /api/v1/auth/tokens; "
    "satu perangkat (mis. ponsel yang hilang) dicabut dengan DELETE /api/v1/auth/tokens/{id}. "
    "Daftar panjang dibagi per halaman dengan `limit` dan `offset` (GET "
    "/api/v1/activities/inbox): jawaban memuat `total`, `limit`, `offset` dan `next_offset` "
    "(null pada halaman terakhir). Permintaan yang bertentangan dengan keadaan data saat ini "
    "(mis. mengubah atau menghapus aktivitas yang sudah diverifikasi, memutuskan aktivitas yang "
    "sudah diputuskan, data yang berubah sejak dibaca) dijawab 409; terlalu banyak permintaan "
    "dari satu token dijawab 429 dengan `Retry-After` (detik). Pengiriman aktivitas, pengajuan, "
    "verifikasi dan absen ponsel menerima header `Idempotency-Key`: permintaan yang dikirim ulang "
    "dengan kunci dan isi yang sama dalam 24 jam menerima jawaban pertama lagi "
    "(`Idempotent-Replayed: true`) tanpa dijalankan dua kali.",
    auth=[token_auth, session_auth],
    # Per token, and per address for POST /auth/token (api.throttle; settings.API_RATE_LIMIT...).
    throttle=[rate_limit],
    urls_namespace="api-v1",
    # Swagger assets are served locally only when ninja's static files are installed; never a CDN.
    docs_url="/docs" if "ninja" in settings.INSTALLED_APPS else None,
)


def _field_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"__all__": exc.messages}


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    """A service's refusal: 422 for the request's input, 409 when it is about the state of the row
    the request acts on (api.errors.is_conflict: the services' `status` field), in one shape."""
    return api.create_response(
        request,
        {"detail": " ".join(exc.messages), "errors": _field_errors(exc)},
        status=409 if errors.is_conflict(exc) else 422,
    )


@api.exception_handler(errors.Conflict)
def _conflict(request, exc: errors.Conflict):
    return api.create_response(
        request, {"detail": exc.message, "errors": {exc.field: [exc.message]}}, status=409
    )


@api.exception_handler(IdempotencyRefused)
def _idempotency_refused(request, exc: IdempotencyRefused):
    """The Idempotency-Key header refuses the request (core.idempotency): 400 an invalid key, 409
    the first request with the key still running, 422 the key used with another body. `code` says
    which; `errors` names the header as a field error names its field."""
    return api.create_response(
        request,
        {"code": exc.code, "detail": exc.message, "errors": {IDEMPOTENCY_KEY: [exc.message]}},
        status=exc.status,
    )


@api.exception_handler(Throttled)
def _throttled(request, exc: Throttled):
    """Over the rate limit (api.throttle): 429, ninja adds `Retry-After` with the same seconds."""
    seconds = math.ceil(exc.wait) if exc.wait else None
    login = getattr(request, "auth", None) is None  # POST /auth/token, counted per address
    return api.create_response(request, {"detail": too_many(seconds, login=login)}, status=429)


@api.exception_handler(SchemaError)
def _schema_error(request, exc: SchemaError):
    """A request that does not fit the schema: ninja's 422 shape, `detail` a list of
    {type, loc, msg, ctx}, with `msg` in Indonesian (api.errors)."""
    return api.create_response(request, {"detail": errors.translate(exc.errors)}, status=422)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    """ninja's own refusals (401 without a valid token, 400 for a body that is not JSON)."""
    return api.create_response(
        request, {"detail": errors.http_message(str(exc))}, status=exc.status_code
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc: PermissionDenied):
    return api.create_response(request, {"detail": str(exc) or "Tidak diizinkan."}, status=403)


@api.exception_handler(Http404)
def _not_found(request, exc: Http404):
    return api.create_response(request, {"detail": "Data tidak ditemukan."}, status=404)


auth_router = Router(tags=["autentikasi"])


class TokenIn(Schema):
    username: Text
    password: Text
    device: Text = ""


class TokenOut(Schema):
    token: str
    # The ISO 8601 text of the expiry (90 days on), documented as such: it was a bare `string`,
    # leaving a client to guess how to read it. The text itself is unchanged.
    expires_at: str = Field(
        ...,
        json_schema_extra={"format": "date-time", "examples": ["2027-01-07T09:00:00.000000+00:00"]},
    )


WRONG_PASSWORD = LoginForm.error_messages["invalid_login"]  # the login page's words
#: DELETE /auth/token from a browser session (400): it revokes the token a request came with.
SESSION_NOT_A_TOKEN = (
    "Permintaan ini tidak memakai token: hanya token aplikasi (Authorization: Bearer) yang dapat "
    "dicabut di sini. Sesi peramban diakhiri lewat menu Keluar."
)


def _login_refusal(request) -> Status | HttpResponse | None:
    """What the login page says of a failed attempt, in the same words (org.forms.login_refusal):
    the client's address refused for a while (429, with `Retry-After` as every 429 of the API: the
    throttle's whole window, core.auth counts it from the address's first failure), or the account
    locked, until when (403). None for a plain wrong password."""
    refusal = login_refusal(request)
    if refusal is None:
        return None
    code, message = refusal
    if code != "throttled":
        return Status(403, {"detail": message})
    response = api.create_response(request, {"detail": message}, status=429)
    response["Retry-After"] = str(settings.LOGIN_IP_MINUTES * 60)
    return response


@auth_router.post(
    "/token", auth=None, response={200: TokenOut, 401: Message, 403: Message, 429: Message}
)
def token_issue(request, data: TokenIn):
    """Exchange NIP and password for a bearer token (valid 90 days). Failed attempts count toward the
    account lockout like the login page, and are refused as it refuses them: 401 for a wrong
    password, 403 for an account locked after failed attempts (until when) or still on a temporary
    password, 429 for an address with too many failed attempts (right password or not)."""
    user = authenticate(request, username=data.username, password=data.password)
    if user is None:
        return _login_refusal(request) or Status(401, {"detail": WRONG_PASSWORD})
    if user.instansi_id is None:
        return Status(401, {"detail": WRONG_PASSWORD})
    if user.must_change_password:
        return Status(
            403,
            {
                "detail": "Anda masih memakai kata sandi sementara. Buat kata sandi baru lewat "
                "e-Kinerja di peramban, lalu masuk lagi di aplikasi."
            },
        )
    token, raw = activity_services.api_token_issue(actor=user, name=data.device)
    return Status(200, {"token": raw, "expires_at": token.expires_at.isoformat()})


@auth_router.delete("/token", response={204: None, 400: Message})
def token_revoke(request):
    """Revoke the bearer token of this request (the app's logout): from then on it answers 401.
    The account's other tokens (other phones) stay valid. A request authenticated by its browser
    session has no token to revoke (400)."""
    key_hash = getattr(request, "api_token_hash", None)  # set by api.auth.TokenAuth
    if key_hash is None:
        return Status(400, {"detail": SESSION_NOT_A_TOKEN})
    token = get_scoped_or_404(ApiToken, request.auth, key_hash=key_hash, user_id=request.auth.pk)
    activity_services.api_token_revoke(actor=request.auth, token=token)
    return Status(204, None)


class DeviceOut(Schema):
    """A live token of the account, without its secret: which device, since when, last used."""

    id: int
    device: str = Field(..., description="Nama perangkat yang dikirim saat masuk (boleh kosong).")
    prefix: str = Field(..., description="Awal token (8 karakter) untuk membedakan perangkat.")
    created_at: dt.datetime
    last_used_at: dt.datetime | None = Field(
        ..., description="Terakhir dipakai (diperbarui paling sering sekali per 5 menit)."
    )
    expires_at: dt.datetime
    current: bool = Field(..., description="Token permintaan ini sendiri.")


@auth_router.get("/tokens", response=list[DeviceOut])
def tokens_list(request):
    """The account's live tokens (neither revoked nor expired), one per device logged in to the
    app, the most recently used first; never the token itself. `current` marks the token of this
    request (none for a browser session)."""
    current = getattr(request, "api_token_id", None)  # set by api.auth.TokenAuth
    tokens = activity_selectors.api_tokens_live(request.auth.instansi_id, [request.auth.pk])
    return [
        {
            "id": t.pk,
            "device": t.name,
            "prefix": t.prefix,
            "created_at": t.created_at,
            "last_used_at": t.last_used_at,
            "expires_at": t.expires_at,
            "current": t.pk == current,
        }
        for t in tokens.get(request.auth.pk, [])
    ]


@auth_router.delete("/tokens/{token_id}", response={204: None})
def tokens_revoke(request, token_id: Id):
    """Revoke one of the account's tokens (a lost phone's, from another device or the browser):
    it answers 401 from then on, the others stay valid. Audited (`auth.api_token.revoke`). A token
    of another account or instansi, or one already revoked or expired, answers 404."""
    token = activity_selectors.api_token_live(request.auth, token_id)
    activity_services.api_token_revoke(actor=request.auth, token=token)
    return Status(204, None)


api.add_router("/auth", auth_router)
api.add_router("/activities", activities_router)
api.add_router("/attendance", attendance_router)
