"""The employee import records definitif posts, so it follows the rule of the manual path
(org.services.assignment_actor_check): only BKPSDM records posts, and nobody records or changes a
post of their own employee record. Before, a BKPSDM officer could import a file that put their own
record into a higher post (a higher kelas, and the post's subordinates to verify)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ekinerja.org import services
from ekinerja.org.importer import import_preview
from ekinerja.org.models import Assignment, ImportBatch, Position, Role
from tests.factories import (
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    grant,
)
from tests.org.test_import import row, to_csv

pytestmark = pytest.mark.django_db
D = dt.date
OWN_POST = "jabatan akun Anda sendiri"


@pytest.fixture
def bkpsdm_office():
    inst = InstansiFactory(code="6301", name="Pemerintah Kabupaten Tanah Laut")
    unit = UnitFactory(instansi=inst, code="4.01", name="BKPSDM")
    head = PositionFactory(
        unit=unit,
        code="4.01.000",
        name="Kepala BKPSDM",
        kind=Position.Kind.STRUKTURAL,
        kelas=14,
    )
    analyst = PositionFactory(
        unit=unit,
        code="4.01.001",
        name="Analis SDM",
        kind=Position.Kind.FUNGSIONAL,
        kelas=9,
        parent=head,
    )
    rina = employee_with_login(inst, analyst, name="Rina Wulandari")  # posted since 2020-01-01
    andi = employee_with_login(inst, analyst, name="Andi Pratama")
    for person in (rina, andi):
        grant(person.user, Role.BKPSDM)
    clerk = employee_with_login(inst, analyst, name="Pegawai Biasa")
    return {"inst": inst, "rina": rina, "andi": andi, "clerk": clerk, "head": head}


def _row(employee, *, code: str, name: str, kind: str, kelas: int, tmt: str) -> dict:
    """A row matching the stored record and unit; only the post (code, TMT) is the file's."""
    return row(
        **{
            "NIP": employee.nip,
            "Nama": employee.name,
            "Status": "PNS",
            "Golongan": employee.golongan,
            "Kode Unit": "4.01",
            "Nama Unit": "BKPSDM",
            "Kode Jabatan": code,
            "Nama Jabatan": name,
            "Jenis Jabatan": kind,
            "Kelas Jabatan": str(kelas),
            "Kode Jabatan Atasan": "4.01.000" if code == "4.01.001" else "",
            "TMT Jabatan": tmt,
        }
    )


def _promote(employee) -> dict:
    return _row(
        employee,
        code="4.01.000",
        name="Kepala BKPSDM",
        kind="Struktural",
        kelas=14,
        tmt="2026-01-02",
    )


def _stay(employee, tmt: str = "2020-01-01") -> dict:
    return _row(employee, code="4.01.001", name="Analis SDM", kind="Fungsional", kelas=9, tmt=tmt)


def _posts(employee) -> list[tuple[str, dt.date, dt.date | None]]:
    return list(
        Assignment.objects.filter(employee=employee)
        .order_by("start")
        .values_list("position__code", "start", "end")
    )


def test_an_officer_cannot_import_a_post_for_their_own_record(bkpsdm_office):
    o = bkpsdm_office
    data = to_csv([_promote(o["rina"])])
    preview = import_preview(instansi=o["inst"], file=data, actor=o["rina"].user)
    assert not preview.ok
    [error] = preview.errors
    assert error.row == 2 and OWN_POST in error.message and error.column == "Kode Jabatan"
    assert preview.rows[0].action == "error"
    assert not preview.plan.assignments_create and not preview.plan.assignments_update
    with pytest.raises(services.ImportRejected) as exc:
        services.import_apply(actor=o["rina"].user, instansi=o["inst"], file=data)
    assert OWN_POST in str(exc.value.preview.errors[0])
    assert _posts(o["rina"]) == [("4.01.001", D(2020, 1, 1), None)]
    # Another officer records it.
    services.import_apply(actor=o["andi"].user, instansi=o["inst"], file=data)
    assert _posts(o["rina"]) == [
        ("4.01.001", D(2020, 1, 1), D(2026, 1, 1)),
        ("4.01.000", D(2026, 1, 2), None),
    ]


def test_a_corrected_tmt_of_ones_own_post_is_refused_too(bkpsdm_office):
    o = bkpsdm_office
    data = to_csv([_stay(o["rina"], tmt="2019-06-01")])
    preview = import_preview(instansi=o["inst"], file=data, actor=o["rina"].user)
    assert [OWN_POST in e.message for e in preview.errors] == [True]
    with pytest.raises(services.ImportRejected):
        services.import_apply(actor=o["rina"].user, instansi=o["inst"], file=data)
    assert _posts(o["rina"]) == [("4.01.001", D(2020, 1, 1), None)]


def test_ones_own_unchanged_row_in_a_whole_file_is_fine(bkpsdm_office):
    """The usual file is the whole instansi, the officer included: an unchanged row is no error."""
    o = bkpsdm_office
    data = to_csv([_stay(o["rina"]), _stay(o["andi"]), _promote(o["clerk"])])
    result = services.import_apply(actor=o["rina"].user, instansi=o["inst"], file=data)
    assert result.counts["assignments_created"] == 1
    assert _posts(o["rina"]) == [("4.01.001", D(2020, 1, 1), None)]
    assert _posts(o["clerk"])[-1] == ("4.01.000", D(2026, 1, 2), None)


def test_only_bkpsdm_imports_through_the_service(bkpsdm_office):
    o = bkpsdm_office
    data = to_csv([_promote(o["andi"])])
    with pytest.raises(PermissionDenied, match="BKPSDM"):
        services.import_apply(actor=o["clerk"].user, instansi=o["inst"], file=data)
    with pytest.raises(PermissionDenied, match="BKPSDM"):
        services.import_batch_create(
            actor=o["clerk"].user, instansi=o["inst"], upload=SimpleUploadedFile("p.csv", data)
        )
    assert _posts(o["andi"]) == [("4.01.001", D(2020, 1, 1), None)]


def test_the_plan_writer_refuses_ones_own_post_whatever_the_preview_said(bkpsdm_office):
    """A second line of defence: the writer checks the plan against the actor's record itself."""
    o = bkpsdm_office
    preview = import_preview(instansi=o["inst"], file=to_csv([_promote(o["rina"])]))  # no actor
    assert preview.ok and preview.plan.assignments_create
    with pytest.raises(ValidationError, match=OWN_POST):
        services._write_import_plan(o["inst"], preview.plan, actor=o["rina"].user)
    assert _posts(o["rina"]) == [("4.01.001", D(2020, 1, 1), None)]


def _upload(client, data: bytes):
    resp = client.post(reverse("employee-import"), {"file": SimpleUploadedFile("p.csv", data)})
    assert resp.status_code == 302
    return ImportBatch.objects.latest("uploaded_at", "id")


def test_the_preview_page_shows_the_refusal_and_apply_rechecks_the_applier(client, bkpsdm_office):
    o = bkpsdm_office
    data = to_csv([_promote(o["rina"])])
    client.force_login(o["rina"].user)
    batch = _upload(client, data)
    page = client.get(reverse("employee-import-preview", args=[batch.token])).content.decode()
    assert OWN_POST in page and 'data-testid="apply"' not in page
    resp = client.post(reverse("employee-import-apply", args=[batch.token]), follow=True)
    assert "tidak ada data yang diubah" in resp.content.decode()
    assert _posts(o["rina"]) == [("4.01.001", D(2020, 1, 1), None)]
    # Uploaded by a colleague (a clean preview for them), applied by Rina herself: refused at apply.
    client.force_login(o["andi"].user)
    batch = _upload(client, data)
    assert batch.preview["error_total"] == 0
    client.force_login(o["rina"].user)
    resp = client.post(reverse("employee-import-apply", args=[batch.token]))
    assert resp.status_code == 200 and OWN_POST in resp.content.decode()
    assert ImportBatch.objects.get(pk=batch.pk).status == "previewed"
    assert _posts(o["rina"]) == [("4.01.001", D(2020, 1, 1), None)]


OWN_PAY = "data pembayaran akun Anda sendiri"
OWN_POSITION = "jabatan yang Anda duduki sendiri"


def test_an_officer_cannot_import_their_own_bank_account(bkpsdm_office):
    """The import follows org.services.employee_pay_check: nobody changes the bank account (or
    status, golongan, NPWP) of their own record; another officer does."""
    o = bkpsdm_office
    data = to_csv([{**_stay(o["rina"]), "No Rekening": "9999000011"}])
    preview = import_preview(instansi=o["inst"], file=data, actor=o["rina"].user)
    [error] = preview.errors
    assert OWN_PAY in error.message and error.column == "No Rekening" and error.row == 2
    assert not preview.plan.employees_update
    with pytest.raises(services.ImportRejected):
        services.import_apply(actor=o["rina"].user, instansi=o["inst"], file=data)
    o["rina"].refresh_from_db()
    assert o["rina"].bank_account == ""
    # Her name corrected in the same way is fine; the account by a colleague too.
    services.import_apply(
        actor=o["rina"].user,
        instansi=o["inst"],
        file=to_csv([{**_stay(o["rina"]), "Nama": "Rina Wulandari Putri"}]),
    )
    o["rina"].refresh_from_db()
    assert o["rina"].name == "Rina Wulandari Putri"
    services.import_apply(actor=o["andi"].user, instansi=o["inst"], file=data)
    o["rina"].refresh_from_db()
    assert o["rina"].bank_account == "9999000011"


def test_an_officer_cannot_import_a_higher_kelas_for_the_post_they_hold(bkpsdm_office):
    o = bkpsdm_office
    raised = _row(
        o["rina"], code="4.01.001", name="Analis SDM", kind="Fungsional", kelas=12, tmt="2020-01-01"
    )
    data = to_csv([raised])
    preview = import_preview(instansi=o["inst"], file=data, actor=o["rina"].user)
    assert [OWN_POSITION in e.message for e in preview.errors] == [True]
    assert preview.errors[0].column == "Kelas Jabatan"
    assert not preview.plan.positions_update
    with pytest.raises(services.ImportRejected):
        services.import_apply(actor=o["rina"].user, instansi=o["inst"], file=data)
    assert Position.objects.get(code="4.01.001").kelas == 9
    # The Kepala BKPSDM's post (held by nobody in the file's officers) Rina may re-class.
    services.import_apply(
        actor=o["rina"].user,
        instansi=o["inst"],
        file=to_csv(
            [
                _row(
                    o["clerk"],
                    code="4.01.000",
                    name="Kepala BKPSDM",
                    kind="Struktural",
                    kelas=15,
                    tmt="2026-01-02",
                )
            ]
        ),
    )
    assert Position.objects.get(code="4.01.000").kelas == 15


def test_the_plan_writer_refuses_ones_own_pay_and_post_class_whatever_the_preview_said(
    bkpsdm_office,
):
    o = bkpsdm_office
    data = to_csv([{**_stay(o["rina"]), "No Rekening": "9999000011"}])
    preview = import_preview(instansi=o["inst"], file=data)  # no actor
    assert preview.ok and preview.plan.employees_update
    with pytest.raises(ValidationError, match=OWN_PAY):
        services._write_import_plan(o["inst"], preview.plan, actor=o["rina"].user)
    raised = _row(
        o["andi"], code="4.01.001", name="Analis SDM", kind="Fungsional", kelas=12, tmt="2020-01-01"
    )
    preview = import_preview(instansi=o["inst"], file=to_csv([raised]))
    assert preview.ok and preview.plan.positions_update
    with pytest.raises(ValidationError, match=OWN_POSITION):
        services._write_import_plan(o["inst"], preview.plan, actor=o["rina"].user)
    assert Position.objects.get(code="4.01.001").kelas == 9
    o["rina"].refresh_from_db()
    assert o["rina"].bank_account == ""
