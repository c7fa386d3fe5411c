"""Review: a BKPSDM officer types their Perbup into the policy form. What an empty field, an emptied
table and a Perbup without a BPJS share get from the form."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from ekinerja.tpp.models import Policy as PolicyRow

from .data import make_pemda
from .test_policy_form import _form_of, _page

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    p = make_pemda()
    client.force_login(p.bkpsdm1)
    return client


def _new_form(editor) -> dict[str, str]:
    post = _form_of(editor.get(reverse("tpp:policy-new")))
    post["f:name"] = "Perbup 7/2027"
    post["f:effective_from"] = "2027-01-01"
    return post


def _errors(page: str) -> list[str]:
    return re.findall(r'data-testid="(?:field|row|section)-error">([^<]*)<', page)


def test_a_field_or_cell_left_empty_says_it_is_required_and_keeps_what_was_typed(editor):
    post = _new_form(editor)
    post["f:attendance.absent_without_notice"] = ""
    post["f:skp.baik"] = ""
    post["f:attendance.late_bands.1.0"] = ""  # "Dari menit" of the second band
    post["f:components.1.1"] = ""  # a weight
    post["f:components.2.0"] = ""  # a component not chosen, its weight kept
    post["f:base_by_class.7"] = "3.100.000"
    before = PolicyRow.objects.count()
    response = editor.post(reverse("tpp:policy-new"), post)
    page = _page(response)
    assert response.status_code == 400 and PolicyRow.objects.count() == before
    # Said as missing (it used to say "harus berupa angka", and for the component the format's
    # English keys: "harus salah satu dari 'attendance', 'activity', 'skp'").
    assert sorted(_errors(page)) == [
        "Bobot %: wajib diisi",
        "Dari menit: wajib diisi",
        "Komponen: pilih salah satu",
        "wajib diisi",
        "wajib diisi",
    ]
    assert "harus berupa angka" not in page and "'attendance'" not in page
    assert "5 isian perlu diperbaiki" in page
    # Nothing typed is lost.
    again = _form_of(response)
    assert again["f:base_by_class.7"] == "3.100.000" and again["f:name"] == "Perbup 7/2027"
    assert again["f:attendance.late_bands.1.2"] == post["f:attendance.late_bands.1.2"]
    assert again["f:components.2.1"] == post["f:components.2.1"]


def test_every_class_base_emptied_is_said_at_its_section(editor):
    post = _new_form(editor)
    for k in range(1, 18):
        post[f"f:base_by_class.{k}"] = ""
    response = editor.post(reverse("tpp:policy-new"), post)
    page = _page(response)
    assert response.status_code == 400
    # It used to count "1 isian ... (ditandai merah)" with nothing marked and "Di bagian:" empty.
    assert _errors(page) == [
        "Pagu per kelas jabatan: harus memuat paling sedikit satu kelas jabatan"
    ]
    sections = re.search(r'data-testid="policy-problem-sections">(.*?)</p>', page, re.S).group(1)
    assert "Pagu TPP per kelas jabatan (Rp sebulan)" in sections
    assert re.search(
        r'<section class="card mb-3 border-danger" id="bagian-2"[^>]*>\s*<div[^>]*>\s*'
        r"<h2[^>]*>Pagu TPP per kelas jabatan",
        page,
    )


def test_a_perbup_without_a_bpjs_share_is_saved_with_both_fields_empty(editor):
    post = _new_form(editor)
    post["f:health_insurance.employee_pct"] = ""
    post["f:health_insurance.income_cap"] = ""
    response = editor.post(reverse("tpp:policy-new"), post)
    assert response.status_code == 302, _errors(_page(response))
    draft = PolicyRow.objects.get(name="Perbup 7/2027")
    assert "health_insurance" not in draft.data
    # And it opens again in the form, its BPJS fields empty, and saves as it is.
    post = _form_of(editor.get(reverse("tpp:policy", args=[draft.pk])))
    assert post["f:health_insurance.employee_pct"] == post["f:health_insurance.income_cap"] == ""
    assert editor.post(reverse("tpp:policy", args=[draft.pk]), post).status_code == 302

    # A cap without the share is still refused, at the share's field.
    post["f:health_insurance.income_cap"] = "12.000.000"
    response = editor.post(reverse("tpp:policy", args=[draft.pk]), post)
    assert response.status_code == 400 and _errors(_page(response)) == ["wajib diisi"]
