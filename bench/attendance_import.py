"""Benchmark: fingerprint punch import and daily-status derivation.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/attendance_import.py
    .venv/bin/python bench/attendance_import.py --employees 2000 --punches 100000   # SQLite, smaller

With a PostgreSQL DATABASE_URL, a throwaway database `ekinerja_bench_attendance` is created on that
server (psql as the URL's user), migrated, used and dropped. Without one, a temporary SQLite file.

Figures printed:
1. generating a CSV export of N punches (PIN + date-time) for E employees (not part of the import);
2. preview: parse + check every line + resolve PINs (what the upload screen does);
3. import: parse again + set-based insert (COPY + INSERT ... ON CONFLICT on PostgreSQL), the import
   goal being 1M punches in <= 10 s on PostgreSQL; recomputation is timed separately;
4. importing the same file again (adds 0 rows);
5. attendance_month for all E employees x 1 month (the TPP run's read: load + derive, nothing stored);
6. daily_recompute for all E employees x 1 month (derive + store DailyAttendance rows).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "ekinerja_bench_attendance"


def _setup_database(args) -> tuple[str, callable]:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import dj_database_url

        cfg = dj_database_url.parse(url)
        base = [
            "psql",
            "-h",
            cfg["HOST"] or "127.0.0.1",
            "-p",
            str(cfg["PORT"] or 5432),
            "-U",
            cfg["USER"],
            "-d",
            cfg["NAME"] or "postgres",
            "-q",
        ]
        subprocess.run([*base, "-c", f"DROP DATABASE IF EXISTS {BENCH_DB}"], check=True)
        subprocess.run([*base, "-c", f"CREATE DATABASE {BENCH_DB}"], check=True)
        os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{BENCH_DB}"

        def cleanup():
            from django.db import connections

            connections.close_all()
            subprocess.run([*base, "-c", f"DROP DATABASE IF EXISTS {BENCH_DB}"], check=False)

        return "PostgreSQL", cleanup
    tmp = tempfile.mkdtemp(prefix="ekinerja-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["EKINERJA_VAR_DIR"] = tmp
    return "SQLite", lambda: None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=20_000)
    parser.add_argument("--punches", type=int, default=1_000_000)
    parser.add_argument(
        "--period",
        default="",
        help="YYYY-MM (default: the month before this one; an import takes"
        " only punches of the past year)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    args = parser.parse_args()

    engine, cleanup = _setup_database(args)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ekinerja.settings.base")
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="ekinerja-bench-media-")
    import django

    django.setup()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        run(args, engine)
    finally:
        if not args.keep:
            cleanup()


def run(args, engine: str) -> None:
    import datetime as dt

    from ekinerja.attendance import selectors, services
    from ekinerja.attendance.models import DailyAttendance, PinMapping, Punch
    from ekinerja.core.models import Instansi
    from ekinerja.core.periods import Period
    from ekinerja.org.models import Employee
    from ekinerja.workcal.services import holidays_seed, schedule_define

    period = Period.parse(args.period) if args.period else Period.of(dt.date.today()).previous()
    inst = Instansi.objects.create(code="9999", name="Kabupaten Bench", timezone="Asia/Makassar")
    t = dt.time
    schedule_define(
        actor=None,
        instansi=inst,
        code="5HK",
        name="Lima hari kerja",
        kind="fixed",
        days={**{d: (t(7, 30), t(16, 0)) for d in range(4)}, 4: (t(7, 30), t(16, 30))},
        is_default=True,
    )
    holidays_seed(actor=None, instansi=inst, year=period.year)
    E = args.employees
    Employee.objects.bulk_create(
        [
            Employee(
                instansi=inst,
                nip=f"19850517201003{1000000 + i:07d}"[-18:],
                name=f"Pegawai {i}",
                status="PNS",
                golongan="III/a",
            )
            for i in range(E)
        ],
        batch_size=5000,
    )
    emp_ids = list(
        Employee.objects.filter(instansi=inst).order_by("id").values_list("id", flat=True)
    )
    PinMapping.objects.bulk_create(
        [
            PinMapping(instansi=inst, pin=str(10000 + i), employee_id=eid)
            for i, eid in enumerate(emp_ids)
        ],
        batch_size=5000,
    )
    days = [d for d in period.days() if d.weekday() < 5]

    # 1. The export file: each employee's check-in and check-out on working days, plus extra taps.
    t0 = time.perf_counter()
    rng = random.Random(7)
    lines = ["PIN,Waktu"]
    n = 0
    target = args.punches
    per_day = max(1, round(target / (E * len(days))))
    while n < target:
        for i in range(E):
            pin = 10000 + i
            for d in days:
                for k in range(per_day):
                    if n >= target:
                        break
                    if k % 2 == 0:
                        minute = 7 * 60 + rng.randint(0, 45) + k
                    else:
                        minute = 15 * 60 + 45 + rng.randint(0, 45) + k
                    lines.append(
                        f"{pin},{d.isoformat()} {minute // 60:02d}:{minute % 60:02d}:{rng.randint(0, 59):02d}"
                    )
                    n += 1
            if n >= target:
                break
        per_day += 1  # a second pass (if needed) adds taps at other minutes
    data = ("\n".join(lines) + "\n").encode()
    gen = time.perf_counter() - t0
    print(f"engine: {engine}; employees: {E}; punches in file: {n} ({len(data) / 1e6:.1f} MB)")
    print(
        f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
        "(wall times below include waiting for the CPU on a busy machine)"
    )
    print(f"1. generate export file: {gen:.1f} s")

    t0 = time.perf_counter()
    batch = services.import_preview(actor=None, instansi=inst, name="bench.csv", data=data)
    prev = time.perf_counter() - t0
    assert batch.status == "preview", batch.errors[:3]
    print(f"2. preview (parse, check, resolve {batch.valid_lines} lines): {prev:.2f} s")

    t0 = time.perf_counter()
    done = services.import_run(actor=None, batch=batch, recompute=False)
    imp = time.perf_counter() - t0
    print(
        f"3. import {done.inserted} punches (parse + set-based insert): {imp:.2f} s "
        f"= {done.inserted / imp:,.0f} punches/s; duplicates in file {done.duplicates}"
    )

    t0 = time.perf_counter()
    again = services.import_run(
        actor=None,
        batch=services.import_preview(actor=None, instansi=inst, name="bench.csv", data=data),
        recompute=False,
    )
    rep = time.perf_counter() - t0
    print(
        f"4. same file again (preview + import): {rep:.2f} s, added {again.inserted} (rows in table: {Punch.objects.count()})"
    )

    emps = list(Employee.objects.filter(instansi=inst))
    t0 = time.perf_counter()
    facts = selectors.attendance_month(emps, period)
    der = time.perf_counter() - t0
    nd = sum(len(v) for v in facts.values())
    late = sum(1 for v in facts.values() for f in v if f.late_minutes)
    print(
        f"5. attendance_month {len(emps)} employees x {period.label}: {der:.2f} s ({nd} working days derived, {late} late)"
    )

    t0 = time.perf_counter()
    stored = services.daily_recompute(
        instansi=inst, start=period.first_day, end=period.last_day, employees=emps
    )
    rec = time.perf_counter() - t0
    print(
        f"6. daily_recompute (derive + store): {rec:.2f} s ({stored} rows; table {DailyAttendance.objects.count()})"
    )


if __name__ == "__main__":
    main()
