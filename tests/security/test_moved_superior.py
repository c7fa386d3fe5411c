"""A leave or correction is decided by the employee's direct superior on the day it is about or
today, not by whoever it was addressed to at submission: a superior who has moved post no longer
decides (or sees) it, and the new superior can, so nothing is left stranded."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ekinerja.attendance import services
from ekinerja.attendance.models import CorrectionRequest, LeaveRequest, LeaveType
from ekinerja.org.models import Assignment
from tests.factories import AssignmentFactory, PositionFactory, employee_with_login
from tests.tpp.data import make_pemda

pytestmark = pytest.mark.django_db
WITA = zoneinfo.ZoneInfo("Asia/Makassar")
PDF = b"%PDF-1.4 surat keterangan"


def _moved(pemda, on: dt.date, *, successor: bool = True):
    """kadis_b leaves the post (to a post elsewhere) on the day before `on`; a new head takes it
    (unless successor=False: the post stays vacant, with no post above it)."""
    old_boss = pemda.people["kadis_b"]
    Assignment.objects.filter(employee=old_boss).update(end=on - dt.timedelta(days=1))
    AssignmentFactory(
        position=PositionFactory(unit=pemda.opd_a, code="ELSE", name="Staf ahli", kelas=12),
        employee=old_boss,
        start=on,
    )
    if not successor:
        return old_boss, None
    new_boss = employee_with_login(pemda.inst, None, name="Kepala Dinas B baru")
    AssignmentFactory(position=pemda.pos["kadis_b"], employee=new_boss, start=on)
    return old_boss, new_boss


def _leave(pemda):
    staf = pemda.people["staf"]
    services.leave_types_ensure(pemda.inst)
    return services.leave_request_submit(
        actor=staf.user,
        employee=staf,
        leave_type=LeaveType.objects.get(instansi=pemda.inst, code="izin"),
        date_from=dt.date(2026, 11, 23),
        date_to=dt.date(2026, 11, 24),
        reason="Urusan keluarga",
    )


def _inbox(client, boss) -> str:
    client.force_login(getattr(boss, "user", boss))
    return client.get("/kehadiran/persetujuan/").content.decode()


def test_a_moved_superior_no_longer_decides_a_future_leave_and_the_new_one_does(client, at):
    pemda = make_pemda()
    at("2026-11-10 09:00")
    req = _leave(pemda)
    assert req.approver == pemda.people["kadis_b"]
    old_boss, new_boss = _moved(pemda, dt.date(2026, 11, 13))
    at("2026-11-16 09:00")
    assert "Urusan keluarga" not in _inbox(client, old_boss)
    with pytest.raises(ValidationError, match="atasan langsung"):
        services.leave_request_decide(actor=old_boss.user, request=req, approve=True)
    assert "Urusan keluarga" in _inbox(client, new_boss)
    services.leave_request_decide(actor=new_boss.user, request=req, approve=True)
    req.refresh_from_db()
    assert req.status == LeaveRequest.Status.APPROVED and req.decided_by == new_boss.user


def test_a_correction_is_decided_by_the_superior_of_that_day_or_of_today(client, at):
    pemda = make_pemda()
    at("2026-11-10 09:00")
    staf = pemda.people["staf"]
    req = services.correction_submit(
        actor=staf.user,
        employee=staf,
        at=dt.datetime(2026, 11, 5, 7, 28, tzinfo=WITA),
        reason="Mesin sidik jari rusak",
    )
    assert req.approver == pemda.people["kadis_b"]
    old_boss, new_boss = _moved(pemda, dt.date(2026, 11, 13))
    at("2026-11-16 09:00")
    # The head of 5 November knew who was there that day and still sees it; so does today's head.
    assert "Mesin sidik jari rusak" in _inbox(client, old_boss)
    assert "Mesin sidik jari rusak" in _inbox(client, new_boss)
    # Someone who was never the superior does not.
    stranger = pemda.people["kadis"]
    assert "Mesin sidik jari rusak" not in _inbox(client, stranger)
    with pytest.raises(ValidationError, match="atasan langsung"):
        services.correction_decide(actor=stranger.user, correction=req, approve=True)
    services.correction_decide(actor=new_boss.user, correction=req, approve=True)
    req.refresh_from_db()
    assert req.status == CorrectionRequest.Status.APPROVED and req.punch is not None


def test_a_head_recorded_in_advance_decides_once_in_post_and_the_inbox_agrees(client, at):
    pemda = make_pemda()
    at("2026-11-10 09:00")
    req = _leave(pemda)  # for 23-24 November, addressed to kadis_b
    old_boss, new_boss = _moved(pemda, dt.date(2026, 11, 19))  # recorded ahead of the 19th
    at("2026-11-16 09:00")
    # Not in post yet: neither listed nor allowed; the head of today is both.
    assert "Urusan keluarga" not in _inbox(client, new_boss)
    with pytest.raises(ValidationError, match="atasan langsung"):
        services.leave_request_decide(actor=new_boss.user, request=req, approve=True)
    assert "Urusan keluarga" in _inbox(client, old_boss)
    at("2026-11-19 09:00")
    assert "Urusan keluarga" not in _inbox(client, old_boss)
    assert "Urusan keluarga" in _inbox(client, new_boss)
    services.leave_request_decide(actor=new_boss.user, request=req, approve=True)
    req.refresh_from_db()
    assert req.status == LeaveRequest.Status.APPROVED


def test_bkpsdm_decides_when_nobody_is_the_superior_any_more(client, at):
    pemda = make_pemda()
    at("2026-11-10 09:00")
    req = _leave(pemda)
    old_boss, _ = _moved(pemda, dt.date(2026, 11, 13), successor=False)  # the post stays vacant
    at("2026-11-16 09:00")
    with pytest.raises(ValidationError, match="atasan langsung"):
        services.leave_request_decide(actor=old_boss.user, request=req, approve=True)
    # Nobody above: BKPSDM stands in, and its inbox lists the request.
    assert "Urusan keluarga" in _inbox(client, pemda.bkpsdm1)
    services.leave_request_decide(actor=pemda.bkpsdm1, request=req, approve=True)
    req.refresh_from_db()
    assert req.status == LeaveRequest.Status.APPROVED and req.decided_by == pemda.bkpsdm1


@pytest.mark.django_db(transaction=True)
def test_deciding_runs_in_its_own_transaction(at):
    """As from a view (no request-wide transaction): the decision locks the request row in its own
    transaction (on PostgreSQL, select_for_update outside one is an error)."""
    pemda = make_pemda()
    at("2026-11-10 09:00")
    req = _leave(pemda)
    services.leave_request_decide(actor=pemda.people["kadis_b"].user, request=req, approve=True)
    req.refresh_from_db()
    assert req.status == LeaveRequest.Status.APPROVED


def test_a_leave_asked_with_nobody_above_waits_for_bkpsdm_not_refused(client, at):
    """The top of the tree, or every post above vacant, at submission: the leave is accepted with no
    approver and BKPSDM (never the officer for their own) decides it, as docs/attendance.md says."""
    pemda = make_pemda()
    at("2026-11-10 09:00")
    _moved(pemda, dt.date(2026, 11, 9), successor=False)  # already vacant when staf asks
    req = _leave(pemda)
    assert req.status == LeaveRequest.Status.SUBMITTED and req.approver is None
    assert "Urusan keluarga" in _inbox(client, pemda.bkpsdm1)
    services.leave_request_decide(actor=pemda.bkpsdm1, request=req, approve=True)
    req.refresh_from_db()
    assert req.status == LeaveRequest.Status.APPROVED and req.decided_by == pemda.bkpsdm1


def test_a_leave_bkpsdm_approves_anyway_goes_straight_to_its_step_with_nobody_above(at):
    pemda = make_pemda()
    at("2026-11-10 09:00")
    _moved(pemda, dt.date(2026, 11, 9), successor=False)
    staf = pemda.people["staf"]
    services.leave_types_ensure(pemda.inst)
    req = services.leave_request_submit(
        actor=staf.user,
        employee=staf,
        leave_type=LeaveType.objects.get(instansi=pemda.inst, code="cuti_besar"),
        date_from=dt.date(2026, 11, 23),
        date_to=dt.date(2026, 11, 23),
        reason="Keperluan",
        attachment=SimpleUploadedFile("surat.pdf", PDF, content_type="application/pdf"),
    )
    assert req.status == LeaveRequest.Status.AWAITING_BKPSDM and req.approver is None


def test_a_correction_asked_with_nobody_above_is_decided_by_an_officer_without_a_record(client, at):
    """No superior on the corrected day nor today: accepted, listed for BKPSDM, and approved by a
    BKPSDM login that has no employee record (it used to fail on the officer's missing name)."""
    pemda = make_pemda()
    at("2026-11-10 09:00")
    _moved(pemda, dt.date(2026, 11, 2), successor=False)
    staf = pemda.people["staf"]
    req = services.correction_submit(
        actor=staf.user,
        employee=staf,
        at=dt.datetime(2026, 11, 5, 7, 28, tzinfo=WITA),
        reason="Mesin sidik jari rusak",
    )
    assert req.approver is None
    assert "Mesin sidik jari rusak" in _inbox(client, pemda.bkpsdm1)
    services.correction_decide(actor=pemda.bkpsdm1, correction=req, approve=True)
    req.refresh_from_db()
    assert req.status == CorrectionRequest.Status.APPROVED
    assert "disetujui bkpsdm1" in req.punch.reason
