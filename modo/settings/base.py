"""Settings shared by every mode. Values come from the environment (or a `.env` file)."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Comma-separated Fernet keys: the first encrypts, all decrypt (rotation). See modo/crypto.py.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.github",
    "ninja",
    "anymail",
    "modo",
    "accounts",
    "studio",
    "credits",
    "aiproviders",
    "media",
]

MIDDLEWARE = [
    "modo.middleware.HealthzMiddleware",  # first: it must answer with the database down
    "modo.latency.LatencyMiddleware",  # times the whole request (modo/latency.py)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy on every page (CONTENT_SECURITY_POLICY below)
    # After WhiteNoise (static files are compressed ahead of time), before everything that writes pages.
    "modo.middleware.PageGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "modo.monitoring.SentryUserMiddleware",  # the user's id (only) on error reports, when SENTRY_DSN is set
    "accounts.middleware.UserPreferencesMiddleware",
    "accounts.middleware.AccessActionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "modo.urls"
WSGI_APPLICATION = "modo.wsgi.application"
ASGI_APPLICATION = "modo.asgi.application"

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
                "modo.context_processors.site",
                "credits.context_processors.credits",
                "media.context_processors.drive_settings",
                "accounts.context_processors.notifications",
            ],
            "builtins": ["modo.templatetags.icons"],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True


def prepared_statements(database: dict) -> dict:
    """On PostgreSQL, parameters are bound by the server and a statement run twice on a connection
    is prepared: the same query again is neither parsed nor planned again (0.1–0.3 ms less each
    on a small query). Off with DB_PREPARED_STATEMENTS=false, e.g. behind a pooler in transaction
    mode that does not keep prepared statements."""
    if database.get("ENGINE", "").endswith("postgresql") and env.bool("DB_PREPARED_STATEMENTS", default=True):
        database.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
    return database


prepared_statements(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis serves the cache (allauth's rate limits live there), the Celery broker and, later, the
# per-plan rate limits. Without it, `make run` uses a per-process memory cache and an embedded
# file-system broker so nothing needs to be installed.
REDIS_URL = env("REDIS_URL", default="")
RATE_LIMIT_REDIS_URL = REDIS_URL
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "modo.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="modo"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def chrome_cache(debug: bool) -> dict:
    """The app's chrome — the sidebar's and the account menu's links, a project's section bar, the
    studio's script strings, a gallery's filter form: markup that holds nothing of the reader's
    session and is a function of a few values — is drawn once per process and kept in its memory
    (`{% cache … using="chrome" %}`, keyed by every value it shows; at most MAX_ENTRIES fragments
    of a few kB; a deploy starts afresh). A development server reloads templates, so there it is
    drawn every time."""
    backend = "dummy.DummyCache" if debug else "locmem.LocMemCache"
    return {"BACKEND": f"django.core.cache.backends.{backend}", "OPTIONS": {"MAX_ENTRIES": 5000}}


CACHES["chrome"] = chrome_cache(DEBUG)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

# --- django-allauth ---------------------------------------------------------------------------
# accounts' adapter plus the Drive connection a Google sign-in brings (media builds on accounts).
ACCOUNT_ADAPTER = "media.signin.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# Verification is mandatory everywhere except a DEBUG development server.
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional" if DEBUG else "mandatory")
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[MODO Creator Verse] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
# 5 failed logins per 5 minutes per account, 10 per minute per IP; signup and reset limited too.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/300s/key",
    "signup": "20/h/ip",
    "reset_password": "20/h/ip,5/h/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/180s/key",
    "change_password": "5/m/user",
}
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
# Google tokens are kept encrypted on media.DriveConnection (accounts/adapters.py), never in
# allauth's plaintext SocialToken table.
SOCIALACCOUNT_STORE_TOKENS = False


def _social_app(prefix: str) -> list[dict]:
    """An app from `<PREFIX>_CLIENT_ID`/`_SECRET`, or none (then the admin's SocialApp is used)."""
    client_id = env(f"{prefix}_CLIENT_ID", default="")
    secret = env(f"{prefix}_CLIENT_SECRET", default="")
    return [{"client_id": client_id, "secret": secret}] if client_id and secret else []


SOCIALACCOUNT_PROVIDERS = {
    "google": {
        "APPS": _social_app("GOOGLE"),
        # One click signs in and lets the creator connect Google Drive later (media issue):
        # drive.file only reaches files this app created or the user picked.
        "SCOPE": ["openid", "email", "profile", "https://www.googleapis.com/auth/drive.file"],
        "AUTH_PARAMS": {"access_type": "offline", "prompt": "consent"},
        "OAUTH_PKCE_ENABLED": True,
    },
    "github": {
        "APPS": _social_app("GITHUB"),
        "SCOPE": ["read:user", "user:email"],
    },
}

# --- i18n -------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("id", _("Bahasa Indonesia"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "modo_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- static and uploaded files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded and generated files live under var/files (never a folder named "media": that is an app).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "files"))
MEDIA_URL = "/files/"
STORAGE_BACKEND = env("STORAGE_BACKEND", default="local")  # "local" or "s3" (AWS S3, Cloudflare R2, MinIO)
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET"),
            "endpoint_url": env("S3_ENDPOINT_URL", default=None),  # R2: https://<account>.r2.cloudflarestorage.com
            "region_name": env("S3_REGION", default=None),
            "access_key": env("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("S3_SECRET_ACCESS_KEY", default=None),
            # A public CDN domain in front of the bucket: used only for published showcase files.
            "custom_domain": env("S3_CUSTOM_DOMAIN", default=None),
            "file_overwrite": False,
            "default_acl": None,  # private: files are reached through short-lived signed URLs
            "querystring_auth": True,
            "querystring_expire": env.int("S3_SIGNED_URL_SECONDS", default=300),
            "signature_version": "s3v4",
        },
    }
elif STORAGE_BACKEND == "local":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured(f"STORAGE_BACKEND must be 'local' or 's3', not {STORAGE_BACKEND!r}.")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
AVATAR_MAX_BYTES = env.int("AVATAR_MAX_BYTES", default=5 * 1024 * 1024)
# Image uploads: JPEG, PNG or WebP, at most this many bytes and pixels (decoded before storing).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Sound uploads (lip-sync from a sound file) and voice lines: size and length caps (media/audio.py).
AUDIO_UPLOAD_MAX_BYTES = env.int("AUDIO_UPLOAD_MAX_BYTES", default=15 * 1024 * 1024)
AUDIO_MAX_SECONDS = env.int("AUDIO_MAX_SECONDS", default=300)
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=40_000_000)
# Video uploads (a lip-sync's face): size and length caps; decoded whole and re-encoded (media/video.py).
VIDEO_UPLOAD_MAX_BYTES = env.int("VIDEO_UPLOAD_MAX_BYTES", default=50 * 1024 * 1024)
VIDEO_MAX_SECONDS = env.int("VIDEO_MAX_SECONDS", default=30)
THUMBNAIL_SIZE = 512

# --- Google Drive (per creator; media/drive.py) ------------------------------------------------
# The OAuth client is Google login's (GOOGLE_CLIENT_ID / GOOGLE_CLIENT_SECRET).
GOOGLE_CLIENT_ID = env("GOOGLE_CLIENT_ID", default="")
GOOGLE_CLIENT_SECRET = env("GOOGLE_CLIENT_SECRET", default="")
# Optional: lets a creator without a Drive connection link files shared as "anyone with the link".
GOOGLE_DRIVE_API_KEY = env("GOOGLE_DRIVE_API_KEY", default="")
DRIVE_FOLDER_NAME = env("DRIVE_FOLDER_NAME", default="MODO Creator Verse")
DRIVE_RESUMABLE_ABOVE = 5 * 1024 * 1024  # bytes: bigger uploads use a resumable session

# --- visual generation (studio/generate/) -----------------------------------------------------------
GENERATION_MAX_ACTIVE = env.int("GENERATION_MAX_ACTIVE", default=3)  # queued + running jobs per creator
# How long a running job stays its worker's without a renewal (the worker renews it every third of it).
GENERATION_LEASE_SECONDS = env.int("GENERATION_LEASE_SECONDS", default=90)
# Refuse new jobs (503 SERVICE_UNAVAILABLE) when no worker beats for their queue (modo/workers.py).
# Off by default: `make run` starts its worker with the web and tests start theirs when they need
# one; production turns it on.
GENERATION_REQUIRE_WORKERS = env.bool("GENERATION_REQUIRE_WORKERS", default=False)
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=15)
# Replicate's signing secret ("whsec_…") for POST /api/v1/webhooks/replicate.
REPLICATE_WEBHOOK_SECRET = env("REPLICATE_WEBHOOK_SECRET", default="")
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- email ------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="MODO Creator Verse <noreply@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Who receives contact-form messages, on top of every active superuser.
CONTACT_EMAILS = env.list("CONTACT_EMAILS", default=[])
# Delivery through a vendor's API with django-anymail when one is chosen: Resend when
# RESEND_API_KEY is set, or any anymail vendor by ANYMAIL_ESP (e.g. "mailgun") with its settings
# as ANYMAIL_<SETTING> variables (ANYMAIL_MAILGUN_API_KEY=…). Otherwise EMAIL_URL (SMTP/console).
# Bounces and complaints come back on /anymail/<vendor>/tracking/ (basic auth with
# ANYMAIL_WEBHOOK_SECRET="user:password"; Resend's svix signature with ANYMAIL_RESEND_SIGNING_SECRET
# needs the svix package) and stop email to that address (accounts/notifications/bounces.py).
RESEND_API_KEY = env("RESEND_API_KEY", default="")
ANYMAIL_ESP = env("ANYMAIL_ESP", default="resend" if RESEND_API_KEY else "")
ANYMAIL = {key.removeprefix("ANYMAIL_"): value for key, value in os.environ.items()
           if key.startswith("ANYMAIL_") and key != "ANYMAIL_ESP"}
if RESEND_API_KEY:
    ANYMAIL.setdefault("RESEND_API_KEY", RESEND_API_KEY)
if ANYMAIL_ESP:
    EMAIL_BACKEND = f"anymail.backends.{ANYMAIL_ESP}.EmailBackend"
# The app shell's bell asks for the unread count this often (and at once on the page's events).
NOTIFICATIONS_POLL_SECONDS = env.int("NOTIFICATIONS_POLL_SECONDS", default=30)

# --- Celery -----------------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
else:
    _queue_dir = VAR_DIR / "celery"
    for _sub in ("queue", "control"):
        (_queue_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
# A task is acknowledged only after it ran, and put back if its worker dies: every task must be
# idempotent (jobs claim their row with a conditional update).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=10 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=11 * 60)
CELERY_TASK_DEFAULT_QUEUE = "default"
# Generation jobs are sent to the "image" or "video" queue by kind (studio/generate/jobs.py); video polls
# go to "video"; everything else to "default".
CELERY_TASK_ROUTES = {"studio.tasks.poll_generation": {"queue": "video"}}
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {"task": "modo.tasks.clear_expired_sessions", "schedule": 24 * 3600},
    # Each is idempotent per cycle / trial / order, so running more often than needed is harmless.
    "credits-run-cycle-grants": {"task": "credits.tasks.run_cycle_grants", "schedule": 15 * 60},
    "credits-expire-trials": {"task": "credits.tasks.expire_trials", "schedule": 3600},
    "credits-expire-stale-orders": {"task": "credits.tasks.expire_stale_orders", "schedule": 3600},
    "ai-cost-alerts": {"task": "aiproviders.tasks.send_cost_alerts", "schedule": 15 * 60},
    "notification-email-digests": {"task": "accounts.tasks.flush_notification_emails", "schedule": 60},
    "credits-trial-notifications": {"task": "credits.tasks.notify_trials", "schedule": 3600},
    "studio-purge-trash": {"task": "studio.tasks.purge_trash", "schedule": 24 * 3600},
    "studio-purge-exports": {"task": "studio.tasks.purge_exports", "schedule": 3600},
    "media-check-assets": {"task": "media.tasks.check_assets", "schedule": 24 * 3600},
    "studio-sweep-generations": {"task": "studio.tasks.sweep_generations", "schedule": 60},
    "ai-prune-usage-logs": {"task": "aiproviders.tasks.prune_usage_logs", "schedule": 24 * 3600},
    "modo-flush-latency": {"task": "modo.tasks.flush_latency", "schedule": 60},
    # The analytics roll-ups (modo/rollups.py): today up to a few minutes ago, missing days since 90 days.
    "modo-fill-rollups": {"task": "modo.tasks.fill_rollups", "schedule": 10 * 60},
}

# --- security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- logging ----------------------------------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

SENTRY_DSN = env("SENTRY_DSN", default="")
# The release the events name: SENTRY_RELEASE, else the commit the platform deployed (SOURCE_VERSION).
SENTRY_RELEASE = env("SENTRY_RELEASE", default=env("SOURCE_VERSION", default=""))
if SENTRY_DSN:
    from modo.monitoring import sentry_init

    sentry_init(dsn=SENTRY_DSN, release=SENTRY_RELEASE, environment=env("SENTRY_ENVIRONMENT", default="production"),
                traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0))

# --- payments (credits app) ----------------------------------------------------------------------
# Manual payments: the order page links to WhatsApp with the order number (digits only, e.g. 62812...).
PAYMENT_WHATSAPP_NUMBER = env("PAYMENT_WHATSAPP_NUMBER", default="")
PAYMENT_INSTRUCTIONS = env("PAYMENT_INSTRUCTIONS", default="")
# Midtrans Snap is used instead of manual payments when its server key is set.
MIDTRANS_SERVER_KEY = env("MIDTRANS_SERVER_KEY", default="")
MIDTRANS_CLIENT_KEY = env("MIDTRANS_CLIENT_KEY", default="")
MIDTRANS_IS_PRODUCTION = env.bool("MIDTRANS_IS_PRODUCTION", default=False)
# Rupiah per unit of a plan's or package's currency (Midtrans charges in IDR).
MIDTRANS_IDR_RATE = env("MIDTRANS_IDR_RATE", default="16000")
# Payment gateways (keys in the admin: Payment gateways). A Stripe signature's timestamp must be
# this close to now; a Xendit callback's `updated` time no older than the max age (seconds).
STRIPE_WEBHOOK_TOLERANCE = env.int("STRIPE_WEBHOOK_TOLERANCE", default=300)
PAYMENT_NOTIFICATION_MAX_AGE = env.int("PAYMENT_NOTIFICATION_MAX_AGE", default=3 * 24 * 3600)

# --- AI providers (aiproviders app) ----------------------------------------------------------------
# Seconds between a failed attempt and its one retry, and how long a failing model sits out.
AI_RETRY_BACKOFF_SECONDS = env.float("AI_RETRY_BACKOFF_SECONDS", default=1.0)
AI_MODEL_COOLDOWN_SECONDS = env.int("AI_MODEL_COOLDOWN_SECONDS", default=60)
# The usage log (one row per AI call) is pruned daily past this many days (analytics reads it).
USAGE_LOG_RETENTION_DAYS = env.int("USAGE_LOG_RETENTION_DAYS", default=400)
# Email the admins once a day per provider when its estimated vendor cost passes this (USD; 0 = off).
AI_DAILY_COST_ALERT_USD = env.float("AI_DAILY_COST_ALERT_USD", default=0)

# --- studio -------------------------------------------------------------------------------------
# Bibles with more objects than this are exported by a background job with a download link.
EXPORT_SYNC_LIMIT = env.int("EXPORT_SYNC_LIMIT", default=200)

# --- Content-Security-Policy ----------------------------------------------------------------------
# django-csp. No inline script or style runs without the request's nonce
# ({{ request.csp_nonce }}); no style="" attributes. Files are ours or the bucket's (signed URLs and
# the showcase's CDN point there). Forms post to us; Google login and Midtrans checkout are
# POSTs answered by a redirect to Google / Midtrans, which form-action also governs.
# Violations are logged by modo.views.csp_report.
# Where a buy form's redirect may lead (the gateways' hosted checkout pages).
PAYMENT_CHECKOUT_ORIGINS = ["https://checkout.xendit.co", "https://checkout.stripe.com", "https://polar.sh",
                            "https://sandbox.polar.sh", "https://buy.polar.sh"]
MIDTRANS_APP_ORIGIN = "https://app.midtrans.com" if MIDTRANS_IS_PRODUCTION else "https://app.sandbox.midtrans.com"


def storage_origins(backend: str, storages: dict) -> list[str]:
    """The origins files are served from besides ours: the bucket (signed URLs) and its CDN domain."""
    if backend != "s3":
        return []
    options = storages["default"]["OPTIONS"]
    origins = []
    if options.get("custom_domain"):
        origins.append(f"https://{options['custom_domain']}")
    if options.get("endpoint_url"):  # R2 / MinIO: path-style URLs on the endpoint's host
        parsed = urlsplit(options["endpoint_url"])
        origins.append(f"{parsed.scheme}://{parsed.netloc}")
        origins.append(f"{parsed.scheme}://{options['bucket_name']}.{parsed.netloc}")
    else:  # AWS: virtual-hosted URLs on the bucket's own host
        origins.append(f"https://{options['bucket_name']}.s3.amazonaws.com")
        if options.get("region_name"):
            origins.append(f"https://{options['bucket_name']}.s3.{options['region_name']}.amazonaws.com")
    return origins


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "blob:", *storage_origins(STORAGE_BACKEND, STORAGES)],
        "media-src": [SELF, "blob:", *storage_origins(STORAGE_BACKEND, STORAGES)],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF, "https://accounts.google.com", MIDTRANS_APP_ORIGIN, *PAYMENT_CHECKOUT_ORIGINS],
        "report-uri": "/csp-report/",  # modo.views.csp_report
    },
}
# The report endpoint: request bodies larger than this are refused; this many reports per IP a minute.
CSP_REPORT_MAX_BYTES = 16 * 1024
CSP_REPORT_RATE_PER_MINUTE = env.int("CSP_REPORT_RATE_PER_MINUTE", default=30)
