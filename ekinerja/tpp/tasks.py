"""Background jobs of the TPP app (Celery with Redis when REDIS_URL is set; inline otherwise)."""

from __future__ import annotations

from celery import shared_task
from django.core.exceptions import PermissionDenied, ValidationError

from ekinerja.core.models import Instansi, User
from ekinerja.core.periods import Period
from ekinerja.org.models import Unit

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_compute_task(
    instansi_id: int,
    period: str,
    unit_id: int | None = None,
    user_id: int | None = None,
    job: str | None = None,
) -> int:
    """services.run_compute for one month. The compute writes in a single transaction, so a worker
    killed half-way leaves the previous results untouched and the redelivered task (acks_late)
    computes a clean run. Returns the run id (0 when the job did nothing).

    `job`: the token the request put in `Run.job_id` when it queued this job. A job is delivered
    at least once: Redis hands a message not acknowledged in time to a second worker, and a
    worker lost after the compute committed runs it again. Only the job the run still waits for
    computes; one whose run no longer holds its token (done already, or replaced by a newer
    "Hitung ulang") does nothing, so that it cannot undo a verification made since or write an
    error on a list locked since."""
    instansi = Instansi.objects.get(pk=instansi_id)
    unit = Unit.objects.get(pk=unit_id, instansi=instansi) if unit_id else None
    if job and not services.run_job_current(instansi, Period.parse(period), unit, job):
        return 0
    actor = User.objects.filter(pk=user_id).first() if user_id else None
    if user_id and actor is None:
        # The account that asked is gone: never compute as the system instead (no role check, no
        # computed_by for the four-eyes rule).
        services.run_job_failed(
            instansi,
            Period.parse(period),
            unit,
            PermissionDenied(
                "Akun yang meminta perhitungan ini sudah tidak ada; hitung ulang dari akun BKPSDM."
            ),
            job=job,
        )
        return 0
    try:
        run = services.run_compute(
            actor=actor, instansi=instansi, period=Period.parse(period), unit=unit, job=job
        )
    except Exception as exc:
        # The page stops waiting and shows why (a list locked meanwhile, an error of the system).
        services.run_job_failed(instansi, Period.parse(period), unit, exc, job=job)
        if isinstance(exc, ValidationError | PermissionDenied):
            return 0
        raise
    return run.pk


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_check_task(run_id: int, action: str, user_id: int | None, job: str, note: str = "") -> int:
    """services.run_check_job: "Verifikasi" or "Setujui dan kunci" of a list, whose input check
    gathers the month again (seconds at a Pemda's size), with progress on the run page. Only the
    job the run waits for (Run.check_job) acts; a second delivery does nothing. Returns the run id
    (0 when nothing was verified or locked)."""
    actor = User.objects.filter(pk=user_id).first() if user_id else None
    run = services.run_check_job(actor=actor, run_id=run_id, action=action, job=job, note=note)
    return run.pk if run is not None else 0


@shared_task(acks_late=True, reject_on_worker_lost=True)
def simulate_policy_task(simulation_id: int) -> int:
    """simulation.simulation_compute for one recorded simulation (a draft policy on a past month).
    It writes no Run or Result; its rows are written in one transaction, so a redelivered task
    (acks_late) simply computes them again. Returns the simulation id."""
    from .models import Simulation
    from .simulation import simulation_compute

    sim = Simulation.objects.filter(pk=simulation_id).first()
    if sim is None:  # replaced by a newer simulation of the same draft and month
        return simulation_id
    simulation_compute(sim)
    return simulation_id


@shared_task
def nightly_policy_sync() -> int:
    """The activity app's window, cap and target follow the TPP policy in force this month
    (services.activity_settings_sync); a version taking effect on the 1st applies from that night.
    Returns the number of instansi whose values changed."""
    return sum(
        services.activity_settings_sync(actor=None, instansi=inst)
        for inst in Instansi.objects.all()
    )


@shared_task(acks_late=True, reject_on_worker_lost=True)
def nominatif_pdf_task(run_id: int, unit_id: int | None, day: str) -> int:
    """documents.render: the daftar nominatif pdf of a locked run, kept for the run page's download
    button. A run no longer locked (it cannot be, but a job outlives a request) renders nothing.
    A redelivered task (acks_late) renders again into the same name. Returns the run id."""
    import datetime as dt

    from . import documents
    from .models import Run

    run = Run.objects.select_related("instansi").filter(pk=run_id).first()
    if run is None or run.state not in services.LOCKED_STATES:
        return run_id
    unit = Unit.objects.get(pk=unit_id, instansi=run.instansi) if unit_id else None
    documents.render(run, unit, dt.date.fromisoformat(day))
    return run_id
