"""The policy schema: strict validation with every problem listed, exact round trip, templates."""

import copy
import dataclasses
import datetime as dt
import json
import pickle
from decimal import Decimal

import pytest

from ekinerja.tpp.policy import (
    TEMPLATES,
    Band,
    FrozenMap,
    LeaveType,
    PolicyError,
    hss_template,
    madiun_template,
    manado_template,
    national_template,
    policy_from_dict,
    policy_to_dict,
)
from tests.tpp.builders import DELETE, policy_dict

# The policy object of scenario-format.md, with its "…" elisions filled in.
FORMAT_EXAMPLE = json.loads(
    """{
  "name": "Perbup HSS 39/2018 (revisi 3)", "effective_from": "2026-01-01",
  "base_by_class": {"1": 1500000, "2": 0, "15": 16000000},
  "status_factor": {"PNS": 100, "CPNS": 80, "PPPK": 100},
  "plt_pct": 20,
  "components": [
    {"key": "attendance", "weight": 30},
    {"key": "activity", "weight": 50},
    {"key": "skp", "weight": 20}
  ],
  "attendance": {
    "deduct_from": "ceiling",
    "grace_minutes": 0,
    "late_bands": [[1, 30, 0.5], [31, 60, 1], [61, 90, 1.25], [91, null, 1.5]],
    "early_bands": [[1, 30, 0.5], [31, 60, 1], [61, 90, 1.25], [91, null, 1.5]],
    "missing_check_in": 1.5, "missing_check_out": 1.5, "absent_without_notice": 4.5
  },
  "leave_types": {
    "sakit": {"deduction": 0, "reduces_activity_target": true},
    "izin": {"deduction": 1, "reduces_activity_target": true},
    "cuti_tahunan": {"deduction": 0, "reduces_activity_target": true},
    "dinas_luar": {"deduction": 0, "reduces_activity_target": false, "counts_as_present": true},
    "wfh": {"deduction": 0, "reduces_activity_target": false, "counts_as_present": true},
    "tugas_belajar": {"excludes_tpp": true}
  },
  "attendance_floors": [[0, 25, 0], [25, 50, 50]],
  "activity": {"monthly_target_minutes": 6750, "daily_cap_minutes": 450,
               "entry_window_working_days": 7, "score_cap": 1.0},
  "skp": {"sangat_baik": 100, "baik": 100, "butuh_perbaikan": 75, "kurang": 50, "sangat_kurang": 25,
          "not_rated": 0},
  "sentences": {"ringan": 25, "sedang": 50, "berat": 100},
  "pph21": {"mode": "flat_by_golongan", "rates": {"I": 0, "II": 0, "III": 5, "IV": 15}},
  "health_insurance": {"employee_pct": 1, "income_cap": 12000000}
}"""
)


def problems_of(data, **kwargs):
    with pytest.raises(PolicyError) as info:
        policy_from_dict(data, **kwargs)
    return info.value.problems


# ---- reading the format -----------------------------------------------------------------------


def test_format_example_policy_reads_with_exact_decimals():
    p = policy_from_dict(FORMAT_EXAMPLE)
    assert p.name == "Perbup HSS 39/2018 (revisi 3)"
    assert p.effective_from == dt.date(2026, 1, 1)
    assert p.base_by_class == {1: Decimal(1500000), 2: Decimal(0), 15: Decimal(16000000)}
    assert p.attendance.late_bands[0] == Band(1, 30, Decimal("0.5"))
    assert p.attendance.late_bands[2].pct == Decimal("1.25")
    assert p.attendance.late_bands[3].upper is None
    assert p.attendance.absent_without_notice == Decimal("4.5")
    assert p.activity.score_cap == Decimal("1.0")
    assert p.leave_types["tugas_belajar"] == LeaveType(excludes_tpp=True)
    assert p.leave_types["dinas_luar"].counts_as_present is True
    assert p.leave_types["sakit"].counts_as_present is False  # default
    assert p.health_insurance.income_cap == Decimal(12000000)
    assert [c.key for c in p.components] == ["attendance", "activity", "skp"]
    assert not p.uses_allowances
    assert [a.key for a in p.allowance_list()] == ["tpp"]


def test_float_percentages_go_through_str_not_binary():
    p = policy_from_dict(policy_dict(attendance__missing_check_in=0.1))
    assert p.attendance.missing_check_in == Decimal("0.1")


def test_integral_float_money_is_accepted_as_whole_rupiah():
    data = policy_dict()
    data["base_by_class"]["1"] = 1500000.0
    assert policy_from_dict(data).base_by_class[1] == Decimal(1500000)


def test_date_object_is_accepted_for_effective_from():
    assert policy_from_dict(policy_dict(effective_from=dt.date(2027, 1, 1))).effective_from == (
        dt.date(2027, 1, 1)
    )


@pytest.mark.parametrize("template", [t for _, t in TEMPLATES.values()])
def test_templates_are_valid_and_round_trip(template):
    data = template()
    p = policy_from_dict(data)
    out = policy_to_dict(p)
    assert policy_from_dict(out) == p
    assert policy_to_dict(policy_from_dict(out)) == out
    assert json.loads(json.dumps(out)) == out  # JSON-ready


def test_round_trip_keeps_the_format_example_up_to_normalised_leave_flags():
    out = policy_to_dict(policy_from_dict(FORMAT_EXAMPLE))
    expected = copy.deepcopy(FORMAT_EXAMPLE)
    for rules in expected["leave_types"].values():
        for flag in ("reduces_activity_target", "counts_as_present", "excludes_tpp"):
            rules.setdefault(flag, False)
        rules.setdefault("deduction", 0)
    expected["activity"]["score_cap"] = 1
    assert out == expected


def test_optional_fields_absent_stay_absent():
    data = policy_dict(
        plt_pct=DELETE, attendance_floors=DELETE, health_insurance=DELETE, pph21={"mode": "none"}
    )
    p = policy_from_dict(data)
    assert p.plt_pct is None and p.attendance_floors is None and p.health_insurance is None
    out = policy_to_dict(p)
    for key in ("plt_pct", "attendance_floors", "health_insurance"):
        assert key not in out
    assert out["pph21"] == {"mode": "none"}


def test_null_optional_fields_mean_absent():
    data = policy_dict(plt_pct=None, attendance_floors=None, health_insurance=None)
    data["health_insurance"] = {"employee_pct": 1, "income_cap": None}
    p = policy_from_dict(data)
    assert p.plt_pct is None and p.attendance_floors is None
    assert p.health_insurance.income_cap is None


def test_daily_target_instead_of_monthly():
    data = policy_dict(activity__monthly_target_minutes=DELETE, activity__daily_target_minutes=300)
    p = policy_from_dict(data)
    assert p.activity.daily_target_minutes == 300 and p.activity.monthly_target_minutes is None
    assert policy_to_dict(p)["activity"]["daily_target_minutes"] == 300


def test_allowances_variant_reads_and_round_trips():
    p = policy_from_dict(madiun_template())
    assert p.uses_allowances and p.base_by_class is None and p.components is None
    assert [a.key for a in p.allowance_list()] == ["tpp", "ukk"]
    assert p.component_keys() == {"attendance", "activity", "skp"}
    out = policy_to_dict(p)
    assert "base_by_class" not in out and "components" not in out
    assert policy_from_dict(out) == p


def test_policy_is_immutable_hashable_and_picklable():
    p = policy_from_dict(hss_template())
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.name = "x"
    with pytest.raises(TypeError):
        p.base_by_class[1] = Decimal(0)
    assert hash(p) == hash(policy_from_dict(hss_template()))
    assert pickle.loads(pickle.dumps(p)) == p
    assert repr(FrozenMap({"a": 1})) == "FrozenMap({'a': 1})"


def test_templates_carry_the_patterns_of_the_rules():
    national = policy_from_dict(national_template())
    assert [(c.key, c.weight) for c in national.components] == [
        ("attendance", 40),
        ("activity", 60),
    ]
    assert [b.pct for b in national.attendance.late_bands] == [
        Decimal("0.5"),
        Decimal("1"),
        Decimal("1.25"),
        Decimal("1.5"),
    ]
    assert national.activity.monthly_target_minutes == 6750
    hss = policy_from_dict(hss_template())
    assert [(c.key, c.weight) for c in hss.components] == [
        ("attendance", 30),
        ("activity", 50),
        ("skp", 20),
    ]
    assert hss.attendance.absent_without_notice == Decimal("4.5")
    per_day = [hss.attendance.missing_check_in, hss.attendance.missing_check_out]
    per_day += [b.pct for b in hss.attendance.late_bands]
    assert max(per_day) < hss.attendance.absent_without_notice  # the largest single deduction
    assert hss.activity.entry_window_working_days == 7
    manado = policy_from_dict(manado_template())
    assert {c.key: c.weight for c in manado.components} == {"activity": 60, "attendance": 40}
    assert [(b.lower, b.upper, b.pct) for b in manado.attendance.late_bands] == [
        (1, 30, 1),
        (31, 60, 2),
        (61, None, 3),
    ]
    assert [(f.lower, f.upper, f.pct) for f in manado.attendance_floors] == [
        (0, 25, 0),
        (25, 50, 50),
    ]
    assert manado.health_insurance.employee_pct == 1
    assert manado.health_insurance.income_cap == 12_000_000
    for p in (national, hss, manado):
        assert set(p.base_by_class) == set(range(1, 18))
        amounts = [p.base_by_class[k] for k in range(1, 18)]
        assert amounts == sorted(amounts)


# ---- every kind of bad policy gives its path and reason ---------------------------------------


def _set(path, value):
    def change(data):
        node = data
        for key in path[:-1]:
            node = node[key]
        if value is DELETE:
            del node[path[-1]]
        else:
            node[path[-1]] = value

    return change


BAD = [
    # (change, path, reason contains)
    (_set(["components", 0, "weight"], 20), "$.components", "jumlah bobot 90, harus 100"),
    (_set(["bonus"], 1), "$.bonus", "kunci tidak dikenal"),
    (_set(["attendance", "tolerance"], 5), "$.attendance.tolerance", "kunci tidak dikenal"),
    (_set(["skp"], DELETE), "$.skp", "wajib diisi"),
    (_set(["name"], ""), "$.name", "teks yang tidak kosong"),
    (_set(["effective_from"], "2026-13-01"), "$.effective_from", "TTTT-BB-HH"),
    (_set(["effective_from"], "01-01-2026"), "$.effective_from", "TTTT-BB-HH"),
    (_set(["base_by_class", "18"], 1), "$.base_by_class.18", "kelas jabatan harus 1-17"),
    (_set(["base_by_class", "0"], 1), "$.base_by_class.0", "kelas jabatan harus 1-17"),
    (_set(["base_by_class", "01"], 1), "$.base_by_class.01", "kelas jabatan harus 1-17"),
    (_set(["base_by_class", "3"], 1500.5), "$.base_by_class.3", "rupiah bulat, tidak negatif"),
    (_set(["base_by_class", "3"], -1), "$.base_by_class.3", "rupiah bulat, tidak negatif"),
    (_set(["base_by_class", "3"], "1500000"), "$.base_by_class.3", "harus berupa angka"),
    (_set(["base_by_class"], {}), "$.base_by_class", "paling sedikit satu kelas"),
    (_set(["status_factor", "PPPK"], DELETE), "$.status_factor.PPPK", "wajib diisi"),
    (_set(["status_factor", "HONORER"], 50), "$.status_factor.HONORER", "status tidak dikenal"),
    (_set(["status_factor", "CPNS"], 120), "$.status_factor.CPNS", "di luar rentang, harus 0-100"),
    (_set(["plt_pct"], -5), "$.plt_pct", "di luar rentang"),
    (_set(["plt_pct"], True), "$.plt_pct", "harus berupa angka"),
    (_set(["components", 0, "key"], "loyalty"), "$.components[0].key", "harus salah satu dari"),
    (_set(["components", 2, "key"], "activity"), "$.components[2].key", "tercantum dua kali"),
    (_set(["components", 0, "weight"], 0), "$.components[0].weight", "lebih dari 0"),
    (_set(["components", 0, "extra"], 1), "$.components[0].extra", "kunci tidak dikenal"),
    (_set(["components"], []), "$.components", "tidak boleh kosong"),
    (_set(["attendance", "deduct_from"], "gaji"), "$.attendance.deduct_from", "'pot', 'ceiling'"),
    (
        _set(["attendance", "grace_minutes"], -1),
        "$.attendance.grace_minutes",
        "tidak boleh kurang dari 0",
    ),
    (
        _set(["attendance", "grace_minutes"], 2.5),
        "$.attendance.grace_minutes",
        "harus bilangan bulat",
    ),
    (
        _set(["attendance", "late_bands"], [[1, 30, 0.5], [32, 60, 1]]),
        "$.attendance.late_bands[1]",
        "bersambung: dimulai di 32, rentang sebelumnya berakhir di 30",
    ),
    (
        _set(["attendance", "late_bands"], [[1, 30, 0.5], [25, 60, 1]]),
        "$.attendance.late_bands[1]",
        "tumpang tindih dengan rentang sebelumnya, yang berakhir di 30",
    ),
    (
        _set(["attendance", "early_bands"], [[1, None, 0.5], [31, 60, 1]]),
        "$.attendance.early_bands[0]",
        "hanya rentang terakhir yang boleh terbuka",
    ),
    (
        _set(["attendance", "late_bands"], [[1, 30, 1], [31, 60, 0.5]]),
        "$.attendance.late_bands[1][2]",
        "lebih kecil dari rentang sebelumnya (1)",
    ),
    (
        _set(["attendance", "late_bands"], [[30, 1, 1]]),
        "$.attendance.late_bands[0]",
        "berakhir (1) sebelum dimulai (30)",
    ),
    (
        _set(["attendance", "late_bands"], [[1, 30]]),
        "$.attendance.late_bands[0]",
        "[dari_menit, sampai_menit atau null, persen]",
    ),
    (
        _set(["attendance", "late_bands"], [[1, 30, 101]]),
        "$.attendance.late_bands[0][2]",
        "persentase 101 di luar rentang",
    ),
    (_set(["attendance", "late_bands"], "1-30"), "$.attendance.late_bands", "harus berupa daftar"),
    (
        _set(["attendance", "absent_without_notice"], -1),
        "$.attendance.absent_without_notice",
        "0-100",
    ),
    (_set(["leave_types", "Sakit"], {}), "$.leave_types.Sakit", "huruf kecil"),
    (
        _set(["leave_types", "sakit", "paid"], True),
        "$.leave_types.sakit.paid",
        "kunci tidak dikenal",
    ),
    (
        _set(["leave_types", "sakit", "excludes_tpp"], "ya"),
        "$.leave_types.sakit.excludes_tpp",
        "true atau false",
    ),
    (_set(["leave_types", "izin", "deduction"], 200), "$.leave_types.izin.deduction", "0-100"),
    (
        _set(["attendance_floors"], [[10, 25, 0]]),
        "$.attendance_floors[0][0]",
        "harus dimulai dari 0",
    ),
    (
        _set(["attendance_floors"], [[0, 25, 0], [30, 50, 50]]),
        "$.attendance_floors[1]",
        "bersambung dan naik",
    ),
    (
        _set(["attendance_floors"], [[0, 25, 50], [25, 50, 0]]),
        "$.attendance_floors[1][2]",
        "tidak boleh dibayar lebih sedikit",
    ),
    (
        _set(["attendance_floors"], [[0, 0, 0]]),
        "$.attendance_floors[0]",
        "pada atau sebelum awalnya",
    ),
    (
        _set(["attendance_floors"], [[0, 25]]),
        "$.attendance_floors[0]",
        "[dari_persen, sampai_persen, persen_dibayar]",
    ),
    (
        _set(["activity", "daily_target_minutes"], 300),
        "$.activity",
        "monthly_target_minutes atau daily_target_minutes, tidak keduanya",
    ),
    (
        _set(["activity", "monthly_target_minutes"], DELETE),
        "$.activity.monthly_target_minutes",
        "wajib diisi",
    ),
    (
        _set(["activity", "monthly_target_minutes"], 0),
        "$.activity.monthly_target_minutes",
        "lebih dari 0",
    ),
    (_set(["activity", "daily_cap_minutes"], 0), "$.activity.daily_cap_minutes", "lebih dari 0"),
    (
        _set(["activity", "entry_window_working_days"], -1),
        "$.activity.entry_window_working_days",
        "tidak boleh kurang dari 0",
    ),
    (_set(["activity", "score_cap"], 1.5), "$.activity.score_cap", "paling besar 1"),
    (_set(["skp", "not_rated"], DELETE), "$.skp.not_rated", "wajib diisi"),
    (_set(["skp", "luar_biasa"], 100), "$.skp.luar_biasa", "kunci tidak dikenal"),
    (_set(["sentences", "ringan"], 125), "$.sentences.ringan", "0-100"),
    (_set(["sentences"], [25, 50]), "$.sentences", "harus berupa objek"),
    (_set(["pph21", "mode"], "progressive"), "$.pph21.mode", "'flat_by_golongan', 'none'"),
    (_set(["pph21", "rates"], DELETE), "$.pph21.rates", "wajib diisi bila mode 'flat_by_golongan'"),
    (_set(["pph21", "rates", "IV/c"], 15), "$.pph21.rates.IV/c", "bagian sebelum '/'"),
    (_set(["pph21", "rates", "IV"], 150), "$.pph21.rates.IV", "0-100"),
    (_set(["health_insurance", "employee_pct"], 101), "$.health_insurance.employee_pct", "0-100"),
    (
        _set(["health_insurance", "income_cap"], -1),
        "$.health_insurance.income_cap",
        "rupiah bulat, tidak negatif",
    ),
    (_set(["health_insurance"], 1), "$.health_insurance", "harus berupa objek"),
    (_set(["base_by_class"], DELETE), "$.base_by_class", "wajib diisi (atau allowances)"),
    (_set(["components"], DELETE), "$.components", "wajib diisi (atau allowances)"),
]


@pytest.mark.parametrize(("change", "path", "reason"), BAD, ids=[b[1] + " " + b[2] for b in BAD])
def test_each_bad_policy_names_its_path_and_reason(change, path, reason):
    data = policy_dict()
    change(data)
    found = problems_of(data)
    assert any(p == path and reason in r for p, r in found), found


def test_allowances_cannot_be_combined_with_base_by_class_and_components():
    data = madiun_template()
    data["base_by_class"] = {"1": 1}
    data["components"] = [{"key": "skp", "weight": 100}]
    found = problems_of(data)
    assert ("$.base_by_class", "tidak dapat digabung dengan allowances") in found
    assert ("$.components", "tidak dapat digabung dengan allowances") in found


@pytest.mark.parametrize(
    ("change", "path", "reason"),
    [
        (_set(["allowances"], []), "$.allowances", "tidak boleh kosong"),
        (
            _set(["allowances", 1, "key"], "tpp"),
            "$.allowances[1].key",
            "tunjangan 'tpp' tercantum dua kali",
        ),
        (
            _set(["allowances", 1, "components", 0, "weight"], 50),
            "$.allowances[1].components",
            "jumlah bobot 50, harus 100",
        ),
        (_set(["allowances", 0, "name"], DELETE), "$.allowances[0].name", "wajib diisi"),
        (
            _set(["allowances", 1, "base_by_class", "20"], 1),
            "$.allowances[1].base_by_class.20",
            "kelas jabatan harus 1-17",
        ),
    ],
)
def test_bad_allowances_name_their_path(change, path, reason):
    data = madiun_template()
    change(data)
    assert any(p == path and reason in r for p, r in problems_of(data))


def test_every_problem_is_listed_at_once():
    data = policy_dict()
    data["components"][0]["weight"] = 20
    data["attendance"]["late_bands"] = [[1, 30, 0.5], [32, 60, 1]]
    data["leave_types"]["izin"]["deduction"] = 200
    data["pph21"]["mode"] = "progressive"
    data["bonus"] = True
    found = problems_of(data)
    paths = [p for p, _ in found]
    assert paths == [
        "$.bonus",
        "$.components",
        "$.attendance.late_bands[1]",
        "$.leave_types.izin.deduction",
        "$.pph21.mode",
    ]


def test_paths_take_the_callers_prefix_and_message_lists_them():
    data = policy_dict()
    data["components"][0]["weight"] = 20
    with pytest.raises(PolicyError) as info:
        policy_from_dict(data, path="$.policies[0]")
    assert info.value.problems == [("$.policies[0].components", "jumlah bobot 90, harus 100")]
    assert str(info.value) == "$.policies[0].components: jumlah bobot 90, harus 100"


def test_a_policy_that_is_not_an_object_is_refused():
    assert problems_of([1, 2]) == [("$", "harus berupa objek {…}")]


def test_decimal_weights_must_still_sum_to_exactly_100():
    data = policy_dict()
    data["components"] = [
        {"key": "attendance", "weight": 33.33},
        {"key": "activity", "weight": 33.33},
        {"key": "skp", "weight": 33.33},
    ]
    assert ("$.components", "jumlah bobot 99.99, harus 100") in problems_of(data)
    data["components"][2]["weight"] = 33.34
    assert policy_from_dict(data).components[2].weight == Decimal("33.34")


def test_non_finite_numbers_are_refused():
    data = policy_dict()
    data["plt_pct"] = float("nan")
    assert ("$.plt_pct", "harus berupa angka biasa, bukan NaN atau Infinity") in problems_of(data)
