"""Attendance pages as people read them: times with a dot (07.30), early leaving written out on the
desktop calendar as on the phone, no "– / –" for a day without punches, and a leave type dropdown
that asks for a choice instead of showing "---------"."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from ekinerja.attendance import services
from ekinerja.attendance.forms import LeaveForm
from ekinerja.attendance.models import LeaveType, PinMapping
from tests.attendance.conftest import D, at
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 10, 20, 2, 0, tzinfo=dt.UTC)  # 10:00 WITA, Tuesday 20 October 2026


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def punch(emp, when):
    services.punches_insert(emp.instansi, [services.PunchRow(emp.id, when, "fingerprint", "SN1")])


def visible_clock_times(html: str) -> list[str]:
    text = re.sub(r"<[^>]*>", " ", html)
    return re.findall(r"\b\d{2}:\d{2}\b", text)


def test_the_month_writes_times_with_a_dot_and_early_leaving_in_words(client, office):
    # Thursday 1 October: in 07.20, out 15.35, 25 minutes before 16.00.
    punch(office.ani, at(D(2026, 10, 1), 7, 20))
    punch(office.ani, at(D(2026, 10, 1), 15, 35))
    client.force_login(office.ani.user)
    html = client.get("/kehadiran/?periode=2026-10").content.decode()
    calendar = html.split('data-testid="month-calendar"')[1].split("</table>")[0]
    cell = calendar.split('data-testid="day-2026-10-01"')[1].split("</td>")[0]
    assert "07.20 / 15.35" in cell
    assert "pulang cepat 25 mnt" in cell and "-25" not in cell
    phone = html.split('data-testid="month-list"')[1].split("</ul>")[0]
    item = phone.split('data-testid="item-2026-10-01"')[1].split("</li>")[0]
    assert "07.20 / 15.35 · pulang cepat 25 mnt" in item
    assert visible_clock_times(html) == []


def test_the_phone_list_shows_no_times_for_a_day_without_punches(client, office):
    punch(office.ani, at(D(2026, 10, 1), 7, 20))
    client.force_login(office.ani.user)
    html = client.get("/kehadiran/?periode=2026-10").content.decode()
    phone = html.split('data-testid="month-list"')[1].split("</ul>")[0]
    absent = phone.split('data-testid="item-2026-10-02"')[1].split("</li>")[0]
    assert 'data-status="absent"' in phone.split("item-2026-10-02")[1][:40]
    assert "–" not in absent.split("badge")[0]  # no "– / –" before the status badge
    # The first, with a check-in only, still says so.
    first = phone.split('data-testid="item-2026-10-01"')[1].split("</li>")[0]
    assert "07.20 / –" in first


def test_the_leave_type_dropdown_asks_for_a_choice(office):
    form = LeaveForm()
    form.fields["leave_type"].queryset = LeaveType.objects.filter(instansi=office.instansi)
    html = str(form["leave_type"])
    assert '<option value="" selected>Pilih jenis cuti/izin</option>' in html
    assert "---------" not in html


def test_the_leave_page_asks_for_a_choice(client, office):
    client.force_login(office.ani.user)
    html = client.get("/kehadiran/cuti/").content.decode()
    assert "Pilih jenis cuti/izin</option>" in html and "---------" not in html


def test_corrections_and_imports_write_times_with_a_dot(client, office):
    client.force_login(office.ani.user)
    client.post(
        "/kehadiran/koreksi/", {"date": "2026-10-19", "time": "16:02", "reason": "Mesin mati"}
    )
    html = client.get("/kehadiran/koreksi/").content.decode()
    assert "19 Oktober 2026 16.02" in html and visible_clock_times(html) == []

    PinMapping.objects.create(instansi=office.instansi, pin="101", employee=office.ani)
    admin = UserFactory(instansi=office.instansi)
    grant(admin, "admin_opd", office.unit)
    client.force_login(admin)
    f = SimpleUploadedFile("absen.csv", b"PIN,Waktu\n101,2026-10-19 07:31:00\n")
    client.post("/kehadiran/impor/", {"file": f})
    html = client.get("/kehadiran/impor/").content.decode()
    assert "20 Oktober 2026 10.00" in html and visible_clock_times(html) == []


def test_the_board_writes_times_with_a_dot(client, office):
    punch(office.ani, at(D(2026, 10, 19), 7, 20))
    punch(office.ani, at(D(2026, 10, 19), 16, 5))
    client.force_login(office.kepala.user)
    html = client.get(
        f"/kehadiran/papan/?unit={office.unit.pk}&tanggal=2026-10-19"
    ).content.decode()
    assert "07.20" in html and "16.05" in html and "07.20 – 16.05" in html
    assert visible_clock_times(html) == []
