"""Production settings (gunicorn, Celery). Refuses to start without its secrets."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import env

for _name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "DATABASE_URL"):
    if not env(_name, default=""):
        raise ImproperlyConfigured(f"{_name} must be set in production (see .env.example).")

DEBUG = False
# No live worker for a job's queue: refuse it (503) rather than hold credits for nobody.
GENERATION_REQUIRE_WORKERS = env.bool("GENERATION_REQUIRE_WORKERS", default=True)
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Sessions read from the Redis-backed cache, written through to the database (a cache flush or a
# Redis restart signs nobody out). The app shell's plan/balance summary is cached there too
# (credits.selectors.shell_summary_for_request: 5 minutes at most, dropped by every ledger write).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
