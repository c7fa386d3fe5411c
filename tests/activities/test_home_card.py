"""The employee's home page: today's activities with a button to log them, the month's approved
minutes, and for a superior the entries waiting for verification."""

import pytest
from django.urls import reverse

from ekinerja.activities import services

from .conftest import D, T, make_entry

pytestmark = pytest.mark.django_db


def test_home_shows_today_the_month_and_what_waits_for_the_superior(client, office, at):
    at("2026-10-09 17:00")
    ani = office["p"]["ani"]
    client.force_login(ani.user)
    html = client.get(reverse("home")).content.decode()
    assert "Belum ada yang dicatat." in html
    assert f'href="{reverse("activities:today")}" data-testid="home-log-today"' in html
    make_entry(office, day=D(2026, 10, 9), volume=2)  # 60 minutes, a draft
    done = make_entry(office, day=D(2026, 10, 8), start=T(10), end=T(11), volume=2, submit=True)
    services.entry_verify(actor=office["p"]["kasubag"].user, entry=done, decision="approve")
    html = client.get(reverse("home")).content.decode()
    assert "1 aktivitas · 60 dari" in html and "1 belum diajukan" in html
    assert "Bulan ini: 60 dari target" in html
    assert 'data-testid="home-waiting"' not in html  # Ani verifies nobody

    make_entry(office, who="budi", day=D(2026, 10, 9), submit=True)
    client.force_login(office["p"]["kasubag"].user)
    html = client.get(reverse("home")).content.decode()
    assert "1 aktivitas bawahan menunggu verifikasi" in html
    assert f'href="{reverse("activities:inbox")}"' in html
