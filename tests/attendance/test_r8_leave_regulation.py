"""Leave by the regulation, part two (review R8, 7 December 2026): cuti melahirkan and the sex in
the NIP, cuti besar less the cuti tahunan taken in its year (Peraturan BKN 24/2017), a cuti besar
against cuti tahunan already filed on what its year would have carried over (PP 11/2017 Pasal 312,
316), and the longest sick leave (PP 17/2020 Pasal 320; PPPK: PP 49/2018, Peraturan BKN 7/2022)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ekinerja.attendance import services
from ekinerja.attendance.models import LeaveRequest, LeaveType
from ekinerja.core.periods import tanggal
from ekinerja.workcal import selectors as workcal
from tests.attendance.conftest import D
from tests.factories import AssignmentFactory, employee_with_login, make_nip

# Today is 1 October 2026 (local), so the leave of these tests is in the future.
pytestmark = pytest.mark.usefixtures("today")


@pytest.fixture
def today():
    with time_machine.travel(dt.datetime(2026, 10, 1, 2, tzinfo=dt.UTC), tick=False):
        yield


def _file(emp, code, start, end):
    return services.leave_request_submit(
        actor=emp.user,
        employee=emp,
        leave_type=LeaveType.objects.get(instansi=emp.instansi, code=code),
        date_from=start,
        date_to=end,
        attachment=SimpleUploadedFile("surat.pdf", b"%PDF-1.4 surat"),
    )


def _refused(emp, code, start, end) -> dict:
    with pytest.raises(ValidationError) as exc:
        _file(emp, code, start, end)
    return exc.value.message_dict


def _employee(office, status="PNS", *, sex=2, nip=None, appointed=(2010, 3)):
    e = employee_with_login(
        office.instansi,
        name=f"Pegawai {status}",
        nip=nip or make_nip(appointed=appointed, pppk=status == "PPPK", sex=sex),
        status=status,
        golongan="" if status == "PPPK" else "III/a",
    )
    AssignmentFactory(
        employee=e, position=office.ani.assignments.get().position, start=D(*appointed, 1)
    )
    return e


def _record(emp, code, start, end, working_days, status="approved"):
    return LeaveRequest.objects.create(
        instansi_id=emp.instansi_id,
        employee=emp,
        leave_type=LeaveType.objects.get(instansi=emp.instansi, code=code),
        date_from=start,
        date_to=end,
        working_days=working_days,
        status=status,
    )


# ---------------------------------------------------------------- 1. cuti melahirkan and the NIP


def test_a_man_is_refused_cuti_melahirkan_and_told_of_cuti_karena_alasan_penting(office):
    father = _employee(office, "PNS", sex=1)
    message = _refused(father, "cuti_melahirkan", D(2026, 11, 2), D(2026, 11, 6))["leave_type"]
    assert message == [
        "Cuti melahirkan hanya untuk PNS perempuan yang melahirkan (PP 11/2017 Pasal 325), "
        "sedangkan NIP Anda (digit ke-15) tercatat laki-laki. Untuk mendampingi istri yang "
        "melahirkan atau menjalani operasi caesar, ajukan cuti karena alasan penting dengan "
        "surat keterangan rawat inap dari unit pelayanan kesehatan (Peraturan BKN 24/2017)."
    ]
    assert not LeaveRequest.objects.filter(employee=father).exists()
    # ... and that leave is open to him.
    assert _file(father, "cuti_alasan_penting", D(2026, 11, 2), D(2026, 11, 6)).pk


def test_a_male_pppk_is_told_of_cuti_tahunan_as_pppk_have_no_cuti_karena_alasan_penting(office):
    father = _employee(office, "PPPK", sex=1, appointed=(2019, 1))
    message = _refused(father, "cuti_melahirkan", D(2026, 11, 2), D(2026, 11, 6))["leave_type"][0]
    assert message.startswith("Cuti melahirkan hanya untuk PPPK perempuan yang melahirkan")
    assert "Peraturan BKN 7/2022 Pasal 18" in message
    assert "PPPK tidak berhak atas cuti karena alasan penting" in message
    assert message.endswith("ajukan cuti tahunan.")


def test_a_woman_files_cuti_melahirkan_and_an_invalid_nip_is_not_read_for_the_sex(office):
    assert _file(_employee(office, sex=2), "cuti_melahirkan", D(2026, 11, 2), D(2026, 11, 6)).pk
    # Digit 15 is 1, but the NIP is no valid NIP (month 13): nothing is refused on it.
    odd = _employee(office, nip="198505172010131001")
    assert _file(odd, "cuti_melahirkan", D(2026, 11, 2), D(2026, 11, 6)).pk


def test_the_leave_form_does_not_offer_a_man_cuti_melahirkan(office, client):
    father = _employee(office, "PNS", sex=1)
    client.force_login(father.user)
    page = client.get("/kehadiran/cuti/").content.decode()
    form = page.split('data-testid="leave-form"')[1].split("</form>")[0]
    assert "Cuti melahirkan" not in form
    assert "Cuti karena alasan penting" in form
    client.force_login(_employee(office, "PNS", sex=2).user)
    page = client.get("/kehadiran/cuti/").content.decode()
    assert "Cuti melahirkan" in page.split('data-testid="leave-form"')[1].split("</form>")[0]


# ---------------------------------------------------------------- 2. cuti besar less cuti tahunan


def test_cuti_besar_is_shortened_by_the_cuti_tahunan_taken_in_its_year(office):
    pns = _employee(office)
    _record(pns, "cuti_tahunan", D(2026, 3, 2), D(2026, 3, 6), working_days=5)
    start, end = D(2026, 11, 2), D(2027, 2, 1)
    span = workcal.leave_days([pns], start, end)[pns.id]
    last = span[len(span) - 5 - 1]  # five working days come off the end of the 3 months
    message = _refused(pns, "cuti_besar", start, end)["date_to"]
    assert message == [
        "Cuti besar paling lama 3 bulan dikurangi cuti tahunan yang telah digunakan pada tahun "
        f"2026 (5 hari kerja) (Peraturan BKN 24/2017): paling lama {len(span) - 5} hari kerja, "
        f"paling lambat sampai {tanggal(last)}."
    ]
    req = _file(pns, "cuti_besar", start, last)
    assert req.working_days == len(span) - 5


def test_cuti_tahunan_of_another_year_or_cancelled_does_not_shorten_cuti_besar(office):
    pns = _employee(office)
    _record(pns, "cuti_tahunan", D(2025, 3, 3), D(2025, 3, 7), working_days=5)
    _record(pns, "cuti_tahunan", D(2026, 3, 2), D(2026, 3, 6), working_days=5, status="cancelled")
    assert _file(pns, "cuti_besar", D(2026, 11, 2), D(2027, 2, 1)).pk


# ---------------------------------------------------------------- 3. cuti besar and later years


def test_cuti_besar_is_refused_while_next_years_cuti_tahunan_needs_the_carry_over(office):
    pns = _employee(office)  # nothing taken in 2025 and 2026: 2027 gives 24 working days
    annual = _file(pns, "cuti_tahunan", D(2027, 1, 4), D(2027, 1, 22))
    assert annual.working_days == 15
    message = _refused(pns, "cuti_besar", D(2026, 11, 2), D(2027, 1, 1))["date_from"]
    assert message == [
        "PNS yang menggunakan cuti besar tidak berhak atas cuti tahunan 2026 (PP 11/2017 Pasal "
        "316), jadi tidak ada sisa cuti tahunan 2026 yang terbawa ke 2027: cuti tahunan 2027 yang "
        "sudah diajukan atau disetujui 15 hari kerja, sedangkan hak 2027 menjadi 12 hari kerja. "
        "Batalkan atau kurangi cuti tahunan tersebut lebih dulu."
    ]
    assert not LeaveRequest.objects.filter(employee=pns, leave_type__code="cuti_besar").exists()
    services.leave_request_cancel(actor=pns.user, request=annual)
    assert _file(pns, "cuti_besar", D(2026, 11, 2), D(2027, 1, 1)).pk


def test_cuti_besar_is_filed_when_next_years_cuti_tahunan_fits_without_the_carry_over(office):
    pns = _employee(office)
    _file(pns, "cuti_tahunan", D(2027, 2, 1), D(2027, 2, 16))  # 12 working days
    assert _file(pns, "cuti_besar", D(2026, 11, 2), D(2027, 1, 1)).pk


def test_the_approval_refuses_a_cuti_besar_once_next_years_cuti_tahunan_needs_the_carry_over(
    office,
):
    pns = _employee(office)
    big = _file(pns, "cuti_besar", D(2026, 11, 2), D(2027, 1, 1))
    services.leave_request_decide(actor=office.kepala.user, request=big, approve=True)
    # A paper decision recorded since (no checks there) uses what 2026 would have carried over.
    _record(pns, "cuti_tahunan", D(2027, 1, 4), D(2027, 1, 22), working_days=15)
    with pytest.raises(ValidationError) as exc:
        services.leave_request_decide(actor=office.bkpsdm_user, request=big, approve=True)
    assert "hak 2027 menjadi 12 hari kerja" in exc.value.message_dict["date_from"][0]
    big.refresh_from_db()
    assert big.status == "awaiting_bkpsdm"


# ---------------------------------------------------------------- 4. the longest sick leave


def test_a_pns_sick_leave_is_at_most_one_year_and_the_extension_is_its_own_request(office):
    pns = _employee(office)
    message = _refused(pns, "sakit", D(2026, 11, 2), D(2027, 11, 2))["date_to"]
    assert message == [
        "Cuti sakit paling lama 1 tahun (PP 11/2017 Pasal 320 ayat (3) sebagaimana diubah PP "
        "17/2020); perpanjangannya paling lama 6 bulan berdasarkan surat keterangan tim penguji "
        "kesehatan (ayat (4)) diajukan sebagai permohonan tersendiri: paling lambat sampai "
        "1 November 2027."
    ]
    assert _file(pns, "sakit", D(2026, 11, 2), D(2027, 11, 1)).pk


def test_a_pppk_sick_leave_is_at_most_one_month(office):
    pppk = _employee(office, "PPPK", appointed=(2019, 1))
    message = _refused(pppk, "sakit", D(2026, 11, 2), D(2026, 12, 2))["date_to"][0]
    assert message.startswith(
        "Cuti sakit PPPK paling lama 1 bulan (PP 49/2018 Pasal 83; Peraturan BKN 7/2022 Pasal 15)"
    )
    assert "gugur kandungan" in message and "kecelakaan kerja" in message
    assert message.endswith("paling lambat sampai 1 Desember 2026.")
    assert _file(pppk, "sakit", D(2026, 11, 2), D(2026, 12, 1)).pk
