"""Property-based: Schemathesis generates requests from /api/v1/openapi.json for every operation
(valid and invalid bodies, query strings and headers, a bounded number each) and sends them to
the app in-process as a creator with a token. Every answer must be a non-5xx, documented
status, in the documented shape, and what the schema allows must be accepted. Ids — in the path
and the links a body makes — are the creator's own objects, a model is the default one and an
upload a real image, so requests reach the code behind those checks rather than stopping at them."""

import base64

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection

from accounts import teams
from accounts.models import Membership
from accounts.services import api_token_create
from accounts.tests.factories import UserFactory
from credits.tests.factories import funded_account
from studio import moodboards, services

EXAMPLES = 6
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==")


@pytest.fixture
def in_process():
    """The app is called through its WSGI handler, which closes the database connection after each
    request; inside a test's transaction it must stay open (as Django's test client keeps it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(db, user, in_process):
    funded_account(user, amount=500, plan_code="premium")
    project = services.project_create(owner=user, title="Lintang and the Moon", genre="fantasy")
    character = services.character_create(project=project, name="Lintang", role="protagonist")
    location = services.location_create(project=project, name="The river market")
    scene = services.scene_create(project=project, title="Market at dawn", location=location, characters=[character],
                                  script="LINTANG\nThe river is rising.")  # dialogue: the scene can be read aloud
    moodboard = moodboards.moodboard_create(project=project, title="Dusk palette")
    secret = api_token_create(user=user, name="fuzz").raw
    beat = services.beat_create(project=project, title="Setup")
    team = teams.team_create(user=user, name="Fuzz studio")
    member = Membership.objects.create(team=team, user=UserFactory(), role="editor")
    invitation = teams.invitation_create(team=team, email="fuzz@example.com", role="viewer", invited_by=user,
                                         accept_url=lambda raw: raw).invitation
    teams.workspace_switch(user=user, team=None)
    ids = {"project_id": project.public_id, "character_id": character.public_id, "location_id": location.public_id,
           "scene_id": scene.public_id, "moodboard_id": moodboard.public_id, "slug": team.slug,
           "member_id": member.public_id, "invitation_id": invitation.public_id}
    links = {"beat": beat.public_id, "location": location.public_id, "character": character.public_id,
             "scene": scene.public_id, "project": project.public_id}
    # identity: the in-process client hands over the body as the app wrote it (no gzip to undo).
    return {"headers": {"Authorization": f"Bearer {secret}", "Accept-Encoding": "identity"}, "ids": {k: str(v) for k, v in ids.items()},
            "links": {k: str(v) for k, v in links.items()}}


# Read at collection: the document needs no database (pytest-django has configured Django by then).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_every_operation_answers_a_documented_non_5xx_in_its_documented_shape(case, world):  # noqa: F811
    for name, value in world["ids"].items():
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = value
    if isinstance(case.body, dict):  # links to other objects: this project's (another's is a 422 by design)
        for name, value in world["links"].items():
            if isinstance(case.body.get(name), str):
                case.body[name] = value
        if isinstance(case.body.get("characters"), list):
            case.body["characters"] = [world["links"]["character"]] * bool(case.body["characters"])
        if "model" in case.body:  # a model is a row of the admin's: the default one
            case.body["model"] = None
        if "file" in case.body:  # an upload is decoded: a real image
            case.body["file"] = PNG
        if "email" in case.body:  # an invitation's address is checked after access: a real one
            case.body["email"] = "invitee@example.com"
    # Not checked: that the app refuses every request outside the schema (ninja, like pydantic,
    # coerces some: a JSON string where an object with one text field is expected). What is
    # checked is that it accepts what the schema allows and never answers outside the document.
    case.call_and_validate(headers=world["headers"], excluded_checks=[negative_data_rejection])
