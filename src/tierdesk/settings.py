"""The one settings module. Everything that differs between machines comes from the
environment (design.md §7); with no variables set tierdesk runs on a SQLite file in the
data directory with a secret key generated there once."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import django_stubs_ext
from django.utils.translation import gettext_lazy as _

# Lets classes such as ModelAdmin[Solution] be subscripted at run time, as the type stubs
# expect.
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tierdesk"


DATA_DIR = Path(os.environ.get("TIERDESK_DATA_DIR") or _default_data_dir()).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    from_env = os.environ.get("TIERDESK_SECRET_KEY")
    if from_env:
        return from_env
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        # Written once with owner-only permissions; exclusive create so two processes
        # starting together never end up with different keys.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


def database_from_url(url: str) -> dict[str, Any]:
    """Parse postgres://user:pass@host:port/name?option=value into a DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "tierdesk",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    if parsed.scheme == "sqlite":
        return _sqlite(Path(unquote(parsed.path)))
    raise ValueError(f"TIERDESK_DATABASE_URL: unsupported scheme {parsed.scheme!r}")


def _sqlite(path: Path) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # WAL lets readers go on while one writer writes; IMMEDIATE takes the write
            # lock at BEGIN so two writers queue instead of failing mid-transaction. A
            # writer waits up to a minute: an import's one write transaction (about 16 s
            # for 100,000 solutions and 1.7 million daily facts, docs/importers.md) makes
            # the desk's writes wait, never fail.
            "transaction_mode": "IMMEDIATE",
            "timeout": 60,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;PRAGMA cache_size=-64000;PRAGMA temp_store=MEMORY;"
            ),
        },
    }


SECRET_KEY = _secret_key()
DEBUG = _env_bool("TIERDESK_DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("TIERDESK_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("TIERDESK_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

_database_url = os.environ.get("TIERDESK_DATABASE_URL", "")
DATABASES = {
    "default": database_from_url(_database_url)
    if _database_url
    else _sqlite(DATA_DIR / "tierdesk.sqlite3")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("TIERDESK_REDIS_URL", "")

# Background work (docs/sla.md): with Redis, Celery workers and beat; without, the
# in-process scheduler started by `tierdesk serve`. Both every TIERDESK_SWEEP_SECONDS.
TIERDESK_SWEEP_SECONDS = int(os.environ.get("TIERDESK_SWEEP_SECONDS", "30"))

# Imports (docs/importers.md): uploads larger than this are refused before they are read;
# an upload from the page runs in the background while its page shows progress.
TIERDESK_IMPORT_MAX_UPLOAD_MB = int(os.environ.get("TIERDESK_IMPORT_MAX_UPLOAD_MB", "1024"))
TIERDESK_IMPORT_UPLOAD_PATHS = ("/inventory/imports/upload/", "/api/v1/imports/upload/")
TIERDESK_IMPORTS_IN_BACKGROUND = _env_bool("TIERDESK_IMPORTS_IN_BACKGROUND", True)
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "tierdesk"
CELERY_BEAT_SCHEDULE = {
    "sla-sweep": {"task": "tierdesk.sla_sweep", "schedule": float(TIERDESK_SWEEP_SECONDS)},
    "outbox": {"task": "tierdesk.outbox_deliver", "schedule": float(TIERDESK_SWEEP_SECONDS)},
}

# One cache shared by every server process (rate limits must hold across workers):
# Redis when configured, else files in the data directory.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    )
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "tierdesk.common",
    "tierdesk.accounts",
    "tierdesk.inventory",
    "tierdesk.notify",
    "tierdesk.governance",
    "tierdesk.desk",
    "tierdesk.sla",
    "tierdesk.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # before CSRF, which reads the body: oversized import uploads are refused unread
    "tierdesk.inventory.importers.uploads.UploadLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tierdesk.accounts.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "tierdesk.urls"
WSGI_APPLICATION = "tierdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tierdesk.accounts.context_processors.navigation",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIERDESK_TIME_ZONE", "Asia/Seoul")
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = DATA_DIR / "uploads"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Tests and `tierdesk serve` before collectstatic find files straight from the package.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env_bool("TIERDESK_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

EMAIL_BACKEND = os.environ.get(
    "TIERDESK_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("TIERDESK_FROM_EMAIL", "tierdesk@localhost")
EMAIL_HOST = os.environ.get("TIERDESK_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("TIERDESK_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("TIERDESK_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("TIERDESK_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("TIERDESK_EMAIL_USE_TLS")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous API call then gets 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default: every viewset must name who may do each action.
    "DEFAULT_PERMISSION_CLASSES": ["tierdesk.common.permissions.ActionRolePermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "tierdesk API",
    "DESCRIPTION": "Inventory, tiers and support of low-code solutions.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from the package, never from a CDN: tierdesk runs without the internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "TierEnum": "tierdesk.inventory.choices.Tier",
        "SolutionKindEnum": "tierdesk.inventory.choices.SolutionKind",
        "TeamKindEnum": "tierdesk.accounts.choices.TeamKind",
        "ConnectorTierEnum": "tierdesk.inventory.choices.ConnectorTier",
        "EnvironmentTypeEnum": "tierdesk.inventory.choices.EnvironmentType",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TIERDESK_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
