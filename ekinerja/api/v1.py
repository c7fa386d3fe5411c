"""API v1: /api/v1/ (OpenAPI at /api/v1/openapi.json). Each app contributes a router from its api.py."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as SchemaError

from ekinerja.activities import services as activity_services
from ekinerja.activities.api import router as activities_router
from ekinerja.attendance.api import router as attendance_router
from ekinerja.core.http import Text

from . import errors
from .auth import session_auth, token_auth
from .openapi import Message, document_errors


class Api(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """ninja's document with the error answers of the exception handlers below (api.openapi)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document_errors(schema)


api = Api(
    title="e-Kinerja API",
    version="1",
    description="API e-Kinerja untuk aplikasi seluler dan integrasi. Autentikasi: "
    "`Authorization: Bearer <token>` (token dari POST /api/v1/auth/token).",
    auth=[token_auth, session_auth],
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
    return api.create_response(
        request,
        {"detail": " ".join(exc.messages), "errors": _field_errors(exc)},
        status=422,
    )


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
    expires_at: str


@auth_router.post("/token", auth=None, response={200: TokenOut, 401: Message, 403: Message})
def token_issue(request, data: TokenIn):
    """Exchange NIP and password for a bearer token (valid 90 days). Failed attempts count toward the
    account lockout like the login page."""
    user = authenticate(request, username=data.username, password=data.password)
    if user is None or user.instansi_id is None:
        return Status(401, {"detail": "NIP/nama pengguna atau kata sandi salah."})
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


api.add_router("/auth", auth_router)
api.add_router("/activities", activities_router)
api.add_router("/attendance", attendance_router)
