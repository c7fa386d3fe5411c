"""A refused return note, revision reason or behaviour expectation comes back in its box, with the
error next to it: before, the page redirected and everything typed was lost."""

from __future__ import annotations

import html as htmllib

from django.urls import reverse

from ekinerja.performance.models import SkpBehaviour, SkpPlan


def _box(content: str, name: str) -> str:
    """The textarea named `name` and what follows it."""
    start = content.index(f'name="{name}"')
    return content[start : start + 6000]


def test_a_too_long_return_note_stays_in_its_box_with_the_error_under_it(client, org, cascaded, at):
    at("2026-01-05 09:00")
    plan = cascaded["staf1"]
    SkpPlan.objects.filter(pk=plan.pk).update(status="submitted", effective_from=None)
    client.force_login(org["kabid"].user)
    note = "Perbaiki indikator kedua. " * 100
    response = client.post(reverse("performance:plan-return", args=[plan.pk]), {"note": note})
    assert response.status_code == 200
    content = htmllib.unescape(response.content.decode())
    box = _box(content, "note")
    assert note.strip() in box
    assert 'class="invalid-feedback mb-2">Catatan pengembalian paling banyak 2.000 karakter' in box
    plan.refresh_from_db()
    assert plan.status == "submitted" and plan.return_note == ""


def test_a_blank_return_note_is_said_at_the_field_and_the_plan_stays_submitted(
    client, org, cascaded, at
):
    at("2026-01-05 09:00")
    plan = cascaded["staf1"]
    SkpPlan.objects.filter(pk=plan.pk).update(status="submitted", effective_from=None)
    client.force_login(org["kabid"].user)
    response = client.post(reverse("performance:plan-return", args=[plan.pk]), {"note": "   "})
    assert response.status_code == 200
    box = _box(response.content.decode(), "note")
    assert "Tuliskan alasan pengembalian agar pegawai dapat memperbaiki." in box
    plan.refresh_from_db()
    assert plan.status == "submitted"


def test_a_too_long_revision_reason_stays_on_the_employees_page(client, org, cascaded, at):
    at("2026-05-05 09:00")
    plan = cascaded["staf1"]
    client.force_login(org["staf1"].user)
    reason = "Perubahan tugas dari kepala bidang. " * 70
    response = client.post(reverse("performance:plan-revise", args=[plan.pk]), {"reason": reason})
    assert response.status_code == 200
    content = htmllib.unescape(response.content.decode())
    box = _box(content, "reason")
    assert reason.strip() in box
    assert "Alasan perubahan paling banyak 2.000 karakter" in box
    assert SkpPlan.objects.filter(employee=org["staf1"], year=2026).count() == 1


def test_a_too_long_expectation_keeps_every_text_typed(client, org, at):
    at("2026-01-05 09:00")
    client.force_login(org["staf1"].user)
    client.post(reverse("performance:plan-create"), {"year": "2026"})
    plan = SkpPlan.objects.get(employee=org["staf1"], year=2026)
    short = "Menjawab pertanyaan sekolah dalam satu hari kerja."
    long = "Bekerja sama dengan operator sekolah. " * 40
    response = client.post(
        reverse("performance:plan-behaviours", args=[plan.pk]),
        {"berorientasi_pelayanan": short, "kolaboratif": long},
    )
    assert response.status_code == 200
    content = htmllib.unescape(response.content.decode())
    assert short in content
    assert long.strip() in _box(content, "kolaboratif")
    assert "1.000 karakter" in _box(content, "kolaboratif")
    assert not SkpBehaviour.objects.filter(plan=plan).exclude(expectation="").exists()


def test_a_ticked_indicator_deletion_stays_ticked_when_the_form_comes_back(
    client, org, cascaded, at
):
    at("2026-01-05 09:00")
    plan = cascaded["staf1"]
    SkpPlan.objects.filter(pk=plan.pk).update(status="draft", effective_from=None)
    result = plan.results.first()
    ind = result.indicators.first()
    client.force_login(org["staf1"].user)
    data = {
        "text": "",  # refused: the result's text is required
        "parent_result": str(result.parent_result_id),
        "ind-TOTAL_FORMS": "2",
        "ind-INITIAL_FORMS": "1",
        "ind-MIN_NUM_FORMS": "1",
        "ind-MAX_NUM_FORMS": "10",
        "ind-0-id": str(ind.pk),
        "ind-0-result": str(result.pk),
        "ind-0-text": ind.text,
        "ind-0-target_quantity": "1",
        "ind-0-target_unit": "dokumen",
        "ind-0-target_quality": "100",
        "ind-0-target_months": "12",
        "ind-0-DELETE": "on",
        "ind-1-text": "Indikator pengganti",
        "ind-1-target_quantity": "2",
        "ind-1-target_unit": "laporan",
        "ind-1-target_quality": "100",
        "ind-1-target_months": "12",
    }
    response = client.post(reverse("performance:result-edit", args=[result.pk]), data)
    assert response.status_code == 200
    content = response.content.decode()
    box = content[content.index('name="ind-0-DELETE"') :][:200]
    assert "checked" in box.split(">")[0]
    assert result.indicators.filter(pk=ind.pk).exists()
