"""newsroom settings: one file, everything from the environment (see newsroom/env.py).

Defaults work on a developer's machine with PostgreSQL and Redis on 127.0.0.1. Production switches
on with DEBUG=false plus a real SECRET_KEY and ALLOWED_HOSTS; nothing else changes per environment.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

from newsroom import local_run
from newsroom.env import (
    database_from_url,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_networks,
    env_rate,
    env_str,
)
from newsroom.logs import FORMATS, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnop"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG or env_bool("NEWSROOM_DEV", True) else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set (or SECRET_KEY_FILE) when NEWSROOM_DEV=false")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "articles",
    "corrections",
]

MIDDLEWARE = [
    "newsroom.middleware.RequestIdMiddleware",
    "newsroom.middleware.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "newsroom.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "newsroom.middleware.DatabaseContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
# Unset URLs are those of the make run going on in this folder (newsroom/local_run.py), so that
# `manage.py create_api_token` reaches its embedded servers; with NEWSROOM_EMBEDDED=1 and no such run,
# an error rather than the local default, which may be another database named newsroom.
try:
    _RUN_URLS = local_run.server_urls(os.environ)
except local_run.EmbeddedNotRunning as _ex:
    raise ImproperlyConfigured(f"{_ex}: {local_run.HOW_TO_START}") from _ex
DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", _RUN_URLS.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom"))
    )
}
DATABASES["default"].update(
    {
        # A persistent connection per process: a new connection per request costs ~8x throughput.
        "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        "ATOMIC_REQUESTS": False,
        "OPTIONS": {
            "connect_timeout": env_int("DB_CONNECT_TIMEOUT", 3, minimum=1),
            # Which program made a change, in the row history (and pg_stat_activity).
            "application_name": env_str(
                "DB_APPLICATION_NAME",
                " ".join(["newsroom", Path(sys.orig_argv[0]).name, *sys.orig_argv[1:5]])[:63] if sys.orig_argv else "newsroom",
            ),
        },
        # Named after the configured database, so that suites on one server never share one.
        "TEST": {"NAME": env_str("TEST_DATABASE_NAME", "test_" + str(DATABASES["default"]["NAME"]))},
    }
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- redis: broker and cache ----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", _RUN_URLS.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "newsroom"),
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}

CELERY_BROKER_URL = REDIS_URL
# kombu's Redis transport, made to ride out a broker outage while a task runs (newsroom/broker_transport.py).
CELERY_BROKER_TRANSPORT = "newsroom.broker_transport:Transport"
# Three queues, so that one kind of work never waits behind another's backlog (README, Operations:
# one machine or several): ``passes`` runs a fresh revision's pipeline job, ``refresh`` a story's
# coalesced refresh of its copies' suggestions, ``maintenance`` the sweep, retention and the feeds.
# A worker started without -Q consumes all three; `-Q passes,refresh` or `-Q maintenance` one part.
# Editors' actions (decisions, publishing, decisions across articles) run in their web request and
# queue nothing.
NEWSROOM_QUEUES = ("passes", "refresh", "maintenance")
CELERY_TASK_QUEUES = tuple(Queue(name, Exchange(name, type="direct"), routing_key=name) for name in NEWSROOM_QUEUES)
CELERY_TASK_DEFAULT_QUEUE = "maintenance"
CELERY_TASK_DEFAULT_EXCHANGE = "maintenance"
CELERY_TASK_DEFAULT_ROUTING_KEY = "maintenance"
CELERY_TASK_ROUTES = {
    "corrections.tasks.run_pipeline_task": {"queue": "passes"},
    "corrections.tasks.refresh_story_task": {"queue": "refresh"},
    "corrections.tasks.sweep_jobs_task": {"queue": "maintenance"},
    "articles.tasks.retention_task": {"queue": "maintenance"},
    "articles.tasks.dispatch_feeds_task": {"queue": "maintenance"},
    "articles.tasks.poll_feed_task": {"queue": "maintenance"},
}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Never let a request hang on a broker that is down (celery#6046): the outbox row is committed
# already and the sweep publishes it once Redis is back.
CELERY_TASK_PUBLISH_RETRY = False
# With Redis the lowest number is served first; recovery work is published at 0 (corrections/jobs.py).
CELERY_TASK_DEFAULT_PRIORITY = 3
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60),
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
    "max_retries": 0,
}
CELERY_BEAT_SCHEDULE = {
    "sweep-pipeline-jobs": {
        "task": "corrections.tasks.sweep_jobs_task",
        "schedule": env_float("NEWSROOM_SWEEP_INTERVAL", 5.0, minimum=1.0),
        "options": {"priority": 0},  # ahead of the backlog (corrections.jobs.PRIORITY_FIRST)
    },
    "retention": {
        "task": "articles.tasks.retention_task",
        "schedule": env_float("NEWSROOM_RETENTION_INTERVAL", 24 * 3600.0, minimum=60.0),
    },
    "poll-due-feeds": {
        "task": "articles.tasks.dispatch_feeds_task",
        "schedule": env_float("NEWSROOM_FEED_TICK", 30.0, minimum=1.0),
    },
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A pool child warms the passes up (dictionaries, the gazetteer index) before it reports ready; on
# a busy machine that takes longer than Celery's 4 s, which then kills the child and forks another.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = env_float("CELERY_WORKER_PROC_ALIVE_TIMEOUT", 60.0, minimum=4.0)

# --- auth and security ----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["newsroom.login_guard.ThrottledModelBackend"]
NEWSROOM_LOGIN_MAX_FAILURES = env_int("NEWSROOM_LOGIN_MAX_FAILURES", 5, minimum=1)
NEWSROOM_LOGIN_COOLOFF = timedelta(minutes=env_int("NEWSROOM_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG and not env_bool("NEWSROOM_DEV", True))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "articles.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["articles.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["articles.throttling.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"client": None},  # articles.throttling reads NEWSROOM_API_RATE
    "DEFAULT_PAGINATION_CLASS": "newsroom.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "newsroom.api_errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "newsroom.api_errors.NewsroomAutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
    # ASCII-escaped JSON: a lone surrogate echoed in an error message can never break rendering.
    "UNICODE_JSON": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "newsroom API",
    "DESCRIPTION": (
        "Ingest copies of news articles, read their revisions and the corrections proposed for them, "
        "decide on suggestions and publish canonical versions. Offsets (`start`, `end`) are Python "
        "code points (Unicode scalar values) into the revision text."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Swagger UI served from the installed sidecar package: no CDN, and no inline script (CSP).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ArticleStatusEnum": "articles.models.Article.Status",
        "SuggestionStatusEnum": "corrections.models.Suggestion.Status",
    },
}

# --- newsroom limits and behaviour ------------------------------------------------------------
NEWSROOM_MAX_REQUEST_BYTES = env_int("NEWSROOM_MAX_REQUEST_BYTES", 2 * 1024 * 1024, minimum=1024)
NEWSROOM_MAX_BATCH_BYTES = env_int("NEWSROOM_MAX_BATCH_BYTES", 16 * 1024 * 1024, minimum=1024)
NEWSROOM_MAX_BATCH_ITEMS = env_int("NEWSROOM_MAX_BATCH_ITEMS", 500, minimum=1)
NEWSROOM_API_RATE = env_rate("NEWSROOM_API_RATE", "6000/min")  # per API client or user
NEWSROOM_MAX_PAGE_SIZE = env_int("NEWSROOM_MAX_PAGE_SIZE", 200, minimum=1)
NEWSROOM_PASSES = tuple(env_list("NEWSROOM_PASSES", []))  # empty: corrections.passes.registry default
NEWSROOM_JOB_MAX_ATTEMPTS = env_int("NEWSROOM_JOB_MAX_ATTEMPTS", 3, minimum=1)
# A running job's lease, renewed by its task every lease/5 (corrections/lease.py): a dead worker's
# jobs are taken back within the lease plus one sweep.
NEWSROOM_JOB_LEASE = timedelta(seconds=env_int("NEWSROOM_JOB_LEASE_SECONDS", 15, minimum=5))
# The sweep's safety net: a queued job is published again after this long even when the broker
# holds its message (lost messages are found within seconds: corrections/broker.py).
NEWSROOM_JOB_STALE_QUEUED = timedelta(seconds=env_int("NEWSROOM_JOB_STALE_QUEUED_SECONDS", 300, minimum=1))
# A story's refresh of its copies' suggestions waits this long after the first new copy, so that
# the copies arriving in the same seconds share one refresh (corrections/story_refresh.py).
NEWSROOM_STORY_REFRESH_DELAY = env_float("NEWSROOM_STORY_REFRESH_DELAY", 2.0, minimum=0.0)
NEWSROOM_TASK_SOFT_TIME_LIMIT = env_int("NEWSROOM_TASK_SOFT_TIME_LIMIT", 120, minimum=1)
NEWSROOM_AUTO_APPLY_KINDS = frozenset(env_list("NEWSROOM_AUTO_APPLY_KINDS", []))
# Bounded work per article (corrections.budget): beyond a limit, one "notice" suggestion says what
# was not checked. Passes x budget should stay under NEWSROOM_TASK_SOFT_TIME_LIMIT.
NEWSROOM_PASS_TIME_BUDGET = env_float("NEWSROOM_PASS_TIME_BUDGET", 10.0, minimum=0.1)  # seconds per pass
NEWSROOM_MAX_SUGGESTIONS_PER_PASS = env_int("NEWSROOM_MAX_SUGGESTIONS_PER_PASS", 500, minimum=1)
NEWSROOM_MAX_SUGGESTIONS_PER_ARTICLE = env_int("NEWSROOM_MAX_SUGGESTIONS_PER_ARTICLE", 2000, minimum=1)
NEWSROOM_PASS_SECTION_CHARS = env_int("NEWSROOM_PASS_SECTION_CHARS", 100_000, minimum=1000)
# What API readers see as the publisher of a publication (articles.attribution): never a username.
NEWSROOM_PUBLISHER_BYLINE = env_str("NEWSROOM_PUBLISHER_BYLINE", "newsroom desk")
# The review page shows a long text in sections (corrections.review_paging).
NEWSROOM_REVIEW_SECTION_CHARS = env_int("NEWSROOM_REVIEW_SECTION_CHARS", 20_000, minimum=1000)
NEWSROOM_REVIEW_SECTION_SUGGESTIONS = env_int("NEWSROOM_REVIEW_SECTION_SUGGESTIONS", 200, minimum=10)
# Retention (articles.retention): days to keep each removable class; 0 keeps it for ever.
# Publications, corrections, the audit trail, row history, revision 1, each client-sent revision,
# the current revision and every published one are never removed.
NEWSROOM_RETENTION_DAYS = {
    "idempotency_keys": env_int("NEWSROOM_RETAIN_IDEMPOTENCY_KEYS_DAYS", 7, minimum=0),
    "raw_payloads": env_int("NEWSROOM_RETAIN_RAW_PAYLOADS_DAYS", 0, minimum=0),
    "rejected_suggestions": env_int("NEWSROOM_RETAIN_REJECTED_SUGGESTIONS_DAYS", 0, minimum=0),
    "draft_revisions": env_int("NEWSROOM_RETAIN_DRAFT_REVISIONS_DAYS", 0, minimum=0),
}
# /metrics (newsroom.scrape): a bearer token and/or the addresses that may scrape; neither: 404.
NEWSROOM_METRICS_TOKEN = env_str("NEWSROOM_METRICS_TOKEN", "")
NEWSROOM_METRICS_ALLOW_IPS = env_networks("NEWSROOM_METRICS_ALLOW_IPS", [])
NEWSROOM_METRICS_MAX_SOURCES = env_int("NEWSROOM_METRICS_MAX_SOURCES", 50, minimum=0)
# Feeds (articles.feeds): fetch limits, backoff after errors, how long a poll may hold its claim, and
# the key credentials are encrypted with (default: derived from SECRET_KEY).
NEWSROOM_FEED_MAX_BYTES = env_int("NEWSROOM_FEED_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
NEWSROOM_FEED_TIMEOUT = env_float("NEWSROOM_FEED_TIMEOUT", 30.0, minimum=1.0)
NEWSROOM_FEED_MAX_BACKOFF = timedelta(seconds=env_int("NEWSROOM_FEED_MAX_BACKOFF_SECONDS", 6 * 3600, minimum=60))
NEWSROOM_FEED_LEASE = timedelta(seconds=env_int("NEWSROOM_FEED_LEASE_SECONDS", 600, minimum=30))
NEWSROOM_FEED_SECRET_KEY = env_str("NEWSROOM_FEED_SECRET_KEY", "")
# Feeds may point at loopback, private, link-local and reserved addresses (articles.feed_addresses).
NEWSROOM_FEED_ALLOW_PRIVATE = env_bool("NEWSROOM_FEED_ALLOW_PRIVATE", False)
NEWSROOM_STORY_WINDOW = timedelta(days=env_int("NEWSROOM_STORY_WINDOW_DAYS", 7, minimum=1))
NEWSROOM_MAX_SIBLINGS = env_int("NEWSROOM_MAX_SIBLINGS", 20, minimum=0)
NEWSROOM_STORY_THRESHOLD = env_float("NEWSROOM_STORY_THRESHOLD", 0.15)

# --- i18n, static, logging --------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# NEWSROOM_LOG_FORMAT=json: one JSON object per line with the request and job ids (newsroom.logs).
LOGGING = logging_config(env_choice("NEWSROOM_LOG_FORMAT", "plain", FORMATS), env_str("LOG_LEVEL", "INFO"))
