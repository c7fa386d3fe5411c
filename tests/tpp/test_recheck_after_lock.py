"""A locked list never changes; what changed after the lock (an entry approved late, a leave decided,
a hire recorded) is paid or recovered by a correction. "Periksa selisih sejak dikunci" computes the
locked month again with the list's own policy and today's data beside what it paid
(simulation.recheck_start, Simulation.Kind.RECHECK), and each employee's difference can be recorded
as a correction from the same page, less what was already recorded. Before, BKPSDM had no way to
find those employees but by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ekinerja.core.money import format_rupiah
from ekinerja.tpp import services, simulation
from ekinerja.tpp.models import Adjustment, Result, Simulation, SimulationRow

from .data import OCT, add_staff, full_attendance, leave, make_pemda, workdays

pytestmark = pytest.mark.django_db


@pytest.fixture
def pemda():
    p = make_pemda()
    for e in p.people.values():
        full_attendance(e, skip=workdays()[-1:])  # nobody punched on the last working day
    return p


def _locked(p):
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    run = services.run_verify(actor=p.bkpsdm1, run=run)
    return services.run_lock(actor=p.bkpsdm2, run=run)


def _paid(run, employee) -> Decimal:
    return Result.objects.get(run=run, employee=employee).net


def test_only_bkpsdm_rechecks_and_only_a_locked_list(pemda):
    p = pemda
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    with pytest.raises(ValidationError, match="hanya dapat diperiksa untuk daftar yang sudah"):
        simulation.recheck_start(actor=p.bkpsdm1, run=run)
    run = services.run_lock(actor=p.bkpsdm2, run=services.run_verify(actor=p.bkpsdm1, run=run))
    with pytest.raises(PermissionDenied):
        simulation.recheck_start(actor=p.bpkad, run=run)
    with pytest.raises(PermissionDenied):
        simulation.recheck_start(actor=p.people["guru"].user, run=run)
    assert not Simulation.objects.exists()


def test_the_recheck_shows_what_changed_after_the_lock_and_records_the_corrections(pemda, client):
    p = pemda
    run = _locked(p)
    guru, staf = p.people["guru"], p.people["staf"]
    paid_guru = _paid(run, guru)
    # After the lock: the guru's leave for the last day is approved, and a new staff member's
    # post from 1 October is recorded (the list never held her).
    leave(guru, "cuti_tahunan", workdays()[-1], workdays()[-1])
    (late,) = add_staff(p, 1)
    full_attendance(late)

    client.force_login(p.bkpsdm1)
    run_page = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
    assert 'data-testid="recheck-start"' in run_page
    r = client.post(reverse("tpp:run-recheck", args=[run.pk]))
    sim = Simulation.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("tpp:simulation", args=[sim.pk])
    assert sim.kind == Simulation.Kind.RECHECK and sim.status == Simulation.Status.DONE
    assert sim.policy_id == run.policy_id and sim.period == "2026-10"
    rows = {row.employee_id: row for row in SimulationRow.objects.filter(simulation=sim)}
    # The locked list is what it was.
    assert _paid(run, guru) == paid_guru
    assert rows[guru.pk].old_net == paid_guru
    assert rows[guru.pk].difference > 0  # the absence became a leave
    assert rows[staf.pk].difference == 0
    # Never paid for October: compared with Rp0, the whole month is due.
    assert rows[late.pk].old_net is None
    assert rows[late.pk].difference == rows[late.pk].new_net > 0

    page = client.get(reverse("tpp:simulation", args=[sim.pk])).content.decode()
    assert "Selisih TPP Oktober 2026 sejak dikunci" in page
    assert 'data-testid="recheck-about"' in page and "Dibayar" in page
    assert 'data-testid="simulation-stale"' not in page  # an adopted policy is expected here
    due = rows[guru.pk].difference
    assert f'value="{format_rupiah(due)}"' in page
    assert page.count('data-testid="correct-form"') == 2  # the guru and the new staff member

    r = client.post(
        reverse("tpp:simulation-correct", args=[sim.pk]),
        {
            "nip": guru.nip,
            "amount": format_rupiah(due),
            "reason": "Selisih TPP Oktober 2026 setelah daftar dikunci",
            "berubah": "1",
        },
    )
    assert r.status_code == 302
    assert r["Location"] == reverse("tpp:simulation", args=[sim.pk]) + "?berubah=1#pegawai"
    adj = Adjustment.objects.get(employee=guru)
    assert (adj.source_period, adj.target_period, adj.amount) == ("2026-10", "2026-11", due)
    page = client.get(reverse("tpp:simulation", args=[sim.pk])).content.decode()
    assert f"koreksi tercatat {'+' + format_rupiah(due)}" in page
    assert page.count('data-testid="correct-form"') == 1  # only the new staff member's is left
    # The run page lists the recheck with its figures.
    run_page = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
    assert 'data-testid="rechecks"' in run_page and "2 naik" in run_page


def test_a_refused_correction_says_why_and_records_nothing(pemda, client):
    p = pemda
    run = _locked(p)
    leave(p.people["guru"], "cuti_tahunan", workdays()[-1], workdays()[-1])
    sim = simulation.recheck_start(actor=p.bkpsdm1, run=run)
    simulation.simulation_compute(sim)
    client.force_login(p.bkpsdm1)
    r = client.post(
        reverse("tpp:simulation-correct", args=[sim.pk]),
        {"nip": p.people["guru"].nip, "amount": "12,5", "reason": "Selisih"},
        follow=True,
    )
    assert "Jumlah koreksi harus rupiah bulat" in r.content.decode()
    assert not Adjustment.objects.exists()


def test_a_draft_simulation_offers_no_correction(pemda, client):
    from ekinerja.tpp.policy import hss_template

    p = pemda
    _locked(p)
    draft = services.policy_save(actor=p.bkpsdm1, instansi=p.inst, data=hss_template("2026-12-01"))
    sim = simulation.simulation_start(actor=p.bkpsdm1, policy=draft, period=OCT)
    simulation.simulation_compute(sim)
    client.force_login(p.bkpsdm1)
    page = client.get(reverse("tpp:simulation", args=[sim.pk])).content.decode()
    assert 'data-testid="correct-form"' not in page and "Simulasi kebijakan" in page
    r = client.post(
        reverse("tpp:simulation-correct", args=[sim.pk]),
        {"nip": p.people["guru"].nip, "amount": "1.000", "reason": "Selisih"},
    )
    assert r.status_code == 404
    assert not Adjustment.objects.exists()


def test_the_recheck_xlsx_says_what_it_compares(pemda, client):
    import io

    import openpyxl

    p = pemda
    run = _locked(p)
    leave(p.people["guru"], "cuti_tahunan", workdays()[-1], workdays()[-1])
    sim = simulation.recheck_start(actor=p.bkpsdm1, run=run)
    simulation.simulation_compute(sim)
    client.force_login(p.bkpsdm1)
    r = client.get(reverse("tpp:simulation-download", args=[sim.pk]))
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert ws["A1"].value == "Selisih TPP Oktober 2026 sejak dikunci"
    assert [c.value for c in ws[4]][3:7] == [
        "Kotor dibayar",
        "Bersih dibayar",
        "Kotor data sekarang",
        "Bersih data sekarang",
    ]
    guru = next(
        row for row in ws.iter_rows(min_row=5, values_only=True) if row[0] == p.people["guru"].nip
    )
    assert guru[8] > 0


def test_a_recovery_carried_at_the_lock_is_not_taken_for_a_correction(pemda, client):
    """A recovery larger than October's pay is carried to November at the lock (carried=True,
    source October): it is an earlier correction moving on. Counted as one of October's, it made a
    row with no difference offer to pay Rp2.000.000 back."""
    p = pemda
    run = _locked(p)
    guru = p.people["guru"]
    Adjustment.objects.create(
        instansi=p.inst,
        employee=guru,
        source_period="2026-10",
        target_period="2026-11",
        amount=Decimal(-2_000_000),
        reason="Sisa potongan koreksi",
        carried=True,
        created_by=p.bkpsdm1,
    )
    sim = simulation.recheck_start(actor=p.bkpsdm1, run=run)
    simulation.simulation_compute(sim)
    assert SimulationRow.objects.get(simulation=sim, employee=guru).difference == 0
    assert simulation.recorded_corrections(sim, [guru.pk]) == {}
    client.force_login(p.bkpsdm1)
    page = client.get(reverse("tpp:simulation", args=[sim.pk])).content.decode()
    assert 'data-testid="correct-form"' not in page


def test_a_unit_lists_recheck_compares_only_that_list(pemda, client):
    """OPD A's list is locked, OPD B's month never computed: A's recheck holds A's employees only
    (before, B's showed as "naik" by their whole TPP, with correction forms the service refused),
    and the run page lists the recheck under A's list alone."""
    p = pemda
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT, unit=p.opd_a)
    run = services.run_lock(actor=p.bkpsdm2, run=services.run_verify(actor=p.bkpsdm1, run=run))
    leave(p.people["guru"], "cuti_tahunan", workdays()[-1], workdays()[-1])
    sim = simulation.recheck_start(actor=p.bkpsdm1, run=run)
    simulation.simulation_compute(sim)
    sim.refresh_from_db()
    rows = {r.employee_id: r for r in SimulationRow.objects.filter(simulation=sim)}
    assert set(rows) == {p.people["kadis"].pk, p.people["guru"].pk}
    assert rows[p.people["guru"].pk].difference > 0 and rows[p.people["kadis"].pk].difference == 0
    assert (sim.up, sim.down, sim.same) == (1, 0, 1)
    client.force_login(p.bkpsdm1)
    page = client.get(reverse("tpp:simulation", args=[sim.pk])).content.decode()
    assert page.count('data-testid="correct-form"') == 1
    assert "Dinas Pendidikan" in page.split("</h1>")[0]
    # Another unit's locked list has its own rechecks.
    run_b = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT, unit=p.opd_b)
    run_b = services.run_lock(actor=p.bkpsdm2, run=services.run_verify(actor=p.bkpsdm1, run=run_b))
    assert simulation.rechecks_of(run) == [sim] and simulation.rechecks_of(run_b) == []
    other = simulation.recheck_start(actor=p.bkpsdm1, run=run_b)
    simulation.simulation_replace_earlier(other)
    assert Simulation.objects.filter(pk=sim.pk).exists()  # A's recheck is not replaced by B's


def test_the_recheck_says_when_the_months_tpp_is_still_withheld(pemda, client):
    p = pemda
    guru = p.people["guru"]
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    services.withholding_create(actor=p.bkpsdm1, employee=guru, period=OCT, reason="LHKPN")
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    run = services.run_lock(actor=p.bkpsdm2, run=services.run_verify(actor=p.bkpsdm1, run=run))
    leave(guru, "cuti_tahunan", workdays()[-1], workdays()[-1])
    sim = simulation.recheck_start(actor=p.bkpsdm1, run=run)
    simulation.simulation_compute(sim)
    assert simulation.withheld_in(sim, [guru.pk, p.people["staf"].pk]) == {guru.pk}
    client.force_login(p.bkpsdm1)
    page = client.get(reverse("tpp:simulation", args=[sim.pk])).content.decode()
    row = page.split(f'data-testid="sim-row-{guru.nip}"')[1].split("</tr>")[0]
    assert 'data-testid="recheck-withheld"' in row and "masih ditahan" in row
    assert page.count('data-testid="recheck-withheld"') == 1
