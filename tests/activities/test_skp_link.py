"""The SKP link of an activity entry (issue 5, item 3): an entry may name a result of the employee's
agreed SKP for the entry's year; anything else is refused with an Indonesian field error and nothing is
written. Without a link no query is spent on it, with one exactly one."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ekinerja.activities import services
from ekinerja.activities.models import ActivityEntry, EntryStatus
from ekinerja.core.models import AuditEvent
from ekinerja.performance.models import SkpPlan
from tests.factories import InstansiFactory, PositionFactory, UnitFactory, employee_with_login
from tests.performance.factories import agreed_plan

from .conftest import D, T, make_entry

pytestmark = pytest.mark.django_db
DAY = D(2026, 10, 8)


@pytest.fixture(autouse=True)
def _now(at):
    at("2026-10-09 17:00")


@pytest.fixture
def plans(office):
    """Ani's agreed 2026 and 2025 plans, Budi's agreed 2026 plan."""
    return {
        "ani": agreed_plan(office["p"]["ani"], 2026),
        "ani_2025": agreed_plan(office["p"]["ani"], 2025),
        "budi": agreed_plan(office["p"]["budi"], 2026),
    }


def refused(office, **kw) -> str:
    before = ActivityEntry.objects.count()
    with pytest.raises(ValidationError) as err:
        make_entry(office, day=DAY, **kw)
    assert ActivityEntry.objects.count() == before
    return " ".join(err.value.message_dict["skp_result"])


def test_an_entry_names_a_result_of_its_own_agreed_plan(office, plans):
    first, second = plans["ani"].results.all()
    e = make_entry(office, day=DAY, skp_result=first)
    assert e.skp_result_id == first.pk
    # An id is as good as the object (the API passes ids).
    e2 = make_entry(office, day=DAY, start=T(10), end=T(11), skp_result=second.pk)
    assert ActivityEntry.objects.get(pk=e2.pk).skp_result == second


def test_no_link_is_fine(office, plans):
    assert make_entry(office, day=DAY).skp_result_id is None


def test_another_employees_result_is_refused(office, plans):
    msg = refused(office, skp_result=plans["budi"].results.first())
    assert "tidak ditemukan pada SKP Anda yang disetujui untuk tahun 2026" in msg


def test_a_result_of_another_year_is_refused(office, plans):
    assert "tahun 2026" in refused(office, skp_result=plans["ani_2025"].results.first())


def test_a_result_of_another_instansi_is_refused(office, plans):
    other = InstansiFactory()
    stranger = employee_with_login(other, PositionFactory(unit=UnitFactory(instansi=other)))
    foreign = agreed_plan(stranger, 2026).results.first()
    assert "tidak ditemukan" in refused(office, skp_result=foreign)
    # Even if a row of another instansi were planted on Ani's own plan, it is refused.
    planted = plans["ani"].results.first()
    type(planted).objects.filter(pk=planted.pk).update(instansi=other)
    assert "tidak ditemukan" in refused(office, skp_result=planted.pk)


def test_a_draft_or_superseded_version_is_refused(office, plans):
    draft = agreed_plan(office["p"]["ani"], 2026, status=SkpPlan.Status.DRAFT, version=2)
    assert "tidak ditemukan" in refused(office, skp_result=draft.results.first())
    SkpPlan.objects.filter(pk=plans["ani"].pk).update(status=SkpPlan.Status.SUPERSEDED)
    assert "tidak ditemukan" in refused(office, skp_result=plans["ani"].results.first())


def test_an_unknown_id_is_refused(office, plans):
    assert "tidak ditemukan" in refused(office, skp_result=999999)


def test_every_field_error_comes_at_once(office, plans):
    with pytest.raises(ValidationError) as err:
        make_entry(office, day=DAY, start=T(10), end=T(9), skp_result=plans["budi"].results.first())
    assert {"end_time", "skp_result"} <= set(err.value.message_dict)


def _queries(office, **kw) -> int:
    with CaptureQueriesContext(connection) as q:
        make_entry(office, **kw)
    return len(q.captured_queries)


def test_the_link_costs_one_query_and_nothing_without_it(office, plans):
    result = plans["ani"].results.first()
    _queries(office, day=DAY, start=T(7), end=T(8))  # warm the caches (settings, calendar)
    without = _queries(office, day=DAY, start=T(8), end=T(9))
    with_link = _queries(office, day=DAY, start=T(9), end=T(10), skp_result=result.pk)
    assert with_link == without + 1


def test_changing_the_link_after_verification_unverifies(office, plans):
    first, second = plans["ani"].results.all()
    e = make_entry(office, day=DAY, submit=True, skp_result=first)
    services.entry_verify(actor=office["p"]["kasubag"].user, entry=e, decision="approve")
    e.refresh_from_db()
    assert e.status == EntryStatus.APPROVED
    services.entry_update(actor=office["p"]["ani"].user, entry=e, skp_result=second)
    e.refresh_from_db()
    assert e.status == EntryStatus.SUBMITTED and e.skp_result == second
    assert e.credited_minutes == 0 and e.verified_by is None
    event = AuditEvent.objects.get(action="activities.entry.unverified", object_id=str(e.pk))
    assert "skp_result_id" in event.reason
    # Removing the link is a change too.
    services.entry_verify(actor=office["p"]["kasubag"].user, entry=e, decision="approve")
    services.entry_update(actor=office["p"]["ani"].user, entry=e, skp_result=None)
    e.refresh_from_db()
    assert e.status == EntryStatus.SUBMITTED and e.skp_result_id is None


def test_an_edit_that_leaves_the_link_alone_keeps_it_and_the_verification(office, plans):
    first = plans["ani"].results.first()
    e = make_entry(office, day=DAY, submit=True, skp_result=first)
    services.entry_verify(actor=office["p"]["kasubag"].user, entry=e, decision="approve")
    # Same link given again: nothing changed, still approved.
    services.entry_update(actor=office["p"]["ani"].user, entry=e, skp_result=first)
    e.refresh_from_db()
    assert e.status == EntryStatus.APPROVED
    # The plan is revised and the new version agreed: the old link stays valid for edits that do
    # not touch it (it was right when made), without a query for it.
    SkpPlan.objects.filter(pk=plans["ani"].pk).update(status=SkpPlan.Status.SUPERSEDED)
    services.entry_update(actor=office["p"]["ani"].user, entry=e, description="Surat undangan")
    e.refresh_from_db()
    assert e.skp_result == first and e.description == "Surat undangan"


def test_a_refused_link_on_update_writes_nothing(office, plans):
    first = plans["ani"].results.first()
    e = make_entry(office, day=DAY, skp_result=first)
    with pytest.raises(ValidationError) as err:
        services.entry_update(
            actor=office["p"]["ani"].user, entry=e, skp_result=plans["budi"].results.first()
        )
    assert "skp_result" in err.value.message_dict
    e.refresh_from_db()
    assert e.skp_result == first


def test_moving_a_linked_entry_to_another_year_is_refused(office, plans, at):
    at("2027-01-04 17:00")
    e = make_entry(office, day=D(2026, 12, 31), skp_result=plans["ani"].results.first())
    with pytest.raises(ValidationError) as err:
        services.entry_update(actor=office["p"]["ani"].user, entry=e, date=D(2027, 1, 4))
    assert "tahun 2027" in " ".join(err.value.message_dict["skp_result"])


def test_repeat_day_copies_the_links_still_allowed(office, plans):
    first = plans["ani"].results.first()
    make_entry(office, day=D(2026, 10, 7), skp_result=first)
    services.repeat_day(actor=office["p"]["ani"].user, source=D(2026, 10, 7), target=DAY)
    copy = ActivityEntry.objects.get(employee=office["p"]["ani"], date=DAY)
    assert copy.skp_result == first


def test_repeat_day_drops_a_link_no_longer_allowed(office, plans):
    first = plans["ani"].results.first()
    make_entry(office, day=D(2026, 10, 7), skp_result=first)
    SkpPlan.objects.filter(pk=plans["ani"].pk).update(status=SkpPlan.Status.SUPERSEDED)
    services.repeat_day(actor=office["p"]["ani"].user, source=D(2026, 10, 7), target=DAY)
    copy = ActivityEntry.objects.get(employee=office["p"]["ani"], date=DAY)
    assert copy.skp_result_id is None


# --------------------------------------------------------------------------------------------------
# API: skp_result_id


def test_api_entry_names_a_result_and_a_foreign_one_is_422(client, office, plans):
    from .test_api import token_for

    h = token_for(client, office["p"]["ani"])
    first, second = plans["ani"].results.all()
    offered = client.get("/api/v1/activities/skp-results?year=2026", **h).json()
    assert [r["id"] for r in offered] == [first.pk, second.pk] and offered[0]["text"] == first.text
    assert client.get("/api/v1/activities/skp-results?year=2024", **h).json() == []
    body = {
        "date": "2026-10-08",
        "start_time": "08:00",
        "end_time": "09:00",
        "item_id": office["surat"].pk,
        "volume": "2",
        "skp_result_id": first.pk,
    }
    resp = client.post("/api/v1/activities/entries", body, content_type="application/json", **h)
    assert resp.status_code == 201, resp.content
    entry = resp.json()["entry"]
    assert entry["skp_result_id"] == first.pk
    before = ActivityEntry.objects.count()
    resp = client.post(
        "/api/v1/activities/entries",
        {
            **body,
            "start_time": "10:00",
            "end_time": "11:00",
            "skp_result_id": plans["budi"].results.first().pk,
        },
        content_type="application/json",
        **h,
    )
    assert resp.status_code == 422
    assert "tidak ditemukan pada SKP Anda" in resp.json()["errors"]["skp_result_id"][0]
    assert ActivityEntry.objects.count() == before
    # Without the field there is no link.
    resp = client.post(
        "/api/v1/activities/entries",
        {k: v for k, v in body.items() if k != "skp_result_id"}
        | {"start_time": "10:00", "end_time": "11:00"},
        content_type="application/json",
        **h,
    )
    assert resp.status_code == 201 and resp.json()["entry"]["skp_result_id"] is None

    # PATCH: left out = unchanged, a value = changed, null = removed.
    url = f"/api/v1/activities/entries/{entry['id']}"
    resp = client.patch(url, {"description": "Undangan"}, content_type="application/json", **h)
    assert resp.json()["entry"]["skp_result_id"] == first.pk
    resp = client.patch(url, {"skp_result_id": second.pk}, content_type="application/json", **h)
    assert resp.json()["entry"]["skp_result_id"] == second.pk
    resp = client.patch(
        url,
        {"skp_result_id": plans["ani_2025"].results.first().pk},
        content_type="application/json",
        **h,
    )
    assert resp.status_code == 422 and "skp_result_id" in resp.json()["errors"]
    resp = client.patch(url, {"skp_result_id": None}, content_type="application/json", **h)
    assert resp.json()["entry"]["skp_result_id"] is None


# --------------------------------------------------------------------------------------------------
# Pages: the entry form, the day view, the inbox, the spreadsheet


def _day_url(d=DAY):
    from django.urls import reverse

    return reverse("activities:day", kwargs={"day": d.isoformat()})


def _form_data(office, **kw):
    return {
        "date": "2026-10-08",
        "start_time": "08:00",
        "end_time": "09:00",
        "item": office["surat"].pk,
        "volume": "2",
        **kw,
    }


def test_the_form_offers_the_years_results_and_links_one(client, office, plans):
    first, second = plans["ani"].results.all()
    client.force_login(office["p"]["ani"].user)
    html = client.get(_day_url()).content.decode()
    assert 'name="skp_result"' in html and "— tidak dikaitkan —" in html
    assert f'<option value="{first.pk}">{first.text}</option>' in html
    assert f'<option value="{second.pk}">{second.text}</option>' in html
    for other in (plans["budi"], plans["ani_2025"]):
        assert not any(f'<option value="{r.pk}"' in html for r in other.results.all())
    resp = client.post(_day_url(), _form_data(office, skp_result=str(second.pk)))
    assert resp.status_code == 302
    assert ActivityEntry.objects.get().skp_result == second
    # The day view shows the link briefly.
    html = client.get(_day_url()).content.decode()
    assert 'data-testid="entry-skp"' in html and second.text in html


def test_the_form_without_a_choice_makes_no_link(client, office, plans):
    client.force_login(office["p"]["ani"].user)
    resp = client.post(_day_url(), _form_data(office, skp_result=""))
    assert resp.status_code == 302 and ActivityEntry.objects.get().skp_result_id is None


def test_the_form_refuses_a_foreign_result_with_a_field_error(client, office, plans):
    client.force_login(office["p"]["ani"].user)
    foreign = plans["budi"].results.first()
    resp = client.post(_day_url(), _form_data(office, skp_result=str(foreign.pk)))
    assert resp.status_code == 400
    html = resp.content.decode()
    assert 'data-testid="error-skp_result"' in html and "tidak ditemukan pada SKP Anda" in html
    assert not ActivityEntry.objects.exists()
    resp = client.post(_day_url(), _form_data(office, skp_result="abc"))
    assert resp.status_code == 400 and "Format tidak valid" in resp.content.decode()


def test_no_agreed_plan_no_select(client, office):
    client.force_login(office["p"]["ani"].user)
    assert 'name="skp_result"' not in client.get(_day_url()).content.decode()


def test_the_edit_form_keeps_changes_or_removes_the_link(client, office, plans):
    from django.urls import reverse

    first, second = plans["ani"].results.all()
    e = make_entry(office, day=DAY, skp_result=first)
    client.force_login(office["p"]["ani"].user)
    url = reverse("activities:entry-edit", args=[e.pk])
    html = client.get(url).content.decode()
    assert f'<option value="{first.pk}" selected>' in html
    # A link made under a version since superseded is still offered, so an edit keeps it.
    SkpPlan.objects.filter(pk=plans["ani"].pk).update(status=SkpPlan.Status.SUPERSEDED)
    html = client.get(url).content.decode()
    assert f'<option value="{first.pk}" selected>' in html
    resp = client.post(url, _form_data(office, description="Undangan", skp_result=str(first.pk)))
    assert resp.status_code == 302
    e.refresh_from_db()
    assert e.skp_result == first and e.description == "Undangan"
    resp = client.post(url, _form_data(office, skp_result=""))
    e.refresh_from_db()
    assert resp.status_code == 302 and e.skp_result_id is None


def test_the_superior_sees_the_link_in_the_inbox_and_on_the_entry(client, office, plans):
    from django.urls import reverse

    first = plans["ani"].results.first()
    e = make_entry(office, day=DAY, submit=True, skp_result=first)
    client.force_login(office["p"]["kasubag"].user)
    html = client.get(reverse("activities:inbox")).content.decode()
    assert 'data-testid="entry-skp"' in html and first.text in html
    html = client.get(reverse("activities:entry", args=[e.pk])).content.decode()
    assert first.text in html


def _sheet(rows, header=None):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "aktivitas"
    ws.append(
        header or ["tanggal", "mulai", "selesai", "kode_aktivitas", "volume", "uraian", "hasil_skp"]
    )
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("x.xlsx", buf.getvalue())


def test_the_bulk_template_lists_the_results_by_number(client, office, plans):
    import io

    from django.urls import reverse
    from openpyxl import load_workbook

    client.force_login(office["p"]["ani"].user)
    resp = client.get(
        reverse("activities:bulk"), {"unduh": "1", "dari": "2026-10-01", "sampai": "2026-10-06"}
    )
    wb = load_workbook(io.BytesIO(resp.content))
    header = [c.value for c in wb["aktivitas"][1]]
    assert header[-1] == "hasil_skp"
    rows = list(wb["skp"].iter_rows(min_row=2, values_only=True))
    assert rows == [(n, 2026, r.text) for n, r in enumerate(plans["ani"].results.all(), start=1)]


def test_the_bulk_import_links_by_number_and_refuses_an_unknown_one(office, plans):
    first, second = plans["ani"].results.all()
    ok = _sheet(
        [
            ["2026-10-06", "08:00", "09:00", "A001", 2, "Surat", 2],
            ["2026-10-06", "09:00", "10:00", "A001", 2, "Surat", None],
        ]
    )
    res = services.entries_import(actor=office["p"]["ani"].user, upload=ok)
    assert res.ok and res.created == 2
    assert sorted(
        ActivityEntry.objects.values_list("skp_result_id", flat=True), key=lambda v: v or 0
    ) == [None, second.pk]
    bad = _sheet(
        [
            ["2026-10-07", "08:00", "09:00", "A001", 2, "Surat", 3],
            ["2026-10-07", "09:00", "10:00", "A001", 2, "Surat", "satu"],
        ]
    )
    res = services.entries_import(actor=office["p"]["ani"].user, upload=bad)
    assert not res.ok and res.created == 0
    assert [e.row for e in res.errors] == [2, 3]
    assert "nomor '3' tidak ada pada SKP 2026" in str(res.errors[0])
    assert ActivityEntry.objects.count() == 2
