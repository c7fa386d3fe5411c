"""SKP in a real browser: a superior rates three subordinates on one screen (htmx, one form) and the
predicates follow the PermenPANRB 6/2022 matrix; the employee's SKP, the realisation page and
BKPSDM's overview on a phone and a desktop. Screenshots go to docs/screenshots/."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ekinerja.core.clock import local_today
from ekinerja.core.periods import Period
from ekinerja.performance import selectors, services
from ekinerja.performance.models import SkpEvaluation, SkpPlan
from tests.factories import EmployeeFactory, InstansiFactory, UserFactory, grant
from tests.performance.factories import agreed_plan, small_org

from .conftest import PASSWORD, clipped_tables, login, no_horizontal_scroll, screenshot

pytestmark = pytest.mark.e2e
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def kinerja(transactional_db):
    """Dinas Pendidikan: Kepala Dinas > Kepala Bidang > three staff, agreed plans cascading down for
    this year and last year, one realisation with evidence; a BKPSDM account."""
    org = small_org(InstansiFactory(code="6301", name="Pemerintah Kabupaten Tanah Laut"))
    today = local_today(org["inst"])
    for year in (today.year - 1, today.year):
        kadis = agreed_plan(org["kadis"], year)
        kabid = agreed_plan(
            org["kabid"], year, parents=list(kadis.results.all()), appraiser=org["kadis"]
        )
        for key in ("staf1", "staf2", "staf3"):
            agreed_plan(org[key], year, parents=list(kabid.results.all()), appraiser=org["kabid"])
    cfg = selectors.performance_settings(org["inst"])
    period = selectors.ratable(cfg, today)[-1]  # the running month: always open for rating
    plan = selectors.plan_in_force(org["staf1"], period.start)
    services.realisation_save(
        actor=org["staf1"].user,
        indicator=plan.results.first().indicators.first(),
        period=period,
        quantity=1,
        description="Satu laporan dapodik diverifikasi",
        files=[SimpleUploadedFile("laporan-dapodik.pdf", PDF)],
    )
    bkpsdm = UserFactory(instansi=org["inst"], username="bkpsdm.tala", password=PASSWORD)
    grant(bkpsdm, "bkpsdm")
    org["bkpsdm"] = bkpsdm
    org["period"] = period
    return org


def _choose(page, employee, field: str, value: str):
    page.click(f'label[for="{field}-{employee.pk}-{value}"]')


def test_superior_rates_three_subordinates_on_one_screen(kinerja, live_server, phone_page, page):
    org, period = kinerja, kinerja["period"]
    url = f"{live_server.url}/kinerja/penilaian/?periode={period.key}"

    # On a phone first: the three subordinates are on one screen, nothing scrolls sideways.
    login(phone_page, live_server, org["kabid"].nip)
    phone_page.goto(url)
    rows = phone_page.locator('[data-testid="rating-row"]')
    assert rows.count() == 3
    assert no_horizontal_scroll(phone_page)
    assert "Realisasi: 1/2 indikator dilaporkan" in rows.nth(0).inner_text()
    # Each card not rated yet says so (the count alone did not say who).
    assert phone_page.locator('[data-testid="unrated-mark"]').count() == 3
    screenshot(phone_page, "kinerja-penilaian-phone")

    # On the desktop: choose the six ratings; each row previews its predicate (htmx).
    login(page, live_server, org["kabid"].nip)
    page.goto(url)
    wanted = {
        "staf1": ("above", "above", "Sangat Baik"),
        "staf2": ("above", "below", "Kurang/Misconduct"),
        "staf3": ("below", "as_expected", "Butuh Perbaikan"),
    }
    for key, (results, behaviour, label) in wanted.items():
        emp = org[key]
        _choose(page, emp, "hasil", results)
        _choose(page, emp, "perilaku", behaviour)
        page.wait_for_function(
            f"document.querySelector('#pred-{emp.pk}').innerText.includes('{label}')"
        )
    page.fill(f"#catatan-{org['staf2'].pk}", "Hasil kerja baik, tetapi sering tidak hadir apel.")
    page.click('[data-testid="save-ratings"]')
    page.wait_for_selector("text=Penilaian 3 pegawai")
    assert "belum dinilai" not in page.inner_text("#rating-sheet")
    screenshot(page, "kinerja-penilaian")

    # Saved in one post, with the matrix's predicates; the selector the TPP run uses agrees.
    evs = {ev.employee_id: ev for ev in SkpEvaluation.objects.filter(period_start=period.start)}
    assert {evs[org[k].pk].predicate for k in wanted} == {
        "sangat_baik",
        "kurang",
        "butuh_perbaikan",
    }
    assert evs[org["staf2"].pk].note.startswith("Hasil kerja baik")
    month = Period.of(period.start)
    assert selectors.predicate_month([org["staf1"], org["staf3"]], month) == {
        org["staf1"].pk: "sangat_baik",
        org["staf3"].pk: "butuh_perbaikan",
    }

    # The stored ratings come back checked after a reload (the form is the record).
    page.goto(url)
    assert page.is_checked(f"#perilaku-{org['staf2'].pk}-below")


def test_an_incomplete_row_is_refused_and_nothing_saved(kinerja, live_server, page):
    org, period = kinerja, kinerja["period"]
    login(page, live_server, org["kabid"].nip)
    page.goto(f"{live_server.url}/kinerja/penilaian/?periode={period.key}")
    _choose(page, org["staf1"], "hasil", "above")
    _choose(page, org["staf1"], "perilaku", "above")
    _choose(page, org["staf2"], "hasil", "as_expected")  # behaviour left empty
    page.click('[data-testid="save-ratings"]')
    page.wait_for_selector('[data-testid="row-error"]')
    assert "Pilih penilaian perilaku kerja." in page.inner_text('[data-testid="row-error"]')
    # What was chosen is still chosen; nothing is stored.
    assert page.is_checked(f"#hasil-{org['staf1'].pk}-above")
    assert not SkpEvaluation.objects.exclude(predicate="").exists()


def test_employee_skp_and_realisation_on_a_phone(kinerja, live_server, phone_page):
    org = kinerja
    login(phone_page, live_server, org["staf1"].nip)
    phone_page.goto(f"{live_server.url}/kinerja/")
    assert phone_page.inner_text('[data-testid="plan-status"]') == "Disetujui"
    assert phone_page.locator('[data-testid="result"]').count() == 2
    # Each target figure says what it is.
    assert "Target: 12 dokumen · kualitas 100% · waktu 12 bulan" in phone_page.inner_text(
        '[data-testid="indicator"] >> nth=0'
    )
    # No superior wrote an expectation: no column of "-", the guide has the phone's width.
    behaviours = phone_page.locator('[data-testid="behaviours"]')
    assert behaviours.locator("th").count() == 1
    assert phone_page.locator('[data-testid="no-expectations"]').is_visible()
    guide = behaviours.locator("tbody td >> nth=0").bounding_box()["width"]
    assert guide >= behaviours.bounding_box()["width"] - 1
    assert no_horizontal_scroll(phone_page)
    screenshot(phone_page, "kinerja-skp-saya-phone")
    # The realisation was saved for the running month; in a month's first days the page opens on
    # the previous one (still open until its deadline), so the month is named.
    phone_page.goto(f"{live_server.url}/kinerja/realisasi/?periode={org['period'].key}")
    assert "laporan-dapodik.pdf" in phone_page.content()
    assert "kualitas 100% · waktu 12 bulan" in phone_page.inner_text('[data-testid="indicator"]')
    assert no_horizontal_scroll(phone_page)
    screenshot(phone_page, "kinerja-realisasi-phone")
    # The PDF of the SKP opens.
    response = phone_page.request.get(
        f"{live_server.url}/kinerja/skp/{selectors.latest_plan(org['staf1'], dt.date.today().year).pk}/pdf/"
    )
    assert response.ok and response.headers["content-type"] == "application/pdf"


def test_bkpsdm_overview_of_who_is_not_rated(kinerja, live_server, page):
    org, period = kinerja, kinerja["period"]
    services.evaluation_rate(
        actor=org["kabid"].user,
        employee=org["staf1"],
        period=period,
        results="as_expected",
        behaviour="as_expected",
    )
    login(page, live_server, "bkpsdm.tala")
    page.goto(f"{live_server.url}/kinerja/rekap/?periode={period.key}")
    assert page.inner_text('[data-testid="rated-total"]') == "1"
    assert page.inner_text('[data-testid="unrated-total"]') == "4"
    page.click("text=Daftar yang belum dinilai")
    assert "Citra Lestari" in page.inner_text('[data-testid="overview-table"]')
    screenshot(page, "kinerja-rekap-bkpsdm")


def test_the_rating_screen_shows_the_activities_behind_a_result(
    kinerja, live_server, phone_page, page
):
    """Issue 5, item 3: per SKP result the superior sees how many approved daily activities serve it
    and, on a tap, the list itself (loaded from the activities app with htmx)."""
    from django.utils import timezone

    from ekinerja.activities.models import ActivityCatalogItem, ActivityEntry

    org, period = kinerja, kinerja["period"]
    staf1 = org["staf1"]
    result = selectors.plan_in_force(staf1, period.start).results.first()
    item = ActivityCatalogItem.objects.create(
        instansi=org["inst"],
        code="P01",
        name="Memverifikasi data pokok sekolah",
        output_unit="sekolah",
        standard_minutes=45,
        active_from=dt.date(2020, 1, 1),
    )
    day = period.start
    rows = [  # (start hour, volume, status, credited minutes)
        (8, 2, "approved", 90),
        (10, 1, "approved", 45),
        (13, 1, "submitted", 0),
    ]
    for hour, volume, status, credited in rows:
        ActivityEntry.objects.create(
            instansi=org["inst"],
            employee=staf1,
            date=day,
            start_time=dt.time(hour),
            end_time=dt.time(hour + 2),
            item=item,
            volume=volume,
            description=f"Sekolah gugus {hour}",
            minutes_per_unit=45,
            status=status,
            credited_minutes=credited,
            skp_result=result,
            verified_by=org["kabid"] if status == "approved" else None,
            verified_at=timezone.now() if status == "approved" else None,
        )
    url = f"{live_server.url}/kinerja/penilaian/?periode={period.key}"

    for p in (phone_page, page):
        login(p, live_server, org["kabid"].nip)
        p.goto(url)
        row = p.locator(f'[data-testid="rating-row"][data-nip="{staf1.nip}"]')
        assert "2 aktivitas terkait (135 menit)" in row.inner_text()
        row.locator("summary").click()
        linked = row.locator(f'[data-testid="linked-activities"][data-result="{result.pk}"]')
        assert linked.locator('[data-testid="linked-count"]').inner_text() == "2"
        assert linked.locator('[data-testid="linked-minutes"]').inner_text() == "135"
        linked.locator('[data-testid="linked-open"]').click()
        table = linked.locator('[data-testid="skp-activities-table"]')
        table.wait_for()
        assert table.locator('[data-testid="skp-activity"]').count() == 3
        assert table.locator('[data-testid="skp-activity"][data-status="approved"]').count() == 2
        assert linked.locator('[data-testid="skp-activities-minutes"]').inner_text() == "135"
        assert "Memverifikasi data pokok sekolah" in table.inner_text()
        # Nothing else on the sheet changed: the ratings can still be chosen and saved.
        assert p.locator('[data-testid="save-ratings"]').is_visible()
    assert no_horizontal_scroll(phone_page)
    assert not clipped_tables(phone_page)
    screenshot(phone_page, "kinerja-penilaian-aktivitas-phone")
    screenshot(page, "kinerja-penilaian-aktivitas")


def test_bkpsdm_reopens_a_locked_month_on_a_phone(kinerja, live_server, phone_page):
    """Buka kembali periode: the overview links the locked month to its page, which says that TPP
    runs already locked are not recomputed; a short reason is a field error; after reopening the
    month shows "Kunci" again and the lock history keeps who locked, who reopened and why."""
    org, period = kinerja, kinerja["period"]
    # The officer is named as people know her, not by her login.
    officer = EmployeeFactory(
        instansi=org["inst"], user=org["bkpsdm"], name="Rina Wulandari", back_title="S.Sos."
    )
    month = period.month_periods[0]
    services.period_lock(actor=org["bkpsdm"], instansi=org["inst"], month=month)
    page = phone_page
    login(page, live_server, "bkpsdm.tala")
    page.goto(f"{live_server.url}/kinerja/rekap/?periode={period.key}")
    with page.expect_navigation():
        page.click(f'[data-testid="reopen-{month}"]')
    assert "TIDAK dihitung ulang" in page.inner_text('[data-testid="tpp-warning"]')
    assert f"Dikunci oleh {officer.full_name} pada" in page.inner_text("main")
    page.fill("#id_reason", "salah input")
    with page.expect_navigation():
        page.click("text=Buka kembali periode >> nth=-1")
    assert "sedikitnya 20 karakter" in page.inner_text(".invalid-feedback")
    assert no_horizontal_scroll(page)
    screenshot(page, "kinerja-buka-kembali-phone")
    reason = "Penilaian Budi Santoso terisi untuk pegawai yang salah; diulang atasan."
    page.fill("#id_reason", reason)
    with page.expect_navigation():
        page.click("text=Buka kembali periode >> nth=-1")
    history = page.inner_text('[data-testid="lock-history"]')
    assert reason in history and history.count(f"oleh {officer.full_name}") == 2
    assert "bkpsdm.tala" not in history
    assert f"Kunci {month.label}" in page.inner_text('[data-testid="month-locks"]')
    assert no_horizontal_scroll(page)
    page.locator('[data-testid="lock-history"]').scroll_into_view_if_needed()
    screenshot(page, "kinerja-riwayat-kunci-phone")


def test_bkpsdm_agrees_and_rates_the_top_of_the_tree_on_a_phone(kinerja, live_server, phone_page):
    """The Kepala Dinas has no superior in the system: BKPSDM finds the submitted revision of the
    plan in "SKP pegawai tanpa atasan langsung", agrees it from the plan page, and rates the Kepala
    Dinas on its own sheet (?untuk=tanpa-atasan)."""
    org, period = kinerja, kinerja["period"]
    today = local_today(org["inst"])
    revision = agreed_plan(org["kadis"], today.year, status=SkpPlan.Status.SUBMITTED, version=2)
    page = phone_page
    login(page, live_server, "bkpsdm.tala")
    page.goto(f"{live_server.url}/")
    page.tap(".navbar-toggler")
    page.locator("#nav.collapse.show").wait_for()
    page.tap('[data-testid="nav-kinerja"]')
    with page.expect_navigation():
        page.click('[data-testid="nav-tanpa-atasan"]')
    listed = page.locator('[data-testid="without-superior"] a')
    assert listed.count() == 1 and org["kadis"].full_name in listed.inner_text()
    assert no_horizontal_scroll(page)
    screenshot(page, "kinerja-tanpa-atasan-phone")
    with page.expect_navigation():
        listed.click()
    with page.expect_navigation():
        page.click('[data-testid="agree-plan"]')
    revision.refresh_from_db()
    assert revision.status == SkpPlan.Status.AGREED and revision.agreed_by == org["bkpsdm"]

    page.goto(f"{live_server.url}/kinerja/penilaian/?untuk=tanpa-atasan&periode={period.key}")
    rows = page.locator('[data-testid="rating-row"]')
    assert rows.count() == 1 and org["kadis"].full_name in rows.inner_text()
    _choose(page, org["kadis"], "hasil", "above")
    _choose(page, org["kadis"], "perilaku", "as_expected")
    page.wait_for_function(
        f"document.querySelector('#pred-{org['kadis'].pk}').innerText.includes('Baik')"
    )
    page.click('[data-testid="save-ratings"]')
    page.wait_for_selector("text=Penilaian 1 pegawai")
    assert no_horizontal_scroll(page)
    screenshot(page, "kinerja-penilaian-tanpa-atasan-phone")
    ev = SkpEvaluation.objects.get(employee=org["kadis"], period_start=period.start)
    assert ev.predicate == "baik" and ev.rated_by_user == org["bkpsdm"]
