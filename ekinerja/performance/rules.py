"""Permissions of the performance app (django-rules), backed by selectors.

- A plan is seen by its owner, the appraiser recorded on it, the owner's current direct superior (at
  the plan's reference date), BKPSDM and pimpinan.
- An evaluation and its evidence files are seen by the owner, the superior who rated it or who rates
  it (at the period's rater date) and BKPSDM only.
- The Django admin: settings for BKPSDM and Kominfo, the rest read-only for BKPSDM (below).
"""

from __future__ import annotations

import rules

from ekinerja.core.clock import local_today
from ekinerja.org.rules import is_bkpsdm, is_kominfo, is_pimpinan, same_instansi
from ekinerja.org.selectors import employee_for_user, hierarchy, holds_post, superior_walk

from . import selectors


@rules.predicate
def owns_plan(user, plan) -> bool:
    return plan is not None and plan.employee.user_id == user.id


@rules.predicate
def appraises_plan(user, plan) -> bool:
    me = employee_for_user(user)
    if me is None or plan is None or me.instansi_id != plan.instansi_id:
        return False
    if plan.appraiser_id == me.pk:
        return True
    on = selectors.plan_reference_date(plan.year, local_today(me.instansi))
    # Climbed from the plan owner's own post (two queries), not the instansi's whole hierarchy.
    return superior_walk(me.instansi_id, plan.employee_id, on=on) == me.pk


@rules.predicate
def owns_evaluation(user, evaluation) -> bool:
    return evaluation is not None and evaluation.employee.user_id == user.id


@rules.predicate
def rates_evaluation(user, evaluation) -> bool:
    me = employee_for_user(user)
    if me is None or evaluation is None or me.instansi_id != evaluation.instansi_id:
        return False
    if evaluation.rated_by_id == me.pk:
        return True
    on = min(local_today(me.instansi), evaluation.period_end)
    emp = evaluation.employee_id
    if holds_post(me.instansi_id, emp, on=on):
        # Still in post on the rater date (nearly everyone): rated by their direct superior then,
        # climbed from their own post instead of the instansi's whole hierarchy.
        return superior_walk(me.instansi_id, emp, on=on) == me.pk
    # Left during the period (retired, moved): the superior on their last day (departed_raters).
    h = hierarchy(me.instansi_id, on)
    return selectors.raters(me.instansi_id, evaluation.period_start, h, [emp])[emp] == me.pk


rules.add_perm(
    "performance.view_plan",
    same_instansi & (owns_plan | appraises_plan | is_bkpsdm | is_pimpinan),
)
rules.add_perm(
    "performance.view_evaluation",
    same_instansi & (owns_evaluation | rates_evaluation | is_bkpsdm),
)
rules.add_perm("performance.manage", is_bkpsdm)

# Django admin (see admin.py): the model permissions the admin asks for are answered by role
# predicates, as in org.rules. BKPSDM keeps the settings (saved through services.settings_save,
# audited): the evaluation period and the rating deadline decide when a month's predicate stands
# and so the TPP paid on it, a personnel decision. Kominfo, who runs the system, sees them in the
# admin and changes nothing. Plans, results, evaluations and locks are personnel data: only BKPSDM
# sees them there, read-only (they change through the pages and their services). Nothing is
# deleted through the admin.
edits_settings = is_bkpsdm
sees_settings = is_bkpsdm | is_kominfo

rules.add_perm("performance", sees_settings)  # the app on the admin index
rules.add_perm("performance.view_performancesettings", sees_settings)
for _action in ("add", "change"):
    rules.add_perm(f"performance.{_action}_performancesettings", edits_settings)
for _model in ("skpplan", "skpresult", "skpevaluation", "performanceperiodlock"):
    rules.add_perm(f"performance.view_{_model}", is_bkpsdm)
