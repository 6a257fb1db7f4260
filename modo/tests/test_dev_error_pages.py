"""`make run` (DEBUG on) shows the product's 404 and 500 pages, never Django's technical pages,
and still prints the traceback in the terminal."""

import logging
import os
import subprocess
import sys

import pytest

PRODUCT_PAGES = "modo.middleware.ProductErrorPagesMiddleware"


@pytest.fixture
def dev(settings):
    settings.DEBUG = True
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, PRODUCT_PAGES]
    settings.ROOT_URLCONF = "modo.tests.error_urls"
    return settings


@pytest.mark.django_db
def test_an_unknown_url_shows_the_site_404_page_not_the_url_list(dev, client):
    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and 'class="site-header' in html
    assert "URLconf" not in html and "Using the URLconf" not in html


@pytest.mark.django_db
def test_an_object_that_does_not_exist_shows_the_site_404_page(dev, client, user):
    client.force_login(user)

    response = client.get("/studio/00000000-0000-0000-0000-000000000000/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Raised by:" not in response.content.decode()


@pytest.mark.django_db
def test_a_missing_slash_still_redirects(dev, client):
    assert client.get("/pricing").status_code == 301


@pytest.mark.django_db
def test_a_crash_shows_the_site_500_page_and_logs_the_traceback(dev, client, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/boom/")

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert "Traceback" not in response.content.decode()
    logged = [r for r in caplog.records if r.name == "django.request" and r.exc_info]
    assert len(logged) == 1 and "the boom view broke" in str(logged[0].exc_info[1])


@pytest.mark.django_db
def test_api_clients_still_get_json_errors(dev, client):
    response = client.get("/api/v1/no-such-endpoint", HTTP_ACCEPT="application/json")

    assert response.status_code == 404
    assert response.json()["success"] is False


def test_local_settings_use_the_product_error_pages():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "modo.settings.local"}
    out = subprocess.run([sys.executable, "-c", "from django.conf import settings; print(settings.DEBUG, settings.MIDDLEWARE)"],
                         env=env, capture_output=True, text=True, check=True).stdout
    assert out.startswith("True") and PRODUCT_PAGES in out
