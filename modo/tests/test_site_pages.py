"""The Studio and Watch feature pages, the /settings/ index and the landing page's strip of
published bibles (real ones only; no strip without any)."""

import pytest
from django.urls import reverse

from studio import services
from studio.tests.factories import give_plan, make_project

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["features_studio", "features_watch"])
def test_feature_pages_render_in_the_public_layout(client, name):
    response = client.get(reverse(name))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-header"' in page and 'class="page-hero"' in page and 'class="feature-row"' in page


def test_the_watch_feature_page_links_to_watch_and_the_studio(client):
    page = client.get(reverse("features_watch")).content.decode()
    assert f'href="{reverse("watch")}"' in page and f'href="{reverse("features_studio")}"' in page


def test_the_settings_index_lists_every_settings_page(client, user, settings):
    client.force_login(user)
    page = client.get(reverse("accounts:settings")).content.decode()
    index = page.split('id="settings-index"')[1].split("</ul>")[0]
    for name in ("accounts:profile", "credits:subscription", "credits:history", "accounts:api_keys",
                 "account_change_password", "account_email"):
        assert f'href="{reverse(name)}"' in index, name


def test_the_settings_index_needs_a_sign_in(client):
    response = client.get(reverse("accounts:settings"))
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_the_landing_page_has_no_strip_without_published_bibles(client, user):
    give_plan(user)
    make_project(user, title="Private Only")
    page = client.get(reverse("home")).content.decode()
    assert 'id="showcase-strip"' not in page and "Private Only" not in page


def test_the_landing_page_strip_shows_real_published_bibles(client, user):
    give_plan(user)
    published = make_project(user, title="Lantern Coast")
    services.project_publish(project=published, sections=["story"], pen_name="Ayu")
    make_project(user, title="Still Private")

    page = client.get(reverse("home")).content.decode()

    strip = page.split('id="showcase-strip"')[1].split("</section>")[0]
    assert "Lantern Coast" in strip and "by Ayu" in strip
    assert f'href="{reverse("showcase_detail", args=[published.slug])}"' in strip
    assert "Still Private" not in page
    services.project_publish(project=published, sections=[])
    assert 'id="showcase-strip"' not in client.get(reverse("home")).content.decode()
