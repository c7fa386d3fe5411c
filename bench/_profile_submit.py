"""Where the time of one API submission goes (a tool for bench/activity_submit.py, not a benchmark of
its own: the leading underscore keeps bench/run.py from running it).

Replays `POST /api/v1/activities/entries` with `submit: true` straight into the WSGI application in
this one process (every middleware, the router, authentication, validation, the insert; no HTTP
server, no client), against a database kept by `bench/activity_submit.py --keep`:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ekinerja_bench_activity \\
    DJANGO_SETTINGS_MODULE=ekinerja.settings.base DEBUG=0 DB_CONN_MAX_AGE=600 \\
    .venv/bin/python bench/_profile_submit.py ACCOUNTS.json -n 2000 [--profile out.prof]

ACCOUNTS.json comes from bench/_activity_prep.py. Prints the requests per second of one process, the
wall and CPU milliseconds per request, the queries per request (and the time spent in them, as the
client sees it), and with --profile the top of a cProfile of the replay.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from collections import Counter

import django

django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection  # noqa: E402

from ekinerja.api.handler import Handler  # noqa: E402

SLOTS = [(h, m) for h in range(17, 24) for m in range(0, 60, 5)][:-1]


def bodies(accounts: list[dict], n: int, skip: int) -> list[tuple[str, bytes]]:
    """n requests, round robin over the accounts, each in a fresh evening slot."""
    out: list[tuple[str, bytes]] = []
    per = [[(d, s) for d in a["dates"] for s in SLOTS] for a in accounts]
    k = skip
    while len(out) < n:
        for a, slots in zip(accounts, per, strict=True):
            if k >= len(slots):
                raise SystemExit("Slot habis: siapkan lebih banyak akun.")
            day, (h, m) = slots[k]
            end_h, end_m = (h, m + 5) if m < 55 else (h + 1, 0)
            body = {
                "date": day,
                "start_time": f"{h:02d}:{m:02d}",
                "end_time": f"{end_h:02d}:{end_m:02d}",
                "item_id": a["item"],
                "volume": "1",
                "description": "Uji beban pengajuan aktivitas",
                "submit": True,
            }
            out.append((a["token"], json.dumps(body).encode()))
            if len(out) == n:
                break
        k += 1
    return out


def environ(token: str, body: bytes) -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/activities/entries",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def _backend():
    """The PostgreSQL server process of this connection (None on SQLite)."""
    if connection.vendor != "postgresql":
        return None
    import psutil

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return psutil.Process(cursor.fetchone()[0])


def _cpu(proc) -> float:
    if proc is None:
        return 0.0
    t = proc.cpu_times()
    return t.user + t.system


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("accounts")
    p.add_argument("-n", type=int, default=2000, help="requests to replay (2000)")
    p.add_argument("--warm", type=int, default=200, help="requests before measuring (200)")
    p.add_argument("--profile", help="write a cProfile (CPU time) of the measured requests here")
    p.add_argument("--top", type=int, default=40)
    p.add_argument("--full-stack", action="store_true", help="every middleware (no short stack)")
    p.add_argument("--show-queries", action="store_true", help="print one request's SQL")
    args = p.parse_args(argv)

    accounts = json.loads(open(args.accounts, encoding="utf-8").read())
    # The application gunicorn serves (ekinerja.wsgi: the short stack for these bearer requests), or
    # Django's plain handler with every middleware.
    app = get_wsgi_application() if args.full_stack else Handler()
    reqs = bodies(accounts, args.warm + args.n, 0)
    statuses: Counter = Counter()
    queries = {"n": 0, "s": 0.0}
    sample: list[str] = []
    by_sql: Counter = Counter()
    by_sql_n: Counter = Counter()

    def count(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            d = time.perf_counter() - t
            queries["n"] += 1
            queries["s"] += d
            head = " ".join(sql.split()[:6])[:90]
            by_sql[head] += d
            by_sql_n[head] += 1
            if args.show_queries and len(sample) < 40:
                sample.append(sql)

    def call(token: str, body: bytes) -> None:
        result = []

        def start_response(status, headers, exc_info=None):
            result.append(status)

        chunks = app(environ(token, body), start_response)
        b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        statuses[result[0]] += 1
        if not result[0].startswith("201") and statuses[result[0]] <= 3:
            print(result[0], b"".join(chunks)[:300], file=sys.stderr)

    for token, body in reqs[: args.warm]:
        call(token, body)
    statuses.clear()
    measured = reqs[args.warm :]
    # CPU time, not wall time: waiting for the database would otherwise hide the Python cost.
    prof = cProfile.Profile(time.process_time) if args.profile else None
    with connection.execute_wrapper(count):
        if args.show_queries:
            call(*measured[0])
            measured = measured[1:]
            print("\n".join(sample))
            sample.clear()
            queries.update(n=0, s=0.0)
            by_sql.clear()
            by_sql_n.clear()
        backend = _backend()
        w0, c0, b0 = time.perf_counter(), time.process_time(), _cpu(backend)
        if prof:
            prof.enable()
        for token, body in measured:
            call(token, body)
        if prof:
            prof.disable()
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        pg_cpu = _cpu(backend) - b0
    n = len(measured)
    print(
        f"{n} permintaan dalam satu proses: {n / wall:.0f}/s; per permintaan {1000 * wall / n:.2f} ms "
        f"wall, {1000 * cpu / n:.2f} ms CPU (PostgreSQL {1000 * pg_cpu / n:.2f} ms), "
        f"{queries['n'] / n:.1f} query "
        f"({1000 * queries['s'] / n:.2f} ms menunggu database); status {dict(statuses)}"
    )
    print("waktu database per jenis query (ms per permintaan, jumlah per permintaan):")
    for head, secs in by_sql.most_common(20):
        print(f"  {1000 * secs / n:6.2f} ms  {by_sql_n[head] / n:4.2f}x  {head}")
    if prof:
        prof.dump_stats(args.profile)
        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(args.top)
        print(s.getvalue())
        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(args.top)
        print(s.getvalue())
    return 0 if set(statuses) <= {"201 Created"} else 1


if __name__ == "__main__":
    sys.exit(main())
