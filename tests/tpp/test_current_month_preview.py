"""A run of the current month is a preview: its working days still to come are not absences.

Found computing December 2026 on the 4th in the demo: the 18 working days still to come counted
as absent without notice (5% each under the new Perbup), so every employee's preview showed a 90%
attendance deduction, a 14% presence rate and, under the attendance floors, Rp0; the employee's
"TPP saya" opened on that month and said "Tanpa keterangan: 18 hari"."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from ekinerja.tpp import services
from ekinerja.tpp.models import Result
from tests.tpp.data import OCT, D, full_attendance, make_pemda, workdays

pytestmark = pytest.mark.django_db

# 15 October 2026, 10:00 WITA: ten working days have passed, twelve are still to come.
MID_OCTOBER = dt.datetime(2026, 10, 15, 2, 0, tzinfo=dt.UTC)


def test_the_days_still_to_come_are_no_absences_in_a_preview(client):
    p = make_pemda()
    staf = p.people["staf"]
    for e in p.people.values():
        full_attendance(e, days=[d for d in workdays() if d < D(2026, 10, 15)])
    with time_machine.travel(MID_OCTOBER):
        run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
        result = Result.objects.get(run=run, employee=staf)
        attendance = result.detail["attendance"]
        assert attendance["absent_without_notice"] == 0
        assert attendance["deduction_pct"] == 0
        assert attendance["amount"] == result.detail["pots"]["attendance"]
        assert result.detail["presence_rate"] == 100 and result.detail["floor_pct"] == 100
        assert result.gross > 0
        # Still a preview: the days to come are counted and the list cannot be verified.
        assert run.unfinished_days >= 12 * len(p.people)
        with pytest.raises(ValidationError):
            services.run_verify(actor=p.bkpsdm1, run=run)
        client.force_login(staf.user)
        page = client.get(reverse("tpp:mine") + "?periode=2026-10").content.decode()
        assert "Tanpa keterangan" not in page
