"""S11 (H2): a superior's page of one employee's TPP month reads the instansi's hierarchy once.
The months a superior may open (selectors.results_as_superior) and the explanation's link to the
attendance month (the day_pages tag: attendance.rules.may_view_month -> org.is_below) each built
an org.HierarchyTimeline of the whole instansi (its posts and assignments: several thousand rows at
20,000 employees); the view now builds one and both use it. is_below with a timeline built over a
wider range answers as with its own, on generated charts with leavers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ekinerja.org import selectors as org
from ekinerja.tpp import selectors as tpp_selectors
from ekinerja.tpp import services
from tests.org.test_s9_is_below import END, START, build, charts

from .data import OCT, add_staff, full_attendance, make_pemda, workdays

pytestmark = pytest.mark.django_db
SEP = OCT.previous()


@pytest.fixture
def builds(monkeypatch):
    """The ranges of the HierarchyTimelines built, in order."""
    made: list[tuple[int, dt.date, dt.date]] = []
    init = org.HierarchyTimeline.__init__

    def counting(self, instansi_id, start, end):
        made.append((instansi_id, start, end))
        init(self, instansi_id, start, end)

    monkeypatch.setattr(org.HierarchyTimeline, "__init__", counting)
    return made


@pytest.fixture
def two_months(at):
    """Staf Satu (below Kepala Dinas B) with September and October 2026 computed; 3 November."""
    at("2026-11-03 10:00")
    p = make_pemda()
    full_attendance(p.people["staf"], days=workdays(SEP) + workdays(OCT))
    for month in (SEP, OCT):
        services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=month)
    return p


def _get(client, who, employee, query=""):
    client.force_login(who.user)
    return client.get(reverse("tpp:employee", args=[employee.pk]) + query)


@pytest.mark.parametrize("query", ["", "?periode=2026-09", "?periode=2026-10"])
def test_a_superiors_page_builds_the_hierarchy_once_and_links_the_attendance_month(
    client, two_months, builds, query
):
    p = two_months
    staf, kadis_b = p.people["staf"], p.people["kadis_b"]
    resp = _get(client, kadis_b, staf, query)
    assert resp.status_code == 200
    html = resp.content.decode()
    month = query.removeprefix("?periode=") or "2026-10"  # the latest month listed by default
    link = re.search(r'href="([^"]+)" data-testid="attendance-days"', html).group(1)
    assert link == reverse("attendance:employee-month", args=[staf.pk]) + f"?periode={month}"
    # Was two: results_as_superior's (30 September to 31 October) and is_below's (the month).
    assert len(builds) == 1, builds
    assert builds[0] == (p.inst.pk, dt.date(2026, 9, 1), dt.date(2026, 10, 31))
    assert client.get(link).status_code == 200


def test_a_month_not_listed_is_still_linked_with_one_build(client, two_months, builds):
    """August has no result: the page shows no explanation, and builds one hierarchy only."""
    p = two_months
    resp = _get(client, p.people["kadis_b"], p.people["staf"], "?periode=2026-08")
    assert resp.status_code == 200
    assert len(builds) == 1


def test_someone_not_above_is_refused_and_the_link_goes_by_the_shown_month(client, two_months):
    p = two_months
    staf = p.people["staf"]
    for who in (p.people["kadis"], p.people["guru"]):  # another OPD's head, a teacher there
        assert _get(client, who, staf, "?periode=2026-10").status_code == 404
    # The employee's own page links their own months, as before.
    own = _get(client, staf, staf, "?periode=2026-10").content.decode()
    link = re.search(r'href="([^"]+)" data-testid="attendance-days"', own).group(1)
    assert link == reverse("attendance:month") + "?periode=2026-10"


def test_the_day_pages_tag_builds_its_own_when_the_pages_timeline_misses_the_month(
    rf, two_months, builds
):
    """A timeline that does not hold the month (or is another instansi's) is not used."""
    from django.template import Context

    from ekinerja.tpp.templatetags.tpp import day_pages

    p = two_months
    staf, kadis_b = p.people["staf"], p.people["kadis_b"]
    request = rf.get("/")
    request.user = kadis_b.user
    sep_only = org.HierarchyTimeline(p.inst.pk, SEP.first_day, SEP.last_day)
    builds.clear()
    pages = day_pages(Context({"request": request, "hierarchy_timeline": sep_only}), staf, OCT)
    assert pages["attendance"].endswith("?periode=2026-10")
    assert len(builds) == 1  # October's own
    builds.clear()
    pages = day_pages(Context({"request": request, "hierarchy_timeline": sep_only}), staf, SEP)
    assert pages["attendance"].endswith("?periode=2026-09")
    assert builds == []


def test_is_below_refuses_a_timeline_that_does_not_hold_the_range(two_months):
    p = two_months
    staf, kadis_b = p.people["staf"], p.people["kadis_b"]
    sep = org.HierarchyTimeline(p.inst.pk, SEP.first_day, SEP.last_day)
    assert org.is_below(kadis_b, staf.pk, SEP.first_day, SEP.last_day, timeline=sep)
    with pytest.raises(ValueError):
        org.is_below(kadis_b, staf.pk, OCT.first_day, OCT.last_day, timeline=sep)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(chart=charts(), gone=st.lists(st.booleans(), min_size=9, max_size=9))
def test_is_below_with_a_wider_timeline_answers_as_with_its_own(chart, gone):
    """About half of the people inactive (leavers with ended posts among them); ranges cut out of
    a timeline from 50 days before the month to 40 days after it."""
    chart = {
        **chart,
        "people": [
            (active and not gone[i], runs) for i, (active, runs) in enumerate(chart["people"])
        ],
    }
    emps, _posts = build(chart)
    wide = org.HierarchyTimeline(
        emps[0].instansi_id, START - dt.timedelta(days=50), END + dt.timedelta(days=40)
    )
    spans = [
        (START, END),
        (dt.date(2026, 10, 12), dt.date(2026, 10, 18)),
        (START, START),
        (END, END),
        (START - dt.timedelta(days=20), START + dt.timedelta(days=3)),
    ]
    for superior in emps:
        for emp in emps:
            for span in spans:
                assert org.is_below(superior, emp.id, *span, timeline=wide) is org.is_below(
                    superior, emp.id, *span
                ), (superior.id, emp.id, span)


def test_results_as_superior_builds_the_oldest_month_in_full_and_the_next_from_it(
    two_months, monkeypatch
):
    """The months are asked oldest first, so only the first month's hierarchy is built from all
    the rows; each later one is the one before with what changed done again
    (HierarchyTimeline._build_from). Newest first (the results' order) built every month in full."""
    p = two_months
    staf, kadis_b = p.people["staf"], p.people["kadis_b"]
    # Someone takes up a post on 15 October: the two months' last days are two pieces.
    newcomer = add_staff(p, 1)[0]
    newcomer.assignments.update(start=dt.date(2026, 10, 15))
    history = tpp_selectors.results_of_employee(staf)
    assert [r.run.period for r in history] == ["2026-10", "2026-09"]
    asked, incremental = [], []
    build, build_from = org.HierarchyTimeline._build, org.HierarchyTimeline._build_from

    def spy_build(self, key):
        asked.append(key)
        return build(self, key)

    def spy_build_from(self, latest, key):
        incremental.append(key)
        return build_from(self, latest, key)

    monkeypatch.setattr(org.HierarchyTimeline, "_build", spy_build)
    monkeypatch.setattr(org.HierarchyTimeline, "_build_from", spy_build_from)
    shown = tpp_selectors.results_as_superior(kadis_b, staf, history)
    assert [r.run.period for r in shown] == ["2026-10", "2026-09"]
    # September from the rows, October from September's (was: October, then September, both full).
    assert asked == [dt.date(2026, 9, 30), dt.date(2026, 10, 15)]
    assert incremental == [dt.date(2026, 10, 15)]
