"""Nobody makes their own attendance: whoever imports a punch file does not import their own punches
with it, and whoever draws up a unit's shift roster does not set their own shifts (which days are
their working days). Both decide the attendance deductions of their own TPP. Before, an admin OPD
could upload a file with their own NIP at 07:00 every day and never be late or absent again, and a
kepala ruangan could set their own absent days to "off" in the roster afterwards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ekinerja.attendance import services
from ekinerja.attendance.models import Punch, PunchImport
from ekinerja.org.models import Position
from ekinerja.workcal import selectors as workcal_selectors
from ekinerja.workcal.models import ShiftRoster
from ekinerja.workcal.services import roster_month_save, roster_set
from tests.factories import (
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    grant,
    put_on_schedule,
    shift_schedule,
)

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def ward(at):
    at("2026-10-20 10:00")
    inst = InstansiFactory(timezone="Asia/Makassar")
    unit = UnitFactory(instansi=inst, name="Ruang Melati")
    head_pos = PositionFactory(
        unit=unit, kind=Position.Kind.STRUKTURAL, kelas=9, name="Kepala Ruangan"
    )
    nurse_pos = PositionFactory(unit=unit, kelas=7, parent=head_pos, name="Perawat")
    head = employee_with_login(inst, head_pos, name="Karu Melati")
    nurse = employee_with_login(inst, nurse_pos, name="Nina Perawat")
    admin = employee_with_login(inst, nurse_pos, name="Admin Ruangan")
    grant(admin.user, "admin_opd", unit)
    shifts = shift_schedule(inst)
    for e in (head, nurse, admin):
        put_on_schedule(e, shifts)
    return {
        "inst": inst,
        "unit": unit,
        "head": head,
        "nurse": nurse,
        "admin": admin,
        "shifts": shifts,
    }


def _upload(client, user, *nips):
    client.force_login(user)
    text = "NIP,Waktu\n" + "".join(f"{nip},2026-10-19 07:01:00\n" for nip in nips)
    client.post(reverse("attendance:imports"), {"file": SimpleUploadedFile("a.csv", text.encode())})
    return PunchImport.objects.latest("pk")


def test_an_admin_opd_does_not_import_their_own_punches(client, ward):
    admin, nurse = ward["admin"], ward["nurse"]
    batch = _upload(client, admin.user, admin.nip, nurse.nip)
    assert batch.valid_lines == 1
    assert any(
        f"NIP {admin.nip} adalah data Anda sendiri" in text for _line, text in batch.warnings
    )
    client.post(reverse("attendance:import-run", args=[batch.pk]))
    assert Punch.objects.filter(employee=nurse).count() == 1
    assert not Punch.objects.filter(employee=admin).exists()


def test_a_bkpsdm_officer_does_not_import_their_own_punches_either(client, ward):
    officer = employee_with_login(ward["inst"], None, name="Petugas BKPSDM")
    grant(officer.user, "bkpsdm")
    batch = _upload(client, officer.user, officer.nip)
    assert batch.status == PunchImport.Status.REFUSED and batch.valid_lines == 0
    assert not Punch.objects.filter(employee=officer).exists()
    # Another officer imports the same file: the punch is the employee's, not refused as such.
    other = employee_with_login(ward["inst"], None, name="Petugas BKPSDM lain")
    grant(other.user, "bkpsdm")
    batch = services.import_preview(
        actor=other.user,
        instansi=ward["inst"],
        name="a.csv",
        data=f"NIP,Waktu\n{officer.nip},2026-10-19 07:01:00\n".encode(),
    )
    services.import_run(actor=other.user, batch=batch)
    assert Punch.objects.filter(employee=officer).count() == 1


def _post_roster(client, ward, cells):
    data = {"periode": "2026-10"}
    data.update({f"r:{emp.id}:{day.isoformat()}": code for (emp, day), code in cells.items()})
    return client.post(
        f"{reverse('attendance:roster')}?unit={ward['unit'].id}&periode=2026-10", data
    )


def _rostered(emp) -> dict:
    return dict(ShiftRoster.objects.filter(employee=emp).values_list("date", "shift__code"))


def test_the_roster_page_does_not_let_its_editor_set_their_own_shifts(client, ward):
    head, nurse = ward["head"], ward["nurse"]
    client.force_login(head.user)
    page = client.get(reverse("attendance:roster"), {"unit": ward["unit"].id, "periode": "2026-10"})
    text = page.content.decode()
    # Their own row is shown, read-only; the subordinate's can be edited.
    assert f'name="r:{nurse.id}:2026-10-07"' in text
    assert f'name="r:{head.id}:2026-10-07"' not in text
    response = _post_roster(
        client, ward, {(head, D(2026, 10, 7)): "P", (nurse, D(2026, 10, 7)): "S"}
    )
    assert response.status_code == 400
    assert "Roster Anda sendiri" in response.content.decode()
    assert _rostered(head) == {} and _rostered(nurse) == {}  # all or nothing
    _post_roster(client, ward, {(nurse, D(2026, 10, 7)): "S"})
    assert _rostered(nurse) == {D(2026, 10, 7): "S"}
    # The admin OPD of the unit, who also works its shifts: the same.
    client.force_login(ward["admin"].user)
    _post_roster(client, ward, {(ward["admin"], D(2026, 10, 8)): "M"})
    assert _rostered(ward["admin"]) == {}


def test_the_roster_services_refuse_ones_own_shifts(ward):
    head, nurse = ward["head"], ward["nurse"]
    month = workcal_selectors.roster_month(
        ward["inst"], [head, nurse], D(2026, 10, 1), D(2026, 10, 31)
    )
    with pytest.raises(ValidationError, match="Roster Anda sendiri"):
        roster_month_save(
            actor=head.user,
            instansi=ward["inst"],
            month=month,
            cells={(head.id, D(2026, 10, 9)): "P"},
        )
    with pytest.raises(ValidationError, match="Roster Anda sendiri"):
        roster_set(
            actor=head.user,
            instansi=ward["inst"],
            entries=[(head, D(2026, 10, 9), "P")],
            schedule=ward["shifts"],
        )
    assert _rostered(head) == {}


def test_a_bkpsdm_officer_keeps_neither_their_own_roster_nor_schedule_in_the_admin(client, ward):
    """Data induk (BKPSDM's): the officer's own roster rows and schedule periods are another
    officer's to add, change or delete."""
    from ekinerja.workcal.models import EmployeeSchedule

    officer = employee_with_login(ward["inst"], None, name="Petugas BKPSDM")
    grant(officer.user, "bkpsdm")
    officer.user.is_staff = True
    officer.user.save(update_fields=["is_staff"])
    put_on_schedule(officer, ward["shifts"])
    shift = ward["shifts"].shifts.get(code="P")
    client.force_login(officer.user)
    add = reverse("admin:workcal_shiftroster_add")
    response = client.post(add, {"employee": officer.pk, "date": "2026-10-07", "shift": shift.pk})
    assert response.status_code == 200 and "Roster Anda sendiri" in response.content.decode()
    assert not ShiftRoster.objects.filter(employee=officer).exists()
    # A colleague's row: fine.
    response = client.post(
        add, {"employee": ward["nurse"].pk, "date": "2026-10-07", "shift": shift.pk}
    )
    assert response.status_code == 302
    own = roster_set(
        actor=None,
        instansi=ward["inst"],
        entries=[(officer, D(2026, 10, 8), "P")],
        schedule=ward["shifts"],
    )
    assert own == 1
    row = ShiftRoster.objects.get(employee=officer)
    delete = reverse("admin:workcal_shiftroster_delete", args=[row.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:workcal_shiftroster_changelist"),
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )
    assert bulk.status_code == 403
    assert ShiftRoster.objects.filter(employee=officer).count() == 1
    # The schedule period: the same.
    period = EmployeeSchedule.objects.get(employee=officer)
    change = reverse("admin:workcal_employeeschedule_change", args=[period.pk])
    response = client.post(
        change,
        {
            "employee": officer.pk,
            "schedule": period.schedule_id,
            "date_from": "2020-01-01",
            "date_to": "2026-10-01",
        },
    )
    assert response.status_code == 200 and "Jadwal kerja Anda sendiri" in response.content.decode()
    assert EmployeeSchedule.objects.get(pk=period.pk).date_to is None
