"""Shared test set-up: which services are used, and the browser fixtures.

PostgreSQL and Redis are used when they answer. With CI=true a missing one stops the run
with an error; otherwise the tests that need it are skipped with one line saying why."""

import os
import shutil

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_AVAILABLE = os.path.exists(CHROMIUM)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _missing() -> dict[str, str]:
    missing = {}
    if not settings.POSTGRES_AVAILABLE:
        missing["requires_postgres"] = f"PostgreSQL does not answer at {settings.TEST_POSTGRES_URL}"
    if not settings.REDIS_AVAILABLE:
        missing["requires_redis"] = f"Redis does not answer at {settings.TEST_REDIS_URL}"
    if not CHROMIUM_AVAILABLE:
        missing["browser"] = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    return missing


def pytest_report_header(config):
    db = "PostgreSQL" if settings.POSTGRES_AVAILABLE else "SQLite (in memory)"
    cache = "Redis" if settings.REDIS_AVAILABLE else "local memory"
    return [f"modo: database {db}, cache {cache}, chromium {'yes' if CHROMIUM_AVAILABLE else 'no'}, CI={settings.CI}"]


def pytest_sessionstart(session):
    missing = _missing()
    if settings.CI and missing:
        pytest.exit("CI=true needs every service: " + "; ".join(missing.values()), returncode=3)


def pytest_collection_modifyitems(config, items):
    missing = _missing()
    reported = set()
    for item in items:
        for marker, why in missing.items():
            if item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=why))
                if marker not in reported:
                    reported.add(marker)
                    print(f"\nmodo: skipping tests marked {marker}: {why}")


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate-limit counters live in the cache: every test starts from none (and reads the
    configuration catalog, the workers' heartbeats and request latencies afresh)."""
    from django.core.cache import cache, caches

    from modo import after_response, catalog, latency, workers
    from modo.admin_site import navigation

    yield
    catalog.forget()
    navigation.forget()
    workers.forget()
    latency.forget()
    after_response.forget()
    cache.clear()  # on Redis, this run's own keys only (modo.cache.RedisCache.clear)
    caches["chrome"].clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language and leaves none active: a test that activates
    Indonesian (a request with the id cookie, translation.activate) must not change the next one."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def seeded_defaults(db):
    """What the data migrations seed (plans, packages, costs, the offline AI provider);
    transactional tests flush it."""
    from aiproviders import seed as ai_seed
    from aiproviders.models import AIModel, Provider
    from credits.models import CreditCost, CreditPackage, Plan
    from credits.seed import seed
    from studio.models import ImagePreset
    from studio.seed import seed as seed_presets

    seed(Plan, CreditPackage, CreditCost)
    ai_seed.seed(Provider, AIModel)
    seed_presets(ImagePreset)


@pytest.fixture
def page(browser, live_server, transactional_db, seeded_defaults):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800}, locale="en-US")
    context.set_default_timeout(10_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def celery_eager():
    """Runs tasks in-process for the tests that need the task's effect (never globally)."""
    from modo.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False


@pytest.fixture
def user(db):
    from accounts.tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def outsider(db):
    from accounts.tests.factories import UserFactory

    return UserFactory()
