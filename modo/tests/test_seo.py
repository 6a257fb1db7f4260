"""robots.txt, canonical and hreflang links: what crawlers are told."""

import pytest


@pytest.mark.django_db
def test_robots_txt_opens_public_pages_and_closes_the_app(client):
    response = client.get("/robots.txt")

    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert "Allow: /\n" in body
    for path in ("/admin/", "/api/", "/dashboard/", "/studio/", "/settings/"):
        assert f"Disallow: {path}\n" in body
    assert "Disallow: /pricing/" not in body


@pytest.mark.django_db
def test_public_pages_name_their_canonical_and_language_versions(client, settings):
    settings.SITE_URL = "https://modo.example"

    html = client.get("/pricing/?utm_source=x").content.decode()

    assert '<link rel="canonical" href="https://modo.example/pricing/">' in html
    assert '<link rel="alternate" hreflang="en" href="https://modo.example/pricing/?lang=en">' in html
    assert '<link rel="alternate" hreflang="id" href="https://modo.example/pricing/?lang=id">' in html
    assert '<link rel="alternate" hreflang="x-default" href="https://modo.example/pricing/">' in html


@pytest.mark.django_db
def test_the_lang_address_serves_that_language_and_is_its_own_canonical(client, settings):
    settings.SITE_URL = "https://modo.example"

    response = client.get("/pricing/?lang=id")

    html = response.content.decode()
    assert '<html lang="id">' in html and response["Content-Language"] == "id"
    assert '<link rel="canonical" href="https://modo.example/pricing/?lang=id">' in html


@pytest.mark.django_db
def test_switching_language_leaves_a_page_pinned_by_lang(client):
    response = client.post("/language/", {"language": "en", "next": "/pricing/?lang=id&page=2"})

    assert response.status_code == 302 and response["Location"] == "/pricing/?page=2"


@pytest.mark.django_db
def test_app_pages_have_no_hreflang(client, user):
    client.force_login(user)

    assert "hreflang" not in client.get("/dashboard/").content.decode()
