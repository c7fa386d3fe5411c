"""S11 (H4): a leave or correction request still waiting at the superior's step when the superior
it was addressed to (its `approver`) leaves the service. Ani (staf, under Kasubag Sari, under the
Kepala Dinas) files an izin for 16-17 November and a correction for Friday 30 October on Monday 2
November; both are addressed to Sari. Sari retires: on 5 November BKPSDM records the end of her post
(the 4th) and makes her inactive (org.services, which also turns her login off). On Monday 9
November nobody has decided yet.

The rule (docs/architecture.md, "A leaver in the hierarchy"; docs/attendance.md, "Who decides at the
superior's step"): a leaver is never anyone's superior, so her requests go to the next holder up,
and, with nobody above at all, to BKPSDM. The stored approver stays Sari's (nothing is rewritten):
no page or message shows an approver's name, the employee reads the neutral "Menunggu atasan"."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from ekinerja.attendance import selectors, services
from ekinerja.attendance.models import CorrectionRequest, LeaveRequest, LeaveType
from ekinerja.org import services as org_services
from ekinerja.org.models import Assignment, Employee
from tests.factories import employee_with_login

pytestmark = pytest.mark.django_db

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
D = dt.date
FILED = dt.datetime(2026, 11, 2, 10, tzinfo=WITA)  # Monday 2 November, 10:00 WITA
RECORDED = dt.datetime(2026, 11, 5, 9, tzinfo=WITA)  # BKPSDM records the retirement
NOW = dt.datetime(2026, 11, 9, 10, tzinfo=WITA)  # Monday 9 November: still undecided
LAST_DAY = D(2026, 11, 4)
INBOX = "/kehadiran/persetujuan/"


@pytest.fixture
def office(kasubag_office):
    """The Dinas Kesehatan of tests/attendance/conftest.py (kasubag_office)."""
    return kasubag_office


def _retire(who: Employee, actor) -> Employee:
    """BKPSDM records the post's last day and makes the employee inactive, through org.services
    (the login goes off with it, logins_deactivate)."""
    for a in Assignment.objects.filter(employee=who):
        a.end = LAST_DAY
        org_services.assignment_save(actor=actor, assignment=a)
    who.refresh_from_db()
    who.is_active = False
    org_services.employee_save(actor=actor, employee=who)
    who.refresh_from_db()
    who.user.refresh_from_db()
    return who


@pytest.fixture
def waiting(office):
    """Ani's izin and correction, addressed to Sari, then Sari's retirement recorded."""
    ani = office["ani"]
    with time_machine.travel(FILED, tick=False):
        leave = services.leave_request_submit(
            actor=ani.user,
            employee=ani,
            leave_type=LeaveType.objects.get(instansi=office["inst"], code="izin"),
            date_from=D(2026, 11, 16),
            date_to=D(2026, 11, 17),
            reason="Acara keluarga",
        )
        correction = services.correction_submit(
            actor=ani.user,
            employee=ani,
            at=dt.datetime(2026, 10, 30, 7, 25, tzinfo=WITA),
            reason="Mesin absen mati",
        )
    assert leave.approver_id == office["sari"].pk == correction.approver_id
    with time_machine.travel(RECORDED, tick=False):
        _retire(office["sari"], office["bkpsdm"])
    return leave, correction


@pytest.fixture(autouse=True)
def _clock(request):
    # The fixtures above travel on their own; the tests run on Monday 9 November.
    with time_machine.travel(NOW, tick=False):
        yield


def _decide_urls(leave, correction):
    return (
        reverse("attendance:leave-decide", args=[leave.pk]),
        reverse("attendance:correction-decide", args=[correction.pk]),
    )


def test_the_next_holder_up_lists_and_decides_both(office, waiting, client):
    """Already works (no change needed): the Kepala Dinas, Ani's direct superior today with Sari
    gone, finds both requests in the inbox and approves them; the manual punch names him."""
    leave, correction = waiting
    client.force_login(office["kepala"].user)
    page = client.get(INBOX).content.decode()
    assert 'data-testid="nav-persetujuan"' in page  # the menu leads him there
    leave_url, correction_url = _decide_urls(leave, correction)
    assert leave_url in page and correction_url in page
    assert client.post(leave_url, {"decision": "approve"}).status_code == 302
    assert client.post(correction_url, {"decision": "approve"}).status_code == 302
    leave.refresh_from_db()
    correction.refresh_from_db()
    assert leave.status == LeaveRequest.Status.APPROVED
    assert correction.status == CorrectionRequest.Status.APPROVED
    assert leave.decided_by_id == correction.decided_by_id == office["kepala"].user_id
    assert "disetujui Kepala Dinas Uji" in correction.punch.reason
    # The stored approver is left as it was (the request's history): Sari.
    assert leave.approver_id == office["sari"].pk


def test_the_departed_superior_is_signed_out_and_decides_nothing(office, waiting, client):
    """Already works: Sari's login went off with her record (logins_deactivate), so her session is
    refused; and the services refuse her even when called for her account."""
    leave, correction = waiting
    sari = office["sari"]
    assert not sari.user.is_active
    client.force_login(sari.user)
    assert client.get(INBOX).status_code == 302  # to the login page: an inactive account has none
    with pytest.raises(ValidationError, match="Hanya atasan langsung"):
        services.leave_request_decide(actor=sari.user, request=leave, approve=True)
    with pytest.raises(ValidationError, match="Hanya atasan langsung"):
        services.correction_decide(actor=sari.user, correction=correction, approve=True)
    assert LeaveRequest.objects.get(pk=leave.pk).status == LeaveRequest.Status.SUBMITTED


def test_a_departed_superior_whose_login_was_kept_sees_and_decides_nothing(office, waiting, client):
    """Already works: a login that stayed on (logins_deactivate leaves a superuser's alone) is the
    inactive record's: the requests addressed to Sari are not hers to decide (not in her inbox,
    not in her menu, not her attachment to open, refused by the services), though she was Ani's
    superior on 30 October: a leaver is nobody's superior, not even on the days she held the post."""
    leave, correction = waiting
    sari = office["sari"]
    sari.user.is_active = True
    sari.user.save(update_fields=["is_active"])
    assert not selectors.may_decide_as_superior(sari, leave)
    assert not selectors.may_decide_as_superior(sari, correction)
    assert not selectors.addressed_and_decidable(sari)
    assert not selectors.request_visible_to(sari.user, correction)
    client.force_login(sari.user)
    page = client.get(INBOX).content.decode()
    for url in _decide_urls(leave, correction):
        assert url not in page
    assert "Tidak ada permohonan menunggu." in page and "Tidak ada koreksi menunggu." in page
    refused = client.post(_decide_urls(leave, correction)[0], {"decision": "approve"}, follow=True)
    assert "Hanya atasan langsung yang dapat memutuskan permohonan ini." in refused.content.decode()
    assert LeaveRequest.objects.get(pk=leave.pk).status == LeaveRequest.Status.SUBMITTED
    with pytest.raises(ValidationError, match="Hanya atasan langsung"):
        services.correction_decide(actor=sari.user, correction=correction, approve=True)


def test_a_plt_named_to_her_post_decides_them(office, waiting, client):
    """Already works: BKPSDM names a Plt to Sari's post from 5 November; the Plt, Ani's direct
    superior today, lists and decides both (the Kepala Dinas no longer does)."""
    leave, correction = waiting
    plt = employee_with_login(office["inst"], None, name="Plt Kasubag")
    kasubag = Assignment.objects.get(employee=office["sari"]).position
    with time_machine.travel(RECORDED, tick=False):
        org_services.assignment_save(
            actor=office["bkpsdm"],
            assignment=Assignment(
                instansi=office["inst"],
                employee=plt,
                position=kasubag,
                kind=Assignment.Kind.PLT,
                start=D(2026, 11, 5),
            ),
        )
    assert not selectors.may_decide_as_superior(office["kepala"], leave)
    client.force_login(plt.user)
    page = client.get(INBOX).content.decode()
    leave_url, correction_url = _decide_urls(leave, correction)
    assert leave_url in page and correction_url in page
    client.post(leave_url, {"decision": "approve"})
    client.post(correction_url, {"decision": "approve"})
    assert LeaveRequest.objects.get(pk=leave.pk).decided_by_id == plt.user_id
    assert CorrectionRequest.objects.get(pk=correction.pk).decided_by_id == plt.user_id


def test_bkpsdm_decides_when_nobody_is_above_any_more(office, waiting, client):
    """Already works: the Kepala Dinas retires too, so Ani has no superior at all today; BKPSDM
    finds both requests in its inbox (selectors.without_superior) and decides them."""
    leave, correction = waiting
    with time_machine.travel(RECORDED, tick=False):
        _retire(office["kepala"], office["bkpsdm"])
    assert selectors.without_superior(office["inst"], [leave, correction]) == [leave, correction]
    client.force_login(office["bkpsdm"])
    page = client.get(INBOX).content.decode()
    leave_url, correction_url = _decide_urls(leave, correction)
    assert leave_url in page and correction_url in page
    client.post(leave_url, {"decision": "approve"})
    client.post(correction_url, {"decision": "reject", "note": "Tidak ada bukti"})
    assert LeaveRequest.objects.get(pk=leave.pk).status == LeaveRequest.Status.APPROVED
    assert CorrectionRequest.objects.get(pk=correction.pk).status == "rejected"


def test_the_employee_never_reads_the_departed_name(office, waiting, client):
    """Already works: Ani's leave and correction pages say "Menunggu atasan", naming nobody, so not
    the superior who has left (no page, message or notification names a request's approver; the
    application sends no notification at submission either)."""
    client.force_login(office["ani"].user)
    for url in (reverse("attendance:leave"), reverse("attendance:corrections")):
        page = client.get(url).content.decode()
        assert "Menunggu atasan" in page
        assert "Kasubag Sari" not in page and "Sari" not in page
