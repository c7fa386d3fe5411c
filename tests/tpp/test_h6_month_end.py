"""BKPSDM's month end on the run page (review H6): "Verifikasi" and "Setujui dan kunci" run their
input check (the month gathered again: 6 s at 20,000 employees) as a background job with progress
on the page, with the same outcome as before: unchanged inputs verify or lock, a changed input
refuses with the list of who changed."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from ekinerja.activities.models import ActivityEntry, EntryStatus
from ekinerja.tpp import selectors, services, tasks
from ekinerja.tpp import views as tpp_views
from ekinerja.tpp.models import Run

from .data import OCT, activity, full_attendance, make_pemda, workdays

pytestmark = pytest.mark.django_db


@pytest.fixture
def pemda():
    p = make_pemda()
    for e in p.people.values():
        full_attendance(e, skip=workdays()[-1:])
    return p


@pytest.fixture
def queued(monkeypatch):
    """A broker that takes the job and runs it later (as with Redis): the calls, to run by hand."""
    calls = []
    monkeypatch.setattr(tpp_views, "enqueue", lambda task, *args: calls.append((task, args)))
    return calls


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _poll(client, run, action):
    return client.get(
        reverse("tpp:run-check-progress", args=[run.pk]) + f"?cek={action}", HTTP_HX_REQUEST="true"
    )


def test_verify_runs_in_the_background_with_progress_and_then_verifies(client, pemda, queued):
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    client.force_login(pemda.bkpsdm1)
    response = client.post(reverse("tpp:run-verify", args=[run.pk]))
    assert response.status_code == 302
    assert any("sedang diperiksa ulang di latar belakang" in m for m in _messages(response))
    run.refresh_from_db()
    # Not verified yet: the request only queued the check.
    assert run.state == Run.State.COMPUTED and run.check_job and run.check_action == "verify"
    [(task, args)] = queued
    assert task is tasks.run_check_task and args[:4] == (
        run.pk,
        "verify",
        pemda.bkpsdm1.pk,
        run.check_job,
    )
    page = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
    assert 'data-testid="check-running"' in page and "hx-get" in page
    assert 'data-testid="verify"' not in page  # the progress stands in for the button
    # A second click meanwhile does not queue a second check.
    again = client.post(reverse("tpp:run-verify", args=[run.pk]))
    assert any("tunggu sampai pemeriksaan selesai" in m for m in _messages(again))
    assert len(queued) == 1
    # Still running: the poll answers the fragment with the percentage.
    fragment = _poll(client, run, "verify").content.decode()
    assert "sebelum diverifikasi… 0%" in fragment
    # The worker runs the job; a second delivery of it does nothing.
    assert task(*args) == run.pk
    assert task(*args) == 0
    run.refresh_from_db()
    assert run.state == Run.State.VERIFIED and run.verified_by == pemda.bkpsdm1
    assert not run.check_job and not run.check_error
    done = _poll(client, run, "verify")
    assert done["HX-Redirect"] == reverse("tpp:run", args=[run.pk])
    assert any(m.startswith("Daftar TPP diverifikasi.") for m in _messages(done))


def test_a_changed_input_refuses_the_background_lock_with_who_changed(client, pemda, queued):
    p, guru = pemda, pemda.people["guru"]
    entry = activity(p, guru, workdays()[-2], 8, status=EntryStatus.SUBMITTED)
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    run = services.run_verify(actor=p.bkpsdm1, run=run)
    ActivityEntry.objects.filter(pk=entry.pk).update(
        status=EntryStatus.APPROVED, credited_minutes=240
    )
    client.force_login(p.bkpsdm2)
    client.post(reverse("tpp:run-lock", args=[run.pk]), {"konfirmasi": "1"})
    [(task, args)] = queued
    assert task(*args) == 0
    run.refresh_from_db()
    assert run.state == Run.State.VERIFIED and not run.check_job
    expected = (
        "TPP Oktober 2026 belum dapat dikunci: data kehadiran, cuti, aktivitas atau jabatan "
        f"1 pegawai berubah sejak daftar dihitung ({guru.name}). Hitung ulang dulu."
    )
    assert run.check_error == expected
    done = _poll(client, run, "lock")
    assert done["HX-Redirect"] and not any("dikunci dan siap" in m for m in _messages(done))
    page = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
    assert 'data-testid="check-error"' in page and guru.name in page
    assert 'data-testid="lock"' in page  # the button is back
    # Computed again, the refusal no longer stands.
    services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    run.refresh_from_db()
    assert not run.check_error


def test_quick_refusals_are_said_at_once_without_a_job(client, pemda, queued):
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    run = services.run_verify(actor=pemda.bkpsdm1, run=run)
    client.force_login(pemda.bkpsdm1)  # computed it: may not lock
    response = client.post(reverse("tpp:run-lock", args=[run.pk]), {"konfirmasi": "1"})
    assert any("Yang menghitung tidak boleh mengunci" in m for m in _messages(response))
    run.refresh_from_db()
    assert not queued and not run.check_job and run.state == Run.State.VERIFIED


def test_a_recompute_during_the_check_is_refused_not_verified(pemda):
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    job = services.run_check_start(actor=pemda.bkpsdm1, run=run, action="verify")
    checked = services.InputsChecked(run.computed_at, selectors.inputs_changed(run))
    services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    with pytest.raises(services.ValidationError) as err:
        services.run_verify(actor=pemda.bkpsdm1, run=run, inputs=checked)
    assert "dihitung ulang selama pemeriksaan" in err.value.messages[0]
    assert job


def test_the_check_reports_its_progress_and_finds_the_same(pemda):
    p, guru = pemda, pemda.people["guru"]
    entry = activity(p, guru, workdays()[-2], 8, status=EntryStatus.SUBMITTED)
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    ActivityEntry.objects.filter(pk=entry.pk).update(
        status=EntryStatus.APPROVED, credited_minutes=240
    )
    seen: list[int] = []
    found = selectors.inputs_changed(run, limit=3, progress=seen.append)
    assert seen == sorted(seen) and seen[0] >= 5 and seen[-1] == 95 and len(seen) >= 4
    plain = selectors.inputs_changed(run, limit=3)
    assert (found.count, found.first) == (plain.count, plain.first) == (1, [guru])


def test_the_recaps_no_unit_row_lists_only_those_without_a_unit(client, pemda):
    from ekinerja.tpp.models import Result

    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    loose = pemda.people["staf"]
    Result.objects.filter(run=run, employee=loose).update(unit=None)  # a payment-only row
    client.force_login(pemda.bkpsdm1)
    url = reverse("tpp:run", args=[run.pk])
    page = client.get(url).content.decode()
    assert "None" not in page.split('data-testid="results-unit"')[0].split("<tbody>")[-1]
    assert '<a href="?unit=tanpa#pegawai">Tanpa unit</a>' in page
    listed = client.get(url + "?unit=tanpa").content.decode()
    assert loose.name in listed and pemda.people["guru"].name not in listed
    assert '<option value="tanpa" selected>Tanpa unit</option>' in listed
    # Once locked, the download select names units only: the row without a unit is in "Seluruh
    # instansi" (it offered an option "None").
    run = services.run_verify(actor=pemda.bkpsdm1, run=run)
    services.run_lock(actor=pemda.bkpsdm2, run=run)
    Result.objects.filter(run=run, employee=loose).update(unit=None)
    client.force_login(pemda.bpkad)
    page = client.get(url).content.decode()
    select = page.split('id="dl-unit"')[1].split("</select>")[0]
    assert "<option" in select and "None" not in select and '<option value="">' not in select


def test_a_check_the_queue_refuses_gives_the_button_back_at_once(client, pemda, monkeypatch):
    from ekinerja.core.jobs import QueueUnavailable
    from ekinerja.tpp import views

    def down(*args, **kwargs):
        raise QueueUnavailable()

    monkeypatch.setattr(views, "enqueue", down)
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    client.force_login(pemda.bkpsdm1)
    response = client.post(reverse("tpp:run-verify", args=[run.pk]))
    assert response.status_code == 302 and _messages(response)
    run.refresh_from_db()
    assert (run.check_job, run.check_progress, run.check_queued_at) == ("", 0, None)
    assert run.state == Run.State.COMPUTED
    page = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
    assert 'data-testid="verify"' in page
