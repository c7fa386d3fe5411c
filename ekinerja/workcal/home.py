"""The work calendar's card on BKPSDM's home page (org/home.html includes it; org may not import
workcal, so workcal registers it with org.views.register_home_card; workcal.urls imports this
module).

A year whose calendar holds no holiday at all: nobody seeds it by itself (`holidays-seed`, or
"Isi libur nasional" on /kalender/libur/), and without it New Year's Day, Idul Fitri and every cuti
bersama are working days for every fixed schedule: everyone absent without notice, and TPP cut.
From 1 November the next year is checked too, so that it is filled in before it starts."""

from __future__ import annotations

from ekinerja.core.clock import local_today
from ekinerja.org.models import Role
from ekinerja.org.views import register_home_card

from . import selectors

#: From this month on, the next year's calendar is checked as well.
NEXT_YEAR_FROM_MONTH = 11


@register_home_card("workcal-holidays")
def holidays_home_card(request, roles, page) -> dict:
    """The years (this one, and from November the next) whose calendar has no holiday yet, for
    BKPSDM (one query)."""
    if Role.BKPSDM not in roles or not request.user.instansi_id:
        return {}
    today = local_today(request.user.instansi)
    years = [today.year]
    if today.month >= NEXT_YEAR_FROM_MONTH:
        years.append(today.year + 1)
    filled = selectors.years_with_holidays(request.user.instansi_id, years)
    missing = [y for y in years if y not in filled]
    return {"holidays_missing": missing} if missing else {}
