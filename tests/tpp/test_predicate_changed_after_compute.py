"""A list whose SKP predicates changed after the compute (a superior rated before the rating
deadline, a quarter rated in its last month, a rating BKPSDM reopened) is neither verified nor
locked until computed again; a locked list never changes. An audit computed October on the 2nd,
superiors rated on the 3rd (deadline the 5th), the list was locked on the 4th: the rated employees
were paid the not-rated value, while their "TPP saya" said the figure would change on recompute."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ekinerja.performance.models import SkpEvaluation
from ekinerja.tpp import selectors, services
from ekinerja.tpp.models import Result, Run
from ekinerja.tpp.policy import hss_template

from .data import OCT, full_attendance, make_pemda, rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def pemda():
    p = make_pemda()
    for e in p.people.values():
        full_attendance(e)
    return p


def _compute(p):
    return services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)


def _skp(p, who="guru"):
    return Result.objects.get(employee=p.people[who], run__period=str(OCT)).detail["skp"]


def test_a_rating_after_the_compute_stops_verify_and_lock_until_computed_again(pemda):
    run = _compute(pemda)
    assert selectors.predicates_changed(run) == (0, [])
    assert _skp(pemda)["predicate"] is None
    rate(pemda.people["guru"], "baik")
    assert selectors.predicates_changed(run) == (1, [pemda.people["guru"]])
    with pytest.raises(ValidationError) as err:
        services.run_verify(actor=pemda.bkpsdm1, run=run)
    assert "predikat SKP" in str(err.value) and "Guru Satu" in str(err.value)
    assert "Hitung ulang" in str(err.value)
    run.refresh_from_db()
    assert run.state == Run.State.COMPUTED
    run = _compute(pemda)
    assert _skp(pemda)["predicate"] == "baik"
    run = services.run_verify(actor=pemda.bkpsdm1, run=run)
    # Verified, then re-rated: not locked either.
    SkpEvaluation.objects.filter(employee=pemda.people["guru"]).update(predicate="sangat_kurang")
    with pytest.raises(ValidationError, match="Hitung ulang"):
        services.run_lock(actor=pemda.bkpsdm2, run=run)
    SkpEvaluation.objects.filter(employee=pemda.people["guru"]).update(predicate="baik")
    run = services.run_lock(actor=pemda.bkpsdm2, run=run)
    assert run.state == Run.State.LOCKED
    # A locked month never changes: a later rating (a reopened period) leaves it as paid.
    paid = Result.objects.get(employee=pemda.people["guru"], run=run).net
    SkpEvaluation.objects.filter(employee=pemda.people["guru"]).update(predicate="sangat_kurang")
    with pytest.raises(ValidationError):
        _compute(pemda)
    assert _skp(pemda)["predicate"] == "baik"
    assert Result.objects.get(employee=pemda.people["guru"], run=run).net == paid


def test_the_check_reads_a_fixed_number_of_queries(pemda, django_assert_num_queries):
    run = _compute(pemda)
    for e in pemda.people.values():
        rate(e, "baik")
    with django_assert_num_queries(3):  # results, predicates, names: none per row
        count, first = selectors.predicates_changed(run, limit=3)
    assert count == 4 and len(first) == 3


def test_a_policy_without_an_skp_component_does_not_wait_for_ratings():
    def no_skp(effective_from):
        data = hss_template(effective_from)
        data["components"] = [
            {"key": "attendance", "weight": 40},
            {"key": "activity", "weight": 60},
        ]
        return data

    p = make_pemda(template=no_skp)
    for e in p.people.values():
        full_attendance(e)
    run = _compute(p)
    rate(p.people["guru"], "baik")
    assert selectors.predicates_changed(run) == (0, [])
    services.run_verify(actor=p.bkpsdm1, run=run)


def test_the_run_page_says_whose_predicate_changed_before_verify_is_tried(pemda, client):
    from django.urls import reverse

    run = _compute(pemda)
    client.force_login(pemda.bkpsdm2)
    url = reverse("tpp:run", args=[run.pk])
    assert 'data-testid="predicates-changed"' not in client.get(url).content.decode()
    rate(pemda.people["guru"], "baik")
    page = client.get(url).content.decode()
    assert 'data-testid="predicates-changed"' in page
    guru = pemda.people["guru"]
    assert "Predikat SKP 1 pegawai berubah sejak daftar dihitung" in page
    assert f"{guru.name} ({guru.nip})" in page
    _compute(pemda)
    assert 'data-testid="predicates-changed"' not in client.get(url).content.decode()


def test_a_payment_only_row_of_someone_rated_does_not_stop_verify_and_lock(pemda):
    """Someone who left on 31 October and is paid only a correction in November has no SKP
    component that month (a row of zeros, no predicate); the quarter they were rated for still
    covers November. Before, their row's missing predicate never equalled "baik": November could
    be neither verified nor locked, however often it was computed again, and nobody was paid."""
    from decimal import Decimal

    from ekinerja.core.periods import Period
    from ekinerja.org.models import Assignment

    nov = Period(2026, 11)
    guru = pemda.people["guru"]
    for e in pemda.people.values():
        if e != guru:
            full_attendance(e, days=[d for d in nov.days() if d.weekday() < 5])
    Assignment.objects.filter(employee=guru).update(end=OCT.last_day)
    run = services.run_lock(
        actor=pemda.bkpsdm2, run=services.run_verify(actor=pemda.bkpsdm1, run=_compute(pemda))
    )
    services.adjustment_record(
        actor=pemda.bkpsdm1, employee=guru, source_period=OCT, amount=Decimal(250_000), reason="k"
    )
    rate(guru, "baik", period=nov)
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=nov)
    row = Result.objects.get(run=run, employee=guru)
    assert row.detail["payment_only"] and row.payable == 250_000
    assert selectors.predicates_changed(run) == (0, [])
    run = services.run_verify(actor=pemda.bkpsdm1, run=run)
    assert services.run_lock(actor=pemda.bkpsdm2, run=run).state == Run.State.LOCKED
