"""Review of the organisation's master data: field-level Indonesian errors for bad pay data and a
negative TPP base, one definitif holder per struktural post (admin, service and import), and the
admin's changelists without a query per row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.org import services
from ekinerja.org.importer import import_preview
from ekinerja.org.models import Assignment, Employee, Position, Role
from ekinerja.org.selectors import direct_superior
from tests.factories import (
    AssignmentFactory,
    EmployeeFactory,
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    UserFactory,
    grant,
    make_nip,
)
from tests.org import test_admin, test_import
from tests.org.test_admin import _counts, _employee_post
from tests.org.test_import import NIP_ANALIS, NIP_KABID, apply, base_rows, to_csv

# The fixtures of the admin's and the import's tests, shared.
world = test_admin.world
admin_client = test_admin.admin_client
inst = test_import.inst

pytestmark = pytest.mark.django_db
D = dt.date


def _form_errors(resp) -> dict:
    assert resp.status_code == 200, "the form was accepted"
    return resp.context["adminform"].form.errors


# -- pay data and TPP base: field errors, nothing written ------------------------------------------


def test_a_negative_salary_is_a_field_error_and_writes_nothing(admin_client, world):
    # Accepted before: the TPP run then stopped on that employee ("Gaji negatif.").
    before = _counts()
    resp = admin_client.post(reverse("admin:org_employee_add"), _employee_post(salary="-4500000"))
    assert _form_errors(resp)["salary"] == ["Gaji tidak boleh negatif."]
    assert _counts() == before
    # What was typed is still in the form.
    assert resp.context["adminform"].form.data["name"] == "Ahmad Fauzi"


def test_a_negative_salary_is_refused_by_the_service_too(world):
    employee = EmployeeFactory(instansi=world["a"], salary=5_000_000)
    employee.salary = -1
    employee.salary_since = D(2026, 11, 1)
    with pytest.raises(ValidationError) as exc:
        services.employee_save(actor=None, employee=employee)
    assert exc.value.message_dict["salary"] == ["Gaji tidak boleh negatif."]
    employee.refresh_from_db()
    assert employee.salary == 5_000_000


@pytest.mark.parametrize(
    ("npwp", "error"),
    [
        ("123", "NPWP harus 15 atau 16 angka (tertulis 3 angka), mis. 12.345.678.9-123.000."),
        (
            "12.345.678.9-123.00",
            "NPWP harus 15 atau 16 angka (tertulis 14 angka), mis. 12.345.678.9-123.000.",
        ),
        ("12.345.678.9-123.000", None),
        ("3201234567890001", None),  # the 16-digit (NIK) NPWP
    ],
)
def test_npwp_must_have_15_or_16_digits(admin_client, world, npwp, error):
    resp = admin_client.post(reverse("admin:org_employee_add"), _employee_post(npwp=npwp))
    if error is None:
        assert resp.status_code == 302
        assert Employee.objects.get(nip="197002142000032011").npwp == npwp
    else:
        assert _form_errors(resp)["npwp"] == [error]
        assert not Employee.objects.filter(nip="197002142000032011").exists()


def test_a_short_npwp_in_an_import_is_a_row_error_with_its_column(inst):
    rows = base_rows()
    rows[1]["NPWP"] = "12.345"
    preview = import_preview(instansi=inst, file=to_csv(rows), name="pegawai.csv")
    assert [str(e) for e in preview.errors] == [
        "Baris 3, kolom NPWP: NPWP harus 15 atau 16 angka (tertulis 5 angka), "
        "mis. 12.345.678.9-123.000."
    ]


def test_a_negative_tpp_base_is_a_field_error_not_a_constraint_name(admin_client, world):
    before = _counts()
    data = {
        "code": "A-NEW",
        "name": "Analis Baru",
        "unit": world["unit_a"].pk,
        "kind": "fungsional",
        "kelas": "8",
        "parent": world["top_a"].pk,
        "tpp_base": "-100000",
    }
    errors = _form_errors(admin_client.post(reverse("admin:org_position_add"), data))
    # Before: only "Batasan “position_tpp_base_nonneg” dilanggar." above the form.
    assert errors == {
        "tpp_base": ["Basis TPP khusus tidak boleh negatif; kosongkan bila tidak ada."]
    }
    assert _counts() == before


# -- one definitif holder per struktural post --------------------------------------------------------


@pytest.fixture
def bidang():
    office = InstansiFactory()
    unit = UnitFactory(instansi=office)
    kabid = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=11, name="Kabid")
    staf = PositionFactory(unit=unit, parent=kabid, name="Staf Bidang")
    old = AssignmentFactory(
        position=kabid, employee__instansi=office, employee__nip=make_nip(serial=1)
    ).employee
    staff = AssignmentFactory(position=staf, employee__instansi=office).employee
    new = EmployeeFactory(instansi=office, nip=make_nip(serial=900), name="Kabid Baru")
    return {"inst": office, "kabid": kabid, "staf": staf, "old": old, "staff": staff, "new": new}


def test_a_successor_recorded_before_the_predecessors_post_ends_is_refused(bidang):
    b = bidang
    post = Assignment(
        instansi=b["inst"], employee=b["new"], position=b["kabid"], start=D(2026, 11, 15)
    )
    with pytest.raises(ValidationError) as exc:
        services.assignment_save(actor=None, assignment=post)
    # Before: accepted, and the staff's superior stayed the predecessor (the lower NIP).
    assert exc.value.message_dict["start"] == [
        f"Jabatan struktural Kabid dipegang secara definitif oleh {b['old'].full_name} "
        f"({b['old'].nip}) mulai 1 Januari 2020 yang belum berakhir; satu jabatan struktural "
        "hanya untuk satu pejabat definitif. Isi dulu tanggal selesai penempatan pejabat "
        "sebelumnya."
    ]
    assert not Assignment.objects.filter(employee=b["new"]).exists()
    # The transfer mid-month as it should be recorded: the predecessor's post ends the day before.
    ending = Assignment.objects.get(employee=b["old"])
    ending.end = D(2026, 11, 14)
    services.assignment_save(actor=None, assignment=ending)
    services.assignment_save(actor=None, assignment=post)
    assert direct_superior(b["staff"], on=D(2026, 11, 14)) == b["old"]
    assert direct_superior(b["staff"], on=D(2026, 11, 15)) == b["new"]


def test_non_struktural_posts_and_acting_posts_still_take_several_holders(bidang):
    b = bidang
    services.assignment_save(
        actor=None,
        assignment=Assignment(
            instansi=b["inst"], employee=b["new"], position=b["staf"], start=D(2026, 11, 1)
        ),
    )
    plh = EmployeeFactory(instansi=b["inst"])
    services.assignment_save(
        actor=None,
        assignment=Assignment(
            instansi=b["inst"],
            employee=plh,
            position=b["kabid"],
            kind=Assignment.Kind.PLH,
            start=D(2026, 11, 20),
            end=D(2026, 11, 22),
        ),
    )
    assert direct_superior(b["staff"], on=D(2026, 11, 21)) == plh


def test_the_admin_shows_the_struktural_clash_on_the_start_field(client, bidang):
    b = bidang
    officer = EmployeeFactory(instansi=b["inst"])
    from ekinerja.core.models import User

    user = User.objects.create_user(
        username=officer.nip, password="Rahasia-Kuat-2026!", instansi=b["inst"], is_staff=True
    )
    officer.user = user
    officer.save(update_fields=["user"])
    grant(user, Role.BKPSDM)
    client.force_login(user)
    before = Assignment.objects.count()
    resp = client.post(
        reverse("admin:org_assignment_add"),
        {
            "employee": b["new"].pk,
            "position": b["kabid"].pk,
            "kind": "definitif",
            "start": "2026-11-15",
            "end": "",
            "decree": "821/45/BKPSDM",
        },
    )
    errors = _form_errors(resp)
    assert list(errors) == ["start"]
    assert "satu jabatan struktural hanya untuk satu pejabat definitif" in errors["start"][0]
    assert Assignment.objects.count() == before


def _kabid_row_for_analis(rows, tmt="2026-06-01"):
    rows[2].update(
        {
            "Kode Jabatan": "J-KABID",
            "Nama Jabatan": "Kepala Bidang Pembinaan SD",
            "Jenis Jabatan": "Struktural",
            "Kelas Jabatan": "11",
            "Kode Jabatan Atasan": "J-KADIS",
            "TMT Jabatan": tmt,
        }
    )


def test_an_import_refuses_a_second_struktural_holder_of_a_stored_post(inst):
    apply(inst, to_csv(base_rows()))
    rows = base_rows()
    _kabid_row_for_analis(rows)
    del rows[1]  # the stored Kabid is not in this file: their post would stay open
    preview = import_preview(instansi=inst, file=to_csv(rows), name="pegawai.csv")
    assert [str(e) for e in preview.errors] == [
        f"Baris 3, kolom Kode Jabatan: Jabatan struktural J-KABID dipegang secara definitif oleh "
        f"NIP {NIP_KABID} (2 Januari 2023 s.d. sekarang); satu jabatan struktural hanya untuk "
        "satu pejabat definitif. Cantumkan jabatan baru pejabat itu di berkas ini atau akhiri "
        "dulu penempatannya."
    ]
    assert not preview.plan.assignments_create


def test_an_import_that_moves_the_predecessor_out_first_is_accepted(inst):
    apply(inst, to_csv(base_rows()))
    rows = base_rows()
    _kabid_row_for_analis(rows)
    # The Kabid moves to the Kepala Dinas post from the same day.
    rows[1].update(
        {
            "Kode Unit": "1.01",
            "Nama Unit": "Dinas Pendidikan",
            "Kode Unit Induk": "",
            "Kode Jabatan": "J-KADIS",
            "Nama Jabatan": "Kepala Dinas Pendidikan",
            "Kelas Jabatan": "15",
            "Kode Jabatan Atasan": "",
            "TMT Jabatan": "2026-06-01",
        }
    )
    del rows[0]  # the Kepala Dinas row of the vacant post: the Kabid's row describes it now
    preview = import_preview(instansi=inst, file=to_csv(rows), name="pegawai.csv")
    assert preview.ok, [str(e) for e in preview.errors]
    apply(inst, to_csv(rows))
    analis = Employee.objects.get(nip=NIP_ANALIS)
    kabid = Employee.objects.get(nip=NIP_KABID)
    pppk = Employee.objects.get(nip="199001012022212001")
    assert direct_superior(pppk, on=D(2026, 5, 31)) == kabid
    assert direct_superior(pppk, on=D(2026, 6, 1)) == analis
    assert direct_superior(analis, on=D(2026, 6, 1)) == kabid


# -- the admin's changelists -------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("model", ["unit", "position", "rolegrant"])
def test_admin_changelists_do_not_query_per_row(admin_client, world, model):
    url = reverse(f"admin:org_{model}_changelist")
    first = _queries(admin_client, url)
    for _ in range(6):
        unit = UnitFactory(instansi=world["a"], parent=world["unit_a"], kind="sub")
        top = PositionFactory(unit=unit, kind="struktural", kelas=10, parent=world["top_a"])
        PositionFactory(unit=unit, parent=top)
        grant(UserFactory(instansi=world["a"]), Role.TIM_PENILAI, unit)
    assert _queries(admin_client, url) <= first
