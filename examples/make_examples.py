"""Writes the example scenario files of this folder. The files are the fixtures; this script only
saves typing the punches and entries of every day. Expected figures are worked out by hand in
tests/exchange/test_examples.py, never by running this code.

    python examples/make_examples.py
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

HERE = Path(__file__).parent
OCT = [dt.date(2026, 10, d) for d in range(1, 32)]
BANDS = [[1, 30, 0.5], [31, 60, 1], [61, 90, 1.25], [91, None, 1.5]]


def weekdays(holidays=()):
    return [d for d in OCT if d.weekday() < 5 and d not in holidays]


def hm(t: str, day: dt.date) -> str:
    return f"{day.isoformat()}T{t}"


def day_punches(nip, day, check_in="07:25", check_out=None):
    out = []
    if check_in:
        out.append({"nip": nip, "at": hm(check_in, day), "source": "fingerprint"})
    end = check_out if check_out is not None else ("16:35" if day.weekday() == 4 else "16:05")
    if end:
        out.append({"nip": nip, "at": hm(end, day), "source": "fingerprint"})
    return out


def entry(nip, day, catalog, volume, start="08:00", end="15:30", submitted=None, status="approved"):
    return {
        "nip": nip,
        "date": day.isoformat(),
        "start": start,
        "end": end,
        "catalog": catalog,
        "volume": volume,
        "submitted_on": (submitted or day).isoformat(),
        "status": status,
    }


def hss():
    """Kabupaten, 30/50/20, deductions from the ceiling, 5-day week, one regional holiday."""
    holiday = dt.date(2026, 10, 20)
    W = weekdays({holiday})
    assert len(W) == 21
    A, B, C = "197001011995031001", "199805052026102001", "198203032006041002"
    punches, activities, leaves = [], [], []
    # A: two late arrivals (10 and 45 minutes), 14 days of 450 credited minutes.
    for d in W:
        cin = {dt.date(2026, 10, 6): "07:40", dt.date(2026, 10, 13): "08:15"}.get(d, "07:25")
        punches += day_punches(A, d, cin)
    activities += [entry(A, d, "A01", 15) for d in W[:14]]
    # B: CPNS from 15 October; one missing check-out; sick 26-27 October; one entry submitted late.
    inpost = [d for d in W if d >= dt.date(2026, 10, 15)]
    assert len(inpost) == 11
    for d in inpost:
        if d.day in (26, 27):
            continue
        punches += day_punches(B, d, "07:20", "" if d == dt.date(2026, 10, 16) else None)
    leaves.append({"nip": B, "type": "sakit", "from": "2026-10-26", "to": "2026-10-27"})
    sick = {dt.date(2026, 10, 26), dt.date(2026, 10, 27)}
    activities += [
        entry(B, d, "A02", 5, "08:00", "13:00")
        for d in [x for x in inpost[1:] if x not in sick][:6]
    ]
    activities.append(
        entry(B, inpost[0], "A03", 4, "08:00", "12:00", submitted=dt.date(2026, 10, 30))
    )
    # C: absent without notice on 8 and 9 October, izin on 12 October, 16 days of 420 minutes.
    absent = {dt.date(2026, 10, 8), dt.date(2026, 10, 9)}
    izin = dt.date(2026, 10, 12)
    present = [d for d in W if d not in absent and d != izin]
    for d in present:
        punches += day_punches(C, d, "07:28")
    leaves.append({"nip": C, "type": "izin", "from": "2026-10-12", "to": "2026-10-12"})
    activities += [entry(C, d, "A02", 7, "08:00", "15:00") for d in present[:16]]
    return {
        "format": "ekinerja/1",
        "instansi": {
            "code": "6306",
            "name": "Pemerintah Kabupaten Contoh Hulu",
            "timezone": "Asia/Makassar",
        },
        "holidays": [
            {"date": holiday.isoformat(), "name": "Hari Jadi Kabupaten", "kind": "regional"}
        ],
        "use_national_holidays": False,
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
            }
        ],
        "units": [
            {"code": "SETDA", "name": "Sekretariat Daerah", "parent": None},
            {"code": "BAGUM", "name": "Bagian Umum", "parent": "SETDA"},
        ],
        "positions": [
            {
                "code": "SEKDA",
                "name": "Sekretaris Daerah",
                "unit": "SETDA",
                "kind": "struktural",
                "class": 15,
                "parent": None,
                "tpp_base": None,
            },
            {
                "code": "KABAG",
                "name": "Kepala Bagian Umum",
                "unit": "BAGUM",
                "kind": "struktural",
                "class": 9,
                "parent": "SEKDA",
                "tpp_base": None,
            },
            {
                "code": "PENGADM",
                "name": "Pengadministrasi Umum",
                "unit": "BAGUM",
                "kind": "pelaksana",
                "class": 7,
                "parent": "KABAG",
                "tpp_base": None,
            },
        ],
        "employees": [
            {
                "nip": A,
                "name": "H. Ahmad Fauzi",
                "status": "PNS",
                "golongan": "IV/c",
                "schedule": "5HK",
                "salary": 5500000,
                "assignments": [
                    {"position": "SEKDA", "from": "2024-01-01", "to": None, "kind": "definitif"}
                ],
            },
            {
                "nip": B,
                "name": "Siti Rahmah",
                "status": "CPNS",
                "golongan": "III/a",
                "schedule": "5HK",
                "salary": 2500000,
                "assignments": [
                    {"position": "PENGADM", "from": "2026-10-15", "to": None, "kind": "definitif"}
                ],
            },
            {
                "nip": C,
                "name": "Muhammad Rizani",
                "status": "PNS",
                "golongan": "III/d",
                "schedule": "5HK",
                "salary": 4000000,
                "assignments": [
                    {"position": "KABAG", "from": "2020-03-01", "to": None, "kind": "definitif"}
                ],
            },
        ],
        "shift_roster": [],
        "punches": punches,
        "leaves": leaves,
        "activity_catalog": [
            {
                "code": "A01",
                "name": "Menyusun konsep naskah dinas",
                "output": "konsep",
                "minutes": 30,
            },
            {"code": "A02", "name": "Mengagendakan surat masuk", "output": "surat", "minutes": 60},
            {
                "code": "A03",
                "name": "Menyusun laporan kegiatan",
                "output": "laporan",
                "minutes": 60,
            },
        ],
        "activities": activities,
        "unlocks": [],
        "skp_ratings": [
            {"nip": A, "period": "2026-10", "predicate": "baik"},
            {"nip": C, "period": "2026-10", "predicate": "butuh_perbaikan"},
        ],
        "sentences": [{"nip": C, "level": "ringan", "from": "2026-09-01", "to": "2026-10-31"}],
        "policies": [
            {
                "name": "Perbup Contoh Hulu 39/2018 (revisi 3)",
                "effective_from": "2026-01-01",
                "base_by_class": {"7": 4000000, "9": 6000000, "15": 16000000},
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
                    "late_bands": BANDS,
                    "early_bands": BANDS,
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
                    "tugas_belajar": {"excludes_tpp": True},
                },
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
                "pph21": {
                    "mode": "flat_by_golongan",
                    "rates": {"I": 0, "II": 0, "III": 5, "IV": 15},
                },
                "health_insurance": {"employee_pct": 1, "income_cap": 12000000},
            }
        ],
    }


def national():
    """Kota, discipline 40 / productivity 60 from the pot, grace 5 minutes; a nurse on hospital shifts
    (night shifts across midnight), a Plt of a vacant head-of-agency post, a study leave."""
    W = weekdays()
    assert len(W) == 22
    D, E, F = "199203142023212003", "198011112005011004", "199001012015031005"
    punches, activities, leaves, roster = [], [], [], []
    # D: nurse (PPPK), roster P on 1-10, S on 12-16, M (21:00-07:00) on 19-23 October: 20 shifts.
    shifts = [(dt.date(2026, 10, d), "P") for d in range(1, 11)]
    shifts += [(dt.date(2026, 10, d), "S") for d in range(12, 17)]
    shifts += [(dt.date(2026, 10, d), "M") for d in range(19, 24)]
    for day, code in shifts:
        roster.append({"nip": D, "date": day.isoformat(), "shift": code})
        nxt = day + dt.timedelta(days=1)
        if code == "P":
            out = "13:00" if day.day == 5 else "14:02"  # 5 Oct: leaves 60 minutes early
            punches += [
                {"nip": D, "at": hm("06:55", day), "source": "fingerprint"},
                {"nip": D, "at": hm(out, day), "source": "fingerprint"},
            ]
        elif code == "S":
            cin = "14:04" if day.day == 14 else "13:58"  # 14 Oct: 4 minutes, within the grace
            punches += [
                {"nip": D, "at": hm(cin, day), "source": "fingerprint"},
                {"nip": D, "at": hm("21:05", day), "source": "fingerprint"},
            ]
        else:
            cin = "21:20" if day.day == 21 else "20:50"  # 21 Oct: 20 minutes late
            punches += [
                {"nip": D, "at": hm(cin, day), "source": "fingerprint"},
                {"nip": D, "at": hm("07:03", nxt), "source": "fingerprint"},
            ]
    activities += [
        entry(D, day, "K01", 5, "09:00", "13:00") for day, code in shifts if code in "PS"
    ]
    # E: Kasi (kelas 9) and Plt Kepala Dinas (kelas 12, vacant) from 12 October; no check-in on
    # 7 October; dinas luar 26-27 October; 20 days of 360 minutes.
    dl = {dt.date(2026, 10, 26), dt.date(2026, 10, 27)}
    for d in W:
        if d in dl:
            continue
        punches += day_punches(
            E, d, None if d.day == 7 else "07:50", "16:10" if d.weekday() < 4 else "16:40"
        )
    leaves.append({"nip": E, "type": "dinas_luar", "from": "2026-10-26", "to": "2026-10-27"})
    activities += [entry(E, d, "K02", 6, "08:00", "14:00") for d in W if d not in dl]
    # F: pelaksana (kelas 5) on study leave (tugas belajar) from 19 October; 95 minutes late on 2 Oct.
    before = [d for d in W if d < dt.date(2026, 10, 19)]
    for d in before:
        punches += day_punches(
            F, d, "09:35" if d.day == 2 else "07:45", "16:10" if d.weekday() < 4 else "16:40"
        )
    leaves.append({"nip": F, "type": "tugas_belajar", "from": "2026-10-19", "to": "2026-12-31"})
    activities += [entry(F, d, "K01", 5, "08:00", "13:00") for d in before]
    return {
        "format": "ekinerja/1",
        "instansi": {
            "code": "3578",
            "name": "Pemerintah Kota Contoh Pesisir",
            "timezone": "Asia/Jakarta",
        },
        "holidays": [],
        "use_national_holidays": False,
        "schedules": [
            {
                "code": "5HK",
                "kind": "fixed",
                "days": {
                    "mon": ["08:00", "16:00"],
                    "tue": ["08:00", "16:00"],
                    "wed": ["08:00", "16:00"],
                    "thu": ["08:00", "16:00"],
                    "fri": ["08:00", "16:30"],
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
        "units": [
            {"code": "DINKES", "name": "Dinas Kesehatan", "parent": None},
            {"code": "RSUD", "name": "RSUD Kota", "parent": "DINKES"},
        ],
        "positions": [
            {
                "code": "KADINKES",
                "name": "Kepala Dinas Kesehatan",
                "unit": "DINKES",
                "kind": "struktural",
                "class": 12,
                "parent": None,
                "tpp_base": None,
            },
            {
                "code": "KASI",
                "name": "Kepala Seksi Pelayanan Kesehatan",
                "unit": "DINKES",
                "kind": "struktural",
                "class": 9,
                "parent": "KADINKES",
                "tpp_base": None,
            },
            {
                "code": "PERAWAT",
                "name": "Perawat Ahli Pertama",
                "unit": "RSUD",
                "kind": "fungsional",
                "class": 7,
                "parent": "KASI",
                "tpp_base": None,
            },
            {
                "code": "PENGADM",
                "name": "Pengadministrasi Perkantoran",
                "unit": "DINKES",
                "kind": "pelaksana",
                "class": 5,
                "parent": "KASI",
                "tpp_base": None,
            },
        ],
        "employees": [
            {
                "nip": D,
                "name": "Ns. Dewi Kartika",
                "status": "PPPK",
                "golongan": "IX",
                "schedule": "RS",
                "assignments": [
                    {"position": "PERAWAT", "from": "2025-01-01", "to": None, "kind": "definitif"}
                ],
            },
            {
                "nip": E,
                "name": "dr. Eko Prasetyo",
                "status": "PNS",
                "golongan": "III/c",
                "schedule": "5HK",
                "assignments": [
                    {"position": "KASI", "from": "2019-01-02", "to": None, "kind": "definitif"},
                    {
                        "position": "KADINKES",
                        "from": "2026-10-12",
                        "to": "2026-12-31",
                        "kind": "plt",
                    },
                ],
            },
            {
                "nip": F,
                "name": "Fajar Nugroho",
                "status": "PNS",
                "golongan": "II/c",
                "schedule": "5HK",
                "assignments": [
                    {"position": "PENGADM", "from": "2015-03-01", "to": None, "kind": "definitif"}
                ],
            },
        ],
        "shift_roster": roster,
        "punches": punches,
        "leaves": leaves,
        "activity_catalog": [
            {
                "code": "K01",
                "name": "Melakukan asuhan keperawatan",
                "output": "pasien",
                "minutes": 60,
            },
            {"code": "K02", "name": "Memimpin rapat koordinasi", "output": "rapat", "minutes": 60},
        ],
        "activities": activities,
        "unlocks": [],
        "skp_ratings": [],
        "sentences": [],
        "policies": [
            {
                "name": "Perwali Contoh Pesisir 12/2026 (pola nasional 40/60)",
                "effective_from": "2026-01-01",
                "base_by_class": {"5": 3000000, "7": 4000000, "9": 6000000, "12": 10000000},
                "status_factor": {"PNS": 100, "CPNS": 80, "PPPK": 100},
                "plt_pct": 20,
                "components": [
                    {"key": "attendance", "weight": 40},
                    {"key": "activity", "weight": 60},
                ],
                "attendance": {
                    "deduct_from": "pot",
                    "grace_minutes": 5,
                    "late_bands": BANDS,
                    "early_bands": BANDS,
                    "missing_check_in": 1.5,
                    "missing_check_out": 1.5,
                    "absent_without_notice": 3,
                },
                "leave_types": {
                    "sakit": {"deduction": 0, "reduces_activity_target": True},
                    "dinas_luar": {
                        "deduction": 0,
                        "reduces_activity_target": False,
                        "counts_as_present": True,
                    },
                    "tugas_belajar": {"excludes_tpp": True},
                },
                "activity": {
                    "monthly_target_minutes": 6750,
                    "daily_cap_minutes": 420,
                    "entry_window_working_days": 5,
                    "score_cap": 1,
                },
                "skp": {
                    "sangat_baik": 100,
                    "baik": 100,
                    "butuh_perbaikan": 80,
                    "kurang": 60,
                    "sangat_kurang": 40,
                    "not_rated": 0,
                },
                "sentences": {"ringan": 20, "sedang": 50, "berat": 80},
                "pph21": {
                    "mode": "flat_by_golongan",
                    "rates": {"I": 0, "II": 0, "III": 5, "IV": 15},
                },
                "health_insurance": {"employee_pct": 1},
            }
        ],
    }


def madiun():
    """Kota with two allowances: TPP (attendance 40 / activity 60) and UKK (SKP 100); a position with its
    own TPP base; an attendance floor."""
    W = weekdays()
    G, H = "198507072010012006", "199909092025052007"
    punches, activities = [], []
    for d in W:  # G: one early leave of 35 minutes on 15 October
        punches += day_punches(G, d, "07:15", "15:25" if d.day == 15 else None)
    activities += [entry(G, d, "M01", 8, "08:00", "14:40") for d in W[:17]]
    present = W[:10]  # H: punches on only 10 of 22 days, no leave: 12 days absent, presence 45%
    for d in present:
        punches += day_punches(H, d, "07:20")
    activities += [entry(H, d, "M01", 9, "08:00", "15:30") for d in present]
    return {
        "format": "ekinerja/1",
        "instansi": {
            "code": "3577",
            "name": "Pemerintah Kota Contoh Madya",
            "timezone": "Asia/Jakarta",
        },
        "holidays": [],
        "use_national_holidays": False,
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
            }
        ],
        "units": [
            {"code": "BAPPEDA", "name": "Badan Perencanaan Pembangunan Daerah", "parent": None}
        ],
        "positions": [
            {
                "code": "KASUBBID",
                "name": "Kepala Sub Bidang Perencanaan",
                "unit": "BAPPEDA",
                "kind": "struktural",
                "class": 9,
                "parent": None,
                "tpp_base": 5500000,
            },
            {
                "code": "PERENCANA",
                "name": "Perencana Ahli Pertama",
                "unit": "BAPPEDA",
                "kind": "fungsional",
                "class": 7,
                "parent": "KASUBBID",
                "tpp_base": None,
            },
        ],
        "employees": [
            {
                "nip": G,
                "name": "Gilang Ramadhan",
                "status": "PNS",
                "golongan": "III/b",
                "schedule": "5HK",
                "assignments": [
                    {"position": "KASUBBID", "from": "2022-01-03", "to": None, "kind": "definitif"}
                ],
            },
            {
                "nip": H,
                "name": "Hana Safitri",
                "status": "CPNS",
                "golongan": "II/a",
                "schedule": "5HK",
                "assignments": [
                    {"position": "PERENCANA", "from": "2025-05-01", "to": None, "kind": "definitif"}
                ],
            },
        ],
        "shift_roster": [],
        "punches": punches,
        "leaves": [],
        "activity_catalog": [
            {
                "code": "M01",
                "name": "Menyusun bahan rencana kerja",
                "output": "dokumen",
                "minutes": 50,
            }
        ],
        "activities": activities,
        "unlocks": [],
        "skp_ratings": [
            {"nip": G, "period": "2026-10", "predicate": "sangat_baik"},
            {"nip": H, "period": "2026-10", "predicate": "kurang"},
        ],
        "sentences": [],
        "policies": [
            {
                "name": "Perwali Contoh Madya 25/2026 (TPP dan UKK)",
                "effective_from": "2026-07-01",
                "status_factor": {"PNS": 100, "CPNS": 80, "PPPK": 100},
                "allowances": [
                    {
                        "key": "tpp",
                        "name": "Tambahan Penghasilan Pegawai",
                        "base_by_class": {"7": 4000000, "9": 5000000},
                        "components": [
                            {"key": "attendance", "weight": 40},
                            {"key": "activity", "weight": 60},
                        ],
                    },
                    {
                        "key": "ukk",
                        "name": "Uang Kinerja",
                        "base_by_class": {"7": 1000000, "9": 1500000},
                        "components": [{"key": "skp", "weight": 100}],
                    },
                ],
                "attendance": {
                    "deduct_from": "pot",
                    "grace_minutes": 0,
                    "late_bands": BANDS,
                    "early_bands": BANDS,
                    "missing_check_in": 1,
                    "missing_check_out": 1,
                    "absent_without_notice": 3,
                },
                "leave_types": {"sakit": {"deduction": 0, "reduces_activity_target": True}},
                "attendance_floors": [[0, 25, 0], [25, 50, 50]],
                "activity": {
                    "monthly_target_minutes": 6750,
                    "daily_cap_minutes": 450,
                    "entry_window_working_days": 7,
                    "score_cap": 1,
                },
                "skp": {
                    "sangat_baik": 100,
                    "baik": 90,
                    "butuh_perbaikan": 70,
                    "kurang": 50,
                    "sangat_kurang": 30,
                    "not_rated": 0,
                },
                "sentences": {"ringan": 25, "sedang": 50, "berat": 100},
                "pph21": {
                    "mode": "flat_by_golongan",
                    "rates": {"I": 0, "II": 0, "III": 5, "IV": 15},
                },
                "health_insurance": {"employee_pct": 0},
            }
        ],
    }


if __name__ == "__main__":
    for name, build in [
        ("hss-30-50-20", hss),
        ("national-40-60-shifts-plt", national),
        ("madiun-tpp-ukk", madiun),
    ]:
        (HERE / f"{name}.json").write_text(json.dumps(build(), ensure_ascii=False, indent=1) + "\n")
        print("wrote", name)
