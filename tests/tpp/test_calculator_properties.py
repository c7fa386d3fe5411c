"""The properties tpp-rules.md says always hold, under hypothesis.

- 0 <= net <= gross <= ceiling; each component amount between 0 and its exact pot (the exact pots
  add up to the exact ceiling; the shown ceiling and pots are those rounded half-up);
- more lateness, more absence or fewer credited minutes never raise gross, and never raise net by
  more than the one rupiah that separate rounding of PPh 21 and health insurance can cost
  (docs/tpp-calculation.md, "Monotonicity and rounding");
- the same inputs give the same figures, whatever the order of the days.
"""

import dataclasses
import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ekinerja.tpp.calculator import EmployeeMonth, PositionDay, WorkingDay, calculate
from ekinerja.tpp.policy import (
    hss_template,
    madiun_template,
    manado_template,
    national_template,
    policy_from_dict,
)

PROFILE = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _daily_target(template):
    def build():
        data = template()
        del data["activity"]["monthly_target_minutes"]
        data["activity"]["daily_target_minutes"] = 300
        data["attendance"]["grace_minutes"] = 10
        data["attendance"]["deduct_from"] = "pot"
        return data

    return build


POLICIES = [
    policy_from_dict(t())
    for t in (
        hss_template,
        national_template,
        manado_template,
        madiun_template,
        _daily_target(hss_template),
    )
]

positions = st.builds(
    PositionDay,
    kelas=st.integers(1, 17),
    tpp_base=st.one_of(st.none(), st.integers(0, 40_000_000).map(Decimal)),
)
minutes = st.one_of(st.just(0), st.integers(0, 200))


@st.composite
def working_day(draw, date, leave_keys):
    absent = draw(st.booleans()) if draw(st.integers(0, 5)) == 0 else False
    return WorkingDay(
        date=date,
        position=draw(st.one_of(st.none(), positions))
        if draw(st.integers(0, 6)) == 0
        else (draw(positions)),
        acting=tuple(draw(st.lists(positions, max_size=2))) if draw(st.integers(0, 4)) == 0 else (),
        leave=draw(st.sampled_from(leave_keys)) if draw(st.integers(0, 6)) == 0 else None,
        late_minutes=draw(minutes),
        early_minutes=draw(minutes),
        missing_check_in=draw(st.booleans()) if draw(st.integers(0, 8)) == 0 else False,
        missing_check_out=draw(st.booleans()) if draw(st.integers(0, 8)) == 0 else False,
        absent=absent,
        has_any_punch=not absent and draw(st.integers(0, 10)) > 0,
        credited_minutes=Decimal(draw(st.integers(0, 600))),
    )


@st.composite
def cases(draw):
    policy = draw(st.sampled_from(POLICIES))
    leave_keys = [*policy.leave_types, "cuti_haji"]
    n = draw(st.integers(0, 23))
    start = dt.date(2026, 10, 1)
    dates = [start + dt.timedelta(days=i) for i in range(n)]
    status = draw(st.sampled_from(["PNS", "CPNS", "PPPK"]))
    month = EmployeeMonth(
        nip="1",
        status=status,
        golongan=None
        if status == "PPPK"
        else draw(st.sampled_from(["I/a", "II/c", "III/b", "IV/c", "IV/e"])),
        days=tuple(draw(working_day(d, leave_keys)) for d in dates),
        salary=draw(st.one_of(st.none(), st.integers(0, 20_000_000).map(Decimal))),
        predicate=draw(st.sampled_from([None, "sangat_baik", "baik", "butuh_perbaikan", "kurang"])),
        sentences=tuple(
            draw(st.lists(st.sampled_from(["ringan", "sedang", "berat", "x"]), max_size=2))
        ),
        expired_entries=draw(st.integers(0, 3)),
        # Days that are not working days (after the last one drawn): their minutes count too.
        off_day_minutes=tuple(
            (dt.date(2026, 10, d), Decimal(draw(st.integers(0, 600))))
            for d in draw(st.lists(st.integers(24, 31), max_size=3, unique=True))
        ),
    )
    return policy, month


def _half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def replace_day(month, index, **changes):
    days = list(month.days)
    days[index] = dataclasses.replace(days[index], **changes)
    return dataclasses.replace(month, days=tuple(days))


@PROFILE
@given(cases())
def test_bounds_hold(case):
    policy, month = case
    r = calculate(policy, month)
    assert 0 <= r.net <= r.gross <= r.ceiling
    assert r.gross <= sum(a.exact_ceiling for a in r.allowances)
    assert r.pph21 >= 0 and r.health_insurance >= 0
    assert r.net == r.gross - r.pph21 - r.health_insurance
    for allowance in r.allowances:
        assert sum(c.exact_pot for c in allowance.components) == allowance.exact_ceiling
        assert allowance.ceiling == _half_up(allowance.exact_ceiling)
        for c in allowance.components:
            assert 0 <= c.amount <= c.exact_pot
            assert c.amount <= c.pot == _half_up(c.exact_pot)
        assert 0 <= allowance.gross <= allowance.subtotal <= allowance.exact_ceiling
    for c in r.components:
        assert 0 <= c.amount <= c.exact_pot and c.amount <= c.pot
    for value in (r.ceiling, r.gross, r.pph21, r.health_insurance, r.net):
        assert value == value.to_integral_value()


@PROFILE
@given(cases(), st.data())
def test_same_inputs_same_figures_in_any_day_order(case, data):
    policy, month = case
    shuffled = dataclasses.replace(month, days=tuple(data.draw(st.permutations(month.days))))
    assert calculate(policy, month) == calculate(policy, month) == calculate(policy, shuffled)


def _no_better(before, after):
    assert after.gross <= before.gross
    assert after.net <= before.net + 1
    if after.gross == before.gross:
        assert after.net == before.net


@PROFILE
@given(cases(), st.data())
def test_more_lateness_or_early_leave_never_raises_tpp(case, data):
    policy, month = case
    if not month.days:
        return
    i = data.draw(st.integers(0, len(month.days) - 1))
    extra = data.draw(st.integers(1, 300))
    field = data.draw(st.sampled_from(["late_minutes", "early_minutes"]))
    later = replace_day(month, i, **{field: getattr(month.days[i], field) + extra})
    before, after = calculate(policy, month), calculate(policy, later)
    _no_better(before, after)
    assert after.amount("attendance") <= before.amount("attendance")


@PROFILE
@given(cases(), st.data())
def test_more_absence_never_raises_tpp(case, data):
    policy, month = case
    if not month.days:
        return
    i = data.draw(st.integers(0, len(month.days) - 1))
    present = replace_day(
        month,
        i,
        leave=None,
        absent=False,
        has_any_punch=True,
        late_minutes=0,
        early_minutes=0,
        missing_check_in=False,
        missing_check_out=False,
    )
    absent = replace_day(present, i, absent=True, has_any_punch=False)
    _no_better(calculate(policy, present), calculate(policy, absent))


@PROFILE
@given(cases(), st.data())
def test_fewer_credited_minutes_never_raise_tpp(case, data):
    policy, month = case
    if not month.days:
        return
    i = data.draw(st.integers(0, len(month.days) - 1))
    current = month.days[i].credited_minutes
    fewer = data.draw(st.integers(0, int(current)))
    less = replace_day(month, i, credited_minutes=Decimal(fewer))
    before, after = calculate(policy, month), calculate(policy, less)
    _no_better(before, after)
    assert after.amount("activity") <= before.amount("activity")


@PROFILE
@given(cases(), st.data())
def test_fewer_minutes_on_days_off_never_raise_tpp(case, data):
    policy, month = case
    if not month.off_day_minutes:
        return
    i = data.draw(st.integers(0, len(month.off_day_minutes) - 1))
    date, current = month.off_day_minutes[i]
    off = list(month.off_day_minutes)
    off[i] = (date, Decimal(data.draw(st.integers(0, int(current)))))
    less = dataclasses.replace(month, off_day_minutes=tuple(off))
    before, after = calculate(policy, month), calculate(policy, less)
    _no_better(before, after)
    assert after.amount("activity") <= before.amount("activity")
