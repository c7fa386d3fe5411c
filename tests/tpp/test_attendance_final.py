"""The TPP month and the state of its attendance data: leave types the policy does not know, days
whose attendance is not final yet (a night shift still running, a fingerprint machine behind) and
the live estimate on the day in progress."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from ekinerja.attendance.models import Device
from ekinerja.attendance.services import DEFAULT_LEAVE_TYPES
from ekinerja.tpp import selectors, services
from ekinerja.tpp.calculator import calculate
from ekinerja.tpp.models import Run
from ekinerja.tpp.policy import hss_template, manado_template, national_template, policy_from_dict
from ekinerja.workcal.services import roster_set
from tests.factories import put_on_schedule, shift_schedule
from tests.tpp.data import OCT, D, full_attendance, leave, make_pemda, punch, workdays

pytestmark = pytest.mark.django_db

# 1 November 2026, 00:30 WITA: October has ended, its last night shift has not.
JUST_AFTER_OCTOBER = dt.datetime(2026, 10, 31, 16, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("template", [national_template, hss_template, manado_template])
def test_every_template_rules_every_leave_type_the_app_records(template):
    """The templates' leave keys are the codes leave records carry (attendance's standard types):
    a CLTN recorded in the app under 'cltn' was unknown to the templates and so paid in full."""
    codes = {code for code, *_ in DEFAULT_LEAVE_TYPES}
    assert codes <= set(template()["leave_types"])
    assert template()["leave_types"]["cltn"] == {"excludes_tpp": True}


@pytest.mark.parametrize("template", [national_template, hss_template])
def test_cltn_recorded_in_the_app_pays_nothing_for_its_days(template):
    p = make_pemda(template)
    staf = p.people["staf"]
    full_attendance(staf, days=[d for d in workdays() if d < D(2026, 10, 16)])
    policy = policy_from_dict(p.policy.data)
    before = calculate(policy, selectors.gather(p.inst, OCT).months[staf.id])
    leave(staf, "cltn", D(2026, 10, 16), D(2026, 10, 31))
    after = calculate(policy, selectors.gather(p.inst, OCT).months[staf.id])
    # 11 of October's 22 working days are in CLTN: the ceiling is prorated to half.
    assert sum(1 for d in workdays() if d < D(2026, 10, 16)) == 11
    assert not any("tidak ada dalam kebijakan" in n for n in after.notes)  # a known type now
    assert after.ceiling * 2 == before.ceiling
    assert after.ceiling < before.ceiling


def _night_shift_month(p):
    staf = p.people["staf"]
    rs = shift_schedule(p.inst)
    put_on_schedule(staf, rs)
    roster_set(
        actor=None,
        instansi=p.inst,
        schedule=rs,
        entries=[(staf, d, "M") for d in (D(2026, 10, 29), D(2026, 10, 31))],
    )
    for d in (D(2026, 10, 29), D(2026, 10, 31)):
        punch(staf, d, 20, 50)
    punch(staf, D(2026, 10, 30), 7, 5)  # the check-out of the 29th's night shift
    for who in ("kadis", "guru", "kadis_b"):
        full_attendance(p.people[who])
    return staf


def test_a_list_computed_before_the_last_night_shift_ended_is_not_verified():
    """At 00:30 on 1 November the month has ended, but the night shift of 31 October runs until
    07:00: its check-out is not missing yet. The list computed then would lock a 1.5% deduction
    for good; it is refused until computed again once the day is final."""
    p = make_pemda(national_template)
    _night_shift_month(p)
    with time_machine.travel(JUST_AFTER_OCTOBER):
        run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
        assert run.unfinished_days >= 1
        with pytest.raises(ValidationError) as exc:
            services.run_verify(actor=p.bkpsdm2, run=run)
    assert "belum final" in str(exc.value)
    assert Run.objects.get(pk=run.pk).state == Run.State.COMPUTED
    # Later that day the shift is over (07:00 + the 6-hour punch window): computed again, it verifies.
    with time_machine.travel(dt.datetime(2026, 11, 1, 6, 0, tzinfo=dt.UTC)):
        run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
        assert run.unfinished_days == 0
        run = services.run_verify(actor=p.bkpsdm2, run=run)
        run = services.run_lock(actor=p.bkpsdm2, run=run)
    assert run.state == Run.State.LOCKED


def test_a_machine_behind_keeps_the_list_from_being_locked_and_the_page_says_why(client):
    p = make_pemda(national_template)
    for who in ("staf", "kadis", "guru", "kadis_b"):
        full_attendance(p.people[who])
    Device.objects.create(
        instansi=p.inst,
        serial="SN-BEHIND",
        timezone="Asia/Makassar",
        watermark=dt.datetime(2026, 10, 28, tzinfo=dt.UTC),
    )
    with time_machine.travel(dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC)):
        run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
        assert run.unfinished_days > 0
        client.force_login(p.bkpsdm2)
        page = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
        assert 'data-testid="unfinished"' in page
        assert "belum final" in page
        # The machine delivers its data: computed again, the list may be verified.
        Device.objects.filter(serial="SN-BEHIND").update(
            watermark=dt.datetime(2026, 11, 3, 0, 0, tzinfo=dt.UTC)
        )
        run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
        assert run.unfinished_days == 0
        page = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
        assert 'data-testid="unfinished"' not in page
        services.run_verify(actor=p.bkpsdm2, run=run)


def test_the_live_estimate_does_not_count_todays_check_out_as_missing():
    """At 10:00 an employee who checked in at 07:25 has not missed the check-out (due at 16:00)."""
    p = make_pemda(national_template)
    staf = p.people["staf"]
    full_attendance(staf, days=[d for d in workdays() if d < D(2026, 10, 5)])
    punch(staf, D(2026, 10, 5), 7, 25)
    with time_machine.travel(dt.datetime(2026, 10, 5, 2, 0, tzinfo=dt.UTC)):  # 10:00 WITA
        est = selectors.estimate(staf, D(2026, 10, 5))
    a = est.result.attendance
    assert a.missing_check_out == 0
    assert a.absent_without_notice == 0
    assert a.deduction_pct == 0


def test_leave_types_the_policy_does_not_rule_are_shown_on_the_run_page_and_the_editor(client):
    p = make_pemda(national_template)
    data = dict(p.policy.data)
    data["leave_types"] = {k: v for k, v in data["leave_types"].items() if k != "cltn"}
    type(p.policy).objects.filter(pk=p.policy.pk).update(data=data)
    with time_machine.travel(dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC)):
        run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
        client.force_login(p.bkpsdm1)
        page = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
        assert 'data-testid="unknown-leaves"' in page
        # Named as the officers know it, with where to add it on the policy form; no code.
        warning = page.split('data-testid="unknown-leaves"')[1].split("</div>")[0]
        assert "Cuti di luar tanggungan negara" in warning and "(cltn)" not in warning
        assert "Jenis cuti dan izin" in warning and "leave_types" not in warning
        editor = client.get(reverse("tpp:policy", args=[p.policy.pk])).content.decode()
        warning = editor.split('data-testid="policy-warnings"')[1].split("</div>")[0]
        assert "Cuti di luar tanggungan negara" in warning and "(cltn)" not in warning
        # The JSON view, where the keys are typed, gives the code.
        json_view = client.get(
            reverse("tpp:policy", args=[p.policy.pk]) + "?tampilan=json"
        ).content.decode()
        assert "(cltn)" in json_view.split('data-testid="policy-warnings"')[1].split("</div>")[0]
        # A policy that rules every type: no warning.
        type(p.policy).objects.filter(pk=p.policy.pk).update(data=national_template())
        editor = client.get(reverse("tpp:policy", args=[p.policy.pk])).content.decode()
        assert 'data-testid="policy-warnings"' not in editor


def test_the_page_and_the_refusal_name_the_machine_that_is_behind(client):
    p = make_pemda(national_template)
    for who in ("staf", "kadis", "guru", "kadis_b"):
        full_attendance(p.people[who])
    Device.objects.create(
        instansi=p.inst,
        serial="SN-PUSKESMAS",
        name="Mesin Puskesmas Kandangan",
        timezone="Asia/Makassar",
        watermark=dt.datetime(2026, 10, 28, tzinfo=dt.UTC),
    )
    with time_machine.travel(dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC)):
        run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
        with pytest.raises(ValidationError) as exc:
            services.run_verify(actor=p.bkpsdm2, run=run)
        assert "Mesin Puskesmas Kandangan (data sampai 28 Oktober 2026" in str(exc.value)
        client.force_login(p.bkpsdm2)
        page = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
        assert 'data-testid="machines-behind"' in page
        assert "Mesin Puskesmas Kandangan" in page and "28 Oktober 2026" in page


def test_days_of_leave_are_final_whatever_the_machines(client):
    """Leave does not depend on punches: a day of leave is not held back by a machine behind."""
    p = make_pemda(national_template)
    for who in ("staf", "kadis", "guru", "kadis_b"):
        full_attendance(p.people[who])
    Device.objects.create(
        instansi=p.inst,
        serial="SN-LATE",
        timezone="Asia/Makassar",
        watermark=dt.datetime(2026, 10, 28, tzinfo=dt.UTC),
    )
    with time_machine.travel(dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC)):
        before = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT).unfinished_days
        leave(p.people["staf"], "cuti_tahunan", D(2026, 10, 28), D(2026, 10, 30))
        after = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT).unfinished_days
    assert after == before - 3


def test_the_live_estimate_keeps_the_leave_of_a_day_not_final_yet():
    """A day whose punches may still come (today, a machine behind) keeps its leave: CLTN days
    were paid in the estimate while a machine was behind."""
    p = make_pemda(national_template)
    staf = p.people["staf"]
    full_attendance(staf, days=[d for d in workdays() if d < D(2026, 10, 12)])
    leave(staf, "cltn", D(2026, 10, 12), D(2026, 10, 23))
    moment = dt.datetime(2026, 10, 26, 2, 0, tzinfo=dt.UTC)  # 26 October, 10:00 WITA
    with time_machine.travel(moment):
        clean = selectors.estimate(staf, D(2026, 10, 26)).result
        Device.objects.create(
            instansi=p.inst,
            serial="SN-STALLED",
            timezone="Asia/Makassar",
            watermark=dt.datetime(2026, 10, 9, tzinfo=dt.UTC),
        )
        behind = selectors.estimate(staf, D(2026, 10, 26)).result
    assert behind.ceiling == clean.ceiling < Decimal(2_850_000)
