"""The home page and a profile read the instansi's hierarchy once for the superior and the
subordinates (bench/pages.py at 20,000 employees: each build reads every post and assignment,
0.3-0.5 s), and their query count does not grow with the number of subordinates."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.org import selectors
from ekinerja.org.models import Position
from tests.factories import (
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    inst = InstansiFactory()
    unit = UnitFactory(instansi=inst)
    top = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=14, name="Kepala Dinas")
    mid = PositionFactory(
        unit=unit, parent=top, kind=Position.Kind.STRUKTURAL, kelas=12, name="Kepala Bidang"
    )
    staff_pos = PositionFactory(unit=unit, parent=mid, name="Pengelola")
    boss = employee_with_login(inst, top, name="Ibu Kadis")
    head = employee_with_login(inst, mid, name="Pak Kabid")
    staff = [employee_with_login(inst, staff_pos, name=f"Staf {i:02d}") for i in range(3)]
    return {"inst": inst, "staff_pos": staff_pos, "boss": boss, "head": head, "staff": staff}


@pytest.fixture
def builds(monkeypatch):
    """How many times a request builds the instansi's hierarchy."""
    calls = []
    original = selectors.hierarchy

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(selectors, "hierarchy", counting)
    return calls


def test_superiors_home_builds_the_hierarchy_once_beside_the_roles(client, org, builds):
    client.force_login(org["head"].user)
    html = client.get(reverse("home")).content.decode()
    # The page still shows both: who is above, and who is below.
    assert "Ibu Kadis" in html
    assert all(f"Staf {i:02d}" in html for i in range(3))
    # One for the roles (is this a superior?), one for superior and subordinates together;
    # the page built it three times.
    assert len(builds) <= 2


def test_profile_builds_the_hierarchy_once_beside_the_roles(client, org, builds):
    client.force_login(org["head"].user)
    response = client.get(reverse("employee-profile", args=[org["head"].pk]))
    html = response.content.decode()
    assert "Ibu Kadis" in html
    assert [s.pk for s in response.context["subordinates"]] == [s.pk for s in org["staff"]]
    assert all(s.current_assignments for s in response.context["subordinates"])
    assert len(builds) <= 2


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_home_and_profile_queries_do_not_grow_with_subordinates(
    client, org, django_assert_max_num_queries
):
    client.force_login(org["head"].user)
    home, profile = reverse("home"), reverse("employee-profile", args=[org["head"].pk])
    _queries(client, home)  # the session's first request warms per-process caches
    few_home, few_profile = _queries(client, home), _queries(client, profile)
    for i in range(12):
        employee_with_login(org["inst"], org["staff_pos"], name=f"Staf baru {i:02d}")
    with django_assert_max_num_queries(few_home):
        client.get(home)
    with django_assert_max_num_queries(few_profile):
        client.get(profile)
