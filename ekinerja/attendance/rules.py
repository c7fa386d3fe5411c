"""Permissions of attendance (django-rules).

Who sees whose attendance: BKPSDM and pimpinan everyone of their instansi (BPKAD and Kominfo too,
per employee); an admin OPD the employees of their units; a superior only the employees below them
in the hierarchy (their direct subordinates and, transitively, those subordinates' subordinates),
never their own superiors or peers. A superior may open the board and recap of their own unit (and
its sub-units), but the rows are limited to the employees below them (views._visible_ids).

An admin OPD and a superior go by the days shown, not by today's posts: a month page opens when the
employee was in the admin's units (below the superior) on some day of that month, as the board
lists whoever was in the unit that day and the recap whoever was in it on some day of the month, a
leaver up to the recorded end of their post too (both by selectors.unit_recap_employees' rule)."""

import rules
from django.db.models import Q

from ekinerja.org.rules import (
    is_admin_of_unit,
    is_admin_opd,
    is_atasan,
    is_bkpsdm,
    is_kominfo,
    is_pimpinan,
    is_self,
    same_instansi,
    sees_all_of_instansi,
)


@rules.predicate
def leads_unit(user, unit) -> bool:
    """The user's definitif position is in this unit or a unit above it (a kepala dinas, kabid...):
    the board of the unit may be opened, showing only the employees below the user."""
    from ekinerja.core.clock import local_today
    from ekinerja.org.selectors import definitif_assignment, employee_for_user, unit_descendant_ids

    me = employee_for_user(user)
    if me is None or unit is None:
        return False
    a = definitif_assignment(me, on=local_today(me.instansi))
    return a is not None and unit.id in unit_descendant_ids(a.position.unit)


# Every month of the employee: themself, BKPSDM/pimpinan/BPKAD/Kominfo. An admin OPD and a superior
# go by the month shown (may_view_month): not here, where only today would be known.
rules.add_perm(
    "attendance.view_employee_any_month",
    same_instansi & (is_self | sees_all_of_instansi),
)


def posted_in_admin_units(user, employee, start, end) -> bool:
    """Whether the employee held a definitif post in one of the user's admin OPD units (or their
    sub-units) on some day of [start, end], as the recap's rows for those days
    (selectors.unit_recap_employees; this also counts an inactive employee's post with no end
    recorded, which the recap leaves out).
    Not today's post: an admin OPD keeps the months of an employee who moved out, and does not open
    the months before an employee moved in (three queries: the units, then one EXISTS)."""
    from ekinerja.org.models import Assignment, Role
    from ekinerja.org.selectors import admin_unit_ids, user_roles

    if employee is None or Role.ADMIN_OPD not in user_roles(user):
        return False
    units = admin_unit_ids(user)
    return bool(units) and (
        Assignment.objects.filter(
            Q(end__isnull=True) | Q(end__gte=start),
            instansi_id=employee.instansi_id,
            employee_id=employee.id,
            kind=Assignment.Kind.DEFINITIF,
            position__unit_id__in=units,
            start__lte=end,
        ).exists()
    )


def may_view_month(user, employee, start, end, *, timeline=None) -> bool:
    """Whether `user` may open the employee's attendance of [start, end] (a month page): with
    view_employee_any_month; as an admin OPD of a unit the employee held a definitif post in on some
    day of it (posted_in_admin_units); or as someone the employee was below in the hierarchy on some
    day of it. Not today's posts: an admin OPD or a superior an employee left keeps the months they
    administered or supervised and does not follow them into the later ones, and a new one does not
    open the months before the employee came to them. The month of a move opens for both (three
    queries for an admin OPD, two for a superior). A superior's check climbs up from the employee
    (org.selectors.is_below): walking down to the 5,800 people below a kepala bidang for each day
    of the month took 1.5 s on every page that asked for one employee. `timeline`: an
    org.HierarchyTimeline the caller already built over a range holding [start, end] (a superior's
    TPP page), which is_below then uses instead of building its own."""
    from ekinerja.org.selectors import employee_for_user, is_below

    if user.has_perm("attendance.view_employee_any_month", employee):
        return True
    if employee is None or not user.is_authenticated or employee.instansi_id != user.instansi_id:
        return False
    if posted_in_admin_units(user, employee, start, end):
        return True
    me = employee_for_user(user)
    if me is None or employee.instansi_id != me.instansi_id:
        return False
    return is_below(me, employee.id, start, end, timeline=timeline)


rules.add_perm(
    "attendance.view_unit_board",
    same_instansi & (is_bkpsdm | is_pimpinan | is_admin_of_unit | (is_atasan & leads_unit)),
)
# Every employee of the unit; otherwise (a superior) only the employees below the user.
rules.add_perm(
    "attendance.view_whole_unit", same_instansi & (is_bkpsdm | is_pimpinan | is_admin_of_unit)
)
rules.add_perm("attendance.use_unit_board", is_bkpsdm | is_pimpinan | is_admin_opd | is_atasan)
# The shift roster of a unit (views.roster): BKPSDM, the unit's admin OPD, and a superior leading
# the unit (a kepala ruangan, a kepala sekolah) for the employees below them; pimpinan only reads it.
rules.add_perm(
    "attendance.edit_roster",
    same_instansi & (is_bkpsdm | is_admin_of_unit | (is_atasan & leads_unit)),
)
rules.add_perm("attendance.import_punches", is_bkpsdm | is_admin_opd)

# Django admin (the model permissions it asks for, answered by role). Kominfo installs the
# fingerprint machines: it registers them and keeps their technical fields (name, IP, port, clock
# zone, unit), every change audited. Whose punches a machine delivers is BKPSDM's: ADMS knows a
# machine only by its serial and services.pin_resolver turns its PINs (and any NIP) into employees
# instance-wide, so a machine Kominfo registers starts inactive until BKPSDM activates it, its
# serial and active flag are BKPSDM's (services.device_save), and only BKPSDM maps PINs (a PIN
# remapped to another employee would put one person's fingers on another's attendance) or deletes
# a machine (its PIN mappings go with it). Leave types (their TPP effect is in the policy, but quota
# and approval here) and the offices' check-in fences are BKPSDM's too. Both see everything; raw
# punches and the machines' raw pushes are read-only for everyone.
rules.add_perm("attendance", is_bkpsdm | is_kominfo)  # the app on the admin index
for _action in ("view", "add", "change"):
    rules.add_perm(f"attendance.{_action}_device", is_bkpsdm | is_kominfo)
rules.add_perm("attendance.delete_device", is_bkpsdm)
for _model in ("pinmapping", "office", "leavetype"):
    rules.add_perm(f"attendance.view_{_model}", is_bkpsdm | is_kominfo)
    for _action in ("add", "change", "delete"):
        rules.add_perm(f"attendance.{_action}_{_model}", is_bkpsdm)
for _model in ("punch", "devicedump"):
    rules.add_perm(f"attendance.view_{_model}", is_bkpsdm | is_kominfo)
