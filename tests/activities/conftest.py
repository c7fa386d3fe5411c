"""Fixtures of the activity tests: a small office (kepala > kasubag > two staff) with a catalog."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from ekinerja.activities.models import ActivityCatalogItem
from ekinerja.org.models import Position
from tests.factories import InstansiFactory, PositionFactory, UnitFactory, employee_with_login

D = dt.date
T = dt.time


@pytest.fixture
def office(db):
    inst = InstansiFactory(timezone="Asia/Makassar")
    unit = UnitFactory(instansi=inst, name="Dinas Kominfo")
    kepala = PositionFactory(unit=unit, kind=Position.Kind.STRUKTURAL, kelas=14, name="Kepala")
    kasubag = PositionFactory(
        unit=unit, kind=Position.Kind.STRUKTURAL, kelas=9, name="Kasubag", parent=kepala
    )
    staf = PositionFactory(unit=unit, kind=Position.Kind.PELAKSANA, kelas=7, parent=kasubag)
    people = {
        "kepala": employee_with_login(inst, kepala, name="Kepala Dinas"),
        "kasubag": employee_with_login(inst, kasubag, name="Kasubag Umum"),
        "ani": employee_with_login(inst, staf, name="Ani"),
        "budi": employee_with_login(inst, staf, name="Budi"),
    }
    surat = ActivityCatalogItem.objects.create(
        instansi=inst,
        code="A001",
        name="Menyusun konsep surat dinas",
        output_unit="surat",
        standard_minutes=30,
        active_from=D(2020, 1, 1),
    )
    rapat = ActivityCatalogItem.objects.create(
        instansi=inst,
        code="A002",
        name="Mengikuti rapat koordinasi",
        output_unit="kegiatan",
        standard_minutes=120,
        active_from=D(2020, 1, 1),
    )
    pimpin = ActivityCatalogItem.objects.create(
        instansi=inst,
        code="A003",
        name="Memimpin apel pagi",
        output_unit="kegiatan",
        standard_minutes=30,
        active_from=D(2020, 1, 1),
        for_pelaksana=False,
        for_fungsional=False,
        kelas_min=9,
    )
    return {
        "inst": inst,
        "unit": unit,
        "pos": {"kepala": kepala, "kasubag": kasubag, "staf": staf},
        "p": people,
        "surat": surat,
        "rapat": rapat,
        "pimpin": pimpin,
    }


@pytest.fixture
def at():
    """at("2026-10-13 10:00") freezes the clock at that local (WITA) time."""
    travellers = []

    def _at(text: str):
        moment = dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
        t = time_machine.travel(moment, tick=False)
        t.start()
        travellers.append(t)
        return moment

    yield _at
    for t in reversed(travellers):
        t.stop()


DAY = D(2026, 10, 2)
EIGHT, NINE = T(8), T(9)


def make_entry(office, who="ani", day=DAY, start=EIGHT, end=NINE, item="surat", volume=2, **kw):
    from ekinerja.activities import services

    return services.entry_create(
        actor=office["p"][who].user,
        date=day,
        start_time=start,
        end_time=end,
        item=office[item] if isinstance(item, str) else item,
        volume=Decimal(str(volume)),
        **kw,
    ).entry
