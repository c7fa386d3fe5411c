"""The UI shell in a real browser: login, the home page of every role (what each sees and must not
see), the employee profile, the org chart, failed login and lockout, on a desktop and on a 360-px phone.
Screenshots of the main screens go to docs/screenshots/."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from ekinerja.core.models import User
from ekinerja.org.models import Assignment, Position, Role, Unit
from tests.factories import (
    AssignmentFactory,
    InstansiFactory,
    PositionFactory,
    UnitFactory,
    employee_with_login,
    grant,
)

from .conftest import PASSWORD, clipped_tables, login, no_horizontal_scroll, screenshot

pytestmark = pytest.mark.e2e

ALL_CARDS = {
    "card-pegawai",
    "card-atasan",
    "card-bkpsdm",
    "card-bpkad",
    "card-kominfo",
    "card-pimpinan",
    "card-admin-opd",
    "card-instansi",
}


@dataclass
class Pemda:
    instansi: object
    units: dict = field(default_factory=dict)
    positions: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)  # role key -> Employee
    kominfo: User | None = None
    other_unit: Unit | None = None  # a unit of another Pemda

    def username(self, key: str) -> str:
        if key == "kominfo":
            return self.kominfo.username
        return self.people[key].nip


@pytest.fixture
def pemda(transactional_db) -> Pemda:
    """A small kabupaten: Setda, Dinas Pendidikan (with a bidang), BKPSDM and BPKAD, one employee
    per role, a vacant Sekretaris and a Plt; plus a second Pemda whose data must never show."""
    inst = InstansiFactory(code="6301", name="Pemerintah Kabupaten Tanah Laut")
    S, F, P = Position.Kind.STRUKTURAL, Position.Kind.FUNGSIONAL, Position.Kind.PELAKSANA
    setda = UnitFactory(instansi=inst, code="1.01", name="Sekretariat Daerah")
    disdik = UnitFactory(instansi=inst, code="2.01", name="Dinas Pendidikan")
    bidang = UnitFactory(
        instansi=inst,
        code="2.01.01",
        name="Bidang Pembinaan Sekolah Dasar",
        kind=Unit.Kind.SUB,
        parent=disdik,
    )
    bkpsdm = UnitFactory(instansi=inst, code="5.01", name="Badan Kepegawaian dan PSDM")
    bpkad = UnitFactory(instansi=inst, code="5.02", name="Badan Pengelolaan Keuangan dan Aset")

    sekda = PositionFactory(unit=setda, name="Sekretaris Daerah", kind=S, kelas=16)
    kadis = PositionFactory(
        unit=disdik, name="Kepala Dinas Pendidikan", kind=S, kelas=15, parent=sekda
    )
    sekdis = PositionFactory(
        unit=disdik, name="Sekretaris Dinas Pendidikan", kind=S, kelas=12, parent=kadis
    )
    kabid = PositionFactory(
        unit=bidang, name="Kepala Bidang Pembinaan SD", kind=S, kelas=11, parent=kadis
    )
    kabid_smp = PositionFactory(
        unit=disdik, name="Kepala Bidang Pembinaan SMP", kind=S, kelas=11, parent=kadis
    )
    analis = PositionFactory(unit=bidang, name="Analis Kurikulum", kind=P, kelas=7, parent=kabid)
    pengelola = PositionFactory(
        unit=bidang, name="Pengelola Data Pendidikan", kind=P, kelas=6, parent=kabid
    )
    pranata = PositionFactory(
        unit=disdik, name="Pranata Komputer Ahli Pertama", kind=F, kelas=8, parent=sekdis
    )
    analis_sdm = PositionFactory(unit=bkpsdm, name="Analis SDM Aparatur", kind=F, kelas=9)
    penata_keu = PositionFactory(unit=bpkad, name="Penata Laporan Keuangan", kind=P, kelas=7)

    people = {
        "pimpinan": employee_with_login(
            inst, sekda, name="Hj. Rahmah Fitriani", front_title="Dr.", back_title="M.Si."
        ),
        "kadis": employee_with_login(inst, kadis, name="Muhammad Syarifuddin", back_title="S.Pd."),
        "atasan": employee_with_login(inst, kabid, name="Siti Nurhaliza", back_title="S.Pd."),
        "pegawai": employee_with_login(inst, analis, name="Budi Santoso"),
        "pengelola": employee_with_login(inst, pengelola, name="Dewi Lestari"),
        "admin_opd": employee_with_login(inst, pranata, name="Ahmad Fauzi", back_title="S.Kom."),
        "bkpsdm": employee_with_login(inst, analis_sdm, name="Rina Wulandari", back_title="S.E."),
        "bpkad": employee_with_login(inst, penata_keu, name="Agus Salim"),
        "tim_penilai": employee_with_login(inst, analis_sdm, name="Yusuf Hidayat"),
    }
    # The Kepala Bidang SD also acts (Plt) as Kepala Bidang SMP, whose holder retired.
    AssignmentFactory(position=kabid_smp, employee=people["atasan"], kind=Assignment.Kind.PLT)
    kominfo = User.objects.create_user(
        username="admin.kominfo", password=PASSWORD, instansi=inst, is_staff=True
    )
    grant(kominfo, Role.KOMINFO)
    grant(people["pimpinan"].user, Role.PIMPINAN)
    grant(people["admin_opd"].user, Role.ADMIN_OPD, unit=disdik)
    grant(people["bkpsdm"].user, Role.BKPSDM)
    grant(people["bpkad"].user, Role.BPKAD)
    grant(people["tim_penilai"].user, Role.TIM_PENILAI)

    other = InstansiFactory(code="9471", name="Pemerintah Kota Jayapura")
    other_unit = UnitFactory(instansi=other, code="2.01", name="Dinas Pendidikan Kota Jayapura")
    other_pos = PositionFactory(unit=other_unit, name="Kepala Dinas Kota", kind=S, kelas=15)
    employee_with_login(other, other_pos, name="Yohanes Wenda")

    return Pemda(
        instansi=inst,
        units={"setda": setda, "disdik": disdik, "bidang": bidang},
        positions={"sekdis": sekdis, "kabid": kabid, "kabid_smp": kabid_smp},
        people=people,
        kominfo=kominfo,
        other_unit=other_unit,
    )


def visible_cards(page) -> set[str]:
    return {
        el.get_attribute("data-testid")
        for el in page.locator("[data-testid^='card-']").all()
        if el.is_visible()
    }


def role_badges(page) -> set[str]:
    return {t.strip() for t in page.locator("[data-testid=roles] .badge").all_inner_texts()}


def top_node_unit_label(chart, position: str) -> str:
    """The node's text minus the position name: a position of the charted unit itself has no unit
    label."""
    node = chart.locator(".org-node", has_text=position).first
    return node.inner_text().replace(position, "")


def nav_texts(page) -> set[str]:
    return {t.strip() for t in page.locator("nav .nav-link").all_inner_texts()}


# role key -> (role badges, cards shown). Every card not listed must be absent.
HOME = {
    "pegawai": ({"Pegawai"}, {"card-pegawai"}),
    "atasan": ({"Pegawai", "Atasan"}, {"card-pegawai", "card-atasan"}),
    "tim_penilai": ({"Pegawai", "Tim Penilai"}, {"card-pegawai"}),
    "admin_opd": ({"Pegawai", "Admin OPD"}, {"card-pegawai", "card-admin-opd", "card-instansi"}),
    "bkpsdm": ({"Pegawai", "BKPSDM"}, {"card-pegawai", "card-bkpsdm", "card-instansi"}),
    "bpkad": ({"Pegawai", "BPKAD"}, {"card-pegawai", "card-bpkad", "card-instansi"}),
    "kominfo": ({"Kominfo (admin teknis)"}, {"card-kominfo", "card-instansi"}),
    "pimpinan": (
        {"Pegawai", "Atasan", "Pimpinan"},
        {"card-pegawai", "card-atasan", "card-pimpinan", "card-instansi"},
    ),
}
SEES_AUDIT_LOG = {"bkpsdm", "kominfo"}


@pytest.mark.parametrize("role", list(HOME))
def test_home_page_shows_each_role_its_own_cards_only(role, page, live_server, pemda):
    badges, cards = HOME[role]
    login(page, live_server, pemda.username(role))
    assert page.url == f"{live_server.url}/"
    assert role_badges(page) == badges
    assert visible_cards(page) == cards
    assert not (ALL_CARDS - cards) & visible_cards(page)

    nav = nav_texts(page)
    # The whole menu on a 1280-px office screen: "Keluar" was cut off at the right edge for BKPSDM.
    logout = page.get_by_role("button", name="Keluar").bounding_box()
    assert logout and logout["x"] + logout["width"] <= 1280, logout
    assert no_horizontal_scroll(page, 1280)
    assert ("Log audit" in nav) == (role in SEES_AUDIT_LOG)
    assert ("Profil saya" in nav) == (role != "kominfo")
    # The other Pemda's data never shows, not even its name.
    assert "Jayapura" not in page.content()
    assert pemda.instansi.name in page.inner_text("footer")
    if role == "pimpinan":
        # The Sekda is superior of the heads of OPD: the derived atasan role appears by itself.
        assert "Muhammad Syarifuddin" in page.inner_text("[data-testid=card-atasan]")
    if role == "admin_opd":
        # The OPD granted and its sub-units; no other OPD.
        units = page.locator("[data-testid=card-admin-opd] li").all_inner_texts()
        assert units == ["Dinas Pendidikan", "Bidang Pembinaan Sekolah Dasar"]
    if role == "bkpsdm":
        screenshot(page, "home-bkpsdm")
    if role == "kominfo":
        screenshot(page, "home-kominfo")
    if role == "atasan":
        screenshot(page, "home-atasan")


def test_browser_speaks_indonesian_like_the_employees_phones(page, live_server):
    """The browser's own messages (required fields, date inputs, file pickers) are in Indonesian, as on
    the employees' phones, so the tests and screenshots show what they see (chromium-l10n)."""
    page.goto(f"{live_server.url}/masuk/")
    page.click("form button[type=submit]")
    message = page.eval_on_selector("#id_username", "el => el.validationMessage")
    assert message == "Harap isi bidang ini."


def test_pegawai_is_refused_the_audit_log(page, live_server, pemda):
    login(page, live_server, pemda.username("pegawai"))
    response = page.goto(f"{live_server.url}/audit/")
    assert response.status == 403


def test_bkpsdm_reads_the_audit_log_of_logins(page, live_server, pemda):
    login(page, live_server, pemda.username("bkpsdm"))
    page.click("nav >> text=Log audit")
    assert page.url.endswith("/audit/")
    # The action in words; its code only as a tooltip.
    assert "Masuk" in page.inner_text("table")
    assert "auth.login" not in page.inner_text("table")
    assert page.locator('[title="auth.login"]').count() >= 1
    screenshot(page, "audit-log")


def test_login_home_and_profile_fit_a_360px_phone(phone_page, live_server, pemda):
    page = phone_page
    page.goto(f"{live_server.url}/")
    # Anonymous visitors are sent to the login page.
    assert page.url.startswith(f"{live_server.url}/masuk/")
    assert page.locator("label[for=id_username]").inner_text() == "NIP atau nama pengguna"
    assert no_horizontal_scroll(page)
    screenshot(page, "login-phone")

    login(page, live_server, pemda.username("pegawai"))
    assert page.url == f"{live_server.url}/"
    assert visible_cards(page) == {"card-pegawai"}
    card = page.locator("[data-testid=card-pegawai]")
    assert "Analis Kurikulum" in card.inner_text()
    assert card.locator("[data-testid=superior]").inner_text() == "Siti Nurhaliza, S.Pd."
    # An employee may not open the superior's profile, so the name is no link to a 404.
    assert card.locator("[data-testid=superior] a").count() == 0
    # The menu is folded behind the toggler on a phone and opens on tap.
    assert not page.locator("nav >> text=Profil saya").is_visible()
    assert no_horizontal_scroll(page)
    screenshot(page, "home-pegawai-phone")
    page.tap(".navbar-toggler")
    page.locator("#nav.collapse.show").wait_for()  # the opening animation has ended
    assert page.locator("nav >> text=Profil saya").is_visible()
    screenshot(page, "menu-phone")
    page.tap("nav >> text=Profil saya")
    page.wait_for_url(f"{live_server.url}/pegawai/{pemda.people['pegawai'].pk}/")
    assert page.inner_text("[data-testid=current-position]") == "Analis Kurikulum"
    assert page.inner_text("[data-testid=superior]") == "Siti Nurhaliza, S.Pd."
    assert page.inner_text("[data-testid=subordinate-count]") == "0"
    assert page.locator("[data-testid=superior] a").count() == 0
    assert no_horizontal_scroll(page)
    assert clipped_tables(page) == []
    screenshot(page, "profile-pegawai-phone")


def test_atasan_phone_home_and_profile_fit(phone_page, live_server, pemda):
    login(phone_page, live_server, pemda.username("atasan"))
    assert visible_cards(phone_page) == {"card-pegawai", "card-atasan"}
    assert no_horizontal_scroll(phone_page)
    phone_page.goto(f"{live_server.url}/profil/")
    assert phone_page.inner_text("[data-testid=subordinate-count]") == "2"
    assert no_horizontal_scroll(phone_page)
    # Every column of the subordinates and history tables is visible without sideways scrolling.
    assert clipped_tables(phone_page) == []
    screenshot(phone_page, "profile-atasan-phone")


def test_profile_shows_position_superior_and_subordinates(page, live_server, pemda):
    login(page, live_server, pemda.username("atasan"))
    page.click("nav >> text=Profil saya")
    page.wait_for_url(f"{live_server.url}/pegawai/{pemda.people['atasan'].pk}/")
    assert page.inner_text("h1") == "Siti Nurhaliza, S.Pd."
    assert page.inner_text("[data-testid=current-position]") == "Kepala Bidang Pembinaan SD"
    assert page.inner_text("[data-testid=superior]") == "Muhammad Syarifuddin, S.Pd."
    assert page.inner_text("[data-testid=subordinate-count]") == "2"
    rows = page.locator("[data-testid=subordinates] tbody tr").all_inner_texts()
    assert [r.split("\t")[0] for r in rows] == ["Budi Santoso", "Dewi Lestari"]
    history = page.inner_text("[data-testid=assignment-history]")
    assert "Kepala Bidang Pembinaan SMP" in history and "Plt" in history
    screenshot(page, "profile-atasan")

    # From the list the atasan opens a subordinate's profile, and from there comes back up.
    page.click("[data-testid=subordinates] >> text=Budi Santoso")
    page.wait_for_url(f"{live_server.url}/pegawai/{pemda.people['pegawai'].pk}/")
    assert page.inner_text("h1") == "Budi Santoso"
    page.click("[data-testid=superior] a")
    page.wait_for_url(f"{live_server.url}/pegawai/{pemda.people['atasan'].pk}/")


def test_bkpsdm_follows_the_chain_of_superiors(page, live_server, pemda):
    login(page, live_server, pemda.username("bkpsdm"))
    page.goto(f"{live_server.url}/pegawai/{pemda.people['pegawai'].pk}/")
    chain = [page.inner_text("h1")]
    while page.locator("[data-testid=superior] a").count():
        page.click("[data-testid=superior] a")
        page.wait_for_load_state()
        chain.append(page.inner_text("h1"))
    assert chain == [
        "Budi Santoso",
        "Siti Nurhaliza, S.Pd.",
        "Muhammad Syarifuddin, S.Pd.",
        "Dr. Hj. Rahmah Fitriani, M.Si.",
    ]
    assert page.inner_text("[data-testid=superior]") == "tidak ada"


def test_pegawai_sees_only_own_profile(page, live_server, pemda):
    login(page, live_server, pemda.username("pegawai"))
    other = pemda.people["pengelola"]
    response = page.goto(f"{live_server.url}/pegawai/{other.pk}/")
    assert response.status == 404
    assert "Dewi Lestari" not in page.content()


def test_org_chart_marks_vacant_positions_and_acting_holders(page, live_server, pemda):
    login(page, live_server, pemda.username("bkpsdm"))
    page.click("nav >> text=Organisasi")
    tree = page.inner_text("[data-testid=unit-tree]")
    assert "Dinas Pendidikan" in tree and "Bidang Pembinaan Sekolah Dasar" in tree
    assert "Jayapura" not in tree
    screenshot(page, "unit-list")
    page.click("[data-testid=unit-tree] >> text=Dinas Pendidikan")
    page.wait_for_url(f"{live_server.url}/unit/{pemda.units['disdik'].pk}/")
    chart = page.locator("[data-testid=org-chart]")
    assert chart.locator(".org-node").count() == 7  # the bidang's positions are included
    vacant = chart.locator(".org-node.vacant")
    assert vacant.count() == 1
    assert "Sekretaris Dinas Pendidikan" in vacant.inner_text()
    assert vacant.locator(".badge", has_text="Lowong").count() == 1
    # Positions of a sub-unit name their sub-unit.
    analis = chart.locator(".org-node", has_text="Analis Kurikulum")
    assert "Bidang Pembinaan Sekolah Dasar" in analis.inner_text()
    assert "Dinas Pendidikan" not in top_node_unit_label(chart, "Kepala Dinas Pendidikan")
    smp = chart.locator(".org-node", has_text="Kepala Bidang Pembinaan SMP")
    assert "Siti Nurhaliza" in smp.inner_text() and "Plt" in smp.inner_text()
    # The head of the agency is at the root, the Kepala Bidang SD one level down.
    top = chart.locator(":scope > li > .org-node").first
    assert "Kepala Dinas Pendidikan" in top.inner_text()
    screenshot(page, "org-chart")


def test_org_chart_fits_a_phone(phone_page, live_server, pemda):
    login(phone_page, live_server, pemda.username("admin_opd"))
    phone_page.click("[data-testid=card-admin-opd] >> text=Dinas Pendidikan")
    phone_page.wait_for_url(f"{live_server.url}/unit/{pemda.units['disdik'].pk}/")
    assert phone_page.locator("[data-testid=org-chart] .org-node.vacant").count() == 1
    assert no_horizontal_scroll(phone_page)
    screenshot(phone_page, "org-chart-phone")


def test_another_pemdas_unit_answers_404(page, live_server, pemda):
    login(page, live_server, pemda.username("bkpsdm"))
    response = page.goto(f"{live_server.url}/unit/{pemda.other_unit.pk}/")
    assert response.status == 404
    assert "Jayapura" not in page.content()


def test_failed_login_shows_indonesian_error(page, live_server, pemda):
    page.goto(f"{live_server.url}/masuk/")
    page.fill("#id_username", pemda.username("pegawai"))
    page.fill("#id_password", "bukan-kata-sandinya")
    page.click("form button[type=submit]")
    error = page.locator("[data-testid=login-error]")
    assert error.inner_text() == "NIP/nama pengguna atau kata sandi salah."
    # The NIP stays filled in, the password does not.
    assert page.input_value("#id_username") == pemda.username("pegawai")
    assert page.input_value("#id_password") == ""
    assert page.url.startswith(f"{live_server.url}/masuk/")
    screenshot(page, "login-error")


def test_repeated_failures_lock_the_account(phone_page, live_server, pemda, settings):
    settings.LOGIN_LOCKOUT_THRESHOLD = 3
    page = phone_page
    nip = pemda.username("pegawai")
    for _ in range(3):
        page.goto(f"{live_server.url}/masuk/")
        page.fill("#id_username", nip)
        page.fill("#id_password", "salah-lagi-salah-lagi")
        page.click("form button[type=submit]")
        page.locator("[data-testid=login-error]").wait_for()
    assert "Akun terkunci sementara" in page.inner_text("[data-testid=login-error]")
    # Even the right password is refused while the lock lasts.
    login(page, live_server, nip, PASSWORD)
    assert page.url.startswith(f"{live_server.url}/masuk/")
    assert "Akun terkunci sementara" in page.inner_text("[data-testid=login-error]")
    assert no_horizontal_scroll(page)
    screenshot(page, "login-locked-phone")


def test_logout_returns_to_login(page, live_server, pemda):
    login(page, live_server, pemda.username("pegawai"))
    page.click("nav >> text=Keluar")
    page.wait_for_url(f"{live_server.url}/masuk/")
    response = page.goto(f"{live_server.url}/profil/")
    assert page.url.startswith(f"{live_server.url}/masuk/")
    assert response.ok
