"""Benchmark: simulating a draft TPP policy on a month of the 20,000-employee demo (PostgreSQL).

    flock /tmp/bench.lock env DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/tpp_simulation.py [--employees 20000] [--keep | --reuse]

Set-up (not timed; the same as bench/tpp_run.py, whose helpers it uses, in its own throwaway
database `ekinerja_bench_tpp_sim`): migrate, `ekinerja demo-data --employees N`, a full month of raw
punches and approved activity entries for the month two months before today.

Measured, in one fresh process, wall-clock and SQL queries:
- run: `services.run_compute` of the month (for comparison, and so a stored run exists);
- simulate (stored baseline): `simulation.simulate_policy` with a draft that raises every class base
  by 10%, compared with the stored run: one gather + calculate, one read of the stored results;
- simulate (recomputed baseline): the same with `baseline="policy"`: two gathers + calculates;
- job: `simulation.simulation_compute` (the Celery task's work: simulate with the stored baseline and
  write one SimulationRow per employee in one transaction).
There is no pass/fail target: the figures say how long BKPSDM waits (the page shows the progress).
"""

from __future__ import annotations

import argparse
import copy
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import dj_database_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tpp_run import CODE, _bench_url, _ekinerja, _ensure_month, _psql  # noqa: E402

BENCH_DB = "ekinerja_bench_tpp_sim"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure() -> int:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ekinerja.core.clock import local_today
    from ekinerja.core.models import Instansi
    from ekinerja.core.periods import Period
    from ekinerja.tpp import selectors, services, simulation
    from ekinerja.tpp.models import Run, Simulation

    instansi = Instansi.objects.get(code=CODE)
    period = Period.of(local_today(instansi)).previous().previous()
    _ensure_month(instansi, period)
    Run.objects.filter(instansi=instansi, period=str(period)).delete()
    in_force = selectors.policy_for(instansi, period)
    data = copy.deepcopy(in_force.data)
    data["name"] = "Draf bench: pagu +10%"
    data["base_by_class"] = {k: int(v * 11 // 10) for k, v in data["base_by_class"].items()}
    draft = services.policy_save(actor=None, instansi=instansi, data=data)

    def timed(label: str, fn):
        c0 = _cpu()
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            out = fn()
            wall = time.perf_counter() - t0
        print(
            f"{label:<34} {wall:8.1f} s wall {_cpu() - c0:8.1f} s CPU "
            f"{len(queries.captured_queries):5d} queries"
        )
        return out

    run = timed(
        "run_compute",
        lambda: services.run_compute(actor=None, instansi=instansi, period=period),
    )
    print(f"month {period}: {run.employees:,} employees, net Rp{int(run.total_net):,}")
    sim = timed(
        "simulate_policy (stored baseline)",
        lambda: simulation.simulate_policy(instansi, draft, period),
    )
    print(
        f"  {len(sim.rows):,} rows, {len(sim.units)} units, baseline {sim.baseline['kind']}, "
        f"net Rp{int(sim.total.old_net):,} -> Rp{int(sim.total.new_net):,}"
    )
    fresh = timed(
        "simulate_policy (recomputed)",
        lambda: simulation.simulate_policy(instansi, draft, period, baseline="policy"),
    )
    print(f"  baseline {fresh.baseline['kind']}, difference Rp{int(fresh.total.difference):,}")
    job = simulation.simulation_start(actor=None, policy=draft, period=period)
    job = timed("simulation_compute (job, stored)", lambda: simulation.simulation_compute(job))
    print(f"  status {job.status}, {job.employees:,} rows stored")
    Simulation.objects.filter(pk=job.pk).delete()
    return 0 if job.status == Simulation.Status.DONE else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=20000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="use the kept database as it is")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure_only:
        return measure()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to a PostgreSQL server (this benchmark is PostgreSQL only).")
        return 2
    cfg = dj_database_url.parse(url)
    env = {
        **os.environ,
        "DATABASE_URL": _bench_url(cfg, BENCH_DB),
        "DJANGO_SETTINGS_MODULE": "ekinerja.settings.base",
        "EKINERJA_VAR_DIR": os.environ.get("EKINERJA_VAR_DIR", "/tmp/ekinerja-bench-tpp-sim"),
    }
    env.pop("REDIS_URL", None)
    try:
        if not args.reuse:
            _psql(cfg, f"DROP DATABASE IF EXISTS {BENCH_DB}")
            _psql(cfg, f"CREATE DATABASE {BENCH_DB}")
            _ekinerja(env, "migrate", "--noinput")
            t0 = time.perf_counter()
            _ekinerja(env, "demo-data", "--employees", str(args.employees), "--instansi-code", CODE)
            print(f"demo-data --employees {args.employees}: {time.perf_counter() - t0:.1f} s")
        print(f"load before: {os.getloadavg()}")
        done = subprocess.run(
            [sys.executable, __file__, "--measure-only"], cwd=ROOT, env=env, check=False
        )
        print(f"load after: {os.getloadavg()}")
        return done.returncode
    finally:
        if not args.keep:
            _psql(cfg, f"DROP DATABASE IF EXISTS {BENCH_DB}")


if __name__ == "__main__":
    sys.exit(main())
