"""Exports carry the pictures: the cover and each character's primary image go into the Markdown
zip (linked from the text) and into the pitch bible (embedded, so the file stands alone)."""

import io
import zipfile

import pytest

from media import services
from studio.exports.markdown import bible_markdown_zip
from studio.exports.pitch import pitch_bible_html
from studio.gallery import services as gallery_services

from .conftest import png

pytestmark = pytest.mark.django_db


@pytest.fixture
def illustrated(local_storage, user, project, project_target, character_target):
    cover = services.asset_store(data=png(80, 40), mime="image/png", owner=user, target=project_target)
    sheet = services.asset_store(data=png(30, 30), mime="image/png", owner=user, target=character_target)
    gallery_services.asset_set_primary(asset=cover)
    gallery_services.asset_set_primary(asset=sheet)
    project.refresh_from_db()
    return project


def test_markdown_zip_holds_the_cover_and_character_sheets(illustrated):
    archive = zipfile.ZipFile(io.BytesIO(bible_markdown_zip(illustrated)))
    names = set(archive.namelist())
    assert {"images/cover.png", "images/characters/character-0.png"} <= names
    assert archive.read("images/cover.png") == png(80, 40)
    assert "](images/cover.png)" in archive.read("README.md").decode()
    assert "](../images/characters/character-0.png)" in archive.read("characters/character-0.md").decode()
    assert "images/characters/character-1.png" not in names  # no primary image: nothing made up


def test_pitch_bible_embeds_the_images(illustrated):
    html = pitch_bible_html(illustrated)
    assert html.count('src="data:image/png;base64,') == 2


def test_a_deleted_cover_is_left_out(illustrated, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        gallery_services.asset_delete(asset=illustrated.cover)
    illustrated.refresh_from_db()
    assert illustrated.cover is None
    names = zipfile.ZipFile(io.BytesIO(bible_markdown_zip(illustrated))).namelist()
    assert "images/cover.png" not in names
