"""The `Idempotency-Key` header on the phone's POSTs (core.idempotency, docs/api.md): a request sent
again with the same key and body within 24 hours gets the first answer again, with
`Idempotent-Replayed: true`, and runs nothing a second time; the same key with another body is 422
`idempotency_key_reused`, a repeat while the first still runs 409 `idempotency_in_progress`."""

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client

from ekinerja.activities import services
from ekinerja.activities.models import ActivityCatalogItem, ActivityEntry, ApiToken
from ekinerja.attendance.models import Office, Punch
from ekinerja.core import idempotency
from ekinerja.core.models import AuditEvent, IdempotentRequest
from ekinerja.core.tasks import idempotency_prune
from ekinerja.org.models import Position
from tests.factories import InstansiFactory, PositionFactory, UnitFactory, employee_with_login

pytestmark = pytest.mark.django_db
D = dt.date
NOW = dt.datetime(2026, 10, 9, 1, 0, tzinfo=dt.UTC)  # Friday 9 October 2026, 09:00 WITA
ENTRIES = "/api/v1/activities/entries"
CHECKIN = "/api/v1/attendance/checkin"
PASSWORD = "Rahasia-Kuat-2026!"  # tests.factories.employee_with_login's
OFFICE = (Decimal("-2.767800"), Decimal("115.241500"))


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def office():
    inst = InstansiFactory(timezone="Asia/Makassar")
    unit = UnitFactory(instansi=inst)
    boss = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=9)
    pos = PositionFactory(unit=unit, kind=Position.Kind.PELAKSANA, kelas=7, parent=boss)
    ani = employee_with_login(inst, pos, name="Ani")
    budi = employee_with_login(inst, pos, name="Budi")
    atasan = employee_with_login(inst, boss, name="Atasan")
    item = ActivityCatalogItem.objects.create(
        instansi=inst,
        code="A1",
        name="Menyusun konsep surat",
        output_unit="surat",
        standard_minutes=30,
        active_from=D(2020, 1, 1),
    )
    Office.objects.create(
        instansi=inst, unit=unit, name="Kantor", latitude=OFFICE[0], longitude=OFFICE[1]
    )

    def bearer(person):
        _t, raw = services.api_token_issue(actor=person.user, name="HP")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return {
        "inst": inst,
        "ani": ani,
        "atasan": atasan,
        "item": item,
        "ani_auth": bearer(ani),
        "budi_auth": bearer(budi),
        "boss_auth": bearer(atasan),
    }


def entry_body(office, start="08:00", end="09:00", **kw):
    return {
        "date": "2026-10-08",
        "start_time": start,
        "end_time": end,
        "item_id": office["item"].pk,
        "volume": "1",
        "submit": True,
        **kw,
    }


def post(client, url, data, auth, key=None):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(url, data, content_type="application/json", **auth, **headers)


def _submitted(office) -> ActivityEntry:
    return services.entry_create(
        actor=office["ani"].user,
        date=D(2026, 10, 8),
        start_time=dt.time(8, 0),
        end_time=dt.time(9, 0),
        item=office["item"],
        volume="1",
        submit=True,
    ).entry


def test_a_resent_entry_gets_the_first_answer_and_is_saved_once(client, office):
    key = str(uuid.uuid4())
    first = post(client, ENTRIES, entry_body(office), office["ani_auth"], key)
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    events = AuditEvent.objects.count()

    again = post(client, ENTRIES, entry_body(office), office["ani_auth"], key)
    assert again.status_code == 201, again.content
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again["Content-Type"] == first["Content-Type"]
    assert ActivityEntry.objects.count() == 1
    assert AuditEvent.objects.count() == events  # nothing ran again

    row = IdempotentRequest.objects.get()
    assert (row.instansi_id, row.user_id) == (office["inst"].pk, office["ani"].user_id)
    assert (row.method, row.path, row.key, row.status_code) == ("POST", ENTRIES, key, 201)


def test_without_the_header_the_resent_entry_is_refused_as_before(client, office):
    assert post(client, ENTRIES, entry_body(office), office["ani_auth"]).status_code == 201
    again = post(client, ENTRIES, entry_body(office), office["ani_auth"])
    assert again.status_code == 422  # the overlap with the entry just saved
    assert "Idempotent-Replayed" not in again
    assert not IdempotentRequest.objects.exists()


def checkin_body(**kw):
    return {
        "latitude": float(OFFICE[0]),
        "longitude": float(OFFICE[1]),
        "accuracy_m": 10.0,
        "nonce": uuid.uuid4().hex,
        "client_time": NOW.isoformat(),
        **kw,
    }


def test_a_resent_checkin_gets_the_first_answer_not_the_nonce_refusal(client, office):
    body = checkin_body()
    first = post(client, CHECKIN, body, office["ani_auth"], "checkin-0001")
    assert first.status_code == 201, first.content
    again = post(client, CHECKIN, body, office["ani_auth"], "checkin-0001")
    assert again.status_code == 201, again.content
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Punch.objects.count() == 1
    # Without a key the nonce is still refused as a replay.
    refused = post(client, CHECKIN, body, office["ani_auth"])
    assert refused.status_code == 409 and refused.json()["code"] == "replay"


def test_the_same_key_with_another_body_is_refused_422(client, office):
    key = "kunci-aktivitas-1"
    assert post(client, ENTRIES, entry_body(office), office["ani_auth"], key).status_code == 201
    other = post(client, ENTRIES, entry_body(office, "10:00", "11:00"), office["ani_auth"], key)
    assert other.status_code == 422, other.content
    got = other.json()
    assert got["code"] == "idempotency_key_reused"
    assert "isi yang berbeda" in got["detail"]
    assert got["errors"] == {"Idempotency-Key": [got["detail"]]}
    assert "Idempotent-Replayed" not in other
    assert ActivityEntry.objects.count() == 1


def test_a_repeat_while_the_first_still_runs_is_409(client, office, monkeypatch):
    """The phone gives up waiting and sends again while the server is still saving the first."""
    key = "kunci-lambat"
    during = {}
    create = services.entry_create

    def slow_create(**kwargs):
        # The repeat arrives while the first request is inside the service.
        during["resp"] = post(Client(), ENTRIES, entry_body(office), office["ani_auth"], key)
        return create(**kwargs)

    monkeypatch.setattr(services, "entry_create", slow_create)
    first = post(client, ENTRIES, entry_body(office), office["ani_auth"], key)
    assert first.status_code == 201, first.content
    repeat = during["resp"]
    assert repeat.status_code == 409, repeat.content
    assert repeat.json()["code"] == "idempotency_in_progress"
    assert "masih diproses" in repeat.json()["detail"]
    assert ActivityEntry.objects.count() == 1
    # Once the first has answered, the repeat gets its answer.
    monkeypatch.setattr(services, "entry_create", create)
    again = post(client, ENTRIES, entry_body(office), office["ani_auth"], key)
    assert again.status_code == 201 and again.json() == first.json()


def test_a_request_left_running_by_a_dead_worker_is_run_again_after_5_minutes(client, office, _now):
    body = entry_body(office)
    client_body = json.dumps(body, cls=DjangoJSONEncoder).encode()  # as the test client sends it
    IdempotentRequest.objects.create(
        instansi=office["inst"],
        user=office["ani"].user,
        key="kunci-mati",
        method="POST",
        path=ENTRIES,
        target=idempotency.target("POST", ENTRIES),
        fingerprint=idempotency.fingerprint(client_body),
        created_at=NOW,
    )
    refused = post(client, ENTRIES, body, office["ani_auth"], "kunci-mati")
    assert refused.status_code == 409
    _now.shift(dt.timedelta(minutes=5, seconds=1))
    resp = post(client, ENTRIES, body, office["ani_auth"], "kunci-mati")
    assert resp.status_code == 201, resp.content
    assert ActivityEntry.objects.count() == 1
    assert IdempotentRequest.objects.get().status_code == 201


def test_a_refused_request_is_answered_again_as_first_refused(client, office):
    """A 4xx of a rule is kept: the repeat is not run again, even when it would now pass."""
    blocking = _submitted(office)  # 08:00-09:00 on 8 October
    key = "kunci-bentrok"
    first = post(client, ENTRIES, entry_body(office), office["ani_auth"], key)
    assert first.status_code == 422, first.content
    ActivityEntry.objects.filter(pk=blocking.pk).delete()
    again = post(client, ENTRIES, entry_body(office), office["ani_auth"], key)
    assert again.status_code == 422 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert not ActivityEntry.objects.exists()


def test_a_server_error_is_not_kept_and_the_client_may_retry(office, monkeypatch):
    client = Client(raise_request_exception=False)
    create = services.entry_create

    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(services, "entry_create", broken)
    failed = post(client, ENTRIES, entry_body(office), office["ani_auth"], "kunci-500")
    assert failed.status_code == 500
    assert not IdempotentRequest.objects.exists()
    monkeypatch.setattr(services, "entry_create", create)
    retry = post(client, ENTRIES, entry_body(office), office["ani_auth"], "kunci-500")
    assert retry.status_code == 201, retry.content
    assert "Idempotent-Replayed" not in retry
    assert ActivityEntry.objects.count() == 1


def test_a_key_belongs_to_its_user_and_its_route(client, office):
    key = "kunci-bersama"
    ani = post(client, ENTRIES, entry_body(office), office["ani_auth"], key)
    budi = post(client, ENTRIES, entry_body(office), office["budi_auth"], key)
    assert ani.status_code == budi.status_code == 201
    assert "Idempotent-Replayed" not in budi
    assert ani.json()["entry"]["id"] != budi.json()["entry"]["id"]
    # The same key on another route of Ani's is another request.
    entry_id = ani.json()["entry"]["id"]
    ActivityEntry.objects.filter(pk=entry_id).update(status="draft", submitted_at=None)
    submit = post(client, f"{ENTRIES}/{entry_id}/submit", None, office["ani_auth"], key)
    assert submit.status_code == 200, submit.content
    assert "Idempotent-Replayed" not in submit and submit.json()["status"] == "submitted"
    assert IdempotentRequest.objects.count() == 3


@pytest.mark.parametrize(
    ("key", "said"),
    [
        ("", "1-255 karakter (terkirim 0 karakter)"),
        ("k" * 256, "1-255 karakter (terkirim 256 karakter)"),
        ("kunci\u00e9", "ASCII yang dapat dicetak"),
        ("kunci\tTAB", "ASCII yang dapat dicetak"),
    ],
)
def test_an_invalid_key_is_refused_400_naming_the_header(client, office, key, said):
    resp = post(client, ENTRIES, entry_body(office), office["ani_auth"], key)
    assert resp.status_code == 400, resp.content
    got = resp.json()
    assert got["code"] == "idempotency_key_invalid"
    assert "Idempotency-Key" in got["detail"] and said in got["detail"]
    assert got["errors"] == {"Idempotency-Key": [got["detail"]]}
    assert not ActivityEntry.objects.exists() and not IdempotentRequest.objects.exists()
    # 255 printable characters, spaces and punctuation included, are a key.
    ok = post(client, ENTRIES, entry_body(office), office["ani_auth"], "a b-c_~" + "x" * 248)
    assert ok.status_code == 201, ok.content


def test_a_decision_sent_again_gets_the_first_answer_not_a_conflict(client, office):
    entry = _submitted(office)
    url = f"{ENTRIES}/{entry.pk}/verify"
    first = post(client, url, {"decision": "approve"}, office["boss_auth"], "putus-1")
    assert first.status_code == 200, first.content
    events = AuditEvent.objects.count()
    again = post(client, url, {"decision": "approve"}, office["boss_auth"], "putus-1")
    assert again.status_code == 200 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert AuditEvent.objects.count() == events
    # Without the key the same decision is a conflict (decided already), as before.
    assert post(client, url, {"decision": "approve"}, office["boss_auth"]).status_code == 409


def test_a_bulk_decision_sent_again_gets_the_first_count(client, office):
    entry = _submitted(office)
    body = {"entry_ids": [entry.pk], "decision": "approve"}
    url = "/api/v1/activities/verify-bulk"
    first = post(client, url, body, office["boss_auth"], "bulk-1")
    assert first.status_code == 200 and first.json()["count"] == 1, first.content
    again = post(client, url, body, office["boss_auth"], "bulk-1")
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"


def test_after_24_hours_the_key_is_forgotten_and_pruned(client, office, _now):
    key = "kunci-kemarin"
    assert post(client, ENTRIES, entry_body(office), office["ani_auth"], key).status_code == 201
    _now.shift(dt.timedelta(hours=23, minutes=59))
    assert idempotency_prune.delay().get() == 0  # inline without a broker
    again = post(client, ENTRIES, entry_body(office), office["ani_auth"], key)
    assert again["Idempotent-Replayed"] == "true"
    _now.shift(dt.timedelta(minutes=1))
    # Expired, not yet pruned: the request runs again (here: the overlap with the entry saved).
    late = post(client, ENTRIES, entry_body(office), office["ani_auth"], key)
    assert late.status_code == 422 and "Idempotent-Replayed" not in late
    # The expired answer was replaced by the new one, which the prune keeps; a day later it goes.
    assert idempotency_prune() == 0
    _now.shift(dt.timedelta(hours=24))
    assert idempotency_prune() == 1
    assert not IdempotentRequest.objects.exists()


def test_the_prune_runs_hourly_through_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["core-idempotency-prune"]
    assert entry["task"] == "ekinerja.core.tasks.idempotency_prune"


def test_the_token_issue_is_not_covered(client, office):
    """Its answer is a secret: never stored, each login issues its own token."""
    ani = office["ani"].user
    for _ in range(2):
        resp = client.post(
            "/api/v1/auth/token",
            {"username": ani.username, "password": PASSWORD},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="login-1",
        )
        assert resp.status_code == 200 and "Idempotent-Replayed" not in resp
    assert not IdempotentRequest.objects.exists()
    assert ApiToken.objects.filter(user=ani, revoked=False).count() == 3  # the fixture's and two


def test_the_document_names_the_header_and_its_answers(client):
    doc = client.get("/api/v1/openapi.json").json()
    covered = {
        ("post", "/api/v1/activities/entries"),
        ("post", "/api/v1/activities/entries/{entry_id}/submit"),
        ("post", "/api/v1/activities/entries/{entry_id}/verify"),
        ("post", "/api/v1/activities/verify-bulk"),
        ("post", "/api/v1/attendance/checkin"),
    }
    found = set()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            params = [p for p in op.get("parameters", []) if p["name"] == "Idempotency-Key"]
            if not params:
                continue
            found.add((method, path))
            assert params[0]["in"] == "header" and params[0]["required"] is False
            assert params[0]["schema"]["maxLength"] == 255
            answers = op["responses"]
            for status, code in (
                ("400", "idempotency_key_invalid"),
                ("409", "idempotency_in_progress"),
                ("422", "idempotency_key_reused"),
            ):
                assert code in answers[status]["description"], (path, status)
            for answer in answers.values():
                assert "Idempotent-Replayed" in answer["headers"]
    assert found == covered
    # Submitting has no body, so no 400 of its own: the header's refusal is its 400.
    submit = doc["paths"]["/api/v1/activities/entries/{entry_id}/submit"]["post"]["responses"]
    assert submit["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/IdempotencyRefusal"
    }
    assert set(doc["components"]["schemas"]["IdempotencyRefusal"]["required"]) == {
        "code",
        "detail",
        "errors",
    }
    # Not on the token issue: its answer is a secret.
    issue = doc["paths"]["/api/v1/auth/token"]["post"]
    assert all(p["name"] != "Idempotency-Key" for p in issue.get("parameters", []))
