"""Benchmark: every page each demo account's menu offers, timed, with its SQL query count.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ekinerja_bench_tpp \
        .venv/bin/python bench/pages.py --periode 2026-10
    ... bench/pages.py --akun bkpsdm,atasan --depth 2 --json /tmp/pages.json
    ... bench/pages.py --user atasan=197505072000091138   # another account for a label

What it does: for each demo account (pegawai, atasan, admin OPD, BKPSDM, BPKAD, pimpinan, Kominfo,
tim penilai) it logs in with Django's test client and walks the site from the home page: every
link (`href`, `hx-get`) of the home page and its menu (depth 1), then every link of those pages
(depth 2: detail pages, exports such as `?format=xlsx` or `.xlsx`/`pdf`), at most `--per-shape`
URLs of one shape (the path with its numbers masked and the query's keys), so a list of 20,000
employees costs one visit, not 20,000. `--periode YYYY-MM` also opens every depth-1 page for that
month (`?periode=`), for a database whose data is in a past month.

Per page: status, wall time, SQL queries, the most repeated query (the same statement, numbers
masked, issued N times: an N+1 shows as a large N), the response size and the table rows of an
HTML page (a list without pagination shows as thousands of rows).

Nothing is written: every account's visit runs in one transaction that is rolled back (the login
included), each page in a savepoint, so it can run against a database another benchmark uses.

Database: the one of DATABASE_URL when it holds the demo (an account `bkpsdm`); otherwise a
throwaway SQLite database filled with `ekinerja demo-data --employees N` (`--employees`, 600 by
default), deleted afterwards. Exit status 1 when a page fails (5xx or an exception) or takes more
than `--limit` seconds (1.5 by default).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROLE_ACCOUNTS = [
    "pegawai",
    "atasan",
    "adminopd",
    "bkpsdm",
    "bpkad",
    "pimpinan",
    "kominfo",
    "timpenilai",
]
SKIP = ("/keluar/", "/static/", "/media/", "/iclock/", "/api/")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.rows = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr":
            self.rows += 1
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if a.get("hx-get"):
            self.links.append(a["hx-get"])


def shape(url: str) -> str:
    """The URL with its numbers masked and its query reduced to keys (format's value kept)."""
    parts = urlsplit(url)
    keys = sorted(
        f"{k}={v}" if k in ("format", "unduh") else k
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    )
    return re.sub(r"\d+", "#", parts.path) + ("?" + "&".join(keys) if keys else "")


def sql_shape(sql: str) -> str:
    sql = re.sub(r"'[^']*'", "?", sql)
    return re.sub(r"\b\d+\b", "#", sql)


def _local(href: str, base: str) -> str | None:
    if href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        if parts.netloc not in ("testserver", "127.0.0.1"):
            return None
    path = parts.path
    if not path.startswith("/"):
        path = base.rsplit("/", 1)[0] + "/" + path
    if path.startswith(SKIP):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def demo_usernames(labels: list[str], overrides: dict[str, str]) -> dict[str, str]:
    """Label -> username. The atasan is the demo's (first kepala bidang of its Dinas Pendidikan,
    hundreds of subordinates); the pegawai is the first pelaksana under that post."""
    from ekinerja.core.clock import local_today
    from ekinerja.demo.structure import DEMO_OPD
    from ekinerja.org.models import Assignment, Role, RoleGrant
    from ekinerja.org.selectors import active_on

    found: dict[str, str] = {}
    grants = {
        "pimpinan": Role.PIMPINAN,
        "bkpsdm": Role.BKPSDM,
        "bpkad": Role.BPKAD,
        "adminopd": Role.ADMIN_OPD,
        "kominfo": Role.KOMINFO,
        "timpenilai": Role.TIM_PENILAI,
    }
    for label, role in grants.items():
        g = RoleGrant.objects.filter(role=role).select_related("user").order_by("pk").first()
        if g:
            found[label] = g.user.username
    boss = (
        Assignment.objects.filter(
            kind=Assignment.Kind.DEFINITIF,
            position__code__startswith=DEMO_OPD,
            position__name__startswith="Kepala Bidang",
            employee__user__isnull=False,
        )
        .select_related("employee__user", "position", "instansi")
        .order_by("position_id", "pk")
        .first()
    )
    if boss:
        today = local_today(boss.instansi)
        found["atasan"] = boss.employee.user.username
        staff = (
            Assignment.objects.filter(
                active_on(today),
                kind=Assignment.Kind.DEFINITIF,
                position__parent_id=boss.position_id,
                position__kind="pelaksana",
                employee__user__isnull=False,
            )
            .select_related("employee__user")
            .order_by("position_id", "pk")
            .first()
        )
        if staff:
            found["pegawai"] = staff.employee.user.username
    found.update(overrides)
    return {label: found[label] for label in labels if label in found}


def visit(client, url: str) -> dict:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    row: dict = {"url": url}
    connection.queries_log.clear()  # a full log (9,000 queries) would make every count 0
    with CaptureQueriesContext(connection) as ctx:
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            with transaction.atomic():
                resp = client.get(url)
                body = b"".join(resp.streaming_content) if resp.streaming else resp.content
                transaction.set_rollback(True)
            row["status"] = resp.status_code
        except Exception as exc:  # noqa: BLE001 - a failing page is a finding, not the end
            row["status"] = f"exc {type(exc).__name__}: {exc}"[:120]
            body, resp = b"", None
        row["seconds"] = time.perf_counter() - t0
        row["cpu"] = time.process_time() - c0  # this process only: less sensitive to a busy machine
    queries = [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))
    ]
    row["queries"] = len(queries)
    top = Counter(sql_shape(q) for q in queries).most_common(1)
    row["repeat"] = top[0][1] if top else 0
    row["repeat_sql"] = top[0][0][:200] if top else ""
    row["bytes"] = len(body)
    row["type"] = (resp.get("Content-Type", "") if resp is not None else "").split(";")[0]
    row["links"] = []
    row["rows"] = 0
    if resp is not None and resp.status_code in (301, 302):
        row["links"] = [resp["Location"]]
    elif row["type"] == "text/html":
        parser = _Links()
        parser.feed(body.decode("utf-8", "replace"))
        row["rows"] = parser.rows
        row["links"] = parser.links
    return row


def crawl(username: str, args) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.test import Client

    user = get_user_model().objects.get(username=username)
    rows: list[dict] = []
    with transaction.atomic():
        client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=True)
        client.force_login(user)
        seen_shapes: Counter = Counter()
        seen: set[str] = set()
        frontier = [("/", 0, False)]
        while frontier and len(rows) < args.max_pages:
            url, depth, forced = frontier.pop(0)
            sh = shape(url)
            # A redirect's target (/profil/ -> the account's own profile) is always opened.
            if url in seen or (seen_shapes[sh] >= args.per_shape and not forced):
                continue
            seen.add(url)
            seen_shapes[sh] += 1
            row = visit(client, url)
            row["depth"] = depth
            rows.append(row)
            if depth >= args.depth and row["status"] not in (301, 302):
                continue
            nxt = []
            for href in row["links"]:
                local = _local(href, url)
                if local and local not in seen:
                    nxt.append((local, depth + 1, row["status"] in (301, 302)))
            if depth == 0 and args.periode:
                for local, _depth, _forced in list(nxt):
                    p = urlsplit(local)
                    q = dict(parse_qsl(p.query))
                    if "periode" not in q:
                        q["periode"] = args.periode
                        nxt.append((p.path + "?" + urlencode(q), 1, False))
            frontier.extend(nxt)
        transaction.set_rollback(True)
    return rows


def _throwaway(employees: int) -> tempfile.TemporaryDirectory:
    tmp = tempfile.TemporaryDirectory(prefix="ekinerja-pages-")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp.name}/db.sqlite3",
        "EKINERJA_VAR_DIR": tmp.name,
    }
    for cmd in (["migrate", "--noinput"], ["demo-data", "--employees", str(employees)]):
        subprocess.run(
            [sys.executable, "-m", "ekinerja", *cmd],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "EKINERJA_VAR_DIR")})
    return tmp


def _has_demo() -> bool:
    """Whether DATABASE_URL's database holds the demo (asked in a child process, so that this
    one still chooses its database)."""
    probe = (
        "import django; django.setup()\n"
        "from django.contrib.auth import get_user_model\n"
        "print(get_user_model().objects.filter(username='bkpsdm').exists())"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return done.stdout.strip() == "True"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--akun", default=",".join(ROLE_ACCOUNTS), help="labels, comma-separated")
    ap.add_argument("--user", action="append", default=[], help="label=username override")
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--per-shape", type=int, default=1)
    ap.add_argument("--max-pages", type=int, default=200, help="per account")
    ap.add_argument("--periode", help="also open each menu page with ?periode=YYYY-MM")
    ap.add_argument("--limit", type=float, default=1.5, help="seconds a page may take")
    ap.add_argument("--employees", type=int, default=600, help="size of a throwaway demo")
    ap.add_argument("--json", help="write every row to this file")
    args = ap.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ekinerja.settings.base")
    tmp = None
    if not (os.environ.get("DATABASE_URL") and _has_demo()):
        tmp = _throwaway(args.employees)
    import django

    django.setup()
    import logging

    from django.db import connection

    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # failures are in the table
    labels = [a.strip() for a in args.akun.split(",") if a.strip()]
    users = demo_usernames(labels, dict(u.split("=", 1) for u in args.user))
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    bad = 0
    everything = []
    for label, username in users.items():
        rows = crawl(username, args)
        print(f"\n## {label} ({username}): {len(rows)} pages")
        print(f"| {'url':70} | status | seconds | cpu | queries | repeat | rows | KB |")
        for r in rows:
            slow = isinstance(r["status"], str) or r["status"] >= 500 or r["seconds"] > args.limit
            bad += slow
            print(
                f"| {r['url'][:70]:70} | {str(r['status'])[:40]} | {r['seconds']:7.2f} | {r['cpu']:5.2f} | "
                f"{r['queries']:7d} | {r['repeat']:6d} | {r['rows']:4d} | {r['bytes'] // 1024:4d} |"
                + (" <<" if slow else "")
            )
            everything.append({"account": label, **{k: v for k, v in r.items() if k != "links"}})
    if args.json:
        Path(args.json).write_text(json.dumps(everything, indent=1, default=str))
    if tmp is not None:
        tmp.cleanup()
    print(f"\n{bad} page(s) failed or slower than {args.limit} s")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
