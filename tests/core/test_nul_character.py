"""A NUL character in a page's query string or form field: 400 with the Indonesian error page, not
a server error (PostgreSQL refuses NUL in any text: the catalog search with `q=a%00b` crashed), and
nothing is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ekinerja.core.models import AuditEvent
from tests.factories import InstansiFactory, employee_with_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def employee(client):
    emp = employee_with_login(InstansiFactory(), None, name="Ani")
    client.force_login(emp.user)
    return emp


def test_a_nul_in_a_search_is_a_bad_request_not_a_crash(client, employee):
    url = reverse("activities:catalog-search")
    resp = client.get(url, {"q": "surat\x00dinas"})
    assert resp.status_code == 400
    assert "Permintaan tidak valid" in resp.content.decode()
    assert client.get(url, {"q": "surat dinas"}).status_code == 200
    # In a parameter's name too.
    assert client.get(url + "?q%00x=1").status_code == 400


def test_a_nul_in_a_form_field_is_refused_and_nothing_saved(client, employee):
    before = AuditEvent.objects.count()
    resp = client.post(
        reverse("password-change"),
        {
            "old_password": "Rahasia-Kuat-2026!",
            "new_password1": "a\x00b",
            "new_password2": "a\x00b",
        },
    )
    assert resp.status_code == 400
    assert AuditEvent.objects.count() == before
    employee.user.refresh_from_db()
    assert employee.user.check_password("Rahasia-Kuat-2026!")
