"""The one settings module. Everything that differs between machines comes from the
environment (design.md §7); with no variables set tierdesk runs on a SQLite file in the
data directory with a secret key generated there once."""

from __future__ import annotations

import ipaddress
import os
import secrets
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
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


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: expected a whole number, got {value!r}") from exc


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _networks(name: str) -> list[str]:
    """Addresses or networks (10.0.0.0/8, 2001:db8::/32) of the proxies in front of us."""
    found = _env_list(name)
    for item in found:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: {item!r} is not an address or network") from exc
    return found


def _base_url(value: str) -> str:
    """The origin users reach tierdesk at, for links in mail and Teams posts."""
    url = value.strip().rstrip("/")
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc or parsed.path:
        raise ImproperlyConfigured(
            "TIERDESK_BASE_URL: expected scheme://host[:port] such as "
            f"https://tierdesk.example.com, got {value!r}"
        )
    return url


def _default_data_dir() -> Path:
    """Where tierdesk keeps its data when TIERDESK_DATA_DIR is not set, found the same way
    by every entry point (make, `tierdesk …`, gunicorn, Celery): `var/` of the source
    checkout tierdesk runs from (an editable install, as `make` makes), else the user's
    data directory (XDG, ~/.local/share/tierdesk)."""
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "src" / "tierdesk").is_dir():
        return checkout / "var"
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
ALLOWED_HOSTS = _env_list("TIERDESK_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
# Where users reach tierdesk (no trailing slash): links in e-mail and Teams posts are built
# on it with tierdesk.common.links.absolute_url.
TIERDESK_BASE_URL = _base_url(os.environ.get("TIERDESK_BASE_URL", "http://127.0.0.1:8000"))
CSRF_TRUSTED_ORIGINS = _env_list("TIERDESK_CSRF_TRUSTED_ORIGINS") or [TIERDESK_BASE_URL]

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
# Large table downloads (more than insights.prepared.PREPARE_ABOVE rows) are written in a
# thread of the web process while their page shows progress (docs/insights.md).
TIERDESK_DOWNLOADS_IN_BACKGROUND = _env_bool("TIERDESK_DOWNLOADS_IN_BACKGROUND", True)
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "tierdesk"
# Daily jobs (common/daily.py): the governance scan and closing tickets resolved longer
# than TIERDESK_REOPEN_DAYS ago run once a day after TIERDESK_DAILY_AT (local "HH:MM").
TIERDESK_DAILY_AT = os.environ.get("TIERDESK_DAILY_AT", "02:00")
try:
    time.fromisoformat(TIERDESK_DAILY_AT)
except ValueError as _exc:
    raise ImproperlyConfigured(
        f"TIERDESK_DAILY_AT: expected HH:MM, got {TIERDESK_DAILY_AT!r}"
    ) from _exc
TIERDESK_REOPEN_DAYS = _env_int("TIERDESK_REOPEN_DAYS", 7)
TIERDESK_AUTOMATION_WEEKDAY = os.environ.get("TIERDESK_AUTOMATION_WEEKDAY", "monday")
# The managers' weekly digest (insights) goes out on this day, for the ISO week just ended.
TIERDESK_DIGEST_WEEKDAY = os.environ.get("TIERDESK_DIGEST_WEEKDAY", "monday")
# The CoE views' rollups are refreshed by the sweep when the inventory changed, at most
# once in this many seconds (and daily, and by `tierdesk coe-rollups --refresh`).
TIERDESK_COE_ROLLUPS_MIN_SECONDS = _env_int("TIERDESK_COE_ROLLUPS_MIN_SECONDS", 300)
# Product-update feeds (knowledge base) fetch only from this machine's loopback addresses
# when set: the tests, and machines that must not reach the internet.
TIERDESK_FEEDS_LOCAL_ONLY = os.environ.get("TIERDESK_FEEDS_LOCAL_ONLY", "").lower() in {
    "1",
    "true",
    "yes",
}
CELERY_BEAT_SCHEDULE = {
    "sla-sweep": {"task": "tierdesk.sla_sweep", "schedule": float(TIERDESK_SWEEP_SECONDS)},
    "outbox": {"task": "tierdesk.outbox_deliver", "schedule": float(TIERDESK_SWEEP_SECONDS)},
    "insights-facts": {
        "task": "tierdesk.insights_facts",
        "schedule": float(TIERDESK_SWEEP_SECONDS),
    },
    "daily-jobs": {"task": "tierdesk.daily_jobs", "schedule": 60.0},
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
    # the widgets' templates for FORM_RENDERER (TemplatesSetting)
    "django.forms",
    "rest_framework",
    "knox",
    "axes",
    "csp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "tierdesk.common",
    "tierdesk.search",
    "tierdesk.accounts",
    "tierdesk.inventory",
    "tierdesk.notify",
    "tierdesk.governance",
    "tierdesk.desk",
    "tierdesk.knowledge",
    "tierdesk.integrations",
    "tierdesk.insights",
    "tierdesk.sla",
    "tierdesk.demo",
]

MIDDLEWARE = [
    # first: X-Forwarded-* headers that did not come through a trusted proxy are dropped
    "tierdesk.common.security.ForwardedHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # static files are answered here, before the headers below (they are public)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tierdesk.common.security.PrivateCacheMiddleware",
    "tierdesk.common.security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # an API call that names no language gets API_LANGUAGE_CODE (English)
    "tierdesk.common.language.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # before CSRF, which reads the body: oversized import uploads are refused unread
    "tierdesk.inventory.importers.uploads.UploadLimitMiddleware",
    # oversized API bodies refused unread; Django's HTML error pages become JSON on /api/
    "tierdesk.common.api_errors.ApiErrorMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tierdesk.accounts.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # after CSRF, which has read the form by then: NUL characters refused, field named
    "tierdesk.common.security.RefuseNulMiddleware",
    # last, as django-axes asks: turns a refused sign-in into the "try again at" answer
    "axes.middleware.AxesMiddleware",
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

# Every form renders through tierdesk/templates/django/forms/ (common/forms.py): labels
# above full-width fields, required marks, help and errors tied to their field.
FORM_RENDERER = "tierdesk.common.forms.FormRenderer"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out sign-in before any password is checked.
    "tierdesk.accounts.backends.SignInThrottleBackend",
    # Passwords (ModelBackend), off with TIERDESK_LOCAL_PASSWORDS=off but for break-glass.
    "tierdesk.accounts.backends.LocalPasswordBackend",
    # Sign-in with Entra ID; answers only its callback ("Sign-in with Entra ID" below).
    "tierdesk.accounts.entra.EntraBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A refused form (expired or missing CSRF token) gets the site's own translated page.
CSRF_FAILURE_VIEW = "tierdesk.common.errors.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Korean first: a person who has not chosen a language gets the one their browser asks for
# (LocaleMiddleware reads Accept-Language), else Korean; mail to them goes out in Korean.
LANGUAGE_CODE = "ko"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# One date format per language, from tierdesk/common/formats/<lang>/formats.py: 2026-11-04 and
# 2026-11-04 09:05 in both languages.
FORMAT_MODULE_PATH = ["tierdesk.common.formats"]
# The API's messages to scripts and flows that send no Accept-Language (common/language.py).
API_LANGUAGE_CODE = "en"
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

# --- Transport, proxies and browser policies (docs/production.md, "Security settings") ---
# TIERDESK_HTTPS=1: users reach tierdesk over https only (TLS usually ends at the load
# balancer). Plain http is redirected, browsers are told to remember it (HSTS), cookies
# are sent over https only.
TIERDESK_HTTPS = _env_bool("TIERDESK_HTTPS")
SECURE_SSL_REDIRECT = TIERDESK_HTTPS
# The load balancer's health check calls the backend over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = _env_int("TIERDESK_HSTS_SECONDS", 365 * 24 * 3600) if TIERDESK_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("TIERDESK_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _env_bool("TIERDESK_HSTS_PRELOAD")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env_bool("TIERDESK_SECURE_COOKIES", TIERDESK_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Proxies in front of tierdesk: either their addresses (preferred: forwarded headers from
# anyone else are dropped) or how many there are. Either one makes Django believe
# X-Forwarded-Proto / X-Forwarded-Host, and the client address comes from
# X-Forwarded-For (tierdesk.common.security.client_ip) for sign-in lockouts and rate limits.
TIERDESK_TRUSTED_PROXIES = _networks("TIERDESK_TRUSTED_PROXIES")
TIERDESK_PROXY_COUNT = _env_int("TIERDESK_PROXY_COUNT", 0)
TIERDESK_BEHIND_PROXY = bool(TIERDESK_TRUSTED_PROXIES) or TIERDESK_PROXY_COUNT > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TIERDESK_BEHIND_PROXY else None
USE_X_FORWARDED_HOST = TIERDESK_BEHIND_PROXY
# security.W021 asks for HSTS preload. Preloading puts the domain and every subdomain into
# the browsers' built-in https-only lists, which takes months to undo; an operator opts in
# with TIERDESK_HSTS_PRELOAD=1 (then the warning cannot arise).
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Content-Security-Policy (django-csp): only our own files, no inline script or style. A
# response that brings its own policy keeps it (the embeddable request form names who may
# frame it); the API docs page gets the little more it needs (common/security.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy (django-permissions-policy): no page of tierdesk uses these.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Sign-in throttling (django-axes): the 11th wrong password for one user name from one
# client address within the window is refused without checking the password, until the
# window after the last failure has passed. Page sign-in, admin sign-in and API token
# creation alike.
TIERDESK_SIGNIN_FAILURES = _env_int("TIERDESK_SIGNIN_FAILURES", 10)
TIERDESK_SIGNIN_LOCKOUT_MINUTES = _env_int("TIERDESK_SIGNIN_LOCKOUT_MINUTES", 15)
AXES_FAILURE_LIMIT = TIERDESK_SIGNIN_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=TIERDESK_SIGNIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "tierdesk.common.security.client_ip"
AXES_LOCKOUT_CALLABLE = "tierdesk.accounts.views.signin_locked_out"
# Tries during a lockout do not push its end further: the time the page names holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# Failed attempts are kept (they are the lockout); successful sign-ins are not logged
# row by row.
AXES_DISABLE_ACCESS_LOG = True
AXES_HTTP_RESPONSE_CODE = 429

# API tokens (django-rest-knox): stored as SHA-512 digests, expiring, revocable
# (`tierdesk token USERNAME --list / --revoke PREFIX / --revoke-all`); a password change
# revokes all of the user's tokens.
TIERDESK_TOKEN_DAYS = _env_int("TIERDESK_TOKEN_DAYS", 90)
if TIERDESK_TOKEN_DAYS < 1:
    raise ImproperlyConfigured("TIERDESK_TOKEN_DAYS: API tokens must expire (1 day or more)")
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=TIERDESK_TOKEN_DAYS),
    "AUTH_HEADER_PREFIX": "Token",  # `Authorization: Token <key>`, as before
    "AUTO_REFRESH": False,
}

# No mail server configured: messages are kept as .eml files in <data dir>/mail/ (and in
# the outbox pages), never printed — for the web server, Celery workers and commands alike.
EMAIL_BACKEND = os.environ.get("TIERDESK_EMAIL_BACKEND", "tierdesk.notify.mailbox.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("TIERDESK_FROM_EMAIL", "tierdesk@localhost")
EMAIL_HOST = os.environ.get("TIERDESK_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("TIERDESK_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("TIERDESK_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("TIERDESK_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("TIERDESK_EMAIL_USE_TLS")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous API call then gets 401 with a WWW-Authenticate header.
        # knox's, without listing the user's other tokens on every call (issue 15).
        "tierdesk.accounts.api.auth.TokenAuthentication",
        # Entra ID access tokens (`Bearer`), when TIERDESK_API_ENTRA_TOKENS is on (below).
        "tierdesk.accounts.api.entra_bearer.EntraBearerAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Bodies: JSON nested too deep and NUL characters are refused with 400 (api_errors).
    "DEFAULT_PARSER_CLASSES": [
        "tierdesk.common.api_errors.JSONParser",
        "tierdesk.common.api_errors.FormParser",
        "tierdesk.common.api_errors.MultiPartParser",
    ],
    # One error body for the whole API: {"detail", "code", "errors"} (docs/production.md).
    "EXCEPTION_HANDLER": "tierdesk.common.api_errors.api_exception_handler",
    # Deny by default: every viewset must name who may do each action.
    "DEFAULT_PERMISSION_CLASSES": ["tierdesk.common.permissions.ActionRolePermission"],
    "DEFAULT_FILTER_BACKENDS": [
        # related objects filtered by id: a hidden one answers as a missing one
        "tierdesk.common.filters.FilterBackend",
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
    # No badge fetched from validator.swagger.io: the docs page loads nothing from outside.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "TierEnum": "tierdesk.inventory.choices.Tier",
        "SolutionKindEnum": "tierdesk.inventory.choices.SolutionKind",
        "TeamKindEnum": "tierdesk.accounts.choices.TeamKind",
        "ConnectorTierEnum": "tierdesk.inventory.choices.ConnectorTier",
        "EnvironmentTypeEnum": "tierdesk.inventory.choices.EnvironmentType",
        # Choice sets several fields share: one name each (`check --deploy` asks for it).
        "SupportTypeEnum": "tierdesk.accounts.choices.SupportType",
        "TicketTypeEnum": "tierdesk.desk.choices.TicketType",
        "TicketStatusEnum": "tierdesk.desk.choices.TicketStatus",
        "PriorityEnum": "tierdesk.sla.choices.Priority",
        "TicketChannelEnum": "tierdesk.desk.choices.Channel",
        "VendorCaseStatusEnum": "tierdesk.desk.choices.VendorCaseStatus",
        "CandidateStatusEnum": "tierdesk.insights.choices.CandidateStatus",
        "AutomationKindEnum": "tierdesk.insights.choices.AutomationKind",
        "ClusterBasisEnum": "tierdesk.insights.choices.ClusterBasis",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TIERDESK_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Failed sign-ins and lockouts are warnings; its start-up banner is not news.
        "axes": {"level": "WARNING"},
    },
}

# --- Live sync from the tenant (issue 14 item 3; docs/production.md "Live sync from the
# tenant"). A service principal registered as a Power Platform management app reads the
# admin APIs; the sync runs only when the tenant, the client id and a secret or a
# certificate are set. AUTHORITY and API_BASE are overridable for tests (a local replay
# server); CA_BUNDLE trusts a private CA (a TLS-inspecting proxy, the tests' server).
TIERDESK_SYNC_TENANT_ID = os.environ.get("TIERDESK_SYNC_TENANT_ID", "").strip()
TIERDESK_SYNC_CLIENT_ID = os.environ.get("TIERDESK_SYNC_CLIENT_ID", "").strip()
TIERDESK_SYNC_CLIENT_SECRET = os.environ.get("TIERDESK_SYNC_CLIENT_SECRET", "")
TIERDESK_SYNC_CERTIFICATE_PATH = os.environ.get("TIERDESK_SYNC_CERTIFICATE_PATH", "").strip()
TIERDESK_SYNC_CERTIFICATE_THUMBPRINT = os.environ.get(
    "TIERDESK_SYNC_CERTIFICATE_THUMBPRINT", ""
).strip()
TIERDESK_SYNC_AUTHORITY = os.environ.get(
    "TIERDESK_SYNC_AUTHORITY", "https://login.microsoftonline.com"
).rstrip("/")
TIERDESK_SYNC_API_BASE = os.environ.get("TIERDESK_SYNC_API_BASE", "").rstrip("/")
TIERDESK_SYNC_CA_BUNDLE = os.environ.get("TIERDESK_SYNC_CA_BUNDLE", "").strip()
TIERDESK_SYNC_MAX_RETRIES = _env_int("TIERDESK_SYNC_MAX_RETRIES", 5)
TIERDESK_SYNC_MAX_WAIT_SECONDS = _env_int("TIERDESK_SYNC_MAX_WAIT_SECONDS", 120)
TIERDESK_SYNC_TIMEOUT_SECONDS = _env_int("TIERDESK_SYNC_TIMEOUT_SECONDS", 60)
# The inventory API (agents) on an admin's delegated connection (importers/delegated.py):
# its MSAL token cache is stored encrypted with a key derived from TOKEN_KEY, else from
# SECRET_KEY (changing the one in use means connecting again).
TIERDESK_SYNC_TOKEN_KEY = os.environ.get("TIERDESK_SYNC_TOKEN_KEY", "")
# App launches through the sync (importers/audit.py): the Office 365 Management Activity
# API with the same service principal (permission ActivityFeed.Read). On by default: a
# refusal only adds a warning to the run; 0 turns the reading off.
TIERDESK_SYNC_AUDIT_LOG = _env_bool("TIERDESK_SYNC_AUDIT_LOG", True)

# --- E-mail intake from a mailbox (issue 14; desk/imap_poll.py, docs/production.md) -----
# Unset TIERDESK_IMAP_HOST: no polling. SECURITY ssl (993) | starttls (143) | none (tests
# only); AUTH password | oauth (Exchange Online: app-only token through MSAL, XOAUTH2).
# PROCESSED_FOLDER empty: filed mails stay in FOLDER, flagged \Seen; else moved there.
TIERDESK_IMAP_HOST = os.environ.get("TIERDESK_IMAP_HOST", "")
TIERDESK_IMAP_SECURITY = os.environ.get("TIERDESK_IMAP_SECURITY", "ssl").lower()
TIERDESK_IMAP_PORT = _env_int("TIERDESK_IMAP_PORT", 0)
TIERDESK_IMAP_USER = os.environ.get("TIERDESK_IMAP_USER", "")
TIERDESK_IMAP_AUTH = os.environ.get("TIERDESK_IMAP_AUTH", "password").lower()
TIERDESK_IMAP_PASSWORD = os.environ.get("TIERDESK_IMAP_PASSWORD", "")
TIERDESK_IMAP_TENANT_ID = os.environ.get("TIERDESK_IMAP_TENANT_ID", "")
TIERDESK_IMAP_CLIENT_ID = os.environ.get("TIERDESK_IMAP_CLIENT_ID", "")
TIERDESK_IMAP_CLIENT_SECRET = os.environ.get("TIERDESK_IMAP_CLIENT_SECRET", "")
# OAuth's Entra ID authority (default https://login.microsoftonline.com; the tests' local
# token endpoint) and a CA file to trust for it (a TLS-inspecting proxy; the tests).
TIERDESK_IMAP_AUTHORITY = os.environ.get("TIERDESK_IMAP_AUTHORITY", "").strip()
TIERDESK_IMAP_CA_BUNDLE = os.environ.get("TIERDESK_IMAP_CA_BUNDLE", "").strip()
TIERDESK_IMAP_FOLDER = os.environ.get("TIERDESK_IMAP_FOLDER", "INBOX")
TIERDESK_IMAP_PROCESSED_FOLDER = os.environ.get("TIERDESK_IMAP_PROCESSED_FOLDER", "")
TIERDESK_IMAP_BATCH = _env_int("TIERDESK_IMAP_BATCH", 50)
TIERDESK_IMAP_POLL_SECONDS = _env_int("TIERDESK_IMAP_POLL_SECONDS", 180)
if TIERDESK_IMAP_SECURITY not in {"ssl", "starttls", "none"}:
    raise ImproperlyConfigured("TIERDESK_IMAP_SECURITY: expected ssl, starttls or none")
if TIERDESK_IMAP_AUTH not in {"password", "oauth"}:
    raise ImproperlyConfigured("TIERDESK_IMAP_AUTH: expected password or oauth")
CELERY_BEAT_SCHEDULE["mail-poll"] = {
    "task": "tierdesk.mail_poll",
    "schedule": float(min(TIERDESK_IMAP_POLL_SECONDS, 60)),
}

# --- Sign-in with Entra ID (OpenID Connect; accounts/entra.py, docs/production.md "Sign-in
# with Entra ID") ---
# On when the tenant and the client (app registration) are named. The provider's endpoints
# come from <authority>/.well-known/openid-configuration at first use; the authority is
# Entra's https://login.microsoftonline.com/<tenant>/v2.0 unless TIERDESK_OIDC_AUTHORITY
# names another (the tests' local provider). Redirect URI: <base URL>/accounts/oidc/callback/.
TIERDESK_OIDC_TENANT_ID = os.environ.get("TIERDESK_OIDC_TENANT_ID", "").strip().lower()
TIERDESK_OIDC_CLIENT_ID = os.environ.get("TIERDESK_OIDC_CLIENT_ID", "").strip()
TIERDESK_OIDC_CLIENT_SECRET = os.environ.get("TIERDESK_OIDC_CLIENT_SECRET", "")
TIERDESK_OIDC_AUTHORITY = os.environ.get("TIERDESK_OIDC_AUTHORITY", "").strip().rstrip("/")
TIERDESK_OIDC_TIMEOUT = _env_int("TIERDESK_OIDC_TIMEOUT", 10)
# Tolerated clock difference with the provider when checking the ID token's exp/iat.
TIERDESK_OIDC_CLOCK_SKEW_SECONDS = _env_int("TIERDESK_OIDC_CLOCK_SKEW_SECONDS", 60)
# People tierdesk does not know (no imported or added account with their object id or
# UPN) are refused unless this is on; then an account is made at their first sign-in.
TIERDESK_OIDC_CREATE_USERS = _env_bool("TIERDESK_OIDC_CREATE_USERS")
# Entra app roles (the `roles` claim) or group object ids (`groups`) → tierdesk roles,
# applied at every sign-in: a JSON object whose values are "admin", "manager" or
# "team:<support team name>", e.g. {"Tierdesk.Admin": "admin", "Tierdesk.HelpDesk":
# "team:Help desk"}.
try:
    from tierdesk.accounts.entra_config import parse_role_map as _parse_role_map

    TIERDESK_OIDC_ROLE_MAP = _parse_role_map(os.environ.get("TIERDESK_OIDC_ROLE_MAP", ""))
except ValueError as _exc:
    raise ImproperlyConfigured(f"TIERDESK_OIDC_ROLE_MAP: {_exc}") from _exc
# TIERDESK_LOCAL_PASSWORDS=off: nobody signs in with a password (page, admin, API token)
# except the break-glass admins named in TIERDESK_BREAK_GLASS_USERS (user names).
TIERDESK_LOCAL_PASSWORDS = _env_bool("TIERDESK_LOCAL_PASSWORDS", True)
TIERDESK_BREAK_GLASS_USERS = _env_list("TIERDESK_BREAK_GLASS_USERS")
# The password throttle (django-axes, above) leaves Entra's callback alone.
AXES_WHITELIST_CALLABLE = "tierdesk.accounts.entra.not_a_password_sign_in"


# --- Power Platform custom connector and webhooks out (tierdesk.integrations) -----------
# docs/production.md "Power Platform custom connector and webhooks". A webhook
# subscription is disabled after this many failed deliveries in a row (admins are told).
TIERDESK_WEBHOOK_MAX_FAILURES = int(os.environ.get("TIERDESK_WEBHOOK_MAX_FAILURES", "10"))
# Webhook targets must be https; plain http only to this machine, and only in DEBUG or
# when this says so (tests, a local receiver).
TIERDESK_WEBHOOK_ALLOW_LOOPBACK = DEBUG or _env_bool("TIERDESK_WEBHOOK_ALLOW_LOOPBACK")
# Webhook targets must resolve to public addresses, checked when subscribed and at every
# delivery (tierdesk.common.egress). An on-premises receiver is let in only by naming its
# network here: comma-separated addresses or CIDRs (10.20.0.0/16, fd00:1::/64); empty
# by default.
TIERDESK_WEBHOOK_ALLOWED_NETWORKS = _networks("TIERDESK_WEBHOOK_ALLOWED_NETWORKS")
# How the generated connector signs in: "apikey" (the API token, `Authorization: Token …`)
# or "aad" (OAuth 2.0 with Entra ID; the client id, tenant and resource of the app
# registration below go into apiProperties.json).
TIERDESK_CONNECTOR_AUTH = os.environ.get("TIERDESK_CONNECTOR_AUTH", "apikey")
TIERDESK_CONNECTOR_AAD_CLIENT_ID = os.environ.get("TIERDESK_CONNECTOR_AAD_CLIENT_ID", "")
TIERDESK_CONNECTOR_AAD_TENANT = os.environ.get("TIERDESK_CONNECTOR_AAD_TENANT", "common")
TIERDESK_CONNECTOR_AAD_RESOURCE = os.environ.get("TIERDESK_CONNECTOR_AAD_RESOURCE", "")
# The webhook event type is one choice set wherever it appears (schema without warnings).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["WebhookEventEnum"] = (  # type: ignore[index]
    "tierdesk.integrations.choices.WebhookEvent"
)

# --- The API accepts Entra ID access tokens (accounts/api/entra_bearer.py; docs/production.md
# "The API with Entra ID access tokens") ---
# Off unless on here and the sign-in's tenant (TIERDESK_OIDC_TENANT_ID, its authority and
# keys) is configured. Audiences: the API's app ID URI and client id; empty means
# TIERDESK_CONNECTOR_AAD_RESOURCE and TIERDESK_OIDC_CLIENT_ID. A delegated token must carry
# one of the scopes; app-only tokens are refused unless one of their roles is listed.
TIERDESK_API_ENTRA_TOKENS = _env_bool("TIERDESK_API_ENTRA_TOKENS")
TIERDESK_API_ENTRA_AUDIENCES = _env_list("TIERDESK_API_ENTRA_AUDIENCES")
TIERDESK_API_ENTRA_SCOPES = _env_list("TIERDESK_API_ENTRA_SCOPES", "access_as_user")
TIERDESK_API_ENTRA_APP_ROLES = _env_list("TIERDESK_API_ENTRA_APP_ROLES")
