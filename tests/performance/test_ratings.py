"""Ratings: only the direct superior, only while the period is open and not locked, all or nothing;
realisation with evidence checked by content; the not-rated default."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ekinerja.core.models import AuditEvent
from ekinerja.core.periods import Period
from ekinerja.org.models import Assignment
from ekinerja.performance import selectors, services
from ekinerja.performance.models import (
    PerformanceSettings,
    SkpEvaluation,
    SkpEvidence,
    SkpRealisation,
)
from ekinerja.performance.services import RatingErrors, RatingInput
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def october(org):
    return selectors.period_containing(
        selectors.performance_settings(org["inst"]), Period(2026, 10)
    )


def rate(org, who="staf1", by="kabid", results="as_expected", behaviour="as_expected", period=None):
    return services.evaluation_rate(
        actor=org[by].user,
        employee=org[who],
        period=period or october(org),
        results=results,
        behaviour=behaviour,
    )


def test_direct_superior_rates_and_predicate_follows_the_matrix(org, cascaded, at):
    at("2026-11-03 09:00")
    ev = rate(org, results="above", behaviour="below")
    assert ev.predicate == "kurang" and ev.rated_by == org["kabid"]
    assert ev.plan == cascaded["staf1"]
    assert (ev.period_start, ev.period_end) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert AuditEvent.objects.filter(action="performance.evaluation.rate").count() == 1
    # Re-rating before the deadline replaces the rating; both are audited.
    ev = rate(org, results="above", behaviour="above")
    assert ev.predicate == "sangat_baik"
    assert SkpEvaluation.objects.count() == 1
    last = AuditEvent.objects.filter(action="performance.evaluation.rate").order_by("-id").first()
    assert last.before["predicate"] == "kurang" and last.after["predicate"] == "sangat_baik"


@pytest.mark.parametrize("who_rates", ["kadis", "staf2", "staf1"])
def test_only_the_direct_superior_rates(org, cascaded, at, who_rates):
    """Not the superior's superior, not a peer, not the employee themself."""
    at("2026-11-03 09:00")
    with pytest.raises(RatingErrors) as err:
        rate(org, by=who_rates)
    assert "bukan atasan langsung" in err.value.message_dict[str(org["staf1"].pk)][0]
    assert not SkpEvaluation.objects.exists()


def test_bkpsdm_cannot_rate_someone_who_has_a_superior(org, cascaded, at):
    at("2026-11-03 09:00")
    bkpsdm = UserFactory(instansi=org["inst"])
    grant(bkpsdm, "bkpsdm")
    with pytest.raises(RatingErrors):
        services.evaluation_rate(
            actor=bkpsdm,
            employee=org["staf1"],
            period=october(org),
            results="above",
            behaviour="above",
        )
    # ...but rates the top leader, who has no superior in the system.
    ev = services.evaluation_rate(
        actor=bkpsdm,
        employee=org["kadis"],
        period=october(org),
        results="above",
        behaviour="as_expected",
    )
    assert ev.predicate == "baik" and ev.rated_by is None


def test_superior_is_taken_at_the_end_of_the_period(org, cascaded, at):
    """On 3 November the October rating belongs to whoever was superior on 31 October."""
    at("2026-11-03 09:00")
    Assignment.objects.filter(employee=org["kabid"]).update(end=dt.date(2026, 10, 31))
    ev = rate(org)  # the kabid still rates October
    assert ev.rated_by == org["kabid"]
    with pytest.raises(RatingErrors):  # but not November: the kadis does
        rate(
            org,
            period=selectors.period_containing(
                selectors.performance_settings(org["inst"]), Period(2026, 11)
            ),
        )
    rate(
        org,
        by="kadis",
        period=selectors.period_containing(
            selectors.performance_settings(org["inst"]), Period(2026, 11)
        ),
    )


def test_locked_period_refuses_ratings(org, cascaded, at):
    at("2026-11-03 09:00")
    rate(org)
    bkpsdm = UserFactory(instansi=org["inst"])
    grant(bkpsdm, "bkpsdm")
    with pytest.raises(ValidationError):  # only BKPSDM locks
        services.period_lock(actor=org["kabid"].user, instansi=org["inst"], month=Period(2026, 10))
    services.period_lock(actor=bkpsdm, instansi=org["inst"], month=Period(2026, 10))
    with pytest.raises(ValidationError):
        services.period_lock(actor=bkpsdm, instansi=org["inst"], month=Period(2026, 10))
    with pytest.raises(RatingErrors) as err:
        rate(org, results="below", behaviour="below")
    assert "dikunci" in err.value.message_dict["__all__"][0]
    with pytest.raises(RatingErrors):
        rate(org, who="staf2")
    ev = SkpEvaluation.objects.get()
    assert ev.predicate == "baik"  # unchanged


def test_a_lock_on_one_month_closes_the_quarter(org, cascaded, at):
    PerformanceSettings.objects.create(instansi=org["inst"], evaluation_period_months=3)
    at("2026-12-10 09:00")
    bkpsdm = UserFactory(instansi=org["inst"])
    grant(bkpsdm, "bkpsdm")
    q4 = selectors.period_containing(selectors.performance_settings(org["inst"]), Period(2026, 11))
    assert q4.label == "Triwulan IV 2026"
    rate(org, period=q4)
    services.period_lock(actor=bkpsdm, instansi=org["inst"], month=Period(2026, 11))
    with pytest.raises(RatingErrors):
        rate(org, period=q4, results="above", behaviour="above")


def test_rating_after_the_deadline_is_refused_and_stays_not_rated(org, cascaded, at):
    at("2026-11-06 09:00")
    with pytest.raises(RatingErrors) as err:
        rate(org)
    assert "5 November 2026" in err.value.message_dict["__all__"][0]
    assert selectors.predicate_month([org["staf1"]], Period(2026, 10)) == {org["staf1"].pk: None}


def test_rating_before_the_last_month_is_refused(org, cascaded, at):
    at("2026-10-20 09:00")
    rate(org)  # the month's own rating is open during the month
    PerformanceSettings.objects.create(instansi=org["inst"], evaluation_period_months=3)
    SkpEvaluation.objects.all().delete()
    at("2026-11-20 09:00")
    q4 = selectors.period_containing(selectors.performance_settings(org["inst"]), Period(2026, 11))
    with pytest.raises(RatingErrors) as err:
        rate(org, period=q4)
    assert "1 Desember 2026" in err.value.message_dict["__all__"][0]


def test_a_period_not_matching_the_settings_is_refused(org, cascaded, at):
    at("2026-11-03 09:00")
    from ekinerja.performance.evalperiods import eval_period

    quarter = eval_period(Period(2026, 10), period_months=3)
    with pytest.raises(ValidationError):
        rate(org, period=quarter)


def test_no_agreed_plan_means_nothing_to_rate(org, cascaded, at):
    at("2026-11-03 09:00")
    cascaded["staf1"].delete()
    with pytest.raises(RatingErrors) as err:
        rate(org)
    assert "belum memiliki SKP yang disetujui" in err.value.message_dict[str(org["staf1"].pk)][0]


def test_batch_is_all_or_nothing_with_errors_per_employee(org, cascaded, at):
    at("2026-11-03 09:00")
    with pytest.raises(RatingErrors) as err:
        services.evaluations_rate(
            actor=org["kabid"].user,
            period=october(org),
            ratings=[
                RatingInput(org["staf1"].pk, "above", "above"),
                RatingInput(org["staf2"].pk, "excellent", "above"),
                RatingInput(org["kadis"].pk, "above", "above"),
            ],
        )
    errors = err.value.message_dict
    assert set(errors) == {str(org["staf2"].pk), str(org["kadis"].pk)}
    assert not SkpEvaluation.objects.exists()
    assert not AuditEvent.objects.filter(action="performance.evaluation.rate").exists()


def test_not_rated_is_the_default(org, cascaded, at):
    at("2026-11-03 09:00")
    rate(org, who="staf1", results="below", behaviour="as_expected")
    # staf2 reported realisation but was not rated: an evaluation row without a predicate.
    ind = cascaded["staf2"].results.first().indicators.first()
    services.realisation_save(
        actor=org["staf2"].user, indicator=ind, period=october(org), description="12 laporan"
    )
    got = selectors.predicate_month([org["staf1"], org["staf2"], org["staf3"].pk], Period(2026, 10))
    assert got == {org["staf1"].pk: "butuh_perbaikan", org["staf2"].pk: None, org["staf3"].pk: None}
    assert selectors.predicate_month([org["staf1"]], Period(2026, 9)) == {org["staf1"].pk: None}


def test_predicate_month_maps_every_month_of_a_quarter(org, cascaded, at):
    PerformanceSettings.objects.create(instansi=org["inst"], evaluation_period_months=3)
    at("2026-12-10 09:00")
    q4 = selectors.period_containing(selectors.performance_settings(org["inst"]), Period(2026, 12))
    rate(org, period=q4, results="above", behaviour="above")
    for month in (10, 11, 12):
        assert selectors.predicate_month([org["staf1"]], Period(2026, month)) == {
            org["staf1"].pk: "sangat_baik"
        }
    assert selectors.predicate_month([org["staf1"]], Period(2026, 9))[org["staf1"].pk] is None


def test_predicate_month_query_count_is_constant(org, cascaded, at, django_assert_num_queries):
    at("2026-11-03 09:00")
    for who in ("staf1", "staf2", "staf3"):
        rate(org, who=who, results="above", behaviour="above")
    few = [org["staf1"]]
    many = [org[k] for k in ("kadis", "kabid", "staf1", "staf2", "staf3")]
    with django_assert_num_queries(1):
        selectors.predicate_month(few, Period(2026, 10))
    with django_assert_num_queries(1):
        got = selectors.predicate_month(many, Period(2026, 10))
    assert list(got.values()).count("sangat_baik") == 3
    from ekinerja.org.models import Employee

    with django_assert_num_queries(2):
        selectors.predicate_month(Employee.objects.filter(instansi=org["inst"]), Period(2026, 10))
    with django_assert_num_queries(0):
        assert selectors.predicate_month([], Period(2026, 10)) == {}


# ---------------------------------------------------------------- realisation and evidence


def test_realisation_with_evidence_checked_by_content(org, cascaded, at, settings):
    at("2026-10-20 09:00")
    ind = cascaded["staf1"].results.first().indicators.first()
    real = services.realisation_save(
        actor=org["staf1"].user,
        indicator=ind,
        period=october(org),
        quantity=Decimal("3"),
        description="Tiga laporan dapodik",
        files=[
            SimpleUploadedFile("laporan.pdf", PDF, content_type="application/pdf"),
            # The name and the claimed type lie; the content decides.
            SimpleUploadedFile("foto.pdf", PNG, content_type="application/pdf"),
            SimpleUploadedFile("foto2.jpeg", JPG, content_type="image/jpeg"),
        ],
    )
    types = sorted(real.evidence.values_list("content_type", flat=True))
    assert types == ["application/pdf", "image/jpeg", "image/png"]
    ev = real.evidence.get(content_type="image/png")
    assert ev.file.name.endswith(".png") and "foto" not in ev.file.name
    assert ev.file.read() == PNG


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("laporan.pdf", b"<html><script>alert(1)</script>", "bukan PDF, JPG atau PNG"),
        ("program.exe", b"MZ\x90\x00" + b"\x00" * 40, "bukan PDF, JPG atau PNG"),
        ("kosong.pdf", b"", "kosong"),
        ("besar.pdf", b"%PDF-" + b"0" * 2000, "terlalu besar"),
    ],
)
def test_bad_evidence_is_refused_and_nothing_is_saved(
    org, cascaded, at, settings, name, content, message
):
    settings.PERFORMANCE_EVIDENCE_MAX_BYTES = 1000
    at("2026-10-20 09:00")
    ind = cascaded["staf1"].results.first().indicators.first()
    with pytest.raises(ValidationError) as err:
        services.realisation_save(
            actor=org["staf1"].user,
            indicator=ind,
            period=october(org),
            description="Laporan",
            files=[SimpleUploadedFile(name, content)],
        )
    assert message in err.value.message_dict["files"][0]
    assert not SkpRealisation.objects.exists() and not SkpEvidence.objects.exists()
    assert not SkpEvaluation.objects.exists()


def test_realisation_rules(org, cascaded, at):
    at("2026-10-20 09:00")
    ind = cascaded["staf1"].results.first().indicators.first()
    other_ind = cascaded["staf2"].results.first().indicators.first()
    with pytest.raises(ValidationError):  # someone else's indicator
        services.realisation_save(
            actor=org["staf1"].user, indicator=other_ind, period=october(org), description="x"
        )
    with pytest.raises(ValidationError) as err:  # description required
        services.realisation_save(
            actor=org["staf1"].user, indicator=ind, period=october(org), description="  "
        )
    assert "description" in err.value.message_dict
    services.realisation_save(
        actor=org["staf1"].user, indicator=ind, period=october(org), description="Laporan 1"
    )
    at("2026-11-03 09:00")
    rate(org)
    with pytest.raises(ValidationError) as err:  # already rated
        services.realisation_save(
            actor=org["staf1"].user, indicator=ind, period=october(org), description="Laporan 2"
        )
    assert "sudah menilai" in err.value.messages[0]
    assert SkpRealisation.objects.get().description == "Laporan 1"


def test_realisation_refused_in_a_locked_period(org, cascaded, at):
    at("2026-10-20 09:00")
    bkpsdm = UserFactory(instansi=org["inst"])
    grant(bkpsdm, "bkpsdm")
    services.period_lock(actor=bkpsdm, instansi=org["inst"], month=Period(2026, 10))
    ind = cascaded["staf1"].results.first().indicators.first()
    with pytest.raises(ValidationError) as err:
        services.realisation_save(
            actor=org["staf1"].user, indicator=ind, period=october(org), description="x"
        )
    assert "dikunci" in err.value.messages[0]


def test_settings_only_by_bkpsdm_and_validated(org, at):
    at("2026-10-20 09:00")
    bkpsdm = UserFactory(instansi=org["inst"])
    grant(bkpsdm, "bkpsdm")
    with pytest.raises(ValidationError):
        services.settings_save(
            actor=org["kabid"].user,
            settings_obj=PerformanceSettings(instansi=org["inst"], evaluation_period_months=3),
        )
    with pytest.raises(ValidationError):
        services.settings_save(
            actor=bkpsdm,
            settings_obj=PerformanceSettings(instansi=org["inst"], evaluation_period_months=4),
        )
    with pytest.raises(ValidationError):
        services.settings_save(
            actor=bkpsdm,
            settings_obj=PerformanceSettings(instansi=org["inst"], rating_deadline_day=31),
        )
    services.settings_save(
        actor=bkpsdm,
        settings_obj=PerformanceSettings(instansi=org["inst"], evaluation_period_months=6),
    )
    services.settings_save(
        actor=bkpsdm,
        settings_obj=PerformanceSettings(instansi=org["inst"], evaluation_period_months=12),
    )
    assert PerformanceSettings.objects.get().evaluation_period_months == 12
