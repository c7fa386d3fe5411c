"""API review (mobile app and integrators), December 2026:

1. An account without an employee record (an officer's or BKPSDM admin's account) asking for its
   own activities (GET /entries, /month, /catalog, /inbox, POST /entries) answered 404 "Data tidak
   ditemukan.", which names no data; the check-in answers the same account 403 "Akun ini tidak
   terhubung ke data pegawai.". The activity routes answer so too now. (An employee row of another
   instansi still answers 404: tests/api/test_submission_path.py.)
2. POST /verify-bulk naming neither `entry_ids` nor `employee_id` answered 422 with the error on
   `decision`, a field the client had set correctly; it is on `entry_ids` now.
3. The document's example for `end_time` was the start's "08:00": an entry built from the examples
   was refused. It is "09:00".
4. The token's `expires_at` was documented as a bare string; it is `format: date-time`.
5. POST /verify-bulk with another Pemda's entry id in `entry_ids` answered 200 `count: 0`, or
   decided the rest of the ticked list; it answers 404 and decides none, as the single verify."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from ekinerja.activities import services
from ekinerja.activities.api import NOT_AN_EMPLOYEE, NOTHING_PICKED
from ekinerja.activities.models import ActivityCatalogItem, ActivityEntry, EntryStatus
from ekinerja.core.models import User
from ekinerja.org.models import Position
from tests.factories import InstansiFactory, PositionFactory, UnitFactory, employee_with_login

pytestmark = pytest.mark.django_db
D = dt.date
API = "/api/v1/activities"


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
    return {"inst": inst, "ani": ani, "atasan": atasan, "item": item}


def bearer(user) -> dict[str, str]:
    _token, raw = services.api_token_issue(actor=user, name="HP")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# ---------------------------------------------------------------- 1: an account of no employee


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/entries"),
        ("get", "/month"),
        ("get", "/catalog"),
        ("get", "/skp-results"),
        ("get", "/inbox"),
        ("get", "/inbox/summary"),
        ("post", "/entries"),
    ],
)
def test_an_account_without_employee_record_is_told_so(client, office, method, path):
    officer = User.objects.create_user(
        username="admin-bkpsdm", password="Rahasia-Kuat-2026!", instansi=office["inst"]
    )
    body = {
        "date": "2026-10-08",
        "start_time": "08:00",
        "end_time": "09:00",
        "item_id": office["item"].pk,
        "volume": "1",
    }
    kwargs = {"content_type": "application/json"} if method == "post" else {}
    args = (json.dumps(body),) if method == "post" else ()
    resp = getattr(client, method)(API + path, *args, **kwargs, **bearer(officer))
    assert resp.status_code == 403, resp.content
    assert resp.json() == {"detail": NOT_AN_EMPLOYEE}
    assert not ActivityEntry.objects.exists()


# ---------------------------------------------------------------- 2: verify-bulk's field


@pytest.mark.parametrize(
    "body", [{}, {"decision": "approve"}, {"start": "2026-10-01", "end": "2026-10-09"}]
)
def test_verify_bulk_without_a_choice_names_entry_ids(client, office, body):
    entry = services.entry_create(
        actor=office["ani"].user,
        date=D(2026, 10, 8),
        start_time=dt.time(8),
        end_time=dt.time(9),
        item=office["item"],
        volume=1,
        submit=True,
    ).entry
    resp = client.post(
        f"{API}/verify-bulk",
        json.dumps(body),
        content_type="application/json",
        **bearer(office["atasan"].user),
    )
    assert resp.status_code == 422, resp.content
    assert resp.json() == {"detail": NOTHING_PICKED, "errors": {"entry_ids": [NOTHING_PICKED]}}
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED


def test_verify_bulk_by_employee_still_decides(client, office):
    """The check does not stand in the way of the day/month form (employee + start..end)."""
    services.entry_create(
        actor=office["ani"].user,
        date=D(2026, 10, 8),
        start_time=dt.time(8),
        end_time=dt.time(9),
        item=office["item"],
        volume=1,
        submit=True,
    )
    resp = client.post(
        f"{API}/verify-bulk",
        json.dumps({"employee_id": office["ani"].pk, "start": "2026-10-08", "end": "2026-10-08"}),
        content_type="application/json",
        **bearer(office["atasan"].user),
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["count"] == 1


# ---------------------------------------------------------------- 3: the document's example


def test_the_documented_example_times_make_an_entry_that_is_accepted(client, office):
    """The document gave start_time and end_time the same example, "08:00": an entry built from
    the examples (Swagger's "Try it out", a generated client's fixture) was refused."""
    from ekinerja.api.v1 import api

    schemas = api.get_openapi_schema()["components"]["schemas"]
    for name in ("EntryIn", "EntryOut"):
        props = schemas[name]["properties"]
        start, end = props["start_time"]["examples"][0], props["end_time"]["examples"][0]
        assert dt.time.fromisoformat(start) < dt.time.fromisoformat(end), name
    props = schemas["EntryIn"]["properties"]
    body = {
        "date": "2026-10-08",
        "start_time": props["start_time"]["examples"][0],
        "end_time": props["end_time"]["examples"][0],
        "item_id": office["item"].pk,
        "volume": "1",
    }
    resp = client.post(
        f"{API}/entries",
        json.dumps(body),
        content_type="application/json",
        **bearer(office["ani"].user),
    )
    assert resp.status_code == 201, resp.content


# ---------------------------------------------------------------- 4: the token's expiry


def test_the_token_expiry_is_documented_and_answered_as_a_date_time(client, office):
    from ekinerja.api.v1 import api

    prop = api.get_openapi_schema()["components"]["schemas"]["TokenOut"]["properties"]
    assert prop["expires_at"]["format"] == "date-time"
    resp = client.post(
        "/api/v1/auth/token",
        json.dumps({"username": office["ani"].user.username, "password": "Rahasia-Kuat-2026!"}),
        content_type="application/json",
    )
    assert resp.status_code == 200, resp.content
    expires = dt.datetime.fromisoformat(resp.json()["expires_at"])
    assert expires == dt.datetime(2027, 1, 7, 9, 0, tzinfo=dt.UTC)  # 90 days from now


# ---------------------------------------------------------------- 5: verify-bulk's tenancy


@pytest.mark.parametrize("mixed", [False, True])
def test_verify_bulk_naming_another_instansis_entry_is_404_and_decides_none(client, office, mixed):
    """Another Pemda's entry id in `entry_ids` answered 200 `count: 0` (alone) or decided the rest
    of the ticked list (`count: 1`); POST /entries/{id}/verify answers that id 404."""
    own = services.entry_create(
        actor=office["ani"].user,
        date=D(2026, 10, 8),
        start_time=dt.time(8),
        end_time=dt.time(9),
        item=office["item"],
        volume=1,
        submit=True,
    ).entry
    inst2 = InstansiFactory(timezone="Asia/Makassar")
    pos2 = PositionFactory(unit=UnitFactory(instansi=inst2), kind=Position.Kind.PELAKSANA)
    lain = employee_with_login(inst2, pos2, name="Lain")
    item2 = ActivityCatalogItem.objects.create(
        instansi=inst2,
        code="B1",
        name="Milik instansi lain",
        output_unit="x",
        standard_minutes=30,
        active_from=D(2020, 1, 1),
    )
    foreign = services.entry_create(
        actor=lain.user,
        date=D(2026, 10, 8),
        start_time=dt.time(8),
        end_time=dt.time(9),
        item=item2,
        volume=1,
        submit=True,
    ).entry
    boss = bearer(office["atasan"].user)
    single = client.post(
        f"{API}/entries/{foreign.pk}/verify",
        json.dumps({"decision": "approve"}),
        content_type="application/json",
        **boss,
    )
    assert single.status_code == 404
    ids = [own.pk, foreign.pk] if mixed else [foreign.pk]
    for listed in (ids, [own.pk, 10**12]):  # another Pemda's id, or no entry at all
        resp = client.post(
            f"{API}/verify-bulk",
            json.dumps({"entry_ids": listed}),
            content_type="application/json",
            **boss,
        )
        assert resp.status_code == 404, resp.content
        assert resp.json() == {"detail": "Data tidak ditemukan."}
    own.refresh_from_db()
    foreign.refresh_from_db()
    assert own.status == foreign.status == EntryStatus.SUBMITTED
    # The own entry alone is still decided.
    resp = client.post(
        f"{API}/verify-bulk",
        json.dumps({"entry_ids": [own.pk, own.pk]}),
        content_type="application/json",
        **boss,
    )
    assert resp.status_code == 200 and resp.json()["count"] == 1, resp.content
