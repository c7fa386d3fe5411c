"""Logins, logouts and failed logins go to the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import audit_record
from .auth import nip_as_typed
from .http import client_ip
from .models import User


def _ip(request):
    return client_ip(request)


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        import time

        from .middleware import SessionTimeoutMiddleware

        # The session's absolute lifetime counts from here (SESSION_MAX_HOURS).
        request.session[SessionTimeoutMiddleware.STARTED] = int(time.time())
    audit_record(
        action="auth.login", actor=user, instansi=user.instansi, obj=user, ip_address=_ip(request)
    )


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(
            action="auth.logout",
            actor=user,
            instansi=user.instansi,
            obj=user,
            ip_address=_ip(request),
        )


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "") or ""
    # The account the backend tried: a NIP typed as on the ID card ("19761125 200510 2 008") is
    # that NIP's account (core.auth.nip_as_typed); it used to be audited against no account.
    user = (
        User.objects.filter(username=nip_as_typed(username.strip()))
        .select_related("instansi")
        .first()
    )
    locked = getattr(request, "login_locked_until", None) if request is not None else None
    after = {"locked_until": locked} if locked else {}
    if getattr(request, "login_throttled", False):
        after["address_throttled"] = True  # refused without checking the password (core.auth)
    audit_record(
        action="auth.login_failed",
        actor=None,
        actor_label=username[:150],
        instansi=user.instansi if user else None,
        obj=user,
        after=after or None,
        ip_address=_ip(request),
    )
