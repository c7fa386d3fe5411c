"""Nobody resets the password of someone who decides on their own record. An audit, as admin OPD,
reset its direct superior's password (an account holding no role), logged in as them and approved
a month of its own activities. The direct superior and the one above (who decides objections) are
refused, on the page as in the service; anyone else in the unit still is reset as before."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from ekinerja.core.models import AuditEvent, User
from ekinerja.org import services
from ekinerja.org.models import Position
from tests.factories import (
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    grant,
)

pytestmark = pytest.mark.django_db
PASSWORD = "Rahasia-Kuat-2026!"


@pytest.fixture
def dinas():
    inst = InstansiFactory()
    unit = UnitFactory(instansi=inst, code="1.01", name="Dinas Pendidikan")
    kadis = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=14, name="Kepala")
    sek = PositionFactory(
        unit=unit, kind=Position.Kind.STRUKTURAL, kelas=11, name="Sekretaris", parent=kadis
    )
    kasubag = PositionFactory(
        unit=unit, kind=Position.Kind.STRUKTURAL, kelas=9, name="Kasubag", parent=sek
    )
    staf = PositionFactory(unit=unit, kind=Position.Kind.PELAKSANA, kelas=7, parent=kasubag)
    people = {
        "kadis": employee_with_login(inst, kadis, name="Kepala Dinas"),
        "sek": employee_with_login(inst, sek, name="Sekretaris"),
        "kasubag": employee_with_login(inst, kasubag, name="Kasubag Umum"),
        "admin": employee_with_login(inst, staf, name="Admin OPD"),
        "rekan": employee_with_login(inst, staf, name="Rekan"),
    }
    grant(people["admin"].user, "admin_opd", unit=unit)
    return {"inst": inst, "unit": unit, **people}


@pytest.mark.parametrize("target", ["kasubag", "sek"])
def test_an_officer_cannot_reset_the_superior_who_decides_on_them(dinas, target):
    with pytest.raises(PermissionDenied, match="atasan Anda"):
        services.password_reset(actor=dinas["admin"].user, employee=dinas[target])
    user = User.objects.get(pk=dinas[target].user_id)
    assert user.check_password(PASSWORD) and not user.must_change_password
    assert not AuditEvent.objects.filter(action="auth.password.reset").exists()


def test_the_rest_of_the_unit_is_reset_as_before(dinas):
    for target in ("rekan", "kadis"):  # a colleague; the head is three levels up
        issued = services.password_reset(actor=dinas["admin"].user, employee=dinas[target])
        assert issued.user.must_change_password


def test_the_accounts_page_offers_no_reset_of_ones_own_superior(client, dinas):
    client.force_login(dinas["admin"].user)
    html = client.get(reverse("accounts"), {"unit": dinas["unit"].pk}).content.decode()
    assert html.count("Tidak dapat diatur ulang") == 2  # the kasubag and the sekretaris
    assert "Akun atasan Anda" in html
    resp = client.post(reverse("account-reset", kwargs={"pk": dinas["kasubag"].pk}), follow=True)
    assert resp.status_code in (200, 403)
    assert User.objects.get(pk=dinas["kasubag"].user_id).check_password(PASSWORD)
