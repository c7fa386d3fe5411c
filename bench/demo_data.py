"""Benchmark: `ekinerja demo-data --employees N` into a fresh database, timed end to end.

    .venv/bin/python bench/demo_data.py                      # SQLite file in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/demo_data.py
    .venv/bin/python bench/demo_data.py --employees 5000 --runs 3
    .venv/bin/python bench/demo_data.py --only org              # the organisation generator alone

SQLite always runs. With DATABASE_URL pointing at PostgreSQL, the benchmark also creates a throwaway
database `ekinerja_bench_demo` on that server (psql, the URL's user; trust auth on 127.0.0.1), migrates
it, times the same command there and drops it again. Migrations are not timed; the timed part is the
whole `demo-data` process (Python start-up included), as a user would run it; each generator's own
time (as the command reports it) is printed below, with the machine's load average before and after
(on a machine busy with other work the wall time grows; the CPU seconds of the command much less).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dj_database_url

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "ekinerja_bench_demo"


def _ekinerja(env: dict, *args: str, capture: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ekinerja", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
    )


ONLY: list[str] = []  # --only: generators to run (org always runs)


def _time_demo(env: dict, employees: int) -> tuple[float, str]:
    args = ["demo-data", "--employees", str(employees)]
    if ONLY:
        args += ["--only", ",".join(ONLY)]
    load_before = os.getloadavg()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = _ekinerja(env, *args, capture=True)
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_after = os.getloadavg()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = done.stdout.splitlines()
    # "<generator> selesai dalam 12.3 dtk": each generator's own time, then the summary line.
    steps = [ln.strip() for ln in lines if " selesai dalam " in ln]
    summary = next((ln for ln in lines if " OPD, " in ln), "").strip()
    # CPU time of the command itself: a fairer figure than wall time on a machine busy with other
    # work (the database server's own CPU is not included).
    load = (
        f"load average (1/5/15 min) sebelum {' '.join(f'{x:.2f}' for x in load_before)}, "
        f"sesudah {' '.join(f'{x:.2f}' for x in load_after)}"
    )
    return seconds, "\n".join([f"CPU (proses demo-data): {cpu:.1f} s", load, *steps, summary])


def _report(label: str, employees: int, seconds: float, summary: str) -> None:
    print(
        f"{label:<12} {employees:>7} pegawai  {seconds:7.1f} s  "
        f"{employees / seconds:8.0f} pegawai/s   {'OK' if seconds < 60 else 'LEBIH DARI 60 s'}"
    )
    for line in summary.splitlines():
        print(f"{'':<12} {line}")


def bench_sqlite(employees: int, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        tmp = Path(tempfile.mkdtemp(prefix="ekinerja-bench-"))
        try:
            env = {
                **os.environ,
                "EKINERJA_VAR_DIR": str(tmp),
                "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
                "DJANGO_SETTINGS_MODULE": "ekinerja.settings.base",
            }
            _ekinerja(env, "migrate", "--noinput")
            seconds, summary = _time_demo(env, employees)
            _report("SQLite", employees, seconds, summary)
            times.append(seconds)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return times


def _psql(cfg: dict, sql: str) -> str:
    env = {**os.environ}
    if cfg.get("PASSWORD"):
        env["PGPASSWORD"] = cfg["PASSWORD"]
    cmd = ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", "postgres", "-c", sql]
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if cfg.get(key):
            cmd[1:1] = [flag, str(cfg[key])]
    return subprocess.run(cmd, env=env, check=True, text=True, capture_output=True).stdout.strip()


def bench_postgres(url: str, employees: int, runs: int) -> list[float]:
    cfg = dj_database_url.parse(url)
    if "postgresql" not in cfg["ENGINE"]:
        print(f"DATABASE_URL bukan PostgreSQL ({cfg['ENGINE']}); dilewati.")
        return []
    version = _psql(cfg, "SHOW server_version")
    print(f"PostgreSQL {version} di {cfg.get('HOST') or 'socket'}:{cfg.get('PORT') or 5432}")
    # Same server and user, the throwaway database instead of the URL's own.
    user = cfg.get("USER") or ""
    password = f":{cfg['PASSWORD']}" if cfg.get("PASSWORD") else ""
    host = cfg.get("HOST") or "127.0.0.1"
    port = f":{cfg['PORT']}" if cfg.get("PORT") else ""
    bench_url = f"postgres://{user}{password}{'@' if user else ''}{host}{port}/{BENCH_DB}"
    times = []
    tmp = Path(tempfile.mkdtemp(prefix="ekinerja-bench-"))
    try:
        for _ in range(runs):
            _psql(cfg, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
            _psql(cfg, f"CREATE DATABASE {BENCH_DB}")
            env = {
                **os.environ,
                "EKINERJA_VAR_DIR": str(tmp),
                "DATABASE_URL": bench_url,
                "DJANGO_SETTINGS_MODULE": "ekinerja.settings.base",
            }
            _ekinerja(env, "migrate", "--noinput")
            seconds, summary = _time_demo(env, employees)
            _report("PostgreSQL", employees, seconds, summary)
            times.append(seconds)
    finally:
        _psql(cfg, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        shutil.rmtree(tmp, ignore_errors=True)
    return times


def main(argv: list[str] | None = None) -> int:
    # Stopped by `timeout` or kill: still stop the running command and drop the throwaway database
    # (subprocess.run kills its child on any exception; the finally blocks drop the database).
    signal.signal(signal.SIGTERM, lambda *_a: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--no-sqlite", action="store_true", help="only PostgreSQL")
    parser.add_argument(
        "--only", default="", help="only these demo generators, comma-separated (org always runs)"
    )
    args = parser.parse_args(argv)
    ONLY[:] = [n for n in args.only.split(",") if n.strip()]
    print(
        f"demo-data --employees {args.employees}{' --only ' + args.only if args.only else ''}: "
        f"Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPU"
    )
    results = []
    if not args.no_sqlite:
        results += bench_sqlite(args.employees, args.runs)
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        results += bench_postgres(url, args.employees, args.runs)
    elif url:
        print("DATABASE_URL bukan PostgreSQL; hanya SQLite yang diukur.")
    return 0 if results and all(t < 60 for t in results) else 1


if __name__ == "__main__":
    sys.exit(main())
