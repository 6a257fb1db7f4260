"""Platform storage: the same behaviour on local files and on S3 (moto's server on loopback) —
store, open, signed URL / private delivery, thumbnail, delete."""

import re
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from django.urls import reverse

from media import services
from media.models import MediaAsset

from .conftest import png

pytestmark = pytest.mark.django_db


def store(user, target, data=None, **kwargs):
    return services.asset_store(data=data or png(), mime="image/png", owner=user, target=target, **kwargs)


def test_stored_file_gets_a_generated_key_and_its_row(platform_storage, user, character_target,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        asset = store(user, character_target, file_name="../../etc/passwd.png")

    assert re.fullmatch(rf"{user.public_id}/\d{{4}}/[0-9a-f]{{32}}\.png", asset.storage_key)
    assert platform_storage.keys() == {asset.storage_key}
    assert (asset.storage, asset.mime, asset.width, asset.height, asset.size) == ("platform", "image/png", 64, 48,
                                                                                   len(png()))
    assert (asset.target_kind, asset.target_id, asset.project) == ("character", character_target.id,
                                                                   character_target.project)


def test_open_returns_the_stored_bytes(platform_storage, user, character_target):
    data = png(30, 20, (1, 2, 3))
    asset = store(user, character_target, data=data)
    assert services.asset_open(asset=asset) == data


def test_storing_twice_never_overwrites(platform_storage, user, character_target):
    first, second = store(user, character_target), store(user, character_target)
    assert first.storage_key != second.storage_key
    assert platform_storage.keys() == {first.storage_key, second.storage_key}


def test_a_row_that_cannot_be_made_leaves_no_file(platform_storage, user, character_target, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(MediaAsset.objects, "create", broken)
    with pytest.raises(RuntimeError):
        store(user, character_target)
    assert platform_storage.keys() == set()


def test_owner_gets_the_file_privately(platform_storage, client, user, character_target):
    data = png(10, 10)
    asset = store(user, character_target, data=data)
    client.force_login(user)

    response = client.get(reverse("media:file", args=[asset.public_id]))
    download = client.get(reverse("media:file", args=[asset.public_id]) + "?download=1")

    if platform_storage.name == "local":
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == data
        assert response["Content-Type"] == "image/png"
        assert "sandbox" in response["Content-Security-Policy"]
        assert response["Cache-Control"].startswith("private")
        assert download["Content-Disposition"].startswith("attachment")
    else:
        # A short-lived signed URL to the private object, which answers with the bytes.
        assert response.status_code == 302
        query = parse_qs(urlparse(response["Location"]).query)
        assert query["X-Amz-Expires"] == ["300"] and "X-Amz-Signature" in query
        assert httpx.get(response["Location"]).content == data
        signed = parse_qs(urlparse(download["Location"]).query)
        assert signed["response-content-disposition"][0].startswith("attachment")


def test_thumbnail_is_made_by_the_task_and_served(platform_storage, client, user, character_target, celery_eager,
                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        asset = store(user, character_target, data=png(1200, 600))
    asset.refresh_from_db()

    assert asset.thumbnail and asset.thumbnail.endswith("-thumb.webp")
    assert platform_storage.keys() == {asset.storage_key, asset.thumbnail}
    client.force_login(user)
    response = client.get(reverse("media:thumb", args=[asset.public_id]))
    if platform_storage.name == "local":
        assert response["Content-Type"] == "image/webp"
        body = b"".join(response.streaming_content)
    else:
        body = httpx.get(response["Location"]).content
    assert body[:4] == b"RIFF" and body[8:12] == b"WEBP"


def test_delete_removes_the_file_and_thumbnail_and_keeps_the_row(platform_storage, user, character_target,
                                                                 celery_eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        asset = store(user, character_target)
    keep = store(user, character_target)
    asset.refresh_from_db()
    assert len(platform_storage.keys()) == 3

    with django_capture_on_commit_callbacks(execute=True):
        services.asset_delete(asset=asset)

    asset.refresh_from_db()
    assert asset.deleted_at is not None
    assert platform_storage.keys() == {keep.storage_key}


def test_purging_a_trashed_project_removes_its_files(platform_storage, user, project, project_target,
                                                     django_capture_on_commit_callbacks):
    from django.utils import timezone

    from studio import services as studio_services

    store(user, project_target)
    studio_services.project_delete(project=project)
    with django_capture_on_commit_callbacks(execute=True):
        studio_services.projects_purge_trash(now=timezone.now() + timezone.timedelta(days=31))
    assert platform_storage.keys() == set()
    assert not MediaAsset.objects.exists()


def test_a_picture_whose_file_is_gone_from_storage_is_a_404(platform_storage, client, user):
    """A user's or a team's picture removed from storage by hand (or lost) answers 404 on local
    files and on S3 alike — never a response that breaks while it streams."""
    from django.core.files.base import ContentFile

    from accounts.teams import team_create

    user.avatar.save("avatar.webp", ContentFile(png()), save=True)
    team = team_create(user=user, name="Studio Laut")
    team.avatar.save("team.webp", ContentFile(png()), save=True)
    client.force_login(user)
    urls = [reverse("accounts:avatar", args=[user.public_id]), reverse("accounts:team_avatar", args=[team.public_id])]
    assert [client.get(url).status_code for url in urls] == [200, 200]

    user.avatar.storage.delete(user.avatar.name)
    team.avatar.storage.delete(team.avatar.name)

    assert [client.get(url).status_code for url in urls] == [404, 404]
