"""The entry window: N working days after the date, counted in the employee's own calendar."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ekinerja.activities import services
from ekinerja.activities.models import ActivitySettings, EntryStatus
from ekinerja.workcal.models import Holiday

from .conftest import D, T, make_entry

pytestmark = pytest.mark.django_db


def test_seventh_working_day_is_the_last_day_across_a_weekend(office, at):
    # Friday 2 October 2026: working days after it are 5,6,7,8,9 (Mon-Fri), 12, 13 October.
    at("2026-10-13 16:00")
    e = make_entry(office, day=D(2026, 10, 2), submit=True)
    assert e.status == EntryStatus.SUBMITTED


def test_the_day_after_the_window_is_refused(office, at):
    at("2026-10-14 07:00")
    with pytest.raises(ValidationError) as err:
        make_entry(office, day=D(2026, 10, 2))
    msg = err.value.message_dict["date"][0]
    assert "sudah lewat" in msg and "13 Oktober 2026" in msg and "buka kunci" in msg


def test_a_holiday_inside_the_window_extends_it_by_one_working_day(office, at):
    Holiday.objects.create(
        instansi=office["inst"], date=D(2026, 10, 7), name="Hari jadi kabupaten", kind="regional"
    )
    at("2026-10-14 09:00")
    e = make_entry(office, day=D(2026, 10, 2))
    assert e.status == EntryStatus.DRAFT
    at("2026-10-15 09:00")
    with pytest.raises(ValidationError):
        make_entry(office, day=D(2026, 10, 2), start=T(10), end=T(11))


def test_saturday_entry_counts_from_the_next_working_days(office, at):
    # An entry for Saturday 3 October: 5..9, 12, 13 October -> last day 13 October.
    at("2026-10-13 12:00")
    make_entry(office, day=D(2026, 10, 3))
    at("2026-10-14 12:00")
    with pytest.raises(ValidationError):
        make_entry(office, day=D(2026, 10, 3), start=T(10), end=T(11))


def test_window_length_is_a_policy_field(office, at):
    ActivitySettings.objects.create(instansi=office["inst"], window_working_days=2)
    at("2026-10-06 12:00")  # Fri 2 -> Mon 5, Tue 6
    make_entry(office, day=D(2026, 10, 2))
    at("2026-10-07 08:00")
    with pytest.raises(ValidationError):
        make_entry(office, day=D(2026, 10, 2), start=T(10), end=T(11))


def test_a_draft_cannot_be_submitted_after_the_window(office, at):
    at("2026-10-05 10:00")
    e = make_entry(office, day=D(2026, 10, 2))
    at("2026-10-14 10:00")
    with pytest.raises(ValidationError):
        services.entry_submit(actor=office["p"]["ani"].user, entry=e)
    e.refresh_from_db()
    assert e.status == EntryStatus.DRAFT


def test_approved_unlock_reopens_the_dates_until_its_deadline(office, at):
    ani = office["p"]["ani"]
    at("2026-10-20 10:00")
    with pytest.raises(ValidationError):
        make_entry(office, day=D(2026, 10, 2))
    unlock = services.unlock_request_create(
        actor=ani.user,
        employee=ani,
        date_from=D(2026, 10, 1),
        date_to=D(2026, 10, 2),
        reason="Sakit dan dirawat di rumah sakit",
    )
    # Pending: still closed.
    with pytest.raises(ValidationError):
        make_entry(office, day=D(2026, 10, 2))
    from tests.factories import employee_with_login, grant

    bkpsdm = employee_with_login(office["inst"], None, name="Petugas BKPSDM").user
    grant(bkpsdm, "bkpsdm")
    bkpsdm = type(bkpsdm).objects.get(pk=bkpsdm.pk)
    services.unlock_request_decide(
        actor=bkpsdm, unlock=unlock, approve=True, deadline=D(2026, 10, 22)
    )
    e = make_entry(office, day=D(2026, 10, 2), submit=True)
    assert e.status == EntryStatus.SUBMITTED
    # Only the unlocked dates.
    with pytest.raises(ValidationError):
        make_entry(office, day=D(2026, 10, 5), start=T(10), end=T(11))
    at("2026-10-23 08:00")
    with pytest.raises(ValidationError):
        make_entry(office, day=D(2026, 10, 2), start=T(13), end=T(14))


def test_deadline_job_expires_unsubmitted_drafts_after_the_window(office, at):
    at("2026-10-05 10:00")
    e = make_entry(office, day=D(2026, 10, 2))
    on_time = make_entry(office, day=D(2026, 10, 5), start=T(8), end=T(9))
    services.activity_deadlines_process(instansi=office["inst"], today=D(2026, 10, 13))
    e.refresh_from_db()
    assert e.status == EntryStatus.DRAFT  # 13 October is still inside the window
    services.activity_deadlines_process(instansi=office["inst"], today=D(2026, 10, 14))
    e.refresh_from_db()
    on_time.refresh_from_db()
    assert e.status == EntryStatus.EXPIRED and on_time.status == EntryStatus.DRAFT


def test_unverified_entries_expire_or_are_approved_by_policy(office, at):
    at("2026-10-05 10:00")
    e = make_entry(office, day=D(2026, 10, 2), submit=True)
    # window end 13 Oct; verification: 5 working days after -> 20 Oct.
    assert e.verify_by == D(2026, 10, 20)
    services.activity_deadlines_process(instansi=office["inst"], today=D(2026, 10, 20))
    e.refresh_from_db()
    assert e.status == EntryStatus.SUBMITTED
    services.activity_deadlines_process(instansi=office["inst"], today=D(2026, 10, 21))
    e.refresh_from_db()
    assert e.status == EntryStatus.EXPIRED

    ActivitySettings.objects.create(
        instansi=office["inst"], deadline_behaviour="auto_approve", daily_cap_minutes=45
    )
    f = make_entry(office, day=D(2026, 10, 5), start=T(8), end=T(9), submit=True)
    services.activity_deadlines_process(
        instansi=office["inst"], today=f.verify_by + dt.timedelta(1)
    )
    f.refresh_from_db()
    assert f.status == EntryStatus.APPROVED and f.auto_verified
    assert f.credited_minutes == 45  # 2 x 30 minutes, capped at the daily 45


def test_deadline_command_applies_the_policy(office, at):
    from io import StringIO

    from django.core.management import call_command

    at("2026-10-05 10:00")
    e = make_entry(office, day=D(2026, 10, 2), submit=True)
    at("2026-10-21 02:00")  # the nightly run; a date still ahead is refused (test_deadlines_guard)
    out = StringIO()
    call_command("activity-deadlines", "--date", "2026-10-21", stdout=out)
    e.refresh_from_db()
    assert e.status == EntryStatus.EXPIRED and "expired_unverified=1" in out.getvalue()


def test_cached_window_follows_calendar_changes(office):
    from ekinerja.activities.selectors import window_state
    from ekinerja.core.audit import audit_record

    ani = office["p"]["ani"]
    today = D(2026, 10, 14)
    assert window_state(ani, D(2026, 10, 2), today).window_end == D(2026, 10, 13)
    # A holiday saved through the ORM: the cached window is dropped at once.
    Holiday.objects.create(
        instansi=office["inst"], date=D(2026, 10, 7), name="Hari jadi", kind="regional"
    )
    assert window_state(ani, D(2026, 10, 2), today).window_end == D(2026, 10, 14)
    # A bulk change (no model signals) that workcal audits, as its services do.
    Holiday.objects.bulk_create(
        [Holiday(instansi=office["inst"], date=D(2026, 10, 8), name="Cuti", kind="regional")]
    )
    audit_record(action="workcal.holiday.seed", actor=None, instansi=office["inst"])
    assert window_state(ani, D(2026, 10, 2), today).window_end == D(2026, 10, 15)


def test_an_evicted_calendar_generation_never_brings_back_older_windows(office):
    from django.core.cache import cache

    from ekinerja.activities import selectors

    ani, today = office["p"]["ani"], D(2026, 10, 14)
    assert selectors.window_state(ani, D(2026, 10, 2), today).window_end == D(2026, 10, 13)
    # A holiday written without signals, then the generation is evicted from a full cache: the
    # window cached under the lost generation must not come back.
    Holiday.objects.bulk_create(
        [Holiday(instansi=office["inst"], date=D(2026, 10, 7), name="Libur", kind="regional")]
    )
    cache.delete(selectors._generation_key(office["inst"].pk))
    assert selectors.window_state(ani, D(2026, 10, 2), today).window_end == D(2026, 10, 14)


def test_policy_values_are_kept_per_generation_and_expire(office, monkeypatch):
    from ekinerja.activities import selectors

    inst = office["inst"]
    ActivitySettings.objects.create(instansi=inst, window_working_days=7)
    assert selectors.cached_settings(inst).window_working_days == 7
    # Changed without a signal (another process's write, as this one sees it): the kept value stays
    # until the generation moves, which the other process does through the shared cache.
    ActivitySettings.objects.filter(instansi=inst).update(window_working_days=5)
    assert selectors.cached_settings(inst).window_working_days == 7
    selectors.calendar_changed(inst.pk)
    assert selectors.cached_settings(inst).window_working_days == 5
    # With the per-process fallback cache the bump never reaches other processes: there a kept
    # value is used for CALENDAR_TTL seconds at most.
    ActivitySettings.objects.filter(instansi=inst).update(window_working_days=4)
    assert selectors.cached_settings(inst).window_working_days == 5
    later = selectors.time.monotonic() + selectors.CALENDAR_TTL + 1
    monkeypatch.setattr(selectors.time, "monotonic", lambda: later)
    assert selectors.cached_settings(inst).window_working_days == 4


def test_a_policy_window_of_zero_days_means_the_same_day_in_the_app_as_in_the_run(office, at):
    """tpp-rules.md: "submitted on or before the N-th working day after its date"; a policy may set
    N = 0 (0-250). The app raised it to 1, so an entry of Friday submitted and approved on Monday
    was one the TPP run counted as expired (0 minutes)."""
    from ekinerja.activities.selectors import NO_CAP, activity_month
    from ekinerja.core.periods import Period

    inst = office["inst"]
    services.activity_settings_follow_policy(
        instansi=inst, policy_name="Perbup X", window_working_days=0
    )
    assert ActivitySettings.objects.get(instansi=inst).window_working_days == 0
    at("2026-10-02 15:00")  # Friday: the same day is open
    same_day = make_entry(office, day=D(2026, 10, 2), submit=True)
    draft = make_entry(office, day=D(2026, 10, 2), start=T(10), end=T(11))
    at("2026-10-05 10:00")  # Monday: Friday is closed
    with pytest.raises(ValidationError) as err:
        make_entry(office, day=D(2026, 10, 2), start=T(13), end=T(14))
    assert "harus diisi pada hari yang sama" in str(err.value)
    with pytest.raises(ValidationError):
        services.entry_submit(actor=office["p"]["ani"].user, entry=draft)
    services.activity_deadlines_process(instansi=inst, today=D(2026, 10, 5))
    draft.refresh_from_db()
    assert draft.status == EntryStatus.EXPIRED
    services.entry_verify(actor=office["p"]["kasubag"].user, entry=same_day, decision="approve")
    ani = office["p"]["ani"]
    month = activity_month([ani], Period(2026, 10), window_working_days=0, daily_cap=NO_CAP)
    assert month[ani.pk].late == 0 and month[ani.pk].credited_minutes == 60
