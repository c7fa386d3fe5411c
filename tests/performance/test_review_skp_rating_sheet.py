"""Review of the superior's rating sheet and the employee's evaluation page: feedback typed without
a rating is never dropped, a unit of 30 is rated without a request per click nor a query per
subordinate (showing or saving), and the evaluation page names the months it rated."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.core.models import AuditEvent
from ekinerja.core.periods import Period
from ekinerja.performance import selectors, services
from ekinerja.performance.models import SkpEvaluation
from ekinerja.performance.predicate import PREDICATE_LABELS, Rating, predicate
from tests.factories import employee_with_login, grant
from tests.performance.factories import agreed_plan

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SHEET = reverse("performance:rating") + "?periode=2026-10"


def october(org):
    return selectors.period_containing(
        selectors.performance_settings(org["inst"]), Period(2026, 10)
    )


def more_staff(org, cascaded, at, n, *, start=0):
    """n more subordinates of the kabid, each with an agreed plan and a realisation with a file."""
    staff_pos = org["staf1"].assignments.get().position
    out = []
    for i in range(start, start + n):
        emp = employee_with_login(org["inst"], staff_pos, name=f"Staf Tambahan {i:02d}")
        plan = agreed_plan(emp, 2026, parents=list(cascaded["kabid"].results.all()))
        at("2026-10-20 09:00")
        services.realisation_save(
            actor=emp.user,
            indicator=plan.results.first().indicators.first(),
            period=october(org),
            description="Laporan selesai",
            files=[SimpleUploadedFile("bukti.pdf", PDF)],
        )
        out.append(emp)
    at("2026-11-03 09:00")
    return out


def test_feedback_typed_without_a_rating_is_an_error_on_its_card_not_lost(
    client, org, cascaded, at
):
    at("2026-11-03 09:00")
    client.force_login(org["kabid"].user)
    staf1, staf2 = org["staf1"].pk, org["staf2"].pk
    note = "Laporan bulanan terlambat dua kali; perbaiki bulan depan."
    resp = client.post(
        SHEET,
        {
            "periode": "2026-10",
            f"hasil-{staf1}": "above",
            f"perilaku-{staf1}": "above",
            f"catatan-{staf2}": note,
        },
    )
    # Before: "Penilaian 1 pegawai disimpan" and the feedback for Citra was gone.
    assert resp.status_code == 200
    html = resp.content.decode()
    assert not SkpEvaluation.objects.exists()
    assert "Pilih penilaian hasil kerja." in html and "Pilih penilaian perilaku kerja." in html
    assert "Penilaian belum disimpan; periksa isian yang ditandai." in html
    card = html[html.index(f'id="catatan-{staf2}"') :]
    assert card[: card.index("</textarea>")].endswith(note)
    assert f'id="hasil-{staf1}-above" value="above" autocomplete="off" checked' in html
    # Rated too, both are saved.
    resp = client.post(
        SHEET,
        {
            "periode": "2026-10",
            f"hasil-{staf1}": "above",
            f"perilaku-{staf1}": "above",
            f"hasil-{staf2}": "below",
            f"perilaku-{staf2}": "as_expected",
            f"catatan-{staf2}": note,
        },
    )
    assert resp.status_code == 302
    assert SkpEvaluation.objects.get(employee_id=staf2).note == note
    # A card left alone (nothing chosen, nothing typed) is still skipped.
    assert not SkpEvaluation.objects.filter(employee=org["staf3"]).exists()


def test_a_unit_of_30_shows_in_the_same_queries_as_5_and_no_request_per_click(
    client, org, cascaded, at
):
    def rate(people):  # some cards rated, some not
        services.evaluations_rate(
            actor=org["kabid"].user,
            period=october(org),
            ratings=[services.RatingInput(e.pk, "above", "as_expected", "Baik") for e in people],
        )

    rate(more_staff(org, cascaded, at, 2)[:1])
    client.force_login(org["kabid"].user)
    client.get(SHEET)  # warm the session and content types
    with CaptureQueriesContext(connection) as five:
        client.get(SHEET)
    rate(more_staff(org, cascaded, at, 25, start=2)[:9])
    with CaptureQueriesContext(connection) as thirty:
        resp = client.get(SHEET)
    html = resp.content.decode()
    assert html.count('data-testid="rating-row"') == 30
    assert html.count('data-testid="unrated-mark"') == 20
    assert len(thirty) == len(five), [q["sql"][:120] for q in thirty.captured_queries]
    # Choosing asks the server nothing: the badge follows the matrix sent with the page.
    assert reverse("performance:predicate-preview") not in html
    assert 'hx-trigger="change"' not in html
    found = re.search(r'<script id="predicate-matrix" type="application/json">(.*?)</script>', html)
    matrix = json.loads(found.group(1))
    for results in Rating:
        for behaviour in Rating:
            cell = matrix[f"{results.value}|{behaviour.value}"]
            assert cell["label"] == PREDICATE_LABELS[predicate(results, behaviour)]
    assert matrix[""]["label"] == "—"
    assert matrix["above|above"]["badge"] != matrix["below|below"]["badge"]


def test_saving_a_sheet_writes_once_per_subordinate_and_reads_nothing_more(org, cascaded, at):
    at("2026-11-03 09:00")
    period = october(org)
    kabid = org["kabid"].user
    rated_before = [org["staf1"], org["staf2"], org["staf3"]]
    services.evaluations_rate(
        actor=kabid,
        period=period,
        ratings=[services.RatingInput(e.pk, "below", "below") for e in rated_before],
    )
    kabid.refresh_from_db()  # no cached instansi: as on a fresh request
    with CaptureQueriesContext(connection) as three:
        services.evaluations_rate(
            actor=kabid,
            period=period,
            ratings=[services.RatingInput(e.pk, "above", "above") for e in rated_before],
        )
    added = more_staff(org, cascaded, at, 3)
    six_people = rated_before + added
    kabid.refresh_from_db()
    with CaptureQueriesContext(connection) as six:
        services.evaluations_rate(
            actor=kabid,
            period=period,
            ratings=[services.RatingInput(e.pk, "as_expected", "above") for e in six_people],
        )
    # One write per rating (the evaluation row); before, each also read the employee's instansi
    # and name again for its audit row: 60 reads more for a unit of 30.
    assert len(six) - len(three) == 3, [q["sql"][:120] for q in six.captured_queries]
    # Every rating still has its audit row, with the row before and after.
    staf1_ev = SkpEvaluation.objects.get(employee=org["staf1"])
    events = AuditEvent.objects.filter(
        action="performance.evaluation.rate", object_id=str(staf1_ev.pk)
    ).order_by("id")
    assert [e.after["predicate"] for e in events] == ["sangat_kurang", "sangat_baik", "baik"]
    assert events[0].before is None and events[2].before["predicate"] == "sangat_baik"
    assert {e.instansi_id for e in events} == {org["inst"].pk}
    assert events[2].object_repr == f"Evaluasi {org['staf1'].name} 2026-10"
    assert (
        AuditEvent.objects.filter(action="performance.evaluation.rate", after__predicate="baik")
        .values("object_id")
        .distinct()
        .count()
        == 6
    )


def test_the_evaluation_page_names_the_months_rated_after_the_period_length_changed(
    client, org, cascaded, at
):
    at("2026-11-03 09:00")
    services.evaluation_rate(
        actor=org["kabid"].user,
        employee=org["staf1"],
        period=october(org),
        results="below",
        behaviour="below",
        note="Target dokumen tidak tercapai.",
    )
    cfg = selectors.performance_settings(org["inst"])
    cfg.evaluation_period_months = 3  # the Pemda goes quarterly from now on
    cfg.save()
    ev = SkpEvaluation.objects.get()
    client.force_login(org["staf1"].user)
    html = client.get(reverse("performance:evaluation-detail", args=[ev.pk])).content.decode()
    heading = html[html.index("<h1") : html.index("</h1>")]
    # Before: "Triwulan IV 2026", while the rating (and the TPP it feeds) is October's only.
    assert "Oktober 2026" in heading and "Triwulan" not in heading
    assert "Sangat Kurang" in html and "Di bawah ekspektasi" in html
    assert "Target dokumen tidak tercapai." in html
    assert "not-rated-why" not in html  # rated: the ratings and the feedback say why


def test_an_employee_not_rated_sees_until_when_and_then_that_the_deadline_passed(
    client, org, cascaded, at
):
    more = more_staff(org, cascaded, at, 1)[0]  # reported October with a file
    ev = SkpEvaluation.objects.get(employee=more)
    url = reverse("performance:evaluation-detail", args=[ev.pk])

    def why():
        client.force_login(more.user)  # a new session on each day travelled to
        html = client.get(url).content.decode()
        assert "Belum dinilai" in html  # the badge
        found = re.search(r'data-testid="not-rated-why">(.*?)</p>', html, re.S)
        return found.group(1) if found else None

    at("2026-11-03 09:00")
    assert why() == "Atasan dapat menilai periode ini sampai 5 November 2026."
    at("2026-11-06 09:00")
    # Before: the same "Belum dinilai" as on the 3rd, while nobody could rate it any more and
    # October's TPP takes the policy's not-rated value.
    text = why()
    assert text.startswith("Tidak dinilai: batas penilaian 5 November 2026 telah lewat.")
    assert "nilai “belum dinilai” dalam kebijakan TPP" in text
    assert selectors.predicate_month([more], Period(2026, 10)) == {more.pk: None}
    # Locked by BKPSDM before the deadline: closed too, and said so.
    at("2026-11-04 09:00")
    bkpsdm = employee_with_login(org["inst"], name="Petugas BKPSDM").user
    grant(bkpsdm, "bkpsdm")
    services.period_lock(actor=bkpsdm, instansi=org["inst"], month=Period(2026, 10))
    assert why().startswith("Tidak dinilai: periode ini telah dikunci BKPSDM")
