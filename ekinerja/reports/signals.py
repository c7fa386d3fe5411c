"""When the leaders' figures kept in the cache (selectors.cached_opd_month) are dropped at once.

Every write that matters records an audit event. The events below change what a leader reads and
are rare: a TPP run computed, verified, locked or reopened, a policy adopted, posts, units and
employees, the work calendar, SKP ratings and their periods, a punch file imported, a scenario
loaded, a row deleted in the admin. Each bumps the instansi's generation, now (this process must
not reuse figures from before the change, even inside the open transaction) and again after the
commit (another request may have kept the old figures meanwhile). The steady streams (entries
verified one by one, punches pushed by the machines, leave decided, the nightly derivation, which
writes no event) would empty the cache all day long: they show within selectors.CACHE_SECONDS.
"""

from __future__ import annotations

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_save

from . import selectors

LEADER_EVENTS = (
    "tpp.run.",
    "tpp.policy.",
    "tpp.adjustment.",
    "org.",
    "workcal.",
    "performance.evaluation.",
    "performance.period.",
    "attendance.import.run",
    "exchange.",
    "core.instansi.",
    "admin.delete",
)


def _on_audit(sender, instance, created, **kwargs):
    instansi_id = instance.instansi_id
    if not created or instansi_id is None or not instance.action.startswith(LEADER_EVENTS):
        return
    selectors.figures_changed(instansi_id)
    transaction.on_commit(lambda: selectors.figures_changed(instansi_id))


def connect() -> None:
    post_save.connect(
        _on_audit, sender=apps.get_model("core", "AuditEvent"), dispatch_uid="reports-figures"
    )
