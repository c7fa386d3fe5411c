"""The README's production steps: `collectstatic` under the production settings (WhiteNoise's
manifest storage, which refuses a file naming a missing one, such as a source map) succeeds, and a
page then finds its hashed static files. It failed on the vendored libraries' sourceMappingURL lines,
after which every page answered 500."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.filterwarnings("ignore")
def test_collectstatic_succeeds_with_the_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ekinerja.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "EKINERJA_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "ALLOWED_HOSTS": "ekinerja.example.go.id",
    }
    env.pop("DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-m", "ekinerja", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    manifest = json.loads((tmp_path / "var" / "static" / "staticfiles.json").read_text())
    for name in (
        "vendor/bootstrap/bootstrap.min.css",
        "vendor/bootstrap/bootstrap.bundle.min.js",
        "vendor/chartjs/chart.umd.min.js",
        "vendor/htmx/htmx.min.js",
    ):
        assert name in manifest["paths"], name
        assert (tmp_path / "var" / "static" / manifest["paths"][name]).is_file()


def test_no_vendored_file_names_a_source_map_that_is_not_shipped():
    static = ROOT / "ekinerja" / "static"
    for path in static.rglob("*"):
        if path.suffix not in {".js", ".css"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for line in text.splitlines():
            if "sourceMappingURL=" in line:
                target = line.split("sourceMappingURL=", 1)[1].strip(" */")
                assert (path.parent / target).is_file(), f"{path}: {target}"
