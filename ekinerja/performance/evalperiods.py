"""Evaluation periods: which months a rating covers and until when the superior may rate.

Pure: plain values in, plain values out. The period length is a per-instansi setting (1, 3, 6 or 12
months, PermenPANRB 6/2022 lets each instansi choose monthly, quarterly, half-yearly or yearly
evaluation). Periods are aligned to the calendar year: with 3 months, January-March, April-June and so
on. The rating deadline is a day of the month that follows the period's last month.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from ekinerja.core.periods import MONTHS_ID, Period

ALLOWED_PERIOD_MONTHS = (1, 3, 6, 12)
_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


@dataclass(frozen=True, order=True)
class EvalPeriod:
    start: dt.date  # first day of the first month
    end: dt.date  # last day of the last month
    months: int
    deadline: dt.date  # last day on which the superior may rate

    @property
    def key(self) -> str:
        """URL/form key: the first month, YYYY-MM."""
        return f"{self.start:%Y-%m}"

    @property
    def label(self) -> str:
        year = self.start.year
        index = (self.start.month - 1) // self.months
        if self.months == 1:
            return f"{MONTHS_ID[self.start.month - 1]} {year}"
        if self.months == 3:
            return f"Triwulan {_ROMAN[index]} {year}"
        if self.months == 6:
            return f"Semester {_ROMAN[index]} {year}"
        return f"Tahun {year}"

    @property
    def month_periods(self) -> list[Period]:
        return [Period(self.start.year, m) for m in range(self.start.month, self.end.month + 1)]

    @property
    def rating_opens(self) -> dt.date:
        """Rating is possible from the first day of the period's last month."""
        return self.end.replace(day=1)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def eval_period(month: Period, *, period_months: int = 1, deadline_day: int = 5) -> EvalPeriod:
    """The evaluation period that contains `month`."""
    if period_months not in ALLOWED_PERIOD_MONTHS:
        raise ValueError(f"Panjang periode penilaian {period_months} bulan tidak didukung.")
    if not 1 <= deadline_day <= 28:
        raise ValueError("Tanggal batas penilaian harus antara 1 dan 28.")
    first_month = (month.month - 1) // period_months * period_months + 1
    last_month = first_month + period_months - 1
    start = dt.date(month.year, first_month, 1)
    end = dt.date(month.year, last_month, calendar.monthrange(month.year, last_month)[1])
    after = Period(month.year, last_month).next()
    return EvalPeriod(
        start=start,
        end=end,
        months=period_months,
        deadline=dt.date(after.year, after.month, deadline_day),
    )


def periods_of_year(
    year: int, *, period_months: int = 1, deadline_day: int = 5
) -> list[EvalPeriod]:
    return [
        eval_period(Period(year, m), period_months=period_months, deadline_day=deadline_day)
        for m in range(1, 13, period_months)
    ]


def ratable_periods(
    today: dt.date, *, period_months: int = 1, deadline_day: int = 5
) -> list[EvalPeriod]:
    """Periods a superior may rate today (opened and deadline not passed), oldest first.

    At most two: the one whose deadline is coming and the current one once its last month began."""
    out = []
    current = Period.of(today)
    for month in (current.previous(), current):
        p = eval_period(month, period_months=period_months, deadline_day=deadline_day)
        if p.rating_opens <= today <= p.deadline and p not in out:
            out.append(p)
    # A 12-month period whose deadline lies further than one month back cannot be open: the deadline
    # day is at most the 28th of the month after the period.
    return out


def reportable_periods(
    today: dt.date, *, period_months: int = 1, deadline_day: int = 5
) -> list[EvalPeriod]:
    """Periods an employee may report realisation for today (started and deadline not passed)."""
    out = []
    current = Period.of(today)
    for month in (current.previous(), current):
        p = eval_period(month, period_months=period_months, deadline_day=deadline_day)
        if p.start <= today <= p.deadline and p not in out:
            out.append(p)
    return out
