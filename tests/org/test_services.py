"""Organisation writes: invalid input gets an Indonesian error and changes nothing; valid writes audit."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ekinerja.core.models import AuditEvent
from ekinerja.org import services
from ekinerja.org.models import Assignment, Employee, Position, Unit
from tests.factories import (
    AssignmentFactory,
    EmployeeFactory,
    InstansiFactory,
    PositionFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def test_bad_nip_is_refused_and_nothing_is_written():
    inst = InstansiFactory()
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as err:
        services.employee_save(
            actor=None,
            employee=Employee(
                instansi=inst, nip="198502302010031002", name="Ani", status="PNS", golongan="III/a"
            ),
        )
    assert "tanggal lahir" in err.value.message_dict["nip"][0]
    assert Employee.objects.count() == 0 and AuditEvent.objects.count() == before


def test_pppk_needs_pppk_grade_not_golongan():
    inst = InstansiFactory()
    with pytest.raises(ValidationError) as err:
        services.employee_save(
            actor=None,
            employee=Employee(
                instansi=inst,
                nip="199001012022212001",
                name="Budi",
                status="PPPK",
                golongan="III/a",
            ),
        )
    assert "golongan" in err.value.message_dict
    e = services.employee_save(
        actor=None,
        employee=Employee(
            instansi=inst, nip="199001012022212001", name="Budi", status="PPPK", pppk_grade="9"
        ),
    )
    assert e.grade_label == "PPPK IX"
    event = AuditEvent.objects.get(action="org.employee.create")
    assert event.after["nip"] == "199001012022212001" and event.instansi == inst


def test_overlapping_definitif_assignments_are_refused():
    a = AssignmentFactory(start=dt.date(2025, 1, 1), end=dt.date(2026, 6, 30))
    other_pos = PositionFactory(unit=a.position.unit)
    with pytest.raises(ValidationError) as err:
        services.assignment_save(
            actor=None,
            assignment=Assignment(
                instansi=a.instansi,
                employee=a.employee,
                position=other_pos,
                start=dt.date(2026, 6, 30),
                kind="definitif",
            ),
        )
    assert "Tumpang tindih" in err.value.message_dict["start"][0]
    assert Assignment.objects.count() == 1
    # The next day is fine; a Plt on top of a definitif is fine too.
    services.assignment_save(
        actor=None,
        assignment=Assignment(
            instansi=a.instansi, employee=a.employee, position=other_pos, start=dt.date(2026, 7, 1)
        ),
    )
    services.assignment_save(
        actor=None,
        assignment=Assignment(
            instansi=a.instansi,
            employee=a.employee,
            position=PositionFactory(unit=a.position.unit),
            kind="plt",
            start=dt.date(2026, 7, 1),
            end=dt.date(2026, 9, 30),
        ),
    )
    assert Assignment.objects.count() == 3


def test_end_before_start_is_refused():
    a = AssignmentFactory.build()
    a.position.unit.instansi.save()
    a.position.unit.save()
    a.position.instansi = a.position.unit.instansi
    a.position.save()  # noqa: E702
    a.employee.instansi = a.position.instansi
    a.employee.save()  # noqa: E702
    a.instansi = a.position.instansi
    a.start, a.end = dt.date(2026, 5, 1), dt.date(2026, 4, 30)
    with pytest.raises(ValidationError, match="sebelum tanggal mulai"):
        services.assignment_save(actor=None, assignment=a)


def test_position_cycle_is_refused():
    unit = UnitFactory()
    top = PositionFactory(unit=unit)
    mid = PositionFactory(unit=unit, parent=top)
    low = PositionFactory(unit=unit, parent=mid)
    top.parent = low
    with pytest.raises(ValidationError) as err:
        services.position_save(actor=None, position=top)
    assert "siklus" in err.value.message_dict["parent"][0]
    top.refresh_from_db()
    assert top.parent_id is None


def test_unit_cycle_and_cross_instansi_parent_are_refused():
    a = UnitFactory()
    b = UnitFactory(instansi=a.instansi, parent=a)
    a.parent = b
    with pytest.raises(ValidationError, match="siklus"):
        services.unit_save(actor=None, unit=a)
    foreign = UnitFactory()
    b.parent = foreign
    with pytest.raises(ValidationError, match="instansi lain"):
        services.unit_save(actor=None, unit=b)
    b.refresh_from_db()
    assert b.parent_id == a.id


def test_kelas_outside_1_17_is_refused():
    unit = UnitFactory()
    with pytest.raises(ValidationError):
        services.position_save(
            actor=None,
            position=Position(
                instansi=unit.instansi, unit=unit, code="X", name="X", kind="pelaksana", kelas=18
            ),
        )
    assert not Position.objects.filter(code="X").exists()


def test_update_records_before_and_after():
    unit = UnitFactory(name="Dinas Lama")
    unit.name = "Dinas Baru"
    services.unit_save(actor=None, unit=unit)
    event = AuditEvent.objects.get(action="org.unit.update")
    assert event.before["name"] == "Dinas Lama" and event.after["name"] == "Dinas Baru"
    assert Unit.objects.get(pk=unit.pk).name == "Dinas Baru"


def test_role_grant_refuses_derived_roles_and_is_audited():
    from ekinerja.org.models import RoleGrant
    from tests.factories import UserFactory

    user = UserFactory()
    with pytest.raises(ValidationError):
        services.role_grant(actor=None, user=user, role="atasan")
    services.role_grant(actor=None, user=user, role="bkpsdm", reason="SK Kepala BKPSDM")
    assert RoleGrant.objects.filter(user=user, role="bkpsdm").exists()
    assert AuditEvent.objects.filter(action="org.role.grant", reason="SK Kepala BKPSDM").exists()
    _ = EmployeeFactory  # factories module is shared


@pytest.mark.parametrize("role", ["pimpinan", "bkpsdm", "bpkad", "kominfo"])
def test_a_unit_limits_only_admin_opd_and_tim_penilai(role):
    """A pimpinan "of one unit" still saw every OPD on the leaders' pages: the unit did nothing.
    A unit is refused, at its field, for the roles that hold for the whole instansi; nothing is
    written or audited."""
    from ekinerja.org.models import RoleGrant
    from tests.factories import UnitFactory, UserFactory

    user = UserFactory()
    unit = UnitFactory(instansi=user.instansi)
    with pytest.raises(ValidationError) as err:
        services.role_grant(actor=None, user=user, role=role, unit=unit)
    assert "seluruh instansi" in err.value.message_dict["unit"][0]
    assert not RoleGrant.objects.filter(user=user).exists()
    assert not AuditEvent.objects.filter(action="org.role.grant").exists()
    for limited in ("admin_opd", "tim_penilai"):
        services.role_grant(actor=None, user=user, role=limited, unit=unit)
    assert set(RoleGrant.objects.filter(user=user).values_list("role", flat=True)) == {
        "admin_opd",
        "tim_penilai",
    }
    # The admin's form runs the model's clean(): the same field error there.
    with pytest.raises(ValidationError):
        RoleGrant(instansi=user.instansi, user=user, role=role, unit=unit).full_clean()
