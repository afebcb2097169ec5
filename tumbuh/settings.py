"""Django settings for Tumbuh, read from the environment.

Development defaults are safe to run on a laptop (SQLite under ``var/``); production sets
``DATABASE_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and leaves ``TUMBUH_DEBUG`` unset.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("TUMBUH_VAR_DIR", BASE_DIR.parent / "var"))


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ya"}


DEBUG = env_flag("TUMBUH_DEBUG")
# The demo shows its accounts on the login page; never set this in production.
DEMO_MODE = env_flag("TUMBUH_DEMO")

# The test suite (pytest imports these settings) runs with DEBUG off, as production does; the
# processes a test starts (a second worker, the command line) inherit TUMBUH_TESTING from it.
TESTING = "pytest" in sys.modules or env_flag("TUMBUH_TESTING")
if TESTING:
    os.environ["TUMBUH_TESTING"] = "1"
#: A real deployment: not a developer's machine, the demo or the test suite.
_PRODUCTION = not (DEBUG or DEMO_MODE or TESTING)

_INSECURE_KEY = "tumbuh-insecure-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY:
    if _PRODUCTION:
        # A public key signs sessions and password-reset links: production must never start with it.
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production needs its own long random key, e.g. "
            "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))'); "
            "on a developer machine set TUMBUH_DEBUG=1 or TUMBUH_DEMO=1 instead (docs/deployment.md)."
        )
    SECRET_KEY = _INSECURE_KEY if (DEBUG or DEMO_MODE) else _INSECURE_KEY + "-local"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "tumbuh.core",
    "tumbuh.wilayah",
    "tumbuh.accounts",
    "tumbuh.audit",
    "tumbuh.organisation",
    "tumbuh.measurements",
    "tumbuh.imports",
    "tumbuh.demo",
    "tumbuh.dashboards",
    "tumbuh.maps",
    "tumbuh.publik",
    "tumbuh.documents",
    "tumbuh.indikator",
    "tumbuh.aksi",
    "tumbuh.analisis",
    "tumbuh.rencana",
    "tumbuh.rembuk",
    "tumbuh.reviu",
    "tumbuh.tpps",
    "tumbuh.rapat",
    "tumbuh.semester",
    "tumbuh.krs",
    "tumbuh.genting",
    "tumbuh.konvergensi_desa",
    "tumbuh.offline",
    "tumbuh.pooling",
    "tumbuh.penilaian",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tumbuh.core.middleware.SlidingSessionMiddleware",
    "tumbuh.core.middleware.IndonesianFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tumbuh.core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tumbuh.urls"
WSGI_APPLICATION = "tumbuh.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tumbuh.core.context_processors.tumbuh",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tumbuh.sqlite3'}"),
        conn_max_age=int(os.environ.get("TUMBUH_CONN_MAX_AGE", "60")),
        # A kept connection is checked before a request uses it: after a database restart each
        # worker reconnects by itself (the requests during the outage get the 503 page).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            # A write (a login) that comes while another holds the write lock waits this long for
            # it instead of failing at once: an import's final write of a district's file takes
            # tens of seconds (docs/performance.md); under gunicorn's 120. Reads never wait (WAL).
            "timeout": 60,
        }
    )

# Shared by gunicorn's workers: files under var/cache unless TUMBUH_CACHE_URL says otherwise
# (db://, redis://, file:///…; see tumbuh/core/cacheurl.py and docs/deployment.md).
from tumbuh.core import cacheurl  # noqa: E402

CACHES = {"default": cacheurl.parse(os.environ.get("TUMBUH_CACHE_URL"), VAR_DIR)}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions expire after eight idle hours and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("TUMBUH_SESSION_SECONDS", str(8 * 3600)))
# Saved only when they change, so a page view writes nothing; core.middleware.SlidingSessionMiddleware
# moves a logged-in session's expiry on every few minutes.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Login throttling (django-axes; tumbuh/accounts/throttling.py, docs/security.md): failures in
# the last 15 minutes, counted three ways, each with its own limit. One account from one address
# (5) slows a guesser; one address on any accounts (15) stops a password sprayed across
# accounts; one account from any addresses (30) stops guessing from many addresses, and is out
# of one address's reach (its pair locks at 5 and refused attempts do not count), so a single
# stranger cannot lock someone else's account.
LOGIN_FAILURE_LIMITS = {
    ("ip_address", "username"): int(os.environ.get("TUMBUH_LOGIN_FAILURE_LIMIT", "5")),
    ("ip_address",): int(os.environ.get("TUMBUH_LOGIN_ADDRESS_FAILURE_LIMIT", "15")),
    ("username",): int(os.environ.get("TUMBUH_LOGIN_ACCOUNT_FAILURE_LIMIT", "30")),
}
AXES_LOCKOUT_PARAMETERS = [list(key) for key in LOGIN_FAILURE_LIMITS]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMITS[("ip_address", "username")]  # the scale ThrottleHandler counts on
AXES_HANDLER = "tumbuh.accounts.throttling.ThrottleHandler"
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "tumbuh.accounts.views.locked_out"
AXES_VERBOSE = False
# The address a login comes from (tumbuh/accounts/clientip.py): the connection's own, unless
# TUMBUH_TRUSTED_PROXY_COUNT reverse proxies stand in front, the nearest setting
# TUMBUH_CLIENT_IP_HEADER (docs/deployment.md, "Behind a reverse proxy").
from tumbuh.accounts.clientip import ipware_settings  # noqa: E402

TRUSTED_PROXY_COUNT = int(os.environ.get("TUMBUH_TRUSTED_PROXY_COUNT", "0"))
CLIENT_IP_HEADER = os.environ.get("TUMBUH_CLIENT_IP_HEADER", "X-Forwarded-For")
AXES_IPWARE_META_PRECEDENCE_ORDER, AXES_IPWARE_PROXY_COUNT = ipware_settings(CLIENT_IP_HEADER, TRUSTED_PROXY_COUNT)
IPWARE_STRICT = False

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TUMBUH_TIME_ZONE", "Asia/Makassar")
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("TUMBUH_STATIC_ROOT", VAR_DIR / "static"))
MEDIA_ROOT = Path(os.environ.get("TUMBUH_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not (DEBUG or DEMO_MODE) and env_flag("TUMBUH_MANIFEST_STATIC", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or DEMO_MODE

# Security: strict by default; behind TLS-terminating proxies set TUMBUH_SECURE_PROXY=1.
SESSION_COOKIE_SECURE = env_flag("TUMBUH_SECURE_COOKIES", not (DEBUG or DEMO_MODE))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A refused form gets Tumbuh's 403 page (the layout, the user's language), not Django's English one.
CSRF_FAILURE_VIEW = "tumbuh.core.views.csrf_failure"
# Production answers on HTTPS only: HTTP is redirected and browsers are told (HSTS, one year)
# to never try plain HTTP again. A plain-HTTP intranet switches both off explicitly with
# TUMBUH_SSL_REDIRECT=0 and TUMBUH_HSTS_SECONDS=0 (docs/deployment.md).
SECURE_SSL_REDIRECT = env_flag("TUMBUH_SSL_REDIRECT", _PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("TUMBUH_HSTS_SECONDS", "31536000" if _PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_flag("TUMBUH_SECURE_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TUMBUH_LOG_LEVEL", "WARNING")},
}

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# The province role (issue 18; accounts/policy.py): "1" lets province users read the personal rows
# (children, visits, families …) of their districts, read-only and with NIKs masked; off, they
# read figures, plans and meetings only.
TUMBUH_PROVINCE_CHILD_ROWS = env_flag("TUMBUH_PROVINCE_CHILD_ROWS")

# Uploads (issue 15; tumbuh.core.safezip, tumbuh.imports.readers, docs/performance.md "Uploads").
# A zip container (.xlsx, .docx, .odt) whose member is compressed past this ratio is a zip bomb:
# real workbooks compress 12-16 : 1, Word documents 39 : 1.
TUMBUH_UPLOAD_MAX_RATIO = int(os.environ.get("TUMBUH_UPLOAD_MAX_RATIO", "100"))
# What an imported workbook may unpack to: 1 GiB is about 500,000 e-PPGBM rows.
TUMBUH_UPLOAD_MAX_UNPACKED_BYTES = int(os.environ.get("TUMBUH_UPLOAD_MAX_UNPACKED_BYTES", str(1 << 30)))
# What a document (a .docx/.xlsx/.odt attached as evidence, at most 20 MB) may unpack to.
TUMBUH_DOCUMENT_MAX_UNPACKED_BYTES = int(os.environ.get("TUMBUH_DOCUMENT_MAX_UNPACKED_BYTES", str(100 << 20)))
# The most rows one imported file may hold, the longest cell, the largest legacy .xls.
# After an e-PPGBM batch marks every dashboard period stale, a background process recomputes them
# (``tumbuh refresh_aggregates --stale --background``, at batch priority) instead of the next dashboard page.
TUMBUH_REFRESH_AFTER_IMPORT = env_flag("TUMBUH_REFRESH_AFTER_IMPORT", True)
# The offline posyandu page (tumbuh/offline, docs/offline.md): how long a phone keeps its package
# without a successful sync, and the largest sync request accepted.
TUMBUH_OFFLINE_DAYS = int(os.environ.get("TUMBUH_OFFLINE_DAYS", "7"))
TUMBUH_OFFLINE_MAX_BYTES = int(os.environ.get("TUMBUH_OFFLINE_MAX_BYTES", str(512 * 1024)))
# Pooled exports (tumbuh/pooling, docs/deployment.md "Pooling"): the district's key of the
# pseudonymous child keys (at least 32 characters; unset: a key file under VAR_DIR, made on first
# use), and the name the exports give this instance.
TUMBUH_POOLING_KEY = os.environ.get("TUMBUH_POOLING_KEY", "")
TUMBUH_POOLING_KEY_FILE = Path(os.environ.get("TUMBUH_POOLING_KEY_FILE", VAR_DIR / "pooling.key"))
TUMBUH_INSTANCE_NAME = os.environ.get("TUMBUH_INSTANCE_NAME", "")
TUMBUH_IMPORT_MAX_ROWS = int(os.environ.get("TUMBUH_IMPORT_MAX_ROWS", "2000000"))
TUMBUH_IMPORT_MAX_CELL_CHARS = int(os.environ.get("TUMBUH_IMPORT_MAX_CELL_CHARS", "10000"))
TUMBUH_IMPORT_MAX_XLS_BYTES = int(os.environ.get("TUMBUH_IMPORT_MAX_XLS_BYTES", str(64 << 20)))

# Content-Security-Policy (django-csp; docs/security.md): every script, style, font and image is
# Tumbuh's own, served by WhiteNoise, so nothing inline and nothing from elsewhere. A script a
# user managed to slip into a page would not run. Behaviour a page needs is asked for with data
# attributes (tumbuh/core/static/tumbuh/tumbuh.js) and colours are CSS classes. The one inline
# style is the 500 and 503 pages' own (one style), allowed by its hash: they must render when the static
# files cannot (core/tests/test_csp.py checks the hash against the template).
# TUMBUH_CSP_REPORT_ONLY=1 sends the policy as Content-Security-Policy-Report-Only for a
# rollout: browsers then report violations without blocking, to TUMBUH_CSP_REPORT_URI if set.
ERROR_PAGE_STYLE_HASH = "'sha256-MkU2GQKOgguGYILwo0ZV/dxjI1Rw3FMLtxTDrkYZzzw='"
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", ERROR_PAGE_STYLE_HASH],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
        **({"report-uri": [os.environ["TUMBUH_CSP_REPORT_URI"]]} if os.environ.get("TUMBUH_CSP_REPORT_URI") else {}),
    }
}
CSP_REPORT_ONLY = env_flag("TUMBUH_CSP_REPORT_ONLY")
CONTENT_SECURITY_POLICY = None if CSP_REPORT_ONLY else _CSP
CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP if CSP_REPORT_ONLY else None
# Right after SecurityMiddleware, so that every response gets it: redirects, the lockout page,
# error pages and file downloads too.
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
