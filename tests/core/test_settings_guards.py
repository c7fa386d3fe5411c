"""The development settings are safe when they end up serving the public (settings.guards). Before:
`gunicorn ekinerja.wsgi` without DJANGO_SETTINGS_MODULE ran settings.base with DEBUG on (tracebacks
and settings shown to anyone) and the development SECRET_KEY printed in this repository."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ekinerja.settings.guards import (
    APP_SERVERS,
    DEV_SECRET_KEY,
    debug_setting,
    env_int,
    installation_key,
    secret_key_setting,
)

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def test_debug_is_on_for_development_commands_and_off_under_an_app_server():
    assert debug_setting({}, None) is True
    assert debug_setting({"DEBUG": "0"}, None) is False
    assert debug_setting({}, "gunicorn") is False
    assert debug_setting({"DEBUG": "0"}, "gunicorn") is False
    with pytest.raises(ImproperlyConfigured, match="DEBUG=1 tidak boleh dipakai di gunicorn"):
        debug_setting({"DEBUG": "1"}, "gunicorn")


def test_a_celery_worker_or_beat_runs_as_the_web_does():
    """Not with the development DEBUG and key while gunicorn uses the installation's key."""
    from ekinerja.settings.guards import app_server

    assert app_server(["/opt/ekinerja/venv/bin/celery", "-A", "ekinerja", "worker"]) == "celery"
    assert app_server(["/opt/ekinerja/venv/bin/celery", "-A", "ekinerja", "beat"]) == "celery"
    assert not any(m in sys.modules for m in APP_SERVERS)  # this test process serves nothing
    assert (
        app_server(["/opt/ekinerja/venv/bin/celery", "-A", "ekinerja", "inspect", "ping"]) is None
    )
    assert app_server(["/opt/ekinerja/venv/bin/ekinerja", "runserver"]) is None


def test_the_development_key_only_with_debug(tmp_path):
    assert secret_key_setting({}, debug=True, var_dir=tmp_path) == DEV_SECRET_KEY
    with pytest.raises(ImproperlyConfigured, match="kunci pengembangan"):
        secret_key_setting({"SECRET_KEY": DEV_SECRET_KEY}, debug=False, var_dir=tmp_path)
    own = "k" * 60
    assert secret_key_setting({"SECRET_KEY": own}, debug=False, var_dir=tmp_path) == own
    key = secret_key_setting({}, debug=False, var_dir=tmp_path)
    assert key != DEV_SECRET_KEY and len(key) >= 50
    assert secret_key_setting({}, debug=False, var_dir=tmp_path) == key  # kept across restarts
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600
    assert installation_key(tmp_path / "other") != key  # each installation its own
    assert {p.name for p in tmp_path.iterdir()} == {"secret_key", "other"}  # no candidate left


def test_production_settings_refuse_the_development_key(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ekinerja.settings.production"}
    env["EKINERJA_VAR_DIR"] = str(tmp_path)
    env["ALLOWED_HOSTS"] = "ekinerja.example.go.id"
    env["SECRET_KEY"] = DEV_SECRET_KEY + "x" * 10  # long enough, still not the public one
    code = "import django; django.setup()"
    ok = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True)
    assert ok.returncode == 0, ok.stderr.decode()[-500:]
    env["SECRET_KEY"] = DEV_SECRET_KEY
    bad = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True)
    assert bad.returncode != 0 and b"SECRET_KEY" in bad.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _gunicorn(tmp_path: Path, **env_extra) -> tuple[subprocess.Popen, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DEBUG")}
    env.pop("SECRET_KEY", None)
    env.update(
        EKINERJA_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env_extra,
    )
    port = _free_port()
    proc = subprocess.Popen(
        [
            str(GUNICORN),
            "ekinerja.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--no-control-socket",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    return proc, f"http://127.0.0.1:{port}"


def _get(url: str, deadline: float) -> tuple[int, str]:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - our own server
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed in this venv")
def test_gunicorn_without_settings_module_serves_no_debug_page(tmp_path):
    proc, base = _gunicorn(tmp_path)
    try:
        status, body = _get(f"{base}/tidak-ada-halaman-ini/", time.monotonic() + 30)
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    assert status == 404
    assert "Halaman tidak ditemukan" in body
    assert "URLconf" not in body and "DEBUG = True" not in body and "Traceback" not in body
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50 and key != DEV_SECRET_KEY


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed in this venv")
def test_gunicorn_refuses_to_start_with_debug_on(tmp_path):
    proc, _base = _gunicorn(tmp_path, DEBUG="1")
    try:
        _out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.terminate()
        proc.communicate(timeout=30)
        pytest.fail("gunicorn kept running with DEBUG=1")
    assert proc.returncode != 0
    assert b"DEBUG=1 tidak boleh dipakai di gunicorn" in err


def test_production_settings_refuse_a_patterned_key_and_data_inside_the_package(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ekinerja.settings.production"}
    env["SECRET_KEY"] = "x" * 60  # long enough, no key at all
    env["EKINERJA_VAR_DIR"] = str(tmp_path)
    env["ALLOWED_HOSTS"] = "ekinerja.example.go.id"
    code = "import django; django.setup()"
    bad = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True)
    assert bad.returncode != 0 and b"pola" in bad.stderr
    env["SECRET_KEY"] = DEV_SECRET_KEY + "x" * 10
    env.pop("EKINERJA_VAR_DIR")
    bad = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True)
    assert bad.returncode != 0 and b"EKINERJA_VAR_DIR" in bad.stderr
    env["EKINERJA_VAR_DIR"] = str(tmp_path / "lib" / "python3.11" / "site-packages" / "var")
    bad = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True)
    assert bad.returncode != 0 and b"EKINERJA_VAR_DIR" in bad.stderr
    # Anywhere inside the virtualenv (rebuilt or replaced at an upgrade), not only site-packages.
    if sys.prefix != sys.base_prefix:
        env["EKINERJA_VAR_DIR"] = str(Path(sys.prefix) / "data")
        bad = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True)
        assert bad.returncode != 0 and b"EKINERJA_VAR_DIR" in bad.stderr


@pytest.mark.parametrize("hosts", [None, "", ",", "*", "ekinerja.example.go.id,*"])
def test_production_settings_need_the_sites_own_host_name(tmp_path, hosts):
    """Unset, every request to the site's name answered 400; "*" accepts anyone's host name."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ekinerja.settings.production"}
    data = tmp_path / "data"
    env.update(SECRET_KEY=DEV_SECRET_KEY + "x" * 10, EKINERJA_VAR_DIR=str(data))
    env.pop("ALLOWED_HOSTS", None)
    if hosts is not None:
        env["ALLOWED_HOSTS"] = hosts
    code = "import django; django.setup()"
    bad = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True)
    assert bad.returncode != 0 and b"ALLOWED_HOSTS wajib diisi" in bad.stderr
    # Refused before the base settings run: no data folder (nor static/) left behind.
    assert not data.exists()
    env["ALLOWED_HOSTS"] = "ekinerja.example.go.id"
    ok = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True)
    assert ok.returncode == 0, ok.stderr.decode()[-500:]


def test_a_plain_install_brings_the_redis_transport_of_the_job_queue():
    """`pip install .` (no dev extras) must give celery what its Redis transport imports: with plain
    `celery` the worker failed on `import packaging`, which only the dev tools had brought in."""
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.replace(" ", "").startswith("celery[redis]") for d in deps)


def test_machines_and_the_health_check_are_answered_on_plain_http(tmp_path):
    """ZKTeco machines follow no redirect to HTTPS; every other path is redirected."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ekinerja.settings.production"}
    env.update(SECRET_KEY=DEV_SECRET_KEY + "x" * 10, EKINERJA_VAR_DIR=str(tmp_path))
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env["ALLOWED_HOSTS"] = "testserver"
    code = (
        "import django; django.setup()\n"
        "from django.core.management import call_command; call_command('migrate', verbosity=0)\n"
        "from django.test import Client\n"
        "c = Client()\n"
        "print(c.get('/iclock/cdata', {'SN': 'X'}).status_code, c.get('/health/').status_code,"
        " c.get('/masuk/').status_code)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()[-800:]
    iclock, health, login = done.stdout.decode().split()
    assert iclock != "301" and health == "200" and login == "301"


def test_a_number_from_the_environment_that_is_not_one_names_the_variable():
    """SESSION_IDLE_MINUTES=30m stopped the start with "invalid literal for int() with base 10",
    naming no variable."""
    assert env_int({}, "SESSION_IDLE_MINUTES", 30) == 30
    assert env_int({"SESSION_IDLE_MINUTES": " 45 "}, "SESSION_IDLE_MINUTES", 30) == 45
    assert env_int({"SESSION_IDLE_MINUTES": ""}, "SESSION_IDLE_MINUTES", 30) == 30
    with pytest.raises(ImproperlyConfigured, match="SESSION_IDLE_MINUTES='30m' bukan bilangan"):
        env_int({"SESSION_IDLE_MINUTES": "30m"}, "SESSION_IDLE_MINUTES", 30, minimum=1)
    with pytest.raises(ImproperlyConfigured, match="LOGIN_LOCKOUT_THRESHOLD=0 terlalu kecil"):
        env_int({"LOGIN_LOCKOUT_THRESHOLD": "0"}, "LOGIN_LOCKOUT_THRESHOLD", 5, minimum=1)


def test_the_settings_read_their_numbers_through_the_check():
    env = {
        **os.environ,
        "SESSION_IDLE_MINUTES": "30m",
        "DJANGO_SETTINGS_MODULE": "ekinerja.settings.base",
    }
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "SESSION_IDLE_MINUTES='30m' bukan bilangan bulat" in done.stderr
