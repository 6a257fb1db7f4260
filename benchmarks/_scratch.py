"""A scratch PostgreSQL database for a benchmark: created and migrated on entry, dropped on exit."""

import os
import sys
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "modo.settings.test"


@contextmanager
def scratch_database(name: str):
    import django
    from django.conf import settings

    if not settings.POSTGRES_AVAILABLE:
        sys.exit("PostgreSQL is not answering: this benchmark needs it.")
    settings.DATABASES["default"]["TEST"] = {"NAME": name}
    django.setup()

    from django.db import connection, connections
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)
