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


def test_a_big_subtree_stops_at_each_sub_unit_with_a_link_to_its_chart(client, org, monkeypatch):
    """A Dinas Pendidikan of 775 schools was 1.5 MB of tree: above CHART_FULL_LIMIT positions the
    chart keeps the unit's own positions and each sub-unit's top one (with its holder), says how
    many lie below it there and links to that sub-unit's chart, which shows them in full."""
    from ekinerja.org import selectors

    school = UnitFactory(instansi=org["inst"], parent=org["unit"], name="SD Negeri 1")
    head_pos = Position.objects.get(unit=org["unit"], name="Kepala")
    kepsek = PositionFactory(unit=school, parent=head_pos, name="Kepala Sekolah", kelas=9)
    for i in range(3):
        PositionFactory(unit=school, parent=kepsek, name=f"Guru {i}")
    employee_with_login(org["inst"], kepsek, name="Bu Kepsek")
    client.force_login(org["head"].user)
    full = client.get(reverse("unit-chart", args=[org["unit"].pk])).content.decode()
    assert "Guru 2" in full and 'data-testid="chart-cut"' not in full  # small: all of it
    monkeypatch.setattr(selectors, "CHART_FULL_LIMIT", 3)
    cut = client.get(reverse("unit-chart", args=[org["unit"].pk])).content.decode()
    assert "Kepala Sekolah" in cut and "Bu Kepsek" in cut and "Guru 2" not in cut
    note = cut.split('data-testid="chart-cut"')[1].split("</div>")[0]
    assert "3 jabatan di bawahnya: lihat struktur SD Negeri 1" in note
    assert reverse("unit-chart", args=[school.pk]) in note
    school_chart = client.get(reverse("unit-chart", args=[school.pk])).content.decode()
    assert "Guru 2" in school_chart


def test_a_superior_opens_a_subordinates_month_from_the_profile_without_pay_data(client, org):
    """An audit found no way from a subordinate's profile to their attendance, waiting entries or
    TPP, while the profile showed their NPWP and bank account to the superior."""
    from ekinerja.org.models import Employee

    Employee.objects.filter(pk=org["staff"].pk).update(
        npwp="12.345.678.9-012.000", bank_name="Bank Kalsel", bank_account="3067835450"
    )
    url = reverse("employee-profile", args=[org["staff"].pk])
    client.force_login(org["head"].user)
    html = client.get(url).content.decode()
    links = html.split('data-testid="month-links"')[1].split("</div>")[0]
    assert reverse("attendance:employee-month", args=[org["staff"].pk]) in links
    assert reverse("tpp:employee", args=[org["staff"].pk]) in links
    assert f"?pegawai={org['staff'].pk}" in links
    assert "3067835450" not in html and "12.345.678.9-012.000" not in html
    assert client.get(reverse("tpp:employee", args=[org["staff"].pk])).status_code == 200
    # The employee sees their own pay data, without the superior's links.
    client.force_login(org["staff"].user)
    html = client.get(url).content.decode()
    assert "3067835450" in html and 'data-testid="month-links"' not in html
    # BKPSDM and BPKAD see pay data; BKPSDM the links too.
    officer = employee_with_login(org["inst"], name="Petugas BKPSDM")
    grant(officer.user, Role.BKPSDM)
    client.force_login(officer.user)
    html = client.get(url).content.decode()
    assert "3067835450" in html and 'data-testid="month-links"' in html
