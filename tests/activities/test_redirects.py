"""A POSTed `next` on the activity pages sends the browser back only within the site (the catalog's
favourite button, the verification inbox): before, `next=https://evil.example/` was followed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .conftest import make_entry

EVIL = "https://evil.example/phish"


def test_the_favourite_button_goes_back_only_within_the_site(client, office, at):
    at("2026-10-02 10:00")
    client.force_login(office["p"]["ani"].user)
    url = reverse("activities:favourite", args=[office["surat"].pk])
    assert client.post(url, {"next": EVIL})["Location"] == reverse("activities:today")
    assert client.post(url, {"next": "/aktivitas/katalog/"})["Location"] == "/aktivitas/katalog/"


@pytest.mark.django_db
def test_a_verification_goes_back_only_within_the_site(client, office, at):
    at("2026-10-02 10:00")
    entry = make_entry(office, submit=True)
    client.force_login(office["p"]["kasubag"].user)
    response = client.post(
        reverse("activities:verify", args=[entry.pk]), {"decision": "approve", "next": EVIL}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:inbox")
