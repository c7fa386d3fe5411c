"""Production: DEBUG off, secrets required, cookies secure, HTTPS assumed behind a proxy."""

import os
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .guards import DEV_SECRET_KEY, env_int

# The checks come before the base settings are read: those create the data folders and, under an
# app server without SECRET_KEY, a key file, which a refused start left behind (inside the
# virtualenv's site-packages, for a data folder left unset).
_KEY = os.environ.get("SECRET_KEY", "")
# As Django's own deployment check (W009): long, not the public key, and not a repeated pattern.
if len(_KEY) < 50 or len(set(_KEY)) < 10 or _KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY harus diisi dengan nilai acak sendiri (minimal 50 karakter, bukan pola "
        "berulang) di produksi; buat dengan: python3 -c "
        '"import secrets; print(secrets.token_urlsafe(64))"'
    )


# The data (uploads, static files, the key file) must not live inside the installed package: with
# `pip install .` the default var/ lands in the virtualenv's site-packages, and rebuilding the
# virtualenv for an upgrade would delete every uploaded evidence file.
def _inside_virtualenv(path) -> bool:
    here = Path(path).resolve()
    return "site-packages" in str(here) or (
        sys.prefix != sys.base_prefix and here.is_relative_to(Path(sys.prefix).resolve())
    )


if not os.environ.get("EKINERJA_VAR_DIR") or _inside_virtualenv(os.environ["EKINERJA_VAR_DIR"]):
    raise ImproperlyConfigured(
        "EKINERJA_VAR_DIR wajib diisi di produksi dengan folder data di luar kode dan virtualenv "
        "(mis. /var/lib/ekinerja): unggahan, berkas statis, dan kunci instalasi disimpan di sana."
    )
# The site's own name: unset, every request but one to 127.0.0.1 or localhost answers 400 ("Bad
# Request"), and "*" lets anyone's host name into the links the application writes (password reset).
_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if not _HOSTS or "*" in _HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS wajib diisi di produksi dengan nama situs (mis. ekinerja.example.go.id; "
        "beberapa dipisah koma), bukan '*'."
    )

from .base import *  # noqa: E402, F403

DEBUG = False
SECRET_KEY = _KEY
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Fingerprint machines speak plain HTTP and follow no redirect (ZKTeco ADMS), and a monitor may
# poll the health check from the server itself: both are answered on HTTP as well.
SECURE_REDIRECT_EXEMPT = [r"^iclock/", r"^health/$"]
SECURE_HSTS_SECONDS = env_int(os.environ, "SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
