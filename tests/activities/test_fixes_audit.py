"""Fixes after the activities audit: an entry with a pending objection is frozen and an objection is
granted only on the entry as objected to, with the decider as verifier; a returned entry can be
corrected and resubmitted for a revision period after the window and is then counted by the TPP
recap; BKPSDM verifies the entries of employees without a direct superior; no entries on a day of
approved leave; the daily cap freed by an entry goes to the day's other approved entries; a day or
month approval leaves only the overdue entries; the API refuses a date range that ends before it
starts."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.activities import selectors, services
from ekinerja.activities.models import (
    ActivityEntry,
    ActivitySettings,
    EntryStatus,
    ObjectionStatus,
)
from ekinerja.attendance.selectors import full_day_leaves_on
from ekinerja.core.periods import Period
from ekinerja.org.models import Assignment, Position
from ekinerja.org.selectors import HierarchyTimeline
from tests.factories import (
    AssignmentFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    grant,
)

from .conftest import D, T, make_entry

pytestmark = pytest.mark.django_db
S = EntryStatus
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def _messages(resp) -> list[str]:
    return [str(m) for m in resp.wsgi_request._messages]


def _cap(office, minutes: int) -> None:
    ActivitySettings.objects.update_or_create(
        instansi=office["inst"], defaults={"daily_cap_minutes": minutes}
    )


def _cut(office, at, volume=4, approved="1"):
    """Ani's entry of 5 October (4 letters) approved for 1 by the kasubag, objected to by Ani."""
    at("2026-10-05 17:00")
    e = make_entry(office, day=D(2026, 10, 5), start=T(8), end=T(12), volume=volume, submit=True)
    services.entry_verify(
        actor=office["p"]["kasubag"].user,
        entry=e,
        decision="approve",
        approved_volume=approved,
        reason="Hanya satu surat yang ada",
    )
    obj = services.objection_file(
        actor=office["p"]["ani"].user, entry=e, reason="Empat surat ada buktinya"
    )
    e.refresh_from_db()
    return e, obj


# ---------------------------------------------------------------- objections (finding 1)


def test_an_entry_with_a_pending_objection_cannot_be_changed(office, at):
    e, obj = _cut(office, at)
    ani = office["p"]["ani"].user
    with pytest.raises(ValidationError) as err:
        services.entry_update(actor=ani, entry=e, volume=Decimal(8))
    assert "keberatan" in err.value.message_dict["status"][0].lower()
    # Evidence added to an approved entry changes it too: refused the same way.
    with pytest.raises(ValidationError):
        services.evidence_add(actor=ani, entry=e, files=[SimpleUploadedFile("a.png", PNG)])
    e.refresh_from_db()
    assert e.status == S.APPROVED and e.volume == 4 and e.approved_volume == 1
    assert e.credited_minutes == 30 and not e.evidence.exists()
    # Once decided, the entry may be changed again (and goes back to verification).
    services.objection_decide(
        actor=office["p"]["kepala"].user, objection=obj, grant=False, reason="Satu surat saja"
    )
    services.entry_update(actor=ani, entry=e, description="Surat ke dinas")
    e.refresh_from_db()
    assert e.status == S.SUBMITTED


def test_the_day_page_offers_no_edit_while_the_objection_waits(client, office, at):
    e, _obj = _cut(office, at)
    other = make_entry(office, day=D(2026, 10, 5), start=T(13), end=T(14))
    client.force_login(office["p"]["ani"].user)
    html = client.get(reverse("activities:day", kwargs={"day": "2026-10-05"})).content.decode()
    assert reverse("activities:entry-edit", args=[e.pk]) not in html
    assert reverse("activities:entry-edit", args=[other.pk]) in html


def test_granting_records_the_decider_as_verifier_and_credits_the_full_volume(office, at):
    e, obj = _cut(office, at)
    at("2026-10-06 09:00")
    services.objection_decide(
        actor=office["p"]["kepala"].user, objection=obj, grant=True, reason="Bukti lengkap"
    )
    e.refresh_from_db()
    assert e.status == S.APPROVED and e.approved_volume is None and e.volume == 4
    assert e.credited_minutes == 120
    assert e.verified_by == office["p"]["kepala"] and e.verified_at.date() == D(2026, 10, 6)
    assert e.reason == "Keberatan dikabulkan: Bukti lengkap"


def test_an_objection_is_not_granted_once_the_entry_changed(office, at):
    """The tim penilai overturned the cut entry while its objection waited: granting it would approve
    an entry nobody looked at again, so it is refused; denying is still possible."""
    e, obj = _cut(office, at)
    reviewer = employee_with_login(office["inst"], None, name="Penilai").user
    grant(reviewer, "tim_penilai")
    sample = services.review_sample_draw(actor=reviewer, period=Period(2026, 10), size=5, seed=1)
    [item] = [i for i in sample.items.all() if i.entry_id == e.pk]
    services.review_decide(
        actor=reviewer, item=item, outcome="overturned", reason="Surat tidak pernah dikirim"
    )
    kepala = office["p"]["kepala"].user
    with pytest.raises(ValidationError) as err:
        services.objection_decide(actor=kepala, objection=obj, grant=True, reason="Bukti ada")
    assert "sudah berubah" in err.value.message_dict["status"][0]
    e.refresh_from_db()
    obj.refresh_from_db()
    assert e.status == S.REJECTED and e.credited_minutes == 0
    assert obj.status == ObjectionStatus.PENDING
    services.objection_decide(actor=kepala, objection=obj, grant=False, reason="Sudah diperiksa")
    obj.refresh_from_db()
    assert obj.status == ObjectionStatus.DENIED


def test_a_granted_rejection_is_credited_in_time_order_within_the_cap(office, at):
    _cap(office, 120)
    at("2026-10-05 17:00")
    kasubag = office["p"]["kasubag"].user
    meeting = make_entry(
        office, day=D(2026, 10, 5), start=T(8), end=T(10), item="rapat", volume=1, submit=True
    )
    letters = make_entry(office, day=D(2026, 10, 5), start=T(10), end=T(11), submit=True)
    services.entry_verify(actor=kasubag, entry=meeting, decision="reject", reason="Tidak ada")
    services.entry_verify(actor=kasubag, entry=letters, decision="approve")
    obj = services.objection_file(
        actor=office["p"]["ani"].user, entry=meeting, reason="Daftar hadir rapat terlampir"
    )
    services.objection_decide(
        actor=office["p"]["kepala"].user, objection=obj, grant=True, reason="Ada daftar hadir"
    )
    meeting.refresh_from_db()
    letters.refresh_from_db()
    # As one approval of the day in time order would have credited them.
    assert (meeting.credited_minutes, letters.credited_minutes) == (120, 0)
    month = selectors.activity_month([office["p"]["ani"]], Period(2026, 10))
    assert month[office["p"]["ani"].pk].credited_minutes == 120


# ---------------------------------------------------------------- returned entries (finding 2)


def _returned_after_window(office, at):
    """Submitted on 13 October, the last day of 2 October's window; returned on 14 October."""
    at("2026-10-13 17:00")
    e = make_entry(office, day=D(2026, 10, 2), submit=True)
    submitted_at = e.submitted_at
    at("2026-10-14 09:00")
    services.entry_verify(
        actor=office["p"]["kasubag"].user, entry=e, decision="return", reason="Lengkapi uraian"
    )
    e.refresh_from_db()
    return e, submitted_at


def test_a_returned_entry_is_revised_and_resubmitted_after_the_window(office, at):
    e, first_submission = _returned_after_window(office, at)
    assert selectors.revision_until(e) == D(2026, 10, 19)  # 15, 16, 19 October
    ani = office["p"]["ani"].user
    at("2026-10-16 10:00")
    services.entry_update(actor=ani, entry=e, description="Surat undangan rapat koordinasi")
    services.entry_submit(actor=ani, entry=e)
    e.refresh_from_db()
    assert e.status == S.SUBMITTED and e.description == "Surat undangan rapat koordinasi"
    # It keeps its first (timely) submission; the superior gets a new verification deadline.
    assert e.submitted_at == first_submission
    assert e.verify_by == D(2026, 10, 23)
    at("2026-10-19 10:00")
    services.entry_verify(actor=office["p"]["kasubag"].user, entry=e, decision="approve")
    # Counted by the monthly recap and by the TPP run's reading (policy window, no pre-cap).
    ani_id = office["p"]["ani"].pk
    month = selectors.activity_month([office["p"]["ani"]], Period(2026, 10))[ani_id]
    assert (month.approved, month.late, month.credited_minutes) == (1, 0, 60)
    tpp = selectors.activity_month(
        [office["p"]["ani"]], Period(2026, 10), window_working_days=7, daily_cap=selectors.NO_CAP
    )[ani_id]
    assert (tpp.approved, tpp.late, tpp.window_expired, tpp.credited_minutes) == (1, 0, 0, 60)


def test_the_revision_period_ends_and_a_moved_entry_keeps_to_its_new_dates_window(office, at):
    e, _first = _returned_after_window(office, at)
    ani = office["p"]["ani"].user
    at("2026-10-15 10:00")
    # Moved to another date, the entry is held to that date's window (1 October's has closed).
    with pytest.raises(ValidationError) as err:
        services.entry_update(actor=ani, entry=e, date=D(2026, 10, 1))
    assert "Batas pengisian" in err.value.message_dict["date"][0]
    at("2026-10-20 08:00")  # the day after the revision period
    with pytest.raises(ValidationError) as err:
        services.entry_update(actor=ani, entry=e, description="Terlambat")
    assert "Batas pengisian" in err.value.message_dict["date"][0]
    with pytest.raises(ValidationError):
        services.entry_submit(actor=ani, entry=e)


def test_the_deadline_job_expires_a_returned_entry_only_after_its_revision_period(office, at):
    e, _first = _returned_after_window(office, at)
    for night in (D(2026, 10, 15), D(2026, 10, 19)):
        out = services.activity_deadlines_process(instansi=office["inst"], today=night)
        assert out["expired_unsubmitted"] == 0
        e.refresh_from_db()
        assert e.status == S.RETURNED
    out = services.activity_deadlines_process(instansi=office["inst"], today=D(2026, 10, 20))
    e.refresh_from_db()
    assert out["expired_unsubmitted"] == 1 and e.status == S.EXPIRED


def test_the_day_page_offers_to_revise_a_returned_entry_after_the_window(client, office, at):
    e, _first = _returned_after_window(office, at)
    at("2026-10-15 10:00")
    client.force_login(office["p"]["ani"].user)
    html = client.get(reverse("activities:day", kwargs={"day": "2026-10-02"})).content.decode()
    assert 'data-testid="revise-until"' in html and "19 Oktober 2026" in html
    assert 'data-testid="entry-submit"' in html
    client.post(reverse("activities:entry-submit", args=[e.pk]))
    e.refresh_from_db()
    assert e.status == S.SUBMITTED


# ---------------------------------------------------------------- no direct superior (finding 3)


@pytest.fixture
def bkpsdm(office):
    """A BKPSDM unit outside the office: its head (top of the tree, no superior) and an officer
    under it; both hold the BKPSDM role."""
    unit = UnitFactory(instansi=office["inst"], name="BKPSDM")
    head_pos = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=12)
    staff_pos = PositionFactory(unit=unit, kind=Position.Kind.PELAKSANA, kelas=7, parent=head_pos)
    head = employee_with_login(office["inst"], head_pos, name="Kepala BKPSDM")
    officer = employee_with_login(office["inst"], staff_pos, name="Rina BKPSDM")
    grant(head.user, "bkpsdm")
    grant(officer.user, "bkpsdm")
    return {"head": head, "officer": officer}


def test_bkpsdm_verifies_the_entries_of_an_employee_without_a_superior(office, at, bkpsdm):
    at("2026-10-05 17:00")
    e = make_entry(office, who="kepala", day=D(2026, 10, 5), submit=True)
    for who in ("kasubag", "ani"):
        with pytest.raises(PermissionDenied):
            services.entry_verify(actor=office["p"][who].user, entry=e, decision="approve")
    officer = bkpsdm["officer"]
    services.entry_verify(actor=officer.user, entry=e, decision="approve")
    e.refresh_from_db()
    assert e.status == S.APPROVED and e.verified_by == officer and e.credited_minutes == 60
    # Not for someone who has a direct superior, and never one's own entries.
    ani_entry = make_entry(office, day=D(2026, 10, 5), submit=True)
    with pytest.raises(PermissionDenied, match="bukan atasan langsung"):
        services.entry_verify(actor=officer.user, entry=ani_entry, decision="approve")
    own = make_entry(office, who="kepala", day=D(2026, 10, 5), start=T(9), end=T(10), submit=True)
    head = bkpsdm["head"]
    head_entry = services.entry_create(
        actor=head.user,
        date=D(2026, 10, 5),
        start_time=T(8),
        end_time=T(9),
        item=office["surat"],
        volume=Decimal(1),
        submit=True,
    ).entry
    with pytest.raises(PermissionDenied, match="sendiri"):
        services.entry_verify(actor=head.user, entry=head_entry, decision="approve")
    # The head of BKPSDM has no superior either: another officer verifies the head's entries.
    assert services.entries_verify_bulk(actor=head.user, employee=head).count == 0
    assert services.entries_verify_bulk(actor=officer.user, employee=head).count == 1
    assert services.entries_verify_bulk(actor=head.user, employee=office["p"]["kepala"]).count == 1
    own.refresh_from_db()
    assert own.status == S.APPROVED and own.verified_by == head


def test_a_vacancy_up_to_the_top_hands_the_entries_to_bkpsdm(office, at, bkpsdm):
    """The kepala left on 4 October: the kasubag has nobody above from 5 October."""
    Assignment.objects.filter(employee=office["p"]["kepala"]).update(end=D(2026, 10, 4))
    at("2026-10-06 17:00")
    before = make_entry(office, who="kasubag", day=D(2026, 10, 2), submit=True)
    after = make_entry(office, who="kasubag", day=D(2026, 10, 5), submit=True)
    officer = bkpsdm["officer"].user
    with pytest.raises(PermissionDenied):
        services.entry_verify(actor=officer, entry=before, decision="approve")
    services.entry_verify(actor=officer, entry=after, decision="approve")
    after.refresh_from_db()
    assert after.status == S.APPROVED


def test_without_superior_matches_the_hierarchy_rule(office, bkpsdm):
    Assignment.objects.filter(employee=office["p"]["kepala"]).update(end=D(2026, 10, 4))
    # From 7 October the kasubag is also Plt of the kepala's post: still nobody above them.
    AssignmentFactory(
        employee=office["p"]["kasubag"],
        position=office["pos"]["kepala"],
        kind="plt",
        start=D(2026, 10, 7),
    )
    timeline = HierarchyTimeline(office["inst"].pk, D(2026, 10, 1), D(2026, 10, 9))
    for a, _b in timeline.pieces():
        h = timeline.on(a)
        everyone = set(h.definitif) | {e for hs in h.holders.values() for _r, _n, e in hs}
        assert h.without_superior() == {e for e in everyone if h.superior_id(e) is None}
    assert office["p"]["kasubag"].pk in timeline.on(D(2026, 10, 5)).without_superior()
    assert office["p"]["kasubag"].pk not in timeline.on(D(2026, 10, 2)).without_superior()
    assert office["p"]["kasubag"].pk in timeline.on(D(2026, 10, 8)).without_superior()
    assert office["p"]["ani"].pk not in timeline.on(D(2026, 10, 8)).without_superior()


def test_bkpsdm_finds_them_in_the_inbox_page_and_the_api(client, office, at, bkpsdm):
    at("2026-10-05 17:00")
    e = make_entry(office, who="kepala", day=D(2026, 10, 5), submit=True)
    make_entry(office, day=D(2026, 10, 5), submit=True)  # Ani's: the kasubag's, not BKPSDM's
    officer = bkpsdm["officer"]
    inbox = selectors.superior_inbox(officer, D(2026, 10, 5), bkpsdm=True)
    assert [(g.employee, g.as_bkpsdm) for g in inbox.groups] == [(office["p"]["kepala"], True)]
    assert selectors.superior_inbox(officer, D(2026, 10, 5)).total == 0
    assert selectors.inbox_count(officer, D(2026, 10, 5), bkpsdm=True)[0] == 1
    kasubag_inbox = selectors.superior_inbox(office["p"]["kasubag"], D(2026, 10, 5), bkpsdm=False)
    assert [g.employee for g in kasubag_inbox.groups] == [office["p"]["ani"]]
    client.force_login(officer.user)
    html = client.get(reverse("activities:inbox")).content.decode()
    assert f'data-entry="{e.pk}"' in html and 'data-testid="inbox-bkpsdm"' in html
    assert 'data-testid="nav-verifikasi"' in html
    resp = client.post(
        reverse("activities:verify-bulk"),
        {"employee": office["p"]["kepala"].pk, "start": "2026-10-05", "decision": "approve"},
    )
    assert "1 aktivitas disetujui." in _messages(resp)
    e.refresh_from_db()
    assert e.status == S.APPROVED and e.verified_by == officer
    # The API inbox of the same account.
    other = make_entry(office, who="kepala", day=D(2026, 10, 5), start=T(9), end=T(10), submit=True)
    _token, raw = services.api_token_issue(actor=officer.user, name="HP")
    data = client.get("/api/v1/activities/inbox", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert [x["id"] for g in data["groups"] for d in g["days"] for x in d["entries"]] == [other.pk]


# ---------------------------------------------------------------- approved leave (finding 4)


@pytest.fixture
def leave_read():
    """The read tpp.apps registers at start-up (attendance.selectors.full_day_leaves_on), restored
    after a test that takes it away."""
    saved = list(selectors._leave_source)  # noqa: SLF001
    assert saved and saved[0] is full_day_leaves_on  # registered by the app itself
    yield
    selectors._leave_source[:] = saved  # noqa: SLF001


def _on_leave(office, code="cuti_tahunan"):
    """Ani's approved leave from 5 to 7 October."""
    from ekinerja.attendance.services import leave_record_approved, leave_type_get_or_create

    lt = leave_type_get_or_create(office["inst"], code)
    leave_record_approved(
        actor=None,
        employee=office["p"]["ani"],
        leave_type=lt,
        date_from=D(2026, 10, 5),
        date_to=D(2026, 10, 7),
        recompute=False,
    )


def test_no_entry_on_a_day_of_approved_leave(office, at, leave_read):
    _on_leave(office)
    at("2026-10-09 17:00")
    with pytest.raises(ValidationError) as err:
        make_entry(office, day=D(2026, 10, 6), submit=True)
    assert err.value.message_dict["date"] == [
        "Tanggal ini Anda cuti (Cuti tahunan); aktivitas tidak dapat diisi pada hari cuti."
    ]
    e = make_entry(office, day=D(2026, 10, 8))  # after the leave: accepted
    with pytest.raises(ValidationError) as err:
        services.entry_update(actor=office["p"]["ani"].user, entry=e, date=D(2026, 10, 7))
    assert "cuti" in err.value.message_dict["date"][0]
    assert ActivityEntry.objects.filter(date__range=(D(2026, 10, 5), D(2026, 10, 7))).count() == 0


def test_the_entry_form_shows_the_leave_on_the_date_field(client, office, at, leave_read):
    _on_leave(office)
    at("2026-10-09 17:00")
    client.force_login(office["p"]["ani"].user)
    resp = client.post(
        reverse("activities:day", kwargs={"day": "2026-10-06"}),
        {
            "date": "2026-10-06",
            "start_time": "08:00",
            "end_time": "09:00",
            "volume": "1",
            "item": office["surat"].pk,
        },
    )
    assert resp.status_code == 400
    assert "Tanggal ini Anda cuti (Cuti tahunan)" in str(resp.context["form"].errors["date"])
    assert not ActivityEntry.objects.exists()


def test_work_elsewhere_is_no_leave(office, at, leave_read):
    _on_leave(office, code="dinas_luar")
    at("2026-10-09 17:00")
    entry = make_entry(office, day=D(2026, 10, 6))  # dinas luar: working, elsewhere
    assert entry.pk and entry.date == D(2026, 10, 6)


def test_without_a_registered_leave_read_nothing_is_refused(office, at, leave_read):
    _on_leave(office)  # cuti tahunan, 5-7 October: refused while the read is registered
    at("2026-10-09 17:00")
    with pytest.raises(ValidationError):
        make_entry(office, day=D(2026, 10, 6))
    selectors.set_leave_source(None)
    entry = make_entry(office, day=D(2026, 10, 6))
    assert entry.pk


# ---------------------------------------------------------------- the daily cap freed (finding 5)


def _capped_day(office, at):
    """Cap 120: a meeting 08-10 (120 minutes) then letters 10-11 (60), both approved: the letters
    are credited 0."""
    _cap(office, 120)
    at("2026-10-05 17:00")
    meeting = make_entry(
        office, day=D(2026, 10, 5), start=T(8), end=T(10), item="rapat", volume=1, submit=True
    )
    letters = make_entry(office, day=D(2026, 10, 5), start=T(10), end=T(11), submit=True)
    kasubag = office["p"]["kasubag"].user
    services.entry_verify(actor=kasubag, entry=meeting, decision="approve")
    services.entry_verify(actor=kasubag, entry=letters, decision="approve")
    letters.refresh_from_db()
    assert letters.credited_minutes == 0
    return meeting, letters


def _month(office):
    m = selectors.activity_month([office["p"]["ani"]], Period(2026, 10))[office["p"]["ani"].pk]
    return m.credited_minutes


def test_an_edited_then_rejected_entry_frees_the_cap_for_the_others(office, at):
    meeting, letters = _capped_day(office, at)
    services.entry_update(actor=office["p"]["ani"].user, entry=meeting, description="Rapat SPBE")
    letters.refresh_from_db()
    assert letters.credited_minutes == 60 and _month(office) == 60
    services.entry_verify(
        actor=office["p"]["kasubag"].user, entry=meeting, decision="reject", reason="Tidak ada"
    )
    letters.refresh_from_db()
    assert letters.credited_minutes == 60 and _month(office) == 60
    # The month page's day figure agrees.
    days = selectors.month_days(office["p"]["ani"], Period(2026, 10))
    assert days[D(2026, 10, 5)]["minutes"] == 60


def test_an_overturned_entry_frees_the_cap_and_an_overturn_back_takes_it_again(office, at):
    meeting, letters = _capped_day(office, at)
    reviewer = employee_with_login(office["inst"], None, name="Penilai").user
    grant(reviewer, "tim_penilai")
    sample = services.review_sample_draw(actor=reviewer, period=Period(2026, 10), size=5, seed=1)
    items = {i.entry_id: i for i in sample.items.all()}
    services.review_decide(
        actor=reviewer, item=items[meeting.pk], outcome="overturned", reason="Rapat batal"
    )
    letters.refresh_from_db()
    assert letters.credited_minutes == 60 and _month(office) == 60
    services.review_decide(
        actor=reviewer, item=items[letters.pk], outcome="overturned", reason="Surat fiktif"
    )
    letters.refresh_from_db()
    assert letters.status == S.REJECTED and letters.credited_minutes == 0 and _month(office) == 0


def test_crediting_days_again_costs_two_queries_whatever_the_entries(office, at):
    at("2026-10-09 17:00")
    for day in (5, 6):
        for h in (8, 9, 10, 11):
            make_entry(office, day=D(2026, 10, day), start=T(h), end=T(h + 1), submit=True)
    services.entries_verify_bulk(actor=office["p"]["kasubag"].user, employee=office["p"]["ani"])
    _cap(office, 150)
    ani = office["p"]["ani"].pk
    with CaptureQueriesContext(connection) as queries:
        credited = services._recredit_days({(ani, D(2026, 10, 5)), (ani, D(2026, 10, 6))}, 150)
    assert len(queries.captured_queries) == 2
    assert sorted(credited.values()) == [0, 0, 30, 30, 60, 60, 60, 60]


# ---------------------------------------------------------------- overdue entries in a month (7)


def _one_overdue(office, at):
    ActivitySettings.objects.update_or_create(
        instansi=office["inst"],
        defaults={"verification_working_days": 1, "window_working_days": 1},
    )
    at("2026-10-01 17:00")
    old = make_entry(office, day=D(2026, 10, 1), submit=True)  # verify by 5 October
    at("2026-10-06 17:00")
    new = make_entry(office, day=D(2026, 10, 6), submit=True)
    return old, new


def test_a_month_approval_leaves_only_the_overdue_entries(office, at):
    old, new = _one_overdue(office, at)
    done = services.entries_verify_bulk(
        actor=office["p"]["kasubag"].user,
        employee=office["p"]["ani"],
        start=D(2026, 10, 1),
        end=D(2026, 10, 31),
    )
    assert (done.count, done.late) == (1, 1)
    assert "1 aktivitas lain tidak diverifikasi" in done.late_note
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == (S.SUBMITTED, S.APPROVED)


def test_a_picked_list_with_an_overdue_entry_changes_nothing(office, at):
    old, new = _one_overdue(office, at)
    with pytest.raises(ValidationError, match="tidak ada yang diubah"):
        services.entries_verify_bulk(actor=office["p"]["kasubag"].user, entry_ids=[old.pk, new.pk])
    new.refresh_from_db()
    assert new.status == S.SUBMITTED
    # A day holding only overdue entries: nothing to do, said so.
    with pytest.raises(ValidationError, match="sudah lewat"):
        services.entries_verify_bulk(
            actor=office["p"]["kasubag"].user,
            employee=office["p"]["ani"],
            start=D(2026, 10, 1),
            end=D(2026, 10, 1),
        )


def test_the_inbox_says_how_many_overdue_entries_were_left(client, office, at):
    _one_overdue(office, at)
    client.force_login(office["p"]["kasubag"].user)
    resp = client.post(
        reverse("activities:verify-bulk"),
        {
            "employee": office["p"]["ani"].pk,
            "start": "2026-10-01",
            "end": "2026-10-31",
            "decision": "approve",
        },
    )
    assert _messages(resp) == [
        "1 aktivitas disetujui.",
        "1 aktivitas lain tidak diverifikasi karena batas verifikasinya sudah lewat.",
    ]


# ---------------------------------------------------------------- API date range (finding 8)


def test_the_api_refuses_a_range_ending_before_it_starts(client, office, at):
    at("2026-10-09 17:00")
    make_entry(office, day=D(2026, 10, 5))
    _token, raw = services.api_token_issue(actor=office["p"]["ani"].user, name="HP")
    h = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    resp = client.get("/api/v1/activities/entries?date_from=2026-10-09&date_to=2026-10-01", **h)
    assert resp.status_code == 422
    assert resp.json()["errors"] == {"date_to": ["Tanggal akhir tidak boleh sebelum tanggal awal."]}
    ok = client.get("/api/v1/activities/entries?date_from=2026-10-05&date_to=2026-10-05", **h)
    assert ok.status_code == 200 and len(ok.json()) == 1


def test_the_bkpsdm_inbox_costs_the_same_whatever_it_holds(
    client, office, at, bkpsdm, django_assert_max_num_queries
):
    at("2026-10-09 17:00")
    make_entry(office, who="kepala", day=D(2026, 10, 1), submit=True)
    client.force_login(bkpsdm["officer"].user)
    client.get(reverse("activities:inbox"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("activities:inbox"))
    Assignment.objects.filter(employee=office["p"]["kepala"]).update(end=D(2026, 10, 4))
    for d in (5, 6, 7, 8):
        for h in (8, 10, 13):
            make_entry(
                office, who="kasubag", day=D(2026, 10, d), start=T(h), end=T(h + 1), submit=True
            )
    with django_assert_max_num_queries(len(one.captured_queries)):
        resp = client.get(reverse("activities:inbox"))
    assert resp.content.decode().count('data-testid="inbox-entry"') == 13
