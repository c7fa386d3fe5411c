"""The activities behind an SKP result: the set-based selector (approved entries in the period only,
one query, a revision's copy counted for its original), the activities page loaded by the SKP screens
(who may see it, constant queries) and the counts on the rating, realisation and evaluation pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.activities import selectors, services
from ekinerja.activities.models import ActivityEntry, EntryStatus
from ekinerja.performance import selectors as performance
from ekinerja.performance.models import SkpEvaluation, SkpPlan, SkpResult
from ekinerja.performance.selectors import LinkedActivities
from tests.factories import InstansiFactory, UnitFactory, UserFactory, grant
from tests.performance.factories import agreed_plan

from .conftest import D, T, make_entry

pytestmark = pytest.mark.django_db
OCT_START, OCT_END = D(2026, 10, 1), D(2026, 10, 31)


@pytest.fixture(autouse=True)
def _now(at):
    at("2026-10-09 17:00")


@pytest.fixture
def linked(office):
    """Ani's agreed 2026 SKP (two results) and entries around it:
    first result: approved 5 Oct (60 min) and 6 Oct (30 min), submitted 7 Oct, rejected 8 Oct,
    draft 9 Oct, approved 30 Sep (outside October); second result: approved 6 Oct (120 min);
    and an approved entry without a link."""
    plan = agreed_plan(office["p"]["ani"], 2026)
    first, second = plan.results.all()
    boss = office["p"]["kasubag"].user

    def entry(day, start, end, volume, result, decision=None, item="surat"):
        e = make_entry(
            office,
            day=day,
            start=start,
            end=end,
            volume=volume,
            item=item,
            skp_result=result,
            submit=decision is not None,
        )
        if decision in ("approve", "reject"):
            reason = "" if decision == "approve" else "Tidak sesuai"
            services.entry_verify(actor=boss, entry=e, decision=decision, reason=reason)
        return e

    entry(D(2026, 10, 5), T(8), T(9), 2, first, "approve")
    entry(D(2026, 10, 6), T(8), T(9), 1, first, "approve")
    entry(D(2026, 10, 7), T(8), T(9), 1, first, "submit")
    entry(D(2026, 10, 8), T(8), T(9), 1, first, "reject")
    entry(D(2026, 10, 9), T(8), T(9), 1, first)
    entry(D(2026, 9, 30), T(8), T(9), 1, first, "approve")
    entry(D(2026, 10, 6), T(9), T(11), 1, second, "approve", item="rapat")
    entry(D(2026, 10, 6), T(13), T(14), 1, None, "approve")
    return {"plan": plan, "first": first, "second": second}


# --------------------------------------------------------------------------------------------------
# The selector


def test_only_approved_entries_in_the_period_are_counted(linked, django_assert_num_queries):
    first, second = linked["first"], linked["second"]
    with django_assert_num_queries(1):
        got = selectors.verified_minutes_by_skp_result([first.pk, second.pk], OCT_START, OCT_END)
    assert got == {
        first.pk: LinkedActivities(count=2, minutes=90),
        second.pk: LinkedActivities(count=1, minutes=120),
    }
    # September has the one approved on the 30th; an empty list costs nothing.
    assert selectors.verified_minutes_by_skp_result([first.pk], D(2026, 9, 1), D(2026, 9, 30)) == {
        first.pk: LinkedActivities(count=1, minutes=30)
    }
    with django_assert_num_queries(0):
        assert selectors.verified_minutes_by_skp_result([], OCT_START, OCT_END) == {}


def test_the_performance_read_goes_to_the_activities_selector(linked):
    """performance may not import activities: the app registers its selector at start-up."""
    first = linked["first"]
    assert performance.linked_activities([first.pk], OCT_START, OCT_END) == {
        first.pk: LinkedActivities(count=2, minutes=90)
    }


def test_the_query_count_does_not_grow_with_results_or_entries(
    office, linked, django_assert_num_queries
):
    budi_plan = agreed_plan(office["p"]["budi"], 2026)
    ids = [linked["first"].pk, linked["second"].pk, *budi_plan.results.values_list("pk", flat=True)]
    for h in range(14, 17):
        e = make_entry(
            office, who="budi", day=D(2026, 10, 6), start=T(h), end=T(h, 30), volume=1, submit=True
        )
        services.entry_update(actor=office["p"]["budi"].user, entry=e, skp_result=ids[2])
    with django_assert_num_queries(1):
        got = selectors.verified_minutes_by_skp_result(ids, OCT_START, OCT_END)
    assert ids[2] not in got  # submitted, not approved


def test_an_entry_naming_the_next_versions_copy_counts_for_the_original(office, linked, at):
    """A revision agreed in October governs from November; October is still evaluated against
    version 1, so an October entry naming version 2's copy of a result counts for the original."""
    v1, first = linked["plan"], linked["first"]
    SkpPlan.objects.filter(pk=v1.pk).update(status=SkpPlan.Status.SUPERSEDED)
    v2 = agreed_plan(office["p"]["ani"], 2026, version=2, effective_from=D(2026, 11, 1))
    copy = v2.results.first()
    SkpResult.objects.filter(pk=copy.pk).update(copied_from=first)
    e = make_entry(office, day=D(2026, 10, 9), start=T(10), end=T(11), skp_result=copy, submit=True)
    services.entry_verify(actor=office["p"]["kasubag"].user, entry=e, decision="approve")
    got = selectors.verified_minutes_by_skp_result([first.pk], OCT_START, OCT_END)
    assert got[first.pk] == LinkedActivities(count=3, minutes=150)
    # Asked for the copy itself (November onwards), only its own entries count.
    assert selectors.verified_minutes_by_skp_result([copy.pk], OCT_START, OCT_END) == {
        copy.pk: LinkedActivities(count=1, minutes=60)
    }
    listed = selectors.entries_for_skp_result(first, OCT_START, OCT_END)
    assert e.pk in {x.pk for x in listed.counted}


def test_the_list_of_one_result(linked, django_assert_num_queries):
    with django_assert_num_queries(1):
        a = selectors.entries_for_skp_result(linked["first"], OCT_START, OCT_END)
    assert [e.date.day for e in a.counted] == [5, 6]
    assert a.count == 2 and a.minutes == 90
    # Pending and rejected ones are listed apart; the draft is nobody's business but Ani's.
    assert [(e.date.day, e.status) for e in a.others] == [
        (7, EntryStatus.SUBMITTED),
        (8, EntryStatus.REJECTED),
    ]


# --------------------------------------------------------------------------------------------------
# The page


def url(result, periode="2026-10"):
    base = reverse("activities:skp-result", args=[result.pk])
    return f"{base}?periode={periode}" if periode else base


def test_the_employee_and_the_superior_see_the_list(client, office, linked):
    for who in ("ani", "kasubag"):
        client.force_login(office["p"][who].user)
        resp = client.get(url(linked["first"]))
        assert resp.status_code == 200, who
        html = resp.content.decode()
        assert html.count('data-testid="skp-activity"') == 4
        assert 'data-testid="skp-activities-minutes">90<' in html
        assert "Menyusun konsep surat dinas" in html and "Oktober 2026" in html
        assert linked["first"].text in html  # the full page names the result


def test_the_approved_total_names_what_it_counts(client, office, linked):
    """The total row read "Jumlah disetujui 90 2": an unlabelled 2 under the Status column."""
    client.force_login(office["p"]["ani"].user)
    html = client.get(url(linked["first"]), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="skp-activities-count">2 aktivitas<' in html


def test_htmx_gets_the_list_alone(client, office, linked):
    client.force_login(office["p"]["kasubag"].user)
    resp = client.get(url(linked["second"]), HTTP_HX_REQUEST="true")
    html = resp.content.decode()
    assert resp.status_code == 200 and "<html" not in html
    assert html.count('data-testid="skp-activity"') == 1 and "Mengikuti rapat koordinasi" in html


def test_bkpsdm_and_the_units_tim_penilai_see_it(client, office, linked):
    for role, unit in (("bkpsdm", None), ("tim_penilai", None), ("tim_penilai", office["unit"])):
        user = UserFactory(instansi=office["inst"])
        grant(user, role, unit=unit)
        client.force_login(user)
        assert client.get(url(linked["first"])).status_code == 200, (role, unit)


def test_everybody_else_gets_404(client, office, linked):
    # The superior's superior, a colleague, a tim penilai of another unit, pimpinan.
    others = [office["p"]["kepala"].user, office["p"]["budi"].user]
    reviewer = UserFactory(instansi=office["inst"])
    grant(reviewer, "tim_penilai", unit=UnitFactory(instansi=office["inst"], name="Dinas Lain"))
    boss = UserFactory(instansi=office["inst"])
    grant(boss, "pimpinan")
    for user in [*others, reviewer, boss]:
        client.force_login(user)
        assert client.get(url(linked["first"])).status_code == 404, user
    # Another instansi's BKPSDM: not found either.
    foreign = UserFactory(instansi=InstansiFactory())
    grant(foreign, "bkpsdm")
    client.force_login(foreign)
    assert client.get(url(linked["first"])).status_code == 404


def test_a_period_that_is_not_one_is_404_and_none_means_the_current_one(client, office, linked):
    client.force_login(office["p"]["ani"].user)
    assert client.get(url(linked["first"], "2026-13")).status_code == 404
    assert client.get(url(linked["first"], "kemarin")).status_code == 404
    resp = client.get(url(linked["first"], None))  # today is in October 2026
    assert resp.status_code == 200 and "Oktober 2026" in resp.content.decode()


def test_the_superior_who_rated_still_sees_it_after_a_reorganisation(client, office, linked):
    """The evaluation's rater keeps access to the period they rated (performance.rates_evaluation)."""
    period = performance.period_from_key(
        performance.performance_settings(office["inst"]), "2026-10"
    )
    SkpEvaluation.objects.create(
        instansi=office["inst"],
        employee=office["p"]["ani"],
        plan=linked["plan"],
        period_start=period.start,
        period_end=period.end,
        rated_by=office["p"]["kepala"],
        results_rating="as_expected",
        behaviour_rating="as_expected",
        predicate="baik",
    )
    client.force_login(office["p"]["kepala"].user)
    assert client.get(url(linked["first"])).status_code == 200


def test_the_page_query_count_is_constant(client, office, linked, django_assert_max_num_queries):
    client.force_login(office["p"]["kasubag"].user)
    client.get(url(linked["first"]))  # warm caches
    with CaptureQueriesContext(connection) as few:
        client.get(url(linked["first"]))
    for h in range(14, 17):
        e = make_entry(office, day=D(2026, 10, 2), start=T(h), end=T(h, 30), volume=1, submit=True)
        services.entry_update(actor=office["p"]["ani"].user, entry=e, skp_result=linked["first"])
        services.entry_verify(actor=office["p"]["kasubag"].user, entry=e, decision="approve")
    with django_assert_max_num_queries(len(few.captured_queries)):
        resp = client.get(url(linked["first"]))
    assert resp.content.decode().count('data-testid="skp-activity"') == 7


# --------------------------------------------------------------------------------------------------
# The SKP screens


def test_the_rating_sheet_shows_counts_and_loads_the_list(client, office, linked):
    client.force_login(office["p"]["kasubag"].user)
    html = client.get(reverse("performance:rating") + "?periode=2026-10").content.decode()
    first, second = linked["first"], linked["second"]
    assert 'data-testid="linked-total">3 aktivitas terkait (210 menit)' in html
    block = html[html.index(f'data-result="{first.pk}"') :]
    assert 'data-testid="linked-count">2<' in block[:600]
    assert 'data-testid="linked-minutes">90<' in block[:800]
    assert f'hx-get="{url(first)}"' in html and f'hx-get="{url(second)}"' in html


def test_the_realisation_page_shows_the_employee_their_counts(client, office, linked):
    client.force_login(office["p"]["ani"].user)
    html = client.get(reverse("performance:realisation") + "?periode=2026-10").content.decode()
    assert html.count('data-testid="linked-activities"') == 2
    assert f'hx-get="{url(linked["second"])}"' in html
    assert 'data-testid="linked-minutes">120<' in html


def test_the_evaluation_page_shows_the_counts(client, office, linked):
    period = performance.period_from_key(
        performance.performance_settings(office["inst"]), "2026-10"
    )
    ev = SkpEvaluation.objects.create(
        instansi=office["inst"],
        employee=office["p"]["ani"],
        plan=linked["plan"],
        period_start=period.start,
        period_end=period.end,
    )
    client.force_login(office["p"]["kasubag"].user)
    html = client.get(reverse("performance:evaluation-detail", args=[ev.pk])).content.decode()
    assert 'data-testid="linked-count">2<' in html and 'data-testid="linked-minutes">90<' in html


def test_entries_without_links_leave_the_screens_at_zero(client, office):
    agreed_plan(office["p"]["ani"], 2026)
    make_entry(office, day=D(2026, 10, 5), submit=True)
    client.force_login(office["p"]["kasubag"].user)
    html = client.get(reverse("performance:rating") + "?periode=2026-10").content.decode()
    assert 'data-testid="linked-total">0 aktivitas terkait (0 menit)' in html
    assert ActivityEntry.objects.filter(skp_result__isnull=False).count() == 0
