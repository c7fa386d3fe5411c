"""S11 audit of `ekinerja scenario run` against ../shared/spec/scenario-format.md, line by line
(7 December 2026). Each test pins a deviation the audit found, and fails without its fix."""

import json
from pathlib import Path

from django.core.management import call_command

from ekinerja.exchange.document import DocumentError, read_document

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def test_both_problems_of_an_employees_assignments_are_listed():
    """The spec: a bad file is refused "with every problem listed". Overlapping definitif posts
    and a Plt of the employee's own post are both reported at `...assignments`; the reader keeps
    one problem per path, so the second was left out and only surfaced after the first was
    fixed."""
    data = _example("hss-30-50-20")
    post = data["employees"][0]["assignments"][0]["position"]
    data["employees"][0]["assignments"] = [
        {"position": post, "from": "2024-01-01", "to": None, "kind": "definitif"},
        {"position": "KABAG", "from": "2025-01-01", "to": None, "kind": "definitif"},
        {"position": post, "from": "2026-10-01", "to": "2026-10-10", "kind": "plt"},
    ]
    try:
        read_document(data)
    except DocumentError as exc:
        problems = exc.problems
    else:  # pragma: no cover - the assertion below says what is wrong
        problems = []
    assert problems == [
        (
            "$.employees[0].assignments",
            "penugasan definitif saling tumpang tindih; plt/plh pada jabatan definitifnya "
            f"sendiri ({post}) pada tanggal yang sama",
        )
    ]


def test_an_allowances_keys_follow_the_formats_order_whatever_the_policys_order(tmp_path):
    """The spec's row carries `"allowances": {"tpp": {"ceiling", "attendance", "activity",
    "gross"}, ...}`. The components of an allowance were written in the policy's order, so a
    policy listing activity before attendance gave `{"ceiling", "activity", "attendance",
    "gross"}`: the same policy written in another order gave another result file. Now it is the
    example's result, byte for byte."""
    data = _example("madiun-tpp-ukk")
    for policy in data["policies"]:
        for allowance in policy["allowances"]:
            allowance["components"].reverse()
    assert [c["key"] for c in data["policies"][0]["allowances"][0]["components"]] == [
        "activity",
        "attendance",
    ]
    path, out = tmp_path / "scenario.json", tmp_path / "result.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    call_command("scenario", "run", str(path), "--period", "2026-10", "--out", str(out))
    result = json.loads(out.read_text(encoding="utf-8"))
    for row in result["employees"]:
        assert list(row["allowances"]["tpp"]) == ["ceiling", "attendance", "activity", "gross"]
        assert list(row["allowances"]["ukk"]) == ["ceiling", "skp", "gross"]
    expected = (EXAMPLES / "madiun-tpp-ukk.result.json").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == expected
