"""modo.rows.get_row returns what the ORM returns for the same lookup — every field, converted
the same way (JSON, UUIDs, datetimes, booleans), with the related rows read along — on whichever
database the tests run on; the statement is built once per shape."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from credits.models import CreditAccount
from credits.selectors import credit_account_for
from media.models import MediaAsset
from modo import rows
from studio import jobs
from studio.models import Character, Generation
from studio.tests.factories import give_plan, make_project

pytestmark = pytest.mark.django_db


def fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.fixture
def job():
    user = UserFactory()
    give_plan(user)
    project = make_project(user, characters=1)
    return jobs.character_image_request(user=user, character=project.characters.get())


def test_the_row_and_its_related_rows_are_the_orms(job):
    got = rows.get_row(Generation, related=("project", "hold", "output_asset"),
                       where={"public_id": job.public_id, "owner_id": job.owner_id})
    expected = Generation.objects.select_related("project", "hold").get(pk=job.pk)
    assert fields(got) == fields(expected)
    assert isinstance(got.params, dict) and got.params["width"] == job.params["width"]  # JSON decoded
    assert got.created_at.tzinfo is not None
    # Read along, not queried again: the cached rows are the database's.
    with CaptureQueriesContext(connection) as queries:
        assert fields(got.project) == fields(expected.project)
        assert fields(got.hold) == fields(expected.hold)
        assert got.hold.generation is got  # a one-to-one key: the way back is set too, as select_related sets it
        assert got.output_asset is None  # a nullable key that is unset: LEFT JOIN, no row
    assert len(queries) == 0
    assert got._state.adding is False and got._state.db == "default"


def test_a_related_row_that_is_there_comes_with_it(job):
    character = Character.objects.get(public_id=job.target_id)
    asset = MediaAsset.objects.create(owner=job.owner, project=job.project, target_kind="character",
                                      target_id=character.public_id, file_name="sheet.png", params={"a": [1]})
    Character.objects.filter(pk=character.pk).update(primary_image=asset)
    got = rows.get_row(Character, related=("project", "primary_image"), where={"public_id": character.public_id})
    assert fields(got.primary_image) == fields(MediaAsset.objects.get(pk=asset.pk))
    assert got.primary_image.params == {"a": [1]}


def test_conditions_on_related_rows_and_null(job):
    where = {"public_id": job.public_id, "project__owner_id": job.owner_id, "project__deleted_at": None}
    assert rows.get_row(Generation, related=("project",), where=where).pk == job.pk
    # Someone else's, or in a project in the trash: no row.
    assert rows.get_row(Generation, related=("project",), where={**where, "project__owner_id": UserFactory().pk}) is None
    job.project.deleted_at = job.created_at
    job.project.save(update_fields=["deleted_at"])
    assert rows.get_row(Generation, related=("project",), where=where) is None


def test_values_go_through_their_fields(job):
    # A UUID given as text (as a form would send it) is prepared as the ORM prepares it.
    assert rows.get_row(Generation, where={"public_id": str(job.public_id)}).pk == job.pk
    with pytest.raises(ValueError, match="no column"):
        rows.get_row(Generation, where={"nope": 1})


def test_the_statement_is_built_once_per_shape(job):
    rows._shape.cache_clear()
    for _ in range(3):
        rows.get_row(Generation, where={"public_id": job.public_id, "owner_id": job.owner_id})
    rows.get_row(Generation, where={"public_id": job.public_id, "output_asset_id": None})
    info = rows._shape.cache_info()
    assert (info.misses, info.hits) == (2, 2)


def test_lock_takes_the_row_alone_where_the_database_can(job):
    account = credit_account_for(user=job.owner)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        locked = rows.get_row(CreditAccount, related=("plan",), where={"user_id": job.owner_id}, lock=True)
    assert locked.pk == account.pk and locked.plan.code == "premium"
    sql = queries[-1]["sql"] if connection.vendor == "sqlite" else next(q["sql"] for q in queries if "SELECT" in q["sql"])
    assert sql.endswith("FOR UPDATE OF t0") == connection.features.has_select_for_update
