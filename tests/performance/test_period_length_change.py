"""An evaluation row is keyed by its first day; when BKPSDM changes the period length during the
year, rows of two lengths meet. A second audit (6 December 2026) found: January rated monthly, then
quarterly from February, Q1 looked rated on every page (same first day) while February and March
read no predicate (TPP paid the not-rated value); and re-rating a reopened January cut a rated Q1
row to 31 January, so the still-locked February and March lost their predicate."""

from __future__ import annotations

import datetime as dt

import pytest

from ekinerja.core.periods import Period
from ekinerja.performance import selectors, services
from ekinerja.performance.models import PerformanceSettings
from ekinerja.performance.services import RatingErrors
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


def _period(org, month):
    return selectors.period_containing(selectors.performance_settings(org["inst"]), month)


def _predicates(org, who="staf1"):
    return [selectors.predicate_month([org[who]], Period(2026, m))[org[who].pk] for m in (1, 2, 3)]


def _rate(org, period, results, who="staf1"):
    services.evaluation_rate(
        actor=org["kabid"].user,
        employee=org[who],
        period=period,
        results=results,
        behaviour=results,
    )


def _bkpsdm(org):
    user = UserFactory(instansi=org["inst"])
    grant(user, "bkpsdm")
    return user


def test_a_quarter_whose_january_was_rated_monthly_is_still_to_rate(org, cascaded, at):
    bkpsdm = _bkpsdm(org)
    at("2026-02-03 09:00")
    _rate(org, _period(org, Period(2026, 1)), "above")
    at("2026-02-10 09:00")
    settings = selectors.performance_settings(org["inst"])
    settings.evaluation_period_months = 3
    services.settings_save(actor=bkpsdm, settings_obj=settings)
    at("2026-04-03 09:00")
    today = dt.date(2026, 4, 3)
    q1 = _period(org, Period(2026, 1))
    sheet = {r.employee.pk: r for r in selectors.rating_sheet(org["kabid"], q1, today=today)}
    assert sheet[org["staf1"].pk].evaluation is None
    overview = selectors.rating_overview(org["inst"], q1, today=today)
    assert org["staf1"].pk in {e.pk for r in overview for e, _s in r.unrated}
    reminders = selectors.rating_reminders(org["inst"], today=today)
    assert org["staf1"].pk in {e.pk for r in reminders for e in r.pending}
    # Rated for the quarter: February and March read it.
    _rate(org, q1, "as_expected")
    assert _predicates(org) == ["baik", "baik", "baik"]


def test_a_reopened_month_cannot_cut_a_rating_that_still_pays_locked_months(org, cascaded, at):
    bkpsdm = _bkpsdm(org)
    settings = PerformanceSettings.objects.create(instansi=org["inst"], evaluation_period_months=3)
    at("2026-04-02 09:00")
    _rate(org, _period(org, Period(2026, 1)), "above")
    at("2026-04-06 09:00")
    locks = {
        m: services.period_lock(actor=bkpsdm, instansi=org["inst"], month=Period(2026, m))
        for m in (1, 2, 3)
    }
    settings.evaluation_period_months = 1
    services.settings_save(actor=bkpsdm, settings_obj=settings)
    services.period_reopen(
        actor=bkpsdm,
        lock=locks[1],
        reason="Koreksi penilaian Januari yang salah input",
        until=dt.date(2026, 4, 20),
    )
    at("2026-04-10 09:00")
    with pytest.raises(RatingErrors) as err:
        _rate(org, _period(org, Period(2026, 1)), "below")
    text = str(err.value)
    assert "berlaku sampai 31 Maret 2026" in text and "Februari 2026" in text
    assert _predicates(org) == ["sangat_baik"] * 3


def test_a_rater_of_another_instansi_learns_nothing_of_an_employees_rating(org, cascaded, at):
    """The check of a rating that would be cut ran before the tenancy check: a kabid of another
    instansi posting this employee's id got their name and the span of their rating."""
    from ekinerja.performance.models import PerformancePeriodLock
    from ekinerja.performance.services import RatingInput
    from tests.factories import InstansiFactory
    from tests.performance.factories import small_org

    PerformanceSettings.objects.create(instansi=org["inst"], evaluation_period_months=3)
    at("2026-04-02 09:00")
    _rate(org, _period(org, Period(2026, 1)), "above")
    other = small_org(InstansiFactory(timezone="Asia/Makassar"))
    PerformanceSettings.objects.create(instansi=other["inst"], evaluation_period_months=1)
    for m in (2, 3):
        PerformancePeriodLock.objects.create(instansi=other["inst"], year=2026, month=m)
    at("2026-02-03 09:00")
    with pytest.raises(RatingErrors) as err:
        services.evaluations_rate(
            actor=other["kabid"].user,
            period=_period(other, Period(2026, 1)),
            ratings=[RatingInput(org["staf1"].pk, "below", "below", "")],
        )
    assert err.value.message_dict == {str(org["staf1"].pk): ["Pegawai tidak ditemukan."]}
