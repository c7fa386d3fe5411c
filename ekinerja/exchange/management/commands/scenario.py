"""`ekinerja scenario run FILE --period YYYY-MM --out RESULT.json`

Loads an `ekinerja/1` document into a fresh, throwaway SQLite database (a child process with its own
DATABASE_URL, so the installation's own database is never touched), computes the month through the
same service the web app uses (tpp.services.run_compute) and writes an `ekinerja-result/1` document.
A file that breaks the format is refused as a whole, every problem listed as `path: reason`, and no
result is written.

The throwaway database starts as a copy of a migrated empty template kept in the user's cache
folder (`~/.cache/ekinerja/scenario-template-<key>.sqlite3`, the key a digest of every installed
app's migration files and the Django and SQLite versions), made by the first run after a change
of those. Migrating from nothing took 15-20 s of each run; the copy is still migrated (nothing to
apply, about a second), so a template that lags behind is brought up to date in the copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ekinerja.core.periods import Period


def read_or_fail(path: str, *, for_import: bool = False):
    """The document, or a CommandError listing every problem as `path: reason`."""
    from ekinerja.exchange.document import DocumentError, read_file

    try:
        return read_file(path, for_import=for_import)
    except DocumentError as exc:
        lines = [f"{p}: {r}" for p, r in exc.problems]
        raise CommandError(
            f"{path} bukan dokumen ekinerja/1 yang sah ({len(lines)} masalah):\n" + "\n".join(lines)
        ) from exc


def check_out_path(out: str) -> Path:
    """The --out file, refused before any work when it cannot be written: its folder missing, or
    a folder given instead of a file."""
    path = Path(out)
    if path.is_dir():
        raise CommandError(
            f"--out {out}: itu folder; sebutkan nama berkas hasil (mis. hasil.json)."
        )
    if not path.parent.is_dir():
        raise CommandError(f"--out {out}: folder {path.parent} tidak ada.")
    return path


def _same_file(a: str, b: str) -> bool:
    """Whether two paths name one existing file (a link or another spelling included)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def write_out(out: str, text: str) -> None:
    """Write the result whole or not at all: into a temporary file in the same folder, flushed to
    disk, then renamed over `out` (os.replace, atomic within one file system). A write that fails
    half-way (disk full) leaves a previous result as it was, never truncated, and removes the
    temporary file; a process killed half-way leaves the previous result too (and perhaps its
    `.NAME.<hex>.tmp`). A link named by `out` keeps pointing at the result."""
    path = Path(os.path.realpath(check_out_path(out)))
    tmp = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    try:
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
        try:
            with open(tmp, "x", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            if mode is not None:
                os.chmod(tmp, mode)  # a previous result keeps its permissions
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise CommandError(f"--out {out}: berkas tidak dapat ditulis ({exc.strerror}).") from exc


#: Set by `scenario run` for its child: the throwaway database `_inner` is allowed to write.
SCENARIO_DB = "EKINERJA_SCENARIO_DB"
#: Set by `scenario run` for its child when no template exists yet: where to keep one.
SCENARIO_TEMPLATE = "EKINERJA_SCENARIO_TEMPLATE"
TEMPLATE_PREFIX = "scenario-template-"


def template_path() -> Path | None:
    """The migrated empty database this code's scenario runs start from (see the module's
    docstring), or None when there is no cache folder to keep it in."""
    import django
    from django.apps import apps

    digest = hashlib.sha256(
        f"{django.__version__} {sqlite3.sqlite_version} {sys.version_info[:2]}".encode()
    )
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        folder = Path(config.path) / "migrations"
        if not folder.is_dir():
            continue
        for migration in sorted(folder.glob("*.py")):
            digest.update(f"{config.label}/{migration.name}\0".encode())
            digest.update(migration.read_bytes())
    base = os.environ.get("XDG_CACHE_HOME") or (
        str(Path.home() / ".cache") if os.environ.get("HOME") else ""
    )
    if not base:
        return None
    return Path(base) / "ekinerja" / f"{TEMPLATE_PREFIX}{digest.hexdigest()[:24]}.sqlite3"


def _start_from_template(template: Path | None, database: Path, env: dict) -> None:
    """Copy the template into the throwaway database's place; without one, ask the child to keep
    its freshly migrated database as the template."""
    if template is None:
        return
    try:
        shutil.copyfile(template, database)
        if _sound(database):
            return
        # Damaged (a disk that filled up, a hand edit): made again by this run.
        database.unlink(missing_ok=True)
        template.unlink(missing_ok=True)
    except FileNotFoundError:
        pass
    except OSError:
        database.unlink(missing_ok=True)
        return
    env[SCENARIO_TEMPLATE] = str(template)


def _sound(database: Path) -> bool:
    """Whether a copied template reads as a SQLite database that passes its quick check."""
    try:
        with sqlite3.connect(database) as db:
            return db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    except sqlite3.Error:
        return False


def _keep_as_template() -> None:
    """In the child, right after migrating the empty throwaway database: keep a copy as the
    template (SQLite's backup, written aside and renamed, so a reader never sees half of it).
    Older templates are removed. A cache folder that cannot be written is no error."""
    from django.db import connection

    named = os.environ.get(SCENARIO_TEMPLATE)
    if not named:
        return
    target = Path(named)
    part = target.with_name(f"{target.name}.{os.getpid()}.part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        connection.ensure_connection()
        copy = sqlite3.connect(part)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        os.replace(part, target)
        for old in target.parent.glob(f"{TEMPLATE_PREFIX}*.sqlite3"):
            if old != target:
                old.unlink(missing_ok=True)
    except (OSError, sqlite3.Error):
        part.unlink(missing_ok=True)


def _refuse_outside_the_throwaway_database() -> None:
    """`_inner` migrates and loads a whole scenario (an instansi, its employees, a computed run)
    into the database it is given. Called by hand, it wrote all that into the installation's own
    database; it runs only as `scenario run`'s child, on the SQLite file that run created in a
    temporary directory (named in SCENARIO_DB)."""
    from django.db import connection

    named = os.environ.get(SCENARIO_DB, "")
    database = str(connection.settings_dict.get("NAME") or "")
    temp_root = os.path.realpath(tempfile.gettempdir())
    if not (
        named
        and connection.vendor == "sqlite"
        and os.path.realpath(database) == os.path.realpath(named)
        and Path(os.path.realpath(named)).parent.name.startswith("ekinerja-scenario-")
        and os.path.realpath(named).startswith(temp_root + os.sep)
    ):
        raise CommandError(
            "`scenario _inner` hanya dijalankan oleh `ekinerja scenario run` pada basis data "
            "sementaranya sendiri; jalankan `ekinerja scenario run BERKAS --period YYYY-MM --out "
            "HASIL.json`."
        )


class Command(BaseCommand):
    help = "Jalankan simulasi TPP dari berkas ekinerja/1 pada basis data sementara."

    def add_arguments(self, parser):
        # `_inner` is how `run` calls itself in the throwaway database: not listed in the help.
        sub = parser.add_subparsers(dest="action", required=True, metavar="run")
        run = sub.add_parser("run", help="hitung satu bulan dari berkas skenario")
        run.add_argument("file")
        run.add_argument("--period", required=True, help="YYYY-MM")
        run.add_argument("--out", required=True, help="berkas hasil (JSON)")
        inner = sub.add_parser("_inner")
        inner.add_argument("file")
        inner.add_argument("--period", required=True)
        inner.add_argument("--out", required=True)

    def handle(self, *args, **opts):
        text = opts["period"]
        try:
            # The format's `--period YYYY-MM`: the whole argument, ASCII digits (Period.parse).
            period = Period.parse(text)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if opts["action"] == "run":
            return self._run(opts["file"], period, opts["out"])
        return self._inner(opts["file"], period, opts["out"])

    def _read(self, path: str):
        return read_or_fail(path)

    def _run(self, path: str, period: Period, out: str) -> None:
        check_out_path(out)  # refuse an unwritable result before computing for seconds
        if _same_file(path, out):  # the result would replace the scenario it came from
            raise CommandError(
                f"--out {out}: itu berkas skenarionya sendiri; hasil akan menimpanya. Sebutkan "
                "berkas hasil yang lain (mis. hasil.json)."
            )
        self._read(path)  # refuse a bad file before creating anything
        with tempfile.TemporaryDirectory(prefix="ekinerja-scenario-") as tmp:
            env = dict(os.environ)
            env["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'scenario.sqlite3'}"
            env[SCENARIO_DB] = str(Path(tmp) / "scenario.sqlite3")  # what _inner may write to
            env["EKINERJA_VAR_DIR"] = tmp
            env["MEDIA_ROOT"] = str(Path(tmp) / "media")
            env.pop("REDIS_URL", None)  # compute inline, never on a shared broker
            env.setdefault("DJANGO_SETTINGS_MODULE", "ekinerja.settings.base")
            env.pop(SCENARIO_TEMPLATE, None)
            _start_from_template(template_path(), Path(tmp) / "scenario.sqlite3", env)
            tmp_out = Path(tmp) / "result.json"
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "ekinerja",
                    "scenario",
                    "_inner",
                    os.path.abspath(path),
                    "--period",
                    str(period),
                    "--out",
                    str(tmp_out),
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                message = (proc.stderr or proc.stdout).strip().removeprefix("CommandError: ")
                raise CommandError(message or "simulasi skenario gagal")
            result = tmp_out.read_text(encoding="utf-8")
        write_out(out, result)
        doc = json.loads(result)
        self.stdout.write(
            f"{doc['period']}: {doc['totals']['employees']} pegawai, bruto {doc['totals']['gross']}, "
            f"neto {doc['totals']['net']} -> {out}"
        )

    def _inner(self, path: str, period: Period, out: str) -> None:
        from django.core.management import call_command

        _refuse_outside_the_throwaway_database()

        from ekinerja.attendance.selectors import complete_data
        from ekinerja.exchange.loader import load_document
        from ekinerja.exchange.results import (
            overlapping_leave_notes,
            result_document,
            rows_without_post,
        )
        from ekinerja.tpp.policy import policy_from_dict, spec_tables
        from ekinerja.tpp.services import run_compute

        doc = self._read(path)
        call_command("migrate", verbosity=0, interactive=False)
        _keep_as_template()
        instansi = load_document(doc, extra_years={period.year})
        try:
            # The policy is read as the format's spec reads it (gaps in bands and floors).
            # The file holds the month's every punch and leave: its days are final even when the
            # month is not over by the clock (attendance.selectors.complete_data).
            with spec_tables(), complete_data():
                run = run_compute(actor=None, instansi=instansi, period=period)
                extra = rows_without_post(run, policy_from_dict(run.policy_data))
        except ValidationError as exc:
            # A file that reads well but cannot be computed for this month (no policy in force on
            # its first day): the reason, with the file's part it concerns, not a traceback.
            where = {"policy": "$.policies"}
            raise CommandError(
                "\n".join(
                    f"{where.get(field, '$')}: {message}"
                    for field, messages in exc.message_dict.items()
                    for message in messages
                )
            ) from exc
        Path(out).write_text(
            json.dumps(
                result_document(run, extra, overlapping_leave_notes(doc.leaves, period)),
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )
