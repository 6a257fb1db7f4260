"""Studio endpoints of /api/v1/: projects and their characters, locations and scenes, and AI text.

Thin, like the pages: every object comes through an ownership-checked selector (anyone else's
is a 404), every write through a service. Errors are raised, and modo/api.py's handlers turn
them into the envelope."""

import math
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError
from pydantic import AfterValidator, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from aiproviders.adapters import ProviderError
from aiproviders.models import AIModel

from . import selectors, services
from .generate import drafts
from .models import Character, Project, Scene, Story

router = Router()

PROJECTS_PER_PAGE = 20


# --- shared pieces -------------------------------------------------------------------------------

def _not_blank(value: str) -> str:
    if not value:
        raise PydanticCustomError("blank", _("This field may not be blank."))
    return value


def Text(max_length: int | None = None):  # noqa: N802 — reads as a type in the schemas below
    """A string, trimmed, at most `max_length` characters (the column's size)."""
    return Annotated[str, StringConstraints(strip_whitespace=True, max_length=max_length)]


def Required(max_length: int):  # noqa: N802
    """A string that must not be blank once trimmed."""
    return Annotated[str, StringConstraints(strip_whitespace=True, max_length=max_length), AfterValidator(_not_blank)]


def choices(values) -> type:
    return Literal[tuple(values)]


Genre = choices(["", *Project.Genre.values])  # blank: not chosen yet
GenreFilter = choices(Project.Genre.values)
Format = choices(Project.Format.values)
ProjectStatus = choices(Project.Status.values)
Role = choices(Character.Role.values)


class ErrorEnvelope(Schema):
    """Every refusal: `{"success": false, "error": CODE, "message": ...}`, plus the code's extra
    fields (`fields` for INVALID_INPUT, `required`/`available` for INSUFFICIENT_CREDITS, ...)."""

    model_config = {"extra": "allow"}

    success: bool = False
    error: str
    message: str


class Deleted(Schema):
    deleted: bool


class DeletedEnvelope(Schema):
    success: bool = True
    data: Deleted


# Responses every endpoint documents; the handlers in modo/api.py produce them.
ERRORS = {401: ErrorEnvelope, 404: ErrorEnvelope, 422: ErrorEnvelope}


def _invalid(field: str, message: str):
    """The same 422 INVALID_INPUT envelope as a schema error, for checks that need the database."""
    return ValidationError([{"loc": ("body", "payload", field), "msg": message}])


def _set(payload: Schema) -> dict:
    """The fields the client sent (PATCH: what is absent stays as it is)."""
    return payload.model_dump(exclude_unset=True)


# --- projects ------------------------------------------------------------------------------------

class ProjectFilters(Schema):
    q: str = Field("", max_length=200, description="Words in the title or logline")
    status: ProjectStatus | None = None
    genre: GenreFilter | None = None
    sort: Literal["updated", "created", "title"] = "updated"
    page: int = Field(1, ge=1)

    @field_validator("status", "genre", mode="before")
    @classmethod
    def _empty_is_all(cls, value):
        # `?status=` is how a form says "any status".
        return value or None


class ProjectSummary(Schema):
    id: UUID
    title: str
    slug: str
    logline: str
    genre: str
    tone: str
    format: str
    target_audience: str
    status: str
    visibility: str
    character_count: int
    scene_count: int
    created_at: datetime
    updated_at: datetime


class BeatOut(Schema):
    id: UUID
    order: int
    title: str
    description: str


class StoryOut(Schema):
    synopsis: str
    themes: str
    structure: str
    beats: list[BeatOut]


class WorldOut(Schema):
    setting: str
    history: str
    culture: str
    rules: str


class ProjectCounts(Schema):
    characters: int
    locations: int
    scenes: int
    beats: int


class ProjectOut(Schema):
    id: UUID
    title: str
    slug: str
    logline: str
    premise: str
    genre: str
    tone: str
    format: str
    target_audience: str
    status: str
    visibility: str
    published_sections: list[str]
    story: StoryOut
    world: WorldOut
    counts: ProjectCounts
    created_at: datetime
    updated_at: datetime


class PageMeta(Schema):
    page: int
    pages: int
    total: int


class ProjectListEnvelope(Schema):
    success: bool = True
    data: list[ProjectSummary]
    meta: PageMeta


class ProjectEnvelope(Schema):
    success: bool = True
    data: ProjectOut


class ProjectIn(Schema):
    title: Required(120)
    logline: Text(300) = ""
    premise: Text() = ""
    genre: Genre = ""
    tone: Text(120) = ""
    format: Format = Project.Format.SERIES.value
    target_audience: Text(120) = ""
    status: ProjectStatus = Project.Status.DRAFT.value


class StoryPatch(Schema):
    synopsis: Text() | None = None
    themes: Text() | None = None


class WorldPatch(Schema):
    setting: Text() | None = None
    history: Text() | None = None
    culture: Text() | None = None
    rules: Text() | None = None


class ProjectPatch(Schema):
    """Only the fields sent change; `story` and `world` take their own fields."""

    title: Required(120) | None = None
    logline: Text(300) | None = None
    premise: Text() | None = None
    genre: Genre | None = None
    tone: Text(120) | None = None
    format: Format | None = None
    target_audience: Text(120) | None = None
    status: ProjectStatus | None = None
    story: StoryPatch | None = None
    world: WorldPatch | None = None


def project_summary(project: Project) -> dict:
    return {
        "id": project.public_id, "title": project.title, "slug": project.slug, "logline": project.logline,
        "genre": project.genre, "tone": project.tone, "format": project.format,
        "target_audience": project.target_audience, "status": project.status, "visibility": project.visibility,
        "character_count": project.character_count, "scene_count": project.scene_count,
        "created_at": project.created_at, "updated_at": project.updated_at,
    }


def project_out(project: Project) -> dict:
    project.refresh_from_db()  # services update some fields with queryset updates (updated_at)
    story = getattr(project, "story", None)
    world = getattr(project, "world", None)
    counts = Project.objects.filter(pk=project.pk).aggregate(
        **{name: Count(name, distinct=True) for name in ("characters", "locations", "scenes", "beats")})
    return {
        "id": project.public_id, "title": project.title, "slug": project.slug, "logline": project.logline,
        "premise": project.premise, "genre": project.genre, "tone": project.tone, "format": project.format,
        "target_audience": project.target_audience, "status": project.status, "visibility": project.visibility,
        "published_sections": project.published_sections,
        "story": {
            "synopsis": story.synopsis if story else "", "themes": story.themes if story else "",
            "structure": story.structure if story else Story.Structure.THREE_ACT,
            "beats": [{"id": b.public_id, "order": b.order, "title": b.title, "description": b.description}
                      for b in project.beats.all()],
        },
        "world": {name: getattr(world, name) if world else "" for name in ("setting", "history", "culture", "rules")},
        "counts": counts,
        "created_at": project.created_at, "updated_at": project.updated_at,
    }


@router.get("/projects", response={200: ProjectListEnvelope, **ERRORS}, tags=["projects"],
            summary="Your projects, filtered and paginated")
def project_list(request, filters: Query[ProjectFilters]):
    projects = selectors.projects_for(user=request.auth, q=filters.q.strip(), status=filters.status or "",
                                      genre=filters.genre or "", sort=filters.sort)
    total = projects.count()
    start = (filters.page - 1) * PROJECTS_PER_PAGE
    return {
        "success": True,
        "data": [project_summary(p) for p in projects[start:start + PROJECTS_PER_PAGE]],
        "meta": {"page": filters.page, "pages": max(1, math.ceil(total / PROJECTS_PER_PAGE)), "total": total},
    }


@router.post("/projects", response={201: ProjectEnvelope, 403: ErrorEnvelope, **ERRORS}, tags=["projects"],
             summary="Start a project (403 PLAN_REQUIRED past the plan's project limit)")
def project_create(request, payload: ProjectIn):
    project = services.project_create(owner=request.auth, **payload.model_dump())
    return Status(201, {"success": True, "data": project_out(project)})


@router.get("/projects/{project_id}", response={200: ProjectEnvelope, **ERRORS}, tags=["projects"],
            summary="A project with its story, world and counts")
def project_detail(request, project_id: UUID):
    project = selectors.project_get(user=request.auth, public_id=project_id)
    return {"success": True, "data": project_out(project)}


@router.patch("/projects/{project_id}", response={200: ProjectEnvelope, **ERRORS}, tags=["projects"],
              summary="Change a project, its story or its world")
def project_update(request, project_id: UUID, payload: ProjectPatch):
    project = selectors.project_get(user=request.auth, public_id=project_id)
    fields = _set(payload)
    story, world = fields.pop("story", None), fields.pop("world", None)
    with transaction.atomic():
        services.project_update(project=project, **fields)
        if story:
            services.story_update(project=project, **story)
        if world:
            services.world_update(project=project, **world)
    return {"success": True, "data": project_out(project)}


@router.delete("/projects/{project_id}", response={200: DeletedEnvelope, **ERRORS}, tags=["projects"],
               summary="Move a project to the trash (restorable for 30 days)")
def project_delete(request, project_id: UUID):
    project = selectors.project_get(user=request.auth, public_id=project_id)
    services.project_delete(project=project)
    return {"success": True, "data": {"deleted": True}}


# --- characters ----------------------------------------------------------------------------------

class CharacterOut(Schema):
    id: UUID
    project: UUID
    order: int
    name: str
    role: str
    age: str
    appearance: str
    clothing: str
    accessories: str
    personality: str
    backstory: str
    motivation: str
    visual_style: str
    created_at: datetime
    updated_at: datetime


class CharacterIn(Schema):
    name: Required(120)
    role: Role = Character.Role.SUPPORTING.value
    age: Text(40) = ""
    appearance: Text() = ""
    clothing: Text() = ""
    accessories: Text() = ""
    personality: Text() = ""
    backstory: Text() = ""
    motivation: Text() = ""
    visual_style: Text() = ""


class CharacterPatch(Schema):
    name: Required(120) | None = None
    role: Role | None = None
    age: Text(40) | None = None
    appearance: Text() | None = None
    clothing: Text() | None = None
    accessories: Text() | None = None
    personality: Text() | None = None
    backstory: Text() | None = None
    motivation: Text() | None = None
    visual_style: Text() | None = None


class CharacterEnvelope(Schema):
    success: bool = True
    data: CharacterOut


class CharacterListEnvelope(Schema):
    success: bool = True
    data: list[CharacterOut]


def character_out(character: Character, project: Project) -> dict:
    return {
        "id": character.public_id, "project": project.public_id, "order": character.order,
        "name": character.name, "role": character.role, "age": character.age,
        **{name: getattr(character, name) for name in Character.TEXT_FIELDS},
        "created_at": character.created_at, "updated_at": character.updated_at,
    }


@router.get("/projects/{project_id}/characters", response={200: CharacterListEnvelope, **ERRORS},
            tags=["characters"], summary="A project's characters")
def character_list(request, project_id: UUID):
    project = selectors.project_get(user=request.auth, public_id=project_id)
    return {"success": True, "data": [character_out(c, project) for c in selectors.characters_of(project)]}


@router.post("/projects/{project_id}/characters", response={201: CharacterEnvelope, **ERRORS},
             tags=["characters"], summary="Add a character")
def character_create(request, project_id: UUID, payload: CharacterIn):
    project = selectors.project_get(user=request.auth, public_id=project_id)
    character = services.character_create(project=project, **payload.model_dump())
    return Status(201, {"success": True, "data": character_out(character, project)})


@router.get("/characters/{character_id}", response={200: CharacterEnvelope, **ERRORS}, tags=["characters"],
            summary="A character")
def character_detail(request, character_id: UUID):
    character = selectors.character_get(user=request.auth, public_id=character_id)
    return {"success": True, "data": character_out(character, character.project)}


@router.patch("/characters/{character_id}", response={200: CharacterEnvelope, **ERRORS}, tags=["characters"],
              summary="Change a character")
def character_update(request, character_id: UUID, payload: CharacterPatch):
    character = selectors.character_get(user=request.auth, public_id=character_id)
    services.character_update(character=character, **_set(payload))
    return {"success": True, "data": character_out(character, character.project)}


@router.delete("/characters/{character_id}", response={200: DeletedEnvelope, **ERRORS}, tags=["characters"],
               summary="Delete a character")
def character_delete(request, character_id: UUID):
    character = selectors.character_get(user=request.auth, public_id=character_id)
    services.object_delete(obj=character)
    return {"success": True, "data": {"deleted": True}}


# --- locations -----------------------------------------------------------------------------------

class LocationOut(Schema):
    id: UUID
    project: UUID
    order: int
    name: str
    description: str
    visual_notes: str
    created_at: datetime
    updated_at: datetime


class LocationIn(Schema):
    name: Required(120)
    description: Text() = ""
    visual_notes: Text() = ""


class LocationPatch(Schema):
    name: Required(120) | None = None
    description: Text() | None = None
    visual_notes: Text() | None = None


class LocationEnvelope(Schema):
    success: bool = True
    data: LocationOut


class LocationListEnvelope(Schema):
    success: bool = True
    data: list[LocationOut]


def location_out(location, project: Project) -> dict:
    return {
        "id": location.public_id, "project": project.public_id, "order": location.order, "name": location.name,
        "description": location.description, "visual_notes": location.visual_notes,
        "created_at": location.created_at, "updated_at": location.updated_at,
    }


@router.get("/projects/{project_id}/locations", response={200: LocationListEnvelope, **ERRORS},
            tags=["locations"], summary="A project's locations")
def location_list(request, project_id: UUID):
    project = selectors.project_get(user=request.auth, public_id=project_id)
    return {"success": True, "data": [location_out(loc, project) for loc in project.locations.all()]}


@router.post("/projects/{project_id}/locations", response={201: LocationEnvelope, **ERRORS},
             tags=["locations"], summary="Add a location")
def location_create(request, project_id: UUID, payload: LocationIn):
    project = selectors.project_get(user=request.auth, public_id=project_id)
    location = services.location_create(project=project, **payload.model_dump())
    return Status(201, {"success": True, "data": location_out(location, project)})


@router.get("/locations/{location_id}", response={200: LocationEnvelope, **ERRORS}, tags=["locations"],
            summary="A location")
def location_detail(request, location_id: UUID):
    location = selectors.location_get(user=request.auth, public_id=location_id)
    return {"success": True, "data": location_out(location, location.project)}


@router.patch("/locations/{location_id}", response={200: LocationEnvelope, **ERRORS}, tags=["locations"],
              summary="Change a location")
def location_update(request, location_id: UUID, payload: LocationPatch):
    location = selectors.location_get(user=request.auth, public_id=location_id)
    services.location_update(location=location, **_set(payload))
    return {"success": True, "data": location_out(location, location.project)}


@router.delete("/locations/{location_id}", response={200: DeletedEnvelope, **ERRORS}, tags=["locations"],
               summary="Delete a location")
def location_delete(request, location_id: UUID):
    location = selectors.location_get(user=request.auth, public_id=location_id)
    services.object_delete(obj=location)
    return {"success": True, "data": {"deleted": True}}


# --- scenes --------------------------------------------------------------------------------------

class SceneOut(Schema):
    id: UUID
    project: UUID
    order: int
    title: str
    mood: str
    description: str
    script: str
    beat: UUID | None
    location: UUID | None
    characters: list[UUID]
    created_at: datetime
    updated_at: datetime


class SceneIn(Schema):
    title: Required(160)
    mood: Text(120) = ""
    description: Text() = ""
    script: Text() = ""
    beat: UUID | None = Field(None, description="A beat of this project")
    location: UUID | None = Field(None, description="A location of this project")
    characters: list[UUID] = Field([], description="Characters of this project in the scene")


class ScenePatch(Schema):
    """`beat`/`location`: null unlinks; `characters` replaces the list."""

    title: Required(160) | None = None
    mood: Text(120) | None = None
    description: Text() | None = None
    script: Text() | None = None
    beat: UUID | None = None
    location: UUID | None = None
    characters: list[UUID] | None = None


class SceneEnvelope(Schema):
    success: bool = True
    data: SceneOut


class SceneListEnvelope(Schema):
    success: bool = True
    data: list[SceneOut]


def scene_out(scene: Scene, project: Project) -> dict:
    return {
        "id": scene.public_id, "project": project.public_id, "order": scene.order, "title": scene.title,
        "mood": scene.mood, "description": scene.description, "script": scene.script,
        "beat": scene.beat.public_id if scene.beat else None,
        "location": scene.location.public_id if scene.location else None,
        "characters": [c.public_id for c in scene.characters.all()],
        "created_at": scene.created_at, "updated_at": scene.updated_at,
    }


def _scene_links(project: Project, fields: dict) -> dict:
    """Turns the ids sent into this project's objects, as the services expect them (False
    unlinks, None leaves as is). Another project's id is a 422, never a link."""
    links = {}
    for name, queryset, label in (("beat", project.beats, _("a beat")), ("location", project.locations, _("a location"))):
        if name not in fields:
            continue
        if fields[name] is None:
            links[name] = False
        elif (obj := queryset.filter(public_id=fields[name]).first()) is None:
            raise _invalid(name, _("This is not %(thing)s of this project.") % {"thing": label})
        else:
            links[name] = obj
    if fields.get("characters") is not None:
        wanted = set(fields["characters"])
        found = list(project.characters.filter(public_id__in=wanted))
        if len(found) != len(wanted):
            raise _invalid("characters", _("Every character must belong to this project."))
        links["characters"] = found
    return links


@router.get("/projects/{project_id}/scenes", response={200: SceneListEnvelope, **ERRORS}, tags=["scenes"],
            summary="A project's scenes, in order")
def scene_list(request, project_id: UUID):
    project = selectors.project_get(user=request.auth, public_id=project_id)
    return {"success": True, "data": [scene_out(s, project) for s in selectors.scenes_of(project)]}


@router.post("/projects/{project_id}/scenes", response={201: SceneEnvelope, **ERRORS}, tags=["scenes"],
             summary="Add a scene")
def scene_create(request, project_id: UUID, payload: SceneIn):
    project = selectors.project_get(user=request.auth, public_id=project_id)
    fields = payload.model_dump()
    links = _scene_links(project, fields)
    text = {k: v for k, v in fields.items() if k not in ("beat", "location", "characters")}
    scene = services.scene_create(project=project, **text, **{k: v or None for k, v in links.items()})
    return Status(201, {"success": True, "data": scene_out(scene, project)})


@router.get("/scenes/{scene_id}", response={200: SceneEnvelope, **ERRORS}, tags=["scenes"], summary="A scene")
def scene_detail(request, scene_id: UUID):
    scene = selectors.scene_get(user=request.auth, public_id=scene_id)
    return {"success": True, "data": scene_out(scene, scene.project)}


@router.patch("/scenes/{scene_id}", response={200: SceneEnvelope, **ERRORS}, tags=["scenes"],
              summary="Change a scene and what it links to")
def scene_update(request, scene_id: UUID, payload: ScenePatch):
    scene = selectors.scene_get(user=request.auth, public_id=scene_id)
    fields = _set(payload)
    links = _scene_links(scene.project, fields)
    text = {k: v for k, v in fields.items() if k not in ("beat", "location", "characters")}
    services.scene_update(scene=scene, **text, **links)
    return {"success": True, "data": scene_out(scene, scene.project)}


@router.delete("/scenes/{scene_id}", response={200: DeletedEnvelope, **ERRORS}, tags=["scenes"],
               summary="Delete a scene")
def scene_delete(request, scene_id: UUID):
    scene = selectors.scene_get(user=request.auth, public_id=scene_id)
    services.object_delete(obj=scene)
    return {"success": True, "data": {"deleted": True}}


# --- AI text -------------------------------------------------------------------------------------

TargetKind = choices(drafts.FIELDS)
NEEDS_TARGET_ID = tuple(drafts.TARGET_MODELS)


class GenerateIn(Schema):
    project: UUID
    target_kind: TargetKind
    target_id: UUID | None = Field(None, description="Required for " + ", ".join(NEEDS_TARGET_ID))
    field: str = Field(max_length=40, description="e.g. synopsis, backstory, script; see the target kind")
    prompt: str = Field("", max_length=2000, description="What you want, in your words (optional)")
    model: int | None = Field(None, description="An enabled text model (default: the default text model)")


class GenerateOut(Schema):
    draft: UUID
    text: str
    cost: int
    canon: list[str] = Field(description="The bible facts the prompt included")
    model: str


class GenerateEnvelope(Schema):
    success: bool = True
    data: GenerateOut


class ProviderErrorEnvelope(Schema):
    success: bool = False
    error: Literal["PROVIDER_ERROR"] = "PROVIDER_ERROR"
    message: str
    draft: UUID | None = Field(None, description="The draft keeping any partial text")
    partial: bool = False


SSE_DESCRIPTION = (
    "With `Accept: text/event-stream` the answer is a stream of server-sent events: `start` "
    "(draft, cost, model, canon, omitted), `chunk` (text) …, then `done` (draft, cost) or `error` "
    "(draft, message, partial; the credits are released). Otherwise the answer is JSON once the text is complete."
)


def _text_model(model_id: int | None) -> AIModel | None:
    model = drafts.text_model(model_id)
    if model_id is not None and model is None:
        raise _invalid("model", _("This text model is not available."))
    return model


@router.post(
    "/generate/text",
    response={200: GenerateEnvelope, 402: ErrorEnvelope, 403: ErrorEnvelope, 429: ErrorEnvelope,
              502: ProviderErrorEnvelope, **ERRORS},
    tags=["generate"],
    summary="Write a field of the bible with AI (JSON, or SSE with Accept: text/event-stream)",
    description=SSE_DESCRIPTION,
    openapi_extra={"responses": {200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}}},
)
def generate_text(request, payload: GenerateIn):
    project = selectors.project_get(user=request.auth, public_id=payload.project)
    allowed = drafts.FIELDS[payload.target_kind]
    if payload.field not in allowed:
        raise _invalid("field", _("Choose one of: %(fields)s.") % {"fields": ", ".join(allowed)})
    if payload.target_kind in NEEDS_TARGET_ID and payload.target_id is None:
        raise _invalid("target_id", _("This field is required."))
    model = _text_model(payload.model)
    # Credits' refusals (402 INSUFFICIENT_CREDITS/TRIAL_LIMIT, 403 PLAN_REQUIRED, 429 RATE_LIMITED)
    # are raised here, before anything is held, and go on to modo/api.py's CreditsError handler.
    try:
        events = drafts.text_stream(
            user=request.auth, project=project, target_kind=payload.target_kind, target_id=payload.target_id,
            field=payload.field, prompt=payload.prompt, model=model, language=translation.get_language() or "en",
        )
    except drafts.TargetNotFound:
        raise Http404 from None
    except ProviderError as exc:
        return Status(502, {"success": False, "error": "PROVIDER_ERROR", "message": exc.user_message})

    if "text/event-stream" in request.headers.get("Accept", ""):
        return drafts.sse_response(events)

    # Read the stream to its end, so the generator settles the hold and closes normally.
    start, parts, end = {}, [], None
    for event in events:
        if event["event"] == "start":
            start = event
        elif event["event"] == "chunk":
            parts.append(event["text"])
        else:
            end = event
    if end is None or end["event"] != "done":
        message = end["message"] if end else _("The generation was interrupted.")
        return Status(502, {"success": False, "error": "PROVIDER_ERROR", "message": message,
                            "draft": start.get("draft"), "partial": bool(parts)})
    return {"success": True, "data": {"draft": end["draft"], "text": "".join(parts), "cost": end["cost"],
                                      "canon": start["canon"], "model": start["model"]}}
