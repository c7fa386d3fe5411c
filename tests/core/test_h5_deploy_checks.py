"""`ekinerja check --deploy` names what production needs beyond Django's own checks: PostgreSQL,
Redis, the proxy's client-address header, the collected static files (each started fine before
and failed later, in front of users)."""

from __future__ import annotations

from django.core.checks import run_checks
from django.test import override_settings


def _ids(**overrides) -> set[str]:
    with override_settings(**overrides):
        return {m.id for m in run_checks(include_deployment_checks=True) if m.id}


def test_a_trial_configuration_is_named(tmp_path, settings):
    databases = {
        "default": {**settings.DATABASES["default"], "ENGINE": "django.db.backends.sqlite3"}
    }
    found = _ids(
        DATABASES=databases,
        REDIS_URL="",
        CLIENT_IP_HEADER="",
        STATIC_ROOT=tmp_path,
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        },
    )
    assert {"ekinerja.W001", "ekinerja.W002", "ekinerja.W003", "ekinerja.W004"} <= found


def test_a_complete_configuration_passes(tmp_path, settings):
    (tmp_path / "staticfiles.json").write_text("{}")
    databases = {
        "default": {**settings.DATABASES["default"], "ENGINE": "django.db.backends.postgresql"}
    }
    found = _ids(
        REDIS_URL="redis://127.0.0.1:6379/0",
        CLIENT_IP_HEADER="HTTP_X_REAL_IP",
        STATIC_ROOT=tmp_path,
        DATABASES=databases,
    )
    assert not {i for i in found if i.startswith("ekinerja.")}


def test_the_checks_are_deploy_only():
    ids = {m.id for m in run_checks(include_deployment_checks=False) if m.id}
    assert not {i for i in ids if i.startswith("ekinerja.")}
