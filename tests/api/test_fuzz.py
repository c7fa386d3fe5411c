"""Fuzzing the JSON API with schemathesis: every operation of /api/v1/openapi.json gets generated
requests (valid and invalid), sent in-process through the real WSGI handler (ekinerja.wsgi's, so
the phone's short middleware stack) with a real bearer token, against an office in the test
database. No answer may be a server error, and every answer must be one the document describes:
its status, content type, headers and body schema (the common error answers: api.openapi).

Generated ids and dates would almost never name a row or a day inside the entry window, so the
hooks below put the office's real ids, today and the office's coordinates in place of some
generated values: the handlers' bodies and services are reached, not only their 404 and 422.
Deterministic (derandomized, a fixed seed, no example database, a fixed clock) and bounded
(MAX_EXAMPLES per operation: about 15 s for the 14 operations on SQLite, 20 s on PostgreSQL).
A failure prints the request as a curl command; run more examples locally by raising
MAX_EXAMPLES (and "deterministic": False for other inputs each run)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import schemathesis
import time_machine
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import checks
from schemathesis.config import SchemathesisConfig

from ekinerja.activities import services
from ekinerja.activities.models import ActivityCatalogItem
from ekinerja.api.handler import Handler
from ekinerja.api.v1 import api
from ekinerja.attendance.models import Office
from ekinerja.org.models import Position
from tests.factories import InstansiFactory, PositionFactory, UnitFactory, employee_with_login

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 40
PASSWORD = "Rahasia-Kuat-2026!"  # tests.factories.employee_with_login's
# Friday 9 October 2026, 10:00 WITA: inside the entry window of the days before.
NOW = dt.datetime(2026, 10, 9, 2, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 10, 9)
OFFICE = (Decimal("-8.583333"), Decimal("116.116667"))

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261009,
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
            # The token is sent by the test; no generated Authorization header or session cookie.
            "with-security-parameters": False,
        },
        "phases": {"stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=CONFIG)
# Requests go to the application in-process; checks that send requests of their own use it too.
schema.app = Handler()

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.ignored_auth,
]

# Real values of the office of the running test, by the field (or parameter) name they replace.
REAL: dict[str, list] = {}


def _sometimes_real(values: dict) -> st.SearchStrategy:
    """The generated values as they are, or with every name known in REAL replaced by a real
    value, or with some of them replaced."""
    names = [name for name in values if REAL.get(name)]
    if not names:
        return st.just(values)
    every = {name: st.sampled_from(REAL[name]) for name in names}
    some = {name: st.one_of(st.just(values[name]), every[name]) for name in names}
    return st.one_of(
        st.just(values),
        st.fixed_dictionaries(every),
        st.fixed_dictionaries(some),
    ).map(lambda real: {**values, **real})


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    return _sometimes_real(path_parameters or {})


@schema.hook
def flatmap_query(context, query):
    return _sometimes_real(query or {})


@schema.hook
def flatmap_body(context, body):
    return _sometimes_real(body) if isinstance(body, dict) else st.just(body)


@pytest.fixture
def keep_connection():
    # As Django's test client does: a request must not close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schema.app
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token():
    """A kasubag with two staff under him, a catalog, entries of his own and of his staff waiting
    for him, an office geofence; his bearer token."""
    with time_machine.travel(NOW, tick=True):
        inst = InstansiFactory(timezone="Asia/Makassar")
        unit = UnitFactory(instansi=inst)
        kepala = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=14)
        kasubag = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=9, parent=kepala)
        staf = PositionFactory(unit=unit, kind=Position.Kind.PELAKSANA, kelas=7, parent=kasubag)
        employee_with_login(inst, kepala, name="Kepala")
        boss = employee_with_login(inst, kasubag, name="Kasubag")
        staff = [employee_with_login(inst, staf, name=name) for name in ("Ani", "Budi")]
        item = ActivityCatalogItem.objects.create(
            instansi=inst,
            code="A1",
            name="Menyusun konsep surat",
            output_unit="surat",
            standard_minutes=30,
            active_from=dt.date(2020, 1, 1),
        )
        Office.objects.create(
            instansi=inst, unit=unit, name="Kantor", latitude=OFFICE[0], longitude=OFFICE[1]
        )
        entries = []
        for person in (boss, *staff):
            for day, submit in ((TODAY - dt.timedelta(days=1), True), (TODAY, False)):
                entries.append(
                    services.entry_create(
                        actor=person.user,
                        employee=person,
                        date=day,
                        start_time=dt.time(8),
                        end_time=dt.time(9),
                        item=item,
                        volume=Decimal(1),
                        submit=submit,
                    ).entry.pk
                )
        _token, raw = services.api_token_issue(actor=boss.user, name="fuzz")
    days = [TODAY.isoformat(), (TODAY - dt.timedelta(days=1)).isoformat()]
    REAL.clear()
    REAL.update(
        entry_id=entries,
        entry_ids=[entries, entries[2:]],
        item_id=[item.pk],
        employee_id=[s.pk for s in staff],
        date=days,
        date_from=days,
        date_to=days,
        start=days,
        end=days,
        period=["2026-10"],
        year=[2026],
        start_time=["06:00", "09:15", "06:00+08:00"],  # an offset: a client may send one
        end_time=["07:00", "09:45"],
        volume=["1", "2.5"],
        description=["Konsep surat undangan"],
        decision=["approve", "reject", "return"],
        reason=["Sudah sesuai"],
        approved_volume=[None, "1"],
        username=[boss.user.username],
        password=[PASSWORD],
        client_time=[NOW.isoformat()],
        seen_at=[NOW.isoformat()],
        nonce=[f"fuzz-nonce-{n:04d}-0123456789" for n in range(3)],
        selfie_base64=[None],
        latitude=[float(OFFICE[0])],
        longitude=[float(OFFICE[1])],
    )
    yield raw
    REAL.clear()


def headers(token: str) -> dict[str, str]:
    # The in-process transport does not undo GZipMiddleware's compression as an HTTP client would.
    return {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_as_documented(case, keep_connection, token):
    # Each example's clock starts again at NOW: requests at the same instant, as a double tap
    # sends them, happen too.
    with time_machine.travel(NOW, tick=True):
        case.call_and_validate(headers=headers(token), checks=CHECKS)
