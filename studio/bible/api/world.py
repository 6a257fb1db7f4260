"""A project's locations (its world's places) in /api/v1/: list, add, read, change, delete. The
world's own text is changed with its project (PATCH /projects/{id}, `world`)."""

from datetime import datetime
from uuid import UUID

from ninja import Router, Schema, Status

from modo.envelope import ERRORS, DeletedEnvelope, ok
from modo.inputs import Input

from ... import selectors, services
from ...models import Project
from ...schemas import Required, Text, sent

router = Router()


class LocationOut(Schema):
    id: UUID
    project: UUID
    order: int
    name: str
    description: str
    visual_notes: str
    created_at: datetime
    updated_at: datetime


class LocationIn(Input):
    name: Required(120)
    description: Text() = ""
    visual_notes: Text() = ""


class LocationPatch(Input):
    name: Required(120) = None  # absent: unchanged; never null
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
            tags=["locations"], summary="A project's locations",
            operation_id="studio_api_location_list")
def location_list(request, project_id: UUID):
    project = selectors.project_get(user=request.auth, public_id=project_id)
    return ok([location_out(loc, project) for loc in project.locations.all()])


@router.post("/projects/{project_id}/locations", response={201: LocationEnvelope, **ERRORS},
             tags=["locations"], summary="Add a location",
             operation_id="studio_api_location_create")
def location_create(request, project_id: UUID, payload: LocationIn):
    project = selectors.project_get(user=request.auth, public_id=project_id)
    location = services.location_create(project=project, **payload.model_dump())
    return Status(201, ok(location_out(location, project)))


@router.get("/locations/{location_id}", response={200: LocationEnvelope, **ERRORS}, tags=["locations"],
            summary="A location",
            operation_id="studio_api_location_detail")
def location_detail(request, location_id: UUID):
    location = selectors.location_get(user=request.auth, public_id=location_id)
    return ok(location_out(location, location.project))


@router.patch("/locations/{location_id}", response={200: LocationEnvelope, **ERRORS}, tags=["locations"],
              summary="Change a location",
              operation_id="studio_api_location_update")
def location_update(request, location_id: UUID, payload: LocationPatch):
    location = selectors.location_get(user=request.auth, public_id=location_id)
    services.location_update(location=location, **sent(payload))
    return ok(location_out(location, location.project))


@router.delete("/locations/{location_id}", response={200: DeletedEnvelope, **ERRORS}, tags=["locations"],
               summary="Delete a location",
               operation_id="studio_api_location_delete")
def location_delete(request, location_id: UUID):
    location = selectors.location_get(user=request.auth, public_id=location_id)
    services.object_delete(obj=location)
    return ok({"deleted": True})
