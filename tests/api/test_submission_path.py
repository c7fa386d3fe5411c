"""The busiest API route, POST /api/v1/activities/entries (the phones' month-end burst): the lean
path keeps every rule (token, instansi scoping, catalog item rules) in a fixed, small number of
queries."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ekinerja.activities import services
from ekinerja.activities.models import ActivityCatalogItem, ActivityEntry, ApiToken
from ekinerja.org.models import Position
from tests.factories import InstansiFactory, PositionFactory, UnitFactory, employee_with_login

pytestmark = pytest.mark.django_db
D = dt.date
URL = "/api/v1/activities/entries"


@pytest.fixture(autouse=True)
def _now():
    # Friday 9 October 2026, 17:00 WITA.
    with time_machine.travel(dt.datetime(2026, 10, 9, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def staff():
    inst = InstansiFactory(timezone="Asia/Makassar")
    unit = UnitFactory(instansi=inst)
    boss = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=9)
    pos = PositionFactory(unit=unit, kind=Position.Kind.PELAKSANA, kelas=7, parent=boss)
    ani = employee_with_login(inst, pos, name="Ani")
    budi = employee_with_login(inst, pos, name="Budi")
    employee_with_login(inst, boss, name="Atasan")
    item = ActivityCatalogItem.objects.create(
        instansi=inst,
        code="A1",
        name="Menyusun konsep surat",
        output_unit="surat",
        standard_minutes=30,
        active_from=D(2020, 1, 1),
    )
    _token, raw = services.api_token_issue(actor=ani.user, name="HP")
    return {
        "inst": inst,
        "unit": unit,
        "ani": ani,
        "budi": budi,
        "item": item,
        "auth": {"HTTP_AUTHORIZATION": f"Bearer {raw}"},
        "raw": raw,
    }


def body(item, start="08:00", end="09:00", **kw):
    return {
        "date": "2026-10-08",
        "start_time": start,
        "end_time": end,
        "item_id": item.pk,
        "volume": "1",
        "submit": True,
        **kw,
    }


def post(client, staff, data, auth=None):
    return client.post(
        URL, data, content_type="application/json", **(auth if auth is not None else staff["auth"])
    )


def test_submission_answers_the_entry_as_documented(client, staff):
    resp = post(client, staff, body(staff["item"], description="  Surat undangan  "))
    assert resp.status_code == 201, resp.content
    got = resp.json()
    entry = ActivityEntry.objects.get()
    assert got["warnings"] == []
    assert got["entry"] == {
        "id": entry.pk,
        "employee_id": staff["ani"].pk,
        "date": "2026-10-08",
        "start_time": "08:00:00",
        "end_time": "09:00:00",
        "item_id": staff["item"].pk,
        "item_name": "Menyusun konsep surat",
        "output_unit": "surat",
        "volume": "1.00",  # at the column's places, as a read answers it
        "approved_volume": None,
        "minutes_per_unit": 30,
        "credited_minutes": 0,
        "status": "submitted",
        "status_label": entry.get_status_display(),
        "description": "Surat undangan",
        "skp_result_id": None,
        "reason": "",
        "submitted_at": got["entry"]["submitted_at"],
        "verify_by": entry.verify_by.isoformat(),
        "verified_at": None,
    }
    assert entry.submitted_at is not None and entry.created_at is not None
    assert entry.status == "submitted" and entry.instansi_id == staff["inst"].pk


def _table(sql: str) -> str:
    """The table a statement writes (INSERT INTO) or reads (its outermost FROM)."""
    if sql.startswith("INSERT"):
        return "INSERT " + re.match(r'INSERT INTO "(\w+)"', sql).group(1)
    for m in re.finditer(r'FROM "(\w+)"', sql):
        if sql[: m.start()].count("(") == sql[: m.start()].count(")"):
            return m.group(1)
    return sql[:40]


def _kinds(queries) -> list[str]:
    return [
        _table(q["sql"])
        for q in queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def test_a_submission_takes_seven_queries_once_the_window_is_known(client, staff):
    with CaptureQueriesContext(connection) as first:
        assert post(client, staff, body(staff["item"])).status_code == 201
    with CaptureQueriesContext(connection) as later:
        assert post(client, staff, body(staff["item"], "09:00", "10:00")).status_code == 201
    assert _kinds(later.captured_queries) == [
        "activities_apitoken",  # token, user, instansi and employee together
        "activities_activitycatalogitem",  # the item, and whether it is limited to some units
        "org_employee",  # the employee's row lock (serialises their writes)
        "org_assignment",  # positions held on the date
        "attendance_leaverequest",  # approved leave on the date (no entries on a day of leave)
        "activities_activityentry",  # the day's other entries: overlap and cap
        "INSERT activities_activityentry",
    ]
    # The first one also reads the policy values and the calendar: the instansi's (zone, schedules,
    # holidays: six queries) and the employee's own (schedule periods, roster: two).
    first = _kinds(first.captured_queries)
    assert len(first) == 7 + 1 + 6 + 2 and "activities_activitysettings" in first
    # Another employee's first submission of that date: only their own calendar is read.
    _t, raw = services.api_token_issue(actor=staff["budi"].user, name="HP")
    with CaptureQueriesContext(connection) as budi:
        resp = post(client, staff, body(staff["item"]), {"HTTP_AUTHORIZATION": f"Bearer {raw}"})
        assert resp.status_code == 201
    budi = _kinds(budi.captured_queries)
    assert len(budi) == 7 + 2
    assert sorted(set(budi) - set(_kinds(later.captured_queries))) == [
        "workcal_employeeschedule",
        "workcal_shiftroster",
    ]


def test_revoked_expired_or_foreign_tokens_are_refused(client, staff):
    item = staff["item"]
    token = ApiToken.objects.get()
    token.revoked = True
    token.save(update_fields=["revoked"])
    assert post(client, staff, body(item)).status_code == 401
    token.revoked = False
    token.expires_at = timezone.now()
    token.save(update_fields=["revoked", "expires_at"])
    assert post(client, staff, body(item)).status_code == 401
    token.expires_at = timezone.now() + dt.timedelta(days=1)
    token.save(update_fields=["expires_at"])
    user = staff["ani"].user
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert post(client, staff, body(item)).status_code == 401
    user.is_active = True
    user.instansi = InstansiFactory()  # moved: the token was issued for the old instansi
    user.save(update_fields=["is_active", "instansi"])
    assert post(client, staff, body(item)).status_code == 401
    assert post(client, staff, body(item), auth={"HTTP_AUTHORIZATION": "Bearer x"}).status_code == (
        401
    )
    assert not ActivityEntry.objects.exists()


def test_account_without_own_employee_record_gets_404(client, staff):
    ani = staff["ani"]
    ani.instansi = InstansiFactory()  # the employee row belongs to another instansi
    ani.save(update_fields=["instansi"])
    assert post(client, staff, body(staff["item"])).status_code == 404


def test_another_instansis_catalog_item_is_404(client, staff):
    other = ActivityCatalogItem.objects.create(
        instansi=InstansiFactory(),
        code="A1",
        name="Milik instansi lain",
        output_unit="x",
        standard_minutes=30,
        active_from=D(2020, 1, 1),
    )
    assert post(client, staff, body(other)).status_code == 404
    assert post(client, staff, {**body(staff["item"]), "item_id": 999999}).status_code == 404
    assert not ActivityEntry.objects.exists()


def test_item_rules_hold_on_the_lean_path(client, staff):
    item = staff["item"]
    lab = ActivityCatalogItem.objects.create(
        instansi=staff["inst"],
        code="L1",
        name="Uji lab",
        output_unit="sampel",
        standard_minutes=20,
        active_from=D(2020, 1, 1),
    )
    lab.units.set([UnitFactory(instansi=staff["inst"])])  # only another unit
    resp = post(client, staff, body(lab))
    assert resp.status_code == 422 and "tidak tersedia" in resp.json()["errors"]["item_id"][0]
    lab.units.set([staff["unit"]])
    assert post(client, staff, body(lab)).status_code == 201
    # Kind and class: an item for struktural from kelas 9 only.
    item.for_pelaksana = False
    item.kelas_min = 9
    item.save()
    resp = post(client, staff, body(item, "10:00", "11:00"))
    assert resp.status_code == 422 and "tidak tersedia" in resp.json()["errors"]["item_id"][0]
    # No longer valid on the date.
    item.for_pelaksana, item.kelas_min, item.active_to = True, 1, D(2026, 10, 1)
    item.save()
    resp = post(client, staff, body(item, "10:00", "11:00"))
    assert resp.status_code == 422 and "tidak berlaku" in resp.json()["errors"]["item_id"][0]


def test_overlap_window_and_volume_rules_hold_on_the_lean_path(client, staff):
    item = staff["item"]
    assert post(client, staff, body(item)).status_code == 201
    resp = post(client, staff, body(item, "08:30", "09:30"))
    clash = resp.json()["errors"]["start_time"][0]
    assert resp.status_code == 422 and "bertumpang tindih" in clash
    assert "08.00–09.00 Menyusun konsep surat" in clash  # the other entry, named
    resp = post(client, staff, body(item, "10:00", "10:30", volume="2"))
    assert resp.status_code == 422 and "melebihi rentang" in resp.json()["errors"]["volume"][0]
    resp = post(client, staff, {**body(item, "10:00", "11:00"), "date": "2026-09-01"})
    assert resp.status_code == 422 and "sudah lewat" in resp.json()["errors"]["date"][0]
    assert ActivityEntry.objects.count() == 1


def test_the_unvalidated_answer_is_the_validated_one(client, staff):
    """entry_create answers with EntryOut.model_construct (no validation): byte for byte what the
    validated schema gives, for entries in every state the route can meet."""
    from ninja.renderers import JSONRenderer

    from ekinerja.activities.api import EntryOut, EntrySaved, entry_out
    from ekinerja.activities.models import EntryStatus

    resp = post(client, staff, body(staff["item"], volume="1.5", description="a"))
    entry = ActivityEntry.objects.select_related("item").get(pk=resp.json()["entry"]["id"])
    render = JSONRenderer().render
    for status, approved in ((EntryStatus.SUBMITTED, None), (EntryStatus.APPROVED, "1.25")):
        entry.status = status
        entry.approved_volume = Decimal(approved) if approved else None
        entry.verified_at = timezone.now() if approved else None
        fast = EntrySaved.model_construct(entry=entry_out(entry), warnings=["w"]).model_dump()
        slow = EntrySaved.model_validate({"entry": entry, "warnings": ["w"]}).model_dump()
        assert render(None, fast, response_status=201) == render(None, slow, response_status=201)
    assert set(entry_out(entry).model_dump()) == set(EntryOut.model_fields)


def test_a_submission_reads_the_shared_cache_once(client, staff, monkeypatch):
    """Policy values, window and calendars are kept in the process under the instansi's generation:
    one read of the shared cache (a network round trip with Redis) per submission."""
    from django.core.cache import cache

    from ekinerja.activities import selectors

    assert post(client, staff, body(staff["item"])).status_code == 201
    reads = []
    real_get = cache.get
    monkeypatch.setattr(
        selectors.cache, "get", lambda key, *a, **kw: reads.append(key) or real_get(key, *a, **kw)
    )
    assert post(client, staff, body(staff["item"], "09:00", "10:00")).status_code == 201
    assert reads == [f"activities:calendar-generation:{staff['inst'].pk}"]
