"""Review of the derived day at its edges (tpp-rules.md "Check-in and check-out"): exactly on
time, the grace boundary to the second, punches exactly at the window's edges, a night shift."""

import datetime as dt

from ekinerja.attendance.derivation import ABSENT, LATE, MISSING_OUT, PRESENT, Shift, derive_day
from tests.attendance.conftest import WITA

DAY = dt.date(2026, 10, 1)


def t(h, m=0, s=0, day=DAY):
    return dt.datetime(day.year, day.month, day.day, h, m, s, tzinfo=WITA)


SHIFT = Shift(t(7, 30), t(16, 0), grace_minutes=15)


def test_exactly_on_time_and_the_grace_boundary_to_the_second():
    f = derive_day(DAY, SHIFT, [t(7, 30), t(16, 0)])
    assert (f.status, f.late_minutes, f.early_minutes) == (PRESENT, 0, 0)
    # 15 whole minutes is not more than the grace of 15; 15:59 floors to 15 too.
    assert derive_day(DAY, SHIFT, [t(7, 45, 59), t(16)]).late_minutes == 0
    f = derive_day(DAY, SHIFT, [t(7, 46), t(16)])
    assert (f.status, f.late_minutes) == (LATE, 16)  # the whole figure, not 16 - 15
    assert derive_day(DAY, SHIFT, [t(7), t(15, 44, 1)]).early_minutes == 0  # 15 min 59 s early
    assert derive_day(DAY, SHIFT, [t(7), t(15, 44)]).early_minutes == 16


def test_punches_exactly_at_the_window_edges_count_and_just_outside_do_not():
    assert derive_day(DAY, SHIFT, [t(3, 30), t(22, 0)]).status == PRESENT
    f = derive_day(DAY, SHIFT, [t(3, 29, 59), t(22, 0, 1)])
    assert f.status == ABSENT and f.absent_without_notice
    # Exactly at the midpoint (11:45) is the check-out, not the check-in.
    f = derive_day(DAY, SHIFT, [t(11, 45)])
    assert f.check_in is None and f.check_out == t(11, 45) and f.missing_check_in
    f = derive_day(DAY, SHIFT, [t(11, 44, 59)])
    assert f.status == MISSING_OUT and f.check_in == t(11, 44, 59)


def test_night_shift_crossing_midnight():
    nxt = DAY + dt.timedelta(days=1)
    night = Shift(t(21), t(7, day=nxt), grace_minutes=0, code="M")
    f = derive_day(DAY, night, [t(21, 1), t(6, 58, day=nxt)])
    assert (f.late_minutes, f.early_minutes, f.check_out) == (1, 2, t(6, 58, day=nxt))
