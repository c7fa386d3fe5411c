"""Error pages in Indonesian (JSON under /api/), and the /health/ check for monitoring."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import path

from ekinerja import errors, health
from ekinerja.urls import urlpatterns as project_urls
from tests.factories import InstansiFactory, UserFactory

pytestmark = pytest.mark.django_db


def _refuse(request):
    raise PermissionDenied("Hanya BKPSDM yang dapat mengunci daftar TPP.")


def _refuse_quietly(request):
    raise PermissionDenied


def _crash(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("uji/tolak/", _refuse),
    path("uji/tolak-diam/", _refuse_quietly),
    path("uji/rusak/", _crash),
    path("api/uji/rusak/", _crash),
    *project_urls,
]
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error


@pytest.fixture
def user_client(client):
    client.force_login(UserFactory(instansi=InstansiFactory()))
    return client


def test_an_unknown_page_answers_404_in_indonesian_with_a_way_home(user_client):
    response = user_client.get("/tidak-ada/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-testid="error-404"' in html and "Halaman tidak ditemukan" in html
    assert 'lang="id"' in html and "Not Found" not in html


def test_an_unknown_api_path_answers_json(client):
    response = client.get("/api/v1/tidak-ada")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Alamat API tidak ditemukan."}


@override_settings(ROOT_URLCONF=__name__)
def test_a_refusal_shows_its_own_reason_or_a_general_one(user_client):
    response = user_client.get("/uji/tolak/")
    assert response.status_code == 403
    assert "Hanya BKPSDM yang dapat mengunci daftar TPP." in response.content.decode()
    quiet = user_client.get("/uji/tolak-diam/").content.decode()
    assert "Peran Anda tidak mengizinkan" in quiet and "Forbidden" not in quiet


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_is_said_in_indonesian_and_as_json_for_the_api():
    client = Client(raise_request_exception=False)
    page = client.get("/uji/rusak/")
    assert page.status_code == 500
    text = page.content.decode()
    assert "Terjadi kesalahan pada sistem" in text and "Server Error" not in text
    api = client.get("/api/uji/rusak/")
    assert api.status_code == 500 and api.json()["detail"].startswith("Terjadi kesalahan")


def test_an_expired_form_is_explained_in_indonesian(user_client):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(instansi=InstansiFactory()))
    response = client.post("/keluar/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Formulir kedaluwarsa" in html and "CSRF verification failed" not in html


def test_health_answers_ok_when_database_cache_and_queue_answer(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["cache"] == "ok"
    assert body["queue"] == "inline"  # tests run jobs inline (no REDIS_URL)
    assert "no-cache" in response["Cache-Control"]


def test_health_answers_503_and_names_what_failed(client, monkeypatch):
    def down():
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setitem(health.CHECKS, "queue", down)
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "gagal" and body["queue"] == "gagal: ConnectionError"
    assert body["database"] == "ok"


def test_opening_a_form_action_by_its_address_answers_405_in_indonesian(user_client):
    """Django's 405 was an empty page (GET /keluar/, a bookmarked download button)."""
    for url in ("/keluar/", "/akun/buat/", "/aktivitas/verifikasi/massal/"):
        response = user_client.get(url)
        assert response.status_code == 405, url
        assert "POST" in response["Allow"]
        html = response.content.decode()
        assert 'data-testid="error-405"' in html and "Tidak ada data yang berubah" in html


def test_a_hand_edited_id_in_a_query_or_form_is_nothing_chosen_not_a_crash(client, settings):
    """?unit=abc, a 20-digit unit or catalog item: the page as without one (these were 500s)."""
    from django.urls import reverse

    from tests.factories import employee_with_login, grant

    inst = InstansiFactory()
    officer = employee_with_login(inst, None, name="Petugas")
    grant(officer.user, "bkpsdm")
    grant(officer.user, "tim_penilai")
    client.force_login(officer.user)
    for value in ("abc", "99999999999999999999", "١٢"):
        for name in ("activities:recap", "activities:review"):
            response = client.get(reverse(name), {"unit": value})
            assert response.status_code == 200, (name, value)


def test_id_param_reads_only_a_row_id():
    from ekinerja.core.http import MAX_ID, id_param

    assert id_param("12") == 12
    assert id_param(str(MAX_ID)) == MAX_ID
    for raw in ("", "0", "abc", "١٢", "-3", "1.5", str(MAX_ID + 1), "9" * 25, None):
        assert id_param(raw) is None, raw
