import pytest


@pytest.mark.django_db
def test_healthz_reports_every_check(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_healthz_is_503_when_the_cache_is_down(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "error"
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down(client):
    from modo.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = previous

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "error"


@pytest.mark.requires_redis
@pytest.mark.django_db
def test_healthz_reaches_a_redis_broker(client, settings):
    from modo.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = settings.TEST_REDIS_URL
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = previous

    assert response.json()["checks"]["broker"] == "ok"
