"""`exchange import` writes what the services would: catalog items under the catalog's own rules
(activities.services.catalog_items_errors), holidays announced so stored attendance is derived
again, and only by BKPSDM of the receiving instansi or the system."""

import dataclasses
import datetime as dt
import json

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ekinerja.activities.models import ActivityCatalogItem
from ekinerja.activities.services import catalog_item_save
from ekinerja.attendance.models import DailyAttendance
from ekinerja.attendance.services import daily_recompute
from ekinerja.core.models import AuditEvent
from ekinerja.exchange.document import CatalogRec, read_document
from ekinerja.exchange.services import exchange_import
from ekinerja.tpp.models import Policy
from ekinerja.workcal.models import Holiday, WorkSchedule
from tests.exchange.test_document import minimal
from tests.factories import (
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    UserFactory,
    employee_with_login,
    fixed_schedule,
    grant,
)

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 11, 2)


def rules(catalog: list[dict], **parts) -> dict:
    """A kaji tiru file: minimal()'s policy, schedules and holiday, with this catalog and no
    employee data (what `exchange export` writes)."""
    data = minimal()
    for key in (
        "units",
        "positions",
        "employees",
        "punches",
        "leaves",
        "activities",
        "unlocks",
        "skp_ratings",
        "sentences",
        "shift_roster",
    ):
        data[key] = []
    data["activity_catalog"] = catalog
    data.update(parts)
    return data


@pytest.fixture
def target():
    """The receiving Pemda, with a catalog of its own."""
    inst = InstansiFactory(code="6302")
    for code, name in (("K01", "Menyusun konsep surat"), ("K02", "Mengarsipkan surat")):
        catalog_item_save(
            actor=None,
            item=ActivityCatalogItem(
                instansi=inst,
                code=code,
                name=name,
                output_unit="dokumen",
                standard_minutes=30,
                active_from=D(2026, 1, 1),
            ),
        )
    return inst


def written(inst) -> tuple:
    return (
        sorted(ActivityCatalogItem.objects.filter(instansi=inst).values_list("code", "name")),
        Policy.objects.filter(instansi=inst).count(),
        Holiday.objects.filter(instansi=inst).count(),
        WorkSchedule.objects.filter(instansi=inst).count(),
        AuditEvent.objects.filter(action="exchange.import").count(),
    )


def test_an_invalid_catalog_is_refused_as_a_whole_every_problem_by_path(target):
    before = written(target)
    doc = read_document(
        rules(
            [
                {"code": "A001", "name": "Menyusun laporan", "output": "laporan", "minutes": 60},
                # the name of K01, valid on the same days
                {
                    "code": "A002",
                    "name": "menyusun  KONSEP surat",
                    "output": "konsep",
                    "minutes": 30,
                },
                # two new items of one name
                {"code": "A003", "name": "Memeriksa berkas", "output": "berkas", "minutes": 20},
                {"code": "A004", "name": "Memeriksa berkas", "output": "berkas", "minutes": 25},
                # a stored item renamed to another stored item's name
                {
                    "code": "K02",
                    "name": "Menyusun konsep surat",
                    "output": "dokumen",
                    "minutes": 30,
                },
            ],
            holidays=[{"date": "2026-12-01", "name": "Hari Jadi", "kind": "regional"}],
        ),
        for_import=True,
    )
    # More than a day per output: the reader refuses it; a document built otherwise meets the
    # catalog's own rule.
    doc = dataclasses.replace(
        doc,
        activity_catalog=doc.activity_catalog[:1]
        + (CatalogRec("A009", "Piket malam", "kali", 2000),)
        + doc.activity_catalog[1:],
    )
    with pytest.raises(ValidationError) as err:
        exchange_import(actor=None, instansi=target, doc=doc, today=TODAY)
    problems = err.value.message_dict
    assert set(problems) == {
        "$.activity_catalog[1].minutes",
        "$.activity_catalog[2].name",
        "$.activity_catalog[3].name",
        "$.activity_catalog[4].name",
        "$.activity_catalog[5].name",
    }
    assert problems["$.activity_catalog[1].minutes"] == [
        "butir A009: Menit efektif per satuan harus bilangan bulat 1 sampai 1.440 (24 jam); "
        "diisi 2000."
    ]
    assert problems["$.activity_catalog[2].name"][0].startswith(
        "butir A002: Nama ini sudah dipakai butir K01 yang berlaku pada tanggal yang sama"
    )
    assert problems["$.activity_catalog[3].name"][0].startswith(
        "butir A003: Nama ini sudah dipakai butir A004"
    )
    assert problems["$.activity_catalog[4].name"][0].startswith(
        "butir A004: Nama ini sudah dipakai butir A003"
    )
    assert problems["$.activity_catalog[5].name"][0].startswith(
        "butir K02: Nama ini sudah dipakai butir A002"  # the first by code, as the admin form
    )
    assert written(target) == before  # no policy, item, schedule, holiday or audit event


def test_a_name_taken_only_by_an_ended_item_may_be_imported(target):
    """The catalog's rule, not a stricter one: an item ended before today does not hold its name."""
    old = ActivityCatalogItem.objects.get(instansi=target, code="K01")
    old.active_to = D(2026, 10, 31)
    catalog_item_save(actor=None, item=old)
    doc = read_document(
        rules(
            [{"code": "B01", "name": "Menyusun konsep surat", "output": "konsep", "minutes": 45}]
        ),
        for_import=True,
    )
    summary = exchange_import(actor=None, instansi=target, doc=doc, today=TODAY)
    assert summary.catalog_added == 1
    assert ActivityCatalogItem.objects.get(instansi=target, code="B01").active_from == TODAY


def test_the_command_lists_the_refused_items_and_imports_nothing(target, tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(
        json.dumps(
            rules(
                [{"code": "A002", "name": "Mengarsipkan surat", "output": "berkas", "minutes": 10}]
            )
        )
    )
    before = written(target)
    with pytest.raises(CommandError) as err:
        call_command("exchange", "import", str(path), "--instansi", "6302")
    text = str(err.value)
    assert "tidak dapat diimpor ke instansi 6302, tidak ada yang disimpan (1 masalah)" in text
    assert "\n$.activity_catalog[0].name: butir A002: Nama ini sudah dipakai butir K02" in text
    assert written(target) == before


def test_the_catalog_check_costs_the_same_for_one_item_or_forty(target):
    def queries(n: int) -> int:
        catalog = [
            {"code": f"N{n}-{i}", "name": f"Kegiatan {n}-{i}", "output": "kali", "minutes": 10}
            for i in range(n)
        ]
        doc = read_document(rules(catalog, policies=[], holidays=[], schedules=[]))
        with CaptureQueriesContext(connection) as ctx:
            exchange_import(actor=None, instansi=target, doc=doc, today=TODAY)
        return len(ctx.captured_queries)

    assert queries(1) == queries(40)


NOW_30 = dt.datetime(2026, 10, 30, 2, tzinfo=dt.UTC)  # Friday 30 October, 10:00 WITA


@time_machine.travel(NOW_30, tick=False)
def test_an_imported_holiday_derives_the_stored_attendance_of_its_date_again(
    django_capture_on_commit_callbacks,
):
    """As holiday_create does (tests/attendance/test_fixes_audit.py): a stored absence on a day
    the import makes a regional holiday is no longer a working day."""
    inst = InstansiFactory(code="6302")
    fixed_schedule(inst, code="KANTOR", is_default=True)
    unit = UnitFactory(instansi=inst)
    ani = employee_with_login(inst, PositionFactory(unit=unit, instansi=inst), name="Ani")
    daily_recompute(instansi=inst, start=D(2026, 10, 19), end=D(2026, 10, 23))
    stored = dict(DailyAttendance.objects.filter(employee=ani).values_list("date", "status"))
    assert stored[D(2026, 10, 20)] == "absent"
    doc = read_document(
        rules([], holidays=[{"date": "2026-10-20", "name": "Hari Jadi", "kind": "regional"}]),
        for_import=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        summary = exchange_import(actor=None, instansi=inst, doc=doc, today=D(2026, 10, 30))
    assert summary.holidays_added == 1
    stored = dict(DailyAttendance.objects.filter(employee=ani).values_list("date", "status"))
    assert D(2026, 10, 20) not in stored
    assert stored[D(2026, 10, 21)] == "absent"  # the other days stay as derived


def test_only_bkpsdm_of_the_receiving_instansi_imports(target):
    doc = read_document(rules([]), for_import=True)
    clerk = UserFactory(instansi=target)
    elsewhere = UserFactory(instansi=InstansiFactory(code="6399"))
    grant(elsewhere, "bkpsdm")
    for actor in (clerk, elsewhere):
        with pytest.raises(PermissionDenied):
            exchange_import(actor=actor, instansi=target, doc=doc, today=TODAY)
    assert not Policy.objects.filter(instansi=target).exists()
    bkpsdm = UserFactory(instansi=target)
    grant(bkpsdm, "bkpsdm")
    assert exchange_import(actor=bkpsdm, instansi=target, doc=doc, today=TODAY).policies == 1


def test_a_name_longer_than_the_catalog_holds_is_refused_not_cut_or_crashed(target):
    """The reader sets no length; the catalog's columns do (PostgreSQL would refuse the insert
    with a database error, SQLite would store it whole)."""
    long = "Menyusun " + "x" * 250
    doc = read_document(
        rules([{"code": "L01", "name": long, "output": "konsep", "minutes": 30}]),
        for_import=True,
    )
    with pytest.raises(ValidationError) as err:
        exchange_import(actor=None, instansi=target, doc=doc, today=TODAY)
    assert err.value.message_dict == {
        "$.activity_catalog[0].name": [
            "butir L01: Nama aktivitas paling panjang 255 karakter; diisi 259."
        ]
    }
    assert not ActivityCatalogItem.objects.filter(code="L01").exists()


# ---------------------------------------------------------------- schedules and holidays
# The work calendar services' own rules (workcal.services.schedule_problems, holiday_errors); what
# the reader refuses itself (hours, a start equal to the end, a code written twice) never gets
# here.

FIVE_DAYS = {"code": "5HK", "kind": "fixed", "days": {"mon": ["07:30", "16:00"]}}


def test_a_bad_calendar_is_refused_with_the_catalog_every_problem_by_path(target):
    before = written(target)
    doc = read_document(
        rules(
            [{"code": "A002", "name": "Mengarsipkan surat", "output": "berkas", "minutes": 10}],
            schedules=[
                FIVE_DAYS,
                {"code": "PIKET", "kind": "fixed", "days": {}},
                {"code": "JADWAL-KANTOR-PUSAT-1", "kind": "fixed", "days": FIVE_DAYS["days"]},
                {
                    "code": "RS",
                    "kind": "shift",
                    "shifts": {"PAGI-PANJANG": ["07:00", "15:00"], " ": ["15:00", "23:00"]},
                },
            ],
            holidays=[
                {"date": "2026-12-01", "name": "Hari Jadi", "kind": "regional"},
                {"date": "2026-12-02", "name": "H" * 201, "kind": "regional"},
                {"date": "2026-12-01", "name": " Hari Jadi ", "kind": "regional"},
            ],
        ),
        for_import=True,
    )
    with pytest.raises(ValidationError) as err:
        exchange_import(actor=None, instansi=target, doc=doc, today=TODAY)
    problems = err.value.message_dict
    assert problems.pop("$.activity_catalog[0].name")[0].startswith(
        "butir A002: Nama ini sudah dipakai butir K02"
    )
    assert problems == {
        "$.schedules[1].days": [
            "jadwal PIKET: Jadwal tetap membutuhkan paling sedikit satu hari kerja."
        ],
        "$.schedules[2].code": [
            "jadwal JADWAL-KANTOR-PUSAT-1: Kode jadwal paling panjang 20 karakter; diisi 21."
        ],
        "$.schedules[3].shifts.PAGI-PANJANG": [
            "jadwal RS: Kode shift PAGI-PANJANG paling panjang 10 karakter; diisi 12."
        ],
        "$.schedules[3].shifts. ": ["jadwal RS: Kode shift wajib diisi."],
        "$.holidays[1].name": [
            "libur 2026-12-02: Nama hari libur paling panjang 200 karakter; diisi 201."
        ],
        "$.holidays[2].name": [
            "libur 2026-12-01: hari libur 'Hari Jadi' pada 1 Desember 2026 tercantum dua kali "
            "(pertama di $.holidays[0])"
        ],
    }
    assert written(target) == before  # no policy, item, schedule, holiday or audit event


def test_schedule_codes_are_trimmed_as_schedule_define_stores_them(target):
    """' KANTOR' is the stored KANTOR (skipped as existing); ' 5HK' and '5HK' are one code."""
    fixed_schedule(target, code="KANTOR")
    doc = read_document(
        rules([], schedules=[FIVE_DAYS, {**FIVE_DAYS, "code": " 5HK "}], holidays=[]),
        for_import=True,
    )
    with pytest.raises(ValidationError) as err:
        exchange_import(actor=None, instansi=target, doc=doc, today=TODAY)
    assert err.value.message_dict == {
        "$.schedules[1].code": [
            "kode jadwal '5HK' tercantum dua kali (pertama di $.schedules[0].code)"
        ]
    }
    doc = read_document(
        rules([], schedules=[{**FIVE_DAYS, "code": " KANTOR"}, {**FIVE_DAYS, "code": "PIKET "}]),
        for_import=True,
    )
    summary = exchange_import(actor=None, instansi=target, doc=doc, today=TODAY)
    assert (summary.schedules_added, summary.skipped) == (1, ["jadwal KANTOR sudah ada"])
    assert sorted(WorkSchedule.objects.filter(instansi=target).values_list("code", flat=True)) == [
        "KANTOR",
        "PIKET",
    ]


def test_the_command_lists_the_refused_schedules_and_holidays(target, tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(
        json.dumps(
            rules(
                [],
                schedules=[{"code": "PIKET", "kind": "fixed", "days": {}}],
                holidays=[{"date": "2026-12-02", "name": "H" * 201, "kind": "regional"}],
            )
        )
    )
    before = written(target)
    with pytest.raises(CommandError) as err:
        call_command("exchange", "import", str(path), "--instansi", "6302")
    text = str(err.value)
    assert "tidak dapat diimpor ke instansi 6302, tidak ada yang disimpan (2 masalah)" in text
    assert (
        "\n$.schedules[0].days: jadwal PIKET: Jadwal tetap membutuhkan paling sedikit satu hari "
        "kerja.\n$.holidays[0].name: libur 2026-12-02: Nama hari libur paling panjang 200 "
        "karakter; diisi 201." in text
    )
    assert written(target) == before


def test_a_valid_calendar_still_imports_days_shifts_and_trimmed_holiday_names(target):
    Holiday.objects.create(instansi=target, date=D(2026, 12, 1), name="Hari Jadi", kind="regional")
    doc = read_document(
        rules(
            [],
            schedules=[
                {
                    "code": "5HK",
                    "kind": "fixed",
                    "days": {"mon": ["07:30", "16:00"], "fri": ["07:30", "16:30"]},
                },
                {
                    "code": "RS",
                    "kind": "shift",
                    "shifts": {"P": ["07:00", "15:00"], "M": ["23:00", "07:00"]},
                },
            ],
            holidays=[
                {"date": "2026-12-01", "name": " Hari Jadi", "kind": "regional"},  # stored
                {"date": "2026-12-24", "name": "H" * 200, "kind": "cuti_bersama"},
            ],
        ),
        for_import=True,
    )
    summary = exchange_import(actor=None, instansi=target, doc=doc, today=TODAY)
    assert (summary.schedules_added, summary.holidays_added) == (2, 2 - 1)
    fixed = WorkSchedule.objects.get(instansi=target, code="5HK")
    assert sorted(fixed.days.values_list("weekday", "start", "end")) == [
        (0, dt.time(7, 30), dt.time(16)),
        (4, dt.time(7, 30), dt.time(16, 30)),
    ]
    shift = WorkSchedule.objects.get(instansi=target, code="RS")
    assert sorted(shift.shifts.values_list("code", "start", "end")) == [
        ("M", dt.time(23), dt.time(7)),
        ("P", dt.time(7), dt.time(15)),
    ]
    assert sorted(Holiday.objects.filter(instansi=target).values_list("date", "name")) == [
        (D(2026, 12, 1), "Hari Jadi"),
        (D(2026, 12, 24), "H" * 200),
    ]


def test_the_calendar_check_costs_the_same_for_one_schedule_and_holiday_or_thirty(target):
    def queries(n: int) -> int:
        schedules = [{**FIVE_DAYS, "code": f"J{n}-{i}"} for i in range(n)]
        schedules += [
            {"code": f"S{n}-{i}", "kind": "shift", "shifts": {"P": ["07:00", "15:00"]}}
            for i in range(n)
        ]
        holidays = [
            {"date": f"2027-01-{i + 1:02d}", "name": f"Libur {n}", "kind": "regional"}
            for i in range(n)
        ]
        doc = read_document(rules([], policies=[], schedules=schedules, holidays=holidays))
        with CaptureQueriesContext(connection) as ctx:
            exchange_import(actor=None, instansi=target, doc=doc, today=TODAY)
        return len(ctx.captured_queries)

    assert queries(1) == queries(30)


def test_holidays_the_instansi_has_or_removed_are_listed_as_skipped():
    """A holiday already there is skipped with a word; one BKPSDM removed is not brought back, and
    the summary says so (before, both were skipped silently)."""
    inst = InstansiFactory(code="6302")
    Holiday.objects.create(
        instansi=inst, date=D(2026, 12, 1), name="Hari Jadi", kind="regional", source="manual"
    )
    Holiday.objects.create(
        instansi=inst,
        date=D(2026, 12, 26),
        name="Cuti bersama",
        kind="cuti_bersama",
        source="manual",
        is_active=False,
    )
    doc = read_document(
        rules(
            [],
            holidays=[
                {"date": "2026-12-01", "name": "Hari Jadi", "kind": "regional"},
                {"date": "2026-12-26", "name": "Cuti bersama", "kind": "cuti_bersama"},
                {"date": "2026-12-31", "name": "Tutup buku", "kind": "regional"},
            ],
        ),
        for_import=True,
    )
    summary = exchange_import(actor=None, instansi=inst, doc=doc, today=TODAY)
    assert summary.holidays_added == 1
    assert summary.skipped == [
        "libur 2026-12-01 'Hari Jadi' sudah ada",
        "libur 2026-12-26 'Cuti bersama' pernah dihapus di instansi ini; tidak ditambahkan lagi "
        "(tambahkan lewat halaman hari libur bila memang berlaku)",
    ]
    assert not Holiday.objects.get(instansi=inst, date=D(2026, 12, 26)).is_active
