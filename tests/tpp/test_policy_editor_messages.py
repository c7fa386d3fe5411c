"""The policy editor speaks Indonesian (a tester acting as BKPSDM saw `weights sum to 110, must be
100` and Python's "Expecting property name enclosed in double quotes"): the reader's reasons keep
their JSON path and numbers, a JSON syntax error names its line and column; money is bounded, so a
huge base is refused instead of saved and failing every page of the draft with a server error; a
draft dated like an adopted version is saved with a warning, and the adopt step names the date in
words."""

from __future__ import annotations

import datetime as dt
import html
import json

import pytest
from django.urls import reverse

from ekinerja.tpp import simulation
from ekinerja.tpp.models import Policy as PolicyRow
from ekinerja.tpp.models import Simulation
from ekinerja.tpp.policy import (
    MAX_MONEY,
    PolicyError,
    national_template,
    policy_from_dict,
    spec_tables,
)

from .data import full_attendance, make_pemda, monthly_minutes, rate

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)  # 20 November 2026 in WITA: "last month" = Oct
ENGLISH = ("must be", "weights sum", "out of range", "overlaps", "money must", "Expecting", "field")


@pytest.fixture
def pemda():
    p = make_pemda()
    for e in p.people.values():
        full_attendance(e)
        monthly_minutes(p, e, 15)
        rate(e, "baik")
    return p


@pytest.fixture
def editor(client, pemda):
    client.force_login(pemda.bkpsdm1)
    return client


def _post(client, text: str, pk: int | None = None):
    url = reverse("tpp:policy", args=[pk]) if pk else reverse("tpp:policy-new")
    response = client.post(url, {"data": text})
    return response, html.unescape(response.content.decode())


def _problems(page: str) -> str:
    start = page.index('data-testid="policy-problems"')
    return page[start : page.index("</div>", start)]


# --------------------------------------------------------------------------------------------------
# The reader's reasons, through the editor


def test_the_editor_lists_the_readers_problems_in_indonesian_with_path_and_numbers(editor, pemda):
    data = national_template("2026-07-01")
    data["components"][1]["weight"] = 70  # 40 + 70
    data["effective_from"] = "01-07-2026"
    data["attendance"]["late_bands"] = [[1, 30, 0.5], [25, None, 1]]
    data["status_factor"]["CPNS"] = 150
    data["base_by_class"]["3"] = 1_800_000.5
    data["bonus"] = 1
    del data["skp"]
    before = PolicyRow.objects.count()
    response, page = _post(editor, json.dumps(data))
    assert response.status_code == 400
    problems = _problems(page)
    for path, reason in [
        ("$.components", "jumlah bobot 110, harus 100"),
        ("$.effective_from", "harus berupa tanggal TTTT-BB-HH"),
        (
            "$.attendance.late_bands[1]",
            "tumpang tindih dengan rentang sebelumnya, yang berakhir di 30",
        ),
        ("$.status_factor.CPNS", "persentase 150 di luar rentang, harus 0-100"),
        ("$.base_by_class.3", "uang harus rupiah bulat, tidak negatif (tanpa sen)"),
        ("$.bonus", "kunci tidak dikenal"),
        ("$.skp", "wajib diisi"),
    ]:
        assert f'<code class="text-muted">{path}</code>: {reason}' in problems, (path, problems)
    # Each path is also said in words (policy_form.describe).
    assert "Komponen dan bobot <code" in problems
    assert "Kehadiran › potongan terlambat › baris 2 <code" in problems
    assert "Faktor status › CPNS <code" in problems
    assert "Pagu per kelas jabatan › kelas 3 <code" in problems
    assert not any(word in problems for word in ENGLISH), problems
    assert PolicyRow.objects.count() == before


def test_the_reasons_are_indonesian_for_the_cli_too():
    data = national_template()
    data["components"][0]["weight"] = 50
    with pytest.raises(PolicyError) as info:
        policy_from_dict(data, path="$.policies[0]")
    assert str(info.value) == "$.policies[0].components: jumlah bobot 110, harus 100"


# --------------------------------------------------------------------------------------------------
# JSON syntax errors


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{\n  "name": "x",\n    nama: 1\n}',
            "JSON tidak valid pada baris 3 kolom 5: nama kunci harus diapit tanda kutip ganda",
        ),
        (
            '{\n  "name": "x"\n  "effective_from": "2026-01-01"\n}',
            "baris 3 kolom 3: kurang tanda koma",
        ),
        ('{"name" "x"}', "baris 1 kolom 9: kurang tanda titik dua (:)"),
        ('{"name": }', "baris 1 kolom 10: nilai diharapkan di sini"),
        ('{"name": "x', "baris 1 kolom 10: teks tidak ditutup dengan tanda kutip ganda"),
        ('{"name": "x"} }', "baris 1 kolom 15: ada isi tambahan setelah akhir objek JSON"),
        ('{"name": "a\tb"}', "baris 1 kolom 12: teks memuat karakter kontrol"),
        ('{"name": "a\\qb"}', "baris 1 kolom 12: urutan escape"),
        ("", "Isi kebijakan kosong"),
        ("   \n", "Isi kebijakan kosong"),
        ("[" * 100_000, "terlalu banyak tingkat kurung bersarang"),
        ('{"plt_pct": ' + "9" * 5000 + "}", "ada angka yang terlalu panjang"),
    ],
    ids=[
        "property-name",
        "comma",
        "colon",
        "value",
        "unterminated",
        "extra-data",
        "control-character",
        "escape",
        "empty",
        "blank",
        "deep",
        "long-number",
    ],
)
def test_a_json_syntax_error_is_told_in_indonesian_with_line_and_column(editor, text, expected):
    response, page = _post(editor, text)
    assert response.status_code == 400
    problems = _problems(page)
    assert expected in problems, problems
    assert not any(word in problems for word in ENGLISH), problems


# --------------------------------------------------------------------------------------------------
# Bounds: nothing the reader accepts can fail a page


def test_a_huge_base_is_refused_with_no_server_error_and_nothing_saved(editor, pemda):
    data = national_template("2026-07-01")
    data["base_by_class"]["6"] = 100_000_000_000_000_000_000
    before = PolicyRow.objects.count()
    response, page = _post(editor, json.dumps(data))
    assert response.status_code == 400
    assert (
        '<code class="text-muted">$.base_by_class.6</code>: terlalu besar, paling banyak Rp1.000.000.000 sebulan'
        in _problems(page)
    )
    assert PolicyRow.objects.count() == before
    # An existing draft is not changed either.
    draft = PolicyRow.objects.create(
        instansi=pemda.inst,
        name="Draf",
        effective_from=dt.date(2026, 7, 1),
        data=national_template(),
    )
    response, _page = _post(editor, json.dumps(data), pk=draft.pk)
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.data == national_template()


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        (["health_insurance", "income_cap"], 1_000_000_001, "paling banyak Rp1.000.000.000"),
        (["activity", "entry_window_working_days"], 251, "tidak boleh lebih dari 250"),
        (["activity", "entry_window_working_days"], 10**20, "tidak boleh lebih dari 250"),
        (["activity", "daily_cap_minutes"], 1441, "tidak boleh lebih dari 1.440 menit (24 jam)"),
        (["activity", "monthly_target_minutes"], 44_641, "tidak boleh lebih dari 44.640 menit"),
        (["name"], "Perbup\x00", "karakter kontrol"),
        (["effective_from"], "0001-01-01", "tahun 1900-9998"),
        (["effective_from"], "9999-12-31", "tahun 1900-9998"),
        (["base_by_class", "①"], 1_000_000, "kelas jabatan harus 1-17"),
        (["base_by_class", "9" * 5000], 1_000_000, "kelas jabatan harus 1-17"),
        (["pph21", "rates", "IV\x00"], 15, "kunci golongan"),
        (["plt_pct"], 1e300, "persentase 1E+300 di luar rentang"),
    ],
)
def test_the_reader_bounds_what_would_overflow_or_cannot_be_stored(path, value, reason):
    data = national_template()
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(PolicyError) as info:
        policy_from_dict(data)
    assert any(reason in r for _p, r in info.value.problems), info.value.problems


def test_the_largest_amounts_are_accepted_and_the_spec_reader_sets_no_minute_maximum():
    data = national_template()
    data["base_by_class"] = {str(k): int(MAX_MONEY) for k in range(1, 18)}
    data["health_insurance"]["income_cap"] = int(MAX_MONEY)
    data["activity"].update(entry_window_working_days=250, daily_cap_minutes=1440)
    policy_from_dict(data)
    data["activity"]["daily_cap_minutes"] = 6750
    with pytest.raises(PolicyError):
        policy_from_dict(data)
    with spec_tables():
        policy_from_dict(data)


def test_a_draft_at_every_bound_simulates_and_its_pages_open(editor, pemda, time_machine):
    """The reader's extremes go through a simulation and the pages: the largest base for every
    class, the status factor and Plt share at 100, percentages and weights with many decimals, the
    longest window, a day's worth of minutes, the smallest score cap."""
    time_machine.move_to(NOW, tick=False)
    data = json.loads(json.dumps(pemda.policy.data))
    data.update(
        name="Draf batas",
        effective_from="2026-10-01",
        base_by_class={str(k): int(MAX_MONEY) for k in range(1, 18)},
        status_factor={"PNS": 100, "CPNS": 99.99999999999999, "PPPK": 0.000001},
        plt_pct=100,
        components=[
            {"key": "attendance", "weight": 33.3333333333333},
            {"key": "activity", "weight": 33.3333333333333},
            {"key": "skp", "weight": 33.3333333333334},
        ],
    )
    data["attendance"]["late_bands"] = [[0, 1, 0.3333333333333333], [2, None, 100]]
    data["attendance"]["absent_without_notice"] = 0.0000000001
    data["activity"] = {
        "daily_target_minutes": 1440,
        "daily_cap_minutes": 1440,
        "entry_window_working_days": 250,
        "score_cap": 1e-300,
    }
    data["health_insurance"] = {"employee_pct": 99.999999999, "income_cap": int(MAX_MONEY)}
    response, _page = _post(editor, json.dumps(data))
    assert response.status_code == 302, _problems(_page)
    draft = PolicyRow.objects.get(name="Draf batas")
    response = editor.post(reverse("tpp:policy-simulate", args=[draft.pk]), {"periode": "2026-10"})
    sim = Simulation.objects.get(policy=draft)
    assert sim.status == Simulation.Status.DONE, sim.error
    for url in (
        reverse("tpp:policy", args=[draft.pk]),
        reverse("tpp:policies"),
        reverse("tpp:simulation", args=[sim.pk]),
        reverse("tpp:simulation-download", args=[sim.pk]),
    ):
        assert editor.get(url).status_code == 200, url
    assert simulation.recent_simulations(draft)


# --------------------------------------------------------------------------------------------------
# A draft dated like an adopted version


def test_a_draft_clashing_with_an_adopted_version_is_saved_with_a_warning(editor, pemda):
    data = national_template("2026-01-01")  # the date of the adopted policy
    data["name"] = "Revisi Januari"
    response = editor.post(reverse("tpp:policy-new"), {"data": json.dumps(data)}, follow=True)
    page = html.unescape(response.content.decode())
    draft = PolicyRow.objects.get(name="Revisi Januari")
    assert response.status_code == 200 and draft.status == PolicyRow.Status.DRAFT
    assert 'data-testid="policy-warnings"' in page and "alert-warning" in page
    assert (
        f"Sudah ada kebijakan yang berlaku mulai 1 Januari 2026 ({pemda.policy.name}); cabut dulu "
        "kebijakan itu atau ubah tanggal Berlaku mulai draf ini." in page
    )
    assert 'data-testid="policy-problems"' not in page
    # The adopt step refuses it with the same words, the date in words.
    response = editor.post(reverse("tpp:policy-adopt", args=[draft.pk]), follow=True)
    page = html.unescape(response.content.decode())
    draft.refresh_from_db()
    assert draft.status == PolicyRow.Status.DRAFT
    assert "alert-danger" in page and "berlaku mulai 1 Januari 2026" in page
    assert "Draf ini tidak ditetapkan: kebijakan lain sudah berlaku mulai tanggal yang sama" in page
    assert page.count("Sudah ada kebijakan yang berlaku mulai 1 Januari 2026") == 1  # said once
    assert "01-01-2026" not in page
    # Another date: no warning, and adopting says the date in words.
    data["effective_from"] = "2026-07-01"
    response = editor.post(reverse("tpp:policy", args=[draft.pk]), {"data": json.dumps(data)})
    page = editor.get(response["Location"]).content.decode()
    assert 'data-testid="policy-warnings"' not in page
    response = editor.post(reverse("tpp:policy-adopt", args=[draft.pk]), follow=True)
    draft.refresh_from_db()
    assert draft.status == PolicyRow.Status.ADOPTED
    assert "Kebijakan berlaku mulai 1 Juli 2026." in response.content.decode()


def test_a_draft_saved_before_the_bound_is_refused_by_name_not_with_a_server_error(
    editor, pemda, time_machine
):
    time_machine.move_to(NOW, tick=False)
    data = json.loads(json.dumps(pemda.policy.data))
    data["base_by_class"]["13"] = 10**20
    draft = PolicyRow.objects.create(
        instansi=pemda.inst, name="Draf lama", effective_from=dt.date(2026, 10, 1), data=data
    )
    response = editor.post(reverse("tpp:policy-simulate", args=[draft.pk]), {"periode": "2026-10"})
    assert response.status_code == 302 and not Simulation.objects.exists()
    response = editor.post(reverse("tpp:policy-adopt", args=[draft.pk]), follow=True)
    page = html.unescape(response.content.decode())
    assert "$.base_by_class.13: terlalu besar, paling banyak Rp1.000.000.000 sebulan" in page
    draft.refresh_from_db()
    assert draft.status == PolicyRow.Status.DRAFT
    for url in (reverse("tpp:policy", args=[draft.pk]), reverse("tpp:policies")):
        assert editor.get(url).status_code == 200


def test_a_first_band_starting_after_the_grace_is_saved_with_a_warning(editor, pemda):
    """Bands from minute 31 with no grace leave 1-30 minutes of lateness free: a Perbup may mean it
    (a 30-minute grace written another way) or the officer typed 31 for 1. Saved, with a warning
    saying which minutes deduct nothing."""
    data = national_template("2027-01-01")
    data["name"] = "Draf pita"
    data["attendance"]["grace_minutes"] = 0
    data["attendance"]["late_bands"][0][0] = 31
    data["attendance"]["late_bands"] = data["attendance"]["late_bands"][:1] + [
        b for b in data["attendance"]["late_bands"][1:] if b[0] > 31
    ]
    data["attendance"]["late_bands"][0][1] = data["attendance"]["late_bands"][1][0] - 1
    response = editor.post(reverse("tpp:policy-new"), {"data": json.dumps(data)}, follow=True)
    page = html.unescape(response.content.decode())
    assert PolicyRow.objects.get(name="Draf pita").status == PolicyRow.Status.DRAFT
    warnings = page.split('data-testid="policy-warnings"')[1].split("</div>")[0]
    assert (
        "Pita potongan terlambat masuk pertama dimulai dari menit 31, sedangkan toleransinya 0 "
        "menit: terlambat masuk 1–30 menit tidak dipotong." in warnings
    )
    assert "pulang cepat" not in warnings  # the early bands start at 1
