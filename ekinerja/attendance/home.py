"""The fingerprint machines' state on the home page of Kominfo and BKPSDM (org/home.html includes
attendance/_home_devices.html): which machine is behind or silent, and what it sent that was not
stored. Org may not import attendance (layer contract), so attendance registers the card with
org.views.register_home_card; attendance.urls imports this module."""

from __future__ import annotations

from django.utils import timezone

from ekinerja.org.models import Role
from ekinerja.org.views import register_home_card

from . import selectors


@register_home_card("attendance-devices")
def devices_home_card(request, roles) -> dict:
    if not roles & {Role.KOMINFO, Role.BKPSDM} or not request.user.instansi_id:
        return {}
    return {
        "devices_card": True,
        "device_rows": selectors.device_states(request.user.instansi_id, timezone.now()),
    }
