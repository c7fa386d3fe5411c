"""Review of the work calendar's Django admin (where BKPSDM keeps schedules, variants, schedule
periods and rosters): a clash or a contradiction is refused on the form, on its field, in
Indonesian, with what was typed kept; never a server error page, never a second Ramadan variant over
the first."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from ekinerja.workcal.models import (
    EmployeeSchedule,
    Holiday,
    ScheduleDay,
    ScheduleVariant,
    Shift,
    ShiftRoster,
    WorkSchedule,
)
from ekinerja.workcal.services import schedule_problems
from tests.factories import (
    EmployeeFactory,
    InstansiFactory,
    UserFactory,
    fixed_schedule,
    grant,
    holiday,
    put_on_schedule,
    shift_schedule,
)

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def inst():
    return InstansiFactory(code="6301")


@pytest.fixture
def bkpsdm(client, inst):
    user = UserFactory(instansi=inst, is_staff=True)
    grant(user, "bkpsdm")
    client.force_login(user)
    return user


def _page(resp) -> str:
    return html.unescape(resp.content.decode())


def _field_errors(resp, field: str) -> list[str]:
    """The errors shown on one field's row of the admin form (or of an inline's row)."""
    page = _page(resp)
    found = []
    for block in re.findall(
        r'<ul class="errorlist"[^>]*id="id_' + re.escape(field) + r'_error"[^>]*>(.*?)</ul>',
        page,
        re.S,
    ):
        found += re.findall(r"<li>(.*?)</li>", block)
    return found


def _inline(prefix: str, rows: list[dict]) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def _schedule_post(code, days=(), shifts=(), **extra):
    return {
        "code": code,
        "name": f"Jadwal {code}",
        "kind": "shift" if shifts else "fixed",
        "grace_minutes": "0",
        "use_national_holidays": "on",
        **extra,
        **_inline("days", list(days)),
        **_inline("shifts", list(shifts)),
    }


MONDAY = {"weekday": "0", "start": "07:30", "end": "16:00"}


def test_a_second_holiday_of_the_same_date_and_name_is_a_field_error(client, bkpsdm, inst):
    """Before: services.holiday_create refused it inside save_model, a server error page."""
    holiday(inst, D(2026, 10, 20), "Hari Jadi Kabupaten")
    resp = client.post(
        "/admin/workcal/holiday/add/",
        {"date": "2026-10-20", "name": "Hari Jadi Kabupaten", "kind": "regional"},
    )
    assert resp.status_code == 200
    assert _field_errors(resp, "name") == [
        "Hari libur 'Hari Jadi Kabupaten' pada 20 Oktober 2026 sudah ada."
    ]
    assert 'value="Hari Jadi Kabupaten"' in _page(resp)  # what was typed is kept
    assert Holiday.objects.filter(instansi=inst).count() == 1
    # Another instansi's holiday of that date and name is no clash.
    other = InstansiFactory(code="7101")
    holiday(other, D(2026, 10, 21), "Hari Jadi")
    resp = client.post(
        "/admin/workcal/holiday/add/",
        {"date": "2026-10-21", "name": "Hari Jadi", "kind": "regional"},
    )
    assert resp.status_code == 302
    assert Holiday.objects.filter(instansi=inst, date=D(2026, 10, 21)).exists()


def test_a_schedule_code_already_used_is_a_field_error(client, bkpsdm, inst):
    """Before: the instansi is not on the form, so Django skipped the unique check and the database
    refused it (IntegrityError, a server error page)."""
    fixed_schedule(inst, code="5HK")
    fixed_schedule(InstansiFactory(code="7101"), code="6HK")  # another instansi's: no clash
    resp = client.post("/admin/workcal/workschedule/add/", _schedule_post("5HK", [MONDAY]))
    assert resp.status_code == 200
    assert _field_errors(resp, "code") == ["Kode jadwal 5HK sudah dipakai jadwal lain."]
    assert WorkSchedule.objects.filter(instansi=inst).count() == 1
    resp = client.post("/admin/workcal/workschedule/add/", _schedule_post("6HK", [MONDAY]))
    assert resp.status_code == 302
    assert WorkSchedule.objects.filter(instansi=inst, code="6HK").exists()


def test_a_second_default_schedule_is_a_field_error(client, bkpsdm, inst):
    fixed_schedule(inst, code="5HK", is_default=True)
    resp = client.post(
        "/admin/workcal/workschedule/add/", _schedule_post("6HK", [MONDAY], is_default="on")
    )
    assert resp.status_code == 200
    assert _field_errors(resp, "is_default") == [
        "Jadwal bawaan instansi sudah 5HK - Jadwal 5HK: hapus dahulu tanda bawaan di sana."
    ]
    assert list(WorkSchedule.objects.filter(is_default=True).values_list("code", flat=True)) == [
        "5HK"
    ]


def test_a_weekday_twice_or_a_day_that_ends_when_it_starts_is_refused_on_its_row(
    client, bkpsdm, inst
):
    """Before: a second Monday reached the database's (conditional) unique index, a server error
    page; a day from 07:30 to 07:30 was saved although schedule_define refuses it."""
    rows = [MONDAY, {"weekday": "0", "start": "08:00", "end": "16:00"}]
    resp = client.post("/admin/workcal/workschedule/add/", _schedule_post("6HK", rows))
    assert resp.status_code == 200
    assert _field_errors(resp, "days-1-weekday") == ["Hari Senin sudah diisi di baris lain."]
    rows = [MONDAY, {"weekday": "5", "start": "07:30", "end": "07:30"}]
    resp = client.post("/admin/workcal/workschedule/add/", _schedule_post("6HK", rows))
    assert _field_errors(resp, "days-1-end") == ["Sabtu: jam masuk dan pulang tidak boleh sama."]
    assert not WorkSchedule.objects.exists() and not ScheduleDay.objects.exists()
    # Editing a schedule with its days unchanged is no clash with itself.
    s = fixed_schedule(inst, code="5HK")
    days = list(s.days.order_by("weekday"))
    data = {
        "code": "5HK",
        "name": "Jadwal lima hari",
        "kind": "fixed",
        "grace_minutes": "15",
        "days-TOTAL_FORMS": str(len(days)),
        "days-INITIAL_FORMS": str(len(days)),
        "shifts-TOTAL_FORMS": "0",
        "shifts-INITIAL_FORMS": "0",
    }
    for i, d in enumerate(days):
        data.update(
            {
                f"days-{i}-id": str(d.pk),
                f"days-{i}-schedule": str(s.pk),
                f"days-{i}-weekday": str(d.weekday),
                f"days-{i}-start": d.start.strftime("%H:%M"),
                f"days-{i}-end": d.end.strftime("%H:%M"),
            }
        )
    resp = client.post(f"/admin/workcal/workschedule/{s.pk}/change/", data)
    assert resp.status_code == 302, _page(resp)[:3000]
    s.refresh_from_db()
    assert s.grace_minutes == 15 and s.days.count() == 5


def test_a_shift_code_twice_is_said_in_indonesian_on_its_row(client, bkpsdm, inst):
    shifts = [
        {"code": "P", "start": "07:00", "end": "14:00"},
        {"code": "P", "start": "14:00", "end": "21:00"},
        {"code": "M", "start": "21:00", "end": "21:00"},
    ]
    resp = client.post("/admin/workcal/workschedule/add/", _schedule_post("RS", shifts=shifts))
    assert resp.status_code == 200
    assert _field_errors(resp, "shifts-1-code") == ["Kode shift P sudah dipakai di baris lain."]
    assert _field_errors(resp, "shifts-2-end") == [
        "Shift M: jam mulai dan selesai tidak boleh sama."
    ]
    assert not Shift.objects.exists()
    # A night shift crossing midnight is fine.
    shifts[1]["code"], shifts[2]["end"] = "S", "07:00"
    resp = client.post("/admin/workcal/workschedule/add/", _schedule_post("RS", shifts=shifts))
    assert resp.status_code == 302
    assert Shift.objects.get(code="M").crosses_midnight


def _variant_post(schedule, name, date_from, date_to, days=(MONDAY,)):
    return {
        "schedule": str(schedule.pk),
        "name": name,
        "date_from": date_from,
        "date_to": date_to,
        **_inline("days", list(days)),
    }


def test_overlapping_ramadan_variants_are_refused(client, bkpsdm, inst):
    """Before: the admin saved a second variant over the first (schedule_variant_define refuses
    it), and which hours applied on the shared days depended on the order of the rows."""
    s = fixed_schedule(inst)
    ScheduleVariant.objects.create(
        instansi=inst,
        schedule=s,
        name="Ramadan 1447 H",
        date_from=D(2026, 2, 18),
        date_to=D(2026, 3, 19),
    )
    resp = client.post(
        "/admin/workcal/schedulevariant/add/",
        _variant_post(s, "Ramadan (koreksi)", "2026-03-01", "2026-03-25"),
    )
    assert resp.status_code == 200
    assert _field_errors(resp, "date_from") == [
        "Tumpang tindih dengan variasi 'Ramadan 1447 H' (18 Februari 2026 s.d. 19 Maret 2026)."
    ]
    assert 'value="Ramadan (koreksi)"' in _page(resp)
    assert ScheduleVariant.objects.count() == 1
    # Editing the variant itself (its own range) is no overlap.
    v = ScheduleVariant.objects.get()
    resp = client.post(
        f"/admin/workcal/schedulevariant/{v.pk}/change/",
        _variant_post(s, "Ramadan 1447 H", "2026-02-18", "2026-03-20", days=()),
    )
    assert resp.status_code == 302
    v.refresh_from_db()
    assert v.date_to == D(2026, 3, 20)


def test_a_variant_of_a_shift_schedule_or_ending_before_it_starts_is_refused(client, bkpsdm, inst):
    s = fixed_schedule(inst)
    resp = client.post(
        "/admin/workcal/schedulevariant/add/", _variant_post(s, "X", "2026-05-10", "2026-05-01")
    )
    assert resp.status_code == 200
    # Before: "Batasan “variant_to_after_from” dilanggar.", above the form.
    assert _field_errors(resp, "date_to") == ["Tanggal selesai tidak boleh sebelum tanggal mulai."]
    assert "Batasan" not in _page(resp)
    rs = shift_schedule(inst)
    resp = client.post(
        "/admin/workcal/schedulevariant/add/", _variant_post(rs, "X", "2026-05-01", "2026-05-10")
    )
    assert _field_errors(resp, "schedule") == ["Variasi hanya untuk jadwal tetap."]
    assert not ScheduleVariant.objects.exists()


def test_a_schedule_period_ending_before_it_starts_or_overlapping_is_said_clearly(
    client, bkpsdm, inst
):
    s = fixed_schedule(inst)
    e = EmployeeFactory(instansi=inst)
    resp = client.post(
        "/admin/workcal/employeeschedule/add/",
        {"employee": e.pk, "schedule": s.pk, "date_from": "2026-05-10", "date_to": "2026-05-01"},
    )
    assert resp.status_code == 200
    assert _field_errors(resp, "date_to") == ["Tanggal selesai tidak boleh sebelum tanggal mulai."]
    assert "Batasan" not in _page(resp)
    put_on_schedule(e, s, D(2026, 1, 1))
    resp = client.post(
        "/admin/workcal/employeeschedule/add/",
        {"employee": e.pk, "schedule": s.pk, "date_from": "2026-05-10"},
    )
    assert (
        "Tumpang tindih dengan jadwal lain pegawai ini: 5HK mulai 1 Januari 2026 yang belum "
        "berakhir." in _page(resp)
    )
    assert EmployeeSchedule.objects.count() == 1


def test_a_second_shift_on_the_same_day_says_so(client, bkpsdm, inst):
    """Before: Django's Indonesian message for the clash said the opposite: "Roster shift dengan
    Pegawai dan Tanggal ini tidak ada." ("does not exist")."""
    rs = shift_schedule(inst)
    nurse = EmployeeFactory(instansi=inst, name="Nina Perawat")
    put_on_schedule(nurse, rs)
    p, s = rs.shifts.get(code="P"), rs.shifts.get(code="S")
    ShiftRoster.objects.create(instansi=inst, employee=nurse, date=D(2026, 10, 3), shift=p)
    resp = client.post(
        "/admin/workcal/shiftroster/add/",
        {"employee": nurse.pk, "date": "2026-10-03", "shift": s.pk},
    )
    assert resp.status_code == 200
    assert _field_errors(resp, "date") == [
        "Nina Perawat sudah terjadwal shift P pada 3 Oktober 2026; ubah baris roster itu."
    ]
    assert "tidak ada" not in _page(resp)
    assert ShiftRoster.objects.get().shift == p


def test_a_day_ending_when_it_starts_names_the_weekday():
    """schedule_define's and the exchange import's message said "Hari 4" for Friday."""
    t = dt.time
    problems = schedule_problems(
        code="6HK", name="", kind="fixed", days={4: (t(7, 30), t(7, 30))}, shifts=None
    )
    assert problems == [("days", 4, "Jumat: jam masuk dan pulang tidak boleh sama.")]
