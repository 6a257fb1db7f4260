"""Bible sections go to the project's trash: an Undo toast, a trash page, restore with their links,
purged after 30 days; while trashed they are absent from every read (pages, counts, exports, the
showcase, the API)."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory, bearer
from media.models import MediaAsset
from studio import selectors, services, trash
from studio.exports.dump import bible_dump
from studio.exports.importer import bible_import, bundle_parse
from studio.models import Beat, Character, Location, Moodboard, Relationship, Scene
from studio.moodboards import moodboard_create, moodboard_delete

from .factories import give_plan, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def creator(db):
    user = UserFactory()
    give_plan(user, "unlimited")
    return user


@pytest.fixture
def bible(creator):
    project = make_project(creator, title="Trash Bible", characters=2, locations=1, scenes=2, beats=1)
    scene = project.scenes.first()
    services.scene_update(scene=scene, beat=project.beats.first())
    services.relationship_add(source=project.characters.first(), target=project.characters.last(), kind="friend")
    return project


def test_deleting_a_character_shows_an_undo_toast_that_restores_it(client, creator, bible):
    character = bible.characters.first()
    client.force_login(creator)

    response = client.post(reverse("studio:character", args=[character.public_id]), {"action": "delete"}, follow=True)

    page = response.content.decode()
    assert f"{character.name} was moved to the trash." in page and "data-undo" in page
    assert f'<a href="{reverse("studio:character", args=[character.public_id])}' not in page
    assert Character.with_deleted.get(pk=character.pk).deleted_at is not None
    assert client.get(reverse("studio:character", args=[character.public_id])).status_code == 404

    response = client.post(reverse("studio:section_trash", args=[bible.public_id]),
                           {"kind": "character", "id": str(character.public_id), "undo": "1"})

    assert response.status_code == 302 and response.url == reverse("studio:character", args=[character.public_id])
    assert Character.objects.filter(pk=character.pk).exists()


def test_the_trash_page_lists_and_restores_each_kind(client, creator, bible):
    board = moodboard_create(project=bible, title="Storm board")
    objs = [bible.characters.first(), bible.locations.first(), bible.scenes.first(), bible.beats.first(), board]
    for obj in objs[:4]:
        services.object_delete(obj=obj)
    moodboard_delete(moodboard=board)
    client.force_login(creator)
    url = reverse("studio:section_trash", args=[bible.public_id])

    page = client.get(url).content.decode()

    for obj in objs:
        assert str(obj) in page
    for obj in objs:
        client.post(url, {"kind": trash.kind_of(obj), "id": str(obj.public_id)})
        assert type(obj).objects.filter(pk=obj.pk).exists()
    assert 'id="section-trash-empty"' in client.get(url).content.decode()


def test_trashing_a_location_unsets_it_on_its_scenes_and_restoring_sets_it_back(bible):
    location, scene = bible.locations.first(), bible.scenes.first()
    assert scene.location == location

    services.object_delete(obj=location)
    assert Scene.objects.get(pk=scene.pk).location is None

    trash.section_restore(project=bible, kind="location", public_id=location.public_id)
    assert Scene.objects.get(pk=scene.pk).location == location


def test_nobody_restores_from_another_creators_project(client, creator, bible):
    character = bible.characters.first()
    services.object_delete(obj=character)
    stranger = UserFactory()
    give_plan(stranger, "unlimited")
    theirs = make_project(stranger, title="Theirs")
    client.force_login(stranger)

    assert client.post(reverse("studio:section_trash", args=[bible.public_id]),
                       {"kind": "character", "id": str(character.public_id)}).status_code == 404
    client.post(reverse("studio:section_trash", args=[theirs.public_id]),
                {"kind": "character", "id": str(character.public_id)})
    assert not Character.objects.filter(pk=character.pk).exists()


def test_trashed_sections_are_absent_from_counts_exports_and_the_showcase(client, creator, bible):
    character, location, scene, beat = (bible.characters.first(), bible.locations.first(), bible.scenes.last(),
                                         bible.beats.first())
    board = moodboard_create(project=bible, title="Gone board")
    for obj in (character, location, scene, beat):
        services.object_delete(obj=obj)
    moodboard_delete(moodboard=board)

    progress = selectors.section_progress(bible)
    assert (progress["characters_count"], progress["locations_count"], progress["scenes_count"],
            progress["beats_count"]) == (1, 0, 1, 0)
    dump = bible_dump(bible)
    text = json.dumps(dump)
    for gone in (character.name, location.name, scene.title, beat.title, board.title):
        assert gone not in text
    assert dump["relationships"] == []  # its one relationship was with the trashed character
    # The export still imports (no reference to a row it does not hold).
    copy = bible_import(user=creator, bundle=bundle_parse(json.dumps(dump).encode()))
    assert copy.characters.count() == 1

    services.project_publish(project=bible, sections=["story", "characters", "world", "scenes", "script"])
    page = client.get(reverse("showcase_detail", args=[bible.slug])).content.decode()
    for gone in (character.name, location.name, scene.title, beat.title, board.title):
        assert gone not in page
    assert bible.characters.last().name in page


def test_trashed_sections_are_absent_from_the_api(client, creator, bible):
    character, scene, location = bible.characters.first(), bible.scenes.first(), bible.locations.first()
    services.object_delete(obj=character)
    services.object_delete(obj=location)
    auth = bearer(creator)

    listed = client.get(f"/api/v1/projects/{bible.public_id}/characters", **auth).json()["data"]
    assert str(character.public_id) not in json.dumps(listed)
    assert client.get(f"/api/v1/characters/{character.public_id}", **auth).status_code == 404
    assert str(location.public_id) not in json.dumps(client.get(f"/api/v1/projects/{bible.public_id}/locations",
                                                                 **auth).json())
    scene_data = client.get(f"/api/v1/scenes/{scene.public_id}", **auth).json()["data"]
    assert scene_data["location"] is None and str(character.public_id) not in json.dumps(scene_data)


def test_sections_in_the_trash_over_30_days_are_purged_with_their_files(creator, bible, capsys):
    old, recent = bible.characters.first(), bible.characters.last()
    board = moodboard_create(project=bible, title="Old board")
    image = MediaAsset.objects.create(owner=creator, project=bible, target_kind="moodboard", target_id=board.public_id,
                                      media_type="image", mime="image/png")
    services.object_delete(obj=old)
    services.object_delete(obj=recent)
    moodboard_delete(moodboard=board)
    long_ago = timezone.now() - timezone.timedelta(days=31)
    Character.with_deleted.filter(pk=old.pk).update(deleted_at=long_ago)
    Moodboard.with_deleted.filter(pk=board.pk).update(deleted_at=long_ago)

    call_command("purge_trash")

    assert not Character.with_deleted.filter(pk=old.pk).exists()
    assert not Moodboard.with_deleted.filter(pk=board.pk).exists()
    assert Character.with_deleted.filter(pk=recent.pk).exists()  # 29 days left to change one's mind
    image.refresh_from_db()
    assert image.deleted_at is not None
    assert not Relationship.objects.exists()
    assert Beat.objects.count() == Location.objects.count() == 1
