"""Production: DEBUG off, secrets required, cookies secure, HTTPS assumed behind a proxy."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .guards import DEV_SECRET_KEY, env_int

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
# As Django's own deployment check (W009): long, not the public key, and not a repeated pattern.
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 10 or SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY harus diisi dengan nilai acak sendiri (minimal 50 karakter, bukan pola "
        "berulang) di produksi; buat dengan: python3 -c "
        '"import secrets; print(secrets.token_urlsafe(64))"'
    )


# The data (uploads, static files, the key file) must not live inside the installed package: with
# `pip install .` the default var/ lands in the virtualenv's site-packages, and rebuilding the
# virtualenv for an upgrade would delete every uploaded evidence file.
def _inside_virtualenv(path) -> bool:
    import sys
    from pathlib import Path

    here = Path(path).resolve()
    return "site-packages" in str(here) or (
        sys.prefix != sys.base_prefix and here.is_relative_to(Path(sys.prefix).resolve())
    )


if not os.environ.get("EKINERJA_VAR_DIR") or _inside_virtualenv(VAR_DIR):  # noqa: F405
    raise ImproperlyConfigured(
        "EKINERJA_VAR_DIR wajib diisi di produksi dengan folder data di luar kode dan virtualenv "
        "(mis. /var/lib/ekinerja): unggahan, berkas statis, dan kunci instalasi disimpan di sana."
    )
# The site's own name: unset, every request but one to 127.0.0.1 or localhost answers 400 ("Bad
# Request"), and "*" lets anyone's host name into the links the application writes (password reset).
if not os.environ.get("ALLOWED_HOSTS", "").strip(",") or "*" in ALLOWED_HOSTS:  # noqa: F405
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS wajib diisi di produksi dengan nama situs (mis. ekinerja.example.go.id; "
        "beberapa dipisah koma), bukan '*'."
    )
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
