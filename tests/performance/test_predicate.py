"""The PermenPANRB 6/2022 predicate matrix, cell by cell, and the evaluation period arithmetic."""

import datetime as dt

import pytest

from ekinerja.core.periods import Period
from ekinerja.performance.evalperiods import eval_period, ratable_periods, reportable_periods
from ekinerja.performance.predicate import MATRIX, Predicate, Rating, predicate

D = dt.date


@pytest.mark.parametrize(
    ("results", "behaviour", "expected"),
    [
        ("above", "below", "kurang"),  # misconduct: results cannot make up for behaviour
        ("above", "as_expected", "baik"),
        ("above", "above", "sangat_baik"),
        ("as_expected", "below", "kurang"),
        ("as_expected", "as_expected", "baik"),
        ("as_expected", "above", "baik"),
        ("below", "below", "sangat_kurang"),
        ("below", "as_expected", "butuh_perbaikan"),
        ("below", "above", "butuh_perbaikan"),
    ],
)
def test_matrix_cell(results, behaviour, expected):
    assert predicate(results, behaviour) == expected
    assert predicate(Rating(results), Rating(behaviour)) is Predicate(expected)


def test_matrix_has_exactly_the_nine_cells():
    assert len(MATRIX) == 9
    assert {k for k in MATRIX} == {(r, b) for r in Rating for b in Rating}


def test_kurang_is_labelled_misconduct():
    assert Predicate.KURANG.label == "Kurang/Misconduct"
    assert Predicate.SANGAT_BAIK.label == "Sangat Baik"


@pytest.mark.parametrize("bad", ["", "good", None, "ABOVE"])
def test_unknown_rating_is_refused(bad):
    with pytest.raises(ValueError):
        predicate(bad, "above")
    with pytest.raises(ValueError):
        predicate("above", bad)


def test_monthly_period_and_deadline():
    p = eval_period(Period(2026, 10), period_months=1, deadline_day=5)
    assert (p.start, p.end, p.deadline) == (D(2026, 10, 1), D(2026, 10, 31), D(2026, 11, 5))
    assert p.label == "Oktober 2026" and p.key == "2026-10"


def test_december_deadline_is_in_january_of_next_year():
    p = eval_period(Period(2026, 12), period_months=1, deadline_day=10)
    assert p.deadline == D(2027, 1, 10)


@pytest.mark.parametrize(
    ("months", "month", "start", "end", "label"),
    [
        (3, 5, D(2026, 4, 1), D(2026, 6, 30), "Triwulan II 2026"),
        (6, 9, D(2026, 7, 1), D(2026, 12, 31), "Semester II 2026"),
        (12, 2, D(2026, 1, 1), D(2026, 12, 31), "Tahun 2026"),
    ],
)
def test_longer_periods_align_to_the_year(months, month, start, end, label):
    p = eval_period(Period(2026, month), period_months=months)
    assert (p.start, p.end, p.label) == (start, end, label)
    assert p.rating_opens == end.replace(day=1)


@pytest.mark.parametrize("months", [0, 2, 4, 5, 24])
def test_unsupported_period_length_is_refused(months):
    with pytest.raises(ValueError):
        eval_period(Period(2026, 1), period_months=months)


def test_ratable_periods_around_the_deadline():
    # On 3 November October is still open (deadline 5th) and November has begun.
    assert [p.key for p in ratable_periods(D(2026, 11, 3))] == ["2026-10", "2026-11"]
    assert [p.key for p in ratable_periods(D(2026, 11, 5))] == ["2026-10", "2026-11"]
    assert [p.key for p in ratable_periods(D(2026, 11, 6))] == ["2026-11"]
    # Quarterly: mid-quarter nothing is ratable; in the last month the quarter opens.
    assert ratable_periods(D(2026, 5, 15), period_months=3) == []
    assert [p.key for p in ratable_periods(D(2026, 6, 2), period_months=3)] == ["2026-04"]
    assert [p.key for p in ratable_periods(D(2026, 7, 4), period_months=3)] == ["2026-04"]


def test_reportable_periods_start_with_the_period():
    assert [p.key for p in reportable_periods(D(2026, 5, 15), period_months=3)] == ["2026-04"]
    assert [p.key for p in reportable_periods(D(2026, 11, 6))] == ["2026-11"]
