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
