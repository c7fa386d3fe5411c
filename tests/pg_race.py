"""Two writes raced on PostgreSQL without depending on timing; the row-lock statements they take.

`race` runs the first write until it has checked and written and holds its transaction open; the
second runs meanwhile in its own thread and connection; the first commits once the second has
finished or waits on a lock (pg_stat_activity). Used by the row-lock tests of attendance and
activities (ekinerja.org.locks): tests/attendance/test_s9_leave_concurrency.py,
test_s9_locks_leave_recount.py, tests/activities/test_s9_entry_concurrency.py, test_s9_locks.py.
The races need `@pg_only` and `@pytest.mark.django_db(transaction=True)` (each thread commits).
"""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pg_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only: SQLite serialises writers"
)

# ekinerja.org.locks: one employee's row by its id and nothing else (FOR NO KEY UPDATE on
# PostgreSQL), and a set of them in one statement, by id.
LOCK_ONE = re.compile(
    r'SELECT "org_employee"\."id"( AS "pk")? FROM "org_employee" '
    r'WHERE "org_employee"\."id" = \S+( FOR NO KEY UPDATE)?'
)
LOCK_SET = re.compile(
    r'SELECT "org_employee"\."id"( AS "pk")? FROM "org_employee" WHERE "org_employee"\."id" '
    r'IN \(.*\) ORDER BY (1|"org_employee"\."id") ASC( FOR NO KEY UPDATE)?',
    re.S,
)


def captured(action) -> list[str]:
    """The SQL of the statements `action()` runs, in order."""
    with CaptureQueriesContext(connection) as ctx:
        action()
    return [q["sql"] for q in ctx.captured_queries]


def main_table(sql: str) -> str | None:
    """The table a SELECT reads from (its first FROM)."""
    found = re.match(r'SELECT .*? FROM "(\w+)"', sql, re.S)
    return found and found.group(1)


def waiting_on_a_lock() -> bool:
    """Some connection to the test database waits on a lock."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cur.fetchone()[0] > 0


def race(monkeypatch, first, second, *, hold) -> tuple[object, object, bool]:
    """Run `first` until it has checked and written (`hold`: a module and the name of a function it
    calls after writing, e.g. its audit event) and hold its transaction open; run `second`
    meanwhile; let `first` commit once `second` has finished or waits on a lock. Returns each
    one's outcome (its return value or the exception it raised) and whether `second` waited on a
    lock."""
    written, go = threading.Event(), threading.Event()
    module, name = hold
    real = getattr(module, name)

    def held(*args, **kwargs):
        result = real(*args, **kwargs)
        if threading.current_thread().name == "first":
            written.set()
            assert go.wait(30), "the second write never finished nor waited"
        return result

    monkeypatch.setattr(module, name, held)
    outcome: dict[str, object] = {}

    def run(name, action):
        try:
            outcome[name] = action()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test asserts
            outcome[name] = exc
        finally:
            connection.close()

    one = threading.Thread(target=run, args=("first", first), name="first")
    two = threading.Thread(target=run, args=("second", second), name="second")
    waited = False
    one.start()
    try:
        assert written.wait(30), outcome.get("first")
        two.start()
        deadline = time.monotonic() + 30
        while two.is_alive() and not waited:
            waited = waiting_on_a_lock()
            assert time.monotonic() < deadline, "the second write neither finished nor waited"
            time.sleep(0.01)
    finally:
        go.set()
        one.join(30)
        if two.ident is not None:
            two.join(30)
    return outcome["first"], outcome["second"], waited
