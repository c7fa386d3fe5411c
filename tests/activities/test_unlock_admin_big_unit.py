"""An admin OPD of a big unit (a Dinas Pendidikan: 9,600 employees, a 630 KB select on a phone)
types the employee's NIP or name instead of picking from a list; a name that fits several asks
for the NIP, one outside their units is not found."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ekinerja.activities import selectors
from ekinerja.activities.models import UnlockRequest
from tests.factories import employee_with_login, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(office):
    user = employee_with_login(office["inst"], None, name="Admin Kominfo").user
    grant(user, "admin_opd", unit=office["unit"])
    return user


def _post(client, who: str):
    return client.post(
        reverse("activities:unlocks"),
        {
            "pegawai": who,
            "date_from": "2026-10-05",
            "date_to": "2026-10-06",
            "reason": "Server kantor mati dua hari",
        },
    )


def test_a_small_unit_still_picks_from_the_list(client, office, admin, at):
    at("2026-10-20 09:00")
    client.force_login(admin)
    page = client.get(reverse("activities:unlocks")).content.decode()
    assert '<select name="employee" id="unlock-employee"' in page and "Ani (" in page


def test_a_big_unit_types_a_nip_or_a_name(client, office, admin, at, monkeypatch):
    at("2026-10-20 09:00")
    monkeypatch.setattr(selectors, "ADMIN_PICK_LIMIT", 2)  # the office has four
    client.force_login(admin)
    page = client.get(reverse("activities:unlocks")).content.decode()
    assert '<input type="text" name="pegawai" id="unlock-employee"' in page
    assert "<select" not in page.split('data-testid="unlock-form"')[1].split("</form>")[0]

    ani, budi = office["p"]["ani"], office["p"]["budi"]
    nip = f"{ani.nip[:8]} {ani.nip[8:]}"  # as read off a letter, with a space
    assert _post(client, nip).status_code == 302
    assert UnlockRequest.objects.get().employee == ani
    assert _post(client, "bud").status_code == 302  # one name fits
    assert UnlockRequest.objects.filter(employee=budi).exists()

    budi.name = "Ani Budiarti"
    budi.save(update_fields=["name"])
    resp = _post(client, "ani")
    assert resp.status_code == 400
    error = resp.context["form"].errors["pegawai"][0]
    assert error.startswith("Lebih dari satu pegawai cocok: ") and error.endswith("Ketik NIP-nya.")
    assert f"Ani ({ani.nip})" in error and f"Ani Budiarti ({budi.nip})" in error
    outsider = employee_with_login(office["inst"], None, name="Orang Luar")
    resp = _post(client, outsider.nip)
    assert resp.status_code == 400
    assert resp.context["form"].errors["pegawai"] == [
        "Tidak ada pegawai unit Anda dengan NIP atau nama itu."
    ]
    assert UnlockRequest.objects.count() == 2
