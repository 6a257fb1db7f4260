"""Primary images: one per target (media's flag); the project's is its cover and a character's is
its reference sheet, and deleting one clears it (studio.gallery.services)."""

import pytest
from django.db import IntegrityError, transaction

from media import services
from media.models import MediaAsset
from studio.gallery import services as gallery_services

from .conftest import png

pytestmark = pytest.mark.django_db


def image(user, target):
    return services.asset_store(data=png(), mime="image/png", owner=user, target=target)


def test_set_primary_moves_the_flag_and_sets_the_cover(local_storage, user, project, project_target):
    first, second = image(user, project_target), image(user, project_target)
    gallery_services.asset_set_primary(asset=first)
    gallery_services.asset_set_primary(asset=second)

    project.refresh_from_db()
    assert project.cover == second
    assert list(MediaAsset.objects.filter(is_primary=True)) == [second]


def test_character_primary_is_its_reference_sheet(local_storage, user, character, character_target, project_target):
    sheet = image(user, character_target)
    cover = gallery_services.asset_set_primary(asset=image(user, project_target))
    gallery_services.asset_set_primary(asset=sheet)
    character.refresh_from_db()
    assert character.primary_image == sheet
    assert MediaAsset.objects.get(pk=cover.pk).is_primary  # another target keeps its own


def test_database_allows_one_primary_per_target(local_storage, user, character_target):
    a, b = image(user, character_target), image(user, character_target)
    services.asset_set_primary(asset=a)
    with pytest.raises(IntegrityError), transaction.atomic():
        MediaAsset.objects.filter(pk=b.pk).update(is_primary=True)


def test_a_video_cannot_be_primary(local_storage, user, character_target):
    video = MediaAsset.objects.create(owner=user, project=character_target.project, target_kind="character",
                                      target_id=character_target.id, media_type="video", mime="video/mp4")
    with pytest.raises(services.NotAnImage):
        services.asset_set_primary(asset=video)


def test_deleting_the_primary_clears_the_pointer(local_storage, user, character, character_target):
    sheet = gallery_services.asset_set_primary(asset=image(user, character_target))
    gallery_services.asset_delete(asset=sheet)
    character.refresh_from_db()
    sheet.refresh_from_db()
    assert character.primary_image is None and not sheet.is_primary and sheet.deleted_at


def test_favourite_toggles(local_storage, user, character_target):
    asset = image(user, character_target)
    assert services.asset_favourite(asset=asset, favourite=True).is_favourite
    assert not services.asset_favourite(asset=asset, favourite=False).is_favourite
