"""The pure calculator's input boundary for a day's minutes: a float, a bool, a NaN or an infinite
Decimal once passed (a float 5.5 minutes late was banded, True counted as one minute) or raised a
bare decimal.InvalidOperation; each is now a CalculationInputError naming the employee, the day and
the field."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from ekinerja.tpp.calculator import CalculationInputError, PositionDay, calculate
from tests.tpp.builders import day, full_month, month, policy

HSS = policy()
NIP = "197001011995031001"
FIRST = dt.date(2026, 10, 1)


def _month_with_first_day(**changes):
    days = full_month()
    days[0] = dataclasses.replace(days[0], **changes)
    return month(days)


@pytest.mark.parametrize("field", ["late_minutes", "early_minutes"])
@pytest.mark.parametrize(
    "value",
    [5.5, 5.0, float("nan"), True, Decimal(5), Decimal("NaN"), "5", None, -1],
    ids=[
        "float",
        "whole-float",
        "nan-float",
        "bool",
        "decimal",
        "nan-decimal",
        "str",
        "none",
        "neg",
    ],
)
def test_late_or_early_minutes_that_are_not_a_whole_number_are_refused_by_name(field, value):
    with pytest.raises(CalculationInputError) as err:
        calculate(HSS, _month_with_first_day(**{field: value}))
    message = str(err.value)
    assert NIP in message
    assert "2026-10-01" in message
    assert f"({field})" in message
    assert repr(value) in message


@pytest.mark.parametrize(
    "value",
    [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal(-5), 30.5, True, "30"],
    ids=["nan", "snan", "inf", "neg", "float", "bool", "str"],
)
def test_credited_minutes_that_are_not_a_finite_number_are_refused_by_name(value):
    with pytest.raises(CalculationInputError) as err:
        calculate(HSS, _month_with_first_day(credited_minutes=value))
    message = str(err.value)
    assert NIP in message and "2026-10-01" in message and "(credited_minutes)" in message


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), 30.5, True])
def test_off_day_minutes_that_are_not_a_finite_number_are_refused_by_name(value):
    saturday = dt.date(2026, 10, 3)
    bad = dataclasses.replace(month(full_month()), off_day_minutes=((saturday, value),))
    with pytest.raises(CalculationInputError) as err:
        calculate(HSS, bad)
    message = str(err.value)
    assert NIP in message and "2026-10-03" in message and "(off_day_minutes)" in message


@pytest.mark.parametrize("kelas", [13.0, 13.5, True])
def test_a_kelas_that_is_not_an_int_is_refused(kelas):
    days = [day(FIRST, position=PositionDay(kelas))]
    with pytest.raises(CalculationInputError, match="bukan bilangan bulat 1-17"):
        calculate(HSS, month(days))


def test_whole_minutes_as_int_and_credited_minutes_as_int_or_decimal_are_taken():
    as_decimal = calculate(
        HSS, _month_with_first_day(late_minutes=40, credited_minutes=Decimal(300))
    )
    as_int = calculate(HSS, _month_with_first_day(late_minutes=40, credited_minutes=300))
    assert as_int.gross == as_decimal.gross
    assert as_int.attendance.late == 1
