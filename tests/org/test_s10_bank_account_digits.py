"""Bank account numbers are stored digits only, as the bank's bulk-transfer file wants them: an account
typed "0012-34-5678" (the form, the service, the import) is saved, audited and sent to the bank as
"0012345678"; accounts stored with spaces, dots or dashes by an earlier version are turned into
digits by migration org 0006. Anything else than digits, spaces, dots and dashes stays a field
error in Indonesian."""

from __future__ import annotations

import csv
import importlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from ekinerja.core.models import AuditEvent
from ekinerja.org import services
from ekinerja.org.models import Employee, Role
from ekinerja.org.validation import BANK_ACCOUNT_INVALID, bank_account_normalize
from tests.factories import (
    EmployeeFactory,
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    grant,
)

from .test_import import apply, base_rows, to_csv

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("ekinerja.org.migrations.0006_bank_account_digits")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0012-34-5678", "0012345678"),
        ("0012 3456 78", "0012345678"),
        ("0012.345.678", "0012345678"),
        (" 0012\u00a0345-678 ", "0012345678"),  # a no-break space pasted from a spreadsheet
        ("0012345678", "0012345678"),
        ("", ""),
        ("   ", ""),
        # Not an account once the separators are dropped: kept as typed, for the field error.
        ("0012/345", "0012/345"),
        ("REK-001", "REK-001"),
        ("-", "-"),
    ],
)
def test_normalize_keeps_digits_only(typed, stored):
    assert bank_account_normalize(typed) == stored


def test_employee_save_stores_and_audits_the_digits():
    employee = EmployeeFactory(bank_name="Bank Kalsel", bank_account="0012345678")
    employee.bank_account = "0098-765 43.2"
    services.employee_save(actor=None, employee=employee)
    employee.refresh_from_db()
    assert employee.bank_account == "0098765432"
    event = AuditEvent.objects.filter(
        action="org.employee.update", object_id=str(employee.pk)
    ).latest("pk")
    assert event.before["bank_account"] == "0012345678"
    assert event.after["bank_account"] == "0098765432"


def test_a_new_employee_is_created_with_the_digits():
    unit = UnitFactory()
    employee = Employee(
        instansi=unit.instansi,
        nip="197002142000032011",
        name="Ahmad Fauzi",
        status=Employee.Status.PNS,
        golongan="III/a",
        bank_name="Bank Kalsel",
        bank_account="0012.3456.78",
    )
    services.employee_save(actor=None, employee=employee)
    assert Employee.objects.get(pk=employee.pk).bank_account == "0012345678"
    event = AuditEvent.objects.get(action="org.employee.create", object_id=str(employee.pk))
    assert event.after["bank_account"] == "0012345678"


@pytest.mark.parametrize("typed", ["0012/345", "REK-001", "-", "١٢٣"])
def test_anything_else_is_a_field_error_and_saves_nothing(typed):
    employee = EmployeeFactory(bank_account="0012345678")
    employee.bank_account = typed
    with pytest.raises(ValidationError) as err:
        services.employee_save(actor=None, employee=employee)
    assert err.value.message_dict["bank_account"] == [BANK_ACCOUNT_INVALID]
    assert BANK_ACCOUNT_INVALID == (
        "Nomor rekening hanya boleh berisi angka (spasi, titik dan tanda hubung diabaikan)."
    )
    assert Employee.objects.get(pk=employee.pk).bank_account == "0012345678"


def test_the_same_account_typed_with_dashes_is_no_change_of_pay_data():
    """Kominfo may correct an employee's name but not their pay data: the stored account typed
    again with dashes is the same account, not a refused change."""
    unit = UnitFactory()
    post = PositionFactory(unit=unit)
    clerk = employee_with_login(unit.instansi, post, name="Petugas Kominfo")
    grant(clerk.user, Role.KOMINFO)
    employee = EmployeeFactory(instansi=unit.instansi, bank_account="0012345678")
    employee.name = "Nama Diperbaiki"
    employee.bank_account = "0012-345-678"
    services.employee_save(actor=clerk.user, employee=employee)
    employee.refresh_from_db()
    assert (employee.name, employee.bank_account) == ("Nama Diperbaiki", "0012345678")


def test_the_admin_form_saves_the_digits(client):
    unit = UnitFactory()
    post = PositionFactory(unit=unit)
    officer = employee_with_login(unit.instansi, post, name="Rina BKPSDM")
    officer.user.is_staff = True
    officer.user.save(update_fields=["is_staff"])
    grant(officer.user, Role.BKPSDM)
    client.force_login(officer.user)
    data = {
        "nip": "197002142000032011",
        "name": "Ahmad Fauzi",
        "front_title": "",
        "back_title": "",
        "status": "PNS",
        "golongan": "III/a",
        "pppk_grade": "",
        "npwp": "",
        "bank_name": "Bank Kalsel",
        "bank_account": "0012-3456-78",
        "phone": "",
        "email": "",
        "salary": "",
        "user": "",
        "is_active": "on",
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "0",
    }
    resp = client.post(reverse("admin:org_employee_add"), data)
    assert resp.status_code == 302, resp.context["adminform"].form.errors
    assert Employee.objects.get(nip="197002142000032011").bank_account == "0012345678"
    data.update(nip="197002142000032029", bank_account="0012 34AB")
    resp = client.post(reverse("admin:org_employee_add"), data)
    assert resp.status_code == 200
    assert resp.context["adminform"].form.errors["bank_account"] == [BANK_ACCOUNT_INVALID]
    assert not Employee.objects.filter(nip="197002142000032029").exists()


def test_the_import_stores_the_digits_and_names_a_bad_account():
    inst = InstansiFactory(code="6301")
    rows = base_rows()
    rows[1]["No Rekening"] = "'0012-345 678"
    apply(inst, to_csv(rows))
    assert Employee.objects.get(instansi=inst, nip=rows[1]["NIP"]).bank_account == "0012345678"

    rows[1]["No Rekening"] = "0012/345"
    from ekinerja.org.importer import import_preview

    preview = import_preview(instansi=inst, file=to_csv(rows), name="pegawai.csv")
    assert [(e.column, e.message) for e in preview.errors] == [
        ("No Rekening", BANK_ACCOUNT_INVALID)
    ]


def _run_migration():
    deps = MIGRATION.Migration.dependencies
    apps = MigrationExecutor(connection).loader.project_state(deps).apps
    MIGRATION.forwards(apps, None)


def test_migration_turns_stored_accounts_into_digits_and_leaves_the_rest():
    inst = InstansiFactory()
    stored = {
        "dashes": "0012-34-5678",
        "spaces": " 0012 3456 78 ",
        "dots": "0012.345.678",
        "digits": "0012345678",
        "empty": "",
        "blank": "   ",
        "letters": "REK-0012",
        "slash": "0012/345",
    }
    people = {key: EmployeeFactory(instansi=inst, name=f"Pegawai {key}") for key in stored}
    # As an earlier version stored them: straight into the table, no normalisation.
    for key, employee in people.items():
        Employee.objects.filter(pk=employee.pk).update(bank_account=stored[key])
    last = AuditEvent.objects.order_by("pk").values_list("pk", flat=True).last() or 0

    _run_migration()

    now = dict(Employee.objects.values_list("name", "bank_account"))
    assert now["Pegawai dashes"] == "0012345678"
    assert now["Pegawai spaces"] == "0012345678"
    assert now["Pegawai dots"] == "0012345678"
    for key in ("digits", "empty", "blank", "letters", "slash"):
        assert now[f"Pegawai {key}"] == stored[key], key
    audited = {e.object_id: e for e in AuditEvent.objects.filter(pk__gt=last)}
    assert set(audited) == {str(people[k].pk) for k in ("dashes", "spaces", "dots")}
    event = audited[str(people["dashes"].pk)]
    assert event.action == "org.employee.update" and event.object_type == "org.Employee"
    assert event.before == {"bank_account": "0012-34-5678"}
    assert event.after == {"bank_account": "0012345678"}
    assert event.instansi_id == inst.pk and people["dashes"].nip in event.object_repr

    _run_migration()  # run again: nothing left to do
    assert AuditEvent.objects.filter(pk__gt=last).count() == 3


def test_migration_reverses_as_a_no_op():
    from django.db.migrations import RunPython

    (operation,) = MIGRATION.Migration.operations
    assert isinstance(operation, RunPython) and operation.reversible
    assert operation.reverse_code is RunPython.noop


def test_the_bank_csv_carries_the_digits():
    """The account as saved reaches the run's rows and the bank's file digits only; a month
    computed before (its row still holding the dashes) is written digits only too."""
    from ekinerja.tpp import exports
    from ekinerja.tpp import services as tpp_services
    from ekinerja.tpp.models import Result
    from tests.tpp.data import OCT, full_attendance, make_pemda, monthly_minutes, rate

    p = make_pemda()
    staf = p.people["staf"]
    staf.bank_name, staf.bank_account = "Bank Kalsel", "0012-3456-78"
    services.employee_save(actor=None, employee=staf)
    for e in p.people.values():
        full_attendance(e)
        monthly_minutes(p, e, 12)
        rate(e, "baik")
    run = tpp_services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    assert Result.objects.get(run=run, employee=staf).bank_account == "0012345678"
    other = next(e for e in p.people.values() if e.pk != staf.pk)
    Result.objects.filter(run=run, employee=other).update(bank_account=" 0098-7654.32 ")
    run = tpp_services.run_verify(actor=p.bkpsdm1, run=run)
    run = tpp_services.run_lock(actor=p.bkpsdm2, run=run)
    rows = list(csv.reader(io.StringIO(exports.bank_csv(run))))
    header = rows[0]
    account = {r[header.index("nip")]: r[header.index("no_rekening")] for r in rows[1:] if r}
    assert account[staf.nip] == "0012345678"
    assert account[other.nip] == "0098765432"
