"""The leaders' figures kept in the cache (reports.selectors.cached_opd_month, reports.signals).

The instansi of tests/reports/data.py, read on 15 November 2026 (October is the finished month).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.activities.models import ActivityEntry
from ekinerja.org import services as org_services
from ekinerja.org.models import Assignment, Role
from ekinerja.reports import selectors
from tests.factories import InstansiFactory, employee_with_login, grant
from tests.reports.data import _entry, build

pytestmark = pytest.mark.django_db

PASSWORD = "Rahasia-Kuat-2026!"
NOV_15_10_WITA = dt.datetime(2026, 11, 15, 2, tzinfo=dt.UTC)


@pytest.fixture
def town():
    inst = InstansiFactory(timezone="Asia/Makassar")
    data = build(inst)
    people = {}
    for role in (Role.PIMPINAN, Role.BKPSDM):
        e = employee_with_login(inst, name=f"Akun {role}")
        grant(e.user, role)
        people[role] = e
    return {"inst": inst, **data, "people": people}


def _page(client, name="reports:dashboard"):
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(reverse(name), {"periode": "2026-10"})
    assert resp.status_code == 200
    return resp.content.decode(), len(ctx.captured_queries)


def _dinas_a_activity(html: str) -> str:
    row = html[html.index("Dinas A") :]
    return row[: row.index("</tr>")]


def test_a_leader_moving_between_the_pages_reads_the_month_once(client, town):
    with time_machine.travel(NOV_15_10_WITA, tick=False):
        client.force_login(town["people"][Role.PIMPINAN].user)
        html, first = _page(client)
        assert "angka dibaca pukul 10.00, diperbarui paling lama 5 menit sekali" in html
        _html, again = _page(client)
        _html, workload = _page(client, "reports:workload")
    # The month's own queries (posts, stored days, activity minutes, SKP, TPP, policy,
    # calendar...) are not repeated: only the session, the account and its roles.
    assert first - again >= 10
    assert workload == again


def test_figures_show_within_the_cache_time_and_at_once_after_a_change_of_posts(client, town):
    inst, p = town["inst"], town["p"]
    with time_machine.travel(NOV_15_10_WITA, tick=False) as clock:
        client.force_login(town["people"][Role.PIMPINAN].user)
        html, _n = _page(client)
        assert "50,0%" in _dinas_a_activity(html)
        # Staf A3's late-verified entry of October (written as the verification does in bulk,
        # without an event): the kept figures stay until they expire.
        item = ActivityEntry.objects.filter(employee=p["a1"]).first().item
        ActivityEntry.objects.bulk_create([_entry(item, p["a3"], 7, 6750)])
        assert "50,0%" in _dinas_a_activity(_page(client)[0])
        clock.shift(dt.timedelta(seconds=selectors.CACHE_SECONDS + 1))
        html, _n = _page(client)
        assert "83,3%" in _dinas_a_activity(html)  # (6,750 + 3,375 + 6,750) / 20,250
        assert "angka dibaca pukul 10.05" in html
        # BKPSDM moves Staf B1 to Dinas A on 20 October: the leader sees it at once.
        bkpsdm = town["people"][Role.BKPSDM].user
        old = Assignment.objects.get(employee=p["b1"], kind=Assignment.Kind.DEFINITIF)
        old.end = dt.date(2026, 10, 19)
        org_services.assignment_save(actor=bkpsdm, assignment=old)
        staf_a = Assignment.objects.get(employee=p["a3"]).position
        org_services.assignment_save(
            actor=bkpsdm,
            assignment=Assignment(
                instansi=inst, employee=p["b1"], position=staf_a, start=dt.date(2026, 10, 20)
            ),
        )
        month = selectors.cached_opd_month(inst, selectors.Period(2026, 10), dt.date(2026, 11, 15))
    by_name = {c.name: c for c in month.counts}
    assert (by_name["Dinas A"].employees, by_name["Dinas B"].employees) == (4, 0)


class _Down:
    """A cache server that does not answer (Redis stopped)."""

    def __getattr__(self, name):
        def refuse(*args, **kwargs):
            raise ConnectionError("redis tidak menjawab")

        return refuse


def test_a_cache_that_does_not_answer_costs_time_not_the_page(client, town, monkeypatch):
    monkeypatch.setattr(selectors, "cache", _Down())
    with time_machine.travel(NOV_15_10_WITA, tick=False):
        client.force_login(town["people"][Role.PIMPINAN].user)
        html, _n = _page(client)
        assert "55,0" in html and "50,0%" in _dinas_a_activity(html)
        html, _n = _page(client, "reports:workload")
        assert "elebihan 1 pegawai" in html
        # A change of posts with the cache down is committed all the same.
        bkpsdm = town["people"][Role.BKPSDM].user
        old = Assignment.objects.get(employee=town["p"]["b1"], kind=Assignment.Kind.DEFINITIF)
        old.end = dt.date(2026, 10, 19)
        org_services.assignment_save(actor=bkpsdm, assignment=old)
        assert Assignment.objects.get(pk=old.pk).end == dt.date(2026, 10, 19)
