"""A compute job is delivered at least once (Redis hands a message not acknowledged in time to a
second worker; a worker lost after its commit runs the job again), and two openings of the same
month can race. Each request puts its own token in Run.job_id; only the job the run waits for
writes (docs/tpp-run.md, "Background job").

An audit found that a second delivery of a job already done undid the verification made since
(the list went back to "computed") or, on a list locked since, wrote "sudah dikunci" as the
computation's error; and that a whole-instansi and a unit computation of the same month asked for
at the same moment both opened, paying the unit's employees twice."""

from __future__ import annotations

import threading
import time

import pytest
from celery import Task
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from ekinerja.core.models import AuditEvent
from ekinerja.tpp import selectors, services
from ekinerja.tpp.models import Result, Run
from ekinerja.tpp.tasks import run_compute_task

from .data import OCT, full_attendance, make_pemda, monthly_minutes


def _pemda():
    p = make_pemda()
    for e in p.people.values():
        full_attendance(e)
        monthly_minutes(p, e, 12)
    return p


@pytest.fixture
def pemda(db):
    return _pemda()


def _queued(client, p, monkeypatch) -> tuple[Run, list]:
    """BKPSDM presses "Hitung" with a broker configured: the job waits in the queue."""
    queued = []
    monkeypatch.setattr(Task, "apply_async", lambda self, args=None, **kw: queued.append(args))
    client.force_login(p.bkpsdm1)
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        client.post(reverse("tpp:run-start"), {"periode": "2026-10"})
    return Run.objects.get(instansi=p.inst, period="2026-10"), queued


def test_each_request_queues_its_own_token(client, pemda, monkeypatch):
    run, queued = _queued(client, pemda, monkeypatch)
    (args,) = queued
    assert args[:4] == (pemda.inst.pk, "2026-10", None, pemda.bkpsdm1.pk)
    token = args[4]
    assert run.job_id == token and len(token) == 32
    Run.objects.filter(pk=run.pk).update(job_queued_at=timezone.now() - Run.STALLED_AFTER * 2)
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        client.post(reverse("tpp:run-start"), {"periode": "2026-10"})
    assert len(queued) == 2 and queued[1][4] != token
    assert Run.objects.get(pk=run.pk).job_id == queued[1][4]


def test_a_second_delivery_of_a_job_done_does_not_undo_the_verification(client, pemda, monkeypatch):
    run, queued = _queued(client, pemda, monkeypatch)
    assert run_compute_task(*queued[0]) == run.pk
    run = services.run_verify(actor=pemda.bkpsdm2, run=Run.objects.get(pk=run.pk))
    computed_at = run.computed_at
    assert run_compute_task(*queued[0]) == 0  # delivered again
    run.refresh_from_db()
    assert run.state == Run.State.VERIFIED and run.verified_by == pemda.bkpsdm2
    assert run.computed_at == computed_at and run.error == "" and run.progress == 100
    assert AuditEvent.objects.filter(action="tpp.run.compute").count() == 1


def test_a_second_delivery_writes_no_error_on_a_list_locked_since(client, pemda, monkeypatch):
    run, queued = _queued(client, pemda, monkeypatch)
    run_compute_task(*queued[0])
    run = services.run_verify(actor=pemda.bkpsdm2, run=Run.objects.get(pk=run.pk))
    run = services.run_lock(actor=pemda.bkpsdm2, run=run)
    assert run_compute_task(*queued[0]) == 0
    run.refresh_from_db()
    assert run.state == Run.State.LOCKED and run.error == "" and run.job_id == ""


def test_a_job_replaced_by_a_newer_request_does_nothing(client, pemda, monkeypatch):
    run, queued = _queued(client, pemda, monkeypatch)
    # No worker took it for long; "Hitung ulang" queues a newer job.
    Run.objects.filter(pk=run.pk).update(job_queued_at=timezone.now() - Run.STALLED_AFTER * 2)
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        client.post(reverse("tpp:run-start"), {"periode": "2026-10"})
    old, new = queued
    assert run_compute_task(*old) == 0  # the old one arrives at last
    run.refresh_from_db()
    assert run.state == Run.State.OPEN and run.job_id == new[4] and run.progress == 0
    assert run_compute_task(*new) == run.pk
    run.refresh_from_db()
    assert run.state == Run.State.COMPUTED and run.job_id == "" and run.employees == 4


def test_a_failure_of_a_replaced_job_does_not_stop_the_newer_one(client, pemda, monkeypatch):
    run, queued = _queued(client, pemda, monkeypatch)
    newer = "b" * 32
    Run.objects.filter(pk=run.pk).update(job_id=newer)
    services.run_job_failed(pemda.inst, OCT, None, RuntimeError("disk full"), job=queued[0][4])
    run.refresh_from_db()
    assert run.job_id == newer and run.error == ""


def test_two_deliveries_computing_at_once_store_one_result(client, pemda, monkeypatch):
    """Both deliveries start while the run waits for the job; the second finishes first and the
    list is verified before the first one stores: the first leaves the run as it is."""
    run, queued = _queued(client, pemda, monkeypatch)
    real = selectors.gather
    calls = []

    def gather_while_the_other_delivery_finishes(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            assert run_compute_task(*queued[0]) == run.pk  # the other delivery, whole
            services.run_verify(actor=pemda.bkpsdm2, run=Run.objects.get(pk=run.pk))
        return real(*args, **kwargs)

    monkeypatch.setattr(selectors, "gather", gather_while_the_other_delivery_finishes)
    assert run_compute_task(*queued[0]) == run.pk
    run.refresh_from_db()
    assert run.state == Run.State.VERIFIED and run.progress == 100 and run.job_id == ""
    assert Result.objects.filter(run=run).count() == 4
    assert AuditEvent.objects.filter(action="tpp.run.compute").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_whole_and_a_unit_computation_asked_at_once_do_not_both_open(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite takes one writer at a time")
    p = _pemda()
    real = services._check_scope

    def slow_check(*args):
        real(*args)
        time.sleep(0.5)  # the other request checks meanwhile

    monkeypatch.setattr(services, "_check_scope", slow_check)
    outcome: dict[str, object] = {}

    def open_month(name, unit):
        try:
            outcome[name] = services.run_open(
                actor=p.bkpsdm1, instansi=p.inst, period=OCT, unit=unit
            )
        except ValidationError as exc:
            outcome[name] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=open_month, args=("whole", None)),
        threading.Thread(target=open_month, args=("unit", p.opd_b)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Run.objects.filter(instansi=p.inst, period="2026-10").count() == 1
    refused = [v for v in outcome.values() if isinstance(v, ValidationError)]
    assert len(refused) == 1
    assert "sudah dihitung" in " ".join(refused[0].messages)
