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
    # In post 11 of the 21 working days: 4,000,000 x 80% x 11/21 = 1,676,190.48 -> 1,676,190.
    # Pots: 502,857 / 838,095 / 335,238. One missing check-out: 1.5% x 1,676,190 = 25,142.85
    # -> 477,714.15 -> 477,714. Sick 26-27 Oct reduce the target: 6,750 x (11 - 2) / 21 = 2,892.86.
    # Credited 6 x 300 = 1,800 (the entry of 15 Oct submitted on 30 Oct is past its 7-working-day
    # window, 27 Oct, so expired): 838,095 x 1,800 / 2,892.857 = 521,481.33 -> 521,481.
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


def test_a_bad_file_is_refused_with_every_problem_and_no_result(tmp_path):
    data = json.loads((EXAMPLES / "hss-30-50-20.json").read_text())
    data["employees"][0]["nip"] = "12345"
    data["policies"][0]["components"][0]["weight"] = 35
    data["punches"][0]["sorce"] = "x"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    out = tmp_path / "result.json"
    from django.core.management import CommandError

    with pytest.raises(CommandError) as err:
        call_command("scenario", "run", str(bad), "--period", "2026-10", "--out", str(out))
    text = str(err.value)
    assert "$.employees[0].nip" in text and "$.punches[0].sorce: unknown field" in text
    assert "$.policies[0].components" in text
    assert not out.exists()
