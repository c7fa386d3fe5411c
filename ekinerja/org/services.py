"""Writes to the organisation: every one validated, in one transaction, with an audit event."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ekinerja.core.audit import audit_deleted, audit_record, snapshot
from ekinerja.core.models import AuditEvent, Instansi, User

from . import importer, signals
from .models import (
    GRANTABLE_ROLES,
    PRIVILEGED_ROLES,
    Assignment,
    Employee,
    ImportBatch,
    Position,
    Role,
    RoleGrant,
    Unit,
)
from .selectors import user_roles
from .validation import (
    assignment_validate,
    bank_account_normalize,
    employee_validate,
    position_validate,
    unit_validate,
    validate_employee,  # noqa: F401  (re-exported: callers used to find it here)
)


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


def decides_pay_and_posts(actor: User | None) -> bool:
    """BKPSDM, the installation's superuser, or a command/import without a user (actor None): who
    changes what TPP is paid on and who is whose superior."""
    return actor is None or actor.is_superuser or Role.BKPSDM in user_roles(actor)


#: What places a unit in the organisation: its parent and kind decide which units an admin OPD or a
#: tim penilai limited to a unit reaches (its sub-units), and which OPD pays and signs for it; its
#: code is what the employee import matches. Only BKPSDM changes them; Kominfo corrects the name.
UNIT_BKPSDM_FIELDS = ("code", "kind", "parent")
#: What places a position in the pay scale and the hierarchy: its kelas (the TPP ceiling), kind and
#: special TPP base; its unit and superior's position (parent: whose superior its holder is, who
#: verifies their work, decides their leave, rates their SKP); its code, what the import matches.
#: Only BKPSDM changes them; Kominfo corrects the name.
POSITION_BKPSDM_FIELDS = ("code", "unit", "kind", "kelas", "parent", "tpp_base")
_BKPSDM_ONLY = "Hanya BKPSDM yang dapat mengubah data ini (menentukan TPP atau atasan pegawai)."


def _bkpsdm_fields_check(actor: User | None, obj, fields: tuple[str, ...], new: str) -> None:
    """Refuses an account without BKPSDM a new object (`new`: the message) or a change of `fields`
    (a field error on each)."""
    if decides_pay_and_posts(actor):
        return
    if obj.pk is None:
        raise ValidationError(new)
    model = type(obj)
    attnames = {f: model._meta.get_field(f).attname for f in fields}
    old = model.objects.filter(pk=obj.pk).values(*attnames.values()).first() or {}
    changed = [f for f, a in attnames.items() if a in old and old[a] != getattr(obj, a)]
    if changed:
        raise ValidationError({f: _BKPSDM_ONLY for f in changed})


def unit_actor_check(actor: User | None, unit: Unit) -> None:
    """Only BKPSDM adds a unit or changes its code, kind or parent (UNIT_BKPSDM_FIELDS): moving a
    unit under another would put its employees in that unit's admin OPD's hands (account resets)."""
    _bkpsdm_fields_check(
        actor, unit, UNIT_BKPSDM_FIELDS, "Unit kerja baru hanya dapat ditambahkan oleh BKPSDM."
    )


#: The field error on a change of what pays or places the actor's own post or record.
OWN_POST_FIELDS_REFUSED = (
    "Jabatan yang Anda duduki sendiri: kelas, jenis, unit dan atasannya harus diubah oleh "
    "petugas BKPSDM lain."
)
OWN_PAY_REFUSED = "Data pembayaran akun sendiri harus diubah oleh petugas BKPSDM lain."


def held_by(actor: User | None, position_ids) -> set[int]:
    """The positions among `position_ids` that the actor's own employee record holds (any kind) on
    or after today: a post they are in or are about to take. One query."""
    if actor is None or actor.pk is None or actor.instansi_id is None:
        return set()
    from ekinerja.core.clock import local_today

    today = local_today(actor.instansi)
    return set(
        Assignment.objects.filter(
            Q(end__isnull=True) | Q(end__gte=today),
            position_id__in=list(position_ids),
            employee__user_id=actor.pk,
        ).values_list("position_id", flat=True)
    )


def position_actor_check(actor: User | None, position: Position) -> None:
    """Only BKPSDM adds a position or changes what it pays and whom it answers to
    (POSITION_BKPSDM_FIELDS): a kelas raised is a higher TPP ceiling; a post re-parented under one's
    own makes one its holder's direct superior (verifying their activities, deciding their leave).
    And nobody changes those of a post they hold themselves (now or from a later date), BKPSDM
    included: raising one's own kelas raises one's own TPP. Another officer does it."""
    _bkpsdm_fields_check(
        actor, position, POSITION_BKPSDM_FIELDS, "Jabatan baru hanya dapat ditambahkan oleh BKPSDM."
    )
    if position.pk is None or not held_by(actor, [position.pk]):
        return
    attnames = {f: Position._meta.get_field(f).attname for f in POSITION_BKPSDM_FIELDS}
    old = Position.objects.filter(pk=position.pk).values(*attnames.values()).first() or {}
    changed = [f for f, a in attnames.items() if a in old and old[a] != getattr(position, a)]
    if changed:
        raise ValidationError(dict.fromkeys(changed, OWN_POST_FIELDS_REFUSED))


@transaction.atomic
def unit_save(*, actor: User | None, unit: Unit) -> Unit:
    """Create or update a unit; refuses a parent from another instansi or a cycle in the tree. A new
    unit and its code, kind and parent are BKPSDM's (unit_actor_check)."""
    unit_actor_check(actor, unit)
    unit_validate(unit)
    _save(unit, actor=actor, action="org.unit.create")
    return unit


@transaction.atomic
def position_save(*, actor: User | None, position: Position) -> Position:
    """Create or update a position (jabatan); kelas 1-17; parent from the same instansi; no cycles.
    A new position and its code, unit, kind, kelas, parent and TPP base are BKPSDM's
    (position_actor_check)."""
    position_actor_check(actor, position)
    position_validate(position)
    _save(position, actor=actor, action="org.position.create")
    return position


#: What TPP is paid on and where it goes: changed only by BKPSDM (or the installation's superuser, or
#: a command). Kominfo maintains the rest of the record; a bank account it could change would let it
#: redirect someone's TPP.
PAY_FIELDS = (
    "status",
    "status_since",
    "golongan",
    "pppk_grade",
    "npwp",
    "bank_name",
    "bank_account",
    "salary",
    "salary_since",
)


#: Whether the employee counts at all: an inactive employee's posts drop out of the hierarchy, so
#: deactivating someone's superior hands their subordinates to the next holder up. BKPSDM's too.
EMPLOYEE_HIERARCHY_FIELDS = ("is_active",)

#: Who the record is: fingerprint machines (a PIN equal to the NIP), the punch and SIMPEG imports
#: find the employee by NIP, so a changed NIP moves one person's check-ins and imported data onto
#: another's record (an audit swapped two NIPs from Kominfo's admin). BKPSDM's too, for an existing
#: record (a new employee's NIP is whoever enters them).
EMPLOYEE_IDENTITY_FIELDS = ("nip",)
NIP_BKPSDM_ONLY = (
    "NIP hanya dapat diubah oleh BKPSDM: mesin absensi dan impor mengenali pegawai dari NIP-nya."
)


def employee_pay_check(actor: User | None, employee: Employee) -> None:
    """Refuses (field errors) a change of a PAY_FIELDS, EMPLOYEE_HIERARCHY_FIELDS or
    EMPLOYEE_IDENTITY_FIELDS value by an account that does not hold BKPSDM; for a new employee, any bank account, NPWP or salary. And
    nobody changes those of their own employee record, BKPSDM included (a bank account or status
    of one's own decides where and how much one's own TPP is paid): another officer does it."""
    fields = (*PAY_FIELDS, *EMPLOYEE_HIERARCHY_FIELDS)
    if actor is not None and employee.pk and employee.user_id == actor.pk:
        old = Employee.objects.filter(pk=employee.pk).values(*fields).first() or {}
        changed = [f for f in fields if f in old and old[f] != getattr(employee, f)]
        if changed:
            raise ValidationError(dict.fromkeys(changed, OWN_PAY_REFUSED))
    if decides_pay_and_posts(actor):
        return
    errors = {}
    if employee.pk:
        fields = (*fields, *EMPLOYEE_IDENTITY_FIELDS)
        old = Employee.objects.filter(pk=employee.pk).values(*fields).first() or {}
        changed = [f for f in fields if f in old and old[f] != getattr(employee, f)]
    else:
        changed = [
            f for f in ("npwp", "bank_name", "bank_account", "salary") if getattr(employee, f)
        ]
    for f in changed:
        if f in EMPLOYEE_IDENTITY_FIELDS:
            errors[f] = NIP_BKPSDM_ONLY
        elif f in EMPLOYEE_HIERARCHY_FIELDS:
            errors[f] = _BKPSDM_ONLY
        else:
            errors[f] = "Data pembayaran hanya dapat diubah oleh BKPSDM."
    if errors:
        raise ValidationError(errors)


#: employee_save never links or re-links a login: accounts_create and password_reset do.
_USER_LINK_REFUSED = "Akun pegawai dibuat dan diatur ulang di halaman Akun pegawai."


#: The reason recorded when an employee's deactivation deactivates their login.
LOGIN_DEACTIVATED_REASON = (
    "pegawai dinonaktifkan (pensiun, pindah atau berhenti): akun masuknya ikut dinonaktifkan"
)


def logins_deactivate(
    *, actor: User | None, employees: Iterable[Employee], reason: str = LOGIN_DEACTIVATED_REASON
) -> list[int]:
    """Deactivate the active logins of these (deactivated) employees, set-based: one read, one
    UPDATE and one audit statement ("auth.account.deactivate" per account, with `reason`) whatever
    their number; call inside the caller's transaction. A superuser's login is left alone (it is
    managed on the server, and BKPSDM could otherwise lock the installation's administrator out);
    accounts without an employee record are never reached. Re-enabled only through the "Akun
    pegawai" page (password_reset). Returns the ids of the accounts deactivated."""
    by_user = {e.user_id: e for e in employees if e.user_id is not None}
    if not by_user:
        return []
    rows = list(
        User.objects.filter(pk__in=list(by_user), is_active=True, is_superuser=False).values_list(
            "pk", "username", "instansi_id"
        )
    )
    if not rows:
        return []
    User.objects.filter(pk__in=[pk for pk, _u, _i in rows]).update(is_active=False)
    label = actor.get_username() if actor is not None else "sistem"
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                action="auth.account.deactivate",
                actor=actor if actor is not None and actor.pk else None,
                actor_label=label,
                instansi_id=instansi_id,
                object_type=User._meta.label,
                object_id=str(pk),
                object_repr=username[:255],
                before={"is_active": True},
                after={"is_active": False, "employee": by_user[pk].pk},
                reason=reason,
            )
            for pk, username, instansi_id in rows
        ]
    )
    return [pk for pk, _u, _i in rows]


@transaction.atomic
def employee_save(*, actor: User | None, employee: Employee) -> Employee:
    """Create or update an employee; the NIP must be plausible (see org.nip) and unique in the instansi.
    The login is not linked or re-linked here (see accounts_create): a new employee gets none, an
    existing one keeps theirs. An employee deactivated here (active before: retired, moved to
    another Pemda, dismissed) loses their login too (logins_deactivate, audited): someone who has
    left can no longer sign in, see data or act on former subordinates. Reactivating the employee
    does not re-enable it: BKPSDM does, on the "Akun pegawai" page (password_reset).
    A change of status needs its date (status_since) and keeps the status before it (previous_status),
    so months before the change are paid at the earlier status's factor; likewise a change of salary
    (salary_since, previous_salary) for the health-insurance income cap of the months before it.
    Changed again with the same TMT, the value corrects that change: the earlier value is kept.
    Only the latest change is kept.
    The bank account is stored digits only (bank_account_normalize: "0012-34-5678" typed is
    "0012345678" saved, audited and sent to the bank), before the checks: the same number typed
    with dashes is no change of a pay field."""
    employee.bank_account = bank_account_normalize(employee.bank_account)
    employee_pay_check(actor, employee)
    employee_validate(employee)
    was_active = False
    old_nip = None
    if employee.pk:
        old = (
            Employee.objects.filter(pk=employee.pk)
            .values_list(
                "status", "status_since", "salary", "salary_since", "user_id", "is_active", "nip"
            )
            .first()
        )
        if old is not None:
            status, status_since, salary, salary_since, user_id, was_active, old_nip = old
            if employee.user_id != user_id:
                raise ValidationError({"user": _USER_LINK_REFUSED})
            if status != employee.status and employee.status_since != status_since:
                employee.previous_status = status
            if (
                salary is not None
                and salary != employee.salary
                and employee.salary_since != salary_since
            ):
                employee.previous_salary = salary
    elif employee.user_id is not None:
        raise ValidationError({"user": _USER_LINK_REFUSED})
    _save(employee, actor=actor, action="org.employee.create")
    if was_active and not employee.is_active:
        logins_deactivate(actor=actor, employees=[employee])
    if employee.nip != old_nip:
        # A machine may send the NIP as its PIN: its lines kept so far are recovered (attendance).
        signals.nips_announce(
            employee.instansi_id, [employee.nip], actor_id=actor.pk if actor else None
        )
    return employee


def assignment_actor_check(actor: User | None, assignment: Assignment) -> None:
    """Posts are recorded by BKPSDM only: a definitif post decides the kelas TPP is paid on, and any
    post (Plt/Plh too) whose subordinates one verifies. And nobody records a post for their own
    employee record, BKPSDM included: a Plt/Plh post over others would make them those people's
    verifier. Another officer does it."""
    if actor is not None and assignment.employee_id is not None:
        own = Employee.objects.filter(pk=assignment.employee_id, user_id=actor.pk).exists()
        if own:
            raise ValidationError(
                {"employee": "Jabatan akun sendiri harus dicatat oleh petugas lain."}
            )
    if not decides_pay_and_posts(actor):
        raise ValidationError("Penempatan jabatan hanya dapat dicatat atau diubah oleh BKPSDM.")


def _definitif_posts(
    *, employee_ids: Iterable[int] = (), assignment_ids: Iterable[int] = ()
) -> dict[int, dict[int, signals.Span]]:
    """Employee id -> {assignment id: (start, end)} of every definitif post of these employees and
    of the holders of these assignments (one query per _ID_CHUNK ids): the posts as they are before
    a write, from which signals.announce tells which days in post it changes."""
    out: dict[int, dict[int, signals.Span]] = defaultdict(dict)
    emps, rows = sorted(set(employee_ids)), sorted({pk for pk in assignment_ids if pk})
    conditions = [
        Q(employee_id__in=emps[i : i + _ID_CHUNK]) for i in range(0, len(emps), _ID_CHUNK)
    ]
    conditions += [
        Q(
            employee_id__in=Assignment.objects.filter(pk__in=rows[i : i + _ID_CHUNK]).values(
                "employee_id"
            )
        )
        for i in range(0, len(rows), _ID_CHUNK)
    ]
    for condition in conditions:
        for pk, emp, start, end in Assignment.objects.filter(
            condition, kind=Assignment.Kind.DEFINITIF
        ).values_list("pk", "employee_id", "start", "end"):
            out[emp][pk] = (start, end)
    return out


def _announce_posts(
    instansi_id: int,
    before: dict[int, dict[int, signals.Span]],
    after: dict[int, dict[int, signals.Span]],
) -> None:
    signals.announce(
        instansi_id,
        {e: list(p.values()) for e, p in before.items()},
        {e: list(p.values()) for e, p in after.items()},
    )


@transaction.atomic
def assignment_save(*, actor: User | None, assignment: Assignment) -> Assignment:
    """Create or update an assignment. Two definitif assignments of one employee may not overlap,
    nor may two acting (Plt/Plh) assignments of one employee to the same position; only BKPSDM
    records them, never their own (assignment_actor_check). A definitif one (before or after the
    write) announces the days in post it changes (signals.posts_changed): the stored attendance of
    those days follows; an acting one announces nothing."""
    assignment_actor_check(actor, assignment)
    # Lock the employee's row so two concurrent saves cannot both pass the overlap check.
    Employee.objects.select_for_update().filter(pk=assignment.employee_id).first()
    assignment_validate(assignment)
    definitif = assignment.kind == Assignment.Kind.DEFINITIF
    # The definitif posts as they are (one query; none for a new acting post), whoever holds this
    # row now: an edit may move it to another employee or make it acting.
    before = (
        _definitif_posts(employee_ids=[assignment.employee_id], assignment_ids=[assignment.pk])
        if definitif or assignment.pk is not None
        else None
    )
    _save(assignment, actor=actor, action="org.assignment.create")
    if before is not None:
        after = {
            e: {pk: s for pk, s in p.items() if pk != assignment.pk} for e, p in before.items()
        }
        if definitif:
            after.setdefault(assignment.employee_id, {})[assignment.pk] = (
                assignment.start,
                assignment.end,
            )
        _announce_posts(assignment.instansi_id, before, after)
    return assignment


@transaction.atomic
def assignments_delete(
    *, actor: User | None, assignments: list[Assignment], reason: str = ""
) -> None:
    """Delete assignments (the admin's delete, of one or a selection; the pages offer none: a post
    is ended, not deleted): one "admin.delete" audit event each with the row as it was, and the
    days in post the definitif ones leave announced (signals.posts_changed), once per instansi."""
    if not assignments:
        return
    ids = [a.pk for a in assignments]
    definitif = [a.pk for a in assignments if a.kind == Assignment.Kind.DEFINITIF]
    before = _definitif_posts(assignment_ids=definitif) if definitif else {}
    audit_deleted(actor=actor, objs=assignments, reason=reason)
    Assignment.objects.filter(pk__in=ids).delete()
    gone = set(ids)
    by_instansi: dict[int, list[int]] = defaultdict(list)
    instansi_of = {a.employee_id: a.instansi_id for a in assignments}
    for emp in before:
        by_instansi[instansi_of[emp]].append(emp)
    for instansi_id, emps in by_instansi.items():
        _announce_posts(
            instansi_id,
            {e: before[e] for e in emps},
            {e: {pk: s for pk, s in before[e].items() if pk not in gone} for e in emps},
        )


#: Roles that decide on pay or on employees' records (approve unlocks and leave, compute and lock
#: TPP; overturn verified entries; request unlocks and import punches for a unit): given only by an
#: officer who holds BKPSDM, or by the installation's superuser (the first BKPSDM) or a command.
BKPSDM_GRANTED = frozenset({Role.BKPSDM, Role.TIM_PENILAI, Role.ADMIN_OPD})


#: Who gives and takes back roles at all (the page permission org.add_rolegrant, also enforced by
#: the services): BKPSDM and Kominfo, besides the installation's superuser and commands.
ROLE_KEEPERS = frozenset({Role.BKPSDM, Role.KOMINFO})
ROLES_KEPT = "Peran hanya dapat diberikan atau dicabut oleh BKPSDM atau Diskominfo."


def role_grant_check(actor: User | None, user: User, role: str) -> None:
    """Who may give a role: BKPSDM or Kominfo (ROLE_KEEPERS), nobody to themselves, and the roles
    of BKPSDM_GRANTED only BKPSDM. So
    Kominfo, which maintains accounts, cannot make itself (or an account it controls) BKPSDM and then
    approve unlocks. And nobody gives a privileged role (PRIVILEGED_ROLES) to an account whose
    temporary password they once issued (issued_password_to): a BKPSDM officer who reset a
    colleague's password could otherwise make that account a second BKPSDM and lock, as it, the
    TPP list they computed. Another officer gives it (or the installation's superuser)."""
    if actor is None:
        return
    if user is not None and actor.pk == user.pk:
        raise ValidationError(
            {"user": "Peran tidak dapat diberikan kepada akun sendiri; mintalah petugas lain."}
        )
    if not actor.is_superuser and not user_roles(actor) & ROLE_KEEPERS:
        raise ValidationError({"role": ROLES_KEPT})
    if role in BKPSDM_GRANTED and not actor.is_superuser and Role.BKPSDM not in user_roles(actor):
        raise ValidationError(
            {"role": f"Peran {Role(role).label} hanya dapat diberikan oleh BKPSDM."}
        )
    if (
        role in PRIVILEGED_ROLES
        and user is not None
        and user.pk is not None
        and not actor.is_superuser
        and issued_password_to(actor, user)
    ):
        raise ValidationError(
            {
                "user": f"Peran {Role(role).label} tidak dapat diberikan oleh petugas yang pernah "
                "menerbitkan kata sandi sementara akun ini (membuat akunnya atau mengatur ulang "
                "kata sandinya); mintalah petugas BKPSDM lain."
            }
        )


def issued_password_to(actor: User, user: User) -> bool:
    """Whether `actor` ever issued `user` a temporary password (created the account or reset its
    password: the audit log, append-only, one indexed query). Ever, not only while it is still
    temporary: whoever held it could have replaced it with a password of their own choosing."""
    return AuditEvent.objects.filter(
        instansi_id=user.instansi_id,
        object_type=User._meta.label,
        object_id=str(user.pk),
        action__in=("auth.password.reset", "auth.account.create"),
        actor_id=actor.pk,
    ).exists()


def role_grant_refusals(actor: User | None, user: User, role: str, unit: Unit | None) -> None:
    """Everything role_grant refuses, as field errors (the admin's add form asks it before saving:
    an account without an instansi answered with a server error): a derived role, who may give
    which role (role_grant_check), an account of no instansi, a unit of another one."""
    if role not in {r.value for r in GRANTABLE_ROLES}:
        raise ValidationError(
            {"role": "Peran ini tidak dapat diberikan; pegawai dan atasan ditentukan otomatis."}
        )
    role_grant_check(actor, user, role)
    if user.instansi_id is None:
        raise ValidationError({"user": "Akun belum terhubung ke instansi."})
    if unit is not None and unit.instansi_id != user.instansi_id:
        raise ValidationError({"unit": "Unit milik instansi lain."})
    if unit is not None and role not in RoleGrant.UNIT_ROLES:
        RoleGrant(user=user, role=role, unit=unit).clean()  # its field error, before any write


@transaction.atomic
def role_grant(
    *, actor: User | None, user: User, role: str, unit: Unit | None = None, reason: str = ""
) -> RoleGrant:
    """Give an account a role (never pegawai/atasan, which are derived). Audited. What is refused:
    role_grant_refusals."""
    role_grant_refusals(actor, user, role, unit)
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


def role_revoke_refusal(actor: User | None, grant: RoleGrant) -> str:
    """Why `actor` may not take back `grant` ("" when they may): only BKPSDM or Kominfo revoke
    (ROLE_KEEPERS), and the roles only BKPSDM gives (BKPSDM_GRANTED) only BKPSDM takes back, so
    Kominfo cannot strip the second BKPSDM officer a four-eyes lock needs. The installation's
    superuser and commands (actor None) may."""
    if actor is None or actor.is_superuser:
        return ""
    roles = user_roles(actor)
    if not roles & ROLE_KEEPERS:
        return ROLES_KEPT
    if grant.role in BKPSDM_GRANTED and Role.BKPSDM not in roles:
        return f"Peran {Role(grant.role).label} hanya dapat dicabut oleh BKPSDM."
    return ""


@transaction.atomic
def role_revoke(*, actor: User | None, grant: RoleGrant, reason: str = "") -> None:
    """Take a role back (role_revoke_refusal says who may). Audited."""
    refusal = role_revoke_refusal(actor, grant)
    if refusal:
        raise PermissionDenied(refusal)
    audit_record(
        action="org.role.revoke",
        actor=actor,
        instansi=grant.instansi,
        obj=grant.user,
        before={"role": grant.role, "unit": grant.unit_id},
        reason=reason,
    )
    grant.delete()


# ---------------------------------------------------------------------------------------------------
# Accounts: created and reset by an officer with a temporary password (core.passwords), which the
# owner replaces at the first login; changed by the owner.

#: At most this many accounts are created in one request (each needs its password hashed).
ACCOUNT_BATCH = 500


@dataclass
class IssuedPassword:
    """A temporary password handed out: shown once to the officer, never stored in clear."""

    user: User
    employee: Employee | None
    password: str
    created: bool  # a new account (else a reset)


def _employees_in_admin_units(actor: User, employee_ids: list[int]) -> set[int]:
    """Of the employees, those whose definitif post today lies in the admin OPD's units (two
    queries)."""
    from ekinerja.core.clock import local_today

    from .selectors import active_on, admin_unit_ids

    units = admin_unit_ids(actor)
    if not units or not employee_ids:
        return set()
    return set(
        Assignment.objects.filter(
            active_on(local_today(actor.instansi)),
            employee_id__in=employee_ids,
            kind=Assignment.Kind.DEFINITIF,
            position__unit_id__in=units,
        ).values_list("employee_id", flat=True)
    )


def account_manage_check(actor: User, employees: list[Employee]) -> None:
    """Who may create an employee's account or reset its password (PermissionDenied otherwise):
    BKPSDM for anyone of its instansi; an admin OPD for the employees posted in its units whose
    account holds no role. Nobody for their own account (the password page is for that), for a
    superuser, or across instansi. Kominfo maintains the installation, not people's passwords: a
    password it set would let it act as that employee (verify, decide leave) or officer. An
    account holding a privileged role: only the installation's administrator (account_reset_refusal,
    checked by password_reset)."""
    from .selectors import user_roles

    roles = user_roles(actor)
    for e in employees:
        if e.instansi_id != actor.instansi_id:
            raise PermissionDenied("Pegawai instansi lain.")
        if e.user_id is not None and e.user_id == actor.pk:
            raise PermissionDenied("Kata sandi akun sendiri diubah lewat halaman Ubah kata sandi.")
    if Role.BKPSDM in roles:
        return
    if Role.ADMIN_OPD not in roles:
        raise PermissionDenied("Hanya BKPSDM atau admin OPD yang mengelola akun pegawai.")
    ids = [e.id for e in employees]
    outside = set(ids) - _employees_in_admin_units(actor, ids)
    if outside:
        raise PermissionDenied("Ada pegawai di luar unit yang Anda kelola.")
    with_roles = RoleGrant.objects.filter(
        user_id__in=[e.user_id for e in employees if e.user_id], instansi_id=actor.instansi_id
    ).exists()
    if with_roles:
        raise PermissionDenied("Akun yang memegang peran hanya dapat diatur ulang oleh BKPSDM.")


#: The refusal for an account only the installation's administrator resets.
_ADMIN_RESETS = (
    "Kata sandi akun {what} hanya dapat diatur ulang oleh administrator sistem (superuser "
    "instalasi, di halaman admin), bukan oleh petugas: kata sandi sementara yang Anda terbitkan "
    "akan membuat Anda dapat bertindak sebagai petugas itu."
)


#: The refusal for the account of someone who decides on the officer's own record.
DECIDER_RESET_REFUSED = (
    "Akun atasan Anda (yang memverifikasi aktivitas, memutuskan cuti, menilai SKP, atau memutuskan "
    "keberatan Anda) tidak dapat Anda atur ulang: kata sandi sementaranya akan membuat Anda dapat "
    "menyetujui pekerjaan sendiri. Mintalah petugas BKPSDM lain."
)


#: The refusal, for an admin OPD, of a deactivated account (password_reset would re-enable it).
INACTIVE_RESET_REFUSED = (
    "Akun ini nonaktif (pegawainya pernah dinonaktifkan); hanya BKPSDM yang dapat mengaktifkannya "
    "kembali."
)
#: The refusal of a reset for an inactive employee (retired, moved, dismissed).
INACTIVE_EMPLOYEE_RESET_REFUSED = (
    "Pegawai ini nonaktif (pensiun, pindah atau berhenti): akunnya tidak dapat dibuat atau diatur "
    "ulang. Aktifkan dulu data pegawainya bila ia kembali bertugas."
)


def account_reset_refusal(
    actor: User,
    actor_roles: frozenset[str],
    user: User | None,
    granted: frozenset[str],
    *,
    employee_id: int | None = None,
    deciders: frozenset[int] = frozenset(),
) -> str:
    """Why `actor` (holding `actor_roles`) may not issue `user`, an account holding the granted
    roles `granted`, a temporary password ("" when they may; no query, so the accounts page asks it
    per row). Nobody resets their own; a superuser's is set on the server. The password of an
    account holding a privileged role (PRIVILEGED_ROLES) or of a staff account (the admin) only the
    installation's administrator resets: the officer who resets it sees the temporary password and
    could act as that officer (the second pair of eyes on their own TPP list). An admin OPD resets
    no account holding any role. Nobody resets the account of employee `employee_id` when it is
    among `deciders` (selectors.deciders_of the actor: their direct superior and the one above):
    an audit reset its superior's password as admin OPD, logged in as them and approved its own
    month of activities. A deactivated account (its employee was deactivated: logins_deactivate)
    only BKPSDM re-enables, by this reset. The unit and instansi scope is account_manage_check's."""
    if user is None:
        return ""
    if user.pk == actor.pk:
        return "Kata sandi akun sendiri diubah lewat halaman Ubah kata sandi."
    if employee_id is not None and employee_id in deciders:
        return DECIDER_RESET_REFUSED
    if user.is_superuser:
        return "Akun superuser diatur lewat perintah di server."
    if actor.is_superuser:
        return ""
    held = [r for r in Role if r in PRIVILEGED_ROLES and r in granted]
    if held:
        return _ADMIN_RESETS.format(what=f"pemegang peran {held[0].label}")
    if user.is_staff:
        return _ADMIN_RESETS.format(what="staf admin")
    if granted and Role.BKPSDM not in actor_roles:
        return "Akun yang memegang peran hanya dapat diatur ulang oleh BKPSDM."
    if not user.is_active and Role.BKPSDM not in actor_roles:
        return INACTIVE_RESET_REFUSED
    return ""


def _issue_events(actor: User, action: str, issued: list[IssuedPassword], reason: str) -> None:
    """One audit event per account, written in one statement (the password never in it)."""
    label = actor.get_username()
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                action=action,
                actor=actor,
                actor_label=label,
                instansi_id=actor.instansi_id,
                object_type=User._meta.label,
                object_id=str(i.user.pk),
                object_repr=str(i.user)[:255],
                after={"employee": i.employee.pk if i.employee else None},
                reason=reason,
            )
            for i in issued
        ]
    )


@transaction.atomic
def accounts_create(
    *, actor: User, employees: list[Employee]
) -> tuple[list[IssuedPassword], list[tuple[Employee, str]]]:
    """Create the login (username = NIP) of each employee without one, with a temporary password the
    employee must replace at the first login. At most ACCOUNT_BATCH accounts; employees who already
    have an account are left alone. Returns the passwords issued and the employees skipped with
    the reason (a NIP already used as another account's username). A fixed number of queries."""
    from ekinerja.core.passwords import temporary_hash, temporary_password

    todo = [e for e in employees if e.user_id is None and e.is_active][:ACCOUNT_BATCH]
    account_manage_check(actor, todo)
    taken = set(
        User.objects.filter(username__in=[e.nip for e in todo]).values_list("username", flat=True)
    )
    skipped = [(e, f"NIP {e.nip} sudah dipakai akun lain.") for e in todo if e.nip in taken]
    issued: list[IssuedPassword] = []
    for e in todo:
        if e.nip in taken:
            continue
        raw = temporary_password()
        user = User(
            username=e.nip,
            instansi_id=e.instansi_id,
            email=e.email or "",
            first_name=e.name[:150],
            password=temporary_hash(raw),
            must_change_password=True,
        )
        issued.append(IssuedPassword(user, e, raw, True))
    if not issued:
        return [], skipped
    User.objects.bulk_create([i.user for i in issued])
    ids = dict(
        User.objects.filter(username__in=[i.user.username for i in issued]).values_list(
            "username", "id"
        )
    )
    for i in issued:
        i.user.pk = ids[i.user.username]
        i.employee.user_id = i.user.pk
    Employee.objects.bulk_update([i.employee for i in issued], ["user"])
    _issue_events(actor, "auth.account.create", issued, "akun dibuat dengan kata sandi sementara")
    return issued, skipped


@transaction.atomic
def password_reset(*, actor: User, employee: Employee) -> IssuedPassword:
    """A new temporary password for the employee's account (created if it has none), which they must
    replace at the next login; the account's lockout is lifted and its API tokens revoked. Audited;
    the owner is told at the next login who reset it. Who may: account_manage_check, and
    account_reset_refusal (an officer's account only by the installation's administrator).
    A deactivated account (its employee was deactivated, then reactivated) is re-enabled by the
    reset, audited as "auth.account.reactivate": BKPSDM's only (account_reset_refusal). Refused
    for an inactive employee: a login of someone who has left is neither issued nor re-enabled."""
    from ekinerja.core.passwords import password_set, temporary_hash, temporary_password

    if not employee.is_active:
        raise ValidationError(INACTIVE_EMPLOYEE_RESET_REFUSED)
    if employee.user_id is None:
        issued, skipped = accounts_create(actor=actor, employees=[employee])
        if skipped:
            raise ValidationError(skipped[0][1])
        return issued[0]
    account_manage_check(actor, [employee])
    user = User.objects.select_for_update().get(pk=employee.user_id)
    granted = frozenset(
        RoleGrant.objects.filter(user=user, instansi_id=user.instansi_id).values_list(
            "role", flat=True
        )
    )
    from ekinerja.core.clock import local_today

    from .selectors import deciders_of

    refusal = account_reset_refusal(
        actor,
        user_roles(actor),
        user,
        granted,
        employee_id=employee.pk,
        deciders=deciders_of(actor, local_today(actor.instansi)),
    )
    if refusal:
        raise PermissionDenied(refusal)
    raw = temporary_password()
    reactivated = not user.is_active
    user.password = temporary_hash(raw)
    user.must_change_password = True
    user.failed_login_count = 0
    user.locked_until = None
    user.is_active = True
    user.save(
        update_fields=[
            "password",
            "must_change_password",
            "failed_login_count",
            "locked_until",
            "is_active",
        ]
    )
    if reactivated:
        audit_record(
            action="auth.account.reactivate",
            actor=actor,
            instansi=actor.instansi,
            obj=user,
            before={"is_active": False},
            after={"is_active": True, "employee": employee.pk},
            reason="akun diaktifkan kembali di halaman Akun pegawai, dengan kata sandi sementara",
        )
    issued = IssuedPassword(user, employee, raw, False)
    _issue_events(actor, "auth.password.reset", [issued], "kata sandi sementara diberikan")
    password_set.send(sender=User, user=user, by_owner=False)
    return issued


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> None:
    """The owner sets their own password: the current one (or the temporary one) first, the new one
    passing the installation's password rules and differing from the current one. Ends the
    temporary-password state, revokes the account's API tokens (the app asks to log in again)."""
    from django.contrib.auth.password_validation import validate_password

    from ekinerja.core.passwords import password_set

    if not user.check_password(old_password):
        raise ValidationError({"old_password": "Kata sandi saat ini salah."})
    if new_password == old_password:
        raise ValidationError(
            {"new_password1": "Kata sandi baru harus berbeda dari kata sandi saat ini."}
        )
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password1": exc.messages}) from None
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit_record(action="auth.password.change", actor=user, instansi=user.instansi, obj=user)
    password_set.send(sender=User, user=user, by_owner=True)


# ---------------------------------------------------------------------------------------------------
# Import of employees and organisation (see org.importer for the file format and the rules)


class ImportRejected(ValidationError):
    """The file has row errors: nothing was written. `.preview` holds the errors."""

    def __init__(self, preview: importer.ImportPreview):
        self.preview = preview
        super().__init__(
            f"Berkas tidak diterapkan karena ada {len(preview.errors)} galat pada baris data; "
            "tidak ada data yang diubah."
        )


@dataclass
class ImportResult:
    counts: dict[str, int]
    preview: importer.ImportPreview
    audit_event: AuditEvent | None

    @property
    def changed(self) -> bool:
        return self.audit_event is not None


# Fields with at most this many distinct new values are written as one UPDATE ... WHERE id IN (...)
# per value; others through bulk_update, whose CASE expressions cost Python time per row.
_FEW_VALUES = 20
_ID_CHUNK = 500


def _bulk_set(model, changes: list[tuple[int, dict[str, Any]]]) -> None:
    """Write per-row changes ({attname: value}) set-based: rows that get the same value for a field
    share one UPDATE (typical for an import: one new TMT, one golongan, one unit for many rows)."""
    by_field: dict[str, dict[Any, list[int]]] = defaultdict(lambda: defaultdict(list))
    for pk, values in changes:
        for name, value in values.items():
            by_field[name][value].append(pk)
    for name, groups in by_field.items():
        if len(groups) <= _FEW_VALUES:
            for value, pks in groups.items():
                for i in range(0, len(pks), _ID_CHUNK):
                    model.objects.filter(pk__in=pks[i : i + _ID_CHUNK]).update(**{name: value})
            continue
        objs = []
        for value, pks in groups.items():
            for pk in pks:
                obj = model(pk=pk)
                setattr(obj, name, value)
                objs.append(obj)
        model.objects.bulk_update(objs, [name], batch_size=_ID_CHUNK)


#: Who imports: the import records posts and pay data, BKPSDM's (decides_pay_and_posts).
_IMPORT_BKPSDM_ONLY = "Impor pegawai hanya dapat dilakukan oleh BKPSDM."


def import_actor_check(actor: User | None) -> None:
    """The rule of assignment_actor_check and employee_pay_check for a whole file: only BKPSDM
    (or a command, actor None) imports. The other half, nobody records their own post, is checked
    per row by the preview (importer.OWN_POST_REFUSED) and again on the plan (_own_post_check)."""
    if not decides_pay_and_posts(actor):
        raise PermissionDenied(_IMPORT_BKPSDM_ONLY)


def _own_post_check(actor: User | None, instansi: Instansi, plan: importer.Plan) -> None:
    """Refuses a plan that creates or changes a post of the actor's own employee record, changes
    the pay fields of that record (importer.PAY_COLUMNS) or what pays or places a post they hold
    (importer.POSITION_PAY_ATTRS), whatever the preview said (a few small queries, only when the
    plan writes such changes)."""
    if actor is None:
        return
    pay_changes = [
        pk for pk, _spec, attrs in plan.positions_update if attrs & importer.POSITION_PAY_ATTRS
    ]
    if pay_changes and held_by(actor, pay_changes):
        raise ValidationError({"position": importer.OWN_POSITION_REFUSED})
    if not (plan.assignments_create or plan.assignments_update or plan.employees_update):
        return
    own = Employee.objects.filter(instansi=instansi, user_id=actor.pk).values_list("id", "nip")
    own = own.first()
    if own is None:
        return
    own_id, own_nip = own
    if any(
        pk == own_id and importer.PAY_COLUMNS.intersection(changed)
        for pk, _spec, changed in plan.employees_update
    ):
        raise ValidationError({"employee": importer.OWN_PAY_REFUSED})
    touched = any(nip == own_nip for nip, _code, _start in plan.assignments_create)
    if not touched and plan.assignments_update:
        ids = [pk for pk, _fix in plan.assignments_update]
        touched = Assignment.objects.filter(pk__in=ids, employee_id=own_id).exists()
    if touched:
        raise ValidationError({"employee": importer.OWN_POST_REFUSED})


def _write_import_plan(
    instansi: Instansi, plan: importer.Plan, *, actor: User | None = None
) -> None:
    """Set-based writes: a bounded number of statements whatever the number of rows. Refuses a
    plan that touches the actor's own post (_own_post_check) before writing anything."""
    _own_post_check(actor, instansi, plan)
    if plan.units_create:
        Unit.objects.bulk_create(
            [
                Unit(
                    instansi=instansi,
                    code=s.code,
                    name=s.name,
                    kind=Unit.Kind.SUB if s.parent_code else Unit.Kind.OPD,
                )
                for s in plan.units_create
            ]
        )
    needs_units = plan.units_create or plan.units_update or plan.positions_create
    needs_units = needs_units or plan.positions_update
    unit_ids = (
        dict(Unit.objects.filter(instansi=instansi).values_list("code", "id"))
        if needs_units
        else {}
    )

    def unit_values(spec, attrs) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if "name" in attrs:
            values["name"] = spec.name
        if "parent" in attrs:
            values["parent_id"] = unit_ids[spec.parent_code] if spec.parent_code else None
        return values

    _bulk_set(
        Unit,
        [(unit_ids[s.code], unit_values(s, {"parent"})) for s in plan.units_create if s.parent_code]
        + [(pk, unit_values(s, attrs)) for pk, s, attrs in plan.units_update],
    )

    if plan.positions_create:
        Position.objects.bulk_create(
            [
                Position(
                    instansi=instansi,
                    code=s.code,
                    name=s.name,
                    kind=s.kind,
                    kelas=s.kelas,
                    unit_id=unit_ids[s.unit_code],
                )
                for s in plan.positions_create
            ]
        )
    position_ids = (
        dict(Position.objects.filter(instansi=instansi).values_list("code", "id"))
        if plan.positions_create or plan.positions_update or plan.assignments_create
        else {}
    )

    def position_values(spec, attrs) -> dict[str, Any]:
        values: dict[str, Any] = {
            a: getattr(spec, a) for a in ("name", "kind", "kelas") if a in attrs
        }
        if "unit" in attrs:
            values["unit_id"] = unit_ids[spec.unit_code]
        if "parent" in attrs:
            values["parent_id"] = position_ids[spec.parent_code] if spec.parent_code else None
        return values

    _bulk_set(
        Position,
        [
            (position_ids[s.code], position_values(s, {"parent"}))
            for s in plan.positions_create
            if s.parent_code
        ]
        + [(pk, position_values(s, attrs)) for pk, s, attrs in plan.positions_update],
    )

    if plan.employees_create:
        Employee.objects.bulk_create(
            [Employee(instansi=instansi, nip=s.nip, **s.fields) for s in plan.employees_create]
        )
        # A machine may send the NIP as its PIN: its lines kept so far are recovered (attendance).
        signals.nips_announce(
            instansi.id,
            [s.nip for s in plan.employees_create],
            actor_id=actor.pk if actor else None,
        )
    # A status changed by the spreadsheet has no date of its own: recorded without history (the
    # new status for every day); the admin form records a CPNS appointed PNS with its TMT.
    _bulk_set(
        Employee,
        [
            (
                pk,
                {**changed, "status_since": None, "previous_status": ""}
                if "status" in changed
                else changed,
            )
            for pk, _s, changed in plan.employees_update
        ],
    )

    employee_ids = (
        dict(Employee.objects.filter(instansi=instansi).values_list("nip", "id"))
        if plan.assignments_create
        else {}
    )
    # The definitif posts the file changes, as they are, for one announcement of the days in post
    # the whole file changes (signals.posts_changed). An employee the file creates has no stored
    # attendance to follow: left out.
    new_nips = {s.nip for s in plan.employees_create}
    created = [
        (employee_ids[nip], start)
        for nip, _code, start in plan.assignments_create
        if nip not in new_nips
    ]
    before = (
        _definitif_posts(
            employee_ids=[emp for emp, _start in created],
            assignment_ids=[pk for pk, _fix in plan.assignments_update],
        )
        if created or plan.assignments_update
        else {}
    )
    _bulk_set(Assignment, plan.assignments_update)
    if plan.assignments_create:
        Assignment.objects.bulk_create(
            [
                Assignment(
                    instansi=instansi,
                    employee_id=employee_ids[nip],
                    position_id=position_ids[code],
                    kind=Assignment.Kind.DEFINITIF,
                    start=start,
                )
                for nip, code, start in plan.assignments_create
            ]
        )
    if before or created:
        holder = {pk: emp for emp, posts in before.items() for pk in posts}
        after = {emp: dict(posts) for emp, posts in before.items()}
        for pk, fix in plan.assignments_update:
            if pk in holder:  # always: the plan updates definitif posts only
                posts = after[holder[pk]]
                start, end = posts[pk]
                posts[pk] = (fix.get("start", start), fix["end"] if "end" in fix else end)
        for i, (emp, start) in enumerate(created):
            # bulk_create does not give the new rows' ids on every database: a key of its own.
            after.setdefault(emp, {})[-1 - i] = (start, None)
        _announce_posts(instansi.id, before, after)


@transaction.atomic
def import_apply(
    *,
    actor: User | None,
    instansi: Instansi,
    file: Any,
    name: str | None = None,
    batch: ImportBatch | None = None,
) -> ImportResult:
    """Import an employee/organisation spreadsheet into `instansi`, all or nothing.

    The file is validated again here, under a lock on the instansi (so two imports of one Pemda cannot
    interleave); if any row has an error nothing is written and ImportRejected is raised. Otherwise units,
    positions, employees and definitif assignments are created or updated with bulk statements in this
    one transaction, and one audit event records the counts and the file's sha256. A file that changes
    nothing (e.g. the same file imported again) writes nothing, not even an audit event.

    Only BKPSDM imports (import_actor_check), and a row that records or changes a post of the
    actor's own employee record is a row error, as on the manual path (assignment_actor_check):
    another officer applies such a file."""
    import_actor_check(actor)
    Instansi.objects.select_for_update().filter(pk=instansi.pk).first()
    preview = importer.import_preview(instansi=instansi, file=file, name=name, actor=actor)
    if not preview.ok:
        raise ImportRejected(preview)
    plan = preview.plan
    counts = plan.counts()
    if plan.is_empty:
        return ImportResult(counts=counts, preview=preview, audit_event=None)
    _write_import_plan(instansi, plan, actor=actor)
    event = audit_record(
        action="org.import.apply",
        actor=actor,
        instansi=instansi,
        obj=batch,
        after={
            "file_name": preview.file_name,
            "sha256": preview.sha256,
            "rows": len(preview.rows),
            **counts,
            "nip_created": [s.nip for s in plan.employees_create],
            "nip_updated": [s.nip for _, s, _c in plan.employees_update],
            "units_created": [s.code for s in plan.units_create],
            "units_updated": [s.code for _, s, _a in plan.units_update],
            "positions_created": [s.code for s in plan.positions_create],
            "positions_updated": [s.code for _, s, _a in plan.positions_update],
        },
    )
    return ImportResult(counts=counts, preview=preview, audit_event=event)


@transaction.atomic
def import_batch_create(*, actor: User, instansi: Instansi, upload: Any) -> ImportBatch:
    """Keep an uploaded spreadsheet under MEDIA_ROOT/imports/<instansi>/ with its preview, so that
    applying later writes exactly this file. Raises importer.ImportFileError for an unusable file (then
    nothing is stored). The preview is the uploader's (a row changing their own post is an error);
    applying checks again for whoever applies."""
    import_actor_check(actor)
    data, name = importer.read_source(upload)
    sheet = importer.parse(data, name)
    preview = importer.preview_sheet(instansi=instansi, sheet=sheet, actor=actor)
    batch = ImportBatch(
        instansi=instansi,
        original_name=(name or f"impor.{sheet.kind}")[-255:],
        file_kind=sheet.kind,
        size=len(data),
        sha256=sheet.sha256,
        uploaded_by=actor,
        preview=preview.summary(),
    )
    batch.file.save(f"{batch.token.hex}.{sheet.kind}", ContentFile(data), save=False)
    try:
        batch.save()
    except Exception:
        batch.file.delete(save=False)
        raise
    return batch


@transaction.atomic
def import_batch_apply(*, actor: User, batch: ImportBatch) -> ImportResult:
    """Apply a previewed upload (see import_apply). Refuses a batch of another instansi, one already
    applied, and a stored file whose sha256 no longer matches the previewed one."""
    batch = ImportBatch.objects.select_for_update().select_related("instansi").get(pk=batch.pk)
    if actor.instansi_id != batch.instansi_id:
        raise PermissionDenied
    if batch.status == ImportBatch.Status.APPLIED:
        raise ValidationError(
            "Berkas ini sudah diterapkan sebelumnya; unggah lagi bila ingin mengimpor ulang."
        )
    try:
        with batch.file.open("rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise ValidationError(
            "Berkas unggahan tidak ditemukan lagi di server; unggah ulang berkasnya."
        ) from exc
    if hashlib.sha256(data).hexdigest() != batch.sha256:
        raise ValidationError(
            "Berkas tersimpan berbeda dari yang dipratinjau; unggah ulang berkasnya."
        )
    result = import_apply(
        actor=actor, instansi=batch.instansi, file=data, name=batch.original_name, batch=batch
    )
    batch.status = ImportBatch.Status.APPLIED
    batch.applied_by = actor
    batch.applied_at = timezone.now()
    batch.result = {**result.counts, "changed": result.changed}
    batch.save(update_fields=["status", "applied_by", "applied_at", "result"])
    return result
