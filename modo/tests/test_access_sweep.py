"""The ownership sweep, generated from the routes themselves so it cannot miss one.

Every page URL pattern (from the URL resolver) and every API operation (from the OpenAPI
document) that names an object is tried with the ids of one owner's objects, with every method
it takes (pages: GET and POST; the API: the documented methods):

- by an outsider (another signed-in creator; for the API also another creator's token): 404,
  and nothing in the database or the file storage changes;
- anonymously: a redirect to log in or a 404 (pages), the 401 envelope (API); nothing changes;
- by the owner, inside a rolled-back savepoint: anything but 404 — proof that the ids the sweep
  uses are real, so an outsider's 404 means "not yours" and not "no such thing".

A page names an object through a URL kwarg (PAGE_IDS; other kwargs take each value the view acts
on, PAGE_VALUES) or through its inputs (PAGE_INPUTS: ?target=kind:uuid and the like). An API
operation names one through a path parameter, a uuid query parameter or body field (API_IDS), or
a "kind:uuid" input (API_EXAMPLES); a target is tried once per gallery target kind.

Skipped by rule: routes that name no object (lists, forms, settings of the caller's own), the
admin (staff only) and allauth's own pages. Public on purpose, with the reason: PUBLIC_PAGES and
UNDOCUMENTED_API. test_every_route_is_swept fails for a route the sweep cannot fill in (an id
kwarg it has no object for, a new string kwarg, an API route missing from the document, an id
input it cannot name): adding a route means adding it here consciously. What the resolver cannot
show is a page that reads an id only from its query string or form: such a page belongs in
PAGE_INPUTS."""

import io
import json
import os
import re
import uuid

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.http import urlencode
from PIL import Image

from accounts import notifications, teams
from accounts import services as account_services
from accounts.models import Membership
from accounts.tests.factories import UserFactory, bearer
from credits import orders
from credits.models import CreditPackage
from media import services as media_services
from studio import moodboards, services
from studio.exports import background
from studio.exports.formats import FILE_FORMATS
from studio.gallery import views as gallery_views
from studio.generate import jobs
from studio.models import Draft
from studio.targets import GALLERY_KINDS, target_of
from studio.tests.factories import give_plan, make_project

pytestmark = pytest.mark.django_db

API = "/api/v1/"
DRIVE_URL = "https://drive.google.com/file/d/abcdefghijklmnop/view"

# --- what each route names ---------------------------------------------------------------------

# Page URL kwarg → the world's object it names. `public_id` means a different object in each app,
# so it is looked up by the route's namespace first.
PAGE_IDS = {
    ("studio", "public_id"): "project",
    ("accounts", "public_id"): "api_token",
    ("credits", "public_id"): "order",
    # A team's invitation to the team's managers (credits:invitation_revoke), one sent to the
    # user's own address to its invitee (accounts:team_invitation_accept / _decline).
    ("accounts", "invitation_id"): "received_invitation",
    "beat_id": "beat",
    "character_id": "character",
    "relationship_id": "relationship",
    "location_id": "location",
    "scene_id": "scene",
    "moodboard_id": "moodboard",
    "draft_id": "draft",
    "job_id": "job",
    "asset_id": "asset",
    "export_id": "export",
    "member_id": "member",
    "invitation_id": "invitation",
    "notification_id": "notification",
    "team_id": "team_id",
}

# Page URL kwargs that are not ids: every value the view acts on (an unknown value would be a
# 404 for everyone, which proves nothing about ownership).
PAGE_VALUES = {
    ("studio:draft_action", "action"): ["accept", "discard", "undo"],
    ("studio:asset_action", "action"): list(gallery_views.ACTIONS),
    ("studio:reorder", "kind"): ["beats", "scenes", "characters", "locations"],
    ("studio:export", "fmt"): ["html", *FILE_FORMATS],
}

# Inputs a page reads besides its URL kwargs: sent as the query string (and, for a POST, as its
# data too). A page that names an object only through them (?target=kind:uuid) is listed here to
# be swept. "{target}" stands for each kind of gallery target (studio.targets.GALLERY_KINDS).
TARGET = "{target}"
PAGE_INPUTS = {
    "studio:drafts": {"target_kind": "story", "field": "synopsis"},
    "studio:target_gallery": {"target": TARGET},
    "studio:asset_upload": {"target": TARGET, "file": "<png>"},
    "studio:asset_link": {"target": TARGET, "drive_url": DRIVE_URL},
}

# Page routes that name something and are public on purpose: route name → why.
PUBLIC_PAGES = {
    "showcase_detail": "a published bible's public page, looked up by its slug among published projects",
    "studio:showcase_file": "a published bible's cover or sheet, only while published (media/tests/test_access.py)",
    "watch_clip": "an animation its creator put on Watch, only while on show (studio/tests/test_watch.py)",
    "accounts:avatar": "avatars are public: they appear beside published work",
    "credits:team_join": "a team invitation: the secret token in the URL is the credential (credits/tests/test_teams.py)",
    "account_confirm_email": "allauth: the secret key in the URL is the credential",
    "account_reset_password_from_key": "allauth: the secret key in the URL is the credential",
}

# API path parameters and the ids in request bodies / query strings → the world's object.
API_IDS = {
    "project_id": "project", "character_id": "character", "location_id": "location", "scene_id": "scene",
    "moodboard_id": "moodboard", "job_id": "job", "asset_id": "asset", "notification_id": "notification",
    "project": "project", "character": "character", "characters": "character", "location": "location",
    "scene": "scene", "beat": "beat", "moodboard": "moodboard", "source_asset": "asset", "reference_asset": "asset",
    "slug": "team", "member_id": "member", "invitation_id": "invitation",
    "audio_asset": "asset",
}

# Inputs the schema alone does not make valid (formats it cannot express, "kind:uuid" targets).
# Values in braces are the world's ids. An operation listed here names an object through them.
API_EXAMPLES = {
    "studio_api_generate_text": {"target_kind": "project", "field": "logline"},
    "media_api_asset_replace": {"drive_url": DRIVE_URL},
    "media_api_asset_link": {"target": TARGET, "drive_url": DRIVE_URL},
    "media_api_asset_list": {"target": TARGET},
    "media_api_asset_upload": {"target": TARGET},
}

# API routes of the resolver that the OpenAPI document leaves out on purpose: name → why.
# (The sweep reads the document, so an undocumented route would escape it.)
UNDOCUMENTED_API = {
    "api:openapi-json": "the document itself", "api:openapi-view": "the document's page", "api:api-root": "an index",
    **{f"api:{code}_webhook": "payment gateway notifications, signed by the gateway (credits/tests/test_gateways.py)"
       for code in ("midtrans", "xendit", "stripe", "polar")},
    "api:replicate_webhook": "vendor callbacks, signed by the vendor (aiproviders/tests/test_replicate_webhook.py)",
}

# Prefixes the resolver walk leaves to other tests: the admin is the superadmin's (staff only,
# modo/tests/test_admin_control_room.py), the API is swept from its OpenAPI document.
SKIPPED_PREFIXES = ("admin/", "api/", "static/", "__debug__/")


# --- the routes --------------------------------------------------------------------------------

def page_routes() -> list[tuple[str, str, list[str]]]:
    """(route, name, kwargs) of every URL pattern outside SKIPPED_PREFIXES."""
    found = []

    def walk(patterns, prefix, namespace, kwargs):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            groups = [*kwargs, *pattern.pattern.regex.groupindex]
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace])) or None
                walk(pattern.url_patterns, route, inner, groups)
            elif isinstance(pattern, URLPattern) and not route.lstrip("^").startswith(SKIPPED_PREFIXES):
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
                found.append((route, name, groups))

    walk(get_resolver().url_patterns, "", None, [])
    return found


def api_resolver_routes() -> list[tuple[str, str]]:
    """(path with {params}, name) of every route the resolver serves under /api/v1/."""
    found = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route, ":".join(filter(None, [namespace, pattern.namespace])) or None)
            elif route.startswith(API):
                found.append(("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route), f"{namespace}:{pattern.name}"))

    walk(get_resolver().url_patterns, "", None)
    return found


def page_id_key(name: str, kwarg: str) -> str | None:
    namespace = name.split(":")[0] if ":" in name else None
    return PAGE_IDS.get((namespace, kwarg)) or PAGE_IDS.get(kwarg)


def targets(world) -> list[str]:
    return [f"{kind}:{world[kind]}" for kind in GALLERY_KINDS]


def with_targets(inputs: dict, world) -> list[dict]:
    """The inputs once for each gallery target kind when they name a target, else once; every
    other value formatted with the world's ids."""
    formatted = {k: v.format(**world) if v != TARGET else v for k, v in inputs.items()}
    if TARGET not in formatted.values():
        return [formatted]
    return [{k: target if v == TARGET else v for k, v in formatted.items()} for target in targets(world)]


def page_requests(world) -> list[tuple[str, str, dict]]:
    """(route name, URL, inputs) for every page route that names an object of the owner's: one
    request for each value of its other kwargs and each target kind it can name."""
    out = []
    for _route, name, kwargs in page_routes():
        if (not kwargs and name not in PAGE_INPUTS) or name in PUBLIC_PAGES:
            continue
        variants = [{}]
        for kwarg in kwargs:
            if key := page_id_key(name, kwarg):
                values = [world[key]]
            else:
                values = PAGE_VALUES[(name, kwarg)]  # KeyError: test_every_route_is_swept says which
            variants = [{**v, kwarg: value} for v in variants for value in values]
        for inputs in with_targets(PAGE_INPUTS.get(name, {}), world):
            query = urlencode({k: v for k, v in inputs.items() if k != "file"})
            out += [(name, reverse(name, kwargs=v) + (f"?{query}" if query else ""), inputs) for v in variants]
    return out


def page_call(client, method, url, inputs):
    """GET, or POST with the form fields any page might read and the page's own inputs."""
    if method == "get":
        return client.get(url)
    data = {**PAGE_BODY, **inputs}
    if "file" in data:
        data["file"] = SimpleUploadedFile("pixel.png", png(), "image/png")
    return client.post(url, data)


def openapi(client) -> dict:
    return client.get(API + "openapi.json").json()


def _resolve(doc, schema):
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _is_id(schema) -> bool:
    branches = schema.get("anyOf", [schema])
    return any(b.get("format") == "uuid" or b.get("items", {}).get("format") == "uuid" for b in branches)


def _example(schema, name, world):
    """A value the schema accepts: the owner's object for an id, else the simplest valid one."""
    schema = next((b for b in schema.get("anyOf", [schema]) if b.get("type") != "null"), schema)
    if name in API_IDS and _is_id(schema):
        value = world[API_IDS[name]]
        return [value] if schema.get("type") == "array" else value
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "string":
        return SimpleUploadedFile("pixel.png", png(), "image/png") if schema.get("format") == "binary" else "Swept"
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    return None


def api_operations(doc) -> list[dict]:
    """Every documented operation, with the inputs that name objects picked out."""
    out = []
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            params = [p for p in op.get("parameters", [])]
            body = op.get("requestBody", {}).get("content", {})
            content_type, body_schema = next(iter(body.items()), (None, {}))
            properties = _resolve(doc, body_schema.get("schema", {})).get("properties", {})
            id_inputs = [p["name"] for p in params if p["in"] == "path" or _is_id(p.get("schema", {}))]
            id_inputs += [name for name, schema in properties.items() if _is_id(schema)]
            id_inputs += [name for name, value in API_EXAMPLES.get(op["operationId"], {}).items() if "{" in str(value)]
            out.append({"method": method, "path": path, "op": op, "id": op["operationId"], "params": params,
                        "content_type": content_type, "schema": _resolve(doc, body_schema.get("schema", {})),
                        "id_inputs": id_inputs})
    return out


def api_requests(operation, world) -> list[tuple[str, str, dict]]:
    """(method, URL, client kwargs) naming the owner's objects wherever the operation names one:
    once for each gallery target kind when it names a target."""
    return [_api_request(operation, world, examples)
            for examples in with_targets(API_EXAMPLES.get(operation["id"], {}), world)]


def _api_request(operation, world, examples) -> tuple[str, str, dict]:
    path = operation["path"]
    query = {}
    for param in operation["params"]:
        name, schema = param["name"], param.get("schema", {})
        if param["in"] == "path":
            path = path.replace("{%s}" % name, world[API_IDS[name]])
        elif name in examples or (name in API_IDS and _is_id(schema)):
            query[name] = examples.get(name) or _example(schema, name, world)
    kwargs = {}
    if query:
        kwargs["QUERY_STRING"] = urlencode(query)
    schema = operation["schema"]
    if operation["content_type"]:
        body = {}
        for name, prop in schema.get("properties", {}).items():
            if name in examples:
                body[name] = examples[name]
            elif name in schema.get("required", []) or (name in API_IDS and _is_id(prop)):
                body[name] = _example(prop, name, world)
        if operation["content_type"] == "application/json":
            kwargs.update(data=json.dumps(body), content_type="application/json")
        else:  # multipart: the test client encodes a dict
            kwargs["data"] = body
    return operation["method"], path, kwargs


def names_an_object(operation) -> bool:
    return bool(operation["id_inputs"])


# --- the world ---------------------------------------------------------------------------------

def png(width=32, height=24) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def world(settings, tmp_path, user):
    """One owner with an object of every kind a route can name; {kind: public id}."""
    settings.MEDIA_ROOT = str(tmp_path)
    owner = user
    give_plan(owner, "premium")
    project = make_project(owner, characters=2, locations=1, scenes=1, beats=1)
    first, second = project.characters.order_by("id")
    asset = media_services.asset_store(data=png(), mime="image/png", owner=owner, target=target_of(first),
                                       source_type="uploaded")
    draft = Draft.objects.create(project=project, owner=owner, target_kind="story", field="synopsis",
                                 text="A storm spirit steals the wind.", status=Draft.Status.READY)
    export_id = background.export_start(user=owner, project=project, fmt="json")
    background.export_run(user_id=owner.pk, project_public_id=str(project.public_id), fmt="json", export_id=export_id)
    ids = {
        "project": project.public_id,
        "beat": project.beats.get().public_id,
        "character": first.public_id,
        "relationship": services.relationship_add(source=first, target=second, kind="mentor").public_id,
        "location": project.locations.get().public_id,
        "scene": project.scenes.get().public_id,
        "moodboard": moodboards.moodboard_create(project=project, title="Kite at dusk", characters=[first]).public_id,
        "draft": draft.public_id,
        "job": jobs.character_image_request(user=owner, character=first, idempotency_key="sweep").public_id,
        "asset": asset.public_id,
        "export": export_id,
        "order": orders.order_create(user=owner, package=CreditPackage.objects.filter(is_active=True).first()).public_id,
        "api_token": account_services.api_token_create(user=owner, name="sweep").token.public_id,
        # The owner's team (their current workspace, with a picture), a member and an open invitation.
        "team": (team := teams.team_create(user=owner, name="Sweep studio")).slug,
        "team_id": teams.team_avatar_set(team=team, upload=SimpleUploadedFile("t.png", png(), "image/png")).public_id,
        "member": Membership.objects.create(team=team, user=UserFactory(), role="editor").public_id,
        "invitation": teams.invitation_create(team=team, email="invited@example.com", role="viewer", invited_by=owner,
                                              accept_url=lambda raw: raw).invitation.public_id,
        "notification": notifications.notification_send(user=owner, kind="order_paid", subject="sweep").public_id,
        # Another team's invitation to the owner's address: theirs to accept or decline.
        "received_invitation": teams.invitation_create(
            team=teams.team_create(user=(inviter := UserFactory()), name="Inviting studio"), email=owner.email,
            role="viewer", invited_by=inviter, accept_url=lambda raw: raw).invitation.public_id,
    }
    return {"owner": owner, **{k: str(v) for k, v in ids.items()}}


@pytest.fixture
def intruder(outsider):
    """Another creator, on a paid plan with credits, so a refusal is about ownership only."""
    give_plan(outsider, "pro")
    return outsider


APPS = ("accounts", "credits", "media", "studio", "aiproviders")
VOLATILE = {"last_login", "last_used_at"}  # the caller's own sign-in and token use


def _tables() -> list[tuple[str, str]]:
    return [(model._meta.label, model._meta.db_table) for label in APPS
            for model in apps.get_app_config(label).get_models(include_auto_created=True)]


def state() -> dict:
    """A digest of every row of the project's apps (minus the caller's sign-in stamps) and the
    list of stored files. On PostgreSQL one query digests every table; elsewhere the ORM reads them."""
    if connection.vendor == "postgresql":
        row = "(to_jsonb(t) - %s)::text" % " - ".join(f"'{name}'" for name in sorted(VOLATILE))
        sql = " UNION ALL ".join(
            f"SELECT '{label}', md5(coalesce(string_agg({row}, '|' ORDER BY {row}), '')) FROM {connection.ops.quote_name(table)} t"
            for label, table in _tables())
        with connection.cursor() as cursor:
            cursor.execute(sql)
            rows = dict(cursor.fetchall())
    else:
        rows = {}
        for label in APPS:
            for model in apps.get_app_config(label).get_models(include_auto_created=True):
                fields = [f.attname for f in model._meta.concrete_fields if f.attname not in VOLATILE]
                rows[model._meta.label] = list(model.objects.order_by("pk").values_list(*fields))
    root = settings.MEDIA_ROOT
    rows["files"] = sorted(os.path.relpath(os.path.join(d, f), root) for d, _, files in os.walk(root) for f in files)
    return rows


def changed(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def owner_answer(call):
    """The owner's answer to `call()`, with every write rolled back (the world stays whole for the
    next request; files the view stores stay in the test's own folder)."""
    with transaction.atomic():
        response = call()
        transaction.set_rollback(True)
    return response


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        (reverse("account_login"), reverse("auth"), "/accounts/login/"))


# --- coverage ----------------------------------------------------------------------------------

def test_every_route_is_swept(client):
    """Fails for a route the sweep cannot fill in: add its kwarg to PAGE_IDS / PAGE_VALUES /
    API_IDS, or the route to PUBLIC_PAGES / UNDOCUMENTED_API with the reason."""
    problems = []
    for route, name, kwargs in page_routes():
        if not kwargs or name in PUBLIC_PAGES:
            continue
        if name is None:
            problems.append(f"page {route}: unnamed, cannot be reversed")
            continue
        problems += [f"page {route} ({name}): what does <{kwarg}> name?" for kwarg in kwargs
                     if not page_id_key(name, kwarg) and (name, kwarg) not in PAGE_VALUES]
    problems += [f"PUBLIC_PAGES names no route: {name}" for name in PUBLIC_PAGES
                 if name not in {n for _r, n, _k in page_routes()}]

    doc = openapi(client)
    documented = {path for path in doc["paths"]}
    for path, name in api_resolver_routes():
        if path not in documented and name not in UNDOCUMENTED_API:
            problems.append(f"api {path} ({name}) is not in the OpenAPI document")
    for operation in api_operations(doc):
        for param in operation["params"]:
            if param["in"] == "path" and param["name"] not in API_IDS:
                problems.append(f"api {operation['method']} {operation['path']}: what does {{{param['name']}}} name?")
        names = [p["name"] for p in operation["params"]] + list(operation["schema"].get("properties", {}))
        problems += [f"api {operation['id']}: what does the input {n!r} name?" for n in names
                     if (n.endswith("_id") or n == "target") and n not in API_IDS
                     and n not in API_EXAMPLES.get(operation["id"], {}) and n != "target_id"]
        if names_an_object(operation) and not operation["op"].get("security"):
            problems.append(f"api {operation['id']} names an object but needs no authentication")
    assert not problems, "\n".join(problems)


def test_the_sweep_reaches_every_kind_of_object(client, world):
    """The maps are used: each object of the world is named by at least one request."""
    named = set()
    for _name, url, _inputs in page_requests(world):
        named |= {key for key in world if key != "owner" and world[key] in url}
    for operation in swept_operations(client):
        for _method, url, kwargs in api_requests(operation, world):
            text = url + str(kwargs.get("data", "")) + kwargs.get("QUERY_STRING", "")
            named |= {key for key in world if key != "owner" and world[key] in text}
    assert named == set(world) - {"owner"}


# --- pages -------------------------------------------------------------------------------------

PAGE_BODY = {"title": "Swept", "name": "Swept", "text": "Swept", "action": "delete", "move": "x:up",
             "drive_url": DRIVE_URL, "duration": 3, "motion": "zoom_in", "kind": "mentor", "structure": "three_act"}
METHODS = ("get", "post")


def method_refused(response, owner, method, url, inputs) -> bool:
    """405 for the outsider and the owner alike: the route does not take this method at all."""
    return response.status_code == 405 and owner_answer(lambda: page_call(owner, method, url, inputs)).status_code == 405


def test_the_owner_reaches_every_page_the_sweep_tries(client, world):
    client.force_login(world["owner"])
    misses = []
    for name, url, inputs in page_requests(world):
        for method in METHODS:
            if owner_answer(lambda: page_call(client, method, url, inputs)).status_code == 404:  # noqa: B023
                misses.append(f"{method.upper()} {url} ({name})")
    assert not misses, "the owner gets 404, so the sweep proves nothing here:\n" + "\n".join(misses)


def test_an_outsider_gets_404_from_every_page_and_changes_nothing(client, world, intruder):
    owner = Client()
    owner.force_login(world["owner"])
    client.force_login(intruder)
    before = state()
    failures = []
    for name, url, inputs in page_requests(world):
        for method in METHODS:
            response = page_call(client, method, url, inputs)
            if response.status_code != 404 and not method_refused(response, owner, method, url, inputs):
                failures.append(f"{method.upper()} {url} ({name}): {response.status_code}")
            if diff := changed(before, after := state()):
                failures.append(f"{method.upper()} {url} ({name}) changed {diff}")
                before = after
    assert not failures, "\n".join(failures)


def test_anonymous_is_sent_to_log_in_from_every_page_and_changes_nothing(client, world):
    owner = Client()
    owner.force_login(world["owner"])
    before = state()
    failures = []
    for name, url, inputs in page_requests(world):
        for method in METHODS:
            response = page_call(client, method, url, inputs)
            if not (is_login_redirect(response) or response.status_code == 404
                    or method_refused(response, owner, method, url, inputs)):
                failures.append(f"{method.upper()} {url} ({name}): {response.status_code}")
            if diff := changed(before, after := state()):
                failures.append(f"{method.upper()} {url} ({name}) changed {diff}")
                before = after
    assert not failures, "\n".join(failures)


# --- API ---------------------------------------------------------------------------------------

def swept_operations(client) -> list[dict]:
    return [o for o in api_operations(openapi(client)) if names_an_object(o)]


def test_the_owner_reaches_every_api_operation_the_sweep_tries(client, world):
    headers = bearer(world["owner"])
    misses = []
    for operation in swept_operations(client):
        for method, url, kwargs in api_requests(operation, world):
            response = owner_answer(lambda: getattr(client, method)(url, **kwargs, **headers))  # noqa: B023
            if response.status_code == 404:
                misses.append(f"{method.upper()} {url} ({operation['id']}): {response.content[:200]!r}")
    assert not misses, "the owner gets 404, so the sweep proves nothing here:\n" + "\n".join(misses)


@pytest.mark.parametrize("by", ["token", "session"])
def test_an_outsider_gets_404_from_every_api_operation_and_changes_nothing(client, world, intruder, by):
    headers = bearer(intruder) if by == "token" else {}
    if by == "session":
        client.force_login(intruder)
    before = state()
    failures = []
    for operation in swept_operations(client):
        for method, url, kwargs in api_requests(operation, world):
            response = getattr(client, method)(url, **kwargs, **headers)
            if response.status_code != 404 or response.json() != {"success": False, "error": "NOT_FOUND",
                                                                    "message": "Not found."}:
                failures.append(f"{method.upper()} {url} ({operation['id']}): {response.status_code} "
                                f"{response.content[:200]!r}")
            if diff := changed(before, after := state()):
                failures.append(f"{method.upper()} {url} ({operation['id']}) changed {diff}")
                before = after
    assert not failures, "\n".join(failures)


def test_anonymous_gets_401_from_every_api_operation_and_changes_nothing(client, world):
    before = state()
    failures = []
    for operation in swept_operations(client):
        for method, url, kwargs in api_requests(operation, world):
            response = getattr(client, method)(url, **kwargs)
            if response.status_code != 401 or response.json().get("error") != "UNAUTHENTICATED":
                failures.append(f"{method.upper()} {url} ({operation['id']}): {response.status_code}")
            if diff := changed(before, after := state()):
                failures.append(f"{method.upper()} {url} ({operation['id']}) changed {diff}")
                before = after
    assert not failures, "\n".join(failures)


def test_a_token_for_nobody_gets_401(client, world):
    """A made-up token is nobody: the same as anonymous, never someone's objects."""
    operation = next(o for o in swept_operations(client) if o["method"] == "get")
    method, url, kwargs = api_requests(operation, world)[0]
    response = getattr(client, method)(url, **kwargs, HTTP_AUTHORIZATION=f"Bearer {uuid.uuid4().hex}")
    assert response.status_code == 401
