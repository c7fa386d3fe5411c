"""Issue 6, item 4: "a live estimate for the current month, updated as entries are verified". The
superior's approval (activities.services.entry_verify) is what moves it: a submitted entry counts
nothing, the approved one counts its minutes in the employee's estimate at once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from ekinerja.activities import services as activity_services
from ekinerja.activities.models import EntryStatus
from ekinerja.tpp import selectors
from ekinerja.tpp.policy import national_template
from tests.tpp.data import D, activity, full_attendance, leave, make_pemda, workdays

pytestmark = pytest.mark.django_db
NOON_14 = dt.datetime(2026, 10, 14, 4, 0, tzinfo=dt.UTC)  # 12:00 WITA, Wednesday 14 October


def test_the_estimate_rises_when_the_superior_approves_an_entry():
    p = make_pemda(national_template)
    staf, kadis_b = p.people["staf"], p.people["kadis_b"]
    full_attendance(staf, days=[d for d in workdays() if d < D(2026, 10, 14)])
    with time_machine.travel(NOON_14, tick=False):
        entry = activity(p, staf, D(2026, 10, 13), 10, status=EntryStatus.SUBMITTED)
        before = selectors.estimate(staf, D(2026, 10, 14)).result
        activity_services.entry_verify(actor=kadis_b.user, entry=entry, decision="approve")
        after = selectors.estimate(staf, D(2026, 10, 14)).result
    assert before.activity.credited_minutes == 0
    assert after.activity.credited_minutes == 300  # 10 x 30 minutes, approved
    assert after.amount("activity") > before.amount("activity")
    assert after.net > before.net


MORNING_20 = dt.datetime(2026, 10, 20, 2, 0, tzinfo=dt.UTC)  # 10:00 WITA, Tuesday 20 October


def test_an_approved_leave_later_in_the_month_counts_in_the_estimate():
    """A day still to come is a clean day, unless an approved leave covers it: then the leave
    decides, as it will in the run. A CLTN (no TPP) for 26-30 October (5 of 22 working days)
    prorates the ceiling; before, the estimate paid those days in full."""
    p = make_pemda(national_template)
    staf = p.people["staf"]
    full_attendance(staf, days=[d for d in workdays() if d < D(2026, 10, 20)])
    with time_machine.travel(MORNING_20, tick=False):
        without = selectors.estimate(staf, D(2026, 10, 20)).result
        leave(staf, "cltn", D(2026, 10, 26), D(2026, 10, 30))
        with_cltn = selectors.estimate(staf, D(2026, 10, 20)).result
    assert with_cltn.attendance.leave_days == {"cltn": 5}
    assert (without.days_in_post, with_cltn.days_in_post) == (22, 17)
    assert with_cltn.ceiling == round(without.ceiling * 17 / 22)  # Rp2.202.273
    assert with_cltn.net < without.net


def test_an_approved_cuti_later_in_the_month_lowers_the_estimates_target():
    p = make_pemda(national_template)
    staf = p.people["staf"]
    full_attendance(staf, days=[d for d in workdays() if d < D(2026, 10, 20)])
    with time_machine.travel(MORNING_20, tick=False):
        without = selectors.estimate(staf, D(2026, 10, 20)).result
        leave(staf, "cuti_tahunan", D(2026, 10, 29), D(2026, 10, 30))
        with_cuti = selectors.estimate(staf, D(2026, 10, 20)).result
    assert with_cuti.attendance.leave_days == {"cuti_tahunan": 2}
    assert with_cuti.activity.target_minutes < without.activity.target_minutes
