"""`scenario run` follows ../shared/spec/scenario-format.md and tpp-rules.md exactly (an audit's
findings): every employee of the file has a row; every field of the format's example is required
unless the spec lists it as optional, money is written as integers; data the spec allows is not
refused (docs/exchange-format.md records each choice)."""

import copy
import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command

from ekinerja.core.models import Instansi
from ekinerja.exchange.document import DocumentError, read_document
from ekinerja.exchange.loader import load_document
from ekinerja.exchange.services import exchange_export
from ekinerja.tpp.models import Policy
from ekinerja.tpp.policy import hss_template

A = "197001011995031001"
B = "198203032006041002"
OCT = [dt.date(2026, 10, d) for d in range(1, 32)]
WEEKDAYS = [d for d in OCT if d.weekday() < 5]  # 22 in October 2026


def punches(nip, days, check_in="07:25", check_out="16:35", source="fingerprint"):
    return [
        {"nip": nip, "at": f"{d.isoformat()}T{t}", "source": source}
        for d in days
        for t in (check_in, check_out)
    ]


def policy():
    data = hss_template("2026-01-01")
    data["pph21"]["rates"] = {"I": 0, "II": 0, "III": 5, "IV": 15}
    return data


def employee(nip, assignments, **over):
    return {
        "nip": nip,
        "name": f"Pegawai {nip[-3:]}",
        "status": "PNS",
        "golongan": "IV/c",
        "schedule": "5HK",
        "salary": 5_500_000,
        "assignments": assignments,
        **over,
    }


def definitif(position="SEKDA", start="2020-01-01", end=None):
    return {"position": position, "from": start, "to": end, "kind": "definitif"}


def document():
    """A complete document in the shape of the format's example: every field written out."""
    return {
        "format": "ekinerja/1",
        "instansi": {"code": "6301", "name": "Kabupaten Uji", "timezone": "Asia/Makassar"},
        "holidays": [],
        "use_national_holidays": False,
        "schedules": [
            {
                "code": "5HK",
                "kind": "fixed",
                "days": {k: ["07:30", "16:00"] for k in ("mon", "tue", "wed", "thu", "fri")},
            }
        ],
        "units": [{"code": "SETDA", "name": "Sekretariat Daerah", "parent": None}],
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
                "name": "Kepala Bagian",
                "unit": "SETDA",
                "kind": "struktural",
                "class": 9,
                "parent": "SEKDA",
                "tpp_base": None,
            },
        ],
        "employees": [employee(A, [definitif()])],
        "shift_roster": [],
        "punches": punches(A, WEEKDAYS),
        "leaves": [],
        "activity_catalog": [{"code": "A001", "name": "Konsep", "output": "konsep", "minutes": 30}],
        "activities": [
            {
                "nip": A,
                "date": "2026-10-01",
                "start": "08:00",
                "end": "09:00",
                "catalog": "A001",
                "volume": 2,
                "submitted_on": "2026-10-01",
                "status": "approved",
            }
        ],
        "unlocks": [],
        "skp_ratings": [{"nip": A, "period": "2026-10", "predicate": "baik"}],
        "sentences": [],
        "policies": [policy()],
    }


def problems(data, **kwargs):
    with pytest.raises(DocumentError) as err:
        read_document(data, **kwargs)
    return dict(err.value.problems)


def scenario(data, tmp_path, period="2026-10"):
    path, out = tmp_path / "scenario.json", tmp_path / "result.json"
    path.write_text(json.dumps(data))
    call_command("scenario", "run", str(path), "--period", period, "--out", str(out))
    result = json.loads(out.read_text())
    return result, {row["nip"]: row for row in result["employees"]}


def half_up(value) -> int:
    return int(Decimal(value).quantize(Decimal(1), ROUND_HALF_UP))


def test_the_complete_document_reads():
    doc = read_document(document())
    assert [e.nip for e in doc.employees] == [A]


# --------------------------------------------------------------------------------------------------
# A. Every employee of the file has a row.


def test_employees_without_a_definitif_post_in_the_month_have_a_zero_row(tmp_path):
    """tpp-rules.md step 1: "An employee with no working day in a position ... gets 0 with the
    reason"; the row counts in totals.employees."""
    data = document()
    ended, plt_only, none = "198501012010011003", "198601012010011004", "198701012010011005"
    data["employees"] += [
        employee(ended, [definitif("KABAG", "2020-01-01", "2026-09-30")], golongan="III/d"),
        employee(
            plt_only,
            [{"position": "KABAG", "from": "2026-10-01", "to": None, "kind": "plt"}],
            golongan="III/c",
        ),
        employee(none, [], golongan="III/c"),
    ]
    data["punches"] += punches(ended, WEEKDAYS) + punches(plt_only, WEEKDAYS)
    data["leaves"] = [{"nip": none, "type": "sakit", "from": "2026-10-05", "to": "2026-10-06"}]
    # The Plt's approved work on a Friday and a Saturday: credited (and reported) though unpaid.
    data["activities"] += [
        {**data["activities"][0], "nip": plt_only, "date": day, "submitted_on": day}
        for day in ("2026-10-02", "2026-10-03")
    ]
    result, rows = scenario(data, tmp_path)
    assert sorted(rows) == sorted([A, ended, plt_only, none])
    assert result["totals"]["employees"] == 4
    assert result["totals"]["gross"] == rows[A]["gross"] > 0
    assert result["totals"]["net"] == rows[A]["net"]
    for nip in (ended, plt_only, none):
        row = rows[nip]
        assert row["working_days"] == 22  # W comes from the schedule, not from assignments
        assert row["ceiling"] == row["gross"] == row["pph21"] == 0
        assert row["health_insurance"] == row["net"] == 0
        assert row["attendance"]["amount"] == row["activity"]["amount"] == 0
        assert row["skp"]["amount"] == 0
        assert row["notes"][0] == (
            "Tidak memiliki jabatan definitif pada Oktober 2026: TPP bulan ini 0."
        )
        assert set(row) == set(rows[A])  # the format's row, field for field
    assert rows[none]["attendance"]["leave_days"] == {"sakit": 2}
    assert rows[plt_only]["activity"]["credited_minutes"] == 120
    assert rows[ended]["activity"]["credited_minutes"] == 0


# --------------------------------------------------------------------------------------------------
# B. Required fields; money as integers.

REQUIRED = [
    ("$", "holidays"),
    ("$", "use_national_holidays"),
    ("$", "schedules"),
    ("$", "units"),
    ("$", "positions"),
    ("$", "employees"),
    ("$", "shift_roster"),
    ("$", "punches"),
    ("$", "leaves"),
    ("$", "activity_catalog"),
    ("$", "activities"),
    ("$", "unlocks"),
    ("$", "skp_ratings"),
    ("$", "sentences"),
    ("$", "policies"),
    ("$.units[0]", "parent"),
    ("$.positions[0]", "parent"),
    ("$.positions[0]", "kind"),
    ("$.employees[0]", "golongan"),
    ("$.employees[0]", "schedule"),
    ("$.employees[0]", "assignments"),
    ("$.employees[0].assignments[0]", "to"),
    ("$.employees[0].assignments[0]", "kind"),
    ("$.punches[0]", "source"),
    ("$.activity_catalog[0]", "output"),
    ("$.activities[0]", "submitted_on"),
    ("$.policies[0]", "health_insurance"),
]


def _at(data, path):
    node = data
    for part in path.removeprefix("$").replace("[", ".").replace("]", "").split("."):
        if part:
            node = node[int(part)] if part.isdigit() else node[part]
    return node


@pytest.mark.parametrize(("parent", "name"), REQUIRED)
def test_every_field_of_the_example_is_required(parent, name):
    data = document()
    data["holidays"] = [{"date": "2026-10-20", "name": "Hari Jadi", "kind": "regional"}]
    del _at(data, parent)[name]
    if name == "policies":  # the leaves' and sentences' keys are then checked against nothing
        data["leaves"] = []
    found = problems(data)
    # The same words from the policy reader and from exchange/document.py's own checks.
    assert found[f"{parent}.{name}"] == "wajib diisi"


def test_a_holidays_kind_is_required_and_every_missing_field_is_listed_at_once():
    data = document()
    data["holidays"] = [{"date": "2026-10-20", "name": "Hari Jadi"}]
    del data["use_national_holidays"], data["shift_roster"]
    del data["employees"][0]["schedule"], data["punches"][3]["source"]
    found = problems(data)
    for path in (
        "$.holidays[0].kind",
        "$.use_national_holidays",
        "$.shift_roster",
        "$.employees[0].schedule",
        "$.punches[3].source",
    ):
        assert found[path] == "wajib diisi"


def test_the_fields_the_spec_lists_as_optional_may_be_omitted():
    data = document()
    del data["employees"][0]["salary"], data["positions"][0]["tpp_base"]
    pol = data["policies"][0]
    del pol["plt_pct"], pol["attendance_floors"], pol["health_insurance"]["income_cap"]
    pol["activity"]["daily_target_minutes"] = pol["activity"].pop("monthly_target_minutes")
    # The spec's own leave-type example omits flags (tugas_belajar: only excludes_tpp).
    pol["leave_types"] = {"sakit": {"deduction": 0}, "tugas_belajar": {"excludes_tpp": True}}
    doc = read_document(data)
    assert doc.employees[0].salary is None and doc.positions[0].tpp_base is None
    assert doc.policies[0][0].leave_types["tugas_belajar"].reduces_activity_target is False


def test_an_assignment_may_be_open_ended_with_null_but_a_draft_may_not_lack_its_date():
    data = document()
    assert read_document(data).employees[0].assignments[0].end is None  # "to": null
    data["activities"][0].update(status="draft", submitted_on=None)
    assert read_document(data).activities[0].submitted_on is None
    data["activities"][0]["status"] = "approved"
    assert problems(data)["$.activities[0].submitted_on"] == (
        "harus berupa tanggal TTTT-BB-HH bila status 'approved'"
    )


def test_money_written_with_a_decimal_point_is_refused():
    data = document()
    data["employees"][0]["salary"] = 5_500_000.0
    data["positions"][0]["tpp_base"] = 9_000_000.0
    data["policies"][0]["base_by_class"]["15"] = 16_000_000.0
    data["policies"][0]["health_insurance"]["income_cap"] = 12_000_000.0
    found = problems(data)
    for path in (
        "$.employees[0].salary",
        "$.positions[0].tpp_base",
        "$.policies[0].base_by_class.15",
        "$.policies[0].health_insurance.income_cap",
    ):
        assert "tanpa titik desimal" in found[path], path


@pytest.mark.django_db
def test_an_export_reads_back_under_the_strict_reader():
    inst = load_document(read_document(document()))
    data = hss_template("2026-06-01")
    del data["health_insurance"]  # the editor lets a policy have no health share
    Policy.objects.create(
        instansi=inst,
        name="Tanpa BPJS",
        effective_from=dt.date(2026, 6, 1),
        status=Policy.Status.ADOPTED,
        data=data,
    )
    for parts in (("policy",), ("policy", "catalog", "schedules", "holidays")):
        exported = exchange_export(instansi=inst, parts=parts)
        doc = read_document(json.loads(json.dumps(exported)))
        assert len(doc.policies) == 2
    assert exported["policies"][1]["health_insurance"] == {"employee_pct": 0}
    assert Instansi.objects.count() == 1


# --------------------------------------------------------------------------------------------------
# C. What the spec allows is read, not refused.


def test_identifiers_labels_and_undefined_enumerations_are_free_strings():
    data = document()
    data["employees"].append(
        employee("NIP-0002", [definitif("KABAG")], status="PPPK", golongan="III/b")
    )
    data["employees"][0]["golongan"] = "IV/c-PU"
    data["positions"][0]["kind"] = "jpt"
    data["positions"][1]["kind"] = "eselon_x"
    data["holidays"] = [{"date": "2026-10-20", "name": "Maulid", "kind": "keagamaan"}]
    data["punches"][0]["source"] = "face_recognition"
    doc = read_document(data)
    assert [e.golongan for e in doc.employees] == ["IV/c-PU", "III/b"]
    assert [p.kind for p in doc.positions] == ["struktural", "pelaksana"]
    assert doc.holidays[0].kind == "regional"
    assert doc.punches[0].source == "face_recognition"


def test_activities_across_midnight_with_fine_volumes_or_submitted_early_are_read():
    data = document()
    entry = data["activities"][0]
    data["activities"] = [
        {**entry, "start": "22:00", "end": "01:00", "volume": 6},  # 180 of 180 minutes
        {**entry, "date": "2026-10-02", "volume": 0.125},
        {**entry, "date": "2026-10-07", "submitted_on": "2026-10-06"},
    ]
    doc = read_document(data)
    assert doc.activities[0].end == dt.time(1, 0)
    assert doc.activities[1].volume == Decimal("0.125")
    data["activities"][0]["volume"] = 6.5  # 195 minutes do not fit 22:00-01:00
    assert "berlangsung 180 menit" in problems(data)["$.activities[0].end"]
    data["activities"][0].update(volume=1, end="22:00")
    assert problems(data)["$.activities[0].end"] == "harus berbeda dari 'start'"


def test_overlapping_leaves_and_gaps_in_bands_and_floors_are_read():
    data = document()
    data["leaves"] = [
        {"nip": A, "type": "izin", "from": "2026-10-06", "to": "2026-10-06"},
        {"nip": A, "type": "sakit", "from": "2026-10-05", "to": "2026-10-06"},
    ]
    att = data["policies"][0]["attendance"]
    att["late_bands"] = [[1, 30, 1], [60, None, 2]]
    data["policies"][0]["attendance_floors"] = [[10, 25, 0], [40, 50, 50]]
    doc = read_document(data)
    assert len(doc.leaves) == 2
    assert len(doc.policies[0][0].attendance_floors) == 2
    # A live installation's editor keeps its own rules (exchange import).
    found = problems(data, for_import=True)
    assert "bersambung" in found["$.policies[0].attendance.late_bands[1]"]
    assert "dimulai dari 0" in found["$.policies[0].attendance_floors[0][0]"]
    # A falling percentage stays refused: more lateness would cost less (tpp-rules.md, monotone).
    att["early_bands"] = [[1, 30, 1], [31, None, 0.5]]
    assert "$.policies[0].attendance.early_bands[1][2]" in problems(data)


def test_scenario_computes_what_the_relaxed_reader_accepts(tmp_path):
    """The accepted data goes through the run: a night entry and an entry of volume 0.125 are
    credited exactly, submitted_on before the date counts, a PPPK golongan III/b pays PPh 21 at
    III's rate, a NIP that is not 18 digits and unknown kinds load, the leave listed first rules a
    shared day, a lateness in a gap between bands takes the band below's percentage, a presence
    rate in a gap between floors applies no floor."""
    data = document()
    nurse, rare = "NIP-0002", "198901012015011006"
    data["holidays"] = [{"date": "2026-10-20", "name": "Maulid", "kind": "keagamaan"}]
    data["positions"][0]["kind"] = "jpt"
    data["employees"] += [
        employee(nurse, [definitif("KABAG")], status="PPPK", golongan="III/b"),
        employee(rare, [definitif("KABAG")], golongan="II/a"),
    ]
    days = [d for d in WEEKDAYS if d != dt.date(2026, 10, 20)]  # W = 21
    data["punches"] = punches(A, days, source="face_recognition") + punches(nurse, days)
    data["punches"][2]["at"] = "2026-10-02T08:15"  # A: 45 minutes late, in the bands' gap
    data["punches"] += punches(rare, days[:7])  # 7 of 21 days: 33.3%, in the floors' gap
    entry = data["activities"][0]
    data["activities"] = [
        {**entry, "start": "22:00", "end": "01:00", "volume": 1},  # 30 minutes
        {**entry, "date": "2026-10-02", "volume": 0.125},  # 3.75 minutes
        {**entry, "date": "2026-10-07", "submitted_on": "2026-10-06"},  # 60 minutes
    ]
    data["leaves"] = [
        {"nip": A, "type": "izin", "from": "2026-10-06", "to": "2026-10-06"},
        {"nip": A, "type": "sakit", "from": "2026-10-05", "to": "2026-10-06"},
    ]
    pol = data["policies"][0]
    pol["attendance"]["late_bands"] = [[1, 30, 1], [60, None, 2]]
    pol["attendance_floors"] = [[0, 25, 0], [40, 50, 50]]
    _, rows = scenario(data, tmp_path)

    a = rows[A]
    assert a["working_days"] == 21  # the holiday of an unknown kind still applies
    assert a["activity"]["credited_minutes"] == 93.75
    assert a["activity"]["expired_entries"] == 0
    assert a["attendance"]["leave_days"] == {"izin": 1, "sakit": 1}
    # izin 1% (6 Oct, listed first) + the late day in the gap, at the band below's 1%: 2%.
    assert a["attendance"]["late"] == 1 and a["attendance"]["deduction_pct"] == 2
    # The spec's notes say every exclusion applied: the sick leave's 6 October is the izin's.
    assert (
        "Cuti sakit 5–6 Oktober 2026 tumpang tindih dengan cuti izin yang tercantum lebih dulu: "
        "6 Oktober 2026 dihitung sebagai izin." in a["notes"]
    )
    assert not any("tumpang tindih" in note for note in rows[nurse]["notes"])

    n = rows[nurse]
    assert n["gross"] > 0 and n["pph21"] == half_up(Decimal(n["gross"]) * 5 / 100)

    assert rows[rare]["floor_pct"] == 100


def test_the_document_example_itself_is_not_changed_by_reading():
    data = document()
    before = copy.deepcopy(data)
    read_document(data)
    assert data == before


def test_a_refused_shift_is_said_once_not_again_as_unknown_on_the_roster():
    """A 24-hour shift (start equal to end) is refused at its own path; the roster days naming it
    used to get a second, wrong problem: "shift 'D' tidak dikenal", though the file defines D."""
    data = document()
    data["schedules"].append({"code": "H24", "kind": "shift", "shifts": {"D": ["07:00", "07:00"]}})
    data["employees"][0]["schedule"] = "H24"
    data["shift_roster"] = [{"nip": A, "date": "2026-10-01", "shift": "D"}]
    found = problems(data)
    assert "$.schedules[1].shifts.D" in found
    assert not any(path.startswith("$.shift_roster") for path in found), found
    # A shift the schedule does not name is still unknown.
    data["shift_roster"][0]["shift"] = "X"
    assert problems(data)["$.shift_roster[0].shift"] == "shift 'X' tidak dikenal dalam jadwal 'H24'"
