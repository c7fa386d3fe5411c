"""Review of the month's roster as a ward draws it up: saving a whole month for a ward costs the same
number of queries whatever the number of nurses, for BKPSDM and for the unit's admin OPD."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.workcal.models import ShiftRoster
from tests.attendance.conftest import office  # noqa: F401
from tests.factories import UserFactory, employee_with_login, grant, put_on_schedule

pytestmark = pytest.mark.django_db
URL = reverse("attendance:roster")
PATTERN = ["P", "P", "S", "S", "M", "M", "", ""]


def _nurses(office, n):  # noqa: F811
    pos = office.nurse.assignments.first().position
    out = []
    for i in range(n):
        e = employee_with_login(office.instansi, pos, name=f"Perawat {i}-{n}")
        put_on_schedule(e, office.shifts)
        out.append(e)
    return out


def _month_post(client, office, nurses, shift=0):  # noqa: F811
    data = {"periode": "2026-11"}
    for k, e in enumerate(nurses):
        for d in range(1, 31):
            code = PATTERN[(d + k + shift) % len(PATTERN)]
            data[f"r:{e.id}:2026-11-{d:02d}"] = code
    with CaptureQueriesContext(connection) as ctx:
        resp = client.post(f"{URL}?unit={office.unit.id}&periode=2026-11", data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["bkpsdm", "admin_opd"])
def test_saving_a_whole_month_costs_the_same_queries_for_more_nurses(client, office, role):  # noqa: F811
    user = UserFactory(instansi=office.instansi, username=f"editor-{role}")
    grant(user, role, office.unit if role == "admin_opd" else None)
    client.force_login(user)
    few = _nurses(office, 2)
    q_few = _month_post(client, office, few)
    many = _nurses(office, 10)
    q_many = _month_post(client, office, many, shift=1)
    expected = sum(
        1 for k in range(10) for d in range(1, 31) if PATTERN[(d + k + 1) % len(PATTERN)]
    )
    assert ShiftRoster.objects.filter(employee__in=many).count() == expected
    assert q_many <= q_few + 2
