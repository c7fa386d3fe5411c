"""Pages: each role sees its screens; the rating screen saves all subordinates in one post (htmx or
not) with errors per row; evidence is served only to the allowed people; BKPSDM's overview and lock;
the SKP PDF; constant query counts."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ekinerja.core.periods import Period
from ekinerja.performance import selectors, services
from ekinerja.performance.models import (
    PerformancePeriodLock,
    SkpEvaluation,
    SkpEvidence,
    SkpPlan,
    SkpRealisation,
)
from tests.factories import InstansiFactory, UserFactory, grant
from tests.performance.factories import agreed_plan, small_org

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def login(client, employee_or_user):
    user = getattr(employee_or_user, "user", employee_or_user)
    client.force_login(user)
    return client


@pytest.fixture
def bkpsdm(org):
    user = UserFactory(instansi=org["inst"])
    grant(user, "bkpsdm")
    return user


def test_employee_creates_and_fills_a_plan_through_the_pages(client, org, cascaded, at):
    at("2026-01-05 09:00")
    SkpPlan.objects.filter(employee=org["staf1"]).delete()
    login(client, org["staf1"])
    page = client.get(reverse("performance:my-skp"))
    assert page.status_code == 200 and "Susun SKP" in page.content.decode()
    client.post(reverse("performance:plan-create"), {"year": "2026"})
    plan = SkpPlan.objects.get(employee=org["staf1"])
    url = reverse("performance:result-create", args=[plan.pk])
    form = client.get(url).content.decode()
    # The superior's results are offered, the superior's superior's are not.
    kabid_result = cascaded["kabid"].results.first()
    assert kabid_result.text in form
    assert cascaded["kadis"].results.first().text not in form
    data = {
        "text": "Tersedianya data pokok pendidikan yang mutakhir",
        "parent_result": str(kabid_result.pk),
        "ind-TOTAL_FORMS": "1",
        "ind-INITIAL_FORMS": "0",
        "ind-MIN_NUM_FORMS": "1",
        "ind-MAX_NUM_FORMS": "10",
        "ind-0-text": "Jumlah sekolah yang datanya diverifikasi",
        "ind-0-target_quantity": "45",
        "ind-0-target_unit": "sekolah",
        "ind-0-target_quality": "100",
        "ind-0-target_months": "12",
    }
    # A result of the kadis (not the direct superior) is refused with a field error.
    bad = dict(data, parent_result=str(cascaded["kadis"].results.first().pk))
    resp = client.post(url, bad)
    assert resp.status_code == 200 and not plan.results.exists()
    assert (
        "pilihan yang valid" in resp.content.decode() or "atasan langsung" in resp.content.decode()
    )
    resp = client.post(url, data)
    assert resp.status_code == 302
    assert plan.results.get().indicators.get().target_unit == "sekolah"
    client.post(reverse("performance:plan-submit", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == "submitted"
    # The superior sees it waiting and agrees.
    login(client, org["kabid"])
    assert org["staf1"].name in client.get(reverse("performance:approvals")).content.decode()
    assert client.get(reverse("performance:plan-detail", args=[plan.pk])).status_code == 200
    client.post(reverse("performance:plan-agree", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == "agreed"


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("target_quantity", "0", "Target kuantitas harus lebih dari 0."),
        ("target_quantity", "-3", "Target kuantitas harus lebih dari 0."),
        ("target_quality", "150", "Target kualitas harus lebih dari 0 dan paling tinggi 100%."),
        ("target_months", "13", "Target waktu harus antara 1 dan 12 bulan."),
        ("target_months", "0", "Target waktu harus antara 1 dan 12 bulan."),
        ("target_quantity", "empat puluh", "Masukkan sebuah bilangan."),
    ],
)
def test_a_target_out_of_range_is_an_indonesian_error_at_its_field(
    client, org, cascaded, at, field, value, message
):
    """Target 0, quality 150% or 13 months used to answer "Batasan “skpindicator_quantity_positive”
    dilanggar." above the card: the database constraint's name, not what to correct."""
    at("2026-01-05 09:00")
    SkpPlan.objects.filter(employee=org["staf1"]).delete()
    login(client, org["staf1"])
    client.post(reverse("performance:plan-create"), {"year": "2026"})
    plan = SkpPlan.objects.get(employee=org["staf1"])
    data = {
        "text": "Tersedianya data pokok pendidikan yang mutakhir",
        "parent_result": str(cascaded["kabid"].results.first().pk),
        "ind-TOTAL_FORMS": "1",
        "ind-INITIAL_FORMS": "0",
        "ind-MIN_NUM_FORMS": "1",
        "ind-MAX_NUM_FORMS": "10",
        "ind-0-text": "Jumlah sekolah yang datanya diverifikasi",
        "ind-0-target_quantity": "45",
        "ind-0-target_unit": "sekolah",
        "ind-0-target_quality": "100",
        "ind-0-target_months": "12",
        f"ind-0-{field}": value,
    }
    resp = client.post(reverse("performance:result-create", args=[plan.pk]), data)
    assert resp.status_code == 200 and not plan.results.exists()
    html = resp.content.decode()
    assert "Batasan" not in html and "skpindicator" not in html
    # Next to its input, and what was typed is still there.
    field_html = html[html.index(f'name="ind-0-{field}"') :]
    assert f'<div class="invalid-feedback">{message}</div>' in field_html[:600]
    assert "Tersedianya data pokok pendidikan yang mutakhir" in html


def test_plan_of_another_instansi_is_404_and_peers_cannot_see_plans(client, org, cascaded, at):
    at("2026-03-05 09:00")
    other = small_org(InstansiFactory(timezone="Asia/Makassar"))
    login(client, other["kabid"])
    assert (
        client.get(reverse("performance:plan-detail", args=[cascaded["staf1"].pk])).status_code
        == 404
    )
    login(client, org["staf2"])
    assert (
        client.get(reverse("performance:plan-detail", args=[cascaded["staf1"].pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("performance:plan-pdf", args=[cascaded["staf1"].pk])).status_code == 404
    )
    login(client, org["kabid"])
    assert (
        client.get(reverse("performance:plan-detail", args=[cascaded["staf1"].pk])).status_code
        == 200
    )


def test_skp_pdf_in_the_familiar_layout(client, org, cascaded, at):
    at("2026-03-05 09:00")
    login(client, org["staf1"])
    resp = client.get(reverse("performance:plan-pdf", args=[cascaded["staf1"].pk]))
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF-")
    assert f"SKP-2026-v1-budi-santoso-{org['staf1'].nip}.pdf" in resp["Content-Disposition"]
    from django.template.loader import render_to_string

    from ekinerja.performance.views import _plan_context

    class R:
        user = org["staf1"].user

    plan = selectors.plan_detail_queryset().get(pk=cascaded["staf1"].pk)
    ctx = _plan_context(R, plan, dt.date(2026, 3, 5))
    html = render_to_string("performance/skp_pdf.html", dict(ctx, printed_on=dt.date(2026, 3, 5)))
    for heading in [
        "SASARAN KINERJA PEGAWAI",
        "PEGAWAI YANG DINILAI",
        "PEJABAT PENILAI KINERJA",
        "RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI",
        "INDIKATOR KINERJA INDIVIDU",
        "PERILAKU KERJA",
        "EKSPEKTASI KHUSUS PIMPINAN",
        "Berorientasi Pelayanan",
        "Kolaboratif",
        "Pejabat Penilai Kinerja",
        "Pengelola Data Pendidikan",  # the employee's post (today's, the plan has no snapshot)
        "Kepala Bidang Pembinaan SD",  # the appraiser's post
    ]:
        assert heading in html


def rating_post(org, period_key, values):
    data = {"periode": period_key}
    for who, (results, behaviour) in values.items():
        data[f"hasil-{org[who].pk}"] = results
        data[f"perilaku-{org[who].pk}"] = behaviour
    return data


def test_superior_rates_three_subordinates_in_one_post(client, org, cascaded, at):
    at("2026-11-03 09:00")
    login(client, org["kabid"])
    page = client.get(reverse("performance:rating"))
    body = page.content.decode()
    assert page.status_code == 200
    for who in ("staf1", "staf2", "staf3"):
        assert org[who].name in body
    assert "Oktober 2026" in body and "5 November 2026" in body
    url = reverse("performance:rating") + "?periode=2026-10"
    resp = client.post(
        url,
        rating_post(
            org,
            "2026-10",
            {
                "staf1": ("above", "above"),
                "staf2": ("as_expected", "as_expected"),
                "staf3": ("below", "as_expected"),
            },
        ),
        HTTP_HX_REQUEST="true",
    )
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'id="rating-sheet"' in html and "<html" not in html  # the partial only
    assert "Penilaian 3 pegawai" in html
    got = selectors.predicate_month([org[w] for w in ("staf1", "staf2", "staf3")], Period(2026, 10))
    assert list(got.values()) == ["sangat_baik", "baik", "butuh_perbaikan"]


def test_rating_form_errors_per_row_and_nothing_saved(client, org, cascaded, at):
    at("2026-11-03 09:00")
    login(client, org["kabid"])
    resp = client.post(
        reverse("performance:rating") + "?periode=2026-10",
        rating_post(org, "2026-10", {"staf1": ("above", "above"), "staf2": ("above", "")}),
    )
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Pilih penilaian perilaku kerja." in html
    assert not SkpEvaluation.objects.exists()
    # What was chosen stays chosen.
    assert f'id="hasil-{org["staf1"].pk}-above" value="above" autocomplete="off" checked' in html


def test_rating_page_query_count_does_not_grow_with_subordinates(
    client, org, cascaded, at, django_assert_max_num_queries
):
    october = selectors.period_containing(
        selectors.performance_settings(org["inst"]), Period(2026, 10)
    )
    at("2026-10-20 09:00")
    ind = cascaded["staf1"].results.first().indicators.first()
    services.realisation_save(
        actor=org["staf1"].user,
        indicator=ind,
        period=october,
        description="ok",
        files=[SimpleUploadedFile("a.pdf", PDF)],
    )
    at("2026-11-03 09:00")
    login(client, org["kabid"])
    url = reverse("performance:rating") + "?periode=2026-10"
    client.get(url)  # warm caches (session, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as three:
        client.get(url)
    # Three more subordinates, each with a plan, realisation and evidence.
    from tests.factories import employee_with_login

    staff_pos = org["staf1"].assignments.get().position
    for n in range(3):
        emp = employee_with_login(org["inst"], staff_pos, name=f"Tambahan {n}")
        plan = agreed_plan(emp, 2026, parents=list(cascaded["kabid"].results.all()))
        ind = plan.results.first().indicators.first()
        at("2026-10-20 09:00")
        services.realisation_save(
            actor=emp.user,
            indicator=ind,
            period=october,
            description="ok",
            files=[SimpleUploadedFile("a.pdf", PDF)],
        )
    at("2026-11-03 09:00")
    with CaptureQueriesContext(connection) as six:
        resp = client.get(url)
    assert resp.content.decode().count('data-testid="rating-row"') == 6
    assert len(six) == len(three), [q["sql"] for q in six.captured_queries]
    # Among them: the activities linked to the results, the periods BKPSDM reopened, and those
    # who left during the period (selectors.departed_raters).
    assert len(six) <= 25


def test_predicate_preview(client, org, at):
    login(client, org["kabid"])
    resp = client.get(
        reverse("performance:predicate-preview"),
        {"row": "7", "hasil-7": "above", "perilaku-7": "below"},
    )
    assert "Kurang/Misconduct" in resp.content.decode()


def test_evidence_is_served_only_to_owner_superior_and_bkpsdm(client, org, cascaded, at, bkpsdm):
    at("2026-10-20 09:00")
    period = selectors.period_containing(
        selectors.performance_settings(org["inst"]), Period(2026, 10)
    )
    ind = cascaded["staf1"].results.first().indicators.first()
    services.realisation_save(
        actor=org["staf1"].user,
        indicator=ind,
        period=period,
        description="Laporan",
        files=[SimpleUploadedFile("laporan saya.pdf", PDF)],
    )
    evidence = SkpEvidence.objects.get()
    url = reverse("performance:evidence", args=[evidence.pk])
    for allowed in (org["staf1"], org["kabid"], bkpsdm):
        login(client, allowed)
        resp = client.get(url)
        assert resp.status_code == 200, allowed
        assert resp["Content-Type"] == "application/pdf"
        # Served as the type it was checked to be, sandboxed: no script on our origin.
        assert resp["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in resp["Content-Security-Policy"]
        assert b"".join(resp.streaming_content) == PDF
    other = small_org(InstansiFactory(timezone="Asia/Makassar"))
    for refused in (org["staf2"], org["kadis"], other["kabid"]):
        login(client, refused)
        assert client.get(url).status_code == 404, refused
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_realisation_page_upload_and_bad_file_error(client, org, cascaded, at):
    at("2026-10-20 09:00")
    login(client, org["staf1"])
    page = client.get(reverse("performance:realisation"))
    assert page.status_code == 200 and "Oktober 2026" in page.content.decode()
    ind = cascaded["staf1"].results.first().indicators.first()
    prefix = f"i{ind.pk}"
    resp = client.post(
        reverse("performance:realisation") + "?periode=2026-10",
        {
            "indicator": ind.pk,
            "periode": "2026-10",
            f"{prefix}-quantity": "2",
            f"{prefix}-description": "Dua laporan",
            f"{prefix}-files": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00not a pdf"),
        },
    )
    assert resp.status_code == 200
    assert "bukan PDF, JPG atau PNG" in resp.content.decode()
    assert not SkpEvidence.objects.exists()
    resp = client.post(
        reverse("performance:realisation") + "?periode=2026-10",
        {
            "indicator": ind.pk,
            "periode": "2026-10",
            f"{prefix}-quantity": "2",
            f"{prefix}-description": "Dua laporan",
            f"{prefix}-files": SimpleUploadedFile("laporan.pdf", PDF),
        },
    )
    assert resp.status_code == 302
    assert SkpEvidence.objects.get().original_name == "laporan.pdf"


@pytest.mark.parametrize("meanwhile", ["locked", "rated"])
def test_a_realisation_refused_after_the_form_closed_says_so_with_what_was_typed(
    client, org, cascaded, at, bkpsdm, meanwhile
):
    """The page was opened, then BKPSDM locked October (or the superior rated it) before "Simpan":
    the answer used to be the page without the form and without a word, the text typed gone."""
    at("2026-10-20 09:00")
    ind = cascaded["staf1"].results.first().indicators.first()
    if meanwhile == "locked":
        services.period_lock(actor=bkpsdm, instansi=org["inst"], month=Period(2026, 10))
        why = "telah dikunci BKPSDM"
    else:
        at("2026-10-31 09:00")
        period = selectors.period_containing(
            selectors.performance_settings(org["inst"]), Period(2026, 10)
        )
        services.evaluation_rate(
            actor=org["kabid"].user,
            employee=org["staf1"],
            period=period,
            results="as_expected",
            behaviour="as_expected",
        )
        why = "Atasan sudah menilai periode ini"
    login(client, org["staf1"])
    prefix = f"i{ind.pk}"
    resp = client.post(
        reverse("performance:realisation") + "?periode=2026-10",
        {
            "indicator": ind.pk,
            "periode": "2026-10",
            f"{prefix}-quantity": "3",
            f"{prefix}-description": "Tiga laporan dapodik diverifikasi",
        },
    )
    assert resp.status_code == 200
    html = resp.content.decode()
    card = html[html.index(f'id="ind-{ind.pk}"') :]
    card = card[: card.find('id="ind-', 10)]  # up to the next indicator
    assert 'data-testid="realisation-not-saved"' in card
    assert why in card and "Realisasi ini belum disimpan" in card
    assert "3 dokumen — " in card and "Tiga laporan dapodik diverifikasi" in card
    assert not SkpRealisation.objects.exists()


def test_bkpsdm_overview_lists_unrated_per_unit_and_locks(client, org, cascaded, at, bkpsdm):
    at("2026-11-03 09:00")
    services.evaluation_rate(
        actor=org["kabid"].user,
        employee=org["staf1"],
        period=selectors.period_containing(
            selectors.performance_settings(org["inst"]), Period(2026, 10)
        ),
        results="above",
        behaviour="above",
    )
    login(client, org["kabid"])
    assert client.get(reverse("performance:overview")).status_code == 403
    login(client, bkpsdm)
    resp = client.get(reverse("performance:overview") + "?periode=2026-10")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert 'data-testid="rated-total">1<' in html and 'data-testid="unrated-total">4<' in html
    assert "Citra Lestari" in html and "Dinas Pendidikan" in html
    # Reminder: deadline 5 November is within 3 days; the kabid still has two to rate.
    assert "Ahmad Fauzi" in html.split('data-testid="reminders"')[1]
    resp = client.post(
        reverse("performance:overview-lock"), {"bulan": "2026-10", "periode": "2026-10"}
    )
    assert resp.status_code == 302
    assert PerformancePeriodLock.objects.filter(year=2026, month=10).exists()


def test_overview_query_count_is_constant(org, cascaded, at, django_assert_max_num_queries):
    at("2026-11-03 09:00")
    period = selectors.period_containing(
        selectors.performance_settings(org["inst"]), Period(2026, 10)
    )
    # Six, and one for who left during the period (selectors.departed_raters).
    with django_assert_max_num_queries(7):
        rows = selectors.rating_overview(org["inst"], period, today=dt.date(2026, 11, 3))
    assert rows[0].total == 5 and rows[0].rated == 0
    # Six, plus one for the periods BKPSDM reopened (none here) and one for who left.
    with django_assert_max_num_queries(8):
        reminders = selectors.rating_reminders(org["inst"], today=dt.date(2026, 11, 3))
    assert {r.superior.name for r in reminders} == {"Ahmad Fauzi", "Hj. Siti Rahmah"}
    assert [e.name for e in next(r for r in reminders if r.superior == org["kabid"]).pending] == [
        "Budi Santoso",
        "Citra Lestari",
        "Dewi Anggraini",
    ]


def test_no_reminder_long_before_the_deadline(org, cascaded, at):
    # On 20 October the October deadline (5 November) is 16 days away.
    assert selectors.rating_reminders(org["inst"], today=dt.date(2026, 10, 20)) == []


def test_settings_page_for_bkpsdm(client, org, at, bkpsdm):
    at("2026-11-03 09:00")
    login(client, bkpsdm)
    resp = client.post(
        reverse("performance:settings"),
        {"evaluation_period_months": "4", "rating_deadline_day": "5", "reminder_days": "3"},
    )
    assert resp.status_code == 200  # refused with an error, nothing stored
    resp = client.post(
        reverse("performance:settings"),
        {"evaluation_period_months": "3", "rating_deadline_day": "10", "reminder_days": "2"},
    )
    assert resp.status_code == 302
    assert selectors.performance_settings(org["inst"]).evaluation_period_months == 3
    login(client, org["staf1"])
    assert client.get(reverse("performance:settings")).status_code == 403


def test_employee_pages_render(client, org, cascaded, at):
    at("2026-11-03 09:00")
    services.evaluation_rate(
        actor=org["kabid"].user,
        employee=org["staf1"],
        period=selectors.period_containing(
            selectors.performance_settings(org["inst"]), Period(2026, 10)
        ),
        results="below",
        behaviour="below",
    )
    login(client, org["staf1"])
    html = client.get(reverse("performance:my-skp")).content.decode()
    assert "Sangat Kurang" in html and "Disetujui" in html
    ev = SkpEvaluation.objects.get()
    assert client.get(reverse("performance:evaluation-detail", args=[ev.pk])).status_code == 200
    login(client, org["staf2"])
    assert client.get(reverse("performance:evaluation-detail", args=[ev.pk])).status_code == 404


def test_ids_and_years_are_never_written_with_thousand_separators(client, org, cascaded, at):
    """USE_THOUSAND_SEPARATOR would turn id 123456 into "123.456" in field names and 2026 into
    "2.026" in links; the pages switch localisation off for them."""
    from tests.factories import EmployeeFactory

    at("2026-11-03 09:00")
    staff_pos = org["staf1"].assignments.get().position
    big = EmployeeFactory(id=123456, instansi=org["inst"], name="Zaenal Big Id")
    from tests.factories import AssignmentFactory

    AssignmentFactory(position=staff_pos, employee=big)
    agreed_plan(big, 2026, parents=list(cascaded["kabid"].results.all()))
    login(client, org["kabid"])
    html = client.get(reverse("performance:rating") + "?periode=2026-10").content.decode()
    assert 'name="hasil-123456"' in html and "123.456" not in html
    client.post(
        reverse("performance:rating") + "?periode=2026-10",
        {"periode": "2026-10", "hasil-123456": "above", "perilaku-123456": "as_expected"},
    )
    assert selectors.predicate_month([123456], Period(2026, 10)) == {123456: "baik"}
    login(client, org["staf1"])
    html = client.get(reverse("performance:my-skp")).content.decode()
    assert "?tahun=2026" in html and "2.026" not in html


def test_a_post_for_a_period_that_closed_meanwhile_is_not_applied_elsewhere(
    client, org, cascaded, at
):
    """The form was shown for October on 5 November; saved on 6 November it must not rate
    November instead."""
    at("2026-11-06 09:00")
    login(client, org["kabid"])
    resp = client.post(
        reverse("performance:rating"),
        rating_post(org, "2026-10", {"staf1": ("above", "above")}),
        HTTP_HX_REQUEST="true",
    )
    assert resp.status_code == 204 and resp["HX-Redirect"] == reverse("performance:rating")
    assert not SkpEvaluation.objects.exists()


def test_a_superior_is_reminded_on_the_home_page_before_the_rating_deadline(
    client, org, cascaded, at
):
    """The rating page said "batas penilaian 5 Desember 2026 · 15 belum dinilai" on the deadline
    itself, but the home page only spoke of the activity inbox: an unrated month pays the SKP
    component at the policy's "not rated" value."""
    at("2026-10-20 09:00")  # the October deadline (5 November) is 16 days away: no reminder
    login(client, org["kabid"])
    assert 'data-testid="home-rating-due"' not in client.get(reverse("home")).content.decode()
    at("2026-11-03 09:00")
    login(client, org["kabid"])  # two weeks later: a new session
    html = client.get(reverse("home")).content.decode()
    due = html.split('data-testid="home-rating-due"')[1].split("</div>")[0]
    assert "3 bawahan belum dinilai SKP-nya untuk" in due and "5 November 2026" in due
    assert "sisa 2 hari" in due and "?periode=2026-10" in due
    # An employee who leads nobody gets no such card.
    login(client, org["staf1"])
    assert 'data-testid="home-rating-due"' not in client.get(reverse("home")).content.decode()


def test_the_overview_counts_who_left_during_the_period_with_their_rater(org, cascaded, at):
    """Citra retired on 20 October (post ended, deactivated): October's TPP still takes her
    predicate, and her kabid of that day rates her. Before, the overview left her out of both the
    count and the list of those not yet rated, so BKPSDM saw the OPD complete without her."""
    from ekinerja.org.models import Assignment, Employee

    at("2026-11-03 09:00")
    citra = Employee.objects.get(instansi=org["inst"], name="Citra Lestari")
    Assignment.objects.filter(employee=citra).update(end=dt.date(2026, 10, 20))
    Employee.objects.filter(pk=citra.pk).update(is_active=False)
    period = selectors.period_containing(
        selectors.performance_settings(org["inst"]), Period(2026, 10)
    )
    rows = selectors.rating_overview(org["inst"], period, today=dt.date(2026, 11, 3))
    assert rows[0].total == 5 and rows[0].rated == 0
    assert (citra.pk, org["kabid"].pk) in {(e.pk, s.pk) for e, s in rows[0].unrated if s}
    # Her kabid is reminded of her with the others (deadline 5 November).
    reminders = selectors.rating_reminders(org["inst"], today=dt.date(2026, 11, 3))
    kabid = next(r for r in reminders if r.superior == org["kabid"])
    assert citra in kabid.pending
    # Rated by her kabid, she counts as rated.
    services.evaluation_rate(
        actor=org["kabid"].user,
        employee=citra,
        period=period,
        results="as_expected",
        behaviour="as_expected",
    )
    rows = selectors.rating_overview(org["inst"], period, today=dt.date(2026, 11, 3))
    assert rows[0].total == 5 and rows[0].rated == 1
    assert citra.pk not in {e.pk for e, _s in rows[0].unrated}


def test_someone_deactivated_long_ago_with_the_post_left_open_is_not_to_rate(org, cascaded, at):
    """Deactivated in March with the post not ended: there is no last day to go by, so they stay
    out (as in the reports and the stored attendance). Before, they counted as "left during" every
    later period: on October's overview as not rated, on the kabid's sheet and reminders."""
    from ekinerja.org.models import Employee

    at("2026-03-10 09:00")
    Employee.objects.filter(pk=org["staf3"].pk).update(is_active=False)
    at("2026-11-03 09:00")
    today = dt.date(2026, 11, 3)
    october = selectors.period_containing(
        selectors.performance_settings(org["inst"]), Period(2026, 10)
    )
    rows = selectors.rating_overview(org["inst"], october, today=today)
    assert org["staf3"].pk not in {e.pk for r in rows for e, _s in r.unrated}
    sheet = selectors.rating_sheet(org["kabid"], october, today=today)
    assert org["staf3"].pk not in [row.employee.pk for row in sheet]
    reminders = selectors.rating_reminders(org["inst"], today=today)
    assert org["staf3"].pk not in {e.pk for r in reminders for e in r.pending}


def test_a_reason_longer_than_kept_is_said_to_be_too_long_not_missing(client, org, cascaded, at):
    """A 2,400-character return note or revision reason was answered "write a reason"."""
    from django.contrib.messages import get_messages

    from ekinerja.performance.models import SkpPlan

    at("2026-01-05 09:00")
    plan = cascaded["staf1"]
    SkpPlan.objects.filter(pk=plan.pk).update(status="submitted", effective_from=None)
    client.force_login(org["kabid"].user)
    response = client.post(
        reverse("performance:plan-return", args=[plan.pk]), {"note": "Perbaiki indikator. " * 120}
    )
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("paling banyak 2.000 karakter" in m for m in said), said
    plan.refresh_from_db()
    assert plan.status == "submitted"
    at("2026-05-05 09:00")
    SkpPlan.objects.filter(pk=plan.pk).update(status="agreed", effective_from="2026-01-01")
    client.force_login(org["staf1"].user)
    response = client.post(
        reverse("performance:plan-revise", args=[plan.pk]), {"reason": "Perubahan tugas. " * 130}
    )
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("paling banyak 2.000 karakter" in m for m in said), said


def test_a_negative_target_time_gets_the_range_message():
    from ekinerja.performance.forms import IndicatorForm

    form = IndicatorForm(
        data={
            "text": "Indikator",
            "target_quantity": "1",
            "target_unit": "dokumen",
            "target_quality": "100",
            "target_months": "-1",
        }
    )
    assert not form.is_valid()
    assert form.errors["target_months"] == ["Target waktu harus antara 1 dan 12 bulan."]
