"""Galleries inside the studio pages: htmx actions answer with the re-rendered gallery, the page
reads a constant number of queries however many files there are, and videos get a poster."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from media import services
from media.models import MediaAsset
from studio.gallery import services as gallery_services

from .conftest import png
from .test_images import mp4

pytestmark = pytest.mark.django_db


def add(user, target, n=1):
    return [services.asset_store(data=png(), mime="image/png", owner=user, target=target) for _ in range(n)]


def test_actions_answer_htmx_with_the_gallery(local_storage, client, user, character, character_target):
    asset, = add(user, character_target)
    client.force_login(user)
    url = reverse("studio:asset_action", args=[asset.public_id, "primary"])

    response = client.post(url, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert f'id="gallery-character-{character.public_id}"'.encode() in response.content
    character.refresh_from_db()
    assert character.primary_image == asset
    response = client.post(reverse("studio:asset_action", args=[asset.public_id, "delete"]), HTTP_HX_REQUEST="true")
    assert reverse("media:thumb", args=[asset.public_id]).encode() not in response.content


def test_plain_posts_go_back_to_the_target_page(local_storage, client, user, character, character_target):
    asset, = add(user, character_target)
    client.force_login(user)
    response = client.post(reverse("studio:asset_action", args=[asset.public_id, "favourite"]))
    assert response.status_code == 302 and response["Location"] == reverse("studio:character", args=[character.public_id])
    assert MediaAsset.objects.get(pk=asset.pk).is_favourite
    assert client.post(f"/media/assets/{asset.public_id}/explode/").status_code == 404


def test_gallery_polls_only_while_thumbnails_are_being_made(local_storage, client, user, character, character_target,
                                                            celery_eager, django_capture_on_commit_callbacks):
    client.force_login(user)
    add(user, character_target)
    url = reverse("studio:target_gallery") + f"?target=character:{character.public_id}"
    assert b'hx-trigger="every' in client.get(url).content
    for asset in MediaAsset.objects.all():
        services.asset_thumbnail_make(asset=asset)
    assert b'hx-trigger="every' not in client.get(url).content


@pytest.mark.parametrize("page", ["studio:character", "studio:project"])
def test_page_queries_do_not_grow_with_the_gallery(local_storage, client, user, project, character, character_target,
                                                   project_target, page):
    client.force_login(user)
    url = reverse(page, args=[character.public_id if page == "studio:character" else project.public_id])
    target = character_target if page == "studio:character" else project_target
    add(user, target)
    client.get(url)  # the first request settles the session and caches the app shell's credit summary
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    gallery_services.asset_set_primary(asset=add(user, target, 20)[0])
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(few) == len(many)


def test_a_page_shows_the_first_files_of_its_gallery_and_links_to_the_rest(local_storage, client, user, project,
                                                                           character, character_target):
    from studio.gallery.panels import GALLERY_LIMIT

    def shown(page: str) -> list[str]:
        return re.findall(r'<li class="asset[^"]*" id="asset-([0-9a-f-]{36})"', page)

    client.force_login(user)
    url = reverse("studio:character", args=[character.public_id])
    add(user, character_target, GALLERY_LIMIT)
    page = client.get(url).content.decode()
    assert len(shown(page)) == GALLERY_LIMIT and "See all images in the project gallery" not in page

    favourite, = add(user, character_target)  # one more, and a favourite: it comes first
    services.asset_favourite(asset=favourite, favourite=True)
    page = client.get(url).content.decode()

    assert len(shown(page)) == GALLERY_LIMIT and shown(page)[0] == str(favourite.public_id)
    assert f'href="{reverse("studio:gallery", args=[project.public_id])}"' in page


def test_characters_list_shows_reference_sheets_in_constant_queries(local_storage, client, user, project,
                                                                    character_target):
    from studio.targets import target_of

    client.force_login(user)
    url = reverse("studio:characters", args=[project.public_id])
    client.get(url)  # the first request settles the session and caches the app shell's credit summary
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for character in project.characters.all():
        gallery_services.asset_set_primary(asset=add(user, target_of(character))[0])
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    assert len(before) == len(after)
    assert response.content.count(b"/thumb/") >= 2


def test_a_video_gets_its_size_duration_and_poster(local_storage, user, character_target, celery_eager,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        video = services.asset_store(data=mp4(size=(64, 48), frames=10, rate=10), mime="video/mp4", owner=user,
                                     target=character_target)
    video.refresh_from_db()
    assert (video.media_type, video.width, video.height) == ("video", 64, 48)
    assert video.duration == pytest.approx(1.0, abs=0.2)
    assert video.thumbnail in local_storage.keys()
