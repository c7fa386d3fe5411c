"""API authentication: bearer tokens for the mobile app (activities.ApiToken, stored hashed), or the
browser session (with CSRF) for pages that call the API.

Neither serves an account still on an officer-issued temporary password (`must_change_password`):
the browser middleware (core.middleware.PasswordChangeRequiredMiddleware) leaves /api/ to answer for
itself, and whoever issued the password knows it, so the API refuses (403) until the owner has chosen
their own password on the password page. No token is issued meanwhile (api.v1.token_issue), and a
password issued by an officer revokes the account's tokens, but the check here does not rely on that.

The session is tried after the token, and only a live session meets the CSRF check: a request
without a session cookie, or whose session has expired, is no session at all, so a write with a
dead, revoked or unknown token answers 401 ("Belum masuk...") like a read, not 403 for a CSRF token
it never needed (ninja's APIKeyCookie checks CSRF before it looks at the cookie). A logged-in
session still has to carry its CSRF token, and the refusal is Indonesian (api.errors).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, DateTimeField
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from ekinerja.activities.models import ApiToken
from ekinerja.activities.services import api_token_touch
from ekinerja.core.models import Instansi, User
from ekinerja.core.prepared import Param, Prepared, as_model, model_fields
from ekinerja.org.models import Employee

_USER = model_fields(User, "user__")
_INSTANSI = model_fields(Instansi, "user__instansi__")
_EMPLOYEE = model_fields(Employee, "user__employee__")

# Every API request starts here, so the lookup is compiled once per process: the token (by its hash,
# not revoked, not expired; its id and when it was last used) with its user, the user's instansi and
# employee record in one query.
_TOKEN = Prepared(
    lambda: (
        ApiToken.objects.filter(
            key_hash=Param("key_hash", CharField()),
            revoked=False,
            expires_at__gt=Param("now", DateTimeField()),
        )
        .order_by()
        .values_list("pk", "last_used_at", "instansi", *_USER, *_INSTANSI, *_EMPLOYEE)[:1]
    )
)
_TOKEN_ROW = 2  # where the row of _user_from_row starts (after the token's id and last use)


def _user_from_row(row) -> User:
    """The user, with instansi and employee (or None) already loaded as select_related would."""
    a, b = 1, 1 + len(_USER)
    user = as_model(User, row[a:b])
    a, b = b, b + len(_INSTANSI)
    instansi = as_model(Instansi, row[a:b]) if row[a] is not None else None
    User.instansi.field.set_cached_value(user, instansi)
    employee = None
    if row[b] is not None:
        employee = as_model(Employee, row[b:])
        if instansi is not None and employee.instansi_id == instansi.pk:
            Employee.instansi.field.set_cached_value(employee, instansi)
        Employee.user.field.set_cached_value(employee, user)
    User.employee.related.set_cached_value(user, employee)
    return user


#: The API's answer to an account on a temporary password (403, as token_issue answers it).
TEMPORARY_PASSWORD_REFUSED = (
    "Anda masih memakai kata sandi sementara. Buat kata sandi baru lebih dahulu lewat menu "
    "Ubah kata sandi di e-Kinerja (peramban), lalu ulangi."
)


def _refuse_temporary(user: User) -> None:
    """Raised from an authenticator, ninja answers it at once through api.v1's 403 handler."""
    if user.must_change_password:
        raise PermissionDenied(TEMPORARY_PASSWORD_REFUSED)


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        if not token or len(token) > 200:
            return None
        key_hash = ApiToken.hash(token)
        now = timezone.now()
        rows = _TOKEN(key_hash=key_hash, now=now)
        if not rows:
            return None
        token_id, last_used_at = rows[0][:_TOKEN_ROW]
        row = rows[0][_TOKEN_ROW:]
        token_instansi_id, user = row[0], _user_from_row(row)
        if not user.is_active or user.instansi_id != token_instansi_id:
            return None
        _refuse_temporary(user)
        # The device list's "terakhir dipakai": a write at most every few minutes per token.
        api_token_touch(token_id=token_id, last_used_at=last_used_at, now=now)
        request.user = user
        # Which token this is: DELETE /api/v1/auth/token revokes the one the request came with, and
        # GET /api/v1/auth/tokens marks it `current`.
        request.api_token_hash = key_hash
        request.api_token_id = token_id
        return user


class ActiveSessionAuth(SessionAuth):
    """The browser session of an account of an instansi, not on a temporary password."""

    def _get_key(self, request):
        """The session cookie, CSRF-checked (ninja's APIKeyCookie._get_key) only when it carries a
        logged-in session: without one there is nothing to protect, and None lets the 401 answer."""
        user = getattr(request, "user", None)
        if not request.COOKIES.get(self.param_name) or user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        if key is None:
            return None
        user = super().authenticate(request, key)
        if user is None or not user.instansi_id:
            return None
        _refuse_temporary(user)
        return user


token_auth = TokenAuth()
session_auth = ActiveSessionAuth()
