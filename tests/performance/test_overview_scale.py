"""BKPSDM's rating overview on a big Pemda: the page names those not rated only for OPDs with few
of them and the superiors with most subordinates waiting; the xlsx has everyone
(performance.views.overview, overview_unrated_xlsx)."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from ekinerja.performance import selectors, views
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def bkpsdm(org):
    user = UserFactory(instansi=org["inst"])
    grant(user, "bkpsdm")
    return user


def test_an_opd_with_many_not_rated_sends_to_the_xlsx_instead_of_naming_them(
    client, org, cascaded, at, bkpsdm, monkeypatch
):
    at("2026-11-03 09:00")
    client.force_login(bkpsdm)
    url = reverse("performance:overview") + "?periode=2026-10"
    page = client.get(url).content.decode()
    assert "Citra Lestari" in page and 'data-testid="unrated-in-xlsx"' not in page
    monkeypatch.setattr(views, "INLINE_UNRATED", 2)  # the OPD has 5 not rated
    page = client.get(url).content.decode()
    table = page.split('data-testid="overview-table"')[1].split("</table>")[0]
    assert "Citra Lestari" not in table
    assert "Lebih dari 2 belum dinilai: daftarnya ada di unduhan xlsx." in table
    assert 'data-testid="unrated-xlsx"' in page


def test_the_reminders_show_the_superiors_with_most_waiting_and_the_totals(
    client, org, cascaded, at, bkpsdm, monkeypatch
):
    at("2026-11-03 09:00")
    client.force_login(bkpsdm)
    monkeypatch.setattr(views, "SHOWN_REMINDERS", 1)
    page = client.get(reverse("performance:overview") + "?periode=2026-10").content.decode()
    shown = page.split('data-testid="reminders"')[1].split("</ul>")[0]
    assert len(re.findall(r"list-group-item", shown)) == 1
    assert "Ahmad Fauzi" in shown  # the kabid, three subordinates waiting (the kadis: one)
    total = re.search(r'data-testid="reminders-total">([^<]+)<', page).group(1)
    assert total.startswith("2 atasan dengan 4 bawahan belum dinilai; 1 dengan bawahan terbanyak")


def test_the_reminder_summary_reads_a_fixed_number_of_queries(
    org, cascaded, at, django_assert_max_num_queries
):
    import datetime as dt

    at("2026-11-03 09:00")
    # Seven, and one for who left during the period (selectors.departed_raters).
    with django_assert_max_num_queries(8):
        summary = selectors.rating_reminder_summary(
            org["inst"], today=dt.date(2026, 11, 3), limit=1
        )
    assert (summary.superiors, summary.pending) == (2, 4)
    assert [r.superior.name for r in summary.shown] == ["Ahmad Fauzi"]


def test_the_xlsx_lists_everyone_not_rated_with_their_superior_and_every_reminder(
    client, org, cascaded, at, bkpsdm
):
    at("2026-11-03 09:00")
    client.force_login(bkpsdm)
    resp = client.get(reverse("performance:overview-unrated-xlsx") + "?periode=2026-10")
    assert resp.status_code == 200
    assert 'filename="belum-dinilai-2026-10.xlsx"' in resp["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(resp.content))
    ws = wb["Belum dinilai"]
    assert ws["A1"].value == "Pegawai yang belum dinilai: Oktober 2026"
    rows = [r for r in ws.iter_rows(min_row=5, values_only=True) if r[0]]
    assert len(rows) == 5  # everyone in post: nobody rated yet
    by_name = {r[3]: r for r in rows}
    citra = next(v for k, v in by_name.items() if k.startswith("Citra Lestari"))
    assert citra[1] == "Dinas Pendidikan" and citra[5].startswith("Ahmad Fauzi")
    reminders = list(wb["Pengingat atasan"].iter_rows(min_row=2, values_only=True))
    assert sorted((r[2].split(",")[0], r[5]) for r in reminders) == [
        ("Ahmad Fauzi", 3),
        ("Hj. Siti Rahmah", 1),
    ]


def test_only_bkpsdm_downloads_the_list(client, org, at):
    at("2026-11-03 09:00")
    client.force_login(org["kabid"].user)
    assert client.get(reverse("performance:overview-unrated-xlsx")).status_code == 403


def test_a_superior_of_hundreds_rates_a_page_at_a_time(client, org, cascaded, at, monkeypatch):
    """A kepala bidang over 600 school heads had one 3.7 MB sheet: 50 cards a page (here 2), the
    count still to rate over all of them, and a page's save returns to that page."""
    from ekinerja.performance.models import SkpEvaluation

    at("2026-11-03 09:00")
    monkeypatch.setattr(views, "RATING_PAGE_ROWS", 2)
    client.force_login(org["kabid"].user)
    url = reverse("performance:rating") + "?periode=2026-10"
    first = client.get(url).content.decode()
    assert first.count('data-testid="rating-row"') == 2 and "1–2 dari 3 pegawai" in first
    assert 'data-testid="pending-count">3 belum dinilai' in first
    second = client.get(url + "&hal=2").content.decode()
    assert second.count('data-testid="rating-row"') == 1
    last = re.search(r'data-testid="rating-row" data-nip="(\d+)"', second).group(1)
    who = next(e for e in (org["staf1"], org["staf2"], org["staf3"]) if e.nip == last)
    form = re.search(r'action="([^"]+)" hx-post="[^"]+" hx-target="#rating-sheet"', second)
    form = form.group(1).replace("&amp;", "&")
    assert form.endswith("hal=2")
    resp = client.post(
        form, {"periode": "2026-10", f"hasil-{who.pk}": "above", f"perilaku-{who.pk}": "above"}
    )
    assert resp.status_code == 302 and resp["Location"].endswith("periode=2026-10&hal=2")
    assert SkpEvaluation.objects.get(employee=who).predicate == "sangat_baik"
    again = client.get(url).content.decode()
    assert 'data-testid="pending-count">2 belum dinilai' in again


def test_the_sheet_marks_who_is_still_unrated_and_lists_only_them_on_request(
    client, org, cascaded, at, monkeypatch
):
    """The sheet said "2 belum dinilai" over pages of cards that all looked alike ("—"): a superior
    of hundreds had to open every page to find the two. Each card not rated yet is marked, and
    ?belum=1 lists only those; a save there returns to that list, without the one just rated."""
    from ekinerja.performance.models import SkpEvaluation

    at("2026-11-03 09:00")
    monkeypatch.setattr(views, "RATING_PAGE_ROWS", 2)
    client.force_login(org["kabid"].user)
    url = reverse("performance:rating") + "?periode=2026-10"
    staff = sorted((org["staf1"], org["staf2"], org["staf3"]), key=lambda e: e.name)
    rated = staff[0]
    resp = client.post(
        url, {"periode": "2026-10", f"hasil-{rated.pk}": "above", f"perilaku-{rated.pk}": "above"}
    )
    assert resp.status_code == 302

    def cards(html):
        return {
            nip: 'data-testid="unrated-mark"' in body
            for nip, body in re.findall(
                r'data-testid="rating-row" data-nip="(\d+)"(.*?)data-testid="linked-total"',
                html,
                re.S,
            )
        }

    first = client.get(url).content.decode()
    assert cards(first) == {staff[0].nip: False, staff[1].nip: True}
    assert 'data-testid="pending-count">2 belum dinilai' in first
    link = re.search(r'href="([^"]+)" data-testid="show-unrated"', first).group(1)
    only = client.get(link.replace("&amp;", "&")).content.decode()
    assert cards(only) == {staff[1].nip: True, staff[2].nip: True}
    assert 'data-testid="show-all"' in only
    # Saving from that list comes back to it, the one just rated gone.
    form = re.search(r'action="([^"]+)" hx-post=', only).group(1).replace("&amp;", "&")
    who = staff[1]
    resp = client.post(
        form,
        {"periode": "2026-10", f"hasil-{who.pk}": "as_expected", f"perilaku-{who.pk}": "above"},
    )
    assert resp.status_code == 302 and "belum=1" in resp["Location"]
    assert SkpEvaluation.objects.get(employee=who).predicate == "baik"
    again = client.get(resp["Location"]).content.decode()
    assert cards(again) == {staff[2].nip: True}
    # Once everyone is rated the list says so (not "no subordinates").
    last = staff[2]
    client.post(
        form, {"periode": "2026-10", f"hasil-{last.pk}": "above", f"perilaku-{last.pk}": "above"}
    )
    done = client.get(resp["Location"]).content.decode()
    assert "Semua pegawai pada daftar ini sudah dinilai" in done
    assert "tidak memiliki bawahan" not in done
