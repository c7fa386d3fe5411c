"""Org chart: names link to a profile only where that profile would open for the viewer."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.org.models import Position, Role
from tests.factories import (
    AssignmentFactory,
    EmployeeFactory,
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    grant,
)

pytestmark = pytest.mark.django_db

PASSWORD = "Rahasia-Kuat-2026!"


@pytest.fixture
def org():
    inst = InstansiFactory()
    unit = UnitFactory(instansi=inst)
    head_pos = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=12, name="Kepala")
    staff_pos = PositionFactory(unit=unit, parent=head_pos, name="Staf")
    head = employee_with_login(inst, head_pos, name="Bu Kepala")
    staff = employee_with_login(inst, staff_pos, name="Pak Staf")
    other = EmployeeFactory(instansi=inst, name="Pak Lain")
    AssignmentFactory(position=staff_pos, employee=other)
    return {"inst": inst, "unit": unit, "head": head, "staff": staff, "other": other}


def _linked_ids(client, user, unit):
    client.force_login(user)
    html = client.get(reverse("unit-chart", args=[unit.pk])).content.decode()
    return html


def _link(emp) -> str:
    return f'href="{reverse("employee-profile", args=[emp.pk])}"'


def test_ordinary_employee_sees_names_but_only_own_profile_link(client, org):
    html = _linked_ids(client, org["staff"].user, org["unit"])
    assert "Bu Kepala" in html and "Pak Lain" in html
    assert _link(org["staff"]) in html
    assert _link(org["head"]) not in html
    assert _link(org["other"]) not in html
    # and what is not linked really does not open
    assert client.get(reverse("employee-profile", args=[org["other"].pk])).status_code == 404


def test_superior_gets_links_to_subordinates(client, org):
    html = _linked_ids(client, org["head"].user, org["unit"])
    for emp in (org["head"], org["staff"], org["other"]):
        assert _link(emp) in html
        assert client.get(reverse("employee-profile", args=[emp.pk])).status_code == 200


def test_bkpsdm_and_admin_opd_get_links(client, org):
    viewer = employee_with_login(org["inst"], name="Petugas")
    grant(viewer.user, Role.BKPSDM)
    html = _linked_ids(client, viewer.user, org["unit"])
    assert _link(org["head"]) in html and _link(org["other"]) in html

    admin = employee_with_login(org["inst"], name="Admin OPD")
    grant(admin.user, Role.ADMIN_OPD, unit=org["unit"])
    html = _linked_ids(client, admin.user, org["unit"])
    assert _link(org["head"]) in html and _link(org["other"]) in html


def test_chart_query_count_does_not_grow_with_staff(client, org):
    client.force_login(org["staff"].user)
    url = reverse("unit-chart", args=[org["unit"].pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    staff_pos = org["staff"].assignments.get().position
    for _ in range(5):
        AssignmentFactory(position=PositionFactory(unit=org["unit"], parent=staff_pos.parent))
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)
