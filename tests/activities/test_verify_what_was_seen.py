"""A superior decides only what their page showed: an entry submitted, changed or given evidence
after the inbox page was made is left alone (a day or month) or refuses the decision (one entry, a
ticked list); the web inbox and the API both carry the page's time."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ekinerja.activities import services
from ekinerja.activities.models import ActivityEntry, EntryStatus
from ekinerja.core.money import format_number
from tests.activities.test_api import token_for

from .conftest import D, T, make_entry

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def _inbox_seen(client, office) -> str:
    """The superior opens the inbox; the `seen` value its forms carry (all the same)."""
    client.force_login(office["p"]["kasubag"].user)
    html = client.get(reverse("activities:inbox")).content.decode()
    values = set(re.findall(r'name="seen" value="([^"]+)"', html))
    assert len(values) == 1, values
    return values.pop()


def _messages(resp) -> list[str]:
    return [str(m) for m in get_messages(resp.wsgi_request)]


def test_approving_a_month_leaves_an_entry_submitted_after_the_page_was_opened(client, office, at):
    at("2026-10-09 17:00")
    seen_first = make_entry(office, day=D(2026, 10, 8), submit=True)
    seen = _inbox_seen(client, office)
    at("2026-10-09 17:05")
    unseen = make_entry(office, day=D(2026, 10, 8), start=T(9), end=T(10), submit=True)
    at("2026-10-09 17:06")
    resp = client.post(
        reverse("activities:verify-bulk"),
        {
            "employee": office["p"]["ani"].pk,
            "start": "2026-10-08",
            "end": "2026-10-08",
            "decision": "approve",
            "seen": seen,
        },
    )
    assert resp.status_code == 302
    statuses = dict(ActivityEntry.objects.values_list("pk", "status"))
    assert statuses[seen_first.pk] == EntryStatus.APPROVED
    assert statuses[unseen.pk] == EntryStatus.SUBMITTED
    said = _messages(resp)
    assert "1 aktivitas disetujui." in said
    assert any("1 aktivitas baru atau diubah pegawai setelah halaman dibuka" in m for m in said)


def test_one_entry_raised_after_the_page_was_opened_is_not_approved(client, office, at):
    at("2026-10-09 17:00")
    entry = make_entry(office, day=D(2026, 10, 8), volume=1, submit=True)
    seen = _inbox_seen(client, office)
    at("2026-10-09 17:05")
    services.entry_update(actor=office["p"]["ani"].user, entry=entry, volume=2)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED and entry.volume == 2
    at("2026-10-09 17:06")
    resp = client.post(
        reverse("activities:verify", kwargs={"pk": entry.pk}),
        {"decision": "approve", "seen": seen},
    )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED and entry.credited_minutes == 0
    assert any(services.CHANGED_SINCE_SEEN in m for m in _messages(resp))
    # Opened again, the page shows the new volume and its approval goes through.
    seen = _inbox_seen(client, office)
    resp = client.post(
        reverse("activities:verify", kwargs={"pk": entry.pk}),
        {"decision": "approve", "seen": seen},
    )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.APPROVED and entry.credited_minutes == 60
    assert "Disetujui: Menyusun konsep surat dinas (Ani)." in _messages(resp)


def test_a_ticked_list_holding_a_changed_entry_decides_nothing(client, office, at):
    at("2026-10-09 17:00")
    a = make_entry(office, day=D(2026, 10, 7), submit=True)
    b = make_entry(office, day=D(2026, 10, 8), submit=True)
    seen = _inbox_seen(client, office)
    at("2026-10-09 17:05")
    services.evidence_add(
        actor=office["p"]["ani"].user,
        entry=b,
        files=[SimpleUploadedFile("foto.png", PNG, content_type="image/png")],
    )
    resp = client.post(
        reverse("activities:verify-bulk"),
        {"entries": [a.pk, b.pk], "decision": "approve", "seen": seen},
    )
    assert set(ActivityEntry.objects.values_list("status", flat=True)) == {EntryStatus.SUBMITTED}
    assert any("1 aktivitas yang dicentang diubah pegawai" in m for m in _messages(resp))


def test_the_service_decides_when_nothing_changed_since_the_page(office, at):
    at("2026-10-09 17:00")
    entry = make_entry(office, day=D(2026, 10, 8), submit=True)
    page = dt.datetime.now(dt.UTC)
    at("2026-10-09 17:01")
    services.entry_verify(
        actor=office["p"]["kasubag"].user, entry=entry, decision="approve", seen_at=page
    )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.APPROVED
    # A page made before the entry was submitted never showed it.
    other = make_entry(office, day=D(2026, 10, 7), submit=True)
    with pytest.raises(ValidationError):
        services.entry_verify(
            actor=office["p"]["kasubag"].user, entry=other, decision="approve", seen_at=page
        )


def test_a_seen_value_that_is_not_a_time_changes_nothing(client, office, at):
    at("2026-10-09 17:00")
    entry = make_entry(office, day=D(2026, 10, 8), submit=True)
    client.force_login(office["p"]["kasubag"].user)
    for url, data in (
        (reverse("activities:verify", kwargs={"pk": entry.pk}), {"decision": "approve"}),
        (reverse("activities:verify-bulk"), {"entries": [entry.pk], "decision": "approve"}),
    ):
        resp = client.post(url, {**data, "seen": "kemarin"})
        assert "Permintaan tidak valid." in _messages(resp)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED


def test_the_api_inbox_gives_the_time_a_decision_sends_back(client, office, at):
    at("2026-10-09 17:00")
    a = make_entry(office, day=D(2026, 10, 8), submit=True)
    h = token_for(client, office["p"]["kasubag"])
    seen_at = client.get("/api/v1/activities/inbox", **h).json()["seen_at"]
    at("2026-10-09 17:05")
    b = make_entry(office, day=D(2026, 10, 8), start=T(9), end=T(10), submit=True)
    resp = client.post(
        "/api/v1/activities/verify-bulk",
        {
            "employee_id": office["p"]["ani"].pk,
            "start": "2026-10-08",
            "end": "2026-10-08",
            "seen_at": seen_at,
        },
        content_type="application/json",
        **h,
    )
    assert resp.json() == {"count": 1, "late": 0, "changed": 1, "on_leave": 0}
    assert ActivityEntry.objects.get(pk=a.pk).status == EntryStatus.APPROVED
    resp = client.post(
        f"/api/v1/activities/entries/{b.pk}/verify",
        {"decision": "approve", "seen_at": seen_at},
        content_type="application/json",
        **h,
    )
    assert resp.status_code == 409  # changed since seen_at: a conflict (docs/api.md)
    assert ActivityEntry.objects.get(pk=b.pk).status == EntryStatus.SUBMITTED


def test_a_cut_volume_is_said_in_the_message(client, office, at):
    at("2026-10-09 17:00")
    entry = make_entry(office, day=D(2026, 10, 8), volume=2, submit=True)
    seen = _inbox_seen(client, office)
    resp = client.post(
        reverse("activities:verify", kwargs={"pk": entry.pk}),
        {"decision": "approve", "approved_volume": "1", "reason": "Satu surat", "seen": seen},
    )
    assert "Disetujui (volume 2 → 1): Menyusun konsep surat dinas (Ani)." in _messages(resp)


def test_numbers_read_as_indonesians_write_them():
    assert format_number(5999940) == "5.999.940"
    assert format_number("1.50") == "1,5"
    assert format_number("0.125") == "0,13"
    assert format_number(60) == "60"
