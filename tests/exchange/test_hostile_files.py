"""Files an auditor found to end in a traceback instead of a listed problem: a catalog item of more
than a day, an SKP rating of a year the app does not keep, a lone surrogate in a string or a key,
a key written twice, and JSON nested deeper than Python's reader goes."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from ekinerja.exchange.document import DocumentError, read_document, read_file

from .test_document import minimal


def _write(tmp_path, text: str):
    path = tmp_path / "skenario.json"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path) -> dict[str, str]:
    with pytest.raises(DocumentError) as err:
        read_file(str(path))
    return dict(err.value.problems)


def test_a_catalog_item_longer_than_a_day_is_a_problem_at_its_path(tmp_path):
    data = minimal()
    data["activity_catalog"][0]["minutes"] = 1441
    found = _problems(_write(tmp_path, json.dumps(data)))
    assert found == {"$.activity_catalog[0].minutes": "tidak boleh lebih dari 1.440"}
    data["activity_catalog"][0]["minutes"] = 10**20
    assert "$.activity_catalog[0].minutes" in _problems(_write(tmp_path, json.dumps(data)))


@pytest.mark.parametrize("period", ["1999-12", "2101-01"])
def test_a_rating_of_a_year_the_app_keeps_no_plan_for_is_a_problem(tmp_path, period):
    data = minimal()
    data["skp_ratings"][0]["period"] = period
    found = _problems(_write(tmp_path, json.dumps(data)))
    assert found == {"$.skp_ratings[0].period": "tahun harus antara 2000 dan 2100"}


def test_a_lone_surrogate_in_a_value_or_a_key_is_a_problem_that_can_be_printed(tmp_path):
    data = minimal()
    text = json.dumps(data).replace('"Sekretariat Daerah"', '"Sekretariat \\ud800"', 1)
    text = text.replace('"format"', '"x\\udfff": 1, "format"', 1)
    path = _write(tmp_path, text)
    found = _problems(path)
    assert "surrogate" in found["$.units[0].name"]
    assert "$.x\\udfff" in found  # the unknown key, quoted with its escape
    with pytest.raises(CommandError) as err:
        call_command(
            "scenario", "run", str(path), "--period", "2026-10", "--out", str(tmp_path / "r")
        )
    message = str(err.value)
    message.encode("utf-8")  # printable: no lone surrogate left in the list
    assert "$.units[0].name" in message
    assert not (tmp_path / "r").exists()


def test_a_key_written_twice_is_named_even_when_its_last_value_is_valid(tmp_path):
    data = minimal()
    text = json.dumps(data).replace('"salary": ', '"salary": "oops", "salary": ', 1)
    assert '"salary": "oops"' in text
    found = _problems(_write(tmp_path, text))
    assert found == {"$.employees[0].salary": "kunci ditulis lebih dari sekali dalam satu objek"}


def test_json_nested_too_deep_is_refused_as_such(tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    assert _problems(_write(tmp_path, deep)) == {
        "$": "bukan JSON yang sah: bersarang terlalu dalam"
    }
    data = minimal()
    text = json.dumps(data)[:-1] + ', "extra": ' + "[" * 2000 + "]" * 2000 + "}"
    found = _problems(_write(tmp_path, text))
    assert found in (
        {"$": "bukan JSON yang sah: bersarang terlalu dalam"},
        {"$.extra": "kunci tidak dikenal"},
    )


@pytest.mark.parametrize(
    ("where", "value", "path"),
    [
        (("leaves", 0, "to"), "9999-12-31", "$.leaves[0].to"),
        (("punches", 0, "at"), "0001-01-01T07:00", "$.punches[0].at"),
        (
            ("employees", 0, "assignments", 0, "from"),
            "1899-12-31",
            "$.employees[0].assignments[0].from",
        ),
        (("holidays", 0, "date"), "9999-01-01", "$.holidays[0].date"),
    ],
)
def test_a_date_outside_the_years_the_app_takes_is_a_problem_at_its_path(
    tmp_path, where, value, path
):
    # A leave to 9999-12-31 or a punch in year 1 passed the reader and ended the scenario run in
    # an OverflowError traceback while loading (a day after 9999-12-31, a time zone shift before
    # year 1). They are refused with their path, as a policy's effective_from already was.
    data = minimal()
    target = data
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = value
    found = _problems(_write(tmp_path, json.dumps(data)))
    assert found == {path: "tanggal di luar rentang yang wajar (tahun 1900-9998)"}


def test_a_leave_to_the_end_of_the_calendar_is_refused_by_scenario_run_without_a_traceback(
    tmp_path,
):
    data = minimal()
    data["leaves"][0]["to"] = "9999-12-31"
    path = _write(tmp_path, json.dumps(data))
    with pytest.raises(CommandError) as err:
        call_command(
            "scenario", "run", str(path), "--period", "2026-10", "--out", str(tmp_path / "r")
        )
    assert "$.leaves[0].to: tanggal di luar rentang yang wajar (tahun 1900-9998)" in str(err.value)
    assert not (tmp_path / "r").exists()


def test_the_first_and_last_dates_the_app_takes_are_read():
    data = minimal()
    data["employees"][0]["assignments"][0].update({"from": "1900-01-01", "to": "9998-12-31"})
    data["punches"][0]["at"] = "9998-12-31T23:59"
    doc = read_document(data)
    assert doc.employees[0].assignments[0].end.year == 9998


def test_a_file_starting_with_a_byte_order_mark_is_read(tmp_path):
    # Windows Notepad saves "UTF-8" with a byte order mark; the file was refused as "bukan JSON
    # UTF-8 yang sah (baris 1, kolom 1)" although it is UTF-8 JSON (RFC 8259 lets a reader skip it).
    path = tmp_path / "skenario.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(minimal()).encode("utf-8"))
    assert read_file(str(path)).employees[0].nip == minimal()["employees"][0]["nip"]
    call_command(
        "scenario", "run", str(path), "--period", "2026-10", "--out", str(tmp_path / "r.json")
    )
    assert json.loads((tmp_path / "r.json").read_text())["format"] == "ekinerja-result/1"


def test_an_integer_of_more_digits_than_python_reads_is_a_problem_not_a_traceback(tmp_path):
    """Python 3.11 refuses to convert an integer literal of more than 4,300 digits (a plain
    ValueError, not a JSON error): the file ended in a traceback in scenario run and exchange
    import alike."""
    text = json.dumps(minimal()).replace('"format"', '"x": ' + "1" * 4301 + ', "format"', 1)
    path = _write(tmp_path, text)
    assert _problems(path) == {
        "$": "bukan JSON yang dapat dibaca: ada angka yang lebih dari 4.300 digit"
    }
    with pytest.raises(CommandError, match="4.300 digit"):
        call_command(
            "scenario", "run", str(path), "--period", "2026-10", "--out", str(tmp_path / "r")
        )


def test_a_control_character_in_a_name_or_code_is_a_problem_at_its_path(tmp_path):
    """A NUL cannot even be stored by PostgreSQL (exchange import ended in a DataError traceback);
    a tab or a line break in a code or a name is a damaged file too."""
    data = minimal()
    data["holidays"][0]["name"] = "Hari\u0000Jadi"
    data["schedules"][1]["shifts"]["P\u0000"] = data["schedules"][1]["shifts"].pop("P")
    data["activity_catalog"][0]["name"] = "Menyusun\nlaporan"
    data["units"][0]["code"] = "SET\tDA"
    found = _problems(_write(tmp_path, json.dumps(data)))
    reason = "tidak boleh berisi karakter kontrol (NUL, tab, baris baru, ...)"
    assert found["$.holidays[0].name"] == reason
    assert found["$.activity_catalog[0].name"] == reason
    assert found["$.units[0].code"] == reason
    assert found["$.schedules[1].shifts"] == 'nama kunci "P\\u0000" berisi karakter kontrol'


def test_a_policy_name_longer_than_it_is_stored_is_a_problem_at_its_path(tmp_path):
    data = minimal()
    data["policies"][0]["name"] = "P" * 201
    found = _problems(_write(tmp_path, json.dumps(data)))
    assert found == {"$.policies[0].name": "paling panjang 200 karakter (ada 201)"}
    data["policies"][0]["name"] = "P" * 200
    read_document(json.loads(json.dumps(data)))


def test_acting_in_ones_own_definitif_post_is_a_problem_at_its_path(tmp_path):
    """tpp-rules.md step 1: Plt/Plh "of another position"; a file with a Plt of the employee's own
    post paid 120% of their base."""
    data = minimal()
    emp = data["employees"][0]
    post = next(a for a in emp["assignments"] if a["kind"] == "definitif")
    emp["assignments"].append(
        {"position": post["position"], "from": "2026-10-01", "to": None, "kind": "plt"}
    )
    found = _problems(_write(tmp_path, json.dumps(data)))
    assert found == {
        "$.employees[0].assignments": "plt/plh pada jabatan definitifnya sendiri "
        f"({post['position']}) pada tanggal yang sama"
    }


def test_the_longest_entry_window_in_the_last_year_the_app_takes_is_computed(tmp_path):
    """A window of 250 working days (the largest a policy takes) from December 9998 reaches past
    9999-12-31: the search horizon overflowed (OverflowError traceback, no result written). It now
    stops at the calendar's last day."""
    from pathlib import Path

    data = json.loads(Path("examples/hss-30-50-20.json").read_text(encoding="utf-8"))
    for policy in data["policies"]:
        policy["activity"]["entry_window_working_days"] = 250
    path = _write(tmp_path, json.dumps(data))
    out = tmp_path / "hasil.json"
    call_command("scenario", "run", str(path), "--period", "9998-12", "--out", str(out))
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["period"] == "9998-12" and result["employees"]
