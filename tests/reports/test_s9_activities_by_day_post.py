"""S9 (H2): activity minutes and the activity target count for the OPD of the definitif post held
on each entry's date, as attendance does: a mover's split between the two OPDs, a leaver's kept
by the OPD they left; headcounts stay the posts on the month's last day (docs/reports.md, "Which
days and which people")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from ekinerja.activities.models import ActivityCatalogItem, ActivityEntry, EntryStatus
from ekinerja.reports import indicators, selectors
from tests.factories import AssignmentFactory, InstansiFactory, PositionFactory, employee_with_login
from tests.reports.data import OCT, _entry, build

pytestmark = pytest.mark.django_db

NOV_15 = dt.date(2026, 11, 15)
APPROVED, SUBMITTED = EntryStatus.APPROVED, EntryStatus.SUBMITTED


@pytest.fixture
def town():
    """tests/reports/data.py's Dinas A (3 staff: 10,375 approved minutes, one entry waiting) and
    Dinas B (1 staff: 6,750), October 2026 (22 working days, 6,750 minutes a month), plus:
    - a mover, Dinas A 1-15 October (11 working days), Dinas B 16-31 (11 working days);
    - a leaver, retired with their post ending on 10 October (7 working days in Dinas A)."""
    inst = InstansiFactory(timezone="Asia/Makassar")
    t = build(inst)
    a, b = t["a"], t["b"]
    item = ActivityCatalogItem.objects.get(instansi=inst, code="X1")
    mover = employee_with_login(inst, name="Pindah A ke B")
    AssignmentFactory(position=PositionFactory(unit=a), employee=mover, end=dt.date(2026, 10, 15))
    AssignmentFactory(position=PositionFactory(unit=b), employee=mover, start=dt.date(2026, 10, 16))
    leaver = employee_with_login(inst, name="Pensiun A", is_active=False)
    AssignmentFactory(position=PositionFactory(unit=a), employee=leaver, end=dt.date(2026, 10, 10))
    ActivityEntry.objects.bulk_create(
        [
            _entry(item, mover, 5, 1000),  # in Dinas A
            _entry(item, mover, 14, 200, SUBMITTED),  # in Dinas A, waiting
            _entry(item, mover, 20, 2000),  # in Dinas B
            _entry(item, mover, 27, 4000),  # in Dinas B: 6,000 there, above its share
            _entry(item, leaver, 2, 1500),  # in Dinas A
            _entry(item, leaver, 12, 300),  # after leaving: no post, counted nowhere
        ]
    )
    return {"inst": inst, **t, "mover": mover, "leaver": leaver, "item": item}


def _by_name(month):
    return {c.name: c for c in month.counts}


def test_minutes_and_targets_split_by_the_post_of_each_day(town):
    """Dinas A: its own 10,375 minutes + the mover's 1,000 of 1-15 October + the leaver's 1,500;
    targets 3 x 6,750 + the mover's 11 of 22 days (3,375) + the leaver's 7 of 22 (2,148).
    Dinas B: 6,750 + the mover's 6,000 of 16-31 October, capped at their share (3,375). Before,
    the mover's 7,000 minutes and whole target went to Dinas B and the leaver's to no OPD."""
    month = selectors.opd_month(town["inst"], OCT, NOV_15)
    a, b = _by_name(month)["Dinas A"], _by_name(month)["Dinas B"]
    assert (a.approved_minutes, a.pending_entries) == (10375 + 1000 + 1500, 1 + 1)
    assert a.target_minutes == D(3 * 6750 + 3375 + 2148)
    assert a.achieved_minutes == D(6750 + 3375 + 1000 + 1500)
    assert (b.approved_minutes, b.pending_entries) == (6750 + 6000, 0)
    assert b.target_minutes == D(6750 + 3375)
    assert b.achieved_minutes == D(6750 + 3375)
    # Headcounts stay the posts on 31 October: the mover in Dinas B, the leaver nowhere.
    assert (a.employees, b.employees) == (3, 2)
    # Every minute of a day in post counted once: the instansi's figures are the sum.
    total = indicators.total(month.counts, "Jumlah")
    assert total.approved_minutes == 10375 + 6750 + 7000 + 1500
    # The mover's target is one whole month's over the two OPDs, no minute lost to rounding.
    assert a.target_minutes + b.target_minutes == D(4 * 6750 + 6750 + 2148)


def test_the_ranking_reads_the_split_figures(town):
    """Capaian aktivitas (a rank input): Dinas A 12.625 / 25.773 = 49,0%, Dinas B 100,0%."""
    month = selectors.opd_month(town["inst"], OCT, NOV_15)
    rows = {r.counts.name: r for r in indicators.ranked(month.counts, "aktivitas")}
    assert rows["Dinas A"].activity_pct == D("49.0")
    assert rows["Dinas B"].activity_pct == D("100.0")
    assert (rows["Dinas B"].rank, rows["Dinas A"].rank) == (1, 2)


def test_the_workload_analysis_reads_the_split_figures(town):
    """Dinas A: 12,875 minutes of 25,773 available (3.82 employees): EJ 0,50, need 1,91, two
    over. Dinas B: 12,750 of 10,125 (1.50 employees): EJ 1,26, need 1,89, as staffed. Before,
    Dinas B read 13,750 of 13,500 (EJ 1,02) and Dinas A 10,375 of 20,250 (EJ 0,51)."""
    month = selectors.opd_month(town["inst"], OCT, NOV_15)
    a = indicators.workload(_by_name(month)["Dinas A"], month.target)
    b = indicators.workload(_by_name(month)["Dinas B"], month.target)
    assert (a.ej, a.need, a.staff_equivalent, a.verdict) == (
        D("0.50"),
        D("1.91"),
        D("3.82"),
        "Kelebihan 2 pegawai",
    )
    assert (b.ej, b.need, b.staff_equivalent, b.verdict) == (
        D("1.26"),
        D("1.89"),
        D("1.50"),
        "Sesuai",
    )


def test_the_current_month_splits_the_days_counted_only(town):
    """On 21 October (counted to the 20th: 14 working days) the mover's 11 days in Dinas A carry
    6,750 x 11/22 = 3,375 and their 3 days in Dinas B (16, 19, 20) 6,750 x 14/22 - 3,375 = 920;
    the 27th's entry is not counted yet."""
    inst = town["inst"]
    month = selectors.opd_month(inst, OCT, dt.date(2026, 10, 21))
    assert (month.data_end, month.counted_days, month.target) == (
        dt.date(2026, 10, 20),
        14,
        D(4295),
    )
    a, b = _by_name(month)["Dinas A"], _by_name(month)["Dinas B"]
    assert b.target_minutes == D(4295 + 920)
    assert b.approved_minutes == 6750 + 2000
    assert a.target_minutes == D(3 * 4295 + 3375 + 2148)


def _queries(inst, today) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        selectors.opd_month(inst, OCT, today)
    return len(ctx.captured_queries)


def test_the_queries_do_not_grow_with_movers_entries(town):
    """One query for every split employee's entries day by day, whatever their number."""
    inst, item = town["inst"], town["item"]
    one = _queries(inst, NOV_15)
    for i in range(5):
        emp = employee_with_login(inst, name=f"Pindah {i}")
        AssignmentFactory(
            position=PositionFactory(unit=town["b"]), employee=emp, end=dt.date(2026, 10, 9 + i)
        )
        AssignmentFactory(
            position=PositionFactory(unit=town["a"]), employee=emp, start=dt.date(2026, 10, 10 + i)
        )
        ActivityEntry.objects.bulk_create([_entry(item, emp, 1, 100), _entry(item, emp, 20, 50)])
    assert _queries(inst, NOV_15) == one
    month = selectors.opd_month(inst, OCT, NOV_15)
    a, b = _by_name(month)["Dinas A"], _by_name(month)["Dinas B"]
    assert b.approved_minutes == 6750 + 6000 + 5 * 100
    assert a.approved_minutes == 10375 + 1000 + 1500 + 5 * 50


def test_the_workload_spreadsheet_and_page_show_the_split_and_say_why(town, client):
    """What a leader reads: Dinas A 12.875 minutes and 3,82 employees available, its entry waiting
    making the verdict provisional; Dinas B 12.750 and 1,5, "Sesuai"; both legends say how
    activities are counted."""
    import io

    import openpyxl
    import time_machine

    from ekinerja.org.models import Role
    from tests.factories import grant

    boss = employee_with_login(town["inst"], name="Bupati")
    grant(boss.user, Role.PIMPINAN)
    client.login(username=boss.nip, password="Rahasia-Kuat-2026!")
    with time_machine.travel(dt.datetime(2026, 11, 15, 2, tzinfo=dt.UTC), tick=False):
        html = client.get("/laporan/beban-kerja/?periode=2026-10").content.decode()
        ranking = client.get("/laporan/?periode=2026-10").content.decode()
        book = client.get("/laporan/beban-kerja/?periode=2026-10&format=xlsx").content
    assert indicators.ACTIVITY_BY_DAY_NOTE in html
    assert indicators.ACTIVITY_BY_DAY_NOTE in ranking
    rows = list(openpyxl.load_workbook(io.BytesIO(book)).active.iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "No")
    by_opd = {
        r[1]: dict(zip(header, r, strict=True))
        for r in rows
        if r and r[1] in ("Dinas A", "Dinas B")
    }
    a, b = by_opd["Dinas A"], by_opd["Dinas B"]
    assert (a["Beban kerja (menit)"], a["Pegawai tersedia (setara penuh)"]) == (12875, 3.82)
    assert (a["Efisiensi jabatan"], a["Keterangan"]) == (0.5, "Sementara: kelebihan 2 pegawai")
    assert (b["Beban kerja (menit)"], b["Pegawai tersedia (setara penuh)"]) == (12750, 1.5)
    assert (b["Efisiensi jabatan"], b["Keterangan"]) == (1.26, "Sesuai")
    assert any(indicators.ACTIVITY_BY_DAY_NOTE in c for r in rows for c in r if isinstance(c, str))
