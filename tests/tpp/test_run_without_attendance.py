"""A list in which employees have no punch and no leave on any working day says so before it is
verified: an audit verified and locked a month computed before the machines' data arrived, every
employee at Rp0, with no word of it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ekinerja.tpp import services
from ekinerja.tpp.models import Result

from .data import OCT, full_attendance, make_pemda, workdays

pytestmark = pytest.mark.django_db


def test_the_run_counts_and_shows_employees_without_any_attendance(client):
    pemda = make_pemda()
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    in_post = [
        r.detail for r in Result.objects.filter(run=run) if r.detail.get("days_in_post", 0) > 0
    ]
    assert run.without_attendance == len(in_post) > 1
    client.force_login(pemda.bkpsdm1)
    page = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
    assert 'data-testid="without-attendance"' in page
    assert f"{run.without_attendance} dari {run.employees} pegawai" in page

    full_attendance(pemda.people["staf"], days=workdays(OCT))
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    assert run.without_attendance == len(in_post) - 1
