"""What a logged-in user is shown is not kept by the browser (core.middleware.
SessionTimeoutMiddleware adds `Cache-Control: no-store` unless the view chose its own caching).

Before, the pages carried no caching header at all: on an office PC shared by several employees,
the next person pressed Back after the previous one's "Keluar" and read their TPP (amounts, NIP,
bank account) from the browser's cache, whether or not the session had ended."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import InstansiFactory, PositionFactory, UnitFactory, employee_with_login

pytestmark = pytest.mark.django_db
PASSWORD = "Rahasia-Kuat-2026!"


@pytest.fixture
def ani(client):
    inst = InstansiFactory()
    emp = employee_with_login(inst, PositionFactory(unit=UnitFactory(instansi=inst)), name="Ani")
    assert (
        client.post(reverse("login"), {"username": emp.nip, "password": PASSWORD}).status_code
        == 302
    )
    return emp


@pytest.mark.parametrize("url", ["/", "/tpp/saya/", "/kehadiran/", "/aktivitas/bulan/"])
def test_logged_in_pages_are_not_stored_by_the_browser(client, ani, url):
    response = client.get(url)
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control


def test_after_logout_the_same_address_asks_for_the_login(client, ani):
    assert "no-store" in client.get("/tpp/saya/")["Cache-Control"]
    client.post(reverse("logout"))
    response = client.get("/tpp/saya/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_views_own_caching_header_is_kept(client, ani):
    # The account pages set theirs (never_cache); the middleware does not add a second one.
    response = client.get(reverse("password-change"))
    assert response["Cache-Control"].count("no-store") == 1
