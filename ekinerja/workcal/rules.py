"""Permissions of the work calendar (django-rules).

Schedules, rosters and holidays decide the working days, so attendance and TPP: BKPSDM keeps
them (the holidays on their own page, the rest in the Django admin); Kominfo sees them."""

import rules

from ekinerja.org.rules import is_bkpsdm, is_kominfo

rules.add_perm("workcal.manage_holidays", is_bkpsdm)
rules.add_perm("workcal.manage_schedules", is_bkpsdm)

# Django admin: the model permissions it asks for, answered by role.
rules.add_perm("workcal", is_bkpsdm | is_kominfo)  # the app on the admin index
for _model in (
    "workschedule",
    "schedulevariant",
    "scheduleday",
    "shift",
    "employeeschedule",
    "shiftroster",
    "holiday",
):
    rules.add_perm(f"workcal.view_{_model}", is_bkpsdm | is_kominfo)
    for _action in ("add", "change", "delete"):
        rules.add_perm(f"workcal.{_action}_{_model}", is_bkpsdm)
