"""Run the benchmarks in bench/ (`make bench`, or `.venv/bin/python bench/run.py [name ...]`).

Every `bench/<name>.py` except this file is a benchmark: a script that prints its figures and exits
non-zero when a target is missed. Without names all of them run, in name order; the environment
(DATABASE_URL, ...) is passed through unchanged.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    available = sorted(
        p.stem for p in HERE.glob("*.py") if p.name != "run.py" and not p.name.startswith("_")
    )
    names = argv or available
    unknown = [n for n in names if n not in available]
    if unknown:
        print(f"Benchmark tidak dikenal: {', '.join(unknown)}. Tersedia: {', '.join(available)}")
        return 2
    failed = []
    for name in names:
        print(f"== {name}", flush=True)
        if subprocess.run([sys.executable, str(HERE / f"{name}.py")], check=False).returncode:
            failed.append(name)
    if failed:
        print(f"Gagal atau di luar target: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
