"""The example scenarios in examples/, run through `ekinerja scenario run`, checked figure by figure
against amounts worked out by hand (the working is in the comments)."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(name, tmp_path, period="2026-10"):
    out = tmp_path / "result.json"
    call_command(
        "scenario", "run", str(EXAMPLES / f"{name}.json"), "--period", period, "--out", str(out)
    )
    doc = json.loads(out.read_text())
    assert doc["format"] == "ekinerja-result/1" and doc["period"] == period
    # The result file kept beside the example is exactly what the run gives.
    assert doc == json.loads((EXAMPLES / f"{name}.result.json").read_text())
    return doc, {row["nip"]: row for row in doc["employees"]}


def test_hss_30_50_20(tmp_path):
    doc, rows = run("hss-30-50-20", tmp_path)
    # October 2026: 22 weekdays, less the regional holiday on Tuesday 20 October: W = 21.

    a = rows["197001011995031001"]  # Sekda, kelas 15, PNS IV/c, salary 5,500,000
    # Ceiling 16,000,000; pots 30/50/20: 4,800,000 / 8,000,000 / 3,200,000.
    # Late 10 min (0.5%) and 45 min (1%): 1.5% of the ceiling = 240,000 -> 4,560,000.
    # Activity 14 days x 450 = 6,300 of 6,750: 8,000,000 x 14/15 = 7,466,666.67 -> 7,466,667.
    # SKP baik 100% -> 3,200,000. Gross 15,226,667. PPh 21 15% = 2,284,000.05 -> 2,284,000.
    # Health 1% of min(gross, 12,000,000 - 5,500,000) = 65,000. Net 12,877,667.
    assert a["working_days"] == 21 and a["ceiling"] == 16_000_000
    assert (a["attendance"]["late"], a["attendance"]["deduction_pct"]) == (2, 1.5)
    assert a["attendance"]["amount"] == 4_560_000
    assert a["activity"]["credited_minutes"] == 6300 and a["activity"]["amount"] == 7_466_667
    assert a["skp"] == {"predicate": "baik", "pct": 100, "amount": 3_200_000}
    assert (a["gross"], a["pph21"], a["health_insurance"], a["net"]) == (
        15_226_667,
        2_284_000,
        65_000,
        12_877_667,
    )

    b = rows["199805052026102001"]  # CPNS kelas 7 from 15 October, III/a, salary 2,500,000
    # In post 11 of the 21 working days: 4,000,000 x 80% x 11/21 = 1,676,190.48 (shown 1,676,190),
    # exact. Pots (exact): 502,857.14 / 838,095.24 / 335,238.10. One missing check-out: 1.5% x
    # 1,676,190.48 = 25,142.86 -> 477,714.29 -> 477,714. Sick 26-27 Oct reduce the target:
    # 6,750 x (11 - 2) / 21 = 2,892.86. Credited 6 x 300 = 1,800 (the entry of 15 Oct submitted on
    # 30 Oct is past its 7-working-day window, 27 Oct, so expired): 838,095.24 x 1,800 / 2,892.857
    # = 521,481.48 -> 521,481.
    # Not rated: 0. Gross 999,195. PPh 21 5% = 49,959.75 -> 49,960. Health 1% = 9,991.95 -> 9,992.
    # Net 939,243.
    assert b["ceiling"] == 1_676_190
    assert b["attendance"]["missing_check_out"] == 1 and b["attendance"]["amount"] == 477_714
    assert b["attendance"]["leave_days"] == {"sakit": 2}
    assert b["activity"]["credited_minutes"] == 1800 and b["activity"]["expired_entries"] == 1
    assert b["activity"]["amount"] == 521_481
    assert b["skp"]["amount"] == 0
    assert (b["gross"], b["pph21"], b["health_insurance"], b["net"]) == (
        999_195,
        49_960,
        9_992,
        939_243,
    )

    c = rows["198203032006041002"]  # Kabag kelas 9, PNS III/d, salary 4,000,000, sentence ringan
    # Ceiling 6,000,000; pots 1,800,000 / 3,000,000 / 1,200,000. Two days absent without notice
    # (2 x 4.5%) and one izin (1%): 10% of 6,000,000 = 600,000 -> 1,200,000.
    # Target 6,750 x 20/21 = 6,428.57; credited 16 x 420 = 6,720: score 1 -> 3,000,000.
    # SKP butuh perbaikan 75% -> 900,000. Sum 5,100,000; sentence ringan cuts 25%: gross 3,825,000.
    # PPh 21 5% = 191,250. Health 1% = 38,250. Net 3,595,500.
    assert c["attendance"]["absent_without_notice"] == 2 and c["attendance"]["deduction_pct"] == 10
    assert c["attendance"]["amount"] == 1_200_000
    assert c["activity"]["amount"] == 3_000_000 and c["skp"]["amount"] == 900_000
    assert c["sentence_pct"] == 25
    assert (c["gross"], c["pph21"], c["health_insurance"], c["net"]) == (
        3_825_000,
        191_250,
        38_250,
        3_595_500,
    )

    assert doc["totals"] == {
        "employees": 3,
        "gross": 15_226_667 + 999_195 + 3_825_000,
        "pph21": 2_284_000 + 49_960 + 191_250,
        "health_insurance": 65_000 + 9_992 + 38_250,
        "net": 12_877_667 + 939_243 + 3_595_500,
    }


def test_national_40_60_with_shifts_plt_and_study_leave(tmp_path):
    doc, rows = run("national-40-60-shifts-plt", tmp_path)
    # Deductions are taken from the component's pot; grace 5 minutes; no holidays.

    d = rows["199203142023212003"]  # nurse, PPPK kelas 7, shift roster: W = 20 rostered days
    # Ceiling 4,000,000; pots 40/60: 1,600,000 / 2,400,000.
    # 5 Oct leaves at 13:00 on a 07:00-14:00 shift: 60 minutes early (1%); 21 Oct night shift
    # (21:00-07:00, check-out 07:03 the next morning) starts at 21:20: 20 minutes late (0.5%);
    # 14 Oct 14:04 is 4 minutes, within the grace. 1.5% x 1,600,000 = 24,000 -> 1,576,000.
    # Activity 15 x 300 = 4,500 of 6,750: 2,400,000 x 2/3 = 1,600,000. Gross 3,176,000.
    # PPh 21: PPPK grade IX is not a listed key -> 0. Health 1% (no cap) = 31,760. Net 3,144,240.
    assert d["working_days"] == 20 and d["ceiling"] == 4_000_000
    assert (d["attendance"]["late"], d["attendance"]["early"], d["attendance"]["amount"]) == (
        1,
        1,
        1_576_000,
    )
    assert d["activity"]["amount"] == 1_600_000
    assert (d["gross"], d["pph21"], d["health_insurance"], d["net"]) == (
        3_176_000,
        0,
        31_760,
        3_144_240,
    )

    e = rows[
        "198011112005011004"
    ]  # Kasi kelas 9 (6,000,000), Plt Kepala Dinas kelas 12 from 12 Oct
    # W = 22. Days 1-9 Oct (7 days): 6,000,000; 12-30 Oct (15 days): 6,000,000 + 20% x 10,000,000.
    # Ceiling (7 x 6,000,000 + 15 x 8,000,000) / 22 = 7,363,636.36 (shown 7,363,636), exact.
    # Pots (exact) 2,945,454.54 / 4,418,181.81.
    # No check-in on 7 Oct: 1.5% x 2,945,454.54 = 44,181.81 -> 2,901,272.72 -> 2,901,273. Dinas luar
    # 26-27 Oct deducts nothing and does not reduce the target; 20 x 360 = 7,200 >= 6,750: the whole
    # pot 4,418,181.81, which half-up would round above the pot: 4,418,181 (never above the pot).
    # Gross 7,319,454. PPh 21 5% = 365,972.70 -> 365,973. Health 1% = 73,194.54 -> 73,195.
    # Net 6,880,286.
    assert e["ceiling"] == 7_363_636
    assert e["attendance"]["missing_check_in"] == 1 and e["attendance"]["amount"] == 2_901_273
    assert e["attendance"]["leave_days"] == {"dinas_luar": 2}
    assert e["activity"]["amount"] == 4_418_181
    # The notes tell an auditor checking by hand why it is not 4,418,182.
    assert (
        "Komponen aktivitas dibulatkan ke bawah menjadi Rp4.418.181: pembulatan setengah ke atas "
        "akan melebihi porsi Rp4.418.181,82, sedangkan komponen tidak boleh melebihi porsinya."
    ) in e["notes"]
    assert not any("dibulatkan ke bawah" in n for n in d["notes"])
    assert (e["gross"], e["pph21"], e["health_insurance"], e["net"]) == (
        7_319_454,
        365_973,
        73_195,
        6_880_286,
    )

    f = rows["199001012015031005"]  # pelaksana kelas 5 (3,000,000), tugas belajar from 19 Oct
    # In post 12 of 22 days: ceiling 3,000,000 x 12/22 = 1,636,363.64 (shown 1,636,364), exact.
    # Pots (exact) 654,545.45 / 981,818.18. Late 95 minutes on 2 Oct (over 90: 1.5%):
    # 9,818.18 -> 644,727.27 -> 644,727. Target 6,750 x 12/22 = 3,681.82; credited 12 x 300 = 3,600:
    # 981,818.18 x 3,600 / 3,681.82 = 960,000 exactly. Gross 1,604,727. PPh 21 (II) 0.
    # Health 1% = 16,047.27 -> 16,047. Net 1,588,680.
    assert f["ceiling"] == 1_636_364 and f["attendance"]["leave_days"] == {"tugas_belajar": 10}
    assert (f["attendance"]["amount"], f["activity"]["amount"]) == (644_727, 960_000)
    assert (f["gross"], f["pph21"], f["health_insurance"], f["net"]) == (
        1_604_727,
        0,
        16_047,
        1_588_680,
    )
    assert doc["totals"]["gross"] == 3_176_000 + 7_319_454 + 1_604_727
    assert doc["totals"]["net"] == 3_144_240 + 6_880_286 + 1_588_680


def test_madiun_two_allowances_and_attendance_floor(tmp_path):
    doc, rows = run("madiun-tpp-ukk", tmp_path)
    # TPP (attendance 40 / activity 60) and UKK (SKP 100), each computed up to its own gross.

    g = rows["198507072010012006"]  # Kasubbid kelas 9 with its own TPP base 5,500,000; III/b
    # TPP: ceiling 5,500,000 (the position's base overrides the TPP table only); pots 2,200,000 /
    # 3,300,000. Early leave of 35 minutes (1%): 22,000 -> 2,178,000. 17 x 400 = 6,800 >= 6,750:
    # 3,300,000. TPP gross 5,478,000. UKK: ceiling 1,500,000 (table), sangat baik 100%: 1,500,000.
    # Gross 6,978,000; PPh 21 5% = 348,900; no health share. Net 6,629,100.
    assert (
        g["allowances"]["tpp"]["ceiling"] == 5_500_000
        and g["allowances"]["tpp"]["gross"] == 5_478_000
    )
    assert g["allowances"]["ukk"]["gross"] == 1_500_000
    assert (g["gross"], g["pph21"], g["health_insurance"], g["net"]) == (
        6_978_000,
        348_900,
        0,
        6_629_100,
    )

    h = rows["199909092025052007"]  # CPNS kelas 7, II/a; punches on 10 of 22 days only
    # TPP: ceiling 4,000,000 x 80% = 3,200,000; pots 1,280,000 / 1,920,000. 12 days absent without
    # notice x 3% = 36%: 460,800 -> 819,200. Activity 10 x 450 = 4,500 of 6,750: 1,280,000.
    # Presence 10/22 = 45% is in the floor [25, 50): 50%. TPP gross (819,200 + 1,280,000) x 50%
    # = 1,049,600. UKK: ceiling 1,000,000 x 80% = 800,000; kurang 50%: 400,000 x 50% = 200,000.
    # Gross 1,249,600; PPh 21 (II) 0. Net 1,249,600.
    assert h["floor_pct"] == 50 and h["attendance"]["absent_without_notice"] == 12
    assert (
        h["allowances"]["tpp"]["gross"] == 1_049_600 and h["allowances"]["ukk"]["gross"] == 200_000
    )
    assert (h["gross"], h["pph21"], h["net"]) == (1_249_600, 0, 1_249_600)
    assert doc["totals"] == {
        "employees": 2,
        "gross": 8_227_600,
        "pph21": 348_900,
        "health_insurance": 0,
        "net": 7_878_700,
    }


def test_a_bad_file_is_refused_with_every_problem_and_no_result(tmp_path):
    data = json.loads((EXAMPLES / "hss-30-50-20.json").read_text())
    data["employees"][0]["nip"] = ""
    data["policies"][0]["components"][0]["weight"] = 35
    data["punches"][0]["sorce"] = "x"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    out = tmp_path / "result.json"
    from django.core.management import CommandError

    with pytest.raises(CommandError) as err:
        call_command("scenario", "run", str(bad), "--period", "2026-10", "--out", str(out))
    text = str(err.value)
    assert "$.employees[0].nip" in text and "$.punches[0].sorce: kunci tidak dikenal" in text
    assert "$.policies[0].components" in text
    assert not out.exists()
