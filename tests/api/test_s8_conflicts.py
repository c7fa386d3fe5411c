"""409 Conflict: a request that conflicts with the current state of the row it acts on (an entry
already verified or expired, a decision already taken, a list changed since it was read) answers 409
with the usual `{detail, errors}` body; a request the client can correct by changing its input
stays 422 (api.errors.is_conflict, api.v1._validation_error, docs/api.md)."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from ekinerja.activities import services
from ekinerja.activities.models import ActivityCatalogItem, ActivityEntry
from ekinerja.api import errors, v1
from ekinerja.org.models import Position
from tests.factories import InstansiFactory, PositionFactory, UnitFactory, employee_with_login

pytestmark = pytest.mark.django_db
D = dt.date
ENTRIES = "/api/v1/activities/entries"


@pytest.fixture(autouse=True)
def _now():
    # Friday 9 October 2026, 17:00 WITA.
    with time_machine.travel(dt.datetime(2026, 10, 9, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def office():
    inst = InstansiFactory(timezone="Asia/Makassar")
    unit = UnitFactory(instansi=inst)
    boss = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=9)
    pos = PositionFactory(unit=unit, kind=Position.Kind.PELAKSANA, kelas=7, parent=boss)
    ani = employee_with_login(inst, pos, name="Ani")
    atasan = employee_with_login(inst, boss, name="Atasan")
    item = ActivityCatalogItem.objects.create(
        instansi=inst,
        code="A1",
        name="Menyusun konsep surat",
        output_unit="surat",
        standard_minutes=30,
        active_from=D(2020, 1, 1),
    )
    _t, ani_raw = services.api_token_issue(actor=ani.user, name="HP Ani")
    _t, boss_raw = services.api_token_issue(actor=atasan.user, name="HP Atasan")
    return {
        "ani": ani,
        "atasan": atasan,
        "item": item,
        "ani_auth": {"HTTP_AUTHORIZATION": f"Bearer {ani_raw}"},
        "boss_auth": {"HTTP_AUTHORIZATION": f"Bearer {boss_raw}"},
    }


def _entry(office) -> ActivityEntry:
    """Ani's entry of Thursday 8 October, 08:00-09:00, submitted."""
    return services.entry_create(
        actor=office["ani"].user,
        date=D(2026, 10, 8),
        start_time=dt.time(8, 0),
        end_time=dt.time(9, 0),
        item=office["item"],
        volume="1",
        submit=True,
    ).entry


def _decided(office, decision="approve", reason="") -> ActivityEntry:
    entry = _entry(office)
    services.entry_verify(
        actor=office["atasan"].user, entry=entry, decision=decision, reason=reason
    )
    return ActivityEntry.objects.get(pk=entry.pk)


def _conflict_body(resp) -> dict:
    assert resp.status_code == 409, resp.content
    assert resp["Content-Type"].startswith("application/json")
    got = resp.json()
    assert set(got) == {"detail", "errors"}
    assert got["errors"]["status"] and got["detail"] == " ".join(
        m for msgs in got["errors"].values() for m in msgs
    )
    return got


def test_deleting_a_verified_entry_is_a_conflict(client, office):
    entry = _decided(office)
    resp = client.delete(f"{ENTRIES}/{entry.pk}", **office["ani_auth"])
    got = _conflict_body(resp)
    assert "sudah diverifikasi" in got["errors"]["status"][0]
    assert ActivityEntry.objects.filter(pk=entry.pk, status="approved").exists()


def test_changing_a_rejected_entry_is_a_conflict(client, office):
    entry = _decided(office, "reject", "Tidak sesuai")
    resp = client.patch(
        f"{ENTRIES}/{entry.pk}",
        {"description": "Diperbaiki"},
        content_type="application/json",
        **office["ani_auth"],
    )
    got = _conflict_body(resp)
    assert "ajukan keberatan" in got["errors"]["status"][0]
    assert ActivityEntry.objects.get(pk=entry.pk).description == ""


def test_submitting_an_approved_entry_again_is_a_conflict(client, office):
    entry = _decided(office)
    resp = client.post(f"{ENTRIES}/{entry.pk}/submit", **office["ani_auth"])
    got = _conflict_body(resp)
    assert "tidak dapat diajukan lagi" in got["errors"]["status"][0]
    assert ActivityEntry.objects.get(pk=entry.pk).status == "approved"


def test_deciding_an_entry_already_decided_is_a_conflict(client, office):
    entry = _decided(office)
    resp = client.post(
        f"{ENTRIES}/{entry.pk}/verify",
        {"decision": "reject", "reason": "Salah isi"},
        content_type="application/json",
        **office["boss_auth"],
    )
    got = _conflict_body(resp)
    assert got["errors"]["status"] == ["Aktivitas ini tidak sedang menunggu verifikasi."]
    assert ActivityEntry.objects.get(pk=entry.pk).status == "approved"


def test_deciding_an_entry_changed_since_it_was_read_is_a_conflict(client, office):
    entry = _entry(office)
    seen_at = timezone.now() - dt.timedelta(minutes=5)  # the inbox was read before the change
    resp = client.post(
        f"{ENTRIES}/{entry.pk}/verify",
        {"decision": "approve", "seen_at": seen_at.isoformat()},
        content_type="application/json",
        **office["boss_auth"],
    )
    got = _conflict_body(resp)
    assert "diubah pegawai setelah" in got["errors"]["status"][0]
    assert ActivityEntry.objects.get(pk=entry.pk).status == "submitted"


def test_a_picked_list_changed_since_it_was_read_is_a_conflict(client, office):
    entry = _entry(office)
    seen_at = timezone.now() - dt.timedelta(minutes=5)
    resp = client.post(
        "/api/v1/activities/verify-bulk",
        {"entry_ids": [entry.pk], "seen_at": seen_at.isoformat()},
        content_type="application/json",
        **office["boss_auth"],
    )
    got = _conflict_body(resp)
    assert "tidak ada yang diubah" in got["errors"]["status"][0]
    assert ActivityEntry.objects.get(pk=entry.pk).status == "submitted"


def test_input_the_client_can_correct_stays_422(client, office):
    """A rule about what the request says (a missing reason, an overlapping time) is no conflict:
    the client changes its input and sends again."""
    entry = _entry(office)
    no_reason = client.post(
        f"{ENTRIES}/{entry.pk}/verify",
        {"decision": "reject"},
        content_type="application/json",
        **office["boss_auth"],
    )
    assert no_reason.status_code == 422 and set(no_reason.json()["errors"]) == {"reason"}
    overlap = client.post(
        ENTRIES,
        {
            "date": "2026-10-08",
            "start_time": "08:30",
            "end_time": "09:00",
            "item_id": office["item"].pk,
            "volume": "1",
        },
        content_type="application/json",
        **office["ani_auth"],
    )
    assert overlap.status_code == 422 and set(overlap.json()["errors"]) == {"start_time"}


def test_submitting_an_entry_already_waiting_is_no_conflict(client, office):
    """A double tap: the entry is already where the request would put it (200, unchanged)."""
    entry = _entry(office)
    resp = client.post(f"{ENTRIES}/{entry.pk}/submit", **office["ani_auth"])
    assert resp.status_code == 200 and resp.json()["status"] == "submitted"


def test_which_refusals_are_conflicts():
    assert errors.is_conflict(ValidationError({"status": "Sudah diputuskan."}))
    assert errors.is_conflict(ValidationError({"status": "a", "reason": "b"}))
    assert errors.is_conflict(ValidationError("Sudah ada.", code="conflict"))
    assert errors.is_conflict(
        ValidationError({"date": ValidationError("Terkunci.", code="conflict")})
    )
    assert not errors.is_conflict(ValidationError({"date": "Tanggal di masa depan."}))
    assert not errors.is_conflict(ValidationError("Alasan wajib diisi."))


def test_a_route_raising_conflict_answers_409_with_its_field():
    request = RequestFactory().post("/api/v1/x")
    resp = v1._conflict(request, errors.Conflict("Nonce sudah terpakai.", field="nonce"))
    assert resp.status_code == 409
    assert json.loads(resp.content) == {
        "detail": "Nonce sudah terpakai.",
        "errors": {"nonce": ["Nonce sudah terpakai."]},
    }
    whole = v1._conflict(request, errors.Conflict("Sudah diproses."))
    assert json.loads(whole.content)["errors"] == {"__all__": ["Sudah diproses."]}


def test_the_document_lists_409_on_writes():
    doc = v1.api.get_openapi_schema()
    conflict = {"$ref": "#/components/schemas/RuleInvalid"}

    def answers(path, method):
        return doc["paths"][path][method]["responses"]

    for path, method in [
        (ENTRIES, "post"),
        (ENTRIES + "/{entry_id}", "patch"),
        (ENTRIES + "/{entry_id}", "delete"),
        (ENTRIES + "/{entry_id}/submit", "post"),
        (ENTRIES + "/{entry_id}/verify", "post"),
        ("/api/v1/activities/verify-bulk", "post"),
    ]:
        found = answers(path, method)
        assert found[409]["content"]["application/json"]["schema"] == conflict, (path, method)
    assert 409 not in answers(ENTRIES, "get")
    assert 409 not in answers("/api/v1/activities/inbox", "get")
    # The token endpoint has no row to conflict with; the check-in documents its own 409 only.
    assert 409 not in answers("/api/v1/auth/token", "post")
    checkin = answers("/api/v1/attendance/checkin", "post")[409]
    assert checkin["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Refusal"
    }
