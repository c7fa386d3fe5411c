"""Table tests: one rule of tpp-rules.md (and docs/tpp-calculation.md) each."""

import dataclasses
import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from ekinerja.core.money import round_rupiah
from ekinerja.tpp.calculator import (
    CalculationInputError,
    PositionDay,
    _rupiah,
    calculate,
)
from ekinerja.tpp.policy import madiun_template, manado_template, national_template
from tests.tpp.builders import DELETE, day, full_month, month, policy, workdays

D = Decimal
HSS = policy()  # 30/50/20, deduct from ceiling, class 13 = Rp9.000.000, floors, cap 12 juta


def with_day(days, index, **changes):
    """Replace day `index` by a day with the same date, position and minutes plus `changes`."""
    days = list(days)
    old = days[index]
    kwargs = {"position": old.position, "credited_minutes": old.credited_minutes}
    kwargs.update(changes)
    days[index] = day(old.date, **kwargs)
    return days


# ---- the format document's example, by hand ----------------------------------------------------


def test_format_example_reproduced_by_hand():
    """Golongan IV/c, ceiling 9,000,000, 30/50/20: two late arrivals under 30 minutes (0.5% each),
    one missing check-out (1.5%), deducted from the ceiling; 6,075 of 6,750 minutes; SKP Baik;
    BPJS 1% of the 6,500,000 left under the 12,000,000 cap after a salary of 5,500,000."""
    days = full_month(22, minutes=6075)
    days = with_day(days, 0, late_minutes=12)
    days = with_day(days, 1, late_minutes=29)
    days = with_day(days, 5, missing_check_out=True)
    r = calculate(HSS, month(days, salary=5_500_000, expired_entries=1))
    # Pots: 30%, 50%, 20% of 9,000,000.
    assert [c.pot for c in r.components] == [2_700_000, 4_500_000, 1_800_000]
    # Attendance: 2 x 0.5% + 1.5% = 2.5% of the ceiling = 225,000 off 2,700,000.
    assert r.attendance.deduction_pct == D("2.5")
    assert r.amount("attendance") == 2_700_000 - 225_000 == 2_475_000
    # Activity: 6,075 / 6,750 = 0.9 of 4,500,000.
    assert r.activity.credited_minutes == 6075 and r.activity.target_minutes == 6750
    assert r.activity.score == D("0.9")
    assert r.amount("activity") == 4_050_000
    assert r.amount("skp") == 1_800_000
    assert r.gross == 2_475_000 + 4_050_000 + 1_800_000 == 8_325_000
    assert r.pph21 == 8_325_000 * 15 / 100 == 1_248_750
    assert r.health_insurance == (12_000_000 - 5_500_000) // 100 == 65_000
    assert r.net == 8_325_000 - 1_248_750 - 65_000 == 7_011_250
    # The explanation's formulas are written in words an employee reads, not min()/max().
    formulas = {line.label: line.formula for line in r.lines}
    assert formulas["Skor aktivitas"] == "6.075 ÷ 6.750, paling tinggi 1"
    assert formulas["Komponen kehadiran"] == (
        "Rp2.700.000 − 2,5% × pagu Rp9.000.000, paling sedikit Rp0"
    )
    assert formulas["Iuran jaminan kesehatan"] == (
        "1% × Rp6.500.000: TPP kotor Rp8.325.000, paling banyak sampai batas penghasilan "
        "Rp12.000.000 − gaji Rp5.500.000"
    )
    assert not any("min(" in f or "max(" in f for f in formulas.values())
    row = r.as_row()
    assert row == {
        "nip": "197001011995031001",
        "working_days": 22,
        "ceiling": 9000000,
        "attendance": {
            "late": 2,
            "early": 0,
            "missing_check_in": 0,
            "missing_check_out": 1,
            "absent_without_notice": 0,
            "leave_days": {},
            "deduction_pct": 2.5,
            "amount": 2475000,
        },
        "activity": {
            "credited_minutes": 6075,
            "target_minutes": 6750,
            "expired_entries": 1,
            "score": 0.9,
            "amount": 4050000,
        },
        "skp": {"predicate": "baik", "pct": 100, "amount": 1800000},
        "floor_pct": 100,
        "sentence_pct": 0,
        "gross": 8325000,
        "pph21": 1248750,
        "health_insurance": 65000,
        "net": 7011250,
        "notes": list(r.notes),
    }
    assert any("1 entri aktivitas kedaluwarsa" in n for n in r.notes)
    assert any("Rp12.000.000" in n for n in r.notes)
    labels = [line.label for line in r.lines]
    assert labels[:3] == ["Hari kerja", "Hari menjabat", "Pagu"]
    assert ("TPP bersih", "Rp7.011.250", "Rp8.325.000 − Rp1.248.750 − Rp65.000") in r.lines
    assert (
        "Potongan kehadiran",
        "2,5%",
        "2× terlambat 1-30 menit × 0,5% + 1× tidak absen pulang × 1,5%",
    ) in r.lines


# ---- lateness and early leave ---------------------------------------------------------------------


BAND_EDGES = [
    (0, 0, "0"),
    (1, 1, "0.5"),
    (30, 1, "0.5"),
    (31, 1, "1"),
    (60, 1, "1"),
    (61, 1, "1.25"),
    (90, 1, "1.25"),
    (91, 1, "1.5"),
    (600, 1, "1.5"),
]


@pytest.mark.parametrize(("minutes", "count", "pct"), BAND_EDGES)
def test_late_bands_at_their_edges(minutes, count, pct):
    r = calculate(HSS, month(with_day(full_month(), 3, late_minutes=minutes)))
    assert r.attendance.late == count
    assert r.attendance.deduction_pct == D(pct)
    assert r.amount("attendance") == 2_700_000 - 90_000 * D(pct)


@pytest.mark.parametrize(("minutes", "count", "pct"), BAND_EDGES)
def test_early_bands_at_their_edges(minutes, count, pct):
    r = calculate(HSS, month(with_day(full_month(), 3, early_minutes=minutes)))
    assert r.attendance.early == count
    assert r.attendance.deduction_pct == D(pct)


@pytest.mark.parametrize(
    ("grace", "minutes", "late", "pct"),
    [
        (15, 15, 0, "0"),  # not more than the grace: not late
        (15, 16, 1, "0.5"),  # looked up by the whole figure: 16 in 1-30
        (40, 40, 0, "0"),
        (40, 41, 1, "1"),  # 41 in 31-60, not 1 in 1-30
    ],
)
def test_grace_minutes_then_whole_figure_in_the_bands(grace, minutes, late, pct):
    p = policy(attendance__grace_minutes=grace)
    r = calculate(p, month(with_day(full_month(), 0, late_minutes=minutes, early_minutes=minutes)))
    assert (r.attendance.late, r.attendance.early) == (late, late)
    assert r.attendance.deduction_pct == 2 * D(pct)


def test_minutes_beyond_a_closed_last_band_take_its_percentage():
    p = policy(attendance__late_bands=[[1, 30, 0.5], [31, 60, 1]])
    r = calculate(p, month(with_day(full_month(), 0, late_minutes=200)))
    assert r.attendance.deduction_pct == 1


def test_minutes_below_the_first_band_are_late_without_deduction():
    p = policy(attendance__late_bands=[[10, 30, 0.5], [31, None, 1]])
    r = calculate(p, month(with_day(full_month(), 0, late_minutes=5)))
    assert r.attendance.late == 1 and r.attendance.deduction_pct == 0
    assert any("di bawah pita pertama" in n for n in r.notes)


def test_missing_punches_replace_late_and_early_of_that_day():
    days = with_day(
        full_month(), 0, missing_check_in=True, late_minutes=120, missing_check_out=True
    )
    days = with_day(days, 1, missing_check_out=True, early_minutes=120, late_minutes=45)
    r = calculate(HSS, month(days))
    att = r.attendance
    assert (att.missing_check_in, att.missing_check_out, att.late, att.early) == (1, 2, 1, 0)
    assert att.deduction_pct == D("1.5") + 2 * D("1.5") + 1


def test_absent_without_notice_deducts_per_day_and_only_that():
    days = with_day(full_month(), 0, absent=True, late_minutes=50)
    days = with_day(days, 1, absent=True)
    r = calculate(HSS, month(days))
    assert r.attendance.absent_without_notice == 2
    assert r.attendance.late == 0
    assert r.attendance.deduction_pct == 9
    assert r.amount("attendance") == 2_700_000 - 810_000


@pytest.mark.parametrize(
    ("deduct_from", "amount"),
    [("ceiling", 2_700_000 - 225_000), ("pot", 2_700_000 - 67_500)],
)
def test_deductions_from_the_pot_or_the_ceiling(deduct_from, amount):
    p = policy(attendance__deduct_from=deduct_from)
    days = with_day(full_month(), 0, late_minutes=10)
    days = with_day(days, 1, late_minutes=10)
    days = with_day(days, 2, missing_check_in=True)
    r = calculate(p, month(days))
    assert r.attendance.deduction_pct == D("2.5")
    assert r.amount("attendance") == amount


def test_attendance_component_never_goes_below_zero():
    days = [day(d, absent=True) for d in workdays(22)]
    r = calculate(HSS, month(days))
    assert r.attendance.deduction_pct == 22 * D("4.5")
    assert r.amount("attendance") == 0
    assert any("komponen kehadiran menjadi nol" in n for n in r.notes)


# ---- leave -------------------------------------------------------------------------------------------


def test_leave_types_deduct_count_and_reduce_the_target_as_the_policy_says():
    days = full_month(22, minutes=0)
    days = with_day(days, 0, leave="izin", late_minutes=50, has_any_punch=False)
    days = with_day(days, 1, leave="sakit", has_any_punch=False)
    days = with_day(days, 2, leave="sakit", has_any_punch=False)
    days = with_day(days, 3, leave="dinas_luar", has_any_punch=False)
    r = calculate(HSS, month(days))
    assert r.attendance.leave_days == {"dinas_luar": 1, "izin": 1, "sakit": 2}
    assert r.attendance.late == 0  # a leave day has only the leave type's deduction
    assert r.attendance.deduction_pct == 1
    assert r.activity.target_reducing_leave_days == 3  # izin + 2 sakit; dinas_luar does not
    assert r.activity.target_minutes == D("5829.55")  # 6,750 x 19/22, shown to 2 places
    assert r.attendance.present_days == 19  # 18 punched + dinas_luar (counts as present)
    assert r.attendance.leave_deductions == (("izin", 1, D(1)),)


def test_leave_that_excludes_tpp_prorates_the_ceiling_and_the_target():
    days = full_month(22, minutes=3375)
    for i in range(11, 22):
        days = with_day(days, i, leave="tugas_belajar", has_any_punch=False, late_minutes=100)
    r = calculate(HSS, month(days))
    assert r.working_days == 22 and r.days_in_post == 11
    assert r.ceiling == 4_500_000
    assert r.attendance.late == 0
    assert r.activity.target_minutes == 3375
    assert r.attendance.leave_days == {"tugas_belajar": 11}
    assert any("11 hari kerja tugas belajar" in n for n in r.notes)


def test_a_cltn_note_names_the_leave_not_its_key():
    p = policy(leave_types__cltn={"excludes_tpp": True})
    days = full_month(22, minutes=3375)
    for i in range(18, 22):
        days = with_day(days, i, leave="cltn", has_any_punch=False)
    r = calculate(p, month(days))
    assert (
        "4 hari kerja cuti di luar tanggungan negara (CLTN): tidak menerima TPP pada hari "
        "tersebut; pagu diprorata." in r.notes
    )


def test_tpp_excluded_the_whole_month_pays_nothing_with_the_reason():
    days = [day(d, leave="tugas_belajar", has_any_punch=False) for d in workdays(22)]
    r = calculate(HSS, month(days))
    assert (r.ceiling, r.gross, r.net) == (0, 0, 0)
    assert any("Tidak ada hari menjabat" in n for n in r.notes)


def test_unknown_leave_type_has_no_effect_and_is_noted():
    r = calculate(HSS, month(with_day(full_month(), 0, leave="cuti_haji", late_minutes=40)))
    assert r.attendance.deduction_pct == 0
    assert r.activity.target_minutes == 6750
    assert any("'cuti_haji'" in n for n in r.notes)


# ---- ceiling: status, Plt/Plh, joining mid-month ------------------------------------------------------


@pytest.mark.parametrize(("status", "ceiling"), [("PNS", 9_000_000), ("CPNS", 7_200_000)])
def test_cpns_gets_80_percent(status, ceiling):
    r = calculate(HSS, month(full_month(), status=status, golongan="III/a"))
    assert r.ceiling == ceiling and r.status_factor == (100 if status == "PNS" else 80)
    assert any("Status CPNS" in n for n in r.notes) == (status == "CPNS")


def test_a_status_that_changes_mid_month_takes_each_days_factor():
    """tpp-rules.md, Ceiling: each working day's base times *that day's* status factor. A CPNS
    appointed PNS from Monday 19 October 2026: 12 of the 22 days at 80%, 10 at 100%."""
    days = full_month()
    since = days[12].date
    assert since == dt.date(2026, 10, 19)
    r = calculate(HSS, month(days, status="PNS", golongan="III/a", status_change=(since, "CPNS")))
    # (12 x 80% + 10 x 100%) x 9,000,000 / 22 = 8,018,181.8... -> 8,018,182
    assert r.ceiling == 8_018_182
    line = next(line for line in r.lines if line[0] == "Pagu")
    assert "12 hari × 80% × Rp9.000.000" in line[2] and "10 hari × 100% × Rp9.000.000" in line[2]
    assert any(
        "Status CPNS sampai 18 Oktober 2026 (12 hari menjabat" in n
        and "PNS mulai 19 Oktober 2026" in n
        for n in r.notes
    )
    # Without the change the whole month is PNS; a change before the month changes nothing.
    assert calculate(HSS, month(days, status="PNS", golongan="III/a")).ceiling == 9_000_000
    early = month(days, status="PNS", golongan="III/a", status_change=(dt.date(2026, 9, 1), "CPNS"))
    assert calculate(HSS, early).ceiling == 9_000_000


def test_a_month_without_a_status_change_keeps_its_input_digest_text():
    """EmployeeMonth's repr is the input digest of every stored run: without a change it is the
    dataclass's own text, as before the field existed."""
    m = month(full_month(2))
    optional = {"status_change", "off_day_minutes"}  # shown only when there are some
    fields = [f for f in dataclasses.fields(m) if f.name not in optional]
    expected = (
        "EmployeeMonth(" + ", ".join(f"{f.name}={getattr(m, f.name)!r}" for f in fields) + ")"
    )
    assert repr(m) == expected
    changed = dataclasses.replace(m, status_change=(dt.date(2026, 10, 2), "CPNS"))
    assert repr(changed).endswith(", status_change=(datetime.date(2026, 10, 2), 'CPNS'))")


def test_pppk_without_golongan_gets_its_factor():
    r = calculate(HSS, month(full_month(), status="PPPK", golongan=None))
    assert r.ceiling == 9_000_000


def test_plt_adds_20_percent_of_the_acting_positions_base_on_its_days():
    days = full_month()
    for i in range(11):
        days = with_day(days, i, acting=(PositionDay(15),))  # class 15 = 16,000,000
    r = calculate(HSS, month(days))
    assert r.ceiling == 9_000_000 + 16_000_000 * 20 // 100 * 11 // 22 == 10_600_000
    assert any("Plt/Plh pada 11 hari" in n for n in r.notes)


def test_plt_share_is_not_multiplied_by_the_status_factor():
    days = [day(d, acting=(PositionDay(15),)) for d in workdays(22)]
    r = calculate(HSS, month(days, status="CPNS"))
    assert r.ceiling == 9_000_000 * 80 // 100 + 3_200_000


def test_only_the_largest_acting_share_of_a_day_counts():
    days = [day(d, acting=(PositionDay(14), PositionDay(15))) for d in workdays(22)]
    r = calculate(HSS, month(days))
    assert r.ceiling == 9_000_000 + 3_200_000
    assert any("lebih dari satu jabatan Plt/Plh" in n for n in r.notes)


def test_acting_without_a_definitif_position_adds_nothing():
    days = [day(d, kelas=None, acting=(PositionDay(15),)) for d in workdays(22)]
    r = calculate(HSS, month(days))
    assert r.ceiling == 0
    assert any("tanpa jabatan definitif yang dibayar" in n for n in r.notes)


def test_policy_without_plt_pct_adds_nothing_for_acting():
    p = policy(plt_pct=DELETE)
    r = calculate(p, month([day(d, acting=(PositionDay(15),)) for d in workdays(22)]))
    assert r.ceiling == 9_000_000
    assert (
        "Kebijakan tidak memberi tambahan untuk Plt/Plh (persentase tambahan Plt/Plh 0 atau "
        "tidak diisi)." in r.notes
    )
    assert not any("plt_pct" in n for n in r.notes)  # no developer key in what employees read


def test_position_tpp_base_overrides_the_class_table():
    days = [day(d, position=PositionDay(13, tpp_base=D(11_000_000))) for d in workdays(22)]
    r = calculate(HSS, month(days))
    assert r.ceiling == 11_000_000


def test_class_missing_from_the_table_has_base_zero_and_a_note():
    p = policy(base_by_class={"1": 1_500_000, "13": 9_000_000})
    r = calculate(p, month([day(d, kelas=7) for d in workdays(22)]))
    assert r.ceiling == 0
    assert any("Kelas jabatan 7 tidak ada" in n for n in r.notes)


def test_joining_mid_month_prorates_the_ceiling_attendance_and_target():
    dates = workdays(22)
    days = [
        day(d, kelas=None, late_minutes=100, has_any_punch=False, credited_minutes=400)
        for d in dates[:11]
    ]
    days += [day(d, credited_minutes=300) for d in dates[11:]]
    r = calculate(HSS, month(days))
    assert r.days_in_post == 11
    assert r.ceiling == 4_500_000
    assert [c.pot for c in r.components] == [1_350_000, 2_250_000, 900_000]
    assert r.attendance.late == 0  # days before joining are not looked at
    assert r.activity.target_minutes == 3375
    # Minutes before joining are credited too (only the target is prorated): 4,400 + 3,300.
    assert r.activity.credited_minutes == 7700
    assert r.amount("activity") == 2_250_000
    assert r.presence_rate == 100 and r.floor_pct == 100
    assert any("11 dari 22 hari kerja tanpa jabatan definitif" in n for n in r.notes)
    assert any(
        "4.400 menit aktivitas pada 11 hari kerja tidak menjabat ikut dihitung" in n
        for n in r.notes
    )


def test_prorated_ceiling_and_pots_stay_exact_and_are_shown_rounded():
    dates = workdays(22)
    days = [day(d, kelas=None) for d in dates[:7]] + full_month(22, minutes=9000)[7:]
    r = calculate(HSS, month(days))
    # 9,000,000 x 15/22 = 6,136,363.63...; exact pots 1,840,909.09 / 3,068,181.81 / 1,227,272.72,
    # shown rounded half-up. At full scores half-up would pay 1,840,909 + 3,068,182 + 1,227,273 =
    # 6,136,364, more than the exact ceiling; an amount never exceeds its exact pot, so the two
    # pots with a fractional part of one half or more pay their floor.
    assert r.ceiling == 6_136_364
    assert [c.pot for c in r.components] == [1_840_909, 3_068_182, 1_227_273]
    assert [c.amount for c in r.components] == [1_840_909, 3_068_181, 1_227_272]
    assert r.gross == 6_136_362
    by_label = {line.label: line for line in r.lines}
    assert by_label["Pagu"].figure == "Rp6.136.364"
    assert by_label["Pagu"].formula.endswith(
        "÷ 22 hari kerja = Rp6.136.363,64 (ditampilkan dibulatkan)"
    )
    assert by_label["Porsi aktivitas (bobot 50%)"].formula == (
        "50% × pagu Rp6.136.363,64 = Rp3.068.181,82 (ditampilkan dibulatkan)"
    )


def test_no_working_day_gives_zero_with_the_reason():
    r = calculate(HSS, month([]))
    assert (r.working_days, r.ceiling, r.gross, r.net) == (0, 0, 0, 0)
    assert any("Tidak ada hari kerja" in n for n in r.notes)


# ---- activity --------------------------------------------------------------------------------------


def test_daily_cap_limits_each_day():
    days = with_day(full_month(22, minutes=0), 0, credited_minutes=600)
    days = with_day(days, 1, credited_minutes=450)
    r = calculate(HSS, month(days))
    assert r.activity.credited_minutes == 900 and r.activity.uncapped_minutes == 1050
    assert r.activity.days_over_cap == 1
    assert any("kelebihan 150 menit" in n for n in r.notes)


def test_score_is_capped_by_the_policy():
    r = calculate(HSS, month(full_month(22, minutes=9000)))
    assert r.activity.score == 1 and r.amount("activity") == 4_500_000
    p = policy(activity__score_cap=0.8)
    r = calculate(p, month(full_month(22, minutes=9000)))
    assert r.activity.score == D("0.8") and r.amount("activity") == 3_600_000


def test_daily_target_minutes_per_working_day_in_post():
    p = policy(activity__monthly_target_minutes=DELETE, activity__daily_target_minutes=300)
    days = full_month(22, minutes=5400)
    days = with_day(days, 0, leave="sakit", credited_minutes=0)
    days = with_day(days, 1, leave="cuti_tahunan", credited_minutes=0)
    r = calculate(p, month(days))
    assert r.activity.target_minutes == 300 * 20
    credited = r.activity.credited_minutes
    assert r.amount("activity") == round_rupiah(D(4_500_000) * credited / 6000)


def test_target_zero_when_every_day_is_target_reducing_leave_scores_full():
    days = [day(d, leave="cuti_tahunan", has_any_punch=False) for d in workdays(22)]
    r = calculate(HSS, month(days))
    assert r.activity.target_minutes == 0 and r.activity.score == 1
    assert r.amount("activity") == 4_500_000
    assert any("Target aktivitas nol" in n for n in r.notes)


SATURDAY = dt.date(2026, 10, 3)
SUNDAY = dt.date(2026, 10, 4)


def test_a_saturday_entry_is_credited_and_capped():
    """tpp-rules.md "Activity": every approved entry within the window counts, capped per day; a
    day that is not a working day is no exception."""
    off = ((SATURDAY, D(600)), (SUNDAY, D(90)))
    r = calculate(HSS, month(full_month(22, minutes=5400), off_day_minutes=off))
    # 5,400 + min(600, 450) + 90 = 5,940 of 6,750: 0.88 of the activity pot 4,500,000.
    assert r.activity.credited_minutes == 5940 and r.activity.uncapped_minutes == 6090
    assert r.activity.days_over_cap == 1 and r.activity.target_minutes == 6750
    assert r.amount("activity") == 3_960_000
    assert any(
        "540 menit aktivitas pada 2 hari yang bukan hari kerja ikut dihitung" in n for n in r.notes
    )
    assert any("kelebihan 150 menit" in n for n in r.notes)
    # Without them: 5,400 / 6,750 = 0.8.
    assert calculate(HSS, month(full_month(22, minutes=5400))).amount("activity") == 3_600_000


def test_an_entry_before_joining_is_credited_while_the_target_stays_prorated():
    """Joining on 15 October (12 of 22 working days): an entry of 300 minutes on the 14th counts;
    the target is 6,750 x 12/22 = 3,681.82 minutes ("Days in post" restricts only the target)."""
    dates = workdays(22)
    days = [day(d, kelas=None, has_any_punch=False) for d in dates[:10]]
    days = with_day(days, 9, kelas=None, has_any_punch=False, credited_minutes=300)
    days += [day(d, credited_minutes=200) for d in dates[10:]]
    assert days[10].date == dt.date(2026, 10, 15)
    r = calculate(HSS, month(days))
    assert r.days_in_post == 12 and r.activity.target_minutes == D("3681.82")
    assert r.activity.credited_minutes == 2400 + 300
    # Score 2,700 / (6,750 x 12/22) = 11/15 of the exact pot 9,000,000 x 12/22 x 50% = 1,800,000.
    assert r.amount("activity") == 1_800_000
    assert any(
        "300 menit aktivitas pada 1 hari kerja tidak menjabat ikut dihitung" in n for n in r.notes
    )


def test_minutes_on_a_day_of_excluding_leave_are_credited_and_capped():
    days = with_day(full_month(22, minutes=0), 0, leave="tugas_belajar", credited_minutes=500)
    r = calculate(HSS, month(days))
    assert r.days_in_post == 21 and r.activity.credited_minutes == 450
    assert r.activity.days_over_cap == 1


def test_off_day_minutes_are_in_the_input_text_only_when_there_are_some():
    m = month(full_month(2), off_day_minutes=((SATURDAY, D(60)),))
    assert repr(m).endswith(
        "expired_entries=0, off_day_minutes=((datetime.date(2026, 10, 3), Decimal('60')),))"
    )
    assert "off_day_minutes" not in repr(month(full_month(2)))


# ---- SKP -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("predicate", "amount"),
    [
        ("sangat_baik", 1_800_000),
        ("baik", 1_800_000),
        ("butuh_perbaikan", 1_350_000),
        ("kurang", 900_000),
        ("sangat_kurang", 450_000),
        (None, 0),
    ],
)
def test_skp_predicate_maps_to_the_policy_percentage(predicate, amount):
    r = calculate(HSS, month(full_month(), predicate=predicate))
    assert r.amount("skp") == amount
    assert any("belum dinilai" in n for n in r.notes) == (predicate is None)


# ---- floors and sentences -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("present", "floor_pct"),
    [(0, 0), (4, 0), (5, 50), (9, 50), (10, 100), (20, 100)],
)
def test_attendance_floors_by_presence_rate(present, floor_pct):
    # 20 days in post: 5 = 25% (first floor is [0, 25) so 25% pays 50), 10 = 50% pays in full.
    days = [
        day(d, has_any_punch=i < present, absent=False, credited_minutes=340)
        for i, d in enumerate(workdays(20))
    ]
    p = policy(attendance__missing_check_in=0, attendance__missing_check_out=0)
    r = calculate(p, month(days))
    assert r.floor_pct == floor_pct
    subtotal = sum(c.amount for c in r.components)
    assert r.gross == round_rupiah(subtotal * floor_pct / 100)


def test_presence_counts_leave_marked_counts_as_present_but_not_other_leave():
    dates = workdays(20)
    days = [day(d, leave="dinas_luar", has_any_punch=False) for d in dates[:5]]
    days += [day(d, leave="sakit", has_any_punch=False) for d in dates[5:16]]
    days += [day(d) for d in dates[16:]]
    r = calculate(HSS, month(days))
    assert r.attendance.present_days == 9 and r.presence_rate == 45
    assert r.floor_pct == 50


def test_a_policy_without_floors_pays_in_full():
    p = policy(attendance_floors=DELETE)
    days = [day(d, absent=True) for d in workdays(22)]
    assert calculate(p, month(days)).floor_pct == 100


@pytest.mark.parametrize(
    ("sentences", "pct"),
    [((), 0), (("ringan",), 25), (("ringan", "sedang"), 50), (("berat", "ringan"), 100)],
)
def test_largest_sentence_cut_wins(sentences, pct):
    r = calculate(HSS, month(full_month(), sentences=sentences))
    assert r.sentence_pct == pct
    assert r.gross == round_rupiah(D(9_000_000) * (100 - pct) / 100)


def test_unknown_sentence_level_is_noted_and_does_not_cut():
    r = calculate(HSS, month(full_month(), sentences=("teguran_lisan",)))
    assert r.sentence_pct == 0
    assert any("'teguran_lisan'" in n for n in r.notes)


def test_floor_and_sentence_multiply_the_rounded_sum_rounded_once():
    # 4 of 10 days present -> 40% -> floor 50; sedang -> 50% cut.
    days = [
        day(d, has_any_punch=i < 4, credited_minutes=D("306.81"))
        for i, d in enumerate(workdays(10))
    ]
    p = policy(attendance__missing_check_in=0, attendance__missing_check_out=0)
    r = calculate(p, month(days, sentences=("sedang",)))
    subtotal = sum(c.amount for c in r.components)
    assert r.subtotal == subtotal
    assert r.gross == round_rupiah(subtotal * D("0.5") * D("0.5"))


# ---- rounding -----------------------------------------------------------------------------------------


FIFTY_FIFTY = policy(
    national_template,
    components=[{"key": "attendance", "weight": 50}, {"key": "activity", "weight": 50}],
)


def test_a_joiner_on_15_october_is_paid_the_spec_amounts_to_the_rupiah():
    """tpp-rules.md "Rounding": the ceiling and pots are exact, each component amount is rounded.
    12 of 22 working days at 9,000,000: ceiling 4,909,090.9090...; pots 2,454,545.4545... each,
    amounts 2,454,545 + 2,454,545 = gross 4,909,090 (not 4,909,091 from a rounded ceiling)."""
    dates = workdays(22)
    days = [day(d, kelas=None) for d in dates[:10]]
    days += [day(d, credited_minutes=400) for d in dates[10:]]
    assert days[10].date == dt.date(2026, 10, 15)
    r = calculate(FIFTY_FIFTY, month(days))
    assert r.activity.score == 1 and r.attendance.deduction_pct == 0
    assert r.ceiling == 4_909_091  # shown: the exact ceiling rounded half-up
    assert [c.pot for c in r.components] == [2_454_545, 2_454_545]
    assert [c.amount for c in r.components] == [2_454_545, 2_454_545]
    assert r.subtotal == r.gross == 4_909_090
    assert r.pph21 == 736_364  # 15% of 4,909,090 = 736,363.5
    assert r.health_insurance == 49_091  # 1% = 49,090.9
    assert r.net == 4_909_090 - 736_364 - 49_091
    row = r.as_row()
    assert (
        row["ceiling"],
        row["attendance"]["amount"],
        row["activity"]["amount"],
        row["gross"],
    ) == (
        4_909_091,
        2_454_545,
        2_454_545,
        4_909_090,
    )


def test_deductions_from_the_ceiling_use_the_exact_ceiling():
    """HSS deducts from the ceiling: 0.5% of the exact 4,909,090.9090... is 24,545.4545..., so the
    attendance amount is 30% x 4,909,090.9090... - 24,545.4545... = 1,448,181.8181... -> 1,448,182
    (with the rounded ceiling 4,909,091 it would be 1,472,727.3 - 24,545.455 = 1,448,181.845 -> the
    same here, so the figure checked is the explanation's exact base)."""
    dates = workdays(22)
    days = [day(d, kelas=None) for d in dates[:10]]
    days += [day(d, credited_minutes=400) for d in dates[10:]]
    days = with_day(days, 12, late_minutes=10)
    r = calculate(HSS, month(days))
    assert r.amount("attendance") == 1_448_182
    by_label = {line.label: line for line in r.lines}
    assert by_label["Komponen kehadiran"].formula == (
        "Rp1.472.727,27 − 0,5% × pagu Rp4.909.090,91, paling sedikit Rp0"
    )


def test_amounts_never_exceed_the_exact_pot_9_000_005_at_30_50_20():
    """A ceiling of 9,000,005 at 30/50/20: exact pots 2,700,001.5 / 4,500,002.5 / 1,800,001. Half-up
    at full scores would pay 2,700,002 + 4,500,003 + 1,800,001 = 9,000,006, above the ceiling; an
    amount is clamped to floor(pot) instead (the spec's 0 <= amount <= pot, gross <= ceiling)."""
    position = PositionDay(13, tpp_base=D(9_000_005))
    r = calculate(HSS, month(full_month(22, minutes=6750, position=position)))
    assert r.ceiling == 9_000_005
    assert [c.pot for c in r.components] == [2_700_002, 4_500_003, 1_800_001]  # shown rounded
    assert [c.amount for c in r.components] == [2_700_001, 4_500_002, 1_800_001]
    assert r.gross == 9_000_004 <= r.ceiling
    by_label = {line.label: line for line in r.lines}
    assert by_label["Komponen aktivitas"].formula == (
        "skor 1 × porsi Rp4.500.002,50 (pembulatan dibatasi agar tidak melebihi porsi)"
    )
    assert "dibatasi" in by_label["Komponen kehadiran"].formula
    assert "dibatasi" not in by_label["Komponen SKP"].formula
    # The notes (a scenario result's too) say so in words, for whoever checks the figures by hand.
    clamps = [n for n in r.notes if "dibulatkan ke bawah" in n]
    assert clamps == [
        "Komponen kehadiran dibulatkan ke bawah menjadi Rp2.700.001: pembulatan setengah ke atas "
        "akan melebihi porsi Rp2.700.001,50, sedangkan komponen tidak boleh melebihi porsinya.",
        "Komponen aktivitas dibulatkan ke bawah menjadi Rp4.500.002: pembulatan setengah ke atas "
        "akan melebihi porsi Rp4.500.002,50, sedangkan komponen tidak boleh melebihi porsinya.",
    ]
    # The SKP pot of a ceiling of 9,000,003 is 1,800,000.60: a full predicate pays 1,800,000.
    other = PositionDay(13, tpp_base=D(9_000_003))
    r = calculate(HSS, month(full_month(22, minutes=6750, position=other)))
    assert r.amount("skp") == 1_800_000
    assert "Komponen SKP dibulatkan ke bawah menjadi Rp1.800.000" in " ".join(r.notes)
    # Away from the tie, half-up as the spec says: half the activity pot is 2,250,001.25 -> 2,250,001;
    # one late arrival (0.5% of the ceiling, 45,000.025) leaves 2,655,001.475 -> 2,655,001.
    days = full_month(22, minutes=3375, position=position)
    days = with_day(days, 0, late_minutes=10)
    r = calculate(HSS, month(days))
    assert r.amount("activity") == 2_250_001
    assert r.amount("attendance") == 2_655_001
    # Below the pot's last half rupiah, half-up as usual: 4,500,002.5 x 0.7 = 3,150,001.75 ->
    # 3,150,002; butuh perbaikan 75% of 1,800,001 = 1,350,000.75 -> 1,350,001.
    r = calculate(
        HSS,
        month(full_month(22, minutes=4725, position=position), predicate="butuh_perbaikan"),
    )
    assert r.amount("activity") == 3_150_002
    assert r.amount("skp") == 1_350_001


def test_component_amounts_round_half_up():
    p = policy(national_template)  # 40/60
    position = PositionDay(13, tpp_base=D(1_000_005))
    r = calculate(p, month(full_month(22, minutes=3375, position=position)))
    assert [c.pot for c in r.components] == [400_002, 600_003]
    assert r.activity.score == D("0.5")
    assert r.amount("activity") == 300_002  # 300,001.5 half-up
    r = calculate(p, month(full_month(22, minutes=3366, position=position)))
    # 3,366 / 6,750 x 600,003 = 299,201.496 -> 299,201
    assert r.amount("activity") == round_rupiah(D(600_003) * 3366 / 6750) == 299_201


def test_rupiah_rounding_is_core_money_half_up_on_exact_values():
    assert _rupiah(Fraction(5, 2)) == 3
    assert _rupiah(Fraction(600_003, 2)) == 300_002
    assert _rupiah(Fraction(10**12 + 1, 2)) == round_rupiah(D("500000000000.5"))
    assert _rupiah(Fraction(1, 3)) == 0 and _rupiah(Fraction(5, 3)) == 2
    assert _rupiah(Fraction(3, 7) + 10**9) == 10**9


# ---- withholdings --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "golongan", "key", "rate"),
    [
        ("PNS", "IV/c", "IV", 15),
        ("PNS", "III/a", "III", 5),
        ("PNS", "II/d", "II", 0),
        ("PNS", "I/a", "I", 0),
        ("PNS", "V/a", "V", 0),  # not listed: 0% with a note
        # The templates list "PPPK": 0, ahead of a PPPK grade that would meet a PNS key (IV).
        ("PPPK", None, "PPPK", 0),
        ("PPPK", "IV", "PPPK", 0),
        ("PPPK", "IX", "PPPK", 0),
    ],
)
def test_pph21_by_golongan_key(status, golongan, key, rate):
    r = calculate(HSS, month(full_month(), status=status, golongan=golongan))
    assert (r.pph21_key, r.pph21_rate) == (key, rate)
    assert r.pph21 == 9_000_000 * rate // 100
    noted = any("tarif 0%" in n for n in r.notes)
    assert noted == (key not in ("I", "II", "III", "IV", "PPPK"))


@pytest.mark.parametrize(
    ("golongan", "key", "rate"),
    [("IX", "IX", 5), ("IV", "IV", 15), ("XVII", "XVII", 0), (None, None, 0)],
)
def test_pppk_grade_is_the_golongan_key_without_a_pppk_rate(golongan, key, rate):
    """tpp-rules.md: the key is the golongan's part before "/"; a PPPK's golongan is the grade."""
    p = policy(pph21={"mode": "flat_by_golongan", "rates": {"III": 5, "IV": 15, "IX": 5}})
    r = calculate(p, month(full_month(), status="PPPK", golongan=golongan))
    assert (r.pph21_key, r.pph21_rate, r.pph21) == (key, rate, 9_000_000 * rate // 100)


def test_pppk_uses_a_pppk_rate_when_the_policy_lists_one():
    p = policy(pph21={"mode": "flat_by_golongan", "rates": {"III": 5, "IV": 15, "PPPK": 5}})
    r = calculate(p, month(full_month(), status="PPPK", golongan=None))
    assert (r.pph21_key, r.pph21) == ("PPPK", 450_000)


def test_pph21_mode_none_withholds_nothing():
    r = calculate(policy(pph21={"mode": "none"}), month(full_month()))
    assert r.pph21 == 0 and any("ditanggung pemerintah" in n for n in r.notes)


@pytest.mark.parametrize(
    ("salary", "health"),
    [
        (5_500_000, 65_000),  # 1% of 12,000,000 - 5,500,000
        (2_000_000, 90_000),  # room 10,000,000 > gross 9,000,000: 1% of gross
        (12_000_000, 0),
        (15_000_000, 0),
        (None, 90_000),  # no salary recorded: counted as 0 (noted)
    ],
)
def test_health_insurance_income_cap(salary, health):
    r = calculate(HSS, month(full_month(), salary=salary))
    assert r.health_insurance == health
    assert r.net == r.gross - r.pph21 - health
    assert any("Gaji tidak tercatat" in n for n in r.notes) == (salary is None)


def test_health_insurance_without_cap_or_without_policy():
    r = calculate(
        policy(health_insurance={"employee_pct": 1}), month(full_month(), salary=50_000_000)
    )
    assert r.health_insurance == 90_000
    r = calculate(policy(health_insurance=DELETE), month(full_month()))
    assert r.health_insurance == 0


def test_withholdings_never_exceed_gross():
    p = policy(pph21={"mode": "flat_by_golongan", "rates": {"IV": 100}})
    r = calculate(p, month(full_month(), salary=0))
    assert r.pph21 == r.gross and r.health_insurance == 0 and r.net == 0
    assert any("dibatasi" in n for n in r.notes)


def test_net_rounding_coincidence_is_at_most_one_rupiah():
    """Documented: PPh 21 and health insurance are rounded separately, so a gross one rupiah higher
    can (rarely) give a net one rupiah lower. Gross 150: 22.5 -> 23 and 1.5 -> 2, net 125; gross 149:
    22.35 -> 22 and 1.49 -> 1, net 126."""
    p = policy(
        base_by_class={"1": 150},
        components=[{"key": "skp", "weight": 100}],
        health_insurance={"employee_pct": 1},
    )
    nets = {}
    for base in (149, 150):
        days = [day(d, position=PositionDay(1, tpp_base=D(base))) for d in workdays(22)]
        nets[base] = calculate(p, month(days)).net
    assert nets == {149: 126, 150: 125}


# ---- several allowances (TPP + UKK) ---------------------------------------------------------------------


SHAPES = ("attendance", "activity", "skp")


def test_tpp_and_ukk_each_computed_then_withheld_on_the_sum():
    p = policy(madiun_template)
    days = with_day(full_month(22, minutes=6075), 0, late_minutes=45)  # 1% of the pot (national)
    r = calculate(p, month(days, golongan="III/b", predicate="butuh_perbaikan", salary=4_000_000))
    tpp, ukk = r.allowances
    assert (tpp.key, tpp.ceiling) == ("tpp", 10_500_000)  # kota class 13
    assert (ukk.key, ukk.ceiling) == ("ukk", 2_100_000)
    # TPP: attendance 4,200,000 - 1% = 4,158,000; activity 6,300,000 x 0.9 = 5,670,000.
    assert [(c.key, c.pot, c.amount) for c in tpp.components] == [
        ("attendance", 4_200_000, 4_158_000),
        ("activity", 6_300_000, 5_670_000),
    ]
    assert tpp.gross == 9_828_000
    # UKK: SKP Butuh Perbaikan 80% of 2,100,000.
    assert [(c.key, c.amount) for c in ukk.components] == [("skp", 1_680_000)]
    assert ukk.gross == 1_680_000
    assert r.ceiling == 12_600_000 and r.gross == 11_508_000
    assert r.pph21 == 575_400  # 5% of the sum
    assert r.health_insurance == 115_080  # 1%, no cap in this template
    row = r.as_row()
    # Each allowance's component has the row's shape (the spec's "attendance": {…}): the shared
    # facts with the allowance's own amount.
    facts = {k: {f: v for f, v in row[k].items() if f != "amount"} for k in row if k in SHAPES}
    assert row["allowances"] == {
        "tpp": {
            "ceiling": 10_500_000,
            "attendance": {**facts["attendance"], "amount": 4_158_000},
            "activity": {**facts["activity"], "amount": 5_670_000},
            "gross": 9_828_000,
        },
        "ukk": {
            "ceiling": 2_100_000,
            "skp": {**facts["skp"], "amount": 1_680_000},
            "gross": 1_680_000,
        },
    }
    assert facts["attendance"]["late"] == 1 and facts["skp"]["predicate"] == "butuh_perbaikan"
    assert row["gross"] == 11_508_000 and row["skp"]["amount"] == 1_680_000
    assert any(line.label.startswith("Uang Kinerja: ") for line in r.lines)


def test_position_tpp_base_overrides_only_the_tpp_allowance():
    p = policy(madiun_template)
    days = [day(d, position=PositionDay(13, tpp_base=D(20_000_000))) for d in workdays(22)]
    r = calculate(p, month(days))
    assert [a.ceiling for a in r.allowances] == [20_000_000, 2_100_000]


def test_floor_and_sentence_apply_to_each_allowance():
    p = policy(manado_template)  # floors [0,25)=0, [25,50)=50
    p2 = policy(madiun_template, attendance_floors=[[0, 25, 0], [25, 50, 50]])
    days = [day(d, has_any_punch=i < 8, absent=False) for i, d in enumerate(workdays(20))]
    for pol in (p, p2):
        r = calculate(pol, month(days, sentences=("ringan",)))
        assert r.floor_pct == 50 and r.sentence_pct == 25
        for a in r.allowances:
            assert a.gross == round_rupiah(a.subtotal * D("0.5") * D("0.75"))
        assert r.gross == sum(a.gross for a in r.allowances)


# ---- inputs and explanation ---------------------------------------------------------------------------


def _one_day(**changes):
    return [dataclasses.replace(day(dt.date(2026, 10, 1)), **changes)]


@pytest.mark.parametrize(
    "bad",
    [
        {"status": "HONORER"},
        {"predicate": "istimewa"},
        {"days": [day(dt.date(2026, 10, 1)), day(dt.date(2026, 10, 1))]},
        {"days": _one_day(late_minutes=-1)},
        {"days": _one_day(early_minutes=-1)},
        {"days": _one_day(credited_minutes=D(-5))},
        {"days": _one_day(credited_minutes=30.5)},
        {"off_day_minutes": ((dt.date(2026, 10, 1), D(30)),)},  # a working day
        {"off_day_minutes": ((dt.date(2026, 10, 3), D(30)), (dt.date(2026, 10, 3), D(5)))},
        {"off_day_minutes": ((dt.date(2026, 10, 3), D(-5)),)},
        {"off_day_minutes": ((dt.date(2026, 10, 3), 30.5),)},
        {"days": _one_day(position=PositionDay(18))},
        {"days": _one_day(acting=(PositionDay(0),))},
        {"days": _one_day(position=PositionDay(13, tpp_base=D(-1)))},
        {"days": _one_day(position=PositionDay(13, tpp_base=9e6))},
        {"salary": D(-1)},
        {"salary": 5.5},
    ],
)
def test_uninterpretable_inputs_are_refused(bad):
    values = {"days": tuple(full_month())}
    values.update(bad)
    values["days"] = tuple(values["days"])
    with pytest.raises(CalculationInputError):
        calculate(HSS, dataclasses.replace(month([]), **values))


def test_day_order_does_not_matter_and_results_repeat():
    days = with_day(full_month(22, minutes=5000), 4, late_minutes=70, leave=None)
    a = calculate(HSS, month(days, salary=3_000_000))
    b = calculate(HSS, month(list(reversed(days)), salary=3_000_000))
    assert a == b == calculate(HSS, month(days, salary=3_000_000))


def test_explanation_lines_cover_every_figure_in_indonesian():
    days = with_day(full_month(22, minutes=6000), 0, absent=True)
    r = calculate(HSS, month(days, salary=5_500_000, sentences=("ringan",)))
    labels = [line.label for line in r.lines]
    for expected in (
        "Pagu",
        "Porsi kehadiran (bobot 30%)",
        "Potongan kehadiran",
        "Komponen kehadiran",
        "Menit aktivitas diakui",
        "Target menit",
        "Skor aktivitas",
        "Komponen aktivitas",
        "Komponen SKP",
        "Jumlah komponen",
        "Tingkat kehadiran",
        "Potongan hukuman disiplin",
        "TPP kotor",
        "PPh 21",
        "Iuran jaminan kesehatan",
        "TPP bersih",
    ):
        assert expected in labels
    assert all(isinstance(x, str) and x for line in r.lines for x in line)
    by_label = {line.label: line for line in r.lines}
    assert by_label["Potongan kehadiran"].formula == "1× tanpa keterangan × 4,5%"
    assert by_label["TPP bersih"].figure == f"Rp{int(r.net):,}".replace(",", ".")
    assert any("Hukuman disiplin ringan" in n for n in r.notes)
