"""A project's scenes in /api/v1/: list, add, read, change (and what they link to), delete.
Links go only to the scene's own project: another project's id is a 422, never a link."""

from datetime import datetime
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from modo.envelope import ERRORS, DeletedEnvelope, invalid, ok
from modo.inputs import Input

from ... import selectors, services
from ...models import Project, Scene
from ...schemas import Required, Text, sent

router = Router()


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


class SceneIn(Input):
    title: Required(160)
    mood: Text(120) = ""
    description: Text() = ""
    script: Text() = ""
    beat: UUID | None = Field(None, description="A beat of this project")
    location: UUID | None = Field(None, description="A location of this project")
    characters: list[UUID] = Field([], description="Characters of this project in the scene")


class ScenePatch(Input):
    """`beat`/`location`: null unlinks; `characters` replaces the list."""

    title: Required(160) = None  # absent: unchanged; never null
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
            raise invalid(name, _("This is not %(thing)s of this project.") % {"thing": label})
        else:
            links[name] = obj
    if fields.get("characters") is not None:
        wanted = set(fields["characters"])
        found = list(project.characters.filter(public_id__in=wanted))
        if len(found) != len(wanted):
            raise invalid("characters", _("Every character must belong to this project."))
        links["characters"] = found
    return links


@router.get("/projects/{project_id}/scenes", response={200: SceneListEnvelope, **ERRORS}, tags=["scenes"],
            summary="A project's scenes, in order",
            operation_id="studio_api_scene_list")
def scene_list(request, project_id: UUID):
    project = selectors.project_get(user=request.auth, public_id=project_id)
    return ok([scene_out(s, project) for s in selectors.scenes_of(project)])


@router.post("/projects/{project_id}/scenes", response={201: SceneEnvelope, **ERRORS}, tags=["scenes"],
             summary="Add a scene",
             operation_id="studio_api_scene_create")
def scene_create(request, project_id: UUID, payload: SceneIn):
    project = selectors.project_get(user=request.auth, public_id=project_id)
    fields = payload.model_dump()
    links = _scene_links(project, fields)
    text = {k: v for k, v in fields.items() if k not in ("beat", "location", "characters")}
    scene = services.scene_create(project=project, **text, **{k: v or None for k, v in links.items()})
    return Status(201, ok(scene_out(scene, project)))


@router.get("/scenes/{scene_id}", response={200: SceneEnvelope, **ERRORS}, tags=["scenes"], summary="A scene",
            operation_id="studio_api_scene_detail")
def scene_detail(request, scene_id: UUID):
    scene = selectors.scene_get(user=request.auth, public_id=scene_id)
    return ok(scene_out(scene, scene.project))


@router.patch("/scenes/{scene_id}", response={200: SceneEnvelope, **ERRORS}, tags=["scenes"],
              summary="Change a scene and what it links to",
              operation_id="studio_api_scene_update")
def scene_update(request, scene_id: UUID, payload: ScenePatch):
    scene = selectors.scene_get(user=request.auth, public_id=scene_id)
    fields = sent(payload)
    links = _scene_links(scene.project, fields)
    text = {k: v for k, v in fields.items() if k not in ("beat", "location", "characters")}
    services.scene_update(scene=scene, **text, **links)
    return ok(scene_out(scene, scene.project))


@router.delete("/scenes/{scene_id}", response={200: DeletedEnvelope, **ERRORS}, tags=["scenes"],
               summary="Delete a scene",
               operation_id="studio_api_scene_delete")
def scene_delete(request, scene_id: UUID):
    scene = selectors.scene_get(user=request.auth, public_id=scene_id)
    services.object_delete(obj=scene)
    return ok({"deleted": True})
