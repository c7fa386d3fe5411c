"""The activity app follows the TPP policy in force this month: its entry window, daily cap and
monthly target (tpp.services.activity_settings_sync), so the app refuses exactly the entries the
month's run would count as expired."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ekinerja.activities import selectors as act_selectors
from ekinerja.activities import services as act_services
from ekinerja.activities.models import ActivitySettings
from ekinerja.core.models import AuditEvent
from ekinerja.tpp import services
from ekinerja.tpp.policy import national_template
from ekinerja.tpp.tasks import nightly_policy_sync

from .data import D, make_pemda

pytestmark = pytest.mark.django_db


@pytest.fixture
def pemda(at):
    at("2026-11-25 10:00")  # the month whose policy the app follows
    return make_pemda()  # the HSS template (window 7, cap 450) adopted from 1 January 2026


def _settings(p) -> ActivitySettings:
    return ActivitySettings.objects.get(instansi=p.inst)


def test_adopting_a_policy_sets_the_apps_window_cap_and_target(pemda):
    s = _settings(pemda)
    assert (s.window_working_days, s.daily_cap_minutes, s.monthly_target_minutes) == (7, 450, 6750)
    assert s.policy_name == pemda.policy.name
    # The busy write path keeps settings per process under the calendar generation: it sees 7 now...
    assert act_selectors.cached_settings(pemda.inst).window_working_days == 7
    data = national_template("2026-11-01")
    data["activity"]["daily_cap_minutes"] = 480
    newer = services.policy_save(actor=pemda.bkpsdm1, instansi=pemda.inst, data=data)
    services.policy_adopt(actor=pemda.bkpsdm2, policy=newer)
    s = _settings(pemda)
    assert (s.window_working_days, s.daily_cap_minutes, s.policy_name) == (5, 480, newer.name)
    # ...and the national pattern's 5 working days at once after the adoption (generation bumped).
    assert act_selectors.cached_settings(pemda.inst).window_working_days == 5
    event = AuditEvent.objects.filter(action="activities.settings.policy").latest("id")
    assert event.actor == pemda.bkpsdm2
    assert event.before["window_working_days"] == 7 and event.after["window_working_days"] == 5


def test_a_version_taking_effect_later_applies_from_its_month(pemda):
    later = services.policy_save(
        actor=pemda.bkpsdm1, instansi=pemda.inst, data=national_template("2027-01-01")
    )
    services.policy_adopt(actor=pemda.bkpsdm1, policy=later)
    assert _settings(pemda).window_working_days == 7  # December still runs on the HSS version
    assert not services.activity_settings_sync(
        actor=None, instansi=pemda.inst, today=D(2026, 12, 31)
    )
    assert services.activity_settings_sync(actor=None, instansi=pemda.inst, today=D(2027, 1, 1))
    assert _settings(pemda).window_working_days == 5
    assert nightly_policy_sync() == 1  # back to this month's (the clock: November 2026)
    assert _settings(pemda).window_working_days == 7
    assert nightly_policy_sync() == 0  # nothing to change


def test_governed_values_cannot_be_changed_in_the_activity_settings(pemda):
    s = _settings(pemda)
    s.window_working_days = 10
    s.objection_days = 9
    with pytest.raises(ValidationError) as err:
        act_services.activity_settings_save(actor=pemda.bkpsdm1, settings=s)
    assert "window_working_days" in err.value.message_dict
    assert "objection_days" not in err.value.message_dict
    assert _settings(pemda).window_working_days == 7
    s = _settings(pemda)
    s.objection_days = 9  # the app's own values stay editable
    act_services.activity_settings_save(actor=pemda.bkpsdm1, settings=s)
    assert (_settings(pemda).objection_days, _settings(pemda).policy_name) == (9, pemda.policy.name)


def test_retiring_the_policy_in_force_frees_the_values(pemda):
    services.policy_retire(actor=pemda.bkpsdm1, policy=pemda.policy, reason="Perbup dicabut")
    s = _settings(pemda)
    assert s.policy_name == "" and s.window_working_days == 7  # kept, editable again
    s.window_working_days = 6
    act_services.activity_settings_save(actor=pemda.bkpsdm1, settings=s)
    assert _settings(pemda).window_working_days == 6


def test_the_cron_command_does_what_the_nightly_job_does(pemda, at):
    """`ekinerja tpp-policy-sync`, for an installation without Celery beat."""
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    later = services.policy_save(
        actor=pemda.bkpsdm1, instansi=pemda.inst, data=national_template("2027-01-01")
    )
    services.policy_adopt(actor=pemda.bkpsdm1, policy=later)
    at("2027-01-01 00:30")
    out = StringIO()
    call_command("tpp-policy-sync", stdout=out)
    assert _settings(pemda).window_working_days == 5
    assert "diperbarui" in out.getvalue()
    out = StringIO()
    call_command("tpp_policy_sync", "--instansi", pemda.inst.code, stdout=out)
    assert "sudah sesuai" in out.getvalue()
    with pytest.raises(CommandError, match="tidak ditemukan"):
        call_command("tpp_policy_sync", "--instansi", "9999")


def test_deeming_unverified_entries_approved_is_bkpsdms_switch_and_off_by_default(pemda):
    """`auto_approve` makes entries a superior left unverified count (docs/activities.md): a new
    instansi starts at `expire`, as the spec counts only verified entries, and only BKPSDM, audited,
    may switch it; Kominfo, which runs the installation, may not."""
    from django.core.exceptions import PermissionDenied

    from tests.factories import UserFactory, grant

    s = _settings(pemda)
    assert s.deadline_behaviour == ActivitySettings.DeadlineBehaviour.EXPIRE
    kominfo = UserFactory(instansi=pemda.inst, username="kominfo1")
    grant(kominfo, "kominfo")
    s.deadline_behaviour = ActivitySettings.DeadlineBehaviour.AUTO_APPROVE
    with pytest.raises(PermissionDenied):
        act_services.activity_settings_save(actor=kominfo, settings=s)
    assert _settings(pemda).deadline_behaviour == ActivitySettings.DeadlineBehaviour.EXPIRE
    act_services.activity_settings_save(actor=pemda.bkpsdm1, settings=s)
    assert _settings(pemda).deadline_behaviour == ActivitySettings.DeadlineBehaviour.AUTO_APPROVE
    event = AuditEvent.objects.filter(action="activities.settings.save").latest("id")
    assert event.after["deadline_behaviour"] == "auto_approve"
    assert event.before["deadline_behaviour"] == "expire"
