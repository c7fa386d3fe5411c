"""Activities' row locks (ekinerja.org.locks, docs/activities.md "Row locks"): a write that
reads an employee's other entries before deciding locks the employee first (one order: employee,
then entry; several employees in one statement, by id), and an entry is locked OF its own table
only, not the joined catalog item, employee or instansi rows.

Races on PostgreSQL only (SQLite begins every transaction IMMEDIATE: writers are serialised
already, and the locks are no-ops there); run by tests/pg_race.py (the first write held open
after its write, the second in its own thread and connection, the first committing once the
second has finished or waits on a lock: nothing depends on timing).

Without this change: the writes of two employees' entries of one catalog item waited for each
other, and the deadline job held up every insert of the instansi's rows (a join of their FOR
UPDATE); an objection granted beside a verification or an entry of the same time counted minutes
twice or above the cap. Two verifications of one day were serialised before too, by accident (the
employee's row, joined to the verification's FOR UPDATE); that test fails when entry_verify's
lock_employee is taken out while its lock stays OF the entry only."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from ekinerja.activities import services
from ekinerja.activities.models import (
    ActivityEntry,
    ActivitySettings,
    EntryStatus,
    Objection,
    ReviewItem,
)
from ekinerja.activities.selectors import NO_CAP, activity_month
from ekinerja.core.periods import Period
from tests.factories import employee_with_login, grant
from tests.pg_race import LOCK_ONE, LOCK_SET, captured, main_table, pg_only, race

from .conftest import D, T, make_entry

S = EntryStatus
DAY = D(2026, 10, 5)  # a Monday
ENTRY = "activities_activityentry"
PG = connection.vendor == "postgresql"


def _who(office, name):
    return office["p"][name]


def _cap(office, minutes: int) -> None:
    ActivitySettings.objects.update_or_create(
        instansi=office["inst"], defaults={"daily_cap_minutes": minutes}
    )


def _verify(office, entry, decision="approve", reason=""):
    return lambda: services.entry_verify(
        actor=_who(office, "kasubag").user, entry=entry, decision=decision, reason=reason
    )


def _create(office, start, end, who="ani", volume=4, item="surat"):
    return lambda: (
        services.entry_create(
            actor=_who(office, who).user,
            date=DAY,
            start_time=start,
            end_time=end,
            item=office[item],
            volume=Decimal(volume),
        ).entry
    )


def _rejected_with_objection(office, start=None, end=None, item="surat", volume=4):
    """Ani's entry of `start`-`end` (08.00-10.00), rejected by Kasubag, and her objection to Kepala."""
    start, end = start or T(8), end or T(10)
    a = make_entry(office, day=DAY, start=start, end=end, item=item, volume=volume, submit=True)
    _verify(office, a, "reject", "Bukti tidak ada")()
    obj = services.objection_file(
        actor=_who(office, "ani").user, entry=a, reason="Bukti ada di arsip"
    )
    return a, obj


def _grant(office, obj):
    return lambda: services.objection_decide(
        actor=_who(office, "kepala").user, objection=obj, grant=True, reason="Bukti ada"
    )


def _credited(*entries) -> list[int]:
    by_pk = dict(
        ActivityEntry.objects.filter(pk__in=[e.pk for e in entries]).values_list(
            "pk", "credited_minutes"
        )
    )
    return [by_pk[e.pk] for e in entries]


def _day_minutes(office) -> int:
    ani = _who(office, "ani")
    month = activity_month([ani], Period(2026, 10), window_working_days=7, daily_cap=NO_CAP)
    return month[ani.pk].minutes_by_day.get(DAY, 0)


# ---------------------------------------------------------------- what the locks are (both DBs)


def _locking(queries: list[str]) -> list[str]:
    return [q for q in queries if re.search(r" FOR (NO KEY )?UPDATE( OF |$)", q)]


def _employee_first(queries: list[str]) -> None:
    """The employee's lock comes before any entry is read (or locked)."""
    lock = next(
        (i for i, q in enumerate(queries) if LOCK_ONE.fullmatch(q) or LOCK_SET.fullmatch(q)), None
    )
    assert lock is not None, queries
    first_entry = next(i for i, q in enumerate(queries) if main_table(q) == ENTRY)
    assert lock < first_entry, queries
    if PG:
        assert queries[lock].endswith("FOR NO KEY UPDATE"), queries[lock]


def _own_rows_only(queries: list[str]) -> None:
    """Every lock of an entry is OF the entry table; any lock with a join is OF its own table."""
    if not PG:
        return  # SQLite writes no FOR UPDATE at all
    locks = _locking(queries)
    assert any(main_table(q) == ENTRY for q in locks), queries
    for q in locks:
        table = main_table(q)
        if table == ENTRY:
            assert q.endswith(f'FOR UPDATE OF "{ENTRY}"'), q
        elif " JOIN " in q:
            assert re.search(rf'FOR (NO KEY )?UPDATE OF "{table}"$', q), q


@pytest.mark.django_db
def test_entry_writes_lock_the_employee_first_and_the_entry_of_its_own_table(office, at):
    at("2026-10-05 17:00")
    _cap(office, 420)
    ani = _who(office, "ani")
    draft = make_entry(office, day=DAY, start=T(7), end=T(8))
    q = captured(lambda: services.entry_update(actor=ani.user, entry=draft, description="Revisi"))
    _employee_first(q)
    _own_rows_only(q)
    # Submitting needs no employee lock (docs: it changes no time); its lock is the entry's only.
    _own_rows_only(captured(lambda: services.entry_submit(actor=ani.user, entry=draft)))
    q = captured(_verify(office, draft))
    _employee_first(q)
    _own_rows_only(q)
    # Bulk: a subordinate's day, and a picked list (its employees in one statement, by id).
    b1 = make_entry(office, day=DAY, start=T(9), end=T(10), submit=True)
    q = captured(
        lambda: services.entries_verify_bulk(
            actor=_who(office, "kasubag").user, employee=ani, start=DAY, end=DAY
        )
    )
    _employee_first(q)
    _own_rows_only(q)
    assert ActivityEntry.objects.get(pk=b1.pk).status == S.APPROVED
    b2 = make_entry(office, day=DAY, start=T(10), end=T(11), submit=True)
    b3 = make_entry(office, who="budi", day=DAY, start=T(10), end=T(11), submit=True)
    q = captured(
        lambda: services.entries_verify_bulk(
            actor=_who(office, "kasubag").user, entry_ids=[b2.pk, b3.pk]
        )
    )
    _employee_first(q)
    _own_rows_only(q)
    lock = next(x for x in q if LOCK_SET.fullmatch(x))
    assert " IN (SELECT " in lock  # the entries' employees read in the same statement
    assert set(
        ActivityEntry.objects.filter(pk__in=[b2.pk, b3.pk]).values_list("status", flat=True)
    ) == {S.APPROVED}


@pytest.mark.django_db
def test_objection_and_review_decisions_lock_the_employee_before_the_entry(office, at):
    at("2026-10-05 17:00")
    a, obj = _rejected_with_objection(office)
    q = captured(_grant(office, obj))
    _employee_first(q)
    _own_rows_only(q)
    assert ActivityEntry.objects.get(pk=a.pk).status == S.APPROVED
    # Filing an objection locks the entry only (it reads no other entry, credits nothing).
    b = make_entry(office, day=DAY, start=T(13), end=T(14), submit=True)
    _verify(office, b, "reject", "Tidak sesuai")()
    _own_rows_only(
        captured(
            lambda: services.objection_file(
                actor=_who(office, "ani").user, entry=b, reason="Sudah sesuai uraian"
            )
        )
    )
    tp = employee_with_login(office["inst"], None, name="Tim Penilai").user
    grant(tp, "tim_penilai")
    tp = type(tp).objects.get(pk=tp.pk)
    sample = services.review_sample_draw(actor=tp, period=Period(2026, 10), size=10, seed=1)
    item = ReviewItem.objects.get(sample=sample, entry=a)
    q = captured(
        lambda: services.review_decide(actor=tp, item=item, outcome="overturned", reason="Keliru")
    )
    _employee_first(q)
    _own_rows_only(q)
    if PG:  # the review item's own lock, not its sample's nor its entry's
        first = _locking(q)[0]
        assert main_table(first) == "activities_reviewitem"
        assert first.endswith('FOR UPDATE OF "activities_reviewitem"'), first
    assert ActivityEntry.objects.get(pk=a.pk).status == S.REJECTED


@pytest.mark.django_db
def test_the_deadline_job_locks_the_employees_it_credits_and_only_its_entries(office, at):
    at("2026-10-05 17:00")
    ActivitySettings.objects.update_or_create(
        instansi=office["inst"],
        defaults={"deadline_behaviour": ActivitySettings.DeadlineBehaviour.AUTO_APPROVE},
    )
    waiting = make_entry(office, day=DAY, start=T(8), end=T(9), submit=True)
    draft = make_entry(office, who="budi", day=DAY, start=T(8), end=T(9))
    q = captured(
        lambda: services.activity_deadlines_process(instansi=office["inst"], today=D(2026, 12, 1))
    )
    _employee_first(q)
    _own_rows_only(q)
    if PG:
        for x in _locking(q):
            assert "core_instansi" not in x.split(" FOR ")[-1], x
    statuses = dict(ActivityEntry.objects.values_list("pk", "status"))
    assert statuses == {waiting.pk: S.APPROVED, draft.pk: S.EXPIRED}


# ---------------------------------------------------------------- races (PostgreSQL)


@pg_only
@pytest.mark.django_db(transaction=True)
def test_two_verifications_of_one_day_at_once_stay_within_the_daily_cap(office, at, monkeypatch):
    at("2026-10-05 17:00")
    _cap(office, 150)
    a = make_entry(office, day=DAY, start=T(7), end=T(9), item="rapat", volume=1, submit=True)
    b = make_entry(office, day=DAY, start=T(9), end=T(10), volume=2, submit=True)
    first, second, waited = race(
        monkeypatch, _verify(office, a), _verify(office, b), hold=(services, "audit_record")
    )
    assert first.status == S.APPROVED and second.status == S.APPROVED
    # The second waited for the first and credited what the cap left (30 of its 60 minutes);
    # without the lock it read the day without the first's 120 and credited 60: 180 > 150.
    assert _credited(a, b) == [120, 30]
    assert waited


@pg_only
@pytest.mark.django_db(transaction=True)
def test_an_objection_granted_while_the_day_is_verified_stays_within_the_cap(
    office, at, monkeypatch
):
    at("2026-10-05 17:00")
    _cap(office, 150)
    a, obj = _rejected_with_objection(office, start=T(7), end=T(9), item="rapat", volume=1)
    b = make_entry(office, day=DAY, start=T(9), end=T(10), volume=2, submit=True)
    first, second, waited = race(
        monkeypatch, _verify(office, b), _grant(office, obj), hold=(services, "audit_record")
    )
    assert first.status == S.APPROVED
    assert isinstance(second, Objection) and second.status == "granted", second
    # The grant waited for the approval and credited the day again in time order within the cap
    # (07.00-09.00 first). Before, it read the day without the approval being made and kept its
    # 120 beside the approval's 60: 180 minutes of a 150 cap.
    assert _credited(a, b) == [120, 30]
    assert waited


CLASH = "Waktu bertumpang tindih dengan aktivitas lain (08.00–10.00 Menyusun konsep surat dinas)."


@pg_only
@pytest.mark.django_db(transaction=True)
def test_an_entry_made_while_an_objection_is_granted_does_not_take_its_time(
    office, at, monkeypatch
):
    at("2026-10-05 17:00")
    a, obj = _rejected_with_objection(office)
    first, second, waited = race(
        monkeypatch,
        _grant(office, obj),
        _create(office, T(8), T(10)),
        hold=(services, "audit_record"),
    )
    assert isinstance(first, Objection) and first.status == "granted", first
    assert isinstance(second, ValidationError), second
    assert second.message_dict == {"start_time": [CLASH]}
    assert waited
    assert list(ActivityEntry.objects.values_list("pk", flat=True)) == [a.pk]
    assert _day_minutes(office) == 120


@pg_only
@pytest.mark.django_db(transaction=True)
def test_an_objection_granted_while_an_entry_takes_its_time_is_refused(office, at, monkeypatch):
    at("2026-10-05 17:00")
    a, obj = _rejected_with_objection(office)
    first, second, waited = race(
        monkeypatch,
        _create(office, T(8), T(10)),
        _grant(office, obj),
        hold=(services, "_store_files"),
    )
    assert isinstance(first, ActivityEntry)
    assert isinstance(second, ValidationError), second
    assert "kini dipakai aktivitas lain (08.00–10.00" in second.message_dict["status"][0]
    assert waited
    assert ActivityEntry.objects.get(pk=a.pk).status == S.REJECTED
    obj.refresh_from_db()
    assert obj.status == "pending"


def _entries_of_one_item(office):
    """A draft of Ani and one of Budi, both of the same catalog item."""
    return (
        make_entry(office, day=DAY, start=T(8), end=T(9)),
        make_entry(office, who="budi", day=DAY, start=T(8), end=T(9)),
    )


@pg_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second_write", ["update", "create", "verify"])
def test_writes_of_two_employees_entries_of_one_catalog_item_do_not_wait(
    office, at, monkeypatch, second_write
):
    """The entry's lock joined the catalog item's row FOR UPDATE: at month-end everyone logging
    the same item waited for each other (an insert too: its key-share lock on the item)."""
    at("2026-10-05 17:00")
    mine, theirs = _entries_of_one_item(office)
    ani, budi = _who(office, "ani"), _who(office, "budi")
    if second_write == "verify":
        for e in (mine, theirs):
            services.entry_submit(actor=e.employee.user, entry=e)
        first_write, hold = _verify(office, mine), (services, "audit_record")
    else:
        hold = (services, "_store_files")

        def first_write():
            return services.entry_update(actor=ani.user, entry=mine, description="Revisi").entry

    second = {
        "update": lambda: services.entry_update(actor=budi.user, entry=theirs, description="Lagi"),
        "create": _create(office, T(10), T(11), who="budi", volume=1),
        "verify": _verify(office, theirs),
    }[second_write]
    first, second_outcome, waited = race(monkeypatch, first_write, second, hold=hold)
    assert isinstance(first, ActivityEntry), first
    assert not isinstance(second_outcome, Exception), second_outcome
    assert not waited  # finished while the first's transaction was still open


@pg_only
@pytest.mark.django_db(transaction=True)
def test_the_deadline_job_does_not_hold_up_the_instansi_s_inserts(office, at, monkeypatch):
    """The job's lock on the drafts it expires joined the instansi's row FOR UPDATE: every insert
    of a row of the instansi (its key-share lock on the row) waited until the job committed."""
    at("2026-10-05 17:00")
    stale = make_entry(office, day=DAY, start=T(8), end=T(9))
    first, second, waited = race(
        monkeypatch,
        lambda: services.activity_deadlines_process(
            instansi=office["inst"], today=DAY + dt.timedelta(days=60)
        ),
        _create(office, T(8), T(9), who="budi", volume=1),
        hold=(services, "_bulk_audit"),
    )
    assert first == {"expired_unverified": 0, "expired_unsubmitted": 1}, first
    assert isinstance(second, ActivityEntry), second
    assert not waited
    assert ActivityEntry.objects.get(pk=stale.pk).status == S.EXPIRED
