"""Review of BKPSDM's side of the activity app (7 December 2026):
- the tim penilai could overturn (or pass) a verification its member made as the employee's
  superior, and the sample offered the buttons on a member's own entry, which then answered 404;
- a sample size that is not a number was refused with Python's "invalid literal for int()";
- the catalog sheet read a kelas_max of 0 as empty (17: open to every class) and cut 3,5 to 3;
- a unit limit set on a catalog item in Data induk was not in the audit event (it said "units": []);
- BKPSDM's unlock list offered "Setujui" on an officer's own request, which the service refuses."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from ekinerja.activities import services
from ekinerja.activities.models import (
    ActivityCatalogItem,
    ActivityEntry,
    EntryStatus,
    ReviewItem,
    ReviewOutcome,
    ReviewSample,
    UnlockRequest,
)
from ekinerja.core.models import AuditEvent
from ekinerja.core.periods import Period
from tests.factories import employee_with_login, grant

from .conftest import D, make_entry
from .test_users_review import _form
from .test_xlsx import CAT_HEADER, sheet

pytestmark = pytest.mark.django_db
OCT = Period(2026, 10)


@pytest.fixture(autouse=True)
def _now(at):
    at("2026-10-09 17:00")


def _reload(user):
    return type(user).objects.get(pk=user.pk)  # roles are cached per user object


# --------------------------------------------------------------------------------------------------
# Tim penilai: nobody reviews their own entry or their own verification


@pytest.fixture
def reviewed(office):
    """Ani's entry approved by the kasubag, who also sits on the tim penilai; the kasubag's own
    entry approved by the kepala. One sample of October holds both."""
    ani = make_entry(office, day=D(2026, 10, 8), submit=True)
    services.entry_verify(actor=office["p"]["kasubag"].user, entry=ani, decision="approve")
    own = make_entry(office, who="kasubag", day=D(2026, 10, 8), submit=True)
    services.entry_verify(actor=office["p"]["kepala"].user, entry=own, decision="approve")
    grant(office["p"]["kasubag"].user, "tim_penilai")
    member = _reload(office["p"]["kasubag"].user)
    sample = services.review_sample_draw(actor=member, period=OCT, size=10, seed=1)
    return {
        "member": member,
        "ani": ReviewItem.objects.get(sample=sample, entry=ani),
        "own": ReviewItem.objects.get(sample=sample, entry=own),
    }


def test_a_member_does_not_overturn_the_verification_they_made(office, reviewed):
    member, item = reviewed["member"], reviewed["ani"]
    for outcome in ("overturned", "ok"):
        with pytest.raises(ValidationError) as err:
            services.review_decide(actor=member, item=item, outcome=outcome, reason="Keliru")
        assert "Anda sendiri yang memverifikasi" in err.value.message_dict["outcome"][0]
    item.refresh_from_db()
    assert item.outcome == ReviewOutcome.PENDING
    entry = ActivityEntry.objects.get(pk=item.entry_id)
    assert entry.status == EntryStatus.APPROVED and entry.credited_minutes == 60
    # Another member reviews it.
    other = employee_with_login(office["inst"], None, name="Anggota Lain").user
    grant(other, "tim_penilai")
    services.review_decide(
        actor=_reload(other), item=item, outcome="overturned", reason="Tidak dilaksanakan"
    )
    assert ActivityEntry.objects.get(pk=item.entry_id).status == EntryStatus.REJECTED


def test_the_sample_page_says_why_instead_of_offering_a_refused_decision(client, office, reviewed):
    client.force_login(reviewed["member"])
    resp = client.get(reverse("activities:review"), {"periode": "2026-10"})
    html = resp.content.decode()
    for key in ("ani", "own"):
        action = reverse("activities:review-decide", args=[reviewed[key].pk])
        assert action not in html
    assert html.count('data-testid="review-conflict"') == 2
    assert "Anda sendiri yang memverifikasi aktivitas ini" in html
    assert "Anda tidak dapat menilai aktivitas Anda sendiri" in html
    # Who drew the sample is named as people know them, not by their login.
    assert "diambil oleh Kasubag Umum" in html
    # Posting anyway: said on the page, not a 404, and nothing changes.
    resp = client.post(
        reverse("activities:review-decide", args=[reviewed["own"].pk]),
        {"outcome": "ok"},
        follow=True,
    )
    assert resp.status_code == 200
    assert any("sendiri" in str(m) for m in get_messages(resp.wsgi_request))
    assert ReviewItem.objects.get(pk=reviewed["own"].pk).outcome == ReviewOutcome.PENDING


def test_a_sample_size_that_is_no_number_is_refused_in_indonesian(client, office):
    make_entry(office, day=D(2026, 10, 8), submit=True)
    team = employee_with_login(office["inst"], None, name="Tim").user
    grant(team, "tim_penilai")
    client.force_login(team)
    for bad in ("abc", "0", "1,5", "-3"):
        resp = client.post(
            reverse("activities:review"), {"periode": "2026-10", "size": bad}, follow=True
        )
        texts = [str(m) for m in get_messages(resp.wsgi_request)]
        assert any("Ukuran sampel harus bilangan bulat 1 sampai 500" in t for t in texts), texts
        assert not any("invalid literal" in t for t in texts)
        assert not ReviewSample.objects.exists()
    client.post(reverse("activities:review"), {"periode": "2026-10", "size": ""})
    assert ReviewSample.objects.get().size == 20  # empty: the instansi's default


# --------------------------------------------------------------------------------------------------
# The catalog sheet's class columns


@pytest.fixture
def bkpsdm(office):
    user = employee_with_login(office["inst"], None, name="Petugas BKPSDM").user
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    grant(user, "bkpsdm")
    return _reload(user)


def _row(code, kelas_min, kelas_max):
    return [code, f"Butir {code}", "dokumen", 30, "ya", "ya", "ya", kelas_min, kelas_max, "",
            "2026-01-01", ""]  # fmt: skip


def test_catalog_sheet_class_zero_or_fraction_is_a_row_error(office, bkpsdm):
    upload = sheet(
        CAT_HEADER,
        [_row("K001", 5, 0), _row("K002", 0, 9), _row("K003", "3,5", 9), _row("K004", None, None)],
    )
    res = services.catalog_import(actor=bkpsdm, instansi=office["inst"], upload=upload)
    errors = {e.row: str(e) for e in res.errors}
    assert "Kelas maksimal harus 1 sampai 17" in errors[2]
    assert "Kelas minimal harus 1 sampai 17" in errors[3]
    assert "Kelas minimal harus bilangan bulat; diisi 3,5" in errors[4]
    assert 5 not in errors  # empty cells: the full range
    assert not ActivityCatalogItem.objects.filter(code__startswith="K").exists()
    res = services.catalog_import(
        actor=bkpsdm, instansi=office["inst"], upload=sheet(CAT_HEADER, [_row("K004", None, "")])
    )
    assert res.ok
    item = ActivityCatalogItem.objects.get(code="K004")
    assert (item.kelas_min, item.kelas_max) == (1, 17)


# --------------------------------------------------------------------------------------------------
# Data induk: the unit limit is audited


def test_unit_limit_set_in_data_induk_is_in_the_audit_event(client, office, bkpsdm):
    item = office["surat"]
    client.force_login(bkpsdm)
    url = reverse("admin:activities_activitycatalogitem_change", args=[item.pk])
    resp = client.post(url, {**_form(item), "units": [office["unit"].pk]})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    assert list(item.units.values_list("pk", flat=True)) == [office["unit"].pk]
    event = AuditEvent.objects.filter(action="activities.catalog.update").latest("id")
    assert event.before["units"] == [] and event.after["units"] == [office["unit"].pk]
    # And lifted again.
    client.post(url, _form(item))
    assert not item.units.exists()
    event = AuditEvent.objects.filter(action="activities.catalog.update").latest("id")
    assert event.before["units"] == [office["unit"].pk] and event.after["units"] == []


# --------------------------------------------------------------------------------------------------
# BKPSDM's unlock list: one's own request is not offered for decision


def test_an_officers_own_unlock_request_has_no_decision_buttons(client, office, bkpsdm):
    officer = office["p"]["budi"].user
    grant(officer, "bkpsdm")
    officer = _reload(officer)
    own = services.unlock_request_create(
        actor=officer,
        employee=office["p"]["budi"],
        date_from=D(2026, 9, 1),
        date_to=D(2026, 9, 2),
        reason="Aplikasi tidak dapat dibuka saat dinas luar",
    )
    other = services.unlock_request_create(
        actor=office["p"]["ani"].user,
        employee=office["p"]["ani"],
        date_from=D(2026, 9, 1),
        date_to=D(2026, 9, 2),
        reason="Aplikasi tidak dapat dibuka saat dinas luar",
    )
    client.force_login(officer)
    html = client.get(reverse("activities:unlocks-manage")).content.decode()
    assert reverse("activities:unlock-decide", args=[own.pk]) not in html
    assert reverse("activities:unlock-decide", args=[other.pk]) in html
    assert "Permohonan Anda sendiri: diputuskan oleh petugas BKPSDM lain." in html
    # Another officer sees both with the buttons.
    client.force_login(bkpsdm)
    html = client.get(reverse("activities:unlocks-manage")).content.decode()
    assert reverse("activities:unlock-decide", args=[own.pk]) in html
    assert 'data-testid="unlock-own"' not in html
    assert UnlockRequest.objects.filter(status="pending").count() == 2
