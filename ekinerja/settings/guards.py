"""What keeps the development settings (settings.base) safe when they end up serving the public.

`ekinerja.wsgi` falls back to settings.base, whose defaults suit `make demo` (runserver, DEBUG on,
a development SECRET_KEY printed in this repository). A gunicorn started without
DJANGO_SETTINGS_MODULE would have served tracebacks and settings to anyone, with a key everybody
knows. So:

- under an application server (gunicorn, uWSGI, mod_wsgi, ...) DEBUG is off whatever the defaults,
  and DEBUG=1 is refused at start-up: the debug pages are for `ekinerja runserver` on one's machine;
- with DEBUG off, the public development key is refused, and without SECRET_KEY the installation's
  own random key is used, created once in EKINERJA_VAR_DIR/secret_key (readable by its owner only),
  so sessions and signatures survive restarts and are shared by every worker.

settings.production still requires SECRET_KEY itself and turns on the HTTPS settings.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

#: The key of `make demo` and the tests: public, so never used with DEBUG off.
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-0123456789abcdef"

#: Modules present in the process when it serves HTTP for real.
APP_SERVERS = ("gunicorn", "uwsgi", "mod_wsgi", "waitress", "uvicorn", "daphne", "hypercorn")

KEY_FILE = "secret_key"


def env_int(environ: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    """A whole number from the environment (`default` when unset or empty). A value that is not
    one, or is below `minimum`, stops the start with the variable's name and what it holds, in
    Indonesian, instead of a bare "invalid literal for int()" traceback that names nothing."""
    raw = (environ.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={raw!r} bukan bilangan bulat; isi dengan angka (bawaan {default})."
        ) from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} terlalu kecil; paling sedikit {minimum}.")
    return value


def app_server(argv: list[str] | None = None) -> str | None:
    """The application server this process runs in, if any (its module is loaded), or "celery" for
    a Celery worker or beat (`celery -A ekinerja worker`): they run the same code on the same data
    as the web, so they get the same DEBUG and key (not the development ones)."""
    found = next((name for name in APP_SERVERS if name in sys.modules), None)
    if found:
        return found
    argv = sys.argv if argv is None else argv
    if argv and Path(argv[0]).name.startswith("celery") and {"worker", "beat"} & set(argv[1:]):
        return "celery"
    return None


def debug_setting(environ: Mapping[str, str], server: str | None) -> bool:
    """DEBUG from the environment: on by default for development commands, always off under an
    application server, where DEBUG=1 is refused."""
    raw = environ.get("DEBUG")
    if server is None:
        return (raw if raw is not None else "1") == "1"
    if raw == "1":
        raise ImproperlyConfigured(
            f"DEBUG=1 tidak boleh dipakai di {server}: halaman debug menampilkan pengaturan dan "
            "kode kepada siapa pun. Hapus DEBUG dari lingkungan dan pakai "
            "DJANGO_SETTINGS_MODULE=ekinerja.settings.production (lihat README)."
        )
    return False


def secret_key_setting(environ: Mapping[str, str], *, debug: bool, var_dir: Path) -> str:
    """SECRET_KEY from the environment; unset: the development key with DEBUG on, else the
    installation's own key file. The development key with DEBUG off is refused."""
    key = environ.get("SECRET_KEY", "")
    if key == DEV_SECRET_KEY and not debug:
        raise ImproperlyConfigured(
            "SECRET_KEY masih kunci pengembangan yang tercantum di kode sumber; isi SECRET_KEY "
            "dengan nilai acak sendiri (minimal 50 karakter)."
        )
    if key:
        return key
    return DEV_SECRET_KEY if debug else installation_key(var_dir)


def installation_key(var_dir: Path) -> str:
    """The key kept in var_dir/secret_key, created on first use. Several workers starting at once
    agree on one: each writes its own candidate and links it into place; the first link wins."""
    path = Path(var_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        candidate = path.with_name(f".{KEY_FILE}.{os.getpid()}")
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(64))
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    key = path.read_text().strip()
    if len(key) < 50:
        raise ImproperlyConfigured(f"{path} tidak berisi kunci yang sah; hapus berkasnya.")
    return key
