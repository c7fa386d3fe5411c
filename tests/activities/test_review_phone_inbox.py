"""Review of 7 December 2026: a superior clearing subordinates' entries on a phone. A lower volume
typed as an Indonesian writes it was refused with a message that did not say why."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from ekinerja.activities.models import ActivityEntry, EntryStatus

from .conftest import D, T, make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(at):
    at("2026-10-30 17:00")


def _verify(client, e, **data):
    data = {"decision": "approve", "seen": timezone.now().isoformat(), **data}
    return client.post(reverse("activities:verify", kwargs={"pk": e.pk}), data)


def test_a_lower_volume_with_a_decimal_comma_is_taken(client, office):
    e = make_entry(office, day=D(2026, 10, 29), start=T(8), end=T(9), volume=2, submit=True)
    client.force_login(office["p"]["kasubag"].user)
    resp = _verify(client, e, approved_volume="1,5", reason="Satu surat belum selesai")
    assert resp.status_code == 302
    e = ActivityEntry.objects.get(pk=e.pk)
    assert e.status == EntryStatus.APPROVED and e.approved_volume == Decimal("1.5")


def test_a_volume_that_is_no_number_is_named_in_the_message(client, office):
    """It said only 'Keputusan tidak valid.': the superior could not tell what to correct."""
    e = make_entry(office, day=D(2026, 10, 29), start=T(8), end=T(9), volume=2, submit=True)
    client.force_login(office["p"]["kasubag"].user)
    resp = _verify(client, e, approved_volume="satu", reason="Kurang")
    texts = [str(m) for m in get_messages(resp.wsgi_request)]
    assert texts == ["Ani, 29 Oktober 2026: Isi volume disetujui dengan angka, mis. 1 atau 1,5."]
    assert ActivityEntry.objects.get(pk=e.pk).status == EntryStatus.SUBMITTED
    html = client.get(reverse("activities:inbox")).content.decode()
    assert 'name="approved_volume" type="number" inputmode="decimal"' in html


def test_the_inbox_shows_no_template_comment(client, office):
    """A two-line {# ... #} comment (Django's are one line only) was printed under the month's
    entries on every inbox page: "{# The bar for the ticked entries: sticky at the bottom ..."."""
    make_entry(office, day=D(2026, 10, 29), start=T(8), end=T(9), volume=2, submit=True)
    client.force_login(office["p"]["kasubag"].user)
    html = client.get(reverse("activities:inbox")).content.decode()
    assert 'data-testid="bulk-form"' in html
    assert "{#" not in html and "#}" not in html


def test_no_activity_template_has_a_comment_over_two_lines():
    from pathlib import Path

    import ekinerja

    root = Path(ekinerja.__file__).parent / "activities/templates"
    for path in root.rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert "{#" not in line or "#}" in line.split("{#", 1)[1], f"{path.name}:{number}"
