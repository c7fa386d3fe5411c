"""Conformance audit (a second implementation of ../shared/spec written from the spec alone,
December 2026, 150 random scenarios compared figure by figure): regression tests for the
discrepancies it confirmed, each fixed.

The minimal scenario files are under tests/exchange/data/conformance/."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from ekinerja.exchange.document import DocumentError, read_document

DATA = Path(__file__).resolve().parent / "data" / "conformance"


def load(name):
    return json.loads((DATA / name).read_text())


def problems(data):
    with pytest.raises(DocumentError) as err:
        read_document(data)
    return err.value.problems


# AUDIT FINDING 1 (bug). scenario-format.md: "A file that breaks the format is refused as a whole
# with every problem listed (path in the document and reason)". exchange/document.py checks that
# policies do not share an `effective_from` only over the policies that read without problems, and
# it names them by their position in that filtered list, not in the file.


def test_audit_duplicate_effective_from_is_listed_even_when_another_policy_has_a_problem():
    # policies[0] has weights 110; policies[1] and [2] share 2026-06-01.
    found = problems(load("dup_effective_from_wrong_path.json"))
    paths = [p for p, _ in found]
    assert "$.policies[0].components" in paths
    # The duplicate is the third policy of the file, first seen at the second.
    assert "$.policies[2].effective_from" in paths, found
    assert "$.policies[1].effective_from" not in paths, found  # 2026-06-01 is listed once there


def test_audit_duplicate_effective_from_is_listed_beside_a_bad_first_policy():
    # policies[0] (weights 110) and policies[1] share 2026-01-01: two problems, only one listed.
    found = dict(problems(load("dup_effective_from_hidden.json")))
    assert "$.policies[0].components" in found
    assert "$.policies[1].effective_from" in found, found


# AUDIT FINDING 2 (bug). Same sentence of the spec ("every problem listed (path ... and reason)"):
# an employee whose `status` is invalid is left out of exchange/document.py's `emp_schedule`, so each
# of their (valid) shift_roster entries gets a false reason "pegawai tidak memiliki jadwal shift",
# although their schedule is a shift schedule of the file (and a wrong shift code is not reported).


def test_audit_an_invalid_status_does_not_give_the_roster_a_false_problem():
    found = dict(problems(load("status_masks_roster.json")))
    assert found == {"$.employees[0].status": "harus salah satu dari 'PNS', 'CPNS', 'PPPK'"}, found


# AUDIT FINDING 3 (a documented extension that contradicted a precise definition; decided: a
# scenario file's policy keys PPh 21 as the spec does, the app's keeps the extension).
# tpp-rules.md, Precise definitions: "Golongan key for PPh 21: the part before "/" (IV/c -> IV);
# a key the policy does not list is 0%." The project (docs/tpp-calculation.md 11) used a rate keyed "PPPK" for every PPPK employee when the policy lists it, so a PPPK III/b under
# rates {"III": 5, "PPPK": 0} paid 0 instead of 5% in a scenario run.


def test_audit_pph21_key_is_the_golongan_part_before_the_slash(tmp_path):
    out = tmp_path / "result.json"
    call_command(
        "scenario",
        "run",
        str(DATA / "pppk_rate_key.json"),
        "--period",
        "2026-10",
        "--out",
        str(out),
    )
    row = json.loads(out.read_text())["employees"][0]
    # Full attendance, no activity: ceiling 6,000,000, attendance pot 40% = 2,400,000 = gross.
    assert row["gross"] == 2_400_000
    assert row["pph21"] == 120_000  # III: 5%
    assert row["net"] == 2_400_000 - 120_000 - 24_000


# AUDIT FINDING 4 (bug, the largest). tpp-rules.md, Precise definitions: "No punch at all and no
# leave: absent without notice", late minutes from the check-in, etc. -- nothing depends on the
# date the file is run; and "Recomputing ... with the same inputs gives the same figures". A
# `scenario run` of a month that has not ended by the wall clock (the current month, or a later
# month a BKPSDM simulates a draft Perbup for) ignores the file's punches on the days still to come:
# no late, early, missing or absent day is counted there (tpp/selectors.py treats a day that is not
# final as "not judged yet", the live preview of the current month, and the scenario run shares that
# path). The file future_month_2027_01.json (late 15 minutes on every weekday of January 2027) gives
# late 0 and gross 2,400,000 when run in December 2026 instead of late 21 and gross 2,148,000.


def test_audit_a_month_not_yet_over_counts_the_files_attendance(tmp_path):
    import calendar
    import copy
    import datetime as dt

    data = load("future_month_2027_01.json")
    # Move the file two months past today, so the month is never over when the test runs.
    today = dt.date.today()
    y, m = (
        (today.year, today.month + 2) if today.month <= 10 else (today.year + 1, today.month - 10)
    )
    days = [
        dt.date(y, m, d)
        for d in range(1, calendar.monthrange(y, m)[1] + 1)
        if dt.date(y, m, d).weekday() < 5
    ]
    data = copy.deepcopy(data)
    data["punches"] = [
        {"nip": "E1", "at": f"{d.isoformat()}T{t}", "source": "fingerprint"}
        for d in days
        for t in ("07:45", "16:00")
    ]
    path, out = tmp_path / "s.json", tmp_path / "r.json"
    path.write_text(json.dumps(data))
    call_command("scenario", "run", str(path), "--period", f"{y}-{m:02d}", "--out", str(out))
    row = json.loads(out.read_text())["employees"][0]
    # 07:30 start, check-in 07:45: 15 minutes late, 0.5% of the attendance pot on each of these days.
    assert row["attendance"]["late"] == len(days), row
    assert row["attendance"]["absent_without_notice"] == 0
