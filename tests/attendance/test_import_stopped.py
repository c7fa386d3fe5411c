"""A punch import killed half-way (a worker lost, a request that timed out) rolled its load back but
left the batch marked "Sedang diimpor" for good: the redelivered job refused it ("sudah
dijalankan"), the page polled every second for ever and offered no way to run it again
(docs/attendance.md, "Importing punches")."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.urls import reverse

from ekinerja.attendance import selectors, services
from ekinerja.attendance.models import PinMapping, Punch, PunchImport
from ekinerja.attendance.tasks import import_run_task

CSV = "No;PIN;Nama;Waktu\n1;101;Ani;01/10/2026 07:20:10\n2;102;Budi;01/10/2026 07:45:00\n"


def _batch(office) -> PunchImport:
    PinMapping.objects.create(instansi=office.instansi, pin="101", employee=office.ani)
    PinMapping.objects.create(instansi=office.instansi, pin="102", employee=office.budi)
    return services.import_preview(
        actor=office.bkpsdm_user, instansi=office.instansi, name="absen.csv", data=CSV.encode()
    )


def _killed_half_way(batch: PunchImport) -> None:
    """What a run killed during its load leaves: the batch marked running (committed before the
    load), no punch (the load's transaction rolled back)."""
    PunchImport.objects.filter(pk=batch.pk).update(status=PunchImport.Status.RUNNING)


@pytest.mark.django_db
def test_the_redelivered_job_runs_a_batch_left_running(office):
    batch = _batch(office)
    _killed_half_way(batch)
    assert import_run_task(batch.pk, office.bkpsdm_user.pk) == 2
    batch.refresh_from_db()
    assert batch.status == PunchImport.Status.DONE and batch.inserted == 2
    assert Punch.objects.count() == 2
    # Delivered once more after that: nothing, and no error.
    assert import_run_task(batch.pk, office.bkpsdm_user.pk) == 0
    assert Punch.objects.count() == 2
    with pytest.raises(ValidationError, match="sudah dijalankan"):
        services.import_run(actor=office.bkpsdm_user, batch=batch)


@pytest.mark.django_db
def test_the_page_says_it_stopped_and_offers_to_run_it_again(client, office):
    batch = _batch(office)
    _killed_half_way(batch)
    client.force_login(office.bkpsdm_user)
    url = reverse("attendance:import-detail", args=[batch.pk])
    part = client.get(url, headers={"HX-Request": "true"}).content.decode()
    # Still watched, more calmly: a run that was only between its two steps shows up again.
    assert 'data-testid="import-stopped"' in part and 'hx-trigger="every 10s"' in part
    assert "Tidak ada data yang ditambahkan" in part
    client.post(reverse("attendance:import-run", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == PunchImport.Status.DONE and Punch.objects.count() == 2
    page = client.get(url).content.decode()
    assert 'data-testid="import-stopped"' not in page and 'data-testid="import-inserted"' in page


@pytest.mark.django_db(transaction=True)
def test_a_batch_being_loaded_is_not_taken_as_stopped_nor_run_twice(client, office):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no row locks")
    batch = _batch(office)
    _killed_half_way(batch)
    loading = threading.Event()
    release = threading.Event()

    def hold_the_load_lock():
        # A live run: its load transaction holds the batch's row lock.
        with transaction.atomic():
            list(PunchImport.objects.select_for_update().filter(pk=batch.pk).values("pk"))
            loading.set()
            release.wait(10)
        connections.close_all()

    holder = threading.Thread(target=hold_the_load_lock)
    holder.start()
    try:
        assert loading.wait(10)
        assert not selectors.import_stopped(batch)
        client.force_login(office.bkpsdm_user)
        url = reverse("attendance:import-detail", args=[batch.pk])
        part = client.get(url, headers={"HX-Request": "true"}).content.decode()
        assert 'data-testid="import-stopped"' not in part and 'hx-trigger="every 1s"' in part
        page = client.post(reverse("attendance:import-run", args=[batch.pk]), follow=True)
        assert "sedang berjalan" in page.content.decode()
    finally:
        release.set()
        holder.join()
    assert selectors.import_stopped(PunchImport.objects.get(pk=batch.pk))
    assert Punch.objects.count() == 0


@pytest.mark.django_db
def test_a_delivery_that_waited_for_a_finished_batch_does_nothing(office, monkeypatch):
    """A second delivery of the job waits for the row lock of the run loading the batch and then
    finds it done: it ends quietly (it failed with "sudah dijalankan")."""
    batch = _batch(office)
    real = services.import_run

    def finished_meanwhile(*, actor, batch):
        real(actor=actor, batch=batch)  # the other delivery, while this one waited
        return real(actor=actor, batch=batch)

    monkeypatch.setattr(services, "import_run", finished_meanwhile)
    assert import_run_task(batch.pk, office.bkpsdm_user.pk) == 0
    assert Punch.objects.count() == 2


@pytest.mark.django_db
def test_on_sqlite_running_it_again_while_it_loads_says_so(client, office, monkeypatch):
    """SQLite takes a batch still marked running as stopped; "Impor lagi" pressed while another
    request loads it waits for the database's write lock and gave a server error."""
    from django.db import OperationalError

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    batch = _batch(office)
    _killed_half_way(batch)

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "import_run", locked)
    client.force_login(office.bkpsdm_user)
    page = client.post(reverse("attendance:import-run", args=[batch.pk]), follow=True)
    assert page.status_code == 200 and "sedang berjalan" in page.content.decode()
