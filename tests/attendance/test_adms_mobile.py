"""Device push (ADMS) and phone check-in."""

import base64
import datetime as dt
import uuid
from decimal import Decimal

import pytest
import time_machine
from ninja.testing import TestClient

from ekinerja.attendance import services
from ekinerja.attendance.api import router
from ekinerja.attendance.models import (
    DailyAttendance,
    Device,
    DeviceDump,
    Office,
    PinMapping,
    Punch,
)
from ekinerja.attendance.services import CheckinRefused, distance_m
from tests.attendance.conftest import D, at

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 10, 1, 23, 40, tzinfo=dt.UTC)  # 07:40 WITA on 2 October

ATTLOG = "101\t2026-10-01 06:20:00\t0\t1\t0\t0\t0\n101\t2026-10-01 15:02:00\t1\t1\t0\t0\t0\n555\t2026-10-01 07:00:00\t0\t1\n"


@pytest.fixture
def device(office):
    dev = Device.objects.create(
        instansi=office.instansi, serial="CQZ7232760123", timezone="Asia/Jakarta"
    )
    PinMapping.objects.create(instansi=office.instansi, device=dev, pin="101", employee=office.ani)
    return dev


def test_unknown_serials_are_refused_and_nothing_is_stored(client, device):
    assert client.get("/iclock/cdata?SN=NOPE&options=all").status_code == 403
    r = client.post("/iclock/cdata?SN=NOPE&table=ATTLOG", ATTLOG, content_type="text/plain")
    assert r.status_code == 403
    device.is_active = False
    device.save()
    assert client.get("/iclock/getrequest?SN=CQZ7232760123").status_code == 403
    assert not DeviceDump.objects.exists() and not Punch.objects.exists()


def test_handshake_tells_the_device_its_zone(client, device):
    r = client.get("/iclock/cdata?SN=CQZ7232760123&options=all&pushver=2.4.1")
    body = r.content.decode()
    assert (
        r.status_code == 200 and "GET OPTION FROM: CQZ7232760123" in body and "TimeZone=7" in body
    )
    device.refresh_from_db()
    assert device.last_seen is not None and device.watermark is None


def test_attlog_push_is_stored_raw_then_inserted_in_the_device_zone(client, device, office):
    r = client.post(
        "/iclock/cdata?SN=CQZ7232760123&table=ATTLOG&Stamp=9999",
        ATTLOG,
        content_type="text/plain",
    )
    assert r.status_code == 200 and r.content.decode() == "OK: 3"
    dump = DeviceDump.objects.get()
    assert dump.raw == ATTLOG and dump.inserted == 2 and "555" in dump.error
    times = list(
        Punch.objects.filter(employee=office.ani).order_by("at").values_list("at", flat=True)
    )
    assert times == [at(D(2026, 10, 1), 7, 20), at(D(2026, 10, 1), 16, 2)]
    # Pushing the same lines again (devices resend after a lost answer) adds nothing.
    client.post("/iclock/cdata?SN=CQZ7232760123&table=ATTLOG", ATTLOG, content_type="text/plain")
    assert Punch.objects.count() == 2 and DeviceDump.objects.count() == 2
    # Other tables are acknowledged and ignored.
    r = client.post(
        "/iclock/cdata?SN=CQZ7232760123&table=OPERLOG",
        "OPLOG 4\t0\t2026-10-01",
        content_type="text/plain",
    )
    assert r.content.decode() == "OK" and Punch.objects.count() == 2


def test_poll_moves_the_watermark(client, device):
    with time_machine.travel(NOW):
        assert client.get("/iclock/getrequest?SN=CQZ7232760123").content.decode() == "OK"
    device.refresh_from_db()
    assert device.watermark == NOW
    assert (
        client.post(
            "/iclock/devicecmd?SN=CQZ7232760123",
            "ID=1&Return=0",
            content_type="text/plain",
        ).content
        == b"OK"
    )


def test_garbage_push_keeps_the_raw_text(client, device):
    r = client.post(
        "/iclock/cdata?SN=CQZ7232760123&table=ATTLOG",
        "rusak sekali\n",
        content_type="text/plain",
    )
    assert r.status_code == 200
    dump = DeviceDump.objects.get()
    assert dump.raw == "rusak sekali\n" and "baris 1" in dump.error and not Punch.objects.exists()


# ---------------------------------------------------------------- phone


@pytest.fixture
def kantor(office):
    return Office.objects.create(
        instansi=office.instansi,
        unit=office.unit,
        name="Kantor Dinkes",
        latitude=Decimal("-2.767800"),
        longitude=Decimal("115.241500"),
        radius_m=100,
    )


def body(**kw):
    data = {
        "latitude": -2.7678,
        "longitude": 115.2415,
        "accuracy_m": 12.0,
        "mock_location": False,
        "nonce": uuid.uuid4().hex,
        "client_time": NOW.isoformat(),
    }
    data.update(kw)
    return data


def test_distance():
    assert distance_m(-2.7678, 115.2415, -2.7678, 115.2415) == 0
    assert 100 < distance_m(-2.7678, 115.2415, -2.7678, 115.2425) < 120  # ~111 m at the equator


@time_machine.travel(NOW)
def test_checkin_inside_the_geofence(office, kantor):
    client = TestClient(router)
    r = client.post("/checkin", json=body(), user=office.ani.user)
    assert r.status_code == 201, r.json()
    assert r.json()["office"] == "Kantor Dinkes" and not r.json()["needs_review"]
    p = Punch.objects.get()
    assert p.source == "mobile" and p.accuracy_m == 12.0 and p.at.replace(microsecond=0) == NOW


@time_machine.travel(NOW)
def test_checkin_outside_is_refused_unless_wfh(office, kantor):
    client = TestClient(router)
    far = body(latitude=-2.70, longitude=115.30)
    r = client.post("/checkin", json=far, user=office.ani.user)
    assert r.status_code == 422 and r.json()["code"] == "geofence"
    services.leave_record_approved(
        actor=None,
        employee=office.ani,
        leave_type=services.leave_type_get_or_create(office.instansi, "wfh"),
        date_from=D(2026, 10, 2),
        date_to=D(2026, 10, 2),
    )
    r = client.post("/checkin", json=body(latitude=-2.70, longitude=115.30), user=office.ani.user)
    assert r.status_code == 201 and r.json()["office"] is None


@time_machine.travel(NOW)
def test_replays_and_skewed_clocks_are_refused(office, kantor):
    client = TestClient(router)
    once = body()
    assert client.post("/checkin", json=once, user=office.ani.user).status_code == 201
    r = client.post("/checkin", json=once, user=office.ani.user)
    assert r.status_code == 409 and r.json()["code"] == "replay"
    old = body(client_time=(NOW - dt.timedelta(minutes=6)).isoformat())
    assert client.post("/checkin", json=old, user=office.ani.user).json()["code"] == "clock"
    assert (
        client.post("/checkin", json=body(nonce="short"), user=office.ani.user).status_code == 400
    )
    assert Punch.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_two_checkins_in_the_same_millisecond_keep_one_punch_and_answer_409(
    office, kantor, settings
):
    """A double tap sends two nonces at the same instant: the unique (employee, at, source)
    constraint was a server error (found by tests/api/test_fuzz.py). The refused one's selfie is
    not left behind."""
    client = TestClient(router)
    assert client.post("/checkin", json=body(), user=office.ani.user).status_code == 201
    selfie = base64.b64encode(b"\xff\xd8\xff\xe0 jpeg").decode()
    r = client.post("/checkin", json=body(selfie_base64=selfie), user=office.ani.user)
    assert r.status_code == 409 and r.json() == {
        "code": "duplicate",
        "detail": "Absen Anda pada saat yang sama sudah tercatat; tidak perlu dikirim lagi.",
    }
    assert Punch.objects.count() == 1
    assert not [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]


@time_machine.travel(NOW)
def test_mock_location_or_poor_accuracy_is_flagged_for_the_superior(office, kantor):
    client = TestClient(router)
    r = client.post("/checkin", json=body(mock_location=True), user=office.ani.user)
    assert r.status_code == 201 and r.json()["needs_review"]
    r = client.post("/checkin", json=body(accuracy_m=250.0), user=office.budi.user)
    assert r.json()["needs_review"]
    # No accuracy at all: reviewed too (it was counted at once).
    without = body()
    del without["accuracy_m"]
    r = client.post("/checkin", json=without, user=office.kepala.user)
    assert r.status_code == 201 and r.json()["needs_review"]
    flagged = Punch.objects.get(employee=office.ani)
    with pytest.raises(Exception):  # noqa: B017 - a colleague cannot review
        services.punch_review(actor=office.budi.user, punch=flagged, accepted=True)
    services.punch_review(actor=office.kepala.user, punch=flagged, accepted=True)
    assert flagged.review.accepted


@time_machine.travel(NOW)
def test_selfie_required_by_the_office(office, kantor):
    kantor.selfie_required = True
    kantor.save()
    client = TestClient(router)
    assert client.post("/checkin", json=body(), user=office.ani.user).json()["code"] == "selfie"
    assert (
        client.post("/checkin", json=body(selfie_base64="!!!"), user=office.ani.user).status_code
        == 400
    )
    img = base64.b64encode(b"\xff\xd8\xff\xe0 jpeg").decode()
    r = client.post("/checkin", json=body(selfie_base64=img), user=office.ani.user)
    assert r.status_code == 201 and Punch.objects.get().photo.name


@time_machine.travel(NOW)
def test_user_without_employee_record_cannot_check_in(office, kantor):
    r = TestClient(router).post("/checkin", json=body(), user=office.bkpsdm_user)
    assert r.status_code == 403


def test_service_refuses_someone_elses_checkin(office, kantor):
    with pytest.raises(CheckinRefused):
        services.mobile_checkin(
            actor=office.budi.user,
            employee=office.ani,
            latitude=-2.7678,
            longitude=115.2415,
            accuracy_m=5,
            mock_location=False,
            nonce=uuid.uuid4().hex,
            client_time=NOW,
            now=NOW,
        )


@time_machine.travel(dt.datetime(2026, 10, 6, 1, 0, tzinfo=dt.UTC))
def test_month_endpoint(office):
    services.punches_insert(
        office.instansi,
        [services.PunchRow(office.ani.id, at(D(2026, 10, 1), 7, 45), "fingerprint", "SN")],
    )
    r = TestClient(router).get("/bulan/2026-10", user=office.ani.user)
    days = {d["date"]: d for d in r.json()}
    assert days["2026-10-01"]["late_minutes"] == 15 and days["2026-10-05"]["status"] == "absent"
    assert TestClient(router).get("/bulan/2026-13", user=office.ani.user).status_code == 400
    assert not DailyAttendance.objects.exists()


@pytest.mark.django_db
def test_devices_and_phones_reach_their_fixed_paths(client):
    # Machines are configured with the server's root and use /iclock/...; an unregistered serial is refused.
    assert client.get("/iclock/cdata?SN=NOPE&options=all").status_code == 403
    assert client.get("/iclock/getrequest?SN=NOPE").status_code == 403
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/attendance/checkin" in schema["paths"]


def test_the_push_is_answered_only_at_the_root_path_production_restricts(client, device):
    """nginx allows /iclock/ only from the machines' network; a second mount under /kehadiran/
    went through its open `location /`, so anyone knowing a serial could push check-ins."""
    for path in ("cdata?SN=CQZ7232760123&options=all", "getrequest?SN=CQZ7232760123"):
        assert client.get(f"/kehadiran/iclock/{path}").status_code == 404
    r = client.post(
        "/kehadiran/iclock/cdata?SN=CQZ7232760123&table=ATTLOG", ATTLOG, content_type="text/plain"
    )
    assert r.status_code == 404
    assert not Punch.objects.exists()


@time_machine.travel(NOW)
def test_a_checkin_with_an_accuracy_that_is_not_a_number_is_refused(office, kantor):
    """ "nan" was stored as no accuracy and the check-in escaped review."""
    import json

    client = TestClient(router)
    for value in ("NaN", "Infinity", -5):
        raw = json.dumps(body()).replace('"accuracy_m": 12.0', f'"accuracy_m": {value}')
        assert str(value) in raw
        r = client.post("/checkin", data=raw, content_type="application/json", user=office.ani.user)
        assert r.status_code == 422, (value, r.content)
    assert not Punch.objects.exists()


@time_machine.travel(NOW)
def test_an_acting_post_lets_its_holder_check_in_at_that_units_office(office, kantor):
    """Ani (staff of Dinas Kesehatan) is Plt kepala of the RSUD for the month: she works at the
    hospital, and was refused there as outside every geofence (only her definitif unit's offices
    counted)."""
    from ekinerja.org.models import Assignment
    from tests.factories import PositionFactory, UnitFactory

    rsud = UnitFactory(instansi=office.instansi, code="RSUD", name="RSUD")
    head = PositionFactory(
        unit=rsud, instansi=office.instansi, code="DIRRS", name="Direktur", kind="struktural"
    )
    Office.objects.create(
        instansi=office.instansi,
        unit=rsud,
        name="RSUD Kandangan",
        latitude=Decimal("-2.780000"),
        longitude=Decimal("115.260000"),
        radius_m=150,
    )
    at_rsud = body(latitude=-2.78, longitude=115.26)
    client = TestClient(router)
    r = client.post("/checkin", json=at_rsud, user=office.ani.user)
    assert r.status_code == 422 and r.json()["code"] == "geofence"
    Assignment.objects.create(
        instansi=office.instansi,
        employee=office.ani,
        position=head,
        kind=Assignment.Kind.PLT,
        start=D(2026, 10, 1),
    )
    r = client.post("/checkin", json=body(latitude=-2.78, longitude=115.26), user=office.ani.user)
    assert r.status_code == 201 and r.json()["office"] == "RSUD Kandangan"
    # Her own office still counts; Budi, without the acting post, is still refused at the RSUD.
    assert client.post("/checkin", json=body(), user=office.ani.user).status_code == 201
    r = client.post("/checkin", json=body(latitude=-2.78, longitude=115.26), user=office.budi.user)
    assert r.status_code == 422


@time_machine.travel(NOW)
def test_a_selfie_with_line_breaks_or_as_a_data_url_is_read(office, kantor):
    """Android's Base64.DEFAULT breaks the text every 76 characters and a web client sends a data
    URL: both were refused as "Swafoto tidak valid (base64)", so the check-in of a selfie office
    failed on such phones."""
    kantor.selfie_required = True
    kantor.save()
    jpeg = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 2
    text = base64.b64encode(jpeg).decode()
    wrapped = "\n".join(text[i : i + 76] for i in range(0, len(text), 76)) + "\n"
    client = TestClient(router)
    for sent in (wrapped, wrapped.replace("\n", "\r\n"), f"data:image/jpeg;base64,{text}"):
        r = client.post("/checkin", json=body(selfie_base64=sent), user=office.ani.user)
        assert r.status_code == 201, r.json()
    assert all(p.photo.read() == jpeg for p in Punch.objects.all())
    bad = client.post("/checkin", json=body(selfie_base64="ab\ncd!!"), user=office.ani.user)
    assert bad.status_code == 400 and bad.json()["code"] == "selfie"
