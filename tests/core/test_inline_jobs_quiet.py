"""A trial without Redis runs background jobs in the request (CELERY_TASK_ALWAYS_EAGER): no broker
is asked for. Before, kombu logged "No hostname was supplied. Reverting to default 'localhost'" at
every job (each TPP computation of a trial), a warning an administrator then went looking for."""

from __future__ import annotations

import logging

import pytest

from ekinerja.core.jobs import enqueue
from ekinerja.tpp.tasks import run_check_task

pytestmark = pytest.mark.django_db


def test_an_inline_job_logs_no_broker_warning(caplog, settings):
    if getattr(settings, "REDIS_URL", ""):
        pytest.skip("with Redis the broker is real")
    caplog.set_level(logging.WARNING)
    enqueue(run_check_task, 2**31 - 1, "verify", None, "no-such-job", "")
    assert [r.getMessage() for r in caplog.records if r.name.startswith("kombu")] == []
