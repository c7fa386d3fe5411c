"""Nobody decides on their own SKP: a BKPSDM officer without a direct superior (the Kepala BKPSDM,
or an officer holding no post) may not agree, return or rate their own plan; another BKPSDM officer
does it. Services and pages."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ekinerja.core.periods import Period
from ekinerja.performance import selectors, services
from ekinerja.performance.models import SkpEvaluation, SkpIndicator, SkpPlan, SkpResult
from ekinerja.performance.services import RatingErrors
from tests.factories import employee_with_login, grant
from tests.performance.factories import agreed_plan

pytestmark = pytest.mark.django_db
S = SkpPlan.Status


@pytest.fixture
def submitted(kaban, at):
    at("2026-01-05 09:00")
    plan = services.plan_create(actor=kaban.user, employee=kaban, year=2026)
    services.result_save(
        actor=kaban.user,
        result=SkpResult(plan=plan, text="Terkelolanya manajemen ASN daerah"),
        indicators=[
            SkpIndicator(
                text="Jumlah layanan kepegawaian yang diselesaikan",
                target_quantity=12,
                target_unit="layanan",
                target_quality=100,
                target_months=12,
            )
        ],
    )
    return services.plan_submit(actor=kaban.user, plan=plan)


def test_bkpsdm_officer_cannot_agree_own_plan(kaban, other_officer, submitted):
    with pytest.raises(ValidationError) as err:
        services.plan_agree(actor=kaban.user, plan=submitted)
    assert "SKP Anda sendiri" in err.value.messages[0]
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    # Another BKPSDM officer agrees it.
    services.plan_agree(actor=other_officer, plan=submitted)
    submitted.refresh_from_db()
    assert submitted.status == S.AGREED and submitted.agreed_by == other_officer


def test_bkpsdm_officer_cannot_return_own_plan(kaban, other_officer, submitted):
    with pytest.raises(ValidationError) as err:
        services.plan_return(actor=kaban.user, plan=submitted, note="Perbaiki indikator")
    assert "SKP Anda sendiri" in err.value.messages[0]
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    services.plan_return(actor=other_officer, plan=submitted, note="Perbaiki indikator")
    submitted.refresh_from_db()
    assert submitted.status == S.RETURNED


def test_bkpsdm_officer_holding_no_post_cannot_agree_own_plan(org, other_officer, at):
    """No post at all means no superior either: still not their own decision."""
    at("2026-01-05 09:00")
    officer = employee_with_login(org["inst"], None, name="Rina Marlina")
    grant(officer.user, "bkpsdm")
    plan = agreed_plan(officer, 2026, status=S.SUBMITTED)
    with pytest.raises(ValidationError):
        services.plan_agree(actor=officer.user, plan=plan)
    services.plan_agree(actor=other_officer, plan=plan)
    plan.refresh_from_db()
    assert plan.status == S.AGREED


def test_own_plan_page_hides_the_decision_and_refuses_the_posts(
    client, kaban, other_officer, submitted
):
    client.force_login(kaban.user)
    page = client.get(reverse("performance:plan-detail", args=[submitted.pk]))
    assert page.status_code == 200
    assert 'data-testid="agree-plan"' not in page.content.decode()
    assert reverse("performance:plan-return", args=[submitted.pk]) not in page.content.decode()
    response = client.post(reverse("performance:plan-agree", args=[submitted.pk]), follow=True)
    assert "SKP Anda sendiri" in response.content.decode()
    client.post(reverse("performance:plan-return", args=[submitted.pk]), {"note": "Perbaiki"})
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    # Another officer sees the buttons and agrees.
    client.force_login(other_officer)
    page = client.get(reverse("performance:plan-detail", args=[submitted.pk]))
    assert 'data-testid="agree-plan"' in page.content.decode()
    client.post(reverse("performance:plan-agree", args=[submitted.pk]))
    submitted.refresh_from_db()
    assert submitted.status == S.AGREED and submitted.agreed_by == other_officer


def test_bkpsdm_officer_cannot_rate_own_evaluation(org, kaban, other_officer, at):
    agreed_plan(kaban, 2026)
    at("2026-11-03 09:00")
    period = selectors.period_containing(
        selectors.performance_settings(org["inst"]), Period(2026, 10)
    )
    with pytest.raises(RatingErrors) as err:
        services.evaluation_rate(
            actor=kaban.user,
            employee=kaban,
            period=period,
            results="above",
            behaviour="above",
        )
    assert "SKP Anda sendiri" in err.value.message_dict[str(kaban.pk)][0]
    assert not SkpEvaluation.objects.exists()
    ev = services.evaluation_rate(
        actor=other_officer,
        employee=kaban,
        period=period,
        results="above",
        behaviour="as_expected",
    )
    assert ev.predicate == "baik" and ev.rated_by_user == other_officer
