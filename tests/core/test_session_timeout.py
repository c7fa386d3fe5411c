"""A session ends after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after the
login (core.middleware.SessionTimeoutMiddleware). Before: a session lived eight hours from its
last write whatever happened, so a phone or office PC left logged in stayed usable all day."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests.factories import InstansiFactory, employee_with_login

pytestmark = pytest.mark.django_db
PASSWORD = "Rahasia-Kuat-2026!"


@pytest.fixture
def logged_in(client, settings):
    settings.SESSION_IDLE_MINUTES, settings.SESSION_MAX_HOURS = 30, 12
    settings.SESSION_COOKIE_AGE = 30 * 60
    user = employee_with_login(InstansiFactory(), None, name="Siti").user
    clock = time_machine.travel(dt.datetime(2026, 10, 5, 7, 30, tzinfo=dt.UTC), tick=False)
    traveller = clock.start()
    resp = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert resp.status_code == 302
    yield client, traveller
    clock.stop()


def _home(client):
    return client.get(reverse("home"))


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_an_idle_session_ends_and_an_active_one_goes_on(logged_in):
    client, clock = logged_in
    for _ in range(4):  # two hours of work, a request every 29 minutes
        clock.shift(dt.timedelta(minutes=29))
        assert _home(client).status_code == 200
    clock.shift(dt.timedelta(minutes=31))  # then away from the desk
    resp = _home(client)
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("login"))


def test_the_session_is_renewed_at_most_once_a_minute(logged_in):
    client, clock = logged_in
    clock.shift(dt.timedelta(minutes=2))
    _home(client)
    renewed = _expiry(client)
    assert renewed == timezone.now() + dt.timedelta(minutes=30)
    clock.shift(dt.timedelta(seconds=30))
    _home(client)
    assert _expiry(client) == renewed  # no write for this request
    clock.shift(dt.timedelta(seconds=31))
    _home(client)
    assert _expiry(client) == timezone.now() + dt.timedelta(minutes=30)


def test_a_session_ends_after_the_maximum_however_busy(logged_in):
    client, clock = logged_in
    for _ in range(12 * 3):  # a request every 20 minutes for twelve hours
        clock.shift(dt.timedelta(minutes=20))
        assert _home(client).status_code == 200
    clock.shift(dt.timedelta(minutes=1))
    resp = _home(client)
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
