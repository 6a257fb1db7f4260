"""The galleries' cached file markup (studio.gallery.panels.files_version): a target's panel and
the project gallery show every change at once, in the reader's language, hold nothing of anyone's
session, and one viewer's controls never reach another viewer."""

import re

import pytest
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.test import Client
from django.urls import reverse

from accounts import teams
from accounts.models import Membership
from accounts.tests.factories import UserFactory
from media import services
from media.models import DriveConnection, MediaAsset
from studio import services as studio_services
from studio.gallery import services as gallery_services
from studio.targets import target_of

from .conftest import png

pytestmark = pytest.mark.django_db


def add(user, target, n=1):
    return [services.asset_store(data=png(), mime="image/png", owner=user, target=target) for _ in range(n)]


def grid(page: str) -> str:
    """The files' markup of a page: the cached part."""
    return re.search(r'<ul class="gallery__grid[^>]*>(.*?)</ul>', page, re.S).group(1)


def panel_fragment(response) -> str:
    return cache.get(make_template_fragment_key("gallery_files", [response.context["gallery"]["files_version"]]))


def project_gallery_fragment(response) -> str:
    return cache.get(make_template_fragment_key("project_gallery_files", [response.context["files_version"]]))


def test_the_panel_shows_every_change_to_a_file_at_once(local_storage, client, user, project, character,
                                                        character_target):
    first, second = add(user, character_target, 2)
    client.force_login(user)
    url = reverse("studio:character", args=[character.public_id])
    before = client.get(url)
    assert f'id="asset-{first.public_id}-fav" aria-pressed="false"' in before.content.decode()
    assert panel_fragment(before)  # cached

    services.asset_favourite(asset=first, favourite=True)
    gallery_services.asset_set_primary(asset=second)
    MediaAsset.objects.filter(pk=first.pk).update(is_accessible=False)  # a write that bumps nothing
    page = client.get(url).content.decode()

    assert f'id="asset-{first.public_id}-fav" aria-pressed="true"' in page
    assert f'class="asset asset--primary" id="asset-{second.public_id}"' in page
    assert f'id="asset-{first.public_id}-check"' in page  # the broken file's "Check again"

    gallery_services.asset_delete(asset=first)
    assert f'id="asset-{first.public_id}"' not in client.get(url).content.decode()


def test_the_panel_marks_a_file_out_of_date_when_the_character_sheet_changes(local_storage, client, user, character,
                                                                             character_target):
    from studio.generate.prompts import character_sheet_hash

    asset, = add(user, character_target)
    MediaAsset.objects.filter(pk=asset.pk).update(source_type="generated",
                                                  params={"sheet_hash": character_sheet_hash(character)})
    client.force_login(user)
    url = reverse("studio:character", args=[character.public_id])
    assert "Out of date" not in grid(client.get(url).content.decode())

    character.appearance = "Now with a green scarf"
    character.save()

    assert "Out of date" in grid(client.get(url).content.decode())


def test_the_project_gallery_shows_a_renamed_target_at_once(local_storage, client, user, project, character,
                                                             character_target):
    add(user, character_target)
    client.force_login(user)
    url = reverse("studio:gallery", args=[project.public_id])
    assert character.name in grid(client.get(url).content.decode())

    character.name = "Lintang the Renamed"
    character.save()

    assert "Lintang the Renamed" in grid(client.get(url).content.decode())


def test_the_project_gallery_says_how_long_ago_a_file_came_as_time_passes(local_storage, client, user, project,
                                                                          project_target, monkeypatch):
    from datetime import datetime, timedelta

    from django.contrib.humanize.templatetags import humanize

    add(user, project_target)
    client.force_login(user)
    url = reverse("studio:gallery", args=[project.public_id])
    assert "hours ago" not in grid(client.get(url).content.decode())

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(hours=3, minutes=5)

    monkeypatch.setattr(humanize, "datetime", Later)

    assert "3\xa0hours ago" in grid(client.get(url).content.decode())


def test_the_project_gallery_dates_files_in_the_readers_time_zone(local_storage, client, user, project,
                                                                   project_target):
    add(user, project_target)
    client.force_login(user)
    url = reverse("studio:gallery", args=[project.public_id])
    assert "+00:00" in grid(client.get(url).content.decode())

    user.timezone = "Asia/Jakarta"
    user.save()

    assert "+07:00" in grid(client.get(url).content.decode())


@pytest.mark.parametrize("url_of", [
    lambda project, character: reverse("studio:project", args=[project.public_id]),
    lambda project, character: reverse("studio:gallery", args=[project.public_id]),
], ids=["bible overview", "project gallery"])
def test_each_language_has_its_own_markup(local_storage, client, user, project, character, project_target, url_of):
    add(user, project_target, 2)
    client.force_login(user)
    url = url_of(project, character)
    english = grid(client.get(url).content.decode())
    indonesian = grid(client.get(url + "?lang=id").content.decode())

    assert "Set as cover" in english and "Jadikan sampul" not in english
    assert "Jadikan sampul" in indonesian and "Set as cover" not in indonesian
    assert "Set as cover" in grid(client.get(url).content.decode())


def test_the_cached_markup_holds_no_token_and_nothing_of_the_session(local_storage, client, user, project,
                                                                       project_target):
    add(user, project_target, 3)
    client.force_login(user)
    for url, fragment_of in ((reverse("studio:project", args=[project.public_id]), panel_fragment),
                             (reverse("studio:gallery", args=[project.public_id]), project_gallery_fragment)):
        response = client.get(url)
        fragment = fragment_of(response)
        page = response.content.decode()

        assert fragment and fragment.strip() in page
        assert "csrfmiddlewaretoken" not in fragment and response.cookies["csrftoken"].value not in fragment
        assert client.session.session_key not in fragment and user.email not in fragment
        assert 'name="next"' not in fragment
        # The page's own form carries the token and "next", once, outside the cached part.
        assert page.count("csrfmiddlewaretoken") - grid(page).count("csrfmiddlewaretoken") >= 1
        assert 'form="' in fragment


@pytest.fixture
def team_project(local_storage, user, settings):
    """A team project owned by `user` (with Google Drive connected) that a viewer (without Drive)
    reads; one file of the project can no longer be opened."""
    settings.GOOGLE_DRIVE_API_KEY = ""  # "Replace from Drive" only for whoever has Drive connected
    DriveConnection.objects.create(user=user, is_active=True)
    viewer = UserFactory()
    team = teams.team_create(user=user, name="Ember Studio")
    Membership.objects.create(team=team, user=viewer, role="viewer")
    project = studio_services.project_create(owner=user, title="Team bible", team=team)
    broken, _fine = add(user, target_of(project), 2)
    MediaAsset.objects.filter(pk=broken.pk).update(is_accessible=False)
    return project, viewer


def test_a_second_viewer_never_sees_the_first_viewers_controls(client, user, team_project):
    project, viewer = team_project
    url = reverse("studio:project", args=[project.public_id])
    client.force_login(user)
    owners = client.get(url)
    owner_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', owners.content.decode()).group(1)
    assert "Replace from Drive" in grid(owners.content.decode())

    other = Client()
    other.force_login(viewer)
    viewers = other.get(url)
    page = viewers.content.decode()

    assert viewers.status_code == 200
    assert viewers.context["gallery"]["files_version"] != owners.context["gallery"]["files_version"]
    assert "Replace from Drive" not in page and "replace-form" not in page
    assert owner_token not in page and "csrfmiddlewaretoken" not in grid(page)
    # The owner still gets theirs (from the cache) after the viewer's page was cached.
    assert "Replace from Drive" in grid(client.get(url).content.decode())


def test_members_in_the_same_situation_share_the_markup_but_not_the_form(client, user, team_project):
    """Nothing in a file's markup depends on the viewer's role (each action checks it): an editor
    and a viewer with the same settings read the same cached markup, each with their own form."""
    project, viewer = team_project
    editor = UserFactory()
    Membership.objects.create(team=project.team, user=editor, role="editor")
    url = reverse("studio:gallery", args=[project.public_id])
    pages = []
    for member in (viewer, editor):
        member_client = Client()
        member_client.force_login(member)
        pages.append(member_client.get(url))

    assert pages[0].context["files_version"] == pages[1].context["files_version"]
    assert grid(pages[0].content.decode()) == grid(pages[1].content.decode())
    assert pages[0].cookies["csrftoken"].value != pages[1].cookies["csrftoken"].value
    for page in pages:
        assert re.search(r'<form id="pg-actions" method="post" hidden><input type="hidden" name="csrfmiddlewaretoken"',
                         page.content.decode())
