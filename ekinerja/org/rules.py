"""Permission predicates (django-rules), backed by selectors. Views check these through
`user.has_perm(...)`; object-level checks also require the same instansi."""

from __future__ import annotations

import rules

from ekinerja.core.clock import local_today

from .models import Employee, Role, Unit
from .selectors import admin_unit_ids, employee_for_user, superior_walk, user_roles


def has_role(role: str):
    @rules.predicate(name=f"has_role_{role}")
    def _pred(user) -> bool:
        return user.is_authenticated and role in user_roles(user)

    return _pred


is_pegawai = has_role(Role.PEGAWAI)
is_atasan = has_role(Role.ATASAN)
is_tim_penilai = has_role(Role.TIM_PENILAI)
is_admin_opd = has_role(Role.ADMIN_OPD)
is_bkpsdm = has_role(Role.BKPSDM)
is_bpkad = has_role(Role.BPKAD)
is_kominfo = has_role(Role.KOMINFO)
is_pimpinan = has_role(Role.PIMPINAN)


@rules.predicate
def same_instansi(user, obj) -> bool:
    return (
        obj is not None
        and user.is_authenticated
        and user.instansi_id == getattr(obj, "instansi_id", None)
    )


@rules.predicate
def is_self(user, employee: Employee) -> bool:
    return employee is not None and employee.user_id == user.id


@rules.predicate
def is_superior_of(user, employee: Employee) -> bool:
    """The user's employee record is the employee's direct superior today (climbed up from the
    employee's post: three queries, where the instansi's whole hierarchy was built on every
    profile opened by someone neither the employee nor a leader)."""
    me = employee_for_user(user)
    if me is None or employee is None or employee.instansi_id != me.instansi_id:
        return False
    return superior_walk(me.instansi_id, employee.id, on=local_today(me.instansi)) == me.id


@rules.predicate
def is_admin_of_employee_unit(user, employee: Employee) -> bool:
    if employee is None or Role.ADMIN_OPD not in user_roles(user):
        return False
    from .selectors import definitif_assignment

    a = definitif_assignment(employee, on=local_today(employee.instansi))
    return a is not None and a.position.unit_id in admin_unit_ids(user)


@rules.predicate
def is_admin_of_unit(user, unit: Unit) -> bool:
    return unit is not None and unit.id in admin_unit_ids(user)


sees_all_of_instansi = is_bkpsdm | is_pimpinan | is_bpkad | is_kominfo

rules.add_perm(
    "org.view_employee_profile",
    same_instansi & (is_self | sees_all_of_instansi | is_superior_of | is_admin_of_employee_unit),
)
rules.add_perm("org.view_unit_chart", same_instansi)
rules.add_perm("org.manage_master_data", is_bkpsdm | is_kominfo)
rules.add_perm("org.import_employees", is_bkpsdm)
rules.add_perm("org.manage_roles", is_bkpsdm | is_kominfo)
rules.add_perm("org.view_audit_log", is_bkpsdm | is_kominfo)
# Employees' accounts and passwords: not Kominfo (a password it set would let it act as that person).
rules.add_perm("org.manage_accounts", is_bkpsdm | is_admin_opd)

# Django admin: the model permissions the admin asks for are answered by role predicates, so BKPSDM and
# Kominfo staff maintain master data without per-user permission rows. Deleting employees, positions,
# units and assignments is not offered (history and TPP depend on them; end an assignment instead).
# Units, positions and posts decide TPP (kelas) and who is whose superior: BKPSDM adds them and
# records posts; Kominfo sees them and corrects unit and position names (the other fields are
# read-only for it and refused by org.services.unit_actor_check, position_actor_check).
rules.add_perm("org", is_bkpsdm | is_kominfo)  # the app on the admin index
for _model in ("unit", "position", "employee", "assignment"):
    rules.add_perm(f"org.view_{_model}", is_bkpsdm | is_kominfo)
for _model in ("unit", "position", "employee"):
    rules.add_perm(f"org.change_{_model}", is_bkpsdm | is_kominfo)
rules.add_perm("org.add_employee", is_bkpsdm | is_kominfo)
for _model in ("unit", "position"):
    rules.add_perm(f"org.add_{_model}", is_bkpsdm)
for _action in ("add", "change"):
    rules.add_perm(f"org.{_action}_assignment", is_bkpsdm)
for _action in ("view", "add", "delete"):  # delete = revoke, through services.role_revoke
    rules.add_perm(f"org.{_action}_rolegrant", is_bkpsdm | is_kominfo)
