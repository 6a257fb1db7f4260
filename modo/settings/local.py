"""Development settings: `make run`. SQLite, local files, console email, no services needed."""

import os

os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: E402,F401,F403
from .base import env

# `make run` writes a random SECRET_KEY and FIELD_ENCRYPTION_KEYS into .env; this fallback only
# keeps `manage.py` usable before that first run.
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-run-make-run-to-generate-a-real-one"  # noqa: F405
INTERNAL_IPS = ["127.0.0.1"]
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "0.0.0.0"])
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Static files come straight from the finders in development (no collectstatic).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# DEBUG stays on (templates reload, static files from the finders), but people see the product's
# own 404 and 500 pages, never Django's technical pages with the URL list and the settings; the
# traceback of a 500 still goes to this terminal (modo/middleware.py).
MIDDLEWARE = [*MIDDLEWARE, "modo.middleware.ProductErrorPagesMiddleware"]  # noqa: F405
