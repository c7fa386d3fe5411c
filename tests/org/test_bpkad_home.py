"""BPKAD's home card lists the TPP lists ready for payment (locked or exported), latest first, at
most six, each linking to its run page; before any lock it says so. The card's data comes from the
tpp app (registered with org.views.register_home_card: org imports no app above it)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.org.views import HOME_CARDS
from ekinerja.tpp.models import Run
from tests.factories import InstansiFactory
from tests.tpp.data import make_pemda

pytestmark = pytest.mark.django_db


@pytest.fixture
def pemda():
    return make_pemda()


def _run(inst, period: str, state: str, **kw) -> Run:
    return Run.objects.create(instansi=inst, period=period, state=state, **kw)


def _card(html: str) -> str:
    start = html.index('data-testid="card-bpkad"')
    return html[start : html.index("</div></div></div>", start)]


def test_bpkad_home_lists_the_latest_locked_runs_with_links(client, pemda):
    inst = pemda.inst
    locked = [
        _run(inst, f"2026-{m:02d}", Run.State.EXPORTED if m < 8 else Run.State.LOCKED)
        for m in range(3, 11)
    ]
    unit_run = _run(inst, "2026-10", Run.State.LOCKED, unit=pemda.opd_b)
    _run(inst, "2026-11", Run.State.COMPUTED)  # not ready for payment: not listed
    other = InstansiFactory(code="9998")
    _run(other, "2026-12", Run.State.LOCKED)  # another instansi's: never listed
    client.force_login(pemda.bpkad)
    card = _card(client.get(reverse("home")).content.decode())
    # Registered by tpp.views, imported with the URLconf that served the page.
    assert "tpp-bpkad" in HOME_CARDS
    links = re.findall(r'href="/tpp/perhitungan/(\d+)/">([^<]*)</a>', card)
    assert len(links) == 6
    months = [text for _pk, text in links]
    assert months[0].startswith("TPP Oktober 2026") and months[-1].startswith("TPP Juni 2026")
    assert {int(pk) for pk, _ in links} >= {locked[-1].pk, unit_run.pk}
    assert "TPP Oktober 2026 · Dinas Kesehatan" in months
    assert "November 2026" not in card and "Desember 2026" not in card
    assert "Diekspor" in card and "Dikunci" in card
    assert "muncul di sini setelah BKPSDM mengunci" not in card
    assert reverse("tpp:runs") in card


def test_bpkad_home_before_any_lock_says_what_will_appear(client, pemda):
    _run(pemda.inst, "2026-10", Run.State.VERIFIED)
    client.force_login(pemda.bpkad)
    card = _card(client.get(reverse("home")).content.decode())
    assert 'data-testid="payroll-runs-empty"' in card
    assert "/tpp/perhitungan/" not in card.replace(reverse("tpp:runs"), "")


def test_other_roles_get_no_payroll_card(client, pemda):
    _run(pemda.inst, "2026-10", Run.State.LOCKED)
    client.force_login(pemda.bkpsdm1)
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="card-bpkad"' not in html and "payroll-runs" not in html


def test_the_card_costs_one_query(client, pemda):
    for m in range(1, 11):
        _run(pemda.inst, f"2026-{m:02d}", Run.State.LOCKED)
    client.force_login(pemda.bpkad)
    client.get(reverse("home"))  # warm the session and caches
    with CaptureQueriesContext(connection) as q:
        client.get(reverse("home"))
    assert len([x for x in q.captured_queries if "tpp_run" in x["sql"]]) == 1


def test_the_home_page_counts_a_post_held_only_by_a_plt_as_vacant(pemda):
    """As the leaders' staffing report does (org.selectors.staffing): the trial's home page said
    "Jabatan kosong 6" where the report said 9, 3 of them held by a Plt/Plh."""
    import datetime as dt

    from ekinerja.org.models import Assignment
    from ekinerja.org.selectors import instansi_stats, staffing
    from tests.factories import AssignmentFactory, EmployeeFactory, PositionFactory

    on = dt.date(2026, 10, 15)
    before = instansi_stats(pemda.inst, on=on)["vacant_positions"]
    post = PositionFactory(unit=pemda.opd_a)
    acting = EmployeeFactory(instansi=pemda.inst)
    AssignmentFactory(
        position=post, employee=acting, start=dt.date(2026, 1, 1), kind=Assignment.Kind.PLT
    )
    stats = instansi_stats(pemda.inst, on=on)
    assert stats["vacant_positions"] == before + 1
    report = staffing(pemda.inst, on=on)
    assert stats["vacant_positions"] == len(report.position_units) - len(report.held)
