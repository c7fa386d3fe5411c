"""The leaders' ranking as a Bupati reads it (review of 7 December 2026): OPDs with the same figure
share a rank and are listed by name whatever the case of the name, and the page and both
spreadsheets say how ties, OPDs without a figure and vacant posts are treated, and what each figure
means (a spreadsheet forwarded to a leader explains itself)."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from ekinerja.activities.models import ActivityCatalogItem, ActivityEntry
from ekinerja.attendance.models import DailyAttendance
from ekinerja.org.models import Role
from ekinerja.reports import indicators
from tests.factories import (
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    grant,
)
from tests.reports.data import ST, _day, _entry, build

pytestmark = pytest.mark.django_db
PASSWORD = "Rahasia-Kuat-2026!"


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_equal_values_are_listed_by_name_whatever_its_case():
    """Pemda data mixes "DINAS PERTANIAN" and "Dinas Kesehatan": tied OPDs were listed by the
    code points of their names, every upper-case name before every mixed-case one."""
    same = {"scheduled_days": 10, "present_days": 10, "on_time_days": 9}
    same |= {"achieved_minutes": 6750, "target_minutes": 6750}
    counts = [
        indicators.OpdCounts(unit_id=1, code="1", name="DINAS PERTANIAN", **same),
        indicators.OpdCounts(unit_id=2, code="2", name="Dinas Kesehatan", **same),
        indicators.OpdCounts(unit_id=3, code="3", name="Badan Keuangan", **same),
        indicators.OpdCounts(unit_id=4, code="4", name="badan Kepegawaian"),  # nothing recorded
    ]
    rows = indicators.ranked(counts)
    assert [(r.rank, r.counts.name) for r in rows] == [
        (1, "Badan Keuangan"),
        (1, "Dinas Kesehatan"),
        (1, "DINAS PERTANIAN"),
        (None, "badan Kepegawaian"),
    ]


@pytest.fixture
def town():
    """Dinas A (55,0), Dinas B (100,0) of tests/reports/data.py and DINAS SOSIAL, whose one
    employee was on time on 4 days and reached the 6,750-minute target: 100,0 as Dinas B."""
    inst = InstansiFactory(timezone="Asia/Makassar")
    build(inst)
    sosial = UnitFactory(instansi=inst, code="S", name="DINAS SOSIAL")
    emp = employee_with_login(inst, PositionFactory(unit=sosial), name="Staf Sosial")
    DailyAttendance.objects.bulk_create([_day(emp, d, ST.PRESENT) for d in (1, 2, 5, 6)])
    item = ActivityCatalogItem.objects.get(instansi=inst, code="X1")
    ActivityEntry.objects.bulk_create([_entry(item, emp, 2, 6750)])
    boss = employee_with_login(inst, name="Akun Pimpinan")
    grant(boss.user, Role.PIMPINAN)
    return {"inst": inst, "boss": boss}


def _get(client, town, name, **params):
    assert client.login(username=town["boss"].user.username, password=PASSWORD)
    with time_machine.travel(dt.datetime(2026, 11, 15, 2, tzinfo=dt.UTC), tick=False):
        return client.get(reverse(name), {"periode": "2026-10", **params})


def _sheet(resp):
    assert resp.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(resp.content)).active
    return [r for r in ws.iter_rows(values_only=True)]


def test_the_ranking_says_how_ties_are_broken_and_lists_tied_opds_by_name(client, town):
    html = _get(client, town, "reports:dashboard").content.decode()
    ranks = re.findall(
        r'<tr data-testid="opd-row">\s*<td class="text-center fw-semibold">([^<]*)</td>\s*<td>([^<]*)<',
        html,
    )
    assert ranks == [("1", "Dinas B"), ("1", "DINAS SOSIAL"), ("3", "Dinas A")]
    legend = _text(html.split('data-testid="legend">')[1].split("</p>")[0])
    assert indicators.RANKING_NOTE in legend
    assert "(misalnya 1, 2, 2, 4) dan diurutkan menurut nama" in legend
    # A post held by a Plt/Plh only is counted vacant: said, since a leader would read it otherwise.
    assert "termasuk yang sementara diisi Plt/Plh" in legend
    # Every figure is still defined, with the target written as Indonesians write it.
    assert "(6.750 menit, target bulanan kebijakan TPP Pola nasional)" in legend
    assert "Nilai: rata-rata tepat waktu dan capaian aktivitas." in legend
    # TPP kotor, as the explanation and the payroll documents say it (not "bruto").
    assert "TPP kotor dibagi pagu" in legend and "bruto" not in html

    rows = _sheet(_get(client, town, "reports:dashboard", format="xlsx"))
    assert [(r[0], r[1]) for r in rows if r[1] in ("Dinas A", "Dinas B", "DINAS SOSIAL")] == [
        (1, "Dinas B"),
        (1, "DINAS SOSIAL"),
        (3, "Dinas A"),
    ]
    notes = [r[0] for r in rows[[r[0] for r in rows].index("Keterangan:") + 1 :]]
    assert notes == indicators.dashboard_legend(
        "6.750", "target bulanan kebijakan TPP Pola nasional"
    )
    assert indicators.RANKING_NOTE in notes


def test_the_workload_spreadsheet_explains_its_figures_as_the_page_does(client, town):
    html = _get(client, town, "reports:workload").content.decode()
    legend = _text(html.split('data-testid="legend">')[1].split("</p>")[0])
    assert "Efisiensi jabatan (EJ) = beban kerja / (pegawai tersedia × waktu efektif)" in legend
    rows = _sheet(_get(client, town, "reports:workload", format="xlsx"))
    first = [r[0] for r in rows]
    # Below the "Jumlah" row, not in the way of the table.
    assert first.index("Keterangan:") > first.index("Jumlah")
    notes = first[first.index("Keterangan:") + 1 :]
    assert " ".join(notes) == legend
    assert any("A di atas 1,00; B 0,90–1,00" in n for n in notes)


def _card(html: str, testid: str) -> str:
    return _text(html.split(f'data-testid="{testid}">')[1].split("</div>")[0])


def test_the_workload_card_counts_every_employee_of_the_instansi(client, town):
    """On 15 November nobody's November entry is approved yet: every OPD is left out of the
    instansi's total, and the card read "Pegawai 0" for an instansi of 5 (the ranking: 5)."""
    html = _get(client, town, "reports:workload", periode="2026-11").content.decode()
    assert "3 OPD tanpa aktivitas yang disetujui tidak dihitung" in _text(html)
    assert _card(html, "summary-employees") == "5"
    assert _card(html, "summary-counted") == "0 di OPD yang dihitung"
    dashboard = _get(client, town, "reports:dashboard", periode="2026-11").content.decode()
    assert re.search(r'Pegawai</div><div class="value">5</div>', dashboard)
    # October: every OPD has approved minutes, nothing is left out, the card is the total's.
    html = _get(client, town, "reports:workload").content.decode()
    assert _card(html, "summary-employees") == "5"
    assert 'data-testid="summary-counted"' not in html
