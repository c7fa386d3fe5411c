"""Reopening a locked month ("Buka kembali periode"): BKPSDM only, with a reason of at least 20
characters, in one transaction with an audit event; the lock row is kept and marked lifted; ratings
are accepted again (past the usual deadline until the day BKPSDM chose) and refused after relocking;
another instansi's lock answers 404."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ekinerja.core.models import AuditEvent
from ekinerja.core.periods import Period
from ekinerja.performance import selectors, services
from ekinerja.performance.models import (
    PerformancePeriodLock,
    PerformanceSettings,
    SkpEvaluation,
    SkpRealisation,
)
from ekinerja.performance.services import RatingErrors
from tests.factories import InstansiFactory, UserFactory, grant
from tests.performance.factories import small_org

pytestmark = pytest.mark.django_db

REASON = "Putusan PTUN nomor 12/G/2026: penilaian Budi Santoso harus diulang."


@pytest.fixture
def bkpsdm(org):
    user = UserFactory(instansi=org["inst"], username="rina.bkpsdm")
    grant(user, "bkpsdm")
    return user


def october(org):
    return selectors.period_containing(
        selectors.performance_settings(org["inst"]), Period(2026, 10)
    )


def rate(org, who="staf1", results="as_expected", behaviour="as_expected", period=None):
    return services.evaluation_rate(
        actor=org["kabid"].user,
        employee=org[who],
        period=period or october(org),
        results=results,
        behaviour=behaviour,
    )


def lock_october(org, bkpsdm):
    return services.period_lock(actor=bkpsdm, instansi=org["inst"], month=Period(2026, 10))


def reopen_url(lock):
    return reverse("performance:overview-reopen", args=[lock.pk])


def test_reopening_lets_ratings_in_again_and_relocking_closes_them(org, cascaded, at, bkpsdm):
    at("2026-11-03 09:00")
    rate(org, results="above", behaviour="above")  # entered for the wrong subordinate, say
    lock = lock_october(org, bkpsdm)
    with pytest.raises(RatingErrors) as err:
        rate(org, results="below", behaviour="as_expected")
    assert "dikunci" in err.value.message_dict["__all__"][0]

    services.period_reopen(actor=bkpsdm, lock=lock, reason=REASON, until=dt.date(2026, 11, 5))
    assert not selectors.is_period_locked(org["inst"], october(org))
    ev = rate(org, results="below", behaviour="as_expected")
    assert ev.predicate == "butuh_perbaikan"
    rate(org, who="staf2")

    relock = lock_october(org, bkpsdm)
    assert relock.pk != lock.pk and relock.in_force
    with pytest.raises(RatingErrors):
        rate(org, results="above", behaviour="above")
    assert SkpEvaluation.objects.get(employee=org["staf1"]).predicate == "butuh_perbaikan"
    # The history: the lifted lock and the new one; both lock events and the reopen are audited.
    history = selectors.lock_history(org["inst"], october(org))
    assert [(h.pk, h.in_force) for h in history] == [(lock.pk, False), (relock.pk, True)]
    actions = list(
        AuditEvent.objects.filter(action__startswith="performance.period.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "performance.period.lock",
        "performance.period.reopen",
        "performance.period.lock",
    ]


def test_the_lock_is_kept_marked_lifted_and_audited_with_before_after_and_reason(
    org, cascaded, at, bkpsdm
):
    at("2026-11-03 09:00")
    lock = lock_october(org, bkpsdm)
    services.period_reopen(
        actor=bkpsdm, lock=lock, reason=f"  {REASON} ", until=dt.date(2026, 11, 5)
    )
    lock.refresh_from_db()
    assert lock.lifted_by == bkpsdm and lock.lifted_at is not None
    assert lock.lift_reason == REASON and lock.reopened_until == dt.date(2026, 11, 5)
    assert lock.locked_by == bkpsdm  # who locked it stays known
    event = AuditEvent.objects.get(action="performance.period.reopen")
    assert event.actor == bkpsdm and event.instansi == org["inst"]
    assert event.reason == REASON
    assert event.object_id == str(lock.pk)
    assert event.before["lifted_at"] is None and event.before["lift_reason"] == ""
    assert event.after["lift_reason"] == REASON and event.after["reopened_until"] == "2026-11-05"
    # A lifted lock cannot be lifted twice.
    with pytest.raises(ValidationError) as err:
        services.period_reopen(actor=bkpsdm, lock=lock, reason=REASON, until=dt.date(2026, 11, 5))
    assert "sudah dibuka" in err.value.messages[0]
    assert AuditEvent.objects.filter(action="performance.period.reopen").count() == 1


def test_only_bkpsdm_reopens_and_a_reason_is_required(org, cascaded, at, bkpsdm):
    at("2026-11-03 09:00")
    lock = lock_october(org, bkpsdm)
    kominfo = UserFactory(instansi=org["inst"])
    grant(kominfo, "kominfo")
    for actor in (org["kabid"].user, kominfo):
        with pytest.raises(ValidationError) as err:
            services.period_reopen(
                actor=actor, lock=lock, reason=REASON, until=dt.date(2026, 11, 5)
            )
        assert "Hanya BKPSDM" in err.value.messages[0]
    for reason in ("", "   ", "salah input"):
        with pytest.raises(ValidationError) as err:
            services.period_reopen(
                actor=bkpsdm, lock=lock, reason=reason, until=dt.date(2026, 11, 5)
            )
        assert err.value.message_dict["reason"] == [
            "Tuliskan alasan membuka kembali periode, sedikitnya 20 karakter."
        ]
    for until, message in (
        (None, "Isi tanggal terakhir penilaian dapat dilakukan."),
        (dt.date(2026, 11, 2), "Tanggal tidak boleh sebelum hari ini."),
        (dt.date(2026, 12, 5), "Paling lama 31 hari dari hari ini."),
    ):
        with pytest.raises(ValidationError) as err:
            services.period_reopen(actor=bkpsdm, lock=lock, reason=REASON, until=until)
        assert err.value.message_dict["until"] == [message]
    lock.refresh_from_db()
    assert lock.in_force
    assert not AuditEvent.objects.filter(action="performance.period.reopen").exists()


def test_reopening_after_the_deadline_opens_rating_until_the_chosen_day(
    org, cascaded, at, bkpsdm, client
):
    at("2026-11-06 09:00")  # the October deadline (5 November) has passed
    lock = lock_october(org, bkpsdm)
    at("2026-11-20 09:00")
    services.period_reopen(actor=bkpsdm, lock=lock, reason=REASON, until=dt.date(2026, 11, 27))
    assert selectors.rating_deadline(org["inst"], october(org)) == dt.date(2026, 11, 27)
    # The superior's rating page offers October again, with the new deadline.
    client.force_login(org["kabid"].user)
    page = client.get(reverse("performance:rating") + "?periode=2026-10")
    html = page.content.decode()
    assert 'data-testid="period-2026-10"' in html and "27 November 2026" in html
    resp = client.post(
        reverse("performance:rating") + "?periode=2026-10",
        {
            "periode": "2026-10",
            f"hasil-{org['staf1'].pk}": "above",
            f"perilaku-{org['staf1'].pk}": "above",
        },
    )
    assert resp.status_code == 302
    assert SkpEvaluation.objects.get(employee=org["staf1"]).predicate == "sangat_baik"
    # The realisation keeps its usual deadline.
    ind = cascaded["staf2"].results.first().indicators.first()
    with pytest.raises(ValidationError) as err:
        services.realisation_save(
            actor=org["staf2"].user, indicator=ind, period=october(org), description="x"
        )
    assert "telah lewat" in err.value.messages[0]
    assert not SkpRealisation.objects.exists()
    # After the chosen day, rating is closed again.
    at("2026-11-28 09:00")
    with pytest.raises(RatingErrors) as err:
        rate(org, who="staf2")
    assert "27 November 2026" in err.value.message_dict["__all__"][0]
    assert "period-2026-10" not in client.get(reverse("performance:rating")).content.decode()


def test_another_locked_month_of_the_quarter_keeps_the_period_closed(org, cascaded, at, bkpsdm):
    PerformanceSettings.objects.create(instansi=org["inst"], evaluation_period_months=3)
    at("2027-01-10 09:00")  # the Q4 deadline (5 January) has passed
    cfg = selectors.performance_settings(org["inst"])
    q4 = selectors.period_containing(cfg, Period(2026, 11))
    nov = services.period_lock(actor=bkpsdm, instansi=org["inst"], month=Period(2026, 11))
    dec = services.period_lock(actor=bkpsdm, instansi=org["inst"], month=Period(2026, 12))
    services.period_reopen(actor=bkpsdm, lock=nov, reason=REASON, until=dt.date(2027, 1, 15))
    with pytest.raises(RatingErrors) as err:
        rate(org, period=q4)
    assert "dikunci" in err.value.message_dict["__all__"][0]
    assert selectors.ratable_with_reopened(cfg, dt.date(2027, 1, 10)) == []
    services.period_reopen(actor=bkpsdm, lock=dec, reason=REASON, until=dt.date(2027, 1, 20))
    [reopened] = selectors.ratable_with_reopened(cfg, dt.date(2027, 1, 10))
    assert reopened.key == q4.key and reopened.deadline == dt.date(2027, 1, 20)
    assert rate(org, period=q4).is_rated


def test_two_locks_in_force_for_one_month_are_impossible(org, at, bkpsdm):
    at("2026-11-03 09:00")
    lock_october(org, bkpsdm)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PerformancePeriodLock.objects.create(instansi=org["inst"], year=2026, month=10)
    # A lifted lock needs its reason, who and until when.
    with pytest.raises(IntegrityError), transaction.atomic():
        PerformancePeriodLock.objects.filter(year=2026, month=10).update(
            lifted_at=dt.datetime(2026, 11, 3, tzinfo=dt.UTC)
        )


# ---------------------------------------------------------------- pages


def test_reopen_page_for_bkpsdm_only(client, org, cascaded, at, bkpsdm):
    at("2026-11-03 09:00")
    lock = lock_october(org, bkpsdm)
    for other in (org["kabid"].user, org["staf1"].user):
        client.force_login(other)
        assert client.get(reopen_url(lock)).status_code == 403
        assert (
            client.post(reopen_url(lock), {"reason": REASON, "until": "2026-11-05"}).status_code
            == 403
        )
    lock.refresh_from_db()
    assert lock.in_force


def test_reopen_page_states_tpp_is_not_recomputed_and_shows_field_errors(
    client, org, cascaded, at, bkpsdm
):
    at("2026-11-03 09:00")
    lock = lock_october(org, bkpsdm)
    client.force_login(bkpsdm)
    # The overview offers "Buka kembali" next to the locked month.
    overview = client.get(reverse("performance:overview") + "?periode=2026-10").content.decode()
    assert reopen_url(lock) in overview
    page = client.get(reopen_url(lock))
    html = page.content.decode()
    assert page.status_code == 200
    assert "TIDAK dihitung ulang" in html and "koreksi TPP" in html
    assert 'value="2026-11-05"' in html  # default: the usual deadline, still ahead
    for data, field, message in (
        (
            {"reason": "", "until": "2026-11-05"},
            "reason",
            "Tuliskan alasan membuka kembali periode.",
        ),
        (
            {"reason": "salah input", "until": "2026-11-05"},
            "reason",
            "Tuliskan alasan membuka kembali periode, sedikitnya 20 karakter.",
        ),
        (
            {"reason": REASON, "until": "2026-10-01"},
            "until",
            "Tanggal tidak boleh sebelum hari ini.",
        ),
    ):
        resp = client.post(reopen_url(lock), data)
        assert resp.status_code == 200
        assert resp.context["form"].errors[field] == [message]
        assert message in resp.content.decode()
    lock.refresh_from_db()
    assert lock.in_force and not AuditEvent.objects.filter(action="performance.period.reopen")

    resp = client.post(reopen_url(lock), {"reason": REASON, "until": "2026-11-05"})
    assert resp.status_code == 302 and resp["Location"].endswith("?periode=2026-10")
    lock.refresh_from_db()
    assert not lock.in_force and lock.lift_reason == REASON
    overview = client.get(reverse("performance:overview") + "?periode=2026-10").content.decode()
    history = overview.split('data-testid="lock-history"')[1]
    assert REASON in history and "rina.bkpsdm" in history
    assert "Kunci Oktober 2026" in overview  # it can be locked again
    # The lifted lock's page says so, without a form.
    html = client.get(reopen_url(lock)).content.decode()
    assert "sudah dibuka kembali" in html and 'data-testid="reopen-form"' not in html


def test_another_instansis_lock_answers_404(client, org, cascaded, at, bkpsdm):
    at("2026-11-03 09:00")
    lock = lock_october(org, bkpsdm)
    other = small_org(InstansiFactory(timezone="Asia/Makassar"))
    their_bkpsdm = UserFactory(instansi=other["inst"])
    grant(their_bkpsdm, "bkpsdm")
    client.force_login(their_bkpsdm)
    assert client.get(reopen_url(lock)).status_code == 404
    assert (
        client.post(reopen_url(lock), {"reason": REASON, "until": "2026-11-05"}).status_code == 404
    )
    lock.refresh_from_db()
    assert lock.in_force


def test_a_reopened_period_gets_reminders_before_its_extended_deadline(org, cascaded, at, bkpsdm):
    at("2026-11-03 09:00")
    rate(org)  # staf1 rated; the kabid's other subordinates are not
    lock = lock_october(org, bkpsdm)
    # 20 November: October's usual deadline (5 November) has passed; nobody is reminded of it.
    at("2026-11-20 09:00")
    assert not [
        r
        for r in selectors.rating_reminders(org["inst"], today=dt.date(2026, 11, 20))
        if r.period.start == dt.date(2026, 10, 1)
    ]
    services.period_reopen(actor=bkpsdm, lock=lock, reason=REASON, until=dt.date(2026, 11, 30))
    # Still ten days to go (reminders start 3 days before): nothing yet.
    assert not [
        r
        for r in selectors.rating_reminders(org["inst"], today=dt.date(2026, 11, 20))
        if r.period.start == dt.date(2026, 10, 1)
    ]
    at("2026-11-28 09:00")
    october_reminders = [
        r
        for r in selectors.rating_reminders(org["inst"], today=dt.date(2026, 11, 28))
        if r.period.start == dt.date(2026, 10, 1)
    ]
    kabid = next(r for r in october_reminders if r.superior == org["kabid"])
    assert kabid.period.deadline == dt.date(2026, 11, 30)
    assert [e.name for e in kabid.pending] == ["Citra Lestari", "Dewi Anggraini"]
    # Once relocked, the period is closed again and not reminded of.
    lock_october(org, bkpsdm)
    assert not [
        r
        for r in selectors.rating_reminders(org["inst"], today=dt.date(2026, 11, 28))
        if r.period.start == dt.date(2026, 10, 1)
    ]


def test_the_proposed_last_day_is_one_the_service_accepts(client, org, cascaded, at, bkpsdm):
    """Early in a month the running month's rating deadline (5 November for October) is more than
    31 days ahead: the form proposes the latest day allowed, so reopening with it succeeds."""
    at("2026-10-02 09:00")
    lock = lock_october(org, bkpsdm)
    client.force_login(bkpsdm)
    html = client.get(reopen_url(lock)).content.decode()
    assert 'value="2026-11-02"' in html  # 2 October + 31 days, not the deadline of 5 November
    resp = client.post(reopen_url(lock), {"reason": REASON, "until": "2026-11-02"})
    assert resp.status_code == 302
    lock.refresh_from_db()
    assert not lock.in_force


# ---------------------------------------------------------------- only the latest reopening counts


def test_a_later_shorter_reopening_replaces_an_earlier_longer_one(org, cascaded, at, bkpsdm):
    """Reopened until 20 December, locked again, reopened until 23 November: after 23 November
    rating is refused (the first reopening is over), on the page and in the service."""
    cfg = selectors.performance_settings(org["inst"])
    at("2026-11-20 09:00")
    first = lock_october(org, bkpsdm)
    services.period_reopen(actor=bkpsdm, lock=first, reason=REASON, until=dt.date(2026, 12, 20))
    at("2026-11-21 09:00")
    second = lock_october(org, bkpsdm)
    at("2026-11-22 09:00")
    services.period_reopen(actor=bkpsdm, lock=second, reason=REASON, until=dt.date(2026, 11, 23))
    assert selectors.rating_deadline(org["inst"], october(org)) == dt.date(2026, 11, 23)
    [offered] = [
        p
        for p in selectors.ratable_with_reopened(cfg, dt.date(2026, 11, 22))
        if p.key == october(org).key
    ]
    assert offered.deadline == dt.date(2026, 11, 23)
    at("2026-12-10 09:00")
    assert selectors.rating_deadline(org["inst"], october(org)) == dt.date(2026, 11, 23)
    assert october(org).key not in {
        p.key for p in selectors.ratable_with_reopened(cfg, dt.date(2026, 12, 10))
    }
    with pytest.raises(RatingErrors) as err:
        rate(org, results="above", behaviour="above")
    assert "23 November 2026" in err.value.message_dict["__all__"][0]
    assert not SkpEvaluation.objects.filter(employee=org["staf1"]).exclude(predicate="").exists()


def test_a_reopening_followed_by_a_new_lock_extends_nothing(org, cascaded, at, bkpsdm):
    cfg = selectors.performance_settings(org["inst"])
    at("2026-11-20 09:00")
    lock = lock_october(org, bkpsdm)
    services.period_reopen(actor=bkpsdm, lock=lock, reason=REASON, until=dt.date(2026, 12, 20))
    assert selectors.rating_deadline(org["inst"], october(org)) == dt.date(2026, 12, 20)
    lock_october(org, bkpsdm)
    # Locked again: the lifted row's day no longer extends the deadline.
    assert selectors.rating_deadline(org["inst"], october(org)) == october(org).deadline
    assert october(org).key not in {
        p.key for p in selectors.ratable_with_reopened(cfg, dt.date(2026, 11, 20))
    }


def test_lock_pages_name_the_officers_not_their_logins(client, org, cascaded, at):
    """ "Dikunci oleh" and "dibuka kembali oleh" name the person (with titles), not the login (a
    NIP or a name like bkpsdm.tala) that nobody in the office knows them by."""
    from tests.factories import employee_with_login

    rina = employee_with_login(org["inst"], None, name="Rina Wulandari")
    grant(rina.user, "bkpsdm")
    at("2026-11-03 09:00")
    lock = lock_october(org, rina.user)
    client.force_login(rina.user)
    html = client.get(reopen_url(lock)).content.decode()
    assert f"Dikunci oleh {rina.full_name} pada" in html and rina.nip not in html
    services.period_reopen(actor=rina.user, lock=lock, reason=REASON, until=dt.date(2026, 11, 5))
    html = client.get(reopen_url(lock)).content.decode()
    assert f"dibuka kembali oleh {rina.full_name} pada" in html and rina.nip not in html
    overview = client.get(reverse("performance:overview") + "?periode=2026-10").content.decode()
    history = overview.split('data-testid="lock-history"')[1]
    assert history.count(f"oleh {rina.full_name}") == 2 and rina.nip not in history


def test_the_lock_history_reads_the_officers_names_with_its_rows(
    org, cascaded, at, django_assert_num_queries
):
    """The names the history shows come with its one query: no query per lock row."""
    from tests.factories import employee_with_login

    rina = employee_with_login(org["inst"], None, name="Rina Wulandari")
    grant(rina.user, "bkpsdm")
    at("2026-11-03 09:00")
    lock = lock_october(org, rina.user)
    services.period_reopen(actor=rina.user, lock=lock, reason=REASON, until=dt.date(2026, 11, 5))
    cfg = selectors.performance_settings(org["inst"])
    period = selectors.period_containing(cfg, lock.month_period)
    with django_assert_num_queries(1):
        rows = selectors.lock_history(org["inst"], period)
        names = {(r.locked_by.employee.full_name, r.lifted_by.employee.full_name) for r in rows}
    assert names == {(rina.full_name, rina.full_name)}
