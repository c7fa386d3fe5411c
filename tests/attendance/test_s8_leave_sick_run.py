"""Sick leave across back-to-back requests (S8-2): requests with no working day of the employee
between them are one sick leave for the cap (PP 11/2017 Pasal 320 ayat (3), (4) as amended by PP
17/2020: a PNS or CPNS 1 year plus at most 6 months' extension; a PPPK 1 month, PP 49/2018).
Before, the cap was checked per request: 12 months, then 12 more from the next day, both passed."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ekinerja.attendance import services
from ekinerja.attendance.models import LeaveRequest, LeaveType
from tests.attendance.conftest import D
from tests.factories import AssignmentFactory, employee_with_login, holiday, make_nip

# Today is 1 October 2026 (local), so the leave of these tests is in the future.
pytestmark = pytest.mark.usefixtures("today")


@pytest.fixture
def today():
    with time_machine.travel(dt.datetime(2026, 10, 1, 2, tzinfo=dt.UTC), tick=False):
        yield


def _employee(office, status="PNS", appointed=(2010, 3)):
    e = employee_with_login(
        office.instansi,
        name=f"Pegawai {status}",
        nip=make_nip(appointed=appointed, pppk=status == "PPPK", sex=2),
        status=status,
        golongan="" if status == "PPPK" else "III/a",
    )
    AssignmentFactory(
        employee=e, position=office.ani.assignments.get().position, start=D(*appointed, 1)
    )
    return e


def _file(emp, start, end):
    return services.leave_request_submit(
        actor=emp.user,
        employee=emp,
        leave_type=LeaveType.objects.get(instansi=emp.instansi, code="sakit"),
        date_from=start,
        date_to=end,
        attachment=SimpleUploadedFile("surat.pdf", b"%PDF-1.4 surat dokter"),
    )


def _refused(emp, start, end) -> dict:
    with pytest.raises(ValidationError) as exc:
        _file(emp, start, end)
    return exc.value.message_dict


def _record(emp, start, end, status="approved"):
    """A sick leave stored as it is (decided elsewhere meanwhile), no workflow."""
    return LeaveRequest.objects.create(
        instansi_id=emp.instansi_id,
        employee=emp,
        leave_type=LeaveType.objects.get(instansi=emp.instansi, code="sakit"),
        date_from=start,
        date_to=end,
        working_days=1,
        status=status,
    )


# ---------------------------------------------------------------- PNS: 1 year + 6 months


def test_a_second_year_of_sick_leave_from_the_next_day_is_refused_naming_the_first(office):
    pns = _employee(office)
    _file(pns, D(2026, 11, 2), D(2027, 11, 1))
    message = _refused(pns, D(2027, 11, 2), D(2028, 11, 1))["date_to"]
    assert message == [
        "Cuti sakit ini bersambung (tanpa hari kerja di antaranya) dengan cuti sakit "
        "2 November 2026 – 1 November 2027 (menunggu atasan), jadi dihitung sebagai satu cuti "
        "sakit mulai 2 November 2026: paling lama 1 tahun ditambah perpanjangan paling lama "
        "6 bulan, yaitu sampai 1 Mei 2028 (PP 11/2017 Pasal 320 ayat (3) dan (4) sebagaimana "
        "diubah PP 17/2020). Sisa 182 hari kalender. Bagian setelah 1 November 2027 adalah "
        "perpanjangan, yang hanya diberikan bila masih diperlukan berdasarkan surat keterangan "
        "dokter dari tim penguji kesehatan."
    ]
    assert LeaveRequest.objects.filter(employee=pns).count() == 1


def test_the_six_month_extension_is_accepted_and_nothing_is_left_after_it(office):
    pns = _employee(office)
    _file(pns, D(2026, 11, 2), D(2027, 11, 1))
    assert _file(pns, D(2027, 11, 2), D(2028, 5, 1)).pk
    message = _refused(pns, D(2028, 5, 2), D(2028, 5, 5))["date_to"][0]
    assert "2 November 2026 – 1 November 2027" in message
    assert "2 November 2027 – 1 Mei 2028" in message
    assert message.endswith(
        "Tidak ada sisa cuti sakit yang dapat diajukan. Bagian setelah 1 November 2027 adalah "
        "perpanjangan, yang hanya diberikan bila masih diperlukan berdasarkan surat keterangan "
        "dokter dari tim penguji kesehatan."
    )


def test_many_short_requests_add_up(office):
    pns = _employee(office)
    # Six three-month requests back to back: the sixth passes 18 months.
    start = D(2026, 11, 2)
    for _ in range(5):
        end = services.months_last_day(start, 3)
        _file(pns, start, end)
        start = end + dt.timedelta(days=1)
    assert start == D(2028, 2, 2)
    assert _file(pns, start, D(2028, 5, 1)).pk
    assert "Tidak ada sisa" in _refused(pns, D(2028, 5, 2), D(2028, 5, 2))["date_to"][0]


def test_a_weekend_between_still_joins_the_requests(office):
    pns = _employee(office)
    _file(pns, D(2026, 11, 2), D(2027, 10, 29))  # ends on a Friday
    message = _refused(pns, D(2027, 11, 1), D(2028, 10, 31))["date_to"][0]  # from the Monday
    assert "sampai 1 Mei 2028" in message
    assert "Sisa 185 hari kalender." in message


def test_a_holiday_between_still_joins_the_requests(office):
    pns = _employee(office)
    _file(pns, D(2026, 11, 2), D(2027, 10, 29))  # Friday
    holiday(office.instansi, D(2027, 11, 1), name="Libur daerah")  # Monday
    assert "bersambung" in _refused(pns, D(2027, 11, 2), D(2028, 10, 31))["date_to"][0]


def test_a_working_day_between_starts_a_new_sick_leave(office):
    pns = _employee(office)
    _file(pns, D(2026, 11, 2), D(2027, 10, 29))  # Friday
    # Monday 1 November 2027 is a working day not on sick leave: a new sickness.
    assert _file(pns, D(2027, 11, 2), D(2028, 10, 31)).pk


def test_a_request_before_an_existing_one_is_joined_too(office):
    pns = _employee(office)
    _file(pns, D(2027, 1, 4), D(2028, 1, 3))
    _file(pns, D(2028, 1, 4), D(2028, 5, 3))
    message = _refused(pns, D(2026, 11, 2), D(2027, 1, 3))["date_from"][0]
    assert "dengan cuti sakit 4 Januari 2027 – 3 Januari 2028 (menunggu atasan), " in message
    assert "4 Januari – 3 Mei 2028 (menunggu atasan), jadi" in message
    assert "mulai 2 November 2026" in message and "sampai 1 Mei 2028" in message
    assert "Sisa 61 hari kalender." in message
    # Two days later it fits in the 18 months from its own first day.
    assert _file(pns, D(2026, 11, 4), D(2027, 1, 3)).pk


def test_a_cpns_has_the_same_cap_as_a_pns(office):
    cpns = _employee(office, "CPNS", appointed=(2025, 1))
    _file(cpns, D(2026, 11, 2), D(2027, 11, 1))
    assert "sampai 1 Mei 2028" in _refused(cpns, D(2027, 11, 2), D(2028, 6, 1))["date_to"][0]


def test_refused_and_cancelled_requests_free_their_days(office):
    pns = _employee(office)
    first = _file(pns, D(2026, 11, 2), D(2027, 11, 1))
    _refused(pns, D(2027, 11, 2), D(2028, 11, 1))
    services.leave_request_cancel(actor=pns.user, request=first)
    assert _file(pns, D(2027, 11, 2), D(2028, 10, 31)).pk
    # A refused one does not count either.
    other = _employee(office)
    rejected = _record(other, D(2026, 11, 2), D(2027, 11, 1), status="rejected")
    assert rejected.pk and _file(other, D(2027, 11, 2), D(2028, 10, 31)).pk


def test_other_leave_types_are_not_joined(office):
    pns = _employee(office)
    LeaveRequest.objects.create(
        instansi_id=pns.instansi_id,
        employee=pns,
        leave_type=LeaveType.objects.get(instansi=pns.instansi, code="cltn"),
        date_from=D(2025, 11, 3),
        date_to=D(2026, 10, 30),
        status="approved",
    )
    assert _file(pns, D(2026, 11, 2), D(2027, 11, 1)).pk


# ---------------------------------------------------------------- PPPK: 1 month


def test_a_pppk_sick_leave_of_two_requests_is_capped_at_one_month(office):
    pppk = _employee(office, "PPPK", appointed=(2019, 1))
    _file(pppk, D(2026, 11, 2), D(2026, 11, 20))
    message = _refused(pppk, D(2026, 11, 23), D(2026, 12, 11))["date_to"][0]
    assert message == (
        "Cuti sakit ini bersambung (tanpa hari kerja di antaranya) dengan cuti sakit "
        "2–20 November 2026 (menunggu atasan), jadi dihitung sebagai satu cuti sakit mulai "
        "2 November 2026: cuti sakit PPPK paling lama 1 bulan (PP 49/2018 Pasal 83; Peraturan "
        "BKN 7/2022 Pasal 15), yaitu sampai 1 Desember 2026. Sisa 11 hari kalender. Cuti sakit "
        "karena gugur kandungan atau kecelakaan kerja dicatat BKPSDM berdasarkan keputusan "
        "cutinya."
    )
    assert _file(pppk, D(2026, 11, 23), D(2026, 12, 1)).pk


# ---------------------------------------------------------------- at the decision


def test_the_approval_refuses_once_a_joining_sick_leave_was_approved_meanwhile(office):
    pns = _employee(office)
    ext = _file(pns, D(2027, 11, 2), D(2028, 5, 1))  # six months: fine by itself
    # Approved elsewhere since (paper decisions): a year ending the day before, and a month
    # before that, so the run starts on 5 October 2026 and may last until 4 April 2028.
    _record(pns, D(2026, 11, 2), D(2027, 11, 1))
    _record(pns, D(2026, 10, 5), D(2026, 10, 30))  # ends on a Friday
    with pytest.raises(ValidationError) as exc:
        services.leave_request_decide(actor=office.kepala.user, request=ext, approve=True)
    message = exc.value.message_dict["date_to"][0]
    assert "5–30 Oktober 2026 (disetujui), 2 November 2026 – 1 November 2027 (disetujui)" in (
        message
    )
    assert "mulai 5 Oktober 2026" in message and "sampai 4 April 2028" in message
    ext.refresh_from_db()
    assert ext.status == "submitted"


def test_the_approval_passes_when_the_run_fits(office):
    pns = _employee(office)
    _record(pns, D(2026, 11, 2), D(2027, 11, 1))
    ext = _file(pns, D(2027, 11, 2), D(2028, 5, 1))
    services.leave_request_decide(actor=office.kepala.user, request=ext, approve=True)
    ext.refresh_from_db()
    assert ext.status == "approved"


# ---------------------------------------------------------------- the web form and the cost


def test_the_leave_form_shows_the_refusal_under_sampai(office, client):
    pns = _employee(office)
    _record(pns, D(2026, 11, 2), D(2027, 11, 1))
    client.force_login(pns.user)
    response = client.post(
        "/kehadiran/cuti/",
        {
            "leave_type": LeaveType.objects.get(instansi=pns.instansi, code="sakit").pk,
            "date_from": "2027-11-02",
            "date_to": "2028-06-01",
            "attachment": SimpleUploadedFile("surat.pdf", b"%PDF-1.4 surat dokter"),
        },
    )
    assert response.status_code == 200
    assert (
        response.context["form"]
        .errors["date_to"][0]
        .startswith(
            "Cuti sakit ini bersambung (tanpa hari kerja di antaranya) dengan cuti sakit "
            "2 November 2026 – 1 November 2027 (disetujui)"
        )
    )
    assert LeaveRequest.objects.filter(employee=pns).count() == 1


@pytest.mark.parametrize("requests", [2, 8])
def test_the_neighbours_are_read_in_a_fixed_number_of_queries(
    office, django_assert_num_queries, requests
):
    pns = _employee(office)
    start = D(2026, 11, 2)  # a Monday; each request Monday-Thursday, a working Friday between
    for _ in range(requests):
        _record(pns, start, start + dt.timedelta(days=3))
        start += dt.timedelta(days=7)
    # One query for the neighbours and one calendar read (workcal.leave_days) for the gaps,
    # however many requests there are.
    with django_assert_num_queries(9):
        services._check_sick_run(pns, start, start + dt.timedelta(days=3), None)
    # With no sick leave near, the one query only.
    with django_assert_num_queries(1):
        services._check_sick_run(pns, D(2029, 1, 1), D(2029, 1, 5), None)
