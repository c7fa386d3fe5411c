"""What a Diskominfo trial of the demo found on the attendance pages (7 December 2026)."""

import datetime as dt
import re

import pytest
import time_machine

from ekinerja.attendance import services
from ekinerja.org.models import Role
from tests.attendance.conftest import D, at
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 10, 20, 2, 0, tzinfo=dt.UTC)  # 10:00 WITA, Tuesday 20 October 2026


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_late_day_without_check_out_counts_beside_its_minutes(client, office):
    """25 minutes late on the 1st and no check-out (stored as a missing check-out): the month page
    said "Terlambat 0 kali · 25 menit"; it counts the day, as the unit recap does."""
    services.punches_insert(
        office.ani.instansi,
        [services.PunchRow(office.ani.id, at(D(2026, 10, 1), 7, 55), "fingerprint", "SN1")],
    )
    client.force_login(office.ani.user)
    html = client.get("/kehadiran/?periode=2026-10").content.decode()
    card = re.search(
        r"Terlambat</div><div class=\"value\">(\d+) kali</div><div class=\"small\">"
        r"(\d+) menit",
        html,
    )
    assert card is not None
    assert card.groups() == ("1", "25")


def test_kominfo_is_not_offered_the_punch_import_it_may_not_open(client, office):
    user = UserFactory(instansi=office.ani.instansi, is_staff=True)
    grant(user, Role.KOMINFO)
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "/kehadiran/impor/" not in html
    assert 'data-testid="nav-kehadiran"' not in html  # nothing else in that menu for them
    assert client.get("/kehadiran/impor/").status_code == 403
