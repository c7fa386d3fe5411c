"""user_roles asks on every page whether a superior leads anyone (leads_anyone): one definitif
holder right below a post they lead answers it. That query asked for the first by name
(Assignment's ordering), so the database sorted every holder below for one row: 0.1-0.2 s on every
page of a kepala bidang over 600 school heads (bench/pages.py, 7 December 2026). Any holder will
do: the query is unordered and stops at the first."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ekinerja.org.models import Assignment, Employee, Position
from ekinerja.org.selectors import leads_anyone, subordinates_walk
from tests.factories import InstansiFactory, UnitFactory

pytestmark = pytest.mark.django_db
D = dt.date


def test_whether_a_superior_leads_anyone_is_asked_without_sorting_those_below():
    inst = InstansiFactory()
    unit = UnitFactory(instansi=inst)
    top = Position.objects.create(
        instansi=inst, unit=unit, code="A", name="Kepala Bidang", kind="struktural", kelas=11
    )
    head = Employee.objects.create(instansi=inst, nip="197001012000011001", name="H", status="PNS")
    Assignment.objects.create(instansi=inst, employee=head, position=top, start=D(2020, 1, 1))
    staff = []
    for i in range(3):
        post = Position.objects.create(
            instansi=inst,
            unit=unit,
            code=f"B{i}",
            name="Kepala Sekolah",
            kind="struktural",
            kelas=9,
            parent=top,
        )
        emp = Employee.objects.create(
            instansi=inst, nip=f"19900101201001100{i}", name=f"Kepsek {3 - i}", status="PNS"
        )
        Assignment.objects.create(instansi=inst, employee=emp, position=post, start=D(2021, 1, 1))
        staff.append(emp.id)
    on = D(2026, 10, 1)
    with CaptureQueriesContext(connection) as ctx:
        assert leads_anyone(head, on=on) is True
    found = subordinates_walk(inst.id, head.id, on=on, first=True)
    assert len(found) == 1 and found <= set(staff)
    assert subordinates_walk(inst.id, head.id, on=on) == set(staff)
    below = [q["sql"] for q in ctx.captured_queries if '"parent_id" IN' in q["sql"]]
    assert len(below) == 1
    assert "ORDER BY" not in below[0] and "LIMIT 1" in below[0]
