"""S12 (H4): the approvals inbox (/kehadiran/persetujuan/) shows each attendance correction's
status, as it shows each leave's (views._status_text): "Menunggu BKPSDM (tidak ada atasan
langsung)" on the corrections BKPSDM decides in the superior's place (selectors.without_superior),
"Menunggu atasan" on those a superior decides. Before, the correction cards showed no status.

The office is tests/attendance/conftest.py's kasubag_office: the Kepala Dinas at the top, Kasubag
Sari under him, Ani (staf) under Sari, BKPSDM's own account (no employee record). The tests run on
Monday 9 November 2026."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from ekinerja.attendance import services
from ekinerja.attendance.models import CorrectionRequest
from ekinerja.org.models import Employee

pytestmark = pytest.mark.django_db

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
NOW = dt.datetime(2026, 11, 9, 10, tzinfo=WITA)  # Monday 9 November
INBOX = "/kehadiran/persetujuan/"
TO_BKPSDM = "Menunggu BKPSDM (tidak ada atasan langsung)"
TO_SUPERIOR = "Menunggu atasan"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _correction(who: Employee, day: int) -> CorrectionRequest:
    return services.correction_submit(
        actor=who.user,
        employee=who,
        at=dt.datetime(2026, 11, day, 7, 30, tzinfo=WITA),
        reason="Mesin absensi rusak",
    )


def _status(page: str, req: CorrectionRequest) -> str:
    marker = f'data-testid="inbox-correction-status-{req.pk}">'
    assert marker in page
    return page.split(marker, 1)[1].split("</span>", 1)[0]


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
    from tests.factories import grant

    office = kasubag_office
    grant(office["sari"].user, "bkpsdm")
    top = _correction(office["kepala"], 3)
    ani = _correction(office["ani"], 4)
    client.force_login(office["sari"].user)
    page = client.get(INBOX).content.decode()
    assert _status(page, ani) == TO_SUPERIOR
    assert _status(page, top) == TO_BKPSDM
