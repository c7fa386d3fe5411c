"""No activity minutes on a day of approved full-day leave, whatever the order: entries are refused
on such a day when made, but one submitted before the leave was approved (sick leave is often
approved afterwards) used to be approved by its superior, by a month's approval, by the deadline's
auto-approval, by a granted objection or a tim penilai overturn, and credited on top of the lower
activity target the leave gives (docs/activities.md, "No activities on a day of leave")."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ekinerja.activities import services
from ekinerja.activities.models import (
    ActivityEntry,
    ActivitySettings,
    EntryStatus,
    ReviewItem,
)
from ekinerja.attendance.services import leave_record_approved, leave_type_get_or_create
from ekinerja.core.models import AuditEvent
from ekinerja.core.periods import Period
from tests.factories import employee_with_login, grant

from .conftest import D, T, make_entry

pytestmark = pytest.mark.django_db
S = EntryStatus
OCT = Period(2026, 10)
SICK_DAY = D(2026, 10, 6)


def _sick(office, day=SICK_DAY, code="sakit"):
    """Ani's sick leave on `day`, approved after her entry of that day was submitted."""
    lt = leave_type_get_or_create(office["inst"], code)
    leave_record_approved(
        actor=None,
        employee=office["p"]["ani"],
        leave_type=lt,
        date_from=day,
        date_to=day,
        recompute=False,
    )
    return lt


def _submitted(office, day=SICK_DAY, start=8, end=9):
    return make_entry(office, day=day, start=T(start), end=T(end), submit=True)


def test_the_superior_cannot_approve_an_entry_on_a_day_of_leave(office, at):
    at("2026-10-06 17:00")
    e = _submitted(office)
    _sick(office)
    with pytest.raises(ValidationError) as err:
        services.entry_verify(actor=office["p"]["kasubag"].user, entry=e, decision="approve")
    assert err.value.message_dict["status"] == [
        "Ani cuti (Sakit) pada 6 Oktober 2026; aktivitas pada hari cuti tidak dapat "
        "disetujui. Tolak aktivitas ini."
    ]
    e.refresh_from_db()
    assert e.status == S.SUBMITTED and e.credited_minutes == 0
    # Rejecting it is how the superior clears it.
    services.entry_verify(
        actor=office["p"]["kasubag"].user, entry=e, decision="reject", reason="Sedang cuti sakit"
    )
    e.refresh_from_db()
    assert e.status == S.REJECTED


def test_work_elsewhere_does_not_stop_the_approval(office, at):
    at("2026-10-06 17:00")
    e = _submitted(office)
    _sick(office, code="dinas_luar")
    services.entry_verify(actor=office["p"]["kasubag"].user, entry=e, decision="approve")
    e.refresh_from_db()
    assert e.status == S.APPROVED and e.credited_minutes == 60


def test_a_month_approval_leaves_the_days_of_leave(office, at):
    at("2026-10-07 17:00")
    on_leave = _submitted(office, day=D(2026, 10, 6))
    also_on_leave = _submitted(office, day=D(2026, 10, 6), start=10, end=11)
    other = _submitted(office, day=D(2026, 10, 7))
    _sick(office)
    done = services.entries_verify_bulk(
        actor=office["p"]["kasubag"].user,
        employee=office["p"]["ani"],
        start=D(2026, 10, 1),
        end=D(2026, 10, 31),
    )
    # Counted in entries: two of one day of leave are two left undecided.
    assert (done.count, done.on_leave) == (1, 2)
    assert done.on_leave_note == (
        "2 aktivitas pada hari cuti pegawai tidak disetujui; tolak aktivitas itu dengan alasannya."
    )
    for entry in (on_leave, also_on_leave, other):
        entry.refresh_from_db()
    assert on_leave.status == also_on_leave.status == S.SUBMITTED
    assert other.status == S.APPROVED


def test_a_picked_list_with_a_day_of_leave_changes_nothing(office, at):
    at("2026-10-07 17:00")
    on_leave = _submitted(office, day=D(2026, 10, 6))
    other = _submitted(office, day=D(2026, 10, 7))
    _sick(office)
    with pytest.raises(ValidationError, match="Ani cuti \\(Sakit\\) pada 6 Oktober 2026"):
        services.entries_verify_bulk(
            actor=office["p"]["kasubag"].user, entry_ids=[on_leave.pk, other.pk]
        )
    assert set(
        ActivityEntry.objects.filter(pk__in=[on_leave.pk, other.pk]).values_list(
            "status", flat=True
        )
    ) == {S.SUBMITTED}
    # Rejecting the same list is allowed.
    done = services.entries_verify_bulk(
        actor=office["p"]["kasubag"].user,
        entry_ids=[on_leave.pk, other.pk],
        decision="reject",
        reason="Periksa lagi",
    )
    assert done.count == 2


def test_the_inbox_says_what_was_left(client, office, at):
    at("2026-10-07 17:00")
    _submitted(office, day=D(2026, 10, 6))
    _submitted(office, day=D(2026, 10, 7))
    _sick(office)
    client.force_login(office["p"]["kasubag"].user)
    resp = client.post(
        reverse("activities:verify-bulk"),
        {
            "decision": "approve",
            "employee": office["p"]["ani"].pk,
            "start": "2026-10-01",
            "end": "2026-10-31",
        },
        follow=True,
    )
    texts = [str(m) for m in resp.context["messages"]]
    assert "1 aktivitas disetujui." in texts
    assert any("1 aktivitas pada hari cuti pegawai tidak disetujui" in t for t in texts)


def test_the_api_counts_the_days_of_leave(client, office, at):
    at("2026-10-07 17:00")
    _submitted(office, day=D(2026, 10, 6))
    _submitted(office, day=D(2026, 10, 7))
    _sick(office)
    client.force_login(office["p"]["kasubag"].user)
    resp = client.post(
        "/api/v1/activities/verify-bulk",
        {
            "employee_id": office["p"]["ani"].pk,
            "start": "2026-10-01",
            "end": "2026-10-31",
            "decision": "approve",
        },
        content_type="application/json",
    )
    assert resp.status_code == 200, resp.content
    assert resp.json() == {"count": 1, "late": 0, "changed": 0, "on_leave": 1}


def test_auto_approval_at_the_deadline_expires_the_days_of_leave(office, at):
    ActivitySettings.objects.update_or_create(
        instansi=office["inst"],
        defaults={"deadline_behaviour": ActivitySettings.DeadlineBehaviour.AUTO_APPROVE},
    )
    at("2026-10-07 17:00")
    on_leave = _submitted(office, day=D(2026, 10, 6))
    other = _submitted(office, day=D(2026, 10, 7))
    _sick(office)
    counts = services.activity_deadlines_process(instansi=office["inst"], today=D(2026, 12, 1))
    assert counts["auto_approved"] == 1 and counts["expired_unverified"] == 1
    on_leave.refresh_from_db()
    other.refresh_from_db()
    assert other.status == S.APPROVED and other.credited_minutes == 60
    assert on_leave.status == S.EXPIRED and on_leave.credited_minutes == 0
    assert "pegawai cuti (Sakit) pada tanggal ini" in on_leave.reason
    actions = dict(
        AuditEvent.objects.filter(
            object_id__in=[str(on_leave.pk), str(other.pk)], action__startswith="activities.entry."
        )
        .exclude(action="activities.entry.submit")
        .values_list("object_id", "action")
    )
    assert actions == {
        str(on_leave.pk): "activities.entry.expire",
        str(other.pk): "activities.entry.auto_approve",
    }


def test_an_objection_about_a_day_of_leave_is_not_granted(office, at):
    at("2026-10-06 17:00")
    e = _submitted(office)
    kasubag, kepala, ani = (office["p"][k] for k in ("kasubag", "kepala", "ani"))
    services.entry_verify(actor=kasubag.user, entry=e, decision="reject", reason="Bukti kurang")
    obj = services.objection_file(actor=ani.user, entry=e, reason="Bukti ada di arsip")
    _sick(office)
    with pytest.raises(ValidationError, match="keberatan atas aktivitas pada hari cuti"):
        services.objection_decide(actor=kepala.user, objection=obj, grant=True, reason="Ada")
    e.refresh_from_db()
    assert e.status == S.REJECTED and e.credited_minutes == 0


def test_a_tim_penilai_does_not_undo_a_rejection_on_a_day_of_leave(office, at):
    at("2026-10-06 17:00")
    e = _submitted(office)
    services.entry_verify(
        actor=office["p"]["kasubag"].user, entry=e, decision="reject", reason="Cuti sakit"
    )
    _sick(office)
    tp = employee_with_login(office["inst"], None, name="Tim Penilai").user
    grant(tp, "tim_penilai")
    tp = type(tp).objects.get(pk=tp.pk)
    sample = services.review_sample_draw(actor=tp, period=OCT, size=10, seed=1)
    item = ReviewItem.objects.get(sample=sample, entry=e)
    with pytest.raises(ValidationError, match="penolakan aktivitas pada hari cuti"):
        services.review_decide(actor=tp, item=item, outcome="overturned", reason="Keliru")
    e.refresh_from_db()
    assert e.status == S.REJECTED
