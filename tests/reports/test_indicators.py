"""The pure rules of the leaders' indicators (ekinerja.reports.indicators)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ekinerja.reports.indicators import (
    OpdCounts,
    grade,
    indicators,
    percent,
    ranked,
    total,
    workload,
)

D = Decimal


def counts(name="Dinas", **kw) -> OpdCounts:
    return OpdCounts(unit_id=kw.pop("unit_id", 1), code="", name=name, **kw)


def test_percent_has_one_decimal_rounded_half_up_and_none_without_a_whole():
    assert percent(1, 8) == D("12.5")
    assert percent(2, 3) == D("66.7")
    assert percent(1, 3) == D("33.3")
    assert percent(1, 16) == D("6.3")  # 6.25 rounds up
    assert percent(0, 5) == D("0.0")
    assert percent(3, 0) is None


def test_attendance_leaves_leave_days_out_of_the_denominator():
    r = indicators(counts(scheduled_days=6, leave_days=1, present_days=4, on_time_days=3))
    assert r.attendance_pct == D("80.0")
    assert r.on_time_pct == D("60.0")


def test_score_is_the_mean_of_on_time_and_activity_and_needs_both():
    r = indicators(
        counts(
            scheduled_days=5,
            on_time_days=3,
            achieved_minutes=D(10125),
            target_minutes=D(20250),
        )
    )
    assert (r.on_time_pct, r.activity_pct, r.score) == (D("60.0"), D("50.0"), D("55.0"))
    no_days = indicators(counts(achieved_minutes=D(1), target_minutes=D(2)))
    assert no_days.activity_pct == D("50.0") and no_days.score is None


def test_tpp_achievement_only_when_the_month_was_computed():
    assert indicators(counts()).tpp_pct is None
    r = indicators(counts(ceiling=D(10_000_000), gross=D(8_000_000)))
    assert r.tpp_pct == D("80.0")


def _scored(name, on_time, activity):
    return counts(
        name=name,
        scheduled_days=100,
        on_time_days=on_time,
        achieved_minutes=D(activity),
        target_minutes=D(100),
    )


def test_ranking_best_first_equal_values_share_a_rank_and_unknown_comes_last():
    rows = ranked(
        [
            _scored("Dinas C", 80, 80),
            _scored("Dinas A", 90, 90),
            counts(name="Dinas Kosong"),
            _scored("Dinas B", 80, 80),
            _scored("Dinas D", 10, 10),
        ]
    )
    assert [(r.rank, r.counts.name) for r in rows] == [
        (1, "Dinas A"),
        (2, "Dinas B"),
        (2, "Dinas C"),
        (4, "Dinas D"),
        (None, "Dinas Kosong"),
    ]


def test_ranking_by_another_indicator():
    rows = ranked([_scored("Dinas A", 90, 10), _scored("Dinas B", 20, 95)], "aktivitas")
    assert [r.counts.name for r in rows] == ["Dinas B", "Dinas A"]
    rows = ranked([_scored("Dinas A", 90, 10), _scored("Dinas B", 20, 95)], "kehadiran")
    assert [r.counts.name for r in rows] == ["Dinas A", "Dinas B"]
    # An unknown order falls back to the score.
    assert ranked([_scored("X", 1, 1)], "apa-saja")[0].rank == 1


def test_total_sums_every_count_and_keeps_tpp_unknown_when_nobody_was_computed():
    a = counts(employees=3, absent_days=1, approved_minutes=10, target_minutes=D(5))
    b = counts(employees=1, absent_days=2, approved_minutes=5, target_minutes=D(5))
    t = total([a, b], "Kabupaten")
    assert (t.name, t.employees, t.absent_days, t.approved_minutes, t.target_minutes) == (
        "Kabupaten",
        4,
        3,
        15,
        D(10),
    )
    assert t.ceiling is None and t.gross is None
    t = total([a, counts(ceiling=D(100), gross=D(90))], "Kabupaten")
    assert (t.ceiling, t.gross) == (D(100), D(90))


@pytest.mark.parametrize(
    "ej, letter",
    [
        ("1.01", "A"),
        ("2.42", "A"),
        ("1.00", "B"),
        ("0.90", "B"),
        ("0.89", "C"),
        ("0.70", "C"),
        ("0.69", "D"),
        ("0.50", "D"),
        ("0.49", "E"),
        ("0.00", "E"),
    ],
)
def test_grades_of_permendagri_12_2008(ej, letter):
    assert grade(D(ej))[0] == letter


def test_workload_need_efficiency_and_verdict():
    over = workload(counts(employees=3, approved_minutes=10375), D(6750))
    assert (over.need, over.need_whole, over.difference, over.ej, over.grade) == (
        D("1.54"),
        2,
        -1,
        D("0.51"),
        "D",
    )
    assert over.verdict == "Kelebihan 1 pegawai"
    short = workload(counts(employees=2, approved_minutes=20250), D(6750))
    assert (short.need_whole, short.ej, short.grade, short.verdict) == (
        3,
        D("1.50"),
        "A",
        "Kekurangan 1 pegawai",
    )
    right = workload(counts(employees=1, approved_minutes=6750), D(6750))
    assert (right.ej, right.grade_label, right.verdict) == (D("1.00"), "Baik", "Sesuai")
    nobody = workload(counts(employees=0, approved_minutes=13500), D(6750))
    assert (nobody.ej, nobody.verdict) == (None, "Kekurangan 2 pegawai")
    big = workload(counts(employees=9610, approved_minutes=19_219_112), D(6750))
    assert (big.need, big.difference, big.verdict) == (
        D("2847.28"),
        -6763,
        "Kelebihan 6.763 pegawai",
    )
    # Nothing approved: no evidence, not "Kelebihan 255 pegawai".
    silent = workload(counts(employees=255, approved_minutes=0), D(6750))
    assert (silent.need, silent.difference, silent.ej, silent.grade) == (None, None, None, "")
    assert silent.verdict == "Belum ada aktivitas yang disetujui"
    # An OPD with nobody and nothing recorded is not "Sesuai" (an audit saw a green badge on an
    # OPD whose every post was empty).
    empty = workload(counts(employees=0, approved_minutes=0, vacant=3), D(6750))
    assert (empty.verdict, empty.difference) == ("Belum ada pegawai; 3 jabatan kosong", None)
    no_days = workload(counts(employees=2, approved_minutes=0), D(0))
    assert (no_days.need, no_days.verdict) == (None, "Belum ada hari kerja")


_count = st.integers(min_value=0, max_value=500)


@st.composite
def opd(draw):
    scheduled = draw(_count)
    leave = draw(st.integers(0, scheduled))
    present = draw(st.integers(0, scheduled - leave))
    target = draw(st.integers(0, 10**6))
    return OpdCounts(
        unit_id=draw(st.integers(1, 10**6)),
        code="",
        name=draw(st.sampled_from(["Dinas A", "Dinas B", "Dinas C"])),
        scheduled_days=scheduled,
        leave_days=leave,
        present_days=present,
        on_time_days=draw(st.integers(0, present)),
        achieved_minutes=D(draw(st.integers(0, target))),
        target_minutes=D(target),
    )


@given(st.lists(opd(), max_size=12), st.sampled_from(["nilai", "kehadiran", "aktivitas"]))
def test_ranking_properties(items, order):
    rows = ranked(items, order)
    assert sorted(id(r.counts) for r in rows) == sorted(id(c) for c in items)
    ranks = [r.rank for r in rows if r.rank is not None]
    assert ranks == sorted(ranks)
    assert all(r.rank is None for r in rows[len(ranks) :])
    for r in rows:
        for value in (r.attendance_pct, r.on_time_pct, r.activity_pct, r.score):
            assert value is None or D(0) <= value <= D(100)


def test_the_need_is_compared_with_the_staff_of_the_days_counted():
    """Two who joined on the 16th (each a target of 3.536 minutes) and worked 7.260 minutes: EJ
    1,03 (A) while the verdict said "Kelebihan 1 pegawai" against a headcount of 2. Compared with
    the staff those days held (1,05 employees), the two agree."""
    joiners = workload(counts(employees=2, approved_minutes=7260, target_minutes=D(7072)), D(6750))
    assert (joiners.need, joiners.staff_equivalent, joiners.ej, joiners.grade) == (
        D("1.08"),
        D("1.05"),
        D("1.03"),
        "A",
    )
    assert (joiners.difference, joiners.verdict) == (0, "Sesuai")


def test_a_verdict_with_entries_still_waiting_is_provisional():
    waiting = workload(counts(employees=3, approved_minutes=10375), D(6750), final=False)
    assert waiting.provisional and waiting.verdict == "Sementara: kelebihan 1 pegawai"
    assert waiting.counted and waiting.difference == -1


def test_a_month_without_any_record_has_no_activity_achievement():
    """September before the demo's data started showed "Capaian aktivitas 0,0%" in red beside
    attendance "–"."""
    empty = indicators(counts(employees=3, target_minutes=D(20250)))
    assert (empty.attendance_pct, empty.activity_pct, empty.score) == (None, None, None)
    idle = indicators(counts(employees=3, target_minutes=D(20250), scheduled_days=66))
    assert idle.activity_pct == 0


def test_the_instansi_activity_leaves_out_the_opds_shown_without_a_value():
    """Dinas A 50,0% and Dinas B 100,0% beside an OPD with nothing recorded ("–") read 50,0% for
    the whole instansi: the silent OPD's target counted as 0% achieved, below every row shown."""
    a = counts(
        employees=3,
        scheduled_days=6,
        achieved_minutes=D(10125),
        target_minutes=D(20250),
    )
    b = counts(employees=1, scheduled_days=4, achieved_minutes=D(6750), target_minutes=D(6750))
    silent = counts(employees=1, target_minutes=D(6750))
    assert indicators(silent).activity_pct is None
    whole = total([a, b, silent], "Kabupaten")
    assert (whole.employees, whole.target_minutes) == (5, D(27000))
    assert indicators(whole).activity_pct == D("62.5")
    # With no record anywhere the instansi has no value either.
    assert indicators(total([silent], "Kabupaten")).activity_pct is None
