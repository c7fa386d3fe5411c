"""Verification: only the direct superior on the entry's date; never one's own; cap on approval;
change after verification -> unverified; objection to the superior's superior; tim penilai."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ekinerja.activities import services
from ekinerja.activities.models import (
    ActivityEntry,
    ActivitySettings,
    EntryStatus,
    ObjectionStatus,
    ReviewOutcome,
)
from ekinerja.core.models import AuditEvent
from ekinerja.core.periods import Period
from ekinerja.org.models import Assignment
from tests.factories import AssignmentFactory, employee_with_login, grant

from .conftest import D, T, make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(at):
    at("2026-10-09 17:00")


def submitted(office, **kw):
    return make_entry(office, submit=True, **kw)


def test_direct_superior_approves_and_the_event_is_audited(office):
    e = submitted(office, day=D(2026, 10, 8))
    services.entry_verify(actor=office["p"]["kasubag"].user, entry=e, decision="approve")
    e.refresh_from_db()
    assert e.status == EntryStatus.APPROVED and e.credited_minutes == 60
    assert e.verified_by == office["p"]["kasubag"]
    assert AuditEvent.objects.filter(
        action="activities.entry.approve", object_id=str(e.pk)
    ).exists()


def test_nobody_verifies_own_entries(office):
    e = make_entry(office, who="kasubag", day=D(2026, 10, 8), submit=True)
    with pytest.raises(PermissionDenied, match="sendiri"):
        services.entry_verify(actor=office["p"]["kasubag"].user, entry=e, decision="approve")
    assert (
        services.entries_verify_bulk(
            actor=office["p"]["kasubag"].user, employee=office["p"]["kasubag"]
        ).count
        == 0
    )


def test_a_non_subordinate_cannot_verify(office):
    e = submitted(office, day=D(2026, 10, 8))
    for who in ("kepala", "budi"):
        with pytest.raises(PermissionDenied, match="bukan atasan langsung"):
            services.entry_verify(actor=office["p"][who].user, entry=e, decision="approve")
    assert (
        services.entries_verify_bulk(
            actor=office["p"]["kepala"].user, employee=office["p"]["ani"]
        ).count
        == 0
    )
    with pytest.raises(PermissionDenied):
        services.entries_verify_bulk(actor=office["p"]["kepala"].user, entry_ids=[e.pk])
    e.refresh_from_db()
    assert e.status == EntryStatus.SUBMITTED


def test_the_superior_on_the_entry_date_verifies_not_todays(office):
    """The kasubag left on 7 October; the kepala (next up, vacancy) verifies entries from 8 October,
    the former kasubag those up to 7 October."""
    Assignment.objects.filter(employee=office["p"]["kasubag"]).update(end=D(2026, 10, 7))
    early = submitted(office, day=D(2026, 10, 7))
    late = submitted(office, day=D(2026, 10, 8))
    kasubag, kepala = office["p"]["kasubag"].user, office["p"]["kepala"].user
    with pytest.raises(PermissionDenied):
        services.entry_verify(actor=kepala, entry=early, decision="approve")
    with pytest.raises(PermissionDenied):
        services.entry_verify(actor=kasubag, entry=late, decision="approve")
    services.entry_verify(actor=kasubag, entry=early, decision="approve")
    assert services.entries_verify_bulk(actor=kepala, employee=office["p"]["ani"]).count == 1
    late.refresh_from_db()
    assert late.status == EntryStatus.APPROVED and late.verified_by == office["p"]["kepala"]


def test_plt_verifies_during_the_vacancy(office):
    Assignment.objects.filter(employee=office["p"]["kasubag"]).update(end=D(2026, 10, 4))
    plt = employee_with_login(office["inst"], None, name="Plt Kasubag")
    AssignmentFactory(
        employee=plt, position=office["pos"]["kasubag"], kind="plt", start=D(2026, 10, 5)
    )
    e = submitted(office, day=D(2026, 10, 8))
    with pytest.raises(PermissionDenied):
        services.entry_verify(actor=office["p"]["kepala"].user, entry=e, decision="approve")
    services.entry_verify(actor=plt.user, entry=e, decision="approve")


def test_reject_and_return_need_a_reason(office):
    e = submitted(office, day=D(2026, 10, 8))
    boss = office["p"]["kasubag"].user
    for decision in ("reject", "return"):
        with pytest.raises(ValidationError) as err:
            services.entry_verify(actor=boss, entry=e, decision=decision)
        assert "Alasan wajib" in err.value.message_dict["reason"][0]
    services.entry_verify(actor=boss, entry=e, decision="return", reason="Lampirkan konsep surat")
    e.refresh_from_db()
    assert e.status == EntryStatus.RETURNED
    # The employee revises and resubmits.
    services.entry_update(
        actor=office["p"]["ani"].user, entry=e, description="Surat undangan rapat"
    )
    services.entry_submit(actor=office["p"]["ani"].user, entry=e)
    e.refresh_from_db()
    assert e.status == EntryStatus.SUBMITTED


def test_volume_cut_needs_a_reason_and_credits_the_approved_volume(office):
    e = submitted(office, day=D(2026, 10, 8), volume=2)
    boss = office["p"]["kasubag"].user
    with pytest.raises(ValidationError):
        services.entry_verify(actor=boss, entry=e, decision="approve", approved_volume=1)
    with pytest.raises(ValidationError):
        services.entry_verify(
            actor=boss, entry=e, decision="approve", approved_volume=3, reason="x"
        )
    services.entry_verify(
        actor=boss,
        entry=e,
        decision="approve",
        approved_volume=1,
        reason="Satu surat belum selesai",
    )
    e.refresh_from_db()
    assert e.credited_minutes == 30 and e.volume_cut


def test_daily_cap_is_enforced_on_verification(office):
    ActivitySettings.objects.create(instansi=office["inst"], daily_cap_minutes=150)
    a = submitted(office, day=D(2026, 10, 8), start=T(7), end=T(9), item="rapat", volume=1)
    b = submitted(office, day=D(2026, 10, 8), start=T(9), end=T(10), item="surat", volume=2)
    c = submitted(office, day=D(2026, 10, 8), start=T(10), end=T(11), item="surat", volume=1)
    n = services.entries_verify_bulk(
        actor=office["p"]["kasubag"].user,
        employee=office["p"]["ani"],
        start=D(2026, 10, 8),
        end=D(2026, 10, 8),
    )
    assert n.count == 3
    credited = [ActivityEntry.objects.get(pk=x.pk).credited_minutes for x in (a, b, c)]
    assert credited == [120, 30, 0]


def test_bulk_month_approval_only_touches_own_subordinate_in_range(office):
    a = submitted(office, day=D(2026, 10, 1))
    b = submitted(office, day=D(2026, 10, 8))
    other = submitted(office, who="budi", day=D(2026, 10, 8))
    sep = ActivityEntry.objects.filter(pk=a.pk)
    n = services.entries_verify_bulk(
        actor=office["p"]["kasubag"].user,
        employee=office["p"]["ani"],
        start=D(2026, 10, 1),
        end=D(2026, 10, 31),
    )
    assert n.count == 2 and n.late == 0
    assert sep.get().status == b.__class__.objects.get(pk=b.pk).status == EntryStatus.APPROVED
    other.refresh_from_db()
    assert other.status == EntryStatus.SUBMITTED
    assert AuditEvent.objects.filter(action="activities.entry.approve").count() == 2


def test_change_after_verification_goes_back_to_unverified(office):
    e = submitted(office, day=D(2026, 10, 8))
    services.entry_verify(actor=office["p"]["kasubag"].user, entry=e, decision="approve")
    services.entry_update(actor=office["p"]["ani"].user, entry=e, end_time=T(9, 30))
    e.refresh_from_db()
    assert e.status == EntryStatus.SUBMITTED
    assert e.verified_by is None and e.credited_minutes == 0 and e.approved_volume is None
    assert AuditEvent.objects.filter(
        action="activities.entry.unverified", object_id=str(e.pk)
    ).exists()
    # Saving without a change keeps the status.
    services.entry_verify(actor=office["p"]["kasubag"].user, entry=e, decision="approve")
    services.entry_update(actor=office["p"]["ani"].user, entry=e, end_time=T(9, 30))
    e.refresh_from_db()
    assert e.status == EntryStatus.APPROVED


def test_rejected_entries_are_not_editable(office):
    e = submitted(office, day=D(2026, 10, 8))
    services.entry_verify(
        actor=office["p"]["kasubag"].user, entry=e, decision="reject", reason="Fiktif"
    )
    with pytest.raises(ValidationError, match="keberatan"):
        services.entry_update(actor=office["p"]["ani"].user, entry=e, volume=1)


def test_objection_goes_to_the_superiors_superior_and_is_final(office):
    e = submitted(office, day=D(2026, 10, 8))
    services.entry_verify(
        actor=office["p"]["kasubag"].user, entry=e, decision="reject", reason="Tidak ada bukti"
    )
    obj = services.objection_file(
        actor=office["p"]["ani"].user, entry=e, reason="Bukti sudah saya kirim lewat surel"
    )
    assert obj.decider == office["p"]["kepala"] and obj.kind == "rejection"
    with pytest.raises(PermissionDenied):
        services.objection_decide(
            actor=office["p"]["kasubag"].user, objection=obj, grant=True, reason="ok"
        )
    services.objection_decide(
        actor=office["p"]["kepala"].user, objection=obj, grant=True, reason="Bukti ada"
    )
    e.refresh_from_db()
    obj.refresh_from_db()
    assert e.status == EntryStatus.APPROVED and e.credited_minutes == 60
    assert obj.status == ObjectionStatus.GRANTED
    with pytest.raises(ValidationError, match="final"):
        services.objection_decide(
            actor=office["p"]["kepala"].user, objection=obj, grant=False, reason="x"
        )
    with pytest.raises(ValidationError, match="sudah pernah"):
        services.objection_file(
            actor=office["p"]["ani"].user, entry=e, reason="Sekali lagi keberatan"
        )
    assert AuditEvent.objects.filter(action="activities.objection.grant").exists()


def test_objection_to_a_cut_and_its_deadline(office, at):
    e = submitted(office, day=D(2026, 10, 8), volume=2)
    services.entry_verify(
        actor=office["p"]["kasubag"].user,
        entry=e,
        decision="approve",
        approved_volume=1,
        reason="Kurang",
    )
    at("2026-10-15 08:00")  # 6 days after the verification; policy: 5
    with pytest.raises(ValidationError, match="sudah lewat"):
        services.objection_file(
            actor=office["p"]["ani"].user, entry=e, reason="Dua surat selesai semuanya"
        )
    at("2026-10-14 08:00")
    obj = services.objection_file(
        actor=office["p"]["ani"].user, entry=e, reason="Dua surat selesai semuanya"
    )
    assert obj.kind == "volume_cut"
    services.objection_decide(
        actor=office["p"]["kepala"].user, objection=obj, grant=False, reason="Satu belum"
    )
    e.refresh_from_db()
    assert e.credited_minutes == 30 and e.status == EntryStatus.APPROVED


def test_cannot_object_to_an_approval_without_cut(office):
    e = submitted(office, day=D(2026, 10, 8))
    services.entry_verify(actor=office["p"]["kasubag"].user, entry=e, decision="approve")
    with pytest.raises(ValidationError):
        services.objection_file(
            actor=office["p"]["ani"].user, entry=e, reason="Tidak ada alasan nyata"
        )


def test_tim_penilai_samples_and_overturns_with_reason(office):
    entries = [submitted(office, day=D(2026, 10, d)) for d in (1, 2, 5, 6, 7, 8)]
    services.entries_verify_bulk(actor=office["p"]["kasubag"].user, employee=office["p"]["ani"])
    reviewer = employee_with_login(office["inst"], None, name="Penilai").user
    with pytest.raises(PermissionDenied):
        services.review_sample_draw(actor=reviewer, period=Period(2026, 10))
    grant(reviewer, "tim_penilai")
    reviewer = type(reviewer).objects.get(pk=reviewer.pk)  # roles are cached per user object
    sample = services.review_sample_draw(actor=reviewer, period=Period(2026, 10), size=4, seed=1)
    items = list(sample.items.all())
    assert len(items) == 4 and {i.entry_id for i in items} <= {e.pk for e in entries}
    # Drawing again returns the same sample.
    assert (
        services.review_sample_draw(actor=reviewer, period=Period(2026, 10), size=4).pk == sample.pk
    )
    with pytest.raises(ValidationError):
        services.review_decide(actor=reviewer, item=items[0], outcome="overturned")
    services.review_decide(
        actor=reviewer, item=items[0], outcome="overturned", reason="Kegiatan tidak dilaksanakan"
    )
    e = ActivityEntry.objects.get(pk=items[0].entry_id)
    assert e.status == EntryStatus.REJECTED and e.credited_minutes == 0
    assert "tidak dilaksanakan" in e.reason
    services.review_decide(
        actor=reviewer, item=items[1], outcome="flagged", reason="Uraian kurang jelas"
    )
    assert items[1].__class__.objects.get(pk=items[1].pk).outcome == ReviewOutcome.FLAGGED
    assert AuditEvent.objects.filter(action="activities.review.overturned").exists()


def test_kominfo_cannot_approve_an_unlock(office):
    ani = office["p"]["ani"]
    unlock = services.unlock_request_create(
        actor=ani.user,
        employee=ani,
        date_from=D(2026, 9, 1),
        date_to=D(2026, 9, 2),
        reason="Tugas luar daerah tanpa sinyal",
    )
    tech = employee_with_login(office["inst"], None, name="Admin teknis").user
    grant(tech, "kominfo")
    tech = type(tech).objects.get(pk=tech.pk)
    tech.is_staff = tech.is_superuser = True
    tech.save()
    with pytest.raises(PermissionDenied):
        services.unlock_request_decide(
            actor=tech, unlock=unlock, approve=True, deadline=D(2026, 10, 12)
        )
    unlock.refresh_from_db()
    assert unlock.status == "pending"
    assert AuditEvent.objects.filter(action="activities.unlock.request").exists()


def test_admin_opd_requests_on_behalf_bkpsdm_rejects_with_reason(office):
    ani = office["p"]["ani"]
    adm = employee_with_login(office["inst"], None, name="Admin OPD").user
    with pytest.raises(PermissionDenied):
        services.unlock_request_create(
            actor=adm,
            employee=ani,
            date_from=D(2026, 9, 1),
            date_to=D(2026, 9, 1),
            reason="Atas nama pegawai",
        )
    grant(adm, "admin_opd", office["unit"])
    adm = type(adm).objects.get(pk=adm.pk)
    unlock = services.unlock_request_create(
        actor=adm,
        employee=ani,
        date_from=D(2026, 9, 1),
        date_to=D(2026, 9, 1),
        reason="Atas nama pegawai",
    )
    bk = employee_with_login(office["inst"], None, name="BKPSDM").user
    grant(bk, "bkpsdm")
    with pytest.raises(ValidationError):
        services.unlock_request_decide(actor=bk, unlock=unlock, approve=False)
    services.unlock_request_decide(actor=bk, unlock=unlock, approve=False, reason="Tidak ada bukti")
    assert AuditEvent.objects.filter(action="activities.unlock.reject").exists()
