"""The visual generation endpoints: 202 with the job, refusals in the envelope, jobs to follow,
cancel and retry — and another creator's objects are 404."""

import json

import pytest

from accounts.tests.factories import bearer
from credits.models import Hold
from media import services as media_services
from media.tests.conftest import png
from studio.models import Generation
from studio.targets import target_of

from .factories import give_plan, make_project

pytestmark = pytest.mark.django_db

API = "/api/v1"



def post(client, path, body, user):
    return client.post(path, json.dumps(body), content_type="application/json", **bearer(user))



@pytest.fixture
def project(creator):
    return make_project(creator, characters=2, scenes=1)


def test_generate_character_answers_202_with_the_job_and_the_job_runs(client, creator, project, celery_eager,
                                                                      django_capture_on_commit_callbacks):
    character = project.characters.first()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, f"{API}/generate/character",
                        {"character": str(character.public_id), "style": "chibi", "idempotency_key": "k1"}, creator)
    assert response.status_code == 202, response.content
    data = response.json()["data"]
    assert (data["kind"], data["status"], data["target"]) == ("character_image", "queued", f"character:{character.public_id}")

    job = client.get(f"{API}/jobs/{data['id']}", **bearer(creator)).json()["data"]
    assert job["status"] == "succeeded" and job["output_asset"] and job["cost_charged"] == job["credits_quoted"]
    again = post(client, f"{API}/generate/character", {"character": str(character.public_id), "idempotency_key": "k1"},
                 creator)
    assert again.json()["data"]["id"] == data["id"] and Generation.objects.count() == 1
    listed = client.get(f"{API}/jobs?status=succeeded", **bearer(creator)).json()
    assert [j["id"] for j in listed["data"]] == [data["id"]]


@pytest.mark.requires_postgres
def test_a_generation_request_makes_these_statements_and_no_more(client, creator, project):
    """The request path `make bench` times (figure 2): the token, the character, then one short
    transaction owned by the studio — lock the account (with its plan, for the guards), count
    running jobs, the ledger's hold (its locked read, then hold + account + entry in one
    statement), then the job pointing at its hold."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    character = project.characters.first()
    headers = bearer(creator)
    body = json.dumps({"character": str(character.public_id)})
    client.post(f"{API}/generate/character", body, content_type="application/json", **headers)  # token touched

    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"{API}/generate/character", body, content_type="application/json", **headers)

    assert response.status_code == 202, response.content
    starts = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert starts == ["SELECT", "SELECT", "SAVEPOINT", "SELECT", "SELECT", "SELECT", "WITH", "INSERT", "RELEASE"], \
        [q["sql"][:80] for q in queries.captured_queries]
    held, job_row = queries.captured_queries[6]["sql"], queries.captured_queries[7]["sql"]
    assert "credits_hold" in held and "credits_ledgerentry" in held and "studio_generation" not in held
    assert job_row.startswith('INSERT INTO "studio_generation"')
    job = Generation.objects.get(public_id=response.json()["data"]["id"])
    assert job.hold.amount == job.credits_quoted and job.hold.status == "held" and job.owner == creator


def test_animation_is_refused_on_a_plan_without_video(client, user, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    give_plan(user, "premium")
    project = make_project(user, characters=1, scenes=0)
    source = media_services.asset_store(data=png(), mime="image/png", owner=user, target=target_of(project))
    response = post(client, f"{API}/generate/animation", {"source_asset": str(source.public_id), "duration": 3}, user)
    assert (response.status_code, response.json()["error"], response.json()["action"]) == (403, "PLAN_REQUIRED", "upgrade")
    bad = post(client, f"{API}/generate/animation", {"source_asset": str(source.public_id), "duration": 4}, user)
    assert bad.status_code == 422


def test_moodboard_without_sheets_is_422_missing_references(client, creator, project):
    board = project.moodboards.create(title="Pier")
    board.characters.set(project.characters.all())
    response = post(client, f"{API}/generate/moodboard", {"moodboard": str(board.public_id)}, creator)
    body = response.json()
    assert (response.status_code, body["error"]) == (422, "MISSING_REFERENCES")
    assert body["missing"] == ["Character 0", "Character 1"] and not Hold.objects.exists()


def test_cancel_and_retry(client, creator, project):
    character = project.characters.first()
    job = post(client, f"{API}/generate/character", {"character": str(character.public_id)}, creator).json()["data"]
    cancelled = client.post(f"{API}/jobs/{job['id']}/cancel", **bearer(creator)).json()["data"]
    assert cancelled["status"] == "cancelled"
    retried = client.post(f"{API}/jobs/{job['id']}/retry", **bearer(creator))
    assert retried.status_code == 202 and retried.json()["data"]["id"] != job["id"]


def test_outsider_gets_404_for_jobs_targets_and_references(client, creator, project, outsider):
    character = project.characters.first()
    job = post(client, f"{API}/generate/character", {"character": str(character.public_id)}, creator).json()["data"]
    source = media_services.asset_store(data=png(), mime="image/png", owner=creator, target=target_of(project))
    board = project.moodboards.create(title="Pier")
    give_plan(outsider, "pro")
    theirs = make_project(outsider, characters=1, scenes=0).characters.get()
    for method, path, body in [
        ("get", f"{API}/jobs/{job['id']}", None), ("post", f"{API}/jobs/{job['id']}/cancel", None),
        ("post", f"{API}/jobs/{job['id']}/retry", None),
        ("post", f"{API}/generate/character", {"character": str(character.public_id)}),
        ("post", f"{API}/generate/character", {"character": str(theirs.public_id), "reference_asset": str(source.public_id)}),
        ("post", f"{API}/generate/moodboard", {"moodboard": str(board.public_id)}),
        ("post", f"{API}/generate/animation", {"source_asset": str(source.public_id), "duration": 3}),
    ]:
        response = getattr(client, method)(path, json.dumps(body or {}), content_type="application/json",
                                           **bearer(outsider)) if method == "post" else client.get(path, **bearer(outsider))
        assert response.status_code == 404, (path, response.content)
    assert client.get(f"{API}/jobs", **bearer(outsider)).json()["data"] == []
    assert Generation.objects.count() == 1
    assert client.get(f"{API}/jobs/{job['id']}").status_code == 401


def test_moodboards_crud(client, creator, project, outsider, django_capture_on_commit_callbacks):
    scene, cast = project.scenes.first(), list(project.characters.all())
    created = post(client, f"{API}/projects/{project.public_id}/moodboards", {
        "title": "  Storm at the pier ", "scene": str(scene.public_id), "characters": [str(c.public_id) for c in cast],
        "pose": "back to back"}, creator)
    assert created.status_code == 201, created.content
    board = created.json()["data"]
    assert board["title"] == "Storm at the pier" and len(board["characters"]) == 2

    listed = client.get(f"{API}/projects/{project.public_id}/moodboards", **bearer(creator)).json()["data"]
    assert [b["id"] for b in listed] == [board["id"]]
    patched = client.patch(f"{API}/moodboards/{board['id']}", json.dumps({"scene": None, "characters": []}),
                           content_type="application/json", **bearer(creator)).json()["data"]
    assert patched["scene"] is None and patched["characters"] == [] and patched["pose"] == "back to back"
    assert post(client, f"{API}/projects/{project.public_id}/moodboards", {"title": " "}, creator).status_code == 422

    theirs = make_project(outsider, characters=1, scenes=0).characters.get()
    sneaky = post(client, f"{API}/projects/{project.public_id}/moodboards",
                  {"title": "X", "characters": [str(theirs.public_id)]}, creator)
    assert sneaky.status_code == 404
    assert client.get(f"{API}/moodboards/{board['id']}", **bearer(outsider)).status_code == 404
    assert client.delete(f"{API}/moodboards/{board['id']}", **bearer(outsider)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"{API}/moodboards/{board['id']}", **bearer(creator)).json()["data"] == {"deleted": True}
    assert not project.moodboards.exists()
