"""The workload page as a second audit read it (6 December 2026): the available staff the verdict
compares with is shown, an OPD is said to have no approved activity only when it has counted days
and none, and a large number of waiting entries is written with the thousands dot."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from ekinerja.activities.models import ActivityCatalogItem, ActivityEntry
from ekinerja.org.models import Role
from tests.factories import (
    AssignmentFactory,
    InstansiFactory,
    PositionFactory,
    employee_with_login,
    grant,
)
from tests.reports.data import _entry, build

pytestmark = pytest.mark.django_db
PASSWORD = "Rahasia-Kuat-2026!"


@pytest.fixture
def town():
    inst = InstansiFactory(timezone="Asia/Makassar")
    data = build(inst)
    boss = employee_with_login(inst, name="Akun Pimpinan")
    grant(boss.user, Role.PIMPINAN)
    return {"inst": inst, "boss": boss, **data}


def _text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _on(day):
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, 2, tzinfo=dt.UTC), tick=False
    )


def _get(client, town, day, **params):
    assert client.login(username=town["boss"].user.username, password=PASSWORD)
    with _on(day):
        return client.get(reverse("reports:workload"), params)


def test_the_available_staff_the_verdict_compares_with_is_on_the_page(client, town):
    """Two joiners on 16 October: headcount 3, available 2,00, need 2 "Sesuai". The page showed
    3 and 2 only (3 against 2 read as over-staffed), the xlsx had the 2,00."""
    inst, b = town["inst"], town["b"]
    item = ActivityCatalogItem.objects.get(instansi=inst, code="X1")
    joiners = []
    for n in (1, 2):
        j = employee_with_login(inst, name=f"Baru {n}")
        AssignmentFactory(position=PositionFactory(unit=b), employee=j, start=dt.date(2026, 10, 16))
        joiners.append(j)
    ActivityEntry.objects.bulk_create([_entry(item, j, 20, 3375) for j in joiners])
    html = _get(client, town, dt.date(2026, 11, 15), periode="2026-10").content.decode()
    row = re.search(r'<tr data-testid="workload-row">\s*<td>Dinas B.*?</tr>', html, re.S).group(0)
    assert "Sesuai" in row
    available = re.search(r'data-testid="workload-available"[^>]*>([^<]*)<', row).group(1)
    assert available == "2,00"
    head = html.split('data-testid="workload"')[1].split("</thead>")[0]
    assert "tersedia" in head
    with _on(dt.date(2026, 11, 15)):
        xl = client.get(reverse("reports:workload"), {"periode": "2026-10", "format": "xlsx"})
    ws = openpyxl.load_workbook(io.BytesIO(xl.content)).active
    header = next(r for r in ws.iter_rows(values_only=True) if r and r[0] == "No")
    sheet_row = next(r for r in ws.iter_rows(values_only=True) if r and r[1] == "Dinas B")
    assert dict(zip(header, sheet_row, strict=False))["Pegawai tersedia (setara penuh)"] == 2.0


def test_before_any_working_day_is_counted_no_opd_is_said_to_lack_approved_activity(client, town):
    """Monday 2 November: only Sunday the 1st is behind; every row says "Belum ada hari kerja",
    and the page also listed every OPD as "tanpa aktivitas yang disetujui" (Dinas B had one)."""
    item = ActivityCatalogItem.objects.get(instansi=town["inst"], code="X1")
    entry = _entry(item, town["p"]["b1"], 1, 240)
    entry.date = dt.date(2026, 11, 1)
    entry.save()
    text = _text(_get(client, town, dt.date(2026, 11, 2), periode="2026-11").content.decode())
    assert "Belum ada hari kerja" in text
    assert "tanpa aktivitas yang disetujui" not in text


def test_the_number_of_waiting_entries_is_written_with_the_thousands_dot(client, town):
    item = ActivityCatalogItem.objects.get(instansi=town["inst"], code="X1")
    waiting = []
    for i in range(1234):
        waiting.append(_entry(item, town["p"]["b1"], 5 + i % 20, 1, status="submitted"))
    ActivityEntry.objects.bulk_create(waiting)
    n = ActivityEntry.objects.filter(instansi=town["inst"], status="submitted").count()
    shown = f"{n:,}".replace(",", ".")
    assert n >= 1234 and "." in shown
    text = _text(_get(client, town, dt.date(2026, 11, 15), periode="2026-10").content.decode())
    assert f"{shown} aktivitas masih menunggu verifikasi atasan" in text
    with _on(dt.date(2026, 11, 15)):
        xl = client.get(reverse("reports:workload"), {"periode": "2026-10", "format": "xlsx"})
    cells = [
        c
        for r in openpyxl.load_workbook(io.BytesIO(xl.content)).active.iter_rows(values_only=True)
        for c in r
        if isinstance(c, str)
    ]
    assert any(f"Sementara: {shown} aktivitas" in c for c in cells)
