"""A project's moodboards in /api/v1/: list, add, read, change, delete (with their images).
Scenes, locations and characters are linked by id, each through an ownership-checked selector;
drawing a moodboard's image is studio/generate/api.py."""

from datetime import datetime
from uuid import UUID

from ninja import Router, Schema, Status

from modo.envelope import ERRORS, DeletedEnvelope, ok
from modo.inputs import Input

from ... import moodboards, selectors
from ...schemas import Required, Text, sent

router = Router()


class MoodboardOut(Schema):
    id: UUID
    project: UUID
    title: str
    scene: UUID | None
    location: UUID | None
    characters: list[UUID]
    pose: str
    action: str
    notes: str
    created_at: datetime
    updated_at: datetime


class MoodboardEnvelope(Schema):
    success: bool = True
    data: MoodboardOut


class MoodboardListEnvelope(Schema):
    success: bool = True
    data: list[MoodboardOut]


class MoodboardIn(Input):
    title: Required(120)
    scene: UUID | None = None
    location: UUID | None = None
    characters: list[UUID] = []
    pose: Text(200) = ""
    action: Text(300) = ""
    notes: Text() = ""


class MoodboardPatch(Input):
    title: Required(120) = None  # absent: unchanged; never null
    scene: UUID | None = None
    location: UUID | None = None
    characters: list[UUID] | None = None
    pose: Text(200) | None = None
    action: Text(300) | None = None
    notes: Text() | None = None


def moodboard_out(board) -> dict:
    return {"id": board.public_id, "project": board.project.public_id, "title": board.title,
            "scene": board.scene.public_id if board.scene else None,
            "location": board.location.public_id if board.location else None,
            "characters": [c.public_id for c in board.characters.all()], "pose": board.pose, "action": board.action,
            "notes": board.notes, "created_at": board.created_at, "updated_at": board.updated_at}


def _links(user, fields: dict) -> dict:
    """UUIDs in the payload → the creator's objects (anyone else's: 404)."""
    if fields.get("scene"):
        fields["scene"] = selectors.scene_get(user=user, public_id=fields["scene"])
    if fields.get("location"):
        fields["location"] = selectors.location_get(user=user, public_id=fields["location"])
    if fields.get("characters"):
        fields["characters"] = [selectors.character_get(user=user, public_id=c) for c in fields["characters"]]
    return fields


@router.get("/projects/{project_id}/moodboards", response={200: MoodboardListEnvelope, **ERRORS}, tags=["moodboards"],
            summary="A project's moodboards",
            operation_id="studio_visual_api_moodboard_list")
def moodboard_list(request, project_id: UUID):
    project = selectors.project_get(user=request.auth, public_id=project_id)
    return ok([moodboard_out(b) for b in selectors.moodboards_of(project)])


@router.post("/projects/{project_id}/moodboards", response={201: MoodboardEnvelope, **ERRORS}, tags=["moodboards"],
             summary="Add a moodboard",
             operation_id="studio_visual_api_moodboard_create")
def moodboard_create(request, project_id: UUID, payload: MoodboardIn):
    project = selectors.project_get(user=request.auth, public_id=project_id)
    board = moodboards.moodboard_create(project=project, **_links(request.auth, payload.model_dump()))
    return Status(201, ok(moodboard_out(board)))


@router.get("/moodboards/{moodboard_id}", response={200: MoodboardEnvelope, **ERRORS}, tags=["moodboards"],
            summary="A moodboard",
            operation_id="studio_visual_api_moodboard_detail")
def moodboard_detail(request, moodboard_id: UUID):
    return ok(moodboard_out(selectors.moodboard_get(user=request.auth, public_id=moodboard_id)))


@router.patch("/moodboards/{moodboard_id}", response={200: MoodboardEnvelope, **ERRORS}, tags=["moodboards"],
              summary="Change a moodboard (null scene/location clears it)",
              operation_id="studio_visual_api_moodboard_update")
def moodboard_update(request, moodboard_id: UUID, payload: MoodboardPatch):
    board = selectors.moodboard_get(user=request.auth, public_id=moodboard_id)
    board = moodboards.moodboard_update(moodboard=board, **_links(request.auth, sent(payload)))
    return ok(moodboard_out(selectors.moodboard_get(user=request.auth, public_id=moodboard_id)))


@router.delete("/moodboards/{moodboard_id}", response={200: DeletedEnvelope, **ERRORS}, tags=["moodboards"],
               summary="Delete a moodboard and its images",
               operation_id="studio_visual_api_moodboard_delete")
def moodboard_delete(request, moodboard_id: UUID):
    moodboards.moodboard_delete(moodboard=selectors.moodboard_get(user=request.auth, public_id=moodboard_id))
    return ok({"deleted": True})
