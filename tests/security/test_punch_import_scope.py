"""An admin OPD imports fingerprint punches for the employees of their own units only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ekinerja.attendance.models import Punch, PunchImport
from tests.factories import (
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    UserFactory,
    employee_with_login,
    grant,
)

pytestmark = pytest.mark.django_db


def test_admin_opd_cannot_import_punches_for_another_units_employee(client):
    inst = InstansiFactory()
    unit_a = UnitFactory(instansi=inst, name="Dinas A")
    unit_b = UnitFactory(instansi=inst, name="Dinas B")
    emp_a = employee_with_login(inst, PositionFactory(unit=unit_a), name="Pegawai A")
    emp_b = employee_with_login(inst, PositionFactory(unit=unit_b), name="Pegawai B")
    admin = UserFactory(instansi=inst)
    grant(admin, "admin_opd", unit_a)
    client.force_login(admin)
    text = (
        "NIP,Waktu\n"
        f"{emp_a.nip},2026-10-19 07:01:00\n"
        f"{emp_b.nip},2026-10-19 07:02:00\n"
        f"{emp_b.nip},2026-10-19 16:31:00\n"
    )
    client.post("/kehadiran/impor/", {"file": SimpleUploadedFile("absen.csv", text.encode())})
    batch = PunchImport.objects.get()
    assert batch.valid_lines == 1
    assert [w[1] for w in batch.warnings] == [
        f"PIN/NIP {emp_b.nip} tidak terdaftar sebagai pegawai unit Anda (2 baris dilewati, "
        "baris 3, 4)."
    ]
    client.post(f"/kehadiran/impor/{batch.pk}/jalankan/")
    assert Punch.objects.filter(employee=emp_a).count() == 1
    assert not Punch.objects.filter(employee=emp_b).exists()


def test_bkpsdm_imports_for_the_whole_instansi(client):
    inst = InstansiFactory()
    unit_b = UnitFactory(instansi=inst, name="Dinas B")
    emp_b = employee_with_login(inst, PositionFactory(unit=unit_b), name="Pegawai B")
    officer = UserFactory(instansi=inst)
    grant(officer, "bkpsdm")
    client.force_login(officer)
    text = f"NIP,Waktu\n{emp_b.nip},2026-10-19 07:02:00\n"
    client.post("/kehadiran/impor/", {"file": SimpleUploadedFile("absen.csv", text.encode())})
    batch = PunchImport.objects.get()
    assert (batch.valid_lines, batch.warnings) == (1, [])


def test_an_admin_opd_learns_no_nip_or_existence_outside_their_units(client):
    """The warning names the PIN/NIP as written in the file, with one wording for a PIN nobody holds
    and one of another unit's employee: naming the employee's NIP turned any PIN mapped in the
    instansi into a NIP, and two wordings told which PINs and NIPs exist (access audit)."""
    from ekinerja.attendance.models import PinMapping

    inst = InstansiFactory()
    unit_a = UnitFactory(instansi=inst, name="Dinas A")
    unit_b = UnitFactory(instansi=inst, name="Dinas B")
    emp_b = employee_with_login(inst, PositionFactory(unit=unit_b), name="Pegawai B")
    PinMapping.objects.create(instansi=inst, device=None, pin="42", employee=emp_b)
    admin = UserFactory(instansi=inst)
    grant(admin, "admin_opd", unit_a)
    client.force_login(admin)
    text = "PIN,Waktu\n42,2026-10-19 07:02:00\n43,2026-10-19 07:03:00\n"
    client.post("/kehadiran/impor/", {"file": SimpleUploadedFile("absen.csv", text.encode())})
    batch = PunchImport.objects.get()
    assert batch.valid_lines == 0
    assert [w[1] for w in batch.warnings] == [
        "PIN/NIP 42 tidak terdaftar sebagai pegawai unit Anda (1 baris dilewati, baris 2).",
        "PIN/NIP 43 tidak terdaftar sebagai pegawai unit Anda (1 baris dilewati, baris 3).",
    ]
    page = client.get(f"/kehadiran/impor/{batch.pk}/").content.decode()
    assert emp_b.nip not in page and "Pegawai B" not in page
