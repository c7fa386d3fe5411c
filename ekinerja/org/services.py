"""Writes to the organisation: every one validated, in one transaction, with an audit event."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from ekinerja.core.audit import audit_record, snapshot
from ekinerja.core.models import Instansi, User
from ekinerja.core.periods import tanggal

from .models import GRANTABLE_ROLES, Assignment, Employee, Position, RoleGrant, Unit
from .nip import NipError, parse_nip


def _check_same_instansi(instansi: Instansi, **related) -> None:
    errors = {}
    for name, obj in related.items():
        if obj is not None and obj.instansi_id != instansi.id:
            errors[name] = "Data ini milik instansi lain."
    if errors:
        raise ValidationError(errors)


def _check_no_cycle(
    model, obj_id: int | None, parent_id: int | None, instansi_id: int, label: str
) -> None:
    """Refuse a parent that is the object itself or one of its descendants (one query)."""
    if obj_id is None or parent_id is None:
        return
    parent = dict(model.objects.filter(instansi_id=instansi_id).values_list("id", "parent_id"))
    seen = set()
    node = parent_id
    while node is not None and node not in seen:
        if node == obj_id:
            raise ValidationError(
                {"parent": f"{label} tidak boleh menjadi bawahan dirinya sendiri (siklus)."}
            )
        seen.add(node)
        node = parent.get(node)


def _save(obj, *, actor: User | None, action: str, exclude_validation=None) -> None:
    before = None
    if obj.pk:
        old = type(obj).objects.filter(pk=obj.pk).first()
        before = snapshot(old) if old else None
    obj.full_clean(exclude=exclude_validation)
    obj.save()
    audit_record(
        action=action if before is None else action.replace(".create", ".update"),
        actor=actor,
        instansi=obj.instansi,
        obj=obj,
        before=before,
        after=snapshot(obj),
    )


@transaction.atomic
def unit_save(*, actor: User | None, unit: Unit) -> Unit:
    """Create or update a unit; refuses a parent from another instansi or a cycle in the tree."""
    _check_same_instansi(unit.instansi, parent=unit.parent)
    _check_no_cycle(Unit, unit.pk, unit.parent_id, unit.instansi_id, "Unit")
    _save(unit, actor=actor, action="org.unit.create")
    return unit


@transaction.atomic
def position_save(*, actor: User | None, position: Position) -> Position:
    """Create or update a position (jabatan); kelas 1-17; parent from the same instansi; no cycles."""
    _check_same_instansi(position.instansi, parent=position.parent, unit=position.unit)
    if position.kelas is not None and not 1 <= position.kelas <= 17:
        raise ValidationError({"kelas": "Kelas jabatan harus antara 1 dan 17."})
    _check_no_cycle(Position, position.pk, position.parent_id, position.instansi_id, "Jabatan")
    _save(position, actor=actor, action="org.position.create")
    return position


def validate_employee(employee: Employee, today: dt.date | None = None) -> None:
    errors: dict[str, str] = {}
    try:
        parse_nip(employee.nip, status=employee.status, today=today)
    except NipError as exc:
        errors["nip"] = str(exc)
    if employee.status in (Employee.Status.PNS, Employee.Status.CPNS):
        if not employee.golongan:
            errors["golongan"] = "Golongan/ruang wajib diisi untuk PNS dan CPNS."
        if employee.pppk_grade:
            errors["pppk_grade"] = "Golongan PPPK hanya untuk pegawai berstatus PPPK."
    elif employee.status == Employee.Status.PPPK:
        if employee.golongan:
            errors["golongan"] = (
                "Pegawai PPPK tidak memiliki golongan/ruang PNS; isi golongan PPPK."
            )
        if not employee.pppk_grade:
            errors["pppk_grade"] = "Golongan PPPK wajib diisi untuk pegawai PPPK."
    if employee.npwp and not employee.npwp.replace(".", "").replace("-", "").isdigit():
        errors["npwp"] = "NPWP hanya boleh berisi angka, titik dan tanda hubung."
    if employee.bank_account and not employee.bank_account.replace("-", "").isdigit():
        errors["bank_account"] = "Nomor rekening hanya boleh berisi angka."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def employee_save(*, actor: User | None, employee: Employee) -> Employee:
    """Create or update an employee; the NIP must be plausible (see org.nip) and unique in the instansi."""
    validate_employee(employee)
    _save(employee, actor=actor, action="org.employee.create")
    return employee


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    far = dt.date.max
    return a_start <= (b_end or far) and b_start <= (a_end or far)


@transaction.atomic
def assignment_save(*, actor: User | None, assignment: Assignment) -> Assignment:
    """Create or update an assignment. Two definitif assignments of one employee may not overlap,
    nor may two acting (Plt/Plh) assignments of one employee to the same position."""
    _check_same_instansi(
        assignment.instansi, employee=assignment.employee, position=assignment.position
    )
    if assignment.end and assignment.end < assignment.start:
        raise ValidationError({"end": "Tanggal selesai tidak boleh sebelum tanggal mulai."})
    # Lock the employee's row so two concurrent saves cannot both pass the overlap check.
    Employee.objects.select_for_update().filter(pk=assignment.employee_id).first()
    others = (
        Assignment.objects.filter(employee_id=assignment.employee_id)
        .exclude(pk=assignment.pk)
        .select_related("position")
    )
    for other in others:
        if not _overlaps(assignment.start, assignment.end, other.start, other.end):
            continue
        if assignment.kind == Assignment.Kind.DEFINITIF and other.kind == Assignment.Kind.DEFINITIF:
            until = f"s.d. {tanggal(other.end)}" if other.end else "yang belum berakhir"
            raise ValidationError(
                {
                    "start": f"Tumpang tindih dengan jabatan definitif {other.position.name} "
                    f"mulai {tanggal(other.start)} {until}."
                }
            )
        if other.kind == assignment.kind and other.position_id == assignment.position_id:
            raise ValidationError(
                {"start": "Penugasan yang sama sudah ada pada rentang tanggal ini."}
            )
    _save(assignment, actor=actor, action="org.assignment.create")
    return assignment


@transaction.atomic
def role_grant(
    *, actor: User | None, user: User, role: str, unit: Unit | None = None, reason: str = ""
) -> RoleGrant:
    """Give an account a role (never pegawai/atasan, which are derived). Audited."""
    if role not in {r.value for r in GRANTABLE_ROLES}:
        raise ValidationError(
            {"role": "Peran ini tidak dapat diberikan; pegawai dan atasan ditentukan otomatis."}
        )
    if user.instansi_id is None:
        raise ValidationError({"user": "Akun belum terhubung ke instansi."})
    if unit is not None and unit.instansi_id != user.instansi_id:
        raise ValidationError({"unit": "Unit milik instansi lain."})
    grant, created = RoleGrant.objects.get_or_create(
        instansi_id=user.instansi_id, user=user, role=role, unit=unit
    )
    if created:
        grant.full_clean()
        audit_record(
            action="org.role.grant",
            actor=actor,
            instansi=user.instansi,
            obj=user,
            after={"role": role, "unit": unit.pk if unit else None},
            reason=reason,
        )
    return grant


@transaction.atomic
def role_revoke(*, actor: User | None, grant: RoleGrant, reason: str = "") -> None:
    audit_record(
        action="org.role.revoke",
        actor=actor,
        instansi=grant.instansi,
        obj=grant.user,
        before={"role": grant.role, "unit": grant.unit_id},
        reason=reason,
    )
    grant.delete()


@transaction.atomic
def account_for_employee(
    *, actor: User | None, employee: Employee, password: str | None = None
) -> User:
    """Create (or return) the login of an employee: username = NIP."""
    if employee.user_id:
        return employee.user
    user = User(username=employee.nip, instansi=employee.instansi, email=employee.email)
    if password:
        from django.contrib.auth.password_validation import validate_password

        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    employee.user = user
    employee.save(update_fields=["user"])
    audit_record(action="auth.account.create", actor=actor, instansi=employee.instansi, obj=user)
    return user
