"""The performance models in the Django admin: BKPSDM sees them, scoped to its instansi; the settings
are edited by BKPSDM or Kominfo through the audited service; plans, results, evaluations and locks
are read-only and nothing is deleted, not even by a superuser."""

import datetime as dt
import html

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
    SkpPlan,
)
from tests.factories import InstansiFactory, UserFactory, grant
from tests.performance.factories import agreed_plan, small_org

pytestmark = pytest.mark.django_db

PERFORMANCE_LISTS = [
    "admin:performance_performancesettings_changelist",
    "admin:performance_skpplan_changelist",
    "admin:performance_skpresult_changelist",
    "admin:performance_skpevaluation_changelist",
    "admin:performance_performanceperiodlock_changelist",
]


def staff(inst, role, **kwargs):
    user = UserFactory(instansi=inst, is_staff=True, **kwargs)
    if role:
        grant(user, role)
    return user


@pytest.fixture
def rated(org, cascaded, at):
    """Staf1 rated for October 2026 by the kabid; October locked by BKPSDM."""
    at("2026-11-03 09:00")
    period = selectors.period_containing(
        selectors.performance_settings(org["inst"]), Period(2026, 10)
    )
    ev = services.evaluation_rate(
        actor=org["kabid"].user,
        employee=org["staf1"],
        period=period,
        results="above",
        behaviour="as_expected",
    )
    officer = staff(org["inst"], "bkpsdm", username="rina.bkpsdm")
    services.period_lock(actor=officer, instansi=org["inst"], month=Period(2026, 10))
    return {"ev": ev, "officer": officer}


@pytest.fixture
def other():
    """Another instansi with its own SKP, evaluation, settings and lock, all named 'Rahasia'."""
    o = small_org(InstansiFactory(timezone="Asia/Makassar", name="Kota Rahasia"))
    o["staf1"].name = "Pegawai Rahasia"
    o["staf1"].save()
    plan = agreed_plan(o["staf1"], 2026)
    ev = SkpEvaluation.objects.create(
        instansi=o["inst"],
        employee=o["staf1"],
        plan=plan,
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 10, 31),
    )
    settings = PerformanceSettings.objects.create(instansi=o["inst"], evaluation_period_months=6)
    lock = PerformancePeriodLock.objects.create(instansi=o["inst"], year=2025, month=7)
    return {"plan": plan, "ev": ev, "settings": settings, "lock": lock, **o}


def _text(resp) -> str:
    return html.unescape(resp.content.decode())


def test_bkpsdm_sees_the_performance_admin(client, rated):
    client.force_login(rated["officer"])
    index = client.get(reverse("admin:index")).content.decode()
    for name in PERFORMANCE_LISTS:
        assert reverse(name) in index, name
        assert client.get(reverse(name)).status_code == 200, name
    listing = _text(client.get(reverse("admin:performance_skpevaluation_changelist")))
    assert "Budi Santoso" in listing
    page = _text(
        client.get(reverse("admin:performance_skpevaluation_change", args=[rated["ev"].pk]))
    )
    assert "Budi Santoso" in page and "Sangat Baik" not in page  # above + as expected = baik
    assert "Baik" in page


def test_another_instansis_rows_are_not_listed(client, rated, other):
    client.force_login(rated["officer"])
    for name, secret_pk in (
        ("skpevaluation", other["ev"].pk),
        ("skpplan", other["plan"].pk),
        ("performanceperiodlock", other["lock"].pk),
        ("performancesettings", other["settings"].pk),
    ):
        resp = client.get(reverse(f"admin:performance_{name}_changelist"))
        shown = set(resp.context["cl"].queryset.values_list("pk", flat=True))
        assert secret_pk not in shown, name
        assert "Pegawai Rahasia" not in _text(resp) and "Kota Rahasia" not in _text(resp), name
        resp = client.get(reverse(f"admin:performance_{name}_change", args=[secret_pk]))
        assert resp.status_code == 302 and resp["Location"] == reverse("admin:index"), name
    own = client.get(reverse("admin:performance_skpevaluation_changelist")).context["cl"].queryset
    assert list(own) == [rated["ev"]]


def test_evaluations_cannot_be_changed_nor_deleted(client, rated, django_user_model):
    ev = rated["ev"]
    change = reverse("admin:performance_skpevaluation_change", args=[ev.pk])
    delete = reverse("admin:performance_skpevaluation_delete", args=[ev.pk])
    changelist = reverse("admin:performance_skpevaluation_changelist")
    platform = django_user_model.objects.create_superuser("platform", "p@example.org", "x")
    for user in (rated["officer"], platform):
        client.force_login(user)
        page = client.get(change)
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()  # shown read-only
        resp = client.post(
            change,
            {
                "results_rating": "below",
                "behaviour_rating": "below",
                "predicate": "sangat_kurang",
                "note": "diubah lewat admin",
            },
        )
        assert resp.status_code == 403
        assert client.get(delete).status_code == 403
        assert client.post(delete, {"post": "yes"}).status_code == 403
        # No bulk delete action is offered, and posting it anyway deletes nothing.
        listing = client.get(changelist)
        assert "delete_selected" not in listing.content.decode()
        client.post(changelist, {"action": "delete_selected", "_selected_action": [ev.pk]})
        assert client.get(reverse("admin:performance_skpevaluation_add")).status_code == 403
    ev.refresh_from_db()
    assert ev.predicate == "baik" and ev.note == ""
    assert not AuditEvent.objects.filter(action="admin.delete").exists()
    # Plans, results and locks are read-only too.
    client.force_login(rated["officer"])
    plan = SkpPlan.objects.get(employee=ev.employee)
    for name, pk in (
        ("skpplan", plan.pk),
        ("skpresult", plan.results.first().pk),
        ("performanceperiodlock", PerformancePeriodLock.objects.get().pk),
    ):
        assert (
            client.post(reverse(f"admin:performance_{name}_change", args=[pk]), {}).status_code
            == 403
        )
        assert client.get(reverse(f"admin:performance_{name}_delete", args=[pk])).status_code == 403
    assert PerformancePeriodLock.objects.get().in_force


def test_settings_are_edited_through_the_audited_service(client, org, at):
    at("2026-11-03 09:00")
    add = reverse("admin:performance_performancesettings_add")
    data = {"evaluation_period_months": "3", "rating_deadline_day": "10", "reminder_days": "2"}
    # Kominfo runs the system but does not decide when ratings stand: it looks, it does not write.
    kominfo = staff(org["inst"], "kominfo")
    client.force_login(kominfo)
    assert client.get(add).status_code == 403
    assert client.post(add, data).status_code == 403
    assert not PerformanceSettings.objects.exists()
    with pytest.raises(ValidationError, match="Hanya BKPSDM"):
        services.settings_save(
            actor=kominfo,
            settings_obj=PerformanceSettings(
                instansi=org["inst"], evaluation_period_months=3, rating_deadline_day=10
            ),
        )
    assert not PerformanceSettings.objects.exists()
    officer = staff(org["inst"], "bkpsdm")
    client.force_login(officer)
    # Bad input: an Indonesian field error and nothing stored.
    resp = client.post(add, {**data, "rating_deadline_day": "31"})
    assert resp.status_code == 200
    assert resp.context["adminform"].form.errors["rating_deadline_day"] == [
        "Tanggal batas penilaian harus antara 1 dan 28."
    ]
    assert not PerformanceSettings.objects.exists()
    resp = client.post(add, data)
    assert resp.status_code == 302
    cfg = PerformanceSettings.objects.get()
    assert (cfg.instansi, cfg.evaluation_period_months, cfg.rating_deadline_day) == (
        org["inst"],
        3,
        10,
    )
    event = AuditEvent.objects.get(action="performance.settings.save")
    assert event.actor == officer and event.after["evaluation_period_months"] == 3
    # One row per instansi: no second "add"; BKPSDM changes the existing one.
    assert client.get(add).status_code == 403
    change = reverse("admin:performance_performancesettings_change", args=[cfg.pk])
    # Kominfo sees the row, and cannot change it.
    client.force_login(kominfo)
    assert client.get(change).status_code == 200
    client.post(change, {**data, "evaluation_period_months": "12"})
    cfg.refresh_from_db()
    assert cfg.evaluation_period_months == 3
    client.force_login(officer)
    resp = client.post(change, {**data, "evaluation_period_months": "6"})
    assert resp.status_code == 302
    cfg.refresh_from_db()
    assert cfg.evaluation_period_months == 6
    assert AuditEvent.objects.filter(action="performance.settings.save").count() == 2
    assert (
        client.post(
            reverse("admin:performance_performancesettings_delete", args=[cfg.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert PerformanceSettings.objects.filter(pk=cfg.pk).exists()


def test_kominfo_sees_only_the_settings_and_plain_staff_nothing(client, rated):
    kominfo = staff(rated["ev"].instansi, "kominfo")
    client.force_login(kominfo)
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:performance_performancesettings_changelist") in index
    assert reverse("admin:performance_skpevaluation_changelist") not in index
    assert client.get(reverse("admin:performance_skpevaluation_changelist")).status_code == 403
    plain = staff(rated["ev"].instansi, None)
    client.force_login(plain)
    for name in PERFORMANCE_LISTS:
        assert client.get(reverse(name)).status_code == 403, name
