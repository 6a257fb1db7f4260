"""Grids and little pictures ask for a 192 px thumbnail (`?w=192` in their srcset / src)."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from media import services

from .conftest import png

pytestmark = pytest.mark.django_db


@pytest.fixture
def asset(local_storage, user, character_target):
    asset = services.asset_store(data=png(1200, 900), mime="image/png", owner=user, target=character_target)
    return services.asset_thumbnail_make(asset=asset)


def _size(response) -> tuple[int, int]:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return Image.open(io.BytesIO(data)).size


def test_small_thumbnail_is_192_px_and_the_default_stays_512(client, user, asset):
    client.force_login(user)
    url = reverse("media:thumb", args=[asset.public_id])

    small = client.get(url + "?w=192")

    assert small.status_code == 200 and small["Content-Type"] == "image/webp"
    assert _size(small) == (192, 144)
    assert _size(client.get(url)) == (512, 384)
    assert _size(client.get(url + "?w=13")) == (512, 384)  # only the one small size is made


def test_outsiders_get_no_small_thumbnail(client, outsider, asset):
    client.force_login(outsider)
    assert client.get(reverse("media:thumb", args=[asset.public_id]) + "?w=192").status_code == 404
