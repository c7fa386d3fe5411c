"""Employees deactivated before their deactivation also turned their login off (services.
logins_deactivate) kept an active login: someone who had left could still sign in. Turn those logins
off now, with the audit event the service writes. A superuser's login stays as it is (managed on the
server). BKPSDM re-enables a login with "Aktifkan kembali" on the accounts page."""

from django.db import migrations

REASON = (
    "pegawai dinonaktifkan (pensiun, pindah atau berhenti): akun masuknya ikut dinonaktifkan "
    "(pembaruan sistem untuk pegawai yang dinonaktifkan sebelumnya)"
)


def forwards(apps, schema_editor):
    Employee = apps.get_model("org", "Employee")
    User = apps.get_model("core", "User")
    AuditEvent = apps.get_model("core", "AuditEvent")
    rows = list(
        Employee.objects.filter(
            is_active=False, user__isnull=False, user__is_active=True, user__is_superuser=False
        ).values_list("pk", "user_id", "user__username", "user__instansi_id")
    )
    if not rows:
        return
    User.objects.filter(pk__in=[r[1] for r in rows]).update(is_active=False)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                action="auth.account.deactivate",
                actor_label="sistem",
                instansi_id=instansi_id,
                object_type="core.User",
                object_id=str(user_id),
                object_repr=(username or "")[:255],
                before={"is_active": True},
                after={"is_active": False, "employee": pk},
                reason=REASON,
            )
            for pk, user_id, username, instansi_id in rows
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0004_employee_salary_since"),
        ("core", "0003_user_must_change_password"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
