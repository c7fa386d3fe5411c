"""The policy editor's form (tpp/policy_form.py): BKPSDM edits a Perbup's figures as labelled fields;
what the form does not show is kept; problems are shown at the field or row they concern."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.urls import reverse

from ekinerja.tpp import policy_form
from ekinerja.tpp.models import Policy as PolicyRow
from ekinerja.tpp.policy import TEMPLATES, policy_from_dict, policy_to_dict

from .data import make_pemda

pytestmark = pytest.mark.django_db


def _posted(secs) -> dict[str, str]:
    """What a browser submits for the form as shown (checkboxes only when ticked)."""
    post = {}
    for item in policy_form.items(secs):
        if item.kind == "table":
            for row in item.grid:
                for cell in row["cells"]:
                    if cell["kind"] != "bool" or cell["checked"]:
                        post[cell["name"]] = cell["value"]
        else:
            post[item.name] = item.value
    return post


@pytest.mark.parametrize("key", list(TEMPLATES))
def test_the_form_as_shown_gives_back_the_same_policy(key):
    data = policy_to_dict(policy_from_dict(TEMPLATES[key][1]("2026-01-01")))
    secs = policy_form.sections(data)
    new, errors, _kept = policy_form.apply(data, _posted(secs))
    assert errors == {}
    assert new == data


def test_numbers_are_read_as_indonesians_write_them():
    parse = policy_form.parse
    assert parse("Rp1.500.000", "money") == 1_500_000
    assert parse("1.500.000", "money") == parse(" 1500000 ", "money") == 1_500_000
    assert parse("0,5", "pct") == parse("0.5", "pct") == 0.5
    assert parse("1,25", "pct") == 1.25 and parse("100", "pct") == 100
    assert parse("7", "int") == 7 and parse("6.750", "int") == 6750
    assert parse("", "pct") is None and parse("", "bool") is False and parse("1", "bool") is True
    for text, kind in (("abc", "pct"), ("1,5", "money"), ("Rp7", "int"), ("31-02-2026", "date")):
        with pytest.raises(policy_form.Invalid):
            parse(text, kind)
    assert policy_form.show(1_500_000, "money") == "1.500.000"
    assert policy_form.show(1.25, "pct") == "1,25" and policy_form.show(None, "pct") == ""
    assert policy_form.show(6750, "int") == "6.750" and policy_form.show(7, "int") == "7"


def test_paths_are_said_in_words():
    assert (
        policy_form.describe("$.attendance.late_bands[1]")
        == "Kehadiran › potongan terlambat › baris 2"
    )
    assert policy_form.describe("$.base_by_class.5") == "Pagu per kelas jabatan › kelas 5"
    assert policy_form.describe("$.allowances[1].components") == (
        "Tunjangan › baris 2 › Komponen dan bobot"
    )


# --------------------------------------------------------------------------------------------------
# The editor page


@pytest.fixture
def pemda():
    return make_pemda()


@pytest.fixture
def editor(client, pemda):
    client.force_login(pemda.bkpsdm1)
    return client


def _page(response) -> str:
    return html.unescape(response.content.decode())


def _form_of(response) -> dict[str, str]:
    """The form's fields as the page shows them (inputs, selected options, ticked boxes)."""
    page = response.content.decode()
    post = {}
    for m in re.finditer(r"<input ([^>]*)>", page):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', m.group(1)))
        name = html.unescape(attrs.get("name", ""))
        if not (name.startswith("f:") or name in ("base", "tampilan")):
            continue
        if attrs.get("type") == "checkbox" and " checked" not in m.group(1):
            continue
        post[name] = html.unescape(attrs.get("value", ""))
    for m in re.finditer(r'<select [^>]*name="(f:[^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', m.group(2))
        post[html.unescape(m.group(1))] = html.unescape(chosen.group(1)) if chosen else ""
    return post


def test_the_editor_opens_on_the_form_with_labelled_figures(editor, pemda):
    page = _page(editor.get(reverse("tpp:policy", args=[pemda.policy.pk])))
    assert (
        'data-testid="policy-form"' in page
        and 'aria-current="page" href="?tampilan=formulir"' in (page)
    )
    assert "Pagu TPP per kelas jabatan (Rp sebulan)" in page
    assert re.search(
        r'for="f:base_by_class.7">Kelas 7</label>\s*<input [^>]*value="2.850.000"', page
    )
    assert "Potongan terlambat masuk" in page and 'value="0,5"' in page
    assert "Disiplin (kehadiran)" in page and "Tanpa TPP" in page
    # Adopted: read only, nothing to save.
    assert 'data-testid="policy-save"' not in page and "readonly" in page
    # The JSON view is still there for what the form does not show.
    json_page = _page(editor.get(reverse("tpp:policy", args=[pemda.policy.pk]) + "?tampilan=json"))
    assert 'id="policy-data"' in json_page and 'data-testid="policy-form"' not in json_page


def test_a_new_version_is_made_from_the_form_and_saved_as_typed(editor, pemda):
    post = _form_of(editor.get(reverse("tpp:policy-new")))
    assert post["tampilan"] == "formulir" and post["f:base_by_class.5"] == "2.250.000"
    post["f:name"] = "Perbup 12/2027"
    post["f:effective_from"] = "2027-01-01"
    post["f:base_by_class.5"] = "Rp2.400.000"
    post["f:base_by_class.17"] = ""  # kelas 17 no longer paid
    # Late bands: the second band's percentage changed, the last band emptied (removed), a band
    # added in a spare row.
    late = "f:attendance.late_bands"
    post[f"{late}.1.2"] = "1,1"
    for col in range(3):
        post[f"{late}.3.{col}"] = ""
    post[f"{late}.4.0"], post[f"{late}.4.1"], post[f"{late}.4.2"] = "91", "", "1,75"
    post["f:attendance.absent_without_notice"] = "5"
    # Izin no longer reduces the target (its box unticked). Rows are by the type's name, whatever
    # order the database keeps the policy's keys in.
    from ekinerja.attendance.models import LeaveType

    names = dict(LeaveType.objects.filter(instansi=pemda.inst).values_list("code", "name"))
    rows = sorted(
        pemda.policy.data["leave_types"],
        key=lambda k: (names.get(k) or k.replace("_", " ")).lower(),
    )
    assert post.pop(f"f:leave_types.{rows.index('izin')}.1") == "1"
    response = editor.post(reverse("tpp:policy-new"), post)
    assert response.status_code == 302, _page(response)[:3000]
    draft = PolicyRow.objects.get(name="Perbup 12/2027")
    assert draft.status == PolicyRow.Status.DRAFT and str(draft.effective_from) == "2027-01-01"
    d = draft.data
    assert d["base_by_class"]["5"] == 2_400_000 and "17" not in d["base_by_class"]
    assert d["attendance"]["late_bands"] == [
        [1, 30, 0.5],
        [31, 60, 1.1],
        [61, 90, 1.25],
        [91, None, 1.75],
    ]
    assert d["attendance"]["absent_without_notice"] == 5
    assert d["leave_types"]["izin"]["reduces_activity_target"] is False
    assert d["leave_types"]["sakit"]["reduces_activity_target"] is True
    # What the form does not touch is as it was.
    assert d["skp"] == pemda.policy.data["skp"] and d["pph21"] == pemda.policy.data["pph21"]
    # The draft's page says what differs from the version in force, beside the field.
    page = _page(editor.get(reverse("tpp:policy", args=[draft.pk])))
    assert re.search(
        r'value="2.400.000"[^>]*>\s*(?:<[^>]+>\s*)*?<div class="small text-warning-emphasis" '
        r'data-testid="field-previous">Sebelumnya: 2.250.000</div>',
        page,
    )
    assert "Sebelumnya: 1 – 30: 0,5%; 31 – 60: 1%; 61 – 90: 1,25%; 91 – …: 1,5%" in page
    # Above the long form, a link down to simulating and adopting the draft.
    assert '<a href="#tindakan">Simulasi dan penetapan' in page and 'id="tindakan"' in page
    assert page.index('href="#tindakan"') < page.index('data-testid="policy-form"')
    assert page.index('id="tindakan"') < page.index('data-testid="policy-adopt"')


def test_what_cannot_be_read_is_shown_where_it_was_typed_and_nothing_is_saved(editor, pemda):
    post = _form_of(editor.get(reverse("tpp:policy-new")))
    post["f:effective_from"] = "2027-01-01"
    post["f:status_factor.CPNS"] = "delapan puluh"
    post["f:attendance.late_bands.1.2"] = "1%%"
    before = PolicyRow.objects.count()
    response = editor.post(reverse("tpp:policy-new"), post)
    page = _page(response)
    assert response.status_code == 400 and PolicyRow.objects.count() == before
    assert "2 isian perlu diperbaiki" in page
    # The banner names the sections to look at, each a link down to it.
    names = re.search(r'data-testid="policy-problem-sections">(.*?)</p>', page, re.S).group(1)
    links = re.findall(r'<a href="#(bagian-\d+)" class="alert-link">([^<]+)</a>', names)
    assert [title for _id, title in links] == ["Faktor status kepegawaian (%)", "Kehadiran"]
    assert all(f'id="{anchor}"' in page for anchor, _title in links)
    assert re.search(
        r'value="delapan puluh"[^>]*>\s*<div class="invalid-feedback d-block" '
        r'data-testid="field-error">harus berupa angka',
        page,
    )
    assert 'value="1%%"' in page and 'data-testid="row-error">harus berupa angka' in page


def test_the_readers_problems_land_on_their_field_and_row(editor, pemda):
    post = _form_of(editor.get(reverse("tpp:policy-new")))
    post["f:effective_from"] = "2027-01-01"
    post["f:components.0.1"] = "40"  # 40 + 50 + 20
    late = "f:attendance.late_bands"
    for col in range(3):  # the form's row 2 emptied: the reader's row 2 is the form's row 3
        post[f"{late}.1.{col}"] = ""
    response = editor.post(reverse("tpp:policy-new"), post)
    page = _page(response)
    assert response.status_code == 400
    table = page[page.index('data-path="f:components"') :]
    assert re.search(r'data-testid="field-error">jumlah bobot 110, harus 100', table)
    band_table = page[page.index(f'data-path="{late}"') : page.index(f'data-path="{late}"') + 6000]
    rows = re.findall(r"<tr( class=\"table-danger\")?>", band_table.split("</thead>")[1])
    assert rows[2] == ' class="table-danger"' and not rows[0] and not rows[1]
    assert "rentang harus bersambung" in band_table


def test_the_forms_messages_quote_decimals_with_a_comma_the_json_views_with_a_dot(editor, pemda):
    post = _form_of(editor.get(reverse("tpp:policy-new")))
    post["f:effective_from"] = "2027-01-01"
    late = "f:attendance.late_bands"
    post[f"{late}.0.2"] = "1,5"
    post[f"{late}.1.2"] = "0,75"  # a longer lateness cut less than a shorter one
    response = editor.post(reverse("tpp:policy-new"), post)
    page = _page(response)
    assert response.status_code == 400
    assert "persentase 0,75 lebih kecil dari rentang sebelumnya (1,5)" in page
    assert "0.75" not in page and "(1.5)" not in page
    # The JSON view speaks JSON: the number as the text holds it.
    data = json.loads(json.dumps(pemda.policy.data))
    data["effective_from"] = "2027-01-01"
    data["attendance"]["late_bands"][0][2] = 1.5
    data["attendance"]["late_bands"][1][2] = 0.75
    response = editor.post(reverse("tpp:policy-new"), {"data": json.dumps(data)})
    page = _page(response)
    assert response.status_code == 400
    assert "persentase 0.75 lebih kecil dari rentang sebelumnya (1.5)" in page


def test_a_policy_someone_else_may_not_change_is_refused(client, pemda):
    client.force_login(pemda.bkpsdm1)
    post = _form_of(client.get(reverse("tpp:policy", args=[pemda.policy.pk])))
    response = client.post(reverse("tpp:policy", args=[pemda.policy.pk]), post)
    assert response.status_code == 403


def test_an_optional_part_the_policy_lacks_is_not_made_empty():
    data = policy_to_dict(policy_from_dict(TEMPLATES["national"][1]("2026-01-01")))
    data["health_insurance"].pop("income_cap", None)
    data.pop("plt_pct", None)
    secs = policy_form.sections(data)
    new, errors, _kept = policy_form.apply({**data, "extra": {"kept": 1}}, _posted(secs))
    assert errors == {} and "plt_pct" not in new and "income_cap" not in new["health_insurance"]
    assert new["extra"] == {"kept": 1}  # not shown by the form, kept as it was
    assert "attendance_floors" not in new or new["attendance_floors"] == data.get(
        "attendance_floors"
    )


def test_a_leave_type_of_the_instansi_the_policy_lacks_is_added_in_the_form(editor, pemda):
    """The editor warns of leave types the policy does not list; the form's new row adds one."""
    from ekinerja.attendance.models import LeaveType

    LeaveType.objects.create(instansi=pemda.inst, code="izin_khusus", name="Izin alasan khusus")
    page = _page(editor.get(reverse("tpp:policy-new")))
    assert "Izin alasan khusus" in page and 'data-testid="policy-warnings"' in page
    post = _form_of(editor.get(reverse("tpp:policy-new")))
    post["f:effective_from"] = "2027-01-01"
    n = len(pemda.policy.data["leave_types"])  # the first new row
    # A new row with figures but no type chosen adds nothing; the chosen one is added.
    post[f"f:leave_types.{n}.key"] = "izin_khusus"
    post[f"f:leave_types.{n}.0"] = "2"
    post[f"f:leave_types.{n}.1"] = "1"
    post[f"f:leave_types.{n + 1}.0"] = "5"
    response = editor.post(reverse("tpp:policy-new"), post)
    assert response.status_code == 302, _page(response)[:2000]
    draft = PolicyRow.objects.latest("pk")
    assert draft.data["leave_types"]["izin_khusus"] == {
        "deduction": 2,
        "reduces_activity_target": True,
        "counts_as_present": False,
        "excludes_tpp": False,
    }
    assert len(draft.data["leave_types"]) == n + 1
    page = _page(editor.get(reverse("tpp:policy", args=[draft.pk])))
    assert 'data-testid="leave-add"' not in page  # nothing left to add
    assert 'data-testid="policy-warnings"' not in page


def test_a_policy_of_several_allowances_shows_each_with_its_bases_and_components(editor, pemda):
    response = editor.get(reverse("tpp:policy-new") + "?templat=madiun")
    page = _page(response)
    assert response.status_code == 200
    assert "Tunjangan: Tambahan Penghasilan Pegawai" in page and "Tunjangan: Uang Kinerja" in page
    assert 'name="f:allowances.1.base_by_class.13"' in page
    assert "Pagu TPP per kelas jabatan" not in page  # no single-allowance base
    post = _form_of(response)
    post["f:effective_from"] = "2027-01-01"
    post["f:allowances.1.components.0.1"] = "90"  # UKK's one component no longer 100
    response = editor.post(reverse("tpp:policy-new"), post)
    page = _page(response)
    assert response.status_code == 400
    table = page[page.index('data-path="f:allowances.1.components"') :]
    assert "jumlah bobot 90, harus 100" in table[: table.index("</table>") + 400]


@pytest.mark.parametrize("key", list(TEMPLATES))
def test_every_template_saves_from_the_editor_with_only_its_name_and_date_typed(editor, pemda, key):
    """An audit found no template could be saved: the empty "Potongan %/hari" of the rows that
    pay no TPP (tugas belajar, CLTN: the templates leave their deduction out) was "harus berupa
    angka". Left empty, an existing row keeps no deduction."""
    from ekinerja.tpp.models import Policy as PolicyRow

    url = reverse("tpp:policy-new") + f"?templat={key}"
    post = _form_of(editor.get(url))
    post["f:name"] = f"Uji {key}"
    post["f:effective_from"] = "2027-01-01"
    response = editor.post(url, post)
    assert response.status_code == 302, _page(response)[:2000]
    saved = PolicyRow.objects.get(name=f"Uji {key}").data
    assert saved["leave_types"]["tugas_belajar"]["excludes_tpp"] is True
    assert saved["leave_types"]["tugas_belajar"].get("deduction", 0) == 0


def test_a_template_starts_next_month_and_adopting_asks_first(editor, pemda):
    """A template used to start on 1 January of this year, which clashes with the version in
    force; adopting, which cannot be undone, went through on one tap."""
    from ekinerja.core.clock import local_today
    from ekinerja.core.periods import Period

    post = _form_of(editor.get(reverse("tpp:policy-new") + "?templat=national"))
    start = Period.of(local_today(pemda.inst)).next().first_day
    assert post["f:effective_from"] == start.isoformat()
    post["f:name"] = "Draf nasional"
    response = editor.post(reverse("tpp:policy-new") + "?templat=national", post)
    page = _page(editor.get(response["Location"]))
    adopt = re.search(r"<form [^>]*tetapkan/[^>]*>", page)
    assert adopt is not None and "data-confirm=" in adopt.group(0)
    assert "Setelah ditetapkan isinya tidak dapat diubah lagi" in adopt.group(0)


def _warnings(page: str) -> str:
    start = page.index('data-testid="policy-warnings"')
    return page[start : page.index("</div>", start)]


def test_the_form_speaks_of_its_own_sections_and_buttons_not_of_policy_keys(editor, pemda):
    """A leave type the policy lacks: the form view says where to add it on the form (its
    section, its "+ Tambah" choice) without the code; the JSON view, where the keys are typed,
    gives the code. The ceilings' note names the position data's field, not tpp_base."""
    from ekinerja.attendance.models import LeaveType

    LeaveType.objects.create(instansi=pemda.inst, code="izin_khusus", name="Izin alasan khusus")
    page = _page(editor.get(reverse("tpp:policy-new")))
    told = _warnings(page)
    assert "Izin alasan khusus." in told
    assert 'bagian "Jenis cuti dan izin", dengan pilihan "+ Tambah jenis cuti/izin"' in told
    assert "izin_khusus" not in told and "leave_types" not in told
    # The section and the choice the warning names are the form's own.
    assert '<h2 class="h6">Jenis cuti dan izin</h2>' in page
    assert "+ Tambah jenis cuti/izin</option>" in page
    assert "tpp_base" not in page and "diatur pada data jabatan" in page
    json_view = _warnings(_page(editor.get(reverse("tpp:policy-new") + "?tampilan=json")))
    assert "Izin alasan khusus (izin_khusus)" in json_view and '"leave_types"' in json_view


def test_a_problem_the_form_cannot_place_is_told_without_its_path(editor, pemda):
    """The form view lists a problem with no field of its own in words; the JSON path is for the
    JSON view."""
    post = _form_of(editor.get(reverse("tpp:policy-new")))
    post["f:effective_from"] = "2027-01-01"
    post["base"] = json.dumps({**json.loads(post["base"]), "bonus": 1})  # no field shows it
    response = editor.post(reverse("tpp:policy-new"), post)
    assert response.status_code == 400
    page = _page(response)
    start = page.index('data-testid="policy-problems"')
    problems = page[start : page.index("</div>", start)]
    assert "<li>bonus: kunci tidak dikenal</li>" in problems, problems
    assert "<code" not in problems and "$." not in problems
