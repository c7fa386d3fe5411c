"""The simulation page as BKPSDM reads it at month end (review H6): the per-unit table's "Tanpa
unit" row leads to the employees without a paying unit only (it listed everyone), and the xlsx
has a totals row ("Jumlah", the line above the header) equal to the page's totals to the
rupiah."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from ekinerja.tpp import simulation
from ekinerja.tpp.models import Simulation, SimulationRow
from ekinerja.tpp.tasks import simulate_policy_task

from .test_simulation import OCT, draft, frozen, pemda  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _done(p) -> Simulation:
    base = dict(p.policy.data["base_by_class"], **{"13": 10_000_000})
    sim = simulation.simulation_start(
        actor=p.bkpsdm1, policy=draft(p, base_by_class=base), period=OCT
    )
    simulate_policy_task(sim.pk)
    sim.refresh_from_db()
    assert sim.status == Simulation.Status.DONE
    return sim


def test_the_no_unit_row_lists_only_the_employees_without_a_unit(client, pemda, frozen):  # noqa: F811
    sim = _done(pemda)
    loose = pemda.people["kadis"]
    SimulationRow.objects.filter(simulation=sim, employee=loose).update(unit=None)
    client.force_login(pemda.bkpsdm1)
    url = reverse("tpp:simulation", args=[sim.pk])
    page = client.get(url).content.decode()
    link = re.search(r'<a href="(\?unit=[^"]*)#pegawai">Tanpa unit</a>', page)
    assert link, "the per-unit table has a Tanpa unit row"
    listed = client.get(url + link.group(1)).content.decode()
    rows = re.findall(r'data-testid="sim-row-(\d+)"', listed)
    assert rows == [loose.nip]
    assert '<option value="tanpa" selected>Tanpa unit</option>' in listed
    # Its download holds the same employee only.
    xlsx = client.get(reverse("tpp:simulation-download", args=[sim.pk]) + link.group(1))
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [r[0] for r in ws.iter_rows(min_row=5, values_only=True)] == [loose.nip]
    assert ws["A3"].value == "Jumlah" and ws["B3"].value == "1 pegawai"


def test_the_xlsx_ends_with_totals_equal_to_the_pages(client, pemda, frozen):  # noqa: F811
    sim = _done(pemda)
    client.force_login(pemda.bkpsdm1)
    response = client.get(reverse("tpp:simulation-download", args=[sim.pk]))
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    people = list(ws.iter_rows(min_row=5, values_only=True))
    [total] = ws.iter_rows(min_row=3, max_row=3, values_only=True)
    assert len(people) == sim.employees and "Jumlah" not in [r[0] for r in people]
    assert ws["A4"].value == "NIP"  # the header follows the totals line
    assert total[0] == "Jumlah" and total[1] == f"{sim.employees} pegawai"
    assert total[3:9] == (
        sim.old_gross,
        sim.old_net,
        sim.new_gross,
        sim.new_net,
        sim.gross_difference,
        sim.net_difference,
    )
    assert total[8] == 1_691_500
