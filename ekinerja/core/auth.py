"""Login by NIP (or username for technical admins) with lockout after repeated failures.

ASVS L2 V2.2.1: after LOGIN_LOCKOUT_THRESHOLD consecutive failures the account is locked for
LOGIN_LOCKOUT_MINUTES; a locked account is refused even with the right password. Every success and
failure is written to the audit log (see signals.py).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import User


class AccountLocked(PermissionDenied):
    pass


def _zone_of(user) -> str | None:
    """The account's instansi time zone: the lockout message speaks in the user's own clock time."""
    return user.instansi.timezone if user.instansi_id else None


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        username = username.strip()
        user = User.objects.filter(username=username).select_related("instansi").first()
        if user is None:
            # Same work as a real check, so timing does not reveal which NIPs exist.
            User().set_password(password)
            return None
        now = timezone.now()
        if user.is_locked(now):
            if request is not None:
                request.login_locked_until = user.locked_until
                request.login_locked_zone = _zone_of(user)
            raise AccountLocked("Akun terkunci sementara.")
        if user.check_password(password) and self.user_can_authenticate(user):
            if user.failed_login_count or user.locked_until:
                User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
            return user
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
            user.refresh_from_db(fields=["failed_login_count"])
            if user.failed_login_count >= settings.LOGIN_LOCKOUT_THRESHOLD:
                until = now + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
                User.objects.filter(pk=user.pk).update(locked_until=until, failed_login_count=0)
                if request is not None:
                    request.login_locked_until = until
                    request.login_locked_zone = _zone_of(user)
        return None
