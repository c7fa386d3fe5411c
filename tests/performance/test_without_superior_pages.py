"""BKPSDM agrees and rates, in the superior's place, the SKP of employees without a direct superior
(the Kepala Dinas at the top of this tree, the Kepala BKPSDM): the services allowed it, and these
pages are where BKPSDM finds them. Never the officer's own SKP; never anyone who has a superior."""

import pytest
from django.urls import reverse

from ekinerja.core.periods import Period
from ekinerja.performance import selectors
from ekinerja.performance.models import SkpEvaluation, SkpPlan
from tests.factories import UserFactory
from tests.performance.factories import agreed_plan

pytestmark = pytest.mark.django_db
S = SkpPlan.Status
RATING = reverse("performance:rating")
APPROVALS = reverse("performance:approvals")


@pytest.fixture
def submitted(org, kaban, at):
    at("2026-01-05 09:00")
    return {
        key: agreed_plan(org[key] if key != "kaban" else kaban, 2026, status=S.SUBMITTED)
        for key in ("kadis", "kabid", "kaban")
    }


def test_selector_lists_only_plans_without_a_superior(org, kaban, submitted):
    import datetime as dt

    plans = selectors.plans_awaiting_bkpsdm(org["inst"].pk, today=dt.date(2026, 1, 5))
    assert [p.employee for p in plans] == [kaban, org["kadis"]]  # by name; not the Kabid
    mine = selectors.plans_awaiting_bkpsdm(
        org["inst"].pk, today=dt.date(2026, 1, 5), exclude=kaban.pk
    )
    assert [p.employee for p in mine] == [org["kadis"]]


def test_approvals_page_lists_them_for_bkpsdm(client, org, kaban, other_officer, submitted):
    client.force_login(other_officer)  # no employee record: the page used to be a 404 for it
    page = client.get(APPROVALS)
    assert page.status_code == 200
    html = page.content.decode()
    section = html.split('data-testid="without-superior"')[1]
    for key in ("kadis", "kaban"):
        assert reverse("performance:plan-detail", args=[submitted[key].pk]) in section
    # An officer who leads nobody is not shown an empty list of subordinates' plans.
    assert "Persetujuan SKP bawahan" not in html
    assert reverse("performance:plan-detail", args=[submitted["kabid"].pk]) not in html
    # The Kepala BKPSDM sees the Kepala Dinas's, not their own.
    client.force_login(kaban.user)
    html = client.get(APPROVALS).content.decode()
    assert reverse("performance:plan-detail", args=[submitted["kadis"].pk]) in html
    assert reverse("performance:plan-detail", args=[submitted["kaban"].pk]) not in html
    # The officer opens the Kepala Dinas's plan from there and agrees it.
    client.force_login(other_officer)
    client.post(reverse("performance:plan-agree", args=[submitted["kadis"].pk]))
    submitted["kadis"].refresh_from_db()
    assert submitted["kadis"].status == S.AGREED
    assert reverse("performance:plan-detail", args=[submitted["kadis"].pk]) not in (
        client.get(APPROVALS).content.decode()
    )


def test_approvals_page_of_a_superior_has_no_bkpsdm_section(client, org, submitted):
    client.force_login(org["kadis"].user)
    html = client.get(APPROVALS).content.decode()
    assert "Persetujuan SKP bawahan" in html
    assert reverse("performance:plan-detail", args=[submitted["kabid"].pk]) in html
    assert 'data-testid="without-superior"' not in html
    assert reverse("performance:plan-detail", args=[submitted["kaban"].pk]) not in html
    # An account without an employee record and without the role has nothing here.
    client.force_login(UserFactory(instansi=org["inst"]))
    assert client.get(APPROVALS).status_code == 404


@pytest.fixture
def rating_period(org, kaban, at):
    for key in ("kadis", "kabid"):
        agreed_plan(org[key], 2026)
    agreed_plan(kaban, 2026)
    at("2026-11-03 09:00")
    return selectors.period_containing(
        selectors.performance_settings(org["inst"]), Period(2026, 10)
    )


def test_rating_sheet_without_superior_for_bkpsdm(client, org, kaban, other_officer, rating_period):
    url = f"{RATING}?untuk=tanpa-atasan&periode={rating_period.key}"
    client.force_login(other_officer)
    html = client.get(url).content.decode()
    assert f'name="hasil-{org["kadis"].pk}"' in html
    assert f'name="hasil-{kaban.pk}"' in html
    assert f'name="hasil-{org["kabid"].pk}"' not in html  # the Kepala Dinas rates the Kabid
    client.force_login(kaban.user)
    html = client.get(url).content.decode()
    assert f'name="hasil-{org["kadis"].pk}"' in html
    assert f'name="hasil-{kaban.pk}"' not in html  # not their own
    # The Kepala BKPSDM rates the Kepala Dinas from this sheet.
    response = client.post(
        url,
        {
            "periode": rating_period.key,
            f"hasil-{org['kadis'].pk}": "above",
            f"perilaku-{org['kadis'].pk}": "as_expected",
        },
    )
    assert response.status_code == 302
    assert "untuk=tanpa-atasan" in response["Location"]
    ev = SkpEvaluation.objects.get(employee=org["kadis"])
    assert ev.predicate == "baik" and ev.rated_by_user == kaban.user and ev.rated_by == kaban
    # The officer without an employee record rates the Kepala BKPSDM.
    client.force_login(other_officer)
    client.post(
        url,
        {
            "periode": rating_period.key,
            f"hasil-{kaban.pk}": "as_expected",
            f"perilaku-{kaban.pk}": "as_expected",
        },
    )
    ev = SkpEvaluation.objects.get(employee=kaban)
    assert ev.rated_by_user == other_officer and ev.rated_by is None


def test_rating_sheet_without_superior_is_bkpsdm_only(client, org, rating_period):
    client.force_login(org["kadis"].user)
    url = f"{RATING}?untuk=tanpa-atasan&periode={rating_period.key}"
    assert client.get(url).status_code == 403
    response = client.post(
        url,
        {
            "periode": rating_period.key,
            f"hasil-{org['kadis'].pk}": "above",
            f"perilaku-{org['kadis'].pk}": "above",
        },
    )
    assert response.status_code == 403
    assert not SkpEvaluation.objects.exists()
    # Their own sheet stays as it was: the Kabid, not the BKPSDM link.
    html = client.get(f"{RATING}?periode={rating_period.key}").content.decode()
    assert f'name="hasil-{org["kabid"].pk}"' in html
    assert 'data-testid="to-without-superior"' not in html


def test_selector_queries_do_not_grow_with_the_plans(
    org, kaban, submitted, django_assert_num_queries
):
    import datetime as dt

    for key in ("staf1", "staf2", "staf3"):
        agreed_plan(org[key], 2026, status=S.SUBMITTED)
    # The submitted plans, the tree of 2026 (two), the kept plans with their employees.
    with django_assert_num_queries(4):
        plans = selectors.plans_awaiting_bkpsdm(org["inst"].pk, today=dt.date(2026, 1, 5))
    assert {p.employee for p in plans} == {kaban, org["kadis"]}


def test_the_overview_sends_bkpsdm_to_its_sheet_for_those_without_a_superior(
    client, org, other_officer, rating_period
):
    client.force_login(other_officer)
    html = client.get(
        reverse("performance:overview") + f"?periode={rating_period.key}"
    ).content.decode()
    sheet = f"{RATING}?untuk=tanpa-atasan&amp;periode={rating_period.key}"
    # The Kepala Dinas (no superior) links to BKPSDM's sheet; the Kabid names the Kepala Dinas.
    assert f'href="{sheet}" data-testid="rated-by-bkpsdm"' in html
    assert html.count('data-testid="rated-by-bkpsdm"') == 2  # the Kepala Dinas and Kepala BKPSDM
    assert f"{org['kabid'].full_name} <span" in html
    import io

    from openpyxl import load_workbook

    book = load_workbook(
        io.BytesIO(
            client.get(
                reverse("performance:overview-unrated-xlsx") + f"?periode={rating_period.key}"
            ).content
        )
    )
    rows = {r[3]: r[5] for r in book["Belum dinilai"].iter_rows(min_row=5, values_only=True)}
    assert rows[org["kadis"].full_name] == "Tidak ada (dinilai BKPSDM)"
    assert rows[org["kabid"].full_name] == org["kadis"].full_name
