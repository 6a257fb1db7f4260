"""The studio endpoints of /api/v1/: projects, characters, locations, scenes and AI text."""

import json
import uuid

import pytest

from accounts.tests.factories import UserFactory, bearer
from aiproviders import adapters
from aiproviders.adapters.local import OFFLINE_LABEL
from aiproviders.models import AIModel, Provider
from aiproviders.tests import fakes
from credits import ratelimit
from credits.models import CreditAccount, Hold, LedgerEntry, Plan
from credits.selectors import credit_account_for
from credits.tests.factories import funded_account
from studio import services
from studio.bible.api import projects as projects_api
from studio.models import Beat, Character, Draft, Location, Project, Scene, Story, World

pytestmark = pytest.mark.django_db

API = "/api/v1"



def call(client, method, path, body=None, user=None, **headers):
    if user is not None:
        headers.update(bearer(user))
    if body is None:
        return getattr(client, method)(path, **headers)
    return getattr(client, method)(path, json.dumps(body), content_type="application/json", **headers)


def snapshot():
    """Every row an endpoint here could touch."""
    models = (Project, Story, World, Beat, Character, Location, Scene, Scene.characters.through, Draft,
              CreditAccount, Hold, LedgerEntry)
    return [list(m.objects.order_by("pk").values()) for m in models]


@pytest.fixture
def owner(user):
    """The user on Basic (10 projects, 50 generations a day) with 100 credits."""
    funded_account(user, amount=100, plan_code="basic")
    return user


@pytest.fixture
def bible(owner):
    project = services.project_create(owner=owner, title="Lintang and the Moon", genre="fantasy")
    beat = services.beat_create(project=project, title="Setup")
    character = services.character_create(project=project, name="Lintang", role="protagonist")
    location = services.location_create(project=project, name="The river market")
    scene = services.scene_create(project=project, title="Market at dawn", beat=beat, location=location,
                                  characters=[character])
    return {"project": project, "beat": beat, "character": character, "location": location, "scene": scene}


@pytest.fixture
def other_bible(owner):
    """A second project of the same owner: its objects must never be linked into the first."""
    project = services.project_create(owner=owner, title="Another world")
    return {
        "project": project,
        "beat": services.beat_create(project=project, title="Elsewhere"),
        "character": services.character_create(project=project, name="Stranger"),
        "location": services.location_create(project=project, name="Far away"),
    }


# (method, path, body, status for the owner); {project} etc. are the bible's public ids.
ENDPOINTS = [
    ("get", "/projects", None, 200),
    ("post", "/projects", {"title": "A second bible"}, 201),
    ("get", "/projects/{project}", None, 200),
    ("patch", "/projects/{project}", {"title": "Renamed", "story": {"synopsis": "Moon falls."}}, 200),
    ("delete", "/projects/{project}", None, 200),
    ("get", "/projects/{project}/characters", None, 200),
    ("post", "/projects/{project}/characters", {"name": "Bayu"}, 201),
    ("get", "/characters/{character}", None, 200),
    ("patch", "/characters/{character}", {"age": "31"}, 200),
    ("delete", "/characters/{character}", None, 200),
    ("get", "/projects/{project}/locations", None, 200),
    ("post", "/projects/{project}/locations", {"name": "Lighthouse"}, 201),
    ("get", "/locations/{location}", None, 200),
    ("patch", "/locations/{location}", {"description": "Lanterns on boats."}, 200),
    ("delete", "/locations/{location}", None, 200),
    ("get", "/projects/{project}/scenes", None, 200),
    ("post", "/projects/{project}/scenes", {"title": "Night falls"}, 201),
    ("get", "/scenes/{scene}", None, 200),
    ("patch", "/scenes/{scene}", {"mood": "tense"}, 200),
    ("delete", "/scenes/{scene}", None, 200),
    ("post", "/generate/text", {"project": "{project}", "target_kind": "project", "field": "logline"}, 200),
]
OWN_COLLECTIONS = {("get", "/projects"), ("post", "/projects")}  # an outsider's own, not the owner's


def request_for(bible, method, path, body):
    ids = {name: str(obj.public_id) for name, obj in bible.items()}
    body = None if body is None else {k: ids[v[1:-1]] if v in ("{project}",) else v for k, v in body.items()}
    return method, API + path.format(**ids), body


def endpoint_id(endpoint):
    return f"{endpoint[0].upper()} {endpoint[1]}"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=endpoint_id)
def test_owner_can_use_every_endpoint(client, bible, endpoint):
    method, path, body = request_for(bible, *endpoint[:3])

    response = call(client, method, path, body, user=bible["project"].owner)

    assert response.status_code == endpoint[3], response.content
    assert response.json()["success"] is True


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e[:2] not in OWN_COLLECTIONS], ids=endpoint_id)
def test_outsider_gets_404_and_changes_nothing(client, bible, outsider, endpoint):
    method, path, body = request_for(bible, *endpoint[:3])
    before = snapshot()

    response = call(client, method, path, body, user=outsider)

    assert response.status_code == 404
    assert response.json() == {"success": False, "error": "NOT_FOUND", "message": "Not found."}
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=endpoint_id)
def test_anonymous_gets_401_and_changes_nothing(client, bible, endpoint):
    method, path, body = request_for(bible, *endpoint[:3])
    before = snapshot()

    response = call(client, method, path, body)

    assert response.status_code == 401
    assert response.json()["error"] == "UNAUTHENTICATED"
    assert snapshot() == before


def test_outsider_does_not_see_the_owners_projects_in_their_list(client, bible, outsider):
    response = call(client, "get", f"{API}/projects", user=outsider)

    assert response.json() == {"success": True, "data": [], "meta": {"page": 1, "pages": 1, "total": 0}}


def test_a_browser_session_works_but_unsafe_methods_need_the_csrf_token(bible):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(bible["project"].owner)
    before = snapshot()

    assert browser.get(f"{API}/projects/{bible['project'].public_id}").status_code == 200
    refused = browser.patch(f"{API}/projects/{bible['project'].public_id}", json.dumps({"title": "No"}),
                            content_type="application/json")

    assert refused.status_code == 403
    assert refused.json()["error"] == "FORBIDDEN"
    assert snapshot() == before


# --- projects ------------------------------------------------------------------------------------

def test_project_round_trip(client, owner):
    created = call(client, "post", f"{API}/projects", {
        "title": "  Garuda Rising ", "logline": "A boy finds a feather.", "genre": "folklore", "format": "film",
        "tone": "hopeful", "target_audience": "families", "status": "in_progress",
    }, user=owner)
    assert created.status_code == 201
    data = created.json()["data"]
    project_id = data["id"]
    assert (data["title"], data["genre"], data["format"], data["status"]) == ("Garuda Rising", "folklore", "film",
                                                                              "in_progress")
    assert data["story"] == {"synopsis": "", "themes": "", "structure": "three_act", "beats": []}
    assert data["counts"] == {"characters": 0, "locations": 0, "scenes": 0, "beats": 0}

    patched = call(client, "patch", f"{API}/projects/{project_id}", {
        "premise": "Feathers remember.", "story": {"synopsis": "He flies."}, "world": {"setting": "Java, 1920"},
    }, user=owner).json()["data"]
    assert patched["title"] == "Garuda Rising"  # untouched
    assert (patched["premise"], patched["story"]["synopsis"], patched["world"]["setting"]) == (
        "Feathers remember.", "He flies.", "Java, 1920")

    fetched = call(client, "get", f"{API}/projects/{project_id}", user=owner).json()["data"]
    assert fetched == patched

    deleted = call(client, "delete", f"{API}/projects/{project_id}", user=owner)
    assert deleted.json() == {"success": True, "data": {"deleted": True}}
    assert call(client, "get", f"{API}/projects/{project_id}", user=owner).status_code == 404
    assert Project.objects.get(public_id=project_id).deleted_at is not None  # soft: in the trash


def test_project_detail_counts_its_sections(client, bible):
    data = call(client, "get", f"{API}/projects/{bible['project'].public_id}", user=bible["project"].owner).json()["data"]

    assert data["counts"] == {"characters": 1, "locations": 1, "scenes": 1, "beats": 1}
    assert [b["title"] for b in data["story"]["beats"]] == ["Setup"]


def test_project_list_filters_sorts_and_paginates(client, owner, monkeypatch):
    monkeypatch.setattr(projects_api, "PROJECTS_PER_PAGE", 2)
    for title, genre, status in [("Bravo", "drama", "draft"), ("Alpha", "fantasy", "draft"),
                                 ("Charlie", "fantasy", "completed")]:
        services.project_create(owner=owner, title=title, genre=genre, status=status)

    def titles(query):
        body = call(client, "get", f"{API}/projects?{query}", user=owner).json()
        return [p["title"] for p in body["data"]], body["meta"]

    assert titles("sort=title") == (["Alpha", "Bravo"], {"page": 1, "pages": 2, "total": 3})
    assert titles("sort=title&page=2") == (["Charlie"], {"page": 2, "pages": 2, "total": 3})
    assert titles("genre=fantasy&sort=title")[0] == ["Alpha", "Charlie"]
    assert titles("status=completed")[0] == ["Charlie"]
    assert titles("q=brav&status=&genre=")[0] == ["Bravo"]


def test_project_list_rejects_an_unknown_status(client, owner):
    response = call(client, "get", f"{API}/projects?status=lost", user=owner)

    assert response.status_code == 422
    assert "status" in response.json()["fields"]


@pytest.mark.parametrize("body", [{"title": "   "}, {}, {"title": "x" * 121}])
def test_project_needs_a_title(client, owner, body):
    response = call(client, "post", f"{API}/projects", body, user=owner)

    assert response.status_code == 422
    assert response.json()["error"] == "INVALID_INPUT"
    assert "title" in response.json()["fields"]
    assert not Project.objects.exists()


def test_project_patch_validates_before_changing_anything(client, bible):
    project = bible["project"]

    response = call(client, "patch", f"{API}/projects/{project.public_id}", {"title": "", "genre": "opera"},
                    user=project.owner)

    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"title", "genre"}
    project.refresh_from_db()
    assert project.title == "Lintang and the Moon"


def test_a_trial_creator_gets_plan_required_past_one_project(client, user):
    assert call(client, "post", f"{API}/projects", {"title": "First"}, user=user).status_code == 201
    assert credit_account_for(user=user).plan.code == "trial"

    response = call(client, "post", f"{API}/projects", {"title": "Second"}, user=user)

    assert response.status_code == 403
    assert response.json()["error"] == "PLAN_REQUIRED"
    assert Project.objects.filter(owner=user).count() == 1


# --- characters and locations --------------------------------------------------------------------

def test_character_round_trip(client, bible):
    owner, project = bible["project"].owner, bible["project"]
    created = call(client, "post", f"{API}/projects/{project.public_id}/characters",
                   {"name": "Sekar", "role": "mentor", "backstory": "Once a thief."}, user=owner)
    assert created.status_code == 201
    character_id = created.json()["data"]["id"]

    patched = call(client, "patch", f"{API}/characters/{character_id}", {"age": "60", "role": "antagonist"},
                   user=owner).json()["data"]
    assert (patched["name"], patched["age"], patched["role"], patched["backstory"]) == (
        "Sekar", "60", "antagonist", "Once a thief.")
    assert patched["project"] == str(project.public_id)

    listed = call(client, "get", f"{API}/projects/{project.public_id}/characters", user=owner).json()["data"]
    assert [c["name"] for c in listed] == ["Lintang", "Sekar"]
    assert call(client, "get", f"{API}/characters/{character_id}", user=owner).json()["data"] == patched

    call(client, "delete", f"{API}/characters/{character_id}", user=owner)
    assert call(client, "get", f"{API}/characters/{character_id}", user=owner).status_code == 404


@pytest.mark.parametrize(("body", "field"), [({"name": " "}, "name"), ({"name": "A", "role": "hero"}, "role")])
def test_character_input_is_validated(client, bible, body, field):
    response = call(client, "post", f"{API}/projects/{bible['project'].public_id}/characters", body,
                    user=bible["project"].owner)

    assert response.status_code == 422
    assert field in response.json()["fields"]
    assert Character.objects.count() == 1


def test_location_round_trip(client, bible):
    owner, project = bible["project"].owner, bible["project"]
    created = call(client, "post", f"{API}/projects/{project.public_id}/locations",
                   {"name": "Lighthouse", "visual_notes": "White and red."}, user=owner)
    assert created.status_code == 201
    location_id = created.json()["data"]["id"]

    patched = call(client, "patch", f"{API}/locations/{location_id}", {"description": "On the cliff."},
                   user=owner).json()["data"]
    assert (patched["name"], patched["description"], patched["visual_notes"]) == (
        "Lighthouse", "On the cliff.", "White and red.")
    listed = call(client, "get", f"{API}/projects/{project.public_id}/locations", user=owner).json()["data"]
    assert [loc["name"] for loc in listed] == ["The river market", "Lighthouse"]

    call(client, "delete", f"{API}/locations/{location_id}", user=owner)
    assert call(client, "get", f"{API}/locations/{location_id}", user=owner).status_code == 404


def test_location_needs_a_name(client, bible):
    response = call(client, "post", f"{API}/projects/{bible['project'].public_id}/locations", {"name": ""},
                    user=bible["project"].owner)

    assert response.status_code == 422
    assert "name" in response.json()["fields"]


# --- scenes --------------------------------------------------------------------------------------

def test_scene_round_trip_with_links(client, bible):
    owner, project = bible["project"].owner, bible["project"]
    sekar = services.character_create(project=project, name="Sekar")
    created = call(client, "post", f"{API}/projects/{project.public_id}/scenes", {
        "title": "The chase", "mood": "frantic", "script": "EXT. MARKET - DAWN",
        "beat": str(bible["beat"].public_id), "location": str(bible["location"].public_id),
        "characters": [str(bible["character"].public_id), str(sekar.public_id)],
    }, user=owner)
    assert created.status_code == 201
    data = created.json()["data"]
    assert (data["beat"], data["location"]) == (str(bible["beat"].public_id), str(bible["location"].public_id))
    assert set(data["characters"]) == {str(bible["character"].public_id), str(sekar.public_id)}

    patched = call(client, "patch", f"{API}/scenes/{data['id']}",
                   {"beat": None, "characters": [str(sekar.public_id)], "description": "They run."},
                   user=owner).json()["data"]
    assert patched["beat"] is None  # null unlinks
    assert patched["location"] == str(bible["location"].public_id)  # absent: unchanged
    assert patched["characters"] == [str(sekar.public_id)]
    assert (patched["title"], patched["description"], patched["script"]) == ("The chase", "They run.",
                                                                             "EXT. MARKET - DAWN")
    assert call(client, "get", f"{API}/scenes/{data['id']}", user=owner).json()["data"] == patched

    listed = call(client, "get", f"{API}/projects/{project.public_id}/scenes", user=owner).json()["data"]
    assert [s["title"] for s in listed] == ["Market at dawn", "The chase"]

    call(client, "delete", f"{API}/scenes/{data['id']}", user=owner)
    assert call(client, "get", f"{API}/scenes/{data['id']}", user=owner).status_code == 404


@pytest.mark.parametrize("link", ["beat", "location", "characters"])
def test_scene_cannot_link_another_projects_objects(client, bible, other_bible, link):
    owner, project, scene = bible["project"].owner, bible["project"], bible["scene"]
    foreign = str(other_bible["character" if link == "characters" else link].public_id)
    value = [str(bible["character"].public_id), foreign] if link == "characters" else foreign
    before = snapshot()

    created = call(client, "post", f"{API}/projects/{project.public_id}/scenes", {"title": "X", link: value},
                   user=owner)
    patched = call(client, "patch", f"{API}/scenes/{scene.public_id}", {"title": "Changed", link: value}, user=owner)

    for response in (created, patched):
        assert response.status_code == 422
        assert response.json()["error"] == "INVALID_INPUT"
        assert link in response.json()["fields"]
    assert snapshot() == before


def test_scene_cannot_link_an_unknown_id(client, bible):
    response = call(client, "patch", f"{API}/scenes/{bible['scene'].public_id}", {"location": str(uuid.uuid4())},
                    user=bible["project"].owner)

    assert response.status_code == 422
    bible["scene"].refresh_from_db()
    assert bible["scene"].location == bible["location"]


# --- AI text -------------------------------------------------------------------------------------

def generate(client, user, project, *, sse=False, **body):
    body = {"project": str(project.public_id), "target_kind": "story", "field": "synopsis", **body}
    headers = {"HTTP_ACCEPT": "text/event-stream"} if sse else {}
    return call(client, "post", f"{API}/generate/text", body, user=user, **headers)


def parse_sse(response) -> list[tuple[str, dict]]:
    events = []
    for block in b"".join(response.streaming_content).decode().strip().split("\n\n"):
        name, data = block.split("\n")
        assert name.startswith("event: ") and data.startswith("data: ")
        events.append((name.removeprefix("event: "), json.loads(data.removeprefix("data: "))))
    return events


def test_generate_text_answers_json_and_charges_the_hold(client, bible):
    owner, project = bible["project"].owner, bible["project"]
    account = credit_account_for(user=owner)

    response = generate(client, owner, project, target_kind="character", target_id=str(bible["character"].public_id),
                        field="backstory", prompt="Make her brave")

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["text"].startswith(bible["character"].name) and "Offline" not in data["text"]
    assert data["offline"] == OFFLINE_LABEL
    assert "Make her brave" not in data["text"] and "Canon" not in data["text"]
    assert data["cost"] == 3 and data["model"]
    assert "Title" in data["canon"]
    draft = Draft.objects.get(public_id=data["draft"])
    assert (draft.status, draft.text, draft.credits_charged) == ("ready", data["text"], 3)
    entries = LedgerEntry.objects.filter(reference=f"draft:{draft.public_id}")
    assert sorted(entries.values_list("kind", flat=True)) == ["capture", "hold"]
    before = account.balance
    account.refresh_from_db()
    assert (account.balance, account.held) == (before - 3, 0)


def test_generate_text_streams_server_sent_events(client, bible):
    owner, project = bible["project"].owner, bible["project"]

    response = generate(client, owner, project, sse=True, target_kind="world", field="setting")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    events = parse_sse(response)
    names = [name for name, _ in events]
    assert names[0] == "start" and names[-1] == "done"
    assert names[1:-1] == ["chunk"] * (len(names) - 2) and len(names) - 2 >= 2
    text = "".join(data["text"] for name, data in events if name == "chunk")
    assert text.startswith("The world of ") and "Offline" not in text
    assert events[0][1]["offline"] == OFFLINE_LABEL
    draft = Draft.objects.get(public_id=events[0][1]["draft"])
    assert draft.text == text and draft.status == "ready"
    assert events[-1][1] == {"event": "done", "draft": str(draft.public_id), "cost": 3}
    assert Hold.objects.get(reference=f"draft:{draft.public_id}").status == "captured"


def test_generate_text_costs_the_same_queries_however_large_the_cast(client, bible):
    """Figure 8 of the bench: the token, the project with its story and world, the cast and the
    places (where the character written is found too), the hold with the draft, then the capture
    with the finished draft and the usage row in one transaction."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    owner, project = bible["project"].owner, bible["project"]
    headers = bearer(owner)

    def queries():
        body = {"project": str(project.public_id), "target_kind": "character", "field": "backstory",
                "target_id": str(bible["character"].public_id), "prompt": uuid.uuid4().hex}
        with CaptureQueriesContext(connection) as captured:
            response = client.post(f"{API}/generate/text", json.dumps(body), content_type="application/json", **headers)
        assert response.status_code == 200
        return len(captured)

    queries()  # the first call may open what later calls find (the story, the world)
    few = queries()
    for i in range(10):
        services.character_create(project=project, name=f"Extra {i}")
        services.location_create(project=project, name=f"Place {i}")
    assert queries() == few
    if connection.vendor == "postgresql":
        assert few == 16


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"target_kind": "story", "field": "backstory"}, 422, "field"),
    ({"target_kind": "poem", "field": "text"}, 422, "target_kind"),
    ({"target_kind": "character", "field": "backstory"}, 422, "target_id"),
    ({"target_kind": "character", "field": "backstory", "target_id": str(uuid.uuid4())}, 404, None),
    ({"target_kind": "free", "field": "text", "model": 999999}, 422, "model"),
])
def test_generate_text_refuses_bad_targets_before_holding_anything(client, bible, body, status, field):
    before = snapshot()

    response = generate(client, bible["project"].owner, bible["project"], **body)

    assert response.status_code == status
    if field:
        assert field in response.json()["fields"]
    assert snapshot() == before


def test_generate_text_for_another_projects_character_is_404(client, bible, other_bible):
    response = generate(client, bible["project"].owner, bible["project"], target_kind="character",
                        target_id=str(other_bible["character"].public_id), field="backstory")

    assert response.status_code == 404
    assert not Draft.objects.exists()


def test_trial_allows_two_generations_then_trial_limit(client, user):
    project = services.project_create(owner=user, title="Trial bible")
    account = credit_account_for(user=user)
    assert account.plan.code == "trial"

    for _ in range(2):
        assert generate(client, user, project).status_code == 200
    ratelimit.reset(account_id=account.pk)  # the trial's daily limit is also 2: only the trial rule may refuse
    response = generate(client, user, project)

    assert response.status_code == 402
    assert response.json()["error"] == "TRIAL_LIMIT"
    assert Draft.objects.filter(project=project).count() == 2


def test_insufficient_credits_is_402_with_required_and_available(client, user):
    funded_account(user, amount=2, plan_code="basic")
    project = services.project_create(owner=user, title="Poor bible")

    response = generate(client, user, project)

    assert response.status_code == 402
    body = response.json()
    assert (body["error"], body["required"], body["available"]) == ("INSUFFICIENT_CREDITS", 3, 2)
    assert not Draft.objects.exists() and not Hold.objects.exists()


def test_daily_limit_is_429_with_retry_after(client, bible):
    plan = Plan.objects.get(code="basic")  # edited as the admin does (plans are read from the catalog)
    plan.daily_generation_limit = 1
    plan.save()
    owner, project = bible["project"].owner, bible["project"]
    assert generate(client, owner, project).status_code == 200

    response = generate(client, owner, project)

    assert response.status_code == 429
    assert response.json()["error"] == "RATE_LIMITED" and response.json()["retry_after"] > 0
    assert int(response["Retry-After"]) > 0


@pytest.fixture
def cut_model(monkeypatch):
    """A vendor model whose stream breaks after its first chunk."""
    monkeypatch.setitem(adapters.REGISTRY, "fake", fakes.FakeAdapter)
    fakes.SCRIPT.clear()
    fakes.SCRIPT["flaky"] = ["cut"]
    provider = Provider.objects.create(name="Fake", kind="fake")
    yield AIModel.objects.create(provider=provider, model_id="flaky", display_name="Flaky", type="text",
                                 cap_streaming=True, priority=1)
    fakes.SCRIPT.clear()
    fakes.CALLS.clear()


def test_a_stream_broken_by_the_provider_is_502_and_releases_the_hold(client, bible, cut_model):
    owner, project = bible["project"].owner, bible["project"]
    available = credit_account_for(user=owner).available

    response = generate(client, owner, project, model=cut_model.pk)

    assert response.status_code == 502
    body = response.json()
    assert (body["error"], body["partial"]) == ("PROVIDER_ERROR", True)
    draft = Draft.objects.get(public_id=body["draft"])
    assert draft.status == "incomplete" and draft.text.startswith("Hello from flaky")
    assert Hold.objects.get(reference=f"draft:{draft.public_id}").status == "released"
    assert credit_account_for(user=owner).available == available


def test_generate_text_streams_the_provider_error_as_an_event(client, bible, cut_model):
    response = generate(client, bible["project"].owner, bible["project"], sse=True, model=cut_model.pk)

    events = parse_sse(response)
    assert [name for name, _ in events] == ["start", "chunk", "error"]
    assert events[-1][1]["partial"] is True


def test_no_text_model_available_is_502_before_anything_is_held(client, bible):
    for model in AIModel.objects.filter(type="text"):  # as the admin does: every process sees it (modo.catalog)
        model.enabled = False
        model.save()
    before = snapshot()

    response = generate(client, bible["project"].owner, bible["project"])

    assert response.status_code == 502
    assert response.json()["error"] == "PROVIDER_ERROR" and response.json()["draft"] is None
    assert snapshot() == before


def test_openapi_documents_the_studio_endpoints(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]

    for method, path, _body, _status in ENDPOINTS:
        documented = API + path.replace("{project}", "{project_id}").replace("{character}", "{character_id}") \
            .replace("{location}", "{location_id}").replace("{scene}", "{scene_id}")
        assert method in paths[documented], documented
    assert "text/event-stream" in paths[f"{API}/generate/text"]["post"]["responses"]["200"]["content"]


# The operationIds clients generated code from: they stay, wherever the endpoint's module moves.
OPERATION_IDS = {
    ("get", "/projects"): "studio_api_project_list",
    ("post", "/projects"): "studio_api_project_create",
    ("get", "/projects/{project_id}"): "studio_api_project_detail",
    ("patch", "/projects/{project_id}"): "studio_api_project_update",
    ("delete", "/projects/{project_id}"): "studio_api_project_delete",
    ("get", "/projects/{project_id}/characters"): "studio_api_character_list",
    ("post", "/projects/{project_id}/characters"): "studio_api_character_create",
    ("get", "/characters/{character_id}"): "studio_api_character_detail",
    ("patch", "/characters/{character_id}"): "studio_api_character_update",
    ("delete", "/characters/{character_id}"): "studio_api_character_delete",
    ("get", "/projects/{project_id}/locations"): "studio_api_location_list",
    ("post", "/projects/{project_id}/locations"): "studio_api_location_create",
    ("get", "/locations/{location_id}"): "studio_api_location_detail",
    ("patch", "/locations/{location_id}"): "studio_api_location_update",
    ("delete", "/locations/{location_id}"): "studio_api_location_delete",
    ("get", "/projects/{project_id}/scenes"): "studio_api_scene_list",
    ("post", "/projects/{project_id}/scenes"): "studio_api_scene_create",
    ("get", "/scenes/{scene_id}"): "studio_api_scene_detail",
    ("patch", "/scenes/{scene_id}"): "studio_api_scene_update",
    ("delete", "/scenes/{scene_id}"): "studio_api_scene_delete",
    ("post", "/generate/text"): "studio_api_generate_text",
    ("post", "/generate/character"): "studio_visual_api_generate_character",
    ("post", "/generate/moodboard"): "studio_visual_api_generate_moodboard",
    ("post", "/generate/animation"): "studio_visual_api_generate_animation",
    ("get", "/jobs"): "studio_visual_api_job_list",
    ("get", "/jobs/{job_id}"): "studio_visual_api_job_detail",
    ("post", "/jobs/{job_id}/cancel"): "studio_visual_api_job_cancel",
    ("post", "/jobs/{job_id}/retry"): "studio_visual_api_job_retry",
    ("get", "/image-presets"): "studio_visual_api_image_presets",
    ("get", "/projects/{project_id}/moodboards"): "studio_visual_api_moodboard_list",
    ("post", "/projects/{project_id}/moodboards"): "studio_visual_api_moodboard_create",
    ("get", "/moodboards/{moodboard_id}"): "studio_visual_api_moodboard_detail",
    ("patch", "/moodboards/{moodboard_id}"): "studio_visual_api_moodboard_update",
    ("delete", "/moodboards/{moodboard_id}"): "studio_visual_api_moodboard_delete",
    ("get", "/assets"): "media_api_asset_list",
    ("post", "/assets"): "media_api_asset_upload",
    ("post", "/assets/link"): "media_api_asset_link",
    ("get", "/assets/{asset_id}"): "media_api_asset_detail",
    ("delete", "/assets/{asset_id}"): "media_api_asset_delete",
    ("put", "/assets/{asset_id}/replace"): "media_api_asset_replace",
    ("get", "/assets/{asset_id}/check"): "media_api_asset_check",
    ("post", "/assets/{asset_id}/primary"): "media_api_asset_primary",
    ("get", "/assets/{asset_id}/download"): "media_api_asset_download",
}


def test_operation_ids_stay_as_published(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]

    assert {(method, path): paths[API + path][method]["operationId"] for method, path in OPERATION_IDS} == OPERATION_IDS


def test_users_never_share_objects_by_id(client, bible):
    """A character id from one creator's bible, sent by a second creator to their own project's scene."""
    stranger = UserFactory()
    funded_account(stranger, amount=10, plan_code="basic")
    theirs = services.project_create(owner=stranger, title="Theirs")

    response = call(client, "post", f"{API}/projects/{theirs.public_id}/scenes",
                    {"title": "Borrowed", "characters": [str(bible["character"].public_id)]}, user=stranger)

    assert response.status_code == 422
    assert not Scene.objects.filter(project=theirs).exists()
