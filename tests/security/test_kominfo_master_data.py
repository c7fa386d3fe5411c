"""Kominfo (the technical admin) keeps the Django admin, but what decides TPP and who is whose
superior is BKPSDM's: a position's kelas, kind, unit, parent, code and special TPP base; a unit's
code, kind and parent; every assignment (post). Each test is an actual path that worked before:
a kelas raised to 17 in the admin (a higher TPP ceiling at the next computation), a victim's post
re-parented under the officer's own (the officer became the victim's direct superior and verified
their entries), a definitif post recorded at a higher kelas."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ekinerja.activities.models import ActivityEntry
from ekinerja.org import services as org_services
from ekinerja.org.models import Assignment, Position, Role, Unit
from ekinerja.org.selectors import admin_unit_ids, direct_superior
from tests.activities.conftest import make_entry
from tests.factories import (
    AssignmentFactory,
    PositionFactory,
    UnitFactory,
    UserFactory,
    employee_with_login,
    grant,
)

pytestmark = pytest.mark.django_db
D = dt.date
BKPSDM_ONLY = "Hanya BKPSDM yang dapat mengubah data ini (menentukan TPP atau atasan pegawai)."


@pytest.fixture
def tech(office):
    """A Kominfo officer who is also an employee, with a post of their own in another unit."""
    unit = UnitFactory(instansi=office["inst"], code="TIK", name="Bidang Aplikasi")
    post = PositionFactory(
        unit=unit, code="KASI-APL", name="Kepala Seksi Aplikasi", kind="struktural", kelas=9
    )
    emp = employee_with_login(office["inst"], post, name="Admin teknis")
    grant(emp.user, Role.KOMINFO)
    emp.user.is_staff = True
    emp.user.save(update_fields=["is_staff"])
    return emp


@pytest.fixture
def bkpsdm(office):
    user = UserFactory(instansi=office["inst"], username="bk-officer", is_staff=True)
    grant(user, Role.BKPSDM)
    return user


def _position_form(position: Position, **changes) -> dict:
    data = {
        "code": position.code,
        "name": position.name,
        "unit": position.unit_id,
        "kind": position.kind,
        "kelas": position.kelas,
        "parent": position.parent_id or "",
        "tpp_base": "" if position.tpp_base is None else position.tpp_base,
    }
    data.update(changes)
    return data


def test_kominfo_cannot_become_a_victims_superior_by_reparenting_their_post(
    client, office, at, tech
):
    """/tmp/audit-sec/parent.py: the officer set the victim's position's parent to their own post
    in the admin, became the direct superior and approved the victim's submitted entry."""
    at("2026-10-05 17:00")
    ani, staf = office["p"]["ani"], office["pos"]["staf"]
    my_post = tech.assignments.get().position
    entry = make_entry(office, day=D(2026, 10, 5), submit=True)
    assert direct_superior(ani, on=D(2026, 10, 5)) == office["p"]["kasubag"]
    client.force_login(tech.user)
    url = reverse("admin:org_position_change", args=[staf.pk])
    form = client.get(url).content.decode()
    assert 'name="parent"' not in form and 'name="kelas"' not in form  # shown read-only
    client.post(url, _position_form(staf, parent=my_post.pk))
    staf.refresh_from_db()
    assert staf.parent_id == office["pos"]["kasubag"].pk
    assert direct_superior(ani, on=D(2026, 10, 5)) == office["p"]["kasubag"]
    client.post(reverse("activities:verify", kwargs={"pk": entry.pk}), {"decision": "approve"})
    entry.refresh_from_db()
    assert entry.status == "submitted" and entry.verified_by_id is None
    # The service refuses it whoever calls it (a form, an import script, the shell).
    staf.parent = my_post
    with pytest.raises(ValidationError) as err:
        org_services.position_save(actor=tech.user, position=staf)
    assert err.value.message_dict["parent"] == [BKPSDM_ONLY]
    assert Position.objects.get(pk=staf.pk).parent_id == office["pos"]["kasubag"].pk
    assert ActivityEntry.objects.get(pk=entry.pk).status == "submitted"


def test_kominfo_cannot_raise_a_kelas_but_corrects_the_name(client, office, tech, bkpsdm):
    """/tmp/audit-sec/kelas.py: kelas 7 -> 17 in the admin raised the holder's TPP ceiling."""
    staf = office["pos"]["staf"]
    client.force_login(tech.user)
    url = reverse("admin:org_position_change", args=[staf.pk])
    resp = client.post(url, _position_form(staf, kelas="17", kind="struktural", tpp_base="9000000"))
    assert resp.status_code == 302
    staf.refresh_from_db()
    assert (staf.kelas, staf.kind, staf.tpp_base) == (7, "pelaksana", None)
    resp = client.post(url, _position_form(staf, name="Pengelola Layanan Informasi"))
    assert resp.status_code == 302
    staf.refresh_from_db()
    assert staf.name == "Pengelola Layanan Informasi" and staf.kelas == 7
    for field, value in (
        ("kelas", 17),
        ("kind", "struktural"),
        ("unit", UnitFactory(instansi=office["inst"])),
        ("code", "BARU-01"),
        ("tpp_base", 9_000_000),
    ):
        changed = Position.objects.get(pk=staf.pk)
        setattr(changed, field, value)
        with pytest.raises(ValidationError) as err:
            org_services.position_save(actor=tech.user, position=changed)
        assert err.value.message_dict[field] == [BKPSDM_ONLY], field
    assert Position.objects.get(pk=staf.pk).kelas == 7
    # Nor a new position (a post at kelas 17 to be given to someone).
    assert client.get(reverse("admin:org_position_add")).status_code == 403
    with pytest.raises(ValidationError, match="Jabatan baru hanya dapat ditambahkan oleh BKPSDM"):
        org_services.position_save(
            actor=tech.user,
            position=Position(
                instansi=office["inst"],
                unit=office["unit"],
                code="X17",
                name="X",
                kind="struktural",
                kelas=17,
            ),
        )
    assert not Position.objects.filter(code="X17").exists()
    # BKPSDM decides kelas, in the admin and through the service.
    client.force_login(bkpsdm)
    resp = client.post(url, _position_form(staf, kelas="8"))
    assert resp.status_code == 302
    assert Position.objects.get(pk=staf.pk).kelas == 8


def test_kominfo_cannot_record_or_change_posts(client, office, tech, bkpsdm):
    """Before: a definitif post to a higher kelas, or an assignment's dates, changed by Kominfo in
    the admin (the kelas TPP is paid on; whose superior one is)."""
    ani = office["p"]["ani"]
    current = ani.assignments.get()
    client.force_login(tech.user)
    resp = client.post(
        reverse("admin:org_assignment_add"),
        {
            "employee": ani.pk,
            "position": office["pos"]["kepala"].pk,
            "kind": "definitif",
            "start": "2026-10-01",
            "end": "",
            "decree": "",
        },
    )
    assert resp.status_code == 403
    change = reverse("admin:org_assignment_change", args=[current.pk])
    resp = client.post(
        change,
        {
            "employee": ani.pk,
            "position": office["pos"]["kepala"].pk,
            "kind": "definitif",
            "start": "2020-01-01",
            "end": "",
            "decree": "",
        },
    )
    assert resp.status_code == 403
    assert Assignment.objects.get(pk=current.pk).position == office["pos"]["staf"]
    assert client.get(change).status_code == 200  # still visible, read-only
    current.end = D(2026, 9, 30)
    with pytest.raises(ValidationError, match="hanya dapat dicatat atau diubah oleh BKPSDM"):
        org_services.assignment_save(actor=tech.user, assignment=current)
    with pytest.raises(ValidationError, match="hanya dapat dicatat atau diubah oleh BKPSDM"):
        org_services.assignment_save(
            actor=tech.user,
            assignment=Assignment(
                instansi=office["inst"],
                employee=ani,
                position=office["pos"]["kepala"],
                start=D(2026, 10, 1),
                kind="plt",
            ),
        )
    assert Assignment.objects.get(pk=current.pk).end is None
    assert list(Assignment.objects.filter(employee=ani)) == [current]
    # BKPSDM records them.
    org_services.assignment_save(actor=bkpsdm, assignment=current)
    assert Assignment.objects.get(pk=current.pk).end == D(2026, 9, 30)


def test_kominfo_cannot_move_a_unit_into_an_admin_opds_reach(client, office, tech):
    """A unit moved under another joins that unit's admin OPD's scope (who may reset the
    passwords of the employees posted there): parent, kind and code are BKPSDM's."""
    other = UnitFactory(instansi=office["inst"], code="DINKES", name="Dinas Kesehatan")
    admin_opd = UserFactory(instansi=office["inst"], username="admin-dinkes")
    grant(admin_opd, Role.ADMIN_OPD, unit=other)
    unit = office["unit"]
    assert unit.pk not in admin_unit_ids(admin_opd)
    client.force_login(tech.user)
    url = reverse("admin:org_unit_change", args=[unit.pk])
    resp = client.post(
        url, {"code": unit.code, "name": unit.name, "kind": "sub", "parent": other.pk}
    )
    assert resp.status_code == 302
    unit.refresh_from_db()
    assert (unit.parent_id, unit.kind) == (None, "opd")
    assert unit.pk not in admin_unit_ids(admin_opd)
    unit.parent = other
    with pytest.raises(ValidationError) as err:
        org_services.unit_save(actor=tech.user, unit=unit)
    assert err.value.message_dict["parent"] == [BKPSDM_ONLY]
    # The name is Kominfo's to correct; a new unit is not.
    resp = client.post(url, {"code": unit.code, "name": "Dinas Komunikasi dan Informatika"})
    assert resp.status_code == 302
    assert Unit.objects.get(pk=unit.pk).name == "Dinas Komunikasi dan Informatika"
    assert client.get(reverse("admin:org_unit_add")).status_code == 403


def test_a_bkpsdm_officer_still_maintains_positions_and_posts(client, office, bkpsdm):
    """The refusals are Kominfo's only: BKPSDM re-parents a position and records a Plt."""
    staf, kepala = office["pos"]["staf"], office["pos"]["kepala"]
    client.force_login(bkpsdm)
    resp = client.post(
        reverse("admin:org_position_change", args=[staf.pk]),
        _position_form(staf, parent=kepala.pk),
    )
    assert resp.status_code == 302
    assert Position.objects.get(pk=staf.pk).parent_id == kepala.pk
    plt = AssignmentFactory.build(
        instansi=office["inst"],
        employee=office["p"]["budi"],
        position=office["pos"]["kasubag"],
        kind="plt",
        start=D(2026, 10, 1),
    )
    org_services.assignment_save(actor=bkpsdm, assignment=plt)
    assert Assignment.objects.filter(employee=office["p"]["budi"], kind="plt").exists()


def test_kominfo_cannot_hand_itself_subordinates_by_deactivating_their_superior(client, office, at):
    """An inactive employee's post drops out of the hierarchy: the Kepala Dinas holding the Kominfo
    role deactivated the Kasubag in the admin and became Ani's direct superior (verifying her work).
    Whether an employee counts is BKPSDM's (services.EMPLOYEE_HIERARCHY_FIELDS)."""
    at("2026-10-05 17:00")
    head, kasubag, ani = office["p"]["kepala"], office["p"]["kasubag"], office["p"]["ani"]
    grant(head.user, Role.KOMINFO)
    head.user.is_staff = True
    head.user.save(update_fields=["is_staff"])
    entry = make_entry(office, day=D(2026, 10, 5), submit=True)
    client.force_login(head.user)
    url = reverse("admin:org_employee_change", args=[kasubag.pk])
    form = client.get(url).context["adminform"].form
    assert "is_active" not in form.fields  # read-only
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.pop("is_active", None)  # an unticked box: "inactive"
    data.update({"assignments-TOTAL_FORMS": "0", "assignments-INITIAL_FORMS": "0"})
    client.post(url, data)
    kasubag.refresh_from_db()
    assert kasubag.is_active
    assert direct_superior(ani, on=D(2026, 10, 5)) == kasubag
    client.post(reverse("activities:verify", kwargs={"pk": entry.pk}), {"decision": "approve"})
    assert ActivityEntry.objects.get(pk=entry.pk).status == "submitted"
    kasubag.is_active = False
    with pytest.raises(ValidationError) as err:
        org_services.employee_save(actor=head.user, employee=kasubag)
    assert err.value.message_dict["is_active"] == [BKPSDM_ONLY]
    assert direct_superior(ani, on=D(2026, 10, 5)) == office["p"]["kasubag"]
