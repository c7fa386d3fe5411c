"""Login by NIP (or username for technical admins) with lockout after repeated failures.

ASVS L2 V2.2.1: after LOGIN_LOCKOUT_THRESHOLD consecutive failures the account is locked for
LOGIN_LOCKOUT_MINUTES; a locked account is refused even with the right password. Every success and
failure is written to the audit log (see signals.py).

The account lockout alone would let anyone who knows NIPs (they are printed on decrees and lists)
lock those employees out again and again from one machine. So the failures of each client address
are counted too (core.http.client_ip, in the cache): after LOGIN_IP_THRESHOLD failures within
LOGIN_IP_MINUTES that address is refused every further attempt, right password or not, until the
window ends, and its attempts no longer reach any account's count. Offices behind one NAT address
share that budget (raise the threshold there; 0 turns the throttle off).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import re

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .http import client_ip
from .models import User


class AccountLocked(PermissionDenied):
    pass


class AddressThrottled(PermissionDenied):
    """Too many failed logins from the client's address (LOGIN_IP_THRESHOLD)."""


log = logging.getLogger(__name__)


def _address_key(ip: str) -> str:
    """One counter per IPv4 address; per /64 for IPv6, where one client holds the whole network."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return f"login-failures:{ip[:64]}"
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return f"login-failures:{address.ipv4_mapped}"
        return f"login-failures:{ipaddress.ip_network(f'{address}/64', strict=False)}"
    return f"login-failures:{address}"


# The counters live in the cache (Redis in production). When it does not answer, the throttle is
# off rather than the login: the per-account lockout (in the database) still holds.


def address_throttled(ip: str | None) -> bool:
    threshold = settings.LOGIN_IP_THRESHOLD
    if not ip or threshold <= 0:
        return False
    try:
        return (cache.get(_address_key(ip)) or 0) >= threshold
    except Exception:  # redis ConnectionError, TimeoutError...
        log.warning("Cache tidak dapat dibaca; pembatasan per alamat dilewati", exc_info=True)
        return False


def address_failure(ip: str | None) -> None:
    """Counts a failed login of the address; the window starts at its first failure."""
    if not ip or settings.LOGIN_IP_THRESHOLD <= 0:
        return
    key = _address_key(ip)
    try:
        cache.add(key, 0, timeout=settings.LOGIN_IP_MINUTES * 60)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr: a new window
            cache.add(key, 1, timeout=settings.LOGIN_IP_MINUTES * 60)
    except Exception:
        log.warning("Cache tidak dapat ditulis; kegagalan masuk tidak dihitung", exc_info=True)


def _zone_of(user) -> str | None:
    """The account's instansi time zone: the lockout message speaks in the user's own clock time."""
    return user.instansi.timezone if user.instansi_id else None


_NIP_SEPARATORS = re.compile(r"[\s.\-]+")


def nip_digits(text: str) -> str:
    """A NIP, or the start of one, as printed on the ID card and the SK ("19761125 200510 2 008",
    with spaces, dots or dashes) as stored: digits only. Anything that is not digits and those
    separators is returned as typed (a name searched for, an officer's username)."""
    compact = _NIP_SEPARATORS.sub("", text)
    return compact if compact and compact.isascii() and compact.isdigit() else text


def nip_as_typed(username: str) -> str:
    """An 18-digit NIP as printed on the ID card and the SK ("19761125 200510 2 008", with dots or
    dashes) is the NIP; anything else is left as typed (usernames of officers' accounts)."""
    compact = nip_digits(username)
    if compact != username and len(compact) == 18:
        return compact
    return username


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        username = nip_as_typed(username.strip())
        ip = client_ip(request)
        if address_throttled(ip):
            request.login_throttled = True
            raise AddressThrottled("Terlalu banyak percobaan masuk yang gagal dari alamat ini.")
        user = User.objects.filter(username=username).select_related("instansi").first()
        if user is None:
            # Same work as a real check, so timing does not reveal which NIPs exist.
            User().set_password(password)
            address_failure(ip)
            return None
        now = timezone.now()
        if user.is_locked(now):
            address_failure(ip)
            if request is not None:
                request.login_locked_until = user.locked_until
                request.login_locked_zone = _zone_of(user)
            raise AccountLocked("Akun terkunci sementara.")
        if user.check_password(password) and self.user_can_authenticate(user):
            if user.failed_login_count or user.locked_until:
                User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
            return user
        address_failure(ip)
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
