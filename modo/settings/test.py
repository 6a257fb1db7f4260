"""Settings for `make test`.

PostgreSQL and Redis are used when they answer. With CI=true they are required; otherwise a
missing one falls back (SQLite / memory cache) and the tests that need it are skipped with one
line saying why (see conftest.py).
"""

import socket
import tempfile
from urllib.parse import urlparse

from .base import *  # noqa: F401,F403
from .base import env, prepared_statements

CI = env.bool("CI", default=False)
SECRET_KEY = "test-secret-key-not-for-production-" + "x" * 20
FIELD_ENCRYPTION_KEYS = ["q1ZnyAb6dGCXJBUfzH4wtBwrV8DvwaMumzlbcMDbXOo="]
DEBUG = False
ALLOWED_HOSTS = ["*"]


def _answers(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


TEST_POSTGRES_URL = env(
    "TEST_DATABASE_URL", default=env("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/postgres")
)
TEST_REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
POSTGRES_AVAILABLE = TEST_POSTGRES_URL.startswith("postgres") and _answers(TEST_POSTGRES_URL, 5432)
REDIS_AVAILABLE = _answers(TEST_REDIS_URL, 6379)

if POSTGRES_AVAILABLE:
    DATABASES = {"default": prepared_statements(env.db_url_config(TEST_POSTGRES_URL))}
    # Two test runs on one server need two test databases (default: test_<name>).
    if env("TEST_DATABASE_NAME", default=""):
        DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME")}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

if REDIS_AVAILABLE:
    CACHES = {
        "default": {
            "BACKEND": "modo.cache.RedisCache",
            "LOCATION": TEST_REDIS_URL,
            # Two test runs at once (TEST_DATABASE_NAME), or two workers of one run (pytest-xdist),
            # must not clear each other's counters.
            "KEY_PREFIX": "-".join(filter(None, ["modo-test", env("TEST_DATABASE_NAME", default=""),
                                                 env("PYTEST_XDIST_WORKER", default="")])),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CACHES["chrome"] = chrome_cache(debug=False)  # noqa: F405 — as in production

RATE_LIMIT_REDIS_URL = TEST_REDIS_URL if REDIS_AVAILABLE else ""

# Tasks go to an in-memory broker unless a test asks for a real one.
CELERY_BROKER_URL = "memory://"

# A Celery worker started by a test (studio/tests/test_worker.py) runs with these settings, in its
# own process: it gets the test run's database, broker and files through the environment. Its
# broker keys carry the run's own prefix: parallel test runs share one Redis server.
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if env("WORKER_DATABASE_NAME", default=""):
    DATABASES["default"]["NAME"] = env("WORKER_DATABASE_NAME")
    CELERY_BROKER_URL = env("WORKER_BROKER_URL")
    CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": env("WORKER_BROKER_PREFIX", default="")}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = env("WORKER_MEDIA_ROOT", default="") or tempfile.mkdtemp(prefix="modo-test-files-")
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "confirm_email": False}  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
AI_RETRY_BACKOFF_SECONDS = 0
