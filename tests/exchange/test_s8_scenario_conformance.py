"""S8 conformance audit of `ekinerja scenario run` against ../shared/spec/scenario-format.md and
tpp-rules.md's precise definitions (7 December 2026): statements no earlier test pinned, each with a
small scenario written from the spec and worked out by hand (the working is in the comments).

Unless said otherwise the scenarios use tests/exchange/test_audit_conformance.py's helpers: October
2026 (22 weekdays, 1 October a Thursday), schedule 5HK 07:30-16:00 (midpoint 11:45, punch window
03:30-22:00), class 10 = Rp10.000.000, attendance 40 / activity 60 deducted from the pot, missing
check-in 2 %, missing check-out 1 %, absent without notice 3 %, monthly target 6,600 minutes, daily cap
450, entry window 3 working days, PPh 21 III 5 %, BPJS 1 % under Rp12.000.000, no national
calendar."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.exchange.test_audit_conformance import (
    SIX,
    WD,
    D,
    act,
    definitif,
    document,
    emp,
    full,
    money,
    policy,
    punch,
    roster,
    scenario,
)

# --------------------------------------------------------------------------------------------------
# 1. The spec's own result example, end to end, to the key.

SPEC_ROW_KEYS = [
    "nip",
    "working_days",
    "ceiling",
    "attendance",
    "activity",
    "skp",
    "floor_pct",
    "sentence_pct",
    "gross",
    "pph21",
    "health_insurance",
    "net",
    "notes",
]


def spec_example_document():
    """The format's document example, filled in so that its result is the format's result example:
    golongan IV/c, ceiling 9,000,000, two late arrivals of under 30 minutes, one missing check-out,
    deducted from the ceiling, 6,075 credited minutes of 6,750 with one expired entry, SKP baik,
    salary 5,500,000."""
    nip = "197001011995031001"
    pol = {
        "name": "Perbup HSS 39/2018 (revisi 3)",
        "effective_from": "2026-01-01",
        "base_by_class": {"1": 1500000, "13": 9000000, "15": 16000000},
        "status_factor": {"PNS": 100, "CPNS": 80, "PPPK": 100},
        "plt_pct": 20,
        "components": [
            {"key": "attendance", "weight": 30},
            {"key": "activity", "weight": 50},
            {"key": "skp", "weight": 20},
        ],
        "attendance": {
            "deduct_from": "ceiling",
            "grace_minutes": 0,
            "late_bands": [[1, 30, 0.5], [31, 60, 1], [61, 90, 1.25], [91, None, 1.5]],
            "early_bands": [[1, 30, 0.5], [31, 60, 1], [61, 90, 1.25], [91, None, 1.5]],
            "missing_check_in": 1.5,
            "missing_check_out": 1.5,
            "absent_without_notice": 4.5,
        },
        "leave_types": {
            "sakit": {"deduction": 0, "reduces_activity_target": True},
            "izin": {"deduction": 1, "reduces_activity_target": True},
            "cuti_tahunan": {"deduction": 0, "reduces_activity_target": True},
            "dinas_luar": {
                "deduction": 0,
                "reduces_activity_target": False,
                "counts_as_present": True,
            },
            "wfh": {"deduction": 0, "reduces_activity_target": False, "counts_as_present": True},
            "tugas_belajar": {"excludes_tpp": True},
        },
        "attendance_floors": [[0, 25, 0], [25, 50, 50]],
        "activity": {
            "monthly_target_minutes": 6750,
            "daily_cap_minutes": 450,
            "entry_window_working_days": 7,
            "score_cap": 1.0,
        },
        "skp": {
            "sangat_baik": 100,
            "baik": 100,
            "butuh_perbaikan": 75,
            "kurang": 50,
            "sangat_kurang": 25,
            "not_rated": 0,
        },
        "sentences": {"ringan": 25, "sedang": 50, "berat": 100},
        "pph21": {"mode": "flat_by_golongan", "rates": {"I": 0, "II": 0, "III": 5, "IV": 15}},
        "health_insurance": {"employee_pct": 1, "income_cap": 12000000},
    }
    days = WD
    punches = []
    for d in days:
        check_in = {D(1): "07:45", D(2): "08:00"}.get(d, "07:30")  # 15 and 30 minutes late
        punches.append(punch(nip, d, check_in))
        if d != D(5):  # no check-out on Monday 5 October
            # Fridays end at 16:30: a check-out at exactly 16:30 is not early.
            punches.append(punch(nip, d, "16:30" if d.weekday() == 4 else "16:00"))

    def entry(day, volume, submitted, status="approved"):
        return {
            "nip": nip,
            "date": day.isoformat(),
            "start": "08:00",
            "end": "15:00",
            "catalog": "A001",
            "volume": volume,
            "submitted_on": submitted,
            "status": status,
        }

    # 15 days of 13.5 konsep x 30 minutes = 405 minutes (under the cap of 450): 6,075 minutes.
    # The entry of 1 October is submitted on 12 October, the 7th working day after it (2, 5, 6, 7,
    # 8, 9, 12): it counts. The one of 2 October submitted on 14 October is a day past its window
    # (its 7th working day is 13 October): expired. Rejected and draft entries count for nothing
    # and are not expired.
    activities = [entry(d, 13.5, d.isoformat()) for d in days[1:15]]
    activities.append(entry(D(1), 13.5, "2026-10-12"))
    activities.append(entry(D(2), 1, "2026-10-14"))
    activities.append(entry(D(20), 5, "2026-10-20", status="rejected"))
    activities.append(entry(D(21), 5, None, status="draft"))
    return {
        "format": "ekinerja/1",
        "instansi": {
            "code": "6301",
            "name": "Pemerintah Kabupaten Hulu Sungai Selatan",
            "timezone": "Asia/Makassar",
        },
        # The regional holiday falls on a Sunday: W stays 22. October 2026 has no national
        # holiday or cuti bersama.
        "holidays": [{"date": "2026-10-18", "name": "Hari Jadi Kabupaten", "kind": "regional"}],
        "use_national_holidays": True,
        "schedules": [
            {
                "code": "5HK",
                "kind": "fixed",
                "days": {
                    "mon": ["07:30", "16:00"],
                    "tue": ["07:30", "16:00"],
                    "wed": ["07:30", "16:00"],
                    "thu": ["07:30", "16:00"],
                    "fri": ["07:30", "16:30"],
                },
            },
            {
                "code": "RS",
                "kind": "shift",
                "shifts": {
                    "P": ["07:00", "14:00"],
                    "S": ["14:00", "21:00"],
                    "M": ["21:00", "07:00"],
                },
            },
        ],
        "units": [{"code": "SETDA", "name": "Sekretariat Daerah", "parent": None}],
        "positions": [
            {
                "code": "ASISTEN",
                "name": "Asisten Pemerintahan",
                "unit": "SETDA",
                "kind": "struktural",
                "class": 13,
                "parent": None,
                "tpp_base": None,
            }
        ],
        "employees": [
            {
                "nip": nip,
                "name": "Pegawai Contoh",
                "status": "PNS",
                "golongan": "IV/c",
                "schedule": "5HK",
                "salary": 5500000,
                "assignments": [
                    {"position": "ASISTEN", "from": "2026-01-01", "to": None, "kind": "definitif"}
                ],
            }
        ],
        "shift_roster": [],
        "punches": punches,
        "leaves": [],
        "activity_catalog": [
            {
                "code": "A001",
                "name": "Menyusun konsep surat dinas",
                "output": "konsep",
                "minutes": 30,
            }
        ],
        "activities": activities,
        "unlocks": [],
        "skp_ratings": [{"nip": nip, "period": "2026-10", "predicate": "baik"}],
        "sentences": [],
        "policies": [pol],
    }


def test_the_specs_result_example_is_reproduced_to_the_key(tmp_path):
    result, rows = scenario(spec_example_document(), tmp_path)
    # The format's result example, figure for figure: 0.5 + 0.5 + 1.5 = 2.5 % of the ceiling
    # (225,000) off the 2,700,000 pot; 6,075 / 6,750 = 0.9 of 4,500,000; baik 100 % of 1,800,000;
    # PPh 21 15 % of 8,325,000; BPJS 1 % of the 6,500,000 left under the cap after the salary.
    assert list(result) == ["format", "instansi", "period", "policy", "employees", "totals"]
    assert result["format"] == "ekinerja-result/1"
    assert (result["instansi"], result["period"]) == ("6301", "2026-10")
    assert result["policy"] == "Perbup HSS 39/2018 (revisi 3)"
    row = rows["197001011995031001"]
    assert list(row) == SPEC_ROW_KEYS
    notes = row.pop("notes")
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
    }
    assert list(row["attendance"]) == [
        "late",
        "early",
        "missing_check_in",
        "missing_check_out",
        "absent_without_notice",
        "leave_days",
        "deduction_pct",
        "amount",
    ]
    assert list(row["activity"]) == [
        "credited_minutes",
        "target_minutes",
        "expired_entries",
        "score",
        "amount",
    ]
    assert list(row["skp"]) == ["predicate", "pct", "amount"]
    # Money is JSON integers, the informative figures plain numbers.
    assert all(type(row[k]) is int for k in ("ceiling", "gross", "pph21", "health_insurance"))
    # The notes say the expiry and the cap applied.
    assert any("kedaluwarsa" in n for n in notes), notes
    assert any("Rp12.000.000" in n for n in notes), notes
    assert result["totals"] == {
        "employees": 1,
        "gross": 8325000,
        "pph21": 1248750,
        "health_insurance": 65000,
        "net": 7011250,
    }


# --------------------------------------------------------------------------------------------------
# 2. Edge dates: a post ending mid-month, holidays on a weekend, cuti bersama, leaves across the
#    month's start and over a weekend, sentences touching the month by one day, punch windows.


def test_edge_dates_of_posts_holidays_leaves_sentences_and_punch_windows(tmp_path):
    employees = [
        emp("A1", assignments=[definitif("P10", end="2026-10-15")]),
        emp("A2", assignments=[definitif("P10", end="2026-10-15"), definitif("P5", "2026-10-16")]),
        emp("B1"),
        emp("B2", sched="6HK"),
        emp("E1"),
        emp("F1"),
        emp("G1"),
        emp("G2"),
        emp("G3"),
        emp("H1"),
        emp("I1"),
        emp("I2"),
        emp(
            "L1", assignments=[definitif("P10"), definitif("P9", "2026-09-01", "2026-10-15", "plt")]
        ),
        emp("S1", sched="RS"),
    ]
    work = [d for d in WD if d != D(20)]  # Tuesday 20 October is cuti bersama
    punches = []
    for nip in ("A1", "A2", "B1", "G1", "G2", "G3", "L1"):
        punches += full(nip, work)
    punches += full("B2", [d for d in SIX if d not in (D(17), D(20))], "07:30", "14:00")
    punches += full("E1", [d for d in work if d > D(2)])
    punches += full("F1", [d for d in work if d not in (D(2), D(5))])
    # The midpoint 11:45 is the check-out's ("at or after it"): a lone punch there is a missing
    # check-in and an early leave of 255 minutes.
    punches += full("H1", work[1:]) + [punch("H1", D(1), "11:45")]
    # The window's ends, start - 4 h (03:30) and end + 6 h (22:00), are in it; a minute outside
    # them is no punch of the day: absent without notice.
    punches += full("I1", work[1:]) + [punch("I1", D(1), "03:30"), punch("I1", D(1), "22:00")]
    punches += full("I2", work[1:]) + [punch("I2", D(1), "03:29"), punch("I2", D(1), "22:01")]
    punches += [
        punch("S1", D(1), "07:00"),
        punch("S1", D(1), "14:00"),
        punch("S1", D(17), "07:00"),
        punch("S1", D(17), "14:00"),
        punch("S1", D(20), "14:00"),
        punch("S1", D(20), "21:00"),
        punch("S1", D(31), "21:00"),
        {"nip": "S1", "at": "2026-11-01T07:00", "source": "fingerprint"},  # the night's check-out
    ]
    data = document(
        employees,
        holidays=[
            {"date": "2026-10-17", "name": "Libur hari Sabtu", "kind": "regional"},
            {"date": "2026-10-20", "name": "Cuti bersama", "kind": "cuti_bersama"},
        ],
        punches=punches,
        shift_roster=roster("S1", {1: "P", 17: "P", 20: "S", 31: "M"}),
        leaves=[
            {"nip": "E1", "type": "sakit", "from": "2026-09-28", "to": "2026-10-02"},
            {"nip": "F1", "type": "izin", "from": "2026-10-02", "to": "2026-10-05"},
        ],
        sentences=[
            {"nip": "G1", "level": "ringan", "from": "2026-09-01", "to": "2026-10-01"},
            {"nip": "G2", "level": "ringan", "from": "2026-10-31", "to": "2026-12-01"},
            {"nip": "G3", "level": "ringan", "from": "2026-08-01", "to": "2026-09-30"},
        ],
    )
    result, rows = scenario(data, tmp_path)
    assert [row["nip"] for row in result["employees"]] == sorted(rows)  # ordered by NIP
    # W: 22 weekdays less the listed cuti bersama on Tuesday 20 October = 21; the listed holiday
    # on Saturday 17 October changes nothing for 5HK. 6HK: 27 days Monday-Saturday less both = 25.
    # The shift worker's W is their 4 rostered days, holidays included.
    assert {nip: row["working_days"] for nip, row in rows.items()} == {
        **{nip: 21 for nip in rows},
        "B2": 25,
        "S1": 4,
    }
    full_month = (4000000, 200000, 40000, 3760000)  # 40 % of 10,000,000, nothing else earned
    for nip in ("B1", "B2", "G3", "I1", "S1"):
        assert money(rows[nip]) == full_month, nip
        assert rows[nip]["attendance"]["deduction_pct"] == 0, nip
    # A1: in post 1-15 October, 11 of the 21 days: ceiling 10,000,000 x 11/21 = 5,238,095.24;
    # attendance pot 2,095,238.10 -> 2,095,238.
    # Target 6,600 x 11/21 = 3,457.14.
    assert rows["A1"]["ceiling"] == 5238095
    assert rows["A1"]["activity"]["target_minutes"] == 3457.14
    assert rows["A1"]["gross"] == 2095238
    # A2: 11 days at 10,000,000 and 10 at 3,000,000 (P5 from 16 October): 140,000,000 / 21 =
    # 6,666,666.67; pot 2,666,666.67 -> 2,666,666 (clamp); the target is the whole month's.
    assert rows["A2"]["ceiling"] == 6666667
    assert rows["A2"]["activity"]["target_minutes"] == 6600
    assert rows["A2"]["gross"] == 2666666
    # E1: sick from 28 September: 1 and 2 October are its working days in the month.
    assert rows["E1"]["attendance"]["leave_days"] == {"sakit": 2}
    assert rows["E1"]["activity"]["target_minutes"] == 5971.43  # 6,600 x 19/21
    # F1: izin Friday 2 to Monday 5 October: 2 working days at 1 % of the 4,000,000 pot.
    assert rows["F1"]["attendance"]["leave_days"] == {"izin": 2}
    assert rows["F1"]["attendance"]["deduction_pct"] == 2
    assert rows["F1"]["attendance"]["amount"] == 3920000
    # A sentence in force on the month's first day, or only on its last (a Saturday), cuts the
    # whole month; one ending the day before the month does not.
    assert (rows["G1"]["sentence_pct"], rows["G1"]["gross"]) == (25, 3000000)
    assert (rows["G2"]["sentence_pct"], rows["G2"]["gross"]) == (25, 3000000)
    assert rows["G3"]["sentence_pct"] == 0
    h1 = rows["H1"]["attendance"]
    assert (h1["missing_check_in"], h1["early"], h1["late"]) == (1, 1, 0)
    assert h1["deduction_pct"] == 2 + 1.5
    assert rows["I2"]["attendance"]["absent_without_notice"] == 1
    assert rows["I2"]["attendance"]["deduction_pct"] == 3
    # L1: Plt of P9 (6,000,000) to 15 October, 11 of 21 days: (11 x 11,200,000 + 10 x
    # 10,000,000) / 21 = 10,628,571.43; pot 4,251,428.57 -> 4,251,428 (clamp).
    assert rows["L1"]["ceiling"] == 10628571
    assert rows["L1"]["gross"] == 4251428


# --------------------------------------------------------------------------------------------------
# 3. The national calendar: holidays on a weekend, cuti bersama, an entry window into next year.


def test_national_holidays_on_a_weekend_and_cuti_bersama_in_march_2026(tmp_path):
    # March 2026 (1 March a Sunday) in the national calendar: cuti bersama 18, 20, 23 and 24
    # March, Nyepi 19 March, Idul Fitri on Saturday 21 and Sunday 22 March. 5HK: 22 weekdays
    # less 5 = 17 (the weekend holidays change nothing). 6HK: 26 days Monday-Saturday less 6
    # (Saturday 21 March too) = 20.
    march = [dt.date(2026, 3, d) for d in range(1, 32)]
    off = {18, 19, 20, 21, 22, 23, 24}
    five = [d for d in march if d.weekday() < 5 and d.day not in off]
    six = [d for d in march if d.weekday() < 6 and d.day not in off]
    data = document(
        [emp("W5"), emp("W6", sched="6HK")],
        use_national_holidays=True,
        punches=full("W5", five) + full("W6", six, "07:30", "14:00"),
    )
    _, rows = scenario(data, tmp_path, period="2026-03")
    assert (rows["W5"]["working_days"], rows["W6"]["working_days"]) == (17, 20)
    for row in rows.values():  # every working day punched: nothing absent
        assert row["attendance"]["absent_without_notice"] == 0
        assert money(row) == (4000000, 200000, 40000, 3760000)


def test_an_entry_window_runs_into_next_years_national_holidays(tmp_path):
    # Thursday 31 December 2026, window 3 working days: 1 January 2027 (New Year) and 5 January
    # (Isra Mikraj) are holidays, so the days are 4, 6 and 7 January: submitted on the 7th it
    # counts, on the 8th it has expired. Wednesday 23 December: 24 (cuti bersama) and 25
    # December (Christmas) are skipped, the days are 28, 29 and 30 December.
    december = [dt.date(2026, 12, d) for d in range(1, 32)]
    work = [d for d in december if d.weekday() < 5 and d.day not in (24, 25)]
    cases = {"Y1": (31, "2027-01-07"), "Y2": (31, "2027-01-08")}
    cases |= {"Y3": (23, "2026-12-30"), "Y4": (23, "2026-12-31")}
    data = document(
        [emp(nip) for nip in cases],
        use_national_holidays=True,
        punches=[p for nip in cases for p in full(nip, work)],
        activities=[
            act(nip, dt.date(2026, 12, day), 300, submitted=sub)
            for nip, (day, sub) in cases.items()
        ],
    )
    _, rows = scenario(data, tmp_path, period="2026-12")
    counted = {nip: row["activity"]["credited_minutes"] for nip, row in rows.items()}
    expired = {nip: row["activity"]["expired_entries"] for nip, row in rows.items()}
    assert counted == {"Y1": 300, "Y2": 0, "Y3": 300, "Y4": 0}
    assert expired == {"Y1": 0, "Y2": 1, "Y3": 0, "Y4": 1}
    # 300 / 6,600 of the 6,000,000 pot = 272,727.27.
    assert rows["Y1"]["activity"]["amount"] == rows["Y3"]["activity"]["amount"] == 272727


# --------------------------------------------------------------------------------------------------
# 4. Schedules: a fixed night schedule, a one-day week, a shift worker with no roster day.


def test_a_fixed_night_schedule_a_sunday_schedule_and_no_rostered_day(tmp_path):
    data = document([emp("N1", sched="MALAM"), emp("Z1", sched="RS"), emp("Z2", sched="SUN")])
    data["schedules"] += [
        {
            "code": "MALAM",
            "kind": "fixed",
            "days": {k: ["22:00", "06:00"] for k in ("mon", "tue", "wed", "thu", "fri")},
        },
        {"code": "SUN", "kind": "fixed", "days": {"sun": ["07:00", "12:00"]}},
    ]
    punches = [{"nip": "N1", "at": "2026-10-01T06:00", "source": "fingerprint"}]  # 30 Sept's
    for day in WD:
        punches.append(punch("N1", day, "22:10" if day == D(1) else "22:00"))
        if day != D(2):  # Friday 2 October's night has no check-out on Saturday morning
            punches.append(punch("N1", day + dt.timedelta(days=1), "06:00"))
    data["punches"] = punches
    _, rows = scenario(data, tmp_path)
    # N1: 22 nights, each ending the next morning (its window 18:00 to 12:00 the next day; the
    # check-out of 30 September's night at 06:00 on 1 October is no punch of 1 October). 10
    # minutes late on 1 October (0.5 %), no check-out after 2 October's night (1 %).
    n1 = rows["N1"]["attendance"]
    assert rows["N1"]["working_days"] == 22
    assert (n1["late"], n1["missing_check_out"], n1["absent_without_notice"]) == (1, 1, 0)
    assert (n1["deduction_pct"], n1["amount"]) == (1.5, 3940000)
    # Z1: a shift worker with no rostered day in the month: W = 0, every amount 0 (no division
    # by W), with the reason.
    z1 = rows["Z1"]
    assert (z1["working_days"], z1["ceiling"], z1["gross"], z1["net"]) == (0, 0, 0, 0)
    assert any("Tidak ada hari kerja" in note for note in z1["notes"])
    # Z2: Sundays only: 4, 11, 18, 25 October, none punched: 4 absences at 3 %.
    assert rows["Z2"]["working_days"] == 4
    assert rows["Z2"]["attendance"]["absent_without_notice"] == 4
    assert rows["Z2"]["attendance"]["amount"] == 4000000 * 88 // 100


# --------------------------------------------------------------------------------------------------
# 5. The policy in force on the month's first day, floors at their exact bounds, expired entries.


def test_policy_of_the_first_day_floor_bounds_and_what_counts_as_expired(tmp_path):
    floors = policy(
        name="A", effective_from="2026-10-01", attendance_floors=[[0, 25, 0], [25, 50, 50]]
    )
    policies = [
        policy(name="B", effective_from="2026-11-01"),
        floors,
        policy(name="Z", effective_from="2026-01-01"),
        policy(name="C", effective_from="2026-10-02"),  # in force from the 2nd: not this month's
    ]
    joins = [definitif("P10", start="2026-10-05")]  # in post 20 of the 22 days
    post = [d for d in WD if d >= D(5)]
    data = document(
        [
            emp("F24", assignments=joins),
            emp("F25", assignments=joins),
            emp("F50", assignments=joins),
            emp("SU"),
        ],
        punches=(
            full("F24", post[:4])
            + full("F25", post[:5] + [D(1), D(2)])  # punches before joining are not in post
            + full("F50", post[:10])
            + full("SU", WD)
        ),
        activities=[
            act("SU", D(1), 100, status="submitted"),  # in its window, not approved: not expired
            act("SU", D(2), 100, submitted="2026-10-20", status="submitted"),  # late: expired
            act("SU", D(5), 100, submitted="2026-10-20", status="rejected"),  # never expired
            act("SU", D(6), 100, submitted="2026-10-20"),  # approved, late: expired
        ],
    )
    data["policies"] = policies
    result, rows = scenario(data, tmp_path)
    assert result["policy"] == "A"
    # Presence over the 20 days in post: 4/20 = 20 % -> 0 %; 5/20 = 25 % is in [25, 50) -> 50 %;
    # 10/20 = 50 % is in no floor -> 100 %.
    assert {nip: rows[nip]["floor_pct"] for nip in ("F24", "F25", "F50")} == {
        "F24": 0,
        "F25": 50,
        "F50": 100,
    }
    # Ceiling 10,000,000 x 20/22 = 9,090,909.09; pot 3,636,363.64. F25: 15 absences, 45 % ->
    # 2,000,000.00, half of it paid. F50: 10 absences, 30 % -> 2,545,454.55 -> 2,545,455.
    assert (rows["F24"]["gross"], rows["F25"]["gross"], rows["F50"]["gross"]) == (
        0,
        1000000,
        2545455,
    )
    assert rows["SU"]["activity"]["expired_entries"] == 2
    assert rows["SU"]["activity"]["credited_minutes"] == 0


# --------------------------------------------------------------------------------------------------
# 6. Optional fields: omitted and null read the same; a required one is not dodged with null.


def _optional_fields_document(written_as_null: bool):
    pol = policy(plt_pct=None, attendance_floors=None)
    pol["health_insurance"] = {"employee_pct": 1, "income_cap": None}
    pol["activity"] = {**pol["activity"], "daily_target_minutes": None}
    data = document(
        [
            emp("O1", salary=None),
            emp("O2", assignments=[definitif("P10"), definitif("P9", kind="plt")]),
        ],
        pol,
        punches=full("O1", WD[:5]) + full("O2", WD),
    )
    p10 = next(p for p in data["positions"] if p["code"] == "P10")
    if written_as_null:
        data["employees"][0]["salary"] = None
    else:
        del pol["plt_pct"], pol["attendance_floors"], pol["health_insurance"]["income_cap"]
        del pol["activity"]["daily_target_minutes"], p10["tpp_base"]
    return data


def test_optional_fields_omitted_or_written_as_null_give_the_same_result(tmp_path):
    results = []
    for written_as_null in (False, True):
        folder = tmp_path / str(written_as_null)
        folder.mkdir()
        result, rows = scenario(_optional_fields_document(written_as_null), folder)
        results.append(result)
    assert results[0] == results[1]
    rows = {row["nip"]: row for row in results[0]["employees"]}
    # No floor (5 of 22 days present pays in full), no Plt share (with a note), no cap: 1 % of
    # gross whatever the (unknown) salary.
    assert rows["O1"]["floor_pct"] == 100
    assert rows["O2"]["ceiling"] == 10000000
    assert any("Plt/Plh" in note for note in rows["O2"]["notes"])
    assert rows["O2"]["health_insurance"] == 40000


def test_health_insurance_written_as_null_is_refused_not_read_as_no_share():
    from ekinerja.exchange.document import DocumentError, read_document

    data = document([emp("A")], policy(health_insurance=None))
    with pytest.raises(DocumentError) as err:
        read_document(data)
    assert [path for path, _ in err.value.problems] == ["$.policies[0].health_insurance"]
    assert '{"employee_pct": 0}' in err.value.problems[0][1]


# --------------------------------------------------------------------------------------------------
# 7. Determinism: the same file gives the same bytes, whatever Python's hash seed.


def test_the_result_is_the_same_bytes_whatever_the_hash_seed(tmp_path, monkeypatch):
    later = policy(name="Nanti", effective_from="2026-11-01")
    later["leave_types"] |= {"wfh": {"counts_as_present": True}, "cltn": {"excludes_tpp": True}}
    later["sentences"] |= {"teguran_lisan": 10}
    data = document(
        [
            emp("M1", salary=None),
            emp("M2", gol=None, status="PPPK"),
            emp("M3", assignments=[definitif("P10", "2026-10-12"), definitif("P9", kind="plt")]),
            emp("M4", assignments=[]),
        ],
        policy(attendance_floors=[[0, 25, 0], [25, 50, 50]]),
        punches=full("M1", WD[::2]) + full("M2", WD[::3]) + full("M3", WD[::2]),
        leaves=[
            {"nip": "M1", "type": "sakit", "from": "2026-10-05", "to": "2026-10-07"},
            {"nip": "M1", "type": "izin", "from": "2026-10-06", "to": "2026-10-09"},
            {"nip": "M1", "type": "wfh", "from": "2026-10-12", "to": "2026-10-13"},
            {"nip": "M1", "type": "dinas_luar", "from": "2026-10-14", "to": "2026-10-14"},
            {"nip": "M1", "type": "tugas_belajar", "from": "2026-10-26", "to": "2026-10-30"},
            {"nip": "M3", "type": "cltn", "from": "2026-10-26", "to": "2026-10-30"},
        ],
        sentences=[
            {"nip": "M1", "level": "teguran_lisan", "from": "2026-10-01", "to": "2026-10-01"},
            {"nip": "M1", "level": "ringan", "from": "2026-10-01", "to": "2026-10-01"},
            {"nip": "M2", "level": "sedang", "from": "2026-10-01", "to": "2026-10-01"},
        ],
        activities=[
            act("M1", D(1), 500),
            act("M1", D(3), 100),
            act("M1", D(2), 100, submitted="2026-10-30"),
            act("M3", D(2), 100),
        ],
    )
    data["policies"].append(later)
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data))
    outputs = []
    for seed in ("1", "2"):
        monkeypatch.setenv("PYTHONHASHSEED", seed)  # the child computing the month inherits it
        out = tmp_path / f"result-{seed}.json"
        call_command("scenario", "run", str(path), "--period", "2026-10", "--out", str(out))
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    rows = {row["nip"]: row for row in json.loads(outputs[0])["employees"]}
    # Leave days per type, in the order of their names.
    assert list(rows["M1"]["attendance"]["leave_days"].items()) == [
        ("dinas_luar", 1),
        ("izin", 2),
        ("sakit", 3),
        ("tugas_belajar", 5),
        ("wfh", 2),
    ]


# --------------------------------------------------------------------------------------------------
# 8. A bad file and a bad command line: every problem with its path, nothing written.


def test_a_bad_file_lists_every_problem_and_leaves_an_existing_result_alone(tmp_path):
    bad_end = emp("X1")
    bad_end["assignments"][0]["to"] = "2019-01-01"
    bad_schedule = emp("X2")
    bad_schedule["schedule"] = 5
    bad_status = emp("X3")
    bad_status["status"], bad_status["salary"] = "pns", True
    bad_kind = emp("X4", assignments=[definitif("P10", kind="Definitif")])
    data = document(
        [bad_end, bad_schedule, bad_status, bad_kind],
        use_national_holidays="yes",
        holidays=[{"date": "2026-02-30", "name": "x", "kind": "regional"}],
        punches=[
            {"nip": "X1", "at": "2026-02-30T07:00", "source": "fingerprint"},
            {"nip": "X1", "at": "2026-10-01T7:00", "source": ""},
        ],
        activities=[
            {**act("X1", D(1), 2), "volume": "2"},
            act("X1", D(1), True),
            {**act("X1", D(2), 1), "date": "2026-10-2"},
        ],
        unlocks=[{"nip": "X1", "from": "2026-10-05", "to": "2026-10-01", "approved_on": None}],
        skp_ratings=[{"nip": "X1", "period": "2026-13", "predicate": "Baik"}],
    )
    path, out = tmp_path / "scenario.json", tmp_path / "result.json"
    path.write_text(json.dumps(data))
    out.write_text("hasil sebelumnya")
    with pytest.raises(CommandError) as err:
        call_command("scenario", "run", str(path), "--period", "2026-10", "--out", str(out))
    lines = str(err.value).splitlines()
    assert lines[0] == f"{path} bukan dokumen ekinerja/1 yang sah (17 masalah):"
    assert [line.split(": ")[0] for line in lines[1:]] == [
        "$.use_national_holidays",
        "$.holidays[0].date",
        "$.employees[0].assignments[0].to",
        "$.employees[1].schedule",
        "$.employees[2].status",
        "$.employees[2].salary",
        "$.employees[3].assignments[0].kind",
        "$.punches[0].at",
        "$.punches[1].at",
        "$.punches[1].source",
        "$.activities[0].volume",
        "$.activities[1].volume",
        "$.activities[2].date",
        "$.unlocks[0].approved_on",
        "$.unlocks[0].to",
        "$.skp_ratings[0].period",
        "$.skp_ratings[0].predicate",
    ]
    assert out.read_text() == "hasil sebelumnya"


@pytest.mark.parametrize("period", ["2026-10\n", "２０２６-１０", "2026-10 ", "2026-1", "2026-13"])
def test_the_period_is_the_whole_argument_as_ascii_yyyy_mm(tmp_path, period):
    # "2026-10\n" and other scripts' digits were read as October 2026 and the file computed.
    path, out = tmp_path / "scenario.json", tmp_path / "result.json"
    path.write_text(json.dumps(document([emp("A")])))
    with pytest.raises(CommandError, match="tidak valid; gunakan format TTTT-BB"):
        call_command("scenario", "run", str(path), "--period", period, "--out", str(out))
    assert not out.exists()


def test_a_volume_too_large_to_keep_is_not_said_to_be_a_fraction_of_a_hundredth():
    from ekinerja.exchange.document import DocumentError, read_document

    # 1,440 x 99,999.995 = 143,999,992.8 minutes: a whole number of hundredths, but no volume of
    # two decimals under 100,000 gives it. It was refused as "not a multiple of a hundredth".
    data = document(
        [emp("A")],
        activity_catalog=[{"code": "A", "name": "Kerja", "output": "dok", "minutes": 1440}],
        activities=[act("A", D(1), 99999.995), act("A", D(2), 0.125)],
    )
    data["activity_catalog"].append({"code": "B", "name": "Rapat", "output": "rapat", "minutes": 7})
    data["activities"][1]["catalog"] = "B"  # 7 x 0.125 = 0.875: truly not a hundredth
    with pytest.raises(DocumentError) as err:
        read_document(data)
    problems = dict(err.value.problems)
    assert "terlalu besar untuk disimpan tepat" in problems["$.activities[0].volume"]
    assert "seperseratus" not in problems["$.activities[0].volume"]
    assert "kelipatan seperseratus menit" in problems["$.activities[1].volume"]
