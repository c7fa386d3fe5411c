"""A change of the work calendar (a roster drawn up late, a holiday) derives the stored days again a
day either side of the dates it changes, as a change of posts does: a working day's punch window
reaches into the next day (a night shift's check-out the next morning), so the day after a newly
rostered night shift must give its 07:00 punch back instead of staying an off day with times."""

import datetime as dt

import pytest
import time_machine

from ekinerja.attendance import services
from ekinerja.attendance.models import DailyAttendance
from ekinerja.attendance.selectors import attendance_days
from ekinerja.workcal.services import roster_set
from tests.attendance.conftest import D, at

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2026, 10, 20, 2, tzinfo=dt.UTC), tick=False)
def test_rostering_a_night_shift_derives_the_next_morning_again(
    office, django_capture_on_commit_callbacks
):
    nurse = office.nurse
    fri, sat = D(2026, 10, 9), D(2026, 10, 10)
    services.punches_insert(
        office.instansi,
        [
            services.PunchRow(nurse.id, at(fri, 20, 55), "fingerprint", "SN1"),
            services.PunchRow(nurse.id, at(sat, 7, 5), "fingerprint", "SN1"),
        ],
    )
    services.daily_recompute(instansi=office.instansi, start=D(2026, 10, 1), end=D(2026, 10, 19))
    assert DailyAttendance.objects.get(employee=nurse, date=sat).status == "off"  # no roster yet

    # The roster is drawn up late: a night shift (M) on Friday.
    with django_capture_on_commit_callbacks(execute=True):
        roster_set(
            actor=None,
            instansi=office.instansi,
            schedule=office.shifts,
            entries=[(nurse, fri, "M")],
        )

    friday = DailyAttendance.objects.get(employee=nurse, date=fri)
    assert friday.status == "present"
    assert friday.check_out == at(sat, 7, 5)  # the night shift's check-out
    # Saturday derived afresh has no day of its own; the stored one is gone too.
    assert sat not in {f.date for f in attendance_days([nurse], sat, sat)[nurse.id]}
    assert not DailyAttendance.objects.filter(employee=nurse, date=sat).exists()
