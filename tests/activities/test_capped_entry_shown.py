"""An approved entry credited less than its minutes because of the daily cap says so on the day
page and on its own page ("Disetujui · 0 mnt" read as a mistake); a draft's minutes are
"dicatat", not "diajukan"."""

import pytest
from django.urls import reverse

from ekinerja.activities import services
from ekinerja.activities.models import ActivitySettings

from .conftest import D, T, make_entry

pytestmark = pytest.mark.django_db


def test_minutes_left_out_by_the_daily_cap_are_said(client, office, at):
    ActivitySettings.objects.update_or_create(
        instansi=office["inst"], defaults={"daily_cap_minutes": 100}
    )
    at("2026-10-05 17:00")
    kasubag = office["p"]["kasubag"].user
    meeting = make_entry(
        office, day=D(2026, 10, 5), start=T(8), end=T(10), item="rapat", volume=1, submit=True
    )
    letters = make_entry(office, day=D(2026, 10, 5), start=T(10), end=T(11), submit=True)
    services.entries_verify_bulk(actor=kasubag, employee=office["p"]["ani"])
    meeting.refresh_from_db()
    letters.refresh_from_db()
    assert (meeting.credited_minutes, letters.credited_minutes) == (100, 0)
    assert (meeting.capped_minutes, letters.capped_minutes) == (20, 60)
    client.force_login(office["p"]["ani"].user)
    day = client.get(reverse("activities:day", kwargs={"day": "2026-10-05"})).content.decode()
    assert day.count('data-testid="capped"') == 2 and "dari 60: lewat batas harian" in day
    page = client.get(reverse("activities:entry", args=[letters.pk])).content.decode()
    assert "dari 60: 60 menit melewati batas menit harian dan tidak dihitung" in page
    draft = make_entry(office, day=D(2026, 10, 5), start=T(11), end=T(12))
    page = client.get(reverse("activities:entry", args=[draft.pk])).content.decode()
    assert "(dicatat 60)" in page and "diajukan 60" not in page
