"""Audit of the calculator against tpp-rules.md, boundary by boundary (December 2026).

Every expected figure is worked out by hand in the comments, from the spec's text, not from the
calculator. All of these pin behaviour that was already right when written (the audit found no
deviation from the spec's explicit text in calculator.py / policy.py); they guard the boundaries
the earlier table tests (test_calculator_rules.py) did not reach: the health-insurance cap to the
rupiah, PPh 21 on a half rupiah, "rounded half-up once" on an odd sum, the presence rate over days
in post (not W), Plt/Plh on leave days, target-reducing leave outside the days in post, the daily
cap at its edge, the exact score, the attendance component at exactly zero, and the Manado bands.
"""

import dataclasses
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given

from ekinerja.tpp.calculator import PositionDay, calculate
from ekinerja.tpp.policy import manado_template, national_template
from tests.tpp.builders import DELETE, day, full_month, month, policy, workdays
from tests.tpp.test_calculator_properties import PROFILE, cases

D = Decimal
HSS = policy()  # 30/50/20 from the ceiling, class 13 = 9,000,000, 1% BPJS capped at 12,000,000


def _replace(days, indexes, **changes):
    days = list(days)
    for i in indexes:
        days[i] = dataclasses.replace(days[i], **changes)
    return days


# ---- health insurance: pct x min(gross, max(0, cap - salary)), rounded half-up ------------------


@pytest.mark.parametrize(
    ("salary", "health", "capped"),
    [
        # gross 9,000,000 (full month, full scores, Baik); cap 12,000,000; 1%.
        (3_000_000, 90_000, False),  # room 9,000,000 = gross: 1% of gross, the cap not reached
        (3_000_001, 90_000, True),  # room 8,999,999: 89,999.99 -> 90,000
        (3_000_050, 90_000, True),  # room 8,999,950: 89,999.50 -> 90,000 (half up)
        (3_000_051, 89_999, True),  # room 8,999,949: 89,999.49 -> 89,999
        (11_999_950, 1, True),  # room 50: 0.50 -> 1 (half up)
        (11_999_951, 0, True),  # room 49: 0.49 -> 0
        (11_999_999, 0, True),  # room 1: 0.01 -> 0
        (12_000_001, 0, True),  # salary above the cap: room max(0, -1) = 0
    ],
)
def test_health_insurance_cap_to_the_rupiah(salary, health, capped):
    r = calculate(HSS, month(full_month(), salary=salary))
    assert r.gross == 9_000_000
    assert r.health_insurance == health
    assert r.net == 9_000_000 - 1_350_000 - health  # IV/c: 15% of 9,000,000 = 1,350,000
    assert any("hanya atas bagian TPP" in n for n in r.notes) == capped


# ---- PPh 21: flat by the golongan's part before "/", rounded half-up ------------------------------

SKP_ONLY = policy(components=[{"key": "skp", "weight": 100}])


@pytest.mark.parametrize(
    ("golongan", "key", "pph21"),
    [
        ("III/d", "III", 50_001),  # 5% of 1,000,010 = 50,000.5 -> 50,001
        ("IV", "IV", 150_002),  # no "/": the whole golongan; 15% = 150,001.5 -> 150,002
        ("II/a", "II", 0),
    ],
)
def test_pph21_rounds_a_half_rupiah_up(golongan, key, pph21):
    days = [day(d, position=PositionDay(13, tpp_base=D(1_000_010))) for d in workdays(22)]
    r = calculate(SKP_ONLY, month(days, golongan=golongan, salary=0))
    assert r.gross == 1_000_010  # SKP 100% x Baik 100%
    assert (r.pph21_key, r.pph21) == (key, pph21)
    # 1% of 1,000,010 (room 12,000,000 - 0 is larger) = 10,000.1 -> 10,000
    assert r.health_insurance == 10_000
    assert r.net == 1_000_010 - pph21 - 10_000


# ---- gross: the rounded components' sum x floor x (1 - sentence), rounded half-up once --------------


def test_floor_and_sentence_are_applied_to_an_odd_sum_and_rounded_once():
    """SKP only, ceiling 1,000,001; 8 of 20 days with a punch = 40% -> floor [25, 50) pays 50%;
    ringan cuts 25%. Once: 1,000,001 x 0.5 x 0.75 = 375,000.375 -> 375,000. Rounding after the
    floor (500,000.5 -> 500,001, x 0.75 = 375,000.75 -> 375,001) or rounding the cut separately
    (125,000.125 -> 125,000; 500,000.5 - 125,000 = 375,000.5 -> 375,001) would pay 375,001."""
    days = [
        day(d, position=PositionDay(13, tpp_base=D(1_000_001)), has_any_punch=i < 8)
        for i, d in enumerate(workdays(20))
    ]
    r = calculate(SKP_ONLY, month(days, sentences=("ringan",)))
    assert (r.presence_rate, r.floor_pct, r.sentence_pct) == (40, 50, 25)
    assert r.subtotal == 1_000_001
    assert r.gross == 375_000


def test_gross_is_the_sum_of_the_rounded_components_not_of_the_exact_ones():
    """Attendance 50 / activity 50 from the pot, ceiling 1,000,002: pots 500,001 each.
    Two absences at 25% each = 50% of the pot: 500,001 - 250,000.5 = 250,000.5 -> 250,001.
    Activity 3,375 of 6,750 = 0.5: 250,000.5 -> 250,001. Rounded sum 500,002 (exact 500,001).
    Ringan 25%: 500,002 x 0.75 = 375,001.5 -> 375,002 (from the exact sum: 375,000.75 -> 375,001)."""
    p = policy(
        components=[{"key": "attendance", "weight": 50}, {"key": "activity", "weight": 50}],
        attendance__deduct_from="pot",
        attendance__absent_without_notice=25,
        attendance_floors=DELETE,
    )
    days = full_month(22, minutes=3375, position=PositionDay(13, tpp_base=D(1_000_002)))
    days = _replace(days, (0, 1), absent=True, has_any_punch=False)
    r = calculate(p, month(days, sentences=("ringan",)))
    assert r.attendance.deduction_pct == 50 and r.activity.score == D("0.5")
    assert [c.amount for c in r.components] == [250_001, 250_001]
    assert r.subtotal == 500_002
    assert r.gross == 375_002


# ---- attendance floors: the presence rate is over the days in post, not over W ---------------------

JOIN_DAYS = 10  # joins on the 11th working day: 12 of 22 days in post


@pytest.mark.parametrize(
    ("present", "rate", "floor_pct", "gross"),
    [
        # Ceiling 9,000,000 x 12/22 = 4,909,090.909...; exact pots 1,472,727.27 / 2,454,545.45 /
        # 981,818.18 (no fraction of one half or more, no clamp); full scores: 1,472,727 +
        # 2,454,545 + 981,818 = 4,909,090.
        (2, "16.67", 0, 0),  # 2/12 < 25%: nothing
        (3, "25", 50, 2_454_545),  # exactly 25% is in [25, 50): half of 4,909,090
        (5, "41.67", 50, 2_454_545),
        (6, "50", 100, 4_909_090),  # exactly 50% is above the last floor: in full
        # Over W = 22 days, 3 would be 13.6% (nothing) and 6 would be 27.3% (half).
    ],
)
@pytest.mark.parametrize("before", ["no_position", "tugas_belajar"])
def test_presence_rate_counts_days_in_post_only(present, rate, floor_pct, gross, before):
    dates = workdays(22)
    if before == "no_position":
        days = [day(d, kelas=None, has_any_punch=False) for d in dates[:JOIN_DAYS]]
    else:  # a leave that excludes TPP takes the days out of the days in post as well
        days = [day(d, leave="tugas_belajar", has_any_punch=False) for d in dates[:JOIN_DAYS]]
    # 400 minutes on each of the 12 days: 4,800 >= target 6,750 x 12/22 = 3,681.82: score 1.
    days += [
        day(d, has_any_punch=i < present, credited_minutes=400)
        for i, d in enumerate(dates[JOIN_DAYS:])
    ]
    r = calculate(HSS, month(days))
    assert r.days_in_post == 12
    assert r.attendance.deduction_pct == 0  # a day without a punch but not absent deducts nothing
    assert r.subtotal == 4_909_090
    assert (r.presence_rate, r.floor_pct, r.gross) == (D(rate), floor_pct, gross)


# ---- Plt/Plh: only on days in post; a non-excluding leave day is a day in post --------------------


@pytest.mark.parametrize(
    ("leave", "ceiling", "acting_days_paid"),
    [
        # 11 acting days (class 15 = 16,000,000, 20% = 3,200,000), 5 of them on leave.
        # Cuti tahunan keeps the day in post: (22 x 9,000,000 + 11 x 3,200,000) / 22
        # = (198,000,000 + 35,200,000) / 22 = 10,600,000.
        ("cuti_tahunan", 10_600_000, 11),
        # Tugas belajar excludes the day, base and share: (17 x 9,000,000 + 6 x 3,200,000) / 22
        # = (153,000,000 + 19,200,000) / 22 = 7,827,272.7272... -> shown 7,827,273.
        ("tugas_belajar", 7_827_273, 6),
    ],
)
def test_plt_share_on_leave_days(leave, ceiling, acting_days_paid):
    days = [
        day(d, acting=(PositionDay(15),)) if i < 11 else day(d) for i, d in enumerate(workdays(22))
    ]
    days = _replace(days, range(5), leave=leave, has_any_punch=False)
    r = calculate(HSS, month(days))
    assert r.ceiling == ceiling
    assert any(f"Plt/Plh pada {acting_days_paid} hari" in n for n in r.notes)


def test_plt_of_a_class_missing_from_the_table_adds_nothing():
    """Only class 13 listed: the acting class 15 has base 0 (noted), so no share: 9,000,000."""
    p = policy(base_by_class={"13": 9_000_000})
    r = calculate(p, month([day(d, acting=(PositionDay(15),)) for d in workdays(22)]))
    assert r.ceiling == 9_000_000
    assert any("Kelas jabatan 15 tidak ada" in n for n in r.notes)


# ---- activity target: reduced by target-reducing leave on days in post only -------------------------


def test_target_reducing_leave_outside_the_days_in_post_does_not_reduce_the_target():
    """Joiner on the 11th working day (12 of 22 in post); sakit (reduces the target) on one day
    before joining and on two days in post: target = 6,750 x (12 - 2) / 22 = 67,500 / 22
    = 3,068.1818... -> shown 3,068.18 (counting the day before joining: 6,750 x 9/22 = 2,761.36)."""
    dates = workdays(22)
    days = [day(d, kelas=None, has_any_punch=False) for d in dates[:JOIN_DAYS]]
    days = _replace(days, (3,), leave="sakit")
    days += [day(d) for d in dates[JOIN_DAYS:]]
    days = _replace(days, (JOIN_DAYS, JOIN_DAYS + 1), leave="sakit", has_any_punch=False)
    r = calculate(HSS, month(days))
    assert r.days_in_post == 12 and r.activity.target_reducing_leave_days == 2
    assert r.activity.target_minutes == D("3068.18")


def test_a_leave_that_excludes_tpp_and_reduces_the_target_is_taken_out_once():
    """A type with excludes_tpp and reduces_activity_target: its 2 days are not days in post, so
    target = 6,750 x (20 - 0) / 22 = 6,136.3636... -> 6,136.36 (not 6,750 x 18/22 = 5,522.73)."""
    p = policy(leave_types__tb_khusus={"excludes_tpp": True, "reduces_activity_target": True})
    days = _replace(full_month(22, minutes=0), (0, 1), leave="tb_khusus", has_any_punch=False)
    r = calculate(p, month(days))
    assert r.days_in_post == 20 and r.activity.target_reducing_leave_days == 0
    assert r.activity.target_minutes == D("6136.36")


# ---- activity: the daily cap at its edge, the exact score, the score cap ----------------------------


@pytest.mark.parametrize(
    ("minutes", "credited", "over"),
    [("450", 450, 0), ("450.5", 450, 1), ("451", 450, 1), ("449", 449, 0)],
)
def test_daily_cap_at_its_edge(minutes, credited, over):
    days = _replace(full_month(22, minutes=0), (0,), credited_minutes=D(minutes))
    r = calculate(HSS, month(days))
    assert (r.activity.credited_minutes, r.activity.days_over_cap) == (credited, over)


@pytest.mark.parametrize(
    ("minutes", "score", "amount"),
    [
        # 1,000 / 6,750 = 0.148148...: 4,500,000 x 1,000/6,750 = 666,666.67 -> 666,667
        # (with the shown score 0.1481 it would be 666,450).
        (1000, "0.1481", 666_667),
        # 6,749 / 6,750: 4,500,000 x 6,749/6,750 = 4,499,333.33 -> 4,499,333
        (6749, "0.9999", 4_499_333),
        (6750, "1", 4_500_000),  # exactly the target: score 1
        (6751, "1", 4_500_000),  # above it: capped at 1
    ],
)
def test_activity_amount_uses_the_exact_score_up_to_the_cap(minutes, score, amount):
    r = calculate(HSS, month(full_month(22, minutes=minutes)))
    assert r.activity.score == D(score)
    assert r.amount("activity") == amount


# ---- attendance: the component stops at zero --------------------------------------------------------


@pytest.mark.parametrize(
    ("absences", "amount", "noted"),
    [
        (1, 1_800_000, False),  # national 40/60, pot 40% of 9,000,000 = 3,600,000; 50% off
        (2, 0, False),  # 100% of the pot: exactly zero, nothing exceeded
        (3, 0, True),  # 150%: would be -1,800,000; zero, with the note
    ],
)
def test_attendance_from_the_pot_stops_at_zero(absences, amount, noted):
    p = policy(national_template, attendance__absent_without_notice=50)
    days = _replace(full_month(), range(absences), absent=True, has_any_punch=False)
    r = calculate(p, month(days))
    assert r.amount("attendance") == amount
    assert r.amount("activity") == 5_400_000  # 60%, minutes untouched: score 1
    assert any("komponen kehadiran menjadi nol" in n for n in r.notes) == noted


@pytest.mark.parametrize(("absences", "amount"), [(1, 1_350_000), (2, 0)])
def test_attendance_from_the_ceiling_reaches_zero_exactly(absences, amount):
    """HSS deducts from the ceiling: 15% x 9,000,000 = 1,350,000 per absence off the 2,700,000
    pot; two absences (30% of the ceiling) take exactly the pot."""
    p = policy(attendance__absent_without_notice=15)
    days = _replace(full_month(), range(absences), absent=True, has_any_punch=False)
    r = calculate(p, month(days))
    assert r.amount("attendance") == amount


def test_a_leave_day_has_only_its_leave_deduction():
    """Sakit (0%) on a day also flagged missing check-in, missing check-out, late and early: no
    deduction at all (tpp-rules.md: only the leave type's)."""
    days = _replace(
        full_month(),
        (0,),
        leave="sakit",
        missing_check_in=True,
        missing_check_out=True,
        late_minutes=120,
        early_minutes=120,
    )
    r = calculate(HSS, month(days))
    att = r.attendance
    assert (att.late, att.early, att.missing_check_in, att.missing_check_out) == (0, 0, 0, 0)
    assert att.deduction_pct == 0 and r.amount("attendance") == 2_700_000


# ---- Manado's bands: 1% / 2% / 3% at 1-30, 31-60, over 60, from the pot ------------------------------


@pytest.mark.parametrize(
    ("minutes", "late", "pct"),
    [(0, 0, 0), (1, 1, 1), (30, 1, 1), (31, 1, 2), (60, 1, 2), (61, 1, 3), (600, 1, 3)],
)
def test_manado_bands_at_their_edges(minutes, late, pct):
    """Ceiling 10,000,000 (position base); attendance 40% = pot 4,000,000; each 1% of the pot is
    40,000: one late arrival and one early leave of the same minutes cost 2 x pct."""
    p = policy(manado_template)
    days = full_month(22, position=PositionDay(13, tpp_base=D(10_000_000)))
    days = _replace(days, (4,), late_minutes=minutes, early_minutes=minutes)
    r = calculate(p, month(days))
    assert (r.attendance.late, r.attendance.early) == (late, late)
    assert r.attendance.deduction_pct == 2 * pct
    assert r.amount("attendance") == 4_000_000 - 2 * pct * 40_000


# ---- the whole month against a second, literal reading of the spec ----------------------------------


def _half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def _band(bands, minutes: int) -> Fraction:
    """The templates' bands are contiguous from minute 1 with an open last band."""
    for b in bands:
        if b.lower <= minutes and (b.upper is None or minutes <= b.upper):
            return Fraction(b.pct)
    return Fraction(0)


def _reference(policy, month):
    """tpp-rules.md steps 1-5 and "Precise definitions", written out directly, day by day, with
    docs/tpp-calculation.md's decisions (Plt/Plh on days in post only, not times the status
    factor, the largest share of a day; minutes credited on every day; the clamp of an amount
    to floor(pot); target 0 scores the cap; health reduced to gross - PPh 21)."""
    att = policy.attendance
    days = sorted(month.days, key=lambda d: d.date)
    w = len(days)
    plt = Fraction(policy.plt_pct or 0) / 100
    cap = Fraction(policy.activity.daily_cap_minutes)
    since, earlier = month.status_change or (None, month.status)
    allowances = policy.allowance_list()
    totals = [Fraction(0)] * len(allowances)
    dip = present = reducing = 0
    deduction = credited = Fraction(0)
    for d in days:
        credited += min(Fraction(d.credited_minutes), cap)
        lt = policy.leave_types.get(d.leave) if d.leave is not None else None
        if d.position is None or (lt is not None and lt.excludes_tpp):
            continue
        dip += 1
        status = earlier if since is not None and d.date < since else month.status
        factor = Fraction(policy.status_factor[status]) / 100
        for i, a in enumerate(allowances):

            def base(pos, a=a):
                if pos.tpp_base is not None and a.key == "tpp":
                    return Fraction(pos.tpp_base)
                found = a.base_by_class.get(pos.kelas)
                return None if found is None else Fraction(found)

            totals[i] += (base(d.position) or 0) * factor
            shares = [b for b in (base(p) for p in d.acting) if b is not None]
            if shares:
                totals[i] += max(shares) * plt
        if d.has_any_punch or (lt is not None and lt.counts_as_present):
            present += 1
        if d.leave is not None:  # only the leave type's deduction (an unknown type: none)
            if lt is not None:
                deduction += Fraction(lt.deduction)
                reducing += lt.reduces_activity_target
            continue
        if d.absent:
            deduction += Fraction(att.absent_without_notice)
            continue
        if d.missing_check_in:
            deduction += Fraction(att.missing_check_in)
        elif d.late_minutes > att.grace_minutes:
            deduction += _band(att.late_bands, d.late_minutes)
        if d.missing_check_out:
            deduction += Fraction(att.missing_check_out)
        elif d.early_minutes > att.grace_minutes:
            deduction += _band(att.early_bands, d.early_minutes)
    for _date, minutes in month.off_day_minutes:
        credited += min(Fraction(minutes), cap)
    act = policy.activity
    if act.daily_target_minutes is not None:
        target = Fraction(act.daily_target_minutes) * (dip - reducing)
    else:
        target = Fraction(act.monthly_target_minutes) * (dip - reducing) / w if w else 0
    score_cap = Fraction(act.score_cap)
    score = min(score_cap, credited / target) if target > 0 else score_cap
    floor_pct = Fraction(100)
    if dip:
        rate = Fraction(100 * present, dip)
        for f in policy.attendance_floors or ():
            if f.lower <= rate < f.upper:
                floor_pct = Fraction(f.pct)
                break
    cut = max(
        (Fraction(policy.sentences[s]) for s in month.sentences if s in policy.sentences), default=0
    )
    amounts, gross = [], 0
    for i, a in enumerate(allowances):
        ceiling = totals[i] / w if w else Fraction(0)
        subtotal = 0
        for c in a.components:
            pot = ceiling * Fraction(c.weight) / 100
            if c.key == "attendance":
                base = pot if att.deduct_from == "pot" else ceiling
                exact = max(Fraction(0), pot - deduction / 100 * base)
            elif c.key == "activity":
                exact = pot * score
            else:
                exact = pot * Fraction(policy.skp.pct(month.predicate)) / 100
            amount = min(_half_up(exact), math.floor(pot))
            amounts.append(amount)
            subtotal += amount
        gross += _half_up(subtotal * floor_pct / 100 * (1 - cut / 100))
    pph21 = 0
    if policy.pph21.mode == "flat_by_golongan":
        rates = policy.pph21.rates
        if month.status == "PPPK" and policy.pph21.pppk_key and "PPPK" in rates:
            key = "PPPK"
        else:
            key = month.golongan.split("/")[0].strip() if month.golongan else None
        pph21 = _half_up(gross * Fraction(rates.get(key, 0)) / 100)
    health = 0
    hi = policy.health_insurance
    if hi is not None:
        on = Fraction(gross)
        if hi.income_cap is not None:
            on = min(on, max(Fraction(0), Fraction(hi.income_cap) - Fraction(month.salary or 0)))
        health = min(_half_up(Fraction(hi.employee_pct) / 100 * on), gross - pph21)
    return amounts, gross, pph21, health, gross - pph21 - health


@PROFILE
@given(cases())
def test_every_figure_matches_a_literal_reading_of_the_spec(case):
    policy, month = case
    r = calculate(policy, month)
    amounts, gross, pph21, health, net = _reference(policy, month)
    assert [c.amount for a in r.allowances for c in a.components] == amounts
    assert (r.gross, r.pph21, r.health_insurance, r.net) == (gross, pph21, health, net)
