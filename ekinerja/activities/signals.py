"""Invalidation of the values every activity write needs: the entry window, the instansi's
calendars and the policy values (ActivitySettings).

Every activity write needs the employee's entry window and verification deadline, read from the work
calendar, and the policy values. They are kept in each process's memory (selectors._LOCAL) under a
per-instansi generation in the shared cache, bumped here after any committed change: a workcal model
saved or deleted, a `workcal.*` audit event (workcal's services audit every change, bulk ones
included), or ActivitySettings saved or deleted. With a shared cache (Redis) every worker sees the
bump at once; with the per-process fallback cache another worker may use the old values until they
expire (CALENDAR_TTL)."""

from __future__ import annotations

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from . import selectors


def _bump_later(instansi_id) -> None:
    """Now (this process must not reuse a window from before the change, even inside the still
    open transaction) and again after the commit (another request may have cached the old calendar
    meanwhile)."""
    if instansi_id is not None:
        selectors.calendar_changed(instansi_id)
        transaction.on_commit(lambda: selectors.calendar_changed(instansi_id))


def _on_workcal_change(sender, instance, **kwargs):
    _bump_later(getattr(instance, "instansi_id", None))


def _on_audit(sender, instance, created, **kwargs):
    if created and instance.action.startswith("workcal."):
        _bump_later(instance.instansi_id)


def _on_settings(sender, instance, **kwargs):
    instansi = instance.instansi
    selectors.settings_changed(instansi)
    transaction.on_commit(lambda: selectors.settings_changed(instansi))


def _on_password_set(sender, user, **kwargs):
    """A new password (set by its owner or issued by an officer) ends every API token of the
    account: a phone logged in with the old one must log in again."""
    apps.get_model("activities", "ApiToken").objects.filter(user=user, revoked=False).update(
        revoked=True
    )


def connect() -> None:
    from ekinerja.core.passwords import password_set

    password_set.connect(_on_password_set, dispatch_uid="act-token-revoke")
    for model in apps.get_app_config("workcal").get_models():
        post_save.connect(
            _on_workcal_change, sender=model, dispatch_uid=f"act-cal-{model.__name__}"
        )
        post_delete.connect(
            _on_workcal_change, sender=model, dispatch_uid=f"act-cal-del-{model.__name__}"
        )
    post_save.connect(
        _on_audit, sender=apps.get_model("core", "AuditEvent"), dispatch_uid="act-cal-audit"
    )
    settings_model = apps.get_model("activities", "ActivitySettings")
    post_save.connect(_on_settings, sender=settings_model, dispatch_uid="act-settings")
    post_delete.connect(_on_settings, sender=settings_model, dispatch_uid="act-settings-del")
