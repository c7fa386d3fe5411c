"""Permissions of the work calendar (django-rules)."""

import rules

from ekinerja.org.rules import is_bkpsdm, is_kominfo

rules.add_perm("workcal.manage_holidays", is_bkpsdm)
rules.add_perm("workcal.manage_schedules", is_bkpsdm | is_kominfo)
