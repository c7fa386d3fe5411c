"""An item's end date set before existing drafts (R1). An employee drafts entries with a catalog
item; BKPSDM then ends the item before those dates: the drafts could no longer be submitted, with
"Aktivitas 'X' tidak berlaku pada <date>." on an entry accepted on that very date, and BKPSDM was
told nothing. Now BKPSDM is told how many entries not verified yet it would strand (and confirms
with 'Tetap simpan'), and the employee's entry says since when the item is gone and what to do."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ekinerja.activities import services
from ekinerja.activities.models import ActivityCatalogItem, ActivityEntry, EntryStatus
from ekinerja.core.models import AuditEvent

from .conftest import EIGHT, NINE, D, T, make_entry
from .test_users_review import _field_error, _form, bkpsdm  # noqa: F401
from .test_xlsx import CAT_HEADER, sheet

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(at):
    at("2026-10-09 17:00")


@pytest.fixture
def drafts(office):
    """Ani's entries with 'surat': drafts on the 5th and 6th, one waiting on the 7th, one approved
    on the 8th (verified: not stranded)."""
    out = {
        "d5": make_entry(office, day=D(2026, 10, 5)),
        "d6": make_entry(office, day=D(2026, 10, 6)),
        "s7": make_entry(office, day=D(2026, 10, 7), submit=True),
        "a8": make_entry(office, day=D(2026, 10, 8), submit=True),
    }
    services.entry_verify(actor=office["p"]["kasubag"].user, entry=out["a8"], decision="approve")
    return out


def _ended(office, to: dt.date) -> ActivityCatalogItem:
    item = ActivityCatalogItem.objects.get(pk=office["surat"].pk)
    item.active_to = to
    return item


def test_ending_an_item_before_open_entries_is_refused_with_their_count(office, bkpsdm, drafts):  # noqa: F811
    with pytest.raises(ValidationError) as err:
        services.catalog_item_save(actor=bkpsdm, item=_ended(office, D(2026, 10, 4)))
    message = err.value.message_dict["active_to"][0]
    assert message.startswith(
        "3 aktivitas pegawai dengan butir A001 belum diverifikasi (2 draf/dikembalikan, "
        "1 menunggu verifikasi) bertanggal 5 Oktober 2026 sampai 7 Oktober 2026"
    )
    assert "Pilih berlaku sampai 7 Oktober 2026 atau sesudahnya" in message
    assert "'Tetap simpan'" in message
    assert ActivityCatalogItem.objects.get(pk=office["surat"].pk).active_to is None
    # Ending it after the last open entry strands nothing: saved.
    services.catalog_item_save(actor=bkpsdm, item=_ended(office, D(2026, 10, 7)))
    assert ActivityCatalogItem.objects.get(pk=office["surat"].pk).active_to == D(2026, 10, 7)
    # A day earlier strands the waiting entry of the 7th only.
    with pytest.raises(ValidationError) as err:
        services.catalog_item_save(actor=bkpsdm, item=_ended(office, D(2026, 10, 6)))
    assert err.value.message_dict["active_to"][0].startswith(
        "1 aktivitas pegawai dengan butir A001 belum diverifikasi (1 menunggu verifikasi) "
        "bertanggal 7 Oktober 2026,"
    )


def test_a_later_start_is_refused_the_same_way(office, bkpsdm, drafts):  # noqa: F811
    item = ActivityCatalogItem.objects.get(pk=office["surat"].pk)
    item.active_from = D(2026, 10, 7)
    with pytest.raises(ValidationError) as err:
        services.catalog_item_save(actor=bkpsdm, item=item)
    assert (
        "Pilih berlaku mulai 5 Oktober 2026 atau sebelumnya"
        in (err.value.message_dict["active_from"][0])
    )


def test_bkpsdm_confirms_and_the_employee_is_told_on_the_entry(client, office, bkpsdm, drafts):  # noqa: F811
    services.catalog_item_save(actor=bkpsdm, item=_ended(office, D(2026, 10, 4)), confirm=True)
    event = AuditEvent.objects.filter(action="activities.catalog.update").latest("pk")
    assert event.reason == "Tetap disimpan: 3 aktivitas belum diverifikasi di luar masa berlaku."
    # Saved again with the same end (another change): nothing more is stranded, no question.
    item = ActivityCatalogItem.objects.get(pk=office["surat"].pk)
    item.standard_minutes = 35
    services.catalog_item_save(actor=bkpsdm, item=item)

    ani = office["p"]["ani"].user
    with pytest.raises(ValidationError) as err:
        services.entry_submit(actor=ani, entry=drafts["d5"])
    assert err.value.message_dict["item"] == [
        "Aktivitas 'Menyusun konsep surat dinas' tidak berlaku lagi di katalog sejak "
        "5 Oktober 2026 (BKPSDM mengakhiri masa berlakunya pada 4 Oktober 2026), jadi tidak "
        "dapat dipakai untuk 5 Oktober 2026. Ubah aktivitas ini: pilih butir lain dari katalog "
        "yang sesuai, lalu ajukan lagi."
    ]
    # The day page says it on the entry and offers "Ubah", not an "Ajukan" that is refused.
    client.force_login(ani)
    html = client.get(reverse("activities:day", kwargs={"day": "2026-10-05"})).content.decode()
    assert 'data-testid="not-in-catalog"' in html
    assert "tidak berlaku lagi di katalog sejak 5 Oktober 2026" in html
    assert reverse("activities:entry-submit", args=[drafts["d5"].pk]) not in html
    assert reverse("activities:entry-edit", args=[drafts["d5"].pk]) in html
    # The approved entry of the 8th says nothing: it is settled.
    html = client.get(reverse("activities:day", kwargs={"day": "2026-10-08"})).content.decode()
    assert 'data-testid="not-in-catalog"' not in html
    # Changed to another item, it is submitted.
    services.entry_update(actor=ani, entry=drafts["d5"], item=office["rapat"], volume=0.5)
    services.entry_submit(actor=ani, entry=drafts["d5"])
    assert ActivityEntry.objects.get(pk=drafts["d5"].pk).status == EntryStatus.SUBMITTED


def test_a_new_entry_with_an_ended_item_says_to_pick_another(office, bkpsdm):  # noqa: F811
    services.catalog_item_save(actor=bkpsdm, item=_ended(office, D(2026, 10, 4)))
    with pytest.raises(ValidationError) as err:
        make_entry(
            office,
            day=D(2026, 10, 5),
            start=EIGHT,
            end=NINE,
            item=ActivityCatalogItem.objects.get(pk=office["surat"].pk),
        )
    assert err.value.message_dict["item"][0].endswith("Pilih butir lain dari katalog yang sesuai.")


def _catalog_sheet(office, to):
    surat = office["surat"]
    return sheet(
        CAT_HEADER,
        [[surat.code, surat.name, "surat", 30, "ya", "ya", "ya", 1, 17, "", "2020-01-01", to]],
    )


def test_the_catalog_sheet_asks_too(client, office, bkpsdm, drafts):  # noqa: F811
    res = services.catalog_import(
        actor=bkpsdm, instansi=office["inst"], upload=_catalog_sheet(office, "2026-10-04")
    )
    assert res.stranded and [e.row for e in res.errors] == [2]
    assert "3 aktivitas pegawai dengan butir A001 belum diverifikasi" in str(res.errors[0])
    assert ActivityCatalogItem.objects.get(pk=office["surat"].pk).active_to is None
    # The page offers the confirmation with the refusal; sent with it, the sheet is imported.
    client.force_login(bkpsdm)
    resp = client.post(
        reverse("activities:catalog"), {"file": _catalog_sheet(office, "2026-10-04")}
    )
    assert resp.status_code == 400
    html = resp.content.decode()
    assert 'data-testid="confirm-stranded"' in html and "Baris 2:" in html
    resp = client.post(
        reverse("activities:catalog"),
        {"file": _catalog_sheet(office, "2026-10-04"), "tetap": "1"},
    )
    assert resp.status_code == 302
    assert ActivityCatalogItem.objects.get(pk=office["surat"].pk).active_to == D(2026, 10, 4)
    event = AuditEvent.objects.filter(action="activities.catalog.update").latest("pk")
    assert event.reason.startswith("Tetap disimpan: 3 aktivitas")


def test_data_induk_asks_before_ending_the_item(client, office, bkpsdm, drafts):  # noqa: F811
    client.force_login(bkpsdm)
    url = reverse("admin:activities_activitycatalogitem_change", args=[office["surat"].pk])
    resp = client.post(url, _form(office["surat"], active_to="2026-10-04"))
    assert resp.status_code == 200
    assert "3 aktivitas pegawai dengan butir A001" in _field_error(
        resp.content.decode(), "active_to"
    )
    assert ActivityCatalogItem.objects.get(pk=office["surat"].pk).active_to is None
    resp = client.post(url, _form(office["surat"], active_to="2026-10-04", confirm_stranded="on"))
    assert resp.status_code == 302
    assert ActivityCatalogItem.objects.get(pk=office["surat"].pk).active_to == D(2026, 10, 4)


def test_an_item_without_open_entries_ends_without_a_question(office, bkpsdm):  # noqa: F811
    make_entry(office, day=D(2026, 10, 5), start=T(10), end=T(11), item="rapat", volume=0.5)
    services.catalog_item_save(actor=bkpsdm, item=_ended(office, D(2026, 10, 1)))
    assert ActivityCatalogItem.objects.get(pk=office["surat"].pk).active_to == D(2026, 10, 1)
