"""Months as periods (YYYY-MM) and Indonesian date wording."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTHS_ID = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
DAYS_ID = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]

# ASCII digits, the whole text: "2026-10\n" or Arabic-Indic digits are no period (\d and $
# let them through: a month read from what the user never wrote).
_PERIOD_RE = re.compile(r"([0-9]{4})-([0-9]{2})")

# The dates a user may type: years 1900-9998. Outside, no payroll month or working day makes sense,
# and date arithmetic near the ends of the calendar (year 1, year 9999) overflows (a day after
# 9999-12-31, a time zone shift before 0001-01-01): refuse such dates at the input instead.
MIN_YEAR = 1900
MAX_YEAR = 9998
DATE_OUT_OF_RANGE = f"Tanggal di luar rentang yang wajar (tahun {MIN_YEAR}-{MAX_YEAR})."


def date_in_range(day: dt.date | None) -> bool:
    """Whether a typed date lies in the sane range (None: no date, so nothing out of range)."""
    return day is None or MIN_YEAR <= day.year <= MAX_YEAR


def days_after(day: dt.date, days: int) -> dt.date:
    """`day` plus `days` days, at most 9999-12-31: a search horizon (an entry window of 250
    working days from December 9998) must not step past the calendar's last day."""
    room = (dt.date.max - day).days
    return dt.date.max if days > room else day + dt.timedelta(days=days)


def validate_date_in_range(day: dt.date | None) -> None:
    """A form field validator: refuses dates outside years MIN_YEAR-MAX_YEAR (field error)."""
    if not date_in_range(day):
        from django.core.exceptions import ValidationError

        raise ValidationError(DATE_OUT_OF_RANGE, code="date_out_of_range")


def parse_iso_date(text: str | None) -> dt.date:
    """A YYYY-MM-DD date of the sane range; ValueError (with an Indonesian message) otherwise."""
    try:
        day = dt.date.fromisoformat(text or "")
    except ValueError:
        raise ValueError(f"Tanggal '{text}' tidak valid; gunakan format TTTT-BB-HH.") from None
    if not date_in_range(day):
        raise ValueError(DATE_OUT_OF_RANGE)
    return day


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        m = _PERIOD_RE.fullmatch(text or "")
        # Years outside 1900-9998 are no payroll month (and year 0 is no date at all: a page that
        # compared its first day would fail, and its "next month" must stay a valid date too).
        if not m or not 1 <= int(m.group(2)) <= 12 or not MIN_YEAR <= int(m.group(1)) <= MAX_YEAR:
            raise ValueError(f"Periode '{text}' tidak valid; gunakan format TTTT-BB, mis. 2026-10.")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Period:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def days(self) -> list[dt.date]:
        return [
            dt.date(self.year, self.month, d)
            for d in range(1, calendar.monthrange(self.year, self.month)[1] + 1)
        ]

    def next(self) -> Period:
        return Period(self.year + (self.month == 12), self.month % 12 + 1)

    def previous(self) -> Period:
        return Period(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{MONTHS_ID[self.month - 1]} {self.year}"


def tanggal(day: dt.date | dt.datetime | None, with_weekday: bool = False) -> str:
    """23 November 2026 (or Senin, 23 November 2026). A moment (an aware datetime: when a list was
    computed, an entry verified) is dated in the current time zone, the instansi's on its pages:
    at 02:50 WITA on 4 December its UTC date is still the 3rd."""
    if day is None:
        return "-"
    if isinstance(day, dt.datetime) and day.tzinfo is not None:
        from django.utils import timezone

        day = timezone.localtime(day)
    text = f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"
    if with_weekday:
        text = f"{DAYS_ID[day.weekday()]}, {text}"
    return text


def rentang_tanggal(start: dt.date | None, end: dt.date | None) -> str:
    """A date range as Indonesians write it, short enough for a phone's table cell:
    26 November 2026; 26-27 November 2026; 28 November - 2 Desember 2026;
    30 Desember 2026 - 2 Januari 2027 (with en dashes)."""
    if start is None or end is None or start == end:
        return tanggal(start if start is not None else end)
    if start.year != end.year:
        return f"{tanggal(start)} – {tanggal(end)}"
    if start.month != end.month:
        return f"{start.day} {MONTHS_ID[start.month - 1]} – {tanggal(end)}"
    return f"{start.day}–{tanggal(end)}"
