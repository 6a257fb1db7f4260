"""The app's chrome kept in each process's memory (the "chrome" cache: modo.settings.base.chrome_cache):
the sidebar's and the account menu's links, a project's section bar and the studio's script
strings. Each page still marks itself, each reader gets their language and their own menu, a
renamed project shows at once, and nothing of anyone's session or account is kept."""

import re

import pytest
from django.core.cache import caches
from django.urls import reverse

from accounts.tests.factories import UserFactory
from studio import services

pytestmark = pytest.mark.django_db


def current(page: str, css_class: str) -> list[str]:
    """The links of a nav that say they are the current page."""
    nav = re.search(rf'<nav class="{css_class}".*?</nav>', page, re.S).group(0)
    return re.findall(r'<a href="([^"]+)" aria-current="page"', nav)


def kept() -> str:
    chrome = caches["chrome"]
    return "".join(str(chrome.get(key.split(":", 2)[-1])) for key in list(chrome._cache))


def test_the_sidebar_marks_each_page_from_the_cache(client, user):
    client.force_login(user)
    for _ in range(2):  # drawn, then kept
        assert current(client.get(reverse("dashboard")).content.decode(), "sidebar__nav") == [reverse("dashboard")]
        assert current(client.get(reverse("credits:history")).content.decode(), "sidebar__nav") == [
            reverse("credits:history")]


def test_each_language_and_each_menu_is_its_own(client, user):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert f'href="{reverse("admin:index")}"' in client.get(reverse("dashboard")).content.decode()
    indonesian = client.get(reverse("dashboard") + "?lang=id").content.decode()
    assert ">Dasbor<" in indonesian and ">Dashboard<" not in indonesian

    client.force_login(user)
    page = client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("admin:index")}"' not in page  # not the staff member's menu
    assert ">Dashboard<" in page and ">Dasbor<" not in page


def test_the_project_bar_shows_a_new_title_at_once_and_marks_each_section(client, user):
    project = services.project_create(owner=user, title="Harbour Lights")
    client.force_login(user)
    story, characters = reverse("studio:story", args=[project.public_id]), reverse("studio:characters",
                                                                                  args=[project.public_id])
    for _ in range(2):
        assert current(client.get(story).content.decode(), "project-nav scroll-shadows") == [story]
        assert current(client.get(characters).content.decode(), "project-nav scroll-shadows") == [characters]

    services.project_update(project=project, title="Harbour Lights II")
    assert ">Harbour Lights II</a>" in client.get(story).content.decode()


def test_the_script_strings_carry_each_requests_nonce(client, user):
    project = services.project_create(owner=user, title="Harbour Lights")
    client.force_login(user)
    url = reverse("studio:story", args=[project.public_id])
    for _ in range(2):
        response = client.get(url)
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        assert f'id="studio-strings" nonce="{nonce}">{{' in response.content.decode()


def test_nothing_of_the_reader_is_kept(client, user):
    project = services.project_create(owner=user, title="Harbour Lights")
    client.force_login(user)
    response = client.get(reverse("studio:story", args=[project.public_id]))

    chrome = kept()
    assert "project-nav" in chrome and "sidebar__nav" in chrome and "user-menu__links" in chrome
    assert user.email not in chrome and "csrfmiddlewaretoken" not in chrome
    assert response.cookies["csrftoken"].value not in chrome and client.session.session_key not in chrome


def test_the_gallery_filter_shows_each_query(client, user):
    project = services.project_create(owner=user, title="Harbour Lights")
    client.force_login(user)
    url = reverse("studio:gallery", args=[project.public_id])

    def shown(query: str) -> str:
        page = client.get(url + query).content.decode()
        return re.search(r'<form class="card project-filter pg-filter".*?</form>', page, re.S).group(0)

    for _ in range(2):
        assert '<option value="video" selected>' in shown("?media=video")
        assert '<option value="video" selected>' not in shown("?media=image&page=2")
        assert 'value="compass"' in shown("?q=compass") and "compass" not in shown("")
        assert 'id="id_media_error"' in shown("?media=bogus")
        assert ">Clear<" in shown("?favourites=on") and ">Clear<" not in shown("?page=2")


def test_the_projects_filter_shows_each_query(client, user):
    services.project_create(owner=user, title="Harbour Lights")
    client.force_login(user)

    def shown(query: str) -> str:
        page = client.get(reverse("studio:projects") + query).content.decode()
        return re.search(r'<form id="project-filter".*?</form>', page, re.S).group(0)

    for _ in range(2):
        assert '<option value="fantasy" selected>' in shown("?genre=fantasy")
        assert '<option value="fantasy" selected>' not in shown("?genre=horror&page=2")
        assert 'value="compass"' in shown("?q=compass") and "compass" not in shown("")
        assert 'id="id_sort_error"' in shown("?sort=bogus")
        assert ">Clear<" in shown("?q=harbour") and ">Clear<" not in shown("?page=2")
