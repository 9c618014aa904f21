"""Settings, read from the environment in this one place.

Nothing set gives the embedded default (SQLite, eager Celery, console e-mail), so the portal runs
anywhere with one command. ``DJANGO_PRODUCTION=true`` demands every production secret and has no
defaults for them.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from regiolab.cache import DEGRADING_OPTIONS
from regiolab.release import source_digest

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

PRODUCTION = env.bool("DJANGO_PRODUCTION", default=False)

if PRODUCTION:
    DEBUG = False
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
    DATABASES = {"default": env.db_url("DATABASE_URL")}
    REDIS_URL = env.str("REDIS_URL")
else:
    DEBUG = env.bool("DJANGO_DEBUG", default=False)
    # Development-only key; production refuses to start without DJANGO_SECRET_KEY.
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-development-key-not-for-production")
    ALLOWED_HOSTS = env.list(
        "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"]
    )
    DATABASES = {
        "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
    }
    REDIS_URL = env.str("REDIS_URL", default="")

DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
# Off by default: the check is a hidden SELECT 1 on every request that reuses a connection. A
# connection the database dropped fails one request per worker and is then replaced.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_CONN_HEALTH_CHECKS", default=False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default has two writers, runserver's threads and Celery beat (make run):
    # WAL lets pages read while one writes; IMMEDIATE takes the write lock at BEGIN, which on
    # SQLite stands in for select_for_update (a no-op there), so lock-check-write stays one
    # writer at a time; a writer waits up to 20 s for the other instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "django_htmx",
    "auditlog",
    "rules.apps.AutodiscoverRulesConfig",
    "regiolab",
    "regiolab.pages",
    "regiolab.audit",
    "regiolab.privacy",
    "regiolab.search",
    "regiolab.mail",
    "regiolab.home",
    "companies",
    "networks",
    "workshops",
    "learning",
    "surveys",
    "challenges",
    "funding",
    "policy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "regiolab.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session middleware, so it sees the session cookie being set (private pages).
    "regiolab.security.PrivateCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language lives in the session (no django_language cookie), see regiolab/i18n.py.
    "regiolab.i18n.SessionLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Records the signed-in user as the actor of audit log entries (regiolab/audit/).
    "auditlog.middleware.AuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After auth, messages and htmx: it reads the user, adds a message, answers htmx apart.
    "regiolab.mfa.RequireMFAMiddleware",
]

ROOT_URLCONF = "regiolab.urls"
WSGI_APPLICATION = "regiolab.wsgi.application"

_loaders = [
    "django.template.loaders.filesystem.Loader",
    "django.template.loaders.app_directories.Loader",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "regiolab.context_processors.navigation",
            ],
            "loaders": _loaders if DEBUG else [("django.template.loaders.cached.Loader", _loaders)],
            "builtins": ["django.templatetags.i18n", "rules.templatetags.rules"],
        },
    }
]

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # Django's and allauth's backends, loading the user's roles with the user (one query).
    "regiolab.auth_backends.ModelBackend",
    "regiolab.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time: German first, English second -------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
# Listed before the apps' catalogues, so its entries win: allauth's German says "du", ours "Sie".
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates as "4 Dec 2026, 14:00", German "4. Dezember 2026, 14:00" (regiolab/formats).
FORMAT_MODULE_PATH = ["regiolab.formats"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Static and private files ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # Private: reports and imports are served only through permission-checked views.
        "OPTIONS": {"location": env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private")},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Files browsers ask for at the site's root (/favicon.ico), answered before Django's URLs.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
# Form fields without files: far above any form of the portal, far below what hurts.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# Uploads (the imports) stay in memory, capped at IMPORT_MAX_BYTES, and never reach a temporary
# file on disk; a larger file arrives empty with its real size, and the form says it is too big.
FILE_UPLOAD_HANDLERS = ["regiolab.uploads.MemoryOnlyUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis at CACHE_URL, by default the broker's (allauth rate limits need a shared one) -
# In production compose gives the cache its own Redis (allkeys-lru, bounded), so anonymous
# visitors can never crowd out Celery's queue; in development one server does both.
CACHE_URL = env.str("CACHE_URL", default="") or REDIS_URL
# Each release has keys of its own: nothing cached from other code or templates is served.
RELEASE = env.str("RELEASE", default="") or source_digest(BASE_DIR)
if CACHE_URL:
    CACHES = {
        "default": {
            # django-redis keeps one client per connection pool; Django's own backend builds
            # a new client for every call, a measurable share of a cached page.
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="regiolab") + f":{RELEASE}",
            # The cache may fail, the pages may not: a failed call is a miss, waits at most
            # half a second, and sends the process past Redis for CACHE_RETRY_SECONDS.
            "OPTIONS": DEGRADING_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CACHE_RETRY_SECONDS = env.float("CACHE_RETRY_SECONDS", default=5)
# Cached values and fragments (regiolab/caching.py) are replaced by any write to their tables;
# this only bounds how long one may live, should Redis lose a table's version.
CACHE_TIMEOUT = env.int("CACHE_TIMEOUT", default=600)

# --- Celery --------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A dead or hanging broker must not hold up a request: one attempt with short timeouts, and the
# periodic tasks catch up on what could not be enqueued (the rows are committed as pending).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 0,
    "socket_connect_timeout": 1,
    "socket_timeout": 1,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY = False
# Workers and beat wait for the broker instead (regiolab/celery.py: worker_broker_options).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A task running when the broker goes away finishes (its acknowledgement may be lost, and it is
# safe to run again); cutting it off could cut an SMTP batch between sending and marking sent.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TIMEZONE = TIME_ZONE
# Three queues, so that a long report build never holds up e-mail and each kind of work can be
# given its own workers (README "Production": docker compose up --scale worker=3, and the
# worker-reports service). A worker started without -Q consumes all three.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = {"celery": {}, "mail": {}, "reports": {}}
CELERY_TASK_ROUTES = {
    "regiolab.tasks.deliver_new_emails": {"queue": "mail"},
    "regiolab.tasks.deliver_pending_emails": {"queue": "mail"},
    "workshops.send_invitations": {"queue": "mail"},
    "workshops.send_pending_invitations": {"queue": "mail"},
    "workshops.send_due_reminders": {"queue": "mail"},
    # PDF builds (WeasyPrint): seconds each and memory-hungry.
    "funding.build_progress_report": {"queue": "reports"},
    "funding.build_queued_reports": {"queue": "reports"},
    "workshops.send_certificates": {"queue": "reports"},
    "learning.send_task_reminders": {"queue": "mail"},
    "learning.build_final_report": {"queue": "reports"},
    "learning.build_queued_final_reports": {"queue": "reports"},
    "policy.send_newsletter_batch": {"queue": "mail"},
    "policy.build_monitoring_report": {"queue": "reports"},
    "policy.build_queued_monitoring_reports": {"queue": "reports"},
}
CELERY_BEAT_SCHEDULE = {
    "deliver-pending-emails": {"task": "regiolab.tasks.deliver_pending_emails", "schedule": 60.0},
    "send-pending-invitations": {
        "task": "workshops.send_pending_invitations",
        "schedule": 120.0,
    },
    "send-due-reminders": {"task": "workshops.send_due_reminders", "schedule": 300.0},
    "mark-finished-workshops": {
        "task": "workshops.mark_finished_workshops",
        "schedule": 900.0,
    },
    "build-queued-reports": {"task": "funding.build_queued_reports", "schedule": 120.0},
    "build-queued-final-reports": {
        "task": "learning.build_queued_final_reports",
        "schedule": 120.0,
    },
    "build-queued-monitoring-reports": {
        "task": "policy.build_queued_monitoring_reports",
        "schedule": 120.0,
    },
    # Nightly, Europe/Berlin (CELERY_TIMEZONE): personal data past the programmes' retention.
    "anonymise-expired-personal-data": {
        "task": "funding.anonymise_expired_personal_data",
        "schedule": crontab(hour=3, minute=30),
    },
    # Daily, Europe/Berlin: homework reminders 7 days and 1 day before a task is due.
    "send-task-reminders": {
        "task": "learning.send_task_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "surveys-feedback": {"task": "surveys.send_feedback_invitations", "schedule": 3600.0},
    "surveys-reminders": {"task": "surveys.send_reminders", "schedule": 3600.0},
    "surveys-pending": {"task": "surveys.send_pending_invitations", "schedule": 300.0},
    # Hourly: partners' calendars (policy/feeds/), each feed in a task of its own.
    "policy-import-partner-feeds": {"task": "policy.import_partner_feeds", "schedule": 3600.0},
    # Hourly: approved challenges go public when their call's "published" phase begins.
    "challenges-publish-due": {"task": "challenges.publish_due_challenges", "schedule": 3600.0},
}
# Partner feeds (policy/feeds/fetching.py): seconds to wait for a partner's server.
PARTNER_FEEDS_TIMEOUT = env.float("PARTNER_FEEDS_TIMEOUT", default=20)
# Every periodic task at this one interval (seconds) instead of its own: to watch them work
# under make run without waiting, and for the test of make run's beat.
if BEAT_INTERVAL := env.float("BEAT_INTERVAL_SECONDS", default=0):
    for _entry in CELERY_BEAT_SCHEDULE.values():
        _entry["schedule"] = BEAT_INTERVAL

# --- E-mail --------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="regioLab <noreply@regiolab.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where replies to the portal's automatic e-mails go (Reply-To), shown in the imprint.
OFFICE_EMAIL = env.str("OFFICE_EMAIL", default="kontakt@regiolab.example")
EMAIL_TIMEOUT = 10
# A temporary failure (4xx, connection refused or dropped, timeout) is retried with growing
# back-off for MAIL_RETRY_HOURS before the e-mail counts as failed (RFC 5321 suggests 4-5 days;
# relays defer for hours); a 5xx fails it at once. Seconds before the n-th retry, the last
# repeated.
MAIL_RETRY_HOURS = env.float("MAIL_RETRY_HOURS", default=72)
MAIL_RETRY_BACKOFF = env.list(
    "MAIL_RETRY_BACKOFF", cast=float, default=[60, 300, 900, 1800, 3600, 7200, 14400]
)
# Seconds a batch of e-mails or invitations stays claimed by its sender; 0: longer than a live
# sender can take (regiolab.mail.claim_seconds). After a killed worker its rest waits this long.
MAIL_CLAIM_SECONDS = env.float("MAIL_CLAIM_SECONDS", default=0)

# --- Accounts (django-allauth) ------------------------------------------------------------
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "regiolab.forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/5m/key",
}
ACCOUNT_ADAPTER = "regiolab.adapters.AccountAdapter"
# Behind the reverse proxy every connection comes from the proxy: the rate limits (login, sign-up,
# accessibility feedback) count per address the trusted proxies appended to X-Forwarded-For,
# read through allauth's adapter.get_client_ip. 0 ignores the header (anyone can forge it).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# "Signed in as Anna Schmidt", not as the generated login handle.
ACCOUNT_USER_DISPLAY = "regiolab.text.user_display"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[regioLab] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# Two-factor login (authenticator app + recovery codes): required for coordinators, funders and
# staff by regiolab.mfa.RequireMFAMiddleware, offered to everybody else.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "regioLab"
# One 30-second step either side, as RFC 6238 (5.2) recommends for clock drift and typing time.
MFA_TOTP_TOLERANCE = 1
# allauth's forms, each code accepted once ever (regiolab/mfa.py: it kept used codes for 30 s).
MFA_FORMS = {
    "authenticate": "regiolab.mfa.AuthenticateForm",
    "reauthenticate": "regiolab.mfa.ReauthenticateForm",
    "activate_totp": "regiolab.mfa.ActivateTOTPForm",
}

# --- Security ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# Read from the cache (Redis), written through to the database: one database round trip less on
# every signed-in request.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Only the session and CSRF cookies: messages wait in the session, not in a cookie of their own.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# Content-Security-Policy (django-csp): scripts and styles only from our own static files, no
# inline code; data: images for the authenticator QR code (allauth renders it as a data URI).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# Browser features no page uses (regiolab.security.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "camera",
        "microphone",
        "geolocation",
        "payment",
        "usb",
        "serial",
        "bluetooth",
        "magnetometer",
        "gyroscope",
        "accelerometer",
        "browsing-topics",
    )
}
if PRODUCTION:
    # The portal runs behind a TLS-terminating reverse proxy (nginx, Traefik, …) that talks HTTP
    # to gunicorn. The proxy MUST set X-Forwarded-Proto to "https" or "http" itself and drop any
    # value the client sent; otherwise a client could pretend its plain-HTTP request was secure.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Uploads and imports -------------------------------------------------------------------
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=2 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=5000)

# --- Audit log (django-auditlog; models registered in each app's audit.py) ----------------
# No IP addresses: the actor is enough, and a visitor's address would be personal data to erase.
AUDITLOG_DISABLE_REMOTE_ADDR = True
AUDITLOG_DISABLE_ON_RAW_SAVE = True  # fixtures (loaddata) are not changes by anybody

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
