"""leave_days_recount (after a change of the work calendar) takes the leave writes' lock on every
employee whose requests it counts again, first, in one statement by id: a request filed or decided
meanwhile checks the cuti tahunan balance against the stored counts of the employee's other
requests, and read the counts the recount was replacing (12 days of a year's 12 passed as 8).
Race on PostgreSQL only (tests/pg_race.py), as in test_s9_leave_concurrency."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ekinerja.attendance import services
from ekinerja.attendance.models import LeaveRequest
from tests.attendance.test_s9_leave_concurrency import (
    FIVE_LEFT,
    NOVEMBER,
    OCTOBER,
    _new_this_year,
    _type,
    race,
)
from tests.pg_race import LOCK_SET, main_table, pg_only

LEAVE = "attendance_leaverequest"


def _approved_counted_short(office) -> LeaveRequest:
    """Ani's approved cuti tahunan of 7 working days, stored as 1 (the calendar changed since)."""
    return LeaveRequest.objects.create(
        instansi=office.instansi,
        employee=office.ani,
        leave_type=_type(office, "cuti_tahunan"),
        date_from=OCTOBER[0],
        date_to=OCTOBER[1],
        working_days=1,
        status=LeaveRequest.Status.APPROVED,
        approver=office.kepala,
    )


def _recount(office):
    return lambda: services.leave_days_recount(instansi=office.instansi, start=None, end=None)


@pytest.mark.django_db
def test_the_recount_locks_the_employees_before_reading_their_requests(office):
    req = _approved_counted_short(office)
    with CaptureQueriesContext(connection) as ctx:
        assert _recount(office)() == 1
    queries = [q["sql"] for q in ctx.captured_queries]
    lock = next((i for i, q in enumerate(queries) if LOCK_SET.fullmatch(q)), None)
    assert lock is not None, queries
    # The requests' employees are read in the lock's own statement (a sub-select, not locked).
    first_read = next(
        i for i, q in enumerate(queries) if q.startswith("SELECT") and main_table(q) == LEAVE
    )
    assert lock < first_read, queries
    if connection.vendor == "postgresql":
        assert queries[lock].endswith("FOR NO KEY UPDATE"), queries[lock]
    req.refresh_from_db()
    assert req.working_days == 7


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_request_filed_during_the_recount_sees_the_new_counts(office, monkeypatch):
    _new_this_year(office)
    _approved_counted_short(office)
    first, second, waited = race(
        monkeypatch,
        _recount(office),
        lambda: services.leave_request_submit(
            actor=office.ani.user,
            employee=office.ani,
            leave_type=_type(office, "cuti_tahunan"),
            date_from=NOVEMBER[0],
            date_to=NOVEMBER[1],
        ),
    )
    assert first == 1
    # Waited for the recount and counted the October leave's 7 days; before, it counted the 1
    # being replaced and was accepted: 14 days of a 12-day year.
    assert isinstance(second, ValidationError), second
    assert second.message_dict == {"date_to": [FIVE_LEFT]}
    assert waited
    assert LeaveRequest.objects.count() == 1
