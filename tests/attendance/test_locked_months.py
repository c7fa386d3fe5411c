"""Months whose TPP is already locked, as attendance's deciders see them: deciding a request in
such a month changes the attendance record, not the pay (attendance.selectors.mark_locked_months)."""

from __future__ import annotations

import html
import re

from django.urls import reverse

from ekinerja.core import locked_months

from .conftest import D


def test_the_inbox_says_when_a_request_falls_in_a_month_whose_tpp_is_locked(
    client, office, monkeypatch
):
    from ekinerja.attendance.models import CorrectionRequest

    from .conftest import annual_leave, at

    ani = office.ani.id
    monkeypatch.setattr(
        locked_months,
        "_source",
        [lambda _inst, pairs: {p for p in pairs if p == (ani, "2026-10")}],
    )
    annual_leave(office.ani, D(2026, 10, 30), D(2026, 11, 2), "submitted")  # reaches October
    annual_leave(office.ani, D(2026, 11, 9), D(2026, 11, 9), "submitted")
    CorrectionRequest.objects.create(
        instansi=office.instansi,
        employee=office.ani,
        at=at(D(2026, 10, 12), 7, 25),
        reason="Mesin mati",
        status=CorrectionRequest.Status.SUBMITTED,
    )
    client.force_login(office.kepala.user)
    page = html.unescape(client.get(reverse("attendance:inbox")).content.decode())
    notes = re.findall(r'data-testid="locked-note">([^<]+)<', page)
    assert len(notes) == 2  # the leave reaching into October and the October correction
    assert all(n.startswith("TPP Oktober 2026 sudah dikunci") for n in notes)
