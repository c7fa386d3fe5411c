"""Fixes of December: an approved entry is never submitted again; far dates (year 1, year 9999) are
refused with field errors or a redirect, never a 500; user text wraps on a phone and the description
has a length limit everywhere; the same unlock request is not sent twice."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from ekinerja.activities import services
from ekinerja.activities.models import DESCRIPTION_MAX_LENGTH, ActivityEntry, UnlockRequest
from ekinerja.core.periods import DATE_OUT_OF_RANGE
from tests.factories import employee_with_login, grant

from .conftest import D, T, make_entry

pytestmark = pytest.mark.django_db
PASSWORD = "Rahasia-Kuat-2026!"


@pytest.fixture(autouse=True)
def _now(at):
    at("2026-10-09 17:00")


def _messages(resp) -> list[str]:
    return [str(m) for m in resp.wsgi_request._messages]


def _approved(office) -> ActivityEntry:
    e = make_entry(office, day=D(2026, 10, 8), submit=True)
    services.entry_verify(actor=office["p"]["kasubag"].user, entry=e, decision="approve")
    e.refresh_from_db()
    assert e.status == "approved" and e.verified_by_id is not None
    return e


# ---------------------------------------------------------------- item 2: submitting again


def test_submitting_an_approved_entry_from_a_stale_page_changes_nothing(client, office):
    e = _approved(office)
    client.force_login(office["p"]["ani"].user)
    resp = client.post(reverse("activities:entry-submit", kwargs={"pk": e.pk}))
    assert resp.status_code == 302
    after = ActivityEntry.objects.get(pk=e.pk)
    assert after.status == "approved"
    assert after.verified_by_id == e.verified_by_id and after.credited_minutes == e.credited_minutes
    assert any("tidak dapat diajukan lagi" in m for m in _messages(resp))


def test_the_service_submits_only_drafts_and_returned_entries(office):
    ani = office["p"]["ani"].user
    e = _approved(office)
    with pytest.raises(ValidationError) as exc:
        services.entry_submit(actor=ani, entry=e)
    assert "status" in exc.value.message_dict
    rejected = make_entry(office, day=D(2026, 10, 7), submit=True)
    services.entry_verify(
        actor=office["p"]["kasubag"].user, entry=rejected, decision="reject", reason="Tidak ada"
    )
    with pytest.raises(ValidationError):
        services.entry_submit(actor=ani, entry=rejected)
    assert ActivityEntry.objects.get(pk=rejected.pk).status == "rejected"
    returned = make_entry(office, day=D(2026, 10, 6), submit=True)
    services.entry_verify(
        actor=office["p"]["kasubag"].user, entry=returned, decision="return", reason="Lengkapi"
    )
    assert services.entry_submit(actor=ani, entry=returned).status == "submitted"
    draft = make_entry(office, day=D(2026, 10, 5))
    assert services.entry_submit(actor=ani, entry=draft).status == "submitted"


def test_submitting_twice_keeps_the_entry_and_says_so(client, office):
    e = make_entry(office, day=D(2026, 10, 8), submit=True)
    client.force_login(office["p"]["ani"].user)
    resp = client.post(reverse("activities:entry-submit", kwargs={"pk": e.pk}))
    after = ActivityEntry.objects.get(pk=e.pk)
    assert after.status == "submitted" and after.submitted_at == e.submitted_at
    assert any("sudah diajukan" in m for m in _messages(resp))


def test_the_api_refuses_to_submit_an_approved_entry(client, office):
    e = _approved(office)
    token = client.post(
        "/api/v1/auth/token",
        {"username": office["p"]["ani"].user.username, "password": PASSWORD},
        content_type="application/json",
    ).json()["token"]
    resp = client.post(
        f"/api/v1/activities/entries/{e.pk}/submit", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert resp.status_code == 409  # a conflict with the entry's state (docs/api.md)
    assert "status" in resp.json()["errors"]
    assert ActivityEntry.objects.get(pk=e.pk).status == "approved"


# ---------------------------------------------------------------- item 3: far dates


@pytest.mark.parametrize("text", ["9999-12-31", "0001-01-01", "1899-12-31"])
def test_a_day_url_out_of_range_redirects_to_today_with_a_message(client, office, text):
    client.force_login(office["p"]["ani"].user)
    resp = client.get(f"/aktivitas/hari/{text}/")
    assert resp.status_code == 302
    assert resp["Location"] == reverse("activities:day", kwargs={"day": "2026-10-09"})
    assert DATE_OUT_OF_RANGE in _messages(resp)


def test_far_but_sane_day_urls_still_render(client, office):
    client.force_login(office["p"]["ani"].user)
    assert client.get("/aktivitas/hari/9998-12-31/").status_code == 200
    assert client.get("/aktivitas/hari/1900-01-01/").status_code == 200


def test_day_actions_on_a_far_date_do_nothing(client, office):
    make_entry(office, day=D(2026, 10, 9), start=T(8), end=T(9))
    client.force_login(office["p"]["ani"].user)
    for name in ("submit-day", "repeat"):
        resp = client.post(reverse(f"activities:{name}", kwargs={"day": "9999-12-31"}))
        assert resp.status_code == 302
        assert DATE_OUT_OF_RANGE in _messages(resp)
    # Not today's drafts instead of the far date's.
    assert list(ActivityEntry.objects.values_list("status", flat=True)) == ["draft"]


def test_the_entry_form_refuses_a_far_date_on_the_field(client, office):
    client.force_login(office["p"]["ani"].user)
    resp = client.post(
        "/aktivitas/hari/2026-10-08/",
        {
            "date": "0001-01-01",
            "start_time": "08:00",
            "end_time": "09:00",
            "item": office["surat"].pk,
            "volume": "1",
        },
    )
    assert resp.status_code == 400
    assert DATE_OUT_OF_RANGE in resp.context["form"].errors["date"]
    assert not ActivityEntry.objects.exists()


def test_the_service_refuses_far_dates_on_the_field(office):
    for day in (D(1, 1, 1), D(9999, 12, 31)):
        with pytest.raises(ValidationError) as exc:
            make_entry(office, day=day)
        assert exc.value.message_dict["date"] == [DATE_OUT_OF_RANGE]


def test_unlock_form_refuses_far_dates_on_the_fields(client, office):
    client.force_login(office["p"]["ani"].user)
    resp = client.post(
        reverse("activities:unlocks"),
        {"date_from": "0001-01-01", "date_to": "9999-12-31", "reason": "Dinas luar tanpa sinyal"},
    )
    assert resp.status_code == 400
    assert DATE_OUT_OF_RANGE in resp.context["form"].errors["date_from"]
    assert DATE_OUT_OF_RANGE in resp.context["form"].errors["date_to"]
    with pytest.raises(ValidationError) as exc:
        services.unlock_request_create(
            actor=office["p"]["ani"].user,
            employee=office["p"]["ani"],
            date_from=D(1, 1, 1),
            date_to=D(1, 1, 2),
            reason="Dinas luar tanpa sinyal",
        )
    assert exc.value.message_dict == {"date_from": [DATE_OUT_OF_RANGE]}
    assert not UnlockRequest.objects.exists()


def _sheet(rows):
    wb = Workbook()
    ws = wb.active
    ws.title = "aktivitas"
    ws.append(["tanggal", "mulai", "selesai", "kode_aktivitas", "volume", "uraian"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(
        "aktivitas.xlsx",
        buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def test_bulk_import_refuses_far_dates_and_long_descriptions_per_row(client, office):
    upload = _sheet(
        [
            ["9999-12-31", "08:00", "09:00", "A001", 1, "Jauh di depan"],
            ["0001-01-01", "08:00", "09:00", "A001", 1, "Jauh di belakang"],
            ["2026-10-08", "08:00", "09:00", "A001", 1, "x" * (DESCRIPTION_MAX_LENGTH + 1)],
        ]
    )
    client.force_login(office["p"]["ani"].user)
    resp = client.post(reverse("activities:bulk"), {"file": upload})
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "3 baris ditolak" in html
    assert html.count("tahun 1900-9998") == 2 and "Uraian paling panjang 2000" in html
    assert not ActivityEntry.objects.exists()


def test_the_api_refuses_a_far_date_on_the_field(client, office):
    token = client.post(
        "/api/v1/auth/token",
        {"username": office["p"]["ani"].user.username, "password": PASSWORD},
        content_type="application/json",
    ).json()["token"]
    resp = client.post(
        "/api/v1/activities/entries",
        {
            "date": "9999-12-31",
            "start_time": "08:00",
            "end_time": "09:00",
            "item_id": office["surat"].pk,
            "volume": "1",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert resp.status_code == 422
    assert resp.json()["errors"]["date"] == [DATE_OUT_OF_RANGE]


# ---------------------------------------------------------------- item 4: long unbroken text


LONG = "A" * 2000  # one "word" of 2000 characters, no space to break at


def test_long_words_wrap_on_the_day_list_entry_page_and_inbox(client, office):
    e = make_entry(office, day=D(2026, 10, 8), description=LONG, submit=True)
    client.force_login(office["p"]["ani"].user)
    html = client.get("/aktivitas/hari/2026-10-08/").content.decode()
    block = html.split('data-testid="entry"')[1]
    assert 'class="flex-grow-1 user-text"' in block.split("AAAA")[0]
    html = client.get(reverse("activities:entry", kwargs={"pk": e.pk})).content.decode()
    assert 'class="card-body user-text"' in html.split("AAAA")[0]
    client.force_login(office["p"]["kasubag"].user)
    html = client.get(reverse("activities:inbox")).content.decode()
    assert 'class="flex-grow-1 user-text"' in html.split("AAAA")[0].rsplit("inbox-entry", 1)[1]


def test_the_stylesheet_breaks_user_text_anywhere():
    from pathlib import Path

    import ekinerja

    css = (Path(ekinerja.__file__).parent / "static/css/ekinerja.css").read_text()
    rule = css.split(".user-text {", 1)[1].split("}", 1)[0]
    assert "overflow-wrap: anywhere" in rule and "min-width: 0" in rule


def test_the_description_has_a_length_limit_on_the_form_and_the_service(client, office):
    client.force_login(office["p"]["ani"].user)
    resp = client.post(
        "/aktivitas/hari/2026-10-08/",
        {
            "date": "2026-10-08",
            "start_time": "08:00",
            "end_time": "09:00",
            "item": office["surat"].pk,
            "volume": "1",
            "description": "B" * (DESCRIPTION_MAX_LENGTH + 1),
        },
    )
    assert resp.status_code == 400 and resp.context["form"].errors["description"]
    with pytest.raises(ValidationError) as exc:
        make_entry(office, day=D(2026, 10, 8), description="B" * (DESCRIPTION_MAX_LENGTH + 1))
    assert "description" in exc.value.message_dict
    e = make_entry(office, day=D(2026, 10, 8), description=LONG)  # the limit itself is fine
    with pytest.raises(ValidationError) as exc:
        services.entry_update(
            actor=office["p"]["ani"].user, entry=e, description=LONG + "B", volume=Decimal("1")
        )
    assert "description" in exc.value.message_dict


# ---------------------------------------------------------------- item 5: the same unlock twice


def test_the_same_unlock_request_twice_is_refused_with_a_clear_message(client, office):
    client.force_login(office["p"]["ani"].user)
    data = {"date_from": "2026-09-01", "date_to": "2026-09-02", "reason": "Dinas luar tanpa sinyal"}
    assert client.post(reverse("activities:unlocks"), data).status_code == 302
    resp = client.post(reverse("activities:unlocks"), data)  # the double click
    assert resp.status_code == 400
    assert "masih menunggu keputusan BKPSDM" in resp.context["form"].errors["date_from"][0]
    assert UnlockRequest.objects.count() == 1
    # Another range is another request.
    other = dict(data, date_to="2026-09-03")
    assert client.post(reverse("activities:unlocks"), other).status_code == 302
    assert UnlockRequest.objects.count() == 2


def test_a_decided_unlock_may_be_asked_again_and_admins_cannot_double_either(office):
    ani = office["p"]["ani"]
    first = services.unlock_request_create(
        actor=ani.user,
        employee=ani,
        date_from=D(2026, 9, 1),
        date_to=D(2026, 9, 2),
        reason="Dinas luar tanpa sinyal",
    )
    bk = employee_with_login(office["inst"], None).user
    grant(bk, "bkpsdm")
    services.unlock_request_decide(actor=bk, unlock=first, approve=False, reason="Tanpa bukti")
    again = services.unlock_request_create(
        actor=ani.user,
        employee=ani,
        date_from=D(2026, 9, 1),
        date_to=D(2026, 9, 2),
        reason="Dinas luar, surat tugas terlampir",
    )
    assert again.status == "pending"
    admin = employee_with_login(office["inst"], None).user
    grant(admin, "admin_opd", unit=office["unit"])
    with pytest.raises(ValidationError) as exc:
        services.unlock_request_create(
            actor=admin,
            employee=ani,
            date_from=D(2026, 9, 1),
            date_to=D(2026, 9, 2),
            reason="Diajukan admin untuk Ani",
        )
    assert "date_from" in exc.value.message_dict
