"""Benchmark: activity submissions over HTTP (the month-end burst from phones).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/activity_submit.py
    .venv/bin/python bench/activity_submit.py --users 200 --rate 1.6 --duration 60 --cpus 2

Set-up (not timed): a throwaway PostgreSQL database `ekinerja_bench_activity` on the DATABASE_URL's
server (default postgres://postgres@127.0.0.1:5432/postgres), migrated, filled with
`ekinerja demo-data --employees 20000 --only activities` (the organisation and a month of activities),
and bearer tokens for employees on the default calendar (bench/_activity_prep.py).

Measured: gunicorn (ekinerja.wsgi; 2 x cpus gthread workers with 3 threads each, keep-alive; pinned
with taskset to --cpus cores when the machine has more, 2 by default: the 2-core target machine;
DEBUG off, DB_CONN_MAX_AGE=600, cache in each worker's memory or with --redis in Redis) serving the
real API, `POST /api/v1/activities/entries` with `submit: true` (validation,
window from the work calendar, overlap, catalog, cap warning, insert), driven by locust headless on
127.0.0.1 only, in bounded runs:
  1. warm-up (10 s, not reported);
  2. target: --users phones each at --rate requests/s (default 200 x 1.6 = 320/s offered);
  3. saturation: the same number of phones with no wait (the most the server takes).
Each run uses its own accounts and every request a fresh 5-minute evening slot, so nothing is refused
for overlap; any non-201 answer counts as a failure. Goal: >= 300 submissions/s with p95 <= 200 ms in
the target run and no failures. After each run: the CPU seconds of gunicorn (user/system), of the
PostgreSQL backends of the benchmark database, of locust, and of the whole machine, with the load
average. The database is dropped afterwards unless --keep; --reuse takes a kept one (first removing
an earlier run's entries and tokens).
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import dj_database_url
import psutil  # comes with locust

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "ekinerja_bench_activity"
CODE = "6306"
BIN = Path(sys.executable).parent


def _psql(cfg: dict, sql: str, db: str = "postgres") -> str:
    env = {**os.environ}
    if cfg.get("PASSWORD"):
        env["PGPASSWORD"] = cfg["PASSWORD"]
    cmd = ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql]
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if cfg.get(key):
            cmd[1:1] = [flag, str(cfg[key])]
    return subprocess.run(cmd, env=env, check=True, text=True, capture_output=True).stdout.strip()


def _bench_url(cfg: dict) -> str:
    user = cfg.get("USER") or ""
    password = f":{cfg['PASSWORD']}" if cfg.get("PASSWORD") else ""
    host = cfg.get("HOST") or "127.0.0.1"
    port = f":{cfg['PORT']}" if cfg.get("PORT") else ""
    return f"postgres://{user}{password}{'@' if user else ''}{host}{port}/{BENCH_DB}"


def _pin(cores: str | None) -> list[str]:
    return ["taskset", "-c", cores] if cores and shutil.which("taskset") else []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn tidak menjawab di {url}")


def _cpu(proc: psutil.Process, part: str = "") -> float:
    try:
        t = proc.cpu_times()
    except psutil.Error:
        return 0.0
    return getattr(t, part) if part else t.user + t.system


def _snapshot(server: subprocess.Popen | None) -> dict:
    """CPU seconds so far: the gunicorn master and workers, the PostgreSQL backends serving the
    benchmark database, the finished child processes (locust), and the whole machine (busy and all)."""
    snap = {"wall": time.perf_counter(), "load": os.getloadavg()}
    if server is not None:
        master = psutil.Process(server.pid)
        procs = [master, *master.children(recursive=True)]
        snap["server"] = sum(_cpu(c) for c in procs)
        snap["server_sys"] = sum(_cpu(c, "system") for c in procs)
    # Backends (and autovacuum workers) of the benchmark database: the title names it.
    snap["pg_bench"] = sum(
        _cpu(proc)
        for proc in psutil.process_iter(["name", "cmdline"])
        if proc.info["name"] == "postgres" and BENCH_DB in " ".join(proc.info["cmdline"] or ())
    )
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    snap["children"] = kids.ru_utime + kids.ru_stime
    machine = psutil.cpu_times()
    snap["machine_all"] = sum(machine)
    snap["machine_idle"] = machine.idle + getattr(machine, "iowait", 0.0)
    return snap


def _cpu_line(before: dict, after: dict, requests: int) -> str:
    wall = after["wall"] - before["wall"]

    def d(key):
        return after[key] - before[key]

    busy = d("machine_all") - d("machine_idle")
    per = 1000 / max(requests, 1)
    return (
        f"            CPU selama {wall:.0f} s: gunicorn {d('server'):.1f} s "
        f"({d('server') * per:.2f} ms/permintaan, sistem {d('server_sys') * per:.2f} ms), "
        f"PostgreSQL (basis data uji) {d('pg_bench'):.1f} s ({d('pg_bench') * per:.2f} ms), locust "
        f"{d('children'):.1f} s ({d('children') * per:.2f} ms); mesin sibuk {busy:.1f} dari "
        f"{d('machine_all'):.1f} CPU-detik ({100 * busy / max(d('machine_all'), 1e-9):.0f}%); "
        f"load average {before['load'][0]:.2f} -> {after['load'][0]:.2f}"
    )


def _locust(env, host, users, rate, seconds, offset, out: Path, cores) -> dict:
    prefix = out / f"run{offset}"
    cmd = [
        *_pin(cores),
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "_locust_activity.py"),
        "--headless",
        "--only-summary",
        "--host",
        host,
        "-u",
        str(users),
        "-r",
        str(max(1, users // 2)),
        "-t",
        f"{seconds}s",
        "--stop-timeout",
        "5",
        "--csv",
        str(prefix),
        "--exit-code-on-error",
        "0",
        "--loglevel",
        "WARNING",
    ]
    run_env = {**env, "BENCH_USER_RATE": str(rate), "BENCH_ACCOUNT_OFFSET": str(offset)}
    subprocess.run(cmd, env=run_env, check=True, cwd=ROOT, timeout=seconds + 120)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh) if r["Name"] == "Aggregated")
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
        "max": float(row["Max Response Time"]),
    }


def _line(label: str, r: dict) -> str:
    return (
        f"{label:<11} {r['requests']:>7} permintaan  {r['rps']:7.1f}/s  p50 {r['p50']:5.0f} ms  "
        f"p95 {r['p95']:5.0f} ms  p99 {r['p99']:5.0f} ms  gagal {r['failures']}"
    )


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, lambda *_a: sys.exit(143))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--employees", type=int, default=20000)
    p.add_argument("--users", type=int, default=200, help="simulated phones (200)")
    p.add_argument("--rate", type=float, default=1.6, help="requests/s per phone in the target run")
    p.add_argument("--duration", type=int, default=60, help="seconds per measured run (60)")
    p.add_argument("--cpus", type=int, default=2, help="cores for gunicorn (2; 0 = not pinned)")
    p.add_argument("--workers", type=int, default=0, help="gunicorn workers (2 x cpus)")
    p.add_argument("--threads", type=int, default=3, help="threads per worker (gthread; 3)")
    p.add_argument(
        "--worker-class",
        choices=["sync", "gthread"],
        default=None,
        help="gunicorn worker class (gthread when --threads > 1, else sync)",
    )
    p.add_argument(
        "--redis",
        action="store_true",
        help="the cache in Redis (REDIS_URL, database 15, emptied before and after) as in "
        "production, instead of each worker's own memory",
    )
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    p.add_argument("--reuse", action="store_true", help="reuse a kept database (skip set-up)")
    args = p.parse_args(argv)

    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    cfg = dj_database_url.parse(url)
    if "postgresql" not in cfg["ENGINE"]:
        print("Benchmark ini butuh PostgreSQL (DATABASE_URL=postgres://...).")
        return 1
    ncpu = os.cpu_count() or 1
    cpus = min(args.cpus, ncpu) if args.cpus else ncpu
    workers = args.workers or 2 * cpus
    worker_class = args.worker_class or ("gthread" if args.threads > 1 else "sync")
    server_cores = f"0-{cpus - 1}" if args.cpus and ncpu > cpus else None
    client_cores = f"{cpus}-{min(ncpu - 1, cpus + 3)}" if server_cores else None
    print(
        f"activity_submit: PostgreSQL {_psql(cfg, 'SHOW server_version')}, {ncpu} CPU "
        f"(gunicorn {workers} worker "
        f"{worker_class}{f' x {args.threads} thread' if worker_class == 'gthread' else ''}"
        f"{', inti ' + server_cores if server_cores else ''}; "
        f"cache {'Redis' if args.redis else 'memori tiap worker'}; "
        f"PostgreSQL tidak dipin), {args.employees} pegawai"
    )
    tmp = Path(tempfile.mkdtemp(prefix="ekinerja-bench-activity-"))
    env = {
        **os.environ,
        "EKINERJA_VAR_DIR": str(tmp),
        "DATABASE_URL": _bench_url(cfg),
        "DJANGO_SETTINGS_MODULE": "ekinerja.settings.base",
        "DEBUG": "0",
        "DB_CONN_MAX_AGE": "600",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BENCH_ACCOUNTS": str(tmp / "accounts.json"),
        # Phones with no wait would pass the per-token API limit (docs/api.md).
        "API_RATE_LIMIT": "0",
    }
    redis_db = None
    if args.redis:
        import redis

        env["REDIS_URL"] = "redis://127.0.0.1:6379/15"
        redis_db = redis.Redis.from_url(env["REDIS_URL"])
        redis_db.flushdb()
    # BENCH_DB is a constant of this script, not input.
    exists = _psql(cfg, f"SELECT 1 FROM pg_database WHERE datname = '{BENCH_DB}'") == "1"  # noqa: S608
    server = None
    ok = False
    try:
        if not (args.reuse and exists):
            _psql(cfg, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
            _psql(cfg, f"CREATE DATABASE {BENCH_DB}")
            ek = [sys.executable, "-m", "ekinerja"]
            subprocess.run(
                [*ek, "migrate", "--noinput"],
                env=env,
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            t0 = time.perf_counter()
            subprocess.run(
                [*ek, "demo-data", "--employees", str(args.employees), "--only", "activities"],
                env=env,
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            print(f"persiapan: demo-data (organisasi + aktivitas) {time.perf_counter() - t0:.0f} s")
        else:
            # A kept database follows the code's migrations, and goes back to its demo state: an
            # earlier run's entries and tokens removed.
            subprocess.run(
                [sys.executable, "-m", "ekinerja", "migrate", "--noinput"],
                env=env,
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            for sql in (
                "DELETE FROM activities_activityentry "
                "WHERE description = 'Uji beban pengajuan aktivitas'",
                "DELETE FROM activities_apitoken WHERE name = 'bench'",
                "VACUUM ANALYZE activities_activityentry",
            ):
                _psql(cfg, sql, BENCH_DB)
        entries = _psql(cfg, "SELECT count(*) FROM activities_activityentry", BENCH_DB)
        runs = 3
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "_activity_prep.py"),
                env["BENCH_ACCOUNTS"],
                str(args.users * runs),
                CODE,
            ],
            env={**env, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
            check=True,
        )
        port = _free_port()
        host = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                *_pin(server_cores),
                str(BIN / "gunicorn"),
                "ekinerja.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--worker-class",
                worker_class,
                "--threads",
                str(args.threads),
                "--backlog",
                "2048",
                # The workers' heartbeat file in memory, not on disk (touched on every request).
                *(["--worker-tmp-dir", "/dev/shm"] if os.path.isdir("/dev/shm") else []),
                "--log-level",
                "warning",
                # e.g. "--config bench/x.py" to profile the workers (see bench/README.md)
                *shlex.split(os.environ.get("BENCH_GUNICORN_ARGS", "")),
            ],
            env=env,
            cwd=ROOT,
        )
        _wait_up(f"{host}/api/v1/openapi.json")
        print(f"data: {entries} entri aktivitas sudah ada; server {host}")
        _locust(env, host, min(args.users, 50), 2, 10, 0, tmp, client_cores)  # warm-up
        before = _snapshot(server)
        target = _locust(
            env, host, args.users, args.rate, args.duration, args.users, tmp, client_cores
        )
        after = _snapshot(server)
        print(_line(f"target {args.users * args.rate:.0f}/s", target))
        print(_cpu_line(before, after, target["requests"]))
        before = _snapshot(server)
        peak = _locust(env, host, args.users, 0, args.duration, 2 * args.users, tmp, client_cores)
        after = _snapshot(server)
        print(_line("saturasi", peak))
        print(_cpu_line(before, after, peak["requests"]))
        made = _psql(
            cfg,
            "SELECT count(*) FROM activities_activityentry WHERE description = "
            "'Uji beban pengajuan aktivitas' AND status = 'submitted'",
            BENCH_DB,
        )
        print(f"entri diajukan lewat API dan tersimpan: {made}")
        ok = target["rps"] >= 300 and target["p95"] <= 200 and target["failures"] == 0
        print(
            "SESUAI TARGET (>= 300/s, p95 <= 200 ms)"
            if ok
            else "DI LUAR TARGET (>= 300/s, p95 <= 200 ms)"
        )
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        if redis_db is not None:
            redis_db.flushdb()
        if not args.keep:
            _psql(cfg, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
