"""A POSTed `next` sends the browser back only within the site (core.http.safe_next). Before: the
account page's reset form redirected to whatever `next` said, so a crafted form on another site
sent an officer on from e-Kinerja to a look-alike login page."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from ekinerja.core.http import safe_next
from tests.factories import (
    AssignmentFactory,
    EmployeeFactory,
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    grant,
)

EVIL = (
    "https://evil.example/phish",
    "//evil.example/masuk/",
    "\\\\evil.example",
    "/\\evil.example",
    "javascript:alert(1)",
    "http://testserver.evil.example/",
    "https:///evil.example",
)


@pytest.mark.parametrize("target", EVIL)
def test_safe_next_refuses_other_sites(target):
    request = RequestFactory().post("/akun/1/atur-ulang/", {"next": target})
    assert safe_next(request, "/akun/") == "/akun/"


@pytest.mark.parametrize(
    "target", ["/akun/?unit=3&q=budi", "/aktivitas/", "http://testserver/akun/?hal=2"]
)
def test_safe_next_keeps_this_sites_pages(target):
    request = RequestFactory().post("/akun/1/atur-ulang/", {"next": target})
    assert safe_next(request, "/akun/") == target


def test_safe_next_falls_back_without_next_and_reads_the_query_too():
    factory = RequestFactory()
    assert safe_next(factory.post("/x/", {}), "/akun/") == "/akun/"
    assert safe_next(factory.get("/x/", {"next": "/aktivitas/"}), "/akun/") == "/aktivitas/"
    https = factory.post("/x/", {"next": "http://testserver/akun/"}, secure=True)
    assert safe_next(https, "/akun/") == "/akun/"  # no downgrade to plain http


@pytest.mark.django_db
def test_account_reset_does_not_redirect_to_another_site(client):
    inst = InstansiFactory()
    mine = UnitFactory(instansi=inst, code="DISDIK", name="Dinas Pendidikan")
    other = UnitFactory(instansi=inst, code="DINKES", name="Dinas Kesehatan")
    nurse = EmployeeFactory(instansi=inst, name="Perawat")
    AssignmentFactory(position=PositionFactory(unit=other), employee=nurse)
    admin = employee_with_login(inst, None, name="Admin Disdik")
    grant(admin.user, "admin_opd", unit=mine)
    client.force_login(admin.user)
    url = reverse("account-reset", args=[nurse.pk])
    resp = client.post(url, {"next": "https://evil.example/phish"})
    assert resp.status_code == 302 and resp["Location"] == reverse("accounts")
    # The page's own `next` (the list as it was filtered) still brings the officer back.
    back = f"{reverse('accounts')}?unit={mine.pk}"
    resp = client.post(url, {"next": back})
    assert resp["Location"] == back
    messages = [m.message for m in resp.wsgi_request._messages]
    assert any("di luar unit yang Anda kelola" in m for m in messages)
