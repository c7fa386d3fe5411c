"""The demo generator: agreed plans cascade down the real hierarchy, the predicates spread
realistically, the open period leaves work for the demo superior, and the rows obey the rules."""

import datetime as dt
import random
from collections import Counter

import pytest

from ekinerja.core.models import Instansi
from ekinerja.core.periods import Period
from ekinerja.demo.performance import generate_performance
from ekinerja.org.models import Employee
from ekinerja.org.selectors import hierarchy
from ekinerja.performance import selectors
from ekinerja.performance.models import SkpEvaluation, SkpPlan, SkpResult
from ekinerja.performance.predicate import predicate

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 3)


@pytest.fixture
def demo():
    from ekinerja.demo.org import generate_org

    inst = Instansi.objects.create(code="9901", name="Kabupaten Demo", timezone="Asia/Makassar")
    org = generate_org(
        instansi=inst,
        employees=150,
        rng=random.Random("org"),
        password="Demo-eKinerja-2026",
        today=TODAY,
    )
    summary = generate_performance(
        instansi=inst, rng=random.Random("perf"), today=TODAY, previous={"org": org}
    )
    return inst, org, summary


def test_demo_performance_data(demo):
    """One generation (about ten seconds), every property checked on it."""
    _plans_cascade(demo)
    _predicates_spread(demo)
    _open_period(demo)


def _plans_cascade(demo):
    inst, _org, summary = demo
    assert summary.plans == SkpPlan.objects.filter(instansi=inst).count() > 100
    assert 0.9 < summary.agreed / summary.plans < 1
    h = hierarchy(inst, TODAY)
    for r in SkpResult.objects.filter(instansi=inst).select_related("plan", "parent_result__plan"):
        sup = h.superior_id(r.plan.employee_id)
        if sup is None:
            assert r.parent_result is None
        else:
            assert r.parent_result.plan.employee_id == sup
            assert r.parent_result.plan.year == 2026


def _predicates_spread(demo):
    inst, _org, _summary = demo
    closed = Period(2026, 9)
    ids = list(Employee.objects.filter(instansi=inst).values_list("id", flat=True))
    got = Counter(selectors.predicate_month(ids, closed).values())
    total = sum(got.values())
    assert got["baik"] / total > 0.5
    assert 0.05 < got["sangat_baik"] / total < 0.3
    for rare in ("butuh_perbaikan", "kurang", "sangat_kurang"):
        assert got[rare] < got["sangat_baik"]
    assert got[None] > 0 and got["butuh_perbaikan"] > 0
    for ev in SkpEvaluation.objects.filter(instansi=inst).exclude(predicate=""):
        assert ev.predicate == predicate(ev.results_rating, ev.behaviour_rating)
        assert ev.rated_at.date() <= dt.date(2026, 11, 5)


def _open_period(demo):
    inst, org, _summary = demo
    atasan = next(a for a in org.accounts if a.role == "atasan")
    me = Employee.objects.get(user__username=atasan.username)
    october = selectors.period_containing(selectors.performance_settings(inst), Period(2026, 10))
    rows = selectors.rating_sheet(me, october, today=TODAY)
    assert len(rows) >= 3
    assert not any(r.evaluation and r.evaluation.is_rated for r in rows)
    assert any(r.realisations for r in rows)
    # The running month (November) has realisation reported but no rating yet.
    assert (
        not SkpEvaluation.objects.filter(instansi=inst, period_start=dt.date(2026, 11, 1))
        .exclude(predicate="")
        .exists()
    )
