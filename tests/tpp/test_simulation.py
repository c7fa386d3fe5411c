"""Simulating a draft policy on a past month: an identical draft changes nothing, a higher class base
gives the hand-computed difference per employee and per unit, the baseline is the stored run or a
computation with the policy in force, nothing is written to Run/Result/audit, a fixed number of
queries, and the pages (BKPSDM only; others 403, another instansi 404)."""

from __future__ import annotations

import copy
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.core.models import AuditEvent
from ekinerja.core.periods import Period
from ekinerja.org.models import Assignment
from ekinerja.tpp import services, simulation
from ekinerja.tpp.models import Policy as PolicyRow
from ekinerja.tpp.models import Result, Run, Sentence, Simulation, SimulationRow
from ekinerja.tpp.templatetags.tpp import selisih
from tests.factories import InstansiFactory, UserFactory, employee_with_login, grant

from .data import OCT, add_staff, full_attendance, make_pemda, monthly_minutes, rate, workdays

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)  # 20 November 2026 in WITA: "last month" = Oct


@pytest.fixture
def pemda():
    """Kadis A late twice (10 and 20 minutes), everyone else on time; full activity; SKP Baik."""
    p = make_pemda()
    days = workdays()
    for key, e in p.people.items():
        full_attendance(e, late={days[0]: 10, days[1]: 20} if key == "kadis" else None)
        monthly_minutes(p, e, 15)
        rate(e, "baik")
    return p


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def draft(p, **changes):
    """A draft copy of the adopted policy's data with nested changes (a__b=value)."""
    data = copy.deepcopy(p.policy.data)
    data["name"] = "Draf uji"
    for dotted, value in changes.items():
        node, keys = data, dotted.split("__")
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return services.policy_save(actor=p.bkpsdm1, instansi=p.inst, data=data)


def by_nip(sim) -> dict:
    return {r.nip: r for r in sim.rows}


def _counts() -> tuple[int, int, int]:
    return Run.objects.count(), Result.objects.count(), AuditEvent.objects.count()


# --------------------------------------------------------------------------------------------------
# simulate_policy


@pytest.mark.parametrize("with_run", [False, True], ids=["no-run", "stored-run"])
def test_an_identical_draft_changes_nothing(pemda, with_run):
    if with_run:
        services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    sim = simulation.simulate_policy(pemda.inst, draft(pemda), OCT)
    assert sim.baseline["kind"] == ("run" if with_run else "policy")
    assert len(sim.rows) == 4
    for row in sim.rows:
        assert row.old_net == row.new_net and row.old_gross == row.new_gross
        assert row.difference == 0 and row.changes == {}
    assert sim.total.difference == 0 and sim.total.same == 4 and sim.total.up == 0
    assert all(u.difference == 0 for u in sim.units)


def test_a_higher_class_base_gives_the_hand_computed_difference(pemda):
    base = dict(pemda.policy.data["base_by_class"], **{"13": 10_000_000})
    sim = simulation.simulate_policy(pemda.inst, draft(pemda, base_by_class=base), OCT)
    rows = by_nip(sim)
    kadis, kadis_b = pemda.people["kadis"], pemda.people["kadis_b"]
    # Kadis A (IV/c, kelas 13, late twice): before, ceiling 9,000,000, attendance 2,700,000 - 2 x
    # 0.5% x 9,000,000 = 2,610,000, activity 4,500,000, SKP 1,800,000: gross 8,910,000, PPh 15%
    # 1,336,500, BPJS 65,000, net 7,508,500. With 10,000,000: attendance 3,000,000 - 100,000 =
    # 2,900,000, activity 5,000,000, SKP 2,000,000: gross 9,900,000, PPh 1,485,000, BPJS 65,000
    # (1% of the 6,500,000 under the 12,000,000 cap), net 8,350,000.
    r = rows[kadis.nip]
    assert (r.old_gross, r.old_net) == (Decimal(8_910_000), Decimal(7_508_500))
    assert (r.new_gross, r.new_net) == (Decimal(9_900_000), Decimal(8_350_000))
    assert r.difference == 841_500 and r.gross_difference == 990_000
    assert r.changes == {
        "ceiling": (9_000_000, 10_000_000),
        "attendance": (2_610_000, 2_900_000),
        "activity": (4_500_000, 5_000_000),
        "skp": (1_800_000, 2_000_000),
        "pph21": (1_336_500, 1_485_000),
    }
    # Kadis B (IV/b, kelas 13, on time): gross 9,000,000 -> 10,000,000, PPh 15%: net +850,000.
    assert rows[kadis_b.nip].difference == 850_000
    # Kelas 9 and 7 are untouched.
    for key in ("guru", "staf"):
        row = rows[pemda.people[key].nip]
        assert row.difference == 0 and row.changes == {} and row.old_net > 0
    units = {u.unit_id: u for u in sim.units}
    a, b = units[pemda.opd_a.pk], units[pemda.opd_b.pk]
    assert (a.employees, a.difference, a.up, a.down, a.same) == (2, 841_500, 1, 0, 1)
    assert (b.employees, b.difference, b.up, b.same) == (2, 850_000, 1, 1)
    assert [u.unit_id for u in sim.units] == [pemda.opd_b.pk, pemda.opd_a.pk]  # largest first
    assert sim.total.difference == 1_691_500 and sim.total.old_net + 1_691_500 == sim.total.new_net
    assert all(isinstance(v, Decimal) for v in (r.difference, a.difference, sim.total.new_net))


def test_a_weight_change_shows_which_components_changed(pemda):
    # 40/40/20 instead of 30/50/20: with deductions from the ceiling and full activity, the gross
    # stays the same, but the attendance and activity amounts move.
    comps = [
        {"key": "attendance", "weight": 40},
        {"key": "activity", "weight": 40},
        {"key": "skp", "weight": 20},
    ]
    sim = simulation.simulate_policy(pemda.inst, draft(pemda, components=comps), OCT)
    r = by_nip(sim)[pemda.people["kadis"].nip]
    # attendance 3,600,000 - 90,000 = 3,510,000; activity 3,600,000.
    assert r.changes == {"attendance": (2_610_000, 3_510_000), "activity": (4_500_000, 3_600_000)}
    assert r.difference == 0


def test_the_baseline_is_the_stored_run_unless_asked_to_recompute(pemda):
    services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    # After the run, the staff gets a discipline sentence for October (data changed since).
    staf = pemda.people["staf"]
    Sentence.objects.create(
        instansi=pemda.inst, employee=staf, level="ringan", start=OCT.first_day, end=OCT.last_day
    )
    same = draft(pemda)
    stored = simulation.simulate_policy(pemda.inst, same, OCT)
    assert stored.baseline["kind"] == "run" and stored.baseline["stored"] == 4
    assert "(status: Dihitung)" in stored.baseline["label"]
    assert by_nip(stored)[staf.nip].difference < 0  # the data change shows against stored results
    fresh = simulation.simulate_policy(pemda.inst, same, OCT, baseline="policy")
    assert fresh.baseline["kind"] == "policy" and fresh.baseline["computed"] == 4
    assert fresh.total.difference == 0  # the policy alone changes nothing


def test_unit_runs_that_cover_part_of_the_month_are_completed_by_a_computation(pemda):
    services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT, unit=pemda.opd_a)
    sim = simulation.simulate_policy(pemda.inst, draft(pemda), OCT)
    assert sim.baseline["kind"] == "mixed"
    assert (sim.baseline["stored"], sim.baseline["computed"]) == (2, 2)
    assert sim.total.difference == 0 and len(sim.rows) == 4


def test_someone_no_longer_in_the_month_keeps_the_stored_row_with_nothing_new(pemda):
    services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    staf = pemda.people["staf"]
    Assignment.objects.filter(employee=staf).update(start=dt.date(2026, 11, 1))
    sim = simulation.simulate_policy(pemda.inst, draft(pemda), OCT)
    r = by_nip(sim)[staf.nip]
    assert r.new_net is None and r.old_net > 0 and r.difference == -r.old_net
    assert r.unit_id == pemda.opd_b.pk


def test_no_baseline_at_all_counts_the_old_side_as_nothing(pemda):
    PolicyRow.objects.filter(pk=pemda.policy.pk).update(status=PolicyRow.Status.RETIRED)
    sim = simulation.simulate_policy(pemda.inst, draft(pemda), OCT)
    assert sim.baseline["kind"] == "none" and sim.baseline["without_baseline"] == 4
    assert all(r.old_net is None for r in sim.rows)
    assert sim.total.difference == sim.total.new_net > 0 and sim.total.up == 4


def test_simulating_writes_no_run_result_or_audit(pemda):
    services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    policy = draft(pemda, **{"base_by_class": {"13": 1}})
    before = _counts()
    stored = list(Result.objects.values_list("pk", "net", "payable"))
    simulation.simulate_policy(pemda.inst, policy, OCT)
    simulation.simulate_policy(pemda.inst, policy, Period(2026, 9), baseline="policy")
    assert _counts() == before
    assert list(Result.objects.values_list("pk", "net", "payable")) == stored
    policy.refresh_from_db()
    assert policy.status == PolicyRow.Status.DRAFT


@pytest.mark.parametrize("with_run", [False, True], ids=["no-run", "stored-run"])
def test_query_count_does_not_grow_with_employees(pemda, with_run, django_assert_max_num_queries):
    policy = draft(pemda)

    def staff(n):
        for e in add_staff(pemda, n):
            full_attendance(e)
            monthly_minutes(pemda, e, 10)
        if with_run:
            services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)

    staff(3)
    with CaptureQueriesContext(connection) as few:
        n_few = len(simulation.simulate_policy(pemda.inst, policy, OCT).rows)
    staff(n_few + 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        n_many = len(simulation.simulate_policy(pemda.inst, policy, OCT).rows)
    assert n_many >= 2 * n_few


# --------------------------------------------------------------------------------------------------
# Stored simulations and the job


def test_the_job_stores_rows_and_totals_and_replaces_an_earlier_simulation(pemda):
    base = dict(pemda.policy.data["base_by_class"], **{"13": 10_000_000})
    policy = draft(pemda, base_by_class=base)
    first = simulation.simulation_start(actor=pemda.bkpsdm1, policy=policy, period=OCT)
    from ekinerja.tpp.tasks import simulate_policy_task

    simulate_policy_task(first.pk)
    first.refresh_from_db()
    assert first.status == Simulation.Status.DONE and first.progress == 100
    assert (first.employees, first.up, first.down, first.same) == (4, 2, 0, 2)
    assert first.net_difference == 1_691_500 and first.baseline["kind"] == "policy"
    row = SimulationRow.objects.get(simulation=first, nip=pemda.people["kadis"].nip)
    assert row.difference == 841_500 and row.abs_difference == 841_500
    assert row.changes["ceiling"] == ["9000000", "10000000"]
    units = simulation.simulation_units(first)
    assert [u["unit_id"] for u in units] == [pemda.opd_b.pk, pemda.opd_a.pk]
    assert units[0]["difference"] == 850_000 and units[0]["up"] == 1 and units[0]["same"] == 1
    again = simulation.simulation_start(actor=pemda.bkpsdm1, policy=policy, period=OCT)
    # Replaced once the new one is queued (a new one that cannot be queued keeps the old result).
    assert Simulation.objects.filter(pk=first.pk).exists()
    simulation.simulation_replace_earlier(again)
    assert not Simulation.objects.filter(pk=first.pk).exists()
    assert not SimulationRow.objects.filter(simulation_id=first.pk).exists()
    assert Simulation.objects.get().pk == again.pk


def test_a_failed_job_says_why(pemda, monkeypatch):
    policy = draft(pemda)
    sim = simulation.simulation_start(actor=pemda.bkpsdm1, policy=policy, period=OCT)

    def boom(*args, **kwargs):
        raise RuntimeError("disk penuh")

    monkeypatch.setattr(simulation, "simulate_policy", boom)
    sim = simulation.simulation_compute(sim)
    assert sim.status == Simulation.Status.FAILED and "RuntimeError" in sim.error
    assert not SimulationRow.objects.exists()


def test_only_a_bkpsdm_draft_is_simulated(pemda):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError):
        simulation.simulation_start(actor=pemda.bkpsdm1, policy=pemda.policy, period=OCT)
    with pytest.raises(PermissionDenied):
        simulation.simulation_start(actor=pemda.bpkad, policy=draft(pemda), period=OCT)
    assert not Simulation.objects.exists()


def test_only_a_past_month_is_simulated_by_the_service(pemda, frozen):
    from django.core.exceptions import ValidationError

    policy = draft(pemda)
    for month in (
        Period(2026, 11),
        Period(2026, 12),
    ):  # the current month (frozen: 20 Nov) and later
        with pytest.raises(ValidationError, match="sudah lewat"):
            simulation.simulation_start(actor=pemda.bkpsdm1, policy=policy, period=month)
    assert not Simulation.objects.exists()
    simulation.simulation_start(actor=pemda.bkpsdm1, policy=policy, period=OCT)
    assert Simulation.objects.count() == 1


def test_signed_rupiah():
    assert selisih(Decimal(841_500)) == "+Rp841.500"
    assert selisih(Decimal(-1_234_567)) == "-Rp1.234.567"
    assert selisih(Decimal(0)) == "Rp0" and selisih(None) == "-"


# --------------------------------------------------------------------------------------------------
# Pages


def _login(client, user):
    client.force_login(getattr(user, "user", None) or user)
    return client


def test_bkpsdm_simulates_from_the_draft_page_and_reads_the_differences(client, pemda, frozen):
    base = dict(pemda.policy.data["base_by_class"], **{"13": 10_000_000})
    policy = draft(pemda, base_by_class=base)
    _login(client, pemda.bkpsdm1)
    edit = client.get(reverse("tpp:policy", args=[policy.pk])).content.decode()
    assert 'data-testid="simulate-form"' in edit and "Simulasikan pada bulan lalu" in edit
    assert '<option value="2026-10" selected>Oktober 2026</option>' in edit
    listing = client.get(reverse("tpp:policies")).content.decode()
    assert f'data-testid="simulate-{policy.pk}"' in listing
    assert f'data-testid="simulate-{pemda.policy.pk}"' not in listing  # adopted: no button
    before = _counts()
    response = client.post(reverse("tpp:policy-simulate", args=[policy.pk]))  # default month
    sim = Simulation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "tpp:simulation", args=[sim.pk]
    )
    assert sim.period == "2026-10" and sim.status == Simulation.Status.DONE
    assert _counts() == before  # no run, result or audit row
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="sim-units"' in html and "Dinas Kesehatan" in html
    assert "+Rp1.691.500" in html and "+Rp841.500" in html and "+Rp850.000" in html
    assert "Oktober 2026" in html and "Rp9.000.000 &rarr; Rp10.000.000" in html
    assert 'data-testid="simulation-progress"' in html and "hx-trigger" not in html
    # Who ran it by name (not the account's username); the draft lists it by its month in words.
    assert f"oleh {pemda.bkpsdm1.username}" in html  # an account without an employee record
    from tests.factories import EmployeeFactory

    EmployeeFactory(instansi=pemda.inst, user=pemda.bkpsdm1, name="Rina Wulandari")
    html = client.get(response["Location"]).content.decode()
    assert "oleh Rina Wulandari" in html
    edit = client.get(reverse("tpp:policy", args=[policy.pk])).content.decode()
    assert "Simulasi Oktober 2026</a>" in edit.split('data-testid="recent-simulations"')[1]
    # Filters: one unit, only changed, search.
    only_a = client.get(f"{response['Location']}?unit={pemda.opd_a.pk}").content.decode()
    assert pemda.people["kadis"].name in only_a and pemda.people["staf"].name not in only_a
    changed = client.get(f"{response['Location']}?berubah=1").content.decode()
    assert pemda.people["kadis_b"].name in changed and pemda.people["guru"].name not in changed
    found = client.get(f"{response['Location']}?q={pemda.people['staf'].nip}").content.decode()
    assert pemda.people["staf"].name in found and pemda.people["kadis"].name not in found
    # The xlsx has every (filtered) row with its difference.
    xlsx = client.get(reverse("tpp:simulation-download", args=[sim.pk]) + "?berubah=1")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    table = list(sheet.iter_rows(min_row=5, values_only=True))
    assert {row[0]: row[8] for row in table} == {
        pemda.people["kadis"].nip: 841_500,
        pemda.people["kadis_b"].nip: 850_000,
    }
    assert "Pagu Rp9.000.000 → Rp10.000.000" in table[0][9]


def test_month_choice_and_bad_months(client, pemda, frozen):
    policy = draft(pemda)
    _login(client, pemda.bkpsdm1)
    # ?periode= preselects an earlier month, even one older than the list of twelve.
    edit = client.get(reverse("tpp:policy", args=[policy.pk]) + "?periode=2025-03")
    assert '<option value="2025-03" selected>Maret 2025</option>' in edit.content.decode()
    url = reverse("tpp:policy-simulate", args=[policy.pk])
    client.post(url, {"periode": "2026-09", "pembanding": "policy"})
    sim = Simulation.objects.get()
    assert sim.period == "2026-09" and sim.baseline_mode == "policy"
    for bad, words in (("2026-13", "tidak valid"), ("2026-11", "sudah lewat")):
        response = client.post(url, {"periode": bad}, follow=True)
        assert words in response.content.decode()
    assert Simulation.objects.count() == 1
    adopted = client.post(
        reverse("tpp:policy-simulate", args=[pemda.policy.pk]), {"periode": "2026-10"}, follow=True
    )
    assert "Hanya draf" in adopted.content.decode() and Simulation.objects.count() == 1


def test_the_page_is_paginated_and_its_queries_do_not_grow(client, pemda, frozen):
    policy = draft(pemda)
    _login(client, pemda.bkpsdm1)
    client.post(reverse("tpp:policy-simulate", args=[policy.pk]))
    url = reverse("tpp:simulation", args=[Simulation.objects.get().pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for e in add_staff(pemda, 60):
        full_attendance(e)
    client.post(reverse("tpp:policy-simulate", args=[policy.pk]))
    sim = Simulation.objects.get()
    url = reverse("tpp:simulation", args=[sim.pk])
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert len(many.captured_queries) <= len(few.captured_queries)
    assert sim.employees == 64 and html.count('data-testid="sim-row-') == 50
    assert "halaman 1/2" in html
    assert client.get(url + "?hal=2").content.decode().count('data-testid="sim-row-') == 14


def test_progress_is_polled_while_the_job_runs_then_the_page_reloads(client, pemda):
    policy = draft(pemda)
    sim = simulation.simulation_start(actor=pemda.bkpsdm1, policy=policy, period=OCT)
    Simulation.objects.filter(pk=sim.pk).update(status="running", progress=45)
    _login(client, pemda.bkpsdm1)
    url = reverse("tpp:simulation-progress", args=[sim.pk])
    busy = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in busy and "45%" in busy
    page = client.get(reverse("tpp:simulation", args=[sim.pk])).content.decode()
    assert "45%" in page and 'data-testid="sim-units"' not in page
    simulation.simulation_compute(sim)
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done["HX-Redirect"] == reverse("tpp:simulation", args=[sim.pk])


def test_a_changed_draft_marks_the_simulation_stale(client, pemda):
    policy = draft(pemda)
    sim = simulation.simulation_compute(
        simulation.simulation_start(actor=pemda.bkpsdm1, policy=policy, period=OCT)
    )
    url = reverse("tpp:simulation", args=[sim.pk])
    _login(client, pemda.bkpsdm1)
    assert 'data-testid="simulation-stale"' not in client.get(url).content.decode()
    data = dict(policy.data, name="Draf uji diubah")
    services.policy_save(actor=pemda.bkpsdm1, instansi=pemda.inst, data=data, policy=policy)
    assert 'data-testid="simulation-stale"' in client.get(url).content.decode()


def test_only_bkpsdm_may_simulate_and_see_simulations(client, pemda, frozen):
    policy = draft(pemda)
    sim = simulation.simulation_compute(
        simulation.simulation_start(actor=pemda.bkpsdm1, policy=policy, period=OCT)
    )
    urls = [
        reverse("tpp:simulation", args=[sim.pk]),
        reverse("tpp:simulation-progress", args=[sim.pk]),
        reverse("tpp:simulation-download", args=[sim.pk]),
    ]
    start = reverse("tpp:policy-simulate", args=[policy.pk])
    for who in (pemda.people["staf"], pemda.bpkad):
        _login(client, who)
        assert [client.get(u).status_code for u in urls] == [403, 403, 403]
        assert client.post(start).status_code == 403
    # BPKAD sees the policy pages but no simulation button.
    assert (
        "simulate-form" not in client.get(reverse("tpp:policy", args=[policy.pk])).content.decode()
    )
    # Another instansi's BKPSDM: 404 for everything of this one.
    other = InstansiFactory(code="6307", name="Kabupaten Lain")
    outsider = UserFactory(instansi=other, username="bkpsdm-lain")
    grant(outsider, "bkpsdm")
    _login(client, outsider)
    assert [client.get(u).status_code for u in urls] == [404, 404, 404]
    assert client.post(start).status_code == 404
    assert Simulation.objects.count() == 1
    # A plain employee of the same instansi never sees the button either.
    someone = employee_with_login(pemda.inst, pemda.pos["staf"], name="Pegawai Biasa")
    _login(client, someone)
    assert client.get(reverse("tpp:policies")).status_code == 403
