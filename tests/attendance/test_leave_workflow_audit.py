"""Leave workflow audit: cuti tahunan filed on both sides of a new year, every problem of a refused
request told at once (and the file asked for again), the code of a leave type in use, an approved
leave withdrawn by the official from the employee's month page."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ekinerja.attendance import selectors, services
from ekinerja.attendance.models import LeaveRequest, LeaveType
from tests.attendance.conftest import D

pytestmark = pytest.mark.django_db
UTC = dt.UTC
DECEMBER = dt.datetime(2026, 11, 20, 2, tzinfo=UTC)


def _file(emp, code, first, last, attachment=None):
    return services.leave_request_submit(
        actor=emp.user,
        employee=emp,
        leave_type=LeaveType.objects.get(instansi_id=emp.instansi_id, code=code),
        date_from=first,
        date_to=last,
        attachment=attachment,
    )


# ---------------------------------------------------------------- cuti tahunan across a new year


@pytest.fixture
def since_2025(office):
    """Ani in post since 2025, nothing taken: 12 + 6 carried = 18 days in 2026."""
    office.ani.assignments.update(start=D(2025, 1, 1))
    assert selectors.annual_leave(office.ani, 2026).entitlement == 18
    return office.ani


@time_machine.travel(DECEMBER, tick=False)
def test_a_pending_december_leave_is_not_carried_into_january(office, since_2025):
    dec = _file(since_2025, "cuti_tahunan", D(2026, 12, 1), D(2026, 12, 16))
    assert dec.working_days == 12
    # Nothing of 2026 is left to carry once December is taken: 2027 has its own 12 only (before,
    # the pending December counted as unused: 18, and 24 with 2025 also untouched).
    assert selectors.annual_leave(since_2025, 2027).entitlement == 12
    with pytest.raises(ValidationError) as exc:
        _file(since_2025, "cuti_tahunan", D(2027, 1, 4), D(2027, 1, 20))  # 13 days
    assert "Sisa cuti tahunan 2027 hanya 12" in exc.value.message_dict["date_to"][0]
    services.leave_request_cancel(actor=since_2025.user, request=dec)
    assert selectors.annual_leave(since_2025, 2027).entitlement == 24


@time_machine.travel(DECEMBER, tick=False)
def test_a_december_leave_cannot_take_back_what_january_already_carries(office, since_2025):
    # Nothing taken in 2025 and 2026 (yet): 24 days in 2027, 14 of them filed for January.
    jan = _file(since_2025, "cuti_tahunan", D(2027, 1, 4), D(2027, 1, 21))
    assert jan.working_days == 14
    with pytest.raises(ValidationError) as exc:
        _file(since_2025, "cuti_tahunan", D(2026, 12, 1), D(2026, 12, 16))
    message = exc.value.message_dict["date_to"][0]
    assert "2027" in message and "14 hari kerja" in message
    # December taking all of 2026's 12 would leave 2027 its own 12 only: refused. Two days leave
    # 6 to carry, 2027 = 18 >= 14: allowed.
    dec = _file(since_2025, "cuti_tahunan", D(2026, 12, 1), D(2026, 12, 2))
    assert dec.working_days == 2


@time_machine.travel(DECEMBER, tick=False)
def test_approving_both_sides_of_the_new_year_counts_the_decided_request_once(office, since_2025):
    dec = _file(since_2025, "cuti_tahunan", D(2026, 12, 1), D(2026, 12, 8))  # 6 days
    # 2026: 6 taken, 6 of its 12 unused -> 6 carried: 2027 = 18.
    jan = _file(since_2025, "cuti_tahunan", D(2027, 1, 4), D(2027, 1, 27))  # 18 days
    assert (dec.working_days, jan.working_days) == (6, 18)
    services.leave_request_decide(actor=office.kepala.user, request=jan, approve=True)
    # Nothing changed since: the December request, reserved when January was filed, is approved
    # (not counted twice: as pending and as the one being decided).
    services.leave_request_decide(actor=office.kepala.user, request=dec, approve=True)
    dec.refresh_from_db()
    assert dec.status == "approved"


@time_machine.travel(DECEMBER, tick=False)
def test_approval_refuses_a_december_leave_that_january_no_longer_fits_beside(office, since_2025):
    dec = _file(since_2025, "cuti_tahunan", D(2026, 12, 1), D(2026, 12, 8))  # 6: 2027 = 18
    jan = _file(since_2025, "cuti_tahunan", D(2027, 1, 4), D(2027, 1, 27))  # 18
    services.leave_record_approved(  # a paper leave of 2026 entered meanwhile: 4 days
        actor=None,
        employee=since_2025,
        leave_type=LeaveType.objects.get(instansi=office.instansi, code="cuti_tahunan"),
        date_from=D(2026, 11, 23),
        date_to=D(2026, 11, 26),
    )
    with pytest.raises(ValidationError) as exc:
        services.leave_request_decide(actor=office.kepala.user, request=dec, approve=True)
    assert "hak 2027 menjadi 14 hari kerja" in exc.value.message_dict["date_to"][0]
    with pytest.raises(ValidationError):
        services.leave_request_decide(actor=office.kepala.user, request=jan, approve=True)


# ---------------------------------------------------------------- a refused form


def _pdf():
    return SimpleUploadedFile("surat-dokter.pdf", b"%PDF-1.4 surat dokter", "application/pdf")


def test_a_missing_sick_note_and_a_date_problem_are_told_together(office):
    _file(office.ani, "izin", D(2026, 10, 5), D(2026, 10, 5))
    with pytest.raises(ValidationError) as exc:
        _file(office.ani, "sakit", D(2026, 10, 5), D(2026, 10, 6))
    errors = exc.value.message_dict
    assert "wajib melampirkan" in errors["attachment"][0]
    assert "Bertumpang tindih" in errors["date_from"][0]


@time_machine.travel(dt.datetime(2026, 10, 20, 2, tzinfo=UTC), tick=False)
def test_a_refused_form_asks_for_the_file_again_and_keeps_the_rest(client, office):
    _file(office.ani, "izin", D(2026, 10, 22), D(2026, 10, 22))
    sakit = LeaveType.objects.get(instansi=office.instansi, code="sakit")
    client.force_login(office.ani.user)
    html = client.post(
        "/kehadiran/cuti/",
        {
            "leave_type": sakit.pk,
            "date_from": "2026-10-22",
            "date_to": "2026-10-23",
            "reason": "Demam tinggi",
            "attachment": _pdf(),
        },
    ).content.decode()
    assert "Bertumpang tindih" in html
    assert "Lampiran “surat-dokter.pdf” belum tersimpan: pilih berkasnya lagi" in html
    assert 'value="2026-10-22"' in html and 'value="2026-10-23"' in html
    assert "Demam tinggi" in html
    assert LeaveRequest.objects.filter(leave_type=sakit).count() == 0


# ---------------------------------------------------------------- the code of a leave type in use


def test_the_code_of_a_leave_type_in_use_is_not_changed_in_the_admin(client, office):
    """The code is the TPP policy's key: renamed, tugas belajar days would be paid in full."""
    tb = LeaveType.objects.get(instansi=office.instansi, code="tugas_belajar")
    services.leave_record_approved(
        actor=None,
        employee=office.ani,
        leave_type=tb,
        date_from=D(2026, 9, 1),
        date_to=D(2026, 12, 31),
    )
    office.bkpsdm_user.is_staff = True
    office.bkpsdm_user.save(update_fields=["is_staff"])
    client.force_login(office.bkpsdm_user)
    change = reverse("admin:attendance_leavetype_change", args=[tb.pk])
    form = {
        "code": "tubel",
        "name": "Tugas belajar (S2)",
        "needs_attachment": "on",
        "is_active": "on",
    }
    response = client.post(change, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    tb.refresh_from_db()
    assert (tb.code, tb.name) == ("tugas_belajar", "Tugas belajar (S2)")
    # A type nobody has used yet can still be corrected.
    unused = LeaveType.objects.create(
        instansi=office.instansi, code="cuti_khsus", name="Cuti khusus"
    )
    form = {"code": "cuti_khusus", "name": "Cuti khusus", "is_active": "on"}
    change = reverse("admin:attendance_leavetype_change", args=[unused.pk])
    assert client.post(change, form).status_code == 302
    unused.refresh_from_db()
    assert unused.code == "cuti_khusus"


# ---------------------------------------------------------------- an official withdraws a leave


@time_machine.travel(dt.datetime(2026, 10, 1, 2, tzinfo=UTC), tick=False)
def test_the_approving_superior_withdraws_a_leave_not_begun_from_the_month_page(client, office):
    req = _file(office.ani, "cuti_tahunan", D(2026, 10, 12), D(2026, 10, 13))
    services.leave_request_decide(actor=office.kepala.user, request=req, approve=True)
    page = f"/kehadiran/pegawai/{office.ani.pk}/?periode=2026-10"
    client.force_login(office.kepala.user)
    html = client.get(page).content.decode()
    assert f'data-testid="leave-revoke-{req.pk}"' in html
    cancel = f"/kehadiran/cuti/{req.pk}/batal/"
    response = client.post(cancel, {"next": page}, follow=True)
    assert "Alasan pembatalan wajib diisi." in response.content.decode()
    req.refresh_from_db()
    assert req.status == "approved"
    response = client.post(cancel, {"next": page, "reason": "Penangguhan: audit BPK"})
    assert response.status_code == 302 and response.url == page
    req.refresh_from_db()
    assert req.status == "cancelled" and req.decision_note == "Dibatalkan: Penangguhan: audit BPK"
    # A colleague's view has no such form, nor the employee's own month page.
    other = _file(office.ani, "izin", D(2026, 10, 14), D(2026, 10, 14))
    services.leave_request_decide(actor=office.kepala.user, request=other, approve=True)
    client.force_login(office.ani.user)
    assert "leave-revoke-" not in client.get("/kehadiran/?periode=2026-10").content.decode()
    assert client.post(cancel, {"next": "https://evil.example/"}).url == "/kehadiran/cuti/"
