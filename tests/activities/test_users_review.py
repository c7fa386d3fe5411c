"""Review of the activity area as its users see it (5 December 2026):
- an unlock from BKPSDM reopened the dates, but an entry that had expired on them could neither be
  corrected nor submitted from the pages (no button; "Ubah" refused), nor replaced (it may not be
  deleted and still holds its time);
- the catalog took 0, negative or 2000 minutes with messages naming a database constraint, said a
  taken code "tidak ada", and took two items of the same name valid on the same days;
- BKPSDM could not open the catalog in Data induk although the catalog page sends it there, while a
  Kominfo account with superuser rights could delete the activity settings (the TPP policy's
  window, back to the default 7 days) and catalog items;
- `activity-deadlines --date` accepted a date ahead, expiring (or approving) entries early."""

from __future__ import annotations

import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from ekinerja.activities import selectors, services
from ekinerja.activities.models import (
    ActivityCatalogItem,
    ActivityEntry,
    ActivitySettings,
    EntryStatus,
)
from ekinerja.core.models import AuditEvent
from ekinerja.core.periods import Period
from tests.factories import UserFactory, employee_with_login, grant

from .conftest import D, T, make_entry
from .test_xlsx import CAT_HEADER, sheet

pytestmark = pytest.mark.django_db
S = EntryStatus


@pytest.fixture
def bkpsdm(office):
    user = employee_with_login(office["inst"], None, name="Petugas BKPSDM").user
    user.is_staff = True  # BKPSDM keeps master data in the admin (Data induk)
    user.save(update_fields=["is_staff"])
    grant(user, "bkpsdm")
    return type(user).objects.get(pk=user.pk)


# --------------------------------------------------------------------------------------------------
# An expired entry under an unlock


@pytest.fixture
def expired(office, at, bkpsdm):
    """Ani's draft of Friday 2 October expired with the window (13 October); on 15 October BKPSDM
    reopens 2 October until 20 October."""
    at("2026-10-05 10:00")
    e = make_entry(office, day=D(2026, 10, 2), volume=2)  # 08:00-09:00, 2 x 30 minutes
    services.activity_deadlines_process(instansi=office["inst"], today=D(2026, 10, 14))
    e.refresh_from_db()
    assert e.status == S.EXPIRED
    at("2026-10-15 10:00")
    ani = office["p"]["ani"]
    unlock = services.unlock_request_create(
        actor=ani.user,
        employee=ani,
        date_from=D(2026, 10, 2),
        date_to=D(2026, 10, 2),
        reason="Dirawat inap, surat dokter terlampir",
    )
    services.unlock_request_decide(
        actor=bkpsdm, unlock=unlock, approve=True, deadline=D(2026, 10, 20)
    )
    return e


def _entry_block(html: str, pk: int) -> str:
    """The day page's list item of one entry."""
    link = reverse("activities:entry", args=[pk])
    return next(part for part in html.split('data-testid="entry"') if f'href="{link}"' in part)


def test_the_day_page_offers_to_correct_and_submit_an_expired_entry_under_an_unlock(
    client, office, expired
):
    client.force_login(office["p"]["ani"].user)
    html = client.get(reverse("activities:day", kwargs={"day": "2026-10-02"})).content.decode()
    assert "Dibuka BKPSDM" in html
    block = _entry_block(html, expired.pk)
    assert reverse("activities:entry-submit", args=[expired.pk]) in block
    assert reverse("activities:entry-edit", args=[expired.pk]) in block
    assert reverse("activities:entry-delete", args=[expired.pk]) not in block  # kept, as before
    # Corrected (1 letter, not 2) and submitted in one go from the edit page.
    resp = client.post(
        reverse("activities:entry-edit", args=[expired.pk]),
        {
            "date": "2026-10-02",
            "start_time": "08:00",
            "end_time": "09:00",
            "item": office["surat"].pk,
            "volume": "1",
            "description": "Surat undangan rapat",
            "action": "submit",
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:3000]
    expired.refresh_from_db()
    assert expired.status == S.SUBMITTED and expired.volume == 1
    assert expired.verify_by is not None
    event = AuditEvent.objects.get(action="activities.entry.change_unlocked")
    assert event.before["volume"] == "2.00" and event.object_id == str(expired.pk)
    assert AuditEvent.objects.filter(action="activities.entry.resubmit_unlocked").exists()
    # It counts once approved: submitted within the unlock.
    services.entry_verify(actor=office["p"]["kasubag"].user, entry=expired, decision="approve")
    ani = office["p"]["ani"]
    month = selectors.activity_month([ani], Period(2026, 10))[ani.pk]
    assert (month.approved, month.late, month.credited_minutes) == (1, 0, 30)


def test_submit_all_of_the_day_takes_the_expired_entries_while_unlocked(client, office, expired):
    client.force_login(office["p"]["ani"].user)
    html = client.get(reverse("activities:day", kwargs={"day": "2026-10-02"})).content.decode()
    assert 'data-testid="submit-day"' in html
    client.post(reverse("activities:submit-day", kwargs={"day": "2026-10-02"}))
    expired.refresh_from_db()
    assert expired.status == S.SUBMITTED


def test_an_expired_entry_changes_only_under_an_open_unlock_and_on_its_own_date(
    office, at, expired
):
    ani = office["p"]["ani"].user
    with pytest.raises(ValidationError) as err:
        services.entry_update(actor=ani, entry=expired, date=D(2026, 10, 14))
    assert "tidak dapat dipindah" in err.value.message_dict["date"][0]
    at("2026-10-21 08:00")  # the unlock ended yesterday
    with pytest.raises(ValidationError) as err:
        services.entry_update(actor=ani, entry=expired, volume=1)
    assert "selama buka kunci" in err.value.message_dict["status"][0]
    expired.refresh_from_db()
    assert (expired.status, expired.volume) == (S.EXPIRED, 2)


def test_without_an_unlock_the_day_page_offers_nothing_on_an_expired_entry(client, office, at):
    at("2026-10-05 10:00")
    e = make_entry(office, day=D(2026, 10, 2))
    services.activity_deadlines_process(instansi=office["inst"], today=D(2026, 10, 14))
    at("2026-10-15 10:00")
    client.force_login(office["p"]["ani"].user)
    html = client.get(reverse("activities:day", kwargs={"day": "2026-10-02"})).content.decode()
    assert reverse("activities:entry-submit", args=[e.pk]) not in html
    assert 'data-testid="submit-day"' not in html


# --------------------------------------------------------------------------------------------------
# Catalog input


def _row(code, name, minutes, active_from="2020-01-01", active_to=""):
    return [code, name, "laporan", minutes, "ya", "ya", "ya", 1, 17, "", active_from, active_to]


@pytest.mark.parametrize("minutes", [0, -5, 2000])
def test_catalog_minutes_out_of_range_get_a_plain_message_per_row(office, at, bkpsdm, minutes):
    at("2026-10-09 17:00")
    res = services.catalog_import(
        actor=bkpsdm,
        instansi=office["inst"],
        upload=sheet(CAT_HEADER, [_row("Z1", "Menyusun notulen", minutes)]),
    )
    assert [e.row for e in res.errors] == [2]
    text = str(res.errors[0])
    assert "Menit efektif per satuan harus bilangan bulat 1 sampai 1.440" in text
    assert "Batasan" not in text and "Pastikan" not in text
    assert not ActivityCatalogItem.objects.filter(code="Z1").exists()


def test_catalog_errors_are_field_errors(office, bkpsdm):
    item = ActivityCatalogItem(
        instansi=office["inst"],
        code="A001",  # taken by "Menyusun konsep surat dinas"
        name="Memimpin apel pagi",  # the name of A003, valid on the same days
        output_unit="",
        standard_minutes=2000,
        kelas_min=9,
        kelas_max=3,
        active_from=D(2026, 1, 1),
    )
    with pytest.raises(ValidationError) as err:
        services.catalog_item_save(actor=bkpsdm, item=item)
    errors = err.value.message_dict
    assert set(errors) == {"output_unit", "standard_minutes", "kelas_max"}
    item.output_unit, item.standard_minutes, item.kelas_max = "kegiatan", 30, 17
    with pytest.raises(ValidationError) as err:
        services.catalog_item_save(actor=bkpsdm, item=item)
    errors = err.value.message_dict
    assert errors["code"] == ["Kode A001 sudah dipakai butir 'Menyusun konsep surat dinas'."]
    assert "sudah dipakai butir A003" in errors["name"][0]
    assert "__all__" not in errors


def test_a_name_may_be_reused_by_a_successor_not_alongside(office, at, bkpsdm):
    at("2026-10-09 17:00")
    surat = office["surat"]
    same_days = services.catalog_import(
        actor=bkpsdm,
        instansi=office["inst"],
        upload=sheet(CAT_HEADER, [_row("A101", "  menyusun konsep  surat dinas ", 40)]),
    )
    assert "sudah dipakai butir A001" in str(same_days.errors[0])
    # The old item ends on 31 December; its successor under the same name starts the day after.
    res = services.catalog_import(
        actor=bkpsdm,
        instansi=office["inst"],
        upload=sheet(
            CAT_HEADER,
            [
                [
                    "A001",
                    surat.name,
                    "surat",
                    30,
                    "ya",
                    "ya",
                    "ya",
                    1,
                    17,
                    "",
                    "2020-01-01",
                    "2026-12-31",
                ],
                _row("A101", "Menyusun konsep surat dinas", 40, "2027-01-01"),
            ],
        ),
    )
    assert res.ok, [str(e) for e in res.errors]
    assert ActivityCatalogItem.objects.get(code="A101").standard_minutes == 40


# --------------------------------------------------------------------------------------------------
# Data induk (Django admin)


def _form(item, **changes):
    data = {
        "code": item.code,
        "name": item.name,
        "output_unit": item.output_unit,
        "standard_minutes": item.standard_minutes,
        "kelas_min": item.kelas_min,
        "kelas_max": item.kelas_max,
        "active_from": item.active_from.isoformat(),
        "active_to": "",
    }
    for kind in ("struktural", "fungsional", "pelaksana"):
        if getattr(item, f"for_{kind}"):
            data[f"for_{kind}"] = "on"
    data.update(changes)
    return data


def _field_error(html: str, field: str) -> str:
    found = re.search(rf'<ul class="errorlist"[^>]*id="id_{field}_error">(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)) if found else ""


def test_bkpsdm_edits_one_item_in_data_induk_and_past_entries_keep_their_minutes(
    client, office, at, bkpsdm
):
    at("2026-10-09 17:00")
    e = make_entry(office, day=D(2026, 10, 8), volume=2, submit=True)
    services.entry_verify(actor=office["p"]["kasubag"].user, entry=e, decision="approve")
    client.force_login(bkpsdm)
    assert "activitycatalogitem" in client.get(reverse("admin:index")).content.decode()
    url = reverse("admin:activities_activitycatalogitem_change", args=[office["surat"].pk])
    assert client.get(url).status_code == 200
    for bad, expected in (("0", "harus bilangan bulat 1 sampai 1.440"), ("2000", "diisi 2000")):
        resp = client.post(url, _form(office["surat"], standard_minutes=bad))
        assert resp.status_code == 200
        html = resp.content.decode()
        assert expected in _field_error(html, "standard_minutes"), html[:3000]
        assert "Batasan" not in html
    resp = client.post(url, _form(office["surat"], code="A002"))
    assert "Kode A002 sudah dipakai" in _field_error(resp.content.decode(), "code")
    resp = client.post(url, _form(office["surat"], standard_minutes="45"))
    assert resp.status_code == 302
    assert ActivityCatalogItem.objects.get(pk=office["surat"].pk).standard_minutes == 45
    assert AuditEvent.objects.filter(action="activities.catalog.update").exists()
    # The verified entry keeps the minutes it was made with (documented: new entries only).
    e.refresh_from_db()
    assert (e.minutes_per_unit, e.credited_minutes) == (30, 60)


@pytest.mark.parametrize("superuser", [False, True])
def test_kominfo_neither_deletes_the_settings_nor_touches_the_catalog(client, office, superuser):
    settings = ActivitySettings.objects.create(
        instansi=office["inst"], window_working_days=5, policy_name="Perbup 12/2026"
    )
    tech = UserFactory(
        instansi=office["inst"], username="kominfo", is_staff=True, is_superuser=superuser
    )
    grant(tech, "kominfo")
    client.force_login(tech)
    item = office["pimpin"]
    deny = 403
    resp = client.post(
        reverse("admin:activities_activitysettings_delete", args=[settings.pk]), {"post": "yes"}
    )
    assert resp.status_code == deny
    resp = client.post(
        reverse("admin:activities_activitycatalogitem_delete", args=[item.pk]), {"post": "yes"}
    )
    assert resp.status_code == deny
    resp = client.post(
        reverse("admin:activities_activitycatalogitem_change", args=[item.pk]),
        _form(item, standard_minutes="300"),
    )
    assert resp.status_code == deny
    assert ActivitySettings.objects.get(pk=settings.pk).window_working_days == 5
    assert ActivityCatalogItem.objects.get(pk=item.pk).standard_minutes == 30


def test_nobody_deletes_the_settings_in_data_induk(client, office, bkpsdm):
    settings = ActivitySettings.objects.create(instansi=office["inst"], policy_name="Perbup")
    client.force_login(bkpsdm)
    assert client.get(reverse("admin:activities_activitysettings_changelist")).status_code == 200
    resp = client.post(
        reverse("admin:activities_activitysettings_delete", args=[settings.pk]), {"post": "yes"}
    )
    assert resp.status_code == 403 and ActivitySettings.objects.filter(pk=settings.pk).exists()


# --------------------------------------------------------------------------------------------------
# The deadline command


def test_the_deadline_command_refuses_a_date_ahead(office, at):
    at("2026-10-05 10:00")
    e = make_entry(office, day=D(2026, 10, 2), submit=True)
    with pytest.raises(CommandError, match="belum tiba"):
        call_command("activity-deadlines", "--date", "2026-10-21", stdout=StringIO())
    e.refresh_from_db()
    assert e.status == S.SUBMITTED
    call_command("activity-deadlines", "--date", "2026-10-05", stdout=StringIO())
    e.refresh_from_db()
    assert e.status == S.SUBMITTED and ActivityEntry.objects.count() == 1
    assert e.volume == Decimal(2) and e.start_time == T(8)
