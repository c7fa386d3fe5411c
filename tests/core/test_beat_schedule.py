from django.conf import settings

from ekinerja.celery import app


def test_nightly_jobs_are_scheduled_and_registered():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == {
        "ekinerja.attendance.tasks.nightly_recompute",
        "ekinerja.activities.tasks.nightly_deadlines",
        "ekinerja.tpp.tasks.nightly_policy_sync",
        "ekinerja.attendance.tasks.pull_devices",  # the machines that cannot push
        "ekinerja.core.tasks.beat_heartbeat",
        "ekinerja.core.tasks.idempotency_prune",  # the API's Idempotency-Key answers
    }
    assert scheduled <= set(app.tasks)
