"""Builders for the pure TPP calculator's inputs (no database)."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

from ekinerja.tpp.calculator import EmployeeMonth, PositionDay, WorkingDay
from ekinerja.tpp.policy import Policy, hss_template, policy_from_dict

OCTOBER = dt.date(2026, 10, 1)


def workdays(n: int = 22, start: dt.date = OCTOBER) -> list[dt.date]:
    """The first n weekdays from `start` (October 2026 has 22)."""
    out, day = [], start
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def policy_dict(template=hss_template, **changes) -> dict:
    """A template dict with nested changes: policy_dict(attendance__grace_minutes=15)."""
    data = copy.deepcopy(template())
    for dotted, value in changes.items():
        node = data
        keys = dotted.split("__")
        for key in keys[:-1]:
            node = node[key]
        if value is DELETE:
            node.pop(keys[-1], None)
        else:
            node[keys[-1]] = value
    return data


DELETE = object()


def policy(template=hss_template, **changes) -> Policy:
    return policy_from_dict(policy_dict(template, **changes))


def day(date: dt.date, kelas: int | None = 13, **kwargs) -> WorkingDay:
    """A clean working day in post at `kelas` (None: no position), present, on time."""
    kwargs.setdefault("has_any_punch", not kwargs.get("absent", False))
    if "credited_minutes" in kwargs:
        kwargs["credited_minutes"] = Decimal(kwargs["credited_minutes"])
    position = kwargs.pop("position", PositionDay(kelas) if kelas is not None else None)
    return WorkingDay(date, position=position, **kwargs)


def month(days, *, status="PNS", golongan="IV/c", salary=None, predicate="baik", **kwargs):
    return EmployeeMonth(
        nip="197001011995031001",
        status=status,
        golongan=golongan,
        days=tuple(days),
        salary=Decimal(salary) if salary is not None else None,
        predicate=predicate,
        **kwargs,
    )


def full_month(n: int = 22, minutes: int | str = 6750, **day_kwargs) -> list[WorkingDay]:
    """n clean days whose credited minutes add up to `minutes`."""
    each, extra = divmod(int(minutes), n)
    return [
        day(d, credited_minutes=each + (1 if i < extra else 0), **day_kwargs)
        for i, d in enumerate(workdays(n))
    ]
