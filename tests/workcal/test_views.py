"""The BKPSDM holiday page."""

import datetime as dt

import pytest

from ekinerja.workcal.models import Holiday
from tests.factories import InstansiFactory, UserFactory, employee_with_login, grant, holiday

pytestmark = pytest.mark.django_db
PASSWORD = "Rahasia-Kuat-2026!"


@pytest.fixture
def inst():
    return InstansiFactory(code="6301")


@pytest.fixture
def bkpsdm(client, inst):
    user = UserFactory(instansi=inst)
    grant(user, "bkpsdm")
    client.force_login(user)
    return user


def test_bkpsdm_adds_a_regional_holiday(client, bkpsdm, inst):
    resp = client.post(
        "/kalender/libur/",
        {"date": "2026-10-20", "name": "Hari Jadi Kabupaten", "kind": "regional", "tahun": "2026"},
    )
    assert resp.status_code == 302
    h = Holiday.objects.get(instansi=inst)
    assert h.name == "Hari Jadi Kabupaten" and h.source == "manual"
    page = client.get("/kalender/libur/?tahun=2026")
    assert (
        "Hari Jadi Kabupaten" in page.content.decode()
        and "20 Oktober 2026" in page.content.decode()
    )


def test_form_errors_are_field_level_and_in_indonesian(client, bkpsdm):
    resp = client.post(
        "/kalender/libur/", {"date": "bukan-tanggal", "name": "", "kind": "regional"}
    )
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "Tanggal tidak valid." in html and "Nama hari libur wajib diisi." in html
    assert not Holiday.objects.exists()


def test_bkpsdm_seeds_edits_and_deletes(client, bkpsdm, inst):
    client.post("/kalender/libur/isi-nasional/", {"tahun": "2026"})
    h = Holiday.objects.get(instansi=inst, date=dt.date(2026, 8, 17))
    resp = client.post(
        f"/kalender/libur/{h.pk}/ubah/", {"date": "2026-08-17", "name": h.name, "kind": "regional"}
    )
    assert resp.status_code == 302
    h.refresh_from_db()
    assert h.kind == "regional"
    client.post(f"/kalender/libur/{h.pk}/hapus/")
    h.refresh_from_db()
    assert not h.is_active
    assert "dihapus" in client.get("/kalender/libur/?tahun=2026").content.decode()
    client.post(f"/kalender/libur/{h.pk}/pulihkan/")
    h.refresh_from_db()
    assert h.is_active


def test_employee_sees_holidays_but_cannot_change_them(client, inst):
    holiday(inst, dt.date(2026, 10, 20), "Hari Jadi Kabupaten")
    emp = employee_with_login(inst)
    client.force_login(emp.user)
    page = client.get("/kalender/libur/?tahun=2026").content.decode()
    assert "Hari Jadi Kabupaten" in page and 'data-testid="holiday-form"' not in page
    assert (
        client.post(
            "/kalender/libur/", {"date": "2026-10-21", "name": "X", "kind": "regional"}
        ).status_code
        == 403
    )
    assert client.post("/kalender/libur/isi-nasional/", {"tahun": "2026"}).status_code == 403
    assert Holiday.objects.count() == 1


def test_another_instansis_holiday_answers_404(client, bkpsdm):
    other = holiday(InstansiFactory(code="7101"), dt.date(2026, 10, 20), "Libur lain")
    assert client.get(f"/kalender/libur/{other.pk}/ubah/").status_code == 404
    assert client.post(f"/kalender/libur/{other.pk}/hapus/").status_code == 404
    assert Holiday.objects.get(pk=other.pk).is_active
    assert "Libur lain" not in client.get("/kalender/libur/?tahun=2026").content.decode()


def test_holiday_list_query_count_is_constant(client, bkpsdm, inst, django_assert_max_num_queries):
    for d in range(1, 20):
        holiday(inst, dt.date(2026, 1, d), f"Libur {d}")
    with django_assert_max_num_queries(12):
        assert client.get("/kalender/libur/?tahun=2026").status_code == 200


def test_admin_changelist_is_scoped(client, inst):
    user = UserFactory(instansi=inst, is_staff=True, is_superuser=True)
    client.force_login(user)
    holiday(inst, dt.date(2026, 10, 20), "Milik sendiri")
    holiday(InstansiFactory(code="7101"), dt.date(2026, 10, 21), "Milik lain")
    html = client.get("/admin/workcal/holiday/").content.decode()
    assert "Milik sendiri" in html and "Milik lain" not in html
    for model in ("workschedule", "schedulevariant", "employeeschedule", "shiftroster"):
        assert client.get(f"/admin/workcal/{model}/").status_code == 200
        assert client.get(f"/admin/workcal/{model}/add/").status_code == 200


def test_bkpsdm_home_says_which_year_has_no_holidays_yet(client, bkpsdm, inst):
    """Nobody seeds a new year by itself: on 1 January 2027 a calendar without holidays made New
    Year's Day, Idul Fitri and every cuti bersama working days, everyone absent without notice. The
    home page says so for this year, and from November for the next."""
    import time_machine

    with time_machine.travel(dt.datetime(2026, 10, 15, 9, tzinfo=dt.UTC), tick=False):
        page = client.get("/").content.decode()
        assert 'data-testid="home-holidays-missing"' in page and "Kalender 2026" in page
        assert "Kalender 2027" not in page  # the next year only from November
        holiday(inst, dt.date(2026, 12, 25), "Hari Raya Natal", kind="national")
        assert 'data-testid="home-holidays-missing"' not in client.get("/").content.decode()
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC), tick=False):
        client.force_login(bkpsdm)  # weeks later: a new session
        page = client.get("/").content.decode()
        assert "Kalender 2027 belum berisi hari libur nasional" in page
        assert "/kalender/libur/?tahun=2027" in page and "Kalender 2026" not in page
        # Seeded from the page's link, the warning goes.
        client.post("/kalender/libur/isi-nasional/", {"tahun": "2027"})
        assert Holiday.objects.filter(instansi=inst, date__year=2027).exists()
        assert 'data-testid="home-holidays-missing"' not in client.get("/").content.decode()
    # A regional holiday alone is no national calendar; and nobody else sees the warning.
    Holiday.objects.filter(instansi=inst, date__year=2027).update(kind="regional")
    with time_machine.travel(dt.datetime(2027, 1, 5, 9, tzinfo=dt.UTC), tick=False):
        client.force_login(bkpsdm)
        assert "Kalender 2027" in client.get("/").content.decode()
        staff = UserFactory(instansi=inst)
        client.force_login(staff)
        assert 'data-testid="home-holidays-missing"' not in client.get("/").content.decode()
