"""The one target map (studio.targets): "kind:uuid" resolves to the creator's object or a 404,
and the labels and pages of many items' targets come in one query."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from media.models import MediaAsset
from studio import moodboards, targets

from .factories import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(user):
    project = make_project(user, characters=1, locations=1, scenes=1, beats=1)
    moodboards.moodboard_create(project=project, title="Pier")
    return project


def objects_of(project) -> dict:
    return {"project": project, "character": project.characters.get(), "location": project.locations.get(),
            "scene": project.scenes.get(), "moodboard": project.moodboards.get()}


def test_every_kind_with_a_gallery_resolves_for_its_owner_only(user, project):
    stranger = UserFactory()
    for kind, obj in objects_of(project).items():
        kind_, public_id = targets.parse_target(f"{kind}:{obj.public_id}")
        target = targets.target_get(user=user, kind=kind_, public_id=public_id)

        assert (target.kind, target.id, target.obj, target.project) == (kind, obj.public_id, obj, project)
        assert target == targets.target_of(obj)
        with pytest.raises(Http404):
            targets.target_get(user=stranger, kind=kind, public_id=obj.public_id)


def test_a_kind_without_a_gallery_or_an_id_that_is_not_a_uuid_is_not_found(user, project):
    with pytest.raises(ValueError):
        targets.parse_target(f"beat:{project.beats.get().public_id}")  # drafts have beats; assets do not
    for kind, public_id in (("beat", project.beats.get().public_id), ("animation", project.public_id),
                            ("character", "not-a-uuid"), ("project", "not-a-uuid")):
        with pytest.raises(Http404):
            targets.target_get(user=user, kind=kind, public_id=public_id)


def test_the_targets_of_many_items_are_named_and_linked_in_one_query(user, project):
    items = [MediaAsset(owner=user, project=project, target_kind=kind, target_id=obj.public_id)
             for kind, obj in objects_of(project).items()]
    gone = MediaAsset(owner=user, project=project, target_kind="scene", target_id=project.beats.get().public_id)

    with CaptureQueriesContext(connection) as queries:
        shown = targets.with_targets(user, [*items, gone])

    assert len(queries) == 1
    assert [item.target_info["label"] for item in shown[:5]] == [project.title, "Character 0", "Place 0", "Scene 0",
                                                                  "Pier"]
    assert shown[1].target_info["url"] == reverse("studio:character", args=[project.characters.get().public_id])
    assert shown[5].target_info is None  # no such scene: a deleted target is simply missing


def test_a_text_draft_finds_its_object_in_its_own_project_only(user, project):
    other = make_project(UserFactory(), title="Other", characters=1)
    beat, character = project.beats.get(), project.characters.get()

    assert targets.in_project(project, "beat", beat.public_id) == beat
    assert targets.in_project(project, "character", character.public_id) == character
    assert targets.in_project(project, "project", None) == project
    assert targets.in_project(other, "character", character.public_id) is None
    assert targets.in_project(project, "free", None) is None
