"""The bible overview's cached project form (studio.bible.views.projects: an unbound form's fields
are kept under a digest of the values they show and the reader's language): every change shows at
once, the markup is the same from the cache as freshly drawn, and it holds nothing of the session."""

import re

import pytest
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.urls import reverse

from studio import services
from studio.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(user):
    return services.project_create(owner=user, title="Harbour Lights", logline="A girl and a lighthouse.")


def form_html(page: str) -> str:
    return re.search(r'<form id="project-form".*?</form>', page, re.S).group(0)


def fragment(response) -> str | None:
    return cache.get(make_template_fragment_key("project_form", [response.context["form_version"]]))


def test_the_cached_fields_are_the_fields_drawn_afresh(client, user, project):
    client.force_login(user)
    url = reverse("studio:project", args=[project.public_id])
    drawn = client.get(url)
    assert fragment(drawn)  # kept
    from_cache = client.get(url)

    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", form_html(from_cache.content.decode())) == token.sub("", form_html(drawn.content.decode()))
    assert 'value="Harbour Lights"' in form_html(from_cache.content.decode())


def test_every_change_shows_at_once(client, user, project):
    client.force_login(user)
    url = reverse("studio:project", args=[project.public_id])
    client.get(url)

    services.project_update(project=project, title="Harbour Lights II", genre="fantasy")
    Project.objects.filter(pk=project.pk).update(logline="A write that bumps nothing.")  # not updated_at
    form = form_html(client.get(url).content.decode())

    assert 'value="Harbour Lights II"' in form
    assert '<option value="fantasy" selected>' in form
    assert "A write that bumps nothing." in form


def test_each_language_has_its_own_fields(client, user, project):
    client.force_login(user)
    url = reverse("studio:project", args=[project.public_id])
    english = form_html(client.get(url).content.decode())
    indonesian = form_html(client.get(url + "?lang=id").content.decode())

    assert ">Title<" in english and ">Judul<" not in english
    assert ">Judul<" in indonesian and ">Title<" not in indonesian


def test_the_cache_holds_nothing_of_the_session(client, user, project):
    client.force_login(user)
    response = client.get(reverse("studio:project", args=[project.public_id]))
    kept, page = fragment(response), response.content.decode()

    assert kept and kept.strip() in page
    assert "csrfmiddlewaretoken" not in kept and response.cookies["csrftoken"].value not in kept
    assert client.session.session_key not in kept and user.email not in kept
    assert form_html(page).count('name="csrfmiddlewaretoken"') == 1  # outside the cached part


def test_a_refused_save_is_drawn_with_its_errors_and_not_kept(client, user, project):
    client.force_login(user)
    url = reverse("studio:project", args=[project.public_id])
    response = client.post(url, {"title": "", "format": project.format, "status": project.status},
                           HTTP_HX_REQUEST="true")

    assert response.status_code == 422
    assert 'id="id_title_error"' in response.content.decode()
    assert "form_version" not in response.context
    assert 'value="Harbour Lights"' in form_html(client.get(url).content.decode())  # the stored title