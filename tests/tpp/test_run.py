"""The monthly run: gathering with a fixed number of queries, figures equal to a hand count, states
and the four-eyes lock, re-runs, atomic replacement (a job killed half-way), withholding, release and
adjustments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.core.models import AuditEvent
from ekinerja.core.money import format_rupiah
from ekinerja.core.periods import Period
from ekinerja.org.models import Assignment
from ekinerja.tpp import selectors, services
from ekinerja.tpp.models import Adjustment, Result, Run, Sentence
from ekinerja.tpp.models import Policy as PolicyRow
from ekinerja.tpp.policy import national_template

from .data import (
    OCT,
    D,
    activity,
    add_staff,
    full_attendance,
    leave,
    make_pemda,
    monthly_minutes,
    rate,
    workdays,
)

pytestmark = pytest.mark.django_db
NOV = Period(2026, 11)


@pytest.fixture
def pemda():
    return make_pemda()


def _figures(run: Run) -> list[tuple]:
    return list(
        Result.objects.filter(run=run)
        .order_by("nip")
        .values_list(
            "nip", "ceiling", "gross", "pph21", "health_insurance", "net", "payable", "detail"
        )
    )


def compute(p, unit=None, actor=None, period=OCT):
    return services.run_compute(actor=actor or p.bkpsdm1, instansi=p.inst, period=period, unit=unit)


def _lock(pemda, run: Run) -> Run:
    """Verified by the first BKPSDM officer, locked by the second."""
    return services.run_lock(
        actor=pemda.bkpsdm2, run=services.run_verify(actor=pemda.bkpsdm1, run=run)
    )


def _recovering(pemda, amount: int, reason: str = "Lebih bayar", months=(OCT, NOV)):
    """The staff member works every month of `months`; October is computed and locked, then
    `amount` is recovered from October into November. Returns the staff member."""
    staf = pemda.people["staf"]
    for period in months:
        full_attendance(staf, days=workdays(period))
        monthly_minutes(pemda, staf, 15, days=workdays(period))
    _lock(pemda, compute(pemda))
    services.adjustment_record(
        actor=pemda.bkpsdm1,
        employee=staf,
        source_period=OCT,
        amount=Decimal(amount),
        reason=reason,
    )
    return staf


# --------------------------------------------------------------------------------------------------
# Policy in force


def test_policy_for_takes_the_latest_adopted_on_the_first_day(pemda):
    later = services.policy_save(
        actor=pemda.bkpsdm1, instansi=pemda.inst, data=national_template("2026-11-01")
    )
    assert selectors.policy_for(pemda.inst, NOV) == pemda.policy  # still a draft
    services.policy_adopt(actor=pemda.bkpsdm1, policy=later)
    assert selectors.policy_for(pemda.inst, OCT) == pemda.policy
    assert selectors.policy_for(pemda.inst, NOV) == later
    assert selectors.policy_for(pemda.inst, Period(2025, 12)) is None


def test_two_adopted_policies_never_share_an_effective_date(pemda):
    other = services.policy_save(
        actor=pemda.bkpsdm1, instansi=pemda.inst, data=national_template("2026-01-01")
    )
    with pytest.raises(ValidationError) as err:
        services.policy_adopt(actor=pemda.bkpsdm1, policy=other)
    assert "effective_from" in err.value.message_dict
    other.refresh_from_db()
    assert other.status == PolicyRow.Status.DRAFT


def test_invalid_policy_lists_every_problem_by_path_and_writes_nothing(pemda):
    data = national_template("2026-03-01")
    data["components"][0]["weight"] = 30  # sums to 90
    data["attendance"]["late_bands"][1][0] = 40  # gap after 30
    before = PolicyRow.objects.count()
    with pytest.raises(ValidationError) as err:
        services.policy_save(actor=pemda.bkpsdm1, instansi=pemda.inst, data=data)
    paths = err.value.message_dict
    assert any(k.startswith("$.components") for k in paths)
    assert any("late_bands" in k for k in paths)
    assert PolicyRow.objects.count() == before


def test_adopted_policy_is_immutable_and_only_bkpsdm_saves(pemda):
    with pytest.raises(ValidationError):
        services.policy_save(
            actor=pemda.bkpsdm1, instansi=pemda.inst, data=national_template(), policy=pemda.policy
        )
    with pytest.raises(PermissionDenied):
        services.policy_save(actor=pemda.bpkad, instansi=pemda.inst, data=national_template())
    assert AuditEvent.objects.filter(
        action="tpp.policy.adopt", object_id=str(pemda.policy.pk)
    ).exists()


# --------------------------------------------------------------------------------------------------
# Gathering


def test_gather_builds_the_calculator_inputs(pemda):
    kadis = pemda.people["kadis"]
    days = workdays()
    full_attendance(kadis, late={days[0]: 10, days[1]: 45}, skip={days[5]})
    leave(kadis, "sakit", days[10], days[11])
    activity(pemda, kadis, days[2], 4)
    activity(pemda, kadis, days[3], 2, submitted=days[3] + dt.timedelta(days=20))  # expired
    activity(pemda, kadis, D(2026, 10, 3), 2)  # a Saturday
    rate(kadis, "sangat_baik")
    Sentence.objects.create(
        instansi=pemda.inst, employee=kadis, level="ringan", start=D(2026, 9, 1), end=D(2026, 10, 5)
    )
    g = selectors.gather(pemda.inst, OCT)
    m = g.months[kadis.pk]
    assert len(m.days) == 22 and m.nip == kadis.nip and m.golongan == "IV/c"
    by_date = {d.date: d for d in m.days}
    assert by_date[days[0]].late_minutes == 10 and by_date[days[1]].late_minutes == 45
    assert by_date[days[5]].absent and not by_date[days[5]].has_any_punch
    assert by_date[days[10]].leave == "sakit"
    assert by_date[days[2]].credited_minutes == 120
    assert by_date[days[3]].credited_minutes == 0
    assert m.expired_entries == 1
    # The Saturday's approved minutes are passed per day, to be credited (tpp-rules.md "Activity").
    assert m.off_day_minutes == ((D(2026, 10, 3), Decimal(60)),)
    assert m.predicate == "sangat_baik" and m.sentences == ("ringan",)
    assert by_date[days[0]].position.kelas == 13
    assert g.info[kadis.pk].unit_id == pemda.opd_a.pk
    # The guru sits in a sub-unit: paid by (listed under) the OPD above it.
    assert g.info[pemda.people["guru"].pk].unit_id == pemda.opd_a.pk


def test_gather_by_unit_takes_the_subtree(pemda):
    g = selectors.gather(pemda.inst, OCT, pemda.opd_a)
    assert set(g.months) == {pemda.people["kadis"].pk, pemda.people["guru"].pk}


def test_gather_prorates_a_mid_month_join_and_adds_the_plt_share(pemda):
    from tests.factories import AssignmentFactory

    newcomer = add_staff(pemda, 1)[0]
    a = newcomer.assignments.get()
    a.start = D(2026, 10, 15)
    a.save()
    AssignmentFactory(
        position=pemda.pos["kadis"],
        employee=pemda.people["kadis_b"],
        kind="plt",
        start=D(2026, 10, 1),
        end=D(2026, 10, 9),
    )
    g = selectors.gather(pemda.inst, OCT)
    days = {d.date: d for d in g.months[newcomer.pk].days}
    assert days[D(2026, 10, 14)].position is None and days[D(2026, 10, 15)].position.kelas == 7
    plt_days = [d for d in g.months[pemda.people["kadis_b"].pk].days if d.acting]
    assert [d.date for d in plt_days] == [d for d in workdays() if d <= D(2026, 10, 9)]


def test_acting_in_ones_own_post_adds_no_plt_share(pemda):
    """tpp-rules.md step 1: the Plt/Plh share is of *another* position. A row recorded before
    assignment_validate refused it (or loaded by the scenario loader before its reader did) made
    the ceiling 120% of the employee's own base."""
    from tests.factories import AssignmentFactory

    kadis = pemda.people["kadis_b"]
    before = selectors.gather(pemda.inst, OCT).months[kadis.pk]
    assert not any(d.acting for d in before.days)
    own = kadis.assignments.get().position
    AssignmentFactory(position=own, employee=kadis, kind="plt", start=D(2026, 10, 1))
    after = selectors.gather(pemda.inst, OCT).months[kadis.pk]
    assert after == before


def test_run_credits_minutes_before_joining_and_on_a_saturday(pemda):
    """tpp-rules.md "Activity": every approved entry within the window counts, capped per day;
    days in post restrict only the target."""
    newcomer = add_staff(pemda, 1)[0]
    a = newcomer.assignments.get()
    a.start = D(2026, 10, 15)
    a.save()
    activity(pemda, newcomer, D(2026, 10, 14), 10)  # 300 minutes, the day before joining
    activity(pemda, newcomer, D(2026, 10, 17), 20)  # 600 minutes on a Saturday: capped at 450
    monthly_minutes(pemda, newcomer, 7, days=[d for d in workdays() if d >= D(2026, 10, 15)])
    r = Result.objects.get(run=compute(pemda), employee=newcomer)
    activity_row = r.detail["activity"]
    assert activity_row["credited_minutes"] == 300 + 450 + 12 * 210
    assert activity_row["uncapped_minutes"] == 300 + 600 + 12 * 210
    assert activity_row["target_minutes"] == 3681.82  # 6,750 x 12/22: days in post only
    assert any("ikut dihitung" in n for n in r.detail["notes"])


def test_gather_uses_a_fixed_number_of_queries(pemda, django_assert_max_num_queries):
    add_staff(pemda, 3)
    for e in pemda.extra:
        full_attendance(e)
        monthly_minutes(pemda, e, 10)
    with CaptureQueriesContext(connection) as few:
        n_few = len(selectors.gather_inputs(pemda.inst, OCT))
    more = add_staff(pemda, n_few + 4)
    for e in more:
        full_attendance(e)
        monthly_minutes(pemda, e, 10)
        rate(e, "baik")
    with django_assert_max_num_queries(len(few.captured_queries)):
        months = selectors.gather_inputs(pemda.inst, OCT)
    assert len(months) >= 2 * n_few


# --------------------------------------------------------------------------------------------------
# Computing


def test_run_figures_equal_a_hand_count(pemda):
    kadis = pemda.people["kadis"]
    days = workdays()
    full_attendance(kadis, late={days[0]: 10, days[1]: 20})
    monthly_minutes(pemda, kadis, 15)  # 450 a day
    rate(kadis, "baik")
    run = compute(pemda)
    r = Result.objects.get(run=run, employee=kadis)
    # HSS: ceiling 9,000,000 (kelas 13); attendance 2,700,000 - 2 x 0.5% x 9,000,000 = 2,610,000;
    # activity 9,900 >= 6,750 minutes: 4,500,000; SKP Baik 100%: 1,800,000.
    assert r.ceiling == 9_000_000 and r.gross == 8_910_000
    assert r.pph21 == 1_336_500  # IV: 15%
    assert r.health_insurance == 65_000  # 1% of the 6,500,000 under the cap after 5,500,000 salary
    assert r.net == r.payable == 7_508_500
    assert r.detail["attendance"]["late"] == 2 and r.detail["attendance"]["amount"] == 2_610_000
    assert r.detail["lines"][0][0] == "Hari kerja"
    assert r.position_name == "Kepala Dinas" and r.kelas == 13 and r.golongan == "IV/c"
    assert run.state == Run.State.COMPUTED and run.progress == 100
    assert run.policy == pemda.policy and run.policy_data == pemda.policy.data
    totals = Result.objects.filter(run=run)
    assert run.total_net == sum(x.net for x in totals)
    assert run.total_payable == sum(x.payable for x in totals)
    assert run.employees == 4


def test_rerun_with_identical_inputs_gives_identical_figures(pemda):
    for e in pemda.people.values():
        full_attendance(e, late={workdays()[3]: 35})
        monthly_minutes(pemda, e, 12)
    first = compute(pemda)
    figures, digest = _figures(first), first.input_digest
    again = compute(pemda, actor=pemda.bkpsdm2)
    assert again.pk == first.pk and _figures(again) == figures and again.input_digest == digest
    # Changed input, changed digest and figures.
    activity(pemda, pemda.people["staf"], workdays()[0], 1, status="approved")
    assert compute(pemda).input_digest != digest


def test_compute_queries_do_not_grow_with_employees(pemda, django_assert_max_num_queries):
    add_staff(pemda, 8)
    with CaptureQueriesContext(connection) as few:
        compute(pemda)
    add_staff(pemda, 18)
    # Progress is written at most ten times: a fixed number too.
    with django_assert_max_num_queries(len(few.captured_queries)):
        run = compute(pemda)
    assert run.employees == 30


def test_no_policy_in_force_is_refused_with_the_reason(pemda):
    with pytest.raises(ValidationError) as err:
        compute(pemda, period=Period(2025, 12))
    assert "kebijakan" in str(err.value).lower()


def test_a_killed_job_leaves_the_previous_results_and_a_retry_gives_a_clean_run(pemda, monkeypatch):
    add_staff(pemda, 5)
    for e in [*pemda.people.values(), *pemda.extra]:
        full_attendance(e)
    first = compute(pemda)
    old = _figures(first)
    for e in pemda.people.values():
        monthly_minutes(pemda, e, 15)

    real = services._insert_batch
    calls = {"n": 0}

    def dying_insert(rows):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("worker killed")  # after the first batch was written
        return real(rows)

    monkeypatch.setattr(services, "BATCH", 3)
    monkeypatch.setattr(services, "_insert_batch", dying_insert)
    with pytest.raises(SystemExit):
        compute(pemda)
    assert calls["n"] == 2
    # Nothing of the half-written compute is left: the previous results stand.
    assert _figures(first) == old
    first.refresh_from_db()
    assert first.state == Run.State.COMPUTED

    monkeypatch.setattr(services, "_insert_batch", real)
    retried = _figures(compute(pemda))
    # A clean run of the same inputs in a fresh month record gives the same figures.
    Run.objects.filter(pk=first.pk).delete()
    clean = _figures(compute(pemda))
    assert retried == clean != old


# --------------------------------------------------------------------------------------------------
# States


def test_verify_then_lock_by_a_second_account_then_nothing_changes(pemda):
    run = compute(pemda, actor=pemda.bkpsdm1)
    with pytest.raises(ValidationError):
        services.run_lock(actor=pemda.bkpsdm2, run=run)  # not verified yet
    run = services.run_verify(actor=pemda.bkpsdm1, run=run)
    with pytest.raises(PermissionDenied):
        services.run_lock(actor=pemda.bkpsdm1, run=run)  # who computed cannot lock
    with pytest.raises(PermissionDenied):
        services.run_lock(actor=pemda.bpkad, run=run)
    run = services.run_lock(actor=pemda.bkpsdm2, run=run)
    assert run.state == Run.State.LOCKED and run.locked_by == pemda.bkpsdm2
    figures = _figures(run)
    monthly_minutes(pemda, pemda.people["kadis"], 15)
    with pytest.raises(ValidationError) as err:
        compute(pemda, actor=pemda.bkpsdm2)
    assert "dikunci" in str(err.value)
    assert _figures(run) == figures
    with pytest.raises(ValidationError):
        services.withholding_create(
            actor=pemda.bkpsdm1, employee=pemda.people["guru"], period=OCT, reason="LHKPN"
        )
    run = services.run_mark_exported(actor=pemda.bpkad, run=run, what="xlsx")
    assert run.state == Run.State.EXPORTED and run.exported_at is not None
    services.run_mark_exported(actor=pemda.bpkad, run=run, what="pdf")  # again: stays exported
    assert AuditEvent.objects.filter(action="tpp.run.export").count() == 2


def test_transition_table_is_the_only_way(pemda):
    run = services.run_open(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    with pytest.raises(ValidationError):
        services.run_verify(actor=pemda.bkpsdm1, run=run)
    with pytest.raises(ValidationError):
        services.run_mark_exported(actor=pemda.bpkad, run=run)
    assert services.RUN_TRANSITIONS[Run.State.LOCKED] == {Run.State.EXPORTED}


def test_recompute_after_verification_needs_verifying_again(pemda):
    run = services.run_verify(actor=pemda.bkpsdm1, run=compute(pemda))
    run = compute(pemda, actor=pemda.bkpsdm2)
    assert run.state == Run.State.COMPUTED and run.verified_by is None
    assert run.computed_by == pemda.bkpsdm2


def test_unit_runs_and_a_whole_instansi_run_exclude_each_other(pemda):
    run_a = compute(pemda, unit=pemda.opd_a)
    assert run_a.employees == 2
    with pytest.raises(ValidationError):
        compute(pemda)
    with pytest.raises(ValidationError):
        compute(pemda, unit=pemda.sub_a)  # overlaps OPD A
    assert compute(pemda, unit=pemda.opd_b).employees == 2


def test_only_bkpsdm_computes(pemda):
    with pytest.raises(PermissionDenied):
        compute(pemda, actor=pemda.bpkad)


# --------------------------------------------------------------------------------------------------
# Withholding, release, adjustment


def _result(run, employee):
    return Result.objects.get(run=run, employee=employee)


def test_withheld_month_pays_zero_and_the_release_month_pays_it(pemda):
    guru = pemda.people["guru"]
    full_attendance(guru)
    monthly_minutes(pemda, guru, 15)
    services.withholding_create(
        actor=pemda.bkpsdm1, employee=guru, period=OCT, reason="LHKPN belum dilaporkan"
    )
    run = compute(pemda)
    r = _result(run, guru)
    assert r.withheld and r.payable == 0 and r.net > 0
    assert r.withheld_reason == "LHKPN belum dilaporkan"
    assert run.total_withheld == r.net
    assert run.total_payable == run.total_net - r.net
    held_net = r.net
    run = services.run_verify(actor=pemda.bkpsdm1, run=run)
    services.run_lock(actor=pemda.bkpsdm2, run=run)

    # November: the document arrives; the October amount is paid with November's TPP.
    w = guru.pk and services.selectors.withholdings_of(pemda.inst, OCT)[0]
    nov = compute(pemda, period=NOV)
    services.withholding_release(actor=pemda.bkpsdm2, withholding=w)
    w.refresh_from_db()
    assert w.released_period == "2026-11" and w.amount == held_net
    n = _result(nov, guru)
    assert n.released == held_net and n.payable == n.net + held_net
    nov.refresh_from_db()
    assert nov.total_released == held_net
    # October never changed.
    assert _result(run, guru).payable == 0
    # Computing November again keeps the release.
    assert _result(compute(pemda, period=NOV), guru).released == held_net


def test_withheld_total_is_what_the_release_pays_never_below_zero(pemda):
    """A recovery larger than the month's pay leaves nothing due: the month's withheld total (and
    the SP2D recap's "Ditahan") is 0, what the release pays, not a negative figure."""
    from ekinerja.tpp import exports
    from ekinerja.tpp.models import Withholding

    staf = _recovering(pemda, -10_000_000)
    services.withholding_create(actor=pemda.bkpsdm1, employee=staf, period=NOV, reason="SKP")
    nov = compute(pemda, period=NOV)
    n = _result(nov, staf)
    assert n.withheld and n.net > 0 and n.net + n.adjustment < 0
    assert nov.total_withheld == services.due_amount(n) == 0
    assert exports.payroll(nov).totals["withheld"] == 0
    # Released, it pays that same 0 in November.
    services.withholding_release(
        actor=pemda.bkpsdm1, withholding=Withholding.objects.get(employee=staf, period="2026-11")
    )
    assert _result(compute(pemda, period=NOV), staf).payable == 0


def test_a_release_and_an_adjustment_due_after_leaving_are_still_paid(pemda, client):
    """Someone withheld in October (LHKPN) who leaves on 31 October has no November result of their
    own; what is released and corrected into November is paid there on a row of its own."""
    from django.urls import reverse

    from ekinerja.org.models import Assignment
    from ekinerja.tpp import exports

    guru = pemda.people["guru"]
    full_attendance(guru)
    monthly_minutes(pemda, guru, 15)
    Assignment.objects.filter(employee=guru).update(end=D(2026, 10, 31))
    w = services.withholding_create(actor=pemda.bkpsdm1, employee=guru, period=OCT, reason="LHKPN")
    run = compute(pemda)
    held = _result(run, guru).net
    assert held > 0
    services.run_lock(actor=pemda.bkpsdm2, run=services.run_verify(actor=pemda.bkpsdm1, run=run))
    services.adjustment_record(
        actor=pemda.bkpsdm1, employee=guru, source_period=OCT, amount=Decimal(150_000), reason="k"
    )
    w = services.withholding_release(actor=pemda.bkpsdm1, withholding=w)
    assert w.released_period == "2026-11" and w.amount == held
    nov = compute(pemda, period=NOV)
    n = _result(nov, guru)
    assert (n.net, n.released, n.adjustment, n.payable) == (0, held, 150_000, held + 150_000)
    assert n.unit_id == pemda.opd_a.pk and n.detail["payment_only"]
    # The list names the post they held last, as such (not one held this month).
    assert n.position_name == f"{_result(run, guru).position_name} (jabatan terakhir)"
    assert nov.total_released == held and nov.total_adjustment == 150_000
    assert nov.total_payable == sum(r.payable for r in Result.objects.filter(run=nov))
    assert f"{guru.nip}" in exports.bank_csv(nov) and str(int(held + 150_000)) in exports.bank_csv(
        nov
    )
    # A unit run pays it in the unit of the last post only.
    Run.objects.filter(pk=nov.pk).delete()
    run_b = compute(pemda, unit=pemda.opd_b, period=NOV)
    assert not Result.objects.filter(run=run_b, employee=guru).exists()
    run_a = compute(pemda, unit=pemda.opd_a, period=NOV)
    assert _result(run_a, guru).payable == held + 150_000
    # The employee's page says why nothing was computed.
    client.force_login(guru.user)
    html = client.get(reverse("tpp:mine") + "?periode=2026-11").content.decode()
    assert "Tidak memiliki jabatan definitif pada November 2026" in html


def test_the_list_names_the_month_each_release_and_correction_comes_from(pemda):
    """BPKAD reconciles a row paying more than its month's net from the Keterangan: each released or
    corrected amount with the month it belongs to, in the xlsx as in the pdf's lines."""
    import io

    import openpyxl

    from ekinerja.tpp import exports

    guru = pemda.people["guru"]
    full_attendance(guru)
    monthly_minutes(pemda, guru, 15)
    w = services.withholding_create(actor=pemda.bkpsdm1, employee=guru, period=OCT, reason="LHKPN")
    run = compute(pemda)
    held = _result(run, guru).net
    services.run_lock(actor=pemda.bkpsdm2, run=services.run_verify(actor=pemda.bkpsdm1, run=run))
    for amount in (Decimal(150_000), Decimal(-20_000)):
        services.adjustment_record(
            actor=pemda.bkpsdm1, employee=guru, source_period=OCT, amount=amount, reason="k"
        )
    services.withholding_release(actor=pemda.bkpsdm1, withholding=w)
    nov = compute(pemda, period=NOV)
    data = exports.payroll(nov)
    row = next(r for s in data.sections for r in s.rows if r.employee_id == guru.pk)
    note = exports.remark(row)
    assert f"Pelepasan penahanan TPP Oktober 2026 {format_rupiah(held)}" in note
    assert "Koreksi TPP Oktober 2026 Rp150.000, TPP Oktober 2026 -Rp20.000" in note
    wb = openpyxl.load_workbook(io.BytesIO(exports.nominatif_xlsx(nov)))
    cells = [c.value for ws in wb.worksheets for line in ws.iter_rows() for c in line]
    assert note in cells
    # Rows paying nothing extra look nothing up; a row whose sources no longer add up to its stored
    # figure (changed behind the run's back) shows the stored total only.
    assert not getattr(
        next(r for s in data.sections for r in s.rows if r.employee_id != guru.pk),
        "payment_sources",
        [],
    )
    row.adjustment = Decimal(1)
    assert (
        "Koreksi Rp1" in exports.remark(row)
        and "Oktober" not in exports.payment_remark(row).split("Koreksi")[1]
    )


def test_a_hire_recorded_after_the_unit_run_was_locked_is_corrected_by_adjustment(pemda):
    """October of Dinas Pendidikan is locked; a hire from 1 October is recorded afterwards. The unit
    cannot be recomputed, so the month is locked for them too: their October is paid as an
    adjustment, and a withholding on it is refused."""
    from tests.factories import AssignmentFactory, EmployeeFactory

    run = compute(pemda, unit=pemda.opd_a)
    services.run_lock(actor=pemda.bkpsdm2, run=services.run_verify(actor=pemda.bkpsdm1, run=run))
    new = EmployeeFactory(instansi=pemda.inst, golongan="III/a", salary=Decimal(4_000_000))
    AssignmentFactory(position=pemda.pos["guru"], employee=new, start=D(2026, 10, 1))
    with pytest.raises(ValidationError, match="dikunci"):
        compute(pemda, unit=pemda.opd_a)
    with pytest.raises(ValidationError, match="dikunci"):
        services.withholding_create(actor=pemda.bkpsdm1, employee=new, period=OCT, reason="SKP")
    adj = services.adjustment_record(
        actor=pemda.bkpsdm1,
        employee=new,
        source_period=OCT,
        amount=Decimal(2_000_000),
        reason="TPP Oktober pegawai baru",
    )
    assert adj.target_period == "2026-11"
    # Dinas Kesehatan's October is still open: its people are not affected.
    staf = pemda.people["staf"]
    services.withholding_create(actor=pemda.bkpsdm1, employee=staf, period=OCT, reason="SKP")


def _transfer_staf_to_opd_a(pemda):
    from ekinerja.org.models import Assignment
    from tests.factories import AssignmentFactory, PositionFactory

    staf = pemda.people["staf"]
    Assignment.objects.filter(employee=staf).update(end=D(2026, 10, 18))
    pos = PositionFactory(instansi=pemda.inst, unit=pemda.opd_a, kelas=7, parent=pemda.pos["kadis"])
    AssignmentFactory(position=pos, employee=staf, start=D(2026, 10, 19))
    return staf


def test_a_transfer_recorded_after_a_unit_run_moves_the_employee_to_the_new_units_list(pemda):
    """Dinas Kesehatan's October was computed (and verified) with staf in it; staf's transfer to Dinas
    Pendidikan from the 19th is recorded afterwards. Computing Dinas Pendidikan takes staf over:
    paid once, in the unit of the last post; Dinas Kesehatan's list changed, so it must be verified
    again."""
    staf = pemda.people["staf"]
    full_attendance(staf)
    monthly_minutes(pemda, staf, 15)
    run_b = services.run_verify(actor=pemda.bkpsdm1, run=compute(pemda, unit=pemda.opd_b))
    assert Result.objects.filter(run=run_b, employee=staf).exists()
    _transfer_staf_to_opd_a(pemda)
    run_a = compute(pemda, unit=pemda.opd_a)
    assert Result.objects.filter(employee=staf, run__period="2026-10").count() == 1
    assert _result(run_a, staf).payable > 0
    run_b.refresh_from_db()
    assert run_b.state == Run.State.COMPUTED and run_b.employees == 1  # only kadis_b left
    assert run_b.total_payable == sum(r.payable for r in Result.objects.filter(run=run_b))


def test_an_employee_paid_by_a_locked_unit_run_is_not_paid_again_by_another(pemda):
    staf = pemda.people["staf"]
    full_attendance(staf)
    monthly_minutes(pemda, staf, 15)
    run_b = compute(pemda, unit=pemda.opd_b)
    services.run_lock(actor=pemda.bkpsdm2, run=services.run_verify(actor=pemda.bkpsdm1, run=run_b))
    paid = _result(run_b, staf).payable
    _transfer_staf_to_opd_a(pemda)
    run_a = compute(pemda, unit=pemda.opd_a)
    assert not Result.objects.filter(run=run_a, employee=staf).exists()
    assert _result(run_b, staf).payable == paid  # the locked list never changes


def test_withholding_a_verified_month_sends_it_back_to_computed(pemda):
    run = services.run_verify(actor=pemda.bkpsdm1, run=compute(pemda))
    staf = pemda.people["staf"]
    w = services.withholding_create(actor=pemda.bkpsdm1, employee=staf, period=OCT, reason="SKP")
    run.refresh_from_db()
    assert run.state == Run.State.COMPUTED and _result(run, staf).withheld
    # Released before the lock: simply paid in the same month.
    services.withholding_release(actor=pemda.bkpsdm1, withholding=w)
    r = _result(run, staf)
    assert not r.withheld and r.payable == r.net


def test_adjustment_of_a_locked_month_is_paid_in_the_next(pemda):
    run = services.run_verify(actor=pemda.bkpsdm1, run=compute(pemda))
    run = services.run_lock(actor=pemda.bkpsdm2, run=run)
    staf = pemda.people["staf"]
    locked = _figures(run)
    adj = services.adjustment_record(
        actor=pemda.bkpsdm1,
        employee=staf,
        source_period=OCT,
        amount=Decimal(150_000),
        reason="Cuti sakit 5 Oktober terlambat disetujui",
    )
    assert adj.target_period == "2026-11"
    assert _figures(run) == locked
    nov = compute(pemda, period=NOV)
    r = _result(nov, staf)
    assert r.adjustment == 150_000 and r.payable == r.net + 150_000
    with pytest.raises(ValidationError):  # November is not locked: recompute it instead
        services.adjustment_record(
            actor=pemda.bkpsdm1, employee=staf, source_period=NOV, amount=Decimal(1), reason="x"
        )
    with pytest.raises(ValidationError):
        services.adjustment_record(
            actor=pemda.bkpsdm1,
            employee=staf,
            source_period=OCT,
            amount=Decimal("1.5"),
            reason="x",
        )
    assert Adjustment.objects.count() == 1


def test_result_explanations_are_stored_with_lz4_on_postgresql(db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT attcompression FROM pg_attribute "
            "WHERE attrelid = 'tpp_result'::regclass AND attname = 'detail'"
        )
        assert cur.fetchone()[0] == "l"


@pytest.mark.django_db(transaction=True)
def test_activity_beside_attendance_on_a_second_connection_gives_the_same_inputs(monkeypatch):
    # Outside a transaction, on PostgreSQL, a large month reads the activity on a second connection
    # while this one derives the attendance: same inputs, and its queries counted here too.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    p = make_pemda()
    for e in [*p.people.values(), *add_staff(p, 3)]:
        full_attendance(e, late={workdays()[2]: 25})
        monthly_minutes(p, e, 10)
    with CaptureQueriesContext(connection) as one:
        alone = selectors.gather(p.inst, OCT)
    used = []
    real = selectors._on_own_connection
    monkeypatch.setattr(selectors, "_SIDE_BY_SIDE_FROM", 1)
    monkeypatch.setattr(selectors, "_on_own_connection", lambda *a: used.append(1) or real(*a))
    with CaptureQueriesContext(connection) as two:
        beside = selectors.gather(p.inst, OCT)
    assert used and repr(beside.months) == repr(alone.months) and len(alone.months) >= 7
    assert len(two.captured_queries) == len(one.captured_queries)


def test_a_recovery_larger_than_the_months_pay_is_carried_on_when_the_month_is_locked(pemda, at):
    """Rp10.000.000 recovered from October into November, where the staff member earns less: November
    pays 0, and when November is locked the rest is recorded into December (marked carried,
    audited). The carry is no new decision: whoever locked November may still lock December."""
    at("2027-01-15 10:00")  # December locked: a month is locked once it has ended
    dec = Period(2026, 12)
    staf = _recovering(pemda, -10_000_000, months=(OCT, NOV, dec))
    nov = compute(pemda, period=NOV)
    n = _result(nov, staf)
    assert n.payable == 0 and n.net + n.adjustment < 0
    left = n.net + n.adjustment  # what November could not recover
    assert not Adjustment.objects.filter(carried=True).exists()  # only when November is locked
    _lock(pemda, nov)
    carry = Adjustment.objects.get(carried=True)
    assert (carry.employee, carry.source_period, carry.target_period, carry.amount) == (
        staf,
        "2026-11",
        "2026-12",
        left,
    )
    assert "November 2026" in carry.reason
    assert AuditEvent.objects.filter(action="tpp.adjustment.carry").count() == 1
    assert _result(Run.objects.get(pk=nov.pk), staf).payable == 0  # the locked month unchanged
    d = _result(compute(pemda, period=dec), staf)
    assert d.adjustment == left and d.payable == max(Decimal(0), d.net + left)
    assert d.net + left < 0  # a month's TPP here is under Rp5.000.000: December cannot cover it
    # Locked by the same second officer as November: the carry does not count as their change.
    _lock(pemda, Run.objects.get(period="2026-12", unit=None))
    again = Adjustment.objects.get(carried=True, source_period="2026-12")
    assert (again.target_period, again.amount) == ("2027-01", d.net + left)
    # What was recovered and what is still to recover add up to the recovery.
    assert n.net + d.net - again.amount == 10_000_000


def test_nothing_is_carried_when_the_month_covers_the_recovery(pemda):
    _recovering(pemda, -1_000)
    _lock(pemda, compute(pemda, period=NOV))
    assert not Adjustment.objects.filter(carried=True).exists()


def test_the_employee_sees_each_correction_and_where_the_unrecovered_rest_goes(pemda, client):
    staf = _recovering(pemda, -10_000_000, reason="Lebih bayar tunjangan")
    nov = compute(pemda, period=NOV)
    n = _result(nov, staf)
    rest = -(n.net + n.adjustment)
    client.force_login(staf.user)
    html = client.get("/tpp/saya/?periode=2026-11").content.decode()
    assert "Oktober 2026: -Rp10.000.000 — Lebih bayar tunjangan" in html
    assert (
        f"{format_rupiah(rest)}, dibawa ke bulan berikutnya saat daftar bulan ini dikunci" in html
    )
    _lock(pemda, nov)
    html = client.get("/tpp/saya/?periode=2026-11").content.decode()
    assert f"{format_rupiah(rest)}, dibawa ke Desember 2026." in html


# --------------------------------------------------------------------------------------------------
# What is due to someone who has left, and transfers: nothing lost, nothing paid twice


def _work(pemda, employee, periods):
    for period in periods:
        full_attendance(employee, days=workdays(period))
        monthly_minutes(pemda, employee, 15, days=workdays(period))


def _recover_oct(pemda, employee, amount=-10_000_000):
    return services.adjustment_record(
        actor=pemda.bkpsdm1,
        employee=employee,
        source_period=OCT,
        amount=Decimal(amount),
        reason="Lebih bayar",
    )


def test_a_carry_for_someone_who_left_skips_a_month_their_unit_already_locked(pemda, at):
    """The guru leaves on 30 November. Dinas Pendidikan's December list is locked before November's:
    the rest of the recovery carried from November goes past December, never into a locked list
    without them."""
    at("2027-01-15 10:00")  # December locked: a month is locked once it has ended
    dec = Period(2026, 12)
    guru = pemda.people["guru"]
    _work(pemda, guru, (OCT, NOV))
    _lock(pemda, compute(pemda, unit=pemda.opd_a))
    _recover_oct(pemda, guru)
    Assignment.objects.filter(employee=guru).update(end=D(2026, 11, 30))
    _lock(pemda, compute(pemda, unit=pemda.opd_a, period=dec))
    _lock(pemda, compute(pemda, unit=pemda.opd_a, period=NOV))
    carry = Adjustment.objects.get(carried=True)
    assert carry.target_period == "2027-01"


def test_a_carry_for_someone_who_left_gets_a_row_in_an_already_computed_month(pemda, at):
    """December is computed (and verified) before November is locked: the carry adds the guru's
    payment-only row to December's list and sends it back to computed, so its lock keeps it."""
    at("2027-01-15 10:00")  # December locked: a month is locked once it has ended
    dec = Period(2026, 12)
    guru = pemda.people["guru"]
    _work(pemda, guru, (OCT, NOV))
    _lock(pemda, compute(pemda))
    _recover_oct(pemda, guru)
    Assignment.objects.filter(employee=guru).update(end=D(2026, 11, 30))
    december = services.run_verify(actor=pemda.bkpsdm1, run=compute(pemda, period=dec))
    _lock(pemda, compute(pemda, period=NOV))
    carry = Adjustment.objects.get(carried=True)
    december.refresh_from_db()
    assert december.state == Run.State.COMPUTED
    row = Result.objects.get(run=december, employee=guru)
    assert row.detail["payment_only"] and (row.adjustment, row.payable) == (carry.amount, 0)
    assert december.total_adjustment == carry.amount
    _lock(pemda, december)
    # A payment-only row is not carried further: TPP cannot recover from someone who has left.
    assert Adjustment.objects.filter(carried=True).count() == 1


def test_a_release_for_someone_who_left_skips_a_month_their_unit_already_locked(pemda):
    guru = pemda.people["guru"]
    _work(pemda, guru, (OCT,))
    Assignment.objects.filter(employee=guru).update(end=D(2026, 10, 31))
    w = services.withholding_create(actor=pemda.bkpsdm1, employee=guru, period=OCT, reason="LHKPN")
    _lock(pemda, compute(pemda, unit=pemda.opd_a))
    _lock(pemda, compute(pemda, unit=pemda.opd_a, period=NOV))
    w = services.withholding_release(actor=pemda.bkpsdm1, withholding=w)
    assert w.released_period == "2026-12" and w.amount > 0
    run = compute(pemda, unit=pemda.opd_a, period=Period(2026, 12))
    assert Result.objects.get(run=run, employee=guru).payable == w.amount


def test_a_correction_is_not_paid_again_after_a_transfer_from_a_locked_unit_run(pemda):
    """The staff member's November is paid by Dinas Kesehatan's locked list (with a +150.000
    correction); a transfer to Dinas Pendidikan recorded afterwards must not pay it again there."""
    from tests.factories import AssignmentFactory, PositionFactory

    staf = pemda.people["staf"]
    _work(pemda, staf, (OCT, NOV))
    _lock(pemda, compute(pemda))
    _recover_oct(pemda, staf, amount=150_000)
    _lock(pemda, compute(pemda, unit=pemda.opd_b, period=NOV))
    Assignment.objects.filter(employee=staf).update(end=D(2026, 11, 18))
    pos = PositionFactory(unit=pemda.opd_a, kelas=7, parent=pemda.pos["kadis"])
    AssignmentFactory(position=pos, employee=staf, start=D(2026, 11, 19))
    compute(pemda, unit=pemda.opd_a, period=NOV)
    assert Result.objects.filter(employee=staf, run__period="2026-11").count() == 1


def test_the_sp2d_recap_adds_up_when_a_recovery_exceeds_the_month(pemda):
    """Bersih - ditahan + pelepasan + koreksi + sisa potongan = dibayarkan, in the xlsx and the pdf,
    with the uncovered part of the recovery in its own column."""
    import io

    import openpyxl
    from pypdf import PdfReader

    from ekinerja.tpp import exports

    staf = _recovering(pemda, -10_000_000)
    nov = _lock(pemda, compute(pemda, period=NOV))
    n = _result(nov, staf)
    rest = -(n.net + n.adjustment)
    wb = openpyxl.load_workbook(io.BytesIO(exports.recap_xlsx(nov)), data_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "No")
    for line in [r for r in rows if r and (isinstance(r[0], int) or r[0] == "JUMLAH")]:
        t = dict(zip(header, line, strict=False))
        assert (
            t["TPP bersih"] - t["Ditahan"] + t["Pelepasan"] + t["Koreksi"] + t["Sisa potongan"]
            == t["Dibayarkan"]
        ), t
    total = dict(zip(header, next(r for r in rows if r and r[0] == "JUMLAH"), strict=False))
    assert total["Sisa potongan"] == rest and total["Dibayarkan"] == nov.total_payable
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(exports.recap_pdf(nov))).pages)
    assert "Sisa potongan" in text and format_rupiah(rest) in text


def test_attendance_learns_which_employees_month_is_locked(pemda):
    """The roster page's warning reads tpp's locked months through attendance's registry."""
    from ekinerja.attendance.selectors import locked_month_employees

    guru, staf = pemda.people["guru"], pemda.people["staf"]
    run = compute(pemda, unit=pemda.opd_a)
    ids = [guru.id, staf.id]
    assert locked_month_employees(pemda.inst.id, ids, OCT) == set()
    services.run_lock(actor=pemda.bkpsdm2, run=services.run_verify(actor=pemda.bkpsdm1, run=run))
    assert locked_month_employees(pemda.inst.id, ids, OCT) == {guru.id}  # staf: another unit
    assert locked_month_employees(pemda.inst.id, ids, NOV) == set()


def test_a_withholding_reason_longer_than_its_column_is_refused_not_cut(pemda):
    """A 280-character reason was saved cut mid-phrase, and the cut text printed in the list."""
    from ekinerja.tpp.models import Withholding

    guru = pemda.people["guru"]
    reason = "Belum menyerahkan LHKPN dan SKP bulanan " * 7
    with pytest.raises(ValidationError) as err:
        services.withholding_create(actor=pemda.bkpsdm1, employee=guru, period=OCT, reason=reason)
    assert "paling banyak 255 karakter" in err.value.message_dict["reason"][0]
    assert not Withholding.objects.exists()
    w = services.withholding_create(
        actor=pemda.bkpsdm1, employee=guru, period=OCT, reason=reason[:255]
    )
    assert w.reason == reason[:255].strip()


def test_the_run_page_lists_its_corrections_and_the_recovery_carried_on(pemda, client):
    """The run page showed only "koreksi Rp..." in its totals: not which corrections, and not the
    part of a recovery larger than the month's pay, so its totals did not add up."""
    staf = _recovering(pemda, -10_000_000, reason="Lebih bayar tunjangan")
    nov = compute(pemda, period=NOV)
    n = _result(nov, staf)
    rest = -(n.net + n.adjustment)
    client.force_login(pemda.bkpsdm1)
    html = client.get(reverse("tpp:run", args=[nov.pk])).content.decode()
    card = html.split('data-testid="adjustments"')[1].split("</ul>")[0]
    assert "-Rp10.000.000" in card and "koreksi Oktober 2026, dibayar pada November 2026" in card
    assert "Lebih bayar tunjangan" in card and staf.nip in card
    assert nov.total_payable == (
        nov.total_net - nov.total_withheld + nov.total_released + nov.total_adjustment + rest
    )
    assert 'data-testid="carried-total">' in html
    assert format_rupiah(rest) in html.split('data-testid="carried-total">')[1][:200]
    # October's page lists it too: recorded against October, paid in November.
    october = Run.objects.get(period="2026-10")
    html = client.get(reverse("tpp:run", args=[october.pk])).content.decode()
    assert "koreksi Oktober 2026, dibayar pada November 2026" in html
