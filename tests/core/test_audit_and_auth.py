import pytest
from django.db import connection
from django.urls import reverse

from ekinerja.core.audit import audit_record
from ekinerja.core.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Rahasia-Kuat-2026!"


def test_audit_events_cannot_be_changed_or_deleted():
    event = audit_record(action="x.test", actor=None, instansi=None, reason="uji")
    event.reason = "diubah"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(reason="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == "uji"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger exists on PostgreSQL only")
def test_database_trigger_refuses_raw_update():
    from django.db import DatabaseError, transaction

    audit_record(action="x.test", actor=None, instansi=None)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE core_auditevent SET reason = 'x'")


def test_login_by_username_writes_audit(client):
    user = UserFactory(username="198505172010031002")
    resp = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert resp.status_code == 302
    assert AuditEvent.objects.filter(action="auth.login", actor=user).exists()


def test_failed_logins_lock_the_account(client, settings):
    settings.LOGIN_LOCKOUT_THRESHOLD = 3
    user = UserFactory()
    for _ in range(3):
        resp = client.post(
            reverse("login"), {"username": user.username, "password": "salah-sekali"}
        )
        assert resp.status_code == 200
    assert "terkunci" in resp.content.decode()
    user.refresh_from_db()
    assert user.locked_until is not None
    # Even the right password is refused while locked.
    resp = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert resp.status_code == 200 and "terkunci" in resp.content.decode()
    assert (
        AuditEvent.objects.filter(action="auth.login_failed", actor_label=user.username).count()
        == 4
    )


def test_lock_expires(client, settings, time_machine=None):
    import datetime as dt

    from django.utils import timezone

    user = UserFactory()
    user.locked_until = timezone.now() - dt.timedelta(seconds=1)
    user.save()
    resp = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert resp.status_code == 302


def test_password_rules_asvs_l2():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["pendek123", "password12345", "123456789012"]:
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("Kebun-Kopi-Loksado-7")


def test_unknown_user_failed_login_is_audited(client):
    client.post(reverse("login"), {"username": "tidak-ada", "password": "apa saja"})
    assert AuditEvent.objects.filter(action="auth.login_failed", actor_label="tidak-ada").exists()


@pytest.mark.parametrize(
    "zone,abbr,offset", [("Asia/Makassar", "WITA", 8), ("Asia/Jayapura", "WIT", 9)]
)
def test_lockout_message_speaks_the_instansi_clock(client, settings, zone, abbr, offset):
    import datetime as dt

    from django.utils import timezone

    user = UserFactory(instansi__timezone=zone)
    user.locked_until = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=10)
    user.save()
    resp = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    local = (user.locked_until + dt.timedelta(hours=offset)).strftime("%H.%M")
    assert f"Coba lagi setelah {local} {abbr}" in resp.content.decode()


def test_admin_delete_by_platform_superuser_is_audited(client):
    from ekinerja.core.models import User

    root = User.objects.create_superuser("root", password=PASSWORD)
    victim = UserFactory(username="akun-lama")
    client.force_login(root)
    resp = client.post(
        reverse("admin:core_user_delete", args=[victim.pk]), {"post": "yes"}, follow=False
    )
    assert resp.status_code == 302
    assert not User.objects.filter(pk=victim.pk).exists()
    event = AuditEvent.objects.get(action="admin.delete", object_id=str(victim.pk))
    assert event.actor == root and event.instansi_id == victim.instansi_id
    assert event.before["username"] == "akun-lama" and "password" not in event.before

    # the bulk action too
    a, b = UserFactory(), UserFactory()
    resp = client.post(
        reverse("admin:core_user_changelist"),
        {"action": "delete_selected", "_selected_action": [a.pk, b.pk], "post": "yes"},
    )
    assert resp.status_code == 302
    assert set(
        AuditEvent.objects.filter(action="admin.delete").values_list("object_id", flat=True)
    ) == {str(victim.pk), str(a.pk), str(b.pk)}


def test_a_nip_typed_as_printed_on_the_id_card_logs_in(client):
    """ "19761125 200510 2 008" (the ID card's and the SK's spacing) was "salah"; only the spaces
    around it were trimmed. Dots and dashes are read the same; other usernames are left as typed."""
    from ekinerja.core.auth import nip_as_typed

    UserFactory(username="197611252005102008", password="Rahasia-Kuat-2026!")
    for typed in ("19761125 200510 2 008", "19761125.200510.2.008", " 19761125-200510-2-008 "):
        client.logout()
        response = client.post(
            reverse("login"), {"username": typed, "password": "Rahasia-Kuat-2026!"}
        )
        assert response.status_code == 302, typed
    assert nip_as_typed("bkpsdm.kotabaru") == "bkpsdm.kotabaru"
    assert nip_as_typed("1976 1125") == "1976 1125"  # not 18 digits: as typed


def test_a_failed_login_with_the_nip_typed_as_on_the_id_card_is_audited_on_that_account(client):
    """The backend reads "19761125 200510 2 008" as the NIP (core.auth.nip_as_typed), and so does
    the audit now: the failed attempt was recorded against no account, so the employee's
    instansi never saw it."""
    user = UserFactory(username="197611252005102008")
    client.post(reverse("login"), {"username": "19761125 200510 2 008", "password": "salah-sekali"})
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert (event.object_id, event.instansi_id) == (str(user.pk), user.instansi_id)
    assert event.actor_label == "19761125 200510 2 008"
