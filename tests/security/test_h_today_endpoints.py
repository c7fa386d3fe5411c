"""Review H (attacking the endpoints added on 7 December 2026): the background verify/lock check of
a TPP list, the mobile app's device endpoints, and PIN mapping. A test marked xfail(strict) shows a
problem still open (it fails until the product is fixed, then the mark must go); the others pin a
boundary that held."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from ekinerja.activities import services as activity_services
from ekinerja.activities.models import ApiToken
from ekinerja.attendance import services as attendance_services
from ekinerja.attendance.models import PinMapping
from ekinerja.tpp import services
from ekinerja.tpp import views as tpp_views
from ekinerja.tpp.models import Result, Run
from tests.factories import (
    InstansiFactory,
    UnitFactory,
    UserFactory,
    employee_with_login,
    grant,
)
from tests.tpp.data import OCT, full_attendance, make_pemda, workdays

pytestmark = pytest.mark.django_db


@pytest.fixture
def pemda():
    p = make_pemda()
    for e in p.people.values():
        full_attendance(e, skip=workdays()[-1:])
    return p


@pytest.fixture
def queued(monkeypatch):
    """A broker that takes the check job and runs it later (as with Redis): the calls, by hand."""
    calls = []
    monkeypatch.setattr(tpp_views, "enqueue", lambda task, *args: calls.append((task, args)))
    return calls


# ---------------------------------------------------------------- TPP verify/lock check job


def test_a_queued_verify_does_not_verify_a_list_computed_again_after_the_click(
    client, pemda, queued
):
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    seen = run.computed_at  # the list bkpsdm2 looks at when clicking "Verifikasi"
    client.force_login(pemda.bkpsdm2)
    client.post(reverse("tpp:run-verify", args=[run.pk]))
    # The check waits in the queue; meanwhile the list is computed again (same run row).
    again = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    assert again.pk == run.pk and again.computed_at != seen
    [(task, args)] = queued
    task(*args)
    run.refresh_from_db()
    # The new figures were never shown to bkpsdm2: the job must refuse ("dihitung ulang ...
    # Ulangi"), as it already does for a recompute during the gather.
    assert run.state == Run.State.COMPUTED and run.verified_by is None
    assert "dihitung ulang" in run.check_error


def test_a_withholding_while_the_lock_check_waits_is_not_locked_unseen(client, pemda, queued):
    """The four-eyes lock holds across the queue: a TPP withheld by a third BKPSDM account after
    the locker's click puts the list back to 'Dihitung', so the queued lock refuses."""
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    run = services.run_verify(actor=pemda.bkpsdm1, run=run)
    third = UserFactory(instansi=pemda.inst, username="bkpsdm3")
    grant(third, "bkpsdm")
    client.force_login(pemda.bkpsdm2)
    client.post(reverse("tpp:run-lock", args=[run.pk]), {"konfirmasi": "1"})
    guru = pemda.people["guru"]
    services.withholding_create(actor=third, employee=guru, period=OCT, reason="LHKPN")
    [(task, args)] = queued
    assert task(*args) == 0
    run.refresh_from_db()
    assert run.state == Run.State.COMPUTED and run.locked_by is None and run.check_error
    assert Result.objects.get(run=run, employee=guru).payable == 0


# ---------------------------------------------------------------- the mobile app's devices


def test_a_browser_session_cannot_revoke_a_device_through_the_api_without_csrf():
    """DELETE /api/v1/auth/tokens/{id} also answers a browser session: a page of another site
    posting it with the victim's cookie must be refused (ninja's SessionAuth checks CSRF)."""
    ani = employee_with_login(InstansiFactory(), None, name="Ani").user
    token, raw = activity_services.api_token_issue(actor=ani, name="HP Ani")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ani)
    resp = browser.delete(f"/api/v1/auth/tokens/{token.pk}")
    assert resp.status_code == 403
    assert not ApiToken.objects.get(pk=token.pk).revoked
    phone = Client().get("/api/v1/auth/tokens", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert phone.status_code == 200 and [t["id"] for t in phone.json()] == [token.pk]


# ---------------------------------------------------------------- PIN mapping (recovery)


def test_kominfo_cannot_map_a_pin_and_recover_punches_onto_someone():
    """Mapping a PIN now also recovers the punches waiting for it: only BKPSDM may, not Kominfo
    (who keeps the machines) nor an admin OPD."""
    inst = InstansiFactory()
    unit = UnitFactory(instansi=inst)
    target = employee_with_login(inst, None, name="Pegawai Sasaran")
    for role in ("kominfo", "admin_opd"):
        officer = employee_with_login(inst, None, name=f"Petugas {role}").user
        grant(officer, role, unit=unit if role == "admin_opd" else None)
        mapping = PinMapping(instansi=inst, pin="555", employee=target)
        with pytest.raises(PermissionDenied):
            attendance_services.pin_mapping_save(actor=officer, mapping=mapping)
    assert not PinMapping.objects.exists()
