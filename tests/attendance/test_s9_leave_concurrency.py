"""Leave writes of one employee are serialised by a row lock on the employee
(ekinerja.org.locks.lock_employee): two transactions checking at once (two approvals, an approval
while the employee files another request, a paper decision recorded meanwhile) each saw the other's
request as it was before and together passed the cuti tahunan balance or the overlap rule.

The races run on PostgreSQL only (SQLite begins every transaction IMMEDIATE: writers are serialised
already, and the lock is a no-op there), through tests/pg_race.py: the first write is held open
after its checks and its write (at its audit event); the second runs meanwhile in its own thread
and connection; the first commits once the second has finished or waits on a lock
(pg_stat_activity), so nothing depends on timing. The approval races passed before this change
too, by accident: the approval's FOR UPDATE joined the employee's row (and the leave type's:
test_approvals_of_two_employees_...); they fail when the approval's lock_employee is taken out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from ekinerja.attendance import services
from ekinerja.attendance.models import LeaveRequest, LeaveType
from tests import pg_race
from tests.attendance.conftest import D
from tests.pg_race import LOCK_ONE, captured, pg_only

S = LeaveRequest.Status
LEAVE_TABLE = '"attendance_leaverequest"'


def _type(office, code: str) -> LeaveType:
    return LeaveType.objects.get(instansi=office.instansi, code=code)


def _pending(office, first: dt.date, last: dt.date, working_days: int) -> LeaveRequest:
    """A cuti tahunan of Ani waiting for Kepala, its working days as counted when it was filed
    (fewer than now: a roster or a holiday changed since and the recount has not run yet, the case
    the approval's own recount exists for)."""
    return LeaveRequest.objects.create(
        instansi=office.instansi,
        employee=office.ani,
        leave_type=_type(office, "cuti_tahunan"),
        date_from=first,
        date_to=last,
        working_days=working_days,
        status=S.SUBMITTED,
        approver=office.kepala,
    )


def _new_this_year(office) -> None:
    # In post since 1 January 2026: 12 days of cuti tahunan, nothing carried over.
    office.ani.assignments.update(start=D(2026, 1, 1))


def _approve(office, req):
    return lambda: services.leave_request_decide(
        actor=office.kepala.user, request=req, approve=True
    )


# Seven working days each (Mon 5 to Tue 13 October, Mon 2 to Tue 10 November 2026).
OCTOBER = (D(2026, 10, 5), D(2026, 10, 13))
NOVEMBER = (D(2026, 11, 2), D(2026, 11, 10))
FIVE_LEFT = (
    "Sisa cuti tahunan 2026 hanya 5 hari kerja (hak 12, terpakai 7, menunggu 0); permohonan ini "
    "7 hari kerja."
)


# ---------------------------------------------------------------- the rule, one after the other


@pytest.mark.django_db
def test_one_after_the_other_the_second_approval_is_refused(office):
    """What the races below must come to: the first approval counts its 7 days, the second no
    longer fits the 12 (both DBs)."""
    _new_this_year(office)
    a, b = _pending(office, *OCTOBER, 1), _pending(office, *NOVEMBER, 1)
    _approve(office, a)()
    with pytest.raises(ValidationError) as exc:
        _approve(office, b)()
    assert exc.value.message_dict == {"date_to": [FIVE_LEFT]}


# ---------------------------------------------------------------- the lock is taken, first


def _lock_first(queries: list[str]) -> None:
    """The employee's lock is taken before any leave request is read."""
    lock = next(
        (i for i, sql in enumerate(queries) if LOCK_ONE.fullmatch(sql)),
        None,
    )
    assert lock is not None, queries
    first_leave = next(i for i, sql in enumerate(queries) if LEAVE_TABLE in sql)
    assert lock < first_leave, queries
    if connection.vendor == "postgresql":
        assert queries[lock].endswith("FOR NO KEY UPDATE"), queries[lock]


@pytest.mark.django_db
def test_each_leave_write_locks_the_employee_before_reading_requests(office):
    _new_this_year(office)
    a, b = _pending(office, *OCTOBER, 7), _pending(office, *NOVEMBER, 1)
    _lock_first(captured(_approve(office, a)))  # the final approval, which checks again
    _lock_first(
        captured(lambda: services.leave_request_cancel(actor=office.ani.user, request=b, reason=""))
    )
    _lock_first(
        captured(
            lambda: services.leave_record_approved(
                actor=office.bkpsdm_user,
                employee=office.budi,
                leave_type=_type(office, "sakit"),
                date_from=D(2026, 10, 5),
                date_to=D(2026, 10, 6),
            )
        )
    )
    _lock_first(
        captured(
            lambda: services.leave_request_submit(
                actor=office.budi.user,
                employee=office.budi,
                leave_type=_type(office, "cuti_tahunan"),
                date_from=D(2026, 11, 2),
                date_to=D(2026, 11, 3),
            )
        )
    )


# ---------------------------------------------------------------- races (PostgreSQL)


def race(monkeypatch, first, second):
    """pg_race.race, the first leave write held open at its audit event."""
    return pg_race.race(monkeypatch, first, second, hold=(services, "audit_record"))


def _refused(outcome, field: str, message: str) -> None:
    assert isinstance(outcome, ValidationError), outcome
    assert outcome.message_dict[field] == [message]


@pg_only
@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_do_not_both_pass_the_balance(office, monkeypatch):
    _new_this_year(office)
    a, b = _pending(office, *OCTOBER, 1), _pending(office, *NOVEMBER, 1)
    first, second, waited = race(monkeypatch, _approve(office, a), _approve(office, b))
    assert isinstance(first, LeaveRequest) and first.status == S.APPROVED
    # The second approval waited for the first and counted its 7 days; before, it counted the
    # 1 day stored at filing and both were approved: 14 days of a 12-day year.
    _refused(second, "date_to", FIVE_LEFT)
    assert waited
    assert dict(LeaveRequest.objects.values_list("pk", "status")) == {
        a.pk: S.APPROVED,
        b.pk: S.SUBMITTED,
    }


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_request_filed_while_another_is_approved_sees_the_approval(office, monkeypatch):
    _new_this_year(office)
    a = _pending(office, *OCTOBER, 1)
    first, second, waited = race(
        monkeypatch,
        _approve(office, a),
        lambda: services.leave_request_submit(
            actor=office.ani.user,
            employee=office.ani,
            leave_type=_type(office, "cuti_tahunan"),
            date_from=NOVEMBER[0],
            date_to=NOVEMBER[1],
        ),
    )
    assert isinstance(first, LeaveRequest) and first.status == S.APPROVED
    _refused(second, "date_to", FIVE_LEFT)
    assert list(LeaveRequest.objects.values_list("pk", flat=True)) == [a.pk]


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_paper_decision_recorded_while_leave_is_filed_does_not_overlap_it(office, monkeypatch):
    first, second, waited = race(
        monkeypatch,
        lambda: services.leave_request_submit(
            actor=office.ani.user,
            employee=office.ani,
            leave_type=_type(office, "cuti_tahunan"),
            date_from=D(2026, 10, 5),
            date_to=D(2026, 10, 9),
        ),
        lambda: services.leave_record_approved(
            actor=office.bkpsdm_user,
            employee=office.ani,
            leave_type=_type(office, "izin"),
            date_from=D(2026, 10, 7),
            date_to=D(2026, 10, 8),
        ),
    )
    assert isinstance(first, LeaveRequest) and first.status == S.SUBMITTED
    _refused(second, "date_from", "Bertumpang tindih dengan cuti/izin lain.")
    assert LeaveRequest.objects.filter(employee=office.ani).count() == 1


@pg_only
@pytest.mark.django_db(transaction=True)
def test_approvals_of_two_employees_do_not_wait_for_each_other(office, monkeypatch):
    """The approval locks its request and its employee only: it also locked the leave type's row
    (a join of its FOR UPDATE), so every approval of cuti tahunan in the instansi waited for it."""
    a = _pending(office, *OCTOBER, 7)
    b = LeaveRequest.objects.create(
        instansi=office.instansi,
        employee=office.budi,
        leave_type=_type(office, "cuti_tahunan"),
        date_from=OCTOBER[0],
        date_to=OCTOBER[1],
        working_days=7,
        status=S.SUBMITTED,
        approver=office.kepala,
    )
    first, second, waited = race(monkeypatch, _approve(office, a), _approve(office, b))
    assert first.status == S.APPROVED and second.status == S.APPROVED
    assert not waited


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_cancel_does_not_hold_up_the_instansi_s_other_writes(office, monkeypatch):
    """A cancel locked the instansi's row FOR UPDATE (a join of its lock), and every insert of a
    row of the instansi (its key-share lock on the row) waited until the cancel committed."""
    a = _pending(office, *OCTOBER, 7)
    first, second, waited = race(
        monkeypatch,
        lambda: services.leave_request_cancel(actor=office.ani.user, request=a),
        lambda: services.leave_request_submit(
            actor=office.budi.user,
            employee=office.budi,
            leave_type=_type(office, "izin"),
            date_from=D(2026, 10, 5),
            date_to=D(2026, 10, 6),
        ),
    )
    assert first.status == S.CANCELLED and second.status == S.SUBMITTED
    assert not waited
