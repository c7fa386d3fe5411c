"""The calculator's speed-ups change no figure: its roundings in integers equal the 80-digit
Decimal roundings they replace, its memos never mix values of different types, the per-policy
caches give what a cold computation gives, and WorkingDay's own __init__ is the dataclass's."""

import dataclasses
import datetime as dt
import inspect
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ekinerja.core.money import round_rupiah
from ekinerja.tpp import calculator
from ekinerja.tpp.calculator import PositionDay, WorkingDay, calculate

from .test_calculator_properties import PROFILE, cases

fractions = st.builds(Fraction, st.integers(-(10**15), 10**15), st.integers(1, 10**6))


def _rupiah_80_digits(value: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 80
        return round_rupiah(Decimal(value.numerator) / Decimal(value.denominator))


def _decimal_80_digits(value: Fraction, places: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 80
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        rounded = exact.quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
    if rounded == rounded.to_integral_value():
        return Decimal(int(rounded))
    return rounded.normalize()


@PROFILE
@given(fractions)
def test_rupiah_rounding_in_integers_equals_the_decimal_rounding(value):
    assert repr(calculator._rupiah(value)) == repr(_rupiah_80_digits(value))


@PROFILE
@given(fractions, st.sampled_from([2, 4]))
def test_informative_rounding_in_integers_equals_the_decimal_rounding(value, places):
    assert repr(calculator._decimal(value, places)) == repr(_decimal_80_digits(value, places))


def test_halves_round_up_and_away_from_zero():
    assert calculator._rupiah(Fraction(5, 2)) == 3 and calculator._rupiah(Fraction(-5, 2)) == -3
    assert calculator._decimal(Fraction(12345, 10**6), 4) == Decimal("0.0123")
    assert calculator._decimal(Fraction(123450, 10**6), 4) == Decimal("0.1235")


def test_equal_values_of_different_types_are_remembered_apart():
    # A Fraction prints rounded to the places asked for, a Decimal as it is: both orders.
    for _ in range(2):
        assert calculator._num(Fraction(123456, 10**6)) == "0,1235"
        assert calculator._num(Fraction(123456, 10**6), 2) == "0,12"
        assert calculator._num(Decimal("0.123456")) == "0,123456"
        assert calculator._rp(Fraction(12345, 100)) == "Rp123,45"
        assert calculator._rp(Decimal("123.45")) == "Rp123"
        assert calculator._rp(123) == calculator._rp(Fraction(123)) == "Rp123"


@PROFILE
@given(st.lists(cases(), min_size=1, max_size=4))
def test_cached_figures_equal_a_cold_computation(batch):
    # The policies are shared by every example, so earlier examples have filled the caches.
    warm = [calculate(policy, month) for policy, month in batch]
    for (policy, month), result in zip(batch, warm, strict=True):
        calculator._PREPARED.clear()
        calculator._memo.clear()
        cold = calculate(policy, month)
        assert cold == result and repr(cold) == repr(result)


@PROFILE
@given(
    cases(),
    st.sampled_from(["PNS", "CPNS", "PPPK"]),
    st.sampled_from([None, "sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"]),
    st.integers(0, 22),
)
def test_months_that_differ_in_one_input_never_share_a_cached_figure(case, status, predicate, n):
    # The same days with another status, predicate or number of working days: each cached figure
    # keyed by everything it depends on.
    policy, month = case
    variants = [
        month,
        dataclasses.replace(
            month, status=status, golongan=None if status == "PPPK" else month.golongan or "III/a"
        ),
        dataclasses.replace(month, predicate=predicate),
        dataclasses.replace(month, days=month.days[:n]),
    ]
    warm = [calculate(policy, m) for m in variants]
    for m, result in zip(variants, warm, strict=True):
        calculator._PREPARED.clear()
        calculator._memo.clear()
        assert repr(calculate(policy, m)) == repr(result)


def test_figures_that_share_all_but_one_input_are_cached_apart():
    from .builders import day, month, policy, workdays

    hss = policy()  # Sangat Baik and Baik both pay 100%; CPNS 80%
    in_post = [day(d, kelas=9, credited_minutes=300) for d in workdays()]
    two_without_post = [*in_post[:20], *(day(d, kelas=None) for d in workdays()[20:])]
    variants = [
        month(in_post, predicate="baik"),
        month(in_post, predicate="sangat_baik"),  # same pot and percentage, another label
        month(in_post, status="CPNS", golongan="III/a"),  # same positions, another factor
        month(in_post[:20]),  # 20 of 20 working days in post
        month(two_without_post),  # the same 20 days in post, of 22 working days
    ]
    warm = [calculate(hss, m) for m in variants]
    skp_line = [[line for line in r.lines if line.label == "Komponen SKP"] for r in warm]
    assert "Sangat Baik" in skp_line[1][0].formula and "Sangat" not in skp_line[0][0].formula
    assert warm[2].ceiling < warm[0].ceiling and warm[4].ceiling < warm[3].ceiling
    for m, result in zip(variants, warm, strict=True):
        calculator._PREPARED.clear()
        calculator._memo.clear()
        assert repr(calculate(hss, m)) == repr(result)


def test_a_new_policy_object_never_reads_another_policys_cache():
    from .builders import day, month, policy, workdays

    days = [day(d, kelas=9, credited_minutes=300) for d in workdays()]
    low = policy(base_by_class={str(k): 1_000_000 for k in range(1, 18)})
    high = policy(base_by_class={str(k): 2_000_000 for k in range(1, 18)})
    assert calculate(low, month(days)).ceiling == 1_000_000
    assert calculate(high, month(days)).ceiling == 2_000_000
    assert calculate(low, month(days)).ceiling == 1_000_000


def test_working_day_init_is_the_dataclass_one():
    params = list(inspect.signature(WorkingDay.__init__).parameters.values())[1:]
    fields = dataclasses.fields(WorkingDay)
    assert [p.name for p in params] == [f.name for f in fields]
    for p, f in zip(params, fields, strict=True):
        if f.default is dataclasses.MISSING:
            assert p.default is inspect.Parameter.empty
        else:
            assert p.default == f.default and type(p.default) is type(f.default)
    day = WorkingDay(dt.date(2026, 10, 1), PositionDay(9), late_minutes=5)
    assert day == WorkingDay(date=dt.date(2026, 10, 1), position=PositionDay(9), late_minutes=5)
    assert hash(day) == hash(dataclasses.replace(day))
    assert repr(day).startswith("WorkingDay(date=datetime.date(2026, 10, 1), position=PositionDay(")
    assert dataclasses.replace(day, absent=True).absent
    with pytest.raises(dataclasses.FrozenInstanceError):
        day.late_minutes = 0


def _dataclass_repr(obj) -> str:
    fields = ", ".join(f"{f.name}={getattr(obj, f.name)!r}" for f in dataclasses.fields(obj))
    return f"{type(obj).__qualname__}({fields})"


@PROFILE
@given(cases())
def test_day_and_position_reprs_are_the_dataclass_ones(case):
    # The input digest is made of these reprs: a run's digest stays what it was.
    _policy, month = case
    for day in month.days:
        assert repr(day) == _dataclass_repr(day)
        for position in (day.position, *day.acting):
            if position is not None:
                assert repr(position) == _dataclass_repr(position)
