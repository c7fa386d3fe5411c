"""S9 (H2): a unit's monthly activity recap lists the same people as its attendance recap (anyone
with a definitif post in the unit on some day of the month), each with the activities of the days
in the unit only (docs/activities.md, "The monthly recap of a unit")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from ekinerja.activities.models import ActivityEntry, EntryStatus
from ekinerja.activities.selectors import activity_month, unit_activity_month
from ekinerja.core.periods import Period
from tests.factories import AssignmentFactory, PositionFactory, UnitFactory, employee_with_login

from .conftest import D, T

pytestmark = pytest.mark.django_db

OCT = Period(2026, 10)


def _approved(office, emp, day: int, minutes: int, status=EntryStatus.APPROVED):
    date = D(2026, 10, day)
    return ActivityEntry(
        instansi=office["inst"],
        employee=emp,
        date=date,
        start_time=T(8),
        end_time=T(9),
        item=office["surat"],
        volume=1,
        minutes_per_unit=minutes,
        approved_volume=1 if status == EntryStatus.APPROVED else None,
        credited_minutes=minutes if status == EntryStatus.APPROVED else 0,
        status=status,
        submitted_at=timezone.make_aware(dt.datetime.combine(date, T(17))),
    )


@pytest.fixture
def moves(office):
    """Citra: Dinas Kominfo 1-15 October, Dinas Sosial from the 16th. Dedi: Dinas Kominfo until
    10 October (moved out of the instansi). Entries on both sides of each move."""
    inst = office["inst"]
    sosial = UnitFactory(instansi=inst, name="Dinas Sosial")
    citra = employee_with_login(inst, name="Citra")
    AssignmentFactory(position=office["pos"]["staf"], employee=citra, end=D(2026, 10, 15))
    AssignmentFactory(position=PositionFactory(unit=sosial), employee=citra, start=D(2026, 10, 16))
    dedi = employee_with_login(inst, name="Dedi")
    AssignmentFactory(position=office["pos"]["staf"], employee=dedi, end=D(2026, 10, 10))
    ActivityEntry.objects.bulk_create(
        [
            _approved(office, citra, 5, 60),  # Kominfo
            _approved(office, citra, 14, 30, EntryStatus.REJECTED),  # Kominfo
            _approved(office, citra, 20, 90),  # Sosial
            _approved(office, citra, 21, 30, EntryStatus.SUBMITTED),  # Sosial, waiting
            _approved(office, dedi, 2, 30),  # Kominfo
            _approved(office, dedi, 12, 45),  # after leaving: no post here
        ]
    )
    return {"sosial": sosial, "citra": citra, "dedi": dedi}


def _rows(unit):
    return {r.employee.name: r for r in unit_activity_month(unit, OCT)}


def test_the_recap_lists_movers_and_leavers_with_their_days_in_the_unit(office, moves):
    kominfo = _rows(office["unit"])
    assert sorted(kominfo) == ["Ani", "Budi", "Citra", "Dedi", "Kasubag Umum", "Kepala Dinas"]
    citra, dedi = kominfo["Citra"].month, kominfo["Dedi"].month
    assert (citra.credited_minutes, citra.approved, citra.rejected, citra.pending) == (60, 1, 1, 0)
    assert (dedi.credited_minutes, dedi.approved) == (30, 1)
    assert kominfo["Citra"].days_in_unit == "1 Oktober 2026 – 15 Oktober 2026"
    assert kominfo["Dedi"].days_in_unit == "1 Oktober 2026 – 10 Oktober 2026"
    assert kominfo["Ani"].days_in_unit == ""
    sosial = _rows(moves["sosial"])
    assert sorted(sosial) == ["Citra"]
    citra = sosial["Citra"].month
    assert (citra.credited_minutes, citra.approved, citra.rejected, citra.pending) == (90, 1, 0, 1)
    assert citra.minutes_by_day == {D(2026, 10, 20): 90}
    assert sosial["Citra"].days_in_unit == "16 Oktober 2026 – 31 Oktober 2026"
    # The TPP run's own read is unchanged: the whole month, wherever the post.
    whole = activity_month([moves["citra"]], OCT)[moves["citra"].pk]
    assert whole.credited_minutes == 150


def test_the_recap_lists_the_same_people_as_the_attendance_recap(office, moves):
    """Leavers too: Eka retired on 15 October (inactive, her post's end recorded) is a row of both
    recaps of Kominfo; Fajar, inactive with an open post (no end to stop at), of neither."""
    from ekinerja.attendance.selectors import unit_recap_employees

    inst = office["inst"]
    eka = employee_with_login(inst, name="Eka", is_active=False)
    AssignmentFactory(position=office["pos"]["staf"], employee=eka, end=D(2026, 10, 15))
    fajar = employee_with_login(inst, name="Fajar", is_active=False)
    AssignmentFactory(position=office["pos"]["staf"], employee=fajar)
    for unit in (office["unit"], moves["sosial"]):
        attendance = [e.pk for e in unit_recap_employees(unit, OCT.first_day, OCT.last_day)]
        assert [r.employee.pk for r in unit_activity_month(unit, OCT)] == attendance
    kominfo = [r.employee.pk for r in unit_activity_month(office["unit"], OCT)]
    assert eka.pk in kominfo and fajar.pk not in kominfo


def test_the_recap_page_says_which_days_count(client, office, moves, at):
    from tests.factories import grant

    at("2026-11-03 09:00")
    bkpsdm = employee_with_login(office["inst"], None, name="Petugas BKPSDM")
    grant(bkpsdm.user, "bkpsdm")
    client.force_login(bkpsdm.user)
    url = reverse("activities:recap") + f"?unit={office['unit'].pk}&periode=2026-10"
    html = " ".join(client.get(url).content.decode().split())
    row = html[html.index("Citra") :]
    row = row[: row.index("</tr>")]
    assert "Di unit ini 1 Oktober 2026 – 15 Oktober 2026; hanya aktivitas hari-hari itu" in row
    assert '<td class="text-end">60</td>' in row
