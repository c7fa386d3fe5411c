"""Two writes of one employee's entries at once cannot both pass the overlap rule: entry_create and
entry_update lock the employee's row (ekinerja.org.locks.lock_employee) before reading the day's
other entries. There is no database constraint on overlapping times; the lock is what protects it.
entry_submit takes no such lock and needs none: it changes neither an entry's times nor whether it
counts as another's clash (only a rejected entry frees its time, and a rejected entry cannot be
submitted), and the daily cap is a warning there, applied when verification credits minutes.

PostgreSQL only (SQLite runs one writer at a time); see tests/pg_race.py for how the race is run
without depending on timing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ekinerja.activities import services
from ekinerja.activities.models import ActivityEntry
from tests.activities.conftest import DAY, T
from tests.pg_race import pg_only, race

CLASH = "Waktu bertumpang tindih dengan aktivitas lain (08.00–09.00 Menyusun konsep surat dinas)."


def _create(office, start, end):
    return lambda: (
        services.entry_create(
            actor=office["p"]["ani"].user,
            date=DAY,
            start_time=start,
            end_time=end,
            item=office["surat"],
            volume=Decimal("1"),
        ).entry
    )


@pg_only
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_entries_created_at_once_are_not_both_kept(office, at, monkeypatch):
    at("2026-10-02 17:00")
    first, second, waited = race(
        monkeypatch,
        _create(office, T(8), T(9)),
        _create(office, T(8, 30), T(9, 30)),
        hold=(services, "_store_files"),
    )
    assert isinstance(first, ActivityEntry)
    assert isinstance(second, ValidationError), second
    assert second.message_dict == {"start_time": [CLASH]}
    assert waited
    assert ActivityEntry.objects.count() == 1


@pg_only
@pytest.mark.django_db(transaction=True)
def test_an_entry_moved_onto_one_being_created_is_refused(office, at, monkeypatch):
    at("2026-10-02 17:00")
    other = _create(office, T(10), T(11))()
    first, second, waited = race(
        monkeypatch,
        _create(office, T(8), T(9)),
        lambda: services.entry_update(
            actor=office["p"]["ani"].user, entry=other, start_time=T(8, 30), end_time=T(9, 30)
        ),
        hold=(services, "_store_files"),
    )
    assert isinstance(first, ActivityEntry)
    assert isinstance(second, ValidationError), second
    assert second.message_dict == {"start_time": [CLASH]}
    other.refresh_from_db()
    assert (other.start_time, other.end_time) == (T(10), T(11))
