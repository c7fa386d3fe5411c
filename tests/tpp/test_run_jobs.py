"""The TPP run as a background job: a broker that does not answer, a worker that does not run, a job
that fails, and verifying or locking while a computation waits in the queue."""

from __future__ import annotations

import datetime as dt

import pytest
from celery import Task
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from ekinerja.core import jobs
from ekinerja.tpp import services
from ekinerja.tpp.models import Run, Simulation
from ekinerja.tpp.tasks import run_compute_task

from .data import OCT, full_attendance, make_pemda, monthly_minutes

pytestmark = pytest.mark.django_db


@pytest.fixture
def pemda():
    p = make_pemda()
    for e in p.people.values():
        full_attendance(e)
        monthly_minutes(p, e, 12)
    return p


def _refuse(task, *args, **kwargs):
    """What publishing answers when Redis is down."""
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.fixture
def broker_down(monkeypatch):
    """A configured broker (not inline) that refuses every job, as Redis does when it is down."""
    calls = []

    def refuse(self, args=None, kwargs=None, **options):
        calls.append(options)
        _refuse(self)

    monkeypatch.setattr(Task, "apply_async", refuse)
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        yield calls


def test_a_broker_that_is_down_is_said_at_once_and_the_page_does_not_wait_forever(
    client, pemda, broker_down
):
    client.force_login(pemda.bkpsdm1)
    response = client.post(reverse("tpp:run-start"), {"periode": "2026-10"}, follow=True)
    page = response.content.decode()
    assert "Redis" in page and "tidak dapat dihubungi" in page
    run = Run.objects.get(instansi=pemda.inst, period="2026-10")
    assert run.job_id == "" and run.job_queued_at is None  # no progress bar polling for ever
    assert 'hx-trigger="every' not in page
    # Published without kombu's retry loop, which held the request for about 20 seconds.
    assert broker_down == [{"retry": False}]


def test_a_simulation_that_cannot_be_queued_fails_with_the_reason(client, pemda, broker_down):
    data = dict(pemda.policy.data, name="Draf uji", effective_from="2027-01-01")
    draft = services.policy_save(actor=pemda.bkpsdm1, instansi=pemda.inst, data=data)
    client.force_login(pemda.bkpsdm1)
    client.post(reverse("tpp:policy-simulate", args=[draft.pk]), {"periode": "2026-10"})
    sim = Simulation.objects.get()
    assert sim.status == Simulation.Status.FAILED and "Redis" in sim.error


def test_a_queued_computation_is_not_verified_or_locked_before_it_ends(pemda):
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    Run.objects.filter(pk=run.pk).update(job_id="antre", job_queued_at=timezone.now())
    run.refresh_from_db()
    with pytest.raises(ValidationError, match="sedang dihitung ulang"):
        services.run_verify(actor=pemda.bkpsdm2, run=run)
    assert Run.objects.get(pk=run.pk).state == Run.State.COMPUTED
    # The job runs: the list is computed again, and then it may be verified.
    run_compute_task(pemda.inst.pk, "2026-10", None, pemda.bkpsdm1.pk)
    run.refresh_from_db()
    assert run.job_id == ""
    run = services.run_verify(actor=pemda.bkpsdm2, run=run)
    Run.objects.filter(pk=run.pk).update(job_id="antre")
    run.refresh_from_db()
    with pytest.raises(ValidationError, match="sedang dihitung ulang"):
        services.run_lock(actor=pemda.bkpsdm2, run=run)


def test_a_job_that_fails_stops_the_progress_and_keeps_the_reason(client, pemda):
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    run = services.run_verify(actor=pemda.bkpsdm1, run=run)
    run = services.run_lock(actor=pemda.bkpsdm2, run=run)
    # A computation queued before the lock reaches the worker after it.
    Run.objects.filter(pk=run.pk).update(job_id="antre", job_queued_at=timezone.now())
    assert run_compute_task(pemda.inst.pk, "2026-10", None, pemda.bkpsdm1.pk) == 0
    run.refresh_from_db()
    assert run.state == Run.State.LOCKED
    assert run.job_id == "" and "dikunci" in run.error
    client.force_login(pemda.bkpsdm1)
    page = client.get(reverse("tpp:run-progress", args=[run.pk])).content.decode()
    assert 'data-testid="run-error"' in page and "hx-trigger" not in page


def test_a_system_error_in_the_job_is_recorded_and_raised(pemda, monkeypatch):
    run = services.run_open(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    Run.objects.filter(pk=run.pk).update(job_id="antre", job_queued_at=timezone.now())

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_compute", broken)
    with pytest.raises(RuntimeError):
        run_compute_task(pemda.inst.pk, "2026-10", None, pemda.bkpsdm1.pk)
    run.refresh_from_db()
    assert run.job_id == "" and "kesalahan sistem" in run.error and "Diskominfo" in run.error


def test_a_job_no_worker_takes_is_said_after_five_minutes(client, pemda):
    run = services.run_open(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    client.force_login(pemda.bkpsdm1)
    url = reverse("tpp:run-progress", args=[run.pk])
    Run.objects.filter(pk=run.pk).update(
        job_id="antre", progress=0, job_queued_at=timezone.now() - dt.timedelta(minutes=2)
    )
    waiting = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="run-stalled"' not in waiting and "0%" in waiting
    Run.objects.filter(pk=run.pk).update(job_queued_at=timezone.now() - dt.timedelta(minutes=6))
    stalled = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="run-stalled"' in stalled and "Celery" in stalled
    assert 'hx-trigger="every 10s"' in stalled  # still watching, more calmly


def test_enqueue_runs_inline_without_a_broker(pemda):
    run = services.run_open(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    jobs.enqueue(run_compute_task, pemda.inst.pk, "2026-10", None, pemda.bkpsdm1.pk)
    run.refresh_from_db()
    assert run.state == Run.State.COMPUTED and run.employees == 4


def test_a_job_that_stopped_half_way_is_said_instead_of_a_progress_for_ever(client, pemda):
    """A worker killed at 55% (or a request that timed out computing inline) left "Sedang
    dihitung... 55%" on the page for good; half an hour after it was queued the page says it
    stopped and that the previous results are unchanged."""
    run = services.run_open(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    client.force_login(pemda.bkpsdm1)
    url = reverse("tpp:run-progress", args=[run.pk])
    Run.objects.filter(pk=run.pk).update(
        job_id="antre", progress=55, job_queued_at=timezone.now() - dt.timedelta(minutes=10)
    )
    running = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "55%" in running and 'data-testid="run-stopped"' not in running
    Run.objects.filter(pk=run.pk).update(job_queued_at=timezone.now() - dt.timedelta(minutes=31))
    stopped = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="run-stopped"' in stopped
    assert "berhenti di 55%" in stopped and "Hitung ulang" in stopped
    assert 'data-testid="run-stalled"' not in stopped


def test_a_job_whose_account_is_gone_is_not_computed_as_the_system(pemda):
    from ekinerja.core.models import User

    run = services.run_open(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    Run.objects.filter(pk=run.pk).update(job_id="antre", job_queued_at=timezone.now())
    gone = max(User.objects.values_list("pk", flat=True)) + 1
    assert run_compute_task(pemda.inst.pk, "2026-10", None, gone) == 0
    run.refresh_from_db()
    assert run.state == "open" and run.job_id == "" and run.computed_by_id is None
    assert "Akun yang meminta perhitungan ini sudah tidak ada" in run.error


def test_computing_again_while_a_job_is_queued_puts_no_second_job_on_the_queue(
    client, pemda, monkeypatch
):
    """ "Hitung ulang" pressed while the month waited in the queue queued it a second time."""
    queued = []
    monkeypatch.setattr(Task, "apply_async", lambda self, args=None, **kw: queued.append(args))
    client.force_login(pemda.bkpsdm1)
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        client.post(reverse("tpp:run-start"), {"periode": "2026-10"})
        response = client.post(reverse("tpp:run-start"), {"periode": "2026-10"}, follow=True)
        assert len(queued) == 1
        assert "sudah berjalan di latar belakang" in response.content.decode()
        # A job that no worker took for long is queued again.
        Run.objects.filter(period="2026-10").update(
            job_queued_at=timezone.now() - Run.STALLED_AFTER - dt.timedelta(minutes=1)
        )
        client.post(reverse("tpp:run-start"), {"periode": "2026-10"})
        assert len(queued) == 2


def test_a_simulation_that_cannot_be_queued_keeps_the_earlier_result(client, pemda, monkeypatch):
    """The failed attempt used to delete the draft's earlier simulation of the month first."""
    data = dict(pemda.policy.data, name="Draf uji", effective_from="2027-01-01")
    draft = services.policy_save(actor=pemda.bkpsdm1, instansi=pemda.inst, data=data)
    client.force_login(pemda.bkpsdm1)
    client.post(reverse("tpp:policy-simulate", args=[draft.pk]), {"periode": "2026-10"})
    good = Simulation.objects.get()
    assert good.status == Simulation.Status.DONE

    monkeypatch.setattr(Task, "apply_async", _refuse)
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        client.post(reverse("tpp:policy-simulate", args=[draft.pk]), {"periode": "2026-10"})
    assert Simulation.objects.get(pk=good.pk).status == Simulation.Status.DONE
    assert Simulation.objects.filter(status=Simulation.Status.FAILED).count() == 1
    # Queued again with a working queue, the new one replaces both.
    monkeypatch.undo()
    client.post(reverse("tpp:policy-simulate", args=[draft.pk]), {"periode": "2026-10"})
    assert Simulation.objects.count() == 1 and Simulation.objects.get().pk > good.pk


def test_a_simulation_no_worker_takes_or_that_stopped_is_said(client, pemda):
    """A simulation's page said "Menunggu giliran dihitung… 0%" for ever when no worker ran, and
    "Sedang disimulasikan… 40%" for ever after a worker was lost; it now says so, as a run does."""
    data = dict(pemda.policy.data, name="Draf uji", effective_from="2027-01-01")
    draft = services.policy_save(actor=pemda.bkpsdm1, instansi=pemda.inst, data=data)
    client.force_login(pemda.bkpsdm1)
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(Task, "apply_async", lambda self, args=None, **kw: None)
            client.post(reverse("tpp:policy-simulate", args=[draft.pk]), {"periode": "2026-10"})
    sim = Simulation.objects.get()
    url = reverse("tpp:simulation-progress", args=[sim.pk])
    waiting = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Menunggu giliran" in waiting and 'data-testid="simulation-stalled"' not in waiting
    Simulation.objects.filter(pk=sim.pk).update(created_at=timezone.now() - dt.timedelta(minutes=6))
    stalled = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="simulation-stalled"' in stalled and "Celery" in stalled
    assert 'hx-trigger="every 10s"' in stalled
    Simulation.objects.filter(pk=sim.pk).update(status=Simulation.Status.RUNNING, progress=40)
    running = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "40%" in running and 'data-testid="simulation-stopped"' not in running
    Simulation.objects.filter(pk=sim.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=31)
    )
    stopped = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="simulation-stopped"' in stopped and "berhenti di 40%" in stopped
