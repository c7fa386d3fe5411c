"""Settings shared by every environment. Everything deployment-specific comes from the environment:

DATABASE_URL  (default: SQLite file var/ekinerja.sqlite3, WAL mode)
REDIS_URL     (optional: Celery broker and cache; without it background jobs run inline)
SECRET_KEY    (required in production)
ALLOWED_HOSTS (comma-separated)

Used directly these are the development settings (`make demo`). Under gunicorn or another
application server DEBUG is off and the public development key is never used (settings.guards).
"""

import os
from pathlib import Path

import dj_database_url

from .guards import app_server, debug_setting, env_int, secret_key_setting

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("EKINERJA_VAR_DIR", PROJECT_DIR / "var"))

DEBUG = debug_setting(os.environ, app_server())
SECRET_KEY = secret_key_setting(os.environ, debug=DEBUG, var_dir=VAR_DIR)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "ninja",  # Swagger UI assets served from our own static files (no CDN)
    "ekinerja.core",
    "ekinerja.org",
    "ekinerja.workcal",
    "ekinerja.attendance",
    "ekinerja.activities",
    "ekinerja.performance",
    "ekinerja.tpp",
    "ekinerja.reports",
    "ekinerja.exchange",
    "ekinerja.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed for a phone on a weak connection (a superior's month of one subordinate: 226 KB
    # of HTML, about 8 KB compressed). Django's GZipMiddleware pads its output against BREACH, and
    # the CSRF token is masked anew on every response. Static files: WhiteNoise's own compressed
    # copies.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "ekinerja.core.middleware.NulCharacterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ekinerja.core.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ekinerja.core.middleware.InstansiTimezoneMiddleware",
    "ekinerja.core.middleware.PasswordChangeRequiredMiddleware",
    "ekinerja.core.middleware.MethodNotAllowedPageMiddleware",
]
# The short stack of the mobile app's requests (bearer token on /api/v1/, no cookie): see
# ekinerja/api/handler.py for what is left out and why.
API_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ekinerja.api.handler.BearerRequestMiddleware",
]

ROOT_URLCONF = "ekinerja.urls"
WSGI_APPLICATION = "ekinerja.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ekinerja.org.context_processors.roles",
                "ekinerja.activities.context_processors.nav",
                "ekinerja.attendance.context_processors.nav",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'ekinerja.sqlite3'}",
        conn_max_age=env_int(os.environ, "DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run while one writer commits; IMMEDIATE avoids "database is locked"
    # upgrades in the middle of a write transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "ekinerja.core.auth.LockoutModelBackend",
]
# The default first; the temporary one only hashes officer-issued temporary passwords (core.passwords),
# re-hashed with the default at the first login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "ekinerja.core.passwords.TemporaryPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# ASVS V2.2.1: throttle guessing. Five failures lock the account for fifteen minutes.
LOGIN_LOCKOUT_THRESHOLD = env_int(os.environ, "LOGIN_LOCKOUT_THRESHOLD", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int(os.environ, "LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
# ... and per client address, so nobody locks out accounts by the dozen from one machine: twenty
# failures from one address refuse its further attempts for fifteen minutes (core.auth; 0 = off).
LOGIN_IP_THRESHOLD = env_int(os.environ, "LOGIN_IP_THRESHOLD", 20)  # 0: off
LOGIN_IP_MINUTES = env_int(os.environ, "LOGIN_IP_MINUTES", 15, minimum=1)
# The JSON API's rate limit (ekinerja/api/throttle.py, docs/api.md): each bearer token (a browser
# session: its account) API_RATE_LIMIT requests per API_RATE_WINDOW seconds; each client address
# API_TOKEN_RATE_LIMIT logins (POST /api/v1/auth/token) per API_TOKEN_RATE_WINDOW seconds. Beyond:
# 429 with Retry-After. A phone sending a day's entries one by one makes a few dozen. 0 = off.
API_RATE_LIMIT = env_int(os.environ, "API_RATE_LIMIT", 120)
API_RATE_WINDOW = env_int(os.environ, "API_RATE_WINDOW", 60, minimum=1)
API_TOKEN_RATE_LIMIT = env_int(os.environ, "API_TOKEN_RATE_LIMIT", 30)
API_TOKEN_RATE_WINDOW = env_int(os.environ, "API_TOKEN_RATE_WINDOW", 60, minimum=1)
# Behind a reverse proxy every request comes from the proxy: the header it sets to the client's
# address (nginx: proxy_set_header X-Real-IP $remote_addr -> "HTTP_X_REAL_IP"). Empty: REMOTE_ADDR.
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
# Off: ids in value=, data-* and URLs must stay plain digits (7753, not 7.753). Numbers meant for
# people use |intcomma or |rupiah explicitly.
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # No result backend: every job records its outcome in the database (a run's state, progress and
    # error, a simulation's row), and nothing waits on a task's result. With one, publishing a job
    # while Redis was down held the officer's request about 20 seconds in the result backend's own
    # reconnect loop before the page could say so (core.jobs.enqueue publishes without retry).
    CELERY_TASK_IGNORE_RESULT = True
    # Publishing opens the broker's channel with kombu's own retries (about 6 seconds against a
    # Redis that is down); one quick retry is enough for a page that will say the queue is down.
    # The worker's consumer reconnects by its own setting (broker_connection_max_retries).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.2,
    }
    CELERY_TASK_ALWAYS_EAGER = False
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
    # Tasks run in the request. The in-memory transport, named with a host: without one kombu
    # logged "No hostname was supplied" at every background job of a trial without Redis.
    CELERY_BROKER_URL = "memory://localhost/"
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A session ends after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS after the
# login whatever the activity (ASVS V3.3.2). core.middleware.SessionTimeoutMiddleware renews the
# expiry at most once a minute, not a database write on every request.
SESSION_IDLE_MINUTES = env_int(os.environ, "SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_MAX_HOURS = env_int(os.environ, "SESSION_MAX_HOURS", 12, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# The largest request body that is not an uploaded file: a fingerprint machine's push (attendance
# .adms, up to 5 MB) and a phone check-in with its 2 MB selfie in base64 (2.7 MB). Files are not
# counted here; each form limits its own. The proxy's client_max_body_size is the outer bound.
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Nightly jobs (`celery -A ekinerja beat` beside the worker in production), in the server's zone.
from celery.schedules import crontab  # noqa: E402

# Beat's heartbeat (core.tasks.beat_heartbeat) every few minutes; /health/ reports beat as failed
# when the last one run is older than BEAT_STALE_MINUTES: three missed beats, so a worker busy for a
# while with long jobs (a month's TPP run, an import) is not taken for a stopped beat.
BEAT_HEARTBEAT_MINUTES = 5
BEAT_STALE_MINUTES = 15

CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # An interval, not a crontab: beat sends it at its start when the last one is older (so /health/
    # sees a restarted beat at once), then every BEAT_HEARTBEAT_MINUTES. One still queued when the
    # next is due is dropped (expires) rather than piling up behind a stopped worker.
    "core-beat-heartbeat": {
        "task": "ekinerja.core.tasks.beat_heartbeat",
        "schedule": BEAT_HEARTBEAT_MINUTES * 60,
        "options": {"expires": BEAT_HEARTBEAT_MINUTES * 60 - 30},
    },
    # Machines on the LAN that cannot push (ADMS) are read every half hour; a pull that has not
    # started within 25 minutes (a worker busy with a month's run) gives way to the next one.
    "attendance-pull-devices": {
        "task": "ekinerja.attendance.tasks.pull_devices",
        "schedule": crontab(minute="*/30"),
        "options": {"expires": 25 * 60},
    },
    # Also prunes the machine lines of unmapped PINs older than 400 days (docs/operations.md).
    "attendance-nightly-recompute": {
        "task": "ekinerja.attendance.tasks.nightly_recompute",
        "schedule": crontab(hour=1, minute=30),
    },
    "tpp-nightly-policy-sync": {
        "task": "ekinerja.tpp.tasks.nightly_policy_sync",
        "schedule": crontab(hour=1, minute=45),
    },
    "activities-nightly-deadlines": {
        "task": "ekinerja.activities.tasks.nightly_deadlines",
        "schedule": crontab(hour=2, minute=0),
    },
    # The API's Idempotency-Key answers older than 24 hours (core.idempotency): hourly, so the table
    # holds about a day of the phones' writes sent with the header.
    "core-idempotency-prune": {
        "task": "ekinerja.core.tasks.idempotency_prune",
        "schedule": crontab(minute=17),
        "options": {"expires": 50 * 60},
    },
}
