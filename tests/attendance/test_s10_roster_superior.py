"""A superior's roster page asks who of the unit follows a shift schedule first and who of them is
below the superior after (views.roster): a unit without shift workers (a Dinas Pendidikan of
10,500) no longer costs the month's hierarchy below a kepala bidang, and the grid and its legend
are still those of the rows shown."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from ekinerja.org import selectors as org
from ekinerja.workcal.models import EmployeeSchedule
from tests.factories import PositionFactory, employee_with_login, put_on_schedule, shift_schedule

pytestmark = pytest.mark.django_db
URL = reverse("attendance:roster")


def _page(client, office) -> str:
    response = client.get(URL, {"unit": office.unit.id, "periode": "2026-10"})
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_a_unit_without_shift_workers_does_not_walk_down_the_superiors_month(
    client, office, monkeypatch
):
    def walked(*args, **kwargs):
        raise AssertionError("employees_below asked with nobody to show")

    EmployeeSchedule.objects.filter(employee=office.nurse).delete()
    monkeypatch.setattr(org, "employees_below", walked)
    client.force_login(office.kepala.user)
    page = _page(client, office)
    assert 'data-testid="roster-empty"' in page and "Tidak ada pegawai dengan jadwal shift" in page


def test_the_legend_holds_only_the_schedules_of_the_rows_shown(client, office):
    """A nurse of the same unit under another head, on another shift schedule, is neither a row
    nor in the legend of the kepala dinas's roster; BKPSDM sees both."""
    other_head = PositionFactory(unit=office.unit, instansi=office.instansi, code="KARU2")
    nurse_pos = PositionFactory(
        unit=office.unit, instansi=office.instansi, code="PRW2", parent=other_head
    )
    employee_with_login(office.instansi, other_head, name="Karu Dua")
    nurse2 = employee_with_login(office.instansi, nurse_pos, name="Nanda Perawat")
    put_on_schedule(nurse2, shift_schedule(office.instansi, code="IGD"))

    client.force_login(office.kepala.user)
    page = _page(client, office)
    assert f"roster-row-{office.nurse.nip}" in page and f"roster-row-{nurse2.nip}" not in page
    assert "Shift RS (RS)" in page and "Shift IGD" not in page

    client.force_login(office.bkpsdm_user)
    page = _page(client, office)
    assert f"roster-row-{office.nurse.nip}" in page and f"roster-row-{nurse2.nip}" in page
    assert "Shift RS (RS)" in page and "Shift IGD (IGD)" in page
