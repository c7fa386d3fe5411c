"""Which leave an employee may take, and for how long, by the regulation (review of 7 December
2026): PP 11/2017 as amended by PP 17/2020 and Peraturan BKN 24/2017 for PNS/CPNS, PP 49/2018 and
Peraturan BKN 7/2022 for PPPK."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ekinerja.attendance import selectors, services
from ekinerja.attendance.models import LeaveRequest, LeaveType
from tests.attendance.conftest import D
from tests.factories import AssignmentFactory, employee_with_login, make_nip

UTC = dt.UTC
# Today is 1 October 2026 (local), so the leave of these tests is in the future.
pytestmark = pytest.mark.usefixtures("today")


@pytest.fixture
def today():
    with time_machine.travel(dt.datetime(2026, 10, 1, 2, tzinfo=UTC), tick=False):
        yield


def _pdf():
    return SimpleUploadedFile("surat.pdf", b"%PDF-1.4 surat", content_type="application/pdf")


def _file(emp, code, start, end):
    return services.leave_request_submit(
        actor=emp.user,
        employee=emp,
        leave_type=LeaveType.objects.get(instansi=emp.instansi, code=code),
        date_from=start,
        date_to=end,
        attachment=_pdf(),
    )


def _refused(emp, code, start, end) -> dict:
    with pytest.raises(ValidationError) as exc:
        _file(emp, code, start, end)
    return exc.value.message_dict


def _employee(office, status, appointed=(2010, 3), sex=2):
    nip = make_nip(appointed=appointed, pppk=status == "PPPK", sex=sex)
    e = employee_with_login(
        office.instansi,
        name=f"Pegawai {status}",
        nip=nip,
        status=status,
        golongan="" if status == "PPPK" else "III/a",
    )
    AssignmentFactory(
        employee=e, position=office.ani.assignments.get().position, start=D(*appointed, 1)
    )
    return e


def _record(emp, code, start, end, status="approved"):
    return LeaveRequest.objects.create(
        instansi_id=emp.instansi_id,
        employee=emp,
        leave_type=LeaveType.objects.get(instansi=emp.instansi, code=code),
        date_from=start,
        date_to=end,
        working_days=1,
        status=status,
    )


# ---------------------------------------------------------------- PPPK and CPNS


@pytest.mark.parametrize("code", ["cuti_besar", "cuti_alasan_penting", "cltn"])
def test_a_pppk_is_refused_the_leave_types_pppk_do_not_have(office, code):
    pppk = _employee(office, "PPPK", appointed=(2019, 1))
    message = _refused(pppk, code, D(2026, 10, 5), D(2026, 10, 9))["leave_type"][0]
    assert message.startswith("PPPK tidak berhak atas ")
    assert "cuti tahunan, cuti sakit, cuti melahirkan, dan cuti bersama" in message
    assert "Peraturan BKN 7/2022 Pasal 4" in message
    assert not LeaveRequest.objects.filter(employee=pppk).exists()


def test_a_pppk_still_files_the_leave_pppk_have(office):
    pppk = _employee(office, "PPPK", appointed=(2019, 1))
    for code, start in (("cuti_tahunan", 5), ("sakit", 12), ("cuti_melahirkan", 19)):
        assert _file(pppk, code, D(2026, 10, start), D(2026, 10, start + 1)).status == "submitted"


def test_the_pppk_refusal_of_cuti_alasan_penting_points_to_cuti_tahunan(office):
    pppk = _employee(office, "PPPK", appointed=(2019, 1))
    message = _refused(pppk, "cuti_alasan_penting", D(2026, 10, 5), D(2026, 10, 6))
    assert "ajukan cuti tahunan" in message["leave_type"][0]


@pytest.mark.parametrize("code", ["cuti_besar", "cltn"])
def test_a_cpns_has_no_cuti_besar_nor_cltn(office, code):
    cpns = _employee(office, "CPNS", appointed=(2026, 1))
    message = _refused(cpns, code, D(2026, 10, 5), D(2026, 10, 9))["leave_type"][0]
    assert "hanya untuk PNS" in message and "CPNS belum berhak" in message


def test_the_leave_form_does_not_offer_a_pppk_the_types_they_do_not_have(office, client):
    pppk = _employee(office, "PPPK", appointed=(2019, 1))
    client.force_login(pppk.user)
    page = client.get("/kehadiran/cuti/").content.decode()
    form = page.split('data-testid="leave-form"')[1].split("</form>")[0]
    assert "Cuti tahunan" in form and "Cuti melahirkan" in form and "Sakit" in form
    assert "Cuti besar" not in form
    assert "Cuti karena alasan penting" not in form
    assert "CLTN" not in form
    client.force_login(office.ani.user)  # a PNS is offered them
    page = client.get("/kehadiran/cuti/").content.decode()
    assert "Cuti besar" in page.split('data-testid="leave-form"')[1].split("</form>")[0]


# ---------------------------------------------------------------- lengths


def test_cuti_alasan_penting_is_at_most_one_month(office):
    message = _refused(office.ani, "cuti_alasan_penting", D(2026, 11, 2), D(2026, 12, 2))
    assert message["date_to"] == [
        "Cuti karena alasan penting paling lama 1 bulan (PP 11/2017 Pasal 330): paling lambat "
        "sampai 1 Desember 2026."
    ]
    assert _file(office.ani, "cuti_alasan_penting", D(2026, 11, 2), D(2026, 12, 1)).pk


def test_cuti_melahirkan_and_cuti_besar_are_at_most_three_months(office):
    mother = _employee(office, "PNS")
    message = _refused(mother, "cuti_melahirkan", D(2026, 11, 2), D(2027, 2, 2))["date_to"][0]
    assert "paling lama 3 bulan (PP 11/2017 Pasal 325" in message
    assert "1 Februari 2027" in message
    message = _refused(office.ani, "cuti_besar", D(2026, 11, 30), D(2027, 3, 1))["date_to"][0]
    assert message.startswith("Cuti besar paling lama 3 bulan (PP 11/2017 Pasal 316)")
    assert "28 Februari 2027" in message


def test_cltn_is_at_most_three_years_and_only_after_five_years_of_service(office):
    message = _refused(office.ani, "cltn", D(2026, 11, 2), D(2029, 11, 2))["date_to"][0]
    assert "paling lama 3 tahun" in message and "1 November 2029" in message
    young = _employee(office, "PNS", appointed=(2022, 6))
    message = _refused(young, "cltn", D(2026, 11, 2), D(2027, 11, 1))["date_from"][0]
    assert "paling singkat 5 tahun" in message and "1 Juni 2027" in message
    assert _file(young, "cltn", D(2027, 6, 1), D(2028, 5, 31)).status == "submitted"


def test_months_last_day_follows_the_calendar():
    last = services.months_last_day
    assert last(D(2026, 3, 1), 3) == D(2026, 5, 31)
    assert last(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert last(D(2026, 11, 30), 3) == D(2027, 2, 28)
    assert last(D(2026, 12, 15), 1) == D(2027, 1, 14)


# ---------------------------------------------------------------- cuti melahirkan


def test_the_fourth_cuti_melahirkan_is_refused_and_cuti_besar_is_named(office):
    mother = _employee(office, "PNS")
    for year in (2012, 2015, 2019):
        _record(mother, "cuti_melahirkan", D(year, 3, 1), D(year, 5, 31))
    message = _refused(mother, "cuti_melahirkan", D(2026, 11, 2), D(2027, 1, 29))["leave_type"][0]
    assert "anak pertama sampai ketiga" in message and "Pasal 325" in message
    assert "ajukan cuti besar" in message
    # A cancelled one was not a birth.
    LeaveRequest.objects.filter(employee=mother, date_from__year=2019).update(status="cancelled")
    assert _file(mother, "cuti_melahirkan", D(2026, 11, 2), D(2027, 1, 29)).pk


# ---------------------------------------------------------------- cuti besar and cuti tahunan


def test_no_cuti_tahunan_in_a_year_with_cuti_besar(office):
    _record(office.ani, "cuti_besar", D(2026, 11, 2), D(2026, 12, 31), status="awaiting_bkpsdm")
    bal = selectors.annual_leave(office.ani, 2026)
    assert (bal.entitlement, bal.cuti_besar) == (0, True)
    message = _refused(office.ani, "cuti_tahunan", D(2026, 10, 12), D(2026, 10, 13))
    assert "Pasal 316" in message["leave_type"][0]
    # Nothing of 2026 is carried into 2027; 2027 has its own 12 days.
    assert selectors.annual_leave(office.ani, 2027).entitlement == 12


def test_cuti_besar_is_refused_while_a_cuti_tahunan_of_its_year_is_still_to_come(office):
    annual = _file(office.ani, "cuti_tahunan", D(2026, 12, 21), D(2026, 12, 22))
    message = _refused(office.ani, "cuti_besar", D(2026, 10, 5), D(2026, 11, 27))["date_from"][0]
    assert "tidak berhak atas cuti tahunan" in message and "21" in message
    assert "Batalkan cuti tahunan itu lebih dulu" in message
    services.leave_request_cancel(actor=office.ani.user, request=annual)
    assert _file(office.ani, "cuti_besar", D(2026, 10, 5), D(2026, 11, 27)).pk


def test_cuti_tahunan_taken_before_does_not_stop_cuti_besar(office):
    _record(office.ani, "cuti_tahunan", D(2026, 3, 2), D(2026, 3, 3))
    assert _file(office.ani, "cuti_besar", D(2026, 10, 5), D(2026, 11, 27)).pk


def test_the_leave_page_says_why_a_year_with_cuti_besar_has_no_cuti_tahunan(office, client):
    _record(office.ani, "cuti_besar", D(2026, 11, 2), D(2026, 12, 31), status="awaiting_bkpsdm")
    client.force_login(office.ani.user)
    page = client.get("/kehadiran/cuti/").content.decode()
    balance = page.split('data-testid="leave-balance"')[1].split("</p>")[0]
    assert "hak 0 hari kerja" in balance
    assert "Tahun 2026 Anda menggunakan cuti besar" in balance and "Pasal 316" in balance
