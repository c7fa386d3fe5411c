"""Months whose TPP is already locked, as attendance's deciders and the employee filing see them:
deciding a request in such a month changes the attendance record, not the pay
(attendance.selectors.mark_locked_months)."""

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


def _lock_october_for(monkeypatch, employee_id: int) -> None:
    monkeypatch.setattr(
        locked_months,
        "_source",
        [lambda _inst, pairs: {p for p in pairs if p == (employee_id, "2026-10")}],
    )


def _notes(page: str) -> list[str]:
    return re.findall(r'data-testid="locked-note">([^<]+)<', html.unescape(page))


def test_an_employee_filing_a_correction_in_a_locked_month_is_told_and_the_row_says_so(
    client, office, monkeypatch
):
    _lock_october_for(monkeypatch, office.ani.id)
    client.force_login(office.ani.user)
    r = client.post(
        reverse("attendance:corrections"),
        {"date": "2026-10-19", "time": "16:02", "reason": "Mesin mati"},
        follow=True,
    )
    page = html.unescape(r.content.decode())
    assert "Permohonan koreksi telah diajukan" in page
    assert 'alert-warning" role="alert">TPP Oktober 2026 Anda sudah dikunci' in page  # the message
    assert len(_notes(r.content.decode())) == 1  # and the pending row
    # A November correction (not locked) says nothing.
    r = client.post(
        reverse("attendance:corrections"),
        {"date": "2026-11-02", "time": "07:31", "reason": "Mesin mati"},
        follow=True,
    )
    assert len(_notes(r.content.decode())) == 1
    assert "alert-warning" not in r.content.decode()


def test_an_employee_s_pending_leave_in_a_locked_month_is_marked_but_not_a_decided_one(
    client, office, monkeypatch
):
    from .conftest import annual_leave

    _lock_october_for(monkeypatch, office.ani.id)
    pending = annual_leave(office.ani, D(2026, 10, 30), D(2026, 11, 2), "submitted")
    annual_leave(office.ani, D(2026, 10, 5), D(2026, 10, 5), "approved")
    annual_leave(office.ani, D(2026, 11, 9), D(2026, 11, 9), "submitted")
    client.force_login(office.ani.user)
    page = client.get(reverse("attendance:leave")).content.decode()
    notes = _notes(page)
    assert len(notes) == 1
    assert notes[0].startswith("TPP Oktober 2026 Anda sudah dikunci")
    row = page.split(f'data-testid="leave-row-{pending.pk}"')[1].split("</tr>")[0]
    assert 'data-testid="locked-note"' in row
    # Someone else's locked month is not this employee's.
    _lock_october_for(monkeypatch, office.kepala.id)
    assert _notes(client.get(reverse("attendance:leave")).content.decode()) == []


def test_filing_leave_that_reaches_a_locked_month_warns_at_once(client, office, monkeypatch):
    from ekinerja.attendance.models import LeaveType

    _lock_october_for(monkeypatch, office.ani.id)
    izin = LeaveType.objects.get(instansi=office.instansi, code="izin")
    client.force_login(office.ani.user)
    r = client.post(
        reverse("attendance:leave"),
        {"leave_type": izin.pk, "date_from": "2026-10-22", "date_to": "2026-10-23", "reason": "x"},
        follow=True,
    )
    page = html.unescape(r.content.decode())
    assert "telah diajukan" in page
    assert 'alert-warning" role="alert">TPP Oktober 2026 Anda sudah dikunci' in page


def test_the_month_page_of_a_locked_month_says_its_changes_no_longer_change_tpp(
    client, office, monkeypatch
):
    """An audit imported punches into locked October: the month page then read "Tanpa keterangan
    0" while the locked TPP kept its day, and nothing on the page said why."""
    client.force_login(office.ani.user)
    url = reverse("attendance:month") + "?periode=2026-10"
    assert 'data-testid="month-tpp-locked"' not in client.get(url).content.decode()
    _lock_october_for(monkeypatch, office.ani.id)
    page = client.get(url).content.decode()
    assert 'data-testid="month-tpp-locked"' in page and "TPP Oktober 2026 sudah dikunci" in page
