"""The pure working-day calendar (no database)."""

import datetime as dt
import zoneinfo

import pytest

from ekinerja.workcal import calendar as cal

D = dt.date
T = dt.time
WITA = zoneinfo.ZoneInfo("Asia/Makassar")

FIVE_DAY = cal.Schedule(
    kind=cal.FIXED,
    days={**{d: cal.Hours(T(7, 30), T(16)) for d in range(4)}, 4: cal.Hours(T(7, 30), T(16, 30))},
    code="5HK",
)
SIX_DAY = cal.Schedule(
    kind=cal.FIXED, days={d: cal.Hours(T(7), T(13)) for d in range(6)}, code="6HK"
)
SHIFTS = cal.Schedule(
    kind=cal.SHIFT,
    shifts={"P": cal.Hours(T(7), T(14)), "S": cal.Hours(T(14), T(21)), "M": cal.Hours(T(21), T(7))},
    code="RS",
)


def dates(days):
    return [w.date for w in days]


def test_fixed_schedule_skips_weekends():
    # 2026-10-01 is a Thursday; October 2026 has 22 weekdays.
    days = cal.employee_work_days(
        [], FIVE_DAY, cal.HolidaySet(), {}, D(2026, 10, 1), D(2026, 10, 31), WITA
    )
    assert len(days) == 22
    assert all(d.weekday() < 5 for d in dates(days))
    assert days[0].date == D(2026, 10, 1)


def test_six_day_schedule_includes_saturdays():
    days = cal.employee_work_days(
        [], SIX_DAY, cal.HolidaySet(), {}, D(2026, 10, 1), D(2026, 10, 31), WITA
    )
    assert len(days) == 27
    assert D(2026, 10, 3) in dates(days)  # Saturday
    assert D(2026, 10, 4) not in dates(days)  # Sunday


def test_friday_has_its_own_hours():
    days = {
        w.date: w
        for w in cal.fixed_work_days(
            FIVE_DAY, cal.HolidaySet(), D(2026, 10, 1), D(2026, 10, 2), WITA
        ).values()
    }
    assert days[D(2026, 10, 1)].end == dt.datetime(2026, 10, 1, 16, 0, tzinfo=WITA)
    assert days[D(2026, 10, 2)].end == dt.datetime(2026, 10, 2, 16, 30, tzinfo=WITA)


def test_national_holidays_apply_only_when_the_schedule_follows_them():
    hol = cal.HolidaySet(national=frozenset({D(2026, 8, 17)}), listed=frozenset({D(2026, 8, 18)}))
    follows = cal.employee_work_days([], FIVE_DAY, hol, {}, D(2026, 8, 17), D(2026, 8, 19), WITA)
    assert dates(follows) == [D(2026, 8, 19)]
    own = cal.Schedule(kind=cal.FIXED, days=FIVE_DAY.days, use_national_holidays=False)
    ignores = cal.employee_work_days([], own, hol, {}, D(2026, 8, 17), D(2026, 8, 19), WITA)
    # The listed (manual) holiday still applies; the national one does not.
    assert dates(ignores) == [D(2026, 8, 17), D(2026, 8, 19)]


def test_variant_replaces_hours_and_days_within_its_range():
    ramadan = cal.Variant(
        D(2026, 2, 18), D(2026, 3, 19), {d: cal.Hours(T(8), T(15)) for d in range(4)}, "Ramadan"
    )
    sched = cal.Schedule(kind=cal.FIXED, days=FIVE_DAY.days, variants=(ramadan,))
    days = {
        w.date: w
        for w in cal.employee_work_days(
            [], sched, cal.HolidaySet(), {}, D(2026, 2, 16), D(2026, 2, 20), WITA
        )
    }
    assert days[D(2026, 2, 17)].start.time() == T(7, 30)  # before the variant
    assert days[D(2026, 2, 18)].start.time() == T(8)
    assert days[D(2026, 2, 18)].end.time() == T(15)
    assert D(2026, 2, 20) not in days  # the variant lists no Friday


def test_night_shift_ends_on_the_next_day():
    roster = {D(2026, 10, 1): "M", D(2026, 10, 2): "P", D(2026, 10, 4): "S"}
    days = cal.employee_work_days(
        [], SHIFTS, cal.HolidaySet(), roster, D(2026, 10, 1), D(2026, 10, 31), WITA
    )
    assert dates(days) == [D(2026, 10, 1), D(2026, 10, 2), D(2026, 10, 4)]
    night = days[0]
    assert night.shift == "M"
    assert night.start == dt.datetime(2026, 10, 1, 21, tzinfo=WITA)
    assert night.end == dt.datetime(2026, 10, 2, 7, tzinfo=WITA)
    assert days[2].date.weekday() == 6  # shift workers work Sundays when rostered


def test_shift_workers_ignore_holidays():
    hol = cal.HolidaySet(national=frozenset({D(2026, 8, 17)}), listed=frozenset({D(2026, 8, 17)}))
    days = cal.employee_work_days(
        [], SHIFTS, hol, {D(2026, 8, 17): "P"}, D(2026, 8, 1), D(2026, 8, 31), WITA
    )
    assert dates(days) == [D(2026, 8, 17)]


def test_unknown_roster_code_is_not_a_working_day():
    days = cal.employee_work_days(
        [], SHIFTS, cal.HolidaySet(), {D(2026, 10, 1): "X"}, D(2026, 10, 1), D(2026, 10, 1), WITA
    )
    assert days == []


def test_segments_switch_schedules_and_gaps_use_the_fallback():
    segs = [cal.Segment(D(2026, 10, 12), D(2026, 10, 18), SHIFTS)]
    roster = {D(2026, 10, 17): "P", D(2026, 10, 5): "P"}  # the 5th is outside the shift segment
    days = cal.employee_work_days(
        segs, FIVE_DAY, cal.HolidaySet(), roster, D(2026, 10, 5), D(2026, 10, 23), WITA
    )
    assert dates(days) == [
        D(2026, 10, 5),
        D(2026, 10, 6),
        D(2026, 10, 7),
        D(2026, 10, 8),
        D(2026, 10, 9),
        D(2026, 10, 17),
        D(2026, 10, 19),
        D(2026, 10, 20),
        D(2026, 10, 21),
        D(2026, 10, 22),
        D(2026, 10, 23),
    ]


@pytest.mark.parametrize(
    ("zone", "utc_hour"),
    [("Asia/Jakarta", 0), ("Asia/Makassar", 23), ("Asia/Jayapura", 22)],
)
def test_start_is_aware_in_the_instansi_zone(zone, utc_hour):
    days = cal.employee_work_days(
        [], FIVE_DAY, cal.HolidaySet(), {}, D(2026, 10, 1), D(2026, 10, 1), zone
    )
    # 07:30 WIB = 00:30 UTC, 07:30 WITA = 23:30 UTC the day before, 07:30 WIT = 22:30 UTC the day before.
    assert days[0].start.astimezone(dt.UTC).hour == utc_hour
    assert days[0].start.utcoffset() is not None


def test_nth_after_counts_strictly_after():
    days = [D(2026, 10, 1), D(2026, 10, 2), D(2026, 10, 5)]
    assert cal.nth_after(days, D(2026, 10, 1), 1) == D(2026, 10, 2)
    assert cal.nth_after(days, D(2026, 10, 1), 2) == D(2026, 10, 5)
    assert cal.nth_after(days, D(2026, 10, 1), 3) is None
    with pytest.raises(ValueError):
        cal.nth_after(days, D(2026, 10, 1), 0)


def test_empty_range():
    assert (
        cal.employee_work_days(
            [], FIVE_DAY, cal.HolidaySet(), {}, D(2026, 10, 2), D(2026, 10, 1), WITA
        )
        == []
    )
