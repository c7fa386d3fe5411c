"""activity_month with the TPP policy's window and no pre-cap (the keyword parameters the TPP run
passes), and the expired-entry count the explanation reports."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from ekinerja.activities import services
from ekinerja.activities.models import ActivityEntry, ActivitySettings, UnlockRequest, UnlockStatus
from ekinerja.activities.selectors import NO_CAP, activity_month
from ekinerja.core.periods import Period
from tests.activities.conftest import D, T, make_entry

pytestmark = pytest.mark.django_db
OCT = Period(2026, 10)


def _submitted_on(entry, day):
    ActivityEntry.objects.filter(pk=entry.pk).update(
        submitted_at=timezone.make_aware(dt.datetime.combine(day, T(9)))
    )


def test_no_cap_gives_full_standard_minutes_of_approved_volume(office, at):
    ActivitySettings.objects.create(instansi=office["inst"], daily_cap_minutes=150)
    boss = office["p"]["kasubag"].user
    at("2026-10-02 18:00")
    a = make_entry(
        office, day=D(2026, 10, 1), start=T(7), end=T(9), item="rapat", volume=1, submit=True
    )
    b = make_entry(office, day=D(2026, 10, 1), start=T(9), end=T(11), volume=3, submit=True)
    services.entry_verify(actor=boss, entry=a, decision="approve")
    services.entry_verify(actor=boss, entry=b, decision="approve", approved_volume=2, reason="Dua")
    ani = office["p"]["ani"]
    capped = activity_month([ani], OCT)[ani.pk]
    assert capped.minutes_by_day == {D(2026, 10, 1): 150}
    uncapped = activity_month([ani], OCT, daily_cap=NO_CAP)[ani.pk]
    # 120 x 1 + 30 x 2 (the approved volume), the verification-time cap undone, no daily cap.
    assert uncapped.minutes_by_day == {D(2026, 10, 1): 180}
    assert uncapped.credited_minutes == 180


def test_policy_window_decides_what_counts_and_what_expired(office, at):
    boss = office["p"]["kasubag"].user
    at("2026-10-02 18:00")
    e = make_entry(office, day=D(2026, 10, 1), submit=True)
    pending = make_entry(office, day=D(2026, 10, 2), submit=True)
    services.entry_verify(actor=boss, entry=e, decision="approve")
    # Submitted on Tue 6 Oct: the 3rd working day after Thu 1 Oct; the 2nd after Fri 2 Oct.
    _submitted_on(e, D(2026, 10, 6))
    _submitted_on(pending, D(2026, 10, 6))
    ani = office["p"]["ani"]
    wide = activity_month([ani], OCT, window_working_days=7, daily_cap=NO_CAP)[ani.pk]
    assert wide.credited_minutes == 60 and wide.window_expired == 0
    narrow = activity_month([ani], OCT, window_working_days=2, daily_cap=NO_CAP)[ani.pk]
    # The approved entry fails the 2-day window; the pending one (2nd working day) does not.
    assert narrow.credited_minutes == 0
    assert narrow.window_expired == 1 and narrow.late == 1


def test_an_approved_unlock_covers_entries_submitted_by_its_deadline(office, at):
    boss = office["p"]["kasubag"].user
    at("2026-10-02 18:00")
    e = make_entry(office, day=D(2026, 10, 1), submit=True)
    services.entry_verify(actor=boss, entry=e, decision="approve")
    _submitted_on(e, D(2026, 10, 20))
    ani = office["p"]["ani"]
    assert activity_month([ani], OCT, window_working_days=2)[ani.pk].window_expired == 1
    UnlockRequest.objects.create(
        instansi=office["inst"],
        employee=ani,
        date_from=D(2026, 10, 1),
        date_to=D(2026, 10, 1),
        reason="Sakit",
        requested_by=ani.user,
        status=UnlockStatus.APPROVED,
        deadline=D(2026, 10, 21),
    )
    m = activity_month([ani], OCT, window_working_days=2)[ani.pk]
    assert m.window_expired == 0 and m.credited_minutes == 60


def test_no_cap_minutes_are_exact_standard_minutes_times_volume(office, at):
    """tpp-rules.md: credited minutes of an entry = standard minutes x volume, not rounded (the
    format's amounts use exact fractions, rounded only where the rules say)."""
    boss = office["p"]["kasubag"].user
    at("2026-10-03 18:00")
    # 1 Oct: 30 x 1.25 = 37.5 and 30 x 0.45 = 13.5, together exactly 51 (rounding each: 38 + 14 = 52).
    a = make_entry(office, day=D(2026, 10, 1), start=T(7), end=T(8), volume="1.25", submit=True)
    b = make_entry(office, day=D(2026, 10, 1), start=T(8), end=T(9), volume="0.45", submit=True)
    # 2 Oct: 30 x 0.25 = 7.5 stays 7.5 (not 8).
    c = make_entry(office, day=D(2026, 10, 2), start=T(7), end=T(8), volume="0.25", submit=True)
    services.entries_verify_bulk(actor=boss, entry_ids=[a.pk, b.pk, c.pk])
    ani = office["p"]["ani"]
    month = activity_month([ani], OCT, daily_cap=NO_CAP)[ani.pk]
    assert month.minutes_by_day == {D(2026, 10, 1): 51, D(2026, 10, 2): Decimal("7.5")}
    assert type(month.minutes_by_day[D(2026, 10, 1)]) is int  # whole days stay plain ints
    assert month.credited_minutes == Decimal("58.5")
