"""Settings for the evidence portal, read from the environment.

Every setting has a safe default for the embedded mode (`make run`): SQLite under
var/, a Celery broker that needs no server, DEBUG on. Production sets
DJANGO_DEBUG=0 and must then provide DJANGO_SECRET_KEY.
"""

import math
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item]


DEBUG = env_bool("DJANGO_DEBUG", default=True)

# How many proxies in front of the portal append to X-Forwarded-For (and set
# X-Forwarded-Proto). 0: clients reach gunicorn directly, and both headers are a
# client's own word, ignored. portal.proxies.client_ip reads it.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")
    # Only ever used in DEBUG: a fixed key keeps dev sessions across restarts.
    SECRET_KEY = "django-insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "axes",
    "claims",
]

MIDDLEWARE = [
    # First: a container's healthcheck reaches /healthz over plain HTTP on
    # 127.0.0.1, which the host check and the HTTPS redirect below would refuse.
    "portal.middleware.HealthCheckMiddleware",
    # After the probes, which would fill the log every few seconds.
    "portal.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: locks out repeated failed admin logins.
    "axes.middleware.AxesMiddleware",
]

# The admin is the one place anyone logs in; without this, a login posted to
# /admin/login/ without `next` lands on /accounts/profile/, a 404.
LOGIN_REDIRECT_URL = "/admin/"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hour
# A user is locked from one address only, so an attacker cannot lock out a user
# who logs in from elsewhere; an address is locked for every user it tried, so it
# cannot try a password on each user in turn. One limit (axes has one) for both.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_CLIENT_IP_CALLABLE = "portal.proxies.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Security headers. Content-Security-Policy without 'unsafe-inline': our pages
# use only our own static CSS and JS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    if TRUSTED_PROXY_COUNT:
        # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The portal's queries are short: compiling one with PostgreSQL's JIT took
    # longer (300 ms of the browse page's facet counts) than running it.
    # random_page_cost: PostgreSQL's default (4) prices a page read from a
    # spinning disk, so the planner read every paper's search document (256 ms
    # for "angiogenesis" at bench scale) rather than the index (10 ms); 1.1
    # prices a solid-state disk or a cached table (docs/performance.md).
    # Options the URL gives come after ours, and win.
    try:
        RANDOM_PAGE_COST = float(os.environ.get("DATABASE_RANDOM_PAGE_COST", "1.1"))
    except ValueError:
        RANDOM_PAGE_COST = math.nan
    if not (math.isfinite(RANDOM_PAGE_COST) and RANDOM_PAGE_COST >= 0):
        raise ImproperlyConfigured(
            "DATABASE_RANDOM_PAGE_COST must be a number of 0 or more, such as 1.1 or 4."
        )
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = " ".join(
        filter(
            None,
            [
                f"-c jit=off -c random_page_cost={RANDOM_PAGE_COST}",
                _options.get("options", ""),
            ],
        )
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory, so a real Celery worker in the tests sees the test data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-portal.sqlite3")}
    # SQLite builds the covering indexes without their INCLUDE columns, which
    # only PostgreSQL's index-only scans read (claims.models.Evidence).
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A shared cache (API throttling, cached reads) once several processes serve:
# CACHE_URL=redis://host:6379/1. By default each process keeps its own. Redis
# down or slow never fails a request: portal.cache reads every error as a miss.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": {
        "BACKEND": "portal.cache.FailOpenRedisCache",
        "LOCATION": CACHE_URL,
        # Loopback Redis answers in well under a millisecond.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    if CACHE_URL.startswith(("redis://", "rediss://"))
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed static files in production (after collectstatic).
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

REST_FRAMEWORK = {
    # Token first, so an anonymous write is told to authenticate (401), not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "claims.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticatedOrReadOnly",
    ],
    "DEFAULT_RENDERER_CLASSES": ["claims.api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["claims.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "claims.api.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "claims.api.errors.exception_handler",
    # Read by DRF's own get_ident; ours (portal.proxies.client_ip) agrees.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.throttling.AnonThrottle",
        "portal.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "120/min"),
        "user": os.environ.get("API_THROTTLE_USER", "1200/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "MSC evidence portal API",
    "DESCRIPTION": "Claims of Bergfeld & DeClerck 2010 (PMID 20411303), the "
    "evidence behind each, and the PubMed papers it rests on.",
    "VERSION": "1.0.0",
    # Swagger UI from the sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The API's own lines: the schema documents the API, not itself.
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {
        "ClaimStatusEnum": "claims.api.schema.CLAIM_STATUS",
        "EvidenceStatusEnum": "claims.api.schema.EVIDENCE_STATUS",
        "MetadataStateEnum": "claims.api.schema.METADATA_STATE",
    },
}

# Four eyes: an editor never accepts or rejects evidence they created or
# submitted. Off only for a one-person installation.
CURATION_FOUR_EYES = env_bool("CURATION_FOUR_EYES", default=True)

# The curated content of the review, loaded by `manage.py load_review`.
REVIEW_DATA_FILE = Path(
    os.environ.get("REVIEW_DATA_FILE", BASE_DIR / "claims" / "data" / "review.yaml")
)

# The license of the data a release publishes (an SPDX identifier), and its
# legal text, written into each release as LICENSE. CC0, as CIViC's: the
# shipped text is CC0's; another license needs its own text.
DATA_LICENSE = os.environ.get("DATA_LICENSE", "CC0-1.0")
DATA_LICENSE_FILE = Path(
    os.environ.get(
        "DATA_LICENSE_FILE",
        BASE_DIR / "claims" / "data" / "licenses" / f"{DATA_LICENSE}.txt",
    )
)
if not DATA_LICENSE_FILE.is_file():
    raise ImproperlyConfigured(
        f"DATA_LICENSE is {DATA_LICENSE}, but its legal text {DATA_LICENSE_FILE} "
        "is not a file: set DATA_LICENSE_FILE to it."
    )
# Where releases are written and served from (/releases/).
RELEASES_DIR = Path(os.environ.get("RELEASES_DIR", VAR_DIR / "releases"))

# NCBI E-utilities: where to fetch citation metadata and how to identify ourselves.
NCBI_EUTILS_URL = os.environ.get(
    "NCBI_EUTILS_URL", "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
)
NCBI_API_KEY = os.environ.get("NCBI_API_KEY", "")
NCBI_EMAIL = os.environ.get("NCBI_EMAIL", "")
NCBI_TOOL = os.environ.get("NCBI_TOOL", "msc-evidence-portal")
NCBI_CONNECT_TIMEOUT = float(os.environ.get("NCBI_CONNECT_TIMEOUT", "5"))
NCBI_READ_TIMEOUT = float(os.environ.get("NCBI_READ_TIMEOUT", "30"))

# Celery. The default broker is kombu's filesystem transport under var/, so the
# embedded mode needs no server; production points CELERY_BROKER_URL at Redis.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem"):
    BROKER_DIR = VAR_DIR / "broker"
    for folder in ("queue", "processed", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A message a worker took but never acknowledged (the worker was killed) is
    # delivered again after this many seconds. Keep it above the longest retry
    # countdown (15 min): Redis would deliver a waiting retry twice otherwise.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(
            os.environ.get("CELERY_BROKER_VISIBILITY_TIMEOUT", "3600")
        ),
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged only when it finished, and one whose worker died is
# redelivered: a killed worker never loses a refresh batch.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing gives up within about a second when the broker is down: a web
# request must not hang; the refresh run records the failure instead.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_ROUTES = {
    "claims.literature.tasks.refresh_publications_task": {"queue": "ncbi"}
}
# Beat reads crontabs in this zone; Django itself stays in UTC.
CELERY_TIMEZONE = "America/New_York"
CELERY_BEAT_SCHEDULE = {
    "refresh-citations-nightly": {
        "task": "claims.literature.tasks.plan_refresh_task",
        "schedule": crontab(hour=1, minute=0),
    },
    # Autovacuum may be off (it is on our machines): the portal keeps the
    # planner's statistics and the visibility map fresh itself.
    "maintain-database-nightly": {
        "task": "portal.tasks.maintain_database_task",
        "schedule": crontab(hour=3, minute=0),
    },
}

# Structured (JSON) logs in production, one object a line; plain text in DEBUG.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
