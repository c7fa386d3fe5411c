"""The employee's row lock: one per employee, taken first, by every write that reads the employee's
other rows before deciding.

Such a write checks a rule against what the employee already has: leave (attendance) checks the
overlap, the cuti tahunan balance and the sick-leave run against the employee's other requests;
activities check the overlap of an entry's times, credit the daily cap after the day's approved
minutes, and free or take a rejected entry's time slot. Two such writes at once each read the
other's row as it was before, and together passed what neither alone could (two overlapping
requests or entries kept, a 12-day balance spent twice, more than the daily cap credited, the same
hours counted twice). Each takes this lock inside its transaction, FIRST, before any row of its
own (a request, an entry): one order everywhere, employee then row, and several employees in one
statement ordered by id (`lock_employees`), so two such writes cannot deadlock. Leave and
activities lock the same row, so a leave approval and a verification of that employee are
serialised too.

Who takes it: attendance's leave writes (leave_request_submit, leave_request_decide,
leave_request_cancel, leave_record_approved: two approvals, an approval while the employee files
another request, a paper decision recorded meanwhile) and leave_days_recount (every employee it
counts again, `lock_employees`); activities' entry_create and entry_update (overlap), entry_verify,
entries_verify_bulk and the deadline job's auto-approval (the cap; `lock_employees`),
objection_decide and review_decide (a rejected entry's time slot, the day credited again), and
unlock_request_create (the same request sent twice is one).

`FOR NO KEY UPDATE`: it conflicts with itself and with the `FOR UPDATE` other services take on the
employee (org, workcal), but not with the key-share lock every insert referencing the employee
takes (punches, stored days, entries), which it need not wait for. On SQLite both are no-ops:
every transaction begins IMMEDIATE (settings), taking the database's single write lock, so writers
are serialised already. On PostgreSQL they raise outside a transaction, as `select_for_update` does.

The races are in tests/attendance/test_s9_leave_concurrency.py, test_s9_locks_leave_recount.py,
tests/activities/test_s9_entry_concurrency.py and test_s9_locks.py (harness: tests/pg_race.py).
"""

from __future__ import annotations

from django.db.models import IntegerField

from ekinerja.core.prepared import Param, Prepared

from .models import Employee

# Compiled once per process (ekinerja.core.prepared): taken on every entry written and every leave
# write; 0.17-0.24 ms a call on PostgreSQL against 0.67-0.80 ms through the ORM.
_LOCK = Prepared(
    lambda: (
        Employee.objects.select_for_update(no_key=True)
        .filter(pk=Param("pk", IntegerField()))
        .order_by()
        .values_list("pk")
    )
)


def lock_employee(employee_id: int) -> None:
    """Lock one employee's row (`SELECT id ... WHERE id = %s FOR NO KEY UPDATE`): see the module."""
    _LOCK(pk=employee_id)


def lock_employees(ids) -> None:
    """`lock_employee` for a set of employees, in one statement, in id order (the one order every
    multi-employee lock takes, so two of them cannot deadlock). `ids`: a list, or a subquery of
    employee ids (a sub-select in WHERE is not locked)."""
    list(
        Employee.objects.select_for_update(no_key=True)
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
