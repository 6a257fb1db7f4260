"""Malformed input gets a 4xx — in the envelope on the API — never a 500 (issue 17, item 1): a
page number past any page, a NUL character in any text, a target that is not "kind:uuid", a
multipart body without its boundary. Nothing is written by a refused request."""

import json
import re

import pytest

from accounts.tests.factories import bearer
from credits.tests.factories import funded_account
from modo.inputs import NO_NUL, NON_BLANK
from studio import services
from studio.models import Character, Project

pytestmark = pytest.mark.django_db

API = "/api/v1"
HUGE = "99999999999999999999"
NUL = "\u0000"


@pytest.fixture
def owner(user):
    funded_account(user, amount=100, plan_code="basic")
    return user


@pytest.fixture
def bible(owner):
    project = services.project_create(owner=owner, title="Lintang and the Moon", genre="fantasy")
    character = services.character_create(project=project, name="Lintang", role="protagonist")
    location = services.location_create(project=project, name="The river market")
    scene = services.scene_create(project=project, title="Market at dawn", location=location, characters=[character])
    return {"project": project, "character": character, "location": location, "scene": scene}


def send(client, method, path, body, owner):
    return getattr(client, method)(path, json.dumps(body), content_type="application/json", **bearer(owner))


def refused(response, field=None, status=422):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False and body["error"] == "INVALID_INPUT"
    if field is not None:
        assert field in body["fields"], body
    return body


@pytest.mark.parametrize("path", ["/projects", "/jobs", "/assets"])
def test_a_page_past_any_page_is_invalid_input_on_the_api(client, owner, path):
    refused(client.get(f"{API}{path}?page={HUGE}", **bearer(owner)), "page")


@pytest.mark.parametrize("path", ["/studio/", "/studio/jobs/", "/settings/credits/"])
def test_a_page_past_any_page_shows_the_last_page(client, owner, path):
    client.force_login(owner)
    assert client.get(f"{path}?page={HUGE}").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/projects", {"title": f"Night{NUL}market"}, "title"),
        ("patch", "/projects/{project}", {"logline": f"A girl{NUL}"}, "logline"),
        ("patch", "/projects/{project}", {"story": {"synopsis": NUL}}, "story.synopsis"),
        ("patch", "/projects/{project}", {"world": {"setting": f"Islands{NUL}"}}, "world.setting"),
        ("post", "/projects/{project}/characters", {"name": f"Laras{NUL}"}, "name"),
        ("patch", "/characters/{character}", {"backstory": f"Born{NUL}"}, "backstory"),
        ("patch", "/locations/{location}", {"description": NUL}, "description"),
        ("patch", "/scenes/{scene}", {"description": f"Dawn{NUL}"}, "description"),
        ("post", "/generate/character", {"character": "{character}", "prompt": f"smiling{NUL}"}, "prompt"),
        ("post", "/generate/character", {"character": "{character}", "idempotency_key": f"k{NUL}"}, "idempotency_key"),
        ("post", "/orders", {"package": f"credits-200{NUL}"}, "package"),
    ],
)
def test_a_nul_character_in_any_text_is_invalid_input(client, owner, bible, method, path, body, field):
    ids = {name: str(obj.public_id) for name, obj in bible.items()}
    body = {key: value.format(**ids) if key == "character" else value for key, value in body.items()}
    before = (Project.objects.count(), Character.objects.count(), owner.generations.count())

    refused(send(client, method, API + path.format(**ids), body, owner), field)

    assert (Project.objects.count(), Character.objects.count(), owner.generations.count()) == before


def test_a_nul_character_in_a_query_string_is_invalid_input(client, owner):
    refused(client.get(f"{API}/projects?q=moon%00", **bearer(owner)), "q")


def test_a_nul_character_in_a_page_form_or_query_is_refused_without_an_error(client, owner):
    client.force_login(owner)
    assert client.get("/studio/?q=moon%00").status_code in (200, 400)
    response = client.post("/studio/new/", {"title": f"Night{NUL}market", "format": "comic"})
    assert response.status_code in (200, 400)
    assert not Project.objects.filter(owner=owner).exists()


def test_the_openapi_document_states_that_text_takes_no_nul(client):
    properties = client.get(f"{API}/openapi.json").json()["components"]["schemas"]["ProjectIn"]["properties"]
    assert properties["logline"]["pattern"] == NO_NUL
    assert properties["title"]["pattern"] == NON_BLANK and properties["title"]["minLength"] == 1


@pytest.mark.parametrize("target", ["character:not-a-uuid", "location:123", "character:", "nothing", f"scene:{NUL}"])
def test_a_target_that_is_not_kind_and_uuid_is_refused_on_asset_list(client, owner, target):
    response = client.get(f"{API}/assets", {"target": target}, **bearer(owner))
    assert response.status_code in (404, 422), response.content
    assert response.json()["success"] is False


@pytest.mark.parametrize("target", ["character:not-a-uuid", "location:123"])
def test_a_target_that_is_not_kind_and_uuid_is_refused_on_asset_link(client, owner, bible, target):
    body = {"project": str(bible["project"].public_id), "target": target,
            "url": "https://drive.google.com/file/d/1AbCdEfGhIjKlMnOpQrStUvWxYz012345/view"}
    response = send(client, "post", f"{API}/assets/link", body, owner)
    assert response.status_code in (404, 409, 422), response.content
    assert response.json()["success"] is False


def test_a_multipart_upload_without_its_boundary_is_a_400(client, owner):
    response = client.post(f"{API}/assets", data=b"--x\r\n", content_type="multipart/form-data", **bearer(owner))
    assert response.status_code == 400, response.content
    assert response.json()["success"] is False


def test_a_multipart_page_post_without_its_boundary_is_a_400(client, owner):
    client.force_login(owner)
    response = client.post("/studio/new/", data=b"--x\r\n", content_type="multipart/form-data")
    assert response.status_code == 400


def _free_text(schema: dict, components: dict, where: str):
    """(where, schema) for every free-text string in `schema`, following $refs, anyOf and items."""
    if "$ref" in schema:
        yield from _free_text(components[schema["$ref"].rsplit("/", 1)[1]], components, where)
        return
    for option in schema.get("anyOf", ()):
        yield from _free_text(option, components, where)
    if "items" in schema:
        yield from _free_text(schema["items"], components, where)
    for name, prop in schema.get("properties", {}).items():
        yield from _free_text(prop, components, f"{where}.{name}")
    if schema.get("type") == "string" and not {"format", "enum", "const"} & schema.keys():
        yield where, schema


def test_every_text_input_of_the_api_states_that_it_takes_no_nul_and_pages_have_a_ceiling(client):
    """Systematic: every string a client can send (bodies and query strings, of every operation)
    carries the pattern the code enforces, and every `page` its bounds — so a new input schema
    that does not build on modo.inputs.Input fails here."""
    document = client.get(f"{API}/openapi.json").json()
    components = document["components"]["schemas"]
    texts, pages = [], []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    continue
                if parameter["name"] == "page":
                    pages.append((where, parameter["schema"]))
                texts += _free_text(parameter["schema"], components, f"{where} ?{parameter['name']}")
            for content in operation.get("requestBody", {}).get("content", {}).values():
                texts += _free_text(content["schema"], components, f"{where} body")
    # Free text says NO_NUL or NON_BLANK; a formatted one ("kind:uuid", a Drive link) its own pattern.
    without = [where for where, schema in texts
               if "pattern" not in schema or any(re.search(schema["pattern"], text) for text in ("\x00", "ab\x00c"))]
    assert len(texts) > 40 and not without, without
    assert len(pages) == 3 and all(s["minimum"] == 1 and s["maximum"] == 10_000 for _w, s in pages), pages
