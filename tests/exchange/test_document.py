"""Reading an ekinerja/1 document: every problem listed with its path; clean files parse to records."""

import copy
import datetime as dt
import re

import pytest

from ekinerja.exchange.document import DocumentError, read_document, read_file
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
    assert "harus berupa NIP" in found["$.employees[0].nip"]
    assert "1-17" in found["$.positions[0].class"]
    assert found["$.activities[0].catalog"] == "kode katalog 'ZZZ' tidak dikenal"
    assert found["$.activities[0].colour"] == "kunci tidak dikenal"
    assert "TTTT-BB-HHTJJ:MM" in found["$.punches[0].at"]
    assert "tidak disebut oleh kebijakan mana pun" in found["$.leaves[0].type"]


def test_a_month_s_money_above_a_billion_is_a_problem_with_its_path_not_a_crash():
    """A salary or position base of 10^20 once passed the reader and failed in the computation
    with a traceback; the policy's own bound (Rp1.000.000.000 a month) now holds for both."""
    data = minimal()
    data["positions"][0]["tpp_base"] = 10**20
    data["employees"][0]["salary"] = 1_000_000_001
    found = problems(data)
    assert (
        found["$.positions[0].tpp_base"] == "terlalu besar, paling banyak Rp1.000.000.000 sebulan"
    )
    assert found["$.employees[0].salary"] == "terlalu besar, paling banyak Rp1.000.000.000 sebulan"
    data["employees"][0]["salary"] = 1_000_000_000  # the bound itself is allowed
    data["positions"][0]["tpp_base"] = 9_000_000
    read_document(data)


@pytest.mark.parametrize("zone", ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"])
def test_each_indonesian_zone_is_read(zone):
    data = minimal()
    data["instansi"]["timezone"] = zone
    assert read_document(data).instansi.timezone == zone


def test_other_zones_and_times_with_offsets_or_seconds_are_problems():
    """docs/exchange-format.md "Time zone": times are local clock times of one of the three zones."""
    data = minimal()
    data["instansi"]["timezone"] = "Asia/Pontianak"
    data["punches"][0]["at"] = "2026-10-01T07:41+08:00"
    data["punches"].append({**data["punches"][0], "at": "2026-10-01T07:41:30"})
    found = problems(data)
    assert "Asia/Jayapura" in found["$.instansi.timezone"]
    assert "TTTT-BB-HHTJJ:MM" in found["$.punches[0].at"]
    assert "TTTT-BB-HHTJJ:MM" in found["$.punches[1].at"]


def test_a_key_listed_twice_is_named_as_written_at_its_code():
    """A duplicate unit or position code is a problem at `.code`, as a schedule's or a catalog
    item's; a duplicate (NIP, period) rating is written as the file writes it, not a tuple."""
    data = minimal()
    data["units"].append(dict(data["units"][0]))
    data["positions"].append(dict(data["positions"][0]))
    data["skp_ratings"].append(dict(data["skp_ratings"][0]))
    found = problems(data)
    unit, position = data["units"][0]["code"], data["positions"][0]["code"]
    last_unit, last_position = len(data["units"]) - 1, len(data["positions"]) - 1
    assert found[f"$.units[{last_unit}].code"] == (
        f"kode unit '{unit}' tercantum dua kali (pertama di $.units[0])"
    )
    assert found[f"$.positions[{last_position}].code"].startswith(f"kode jabatan '{position}'")
    assert found["$.skp_ratings[1]"] == (
        f"penilaian SKP untuk NIP dan periode '{NIP} 2026-10' tercantum dua kali "
        "(pertama di $.skp_ratings[0])"
    )


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
    assert "membentuk siklus" in found["$.units[1].parent"]
    assert found["$.employees[0].schedule"] == "jadwal 'NOPE' tidak dikenal"
    assert "tumpang tindih" in found["$.employees[0].assignments"]
    assert found["$.shift_roster[0].nip"] == "pegawai tidak memiliki jadwal shift"


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
    assert problems(data) == {"$.format": "harus bernilai 'ekinerja/1'"}


def test_a_trailing_newline_or_non_ascii_digits_are_problems_not_crashes():
    data = minimal()
    data["schedules"][0]["days"]["mon"] = ["07:30\n", "16:00"]
    data["employees"][0]["nip"] = NIP + "\n"
    data["punches"][0]["at"] = "2026-10-01T07:41\n"
    data["activities"][0]["date"] = "٢٠٢٦-١٠-٠١"  # Arabic-Indic digits
    found = problems(data)
    assert found["$.schedules[0].days.mon[0]"] == "harus berupa jam JJ:MM"
    assert "harus berupa NIP" in found["$.employees[0].nip"]
    assert "TTTT-BB-HHTJJ:MM" in found["$.punches[0].at"]
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
    assert found["$.leaves[1].type"] == (
        "jenis izin/cuti 'cuti_haji' tidak disebut oleh kebijakan mana pun"
    )
    assert found["$.sentences[0].level"] == (
        "tingkat hukuman disiplin 'teguran' tidak disebut oleh kebijakan mana pun"
    )
    assert "$.leaves[0].type" not in found  # sakit is named by the broken policy


def test_every_reason_of_a_file_with_many_kinds_of_mistakes_is_in_indonesian(tmp_path):
    """The document's own checks speak the policy reader's language: no English reason is left."""
    data = minimal()
    data["format"] = "ekinerja/2"
    data["extra"] = 1  # unknown key
    del data["instansi"]["name"]  # required field
    data["holidays"][0]["date"] = "20-10-2026"  # date
    data["schedules"][0]["days"]["mon"] = ["07:30", "07:30"]  # start equals end
    data["schedules"][0]["days"]["fri"] = ["7.30", "16:30"]  # time
    data["schedules"][0]["shifts"] = {}  # a fixed schedule with shifts
    data["schedules"][1]["shifts"] = []  # not an object of shifts
    data["schedules"].append({"code": "5HK", "kind": "weekly", "days": {}})  # duplicate, choice
    data["units"].append({"code": "A", "name": "A", "parent": "B"})
    data["units"].append({"code": "B", "name": "B", "parent": "A"})  # cycle
    data["units"].append({"code": "C", "name": "C", "parent": 7})  # not a code
    data["positions"][0].update({"class": 18, "tpp_base": 9_000_000.0, "unit": "NOPE"})
    employee = data["employees"][0]
    employee.update({"nip": "", "salary": -5, "status": "Honorer", "schedule": "NOPE"})
    employee["assignments"][0]["to"] = "2025-01-01"  # before 'from'
    data["shift_roster"] = [{"nip": "999", "date": "2026-10-01", "shift": "P"}]  # unknown NIP
    data["punches"][0]["at"] = "2026-10-01 07:41"  # local date-time
    data["leaves"][0]["type"] = "liburan"  # not named by any policy
    data["activity_catalog"][0]["minutes"] = 2.5  # whole number
    data["activities"][0].update(catalog="ZZZ", volume=100_000, submitted_on=None)
    data["skp_ratings"][0]["period"] = "2026-13"  # period
    data["sentences"][0]["level"] = "teguran"
    data["policies"][0]["components"][0]["weight"] = 99  # the policy reader's own reasons
    del data["policies"][0]["health_insurance"]
    found = problems(data)
    assert len(found) >= 25
    paths = [tmp_path / "missing.json", tmp_path / "broken.json"]
    paths[1].write_text('{"format": ')
    for path in paths:
        with pytest.raises(DocumentError) as err:
            read_file(str(path))
        # The file's own name is quoted as it is (here it holds this test's English name).
        found.update({f"{path.name}: {p}": r.replace(str(path), "") for p, r in err.value.problems})
    english = re.compile(
        r"\b(must|missing|unknown|required|expected|duplicate|cannot|invalid|not|should|"
        r"before|after|overlap|cycle|minutes|schedule|employee|line|column|file)\b",
        re.IGNORECASE,
    )
    left = {path: reason for path, reason in found.items() if english.search(reason)}
    assert left == {}
    assert found["$.instansi.name"] == "wajib diisi"
    assert found["$.extra"] == "kunci tidak dikenal"
