"""Every team role × every action, through the real pages and API: viewer reads; editor edits and
generates; admin also manages members, invites and buys; owner also deletes the team and
transfers ownership. Outsiders and removed members get 404 everywhere (pages, API, media
downloads, exports, job status); a member whose role is too low gets 404 too, except from the
team API's own endpoints, which answer 403. Each request runs in a rolled-back savepoint, so
every cell starts from the same team."""

import io

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from PIL import Image

from accounts import teams
from accounts.models import Membership
from accounts.tests.factories import UserFactory, bearer
from credits import ledger
from credits.models import CreditPackage, Plan
from credits.selectors import credit_account_for
from media import services as media_services
from studio import services
from studio.generate import jobs
from studio.targets import target_of
from studio.tests.factories import make_project

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_defaults")]

ROLES = ("viewer", "editor", "admin", "owner", "removed", "outsider")
READERS = {"viewer", "editor", "admin", "owner"}
EDITORS = {"editor", "admin", "owner"}
ADMINS = {"admin", "owner"}
OWNER = {"owner"}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def studio(settings, tmp_path):
    """A team with one member of each role, a removed member, an outsider, and a team project with
    a character, a file and a job; the team's account on Pro with credits."""
    settings.MEDIA_ROOT = str(tmp_path)
    people = {role: UserFactory() for role in ROLES}
    team = teams.team_create(user=people["owner"], name="Ember Studio")
    for role in ("viewer", "editor", "admin", "removed"):
        Membership.objects.create(team=team, user=people[role], role="editor" if role == "removed" else role)
    account = credit_account_for(team=team)
    ledger.account_plan_change(account=account, plan=Plan.objects.get(code="pro"), key="test:team-pro")
    ledger.credits_grant(account=account, amount=500, idempotency_key="test:team-grant")
    project = make_project(people["owner"], characters=1, scenes=0)
    services.project_move(project=project, team=team, user=people["owner"])
    character = project.characters.get()
    asset = media_services.asset_store(data=png(), mime="image/png", owner=people["owner"], target=target_of(character),
                                       source_type="uploaded")
    job = jobs.character_image_request(user=people["owner"], character=character, idempotency_key="team-access")
    teams.member_remove(membership=Membership.objects.get(team=team, user=people["removed"]))
    return {"people": people, "team": team, "project": project, "character": character, "asset": asset, "job": job}


def _page(client, method, url, data=None):
    return getattr(client, method)(url, data or {})


ACTIONS = {
    # name: (who may, how it is asked: (method, url(world), data(world)), via the API?)
    "read page": (READERS, lambda w: ("get", reverse("studio:project", args=[w["project"].public_id]), None)),
    "edit": (EDITORS, lambda w: ("post", reverse("studio:character", args=[w["character"].public_id]),
                                 {"name": "Renamed", "role": "protagonist"})),
    "generate": (EDITORS, lambda w: ("post", reverse("studio:character_image", args=[w["character"].public_id]),
                                     {"idempotency_key": "cell", "strength": "0.6"})),
    "manage members": (ADMINS, lambda w: ("post", reverse("credits:member_update", args=[
        Membership.objects.get(team=w["team"], role="viewer").public_id]), {"cap": "50", "team_slug": w["team"].slug})),
    "invite": (ADMINS, lambda w: ("post", reverse("credits:team_invite"),
                                  {"email": "new@example.com", "role": "editor", "team_slug": w["team"].slug})),
    "buy": (ADMINS, lambda w: ("post", reverse("credits:order_create") + f"?team={w['team'].slug}",
                               {"package": CreditPackage.objects.filter(is_active=True).first().code})),
    "delete team": (OWNER, lambda w: ("post", reverse("credits:team_delete"),
                                      {"confirm": w["team"].name, "team_slug": w["team"].slug})),
    "transfer": (OWNER, lambda w: ("post", reverse("credits:team_transfer"), {
        "member": str(Membership.objects.get(team=w["team"], role="admin").public_id), "team_slug": w["team"].slug})),
    "media download": (READERS, lambda w: ("get", reverse("media:file", args=[w["asset"].public_id]), None)),
    "export": (READERS, lambda w: ("post", reverse("studio:export", args=[w["project"].public_id, "json"]), None)),
    "job status": (READERS, lambda w: ("get", reverse("studio:job", args=[w["job"].public_id]), None)),
}


def _answer(call):
    with transaction.atomic():
        response = call()
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("role", ROLES)
def test_role_action_matrix_on_pages(studio, role):
    """One row of the table: every action of this role, each in its own rolled-back savepoint."""
    client = Client()
    client.force_login(studio["people"][role])
    wrong = []
    for action, (allowed, request) in ACTIONS.items():
        method, url, data = request(studio)
        response = _answer(lambda: _page(client, method, url, data))  # noqa: B023
        expected_ok = role in allowed
        got_ok = response.status_code in (200, 201, 202, 302) and "login" not in response.get("Location", "")
        if (expected_ok and not got_ok) or (not expected_ok and response.status_code != 404):
            wrong.append(f"{action}: {response.status_code}")
    assert not wrong, f"{role}: {wrong}"


API_ACTIONS = {
    "read": (READERS, lambda w: ("get", f"/api/v1/projects/{w['project'].public_id}", None)),
    "edit": (EDITORS, lambda w: ("patch", f"/api/v1/characters/{w['character'].public_id}", {"name": "Renamed"})),
    "generate": (EDITORS, lambda w: ("post", "/api/v1/generate/character",
                                     {"character": str(w["character"].public_id), "idempotency_key": "api-cell"})),
    "job status": (READERS, lambda w: ("get", f"/api/v1/jobs/{w['job'].public_id}", None)),
    "asset": (READERS, lambda w: ("get", f"/api/v1/assets/{w['asset'].public_id}", None)),
    "members": (READERS, lambda w: ("get", f"/api/v1/teams/{w['team'].slug}/members", None)),
    "invite": (ADMINS, lambda w: ("post", f"/api/v1/teams/{w['team'].slug}/invitations",
                                  {"email": "api@example.com", "role": "viewer"})),
    "team workspace": (READERS, lambda w: ("get", f"/api/v1/projects?team={w['team'].slug}", None)),
}


TEAM_API_ACTIONS = {"invite"}


@pytest.mark.parametrize("role", ROLES)
def test_role_action_matrix_on_the_api(studio, role):
    client = Client()
    headers = bearer(studio["people"][role])
    wrong = []
    for action, (allowed, request) in API_ACTIONS.items():
        method, url, data = request(studio)
        kwargs = {"data": data, "content_type": "application/json"} if data is not None else {}
        response = _answer(lambda: getattr(client, method)(url, **kwargs, **headers))  # noqa: B023
        if role in allowed:
            if response.status_code not in (200, 201, 202):
                wrong.append(f"{action}: {response.status_code} {response.content[:120]!r}")
        elif action in TEAM_API_ACTIONS and role in READERS:
            # The team's own endpoints tell a member their role is too low (accounts/tests/test_team_api.py).
            if response.status_code != 403 or response.json()["error"] != "FORBIDDEN":
                wrong.append(f"{action}: {response.status_code}")
        elif response.status_code != 404 or response.json()["error"] != "NOT_FOUND":
            wrong.append(f"{action}: {response.status_code}")
    assert not wrong, f"{role}: {wrong}"


def test_a_member_loses_access_the_moment_they_are_removed(studio):
    editor = studio["people"]["editor"]
    client = Client()
    client.force_login(editor)
    url = reverse("studio:project", args=[studio["project"].public_id])
    assert client.get(url).status_code == 200
    teams.member_remove(membership=Membership.objects.get(team=studio["team"], user=editor))
    assert client.get(url).status_code == 404
    assert client.get(reverse("media:file", args=[studio["asset"].public_id])).status_code == 404


def test_the_team_workspace_lists_the_team_projects_and_personal_stays_personal(studio):
    editor = studio["people"]["editor"]
    mine = make_project(editor, title="My own", characters=0, scenes=0)
    client = Client()
    client.force_login(editor)
    teams.workspace_switch(user=editor, team=studio["team"])
    page = client.get(reverse("studio:projects")).content.decode()
    assert studio["project"].title in page and "My own" not in page
    client.post(reverse("credits:workspace_switch"), {"team": ""})
    page = client.get(reverse("studio:projects")).content.decode()
    assert "My own" in page and studio["project"].title not in page
    assert mine.team_id is None


def test_moving_a_project_through_the_api_is_for_owners_and_admins(studio):
    project, team = studio["project"], studio["team"]
    client = Client()
    url = f"/api/v1/projects/{project.public_id}/move"
    for role in ("viewer", "editor", "removed", "outsider"):
        response = client.post(url, {"team": None}, content_type="application/json", **bearer(studio["people"][role]))
        assert response.status_code == 404, role
    response = client.post(url, {"team": None}, content_type="application/json", **bearer(studio["people"]["admin"]))
    assert response.status_code == 200
    project.refresh_from_db()
    assert project.team_id is None and project.owner == studio["people"]["owner"]
    # Now personal again: the team's members lose it; its creator moves it back.
    viewer = Client()
    viewer.force_login(studio["people"]["viewer"])
    assert viewer.get(reverse("studio:project", args=[project.public_id])).status_code == 404
    response = client.post(url, {"team": team.slug}, content_type="application/json", **bearer(studio["people"]["owner"]))
    assert response.status_code == 200
    assert viewer.get(reverse("studio:project", args=[project.public_id])).status_code == 200
