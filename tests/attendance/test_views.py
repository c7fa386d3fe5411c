"""Attendance pages: month, leave, inbox, board, recap (xlsx), import screen; scoping and permissions."""

import datetime as dt
import io

import openpyxl
import pytest
import time_machine

from ekinerja.attendance import services
from ekinerja.attendance.models import LeaveRequest, LeaveType, PinMapping, Punch, PunchImport
from tests.attendance.conftest import D, at
from tests.factories import InstansiFactory, UserFactory, employee_with_login, grant

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 10, 20, 2, 0, tzinfo=dt.UTC)  # 10:00 WITA, Tuesday 20 October 2026


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def punch(emp, when):
    services.punches_insert(emp.instansi, [services.PunchRow(emp.id, when, "fingerprint", "SN1")])


def test_month_page_shows_each_day(client, office):
    punch(office.ani, at(D(2026, 10, 1), 7, 41))
    punch(office.ani, at(D(2026, 10, 1), 16, 5))
    client.force_login(office.ani.user)
    html = client.get("/kehadiran/?periode=2026-10").content.decode()
    assert 'data-testid="day-2026-10-01" data-status="late"' in html
    assert "terlambat 11 mnt" in html and "07.41" in html and "07:41" not in html
    assert 'data-testid="day-2026-10-02" data-status="absent"' in html
    assert "Oktober 2026" in html


def test_leave_flow_through_the_pages(client, office):
    izin = LeaveType.objects.get(instansi=office.instansi, code="izin")
    client.force_login(office.ani.user)
    r = client.post(
        "/kehadiran/cuti/",
        {
            "leave_type": izin.pk,
            "date_from": "2026-10-22",
            "date_to": "2026-10-23",
            "reason": "Acara keluarga",
        },
    )
    assert r.status_code == 302
    req = LeaveRequest.objects.get()
    client.force_login(office.kepala.user)
    inbox = client.get("/kehadiran/persetujuan/").content.decode()
    assert "Ani" in inbox and "Acara keluarga" in inbox
    assert "22–23 Oktober 2026" in inbox  # the range written once, short enough for a phone
    client.post(f"/kehadiran/cuti/{req.pk}/putuskan/", {"decision": "approve"})
    req.refresh_from_db()
    assert req.status == "approved"
    client.force_login(office.ani.user)
    html = client.get("/kehadiran/?periode=2026-10").content.decode()
    assert 'data-testid="day-2026-10-22" data-status="leave"' in html and "Izin" in html
    assert "22–23 Oktober 2026" in html.split('data-testid="month-leaves"')[1]


def test_leave_form_errors_are_field_level(client, office):
    client.force_login(office.ani.user)
    izin = LeaveType.objects.get(instansi=office.instansi, code="izin")
    html = client.post(
        "/kehadiran/cuti/",
        {"leave_type": izin.pk, "date_from": "2026-10-23", "date_to": "2026-10-22"},
    ).content.decode()
    assert "tidak boleh sebelum" in html
    html = client.post(
        "/kehadiran/cuti/", {"leave_type": izin.pk, "date_from": "", "date_to": "x"}
    ).content.decode()
    assert "Wajib diisi." in html
    sakit = LeaveType.objects.get(instansi=office.instansi, code="sakit")
    html = client.post(
        "/kehadiran/cuti/",
        {"leave_type": sakit.pk, "date_from": "2026-10-22", "date_to": "2026-10-22"},
    ).content.decode()
    assert "wajib melampirkan" in html
    assert not LeaveRequest.objects.exists()


def test_other_people_cannot_decide_or_see(client, office):
    izin = LeaveType.objects.get(instansi=office.instansi, code="izin")
    req = services.leave_request_submit(
        actor=office.ani.user,
        employee=office.ani,
        leave_type=izin,
        date_from=D(2026, 10, 22),
        date_to=D(2026, 10, 22),
    )
    client.force_login(office.budi.user)
    client.post(f"/kehadiran/cuti/{req.pk}/putuskan/", {"decision": "approve"})
    req.refresh_from_db()
    assert req.status == "submitted"
    assert client.get(f"/kehadiran/pegawai/{office.ani.pk}/").status_code == 404
    client.force_login(office.kepala.user)
    assert client.get(f"/kehadiran/pegawai/{office.ani.pk}/").status_code == 200
    other = employee_with_login(InstansiFactory(code="7101"))
    client.force_login(other.user)
    assert client.get(f"/kehadiran/pegawai/{office.ani.pk}/").status_code == 404
    assert (
        client.post(f"/kehadiran/cuti/{req.pk}/putuskan/", {"decision": "approve"}).status_code
        == 404
    )


def test_board_and_recap_for_the_head(client, office):
    punch(office.ani, at(D(2026, 10, 20), 7, 50))
    punch(office.budi, at(D(2026, 10, 19), 7, 20))
    punch(office.budi, at(D(2026, 10, 19), 16, 0))
    client.force_login(office.kepala.user)
    html = client.get(f"/kehadiran/papan/?unit={office.unit.pk}").content.decode()
    assert (
        "07.50" in html and "07:50" not in html and "Terlambat" in html and "Belum absen 2" in html
    )  # Budi and the head
    html = client.get(
        f"/kehadiran/papan/?unit={office.unit.pk}&tanggal=2026-10-19"
    ).content.decode()
    assert "Tanpa keterangan 2" in html  # Ani and the head on Monday
    r = client.get(f"/kehadiran/rekap/?unit={office.unit.pk}&periode=2026-10&format=xlsx")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = {row[1]: row for row in ws.iter_rows(min_row=5, values_only=True)}
    assert rows[office.ani.nip][3] == 22 and rows[office.ani.nip][6] == 20  # late minutes
    assert client.get(f"/kehadiran/rekap/?unit={office.unit.pk}").status_code == 200


def test_staff_cannot_open_the_board(client, office):
    client.force_login(office.ani.user)
    assert client.get("/kehadiran/papan/").status_code == 403
    assert client.get("/kehadiran/rekap/").status_code == 403
    assert client.get("/kehadiran/impor/").status_code == 403


def test_board_query_count_is_bounded(client, office, django_assert_max_num_queries):
    from tests.factories import AssignmentFactory

    staff_pos = office.ani.assignments.get().position
    for _ in range(10):
        AssignmentFactory(position=staff_pos)
    client.force_login(office.bkpsdm_user)
    with django_assert_max_num_queries(30):
        assert client.get(f"/kehadiran/papan/?unit={office.unit.pk}").status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(f"/kehadiran/rekap/?unit={office.unit.pk}").status_code == 200


def test_import_screen(client, office):
    PinMapping.objects.create(instansi=office.instansi, pin="101", employee=office.ani)
    admin = UserFactory(instansi=office.instansi)
    grant(admin, "admin_opd", office.unit)
    client.force_login(admin)
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = SimpleUploadedFile(
        "absen.csv", b"PIN,Waktu\n101,2026-10-19 07:31:00\n101,2026-10-19 16:01:00\n"
    )
    r = client.post("/kehadiran/impor/", {"file": f})
    batch = PunchImport.objects.get()
    assert r.status_code == 302 and batch.status == "preview"
    assert "Impor 2 baris" in client.get(f"/kehadiran/impor/{batch.pk}/").content.decode()
    client.post(f"/kehadiran/impor/{batch.pk}/jalankan/")
    batch.refresh_from_db()
    assert batch.status == "done" and batch.inserted == 2 and Punch.objects.count() == 2
    html = client.get(f"/kehadiran/impor/{batch.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="import-inserted">2<' in html
    bad = SimpleUploadedFile("rusak.csv", b"PIN,Waktu\n101,bukan tanggal\n")
    client.post("/kehadiran/impor/", {"file": bad})
    refused = PunchImport.objects.get(file_name="rusak.csv")
    html = client.get(f"/kehadiran/impor/{refused.pk}/").content.decode()
    assert "Baris 2" in html and "import-run" not in html
    other = PunchImport.objects.create(
        instansi=InstansiFactory(code="7101"), file_name="x.csv", sha256="0"
    )
    assert client.get(f"/kehadiran/impor/{other.pk}/").status_code == 404


def test_correction_page(client, office):
    client.force_login(office.ani.user)
    r = client.post(
        "/kehadiran/koreksi/", {"date": "2026-10-19", "time": "16:02", "reason": "Mesin mati"}
    )
    assert r.status_code == 302
    client.force_login(office.kepala.user)
    from ekinerja.attendance.models import CorrectionRequest

    c = CorrectionRequest.objects.get()
    client.post(f"/kehadiran/koreksi/{c.pk}/putuskan/", {"decision": "approve"})
    assert Punch.objects.get().source == "manual"


def test_admin_pages_are_scoped_and_punches_read_only(client, office):
    from ekinerja.attendance.models import Device

    user = UserFactory(instansi=office.instansi, is_staff=True, is_superuser=True)
    client.force_login(user)
    Device.objects.create(instansi=office.instansi, serial="MINE-1")
    Device.objects.create(instansi=InstansiFactory(code="7101"), serial="THEIRS-1")
    html = client.get("/admin/attendance/device/").content.decode()
    assert "MINE-1" in html and "THEIRS-1" not in html
    for model in ("pinmapping", "office", "leavetype", "punch", "devicedump"):
        assert client.get(f"/admin/attendance/{model}/").status_code == 200
    assert client.get("/admin/attendance/punch/add/").status_code == 403


def test_a_superior_who_moved_away_keeps_the_approval_link_while_a_request_waits(client, office):
    """Ani's leave of 19 October is addressed to the Kepala Dinas, who moves on 20 October to a post
    without subordinates: they still decide it, so their menu leads to the approvals until it is
    decided. Ani and Budi (never anyone's superior) see no such link."""
    from django.urls import reverse

    from ekinerja.org.models import Assignment
    from tests.factories import PositionFactory

    req = services.leave_request_submit(
        actor=office.ani.user,
        employee=office.ani,
        leave_type=LeaveType.objects.get(instansi=office.instansi, code="izin"),
        date_from=D(2026, 10, 19),
        date_to=D(2026, 10, 19),
        reason="Urusan keluarga",
    )
    Assignment.objects.filter(employee=office.kepala).update(end=D(2026, 10, 19))
    Assignment.objects.create(
        instansi=office.instansi,
        employee=office.kepala,
        position=PositionFactory(unit=office.unit, instansi=office.instansi, kind="fungsional"),
        start=D(2026, 10, 20),
    )
    client.force_login(office.kepala.user)
    html = client.get("/kehadiran/").content.decode()
    assert 'data-testid="nav-persetujuan"' in html
    inbox = client.get("/kehadiran/persetujuan/").content.decode()
    assert reverse("attendance:leave-decide", args=[req.pk]) in inbox

    services.leave_request_decide(actor=office.kepala.user, request=req, approve=True)
    assert 'data-testid="nav-persetujuan"' not in client.get("/kehadiran/").content.decode()
    client.force_login(office.budi.user)
    assert 'data-testid="nav-persetujuan"' not in client.get("/kehadiran/").content.decode()


def test_an_impossible_date_or_time_says_what_is_wrong(client, office):
    """30 February used to answer "Tidak valid."; now the field says how to write a date."""
    client.force_login(office.ani.user)
    izin = LeaveType.objects.get(instansi=office.instansi, code="izin")
    html = client.post(
        "/kehadiran/cuti/",
        {"leave_type": izin.pk, "date_from": "2027-02-30", "date_to": "2027-02-30", "reason": "x"},
    ).content.decode()
    assert "Tanggal tidak valid (tulis hh/bb/tttt" in html and "Tidak valid." not in html
    html = client.post(
        "/kehadiran/koreksi/", {"date": "2026-10-19", "time": "25:61", "reason": "Lupa"}
    ).content.decode()
    assert "Jam tidak valid (tulis jj:mm" in html
    assert not LeaveRequest.objects.exists()
