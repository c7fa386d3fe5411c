"""The path from a superior's rating to the predicate a TPP month reads (selectors.predicate_month):
which evaluation covers a month after the period length changed, and who rates an employee who no
longer holds a post at the end of the period (retired, moved to another Pemda, died)."""

import datetime as dt

import pytest
from django.urls import reverse

from ekinerja.core.periods import Period
from ekinerja.org.models import Assignment
from ekinerja.org.selectors import hierarchy
from ekinerja.performance import selectors, services
from ekinerja.performance.models import PerformanceSettings, SkpEvaluation
from ekinerja.performance.services import RatingErrors

pytestmark = pytest.mark.django_db


def period_of(org, month: Period):
    return selectors.period_containing(selectors.performance_settings(org["inst"]), month)


OCTOBER = Period(2026, 10)


def rate(org, who="staf1", by="kabid", results="above", behaviour="above", month=OCTOBER):
    return services.evaluation_rate(
        actor=org[by].user,
        employee=org[who],
        period=period_of(org, month),
        results=results,
        behaviour=behaviour,
    )


def report(org, cascaded, month: Period, who="staf1"):
    indicator = cascaded[who].results.first().indicators.first()
    services.realisation_save(
        actor=org[who].user,
        indicator=indicator,
        period=period_of(org, month),
        description="12 laporan diselesaikan",
    )


def predicates(org, months, who="staf1"):
    return [selectors.predicate_month([org[who]], Period(2026, m))[org[who].pk] for m in months]


# ---------------------------------------------------------------- the period length changed


def test_a_quarter_rated_after_a_monthly_report_covers_all_its_months(org, cascaded, at):
    """January reported under monthly evaluation, then BKPSDM chose quarterly: the Q1 rating was
    saved on January's row (same first day) and kept its end, 31 January. February and March read
    no predicate and the TPP paid them the not-rated value."""
    at("2026-01-10 09:00")
    report(org, cascaded, Period(2026, 1))
    PerformanceSettings.objects.create(instansi=org["inst"], evaluation_period_months=3)
    at("2026-03-20 09:00")
    ev = rate(org, month=Period(2026, 3))
    assert (ev.period_start, ev.period_end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert ev.period_label == "Triwulan I 2026"
    assert predicates(org, (1, 2, 3, 4)) == ["sangat_baik", "sangat_baik", "sangat_baik", None]


def test_a_month_rated_after_a_quarterly_report_covers_only_that_month(org, cascaded, at):
    """October reported under quarterly evaluation (a row to 31 December), then BKPSDM chose
    monthly: October's rating covered November and December too, which were never rated."""
    cfg = PerformanceSettings.objects.create(instansi=org["inst"], evaluation_period_months=3)
    at("2026-10-10 09:00")
    report(org, cascaded, Period(2026, 10))
    cfg.evaluation_period_months = 1
    cfg.save()
    at("2026-11-03 09:00")
    ev = rate(org, results="below", behaviour="below")
    assert ev.period_end == dt.date(2026, 10, 31)
    assert predicates(org, (10, 11, 12)) == ["sangat_kurang", None, None]


def test_reporting_under_the_new_length_moves_the_rows_end(org, cascaded, at):
    """The realisation page reads the same row: its period follows the settings too."""
    at("2026-01-10 09:00")
    report(org, cascaded, Period(2026, 1))
    PerformanceSettings.objects.create(instansi=org["inst"], evaluation_period_months=3)
    at("2026-02-10 09:00")
    report(org, cascaded, Period(2026, 2))
    ev = SkpEvaluation.objects.get(employee=org["staf1"])
    assert ev.period_end == dt.date(2026, 3, 31) and not ev.is_rated


# ---------------------------------------------------------------- who rates someone who left


def _leave(employee, last_day: dt.date, *, deactivate: bool = False) -> None:
    Assignment.objects.filter(employee=employee).update(end=last_day)
    if deactivate:
        employee.is_active = False
        employee.save(update_fields=["is_active"])


def test_a_retiree_is_rated_for_the_last_month_by_the_superior_of_their_last_day(
    client, org, cascaded, at
):
    """TMT pensiun 1 November: the post ends 31 October and BKPSDM deactivates the record. On
    3 November the kabid could not rate October (the retiree had dropped out of the hierarchy), the
    sheet did not list them, nor did BKPSDM's, and October's TPP paid the not-rated value."""
    at("2026-11-03 09:00")
    _leave(org["staf1"], dt.date(2026, 10, 31), deactivate=True)
    october = period_of(org, Period(2026, 10))
    sheet = selectors.rating_sheet(org["kabid"], october, today=dt.date(2026, 11, 3))
    assert org["staf1"] in [row.employee for row in sheet]
    assert (
        selectors.unrated_subordinate_count(org["kabid"], october, today=dt.date(2026, 11, 3)) == 3
    )
    # Through the superior's sheet, as the other subordinates.
    client.force_login(org["kabid"].user)
    url = reverse("performance:rating") + "?periode=2026-10"
    assert f'data-nip="{org["staf1"].nip}"' in client.get(url).content.decode()
    key = org["staf1"].pk
    client.post(url, {f"hasil-{key}": "above", f"perilaku-{key}": "above"})
    ev = SkpEvaluation.objects.get(employee=org["staf1"])
    assert ev.rated_by == org["kabid"]
    assert predicates(org, (10,)) == ["sangat_baik"]


def test_someone_who_left_mid_month_is_rated_by_their_superior_then_and_nobody_else(
    org, cascaded, at
):
    """Moved to another Pemda on 15 October: the superior on that day rates October."""
    at("2026-11-03 09:00")
    _leave(org["staf1"], dt.date(2026, 10, 15))
    for someone_else in ("kadis", "staf2"):
        with pytest.raises(RatingErrors) as err:
            rate(org, by=someone_else)
        assert "bukan atasan langsung" in err.value.message_dict[str(org["staf1"].pk)][0]
    # The superior on 15 October, even if they moved on since.
    Assignment.objects.filter(employee=org["kabid"]).update(end=dt.date(2026, 10, 20))
    assert rate(org).rated_by == org["kabid"]


def test_someone_who_left_after_the_period_is_still_rated_by_the_superior_at_its_end(
    org, cascaded, at
):
    """Nothing changes for a departure after the period: the superior at its end rates."""
    at("2026-11-03 09:00")
    _leave(org["staf1"], dt.date(2026, 11, 2), deactivate=True)
    assert rate(org).rated_by == org["kabid"]


def test_a_retired_head_without_a_superior_is_on_bkpsdms_sheet(org, cascaded, at):
    from tests.factories import UserFactory, grant

    at("2026-11-03 09:00")
    bkpsdm = UserFactory(instansi=org["inst"])
    grant(bkpsdm, "bkpsdm")
    _leave(org["kadis"], dt.date(2026, 10, 31), deactivate=True)
    october = period_of(org, Period(2026, 10))
    sheet = selectors.rating_sheet_without_superior(
        org["inst"].pk, october, today=dt.date(2026, 11, 3)
    )
    assert org["kadis"] in [row.employee for row in sheet]
    services.evaluation_rate(
        actor=bkpsdm, employee=org["kadis"], period=october, results="above", behaviour="above"
    )
    assert predicates(org, (10,), who="kadis") == ["sangat_baik"]
    # Their subordinate, the kabid, goes to the next holder up (nobody here: BKPSDM), since a
    # deactivated superior can no longer sign in (org.services.EMPLOYEE_HIERARCHY_FIELDS).
    assert selectors.raters(
        org["inst"].pk, october.start, hierarchy(org["inst"].pk, october.end), [org["kabid"].pk]
    ) == {org["kabid"].pk: None}


def test_the_rater_of_someone_who_left_sees_their_evaluation(client, org, cascaded, at):
    at("2026-11-03 09:00")
    report(org, cascaded, Period(2026, 10))
    _leave(org["staf1"], dt.date(2026, 10, 31), deactivate=True)
    ev = SkpEvaluation.objects.get(employee=org["staf1"])
    assert org["kabid"].user.has_perm("performance.view_evaluation", ev)
    assert not org["kadis"].user.has_perm("performance.view_evaluation", ev)
