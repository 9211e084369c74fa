"""Fusebox settings, read from the environment.

Defaults serve a laptop: SQLite, a filesystem message broker and media on local disk under
``var/``. Production sets ``DATABASE_URL``, ``CELERY_BROKER_URL``, ``SECRET_KEY`` (or
``SECRET_KEY_FILE``), ``ALLOWED_HOSTS`` and ``FUSEBOX_DEBUG=false``; the README lists them all.
"""

from pathlib import Path

import dj_database_url

from console.env import (
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_path,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env_path("FUSEBOX_VAR_DIR", BASE_DIR / "var")

DEBUG = env_bool("FUSEBOX_DEBUG", default=True)

# A fixed key is only acceptable for a laptop; production must provide one.
SECRET_KEY = env_secret("SECRET_KEY", "dev-only-insecure-key-change-me-" + "0" * 32)
if not DEBUG and SECRET_KEY.startswith("dev-only-"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set SECRET_KEY or SECRET_KEY_FILE when FUSEBOX_DEBUG is false.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "console",
    "vault",
    "trust",
    "fusionsets",
    "builds",
    "certified",
    "workers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "console.middleware.OrganizationScopeMiddleware",
    "vault.middleware.VaultUnavailableMiddleware",
]

ROOT_URLCONF = "console.urls"
WSGI_APPLICATION = "console.wsgi.application"

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
                "console.context_processors.console",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'fusebox.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Lock a username and address pair out after repeated failed logins.
AXES_FAILURE_LIMIT = env_int("FUSEBOX_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("FUSEBOX_LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "console/locked_out.html"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env_path("STATIC_ROOT", VAR_DIR / "static")
WHITENOISE_USE_FINDERS = DEBUG
if DEBUG:
    # WhiteNoise scans STATIC_ROOT at start-up; on a laptop it is empty until collectstatic.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = env_path("MEDIA_ROOT", VAR_DIR / "media")
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Fusebox <fusebox@localhost>")

# Only true behind a reverse proxy that sets X-Forwarded-For itself (audit source address).
FUSEBOX_TRUST_X_FORWARDED_FOR = env_bool("FUSEBOX_TRUST_X_FORWARDED_FOR", default=False)

# Shared cache (API throttling). Local memory on a laptop; Redis in production.
CACHE_URL = env_str("CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# How long a web process may answer a DEV-API token from the cache instead of the database.
# Revoking a token clears its entry; with CACHE_URL unset each process has its own cache, so
# another web process can accept a revoked token for up to this many seconds. 0 turns it off.
FUSEBOX_TOKEN_CACHE_SECONDS = env_int("FUSEBOX_TOKEN_CACHE_SECONDS", 5)

# Production hardening; `manage.py check --deploy` is clean when FUSEBOX_DEBUG=false.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "console.api_auth.TokenAuthentication",
        "console.api_auth.ConsoleSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["console.api_auth.HasRolePermission"],
    "DEFAULT_THROTTLE_CLASSES": ["console.api_auth.OrganizationRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "organization": env_str("FUSEBOX_API_RATE", "1200/minute"),
    },
    "EXCEPTION_HANDLER": "console.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "console.pagination.ApiPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fusebox DEV-API",
    "DESCRIPTION": "Upload Android apps, fuse them with a Fusion Set and download the result.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Operations are grouped (and their ids prefixed) by the path segment after /api/v1/.
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # The docs page (Swagger UI, "Try it out" with a token) is served from Fusebox's own
    # static files and asks no other host: no CDN, no schema validator, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# Celery. The embedded default is kombu's filesystem transport so that `make run` needs no
# service; production points CELERY_BROKER_URL at Redis with AOF persistence.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        # The filesystem transport polls; a short interval keeps local builds responsive.
        "polling_interval": 0.1,
        "store_processed": False,
    }
else:
    # Longer than the longest step's hard time limit, so a running task is never redelivered.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 2 * 60 * 60)
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ALWAYS_EAGER = False
# Celery beat (production): a heartbeat keeps the console's "worker online" status current.
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "workers.heartbeat", "schedule": 60.0},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("FUSEBOX_LOG_LEVEL", "INFO")},
    "loggers": {
        "androguard": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
    },
}

# Builds: upload limit, storage of apps and outputs, the pipeline's time limits, attempts,
# heartbeat and reaper, and webhook retries (see docs/builds.md).
FUSEBOX_UPLOAD_MAX_BYTES = env_int("FUSEBOX_UPLOAD_MAX_BYTES", 1024 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024  # larger uploads stream to a temporary file
FUSEBOX_BUILD_STORAGE = env_str("FUSEBOX_BUILD_STORAGE", "local")
if FUSEBOX_BUILD_STORAGE == "s3":
    STORAGES["builds"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("FUSEBOX_S3_BUCKET"),
            "endpoint_url": env_str("FUSEBOX_S3_ENDPOINT_URL") or None,
            "region_name": env_str("FUSEBOX_S3_REGION") or None,
            "access_key": env_str("FUSEBOX_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_secret("FUSEBOX_S3_SECRET_ACCESS_KEY") or None,
            "file_overwrite": True,
            "default_acl": None,
            "querystring_auth": True,
        },
    }
else:
    STORAGES["builds"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(env_path("FUSEBOX_BUILD_STORAGE_DIR", MEDIA_ROOT / "builds"))},
    }
FUSEBOX_BUILD_WORK_DIR = env_path("FUSEBOX_BUILD_WORK_DIR", VAR_DIR / "work")
FUSEBOX_BUILD_STEP_TIME_LIMITS = {
    "validating": env_int("FUSEBOX_BUILD_VALIDATE_SECONDS", 300),
    "fusing": env_int("FUSEBOX_BUILD_FUSE_SECONDS", 1800),
    "signing": env_int("FUSEBOX_BUILD_SIGN_SECONDS", 900),
    "certifying": env_int("FUSEBOX_BUILD_CERTIFY_SECONDS", 600),
}
FUSEBOX_BUILD_MAX_ATTEMPTS = env_int("FUSEBOX_BUILD_MAX_ATTEMPTS", 3)
FUSEBOX_BUILD_HEARTBEAT_SECONDS = env_int("FUSEBOX_BUILD_HEARTBEAT_SECONDS", 10)
FUSEBOX_BUILD_HEARTBEAT_TIMEOUT = env_int("FUSEBOX_BUILD_HEARTBEAT_TIMEOUT", 120)
FUSEBOX_BUILD_DISPATCH_TIMEOUT = env_int("FUSEBOX_BUILD_DISPATCH_TIMEOUT", 30 * 60)
FUSEBOX_BUILD_REAPER_SECONDS = env_int("FUSEBOX_BUILD_REAPER_SECONDS", 60)
# Test hook only: a step named in this file waits while the file exists (reliability tests).
FUSEBOX_BUILD_PAUSE_FILE = env_str("FUSEBOX_BUILD_PAUSE_FILE")
FUSEBOX_WEBHOOK_MAX_ATTEMPTS = env_int("FUSEBOX_WEBHOOK_MAX_ATTEMPTS", 6)
FUSEBOX_WEBHOOK_TIMEOUT_SECONDS = env_int("FUSEBOX_WEBHOOK_TIMEOUT_SECONDS", 10)
# Webhooks reach public addresses only; these networks (CIDR) are allowed besides.
FUSEBOX_WEBHOOK_ALLOWED_NETWORKS = env_networks("FUSEBOX_WEBHOOK_ALLOWED_NETWORKS")
CELERY_BEAT_SCHEDULE["build-reaper"] = {
    "task": "builds.reap",
    "schedule": float(FUSEBOX_BUILD_REAPER_SECONDS),
}
