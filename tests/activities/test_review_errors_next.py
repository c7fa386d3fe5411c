"""A form's `next` that is neither a path nor a full URL ("abc", "2026-10") is ignored: the
redirect goes to the page's usual place. Before: redirect() took the bare word for a view name,
found none, and the superior's bulk verification answered a server error (500)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from ekinerja.core.http import safe_next

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("target", ["abc", "2026-10", "list", "?hal=2"])
def test_safe_next_ignores_a_bare_word(target):
    request = RequestFactory().post("/aktivitas/verifikasi/massal/", {"next": target})
    assert safe_next(request, "/aktivitas/verifikasi/") == "/aktivitas/verifikasi/"


def test_bulk_verification_with_a_bare_word_next_goes_back_to_the_inbox(client, office):
    client.force_login(office["p"]["kasubag"].user)
    resp = client.post(reverse("activities:verify-bulk"), {"next": "abc", "entries": []})
    assert resp.status_code == 302
    assert resp.url == reverse("activities:inbox")
