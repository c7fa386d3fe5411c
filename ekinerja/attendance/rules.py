"""Permissions of attendance (django-rules)."""

import rules

from ekinerja.org.rules import (
    is_admin_of_employee_unit,
    is_admin_of_unit,
    is_admin_opd,
    is_atasan,
    is_bkpsdm,
    is_kominfo,
    is_pimpinan,
    is_self,
    is_superior_of,
    same_instansi,
    sees_all_of_instansi,
)


@rules.predicate
def leads_unit(user, unit) -> bool:
    """The user's definitif position is in this unit or a unit above it (a kepala dinas, kabid...)."""
    from ekinerja.core.clock import local_today
    from ekinerja.org.selectors import definitif_assignment, employee_for_user, unit_descendant_ids

    me = employee_for_user(user)
    if me is None or unit is None:
        return False
    a = definitif_assignment(me, on=local_today(me.instansi))
    return a is not None and unit.id in unit_descendant_ids(a.position.unit)


rules.add_perm(
    "attendance.view_employee_month",
    same_instansi & (is_self | sees_all_of_instansi | is_superior_of | is_admin_of_employee_unit),
)
rules.add_perm(
    "attendance.view_unit_board",
    same_instansi & (is_bkpsdm | is_pimpinan | is_admin_of_unit | (is_atasan & leads_unit)),
)
rules.add_perm("attendance.use_unit_board", is_bkpsdm | is_pimpinan | is_admin_opd | is_atasan)
rules.add_perm("attendance.import_punches", is_bkpsdm | is_kominfo | is_admin_opd)
