"""`scenario run` starts its throwaway database from a migrated empty template kept in the user's
cache folder (ekinerja/exchange/management/commands/scenario.py): the first run makes it, the
next ones copy it, and a damaged one is made again. The result is the same either way."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management import call_command

from ekinerja.exchange.management.commands import scenario

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hss-30-50-20.json"


def _run(tmp_path: Path, name: str) -> dict:
    out = tmp_path / name
    call_command("scenario", "run", str(EXAMPLE), "--period", "2026-10", "--out", str(out))
    return json.loads(out.read_text(encoding="utf-8"))


def test_the_first_run_keeps_a_template_the_next_start_from(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    template = scenario.template_path()
    assert template is not None and template.parent == tmp_path / "cache" / "ekinerja"
    stale = template.with_name("scenario-template-0000.sqlite3")
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"an older code's template")
    assert not template.exists()

    first = _run(tmp_path, "a.json")
    assert template.exists() and not stale.exists()
    assert not list(template.parent.glob("*.part"))
    made = template.stat().st_mtime_ns

    second = _run(tmp_path, "b.json")
    assert template.stat().st_mtime_ns == made  # copied, not made again
    assert second == first
    assert first["totals"]["net"] == 17412410


def test_a_damaged_template_is_made_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    template = scenario.template_path()
    template.parent.mkdir(parents=True)
    template.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)

    doc = _run(tmp_path, "a.json")
    assert doc["totals"]["net"] == 17412410
    assert scenario._sound(template)


def test_the_key_follows_the_migrations(tmp_path, monkeypatch):
    """Another set of migrations (an upgrade) names another template."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    before = scenario.template_path()
    from django.apps import apps

    config = apps.get_app_config("tpp")
    monkeypatch.setattr(config, "path", str(tmp_path / "tpp"))
    (tmp_path / "tpp" / "migrations").mkdir(parents=True)
    (tmp_path / "tpp" / "migrations" / "0001_initial.py").write_text("# another\n")
    assert scenario.template_path() != before


def test_no_cache_folder_runs_without_a_template(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("HOME", raising=False)
    assert scenario.template_path() is None
