"""A tim penilai limited to some units sees neither other units' recap nor the instansi-wide sample."""

import datetime as dt

import pytest
from django.urls import reverse

from ekinerja.activities import services
from ekinerja.core.periods import Period
from tests.activities.conftest import make_entry
from tests.factories import UnitFactory, UserFactory, grant

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def approved(office, at):
    at("2026-10-05 17:00")
    entry = make_entry(office, day=D(2026, 10, 5), submit=True)
    services.entry_verify(actor=office["p"]["kasubag"].user, entry=entry, decision="approve")
    return entry


def test_unit_scoped_team_does_not_see_the_instansi_wide_sample(client, office, approved):
    wide = UserFactory(instansi=office["inst"])
    grant(wide, "tim_penilai")  # the whole instansi
    services.review_sample_draw(actor=wide, period=Period(2026, 10), unit=None, size=5)
    client.force_login(wide)
    assert (
        "Menyusun konsep surat dinas"
        in client.get(reverse("activities:review") + "?periode=2026-10").content.decode()
    )
    other_unit = UnitFactory(instansi=office["inst"], name="Dinas Lain")
    team = UserFactory(instansi=office["inst"])
    grant(team, "tim_penilai", other_unit)
    client.force_login(team)
    resp = client.get(reverse("activities:review") + "?periode=2026-10")
    assert resp.status_code == 200
    assert "Menyusun konsep surat dinas" not in resp.content.decode()


def test_unit_scoped_team_sees_only_its_units_recap(client, office, approved):
    other_unit = UnitFactory(instansi=office["inst"], name="Dinas Lain")
    team = UserFactory(instansi=office["inst"])
    grant(team, "tim_penilai", other_unit)
    client.force_login(team)
    ani_unit = office["p"]["ani"].assignments.first().position.unit
    html = client.get(
        reverse("activities:recap") + f"?unit={ani_unit.pk}&periode=2026-10"
    ).content.decode()
    assert office["p"]["ani"].name not in html
    assert ani_unit.name not in html  # not even offered
    wide = UserFactory(instansi=office["inst"])
    grant(wide, "tim_penilai")
    client.force_login(wide)
    html = client.get(
        reverse("activities:recap") + f"?unit={ani_unit.pk}&periode=2026-10"
    ).content.decode()
    assert office["p"]["ani"].name in html
