"""R10: the machine lines of a PIN mapped to nobody (UnmappedPunch) are pruned by the nightly job
once too old to recover usefully (services.UNMAPPED_KEEP_DAYS), and are recovered when an employee
comes to carry that PIN as their NIP (created by the admin or the import, or their NIP changed:
org.signals.nips_added): a machine may send the NIP as its PIN."""

import datetime as dt

import pytest
import time_machine

from ekinerja.attendance import services, tasks
from ekinerja.attendance.models import Device, Punch, UnmappedPunch
from ekinerja.core.models import AuditEvent
from ekinerja.org import services as org_services
from ekinerja.org.models import Employee
from tests.attendance.conftest import D, at
from tests.factories import InstansiFactory, make_nip
from tests.org.test_import import NIP_KABID, base_rows, to_csv

pytestmark = pytest.mark.django_db

# Monday 5 October 2026, 09:00 WITA.
NOW = dt.datetime(2026, 10, 5, 1, 0, tzinfo=dt.UTC)


def _log(pin: str) -> str:
    return (
        f"{pin}\t2026-10-01 07:25:00\t0\t1\t0\t0\t0\n"
        f"{pin}\t2026-10-01 16:05:00\t1\t1\t0\t0\t0\n"
        f"{pin}\t2026-10-02 07:20:00\t0\t1\t0\t0\t0\n"
    )


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def device(office):
    return Device.objects.create(instansi=office.instansi, serial="CQZ0010", watermark=NOW)


# ---------------------------------------------------------------- recovered by a NIP


def _spy(monkeypatch) -> list:
    """The recoveries queued (tasks.dispatch of unmapped_recover_task), recorded, not run."""
    queued: list = []
    real = tasks.dispatch

    def spy(task, *args, **kwargs):
        if task is tasks.unmapped_recover_task:
            queued.append(args)
            return None
        return real(task, *args, **kwargs)

    monkeypatch.setattr(tasks, "dispatch", spy)
    return queued


def test_an_employee_created_with_the_nip_a_machine_sent_gets_those_punches(
    office, device, django_capture_on_commit_callbacks
):
    nip = make_nip(appointed=(2026, 9))
    services.device_receive(device=device, raw=_log(nip))
    assert UnmappedPunch.objects.filter(pin=nip, recovered_at__isnull=True).count() == 3

    with django_capture_on_commit_callbacks(execute=True):
        citra = org_services.employee_save(
            actor=office.bkpsdm_user,
            employee=Employee(
                instansi=office.instansi,
                nip=nip,
                name="Citra CPNS",
                golongan="III/a",
                status="CPNS",
            ),
        )

    times = list(Punch.objects.filter(employee=citra).order_by("at").values_list("at", flat=True))
    assert times == [
        at(D(2026, 10, 1), 7, 25),
        at(D(2026, 10, 1), 16, 5),
        at(D(2026, 10, 2), 7, 20),
    ]
    assert not UnmappedPunch.objects.filter(pin=nip, recovered_at__isnull=True).exists()
    event = AuditEvent.objects.get(action="attendance.punch.recover")
    assert event.actor_id == office.bkpsdm_user.pk and event.after["pins"] == [nip]


def test_an_employee_whose_nip_is_corrected_to_the_one_the_machine_sent_gets_those_punches(
    office, device, django_capture_on_commit_callbacks, monkeypatch
):
    ani = office.ani
    right = make_nip(appointed=(2011, 4))
    services.device_receive(device=device, raw=_log(right))
    assert not Punch.objects.filter(employee=ani).exists()

    ani.nip = right
    with django_capture_on_commit_callbacks(execute=True):
        org_services.employee_save(actor=office.bkpsdm_user, employee=ani)

    assert Punch.objects.filter(employee=ani).count() == 3
    # Saved again without a NIP change: nothing announced, nothing queued.
    queued = _spy(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        org_services.employee_save(actor=office.bkpsdm_user, employee=ani)
    assert queued == []


def test_an_employee_created_by_the_import_gets_the_punches_of_their_nip(
    django_capture_on_commit_callbacks,
):
    inst = InstansiFactory(code="6302")
    machine = Device.objects.create(instansi=inst, serial="CQZ0011", watermark=NOW)
    services.device_receive(device=machine, raw=_log(NIP_KABID))

    with django_capture_on_commit_callbacks(execute=True):
        org_services.import_apply(actor=None, instansi=inst, file=to_csv(base_rows()), name="a.csv")

    siti = Employee.objects.get(instansi=inst, nip=NIP_KABID)
    assert Punch.objects.filter(employee=siti).count() == 3


def test_a_nip_of_another_instansi_recovers_nothing_and_a_nip_never_sent_queues_nothing(
    office, device, django_capture_on_commit_callbacks, monkeypatch
):
    nip = make_nip(appointed=(2026, 9))
    services.device_receive(device=device, raw=_log(nip))
    other = InstansiFactory(code="6303")
    queued = _spy(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        org_services.employee_save(
            actor=None,
            employee=Employee(instansi=other, nip=nip, name="X", golongan="III/a", status="PNS"),
        )
    assert queued == []
    assert UnmappedPunch.objects.filter(pin=nip, recovered_at__isnull=True).count() == 3
    assert not Punch.objects.exists()


# ---------------------------------------------------------------- pruned when too old


def _line(device, pin, when, recovered=False):
    from ekinerja.attendance.models import DeviceDump

    dump = DeviceDump.objects.create(instansi=device.instansi, device=device, raw="")
    return UnmappedPunch.objects.create(
        instansi=device.instansi,
        device=device,
        dump=dump,
        pin=pin,
        at=when,
        recovered_at=NOW if recovered else None,
    )


def test_the_nightly_job_prunes_waiting_lines_older_than_400_days_only(office, device):
    keep_days = services.UNMAPPED_KEEP_DAYS
    assert keep_days == 400
    old = _line(device, "901", NOW - dt.timedelta(days=keep_days + 1))
    recent = _line(device, "902", NOW - dt.timedelta(days=keep_days - 1))
    old_recovered = _line(device, "903", NOW - dt.timedelta(days=keep_days + 30), recovered=True)

    tasks.nightly_recompute(days_back=1)

    left = set(UnmappedPunch.objects.values_list("id", flat=True))
    assert left == {recent.id, old_recovered.id}
    assert old.id not in left


def test_pruning_is_bounded_and_the_rest_goes_the_next_run(office, device):
    long_ago = NOW - dt.timedelta(days=500)
    for i in range(7):
        _line(device, "904", long_ago + dt.timedelta(minutes=i))

    assert services.unmapped_prune(batch=2, limit=5) == 5
    assert UnmappedPunch.objects.count() == 2
    assert services.unmapped_prune(batch=2, limit=5) == 2
    assert not UnmappedPunch.objects.exists()
