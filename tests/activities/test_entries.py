"""Entry validation: every rule refuses with an Indonesian message and writes nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ekinerja.activities import services
from ekinerja.activities.models import ActivityCatalogItem, ActivityEntry, EntryStatus
from ekinerja.org.models import Assignment

from .conftest import D, T, make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(at):
    at("2026-10-09 17:00")


def refused(office, field, **kw):
    before = ActivityEntry.objects.count()
    with pytest.raises(ValidationError) as err:
        make_entry(office, **kw)
    assert ActivityEntry.objects.count() == before
    return " ".join(err.value.message_dict[field])


def test_valid_entry_snapshots_the_standard_minutes(office):
    e = make_entry(office, day=D(2026, 10, 8), volume=2)
    assert e.minutes_per_unit == 30 and e.raw_minutes == 60 and e.status == EntryStatus.DRAFT


def test_changing_the_standard_keeps_old_entries_at_their_minutes(office):
    e = make_entry(office, day=D(2026, 10, 8), volume=2)
    item = office["surat"]
    item.standard_minutes = 45
    services.catalog_item_save(actor=None, item=item)
    e.refresh_from_db()
    assert e.minutes_per_unit == 30 and e.raw_minutes == 60
    new = make_entry(office, day=D(2026, 10, 8), start=T(10), end=T(12), volume=2)
    assert new.minutes_per_unit == 45


def test_end_must_be_after_start_within_the_day(office):
    assert "setelah jam mulai" in refused(office, "end_time", start=T(10), end=T(9))
    assert "setelah jam mulai" in refused(office, "end_time", start=T(10), end=T(10))


def test_no_overlap_with_own_entries(office):
    make_entry(office, day=D(2026, 10, 8), start=T(8), end=T(9))
    msg = refused(office, "start_time", day=D(2026, 10, 8), start=T(8, 30), end=T(9, 30))
    assert "bertumpang tindih" in msg and "08.00–09.00" in msg
    # Touching ranges are fine, and another employee's entries do not count.
    make_entry(office, day=D(2026, 10, 8), start=T(9), end=T(10))
    make_entry(office, who="budi", day=D(2026, 10, 8), start=T(8), end=T(9))


def test_no_future_dates_nor_unfinished_times_today(office):
    assert "masa depan" in refused(office, "date", day=D(2026, 10, 10))
    assert "belum terlewati" in refused(
        office, "end_time", day=D(2026, 10, 9), start=T(16, 30), end=T(17, 30), volume=1
    )


def test_no_dates_before_holding_a_position(office):
    Assignment.objects.filter(employee=office["p"]["ani"]).update(start=D(2026, 10, 6))
    assert "tidak memegang jabatan" in refused(office, "date", day=D(2026, 10, 5))
    make_entry(office, day=D(2026, 10, 6))


def test_volume_must_be_positive_and_fit_the_time_range(office):
    assert "lebih dari 0" in refused(office, "volume", volume=0)
    assert "lebih dari 0" in refused(office, "volume", volume=-1)
    # 3 letters x 30 minutes = 90 minutes do not fit into 08:00-09:00.
    assert "melebihi rentang waktu" in refused(office, "volume", volume=3)


def test_catalog_item_must_be_allowed_for_the_position(office):
    assert "tidak tersedia untuk jabatan" in refused(office, "item", item="pimpin")
    # The kasubag (struktural, kelas 9) may use it.
    make_entry(office, who="kasubag", item="pimpin", volume=1)


def test_unit_restricted_item_and_inactive_item(office):
    from tests.factories import UnitFactory

    other = UnitFactory(instansi=office["inst"])
    lab = ActivityCatalogItem.objects.create(
        instansi=office["inst"],
        code="L1",
        name="Uji lab",
        output_unit="sampel",
        standard_minutes=20,
        active_from=D(2020, 1, 1),
    )
    lab.units.set([other])
    assert "tidak tersedia" in refused(office, "item", item=lab, volume=1)
    lab.units.set([office["unit"]])
    make_entry(office, item=lab, volume=1)
    old = ActivityCatalogItem.objects.create(
        instansi=office["inst"],
        code="O1",
        name="Lama",
        output_unit="x",
        standard_minutes=20,
        active_from=D(2020, 1, 1),
        active_to=D(2026, 9, 30),
    )
    assert "tidak berlaku" in refused(office, "item", item=old, start=T(13), end=T(14), volume=1)


def test_daily_cap_is_warned_at_entry(office):
    day = D(2026, 10, 8)
    res = services.entry_create(
        actor=office["p"]["ani"].user,
        date=day,
        start_time=T(7),
        end_time=T(11),
        item=office["rapat"],
        volume=Decimal(2),
    )
    assert res.warnings == []
    res = services.entry_create(
        actor=office["p"]["ani"].user,
        date=day,
        start_time=T(11),
        end_time=T(16),
        item=office["rapat"],
        volume=Decimal("2.5"),
    )
    assert "melebihi batas harian 420 menit" in res.warnings[0]


def test_others_cannot_write_my_entries(office):
    e = make_entry(office, day=D(2026, 10, 8))
    with pytest.raises(PermissionDenied):
        services.entry_update(actor=office["p"]["budi"].user, entry=e, volume=1)
    with pytest.raises(PermissionDenied):
        services.entry_submit(actor=office["p"]["kasubag"].user, entry=e)


def test_repeat_yesterday_copies_as_drafts_and_is_all_or_nothing(office):
    make_entry(office, day=D(2026, 10, 7), start=T(8), end=T(9))
    make_entry(office, day=D(2026, 10, 7), start=T(9), end=T(11), item="rapat", volume=1)
    services.repeat_day(actor=office["p"]["ani"].user, source=D(2026, 10, 7), target=D(2026, 10, 8))
    copied = ActivityEntry.objects.filter(date=D(2026, 10, 8)).order_by("start_time")
    assert [(e.start_time, e.status) for e in copied] == [(T(8), "draft"), (T(9), "draft")]
    # Repeating again clashes with the copies: nothing more is written.
    with pytest.raises(ValidationError) as err:
        services.repeat_day(
            actor=office["p"]["ani"].user, source=D(2026, 10, 7), target=D(2026, 10, 8)
        )
    assert ActivityEntry.objects.filter(date=D(2026, 10, 8)).count() == 2
    # Each refused copy is named by its time as Indonesians write it (08.00–09.00).
    assert err.value.message_dict["date"][0].startswith("08.00–09.00 ")


@pytest.mark.parametrize(
    "mpu, volume, expected",
    [
        (30, Decimal("3"), 90),
        (30, Decimal("3.00"), 90),  # a whole volume as stored (two decimals)
        (30, 3, 90),
        (45, Decimal("0.50"), 23),  # 22.5 half up
        (7, Decimal("1.50"), 11),  # 10.5 half up
        (10, Decimal("0.04"), 0),  # 0.4 down
        (10, Decimal("0.05"), 1),  # 0.5 up
        (5, Decimal("2.30"), 12),  # 11.5 half up
        (0, Decimal("4"), 0),
    ],
)
def test_minutes_for_rounds_half_up_whole_volumes_included(mpu, volume, expected):
    from ekinerja.activities.models import minutes_for

    got = minutes_for(mpu, volume)
    assert got == expected and type(got) is int


def test_minutes_for_equals_the_decimal_rule_for_every_volume_in_hundredths():
    from decimal import ROUND_HALF_UP

    from ekinerja.activities.models import minutes_for

    for mpu in (1, 5, 7, 30, 45, 120):
        for hundredths in range(1, 1001):
            vol = Decimal(hundredths) / 100
            rule = int((Decimal(mpu) * vol).quantize(Decimal(1), ROUND_HALF_UP))
            assert minutes_for(mpu, vol) == rule, (mpu, vol)
