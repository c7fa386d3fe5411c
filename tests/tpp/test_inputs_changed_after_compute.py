"""A list whose inputs changed after the compute is neither verified nor locked until computed
again (services._refuse_stale_inputs, selectors.inputs_changed): the month is gathered again with
the run's own policy copy and each employee's input digest compared with the one kept by the
compute. Before, October computed on the 3rd, the entries of the 30th verified on the 4th and a
leave approved on the 5th, the list locked on the 6th paid none of them (only a policy, a
predicate or a missing employee stopped verify and lock)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ekinerja.activities.models import ActivityEntry, EntryStatus
from ekinerja.tpp import selectors, services
from ekinerja.tpp.models import Result, Run, RunInputs

from .data import OCT, activity, full_attendance, leave, make_pemda, punch, workdays

pytestmark = pytest.mark.django_db


@pytest.fixture
def pemda():
    p = make_pemda()
    for e in p.people.values():
        full_attendance(e, skip=workdays()[-1:])
    return p


def _compute(p):
    return services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)


def _net(p, who):
    return Result.objects.get(employee=p.people[who], run__period=str(OCT)).net


def test_the_compute_keeps_each_listed_employees_digest(pemda):
    run = _compute(pemda)
    kept = RunInputs.objects.get(run=run)
    assert kept.instansi_id == pemda.inst.pk
    assert set(kept.digests) == {
        str(e) for e in Result.objects.filter(run=run).values_list("employee_id", flat=True)
    }
    assert all(len(d) == 16 for d in kept.digests.values())
    assert not selectors.inputs_changed(run)
    # Computed again with the same inputs: the same digests, one row.
    again = _compute(pemda)
    assert RunInputs.objects.filter(run=again).count() == 1
    assert RunInputs.objects.get(run=again).digests == kept.digests
    assert again.input_digest == run.input_digest


def test_an_entry_verified_after_the_compute_stops_verify_until_computed_again(pemda):
    p, guru = pemda, pemda.people["guru"]
    last = workdays()[-2]
    entry = activity(p, guru, last, 8, status=EntryStatus.SUBMITTED)
    run = _compute(p)
    before = _net(p, "guru")
    # The superior verifies it the next morning.
    ActivityEntry.objects.filter(pk=entry.pk).update(
        status=EntryStatus.APPROVED, credited_minutes=240
    )
    found = selectors.inputs_changed(run)
    assert found.count == 1 and found.first == [guru]
    with pytest.raises(ValidationError) as err:
        services.run_verify(actor=p.bkpsdm1, run=run)
    assert err.value.message_dict["period"] == [
        "TPP Oktober 2026 belum dapat diverifikasi: data kehadiran, cuti, aktivitas atau jabatan "
        f"1 pegawai berubah sejak daftar dihitung ({guru.name}). Hitung ulang dulu."
    ]
    run.refresh_from_db()
    assert run.state == Run.State.COMPUTED
    run = _compute(p)
    assert _net(p, "guru") > before  # the verified minutes are paid
    run = services.run_verify(actor=p.bkpsdm1, run=run)
    assert run.state == Run.State.VERIFIED


def test_a_leave_or_punches_after_verification_stop_the_lock(pemda):
    p = pemda
    run = services.run_verify(actor=p.bkpsdm1, run=_compute(p))
    missing = workdays()[-1]  # nobody punched on the last working day: absent without notice
    leave(p.people["guru"], "cuti_tahunan", missing, missing)
    punch(p.people["staf"], missing, 7, 20)
    punch(p.people["staf"], missing, 16, 40)
    with pytest.raises(ValidationError) as err:
        services.run_lock(actor=p.bkpsdm2, run=run)
    message = err.value.message_dict["period"][0]
    assert message.startswith("TPP Oktober 2026 belum dapat dikunci: data kehadiran, cuti,")
    assert "2 pegawai berubah sejak daftar dihitung" in message
    assert p.people["guru"].name in message and p.people["staf"].name in message
    run.refresh_from_db()
    assert run.state == Run.State.VERIFIED and run.locked_by is None
    # Computed and verified again, a second account locks it.
    run = services.run_verify(actor=p.bkpsdm1, run=_compute(p))
    run = services.run_lock(actor=p.bkpsdm2, run=run)
    assert run.state == Run.State.LOCKED


def test_a_change_of_nothing_paid_leaves_the_list_as_it_is(pemda):
    p = pemda
    run = _compute(p)
    # A draft of the month, not submitted: it counts for nothing, now or at a recompute.
    activity(p, p.people["guru"], workdays()[0], 4, status=EntryStatus.DRAFT)
    assert not selectors.inputs_changed(run)
    assert services.run_verify(actor=p.bkpsdm1, run=run).state == Run.State.VERIFIED


def test_a_list_computed_before_the_digests_were_kept_is_checked_once_computed_again(pemda):
    """Its whole digest holds the predicate and employees the list no longer holds: compared, it
    would refuse changes that do not count (a rating under a policy without SKP). Such a list is
    verified as before the upgrade, and checked from its next compute on."""
    p = pemda
    run = _compute(p)
    RunInputs.objects.filter(run=run).delete()  # as a run computed by the previous version
    leave(p.people["guru"], "cuti_tahunan", workdays()[-1], workdays()[-1])
    assert not selectors.inputs_changed(run)
    assert services.run_verify(actor=p.bkpsdm1, run=run).state == Run.State.VERIFIED
    run = _compute(p)
    assert RunInputs.objects.filter(run=run).exists()
    leave(p.people["staf"], "cuti_tahunan", workdays()[-1], workdays()[-1])
    assert selectors.inputs_changed(run).first == [p.people["staf"]]


def test_a_unit_run_is_not_refused_for_someone_another_unit_run_took_over(pemda):
    """The guru moves to OPD B on 15 October after OPD A's list was computed; computing B's list
    takes him over (he is paid by the OPD of his last post). A's list no longer holds him and is
    verified: before, his changed inputs refused it."""
    from ekinerja.org.models import Assignment
    from tests.factories import AssignmentFactory, PositionFactory

    from .data import D

    p, guru = pemda, pemda.people["guru"]
    run_a = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT, unit=p.opd_a)
    assert Result.objects.filter(run=run_a, employee=guru).exists()
    Assignment.objects.filter(employee=guru).update(end=D(2026, 10, 14))
    pos = PositionFactory(instansi=p.inst, unit=p.opd_b, kelas=9, parent=p.pos["kadis_b"])
    AssignmentFactory(position=pos, employee=guru, start=D(2026, 10, 15))
    run_b = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT, unit=p.opd_b)
    assert Result.objects.filter(run=run_b, employee=guru).exists()
    assert not Result.objects.filter(run=run_a, employee=guru).exists()
    run_a.refresh_from_db()
    assert not selectors.inputs_changed(run_a)
    assert services.run_verify(actor=p.bkpsdm1, run=run_a).state == Run.State.VERIFIED


def test_the_check_gathers_with_a_fixed_number_of_queries(pemda, django_assert_max_num_queries):
    from .data import add_staff

    p = pemda
    run = _compute(p)
    with django_assert_max_num_queries(60) as small:
        selectors.inputs_changed(run)
    for e in add_staff(p, 12):
        full_attendance(e)
    run = _compute(p)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert not selectors.inputs_changed(run)


def test_the_run_page_says_what_of_the_months_activity_may_still_be_approved(pemda, client):
    import datetime as dt

    import time_machine
    from django.urls import reverse

    from .data import D

    p = pemda
    waiting = activity(p, p.people["guru"], workdays()[-1], 2, status=EntryStatus.SUBMITTED)
    ActivityEntry.objects.filter(pk=waiting.pk).update(verify_by=D(2026, 11, 17))
    activity(p, p.people["staf"], workdays()[-2], 2, status=EntryStatus.SUBMITTED)
    activity(p, p.people["staf"], workdays()[-3], 2, status=EntryStatus.RETURNED)
    activity(p, p.people["staf"], workdays()[-4], 2, status=EntryStatus.DRAFT)  # not counted
    with time_machine.travel(dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC)):
        run = _compute(p)
        found = selectors.activity_unsettled(run, D(2026, 11, 3))
        # 31 October is a Saturday: the seventh working day after it is 10 November.
        assert (found.submitted, found.verify_by, found.returned, found.window_end) == (
            2,
            D(2026, 11, 17),
            1,
            D(2026, 11, 10),
        )
        client.force_login(p.bkpsdm2)
        page = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
    assert 'data-testid="activity-unsettled"' in page
    assert (
        "2 entri masih menunggu verifikasi atasan (batas verifikasi paling lambat 17 November 2026)"
        in page
    )
    assert "1 entri dikembalikan untuk perbaikan" in page
    assert "masih dapat diajukan sampai 10 November 2026" in page
    # The window closed and every entry decided: no warning.
    assert not selectors.activity_unsettled(run, D(2026, 11, 11)).window_end
    ActivityEntry.objects.filter(status__in=[EntryStatus.SUBMITTED, EntryStatus.RETURNED]).update(
        status=EntryStatus.REJECTED
    )
    assert not selectors.activity_unsettled(run, D(2026, 11, 11))
    page = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
    assert 'data-testid="activity-unsettled"' not in page


def test_the_window_said_is_the_one_the_list_was_computed_with(pemda):
    """The list's own policy copy gives the entry window (3 working days here), not the activity
    settings of today's policy (7)."""
    from .data import D

    run = _compute(pemda)
    data = dict(run.policy_data)
    data["activity"] = {**data["activity"], "entry_window_working_days": 3}
    Run.objects.filter(pk=run.pk).update(policy_data=data)
    run.refresh_from_db()
    # 31 October is a Saturday: the third working day after it is 4 November.
    assert selectors.activity_unsettled(run, D(2026, 11, 3)).window_end == D(2026, 11, 4)
    assert not selectors.activity_unsettled(run, D(2026, 11, 5)).window_end
