"""Bank account numbers stored digits only, as the bank's bulk-transfer file wants them. Until now an
account typed "0012-34-5678" (or imported with spaces or dots) was stored so and reached the bank csv
and the payroll lists with its dashes. employee_save and the employee import now store digits only
(org.validation.bank_account_normalize); this turns the accounts already stored into digits when
dropping their spaces, dots and dashes leaves digits only, with an "org.employee.update" audit event
each (before and after). Any other value (a letter, a "/") is left as it is, for BKPSDM to correct;
the form names it. Reversed, nothing is done: the digits are the same account."""

import re

from django.db import migrations

REASON = (
    "nomor rekening disimpan sebagai angka saja "
    "(pembaruan sistem: spasi, titik dan tanda hubung dihapus)"
)
_SEPARATORS = re.compile(r"[\s.\-]+")
_BATCH = 1000


def digits_only(value: str) -> str | None:
    """The account without its separators when that leaves ASCII digits only and differs from the
    stored value; else None (left as it is)."""
    digits = _SEPARATORS.sub("", value or "")
    if digits and digits.isascii() and digits.isdigit() and digits != value:
        return digits
    return None


def forwards(apps, schema_editor):
    Employee = apps.get_model("org", "Employee")
    AuditEvent = apps.get_model("core", "AuditEvent")
    # Pure digits need no change; what the database calls "not only digits" differs between SQLite
    # and PostgreSQL, so the candidates are read (accounts are short) and judged here.
    changes = []
    for pk, account, instansi_id, name, front, back, nip in (
        Employee.objects.exclude(bank_account="")
        .order_by("pk")
        .values_list(
            "pk", "bank_account", "instansi_id", "name", "front_title", "back_title", "nip"
        )
        .iterator(chunk_size=_BATCH)
    ):
        new = digits_only(account)
        if new is not None:
            full = f"{front} {name}" if front else name  # as Employee.__str__
            full = f"{full}, {back}" if back else full
            changes.append((pk, account, new, instansi_id, f"{full} ({nip})"))
    for i in range(0, len(changes), _BATCH):
        batch = changes[i : i + _BATCH]
        objs = [Employee(pk=pk, bank_account=new) for pk, _old, new, _i, _r in batch]
        Employee.objects.bulk_update(objs, ["bank_account"])
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    action="org.employee.update",
                    actor_label="sistem",
                    instansi_id=instansi_id,
                    object_type="org.Employee",
                    object_id=str(pk),
                    object_repr=label[:255],
                    before={"bank_account": old},
                    after={"bank_account": new},
                    reason=REASON,
                )
                for pk, old, new, instansi_id, label in batch
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0005_inactive_employees_logins_off"),
        ("core", "0003_user_must_change_password"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
