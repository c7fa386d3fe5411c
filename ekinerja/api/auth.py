"""API authentication: bearer tokens for the mobile app (activities.ApiToken, stored hashed), or the
browser session (with CSRF) for pages that call the API."""

from __future__ import annotations

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from ekinerja.activities.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        if not token or len(token) > 200:
            return None
        row = (
            # The employee record comes along: every activity route needs it.
            ApiToken.objects.select_related("user", "user__instansi", "user__employee__instansi")
            .filter(key_hash=ApiToken.hash(token), revoked=False, expires_at__gt=timezone.now())
            .first()
        )
        if row is None or not row.user.is_active or row.user.instansi_id != row.instansi_id:
            return None
        request.user = row.user
        return row.user


class ActiveSessionAuth(SessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.instansi_id else None


token_auth = TokenAuth()
session_auth = ActiveSessionAuth()
