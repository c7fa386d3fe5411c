"""Writing audit events. Call inside the service's transaction so the change and its record
commit or roll back together."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from .models import AuditEvent, Instansi, User


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


#: How a secret field's value is recorded in a snapshot, and in `after` when the change altered it.
SECRET_MASK = "••••"
SECRET_CHANGED = "•••• (diubah)"


class _Secret(str):
    """A secret field's value in a snapshot: it reads, compares with text and is stored as
    SECRET_MASK; two of them compare by the value they stand for, kept in memory only, so a
    before/after pair tells "changed" without recording what it was or became (audit_record)."""

    def __new__(cls, value: Any) -> _Secret:
        self = super().__new__(cls, SECRET_MASK)
        self._value = value
        return self

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Secret):
            return self._value == other._value
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = str.__hash__

    def __reduce__(self):  # pickled or copied: the mask only, never the value
        return (str, (SECRET_MASK,))


def secret_fields(model: type[models.Model] | models.Model) -> frozenset[str]:
    """The fields a model marks secret (`audit_secret_fields = ("comm_key",)` on the model class: a
    machine's password, a key): never written to the audit log in clear."""
    return frozenset(getattr(model, "audit_secret_fields", ()))


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of a model instance, for before/after records; the model's secret
    fields (secret_fields) are recorded as SECRET_MASK, or SECRET_CHANGED in `after` when changed."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    hidden = secret_fields(obj)
    return _jsonable(
        {
            name: _Secret(getattr(obj, name)) if name in hidden else getattr(obj, name)
            for name in names
        }
    )


def _mark_changed_secrets(before: dict | None, after: dict | None) -> dict | None:
    """`after` with each secret that differs from `before`'s recorded as SECRET_CHANGED (a new
    row, before None: as SECRET_MASK)."""
    if not before or not after:
        return after
    return {
        k: SECRET_CHANGED
        if isinstance(v, _Secret) and isinstance(before.get(k), _Secret) and v != before[k]
        else v
        for k, v in after.items()
    }


def audit_record(
    *,
    action: str,
    actor: User | None,
    instansi: Instansi | None,
    obj: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    ip_address: str | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one audit event."""
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor_label
        if actor_label is not None
        else (actor.get_username() if actor else "sistem"),
        instansi=instansi,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(_mark_changed_secrets(before, after)) if after is not None else None,
        reason=reason,
        ip_address=ip_address,
    )


def audit_row(
    *,
    action: str,
    actor: User | None,
    instansi: Instansi | None,
    obj: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    """An unsaved event for `obj` as audit_record writes it (`after` defaults to the object's row),
    for a batch whose rows each have their own after or reason: written with one bulk_create."""
    return AuditEvent(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor.get_username() if actor else "sistem",
        instansi=instansi,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(
            _mark_changed_secrets(before, after if after is not None else snapshot(obj))
        ),
        reason=reason,
    )


def audit_records(
    *,
    action: str,
    actor: User | None,
    instansi: Instansi | None,
    objs: list[models.Model],
    befores: dict | None = None,
    reason: str = "",
) -> None:
    """One event per object (its row after, and before when `befores` holds its pk), written in
    one statement: what audit_record would write for each, for a batch saved in bulk."""
    befores = befores or {}
    AuditEvent.objects.bulk_create(
        [
            audit_row(
                action=action,
                actor=actor,
                instansi=instansi,
                obj=obj,
                before=befores.get(obj.pk),
                reason=reason,
            )
            for obj in objs
        ]
    )


_SECRET_FIELDS = {"password", "key"}


def audit_deleted(*, actor: User | None, objs: list[models.Model], reason: str = "") -> None:
    """One "admin.delete" event per object, with the row as it was, written in one statement."""
    label = actor.get_username() if actor else "sistem"
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                action="admin.delete",
                actor=actor if actor is not None and actor.pk else None,
                actor_label=label,
                instansi_id=getattr(obj, "instansi_id", None),
                object_type=obj._meta.label,
                object_id=str(obj.pk),
                object_repr=str(obj)[:255],
                before={k: v for k, v in snapshot(obj).items() if k not in _SECRET_FIELDS},
                reason=reason,
            )
            for obj in objs
        ]
    )
