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


if __name__ == "__main__":
    for name, build in [("hss-30-50-20", hss)]:
        (HERE / f"{name}.json").write_text(json.dumps(build(), ensure_ascii=False, indent=1) + "\n")
        print("wrote", name)
