"""How much history the demo generates, and for whom.

A demo of up to FULL_HISTORY_LIMIT employees gets the full history for everyone: attendance and
activities from the first day of the month two months back up to yesterday (so the two months
before the current one are complete, which is what the TPP demo computes), activities in full
detail (3-5 entries a working day).

A bigger demo (the 20,000-employee one is what the benchmarks use) keeps the full history only in
the *focus units*: the units of the demo accounts (what a visitor clicks through as bkpsdm, bpkad,
pimpinan, admin OPD, tim penilai, atasan and pegawai). Everybody else gets the last month (the 30
days before today): fingerprint punches and daily status, and one activity entry a working day in
every state. The TPP demo then computes unit runs for the focus units that are a whole OPD (its
subtree holds nobody outside the focus), and BKPSDM can compute the others in the app. That keeps
`demo-data --employees 20000` under a minute (see bench/README.md) with data for every employee.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ekinerja.core.models import Instansi
from ekinerja.core.periods import Period
from ekinerja.org.models import Assignment, Employee, Unit
from ekinerja.org.selectors import active_on

FULL_HISTORY_LIMIT = 1000  # the default demo has 600 employees
RECENT_DAYS = 30


@dataclass
class DemoScope:
    full: bool  # everyone gets the full history
    history_start: dt.date  # first day of the full history
    recent_start: dt.date  # first day for everyone else (a large demo)
    unit_of: dict[int, int] = field(default_factory=dict)  # employee id -> unit of the post today
    focus_units: set[int] = field(default_factory=set)
    # OPD roots whose whole subtree is in the focus: the unit runs of the TPP demo.
    focus_opds: list[int] = field(default_factory=list)

    def start_for(self, employee_id: int) -> dt.date:
        """The first day of this employee's demo history."""
        if self.full or self.unit_of.get(employee_id) in self.focus_units:
            return self.history_start
        return self.recent_start

    def in_focus(self, employee_id: int) -> bool:
        return self.full or self.unit_of.get(employee_id) in self.focus_units

    @property
    def earliest(self) -> dt.date:
        return self.history_start


def history_months(today: dt.date) -> list[Period]:
    """The months with full history: the two before the current one, and the current one once it
    has a day before today."""
    current = Period.of(today)
    earlier = current.previous().previous()
    return [earlier, current.previous()] + ([current] if current.first_day < today else [])


def demo_scope(
    instansi: Instansi, employees: int, today: dt.date, previous: dict | None
) -> DemoScope:
    """The scope for a demo of `employees` employees (a few queries)."""
    months = history_months(today)
    scope = DemoScope(
        full=employees <= FULL_HISTORY_LIMIT,
        history_start=months[0].first_day,
        recent_start=max(months[0].first_day, today - dt.timedelta(days=RECENT_DAYS)),
    )
    if scope.full:
        return scope
    scope.unit_of = dict(
        Assignment.objects.filter(
            active_on(today), instansi=instansi, kind=Assignment.Kind.DEFINITIF
        ).values_list("employee_id", "position__unit_id")
    )
    accounts = [a.username for a in getattr((previous or {}).get("org"), "accounts", []) or []]
    account_ids = Employee.objects.filter(instansi=instansi, user__username__in=accounts)
    scope.focus_units = {
        scope.unit_of[e] for e in account_ids.values_list("id", flat=True) if e in scope.unit_of
    }
    parent = dict(Unit.objects.filter(instansi=instansi).values_list("id", "parent_id"))
    staffed = set(scope.unit_of.values())
    for unit in sorted(scope.focus_units):
        if parent.get(unit) is not None:
            continue
        # A whole OPD: nobody works in its sub-units outside the focus.
        inside = {u for u in parent if _root(u, parent) == unit}
        if all(u in scope.focus_units for u in inside & staffed):
            scope.focus_opds.append(unit)
    return scope


def _root(unit: int, parent: dict[int, int | None]) -> int:
    seen = set()
    while parent.get(unit) is not None and unit not in seen:
        seen.add(unit)
        unit = parent[unit]
    return unit
