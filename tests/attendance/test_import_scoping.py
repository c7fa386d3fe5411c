"""Punch import batches are scoped to who may act on them: an admin OPD opens, runs and lists only
the batches they uploaded themselves; BKPSDM every batch of its instansi; anyone else's batch answers
404 like any other scoped object."""

import pytest
from django.urls import reverse

from ekinerja.attendance import services
from ekinerja.attendance.models import PinMapping, Punch, PunchImport
from tests.factories import (
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    UserFactory,
    employee_with_login,
    grant,
)

pytestmark = pytest.mark.django_db

DINKES_CSV = "No;PIN;Nama;Waktu\n1;101;Ani;01/10/2026 07:20:10\n2;102;Budi;01/10/2026 07:45:00\n"
DISDIK_CSV = "No;PIN;Nama;Waktu\n1;201;Cici;01/10/2026 07:25:00\n"


@pytest.fixture
def batches(office):
    """Two admin OPD (Dinas Kesehatan and Dinas Pendidikan), a second admin of Dinas Kesehatan, and
    one previewed batch each from the first two and from BKPSDM."""
    inst = office.instansi
    disdik = UnitFactory(instansi=inst, code="DISDIK", name="Dinas Pendidikan")
    guru = PositionFactory(unit=disdik, instansi=inst, code="GURU", name="Guru")
    cici = employee_with_login(inst, guru, name="Cici")
    PinMapping.objects.create(instansi=inst, pin="101", employee=office.ani)
    PinMapping.objects.create(instansi=inst, pin="102", employee=office.budi)
    PinMapping.objects.create(instansi=inst, pin="201", employee=cici)
    admin_dinkes = UserFactory(instansi=inst, username="admin-dinkes")
    grant(admin_dinkes, "admin_opd", office.unit)
    admin_dinkes2 = UserFactory(instansi=inst, username="admin-dinkes-2")
    grant(admin_dinkes2, "admin_opd", office.unit)
    admin_disdik = UserFactory(instansi=inst, username="admin-disdik")
    grant(admin_disdik, "admin_opd", disdik)

    def preview(actor, name, text):
        return services.import_preview(actor=actor, instansi=inst, name=name, data=text.encode())

    return {
        "admin_dinkes": admin_dinkes,
        "admin_dinkes2": admin_dinkes2,
        "admin_disdik": admin_disdik,
        "bkpsdm": office.bkpsdm_user,
        "dinkes": preview(admin_dinkes, "absen-dinkes.csv", DINKES_CSV),
        "disdik": preview(admin_disdik, "absen-disdik.csv", DISDIK_CSV),
        "bkpsdm_batch": preview(office.bkpsdm_user, "absen-bkpsdm.csv", DINKES_CSV),
    }


def detail(pk):
    return reverse("attendance:import-detail", args=[pk])


def run(pk):
    return reverse("attendance:import-run", args=[pk])


@pytest.mark.parametrize(
    "who,batch",
    [
        ("admin_dinkes", "disdik"),  # another unit's admin
        ("admin_disdik", "dinkes"),
        ("admin_dinkes2", "dinkes"),  # the same unit, but not the uploader
        ("admin_dinkes", "bkpsdm_batch"),  # BKPSDM's batch for the whole instansi
    ],
)
def test_admin_opd_cannot_open_or_run_a_batch_they_did_not_upload(client, batches, who, batch):
    target = batches[batch]
    client.force_login(batches[who])
    assert client.get(detail(target.pk)).status_code == 404
    assert client.get(detail(target.pk), headers={"HX-Request": "true"}).status_code == 404
    assert client.post(run(target.pk)).status_code == 404
    target.refresh_from_db()
    assert target.status == PunchImport.Status.PREVIEW
    assert not Punch.objects.exists()


def test_admin_opd_opens_and_runs_their_own_batch(client, batches, office):
    client.force_login(batches["admin_dinkes"])
    page = client.get(detail(batches["dinkes"].pk))
    assert page.status_code == 200 and "absen-dinkes.csv" in page.content.decode()
    response = client.post(run(batches["dinkes"].pk))
    assert response.status_code == 302
    batches["dinkes"].refresh_from_db()
    assert batches["dinkes"].status == PunchImport.Status.DONE
    assert set(Punch.objects.values_list("employee_id", flat=True)) == {
        office.ani.pk,
        office.budi.pk,
    }


def test_bkpsdm_opens_and_runs_every_batch_of_its_instansi(client, batches):
    client.force_login(batches["bkpsdm"])
    for key in ("dinkes", "disdik", "bkpsdm_batch"):
        assert client.get(detail(batches[key].pk)).status_code == 200
    listing = client.get(reverse("attendance:imports")).content.decode()
    assert all(n in listing for n in ("absen-dinkes.csv", "absen-disdik.csv", "absen-bkpsdm.csv"))
    client.post(run(batches["disdik"].pk))
    batches["disdik"].refresh_from_db()
    assert batches["disdik"].status == PunchImport.Status.DONE


def test_import_list_shows_an_admin_opd_only_their_own_batches(client, batches):
    client.force_login(batches["admin_dinkes"])
    listing = client.get(reverse("attendance:imports"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "absen-dinkes.csv" in html
    assert "absen-disdik.csv" not in html and "absen-bkpsdm.csv" not in html
    client.force_login(batches["admin_dinkes2"])
    html = client.get(reverse("attendance:imports")).content.decode()
    assert "absen-dinkes.csv" not in html and "Belum ada impor." in html


def test_another_instansi_bkpsdm_gets_404(client, batches):
    stranger = UserFactory(instansi=InstansiFactory(code="6399"))
    grant(stranger, "bkpsdm")
    client.force_login(stranger)
    assert client.get(detail(batches["dinkes"].pk)).status_code == 404
    assert client.post(run(batches["dinkes"].pk)).status_code == 404


def test_the_service_refuses_an_admin_opd_running_another_uploaders_batch(batches):
    """The rule holds below the pages too (a task, a future API): import_run itself refuses."""
    from django.core.exceptions import PermissionDenied

    target = batches["dinkes"]
    with pytest.raises(PermissionDenied, match="petugas lain"):
        services.import_run(actor=batches["admin_dinkes2"], batch=target)
    target.refresh_from_db()
    assert target.status == PunchImport.Status.PREVIEW and not Punch.objects.exists()
    services.import_run(actor=batches["bkpsdm"], batch=target)
    target.refresh_from_db()
    assert target.status == PunchImport.Status.DONE
