from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from media import services
from media.models import DriveConnection

from .conftest import png

pytestmark = pytest.mark.django_db


def test_admin_lists_assets_and_connections_without_tokens(admin_client, local_storage, user, character_target):
    asset = services.asset_store(data=png(), mime="image/png", owner=user, target=character_target)
    connection = DriveConnection(user=user, drive_email="creator@gmail.com", expires_at=timezone.now() + timedelta(hours=1))
    connection.access_token, connection.refresh_token = "ya29.secret-access", "1//secret-refresh"
    connection.save()

    pages = [reverse("admin:media_mediaasset_changelist"), reverse("admin:media_mediaasset_change", args=[asset.pk]),
             reverse("admin:media_driveconnection_changelist"),
             reverse("admin:media_driveconnection_change", args=[connection.pk])]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert b"secret-access" not in response.content and b"secret-refresh" not in response.content
        assert connection.access_token_encrypted.encode() not in response.content


def test_admin_shows_thumbnails_to_staff_only(admin_client, client, local_storage, user, character_target):
    asset = services.asset_store(data=png(), mime="image/png", owner=user, target=character_target)
    services.asset_thumbnail_make(asset=asset)
    url = reverse("admin:media_mediaasset_thumb", args=[asset.pk])
    assert url.encode() in admin_client.get(reverse("admin:media_mediaasset_changelist")).content
    response = admin_client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    client.force_login(user)  # the owner, but not staff
    assert client.get(url).status_code == 302
