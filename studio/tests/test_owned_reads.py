"""The owned-object reads every request about an object makes (studio.selectors): the row and
its related rows in one query, and 404 — never another creator's row — for anyone else, for an
object in the trash, or for an id that is not a UUID."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from media.models import MediaAsset
from studio import selectors
from studio.generate import jobs
from studio.models import Character

from .factories import give_plan, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def job():
    user = UserFactory()
    give_plan(user)
    project = make_project(user, characters=1)
    return jobs.character_image_request(user=user, character=project.characters.get())


def test_a_job_comes_with_what_its_card_shows_in_one_query(job):
    with CaptureQueriesContext(connection) as queries:
        got = selectors.job_get(user=job.owner, public_id=job.public_id)
        assert got.project.pk == job.project_id
        assert got.output_asset is None and got.model_used is None
        assert isinstance(got.params, dict) and got.params["width"] == job.params["width"]  # JSON decoded
    assert len(queries) == 1
    assert got.created_at.tzinfo is not None


def test_a_job_is_found_by_its_id_as_text_and_not_by_anyone_else(job):
    assert selectors.job_get(user=job.owner, public_id=str(job.public_id)).pk == job.pk
    for user, public_id in ((UserFactory(), job.public_id), (job.owner, "not-a-uuid"), (job.owner, None)):
        with pytest.raises(Http404):
            selectors.job_get(user=user, public_id=public_id)


def test_a_character_comes_with_its_project_and_sheet(job):
    character = Character.objects.get(public_id=job.target_id)
    asset = MediaAsset.objects.create(owner=job.owner, project=job.project, target_kind="character",
                                      target_id=character.public_id, file_name="sheet.png", params={"a": [1]})
    Character.objects.filter(pk=character.pk).update(primary_image=asset)

    with CaptureQueriesContext(connection) as queries:
        got = selectors.character_get(user=job.owner, public_id=character.public_id)
        assert got.project.pk == job.project_id and got.primary_image.params == {"a": [1]}
    assert len(queries) == 1


def test_a_character_of_someone_else_or_in_the_trash_is_not_found(job):
    character = Character.objects.get(public_id=job.target_id)
    with pytest.raises(Http404):
        selectors.character_get(user=UserFactory(), public_id=character.public_id)
    with pytest.raises(Http404):
        selectors.character_get(user=job.owner, public_id="character-1")
    job.project.deleted_at = job.created_at
    job.project.save(update_fields=["deleted_at"])
    with pytest.raises(Http404):
        selectors.character_get(user=job.owner, public_id=character.public_id)
