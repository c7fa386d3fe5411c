"""The pure daily-status derivation (tpp-rules.md, "Check-in and check-out"), with property tests."""

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ekinerja.attendance.derivation import Shift, derive_day

D = dt.date
ZONES = [zoneinfo.ZoneInfo(z) for z in ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")]
WITA = ZONES[1]
DAY = D(2026, 10, 1)


def t(h, m=0, s=0, day=DAY, tz=WITA):
    return dt.datetime(day.year, day.month, day.day, h, m, s, tzinfo=tz)


OFFICE = Shift(t(7, 30), t(16, 0))


def test_on_time_day_is_present():
    f = derive_day(DAY, OFFICE, [t(7, 20), t(12, 0), t(16, 5)])
    assert f.status == "present" and f.late_minutes == 0 and f.early_minutes == 0
    assert f.check_in == t(7, 20) and f.check_out == t(16, 5)  # noon is after the 11:45 midpoint


def test_late_minutes_are_whole_and_floored():
    f = derive_day(DAY, OFFICE, [t(7, 41, 59), t(16, 0)])
    assert f.late_minutes == 11 and f.status == "late"
    assert derive_day(DAY, OFFICE, [t(7, 30, 59), t(16)]).late_minutes == 0


def test_grace_counts_only_above_it_and_then_the_whole_figure():
    s = Shift(t(7, 30), t(16, 0), grace_minutes=10)
    assert derive_day(DAY, s, [t(7, 40), t(16)]).late_minutes == 0
    assert derive_day(DAY, s, [t(7, 41), t(16)]).late_minutes == 11
    assert derive_day(DAY, s, [t(7, 0), t(15, 49)]).early_minutes == 11
    assert derive_day(DAY, s, [t(7, 0), t(15, 50)]).early_minutes == 0


def test_early_leave():
    f = derive_day(DAY, OFFICE, [t(7, 0), t(14, 59, 30)])
    assert f.early_minutes == 60 and f.status == "early"
    f = derive_day(DAY, OFFICE, [t(8, 0), t(15, 0)])
    assert f.status == "late_early" and (f.late_minutes, f.early_minutes) == (30, 60)


def test_missing_check_in_and_check_out():
    f = derive_day(DAY, OFFICE, [t(16, 10)])
    assert f.status == "missing_in" and f.missing_check_in and not f.missing_check_out
    f = derive_day(DAY, OFFICE, [t(7, 10), t(7, 12)])
    assert f.status == "missing_out" and f.missing_check_out and f.check_in == t(7, 10)


def test_midpoint_punch_is_a_check_out():
    f = derive_day(DAY, OFFICE, [t(11, 45)])
    assert f.check_out == t(11, 45) and f.missing_check_in


def test_window_is_start_minus_4h_to_end_plus_6h_inclusive():
    assert derive_day(DAY, OFFICE, [t(3, 30), t(22, 0)]).status == "present"
    f = derive_day(DAY, OFFICE, [t(3, 29, 59), t(22, 0, 1)])
    assert f.status == "absent" and f.absent_without_notice and not f.has_any_punch


def test_no_punch_is_absent_without_notice_and_leave_covers():
    assert derive_day(DAY, OFFICE, []).absent_without_notice
    f = derive_day(DAY, OFFICE, [], "sakit")
    assert f.status == "leave" and f.leave_type == "sakit" and not f.absent_without_notice
    f = derive_day(DAY, OFFICE, [t(9, 0)], "izin")
    assert f.late_minutes == 0 and not f.missing_check_out and f.has_any_punch


def test_off_day():
    f = derive_day(D(2026, 10, 3), None, [t(9, day=D(2026, 10, 3))])
    assert f.status == "off" and not f.working and f.has_any_punch
    assert derive_day(D(2026, 10, 3), None, [], "cuti_tahunan").status == "leave"


def test_night_shift_across_midnight():
    night = Shift(t(21, 0), t(7, 0, day=D(2026, 10, 2)), code="M")
    f = derive_day(DAY, night, [t(21, 12), t(7, 5, day=D(2026, 10, 2))])
    assert f.status == "late" and f.late_minutes == 12
    assert f.check_out == t(7, 5, day=D(2026, 10, 2))
    # Leaving at 05:00 the next morning is 120 minutes early; a 01:59 punch (before the 02:00 midpoint)
    # would be a check-in candidate, not a check-out.
    f = derive_day(DAY, night, [t(20, 55), t(5, 0, day=D(2026, 10, 2))])
    assert f.early_minutes == 120 and f.late_minutes == 0
    assert derive_day(DAY, night, [t(20, 55), t(1, 59, day=D(2026, 10, 2))]).missing_check_out


@pytest.mark.parametrize("tz", ZONES, ids=["WIB", "WITA", "WIT"])
def test_zone_of_the_punches_does_not_matter_only_the_instant(tz):
    start = t(7, 30, tz=tz)
    s = Shift(start, t(16, tz=tz))
    in_utc = (start + dt.timedelta(minutes=17)).astimezone(dt.UTC)
    f = derive_day(DAY, s, [in_utc, t(16, 1, tz=tz).astimezone(dt.UTC)])
    assert f.late_minutes == 17


# ---------------------------------------------------------------- properties

zones = st.sampled_from(ZONES)
offsets = st.integers(min_value=-4 * 3600, max_value=17 * 3600)  # seconds from the shift start
lengths = st.integers(min_value=4 * 60, max_value=12 * 60)  # shift length in minutes
start_minutes = st.integers(min_value=0, max_value=23 * 60 + 59)
graces = st.integers(min_value=0, max_value=30)


def _shift(tz, start_min, length, grace):
    start = dt.datetime(2026, 10, 1, tzinfo=tz) + dt.timedelta(minutes=start_min)
    return Shift(start, start + dt.timedelta(minutes=length), grace)


@settings(max_examples=300, deadline=None)
@given(
    zones,
    start_minutes,
    lengths,
    graces,
    st.lists(offsets, min_size=1, max_size=6),
    st.integers(min_value=0, max_value=3 * 3600),
)
def test_later_punches_never_reduce_late_minutes(tz, start_min, length, grace, offs, delay):
    s = _shift(tz, start_min, length, grace)
    before = derive_day(DAY, s, [s.start + dt.timedelta(seconds=o) for o in offs])
    after = derive_day(DAY, s, [s.start + dt.timedelta(seconds=o + delay) for o in offs])
    # Moving every punch later never lowers lateness, unless no punch is left before the midpoint,
    # in which case the day becomes "missing check-in" (its own, larger deduction).
    assert (
        after.late_minutes >= before.late_minutes
        or after.missing_check_in
        or not after.has_any_punch
    )


@settings(max_examples=300, deadline=None)
@given(
    zones,
    start_minutes,
    lengths,
    graces,
    st.lists(offsets, max_size=6),
    st.sampled_from(["sakit", "izin", "cuti_tahunan", "dinas_luar"]),
)
def test_approved_leave_is_never_absent(tz, start_min, length, grace, offs, leave):
    s = _shift(tz, start_min, length, grace)
    f = derive_day(DAY, s, [s.start + dt.timedelta(seconds=o) for o in offs], leave)
    assert f.status == "leave" and not f.absent_without_notice
    assert (
        f.late_minutes == f.early_minutes == 0
        and not f.missing_check_in
        and not f.missing_check_out
    )


@settings(max_examples=300, deadline=None)
@given(zones, start_minutes, lengths, graces, st.lists(offsets, max_size=6))
def test_derivation_invariants(tz, start_min, length, grace, offs):
    s = _shift(tz, start_min, length, grace)
    punches = [s.start + dt.timedelta(seconds=o) for o in offs]
    f = derive_day(DAY, s, punches)
    assert f.late_minutes >= 0 and f.early_minutes >= 0
    assert f.absent_without_notice == (not f.has_any_punch)
    if f.late_minutes:
        assert f.late_minutes > grace and f.check_in is not None
    if f.check_in and f.check_out:
        assert f.check_in < f.check_out
    # Same inputs, same result, whatever the order.
    assert derive_day(DAY, s, list(reversed(punches))) == f


@settings(max_examples=200, deadline=None)
@given(
    zones,
    st.integers(min_value=18 * 60, max_value=23 * 60 + 59),
    st.integers(min_value=0, max_value=180),
)
def test_night_shift_lateness_counts_across_midnight(tz, start_min, late):
    s = _shift(tz, start_min, 10 * 60, 0)
    assert s.end.date() > s.start.date() or start_min + 600 < 24 * 60
    f = derive_day(DAY, s, [s.start + dt.timedelta(minutes=late), s.end])
    assert f.late_minutes == late and f.check_out == s.end


def _by_the_rule(day, shift, punches, leave=None):
    """The rule read literally: every punch in [start - 4 h, end + 6 h]; the check-in is the
    earliest of them before the midpoint, the check-out the latest at or after it."""
    lo, hi = shift.start - dt.timedelta(hours=4), shift.end + dt.timedelta(hours=6)
    inside = [p for p in punches if lo <= p <= hi]
    mid = shift.start + (shift.end - shift.start) / 2
    check_in = min((p for p in inside if p < mid), default=None)
    check_out = max((p for p in inside if p >= mid), default=None)
    late = early = 0
    if check_in is not None and not leave:
        m = (check_in - shift.start) // dt.timedelta(minutes=1)
        late = m if m > shift.grace_minutes else 0
    if check_out is not None and not leave:
        m = (shift.end - check_out) // dt.timedelta(minutes=1)
        early = m if m > shift.grace_minutes else 0
    return {
        "check_in": check_in,
        "check_out": check_out,
        "late_minutes": late,
        "early_minutes": early,
        "missing_check_in": bool(inside) and not leave and check_in is None,
        "missing_check_out": bool(inside) and not leave and check_out is None,
        "absent_without_notice": not inside and not leave,
        "has_any_punch": bool(inside),
        "leave_type": leave or None,
    }


@settings(max_examples=300, deadline=None)
@given(
    zones,
    start_minutes,
    lengths,
    graces,
    st.lists(st.tuples(offsets, st.integers(0, 999_999), st.booleans()), max_size=6),
    st.sampled_from([None, "", "sakit"]),
)
def test_derivation_is_the_rule_read_literally(tz, start_min, length, grace, offs, leave):
    # Punches to the microsecond, some given in UTC and some in the office's zone.
    s = _shift(tz, start_min, length, grace)
    punches = []
    for seconds, micro, in_utc in offs:
        p = s.start + dt.timedelta(seconds=seconds, microseconds=micro)
        punches.append(p.astimezone(dt.UTC) if in_utc else p)
    f = derive_day(DAY, s, punches, leave)
    assert {k: getattr(f, k) for k in _by_the_rule(DAY, s, punches, leave)} == _by_the_rule(
        DAY, s, punches, leave
    )
    assert f.working and f.start == s.start and f.end == s.end
