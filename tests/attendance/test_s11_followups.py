"""S11 (H5) follow-ups of the departed-superior and board work.

A Dinas Kesehatan in WITA: the Kepala Dinas (top of the tree), Kasubag Sari under him, Ani (staf)
under Sari; BKPSDM has its own account. The tests run on Monday 9 November 2026.

- The employee's leave and correction pages: a request at the superior's step of an employee with no
  direct superior today (the top of the tree, or every post above vacant) is decided by BKPSDM
  (selectors.without_superior), so it reads "Menunggu BKPSDM (tidak ada atasan langsung)", not
  "Menunggu atasan"; the ordinary case keeps "Menunggu atasan". Asked once for the whole list.
- "The one who decided" (selectors.may_revoke_leave, request_visible_to) acts only while still
  serving: Sari approves Ani's izin and correction, then retires (inactive; her login kept, as a
  superuser's is). She can neither revoke the leave nor open the attachments; BKPSDM still can; an
  official who decided and is still serving (moved to another post) still can.
- The unit's board and recap share one queryset (selectors.unit_recap_queryset)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.attendance import selectors, services, views
from ekinerja.attendance.models import LeaveRequest, LeaveType
from ekinerja.org import services as org_services
from ekinerja.org.models import Assignment, Employee, Position
from tests.factories import (
    AssignmentFactory,
    PositionFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
D = dt.date
FILED = dt.datetime(2026, 11, 2, 10, tzinfo=WITA)  # Monday 2 November, 10:00 WITA
RECORDED = dt.datetime(2026, 11, 5, 9, tzinfo=WITA)  # BKPSDM records a retirement or a move
NOW = dt.datetime(2026, 11, 9, 10, tzinfo=WITA)  # Monday 9 November
LAST_DAY = D(2026, 11, 4)
TO_BKPSDM = "Menunggu BKPSDM (tidak ada atasan langsung)"
TO_SUPERIOR = "Menunggu atasan"
PDF = b"%PDF-1.4 surat undangan"


@pytest.fixture
def office(kasubag_office):
    """The Dinas Kesehatan of tests/attendance/conftest.py (kasubag_office)."""
    return kasubag_office


@pytest.fixture(autouse=True)
def _clock():
    # The fixtures and helpers travel on their own; the tests run on Monday 9 November.
    with time_machine.travel(NOW, tick=False):
        yield


def _izin(who: Employee, first: dt.date, last: dt.date, *, attachment: bool = False):
    with time_machine.travel(FILED, tick=False):
        return services.leave_request_submit(
            actor=who.user,
            employee=who,
            leave_type=LeaveType.objects.get(instansi=who.instansi, code="izin"),
            date_from=first,
            date_to=last,
            reason="Acara keluarga",
            attachment=SimpleUploadedFile("undangan.pdf", PDF, content_type="application/pdf")
            if attachment
            else None,
        )


def _correction(who: Employee, *, attachment: bool = False):
    with time_machine.travel(FILED, tick=False):
        return services.correction_submit(
            actor=who.user,
            employee=who,
            at=dt.datetime(2026, 10, 30, 7, 25, tzinfo=WITA),
            reason="Mesin absen mati",
            attachment=SimpleUploadedFile("foto.pdf", PDF, content_type="application/pdf")
            if attachment
            else None,
        )


def _retire(who: Employee, actor) -> None:
    """BKPSDM records the post's last day and makes the employee inactive (org.services, which
    turns the login off unless it is a superuser's)."""
    with time_machine.travel(RECORDED, tick=False):
        for a in Assignment.objects.filter(employee=who):
            a.end = LAST_DAY
            org_services.assignment_save(actor=actor, assignment=a)
        who.refresh_from_db()
        who.is_active = False
        org_services.employee_save(actor=actor, employee=who)


def _status_cell(page: str, marker: str) -> str:
    return page.split(marker, 1)[1].split("</tr>", 1)[0]


def _fresh_user(employee: Employee):
    """The account as a new request reads it (nothing cached on the object from before)."""
    return get_user_model().objects.get(pk=employee.user_id)


# ---------------------------------------------------------------- "Menunggu BKPSDM" for the top


def test_the_top_of_the_tree_reads_that_bkpsdm_decides(office, client):
    """The Kepala Dinas has no superior: his izin and correction wait at the superior's step, which
    BKPSDM takes; his pages said "Menunggu atasan" (nobody's), now they say BKPSDM decides."""
    kepala = office["kepala"]
    leave = _izin(kepala, D(2026, 11, 16), D(2026, 11, 17))
    _correction(kepala)
    assert leave.status == LeaveRequest.Status.SUBMITTED
    client.force_login(kepala.user)
    page = client.get(reverse("attendance:leave")).content.decode()
    assert TO_BKPSDM in _status_cell(page, f'data-testid="leave-row-{leave.pk}"')
    assert TO_SUPERIOR not in page
    page = client.get(reverse("attendance:corrections")).content.decode()
    assert TO_BKPSDM in page and TO_SUPERIOR not in page


def test_the_ordinary_case_keeps_menunggu_atasan(office, client):
    """Ani has Sari above her: her requests still read "Menunggu atasan"."""
    ani = office["ani"]
    leave = _izin(ani, D(2026, 11, 16), D(2026, 11, 17))
    _correction(ani)
    client.force_login(ani.user)
    page = client.get(reverse("attendance:leave")).content.decode()
    assert TO_SUPERIOR in _status_cell(page, f'data-testid="leave-row-{leave.pk}"')
    assert TO_BKPSDM not in page
    page = client.get(reverse("attendance:corrections")).content.decode()
    assert TO_SUPERIOR in page and TO_BKPSDM not in page


def test_every_post_above_vacant_reads_that_bkpsdm_decides(office, client):
    """Sari filed while the Kepala Dinas served; he has retired since (his post vacant), so today
    nobody is above her and BKPSDM decides: her pages say so. Ani, with Sari above, is unchanged."""
    sari = office["sari"]
    leave = _izin(sari, D(2026, 11, 16), D(2026, 11, 17))
    _correction(sari)
    _retire(office["kepala"], office["bkpsdm"])
    # The inbox's rule (the whole hierarchy) and the page's (climbed from her post) agree.
    assert selectors.without_superior(office["inst"], [leave]) == [leave]
    assert selectors.has_no_superior_today(Employee.objects.get(pk=sari.pk))
    assert not selectors.has_no_superior_today(office["ani"])
    client.force_login(sari.user)
    page = client.get(reverse("attendance:leave")).content.decode()
    assert TO_BKPSDM in _status_cell(page, f'data-testid="leave-row-{leave.pk}"')
    page = client.get(reverse("attendance:corrections")).content.decode()
    assert TO_BKPSDM in page and TO_SUPERIOR not in page
    ani = office["ani"]
    _izin(ani, D(2026, 11, 16), D(2026, 11, 17))
    client.force_login(ani.user)
    page = client.get(reverse("attendance:leave")).content.decode()
    assert TO_SUPERIOR in page and TO_BKPSDM not in page


def test_a_decided_request_of_the_top_keeps_its_status(office, client):
    """Only a request at the superior's step is BKPSDM's: an approved one reads "Disetujui"."""
    kepala = office["kepala"]
    leave = _izin(kepala, D(2026, 11, 16), D(2026, 11, 17))
    services.leave_request_decide(actor=office["bkpsdm"], request=leave, approve=True)
    client.force_login(kepala.user)
    page = client.get(reverse("attendance:leave")).content.decode()
    cell = _status_cell(page, f'data-testid="leave-row-{leave.pk}"')
    assert "Disetujui" in cell and TO_BKPSDM not in cell


def test_asked_once_for_the_whole_list(office, client):
    """The leave page of the Kepala Dinas costs the same with one pending request as with three
    (whether anyone is above him today is asked once, not per request)."""
    kepala = office["kepala"]
    client.force_login(kepala.user)
    _izin(kepala, D(2026, 11, 16), D(2026, 11, 17))
    client.get(reverse("attendance:leave"))  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        page = client.get(reverse("attendance:leave")).content.decode()
    assert page.count(TO_BKPSDM) == 1
    _izin(kepala, D(2026, 11, 23), D(2026, 11, 23))
    _izin(kepala, D(2026, 11, 30), D(2026, 11, 30))
    with CaptureQueriesContext(connection) as three:
        page = client.get(reverse("attendance:leave")).content.decode()
    assert page.count(TO_BKPSDM) == 3
    assert len(three.captured_queries) == len(one.captured_queries)


# ---------------------------------------------------------------- a departed decider


@pytest.fixture
def decided(office):
    """Sari approves Ani's izin of 16-17 November and her correction of 30 October on 2 November,
    both with an attachment."""
    ani, sari = office["ani"], office["sari"]
    leave = _izin(ani, D(2026, 11, 16), D(2026, 11, 17), attachment=True)
    correction = _correction(ani, attachment=True)
    with time_machine.travel(FILED, tick=False):
        leave = services.leave_request_decide(actor=sari.user, request=leave, approve=True)
        correction = services.correction_decide(
            actor=sari.user, correction=correction, approve=True
        )
    assert leave.status == LeaveRequest.Status.APPROVED and correction.status == "approved"
    assert leave.decided_by_id == sari.user_id == correction.decided_by_id
    return leave, correction


def _attachment_urls(leave, correction):
    return (
        reverse("attendance:attachment", args=["cuti", leave.pk]),
        reverse("attendance:attachment", args=["koreksi", correction.pk]),
    )


def test_a_departed_decider_with_a_kept_login_can_neither_revoke_nor_open_the_attachment(
    office, decided, client
):
    """Sari's login is a superuser's, so it stays on when she retires: as "the one who decided"
    she could still withdraw Ani's approved leave and open both attachments; she no longer can."""
    leave, correction = decided
    sari = office["sari"]
    get_user_model().objects.filter(pk=sari.user_id).update(is_superuser=True)
    _retire(sari, office["bkpsdm"])
    user = _fresh_user(sari)
    assert user.is_active  # the kept login
    assert not Employee.objects.get(pk=sari.pk).is_active
    assert not selectors.may_revoke_leave(user, leave)
    assert not selectors.request_visible_to(user, leave)
    assert not selectors.request_visible_to(_fresh_user(sari), correction)
    client.force_login(user)
    for url in _attachment_urls(leave, correction):
        assert client.get(url).status_code == 404
    with pytest.raises(ValidationError, match="hanya dapat dibatalkan oleh pemohon"):
        services.leave_request_cancel(
            actor=_fresh_user(sari), request=leave, reason="Kebutuhan dinas"
        )
    assert LeaveRequest.objects.get(pk=leave.pk).status == LeaveRequest.Status.APPROVED
    # BKPSDM still may, both.
    bkpsdm = office["bkpsdm"]
    assert selectors.request_visible_to(bkpsdm, leave)
    client.force_login(bkpsdm)
    for url in _attachment_urls(leave, correction):
        resp = client.get(url)
        assert resp.status_code == 200 and b"".join(resp.streaming_content) == PDF
    assert selectors.may_revoke_leave(bkpsdm, leave)
    services.leave_request_cancel(actor=bkpsdm, request=leave, reason="Kebutuhan dinas")
    assert LeaveRequest.objects.get(pk=leave.pk).status == LeaveRequest.Status.CANCELLED


def test_an_active_decider_who_moved_post_still_can(office, decided, client):
    """Sari moves to another unit on 5 November (still serving, no longer Ani's superior): as the
    one who decided she still opens both attachments and may withdraw the leave."""
    leave, correction = decided
    sari = office["sari"]
    other = PositionFactory(
        unit=UnitFactory(instansi=office["inst"], name="Dinas Sosial"),
        kind=Position.Kind.STRUKTURAL,
        kelas=9,
    )
    with time_machine.travel(RECORDED, tick=False):
        for a in Assignment.objects.filter(employee=sari):
            a.end = LAST_DAY
            org_services.assignment_save(actor=office["bkpsdm"], assignment=a)
        AssignmentFactory(position=other, employee=sari, start=D(2026, 11, 5))
    user = _fresh_user(sari)
    assert not selectors.may_decide_as_superior(Employee.objects.get(pk=sari.pk), leave)
    assert selectors.may_revoke_leave(user, leave)
    assert selectors.request_visible_to(user, leave)
    assert selectors.request_visible_to(user, correction)
    client.force_login(user)
    for url in _attachment_urls(leave, correction):
        assert client.get(url).status_code == 200
    services.leave_request_cancel(actor=_fresh_user(sari), request=leave, reason="Kebutuhan dinas")
    assert LeaveRequest.objects.get(pk=leave.pk).status == LeaveRequest.Status.CANCELLED


# ---------------------------------------------------------------- one queryset for board and recap


def test_the_board_and_the_recap_read_one_queryset(office, monkeypatch):
    """The board's rows are selectors.unit_recap_queryset's, as unit_recap_employees's are (one
    rule, written once): by name then id, a leaver included up to the post's end."""
    _retire(office["sari"], office["bkpsdm"])
    day = D(2026, 11, 3)  # Sari still held her post
    people = [office["ani"].pk, office["sari"].pk, office["kepala"].pk]  # by name
    assert (
        list(selectors.unit_recap_queryset(office["unit"], day, day).values_list("id", flat=True))
        == people
    )
    assert selectors.unit_recap_employees(office["unit"], day, day, ids_only=True) == people
    assert [e.pk for e in views._board_employees(office["unit"], day)] == people
    asked = []
    real = selectors.unit_recap_queryset

    def spy(unit, start, end):
        asked.append((start, end))
        return real(unit, start, end)

    monkeypatch.setattr(selectors, "unit_recap_queryset", spy)
    board = views._board_employees(office["unit"], D(2026, 11, 9))
    assert [e.pk for e in board] == [office["ani"].pk, office["kepala"].pk]
    assert asked == [(D(2026, 11, 9), D(2026, 11, 9))]
    assert selectors.unit_recap_employees(office["unit"], day, day, ids_only=True) == people
    assert len(asked) == 2


def test_the_month_page_reads_as_the_leave_page(office, client):
    """The attendance month page lists the month's leave too: the Kepala Dinas's izin there said
    "Menunggu atasan" while his leave page said BKPSDM decides; BKPSDM opening his month reads the
    same. Ani's izin on her month page still reads "Menunggu atasan"."""
    kepala, ani = office["kepala"], office["ani"]
    _izin(kepala, D(2026, 11, 16), D(2026, 11, 17))
    _izin(ani, D(2026, 11, 16), D(2026, 11, 17))
    month = "?periode=2026-11"
    client.force_login(kepala.user)
    page = client.get(reverse("attendance:month") + month).content.decode()
    cell = page.split('data-testid="month-leaves"', 1)[1].split("</table>", 1)[0]
    assert TO_BKPSDM in cell and TO_SUPERIOR not in cell
    client.force_login(office["bkpsdm"])
    page = client.get(reverse("attendance:employee-month", args=[kepala.pk]) + month)
    assert TO_BKPSDM in page.content.decode()
    client.force_login(ani.user)
    page = client.get(reverse("attendance:month") + month).content.decode()
    cell = page.split('data-testid="month-leaves"', 1)[1].split("</table>", 1)[0]
    assert TO_SUPERIOR in cell and TO_BKPSDM not in cell
