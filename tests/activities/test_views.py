"""Pages: day view, entry form, inbox with bulk actions, evidence served only to those allowed, unlock
pages; constant query counts whatever the number of entries."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ekinerja.activities import services
from ekinerja.activities.models import ActivityEntry, EntryStatus, Evidence, UnlockRequest
from ekinerja.core.models import AuditEvent
from tests.factories import InstansiFactory, employee_with_login, grant

from .conftest import D, T, make_entry

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _now(at):
    at("2026-10-09 17:00")


def login(client, office, who):
    user = office["p"][who].user if isinstance(who, str) else who
    client.force_login(user)
    return user


def day_url(d=None):
    d = d or D(2026, 10, 8)
    return reverse("activities:day", kwargs={"day": d.isoformat()})


def test_day_view_shows_entries_minutes_and_window(client, office):
    make_entry(office, day=D(2026, 10, 8), volume=2)
    login(client, office, "ani")
    html = client.get(day_url()).content.decode()
    assert "Menyusun konsep surat dinas" in html
    assert 'data-testid="day-minutes">60' in html
    assert "Dapat diisi dan diajukan sampai" in html and "19 Oktober 2026" in html
    assert "Kamis, 8 Oktober 2026" in html


def test_entry_form_creates_and_submits(client, office):
    login(client, office, "ani")
    resp = client.post(
        day_url(),
        {
            "date": "2026-10-08",
            "start_time": "08:00",
            "end_time": "10:00",
            "item": office["rapat"].pk,
            "volume": "1",
            "description": "Rapat persiapan",
            "action": "submit",
        },
    )
    assert resp.status_code == 302
    e = ActivityEntry.objects.get()
    assert e.status == EntryStatus.SUBMITTED and e.description == "Rapat persiapan"


def test_entry_form_shows_field_errors_in_indonesian_and_writes_nothing(client, office):
    login(client, office, "ani")
    resp = client.post(
        day_url(),
        {
            "date": "2026-10-08",
            "start_time": "10:00",
            "end_time": "09:00",
            "item": office["surat"].pk,
            "volume": "1",
        },
    )
    assert resp.status_code == 400
    assert "Jam selesai harus setelah jam mulai" in resp.content.decode()
    resp = client.post(
        day_url(), {"date": "2026-10-08", "start_time": "08:00", "end_time": "09:00", "volume": "1"}
    )
    assert "Pilih aktivitas dari katalog" in resp.content.decode()
    # Someone else's catalog item is not found.
    other = InstansiFactory()
    from ekinerja.activities.models import ActivityCatalogItem

    foreign = ActivityCatalogItem.objects.create(
        instansi=other,
        code="X",
        name="Asing",
        output_unit="x",
        standard_minutes=10,
        active_from=D(2020, 1, 1),
    )
    resp = client.post(
        day_url(),
        {
            "date": "2026-10-08",
            "start_time": "08:00",
            "end_time": "09:00",
            "volume": "1",
            "item": foreign.pk,
        },
    )
    assert resp.status_code == 400
    assert ActivityEntry.objects.count() == 0


def test_day_view_query_count_is_constant(client, office, django_assert_max_num_queries):
    login(client, office, "ani")
    make_entry(office, day=D(2026, 10, 8), start=T(7), end=T(8))
    client.get(day_url())  # warm caches (sessions, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(day_url())
    for h in range(8, 16):
        e = make_entry(office, day=D(2026, 10, 8), start=T(h), end=T(h, 30), volume=1, submit=True)
        services.evidence_add(
            actor=office["p"]["ani"].user, entry=e, files=[SimpleUploadedFile("a.png", PNG)]
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        resp = client.get(day_url())
    assert resp.content.decode().count('data-testid="entry"') == 9


def test_catalog_search_by_words_only_allowed_items(client, office):
    login(client, office, "ani")
    url = reverse("activities:catalog-search")
    html = client.get(url, {"q": "surat konsep", "date": "2026-10-08"}).content.decode()
    assert "Menyusun konsep surat dinas" in html
    assert "Mengikuti rapat" not in client.get(url, {"q": "surat"}).content.decode()
    assert "Memimpin apel" not in client.get(url, {"q": "apel"}).content.decode()
    login(client, office, "kasubag")
    assert "Memimpin apel" in client.get(url, {"q": "apel"}).content.decode()


def test_repeat_previous_day_and_submit_all(client, office):
    make_entry(office, day=D(2026, 10, 7))
    login(client, office, "ani")
    client.post(reverse("activities:repeat", kwargs={"day": "2026-10-08"}))
    assert ActivityEntry.objects.filter(date=D(2026, 10, 8), status="draft").count() == 1
    client.post(reverse("activities:submit-day", kwargs={"day": "2026-10-08"}))
    assert ActivityEntry.objects.get(date=D(2026, 10, 8)).status == EntryStatus.SUBMITTED


def test_inbox_groups_and_bulk_approves_and_rejects(client, office):
    a = make_entry(office, day=D(2026, 10, 7), submit=True)
    b = make_entry(office, day=D(2026, 10, 8), submit=True)
    c = make_entry(office, who="budi", day=D(2026, 10, 8), submit=True)
    login(client, office, "kasubag")
    html = client.get(reverse("activities:inbox")).content.decode()
    assert html.count('data-testid="inbox-group"') == 2
    assert "3 aktivitas menunggu verifikasi Anda" in html and "batas terdekat" in html.lower()
    url = reverse("activities:verify-bulk")
    resp = client.post(url, {"entries": [a.pk, b.pk], "decision": "reject"})
    assert ActivityEntry.objects.get(pk=a.pk).status == EntryStatus.SUBMITTED  # reason required
    client.post(url, {"entries": [a.pk], "decision": "reject", "reason": "Tidak sesuai tugas"})
    client.post(
        url,
        {
            "employee": office["p"]["budi"].pk,
            "start": "2026-10-01",
            "end": "2026-10-31",
            "decision": "approve",
        },
    )
    statuses = {e.pk: e.status for e in ActivityEntry.objects.all()}
    assert statuses == {a.pk: "rejected", b.pk: "submitted", c.pk: "approved"}
    assert resp.status_code == 302


def test_inbox_query_count_is_constant(client, office, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_entry(office, day=D(2026, 10, 1), submit=True)
    login(client, office, "kasubag")
    client.get(reverse("activities:inbox"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("activities:inbox"))
    for d in (2, 5, 6, 7, 8):
        for h in (8, 10, 13):
            for who in ("ani", "budi"):
                make_entry(
                    office, who=who, day=D(2026, 10, d), start=T(h), end=T(h + 1), submit=True
                )
    with django_assert_max_num_queries(len(one.captured_queries)):
        resp = client.get(reverse("activities:inbox"))
    assert resp.content.decode().count('data-testid="inbox-entry"') == 31


def test_other_superior_cannot_verify_through_the_page(client, office):
    e = make_entry(office, day=D(2026, 10, 8), submit=True)
    login(client, office, "kepala")
    assert (
        client.post(
            reverse("activities:verify", kwargs={"pk": e.pk}), {"decision": "approve"}
        ).status_code
        == 404
    )
    assert ActivityEntry.objects.get(pk=e.pk).status == EntryStatus.SUBMITTED


def test_evidence_type_is_checked_by_content_and_size(client, office, settings):
    e = make_entry(office, day=D(2026, 10, 8))
    ani = office["p"]["ani"].user
    services.evidence_add(
        actor=ani,
        entry=e,
        files=[SimpleUploadedFile("foto.png", PNG), SimpleUploadedFile("sk.pdf", PDF)],
    )
    assert Evidence.objects.count() == 2
    stored = Evidence.objects.first()
    assert str(settings.MEDIA_ROOT) in stored.file.path and "foto" not in stored.file.name
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="bukan PDF"):
        services.evidence_add(
            actor=ani, entry=e, files=[SimpleUploadedFile("x.pdf", b"MZ\x90\0 not a pdf")]
        )
    with pytest.raises(ValidationError, match="tidak sesuai"):
        services.evidence_add(actor=ani, entry=e, files=[SimpleUploadedFile("x.pdf", PNG)])
    big = SimpleUploadedFile("big.png", PNG + b"\0" * (2 * 1024 * 1024))
    with pytest.raises(ValidationError, match="terlalu besar"):
        services.evidence_add(actor=ani, entry=e, files=[SimpleUploadedFile("ok.png", PNG), big])
    # All or nothing: the good file of a refused batch is not kept (no row, no file on disk).
    assert Evidence.objects.count() == 2
    files = [p for p in (settings.MEDIA_ROOT / "aktivitas").rglob("*") if p.is_file()]
    assert len(files) == 2


def test_evidence_is_served_only_to_those_allowed(client, office):
    e = make_entry(office, day=D(2026, 10, 8))
    ev = services.evidence_add(
        actor=office["p"]["ani"].user, entry=e, files=[SimpleUploadedFile("sk.pdf", PDF)]
    )[0]
    url = reverse("activities:evidence", kwargs={"pk": ev.pk})
    for who, code in (("ani", 200), ("kasubag", 200), ("budi", 404), ("kepala", 404)):
        login(client, office, who)
        resp = client.get(url)
        assert resp.status_code == code, who
        if code == 200:
            assert resp["Content-Type"] == "application/pdf"
            assert b"".join(resp.streaming_content) == PDF
    stranger = employee_with_login(InstansiFactory(), None).user
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    # Not reachable as a public media URL.
    assert client.get("/media/" + ev.file.name).status_code == 404


def test_evidence_upload_through_the_form(client, office):
    login(client, office, "ani")
    resp = client.post(
        day_url(),
        {
            "date": "2026-10-08",
            "start_time": "08:00",
            "end_time": "09:00",
            "item": office["surat"].pk,
            "volume": "1",
            "files": [
                io.BytesIO(b"GIF89a fake"),
            ],
        },
    )
    assert resp.status_code == 400 and "bukan PDF, JPG atau PNG" in resp.content.decode()
    assert ActivityEntry.objects.count() == 0


def test_unlock_pages_employee_requests_bkpsdm_approves_kominfo_cannot(client, office):
    login(client, office, "ani")
    resp = client.post(
        reverse("activities:unlocks"),
        {"date_from": "2026-09-01", "date_to": "2026-09-02", "reason": "Dinas luar tanpa sinyal"},
    )
    assert resp.status_code == 302
    unlock = UnlockRequest.objects.get()
    tech = employee_with_login(office["inst"], None).user
    grant(tech, "kominfo")
    client.force_login(tech)
    assert client.get(reverse("activities:unlocks-manage")).status_code == 403
    client.post(
        reverse("activities:unlock-decide", kwargs={"pk": unlock.pk}),
        {"decision": "approve", "deadline": "2026-10-12"},
    )
    unlock.refresh_from_db()
    assert unlock.status == "pending"
    bk = employee_with_login(office["inst"], None).user
    grant(bk, "bkpsdm")
    client.force_login(bk)
    page = client.get(reverse("activities:unlocks-manage")).content.decode()
    assert "Dinas luar tanpa sinyal" in page
    # Who asked, as people know them: the employee themself, not their login (the NIP).
    assert "diajukan oleh pegawai sendiri" in page
    assert f"diajukan oleh {unlock.requested_by.username}" not in page
    client.post(
        reverse("activities:unlock-decide", kwargs={"pk": unlock.pk}),
        {"decision": "approve", "deadline": "2026-10-12"},
    )
    unlock.refresh_from_db()
    assert unlock.status == "approved" and unlock.deadline == D(2026, 10, 12)
    decided = client.get(reverse("activities:unlocks-manage")).content.decode()
    assert f"· {bk.employee.full_name}</td>" in decided and f"· {bk.username}<" not in decided
    assert AuditEvent.objects.filter(action="activities.unlock.approve", actor=bk).exists()


def test_objection_and_review_pages(client, office):
    e = make_entry(office, day=D(2026, 10, 8), submit=True)
    services.entry_verify(
        actor=office["p"]["kasubag"].user, entry=e, decision="reject", reason="Tidak ada bukti"
    )
    login(client, office, "ani")
    client.post(
        reverse("activities:objection-file", kwargs={"pk": e.pk}),
        {"reason": "Bukti terlampir di surel dinas"},
    )
    login(client, office, "kepala")
    html = client.get(reverse("activities:objections")).content.decode()
    assert "Bukti terlampir" in html
    obj = e.objection if hasattr(e, "objection") else None
    from ekinerja.activities.models import Objection

    obj = Objection.objects.get()
    client.post(
        reverse("activities:objection-decide", kwargs={"pk": obj.pk}),
        {"decision": "grant", "reason": "Bukti cukup"},
    )
    assert ActivityEntry.objects.get(pk=e.pk).status == EntryStatus.APPROVED
    reviewer = employee_with_login(office["inst"], None).user
    grant(reviewer, "tim_penilai")
    client.force_login(reviewer)
    client.post(
        reverse("activities:review") + "?periode=2026-10", {"periode": "2026-10", "size": "5"}
    )
    html = client.get(reverse("activities:review") + "?periode=2026-10").content.decode()
    assert html.count('data-testid="review-item"') == 1


def test_pages_of_another_instansi_answer_404(client, office):
    e = make_entry(office, day=D(2026, 10, 8))
    stranger = employee_with_login(InstansiFactory(), None).user
    client.force_login(stranger)
    for name in ("activities:entry", "activities:entry-edit"):
        assert client.get(reverse(name, kwargs={"pk": e.pk})).status_code == 404


def test_inbox_numbers_in_attributes_are_not_localised(client, office):
    e = make_entry(office, day=D(2026, 10, 8), volume="1.5", start=T(8), end=T(9), submit=True)
    login(client, office, "kasubag")
    html = client.get(reverse("activities:inbox")).content.decode()
    assert 'max="1.50"' in html and f'value="{e.pk}"' in html


def test_a_superior_who_moved_away_keeps_the_inbox_link_while_entries_wait(client, office):
    """Kasubag moves on 9 October to a post without subordinates: nobody's superior today, they still
    verify Ani's 8 October entry, so the menu and the day page lead to the inbox until it is done."""
    from ekinerja.org.models import Assignment, Position
    from tests.factories import PositionFactory

    entry = make_entry(office, day=D(2026, 10, 8), submit=True)
    Assignment.objects.filter(employee=office["p"]["kasubag"]).update(end=D(2026, 10, 8))
    analyst = PositionFactory(
        unit=office["unit"], kind=Position.Kind.FUNGSIONAL, kelas=9, parent=office["pos"]["kepala"]
    )
    Assignment.objects.create(
        instansi=office["inst"],
        employee=office["p"]["kasubag"],
        position=analyst,
        start=D(2026, 10, 9),
    )
    login(client, office, "kasubag")
    html = client.get(day_url(D(2026, 10, 9))).content.decode()
    assert 'data-testid="nav-verifikasi"' in html
    assert "1 aktivitas bawahan menunggu verifikasi" in html
    inbox = client.get(reverse("activities:inbox")).content.decode()
    assert inbox.count('data-testid="inbox-entry"') == 1

    services.entry_verify(actor=office["p"]["kasubag"].user, entry=entry, decision="approve")
    html = client.get(day_url(D(2026, 10, 9))).content.decode()
    assert 'data-testid="nav-verifikasi"' not in html and "menunggu verifikasi" not in html
    # Staff who never held a post with positions under it see no link, as before.
    login(client, office, "budi")
    assert 'data-testid="nav-verifikasi"' not in client.get(day_url()).content.decode()


def test_day_view_query_count_is_constant_with_returned_entries(
    client, office, at, django_assert_max_num_queries
):
    """Each returned entry shows how long it may be revised: computed for all of them at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    at("2026-10-09 10:00")
    kasubag = office["p"]["kasubag"].user

    def returned(h):
        e = make_entry(office, day=D(2026, 10, 8), start=T(h), end=T(h, 30), volume=1, submit=True)
        services.entry_verify(actor=kasubag, entry=e, decision="return", reason="Lengkapi uraian")

    returned(7)
    login(client, office, "ani")
    client.get(day_url())  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as one:
        client.get(day_url())
    for h in range(8, 14):
        returned(h)
    with django_assert_max_num_queries(len(one.captured_queries)):
        resp = client.get(day_url())
    assert resp.content.decode().count('data-testid="entry"') == 7
