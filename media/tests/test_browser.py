"""A creator uploads a picture to a character's gallery and makes it the reference sheet, in
headless Chromium against a live server."""

import re

import pytest

from accounts.tests.factories import UserFactory, log_in
from media.models import MediaAsset
from studio.tests.factories import make_project

from .conftest import png

pytestmark = pytest.mark.browser


def test_upload_to_a_character_and_use_it_as_the_reference_sheet(page, live_server, tmp_path, settings, celery_eager):
    settings.MEDIA_ROOT = str(tmp_path / "files")
    user = UserFactory(email="dewi@example.com")
    project = make_project(user, characters=1, scenes=0)
    character = project.characters.get()
    picture = tmp_path / "lintang.png"
    picture.write_bytes(png(300, 200))
    log_in(page, "dewi@example.com")

    page.goto(f"/studio/characters/{character.public_id}/")
    gallery = f"#gallery-character-{character.public_id}"
    # Choosing a file uploads it at once (htmx) and swaps the gallery in place.
    page.set_input_files(f"{gallery} input[type=file]", str(picture))
    page.wait_for_selector(f"{gallery} .asset")
    asset = MediaAsset.objects.get()
    assert (asset.source_type, asset.width, asset.height) == ("uploaded", 300, 200)
    # The thumbnail (made by the task, run eagerly here) loads once scrolled into view (lazy).
    page.locator(f"{gallery} .asset img").scroll_into_view_if_needed()
    page.wait_for_function(f"() => document.querySelector('{gallery} .asset img').naturalWidth > 0")

    page.click(f"#asset-{asset.public_id}-primary")  # a visible button on the card
    page.wait_for_selector(f"{gallery} .asset--primary")
    character.refresh_from_db()
    assert character.primary_image == asset

    page.goto(f"/studio/{project.public_id}/characters/")
    assert page.locator(f"img[src*='{asset.public_id}']").count() >= 1
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/studio/characters/{character.public_id}/")
    assert page.locator(f"{gallery} .asset").is_visible()
    assert re.search(r"/thumb/", page.inner_html(gallery))
