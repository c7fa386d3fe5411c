"""Review of the leave and correction workflows as employees and superiors use them: a correction
filed again for a moment already approved, the corrections page's queries, and a decision form
sent without pressing Setujui or Tolak."""

import datetime as dt

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.attendance import services
from ekinerja.attendance.models import CorrectionRequest, LeaveRequest, LeaveType, Punch
from tests.attendance.conftest import D, at

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 10, 2, tzinfo=dt.UTC)  # Tuesday 10 March 2026, 10.00 WITA


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _correction(emp, day, hh=7, mm=30, reason="Mesin sidik jari rusak"):
    return services.correction_submit(
        actor=emp.user, employee=emp, at=at(day, hh, mm), reason=reason
    )


# ---------------------------------------------------------------- a correction asked for twice


def test_a_correction_already_approved_is_not_filed_again(client, office):
    first = _correction(office.ani, D(2026, 3, 9))
    services.correction_decide(actor=office.kepala.user, correction=first, approve=True)
    client.force_login(office.ani.user)
    data = {"date": "2026-03-09", "time": "07:30", "reason": "Lupa sudah diajukan"}
    r = client.post(reverse("attendance:corrections"), data)
    # Refused on the page, under the time, the input kept; before, it was accepted and the
    # superior's approval failed with a server error (the manual punch is one-to-one).
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert errors["time"] == ["Koreksi untuk waktu ini sudah disetujui; absennya sudah tercatat."]
    assert r.context["form"]["reason"].value() == "Lupa sudah diajukan"
    assert CorrectionRequest.objects.filter(employee=office.ani).count() == 1


def test_a_duplicate_already_waiting_is_approved_without_an_error(office):
    first = _correction(office.ani, D(2026, 3, 9))
    # Filed before the submission refused it (a request of the old code, still in the inbox).
    dup = CorrectionRequest.objects.create(
        instansi=office.instansi,
        employee=office.ani,
        at=first.at,
        reason="Diajukan dua kali",
        approver=office.kepala,
    )
    services.correction_decide(actor=office.kepala.user, correction=first, approve=True)
    services.correction_decide(actor=office.kepala.user, correction=dup, approve=True)
    dup.refresh_from_db()
    assert dup.status == CorrectionRequest.Status.APPROVED and dup.punch_id is None
    assert Punch.objects.filter(employee=office.ani, source="manual").count() == 1


def test_a_correction_in_the_future_is_said_under_the_time(client, office):
    client.force_login(office.ani.user)
    data = {"date": "2026-03-10", "time": "16:00", "reason": "Pulang nanti"}
    r = client.post(reverse("attendance:corrections"), data)
    assert r.context["form"].errors["time"] == ["Koreksi tidak boleh untuk waktu yang akan datang."]
    assert not r.context["form"].non_field_errors()


# ---------------------------------------------------------------- the corrections page's queries


def _queries(client, user, url) -> int:
    client.force_login(user)
    client.get(url)  # warm: the session, the caches of the first request
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_the_corrections_page_queries_do_not_grow_with_its_rows(client, office):
    _correction(office.ani, D(2026, 3, 2))
    url = reverse("attendance:corrections")
    one = _queries(client, office.ani.user, url)
    for day in (3, 4, 5, 6, 9):
        _correction(office.ani, D(2026, 3, day))
    # Before, each row read its employee and instansi again (for its local date): 10 more.
    assert _queries(client, office.ani.user, url) == one


# ---------------------------------------------------------------- a decision without a button


def _leave(emp):
    return services.leave_request_submit(
        actor=emp.user,
        employee=emp,
        leave_type=LeaveType.objects.get(instansi=emp.instansi, code="izin"),
        date_from=D(2026, 3, 16),
        date_to=D(2026, 3, 16),
    )


def test_a_decision_form_sent_without_a_button_decides_nothing(client, office):
    req = _leave(office.ani)
    corr = _correction(office.budi, D(2026, 3, 9))
    client.force_login(office.kepala.user)
    r = client.post(reverse("attendance:leave-decide", args=[req.pk]), {"note": "Ada audit"})
    # Before, anything but "approve" rejected it, with the note as the reason.
    req.refresh_from_db()
    assert req.status == LeaveRequest.Status.SUBMITTED
    assert [str(m) for m in get_messages(r.wsgi_request)] == [
        "Pilih Setujui atau Tolak; tidak ada yang diputuskan."
    ]
    client.post(reverse("attendance:correction-decide", args=[corr.pk]), {"note": "x"})
    corr.refresh_from_db()
    assert corr.status == CorrectionRequest.Status.SUBMITTED
    # Rejecting with the button still works.
    client.post(
        reverse("attendance:leave-decide", args=[req.pk]),
        {"note": "Ada audit", "decision": "reject"},
    )
    req.refresh_from_db()
    assert req.status == LeaveRequest.Status.REJECTED


def test_enter_in_the_note_does_not_approve(client, office):
    _leave(office.ani)
    client.force_login(office.kepala.user)
    html = client.get(reverse("attendance:inbox")).content.decode()
    form = html[html.index('data-testid="inbox-leave"') :]
    form = form[form.index("<form") : form.index("</form>")]
    # Enter in a text field clicks the form's first submit button (HTML implicit submission): it
    # was Setujui, so a reason typed for a refusal and sent with Enter approved the leave. The
    # first one is now a disabled button, which makes Enter send nothing.
    first = form[form.index("<button") : form.index(">", form.index("<button"))]
    assert "disabled" in first and 'value="approve"' not in first
    assert form.index("<button") < form.index('name="note"')
