"""SKP plans: drafting, cascading to the direct superior's results, the agreement state machine and
versioning."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ekinerja.core.models import AuditEvent
from ekinerja.performance import selectors, services
from ekinerja.performance.models import CoreValue, SkpIndicator, SkpPlan, SkpResult
from tests.factories import InstansiFactory
from tests.performance.factories import agreed_plan, small_org

pytestmark = pytest.mark.django_db
S = SkpPlan.Status


def indicator(**kw):
    values = {
        "text": "Jumlah laporan data pokok pendidikan",
        "target_quantity": Decimal("12"),
        "target_unit": "laporan",
        "target_quality": Decimal("100"),
        "target_months": 12,
    }
    values.update(kw)
    return SkpIndicator(**values)


def draft_with_result(org, who="staf1", parent=None):
    plan = services.plan_create(actor=org[who].user, employee=org[who], year=2026)
    result = services.result_save(
        actor=org[who].user,
        result=SkpResult(plan=plan, text="Tersedianya data pokok pendidikan", parent_result=parent),
        indicators=[indicator()],
    )
    return plan, result


def test_new_plan_has_the_seven_berakhlak_values(org, at):
    at("2026-01-05 09:00")
    plan = services.plan_create(actor=org["staf1"].user, employee=org["staf1"], year=2026)
    assert plan.status == S.DRAFT and plan.version == 1
    assert sorted(plan.behaviours.values_list("value", flat=True)) == sorted(CoreValue.values)
    assert len(CoreValue) == 7


def test_only_the_employee_drafts_their_own_plan(org, at):
    at("2026-01-05 09:00")
    with pytest.raises(ValidationError):
        services.plan_create(actor=org["kabid"].user, employee=org["staf1"], year=2026)
    assert not SkpPlan.objects.exists()


def test_result_may_support_a_result_of_the_direct_superior(org, cascaded, at):
    at("2026-01-05 09:00")
    kabid_result = cascaded["kabid"].results.first()
    other = small_org(InstansiFactory(timezone="Asia/Makassar"))
    other_plan = agreed_plan(other["kabid"], 2026)
    # Reopen the fixture's plan of staf1 as a draft to add results to it.
    plan = SkpPlan.objects.get(employee=org["staf1"])
    plan.status = S.DRAFT
    plan.effective_from = None
    plan.save()
    ok = services.result_save(
        actor=org["staf1"].user,
        result=SkpResult(plan=plan, text="Data sekolah mutakhir", parent_result=kabid_result),
        indicators=[indicator()],
    )
    assert ok.parent_result == kabid_result
    # Refused: a result of the superior's superior, of a peer, of the employee itself, of another
    # instansi -- none is the direct superior's.
    for wrong in [
        cascaded["kadis"].results.first(),
        cascaded["staf2"].results.first(),
        ok,
        other_plan.results.first(),
    ]:
        before = SkpResult.objects.count()
        with pytest.raises(ValidationError) as err:
            services.result_save(
                actor=org["staf1"].user,
                result=SkpResult(plan=plan, text="Salah kaitan", parent_result=wrong),
                indicators=[indicator()],
            )
        assert "atasan langsung Anda (Ahmad Fauzi)" in err.value.message_dict["parent_result"][0]
        assert SkpResult.objects.count() == before


def test_cascading_refuses_the_superiors_plan_of_another_year(org, at):
    at("2026-01-05 09:00")
    old = agreed_plan(org["kabid"], 2025)
    with pytest.raises(ValidationError) as err:
        draft_with_result(org, parent=old.results.first())
    assert "tahun 2026" in err.value.message_dict["parent_result"][0]


def test_cascading_refuses_a_superseded_version_of_the_superior(org, at):
    at("2026-01-05 09:00")
    old = agreed_plan(org["kabid"], 2026, status=S.SUPERSEDED)
    with pytest.raises(ValidationError):
        draft_with_result(org, parent=old.results.first())


def test_submit_needs_every_result_linked_when_there_is_a_superior(org, at):
    at("2026-01-05 09:00")
    plan, _ = draft_with_result(org, parent=None)
    with pytest.raises(ValidationError) as err:
        services.plan_submit(actor=org["staf1"].user, plan=plan)
    assert "belum dikaitkan" in err.value.messages[0]
    plan.refresh_from_db()
    assert plan.status == S.DRAFT


def test_submit_rechecks_cascade_after_the_superior_changed(org, cascaded, at):
    """A link made under the old superior is refused at submission once the hierarchy changed."""
    at("2026-01-05 09:00")
    SkpPlan.objects.filter(employee=org["staf1"]).update(status=S.DRAFT, effective_from=None)
    plan = SkpPlan.objects.get(employee=org["staf1"])
    # staf1 now links to the kabid's result; then the kabid post becomes vacant: the superior is
    # the kadis, whose result is not the one linked.
    from ekinerja.org.models import Assignment

    Assignment.objects.filter(employee=org["kabid"]).update(end=dt.date(2026, 1, 4))
    with pytest.raises(ValidationError) as err:
        services.plan_submit(actor=org["staf1"].user, plan=plan)
    assert "bukan milik atasan langsung" in " ".join(err.value.messages)


def test_state_machine_draft_submit_return_resubmit_agree(org, cascaded, at):
    at("2026-01-05 09:00")
    SkpPlan.objects.filter(employee=org["staf1"]).delete()
    plan, _ = draft_with_result(org, parent=cascaded["kabid"].results.first())
    services.plan_submit(actor=org["staf1"].user, plan=plan)
    plan.refresh_from_db()
    assert plan.status == S.SUBMITTED and plan.appraiser == org["kabid"]
    assert plan.employee_position == "Pengelola Data Pendidikan"
    # Only the direct superior agrees or returns.
    for wrong in (org["kadis"], org["staf2"], org["staf1"]):
        with pytest.raises(ValidationError):
            services.plan_agree(actor=wrong.user, plan=plan)
    with pytest.raises(ValidationError) as err:
        services.plan_return(actor=org["kabid"].user, plan=plan, note="  ")
    assert "note" in err.value.message_dict
    services.plan_return(actor=org["kabid"].user, plan=plan, note="Target kuantitas terlalu kecil")
    plan.refresh_from_db()
    assert plan.status == S.RETURNED and plan.return_note
    # A returned plan is editable again; a submitted one is not.
    services.plan_submit(actor=org["staf1"].user, plan=plan)
    plan.refresh_from_db()
    with pytest.raises(ValidationError):
        services.result_save(
            actor=org["staf1"].user,
            result=SkpResult(plan=plan, text="Tambahan", parent_result=None),
            indicators=[indicator()],
        )
    services.plan_agree(actor=org["kabid"].user, plan=plan)
    plan.refresh_from_db()
    assert plan.status == S.AGREED and plan.effective_from == dt.date(2026, 1, 1)
    actions = list(
        AuditEvent.objects.filter(object_id=str(plan.pk), action__startswith="performance.plan")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "performance.plan.create",
        "performance.plan.submit",
        "performance.plan.return",
        "performance.plan.submit",
        "performance.plan.agree",
    ]


@pytest.mark.parametrize(
    ("status", "to"),
    [
        (S.DRAFT, S.AGREED),
        (S.AGREED, S.SUBMITTED),
        (S.SUPERSEDED, S.AGREED),
        (S.RETURNED, S.AGREED),
    ],
)
def test_transitions_outside_the_table_are_refused(status, to):
    plan = SkpPlan(status=status)
    with pytest.raises(ValidationError):
        services._transition(plan, to)
    assert plan.status == status


def test_agreed_plan_is_not_editable_and_revision_makes_a_new_version(org, cascaded, at):
    at("2026-06-10 09:00")
    plan = cascaded["staf1"]
    with pytest.raises(ValidationError):
        services.result_save(
            actor=org["staf1"].user,
            result=SkpResult(plan=plan, text="x", parent_result=None),
            indicators=[indicator()],
        )
    with pytest.raises(ValidationError):
        services.plan_revise(actor=org["staf1"].user, plan=plan, reason="")
    v2 = services.plan_revise(actor=org["staf1"].user, plan=plan, reason="Mutasi tugas")
    assert (v2.version, v2.status, v2.previous_id) == (2, S.DRAFT, plan.pk)
    assert v2.results.count() == plan.results.count() == 2
    assert SkpIndicator.objects.filter(result__plan=v2).count() == 2
    assert v2.behaviours.count() == 7
    # A second open version is refused.
    with pytest.raises(ValidationError):
        services.plan_revise(actor=org["staf1"].user, plan=plan, reason="lagi")
    # Until v2 is agreed, v1 governs and is what activity entries may name.
    assert set(selectors.results_for_employee(org["staf1"], 2026)) == set(plan.results.all())
    services.plan_submit(actor=org["staf1"].user, plan=v2)
    services.plan_agree(actor=org["kabid"].user, plan=v2)
    plan.refresh_from_db()
    v2.refresh_from_db()
    assert plan.status == S.SUPERSEDED and v2.status == S.AGREED
    assert v2.effective_from == dt.date(2026, 7, 1)  # from the month after agreement
    assert selectors.plan_in_force(org["staf1"], dt.date(2026, 6, 1)) == plan
    assert selectors.plan_in_force(org["staf1"], dt.date(2026, 7, 1)) == v2
    assert set(selectors.results_for_employee(org["staf1"], 2026)) == set(v2.results.all())


def test_result_needs_an_indicator_and_valid_targets(org, cascaded, at):
    at("2026-01-05 09:00")
    SkpPlan.objects.filter(employee=org["staf1"]).delete()
    plan = services.plan_create(actor=org["staf1"].user, employee=org["staf1"], year=2026)
    parent = cascaded["kabid"].results.first()
    with pytest.raises(ValidationError):
        services.result_save(
            actor=org["staf1"].user,
            result=SkpResult(plan=plan, text="Tanpa indikator", parent_result=parent),
            indicators=[],
        )
    for bad in [
        {"target_quantity": Decimal("0")},
        {"target_quality": Decimal("120")},
        {"target_months": 13},
        {"target_unit": ""},
    ]:
        with pytest.raises(ValidationError):
            services.result_save(
                actor=org["staf1"].user,
                result=SkpResult(plan=plan, text="Target salah", parent_result=parent),
                indicators=[indicator(**bad)],
            )
    assert not plan.results.exists()


def test_superior_result_linked_by_a_subordinate_cannot_be_deleted(org, cascaded, at):
    at("2026-01-05 09:00")
    kabid_plan = cascaded["kabid"]
    SkpPlan.objects.filter(pk=kabid_plan.pk).update(status=S.DRAFT, effective_from=None)
    kabid_plan.refresh_from_db()
    with pytest.raises(ValidationError):
        services.result_delete(actor=org["kabid"].user, result=kabid_plan.results.first())
    assert kabid_plan.results.count() == 2


def test_behaviour_expectations_by_employee_then_superior(org, cascaded, at):
    at("2026-01-05 09:00")
    SkpPlan.objects.filter(employee=org["staf1"]).delete()
    plan, _ = draft_with_result(org, parent=cascaded["kabid"].results.first())
    services.behaviours_save(
        actor=org["staf1"].user, plan=plan, expectations={"akuntabel": "Laporan tepat waktu"}
    )
    with pytest.raises(ValidationError):  # the superior cannot write into a draft
        services.behaviours_save(actor=org["kabid"].user, plan=plan, expectations={"loyal": "x"})
    services.plan_submit(actor=org["staf1"].user, plan=plan)
    plan.refresh_from_db()
    services.behaviours_save(
        actor=org["kabid"].user, plan=plan, expectations={"kolaboratif": "Aktif di tim data"}
    )
    with pytest.raises(ValidationError):
        services.behaviours_save(actor=org["kabid"].user, plan=plan, expectations={"jujur": "x"})
    got = dict(plan.behaviours.values_list("value", "expectation"))
    assert got["akuntabel"] == "Laporan tepat waktu" and got["kolaboratif"] == "Aktif di tim data"


def test_top_leader_without_superior_is_agreed_by_bkpsdm(org, at):
    from tests.factories import UserFactory, grant

    at("2026-01-05 09:00")
    plan = services.plan_create(actor=org["kadis"].user, employee=org["kadis"], year=2026)
    services.result_save(
        actor=org["kadis"].user,
        result=SkpResult(plan=plan, text="Meningkatnya mutu pendidikan dasar"),
        indicators=[indicator()],
    )
    services.plan_submit(actor=org["kadis"].user, plan=plan)
    with pytest.raises(ValidationError):
        services.plan_agree(actor=org["kabid"].user, plan=plan)
    bkpsdm = UserFactory(instansi=org["inst"])
    grant(bkpsdm, "bkpsdm")
    services.plan_agree(actor=bkpsdm, plan=plan)
    plan.refresh_from_db()
    assert plan.status == S.AGREED
