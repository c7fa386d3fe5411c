"""Independent conformance audit of `ekinerja scenario run` against ../shared/spec/tpp-rules.md and
scenario-format.md (December 2026). Each scenario was written from the spec alone and its figures
worked out by hand (the working is in the comments); the run must give them to the rupiah.

No discrepancy with the spec was confirmed by this audit: every test below passes and is kept as a
regression test of a rule where implementations commonly go wrong. Where the spec leaves room, the
figures follow the decisions in docs/tpp-calculation.md and docs/exchange-format.md (cited).

Unless said otherwise: October 2026 has 22 weekdays (1 Oct is a Thursday), schedule 5HK 07:30-16:00
(midpoint 11:45, punch window 03:30-22:00), class 10 = Rp10.000.000, weights attendance 40 /
activity 60, deducted from the pot, bands 1-30 0.5 / 31-60 1 / 61-90 1.25 / 91+ 1.5 %, missing
check-in 2 %, missing check-out 1 %, absent without notice 3 %, monthly target 6,600 minutes, daily
cap 450, entry window 3 working days, PPh 21 III 5 % / IV 15 %, BPJS 1 % under Rp12.000.000."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

OCT = [dt.date(2026, 10, d) for d in range(1, 32)]
WD = [d for d in OCT if d.weekday() < 5]  # 22 weekdays
SIX = [d for d in OCT if d.weekday() < 6]  # 27 days Monday-Saturday


def D(day, month=10):
    return dt.date(2026, month, day)


def policy(**over):
    data = {
        "name": "Audit",
        "effective_from": "2026-01-01",
        "base_by_class": {"5": 3000000, "7": 4000000, "9": 6000000, "10": 10000000, "12": 7777777},
        "status_factor": {"PNS": 100, "CPNS": 80, "PPPK": 100},
        "plt_pct": 20,
        "components": [{"key": "attendance", "weight": 40}, {"key": "activity", "weight": 60}],
        "attendance": {
            "deduct_from": "pot",
            "grace_minutes": 0,
            "late_bands": [[1, 30, 0.5], [31, 60, 1], [61, 90, 1.25], [91, None, 1.5]],
            "early_bands": [[1, 30, 0.5], [31, 60, 1], [61, 90, 1.25], [91, None, 1.5]],
            "missing_check_in": 2,
            "missing_check_out": 1,
            "absent_without_notice": 3,
        },
        "leave_types": {
            "sakit": {"deduction": 0, "reduces_activity_target": True},
            "izin": {"deduction": 1, "reduces_activity_target": True},
            "dinas_luar": {
                "deduction": 0,
                "reduces_activity_target": False,
                "counts_as_present": True,
            },
            "tugas_belajar": {"excludes_tpp": True},
        },
        "activity": {
            "monthly_target_minutes": 6600,
            "daily_cap_minutes": 450,
            "entry_window_working_days": 3,
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
    data.update(over)
    return data


def two_allowances(data, tpp, ukk, tpp_components=None):
    del data["base_by_class"], data["components"]
    data["allowances"] = [
        {
            "key": "tpp",
            "name": "TPP",
            "base_by_class": tpp,
            "components": tpp_components
            or [{"key": "attendance", "weight": 40}, {"key": "activity", "weight": 60}],
        },
        {
            "key": "ukk",
            "name": "UKK",
            "base_by_class": ukk,
            "components": [{"key": "skp", "weight": 100}],
        },
    ]
    return data


def definitif(position, start="2020-01-01", end=None, kind="definitif"):
    return {"position": position, "from": start, "to": end, "kind": kind}


def emp(nip, pos="P10", status="PNS", gol="III/a", sched="5HK", salary=3000000, assignments=None):
    row = {
        "nip": nip,
        "name": f"Pegawai {nip}",
        "status": status,
        "golongan": gol,
        "schedule": sched,
        "salary": salary,
        "assignments": assignments if assignments is not None else [definitif(pos)],
    }
    if salary is None:
        del row["salary"]
    return row


def position(code, klass, tpp_base=None):
    return {
        "code": code,
        "name": f"Jabatan {code}",
        "unit": "U",
        "kind": "pelaksana",
        "class": klass,
        "parent": None,
        "tpp_base": tpp_base,
    }


def document(employees, pol=None, **over):
    data = {
        "format": "ekinerja/1",
        "instansi": {"code": "9999", "name": "Kabupaten Audit", "timezone": "Asia/Makassar"},
        "holidays": [],
        "use_national_holidays": False,
        "schedules": [
            {
                "code": "5HK",
                "kind": "fixed",
                "days": {k: ["07:30", "16:00"] for k in ("mon", "tue", "wed", "thu", "fri")},
            },
            {
                "code": "6HK",
                "kind": "fixed",
                "days": {k: ["07:30", "14:00"] for k in ("mon", "tue", "wed", "thu", "fri", "sat")},
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
        "units": [{"code": "U", "name": "Unit", "parent": None}],
        "positions": [position(f"P{c}", c) for c in (5, 7, 9, 10, 12)],
        "employees": employees,
        "shift_roster": [],
        "punches": [],
        "leaves": [],
        "activity_catalog": [{"code": "A", "name": "Kerja", "output": "dok", "minutes": 1}],
        "activities": [],
        "unlocks": [],
        "skp_ratings": [],
        "sentences": [],
        "policies": [pol or policy()],
    }
    data.update(over)
    return data


def punch(nip, day, time):
    return {"nip": nip, "at": f"{day.isoformat()}T{time}", "source": "fingerprint"}


def full(nip, days, check_in="07:30", check_out="16:00"):
    return [punch(nip, d, t) for d in days for t in (check_in, check_out)]


def act(nip, day, minutes, submitted=None, status="approved"):
    return {
        "nip": nip,
        "date": day.isoformat(),
        "start": "08:00",
        "end": "15:30",
        "catalog": "A",  # 1 minute a unit: volume = minutes
        "volume": minutes,
        "submitted_on": submitted or day.isoformat(),
        "status": status,
    }


def roster(nip, shifts):
    return [{"nip": nip, "date": D(k).isoformat(), "shift": s} for k, s in shifts.items()]


def scenario(data, tmp_path, period="2026-10"):
    path, out = tmp_path / "scenario.json", tmp_path / "result.json"
    path.write_text(json.dumps(data))
    call_command("scenario", "run", str(path), "--period", period, "--out", str(out))
    result = json.loads(out.read_text())
    rows = {row["nip"]: row for row in result["employees"]}
    for key in ("gross", "pph21", "health_insurance", "net"):
        assert result["totals"][key] == sum(row[key] for row in rows.values())
    return result, rows


def money(row):
    return (row["gross"], row["pph21"], row["health_insurance"], row["net"])


# --------------------------------------------------------------------------------------------------
# 1. Bands, grace, check-in/out selection, leaves, proration, Plt, CPNS, floors, one rounding.


def test_bands_grace_punch_window_leaves_plt_floors_and_rounding_once(tmp_path):
    pol = policy(attendance_floors=[[0, 25, 0], [25, 50, 50]])
    pol["attendance"]["grace_minutes"] = 5
    data = document(
        [
            emp("E1"),
            emp("E2"),
            emp("E3"),
            emp(
                "E4",
                status="CPNS",
                gol="II/c",
                salary=2000000,
                assignments=[
                    definitif("P7", end="2026-10-15"),
                    definitif("P9", start="2026-10-16"),
                    definitif("P12", "2026-10-19", "2026-10-23", kind="plt"),
                ],
            ),
            emp("E5"),
            emp("E6", pos="PX", gol="IV/a"),
        ],
        pol,
    )
    data["positions"].append(position("PX", 10, tpp_base=1000004))
    punches, acts = [], []
    # E1 (grace 5): "Late minutes = check-in - start in whole minutes, counted only if greater than
    # the grace minutes, and looked up in the bands by the whole figure".
    e1 = {
        1: ("07:35", "16:00"),  # 5 = grace: nothing
        2: ("07:36", "16:00"),  # 6: 0.5
        5: ("08:05", "16:00"),  # 35, whole figure (not 35 - 5): 1
        6: ("08:31", "16:00"),  # 61: 1.25
        7: ("09:01", "16:00"),  # 91: 1.5
        8: ("07:30", "15:29"),  # early 31: 1
        9: ("07:30", "15:55"),  # early 5 = grace: nothing
        12: ("08:00", "16:00"),  # 30: 0.5 (band edge)
        13: ("08:01", "16:00"),  # 31: 1 (band edge)
    }
    for day in WD:
        punches += full("E1", [day], *e1.get(day.day, ("07:30", "16:00")))
    # E2: check-in is the earliest punch before the midpoint (11:45), check-out the latest at or
    # after it, among punches from start - 4 h (03:30) to end + 6 h (22:00).
    e2 = {
        2: ["11:45"],  # at the midpoint: a check-out; missing check-in 2 + early 255 min 1.5
        5: ["11:44"],  # a check-in 254 min late 1.5 + missing check-out 1
        6: ["03:29", "16:00"],  # 03:29 outside the window: missing check-in 2
        7: ["03:30", "22:00"],  # both window edges are inside: clean
        8: ["22:01"],  # outside: no punch, absent 3
        9: ["03:29"],  # outside: absent 3
    }
    for day in WD:
        punches += [punch("E2", day, t) for t in e2.get(day.day, ["07:30", "16:00"])]
    # E3: sick 1-4 Oct (2 working days), izin on the 5th although late (only the leave's 1 %),
    # dinas luar on the 6th without a punch, tugas belajar 26-30 Oct (5 days out of post).
    for day in WD:
        if day.day in (1, 2, 6) or day.day >= 26:
            continue
        punches += full("E3", [day], "08:30" if day.day == 5 else "07:30")
    data["leaves"] = [
        {"nip": "E3", "type": "sakit", "from": "2026-10-01", "to": "2026-10-04"},
        {"nip": "E3", "type": "izin", "from": "2026-10-05", "to": "2026-10-05"},
        {"nip": "E3", "type": "dinas_luar", "from": "2026-10-06", "to": "2026-10-06"},
        {"nip": "E3", "type": "tugas_belajar", "from": "2026-10-26", "to": "2026-10-30"},
    ]
    acts += [act("E3", D(7), 600)]  # capped at 450
    acts += [act("E3", D(x), 300) for x in (8, 9, 12, 13, 14, 15, 16, 19, 20)]  # 2,700
    acts += [
        act("E3", D(10), 100),  # a Saturday: credited (docs/tpp-calculation.md 8)
        act("E3", D(21), 300, "2026-10-27"),  # window 22, 23, 26: expired
        act("E3", D(22), 300, "2026-10-27"),  # window 23, 26, 27: counts
        act("E3", D(23), 300, "2026-10-29"),  # late, but its date is unlocked: counts
        act("E3", D(19), 300, status="submitted"),  # not approved: nothing, not expired
    ]
    data["unlocks"] = [
        {"nip": "E3", "from": "2026-10-23", "to": "2026-10-23", "approved_on": "2026-10-29"}
    ]
    punches += full("E4", WD)
    acts += [act("E4", day, 300) for day in WD]
    punches += full("E5", WD[:11]) + full("E6", WD[:10])
    data["sentences"] = [{"nip": "E6", "level": "ringan", "from": "2026-09-01", "to": "2026-10-01"}]
    data["punches"], data["activities"] = punches, acts
    _, rows = scenario(data, tmp_path)

    e1 = rows["E1"]["attendance"]
    # 0.5 + 1 + 1.25 + 1.5 + 1 + 0.5 + 1 = 6.75 % of the pot 4,000,000 -> 3,730,000.
    assert (e1["late"], e1["early"], e1["deduction_pct"], e1["amount"]) == (6, 1, 6.75, 3730000)
    # PPh 5 % 186,500; BPJS 1 % of min(3,730,000, 12,000,000 - 3,000,000) = 37,300.
    assert money(rows["E1"]) == (3730000, 186500, 37300, 3506200)

    e2 = rows["E2"]["attendance"]
    # 3.5 + 2.5 + 2 + 3 + 3 = 14 % -> 3,440,000.
    assert (e2["late"], e2["early"], e2["missing_check_in"], e2["missing_check_out"]) == (
        1,
        1,
        2,
        1,
    )
    assert (e2["absent_without_notice"], e2["deduction_pct"], e2["amount"]) == (2, 14, 3440000)

    e3 = rows["E3"]
    # Days in post 17 of W 22: ceiling 10,000,000 x 17/22 = 7,727,272.73 (shown 7,727,273).
    # Attendance: 1 % of the pot 3,090,909.09 -> 3,060,000.
    # Target 6,600 x (17 - 3 target-reducing leave days) / 22 = 4,200; credited 450 + 2,700 + 100
    # + 300 + 300 = 3,850; 4,636,363.64 x 3,850 / 4,200 = 4,250,000.
    assert e3["ceiling"] == 7727273
    assert e3["attendance"]["leave_days"] == {
        "dinas_luar": 1,
        "izin": 1,
        "sakit": 2,
        "tugas_belajar": 5,
    }
    assert (e3["attendance"]["deduction_pct"], e3["attendance"]["amount"]) == (1, 3060000)
    assert e3["activity"]["credited_minutes"] == 3850 and e3["activity"]["target_minutes"] == 4200
    assert e3["activity"]["expired_entries"] == 1 and e3["activity"]["amount"] == 4250000
    assert money(e3) == (7310000, 365500, 73100, 6871400)

    e4 = rows["E4"]
    # CPNS 80 %: 11 days of kelas 7 (3,200,000) + 11 days of kelas 9 (4,800,000), plus Plt 20 % of
    # kelas 12's 7,777,777 on 19-23 Oct (not times the status factor, docs/tpp-calculation.md 2):
    # (35,200,000 + 52,800,000 + 5 x 1,555,555.4) / 22 = 4,353,535.318...
    # Pots 1,741,414.13 -> 1,741,414 and 2,612,121.19 -> 2,612,121. PPh II 0 %, BPJS 43,535.35.
    assert e4["ceiling"] == 4353535
    assert (e4["attendance"]["amount"], e4["activity"]["amount"]) == (1741414, 2612121)
    assert money(e4) == (4353535, 0, 43535, 4310000)

    # E5: 11 of 22 days present = 50 %, not below 50: no floor. 11 absences 33 % -> 2,680,000.
    assert rows["E5"]["floor_pct"] == 100 and rows["E5"]["attendance"]["amount"] == 2680000
    assert money(rows["E5"]) == (2680000, 134000, 26800, 2519200)

    e6 = rows["E6"]
    # tpp_base 1,000,004: attendance pot 400,001.6 x (1 - 36 %) = 256,001.02 -> 256,001.
    # 10/22 = 45.45 % -> floor 50 %; ringan (in force on 1 Oct) 25 %.
    # "gross = the rounded components' sum, times the attendance floor's factor and less the
    # sentence cut (rounded half-up once)": 256,001 x 0.5 x 0.75 = 96,000.375 -> 96,000 (rounding
    # after the floor too would give 128,000.5 -> 128,001 x 0.75 = 96,000.75 -> 96,001).
    assert (e6["floor_pct"], e6["sentence_pct"], e6["attendance"]["amount"]) == (50, 25, 256001)
    assert money(e6) == (96000, 14400, 960, 80640)


# --------------------------------------------------------------------------------------------------
# 2. Two allowances, deduction from the ceiling, score cap, daily target, 6-day week, shifts.


def test_allowances_ceiling_base_score_cap_daily_target_six_day_week_and_shifts(tmp_path):
    pol = two_allowances(
        policy(),
        {"5": 3000000, "7": 4000000, "9": 6000000, "10": 10000000},
        {"5": 600000, "7": 800000, "9": 1200000, "10": 2000001},
    )
    pol["attendance"]["deduct_from"] = "ceiling"
    pol["activity"] = {
        "daily_target_minutes": 300,
        "daily_cap_minutes": 450,
        "entry_window_working_days": 3,
        "score_cap": 0.8,
    }
    data = document(
        [
            emp("E1", gol="IV/c", salary=5000000),
            emp("E2", gol="III/d", salary=11500000),
            emp("E3", pos="P9", sched="6HK", gol="II/a"),
            emp("E4", pos="P5", sched="RS", status="PPPK", gol="IX"),
            emp("E5", pos="PB", status="CPNS", gol="III/b", salary=None),
        ],
        pol,
    )
    data["positions"].append(position("PB", 7, tpp_base=5000000))
    punches = full("E1", WD[5:]) + full("E3", SIX, "07:30", "14:00") + full("E5", WD)
    acts = [act("E1", d, 300) for d in WD[:17]] + [act("E2", d, 500) for d in WD]
    acts += [act("E3", d, 250) for d in SIX]
    shifts = {1: "P", 2: "S", 3: "M", 5: "M", 7: "S", 8: "P", 9: "P", 10: "P", 11: "S", 12: "P"}
    data["shift_roster"] = roster("E4", shifts)
    punches += [
        punch("E4", D(1), "07:00"),
        punch("E4", D(1), "14:00"),
        punch("E4", D(2), "14:31"),  # late 31: 1 %
        punch("E4", D(2), "21:00"),
        punch("E4", D(3), "21:00"),
        punch("E4", D(4), "06:29"),  # night shift ends 07:00 the next day: early 31, 1 %
        punch("E4", D(5), "21:10"),  # late 10: 0.5 %
        punch("E4", D(6), "07:00"),
    ]
    punches += full("E4", [D(7), D(11)], "14:00", "21:00")
    punches += full("E4", [D(9), D(10), D(12)], "07:00", "14:00")  # 8 Oct: absent, 3 %
    acts += [act("E4", D(k), 300) for k in shifts]
    data["skp_ratings"] = [
        {"nip": "E1", "period": "2026-10", "predicate": "baik"},
        {"nip": "E2", "period": "2026-10", "predicate": "butuh_perbaikan"},
        {"nip": "E4", "period": "2026-10", "predicate": "sangat_baik"},
        {"nip": "E5", "period": "2026-10", "predicate": "kurang"},
    ]
    data["punches"], data["activities"] = punches, acts
    _, rows = scenario(data, tmp_path)

    e1 = rows["E1"]
    # tpp: 5 absences x 3 % of the ceiling 10,000,000 = 1,500,000 from the pot 4,000,000.
    # Target 300 x 22 = 6,600; 5,100 / 6,600 = 0.77 < cap 0.8: 4,636,363.64 -> 4,636,364.
    # ukk: baik 100 % of 2,000,001. Gross 9,136,365; PPh 15 % 1,370,454.75 -> 1,370,455;
    # BPJS 1 % of 12,000,000 - 5,000,000 = 70,000.
    assert e1["allowances"]["tpp"]["gross"] == 7136364
    assert e1["allowances"]["ukk"]["gross"] == 2000001
    assert e1["attendance"]["amount"] == 2500000 and e1["activity"]["amount"] == 4636364
    assert e1["ceiling"] == 12000001
    assert money(e1) == (9136365, 1370455, 70000, 7695910)

    e2 = rows["E2"]
    # 22 absences = 66 % of the ceiling, more than the pot: 0 ("never goes below 0").
    # 22 x 450 (cap) = 9,900 / 6,600 = 1.5 -> score cap 0.8: 4,800,000. ukk 75 % of 2,000,001 =
    # 1,500,000.75 -> 1,500,001. PPh 5 % 315,000.05 -> 315,000; BPJS 1 % of 500,000 = 5,000.
    assert e2["attendance"]["amount"] == 0
    assert e2["activity"]["credited_minutes"] == 9900 and e2["activity"]["score"] == 0.8
    assert money(e2) == (6300001, 315000, 5000, 5980001)

    e3 = rows["E3"]
    # Monday-Saturday: W = 27; target 300 x 27 = 8,100; 6,750 / 8,100 = 0.83 -> 0.8 x 3,600,000.
    assert e3["working_days"] == 27 and e3["activity"]["target_minutes"] == 8100
    assert e3["activity"]["amount"] == 2880000
    assert money(e3) == (5280000, 0, 52800, 5227200)

    e4 = rows["E4"]
    # W = 10 rostered days; 1 + 1 + 0.5 + 3 = 5.5 % of 3,000,000 = 165,000 -> 1,035,000;
    # activity 3,000 / 3,000 -> cap 0.8 x 1,800,000; ukk 600,000. PPPK "IX": no rate, 0 %.
    att = e4["attendance"]
    assert e4["working_days"] == 10
    assert (att["late"], att["early"], att["absent_without_notice"]) == (2, 1, 1)
    assert (att["deduction_pct"], att["amount"]) == (5.5, 1035000)
    assert money(e4) == (3075000, 0, 30750, 3044250)

    e5 = rows["E5"]
    # tpp_base 5,000,000 replaces tpp's kelas 7 only; CPNS 80 %: tpp 4,000,000, ukk 640,000.
    # Attendance 1,600,000; kurang 50 % x 640,000 = 320,000; no salary: counted as 0.
    assert e5["allowances"]["tpp"]["ceiling"] == 4000000
    assert e5["allowances"]["ukk"]["ceiling"] == 640000
    assert money(e5) == (1920000, 96000, 19200, 1804800)


# --------------------------------------------------------------------------------------------------
# 3. Holidays and cuti bersama, the entry window over them, sentences, a mid-month joiner.


def test_holidays_entry_window_sentences_and_joiner(tmp_path):
    data = document(
        [
            emp("E1"),
            emp("E2", pos="P9", sched="RS"),
            emp("E3", gol="IV/b", salary=13000000),
            emp("E4", gol="IV/a", assignments=[definitif("P10", start="2026-10-22")]),
        ]
    )
    data["holidays"] = [
        {"date": "2026-10-20", "name": "Hari Jadi", "kind": "regional"},
        {"date": "2026-10-21", "name": "Cuti bersama", "kind": "cuti_bersama"},
    ]
    work = [d for d in WD if d.day not in (20, 21)]  # W = 20
    punches = full("E1", [d for d in work if d.day != 19])
    data["leaves"] = [{"nip": "E1", "type": "izin", "from": "2026-10-19", "to": "2026-10-21"}]
    acts = [act("E1", D(x), 300) for x in (1, 2, 5, 6, 7, 8, 9, 12, 13)]
    acts += [
        act("E1", D(16), 300, "2026-10-23"),  # window 19, 22, 23 (holidays skipped): counts
        act("E1", D(15), 300, "2026-10-21"),  # window ends 22 Oct: counts
        act("E1", D(14), 300, "2026-10-20"),  # window ends 19 Oct: expired
        act("E1", D(22), 300, "2026-10-27"),  # window 23, 26, 27: counts
    ]
    data["shift_roster"] = roster("E2", {19: "P", 20: "P", 21: "P", 22: "P"})
    punches += full("E2", [D(19), D(20), D(21), D(22)], "07:00", "14:00")
    punches += full("E3", work) + full("E4", [d for d in work if d.day >= 22])
    acts += [act("E4", d, 330) for d in work if d.day >= 22]
    data["sentences"] = [
        {"nip": "E1", "level": "ringan", "from": "2026-09-01", "to": "2026-09-30"},
        {"nip": "E2", "level": "berat", "from": "2026-10-31", "to": "2026-11-30"},
        {"nip": "E3", "level": "ringan", "from": "2026-09-01", "to": "2026-10-05"},
        {"nip": "E3", "level": "sedang", "from": "2026-10-20", "to": "2026-10-25"},
    ]
    data["punches"], data["activities"] = punches, acts
    _, rows = scenario(data, tmp_path)

    e1 = rows["E1"]
    # W = 22 - 2 listed holidays = 20; izin 19-21 Oct covers one working day: 1 % -> 3,960,000.
    # Target 6,600 x 19/20 = 6,270; credited 3,600 (one expired): 6,000,000 x 3,600 / 6,270 =
    # 3,444,976.08 -> 3,444,976. Gross 7,404,976; PPh 370,248.8 -> 370,249; BPJS 74,049.76 ->
    # 74,050. A sentence that ended in September does not apply.
    assert e1["working_days"] == 20 and e1["attendance"]["leave_days"] == {"izin": 1}
    assert e1["activity"]["credited_minutes"] == 3600 and e1["activity"]["expired_entries"] == 1
    assert e1["activity"]["target_minutes"] == 6270 and e1["sentence_pct"] == 0
    assert money(e1) == (7404976, 370249, 74050, 6960677)

    # Shift: W is the roster's dates, holidays included (4). "berat" from 31 Oct: in force on a
    # day of the month, so the month in full: 100 %.
    e2 = rows["E2"]
    assert e2["working_days"] == 4 and e2["attendance"]["amount"] == 2400000
    assert e2["sentence_pct"] == 100 and money(e2) == (0, 0, 0, 0)

    # Two sentences: the largest cut (sedang 50 %) wins; salary above the cap: no BPJS.
    e3 = rows["E3"]
    assert e3["sentence_pct"] == 50 and money(e3) == (2000000, 300000, 0, 1700000)

    # Joins 22 Oct: 7 of 20 days in post: ceiling 3,500,000; target 6,600 x 7/20 = 2,310.
    e4 = rows["E4"]
    assert e4["ceiling"] == 3500000 and e4["activity"]["target_minutes"] == 2310
    assert money(e4) == (3500000, 525000, 35000, 2940000)


# --------------------------------------------------------------------------------------------------
# 4. Policy versions, half-up at .5, the floor's lower edge, the daily cap after expiry, 6-day
#    entry windows, Plh with tugas belajar.


def test_policy_version_half_up_floor_edge_expiry_and_plh(tmp_path):
    first = policy(attendance_floors=[[0, 25, 0], [25, 50, 50]])
    later = policy(name="Versi B", effective_from="2026-10-02")
    later["base_by_class"] = {k: v * 2 for k, v in later["base_by_class"].items()}
    data = document(
        [
            emp("E1", pos="Q1"),
            emp("E1B", pos="Q2"),
            emp("E2", assignments=[definitif("P10", start="2026-10-21")]),
            emp("E3"),
            emp("E4", pos="P9", sched="6HK", gol="II/a"),
            emp(
                "E5",
                gol="III/c",
                assignments=[
                    definitif("P5"),
                    definitif("P10", "2026-10-01", "2026-10-09", kind="plh"),
                ],
            ),
        ]
    )
    # "A month is computed with the policy in force on its first day."
    data["policies"] = [first, later]
    data["positions"] += [position("Q1", 10, 1000015), position("Q2", 10, 1000050)]
    punches = full("E1", WD) + full("E1B", WD) + full("E3", WD)
    acts = [act("E1", d, 300) for d in WD[:11]] + [act("E1B", d, 300) for d in WD]
    punches += full("E2", [D(21), D(22)])
    data["leaves"] = [
        {"nip": "E2", "type": "sakit", "from": "2026-10-19", "to": "2026-10-20"},
        {"nip": "E5", "type": "tugas_belajar", "from": "2026-10-08", "to": "2026-10-09"},
    ]
    acts += [
        act("E3", D(1), 400),
        act("E3", D(1), 300, "2026-10-30"),  # expired: not part of the day's capped minutes
        act("E3", D(2), 300),
        act("E3", D(2), 300, status="rejected"),
        act("E3", D(5), 200),
        {**act("E3", D(5), 200, status="draft"), "submitted_on": None},
    ]
    punches += full("E4", SIX, "07:30", "14:00")
    acts += [
        act("E4", D(2), 300, "2026-10-07"),  # Mon-Sat calendar: window 3, 5, 6: expired
        act("E4", D(9), 300, "2026-10-14"),  # 10, 12, 13: expired
        act("E4", D(16), 300, "2026-10-21"),  # 17, 19, 20: expired
        act("E4", D(5), 300, "2026-10-08"),  # 6, 7, 8: counts
    ]
    in_post = [d for d in WD if d.day not in (8, 9)]
    punches += full("E5", in_post)
    acts += [act("E5", d, 300) for d in in_post]
    data["punches"], data["activities"] = punches, acts
    result, rows = scenario(data, tmp_path)
    assert result["policy"] == "Audit"

    # tpp_base 1,000,015 (first policy, not the later doubled one): attendance 400,006; activity
    # 600,009 x 1/2 = 300,004.5 -> 300,005 (half-up, not half-even). PPh 35,000.55 -> 35,001.
    assert rows["E1"]["activity"]["amount"] == 300005
    assert money(rows["E1"]) == (700011, 35001, 7000, 658010)
    # Gross 1,000,050: PPh 5 % = 50,002.5 -> 50,003; BPJS 1 % = 10,000.5 -> 10,001 (half-up).
    assert money(rows["E1B"]) == (1000050, 50003, 10001, 940046)

    e2 = rows["E2"]
    # In post 8 of 22 days (21-30 Oct): ceiling 3,636,363.64; 2 present of 8 = 25 %: "from <= rate
    # < to", floor [25, 50): 50 %. 6 absences 18 % of the pot 1,454,545.45 -> 1,192,727.27 ->
    # 1,192,727; x 0.5 = 596,363.5 -> 596,364. The sick days before joining do not reduce the
    # target: 6,600 x 8/22 = 2,400.
    assert e2["ceiling"] == 3636364 and e2["floor_pct"] == 50
    assert e2["activity"]["target_minutes"] == 2400
    assert e2["attendance"]["amount"] == 1192727
    assert money(e2) == (596364, 29818, 5964, 560582)

    e3 = rows["E3"]
    # 400 + 300 + 200 = 900 minutes, one expired: 6,000,000 x 900 / 6,600 = 818,181.82.
    assert e3["activity"]["credited_minutes"] == 900 and e3["activity"]["expired_entries"] == 1
    assert money(e3) == (4818182, 240909, 48182, 4529091)

    e4 = rows["E4"]
    # "working days of the employee's own calendar": Saturdays count in a 6-day schedule.
    assert e4["working_days"] == 27
    assert e4["activity"]["credited_minutes"] == 300 and e4["activity"]["expired_entries"] == 3
    assert money(e4) == (2563636, 0, 25636, 2538000)

    e5 = rows["E5"]
    # 20 days in post x 3,000,000 + Plh 20 % of 10,000,000 on 5 of them (not on 8-9 Oct, tugas
    # belajar): 70,000,000 / 22 = 3,181,818.18. Activity pot 1,909,090.91 at full score is paid
    # 1,909,090 (docs/tpp-calculation.md 5, the clamp: never above the exact pot).
    assert e5["ceiling"] == 3181818 and e5["attendance"]["amount"] == 1272727
    assert e5["activity"]["target_minutes"] == 6000 and e5["activity"]["amount"] == 1909090
    assert money(e5) == (3181817, 159091, 31818, 2990908)


# --------------------------------------------------------------------------------------------------
# 5. Each allowance rounded up to its own gross, PPh 21 mode none, no income cap, no golongan.


def test_each_allowance_rounds_its_own_gross(tmp_path):
    pol = two_allowances(
        policy(attendance_floors=[[0, 25, 0], [25, 50, 50]]),
        {"10": 10000000},
        {"10": 1000001},
    )
    pol["pph21"] = {"mode": "none"}
    pol["health_insurance"] = {"employee_pct": 2}
    data = document([emp("E1", pos="PX", gol="IV/a"), emp("E2", gol=None)], pol)
    data["positions"].append(position("PX", 10, tpp_base=1000004))
    data["punches"] = full("E1", WD[:10]) + full("E2", WD)
    data["skp_ratings"] = [{"nip": "E1", "period": "2026-10", "predicate": "baik"}]
    _, rows = scenario(data, tmp_path)
    e1 = rows["E1"]
    # scenario-format.md: "Each allowance is computed as a single-allowance policy would be, up to
    # its own gross (components rounded, times floor and sentence, rounded); the employee's gross
    # is the sum". Floor 50 % (10/22): tpp 256,001 x 0.5 = 128,000.5 -> 128,001; ukk 1,000,001 x
    # 0.5 = 500,000.5 -> 500,001; gross 628,002 (not 628,001). BPJS 2 % = 12,560.04, no cap.
    assert e1["allowances"]["tpp"]["gross"] == 128001
    assert e1["allowances"]["ukk"]["gross"] == 500001
    assert money(e1) == (628002, 0, 12560, 615442)
    assert money(rows["E2"]) == (4000000, 0, 80000, 3920000)


# --------------------------------------------------------------------------------------------------
# 6. Friday's own hours, entry windows into the next month, SKP of another month, a punch shared
#    by a night shift's check-out and the next day's check-in.


def test_friday_hours_window_into_next_month_skp_period_and_shared_punch(tmp_path):
    pol = policy(
        components=[
            {"key": "attendance", "weight": 30},
            {"key": "activity", "weight": 50},
            {"key": "skp", "weight": 20},
        ]
    )
    data = document([emp("E1"), emp("E2", pos="P5", sched="RS", gol="I/a")], pol)
    data["schedules"][0]["days"]["fri"] = ["07:30", "16:30"]
    punches = full("E1", WD)  # out at 16:00: 30 minutes early on each of 5 Fridays
    data["activities"] = [
        act("E1", D(10), 300, "2026-10-14"),  # Saturday: window 12, 13, 14: counts
        act("E1", D(17), 300, "2026-10-22"),  # window 19, 20, 21: expired
        act("E1", D(30), 300, "2026-11-04"),  # window 2, 3, 4 Nov: counts
        act("E1", D(29), 300, "2026-11-04"),  # window 30 Oct, 2, 3 Nov: expired
    ]
    data["shift_roster"] = roster("E2", {3: "M", 4: "P"})
    # 06:55 on the 4th is in both days' windows: the night shift's check-out (5 min early) and
    # the morning shift's check-in.
    punches += [punch("E2", D(3), "21:00"), punch("E2", D(4), "06:55"), punch("E2", D(4), "14:00")]
    data["skp_ratings"] = [
        {"nip": "E1", "period": "2026-09", "predicate": "baik"},
        {"nip": "E2", "period": "2026-10", "predicate": "sangat_kurang"},
    ]
    data["punches"] = punches
    _, rows = scenario(data, tmp_path)
    e1 = rows["E1"]
    # 5 x 0.5 % of the pot 3,000,000 -> 2,925,000; 600 of 6,600 x 5,000,000 = 454,545.45;
    # September's rating does not rate October: not rated 0 %.
    assert e1["attendance"]["early"] == 5 and e1["attendance"]["amount"] == 2925000
    assert e1["activity"]["credited_minutes"] == 600 and e1["activity"]["expired_entries"] == 2
    assert e1["skp"] == {"predicate": None, "pct": 0, "amount": 0}
    assert money(e1) == (3379545, 168977, 33795, 3176773)
    e2 = rows["E2"]
    # W 2; 0.5 % of 900,000 -> 895,500; sangat kurang 25 % of 600,000 = 150,000.
    assert (e2["attendance"]["early"], e2["attendance"]["missing_check_in"]) == (1, 0)
    assert e2["attendance"]["missing_check_out"] == 0
    assert money(e2) == (1045500, 0, 10455, 1035045)


# --------------------------------------------------------------------------------------------------
# 7. Floors under a policy without an attendance component; counts_as_present; sick leave.


def test_floors_without_attendance_component(tmp_path):
    pol = policy(
        components=[{"key": "activity", "weight": 50}, {"key": "skp", "weight": 50}],
        attendance_floors=[[0, 25, 0], [25, 50, 50]],
    )
    data = document([emp("E1"), emp("E2"), emp("E3"), emp("E4")], pol)
    data["punches"] = (
        full("E1", WD[:5]) + full("E2", WD[:6]) + full("E3", WD[:3]) + full("E4", WD[:5])
    )
    data["leaves"] = [
        {"nip": "E3", "type": "dinas_luar", "from": "2026-10-12", "to": "2026-10-14"},
        {"nip": "E4", "type": "sakit", "from": "2026-10-12", "to": "2026-10-23"},
    ]
    data["skp_ratings"] = [
        {"nip": n, "period": "2026-10", "predicate": "baik"} for n in ("E1", "E2", "E3", "E4")
    ]
    _, rows = scenario(data, tmp_path)
    # SKP pot 5,000,000. 5/22 = 22.7 %: 0; 6/22 = 27.3 %: 50 %; 3 punched + 3 dinas luar
    # (counts_as_present) = 27.3 %: 50 %; 5 punched + 10 sick (not present) = 22.7 %: 0.
    assert (rows["E1"]["floor_pct"], rows["E1"]["gross"]) == (0, 0)
    assert money(rows["E2"]) == (2500000, 125000, 25000, 2350000)
    assert money(rows["E3"]) == (2500000, 125000, 25000, 2350000)
    assert (rows["E4"]["floor_pct"], rows["E4"]["gross"]) == (0, 0)
    assert rows["E4"]["activity"]["target_minutes"] == 3600  # 6,600 x 12/22


# --------------------------------------------------------------------------------------------------
# 8. National holidays and cuti bersama (December 2026: 24 Dec cuti bersama, 25 Dec Christmas).


def test_national_holidays_and_cuti_bersama(tmp_path):
    dec = [dt.date(2026, 12, d) for d in range(1, 32)]
    work = [d for d in dec if d.weekday() < 5 and d.day not in (24, 25)]
    data = document([emp("E1"), emp("E2", pos="P9", sched="RS")], use_national_holidays=True)
    data["punches"] = full("E1", work) + full(
        "E2", [dt.date(2026, 12, k) for k in (24, 25, 26)], "07:00", "14:00"
    )
    data["shift_roster"] = [
        {"nip": "E2", "date": f"2026-12-{k}", "shift": "P"} for k in (24, 25, 26)
    ]
    data["activities"] = [act("E1", d, 300) for d in work]
    _, rows = scenario(data, tmp_path, period="2026-12")
    # 23 weekdays - 2 = 21; 6,300 / 6,600 x 6,000,000 = 5,727,272.73; BPJS on 9,000,000.
    assert rows["E1"]["working_days"] == 21
    assert money(rows["E1"]) == (9727273, 486364, 90000, 9150909)
    assert rows["E2"]["working_days"] == 3  # a shift schedule keeps its rostered holidays


# --------------------------------------------------------------------------------------------------
# 9. Another time zone (WIT); a shift worker's entry window in roster days; Plt under allowances.


def test_wit_window_edges_roster_entry_window_and_plt_with_allowances(tmp_path):
    pol = two_allowances(policy(), {"5": 3000000, "10": 10000000}, {"5": 600000, "10": 2000001})
    data = document(
        [
            emp("E1"),
            emp("E2", pos="P5", sched="RS", gol="II/b"),
            emp(
                "E3",
                status="CPNS",
                assignments=[
                    definitif("P5"),
                    definitif("PX", "2026-09-01", "2026-11-30", kind="plt"),
                ],
            ),
        ],
        pol,
    )
    data["instansi"]["timezone"] = "Asia/Jayapura"
    data["positions"].append(position("PX", 10, tpp_base=1000004))
    special = {
        2: ["11:45"],
        5: ["11:44"],
        6: ["03:29", "16:00"],
        7: ["03:30", "22:00"],
        8: ["22:01"],
        9: ["03:29"],
    }
    punches = [punch("E1", d, t) for d in WD for t in special.get(d.day, ["07:30", "16:00"])]
    days = (1, 2, 9, 10, 11)
    data["shift_roster"] = roster("E2", dict.fromkeys(days, "P"))
    punches += full("E2", [D(k) for k in days], "07:00", "14:00")
    acts = [
        act("E2", D(2), 300, "2026-10-11"),  # roster days 9, 10, 11: counts
        act("E2", D(1), 300, "2026-10-11"),  # 2, 9, 10: expired
    ]
    punches += full("E3", WD)
    acts += [act("E3", d, 300) for d in WD]
    data["skp_ratings"] = [
        {"nip": "E2", "period": "2026-10", "predicate": "baik"},
        {"nip": "E3", "period": "2026-10", "predicate": "sangat_baik"},
    ]
    data["punches"], data["activities"] = punches, acts
    _, rows = scenario(data, tmp_path)
    # The same local times as test 1's E2 give the same 14 % in WIT.
    assert rows["E1"]["attendance"]["deduction_pct"] == 14
    assert money(rows["E1"]) == (3440000, 172000, 34400, 3233600)
    e2 = rows["E2"]
    # 1,800,000 x 300 / 6,600 = 81,818.18; ukk 600,000.
    assert e2["activity"]["credited_minutes"] == 300 and e2["activity"]["expired_entries"] == 1
    assert money(e2) == (1881818, 0, 18818, 1863000)
    e3 = rows["E3"]
    # tpp: 3,000,000 x 0.8 + 20 % x tpp_base 1,000,004 = 2,600,000.8; ukk: 600,000 x 0.8 + 20 % x
    # 2,000,001 (tpp_base overrides tpp only) = 880,000.2. Components 1,040,000 + 1,560,000 and
    # 880,000; row ceiling 2,600,001 + 880,000.
    assert e3["allowances"]["tpp"]["ceiling"] == 2600001
    assert e3["allowances"]["ukk"]["ceiling"] == 880000
    assert e3["ceiling"] == 3480001
    assert money(e3) == (3480000, 174000, 34800, 3271200)


# --------------------------------------------------------------------------------------------------
# 10. Entry window 0, another NIP's unlock, score cap 1, a custom sentence kind, PPPK factor with
#     Plt, fractional PPh and BPJS rates, a golongan without "/".


def test_window_zero_custom_sentence_pppk_factor_and_fractional_rates(tmp_path):
    pol = policy(
        sentences={"teguran_lisan": 20, "berat": 100},
        status_factor={"PNS": 100, "CPNS": 80, "PPPK": 90},
        pph21={"mode": "flat_by_golongan", "rates": {"II": 2.5, "III": 5, "IV": 15}},
        health_insurance={"employee_pct": 0.5, "income_cap": 12000000},
    )
    pol["activity"]["entry_window_working_days"] = 0
    data = document(
        [
            emp("E1", gol="II/b"),
            emp(
                "E2",
                status="PPPK",
                gol="IV",
                assignments=[definitif("P5"), definitif("P10", "2026-10-01", "2026-10-31", "plt")],
            ),
        ],
        pol,
    )
    data["punches"] = full("E1", WD) + full("E2", WD)
    data["activities"] = [
        act("E1", D(1), 400),
        act("E1", D(5), 400, "2026-10-06"),  # expired
        act("E1", D(6), 400, "2026-10-07"),  # expired: the unlock is E2's
    ] + [act("E1", d, 350) for d in WD if d.day not in (1, 5, 6)]
    data["unlocks"] = [
        {"nip": "E2", "from": "2026-10-06", "to": "2026-10-06", "approved_on": "2026-10-07"}
    ]
    data["sentences"] = [
        {"nip": "E1", "level": "teguran_lisan", "from": "2026-10-10", "to": "2026-11-09"}
    ]
    _, rows = scenario(data, tmp_path)
    e1 = rows["E1"]
    # 7,050 of 6,600: score 1; 10,000,000 x 0.8 = 8,000,000; PPh II 2.5 % 200,000; BPJS 0.5 %.
    assert e1["activity"]["credited_minutes"] == 7050 and e1["activity"]["expired_entries"] == 2
    assert e1["sentence_pct"] == 20
    assert money(e1) == (8000000, 200000, 40000, 7760000)
    # 3,000,000 x 90 % + 20 % x 10,000,000 = 4,700,000; attendance 40 %; key "IV" 15 %.
    assert rows["E2"]["ceiling"] == 4700000
    assert money(rows["E2"]) == (1880000, 282000, 9400, 1588600)


# --------------------------------------------------------------------------------------------------
# 11. A malformed file: every problem listed with its path, nothing written.


def test_a_malformed_file_lists_every_problem_and_writes_nothing(tmp_path):
    data = document([emp("E1"), emp("E2")])
    data["extra"] = 1
    data["employees"][0]["status"] = "ASN"
    data["employees"][1]["assignments"][0]["position"] = "NOPE"
    data["punches"] = [
        punch("E1", D(1), "07:30"),
        {"nip": "E1", "at": "2026-10-01 07:41", "source": "fingerprint"},
        punch("ZZ", D(1), "07:30"),
    ]
    data["leaves"] = [{"nip": "E1", "type": "cuti_besar", "from": "2026-10-05", "to": "2026-10-06"}]
    data["activities"] = [{**act("E1", D(1), 30), "catalog": "NOCAT"}]
    data["policies"][0]["components"][0]["weight"] = 30
    data["policies"][0]["base_by_class"]["5"] = 1500000.5
    data["schedules"][0]["days"]["mon"] = ["7:30", "16:00"]
    data["sentences"] = [
        {"nip": "E2", "level": "sangat_berat", "from": D(1).isoformat(), "to": "2026-10-02"}
    ]
    data["skp_ratings"] = [{"nip": "E2", "period": "2026-10", "predicate": "bagus"}]
    data["holidays"] = [{"date": "2026-13-01", "name": "X", "kind": "regional"}]
    path, out, fresh = tmp_path / "bad.json", tmp_path / "old.json", tmp_path / "new.json"
    path.write_text(json.dumps(data))
    out.write_text("hasil sebelumnya")
    for target in (out, fresh):
        with pytest.raises(CommandError) as err:
            call_command("scenario", "run", str(path), "--period", "2026-10", "--out", str(target))
        message = str(err.value)
        assert "(13 masalah)" in message
        for p in (
            "$.extra",
            "$.holidays[0].date",
            "$.schedules[0].days.mon[0]",
            "$.employees[0].status",
            "$.employees[1].assignments[0].position",
            "$.punches[1].at",
            "$.punches[2].nip",
            "$.policies[0].base_by_class.5",
            "$.policies[0].components",
            "$.leaves[0].type",
            "$.activities[0].catalog",
            "$.skp_ratings[0].predicate",
            "$.sentences[0].level",
        ):
            assert f"\n{p}: " in message, p
    # "refused as a whole ... and nothing is written"
    assert out.read_text() == "hasil sebelumnya"
    assert not fresh.exists()
