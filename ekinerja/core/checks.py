"""What `ekinerja check --deploy` says about this application's own production needs, beside
Django's security checks: each of these started fine and went wrong later, in front of users.

- W001 SQLite: for a trial only; several gunicorn workers and Celery writing at once wait on one
  file lock, and the backups in docs/operations.md are PostgreSQL's.
- W002 no REDIS_URL: every background job (a TPP run of the whole Pemda, an import) runs inside
  the officer's page request, and the Celery worker and beat have no broker to start with.
- W003 no CLIENT_IP_HEADER: behind nginx every request comes from 127.0.0.1, so the per-address
  login throttle counts everybody's wrong passwords together and refuses all logins for a while.
- W004 no collected static files (the manifest): with the production storage every page is a 500.

Registered by core.apps.CoreConfig.ready; deploy checks only run with `--deploy`.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def production_needs(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    found: list[checks.CheckMessage] = []
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        found.append(
            checks.Warning(
                "Basis data SQLite hanya untuk uji coba.",
                hint="Di produksi pakai PostgreSQL: DATABASE_URL=postgres:///ekinerja "
                "(docs/operations.md, First installation).",
                id="ekinerja.W001",
            )
        )
    if not getattr(settings, "REDIS_URL", ""):
        found.append(
            checks.Warning(
                "REDIS_URL kosong: pekerjaan latar belakang (perhitungan TPP, impor) berjalan di "
                "dalam permintaan halaman, dan Celery worker serta beat tidak dapat berjalan.",
                hint="Pasang redis-server dan isi REDIS_URL=redis://127.0.0.1:6379/0.",
                id="ekinerja.W002",
            )
        )
    if not getattr(settings, "CLIENT_IP_HEADER", ""):
        found.append(
            checks.Warning(
                "CLIENT_IP_HEADER kosong: di belakang nginx semua permintaan datang dari "
                "127.0.0.1, sehingga batas gagal login per alamat menolak login semua orang.",
                hint="Isi CLIENT_IP_HEADER=HTTP_X_REAL_IP (dengan proxy_set_header X-Real-IP "
                "$remote_addr di nginx, README).",
                id="ekinerja.W003",
            )
        )
    storage = settings.STORAGES.get("staticfiles", {}).get("BACKEND", "")
    if "Manifest" in storage and not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        found.append(
            checks.Warning(
                f"Berkas statis belum dikumpulkan di {settings.STATIC_ROOT}: setiap halaman akan "
                "gagal (500).",
                hint="Jalankan: ekinerja collectstatic --noinput (juga setelah setiap pemutakhiran).",
                id="ekinerja.W004",
            )
        )
    return found
