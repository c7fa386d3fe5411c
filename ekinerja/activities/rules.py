"""Permissions of the activity app (django-rules), backed by selectors. The services check the same
rules again, so a view or API route that forgets one still cannot do harm."""

from __future__ import annotations

import rules

from ekinerja.core.clock import local_today
from ekinerja.org.rules import (
    is_admin_opd,
    is_bkpsdm,
    is_pegawai,
    is_pimpinan,
    is_tim_penilai,
    same_instansi,
)
from ekinerja.performance.rules import owns_evaluation, rates_evaluation

from . import selectors


@rules.predicate
def can_see_entry(user, entry) -> bool:
    return entry is not None and selectors.entry_visible_to(user, entry)


@rules.predicate
def tim_penilai_covers_evaluation(user, evaluation) -> bool:
    on = min(local_today(user.instansi), evaluation.period_end)
    return selectors.tim_penilai_covers_employee(user, evaluation.employee_id, on)


rules.add_perm("activities.view_entry", can_see_entry)
# The activities behind an SKP result in an evaluation period (object: the SkpEvaluation, saved or
# not): the employee, the superior who rates the period, BKPSDM and the tim penilai of the unit.
rules.add_perm(
    "activities.view_skp_activities",
    same_instansi
    & (
        owns_evaluation
        | rates_evaluation
        | is_bkpsdm
        | (is_tim_penilai & tim_penilai_covers_evaluation)
    ),
)
rules.add_perm("activities.manage_catalog", is_bkpsdm)
rules.add_perm("activities.decide_unlock", is_bkpsdm)
rules.add_perm("activities.request_unlock", is_pegawai | is_admin_opd)
rules.add_perm("activities.review_sample", is_tim_penilai)
rules.add_perm("activities.view_recap", is_bkpsdm | is_pimpinan | is_tim_penilai | is_admin_opd)

# Django admin (Data induk): BKPSDM keeps the catalog (one item at a time; the spreadsheet on the
# catalog page for many) and the activity settings there, saved through the audited services. The
# model permissions the admin asks for are answered by role, as in org.rules. Nobody else, Kominfo
# included: the window and the catalog decide pay. admin.py also refuses any write by a superuser
# who is not BKPSDM, and the deletion of the settings.
rules.add_perm("activities", is_bkpsdm)  # the app on the admin index
for _action in ("view", "add", "change", "delete"):
    rules.add_perm(f"activities.{_action}_activitycatalogitem", is_bkpsdm)
for _action in ("view", "add", "change"):
    rules.add_perm(f"activities.{_action}_activitysettings", is_bkpsdm)
