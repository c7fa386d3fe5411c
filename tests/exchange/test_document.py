"""Reading an ekinerja/1 document: every problem listed with its path; clean files parse to records."""

import copy
import datetime as dt

import pytest

from ekinerja.exchange.document import DocumentError, read_document
from ekinerja.tpp.policy import hss_template

NIP = "197001011995031001"


def minimal():
    return {
        "format": "ekinerja/1",
        "instansi": {
            "code": "6301",
            "name": "Pemerintah Kabupaten Uji",
            "timezone": "Asia/Makassar",
        },
        "holidays": [{"date": "2026-10-20", "name": "Hari Jadi", "kind": "regional"}],
        "use_national_holidays": True,
        "schedules": [
            {
                "code": "5HK",
                "kind": "fixed",
                "days": {"mon": ["07:30", "16:00"], "fri": ["07:30", "16:30"]},
            },
            {
                "code": "RS",
                "kind": "shift",
                "shifts": {"P": ["07:00", "14:00"], "M": ["21:00", "07:00"]},
            },
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
            }
        ],
        "employees": [
            {
                "nip": NIP,
                "name": "Ahmad",
                "status": "PNS",
                "golongan": "IV/c",
                "schedule": "5HK",
                "salary": 5500000,
                "assignments": [
                    {"position": "SEKDA", "from": "2026-01-01", "to": None, "kind": "definitif"}
                ],
            }
        ],
        "shift_roster": [],
        "punches": [{"nip": NIP, "at": "2026-10-01T07:41", "source": "fingerprint"}],
        "leaves": [{"nip": NIP, "type": "sakit", "from": "2026-10-05", "to": "2026-10-06"}],
        "activity_catalog": [
            {"code": "A001", "name": "Menyusun konsep", "output": "konsep", "minutes": 30}
        ],
        "activities": [
            {
                "nip": NIP,
                "date": "2026-10-01",
                "start": "08:00",
                "end": "09:00",
                "catalog": "A001",
                "volume": 2,
                "submitted_on": "2026-10-01",
                "status": "approved",
            }
        ],
        "unlocks": [
            {"nip": NIP, "from": "2026-10-01", "to": "2026-10-03", "approved_on": "2026-10-15"}
        ],
        "skp_ratings": [{"nip": NIP, "period": "2026-10", "predicate": "baik"}],
        "sentences": [{"nip": NIP, "level": "ringan", "from": "2026-09-01", "to": "2026-11-30"}],
        "policies": [hss_template("2026-01-01")],
    }


def test_clean_document_reads_into_records():
    doc = read_document(minimal())
    assert doc.instansi.timezone == "Asia/Makassar"
    assert doc.schedules[0].days[0] == (dt.time(7, 30), dt.time(16, 0))
    assert doc.schedules[1].shifts["M"] == (dt.time(21, 0), dt.time(7, 0))
    assert doc.employees[0].assignments[0].end is None
    assert doc.punches[0].at == dt.datetime(2026, 10, 1, 7, 41)
    assert doc.activities[0].volume == 2
    assert len(doc.policies) == 1


def problems(data):
    with pytest.raises(DocumentError) as err:
        read_document(data)
    return dict(err.value.problems)


def test_every_problem_is_listed_with_its_path():
    data = minimal()
    data["extra"] = 1
    data["employees"][0]["nip"] = ""
    data["positions"][0]["class"] = 18
    data["activities"][0]["catalog"] = "ZZZ"
    data["activities"][0]["colour"] = "red"
    data["punches"][0]["at"] = "2026-10-01 07:41"
    data["leaves"][0]["type"] = "liburan"
    found = problems(data)
    assert found["$.extra"] == "kunci tidak dikenal"
    assert "must be a NIP" in found["$.employees[0].nip"]
    assert "1-17" in found["$.positions[0].class"]
    assert "unknown catalog" in found["$.activities[0].catalog"]
    assert found["$.activities[0].colour"] == "kunci tidak dikenal"
    assert "YYYY-MM-DDTHH:MM" in found["$.punches[0].at"]
    assert "not named by any policy" in found["$.leaves[0].type"]


def test_cross_references_and_cycles():
    data = minimal()
    data["units"].append({"code": "A", "name": "A", "parent": "B"})
    data["units"].append({"code": "B", "name": "B", "parent": "A"})
    data["employees"][0]["schedule"] = "NOPE"
    data["employees"][0]["assignments"].append(
        {"position": "SEKDA", "from": "2026-06-01", "kind": "definitif"}
    )
    data["shift_roster"] = [{"nip": NIP, "date": "2026-10-01", "shift": "P"}]
    found = problems(data)
    assert "cycle" in found["$.units[1].parent"]
    assert "unknown schedule" in found["$.employees[0].schedule"]
    assert "overlap" in found["$.employees[0].assignments"]
    assert "no shift schedule" in found["$.shift_roster[0].nip"]


def test_policy_problems_carry_the_policy_path():
    data = minimal()
    bad = copy.deepcopy(data["policies"][0])
    bad["components"][0]["weight"] = 10
    data["policies"] = [bad]
    found = problems(data)
    assert any(path.startswith("$.policies[0].components") for path in found)


def test_not_an_object_and_wrong_format():
    assert problems([]) == {"$": "harus berupa objek {…}"}
    data = minimal()
    data["format"] = "ekinerja/2"
    assert problems(data) == {"$.format": "must be 'ekinerja/1'"}


def test_a_trailing_newline_or_non_ascii_digits_are_problems_not_crashes():
    data = minimal()
    data["schedules"][0]["days"]["mon"] = ["07:30\n", "16:00"]
    data["employees"][0]["nip"] = NIP + "\n"
    data["punches"][0]["at"] = "2026-10-01T07:41\n"
    data["activities"][0]["date"] = "٢٠٢٦-١٠-٠١"  # Arabic-Indic digits
    found = problems(data)
    assert found["$.schedules[0].days.mon[0]"] == "must be a time HH:MM"
    assert "must be a NIP" in found["$.employees[0].nip"]
    assert "YYYY-MM-DDTHH:MM" in found["$.punches[0].at"]
    assert "$.activities[0].date" in found


def test_a_policy_with_problems_still_names_leave_types_and_sentence_kinds():
    """Every problem of the file at once: a wrong weight does not hide an unknown leave type."""
    data = minimal()
    data["policies"][0]["components"][0]["weight"] = 99
    data["leaves"].append(
        {"nip": NIP, "type": "cuti_haji", "from": "2026-10-07", "to": "2026-10-07"}
    )
    data["sentences"][0]["level"] = "teguran"
    found = problems(data)
    assert any(path.startswith("$.policies[0]") for path in found)
    assert "'cuti_haji' is not named by any policy" in found["$.leaves[1].type"]
    assert "'teguran' is not named by any policy" in found["$.sentences[0].level"]
    assert "$.leaves[0].type" not in found  # sakit is named by the broken policy
