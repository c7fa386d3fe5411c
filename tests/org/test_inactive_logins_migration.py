"""Migration org 0005: an employee deactivated before deactivation also turned the login off kept an
active login (someone who had left could still sign in); the upgrade turns those logins off, audited,
and leaves active employees, superusers and accounts without an employee record alone."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ekinerja.core.models import AuditEvent, User
from tests.factories import InstansiFactory, UserFactory, employee_with_login

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("ekinerja.org.migrations.0005_inactive_employees_logins_off")


def _run_migration():
    deps = MIGRATION.Migration.dependencies
    apps = MigrationExecutor(connection).loader.project_state(deps).apps
    MIGRATION.forwards(apps, None)


def test_logins_of_employees_deactivated_earlier_are_turned_off_audited():
    inst = InstansiFactory()
    left = employee_with_login(inst, None, name="Sudah pensiun")
    staying = employee_with_login(inst, None, name="Masih bekerja")
    admin_emp = employee_with_login(inst, None, name="Admin server")
    User.objects.filter(pk=admin_emp.user_id).update(is_superuser=True)
    officer = UserFactory(instansi=inst, username="tanpa.pegawai")
    # Deactivated the old way: the employee flag only (a queryset update, as before the service did).
    type(left).objects.filter(pk__in=[left.pk, admin_emp.pk]).update(is_active=False)

    _run_migration()

    active = dict(User.objects.values_list("pk", "is_active"))
    assert active[left.user_id] is False
    assert active[staying.user_id] is True
    assert active[admin_emp.user_id] is True  # a superuser is managed on the server
    assert active[officer.pk] is True
    event = AuditEvent.objects.get(action="auth.account.deactivate")
    assert (event.object_id, event.instansi_id, event.actor_id) == (
        str(left.user_id),
        inst.pk,
        None,
    )
    assert event.after == {"is_active": False, "employee": left.pk}
    assert "pensiun" in event.reason
    # Run again (nothing left to do): no second event.
    _run_migration()
    assert AuditEvent.objects.filter(action="auth.account.deactivate").count() == 1
