"""Attendance's cards on the home page (org/home.html includes them). Org may not import attendance
(layer contract), so attendance registers them with org.views.register_home_card; attendance.urls
imports this module.
- The fingerprint machines' state for Kominfo and BKPSDM (attendance/_home_devices.html): which
  machine is behind or silent, and what it sent that was not stored.
- The roster reminder for a superior of shift workers (attendance/_home_roster.html)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ekinerja.core.clock import local_today
from ekinerja.core.periods import Period
from ekinerja.org.models import Role
from ekinerja.org.views import register_home_card

from . import selectors


@register_home_card("attendance-devices")
def devices_home_card(request, roles, page) -> dict:
    if not roles & {Role.KOMINFO, Role.BKPSDM} or not request.user.instansi_id:
        return {}
    return {
        "devices_card": True,
        "device_rows": selectors.device_states(request.user.instansi_id, timezone.now()),
    }


#: How far ahead the roster reminder looks (the days a ward must know its shifts).
ROSTER_AHEAD_DAYS = 14


@register_home_card("attendance-roster")
def roster_home_card(request, roles, page) -> dict:
    """For a superior whose direct subordinates include shift workers: how many of them have no
    shift at all rostered in the next 14 days (a roster not drawn up yet: their days are then no
    working days, and attendance and TPP count nothing). Reads the subordinates the home page
    already has; nothing when the instansi has no shift schedule (one query)."""
    from ekinerja.workcal import selectors as workcal

    subordinates = page.get("subordinates") or []
    if Role.ATASAN not in roles or not subordinates or not request.user.instansi_id:
        return {}
    instansi = request.user.instansi
    if not workcal.has_shift_schedules(instansi):
        return {}
    today = local_today(instansi)
    until = today + dt.timedelta(days=ROSTER_AHEAD_DAYS - 1)
    month = workcal.roster_month(instansi, subordinates, today, until)
    workers = [e for e in subordinates if month.follows_shifts(e.id)]
    if not workers:
        return {}
    assignment = page.get("assignment")
    return {
        "roster_card": {
            "workers": len(workers),
            "missing": [e for e in workers if not month.rostered.get(e.id)],
            "until": until,
            "unit_id": assignment.position.unit_id if assignment is not None else None,
            "period": Period.of(today),
        }
    }
