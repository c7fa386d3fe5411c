"""Failed logins are counted per client address as well as per account (core.auth): after
LOGIN_IP_THRESHOLD failures from one address its further attempts are refused without touching any
account. Before: anyone who knew NIPs (printed on decrees and payroll lists) could lock every one
of those employees out, five wrong passwords each, again every fifteen minutes, from one machine."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from ekinerja.core.models import AuditEvent, User
from tests.factories import InstansiFactory, employee_with_login

pytestmark = pytest.mark.django_db
PASSWORD = "Rahasia-Kuat-2026!"
ATTACKER = "203.0.113.7"
OFFICE = "10.20.1.15"
REFUSED = "Terlalu banyak percobaan masuk yang gagal dari jaringan Anda. Coba lagi dalam 15 menit."


@pytest.fixture
def staff(settings):
    settings.LOGIN_IP_THRESHOLD, settings.LOGIN_IP_MINUTES = 20, 15
    settings.LOGIN_LOCKOUT_THRESHOLD, settings.LOGIN_LOCKOUT_MINUTES = 5, 15
    inst = InstansiFactory()
    return [employee_with_login(inst, None, name=f"Pegawai {i}").user for i in range(6)]


def _login(client, username, password="salah-sekali", ip=ATTACKER, **extra):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip, **extra
    )


def test_one_address_cannot_lock_out_account_after_account(client, staff):
    *others, victim = staff
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for user in others[:4]:  # twenty failures: four accounts locked, as before
            for _ in range(5):
                _login(client, user.username)
        assert all(User.objects.get(pk=u.pk).locked_until for u in others[:4])
        for _ in range(10):  # the next account is no longer reached
            resp = _login(client, victim.username)
            assert REFUSED in resp.content.decode()
        victim.refresh_from_db()
        assert victim.failed_login_count == 0 and victim.locked_until is None
        # Even the right password is refused from that address (no guessing through the throttle)...
        resp = _login(client, victim.username, PASSWORD)
        assert resp.status_code == 200 and REFUSED in resp.content.decode()
        assert "_auth_user_id" not in client.session
        api = client.post(
            "/api/v1/auth/token",
            json.dumps({"username": victim.username, "password": PASSWORD}),
            content_type="application/json",
            REMOTE_ADDR=ATTACKER,
        )
        assert api.status_code == 429 and api.json()["detail"] == REFUSED  # as the login page
        # ... while the employee logs in from their own office.
        resp = _login(client, victim.username, PASSWORD, ip=OFFICE)
        assert resp.status_code == 302
        client.logout()
        # After the window the address may try again (the accounts' own lockouts still apply).
        clock.shift(dt.timedelta(minutes=16))
        resp = _login(client, others[4].username, PASSWORD)
        assert resp.status_code == 302
    events = AuditEvent.objects.filter(action="auth.login_failed", ip_address=ATTACKER)
    assert [e.after for e in events.order_by("-pk")[:12]] == [{"address_throttled": True}] * 12


def test_the_per_account_lockout_still_holds(client, staff):
    user = staff[0]
    for i in range(5):
        _login(client, user.username, ip=f"198.51.100.{i}")
    resp = _login(client, user.username, PASSWORD, ip=OFFICE)
    assert resp.status_code == 200 and "Akun terkunci sementara" in resp.content.decode()


def test_behind_the_proxy_each_client_address_counts_for_itself(client, staff, settings):
    """Behind nginx every request comes from 127.0.0.1: CLIENT_IP_HEADER names the header nginx
    sets (X-Real-IP), so one attacker does not lock out the whole Pemda."""
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    for i in range(20):
        _login(client, f"19990101202001{i:04d}", ip="127.0.0.1", HTTP_X_REAL_IP=ATTACKER)
    refused = _login(client, staff[0].username, PASSWORD, ip="127.0.0.1", HTTP_X_REAL_IP=ATTACKER)
    assert REFUSED in refused.content.decode()
    ok = _login(client, staff[0].username, PASSWORD, ip="127.0.0.1", HTTP_X_REAL_IP=OFFICE)
    assert ok.status_code == 302


def test_an_ipv6_client_is_counted_per_64_network(client, staff):
    for i in range(20):
        _login(client, f"19990101202001{i:04d}", ip=f"2001:db8:1:2::{i + 1:x}")
    resp = _login(client, staff[0].username, PASSWORD, ip="2001:db8:1:2:ffff::1")
    assert REFUSED in resp.content.decode()
    assert _login(client, staff[0].username, PASSWORD, ip="2001:db8:1:3::1").status_code == 302


def test_a_cache_that_does_not_answer_turns_the_throttle_off_not_the_login(client, staff):
    """Redis down: the per-address counters cannot be read or written; people still log in, and
    the per-account lockout (in the database) still counts."""
    from django.core.cache import caches
    from django.test import override_settings

    down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    user = staff[0]
    with override_settings(CACHES=down):
        caches._settings = None  # noqa: SLF001
        caches._connections.__dict__.pop("default", None)  # noqa: SLF001
        try:
            resp = _login(client, user.username)  # a wrong password: counted on the account
            assert resp.status_code == 200
            assert User.objects.get(pk=user.pk).failed_login_count == 1
            resp = _login(client, user.username, PASSWORD)
            assert resp.status_code == 302 and "_auth_user_id" in client.session
        finally:
            caches._connections.__dict__.pop("default", None)  # noqa: SLF001


def test_a_header_that_holds_no_address_falls_back_to_the_connection(client, staff, settings):
    """A proxy that puts the port in the header, or "unknown", or a header misconfigured to a host
    name: the value went into the audit log's address column, a server error on PostgreSQL for
    every login. A port is dropped; anything that is no address gives the connection's own."""
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    for sent, kept in [
        ("unknown", "127.0.0.1"),
        ("proxy.pemda.go.id", "127.0.0.1"),
        ("203.0.113.9:51234", "203.0.113.9"),
        ("[2001:db8::7]:443", "2001:db8::7"),
        ("10.0.0.1, 198.51.100.4", "198.51.100.4"),
    ]:
        ok = _login(client, staff[0].username, PASSWORD, ip="127.0.0.1", HTTP_X_REAL_IP=sent)
        assert ok.status_code == 302, sent
        assert AuditEvent.objects.filter(action="auth.login").latest("pk").ip_address == kept
        client.logout()
