"""Attendance's cards on the home page (org/home.html includes them). Org may not import attendance
(layer contract), so attendance registers them with org.views.register_home_card; attendance.urls
imports this module.
- The fingerprint machines' state for Kominfo and BKPSDM (attendance/_home_devices.html): which
  machine is behind or silent, what it sent that was not stored, and the machines whose ADMS push
  was refused (RefusedDevice), with a link to register them.
- The roster reminder for a superior of shift workers (attendance/_home_roster.html)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from ekinerja.core.clock import local_today
from ekinerja.core.models import Instansi
from ekinerja.core.periods import Period
from ekinerja.org.models import Role
from ekinerja.org.views import register_home_card

from . import selectors
from .models import Device, RefusedDevice

#: Refused machines older than this are left off the card (the table keeps them a while longer).
REFUSED_SHOWN_DAYS = 7


def refused_devices(instansi_id: int, now: dt.datetime) -> list[RefusedDevice]:
    """The machines refused by ADMS in the last REFUSED_SHOWN_DAYS that concern this instansi:
    its own serials (registered but inactive, or in another letter case) and, where the
    installation serves this instansi only, the unknown serials (with several, an unknown serial
    belongs to nobody and only the server log names it). A serial active by now is
    left off. Each row carries `registered_pk`, the machine registered under that serial in this
    instansi (any letter case), if any. One query."""
    alone = ~Exists(Instansi.objects.exclude(pk=instansi_id))
    return list(
        RefusedDevice.objects.filter(
            Q(instansi_id=instansi_id) | (Q(instansi__isnull=True) & alone),
            last_seen__gte=now - dt.timedelta(days=REFUSED_SHOWN_DAYS),
        )
        .exclude(serial__in=Device.objects.filter(is_active=True).values("serial"))
        .annotate(
            registered_pk=Subquery(
                Device.objects.filter(
                    instansi_id=instansi_id, serial__iexact=OuterRef("serial")
                ).values("pk")[:1]
            )
        )
        .order_by("-last_seen")[:20]
    )


@register_home_card("attendance-devices")
def devices_home_card(request, roles, page) -> dict:
    if not roles & {Role.KOMINFO, Role.BKPSDM} or not request.user.instansi_id:
        return {}
    now = timezone.now()
    return {
        "devices_card": True,
        "device_rows": selectors.device_states(request.user.instansi_id, now),
        "refused_devices": refused_devices(request.user.instansi_id, now),
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
