"""A project's characters in /api/v1/: list, add, read, change, delete. Every character comes
through an ownership-checked selector (anyone else's is a 404), every write through a service."""

from datetime import datetime
from uuid import UUID

from ninja import Router, Schema, Status

from modo.envelope import ERRORS, DeletedEnvelope, ok
from modo.inputs import Input

from ... import selectors, services
from ...models import Character, Project
from ...schemas import Required, Text, choices, sent

router = Router()

Role = choices(Character.Role.values)


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


class CharacterIn(Input):
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


class CharacterPatch(Input):
    name: Required(120) = None  # absent: unchanged; never null
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
            tags=["characters"], summary="A project's characters",
            operation_id="studio_api_character_list")
def character_list(request, project_id: UUID):
    project = selectors.project_get(user=request.auth, public_id=project_id)
    return ok([character_out(c, project) for c in selectors.characters_of(project)])


@router.post("/projects/{project_id}/characters", response={201: CharacterEnvelope, **ERRORS},
             tags=["characters"], summary="Add a character",
             operation_id="studio_api_character_create")
def character_create(request, project_id: UUID, payload: CharacterIn):
    project = selectors.project_get(user=request.auth, public_id=project_id)
    character = services.character_create(project=project, **payload.model_dump())
    return Status(201, ok(character_out(character, project)))


@router.get("/characters/{character_id}", response={200: CharacterEnvelope, **ERRORS}, tags=["characters"],
            summary="A character",
            operation_id="studio_api_character_detail")
def character_detail(request, character_id: UUID):
    character = selectors.character_get(user=request.auth, public_id=character_id)
    return ok(character_out(character, character.project))


@router.patch("/characters/{character_id}", response={200: CharacterEnvelope, **ERRORS}, tags=["characters"],
              summary="Change a character",
              operation_id="studio_api_character_update")
def character_update(request, character_id: UUID, payload: CharacterPatch):
    character = selectors.character_get(user=request.auth, public_id=character_id)
    services.character_update(character=character, **sent(payload))
    return ok(character_out(character, character.project))


@router.delete("/characters/{character_id}", response={200: DeletedEnvelope, **ERRORS}, tags=["characters"],
               summary="Delete a character",
               operation_id="studio_api_character_delete")
def character_delete(request, character_id: UUID):
    character = selectors.character_get(user=request.auth, public_id=character_id)
    services.object_delete(obj=character)
    return ok({"deleted": True})
