"""Review of the simulation and recheck pages' wording: a simulation with no baseline at all says so
in a sentence of its own (it read "dibandingkan dengan tidak ada pembanding: ..."), in the page and
in the xlsx, and a recheck's xlsx is named as a recheck, not as a policy simulation."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from ekinerja.tpp import simulation
from ekinerja.tpp.models import Policy as PolicyRow
from ekinerja.tpp.models import Simulation

from .data import OCT
from .test_recheck_after_lock import _locked
from .test_simulation import draft, frozen, pemda  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_no_baseline_is_said_plainly_on_the_page_and_in_the_xlsx(client, pemda, frozen):  # noqa: F811
    policy = draft(pemda)
    PolicyRow.objects.filter(pk=pemda.policy.pk).update(status=PolicyRow.Status.RETIRED)
    client.force_login(pemda.bkpsdm1)
    response = client.post(reverse("tpp:policy-simulate", args=[policy.pk]))
    sim = Simulation.objects.get()
    assert sim.status == Simulation.Status.DONE and sim.baseline["kind"] == "none"
    html = client.get(response["Location"]).content.decode()
    about = html.split('data-testid="simulation-about"')[1].split("</p>")[0]
    assert "dibandingkan dengan tidak ada pembanding" not in about
    assert (
        "Oktober 2026. Tidak ada pembanding: TPP Oktober 2026 belum dihitung dan belum ada "
        "kebijakan berlaku." in about
    )
    xlsx = client.get(reverse("tpp:simulation-download", args=[sim.pk]))
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert ws["A2"].value == (
        "Bulan Oktober 2026; tidak ada pembanding: TPP Oktober 2026 belum dihitung dan belum ada "
        "kebijakan berlaku"
    )


def test_a_simulation_with_a_baseline_keeps_its_wording(client, pemda, frozen):  # noqa: F811
    policy = draft(pemda)
    client.force_login(pemda.bkpsdm1)
    response = client.post(reverse("tpp:policy-simulate", args=[policy.pk]))
    sim = Simulation.objects.get()
    html = client.get(response["Location"]).content.decode()
    assert "dibandingkan dengan perhitungan ulang dengan kebijakan yang berlaku" in html
    xlsx = client.get(reverse("tpp:simulation-download", args=[sim.pk]))
    assert (
        f'filename="Simulasi-TPP-2026-10-{sim.instansi.code}-{sim.pk}.xlsx"'.replace(" ", "-")
        in xlsx["Content-Disposition"]
    )
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert ws["A2"].value.startswith("Bulan Oktober 2026; pembanding: perhitungan ulang")


def test_a_recheck_xlsx_is_named_as_a_recheck(client, pemda):  # noqa: F811
    run = _locked(pemda)
    sim = simulation.recheck_start(actor=pemda.bkpsdm1, run=run)
    simulation.simulation_compute(sim)
    client.force_login(pemda.bkpsdm1)
    xlsx = client.get(reverse("tpp:simulation-download", args=[sim.pk]))
    disposition = xlsx["Content-Disposition"]
    assert "Simulasi" not in disposition
    assert f"Selisih-TPP-sejak-dikunci-{OCT}-" in disposition
