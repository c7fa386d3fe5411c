"""Months whose TPP is already locked for an employee (a locked or exported TPP list holds them):
what was paid for them never changes, so a decision about one of their days changes the record, not
the pay.

tpp sits at the top of the layer contract, so it registers its read here at start-up
(TppConfig.ready: `set_source(tpp.selectors.locked_months_of)`); the apps below ask through this
module: activities for unlock requests, attendance for the roster and the approvals inbox. Without
tpp installed nothing is locked. A source takes (employee id, "YYYY-MM") pairs and returns those
whose month is locked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from .periods import Period

Source = Callable[[int, set[tuple[int, str]]], set[tuple[int, str]]]
_source: list[Source] = []


def set_source(source: Source | None) -> None:
    _source[:] = [source] if source is not None else []


def locked(instansi_id: int, pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Of (employee id, "YYYY-MM") pairs, those whose TPP is locked (one query; none without pairs
    or without tpp)."""
    return _source[0](instansi_id, pairs) if _source and pairs else set()


def months_of(employee_id: int, first: dt.date, last: dt.date) -> list[tuple[int, str]]:
    """The (employee id, "YYYY-MM") pairs of the months from `first` to `last`."""
    months, p = [], Period.of(first)
    while p.first_day <= last:
        months.append((employee_id, str(p)))
        p = p.next()
    return months


def mark(
    instansi_id: int, items: Iterable, span: Callable[[object], tuple[int, dt.date, dt.date]]
) -> None:
    """Sets `locked_months` (["Oktober 2026"]) on each item: the months of its span (employee id,
    first day, last day) whose TPP is already locked for its employee (one query for them all)."""
    items = list(items)
    wanted = {id(i): months_of(*span(i)) for i in items}
    found = locked(instansi_id, {pair for months in wanted.values() for pair in months})
    for i in items:
        i.locked_months = [Period.parse(m).label for e, m in wanted[id(i)] if (e, m) in found]
