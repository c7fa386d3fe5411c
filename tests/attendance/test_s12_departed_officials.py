"""S12 (H2): departed officials and BKPSDM's inbox wording, in the Dinas Kesehatan of
tests/attendance/conftest.py (kasubag_office): the Kepala Dinas at the top, Kasubag Sari under him,
Ani (staf) under Sari, BKPSDM's own account (no employee record). The tests run on Monday 9
November 2026.

- BKPSDM's inbox: a request at the superior's step that BKPSDM decides because the employee has no
  direct superior today (selectors.without_superior) reads "Menunggu BKPSDM (tidak ada atasan
  langsung)", as the employee's own pages do; Sari's inbox keeps "Menunggu atasan" for Ani's.
  Correction cards show their status the same way (they showed none).
- A BKPSDM officer who has left (employee record inactive, login kept as a superuser's) holds no
  role any more (org.selectors.user_roles): the inbox lists nothing of BKPSDM's for them.
- The month page of an employee asks whether its reader has left once (selectors.has_left), not
  per approved leave: its query count does not grow with the number of leaves."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.attendance import selectors, services
from ekinerja.attendance.models import CorrectionRequest, LeaveRequest, LeaveType
from ekinerja.org import services as org_services
from ekinerja.org.models import Employee, Position
from ekinerja.org.selectors import user_roles
from tests.factories import PositionFactory, employee_with_login, grant

pytestmark = pytest.mark.django_db

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
D = dt.date
FILED = dt.datetime(2026, 11, 2, 10, tzinfo=WITA)  # Monday 2 November
RECORDED = dt.datetime(2026, 11, 5, 9, tzinfo=WITA)  # BKPSDM records a retirement
NOW = dt.datetime(2026, 11, 9, 10, tzinfo=WITA)  # Monday 9 November
INBOX = "/kehadiran/persetujuan/"
TO_BKPSDM = "Menunggu BKPSDM (tidak ada atasan langsung)"
TO_SUPERIOR = "Menunggu atasan"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _izin(who: Employee, first: dt.date, last: dt.date) -> LeaveRequest:
    with time_machine.travel(FILED, tick=False):
        return services.leave_request_submit(
            actor=who.user,
            employee=who,
            leave_type=LeaveType.objects.get(instansi=who.instansi, code="izin"),
            date_from=first,
            date_to=last,
            reason="Acara keluarga",
        )


def _correction(who: Employee, day: int) -> CorrectionRequest:
    return services.correction_submit(
        actor=who.user,
        employee=who,
        at=dt.datetime(2026, 11, day, 7, 30, tzinfo=WITA),
        reason="Mesin absensi rusak",
    )


def _status(page: str, req: LeaveRequest | CorrectionRequest) -> str:
    kind = "leave" if isinstance(req, LeaveRequest) else "correction"
    marker = f'data-testid="inbox-{kind}-status-{req.pk}">'
    assert marker in page
    return page.split(marker, 1)[1].split("</span>", 1)[0]


# ---------------------------------------------------------------- BKPSDM's inbox wording


def test_bkpsdm_inbox_says_it_decides_where_there_is_no_superior(kasubag_office, client):
    """The Kepala Dinas has nobody above him: his izin waits at the superior's step, which BKPSDM
    decides. BKPSDM's inbox read "Menunggu atasan" there (nobody's); it now reads as his own page.
    Sari's inbox keeps "Menunggu atasan" for Ani's izin (Sari is that superior)."""
    office = kasubag_office
    top = _izin(office["kepala"], D(2026, 11, 16), D(2026, 11, 17))
    ani = _izin(office["ani"], D(2026, 11, 23), D(2026, 11, 23))
    assert top.status == ani.status == LeaveRequest.Status.SUBMITTED
    client.force_login(office["bkpsdm"])
    page = client.get(INBOX).content.decode()
    assert _status(page, top) == TO_BKPSDM
    assert f'data-testid="inbox-leave-status-{ani.pk}"' not in page  # Sari's to decide
    # The employee's own page says the same.
    client.force_login(office["kepala"].user)
    assert TO_BKPSDM in client.get(reverse("attendance:leave")).content.decode()
    client.force_login(office["sari"].user)
    page = client.get(INBOX).content.decode()
    assert _status(page, ani) == TO_SUPERIOR
    assert TO_BKPSDM not in page


def test_bkpsdm_inbox_keeps_the_status_of_a_leave_at_its_own_step(kasubag_office, client):
    """A leave of a type BKPSDM also approves, approved by Sari, goes on to BKPSDM: it reads
    "Menunggu BKPSDM", its status, not the stand-in wording (Ani has a superior)."""
    office = kasubag_office
    LeaveType.objects.filter(instansi=office["inst"], code="izin").update(needs_bkpsdm=True)
    leave = _izin(office["ani"], D(2026, 11, 16), D(2026, 11, 16))
    with time_machine.travel(FILED, tick=False):
        leave = services.leave_request_decide(
            actor=office["sari"].user, request=leave, approve=True
        )
    assert leave.status == LeaveRequest.Status.AWAITING_BKPSDM
    client.force_login(office["bkpsdm"])
    assert _status(client.get(INBOX).content.decode(), leave) == "Menunggu BKPSDM"


def test_a_departed_bkpsdm_superuser_lists_nothing_of_bkpsdm(kasubag_office, client):
    """Budi, a BKPSDM officer with an employee record and a superuser's login, retires: his login
    stays on (employee_save keeps a superuser's), but he holds no role any more, so the inbox no
    longer lists the requests BKPSDM decides. BKPSDM's own account (no employee record) still
    lists them."""
    office = kasubag_office
    inst = office["inst"]
    budi = employee_with_login(
        inst,
        PositionFactory(
            unit=office["unit"], kind=Position.Kind.PELAKSANA, kelas=7, name="Analis BKPSDM"
        ),
        name="Budi BKPSDM",
    )
    grant(budi.user, "bkpsdm")
    get_user_model().objects.filter(pk=budi.user_id).update(is_superuser=True)
    top = _izin(office["kepala"], D(2026, 11, 16), D(2026, 11, 17))
    account = get_user_model().objects.get(pk=budi.user_id)
    client.force_login(account)
    assert _status(client.get(INBOX).content.decode(), top) == TO_BKPSDM  # while serving
    with time_machine.travel(RECORDED, tick=False):
        budi.refresh_from_db()
        budi.is_active = False
        org_services.employee_save(actor=office["bkpsdm"], employee=budi)
    account = get_user_model().objects.get(pk=budi.user_id)
    assert account.is_active  # the kept login
    assert user_roles(account) == frozenset()
    client.force_login(account)
    page = client.get(INBOX).content.decode()
    assert f'data-testid="inbox-leave-status-{top.pk}"' not in page
    assert not selectors.may_revoke_leave(account, top)
    client.force_login(office["bkpsdm"])
    assert _status(client.get(INBOX).content.decode(), top) == TO_BKPSDM


# ---------------------------------------------------------------- correction cards (S12, H4):
# each shows its status as leave cards do (views._status_text); before, they showed none.


def test_bkpsdm_inbox_shows_the_stand_in_status_of_a_correction(kasubag_office, client):
    """The Kepala Dinas has nobody above him: his correction waits at the superior's step, which
    BKPSDM decides; BKPSDM's inbox says so on its card, as on his leave's. Ani's correction is
    Sari's to decide: BKPSDM's inbox does not list it, Sari's reads "Menunggu atasan"."""
    office = kasubag_office
    top = _correction(office["kepala"], 3)
    ani = _correction(office["ani"], 4)
    assert top.status == ani.status == CorrectionRequest.Status.SUBMITTED
    client.force_login(office["bkpsdm"])
    page = client.get(INBOX).content.decode()
    assert _status(page, top) == TO_BKPSDM
    assert f'data-testid="inbox-correction-status-{ani.pk}"' not in page
    client.force_login(office["sari"].user)
    page = client.get(INBOX).content.decode()
    assert _status(page, ani) == TO_SUPERIOR
    assert TO_BKPSDM not in page


def test_a_correction_addressed_to_a_superior_keeps_its_status_for_bkpsdm_too(
    kasubag_office, client
):
    """Sari, also granted BKPSDM, sees Ani's correction (hers as the superior) as "Menunggu
    atasan" and the Kepala Dinas's (BKPSDM's in the superior's place) with the stand-in wording:
    the wording follows the request, not the reader's roles."""
    office = kasubag_office
    grant(office["sari"].user, "bkpsdm")
    top = _correction(office["kepala"], 3)
    ani = _correction(office["ani"], 4)
    client.force_login(office["sari"].user)
    page = client.get(INBOX).content.decode()
    assert _status(page, ani) == TO_SUPERIOR
    assert _status(page, top) == TO_BKPSDM


# ---------------------------------------------------------------- has the reader left: once a page


def test_the_month_page_asks_once_whether_its_reader_has_left(kasubag_office, client):
    """Sari approved Ani's izin; on Ani's month page each approved leave still to come gets Sari's
    "Batalkan" form (she decided it and still serves). With three such leaves the page costs what
    it costs with one: whether Sari has left is asked once for the page, not per leave."""
    office = kasubag_office
    ani, sari = office["ani"], office["sari"]
    url = reverse("attendance:employee-month", args=[ani.pk])

    def approve(first, last):
        leave = _izin(ani, first, last)
        with time_machine.travel(FILED, tick=False):
            return services.leave_request_decide(actor=sari.user, request=leave, approve=True)

    leaves = [approve(D(2026, 11, 16), D(2026, 11, 17))]
    client.force_login(sari.user)
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        page = client.get(url).content.decode()
    assert page.count('data-testid="leave-revoke-') == 1
    leaves += [approve(D(2026, 11, 23), D(2026, 11, 23)), approve(D(2026, 11, 30), D(2026, 11, 30))]
    with CaptureQueriesContext(connection) as three:
        page = client.get(url).content.decode()
    for leave in leaves:
        assert f'data-testid="leave-revoke-{leave.pk}"' in page
    assert len(three.captured_queries) == len(one.captured_queries)


def test_has_left(kasubag_office):
    """An active employee's account has not left, a retired one's has, and an account without an
    employee record (BKPSDM's here) never has."""
    office = kasubag_office
    sari = office["sari"]
    assert not selectors.has_left(sari.user)
    assert not selectors.has_left(office["bkpsdm"])
    Employee.objects.filter(pk=sari.pk).update(is_active=False)
    assert selectors.has_left(sari.user)
