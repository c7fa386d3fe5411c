"""The rating sheet reads the cards of the page shown only (bench/pages.py, 7 December 2026): a
kepala bidang over 600 school heads had the plans, results, realisations and linked activities of
all 600 read for a page of 50 cards (2.3-3.0 s at 20,000 employees). Who is on the sheet and who is
still to rate are read first, as ids (one query); the cards then for the page's ids (or, on a save,
for the cards posted)."""

import datetime as dt

import pytest
from django.urls import reverse

from ekinerja.core.periods import Period
from ekinerja.performance import selectors, views
from ekinerja.performance.models import SkpEvaluation
from tests.performance.factories import agreed_plan

pytestmark = pytest.mark.django_db
SHEET = reverse("performance:rating") + "?periode=2026-10"


@pytest.fixture
def read_cards(monkeypatch):
    """The ids each read of cards (selectors._rating_rows) was asked for."""
    calls: list[list[int]] = []
    real = selectors._rating_rows

    def spy(ids, period, on):
        calls.append(sorted(ids))
        return real(ids, period, on)

    monkeypatch.setattr(selectors, "_rating_rows", spy)
    return calls


def staff(org):
    return sorted((org["staf1"], org["staf2"], org["staf3"]), key=lambda e: (e.name, e.pk))


def test_a_page_of_the_sheet_reads_its_own_cards_only(
    client, org, cascaded, at, monkeypatch, read_cards
):
    at("2026-11-03 09:00")
    monkeypatch.setattr(views, "RATING_PAGE_ROWS", 2)
    client.force_login(org["kabid"].user)
    first = client.get(SHEET).content.decode()
    s = staff(org)
    assert read_cards == [sorted([s[0].pk, s[1].pk])]
    assert first.count('data-testid="rating-row"') == 2 and "1–2 dari 3 pegawai" in first
    assert 'data-testid="pending-count">3 belum dinilai' in first  # counted over all three
    read_cards.clear()
    second = client.get(SHEET + "&hal=2").content.decode()
    assert read_cards == [[s[2].pk]]
    assert f'data-testid="rating-row" data-nip="{s[2].nip}"' in second


def test_a_save_reads_the_cards_posted_and_the_unrated_list_pages_over_those_left(
    client, org, cascaded, at, monkeypatch, read_cards
):
    at("2026-11-03 09:00")
    monkeypatch.setattr(views, "RATING_PAGE_ROWS", 2)
    client.force_login(org["kabid"].user)
    s = staff(org)
    resp = client.post(
        SHEET + "&hal=2",
        {"periode": "2026-10", f"hasil-{s[2].pk}": "above", f"perilaku-{s[2].pk}": "above"},
    )
    assert resp.status_code == 302
    assert read_cards == [[s[2].pk]]
    assert SkpEvaluation.objects.get(employee=s[2]).predicate == "sangat_baik"
    read_cards.clear()
    unrated = client.get(SHEET + "&belum=1").content.decode()
    assert read_cards == [sorted([s[0].pk, s[1].pk])]
    assert 'data-testid="pending-count">2 belum dinilai' in unrated
    assert f'data-nip="{s[2].nip}"' not in unrated


def test_bkpsdm_sheet_reads_a_page_of_cards_only(
    client, org, cascaded, kaban, other_officer, at, monkeypatch, read_cards
):
    """The same on BKPSDM's sheet of those without a superior (thousands in a big Pemda): here the
    Kepala Dinas and the Kepala BKPSDM, one card a page."""
    agreed_plan(kaban, 2026)
    at("2026-11-03 09:00")
    monkeypatch.setattr(views, "RATING_PAGE_ROWS", 1)
    client.force_login(other_officer)
    october = selectors.period_containing(
        selectors.performance_settings(org["inst"]), Period(2026, 10)
    )
    everyone = selectors.rating_sheet_without_superior(
        org["inst"].pk, october, today=dt.date(2026, 11, 3)
    )
    assert [r.employee for r in everyone] == [kaban, org["kadis"]]  # by name
    read_cards.clear()
    html = client.get(SHEET + "&untuk=tanpa-atasan").content.decode()
    assert read_cards == [[kaban.pk]]
    assert 'data-testid="pending-count">2 belum dinilai' in html
