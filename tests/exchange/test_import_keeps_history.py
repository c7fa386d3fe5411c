"""Kaji tiru keeps the receiver's history and says what the format cannot carry. An audit found
that an import rewrote an ended catalog item under another Pemda's activity (and counted it as
changed, though it stayed unusable), left no record of a changed item's old standard, turned a
schedule that works on national holidays into one that follows them, and that an export left out
an item valid today because it has an end date (docs/exchange-format.md, "exchange import")."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from ekinerja.activities.models import ActivityCatalogItem
from ekinerja.activities.services import catalog_item_save
from ekinerja.core.models import AuditEvent
from ekinerja.exchange.document import read_document
from ekinerja.exchange.services import exchange_export, exchange_export_notes, exchange_import
from ekinerja.tpp.models import Policy
from ekinerja.workcal.models import Holiday, WorkSchedule
from tests.factories import InstansiFactory, fixed_schedule

from .test_import_checks import rules

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 11, 2)


def _item(inst, code, name, minutes=30, active_to=None, active_from=None):
    return catalog_item_save(
        actor=None,
        item=ActivityCatalogItem(
            instansi=inst,
            code=code,
            name=name,
            output_unit="dokumen",
            standard_minutes=minutes,
            active_from=active_from or D(2026, 1, 1),
            active_to=active_to,
        ),
    )


@pytest.fixture
def target():
    inst = InstansiFactory(code="6302")
    _item(inst, "K01", "Menyusun konsep surat")
    return inst


def _doc(catalog, **parts):
    return read_document(rules(catalog, **parts), for_import=True)


def test_a_code_of_an_ended_item_is_refused_with_its_path_and_the_item_kept(target):
    _item(target, "K02", "Piket lama", minutes=45, active_to=D(2026, 10, 31))
    doc = _doc(
        [
            {"code": "K02", "name": "Rapat koordinasi", "output": "notulen", "minutes": 90},
            {"code": "K03", "name": "Menyusun laporan", "output": "laporan", "minutes": 60},
        ]
    )
    with pytest.raises(ValidationError) as refused:
        exchange_import(actor=None, instansi=target, doc=doc, today=TODAY)
    (message,) = refused.value.message_dict["$.activity_catalog[0].code"]
    assert "butir K02" in message and "sudah berakhir 31 Oktober 2026" in message
    ended = ActivityCatalogItem.objects.get(instansi=target, code="K02")
    assert (ended.name, ended.standard_minutes) == ("Piket lama", 45)
    assert not ActivityCatalogItem.objects.filter(instansi=target, code="K03").exists()


def test_each_row_an_import_writes_is_audited_as_its_service_audits_it(target):
    before = AuditEvent.objects.count()
    doc = _doc(
        [
            {"code": "K01", "name": "Menyusun konsep surat", "output": "dokumen", "minutes": 120},
            {"code": "K05", "name": "Menyusun telaahan", "output": "telaahan", "minutes": 60},
        ]
    )
    exchange_import(actor=None, instansi=target, doc=doc, today=TODAY)
    events = {e.action: e for e in AuditEvent.objects.order_by("pk")[before:]}
    update = events["activities.catalog.update"]
    assert update.before["standard_minutes"] == 30 and update.after["standard_minutes"] == 120
    assert update.object_id == str(ActivityCatalogItem.objects.get(code="K01").pk)
    assert events["activities.catalog.create"].after["code"] == "K05"
    policy = Policy.objects.get(instansi=target)
    assert events["tpp.policy.save"].object_id == str(policy.pk)
    assert events["workcal.schedule.create"].instansi_id == target.pk
    assert "workcal.holiday.create" in events and "exchange.import" in events
    assert "Impor dari" in update.reason


def test_imported_schedules_follow_the_files_choice_of_national_holidays():
    src = InstansiFactory(code="6301")
    fixed_schedule(src, code="PUSK", use_national_holidays=False)
    dst = InstansiFactory(code="6303")
    doc = read_document(exchange_export(instansi=src, parts=("schedules",)), for_import=True)
    assert doc.use_national_holidays is False
    exchange_import(actor=None, instansi=dst, doc=doc, today=TODAY)
    assert WorkSchedule.objects.get(instansi=dst, code="PUSK").use_national_holidays is False


def test_an_export_carries_items_valid_today_and_says_what_it_cannot_carry(capsys):
    src = InstansiFactory(code="6304")
    _item(src, "P01", "Piket posko bencana", minutes=240, active_to=D(2099, 12, 31))
    _item(src, "P02", "Piket lama", active_from=D(2020, 1, 1), active_to=D(2020, 12, 31))
    fixed_schedule(src, code="KANTOR")
    fixed_schedule(src, code="PUSK", use_national_holidays=False)
    doc = exchange_export(instansi=src, parts=("catalog", "schedules"))
    assert [c["code"] for c in doc["activity_catalog"]] == ["P01"]
    notes = exchange_export_notes(instansi=src, parts=("catalog", "schedules"))
    assert any("jadwal PUSK memilih sebaliknya" in n for n in notes)
    assert any("butir P01 berlaku sampai 31 Desember 2099" in n for n in notes)
    call_command(
        "exchange", "export", "--instansi", "6304", "--parts", "catalog,schedules", "--out", "-"
    )
    out = capsys.readouterr()
    assert "catatan: butir P01" in out.err and json.loads(out.out)["activity_catalog"]


def test_nothing_is_written_when_one_part_is_refused(target):
    _item(target, "K02", "Piket lama", active_to=D(2026, 10, 31))
    before = AuditEvent.objects.count()
    doc = _doc([{"code": "K02", "name": "Rapat", "output": "notulen", "minutes": 90}])
    with pytest.raises(ValidationError):
        exchange_import(actor=None, instansi=target, doc=doc, today=TODAY)
    assert not Policy.objects.filter(instansi=target).exists()
    assert not Holiday.objects.filter(instansi=target).exists()
    assert AuditEvent.objects.count() == before


def test_an_import_of_holidays_drops_the_cached_entry_windows(target):
    """The holidays and schedules are written in bulk, which sends no post_save: the entry windows
    cached from the calendar (activities.signals) stayed as they were for up to five minutes."""
    from ekinerja.activities.selectors import calendar_generation

    before = calendar_generation(target.pk)
    doc = _doc(
        [{"code": "K01", "name": "Menyusun konsep surat", "output": "dokumen", "minutes": 30}]
    )
    assert doc.holidays  # minimal()'s holiday
    exchange_import(actor=None, instansi=target, doc=doc, today=TODAY)
    assert calendar_generation(target.pk) != before
