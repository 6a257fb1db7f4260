import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "features", "pricing", "about", "contact", "showcase", "auth"])
def test_public_pages_render_for_visitors(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert b"MODO Creator Verse" in response.content


@pytest.mark.django_db
def test_dashboard_needs_sign_in(client):
    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_dashboard_greets_the_creator_with_few_queries(client, user, django_assert_max_num_queries):
    from credits.ledger import credit_account_open

    credit_account_open(user=user)  # opened at signup
    client.force_login(user)

    # session, user, credit account with its plan, recent projects
    with django_assert_max_num_queries(4):
        response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    assert user.get_short_name() in response.content.decode()


@pytest.mark.django_db
def test_landing_page_is_translated_to_bahasa_indonesia(client):
    english = client.get(reverse("home")).content.decode()
    client.cookies["modo_language"] = "id"
    indonesian = client.get(reverse("home"))

    assert indonesian["Content-Language"] == "id"
    assert '<html lang="id"' in indonesian.content.decode()
    assert indonesian.content.decode() != english


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert b"MODO Creator Verse" in response.content


@pytest.mark.django_db
def test_htmx_is_served_from_our_static_files(client):
    html = client.get(reverse("home")).content.decode()

    assert "/static/vendor/htmx-2.0.11.min.js" in html
    assert "unpkg.com" not in html and "cdn" not in html.lower()
