"""H2: the roster page's "Salin dari bulan lalu", its xlsx filled in and uploaded back, overlapping
shifts refused, and a one-day sick leave without a doctor's letter (PP 11/2017)."""

from __future__ import annotations

import datetime as dt
import html
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.attendance import services
from ekinerja.attendance.models import LeaveRequest, LeaveType
from ekinerja.core import locked_months
from ekinerja.workcal.models import ShiftRoster
from ekinerja.workcal.services import roster_set
from tests.factories import employee_with_login, shift_schedule

from .conftest import D

URL = reverse("attendance:roster")
T = dt.time


OCT_1, OCT_31 = D(2026, 10, 1), D(2026, 10, 31)


def _roster(emp, first=OCT_1, last=OCT_31) -> dict:
    return {
        r.date: r.shift.code
        for r in ShiftRoster.objects.filter(
            employee=emp, date__gte=first, date__lte=last
        ).select_related("shift")
    }


def _set(office, emp, codes: dict):
    roster_set(
        actor=None,
        instansi=office.instansi,
        schedule=office.shifts,
        entries=[(emp, day, code) for day, code in codes.items()],
    )


def _page(response) -> str:
    return html.unescape(response.content.decode())


def _copy(client, office, periode="2026-10", **data):
    return client.post(
        f"{URL}?unit={office.unit.id}&periode={periode}",
        {"periode": periode, "aksi": "salin", **data},
        follow=True,
    )


# ---------------------------------------------------------------- "Salin dari bulan lalu"

ROTATION = ["P", "P", "S", "S", "M", "M", None, None]  # eight days: P P S S M M off off


def _september_rotation(office, emp, offset=0):
    """The last 28 days of September (3-30) on an eight-day rotation."""
    days = [D(2026, 9, 3) + dt.timedelta(days=i) for i in range(28)]
    _set(office, emp, {d: ROTATION[(i + offset) % 8] for i, d in enumerate(days)})
    return days


def test_copy_repeats_the_last_four_weeks_on_the_same_weekdays(client, office):
    days = _september_rotation(office, office.nurse)
    client.force_login(office.bkpsdm_user)
    page = _page(_copy(client, office))
    assert "Roster September 2026 disalin ke Oktober 2026" in page
    october = _roster(office.nurse)
    september = _roster(office.nurse, D(2026, 9, 1), D(2026, 9, 30))
    for k in range(31):
        day = D(2026, 10, 1) + dt.timedelta(days=k)
        source = days[k % 28]
        assert day.weekday() == source.weekday()  # 28 days back: the same weekday
        assert october.get(day) == september.get(source), day


def test_copy_with_the_ward_cycle_continues_the_rotation(client, office):
    _september_rotation(office, office.nurse)
    client.force_login(office.bkpsdm_user)
    _copy(client, office, siklus="8")
    # September 30 was day 27 of the rotation (27 % 8 == 3: S); October 1 goes on with M.
    october = _roster(office.nurse)
    got = [october.get(D(2026, 10, 1) + dt.timedelta(days=k)) for k in range(16)]
    assert got == [ROTATION[(28 + k) % 8] for k in range(16)]
    assert got[:4] == ["M", "M", None, None]


def test_filled_days_are_kept_unless_overwrite_is_asked(client, office):
    _september_rotation(office, office.nurse)
    _set(office, office.nurse, {D(2026, 10, 1): "S"})  # the pattern says P
    client.force_login(office.bkpsdm_user)
    page = _page(_copy(client, office))
    assert _roster(office.nurse)[D(2026, 10, 1)] == "S"
    assert "hari yang sudah terisi dibiarkan" in page
    _copy(client, office, timpa="1")
    assert _roster(office.nurse)[D(2026, 10, 1)] == "P"


def test_copy_refuses_a_locked_month_and_an_own_row_with_reasons(client, office, monkeypatch):
    nurse2 = employee_with_login(
        office.instansi, office.nurse.assignments.first().position, name="Rina Perawat"
    )
    from tests.factories import put_on_schedule

    put_on_schedule(nurse2, office.shifts)
    _september_rotation(office, office.nurse)
    _september_rotation(office, nurse2, offset=2)
    monkeypatch.setattr(
        locked_months,
        "_source",
        [lambda _inst, pairs: {p for p in pairs if p == (office.nurse.id, "2026-10")}],
    )
    client.force_login(office.bkpsdm_user)
    page = _page(_copy(client, office))
    assert "Nina Perawat: TPP Oktober 2026 sudah dikunci; roster bulan ini tidak disalin." in page
    assert _roster(office.nurse) == {}
    assert len(_roster(nurse2)) > 20  # the other nurse is copied
    # The nurse herself (given the right to roster the unit) never copies her own row.
    from tests.factories import grant

    ShiftRoster.objects.filter(date__month=10).delete()
    monkeypatch.setattr(locked_months, "_source", [])
    grant(nurse2.user, "bkpsdm")
    client.force_login(nurse2.user)
    page = _page(_copy(client, office))
    assert "Rina Perawat: Roster Anda sendiri tidak dapat Anda ubah" in page
    assert _roster(nurse2) == {} and len(_roster(office.nurse)) > 20


def test_copy_skips_a_shift_the_current_schedule_lacks(client, office):
    _september_rotation(office, office.nurse)
    from ekinerja.workcal.models import EmployeeSchedule

    other = shift_schedule(office.instansi, code="IGD", shifts={"P": (T(7), T(14))})
    EmployeeSchedule.objects.filter(employee=office.nurse).update(date_to=D(2026, 9, 30))
    from tests.factories import put_on_schedule

    put_on_schedule(office.nurse, other, date_from=D(2026, 10, 1))
    client.force_login(office.bkpsdm_user)
    page = _page(_copy(client, office))
    assert "Nina Perawat: shift S tidak ada di jadwalnya pada" in page
    assert set(_roster(office.nurse).values()) == {"P"}


def test_copy_is_refused_for_an_employee_without_a_roster_last_month(client, office):
    client.force_login(office.bkpsdm_user)
    page = _page(_copy(client, office))
    assert "Nina Perawat: tidak ada roster pada 3 September 2026 s.d. 30 September 2026" in page
    assert _roster(office.nurse) == {}


def test_copy_needs_the_right_to_roster(client, office):
    _september_rotation(office, office.nurse)
    client.force_login(office.ani.user)
    response = client.post(
        f"{URL}?unit={office.unit.id}&periode=2026-10", {"periode": "2026-10", "aksi": "salin"}
    )
    assert response.status_code == 403
    assert _roster(office.nurse) == {}


def _more_nurses(office, n):
    from tests.factories import put_on_schedule

    pos = office.nurse.assignments.first().position
    out = []
    for i in range(n):
        e = employee_with_login(office.instansi, pos, name=f"Perawat {i}")
        put_on_schedule(e, office.shifts)
        _september_rotation(office, e, offset=i)
        out.append(e)
    return out


def test_copy_costs_the_same_queries_for_more_staff(client, office):
    _september_rotation(office, office.nurse)
    client.force_login(office.bkpsdm_user)
    with CaptureQueriesContext(connection) as few:
        _copy(client, office)
    ShiftRoster.objects.filter(date__month=10).delete()
    _more_nurses(office, 6)
    with CaptureQueriesContext(connection) as many:
        _copy(client, office)
    assert ShiftRoster.objects.filter(date__month=10).values("employee").distinct().count() == 7
    assert len(many.captured_queries) <= len(few.captured_queries), [
        q["sql"] for q in many.captured_queries
    ]


# ---------------------------------------------------------------- overlapping shifts


def test_a_morning_shift_starting_before_last_nights_ends_is_refused(client, office):
    early = shift_schedule(
        office.instansi,
        code="RS2",
        shifts={"M": (T(21), T(7)), "P6": (T(6), T(13)), "P": (T(7), T(14))},
    )
    from ekinerja.workcal.models import EmployeeSchedule
    from tests.factories import put_on_schedule

    EmployeeSchedule.objects.filter(employee=office.nurse).delete()
    put_on_schedule(office.nurse, early)
    client.force_login(office.bkpsdm_user)
    data = {
        "periode": "2026-10",
        f"r:{office.nurse.id}:2026-10-03": "M",
        f"r:{office.nurse.id}:2026-10-04": "P6",
    }
    response = client.post(f"{URL}?unit={office.unit.id}&periode=2026-10", data)
    assert response.status_code == 400
    page = _page(response)
    assert (
        "Nina Perawat, 4 Oktober 2026: shift P6 (06.00-13.00) mulai sebelum shift M "
        "(21.00-07.00) tanggal 3 Oktober 2026 selesai; kedua shift tumpang tindih." in page
    )
    assert page.count('data-testid="roster-cell-invalid"') == 2
    assert _roster(office.nurse) == {}
    # M until 07.00 and P from 07.00 meet without overlapping.
    data[f"r:{office.nurse.id}:2026-10-04"] = "P"
    assert client.post(f"{URL}?unit={office.unit.id}&periode=2026-10", data).status_code == 302
    assert _roster(office.nurse) == {D(2026, 10, 3): "M", D(2026, 10, 4): "P"}


def test_roster_set_refuses_a_shift_overlapping_one_already_rostered(office):
    custom = shift_schedule(
        office.instansi, code="LAB", shifts={"L": (T(16), T(8)), "P": (T(7), T(14))}
    )
    _set_custom = dict(actor=None, instansi=office.instansi, schedule=custom)
    roster_set(**_set_custom, entries=[(office.nurse, D(2026, 10, 10), "P")])
    with pytest.raises(ValidationError) as exc:
        roster_set(**_set_custom, entries=[(office.nurse, D(2026, 10, 9), "L")])
    (message,) = exc.value.message_dict["entries"]
    assert "10 Oktober 2026: shift P (07.00-14.00) mulai sebelum shift L (16.00-08.00)" in message
    assert "9 Oktober 2026" in message
    # Clearing the morning in the same go makes it fine.
    roster_set(
        **_set_custom,
        entries=[(office.nurse, D(2026, 10, 9), "L"), (office.nurse, D(2026, 10, 10), None)],
    )
    assert _roster(office.nurse) == {D(2026, 10, 9): "L"}


def test_the_admin_form_refuses_an_overlapping_shift(admin_client, office):
    from ekinerja.workcal.models import Shift

    custom = shift_schedule(office.instansi, code="LAB", shifts={"L": (T(16), T(8))})
    _set(office, office.nurse, {D(2026, 10, 10): "P"})
    response = admin_client.post(
        reverse("admin:workcal_shiftroster_add"),
        {
            "instansi": office.instansi.id,
            "employee": office.nurse.id,
            "date": "2026-10-09",
            "shift": Shift.objects.get(schedule=custom, code="L").id,
        },
    )
    assert response.status_code == 200
    assert "tumpang tindih" in _page(response)
    assert _roster(office.nurse) == {D(2026, 10, 10): "P"}


# ---------------------------------------------------------------- xlsx import


def _download(client, office) -> openpyxl.Workbook:
    response = client.get(URL, {"unit": office.unit.id, "periode": "2026-10", "format": "xlsx"})
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _upload(client, office, wb, name="roster.xlsx"):
    buf = io.BytesIO()
    wb.save(buf)
    return client.post(
        f"{URL}?unit={office.unit.id}&periode=2026-10",
        {
            "periode": "2026-10",
            "aksi": "impor",
            "berkas": SimpleUploadedFile(name, buf.getvalue()),
        },
    )


def _nurse_row(ws, nurse) -> int:
    for row in ws.iter_rows(min_col=2, max_col=2):
        if row[0].value and f"({nurse.nip})" in str(row[0].value):
            return row[0].row
    raise AssertionError("row not found")


def test_the_downloaded_sheet_filled_in_is_imported(client, office):
    _set(office, office.nurse, {D(2026, 10, 2): "S"})
    client.force_login(office.bkpsdm_user)
    wb = _download(client, office)
    ws = wb["Roster"]
    r = _nurse_row(ws, office.nurse)
    ws.cell(r, 3).value = "m"  # 1 Oct, lower case accepted
    ws.cell(r, 4).value = None  # 2 Oct: S cleared
    ws.cell(r, 5).value = "P"  # 3 Oct
    response = _upload(client, office, wb)
    assert response.status_code == 302
    assert _roster(office.nurse) == {D(2026, 10, 1): "M", D(2026, 10, 3): "P"}
    page = _page(client.get(response["Location"]))
    assert "Roster Oktober 2026 diimpor dari roster.xlsx: 3 hari diubah." in page


def test_every_problem_is_listed_by_cell_and_nothing_is_saved(client, office):
    client.force_login(office.bkpsdm_user)
    wb = _download(client, office)
    ws = wb["Roster"]
    r = _nurse_row(ws, office.nurse)
    ws.cell(r, 3).value = "P"  # fine on its own
    ws.cell(r, 5).value = "X"  # 3 Oct: no such shift
    ws.cell(r + 1, 1).value = 2
    ws.cell(r + 1, 2).value = "Orang Lain (199901012020011999)"
    ws.cell(r + 2, 1).value = 3
    ws.cell(r + 2, 2).value = ws.cell(r, 2).value  # the nurse twice
    response = _upload(client, office, wb)
    assert response.status_code == 400
    page = _page(response)
    assert 'data-testid="roster-import-errors"' in page
    assert (
        f"Sel E{r} (Nina Perawat, 3 Oktober 2026): shift 'X' tidak ada di jadwal RS (M, P, S)"
        in page
    )
    assert f"Baris {r + 1}: 'Orang Lain (199901012020011999)' bukan pegawai shift" in page
    assert f"Baris {r + 2}: Nina Perawat sudah ada di baris {r}." in page
    assert _roster(office.nurse) == {}


def test_a_sheet_of_another_month_or_with_moved_columns_is_refused(client, office):
    client.force_login(office.bkpsdm_user)
    wb = _download(client, office)
    ws = wb["Roster"]
    ws.cell(2, 1).value = "Bulan November 2026"
    page = _page(_upload(client, office, wb))
    assert "Berkas ini untuk November 2026, bukan Oktober 2026" in page
    wb = _download(client, office)
    ws = wb["Roster"]
    ws.delete_cols(4)
    page = _page(_upload(client, office, wb))
    assert "harus tanggal 2, tertulis '3" in page
    response = _upload_bytes(client, office, b"not a spreadsheet")
    assert "Berkas bukan spreadsheet Excel (.xlsx)." in _page(response)
    assert _roster(office.nurse) == {}


def _upload_bytes(client, office, data):
    return client.post(
        f"{URL}?unit={office.unit.id}&periode=2026-10",
        {"periode": "2026-10", "aksi": "impor", "berkas": SimpleUploadedFile("r.xlsx", data)},
    )


def test_an_overlap_in_the_sheet_is_refused(client, office):
    early = shift_schedule(
        office.instansi, code="RS2", shifts={"M": (T(21), T(7)), "P6": (T(6), T(13))}
    )
    from ekinerja.workcal.models import EmployeeSchedule
    from tests.factories import put_on_schedule

    EmployeeSchedule.objects.filter(employee=office.nurse).delete()
    put_on_schedule(office.nurse, early)
    client.force_login(office.bkpsdm_user)
    wb = _download(client, office)
    ws = wb["Roster"]
    r = _nurse_row(ws, office.nurse)
    ws.cell(r, 3).value, ws.cell(r, 4).value = "M", "P6"
    page = _page(_upload(client, office, wb))
    assert "2 Oktober 2026: shift P6 (06.00-13.00) mulai sebelum shift M" in page
    assert _roster(office.nurse) == {}


def test_a_cell_the_user_may_not_roster_is_refused_in_the_sheet(client, office):
    """The nurse, given BKPSDM's role, uploads a sheet changing her own row."""
    from tests.factories import grant

    grant(office.nurse.user, "bkpsdm")
    client.force_login(office.nurse.user)
    wb = _download(client, office)
    ws = wb["Roster"]
    r = _nurse_row(ws, office.nurse)
    ws.cell(r, 3).value = "P"
    page = _page(_upload(client, office, wb))
    assert f"Baris {r} (Nina Perawat): Roster Anda sendiri tidak dapat Anda ubah" in page
    assert _roster(office.nurse) == {}


def test_import_costs_the_same_queries_for_more_staff(client, office):
    client.force_login(office.bkpsdm_user)

    def fill_and_upload():
        wb = _download(client, office)
        ws = wb["Roster"]
        for row in ws.iter_rows(min_col=2, max_col=2):
            if row[0].value and str(row[0].value).endswith(")"):
                ws.cell(row[0].row, 3).value = "P"
        with CaptureQueriesContext(connection) as queries:
            assert _upload(client, office, wb).status_code == 302
        return len(queries.captured_queries)

    few = fill_and_upload()
    ShiftRoster.objects.all().delete()
    _more_nurses(office, 6)
    ShiftRoster.objects.all().delete()
    many = fill_and_upload()
    assert ShiftRoster.objects.filter(date=D(2026, 10, 1)).count() == 7
    assert many <= few


# ---------------------------------------------------------------- sick leave of one day


def _sick(office, first, last, attachment=None):
    return services.leave_request_submit(
        actor=office.ani.user,
        employee=office.ani,
        leave_type=LeaveType.objects.get(instansi=office.instansi, code="sakit"),
        date_from=first,
        date_to=last,
        attachment=attachment,
    )


def test_a_one_day_sick_leave_needs_the_doctors_letter_too(office):
    """PP 17/2020 (Pasal 320) and Peraturan BKN 7/2021 (III.C): a sickness of one day is reported
    to the direct superior with a doctor's letter, as a longer one. The letter was briefly
    waived for one day on 7 December 2026 on the unamended PP 11/2017; reverted the same day."""
    with pytest.raises(ValidationError) as exc:
        _sick(office, D(2026, 10, 5), D(2026, 10, 5))
    assert exc.value.message_dict["attachment"] == [
        "Cuti sakit wajib melampirkan surat keterangan dokter, juga untuk sakit 1 hari "
        "(PP 17/2020 Pasal 320)."
    ]
    letter = SimpleUploadedFile("surat.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    assert _sick(office, D(2026, 10, 5), D(2026, 10, 5), letter).working_days == 1


def test_other_types_needing_a_document_still_need_it_for_one_day(office):
    with pytest.raises(ValidationError) as exc:
        services.leave_request_submit(
            actor=office.ani.user,
            employee=office.ani,
            leave_type=LeaveType.objects.get(instansi=office.instansi, code="dinas_luar"),
            date_from=D(2026, 10, 5),
            date_to=D(2026, 10, 5),
        )
    assert exc.value.message_dict["attachment"] == ["Dinas luar wajib melampirkan dokumen."]


def test_the_leave_page_asks_for_the_letter_of_a_one_day_sick_leave(client, office):
    sakit = LeaveType.objects.get(instansi=office.instansi, code="sakit")
    client.force_login(office.ani.user)
    page = _page(
        client.post(
            "/kehadiran/cuti/",
            {"leave_type": sakit.pk, "date_from": "2026-10-22", "date_to": "2026-10-22"},
        )
    )
    assert "juga untuk sakit 1 hari" in page
    assert "Cuti sakit, juga 1 hari: lampirkan surat keterangan dokter." in page
    assert not LeaveRequest.objects.filter(employee=office.ani, leave_type=sakit).exists()
