"""direct_superior / subordinates: vacancies, Plt/Plh, date boundaries, constant query count."""

import datetime as dt

import pytest

from ekinerja.org.models import Assignment, Position
from ekinerja.org.selectors import direct_superior, direct_superiors, subordinates
from tests.factories import (
    AssignmentFactory,
    EmployeeFactory,
    InstansiFactory,
    PositionFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def tree():
    """Kepala Dinas > Sekretaris > Kasubag Umum > Pengadministrasi (x2)."""
    inst = InstansiFactory()
    unit = UnitFactory(instansi=inst)
    kadis = PositionFactory(unit=unit, name="Kepala Dinas", kind=Position.Kind.STRUKTURAL, kelas=14)
    sekre = PositionFactory(
        unit=unit, name="Sekretaris", kind=Position.Kind.STRUKTURAL, kelas=12, parent=kadis
    )
    kasubag = PositionFactory(
        unit=unit, name="Kasubag Umum", kind=Position.Kind.STRUKTURAL, kelas=9, parent=sekre
    )
    admin = PositionFactory(unit=unit, name="Pengadministrasi Umum", kelas=5, parent=kasubag)
    people = {}
    for key, pos in [
        ("kadis", kadis),
        ("sekre", sekre),
        ("kasubag", kasubag),
        ("staf1", admin),
        ("staf2", admin),
    ]:
        people[key] = AssignmentFactory(position=pos, employee__instansi=inst).employee
    return inst, {"kadis": kadis, "sekre": sekre, "kasubag": kasubag, "admin": admin}, people


def test_direct_superior_is_holder_of_parent_position(tree):
    _inst, _pos, p = tree
    assert direct_superior(p["staf1"], on=D(2026, 10, 1)) == p["kasubag"]
    assert direct_superior(p["kasubag"], on=D(2026, 10, 1)) == p["sekre"]
    assert direct_superior(p["kadis"], on=D(2026, 10, 1)) is None


def test_subordinates_are_those_whose_superior_is_me(tree):
    _inst, _pos, p = tree
    assert {e.pk for e in subordinates(p["kasubag"], on=D(2026, 10, 1))} == {
        p["staf1"].pk,
        p["staf2"].pk,
    }
    assert subordinates(p["staf1"], on=D(2026, 10, 1)) == []


def test_climbs_past_a_vacant_position(tree):
    _inst, pos, p = tree
    Assignment.objects.filter(employee=p["kasubag"]).update(end=D(2026, 9, 30))
    on = D(2026, 10, 1)
    assert direct_superior(p["staf1"], on=on) == p["sekre"]
    assert {e.pk for e in subordinates(p["sekre"], on=on)} == {p["staf1"].pk, p["staf2"].pk}
    # The day before, the kasubag still held the post.
    assert direct_superior(p["staf1"], on=D(2026, 9, 30)) == p["kasubag"]


def test_plt_fills_a_vacancy(tree):
    inst, pos, p = tree
    Assignment.objects.filter(employee=p["kasubag"]).update(end=D(2026, 9, 30))
    other = AssignmentFactory(
        position=PositionFactory(unit=pos["kadis"].unit, parent=pos["kadis"]),
        employee__instansi=inst,
    ).employee
    AssignmentFactory(
        position=pos["kasubag"],
        employee=other,
        kind=Assignment.Kind.PLT,
        start=D(2026, 10, 5),
        end=D(2026, 12, 31),
    )
    assert direct_superior(p["staf1"], on=D(2026, 10, 4)) == p["sekre"]
    assert direct_superior(p["staf1"], on=D(2026, 10, 5)) == other
    assert direct_superior(p["staf1"], on=D(2026, 12, 31)) == other
    assert direct_superior(p["staf1"], on=D(2027, 1, 1)) == p["sekre"]
    assert p["staf1"] in subordinates(other, on=D(2026, 10, 5))


def test_plh_acts_while_the_definitif_holder_is_away(tree):
    inst, pos, p = tree
    AssignmentFactory(
        position=pos["kasubag"],
        employee=p["staf2"],
        kind=Assignment.Kind.PLH,
        start=D(2026, 10, 12),
        end=D(2026, 10, 16),
    )
    assert direct_superior(p["staf1"], on=D(2026, 10, 12)) == p["staf2"]
    assert direct_superior(p["staf1"], on=D(2026, 10, 17)) == p["kasubag"]
    # Nobody is their own superior: the Plh's own superior skips the post they act in.
    assert direct_superior(p["staf2"], on=D(2026, 10, 12)) == p["kasubag"]


def test_assignment_boundaries_are_inclusive(tree):
    inst, pos, p = tree
    newcomer = AssignmentFactory(
        position=pos["admin"], employee__instansi=inst, start=D(2026, 10, 15), end=D(2026, 10, 31)
    ).employee
    assert direct_superior(newcomer, on=D(2026, 10, 14)) is None
    assert direct_superior(newcomer, on=D(2026, 10, 15)) == p["kasubag"]
    assert direct_superior(newcomer, on=D(2026, 10, 31)) == p["kasubag"]
    assert direct_superior(newcomer, on=D(2026, 11, 1)) is None


def test_other_instansi_never_appears(tree):
    inst, pos, p = tree
    other_unit = UnitFactory()
    boss = AssignmentFactory(position=PositionFactory(unit=other_unit)).employee
    assert p["staf1"] not in subordinates(boss, on=D(2026, 10, 1))


def test_query_count_does_not_grow_with_employees(tree, django_assert_max_num_queries):
    inst, pos, p = tree
    on = D(2026, 10, 1)
    with django_assert_max_num_queries(7) as small:
        subordinates(p["kasubag"], on=on)
        direct_superior(p["staf1"], on=on)
    for _ in range(40):
        AssignmentFactory(position=pos["admin"], employee__instansi=inst)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(subordinates(p["kasubag"], on=on)) == 42
        direct_superior(p["staf1"], on=on)
    staff = list(EmployeeFactory._meta.model.objects.filter(instansi=inst))
    with django_assert_max_num_queries(3):
        result = direct_superiors(staff, on=on)
    assert result[p["staf1"].pk] == p["kasubag"]


def test_leads_anyone_reads_the_hierarchy_only_for_a_post_with_posts_under_it(tree):
    """user_roles asks on every page whether the account leads anyone. A staff member's answer
    comes from one small query, not from the whole instansi's position tree and assignments (0.35 s
    a page at 20,000 employees); a head still gets the hierarchy's answer: a post above only vacant
    posts leads nobody."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ekinerja.org.selectors import leads_anyone

    _inst, pos, p = tree
    on = D(2026, 10, 1)
    with CaptureQueriesContext(connection) as ctx:
        assert leads_anyone(p["staf1"], on=on) is False
    assert len(ctx.captured_queries) == 1
    assert '"org_position"."parent_id"' not in ctx.captured_queries[0]["sql"]
    assert leads_anyone(p["kasubag"], on=on) is True
    assert leads_anyone(p["kadis"], on=on) is True
    # The staff post emptied: the kasubag holds a post with a post under it, and leads nobody.
    Assignment.objects.filter(position=pos["admin"]).delete()
    assert leads_anyone(p["kasubag"], on=on) is False
    assert leads_anyone(p["sekre"], on=on) is True  # the kasubag is still under the sekretaris


def test_user_roles_reads_the_post_check_with_the_employee(tree):
    """user_roles costs a staff member no query beyond its grants and the employee record (the
    post check rides on the record), and a head no more than the hierarchy it always cost."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ekinerja.core.models import User
    from ekinerja.org.selectors import user_roles
    from tests.factories import UserFactory

    _inst, _pos, p = tree
    for key in ("staf1", "kasubag"):
        p[key].user = UserFactory(instansi=p[key].instansi)
        p[key].save()
    staff = User.objects.select_related("instansi").get(pk=p["staf1"].user_id)
    with CaptureQueriesContext(connection) as ctx:
        assert user_roles(staff) == {"pegawai"}
    assert len(ctx.captured_queries) == 2  # grants, the employee with the post check
    head = User.objects.select_related("instansi").get(pk=p["kasubag"].user_id)
    with CaptureQueriesContext(connection) as ctx:
        assert user_roles(head) == {"pegawai", "atasan"}
    assert len(ctx.captured_queries) == 4  # and the hierarchy's two
