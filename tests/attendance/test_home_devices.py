"""The machines' state on the home page of Kominfo and BKPSDM: which machine is behind or silent,
and a link to what it sent that was not stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ekinerja.attendance import services
from ekinerja.attendance.models import Device
from ekinerja.org.models import Role
from tests.factories import InstansiFactory, UserFactory, employee_with_login, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def inst():
    return InstansiFactory(timezone="Asia/Makassar")


def _device(inst, serial, **kw):
    return Device.objects.create(instansi=inst, serial=serial, timezone="Asia/Makassar", **kw)


def test_kominfo_sees_which_machine_is_behind_and_what_was_not_stored(client, inst):
    now = timezone.now()
    _device(inst, "SN-OK", name="Mesin lobi", watermark=now - dt.timedelta(minutes=5))
    late = _device(inst, "SN-LATE", name="Mesin puskesmas", watermark=now - dt.timedelta(days=3))
    _device(inst, "SN-NEW", name="Mesin baru")
    services.device_receive(device=late, raw="9999\t2026-11-30 07:25:00\t0\t1\n", recompute=False)
    Device.objects.filter(pk=late.pk).update(watermark=now - dt.timedelta(days=3))
    user = UserFactory(instansi=inst, is_staff=True)
    grant(user, Role.KOMINFO)
    client.force_login(user)
    html = client.get("/").content.decode()
    assert 'data-testid="devices-card"' in html
    assert html.count('data-testid="device-row"') == 3
    assert html.count('data-testid="device-behind"') == 1
    assert "belum pernah mengirim" in html
    assert f"device__id__exact={late.pk}" in html and "1 kiriman bermasalah" in html
    # The silent machine first, then the one most behind.
    assert html.index("Mesin baru") < html.index("Mesin puskesmas") < html.index("Mesin lobi")


def test_the_card_costs_the_same_whatever_the_number_of_machines(client, inst):
    user = UserFactory(instansi=inst, is_staff=True)
    grant(user, Role.KOMINFO)
    client.force_login(user)
    _device(inst, "SN-1", watermark=timezone.now())
    client.get("/")
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    for i in range(2, 12):
        _device(inst, f"SN-{i}", watermark=timezone.now())
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many.captured_queries) == len(one.captured_queries)


def test_an_employee_does_not_see_the_machines(client, inst):
    _device(inst, "SN-1")
    employee = employee_with_login(inst, None, name="Ani")
    client.force_login(employee.user)
    assert 'data-testid="devices-card"' not in client.get("/").content.decode()


def test_a_machine_waiting_for_activation_is_shown_to_bkpsdm(client, inst):
    """Kominfo registers a machine, inactive until BKPSDM activates it: BKPSDM must see it waits
    (the card said 'no machine registered' and invited Kominfo to register it again)."""
    waiting = _device(inst, "SN-BARU", name="Mesin aula", is_active=False)
    _device(inst, "SN-OK", name="Mesin lobi", watermark=timezone.now())
    user = UserFactory(instansi=inst, is_staff=True)
    grant(user, Role.BKPSDM)
    client.force_login(user)
    html = client.get("/").content.decode()
    assert 'data-testid="device-awaiting"' in html and "menunggu aktivasi BKPSDM" in html
    assert f"/admin/attendance/device/{waiting.pk}/change/" in html
    assert html.index("Mesin aula") < html.index("Mesin lobi")
