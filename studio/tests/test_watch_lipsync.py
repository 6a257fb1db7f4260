"""Lip-syncs on /watch/, chosen exactly as animations are: the creator ticks "Show on Watch" on the
publish page (where a lip-sync is called one), and it plays — with its poster, tagged as a
lip-sync — while the bible and the section that holds its face are published. Unpublishing takes
it off at once: the grid, the player page, the file and the poster, and no shared cache may keep
them (every response tells caches to ask again)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from media import audio
from media import services as media_services
from media.models import MediaAsset
from media.tests.conftest import png
from studio import services
from studio.generate import lipsync, worker
from studio.models import WatchClip
from studio.targets import target_of

from .factories import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def talk(creator):
    """A real offline lip-sync of Laras's sheet, its poster made (as the worker's thumbnail task does)."""
    project = make_project(creator, title="Lantern Town", characters=0, scenes=0)
    laras = services.character_create(project=project, name="Laras", role="protagonist")
    sheet = media_services.asset_store(data=png(64, 80), mime="image/png", owner=creator, target=target_of(laras))
    wav, _ = audio.encode(audio.Pcm(audio.silence(0.2) + audio.silence(1.0)), "wav")
    sound = media_services.audio_upload(file=SimpleUploadedFile("line.wav", wav), owner=creator, target=target_of(laras))
    job = lipsync.lipsync_request(user=creator, source=sheet, sound=sound)
    worker.job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error_message
    video = media_services.asset_thumbnail_make(asset=job.output_asset)
    assert video.thumbnail and video.params["kind"] == "lipsync"
    services.project_publish(project=project, sections=["story", "characters"])
    return {"project": project, "laras": laras, "video": video}


def clip_url(talk):
    return reverse("watch_clip", args=[talk["project"].slug, talk["video"].public_id])


def file_url(talk, **query):
    url = reverse("studio:showcase_file", args=[talk["project"].slug, talk["video"].public_id])
    return url + ("?size=thumb" if query.get("thumb") else "")


def tick(client, creator, talk, ticked=True):
    client.force_login(creator)
    url = reverse("studio:publish", args=[talk["project"].public_id])
    client.post(
        url, {"sections": ["story", "characters"], "pen_name": "", "watch": [str(talk["video"].public_id)] if ticked else []}
    )
    client.logout()


def test_the_publish_page_calls_a_lipsync_one_and_ticking_it_shows_it_on_watch(client, creator, talk):
    client.force_login(creator)
    page = client.get(reverse("studio:publish", args=[talk["project"].public_id])).content.decode()
    assert "Lip-sync of “Laras”" in page and str(talk["video"].public_id) in page
    client.logout()
    assert clip_url(talk) not in client.get(reverse("watch")).content.decode()  # not ticked: not shown

    tick(client, creator, talk)

    assert WatchClip.objects.get().asset_id == talk["video"].pk
    grid = client.get(reverse("watch")).content.decode()
    assert clip_url(talk) in grid and f'src="{file_url(talk, thumb=True)}"' in grid
    card = grid[grid.index('class="watch-card"') :]
    assert 'class="watch-card__kind"' in card and "Lip-sync" in card and "Laras" in card


def test_a_lipsync_has_a_player_page_with_its_poster_and_its_cast(client, creator, talk):
    tick(client, creator, talk)
    response = client.get(clip_url(talk))
    page = response.content.decode()
    assert response.status_code == 200 and 'id="clip-kind"' in page and "Lip-sync · Laras" in page
    assert f'poster="{file_url(talk, thumb=True)}"' in page and f'src="{file_url(talk)}"' in page
    assert "<strong>Laras</strong>" in page  # the character whose sheet speaks
    video = client.get(file_url(talk))
    poster = client.get(file_url(talk, thumb=True))
    assert (video.status_code, video["Content-Type"]) == (200, "video/mp4")
    assert (poster.status_code, poster["Content-Type"]) == (200, "image/webp")


def test_unpublishing_takes_a_lipsync_off_watch_at_once_caches_included(client, creator, talk):
    tick(client, creator, talk)
    for response in (
        client.get(reverse("watch")),
        client.get(clip_url(talk)),
        client.get(file_url(talk)),
        client.get(file_url(talk, thumb=True)),
    ):
        assert response.status_code == 200 and "no-cache" in response["Cache-Control"]  # caches ask every time

    services.project_publish(project=talk["project"], sections=[])

    grid = client.get(reverse("watch")).content.decode()
    assert clip_url(talk) not in grid and 'id="watch-empty"' in grid
    for url in (clip_url(talk), file_url(talk), file_url(talk, thumb=True)):
        assert client.get(url).status_code == 404


def test_unticking_or_unpublishing_the_faces_section_takes_it_off(client, creator, talk):
    tick(client, creator, talk)
    services.project_publish(project=talk["project"], sections=["story"])  # Laras is private again
    assert client.get(clip_url(talk)).status_code == 404
    services.project_publish(project=talk["project"], sections=["story", "characters"])
    assert client.get(clip_url(talk)).status_code == 200
    tick(client, creator, talk, ticked=False)
    assert not WatchClip.objects.exists() and client.get(clip_url(talk)).status_code == 404


def test_a_deleted_lipsync_leaves_watch(client, creator, talk):
    tick(client, creator, talk)
    media_services.asset_delete(asset=MediaAsset.objects.get(pk=talk["video"].pk))
    assert client.get(clip_url(talk)).status_code == 404
    assert clip_url(talk) not in client.get(reverse("watch")).content.decode()
