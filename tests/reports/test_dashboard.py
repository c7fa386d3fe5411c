"""The leaders' dashboard and workload analysis over a small instansi, figure by figure.

The instansi of tests/reports/data.py. October 2026 has 22 working days (Monday-Friday, no
holiday in the table) and the adopted national policy's target is 6,750 minutes a month.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.attendance.models import DailyAttendance
from ekinerja.org.models import Role
from ekinerja.reports import indicators, selectors
from ekinerja.tpp.models import Policy, Result, Run
from ekinerja.tpp.policy import national_template
from tests.factories import (
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    grant,
)
from tests.reports.data import OCT, build

pytestmark = pytest.mark.django_db

D = Decimal
PASSWORD = "Rahasia-Kuat-2026!"


@pytest.fixture
def town():
    inst = InstansiFactory(timezone="Asia/Makassar")
    data = build(inst)
    other = InstansiFactory(timezone="Asia/Makassar")
    build(other, prefix="Lain ")
    people = {}
    for role in (Role.PIMPINAN, Role.BKPSDM, Role.BPKAD, Role.KOMINFO, Role.ATASAN):
        e = employee_with_login(inst, name=f"Akun {role}")
        grant(e.user, role)
        people[role] = e
    return {"inst": inst, **data, "people": people}


NOV_15 = dt.date(2026, 11, 15)


def test_a_finished_month_figure_by_figure(town):
    month = selectors.opd_month(town["inst"], OCT, NOV_15)
    assert (month.staff_day, month.data_end, month.complete) == (
        dt.date(2026, 10, 31),
        dt.date(2026, 10, 31),
        True,
    )
    assert (month.working_days, month.counted_days, month.target) == (22, 22, D(6750))
    assert month.computed
    by_name = {c.name: c for c in month.counts}
    assert set(by_name) == {"Dinas A", "Dinas B"}
    a, b = by_name["Dinas A"], by_name["Dinas B"]
    assert (a.employees, a.positions, a.vacant, a.acting) == (3, 3, 1, 0)
    # Dinas B's head post has no definitif holder, only a Plt: vacant all the same (it was 0).
    assert (b.employees, b.positions, b.vacant, b.acting) == (1, 2, 1, 1)
    assert (a.scheduled_days, a.leave_days, a.present_days, a.on_time_days) == (6, 1, 4, 3)
    assert (a.late_days, a.late_minutes, a.absent_days) == (1, 30, 1)
    # Approved minutes are not capped; the achievement caps each employee at the target.
    assert (a.approved_minutes, a.pending_entries) == (10375, 1)
    assert (a.achieved_minutes, a.target_minutes) == (D(6750 + 3375), D(3 * 6750))
    assert (a.ceiling, a.gross) == (D(10_000_000), D(8_000_000))
    assert (a.skp_sangat_baik, a.skp_butuh_perbaikan, a.skp_rated, a.skp_unrated) == (1, 1, 2, 1)
    assert (b.skp_baik, b.skp_rated, b.skp_unrated) == (1, 1, 0)

    rows = indicators.ranked(month.counts)
    assert [(r.rank, r.counts.name) for r in rows] == [(1, "Dinas B"), (2, "Dinas A")]
    ra = rows[1]
    assert (ra.attendance_pct, ra.on_time_pct, ra.activity_pct, ra.tpp_pct, ra.score) == (
        D("80.0"),
        D("60.0"),
        D("50.0"),
        D("80.0"),
        D("55.0"),
    )
    assert ra.skp_good_pct == D("50.0")  # one of the two rated; the third not rated yet
    assert rows[0].skp_good_pct == D("100.0")
    w = indicators.workload(a, month.target)
    assert (w.need, w.ej, w.grade, w.verdict) == (D("1.54"), D("0.51"), "D", "Kelebihan 1 pegawai")
    assert indicators.workload(b, month.target).verdict == "Sesuai"


def test_the_current_month_counts_up_to_yesterday_with_the_target_in_proportion(town):
    month = selectors.opd_month(town["inst"], OCT, dt.date(2026, 10, 2))
    assert (month.staff_day, month.data_end, month.complete) == (
        dt.date(2026, 10, 2),
        dt.date(2026, 10, 1),
        False,
    )
    # One of 22 working days: 6,750 / 22 = 306.8 minutes, in whole minutes.
    assert (month.counted_days, month.target) == (1, D(307))
    a = next(c for c in month.counts if c.name == "Dinas A")
    assert (a.scheduled_days, a.absent_days, a.approved_minutes) == (2, 1, 7000)
    assert a.achieved_minutes == D(307)


def test_nothing_counted_on_the_first_day_of_a_month(town):
    month = selectors.opd_month(town["inst"], OCT, dt.date(2026, 10, 1))
    assert (month.data_end, month.counted_days, month.target) == (None, 0, D(0))
    assert all(c.scheduled_days == 0 and c.approved_minutes == 0 for c in month.counts)


def test_without_a_policy_the_abk_standard_is_the_effective_time(town):
    Policy.objects.filter(instansi=town["inst"]).delete()
    month = selectors.opd_month(town["inst"], OCT, NOV_15)
    assert month.target == D(6250)
    assert "1.250 jam" in month.target_source


def test_a_daily_target_policy_multiplies_by_the_working_days(town):
    data = national_template("2026-01-01")
    data["activity"].pop("monthly_target_minutes")
    data["activity"]["daily_target_minutes"] = 300
    Policy.objects.filter(instansi=town["inst"]).update(data=data)
    month = selectors.opd_month(town["inst"], OCT, NOV_15)
    assert month.full_target == month.target == D(300 * 22)


def test_an_open_run_is_not_a_computed_month(town):
    Run.objects.filter(instansi=town["inst"]).update(state=Run.State.OPEN)
    month = selectors.opd_month(town["inst"], OCT, NOV_15)
    assert not month.computed
    assert all(c.gross is None for c in month.counts)


def _queries(inst) -> int:
    with CaptureQueriesContext(connection) as ctx:
        selectors.opd_month(inst, OCT, NOV_15)
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_employees_or_opds(town):
    before = _queries(town["inst"])
    build(town["inst"], prefix="Lagi ")
    for i in range(5):
        unit = UnitFactory(instansi=town["inst"], name=f"Dinas Tambahan {i}")
        for _ in range(3):
            employee_with_login(town["inst"], PositionFactory(unit=unit))
    assert _queries(town["inst"]) == before


# ------------------------------------------------------------------------------------------ pages


def _login(client, employee):
    assert client.login(username=employee.user.username, password=PASSWORD)


@pytest.fixture
def nov_15():
    with time_machine.travel(dt.datetime(2026, 11, 15, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.mark.parametrize("role", [Role.PIMPINAN, Role.BKPSDM])
def test_leaders_see_the_ranking_of_their_own_instansi(client, town, nov_15, role):
    _login(client, town["people"][role])
    resp = client.get(reverse("reports:dashboard"), {"periode": "2026-10"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Oktober 2026" in html
    assert html.index("Dinas B") < html.index("Dinas A")
    assert "55,0" in html and "80,0%" in html  # Dinas A's score and TPP achievement
    assert "Lain " not in html  # the other instansi's OPDs
    assert "Kehadiran dan aktivitas sampai 31 Oktober 2026" in html
    assert "86,7%" in html and "OPD dihitung" not in html  # every OPD's TPP computed


@pytest.mark.parametrize("role", [Role.BPKAD, Role.KOMINFO, Role.ATASAN])
def test_other_roles_are_refused(client, town, nov_15, role):
    _login(client, town["people"][role])
    assert client.get(reverse("reports:dashboard")).status_code == 403
    assert client.get(reverse("reports:workload")).status_code == 403


def test_an_employee_without_a_role_and_a_visitor_are_refused(client, town, nov_15):
    _login(client, town["p"]["b1"])
    assert client.get(reverse("reports:dashboard")).status_code == 403
    client.logout()
    resp = client.get(reverse("reports:dashboard"))
    assert resp.status_code == 302 and resp["Location"].startswith("/masuk/")


def test_the_last_finished_month_by_default_and_never_a_month_to_come(client, town, nov_15):
    _login(client, town["people"][Role.PIMPINAN])
    for value in (None, "2026-13", "kemarin"):
        params = {"periode": value} if value else {}
        html = client.get(reverse("reports:dashboard"), params).content.decode()
        assert "Oktober 2026" in html and "bulan berjalan" not in html, value
        assert "Kehadiran dan aktivitas sampai 31 Oktober 2026" in html
    for value in ("2026-11", "2027-01"):
        html = client.get(reverse("reports:dashboard"), {"periode": value}).content.decode()
        assert "November 2026" in html and "bulan berjalan" in html, value
        assert "Kehadiran dan aktivitas sampai 14 November 2026" in html


def test_ranking_order_chosen_on_the_page(client, town, nov_15):
    _login(client, town["people"][Role.PIMPINAN])
    html = client.get(
        reverse("reports:dashboard"), {"periode": "2026-10", "urut": "tpp"}
    ).content.decode()
    assert html.index("Dinas B") < html.index("Dinas A")
    assert '<option value="tpp" selected>' in html


def test_the_ranking_spreadsheet_has_the_figures_of_the_screen(client, town, nov_15):
    _login(client, town["people"][Role.PIMPINAN])
    resp = client.get(reverse("reports:dashboard"), {"periode": "2026-10", "format": "xlsx"})
    assert resp.status_code == 200
    assert resp["Content-Disposition"] == 'attachment; filename="peringkat-opd-2026-10.xlsx"'
    ws = openpyxl.load_workbook(io.BytesIO(resp.content)).active
    rows = [r for r in ws.iter_rows(values_only=True) if r and r[1] in ("Dinas A", "Dinas B")]
    header = next(r for r in ws.iter_rows(values_only=True) if r and r[0] == "Peringkat")
    a = dict(zip(header, rows[1], strict=True))
    assert (a["Peringkat"], a["OPD"], a["Pegawai"], a["Jabatan kosong"]) == (2, "Dinas A", 3, 1)
    assert (a["Kehadiran (%)"], a["Tepat waktu (%)"], a["Capaian aktivitas (%)"]) == (80, 60, 50)
    assert (a["Capaian TPP (%)"], a["Nilai"], a["Menit aktivitas disetujui"]) == (80, 55, 10375)
    assert (a["SKP Sangat Baik"], a["SKP Butuh Perbaikan"], a["SKP belum dinilai"]) == (1, 1, 1)
    assert a["SKP baik ke atas (%)"] == 50
    last = [r for r in ws.iter_rows(values_only=True) if r and r[0] == "Jumlah"][0]
    total = dict(zip(header, last, strict=True))
    assert (total["Pegawai"], total["Tanpa keterangan (hari)"]) == (4, 1)


def test_the_workload_page_and_spreadsheet(client, town, nov_15):
    _login(client, town["people"][Role.BKPSDM])
    html = client.get(reverse("reports:workload"), {"periode": "2026-10"}).content.decode()
    # Dinas A has an entry still waiting for its superior: its verdict is provisional.
    assert "Sementara: kelebihan 1 pegawai" in html and "Sesuai" in html
    assert 'data-testid="workload-provisional"' in html
    assert "1 aktivitas masih menunggu verifikasi atasan" in html
    assert "1,54" in html and "0,51" in html  # Dinas A's need and EJ
    assert "Lain " not in html
    # The instansi card says what its verdict is compared with (the staff of the days counted),
    # and the legend's formulas say it too.
    card = html.split('data-testid="summary-available"')[1].split("</div>")[0]
    assert "tersedia pada hari yang dihitung" in card
    assert "EJ) = beban kerja / (pegawai tersedia × waktu efektif)" in html
    assert (
        "Kekurangan atau kelebihan pegawai = kebutuhan dibandingkan dengan pegawai tersedia" in html
    )
    resp = client.get(reverse("reports:workload"), {"periode": "2026-10", "format": "xlsx"})
    ws = openpyxl.load_workbook(io.BytesIO(resp.content)).active
    a = next(r for r in ws.iter_rows(values_only=True) if r and r[1] == "Dinas A")
    assert list(a[2:]) == [
        3,
        3,
        10375,
        6750,
        1.54,
        2,
        -1,
        0.51,
        "D (Sedang)",
        "Sementara: kelebihan 1 pegawai",
    ]


def test_the_pimpinan_home_card_and_menu_link_the_reports(client, town, nov_15):
    _login(client, town["people"][Role.PIMPINAN])
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="link-reports-dashboard"' in html
    assert 'data-testid="nav-reports"' in html
    _login(client, town["p"]["b1"])
    assert 'data-testid="nav-reports"' not in client.get(reverse("home")).content.decode()


def test_each_opd_links_to_its_attendance_and_activity_recaps_of_the_month(client, town, nov_15):
    _login(client, town["people"][Role.PIMPINAN])
    html = client.get(reverse("reports:dashboard"), {"periode": "2026-10"}).content.decode()
    a = town["a"].pk
    attendance = f"{reverse('attendance:recap')}?unit={a}&periode=2026-10"
    activities = f"{reverse('activities:recap')}?unit={a}&periode=2026-10"
    assert attendance in html and activities in html
    # The pimpinan may open both, and they show Dinas A's people.
    for url in (attendance, activities):
        page = client.get(url)
        assert page.status_code == 200
        assert "Staf A2" in page.content.decode()


@pytest.mark.parametrize("value", ["0000-05", "0000-12"])
def test_a_year_zero_periode_falls_back_instead_of_crashing(client, town, nov_15, value):
    _login(client, town["people"][Role.PIMPINAN])
    for name in ("reports:dashboard", "reports:workload"):
        resp = client.get(reverse(name), {"periode": value})
        assert resp.status_code == 200 and "Oktober 2026" in resp.content.decode()
        assert client.get(reverse(name), {"periode": value, "format": "xlsx"}).status_code == 200


def test_a_late_day_without_check_out_counts_as_a_late_day(town):
    emp = town["p"]["b1"]
    DailyAttendance.objects.filter(employee=emp, date=dt.date(2026, 10, 1)).update(
        status=DailyAttendance.Status.MISSING_OUT, late_minutes=45, missing_out=True
    )
    month = selectors.opd_month(town["inst"], OCT, NOV_15)
    b = next(c for c in month.counts if c.name == "Dinas B")
    assert (b.late_minutes, b.late_days, b.present_days, b.on_time_days) == (45, 1, 4, 3)


def test_a_month_computed_unit_by_unit_says_how_many_opds_its_tpp_covers(client, town, nov_15):
    # A run per unit: BKPSDM has computed only Dinas A's so far.
    Result.objects.filter(instansi=town["inst"], unit=town["b"]).delete()
    _login(client, town["people"][Role.PIMPINAN])
    html = client.get(reverse("reports:dashboard"), {"periode": "2026-10"}).content.decode()
    assert "80,0%" in html  # 8,000,000 / 10,000,000: Dinas A's alone
    assert "baru 1 dari 2 OPD dihitung" in html
    resp = client.get(reverse("reports:dashboard"), {"periode": "2026-10", "format": "xlsx"})
    ws = openpyxl.load_workbook(io.BytesIO(resp.content)).active
    lines = [r[0] for r in ws.iter_rows(values_only=True)]
    assert "Capaian TPP: baru 1 dari 2 OPD dihitung" in lines


def _big_month(period=OCT) -> selectors.OpdMonth:
    """A large OPD's month as the selectors would read it (Dinas Pendidikan of the 20,000
    benchmark: 9,610 employees)."""
    big = indicators.OpdCounts(
        unit_id=1,
        code="1.01",
        name="Dinas Pendidikan dan Kebudayaan",
        employees=9610,
        positions=9700,
        vacant=1204,
        acting=1500,
        scheduled_days=201_810,
        present_days=197_774,
        on_time_days=160_035,
        absent_days=3612,
        approved_minutes=19_219_112,
        achieved_minutes=D(19_219_112),
        target_minutes=D(9610 * 6750),
        skp_baik=5459,
    )
    return selectors.OpdMonth(
        period=period,
        staff_day=period.last_day,
        data_end=period.last_day,
        working_days=22,
        counted_days=22,
        full_target=D(6750),
        target=D(6750),
        target_source="target bulanan kebijakan TPP Pola nasional",
        computed=False,
        counts=[big],
    )


def test_large_figures_are_written_as_indonesians_write_them(client, town, nov_15, monkeypatch):
    monkeypatch.setattr(selectors, "cached_opd_month", lambda *a: _big_month())
    _login(client, town["people"][Role.PIMPINAN])
    html = client.get(reverse("reports:dashboard"), {"periode": "2026-10"}).content.decode()
    for text in ("9.610 pegawai", "1.204 jabatan kosong", "4.151 belum dinilai", "Plt/Plh 1.500"):
        assert text in html, text
    html = client.get(reverse("reports:workload"), {"periode": "2026-10"}).content.decode()
    # 19,219,112 / 6,750 = 2,847.28 employees needed, 2,847 whole: 6,763 more than needed.
    assert "2.847,28" in html and "Kelebihan 6.763 pegawai" in html
    assert "6763" not in html and "2847" not in html


def test_an_opd_without_any_approved_activity_is_not_called_over_staffed(client, town, nov_15):
    # An OPD whose people do not use e-Kinerja yet: two employees, no entry.
    unit = UnitFactory(instansi=town["inst"], code="C", name="Dinas C")
    for _ in range(2):
        employee_with_login(town["inst"], PositionFactory(unit=unit))
    _login(client, town["people"][Role.BKPSDM])
    html = client.get(reverse("reports:workload"), {"periode": "2026-10"}).content.decode()
    assert (
        "1 OPD tanpa aktivitas yang disetujui tidak dihitung dalam jumlah instansi: Dinas C" in html
    )
    row = html[html.index("<td>Dinas C") :]
    row = row[: row.index("</tr>")]
    assert "Belum ada aktivitas yang disetujui" in row
    assert "Kelebihan" not in row and "0,00" not in row
    resp = client.get(reverse("reports:workload"), {"periode": "2026-10", "format": "xlsx"})
    ws = openpyxl.load_workbook(io.BytesIO(resp.content)).active
    c = next(r for r in ws.iter_rows(values_only=True) if r and r[1] == "Dinas C")
    assert list(c[2:]) == [
        2,
        None,
        0,
        6750,
        None,
        None,
        None,
        None,
        None,
        "Belum ada aktivitas yang disetujui",
    ]


def test_the_instansi_activity_agrees_with_the_rows_when_an_opd_has_recorded_nothing(
    client, town, nov_15
):
    """Dinas A 50,0%, Dinas B 100,0% and an OPD not on e-Kinerja yet ("–"): the instansi's
    capaian aktivitas is 16,875 / 27,000 = 62,5%, not 50,0% (the silent OPD's target read as 0%);
    the spreadsheet's "Jumlah" says the same."""
    unit = UnitFactory(instansi=town["inst"], code="C", name="Dinas C")
    employee_with_login(town["inst"], PositionFactory(unit=unit))
    _login(client, town["people"][Role.PIMPINAN])
    html = client.get(reverse("reports:dashboard"), {"periode": "2026-10"}).content.decode()
    summary = html[html.index('data-testid="summary"') : html.index('data-testid="ranking"')]
    card = summary[summary.index("Capaian aktivitas") :]
    assert "62,5%" in card[: card.index("entri menunggu")]
    row = html[html.index("<td>Dinas C") :]
    assert "aktivitas –" in " ".join(row[: row.index("</tr>")].split())
    resp = client.get(reverse("reports:dashboard"), {"periode": "2026-10", "format": "xlsx"})
    ws = openpyxl.load_workbook(io.BytesIO(resp.content)).active
    header = next(r for r in ws.iter_rows(values_only=True) if r and r[0] == "Peringkat")
    last = next(r for r in ws.iter_rows(values_only=True) if r and r[0] == "Jumlah")
    assert dict(zip(header, last, strict=True))["Capaian aktivitas (%)"] == 62.5


def test_on_a_phone_each_opd_shows_its_staffing_and_attendance(client, town, nov_15):
    _login(client, town["people"][Role.PIMPINAN])
    html = client.get(reverse("reports:dashboard"), {"periode": "2026-10"}).content.decode()
    phone = html[html.index('data-testid="opd-phone-figures"', html.index("Dinas A")) :]
    phone = phone[: phone.index("</div>")]
    assert "3 pegawai · 1 jabatan kosong · hadir 80,0%" in " ".join(phone.split())


def test_a_mid_month_joiner_carries_the_target_of_their_days_in_post_only(town):
    """Someone in post from 26 October (5 of the 22 working days) carries 6,750 x 5/22 = 1,534
    minutes, not a whole month's; someone who moved from Dinas A to Dinas B on the 15th carries
    the target of their 12 working days in B there (6,750 - 6,750 x 10/22 = 3,682; the other 3,068
    in A, docs/reports.md), and the workload's EJ reads the same targets."""
    from ekinerja.activities.models import ActivityCatalogItem, ActivityEntry
    from ekinerja.org.models import Assignment
    from tests.factories import AssignmentFactory
    from tests.reports.data import _entry

    inst = town["inst"]
    dinas_a, dinas_b = town["a"], town["b"]
    spare = PositionFactory(unit=dinas_b)
    joiner = employee_with_login(inst, name="Baru B")
    AssignmentFactory(position=spare, employee=joiner, start=dt.date(2026, 10, 26))
    mover = employee_with_login(inst, name="Pindah B")
    AssignmentFactory(
        position=PositionFactory(unit=dinas_a), employee=mover, end=dt.date(2026, 10, 14)
    )
    AssignmentFactory(
        position=PositionFactory(unit=dinas_b), employee=mover, start=dt.date(2026, 10, 15)
    )
    item = ActivityCatalogItem.objects.get(instansi=inst, code="X1")
    ActivityEntry.objects.bulk_create(
        [_entry(item, joiner, 27, 1000), _entry(item, mover, 20, 500)]
    )

    month = selectors.opd_month(inst, OCT, NOV_15)
    counts = {c.name: c for c in month.counts}["Dinas B"]
    assert counts.employees == 3
    assert counts.target_minutes == D(6750 + 1534 + 3682)
    assert counts.achieved_minutes == D(6750 + 1000 + 500)
    w = indicators.workload(counts, month.target)
    # 8,250 minutes of 11,966 available: 0.69, not 8,250 / (3 x 6,750) = 0.41.
    assert w.ej == D("0.69")
    assert Assignment.objects.filter(employee=joiner).count() == 1


def test_a_retired_employee_still_counts_in_the_months_their_post_lasted(town):
    """Retirement recorded with the post's last day (30 September) and the employee made inactive:
    September still counts them, October does not; an inactive employee whose post has no end
    counts nowhere (the flag has no date)."""
    from ekinerja.core.periods import Period

    inst = town["inst"]
    gone, a3 = town["p"]["gone"], town["p"]["a3"]
    gone.is_active = False
    gone.save(update_fields=["is_active"])

    def dinas_a(period):
        month = selectors.opd_month(inst, period, NOV_15)
        return {c.name: c for c in month.counts}["Dinas A"].employees

    assert dinas_a(Period(2026, 9)) == 4  # a1, a2, a3 and the retiree
    assert dinas_a(OCT) == 3
    a3.is_active = False
    a3.save(update_fields=["is_active"])
    assert dinas_a(Period(2026, 9)) == 3
    assert dinas_a(OCT) == 2


def test_the_tk_column_is_explained(client, town, nov_15):
    """ "TK (hari)" was left unexplained: the abbreviation carries its meaning and the legend says it."""
    _login(client, town["people"][Role.PIMPINAN])
    html = client.get(reverse("reports:dashboard"), {"periode": "2026-10"}).content.decode()
    header = html[html.index('data-testid="ranking"') : html.index("</thead>")]
    assert '<abbr title="tanpa keterangan">TK</abbr> (hari)' in header
    assert "TK: tidak masuk tanpa keterangan." in html[html.index("</table>") :]


def test_a_month_still_moving_says_its_figures_are_provisional(client, town, nov_15):
    """Entries still waiting, a month not over, a TPP list not locked: the ranking says its figures
    may change (the workload page did, the ranking did not); an OPD without any stored day shows
    "–" for TK, not 0."""
    from django.core.cache import cache

    _login(client, town["people"][Role.PIMPINAN])
    html = client.get(reverse("reports:dashboard"), {"periode": "2026-10"}).content.decode()
    alert = html.split('data-testid="dashboard-provisional"')[1].split("</div>")[0]
    assert "1 aktivitas masih menunggu verifikasi atasan" in alert
    assert "belum berakhir" not in alert and "masih sementara" in alert
    row_a = next(r for r in html.split('data-testid="opd-row"')[1:] if "Dinas A" in r)
    assert 'data-testid="opd-pending">1 menunggu' in row_a
    assert 'data-testid="tpp-provisional"' not in html  # October's list is locked
    assert "Kehadiran: hari kerja dengan absensi masuk atau pulang" in html

    Run.objects.filter(instansi=town["inst"]).update(state=Run.State.VERIFIED)
    cache.clear()
    html = client.get(reverse("reports:dashboard"), {"periode": "2026-10"}).content.decode()
    assert "sementara: daftar belum dikunci" in html

    html = client.get(reverse("reports:dashboard"), {"periode": "2026-11"}).content.decode()
    alert = html.split('data-testid="dashboard-provisional"')[1].split("</div>")[0]
    assert "Bulan ini belum berakhir: dihitung sampai 14 November 2026." in alert
    # No stored attendance in November at all: TK unknown, not 0.
    cells = [c.split("</td>")[0] for c in html.split('data-testid="opd-absent">')[1:]]
    assert cells == ["–", "–"]
