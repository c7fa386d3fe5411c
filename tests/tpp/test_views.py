"""TPP pages: who sees whose explanation (others: 404), the live estimate, BKPSDM's run page from
compute to lock, BPKAD's downloads, the policy editor's per-path problems and side-by-side view."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja.core.money import format_rupiah, terbilang
from ekinerja.tpp import services
from ekinerja.tpp.models import Policy as PolicyRow
from ekinerja.tpp.models import Result, Run
from ekinerja.tpp.policy import national_template
from tests.factories import InstansiFactory, UserFactory, employee_with_login, grant

from .data import OCT, D, add_staff, full_attendance, make_pemda, monthly_minutes

pytestmark = pytest.mark.django_db


@pytest.fixture
def pemda():
    p = make_pemda()
    for e in p.people.values():
        full_attendance(e)
        monthly_minutes(p, e, 12)
    return p


def _login(client, employee_or_user):
    user = getattr(employee_or_user, "user", None) or employee_or_user
    client.force_login(user)
    return client


def _locked(p):
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    run = services.run_verify(actor=p.bkpsdm1, run=run)
    return services.run_lock(actor=p.bkpsdm2, run=run)


def test_employee_sees_own_explanation_in_words_and_numbers(client, pemda):
    _locked(pemda)
    guru = pemda.people["guru"]
    r = Result.objects.get(employee=guru)
    page = _login(client, guru).get(reverse("tpp:mine") + "?periode=2026-10")
    html = page.content.decode()
    assert page.status_code == 200
    assert format_rupiah(r.net) in html and terbilang(r.net) in html
    assert format_rupiah(r.ceiling) in html
    assert "Rincian perhitungan" in html and "Menit diakui" in html and "Predikat" in html
    for label, _figure, _formula in r.detail["lines"]:
        assert label in html


def test_superior_sees_subordinate_others_get_404(client, pemda):
    _locked(pemda)
    guru, kadis, staf = (pemda.people[k] for k in ("guru", "kadis", "staf"))
    url = reverse("tpp:employee", args=[guru.pk]) + "?periode=2026-10"
    assert _login(client, kadis).get(url).status_code == 200
    assert _login(client, staf).get(url).status_code == 404
    assert _login(client, pemda.bpkad).get(url).status_code == 200
    other = InstansiFactory(code="9999")
    stranger = UserFactory(instansi=other)
    grant(stranger, "bkpsdm")
    assert _login(client, stranger).get(url).status_code == 404


def test_live_estimate_is_computed_not_stored(client, pemda, at):
    at("2026-10-14 12:00")
    staf = pemda.people["staf"]
    page = _login(client, staf).get(reverse("tpp:estimate"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Perkiraan" in html and "14 Oktober 2026" in html
    assert 'data-testid="net"' in html
    assert not Result.objects.exists() and not Run.objects.exists()
    assert (
        _login(client, pemda.people["kadis_b"])
        .get(reverse("tpp:employee-estimate", args=[staf.pk]))
        .status_code
        == 200
    )
    assert (
        _login(client, pemda.people["guru"])
        .get(reverse("tpp:employee-estimate", args=[staf.pk]))
        .status_code
        == 404
    )


def test_bkpsdm_computes_verifies_and_a_second_account_locks(client, pemda):
    _login(client, pemda.bkpsdm1)
    response = client.post(reverse("tpp:run-start"), {"periode": "2026-10"})
    run = Run.objects.get()
    assert response.status_code == 302 and response.url == reverse("tpp:run", args=[run.pk])
    assert run.state == "computed" and run.employees == 4 and not run.job_id
    page = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
    assert format_rupiah(run.total_payable) in page and "Verifikasi" in page
    client.post(reverse("tpp:run-verify", args=[run.pk]))
    page = client.get(reverse("tpp:run", args=[run.pk])).content.decode()
    assert 'data-testid="lock-hint"' in page and 'data-testid="lock"' not in page
    client.post(reverse("tpp:run-lock", args=[run.pk]))
    run.refresh_from_db()
    assert run.state == "verified"
    _login(client, pemda.bkpsdm2).post(reverse("tpp:run-lock", args=[run.pk]), {"konfirmasi": "1"})
    run.refresh_from_db()
    assert run.state == "locked" and run.locked_by == pemda.bkpsdm2
    # The list of runs names the month as it is written, not as a key.
    runs = client.get(reverse("tpp:runs")).content.decode()
    assert f'{run.pk}/">Oktober 2026</a>' in runs


def test_bpkad_downloads_and_the_month_becomes_exported(client, pemda):
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    _login(client, pemda.bpkad)
    early = client.post(reverse("tpp:download", args=[run.pk, "nominatif-xlsx"]))
    assert early.status_code == 302  # not locked yet
    run = _locked(pemda)
    # A GET (a prefetched or reloaded link) produces nothing and records nothing.
    assert client.get(reverse("tpp:download", args=[run.pk, "nominatif-xlsx"])).status_code == 405
    run.refresh_from_db()
    assert run.state == "locked" and run.exported_at is None
    xlsx = client.post(reverse("tpp:download", args=[run.pk, "nominatif-xlsx"]))
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.content), data_only=True)
    assert "Rekap" in wb.sheetnames
    unit_pdf = client.post(
        reverse("tpp:download", args=[run.pk, "nominatif-pdf"]), {"unit": pemda.opd_a.pk}
    )
    assert unit_pdf.status_code == 200 and unit_pdf.content.startswith(b"%PDF")
    for kind in ("bank-csv", "rekap-xlsx", "rekap-pdf"):
        assert client.post(reverse("tpp:download", args=[run.pk, kind])).status_code == 200
    run.refresh_from_db()
    assert run.state == "exported"
    # Employees and other instansi cannot download.
    staff = _login(client, pemda.people["staf"])
    assert staff.post(reverse("tpp:download", args=[run.pk, "bank-csv"])).status_code == 403


def test_withhold_from_the_run_page(client, pemda):
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    staf = pemda.people["staf"]
    _login(client, pemda.bkpsdm1).post(
        reverse("tpp:withhold", args=[run.pk]), {"nip": staf.nip, "reason": "LHKPN"}
    )
    r = Result.objects.get(run=run, employee=staf)
    assert r.withheld and r.payable == 0
    page = _login(client, staf).get(reverse("tpp:mine") + "?periode=2026-10").content.decode()
    assert "Ditahan" in page and "LHKPN" in page
    # Releasing pays it this month: the page asks first.
    run_page = _login(client, pemda.bkpsdm1).get(reverse("tpp:run", args=[run.pk])).content.decode()
    release = run_page.split('data-testid="withholdings"')[1]
    assert f"Lepas penahanan TPP {staf.name}? Jumlahnya dibayarkan" in release


def test_run_page_query_count_does_not_grow_with_employees(client, pemda):
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    _login(client, pemda.bkpsdm1)
    url = reverse("tpp:run", args=[run.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_staff(pemda, 30)
    services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) <= len(few.captured_queries)


def test_policy_editor_lists_problems_per_path_and_shows_the_previous_version(client, pemda):
    _login(client, pemda.bkpsdm1)
    data = national_template("2026-07-01")
    data["components"][1]["weight"] = 50
    data["attendance"]["late_bands"] = [[1, 30, 0.5], [40, None, 1]]
    page = client.post(reverse("tpp:policy-new"), {"data": json.dumps(data)})
    html = page.content.decode()
    assert page.status_code == 400
    assert "$.components</code>" in html and "late_bands" in html
    assert 'data-testid="policy-diff"' in html and pemda.policy.name in html
    assert PolicyRow.objects.count() == 1
    bad_json = client.post(reverse("tpp:policy-new"), {"data": "{nope"})
    assert bad_json.status_code == 400 and "JSON tidak valid" in bad_json.content.decode()
    # Use a template, save, adopt.
    tpl = client.get(reverse("tpp:policy-new") + "?templat=manado").content.decode()
    assert "Manado" in tpl
    good = client.post(
        reverse("tpp:policy-new"), {"data": json.dumps(national_template("2026-07-01"))}
    )
    new = PolicyRow.objects.exclude(pk=pemda.policy.pk).get()
    assert good.status_code == 302 and new.status == "draft"
    client.post(reverse("tpp:policy-adopt", args=[new.pk]))
    new.refresh_from_db()
    assert new.status == "adopted"
    # Adopted versions are read-only in the editor.
    assert client.post(reverse("tpp:policy", args=[new.pk]), {"data": "{}"}).status_code == 403


def test_policy_pages_are_bkpsdm_only_for_editing(client, pemda):
    employee = employee_with_login(pemda.inst, pemda.pos["staf"], name="Pegawai Lain")
    assert _login(client, employee).get(reverse("tpp:policies")).status_code == 403
    assert _login(client, pemda.bpkad).get(reverse("tpp:policies")).status_code == 200
    assert (
        client.post(
            reverse("tpp:policy-new"), {"data": json.dumps(national_template())}
        ).status_code
        == 403
    )


def test_progress_is_polled_while_a_job_runs_then_the_page_reloads(client, pemda):
    run = services.run_open(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    Run.objects.filter(pk=run.pk).update(job_id="antre", progress=40)
    _login(client, pemda.bkpsdm1)
    url = reverse("tpp:run-progress", args=[run.pk])
    busy = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in busy and "40%" in busy
    from ekinerja.tpp.tasks import run_compute_task

    run_compute_task(pemda.inst.pk, "2026-10", None, pemda.bkpsdm1.pk)
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done["HX-Redirect"] == reverse("tpp:run", args=[run.pk])
    run.refresh_from_db()
    assert run.state == "computed" and run.job_id == "" and run.progress == 100


def test_adjustment_form_reads_whole_rupiah_and_refuses_a_decimal_part(client, pemda):
    from ekinerja.tpp.models import Adjustment

    run = _locked(pemda)
    staf = pemda.people["staf"]
    _login(client, pemda.bkpsdm1)
    url = reverse("tpp:adjust", args=[run.pk])
    for typed in ("150000.00", "1.5", "1,5"):
        page = client.post(
            url, {"nip": staf.nip, "amount": typed, "reason": "Koreksi"}, follow=True
        )
        assert "Jumlah koreksi harus rupiah bulat" in page.content.decode()
    assert not Adjustment.objects.exists()  # "150000.00" used to be recorded as 15,000,000
    client.post(url, {"nip": staf.nip, "amount": "-Rp150.000", "reason": "Lebih bayar"})
    assert Adjustment.objects.get().amount == -150_000


def test_run_page_names_who_is_paid_without_a_bank_account(client, pemda):
    from ekinerja.org.models import Employee

    staf = pemda.people["staf"]
    Employee.objects.filter(pk=staf.pk).update(bank_account="")
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    assert Result.objects.get(run=run, employee=staf).payable > 0
    html = _login(client, pemda.bkpsdm1).get(reverse("tpp:run", args=[run.pk])).content.decode()
    assert "1 pegawai dengan TPP yang dibayarkan belum memiliki nomor rekening" in html
    assert f"{staf.name} ({staf.nip})" in html


def test_a_unit_that_is_not_a_number_is_not_found_on_download(client, pemda):
    run = _locked(pemda)
    _login(client, pemda.bpkad)
    url = reverse("tpp:download", args=[run.pk, "bank-csv"])
    assert client.post(url, {"unit": "abc"}).status_code == 404


def test_run_page_names_employees_recorded_after_the_list_was_computed(client):
    """A hire recorded after the compute is in no list: the run page names them until the list is
    computed again (and says nothing once it has been)."""
    from ekinerja.tpp import services
    from tests.factories import AssignmentFactory, EmployeeFactory, PositionFactory

    from .data import OCT, D, make_pemda

    p = make_pemda()
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    hire = EmployeeFactory(instansi=p.inst, name="Pegawai Baru Oktober")
    AssignmentFactory(
        position=PositionFactory(unit=p.opd_a, kelas=7), employee=hire, start=D(2026, 10, 20)
    )
    client.force_login(p.bkpsdm1)
    html = client.get(f"/tpp/perhitungan/{run.pk}/").content.decode()
    assert 'data-testid="not-listed"' in html and "Pegawai Baru Oktober" in html
    # Computed again, the list holds them and the warning is gone.
    run = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    html = client.get(f"/tpp/perhitungan/{run.pk}/").content.decode()
    assert 'data-testid="not-listed"' not in html


def test_a_unit_run_names_only_the_missing_employees_of_its_own_unit(client):
    from ekinerja.tpp import selectors, services
    from ekinerja.tpp.models import Run
    from tests.factories import AssignmentFactory, EmployeeFactory, PositionFactory

    from .data import OCT, D, make_pemda

    p = make_pemda()
    run_a = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT, unit=p.opd_a)
    run_b = services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT, unit=p.opd_b)
    hire = EmployeeFactory(instansi=p.inst, name="Pegawai Baru Oktober")
    AssignmentFactory(
        position=PositionFactory(unit=p.sub_a, kelas=7), employee=hire, start=D(2026, 10, 20)
    )
    assert selectors.not_in_list(Run.objects.get(pk=run_a.pk)) == (1, [hire])
    assert selectors.not_in_list(Run.objects.get(pk=run_b.pk)) == (0, [])


def test_the_attendance_card_says_what_the_deduction_is_taken_of_and_each_days_rate(client):
    """The card read "Potongan: 4,5% → Rp…" under "pot Rp…", but the policy takes the deduction of
    the ceiling, and days without a check-in showed no percentage: the figures did not add up."""
    from .data import workdays

    p = make_pemda()
    guru = p.people["guru"]
    days = workdays()
    full_attendance(guru, skip=(days[3],))  # one working day with no punch at all
    monthly_minutes(p, guru, 12)
    services.run_compute(actor=p.bkpsdm1, instansi=p.inst, period=OCT)
    r = Result.objects.get(employee=guru)
    rules = p.policy.data["attendance"]
    assert rules["deduct_from"] == "ceiling"
    html = _login(client, guru).get(reverse("tpp:mine") + "?periode=2026-10").content.decode()
    card = html.split('data-testid="card-attendance"')[1].split("</div></div></div>")[0]
    assert f"× pagu {format_rupiah(r.ceiling)}" in card
    pct = str(rules["absent_without_notice"]).replace(".", ",")
    assert f"Tanpa keterangan: 1 hari ({pct}% per hari)" in card


def test_the_history_says_a_month_not_locked_is_not_final(client, pemda):
    """ "Dibayarkan Rp…" stood beside a month only computed, as if paid."""
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    guru = pemda.people["guru"]
    url = reverse("tpp:mine") + "?periode=2026-10"
    history = _login(client, guru).get(url).content.decode().split('data-testid="history"')[1]
    assert 'data-testid="not-final"' in history and "belum final" in history
    services.run_lock(actor=pemda.bkpsdm2, run=services.run_verify(actor=pemda.bkpsdm1, run=run))
    history = client.get(url).content.decode().split('data-testid="history"')[1]
    assert 'data-testid="not-final"' not in history


def test_a_rating_given_after_the_compute_is_said_beside_the_old_predicate(client, pemda):
    """After the superior rated the month, "TPP saya" still said "Belum dinilai → 0%" with no word
    that the figure would change, while the SKP page showed the new predicate."""
    from ekinerja.performance.models import SkpEvaluation

    from .data import rate

    guru = pemda.people["guru"]
    SkpEvaluation.objects.filter(employee=guru).delete()
    services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    url = reverse("tpp:mine") + "?periode=2026-10"
    assert 'data-testid="predicate-changed"' not in _login(client, guru).get(url).content.decode()
    rate(guru, "baik")
    html = client.get(url).content.decode()
    assert 'data-testid="predicate-changed"' in html
    assert "Predikat SKP bulan ini kini Baik (dinilai setelah daftar dihitung)" in html
    services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    assert 'data-testid="predicate-changed"' not in client.get(url).content.decode()


def test_a_plh_recorded_ahead_is_not_a_superior_before_the_day(client, pemda, at):
    """A superior sees a subordinate's month as its superior on the month's last day; of a month not
    over yet, as the superior today. A one-day Plh recorded for 31 October opened the staff's
    estimate and October page on the 14th, before ever being their superior."""
    from ekinerja.org.models import Assignment
    from tests.factories import AssignmentFactory

    staf, guru = pemda.people["staf"], pemda.people["guru"]
    AssignmentFactory(
        employee=guru,
        position=pemda.pos["kadis_b"],
        kind=Assignment.Kind.PLH,
        start=D(2026, 10, 31),
        end=D(2026, 10, 31),
    )
    estimate = reverse("tpp:employee-estimate", args=[staf.pk])
    october = reverse("tpp:employee", args=[staf.pk]) + "?periode=2026-10"
    december = reverse("tpp:employee", args=[staf.pk]) + "?periode=2026-12"
    at("2026-10-14 12:00")
    _login(client, guru)
    assert client.get(estimate).status_code == 404
    assert client.get(october).status_code == 404
    assert client.get(december).status_code == 404
    _login(client, pemda.people["kadis_b"])  # the superior today sees all three
    assert [client.get(u).status_code for u in (estimate, october, december)] == [200] * 3
    # Once October is over, its superior on the 31st (the Plh) opens that month.
    at("2026-11-05 09:00")
    assert _login(client, guru).get(october).status_code == 200


def test_an_account_of_spaces_is_named_as_none_as_the_documents_say(client, pemda):
    """The run page counts the same rows the payroll documents mark "Nomor rekening belum ada"
    (exports.account_remark): an account typed as spaces is no account."""
    from ekinerja.org.models import Employee
    from ekinerja.tpp import selectors

    staf = pemda.people["staf"]
    Employee.objects.filter(pk=staf.pk).update(bank_account="   ")
    run = services.run_compute(actor=pemda.bkpsdm1, instansi=pemda.inst, period=OCT)
    count, first = selectors.without_bank_account(run)
    assert (count, [r.employee_id for r in first]) == (1, [staf.pk])
