"""/watch/: only the animations a creator ticked "Show on Watch" for, of a published bible, while
their section is published; unpublishing takes a clip off at once; link previews; constant queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from media.models import MediaAsset
from studio import services, trash
from studio.models import WatchClip
from studio.tests.factories import give_plan, make_project
from studio.watch import services as watch_services

pytestmark = pytest.mark.django_db


def video_of(obj, project, *, kind="character"):
    return MediaAsset.objects.create(
        owner=project.owner, project=project, target_kind=kind, target_id=obj.public_id,
        media_type=MediaAsset.MediaType.VIDEO, mime="video/mp4", file_name="clip.mp4", storage_key=f"k/{obj.public_id}.mp4",
        width=640, height=360, duration=4.0, source_type=MediaAsset.Source.GENERATED)


@pytest.fixture
def creator(db):
    user = UserFactory()
    give_plan(user, "unlimited")
    return user


@pytest.fixture
def bible(creator):
    project = make_project(creator, title="Storm Kite", characters=2, scenes=1)
    services.project_publish(project=project, sections=["story", "characters", "scenes"])
    return project


@pytest.fixture
def clip(bible):
    character = bible.characters.first()
    asset = video_of(character, bible)
    watch_services.watch_clips_set(project=bible, asset_ids=[asset.public_id])
    return asset


def clip_url(project, asset):
    return reverse("watch_clip", args=[project.slug, asset.public_id])


def test_a_ticked_animation_of_a_published_bible_is_on_watch(client, bible, clip):
    response = client.get(reverse("watch"))
    assert response.status_code == 200
    assert clip_url(bible, clip) in response.content.decode()
    assert reverse("studio:showcase_file", args=[bible.slug, clip.public_id]) + "?size=thumb" in response.content.decode()


def test_an_animation_not_ticked_is_not_on_watch(client, bible, clip):
    other = video_of(bible.characters.last(), bible)
    page = client.get(reverse("watch")).content.decode()
    assert clip_url(bible, other) not in page
    assert client.get(clip_url(bible, other)).status_code == 404


def test_unpublishing_removes_the_clip_from_watch_at_once(client, bible, clip):
    assert client.get(clip_url(bible, clip)).status_code == 200
    services.project_publish(project=bible, sections=[])

    page = client.get(reverse("watch")).content.decode()
    assert clip_url(bible, clip) not in page
    assert 'id="watch-empty"' in page
    assert client.get(clip_url(bible, clip)).status_code == 404
    # and its file through the showcase path too
    assert client.get(reverse("studio:showcase_file", args=[bible.slug, clip.public_id])).status_code == 404


def test_unticking_or_unpublishing_its_section_removes_the_clip(client, bible, clip):
    services.project_publish(project=bible, sections=["story"])  # characters no longer public
    assert client.get(clip_url(bible, clip)).status_code == 404
    services.project_publish(project=bible, sections=["story", "characters"])
    assert client.get(clip_url(bible, clip)).status_code == 200
    watch_services.watch_clips_set(project=bible, asset_ids=[])
    assert client.get(clip_url(bible, clip)).status_code == 404
    assert not WatchClip.objects.exists()


def test_a_clip_of_a_trashed_character_or_a_deleted_video_leaves_watch(client, bible, clip):
    character = bible.characters.get(public_id=clip.target_id)
    services.object_delete(obj=character)
    assert client.get(clip_url(bible, clip)).status_code == 404
    trash.section_restore(project=bible, kind="character", public_id=character.public_id)
    assert client.get(clip_url(bible, clip)).status_code == 200
    MediaAsset.objects.filter(pk=clip.pk).update(deleted_at=bible.created_at)
    assert client.get(clip_url(bible, clip)).status_code == 404


def test_the_publish_page_sets_which_animations_show_on_watch(client, creator, bible, clip):
    second = video_of(bible.scenes.first(), bible, kind="scene")
    client.force_login(creator)
    url = reverse("studio:publish", args=[bible.public_id])
    page = client.get(url).content.decode()
    assert 'id="watch-options"' in page and str(second.public_id) in page

    client.post(url, {"sections": ["story", "characters", "scenes"], "pen_name": "", "watch": [str(second.public_id)]})

    assert set(WatchClip.objects.values_list("asset_id", flat=True)) == {second.pk}
    # "Unpublish" posts no ticks: they are kept for when the bible is published again.
    client.post(url, {})
    assert WatchClip.objects.count() == 1
    assert client.get(clip_url(bible, second)).status_code == 404


def test_a_creator_cannot_put_someone_elses_video_on_watch(client, creator, bible):
    stranger_bible = make_project(UserFactory(), title="Not Yours")
    theirs = video_of(stranger_bible.characters.first(), stranger_bible)
    watch_services.watch_clips_set(project=bible, asset_ids=[theirs.public_id])
    assert not WatchClip.objects.exists()


def test_the_player_page_shows_the_bible_its_characters_and_share_tags(client, bible, clip):
    response = client.get(clip_url(bible, clip))
    page = response.content.decode()
    character = bible.characters.get(public_id=clip.target_id)
    assert bible.title in page and bible.logline in page
    assert character.name in page
    assert reverse("showcase_detail", args=[bible.slug]) in page
    file_path = reverse("studio:showcase_file", args=[bible.slug, clip.public_id])
    tags = dict(re.findall(r'<meta (?:property|name)="((?:og|twitter):[\w:]+)" content="([^"]*)"', page))
    assert tags["og:image"] == f"http://testserver{file_path}?size=thumb"
    assert tags["og:url"] == f"http://testserver{clip_url(bible, clip)}"
    assert tags["og:title"] == bible.title
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["twitter:image"] == tags["og:image"]
    assert f'src="{file_path}"' in page


def test_characters_stay_private_when_their_section_is(client, bible):
    scene = bible.scenes.first()
    asset = video_of(scene, bible, kind="scene")
    watch_services.watch_clips_set(project=bible, asset_ids=[asset.public_id])
    services.project_publish(project=bible, sections=["scenes"])
    page = client.get(clip_url(bible, asset)).content.decode()
    assert "Character 0" not in page


def test_watch_filters_by_genre_and_format(client, creator, bible, clip):
    comedy = make_project(creator, title="Laugh Track")
    services.project_update(project=comedy, genre="comedy", format="film")
    services.project_publish(project=comedy, sections=["characters"])
    funny = video_of(comedy.characters.first(), comedy)
    watch_services.watch_clips_set(project=comedy, asset_ids=[funny.public_id])

    page = client.get(reverse("watch"), {"genre": "comedy"}).content.decode()
    assert clip_url(comedy, funny) in page and clip_url(bible, clip) not in page
    page = client.get(reverse("watch"), {"format": "series"}).content.decode()
    assert clip_url(bible, clip) in page and clip_url(comedy, funny) not in page
    page = client.get(reverse("watch"), {"genre": "horror"}).content.decode()
    assert "No animations match these filters" in page


def test_watch_is_paginated(client, bible):
    character = bible.characters.first()
    assets = [video_of(character, bible) for _ in range(26)]
    watch_services.watch_clips_set(project=bible, asset_ids=[a.public_id for a in assets])
    first = client.get(reverse("watch")).content.decode()
    second = client.get(reverse("watch"), {"page": 2}).content.decode()
    assert first.count('class="watch-card"') == 24 and second.count('class="watch-card"') == 2


def test_the_empty_watch_page_says_so(client):
    page = client.get(reverse("watch")).content.decode()
    assert 'id="watch-empty"' in page and "Nothing to watch yet" in page


@pytest.mark.requires_postgres
def test_the_watch_grid_runs_the_same_queries_for_3_or_30_clips(client, creator):
    def fill(n):
        for i in range(n):
            project = make_project(creator, title=f"Bible {i} {n}", characters=1, scenes=1)
            services.project_publish(project=project, sections=["characters", "scenes"])
            assets = [video_of(project.characters.first(), project),
                      video_of(project.scenes.first(), project, kind="scene"), video_of(project, project, kind="project")]
            watch_services.watch_clips_set(project=project, asset_ids=[a.public_id for a in assets])

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("watch"))
        assert response.status_code == 200
        return len(queries), response.content.decode().count('class="watch-card"')

    fill(1)
    few, shown_few = count()
    fill(9)
    many, shown_many = count()
    assert (shown_few, shown_many) == (3, 24)
    assert few == many == 3  # the count, the page of clips, the names of what they animate
