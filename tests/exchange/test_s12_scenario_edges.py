"""Scenario-format values that were accepted silently: a shift code that is empty or only spaces
(in a schedule's `shifts`; `exchange import` refused it, `scenario run` simulated it). Each is now a
problem listed with its JSON path among all the file's problems, and nothing is written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ekinerja.exchange.document import DocumentError, read_document

from .test_document import NIP, minimal

ROOT = Path(__file__).resolve().parents[2]
EMPTY = "kode shift tidak boleh kosong atau hanya berisi spasi"
BLANKS = ["", " ", "\u00a0", "\u3000"]


def _problems(data) -> dict[str, str]:
    with pytest.raises(DocumentError) as err:
        read_document(data)
    return dict(err.value.problems)


def _with_shift_code(code: str, *, rostered: bool = False) -> dict:
    data = minimal()
    data["schedules"][1]["shifts"][code] = ["07:00", "08:00"]
    if rostered:
        data["employees"][0]["schedule"] = "RS"
        data["shift_roster"] = [{"nip": NIP, "date": "2026-10-01", "shift": code}]
    return data


@pytest.mark.parametrize("code", BLANKS, ids=["empty", "space", "nbsp", "ideographic"])
def test_a_blank_shift_code_in_a_schedule_is_a_problem_at_its_path(code):
    found = _problems(_with_shift_code(code))
    assert found == {f"$.schedules[1].shifts[{json.dumps(code)}]": EMPTY}


@pytest.mark.parametrize("code", BLANKS, ids=["empty", "space", "nbsp", "ideographic"])
def test_a_blank_shift_code_on_a_roster_day_is_the_same_problem_at_its_path(code):
    found = _problems(_with_shift_code(code, rostered=True))
    assert found == {
        f"$.schedules[1].shifts[{json.dumps(code)}]": EMPTY,
        "$.shift_roster[0].shift": EMPTY,
    }


def test_a_blank_shift_code_is_listed_among_the_files_other_problems_and_nothing_written(
    tmp_path,
):
    data = _with_shift_code(" ", rostered=True)
    data["punches"][0]["at"] = "2026-10-01T7:41"  # another problem of the same file
    path, out = tmp_path / "skenario.json", tmp_path / "hasil.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError) as err:
        call_command("scenario", "run", str(path), "--period", "2026-10", "--out", str(out))
    lines = str(err.value).splitlines()
    assert lines[0] == f"{path} bukan dokumen ekinerja/1 yang sah (3 masalah):"
    assert f'$.schedules[1].shifts[" "]: {EMPTY}' in lines
    assert f"$.shift_roster[0].shift: {EMPTY}" in lines
    assert any(line.startswith("$.punches[0].at: ") for line in lines)
    assert not out.exists()


def test_scenario_run_on_a_file_with_an_empty_shift_code_exits_non_zero(tmp_path):
    path, out = tmp_path / "skenario.json", tmp_path / "hasil.json"
    path.write_text(json.dumps(_with_shift_code("")), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "ekinerja", "scenario", "run", str(path)]
        + ["--period", "2026-10", "--out", str(out)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0
    assert "(1 masalah)" in done.stderr
    assert f'$.schedules[1].shifts[""]: {EMPTY}' in done.stderr
    assert not out.exists()


def test_shift_codes_with_text_still_read():
    doc = read_document(_with_shift_code("S2", rostered=True))
    assert set(doc.schedules[1].shifts) == {"P", "M", "S2"}
    assert doc.shift_roster[0].shift == "S2"


def test_a_fixed_schedule_without_a_working_day_is_a_problem_at_its_days():
    """As a shift schedule without a shift: everyone on it was simulated with no working day and
    a TPP of 0, without a word."""
    data = minimal()
    data["schedules"][0]["days"] = {}
    assert _problems(data) == {
        "$.schedules[0].days": "jadwal 'fixed' membutuhkan paling sedikit satu hari kerja"
    }


def test_exchange_import_still_says_blank_codes_and_empty_days_in_schedule_defines_words():
    """`exchange import` reads the same document for_import and refuses both through
    workcal.schedule_problems, listed with the catalog's and holidays' problems."""
    data = _with_shift_code(" ")
    data["schedules"][0]["days"] = {}
    doc = read_document(data, for_import=True)
    assert " " in doc.schedules[1].shifts and doc.schedules[0].days == {}
