"""Settings for the SSO office system: one module, configured by the environment.

See README.md, 'Configuration', for every variable. `make run` and `make test` set
DATABASE_URL and REDIS_URL themselves when they start the embedded servers.
"""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from sso.env import database_from_url, env_bool, env_int, env_list, env_str, redis_url_database_shifted

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

_secret = env_str("SECRET_KEY", default=None)
if _secret is None:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY is not set (it may only be omitted with DEBUG=1).")
    _secret = "django-insecure-development-only-key-never-use-in-production-0123456789"
SECRET_KEY = _secret

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "axes",
    "sso.core",
    "registry",
    "contributions",
    "benefits",
    "queueing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sso.core.middleware.SecurityHeadersMiddleware",  # after whitenoise: static files keep their caching
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sso.core.middleware.ThaiFirstLocaleMiddleware",
    "sso.core.middleware.ControlCharacterGuard",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sso.urls"
WSGI_APPLICATION = "sso.wsgi.application"
# WSGI middleware around the application (sso/wsgi.py), innermost first: hot paths answered
# ahead of Django's middleware with the same policy (sso.core.policy).
WSGI_WRAPPERS = ["queueing.api.fast.QueueFastPath"]
AUTH_USER_MODEL = "core.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sso.core.context_processors.staff_menu",
            ],
        },
    },
]

# --- Database: PostgreSQL only. Connections stay open between requests (a new
# connection per request costs about 9x throughput on this hardware).
DATABASE_URL = env_str("DATABASE_URL")
# DB_HEALTH_CHECKS=1 checks a kept connection (SELECT 1) before each request's first query.
# Off, as Django has it: the check is a round trip on every API call (a counter's call-next
# is one round trip itself), and without it a connection broken by a database restart fails
# one request and is then dropped.
DATABASES = {
    "default": database_from_url(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 600),
        health_checks=env_bool("DB_HEALTH_CHECKS", False),
    )
}
# DATABASE_NAME, when set, names another database on the same server (the test worker uses it).
DATABASES["default"]["NAME"] = env_str("DATABASE_NAME", default=DATABASES["default"]["NAME"])
# REPORTS_DATABASE_URL, when set, names a read replica of that database: the report pages
# read their summaries and the back office's figures there (sso.core.db, sso.core.routers);
# nothing is written or migrated there. In tests it mirrors the test database (its name,
# which the replica receives through the log; docs/architecture.md, 'The report pages').
REPORTS_DATABASE_URL = env_str("REPORTS_DATABASE_URL", default="")
if REPORTS_DATABASE_URL:
    DATABASES["reports"] = database_from_url(
        REPORTS_DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 600),
        health_checks=env_bool("DB_HEALTH_CHECKS", False),
        name="REPORTS_DATABASE_URL",
    )
    DATABASES["reports"]["NAME"] = env_str("DATABASE_NAME", default=DATABASES["reports"]["NAME"])
    DATABASES["reports"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["sso.core.routers.ReportsRouter"]
# How long a report that has just rolled its summary on the primary waits for the replica to
# replay it before it reads the primary instead (seconds).
REPORTS_REPLICA_WAIT = env_int("REPORTS_REPLICA_WAIT_MS", 1000) / 1000
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, Celery broker and result backend.
REDIS_URL = env_str("REDIS_URL")
# Under pytest-xdist, test process gwN (and the servers and workers it starts) use the Redis
# database N above REDIS_URL's: its cache, limits, token revocations, board keys, Celery
# broker and results never meet another process's, nor a test's key clean-up another's keys.
_test_process = env_str("PYTEST_XDIST_WORKER", default="")
if _test_process.startswith("gw") and _test_process[2:].isdigit():
    REDIS_URL = redis_url_database_shifted(REDIS_URL, int(_test_process[2:]))
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_PREFIX", default="sso"),
    }
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", default="sso")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TIMEZONE = "Asia/Bangkok"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "sso.core.tasks.heartbeat", "schedule": 60.0},
    "queue-days-close": {"task": "queueing.tasks.queue_days_close", "schedule": crontab(hour=0, minute=5)},
    # A queue table's dead index entries slow every call until removed (queueing migration 0004).
    "queue-tables-vacuum": {"task": "queueing.tasks.queue_tables_vacuum", "schedule": 30.0},
    # The kiosks' wait estimate reads each service's average service time from the cache.
    "queue-service-averages": {"task": "queueing.tasks.service_averages_refresh", "schedule": 60.0},
    # The reports read the queue's summary rows: today's are rebuilt from the tickets (queueing).
    "queue-summary-roll": {"task": "queueing.tasks.queue_summary_roll_today", "schedule": 300.0},
    # The safety net of the statements' cross-check: re-sends a verification task that was lost.
    "statements-verify-pending": {"task": "contributions.tasks.statements_verify_pending", "schedule": 300.0},
    # The month's payments of pensions, invalidity, child allowance and unemployment (safe to re-run).
    "benefit-payments-monthly": {
        "task": "benefits.tasks.payments_monthly_run",
        "schedule": crontab(day_of_month="1", hour=1, minute=0),
    },
    # Bulk uploads whose worker was killed at the hard time limit end as failed, not "checking".
    "bulk-uploads-fail-stale": {"task": "registry.tasks.bulk_uploads_fail_stale", "schedule": 300.0},
    # The safety net of the claims' cross-check: re-sends a verification task that was lost.
    "claims-verify-pending": {"task": "benefits.tasks.claims_verify_pending", "schedule": 300.0},
    # The back-office report's summary of today's (and yesterday's) collection, re-rolled.
    "collection-summary-roll": {"task": "contributions.tasks.collection_summary_roll", "schedule": 300.0},
    # The back-office report's summary of today's (and yesterday's) claim step durations.
    "claim-steps-roll": {"task": "benefits.tasks.claim_steps_roll", "schedule": 300.0},
    # Last month's evidence report of every office and the national edition, kept (after the
    # nightly close has re-rolled the month's last day).
    "evidence-reports-monthly": {
        "task": "sso.core.tasks.evidence_reports_monthly",
        "schedule": crontab(day_of_month="1", hour=2, minute=0),
    },
}

# --- Uploaded files (sso/core/uploads.py): every reader is bounded before it reads.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
UPLOAD_MAX_UNCOMPRESSED_BYTES = env_int("UPLOAD_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)
UPLOAD_MAX_COMPRESSION_RATIO = env_int("UPLOAD_MAX_COMPRESSION_RATIO", 100)
UPLOAD_MAX_ZIP_ENTRIES = env_int("UPLOAD_MAX_ZIP_ENTRIES", 500)
UPLOAD_MAX_ROWS = env_int("UPLOAD_MAX_ROWS", 200_000)
UPLOAD_MAX_COLUMNS = env_int("UPLOAD_MAX_COLUMNS", 200)
UPLOAD_MAX_CELLS = env_int("UPLOAD_MAX_CELLS", 2_000_000)
UPLOAD_ERRORS_SHOWN = env_int("UPLOAD_ERRORS_SHOWN", 1000)
# A task past its soft limit is told (and marks its work failed); past the hard limit its
# process is killed. The upload tasks have their own, shorter limits.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 900)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 960)
UPLOAD_TASK_SOFT_TIME_LIMIT = env_int("UPLOAD_TASK_SOFT_TIME_LIMIT", 300)
UPLOAD_TASK_TIME_LIMIT = env_int("UPLOAD_TASK_TIME_LIMIT", 330)

# --- Messages to a customer's phone (the queue's notices: sso/core/messaging.py): `log`
# (written to the log, the default), `sms` (an SMS gateway's HTTP API) or `line` (LINE).
MESSAGE_SENDER = env_str("MESSAGE_SENDER", default="log")
if MESSAGE_SENDER not in ("log", "sms", "line"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("MESSAGE_SENDER must be log, sms or line.")
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN", default="")
SMS_SENDER_NAME = env_str("SMS_SENDER_NAME", default="SSO")
LINE_API_URL = env_str("LINE_API_URL", default="https://api.line.me")
LINE_CHANNEL_TOKEN = env_str("LINE_CHANNEL_TOKEN", default="")
if MESSAGE_SENDER == "sms" and not SMS_GATEWAY_URL:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SMS_GATEWAY_URL is not set (MESSAGE_SENDER=sms).")
if MESSAGE_SENDER == "line" and not LINE_CHANNEL_TOKEN:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("LINE_CHANNEL_TOKEN is not set (MESSAGE_SENDER=line).")

# --- People and sessions.
AUTHENTICATION_BACKENDS = [
    "sso.core.login_brake.UsernameBrakeBackend",
    "axes.backends.AxesStandaloneBackend",
    "sso.core.auth.CachedPermissionsBackend",
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
# An idle counter screen signs itself out: the session lives SESSION_IDLE_MINUTES
# after the last request, and ends with the browser.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Failed-login lockout (django-axes): by user name AND address together. A lock by name
# alone let anyone shut any user out by typing their name; with the pair, failures from
# elsewhere lock only that address out of that account. Counter PCs share an office address,
# so a lock by address alone would shut a whole office out. The address is the one our proxy
# saw (`sso.core.throttling.client_address`, also used by the API's throttles).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "sso.core.throttling.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 403
# The brake by user name alone (`sso.core.login_brake`): once a name has had
# LOGIN_BRAKE_AFTER failures from all addresses within the lockout time, a further attempt
# from an address that has not signed in as that user in the last 30 days is checked only
# after a wait that doubles with each failure, up to LOGIN_BRAKE_MAX_SECONDS (an attempt
# sooner is refused unchecked). It slows a guessing attack spread over many addresses to
# about one guess a minute, and never locks: the user's own addresses are not braked.
LOGIN_BRAKE_AFTER = env_int("LOGIN_BRAKE_AFTER", 20)
LOGIN_BRAKE_MAX_SECONDS = env_int("LOGIN_BRAKE_MAX_SECONDS", 60)
# The four-eyes confirmation (a supervisor's password typed on an officer's screen) never
# goes through axes: its failures block that form for that officer and supervisor only
# (`sso.core.confirm`), never the supervisor's own sign-in.
CONFIRM_FAILURE_LIMIT = env_int("CONFIRM_FAILURE_LIMIT", 5)
CONFIRM_BLOCK_MINUTES = env_int("CONFIRM_BLOCK_MINUTES", 15)

# --- Language, time, formats. Thai is the default; English on request.
LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Bangkok"
USE_TZ = True

# --- Static files: whitenoise, no JS build step.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- API.
REST_FRAMEWORK = {
    # The token first: a refused token (expired, revoked) answers 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sso.core.api.authentication.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["sso.core.api.permissions.StaffModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Every error in one shape, with the reason in Thai and English (sso.core.api.errors).
    "EXCEPTION_HANDLER": "sso.core.api.errors.exception_handler",
    # One Redis round trip a call for every limit of the caller (`sso.core.throttling`).
    "DEFAULT_THROTTLE_CLASSES": ["sso.core.throttling.ApiRateThrottle"],
}
# Rates, read at each request (tests change them): "count/period" (s, min, h, day), several
# separated by commas, each counted in its own fixed window in Redis. A counter's API work is a
# few calls a minute; the queue's call-next and kiosk ticket, answered ahead of DRF
# (queueing.api.fast), count against the same limits (sso.core.policy.api_rate_allows), and
# a call over them falls through to DRF, which answers 429. Empty turns a limit off.
API_THROTTLE_RATES = {
    "user": env_str("API_THROTTLE_USER", default="30/s,600/min"),  # per signed-in user
    "token": env_str("API_THROTTLE_TOKEN", default="30/s,600/min"),  # per API token
    "anon": env_str("API_THROTTLE_ANON", default="60/min"),  # per address, not signed in
    "sign_in": env_str("API_THROTTLE_SIGN_IN", default="20/min"),  # token sign-in, per address
    "sign_in_user": env_str("API_THROTTLE_SIGN_IN_USER", default="10/min"),  # token sign-in, per user name
}
# API tokens expire: a member of staff's API_TOKEN_HOURS after issue, a registered system
# client's (a kiosk, a bank's file exchange: issued by an administrator) API_SYSTEM_TOKEN_DAYS.
API_TOKEN_HOURS = env_int("API_TOKEN_HOURS", 8)
API_SYSTEM_TOKEN_DAYS = env_int("API_SYSTEM_TOKEN_DAYS", 90)
SPECTACULAR_SETTINGS = {
    "TITLE": "SSO office system API",
    "DESCRIPTION": "Registry, contributions, benefits and the walk-in queue of a social security office.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # The error shape documented once and put on every operation's 4xx answers.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "sso.core.api.errors.error_schema_hook",
    ],
    "REDOC_DIST": "SIDECAR",
    # Several models have a `status`: each choice set gets its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "queueing.models.Ticket.Status",
        "EmployerStatusEnum": "registry.models.Employer.Status",
        "PersonStatusEnum": "registry.models.InsuredPerson.Status",
        "BulkUploadStatusEnum": "registry.models.BulkUpload.Status",
        "ClaimStatusEnum": "benefits.models.Claim.Status",
    },
}

# --- Production hardening: on by default whenever DEBUG is off
# (`manage.py check --deploy` passes with no warnings).
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy, Permissions-Policy and Cache-Control (sso.core.middleware.
# SecurityHeadersMiddleware). No inline script or style, no eval: every script and stylesheet
# is a file under static/. The receipt's PDF is shown in a frame of our own (frame-src), the
# board listens to server-sent events (connect-src); the PDF view lets our own pages frame it.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; "
    "object-src 'none'"
)
# Browser features no screen uses are off; the display board may go full screen and keep the
# screen awake, and play its chime. The ID-card reader types like a keyboard: no usb or hid.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(self), camera=(), display-capture=(), encrypted-media=(), "
    "fullscreen=(self), gamepad=(), geolocation=(), gyroscope=(), hid=(), idle-detection=(), magnetometer=(), "
    "microphone=(), midi=(), payment=(), picture-in-picture=(), publickey-credentials-get=(), "
    "screen-wake-lock=(self), serial=(), usb=(), xr-spatial-tracking=()"
)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
