"""S10 (H2): a unit's recaps (attendance: page, phone list and xlsx; activities: page) list a
leaver too (retired on the 15th: inactive now, their post's end recorded), with their days in the
unit up to leaving, so the unit's rows add up to its OPD's figures in the reports
(reports.selectors.opd_month), which keep a leaver's days with the OPD they left
(docs/attendance.md, "The recap counts the days in the unit")."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from ekinerja.activities.models import ActivityCatalogItem, ActivityEntry, EntryStatus
from ekinerja.activities.selectors import unit_activity_month, unit_recap_employees
from ekinerja.attendance import selectors, services, views
from ekinerja.core.periods import Period
from ekinerja.org.models import Position
from ekinerja.reports.selectors import opd_month
from tests.attendance.conftest import D, T, annual_leave, at
from tests.factories import (
    AssignmentFactory,
    PositionFactory,
    UnitFactory,
    UserFactory,
    employee_with_login,
    grant,
)

pytestmark = pytest.mark.django_db

OCT = Period(2026, 10)
NOW = dt.datetime(2026, 11, 2, 2, tzinfo=dt.UTC)  # Monday 2 November 2026, 10:00 WITA
KEYS = [k for k, _label in views.RECAP_COLUMNS]
GONE = "Di unit ini 1 Oktober 2026 – 15 Oktober 2026; hanya kehadiran hari-hari itu"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _punches(emp, *times):
    services.punches_insert(
        emp.instansi, [services.PunchRow(emp.id, t, "fingerprint", "SN1") for t in times]
    )


def _entry(item, emp, day: int, minutes: int):
    date = D(2026, 10, day)
    return ActivityEntry(
        instansi_id=emp.instansi_id,
        employee=emp,
        date=date,
        start_time=T(8),
        end_time=T(9),
        item=item,
        volume=1,
        minutes_per_unit=minutes,
        approved_volume=1,
        credited_minutes=minutes,
        status=EntryStatus.APPROVED,
        submitted_at=timezone.make_aware(dt.datetime.combine(date, T(17))),
    )


@pytest.fixture
def leaver(office):
    """Lina retired on Thursday 15 October (post ended, employee inactive): 11 working days in
    Dinas Kesehatan, late 15 minutes on the 5th, on time on the 6th, cuti on the 8th and 9th, 7
    days tanpa keterangan; a punch and an entry after leaving count nowhere. Ani, in the unit all
    month, is late 20 minutes on the 5th; Citra moves to Dinas Sosial on the 16th."""
    inst = office.instansi
    staff = office.ani.assignments.get().position
    lina = employee_with_login(inst, name="Lina Pensiun", is_active=False)
    AssignmentFactory(employee=lina, position=staff, end=D(2026, 10, 15))
    _punches(
        lina,
        at(D(2026, 10, 5), 7, 45),
        at(D(2026, 10, 5), 16, 5),
        at(D(2026, 10, 6), 7, 20),
        at(D(2026, 10, 6), 16, 5),
        at(D(2026, 10, 20), 7, 20),  # after leaving
        at(D(2026, 10, 20), 16, 5),
    )
    annual_leave(lina, D(2026, 10, 8), D(2026, 10, 9))
    _punches(office.ani, at(D(2026, 10, 5), 7, 50), at(D(2026, 10, 5), 16, 5))
    sosial = UnitFactory(instansi=inst, name="Dinas Sosial")
    citra = employee_with_login(inst, name="Citra Pindahan")
    AssignmentFactory(employee=citra, position=staff, end=D(2026, 10, 15))
    AssignmentFactory(employee=citra, position=PositionFactory(unit=sosial), start=D(2026, 10, 16))
    _punches(citra, at(D(2026, 10, 7), 8, 0), at(D(2026, 10, 7), 16, 5))
    item = ActivityCatalogItem.objects.create(
        instansi=inst,
        code="A001",
        name="Menyusun konsep surat dinas",
        output_unit="surat",
        standard_minutes=30,
        active_from=D(2020, 1, 1),
    )
    ActivityEntry.objects.bulk_create(
        [
            _entry(item, lina, 5, 60),
            _entry(item, lina, 14, 45),
            _entry(item, lina, 20, 90),  # after leaving: no post
            _entry(item, office.ani, 5, 120),
            _entry(item, citra, 6, 30),  # Dinas Kesehatan
            _entry(item, citra, 19, 75),  # Dinas Sosial
        ]
    )
    return {"lina": lina, "citra": citra, "sosial": sosial}


def _xlsx_rows(client, unit) -> dict[str, dict]:
    r = client.get(f"/kehadiran/rekap/?unit={unit.pk}&periode=2026-10&format=xlsx")
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    header = next(row for row in ws.iter_rows(values_only=True) if row and "NIP" in row)
    return {
        row[1]: dict(zip(header, row, strict=False))
        for row in ws.iter_rows(min_row=5, values_only=True)
        if row[1]
    }


def _page(client, unit) -> str:
    r = client.get(f"/kehadiran/rekap/?unit={unit.pk}&periode=2026-10")
    assert r.status_code == 200
    return r.content.decode()


def _page_row(html: str, name: str) -> tuple[dict, str]:
    table = html.split('data-testid="recap-table"')[1].split("</table>")[0]
    row = next(r for r in table.split("<tr") if f">{name}<" in r)
    cells = [int(x) for x in re.findall(r'<td class="text-end">(\d+)</td>', row)]
    return dict(zip(KEYS, cells, strict=True)), " ".join(row.split())


LINA = {
    "working": 11,
    "present": 1,
    "late": 1,
    "late_minutes": 15,
    "early": 0,
    "early_minutes": 0,
    "missing_in": 0,
    "missing_out": 0,
    "absent": 7,
    "leave": 2,
}


def test_a_leaver_is_in_the_attendance_recap_with_their_days_up_to_leaving(client, office, leaver):
    lina = leaver["lina"]
    client.force_login(office.bkpsdm_user)
    html = _page(client, office.unit)
    cells, row = _page_row(html, "Lina Pensiun")
    assert cells == LINA
    assert lina.nip in row and GONE in row
    phone = html.split('data-testid="recap-list"')[1].split("</ul>")[0]
    assert "Lina Pensiun" in phone and GONE in phone
    mine = _xlsx_rows(client, office.unit)[lina.nip]
    assert {k: mine[label] for k, label in views.RECAP_COLUMNS} == LINA
    assert mine["Keterangan"] == GONE
    # Not in the recap of a unit they never were in.
    assert lina.nip not in _xlsx_rows(client, leaver["sosial"])


def test_a_leaver_is_in_the_activity_recap_with_their_days_up_to_leaving(client, office, leaver):
    rows = {r.employee.name: r for r in unit_activity_month(office.unit, OCT)}
    lina = rows["Lina Pensiun"]
    assert lina.month.credited_minutes == 105  # the 5th and the 14th; not the 20th
    assert lina.days_in_unit == "1 Oktober 2026 – 15 Oktober 2026"
    client.force_login(office.bkpsdm_user)
    html = client.get(f"/aktivitas/rekap/?unit={office.unit.pk}&periode=2026-10").content.decode()
    assert "Lina Pensiun" in html
    # The two recaps list the same people.
    assert [e.pk for e in unit_recap_employees(office.unit, OCT)] == [
        e.pk for e in selectors.unit_recap_employees(office.unit, OCT.first_day, OCT.last_day)
    ]


def test_the_unit_s_rows_add_up_to_the_opd_report(client, office, leaver):
    """The nightly job's stored days (daily_recompute: a leaver's included) are what the reports
    count; the recap derives the same days, so Dinas Kesehatan's rows sum to its OPD figures."""
    inst = office.instansi
    services.daily_recompute(instansi=inst, start=OCT.first_day, end=OCT.last_day)
    report = next(
        c for c in opd_month(inst, OCT, D(2026, 11, 15)).counts if c.unit_id == office.unit.pk
    )
    client.force_login(office.bkpsdm_user)
    rows = _xlsx_rows(client, office.unit)
    assert leaver["lina"].nip in rows
    total = {k: sum(r[label] for r in rows.values()) for k, label in views.RECAP_COLUMNS}
    assert total["working"] == report.scheduled_days
    assert total["present"] == report.on_time_days
    assert total["late"] == report.late_days
    assert total["late_minutes"] == report.late_minutes == 15 + 20 + 30
    assert total["absent"] == report.absent_days
    assert total["leave"] == report.leave_days == 2
    minutes = sum(r.month.credited_minutes for r in unit_activity_month(office.unit, OCT))
    assert minutes == report.approved_minutes == 60 + 45 + 120 + 30


def test_an_inactive_employee_whose_post_was_left_open_is_in_no_recap(client, office, leaver):
    """Deactivated without an end to the post: no date to stop at, so in no recap and (as in the
    reports and the nightly job) no days anywhere."""
    ghost = employee_with_login(office.instansi, name="Tanpa Tanggal", is_active=False)
    AssignmentFactory(employee=ghost, position=office.ani.assignments.get().position)
    assert ghost.pk not in {
        e.pk for e in selectors.unit_recap_employees(office.unit, OCT.first_day, OCT.last_day)
    }
    assert ghost.pk not in {e.pk for e in unit_recap_employees(office.unit, OCT)}
    assert ghost.pk not in selectors.unit_days(office.unit, [ghost], OCT.first_day, OCT.last_day)


def test_a_superior_and_an_admin_opd_still_see_only_their_own(client, office, leaver):
    inst = office.instansi
    # A kepala seksi in the unit with one staff member under them: the leaver was not theirs.
    head = office.kepala.assignments.get().position
    kasi_post = PositionFactory(
        unit=office.unit, instansi=inst, kind=Position.Kind.STRUKTURAL, parent=head
    )
    kasi = employee_with_login(inst, kasi_post, name="Kasi")
    staf = employee_with_login(
        inst, PositionFactory(unit=office.unit, instansi=inst, parent=kasi_post), name="Staf Kasi"
    )
    client.force_login(kasi.user)
    rows = _xlsx_rows(client, office.unit)
    assert set(rows) == {staf.nip, kasi.nip}
    # The unit's admin OPD sees the whole unit, the leaver included.
    admin = UserFactory(instansi=inst, username="admin-dinkes")
    grant(admin, "admin_opd", office.unit)
    client.force_login(admin)
    assert leaver["lina"].nip in _xlsx_rows(client, office.unit)
    # Their name's link (the month page) opens for the admin OPD of the unit they left.
    month = reverse("attendance:employee-month", args=[leaver["lina"].pk]) + "?periode=2026-10"
    assert client.get(month).status_code == 200
    # Another unit's admin OPD cannot open it.
    other = UserFactory(instansi=inst, username="admin-sosial")
    grant(other, "admin_opd", leaver["sosial"])
    client.force_login(other)
    r = client.get(f"/kehadiran/rekap/?unit={office.unit.pk}&periode=2026-10&format=xlsx")
    assert r.status_code == 200  # falls back to their own unit
    rows = _xlsx_rows(client, office.unit)
    assert leaver["lina"].nip not in rows and leaver["citra"].nip in rows


def test_a_superior_s_page_lists_only_their_own_too(client, office, leaver):
    """The page reads only its own hundred employees (ids first): the visible ones still."""
    inst = office.instansi
    head = office.kepala.assignments.get().position
    kasi_post = PositionFactory(
        unit=office.unit, instansi=inst, kind=Position.Kind.STRUKTURAL, parent=head
    )
    kasi = employee_with_login(inst, kasi_post, name="Kasi")
    employee_with_login(
        inst, PositionFactory(unit=office.unit, instansi=inst, parent=kasi_post), name="Staf Kasi"
    )
    client.force_login(kasi.user)
    table = _page(client, office.unit).split('data-testid="recap-table"')[1].split("</table>")[0]
    names = re.findall(r'periode=2026-10">([^<]+)</a>', table)
    assert names == ["Kasi", "Staf Kasi"]


def test_a_unit_s_punches_read_by_id_are_the_instansi_s_read(office, leaver):
    """punch_times(by_id=True), a unit's recap's read on PostgreSQL, gives what the instansi-wide
    read gives for the same employees."""
    emps = selectors.unit_recap_employees(office.unit, OCT.first_day, OCT.last_day)
    by_id = selectors.punch_times(emps, OCT.first_day, OCT.last_day, by_id=True)
    assert by_id == selectors.punch_times(emps, OCT.first_day, OCT.last_day)
    assert len(by_id[leaver["lina"].pk]) == 6
