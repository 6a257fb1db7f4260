"""Projects in /api/v1/: list, create, read, change (with their story and world), trash.

Thin, like the pages: every project comes through an ownership-checked selector (anyone else's is
a 404), every write through a service. Errors are raised, and modo/api.py's handlers turn them
into the envelope. The operationIds are the ones clients already generated code from."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.db import transaction
from django.db.models import Count
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from accounts import roles
from accounts.selectors import team_get, workspace_for
from modo.envelope import ERRORS, DeletedEnvelope, ErrorEnvelope, ok
from modo.inputs import Input, PageNumber

from ... import selectors, services
from ...models import Project, Story
from ...schemas import PageMeta, Required, Text, choices, page_of, sent

router = Router()

PROJECTS_PER_PAGE = 20

Genre = choices(["", *Project.Genre.values])  # blank: not chosen yet
GenreFilter = choices(Project.Genre.values)
Format = choices(Project.Format.values)
ProjectStatus = choices(Project.Status.values)


class ProjectFilters(Input):
    q: str = Field("", max_length=200, description="Words in the title or logline")
    status: ProjectStatus | None = None
    genre: GenreFilter | None = None
    sort: Literal["updated", "created", "title"] = "updated"
    page: PageNumber = 1

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


class ProjectListEnvelope(Schema):
    success: bool = True
    data: list[ProjectSummary]
    meta: PageMeta


class ProjectEnvelope(Schema):
    success: bool = True
    data: ProjectOut


class ProjectIn(Input):
    title: Required(120)
    logline: Text(300) = ""
    premise: Text() = ""
    genre: Genre = ""
    tone: Text(120) = ""
    format: Format = Project.Format.SERIES.value
    target_audience: Text(120) = ""
    status: ProjectStatus = Project.Status.DRAFT.value


class StoryPatch(Input):
    synopsis: Text() | None = None
    themes: Text() | None = None


class WorldPatch(Input):
    setting: Text() | None = None
    history: Text() | None = None
    culture: Text() | None = None
    rules: Text() | None = None


class ProjectPatch(Input):
    """Only the fields sent change; `story` and `world` take their own fields."""

    title: Required(120) = None  # absent: unchanged; never null
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
            summary="Your projects, filtered and paginated",
            operation_id="studio_api_project_list")
def project_list(request, filters: Query[ProjectFilters]):
    projects = selectors.projects_for(user=request.auth, team=workspace_for(request, user=request.auth), q=filters.q.strip(), status=filters.status or "",
                                      genre=filters.genre or "", sort=filters.sort)
    page, meta = page_of(projects, page=filters.page, per_page=PROJECTS_PER_PAGE)
    return ok([project_summary(p) for p in page], meta=meta)


@router.post("/projects", response={201: ProjectEnvelope, 403: ErrorEnvelope, **ERRORS}, tags=["projects"],
             summary="Start a project (403 PLAN_REQUIRED past the plan's project limit)",
             operation_id="studio_api_project_create")
def project_create(request, payload: ProjectIn):
    team = workspace_for(request, user=request.auth)
    if team is not None and not roles.role_allows(team.membership.role, roles.EDIT):
        raise Http404
    project = services.project_create(owner=request.auth, team=team, **payload.model_dump())
    return Status(201, ok(project_out(project)))


@router.get("/projects/{project_id}", response={200: ProjectEnvelope, **ERRORS}, tags=["projects"],
            summary="A project with its story, world and counts",
            operation_id="studio_api_project_detail")
def project_detail(request, project_id: UUID):
    project = selectors.project_get(user=request.auth, public_id=project_id)
    return ok(project_out(project))


@router.patch("/projects/{project_id}", response={200: ProjectEnvelope, **ERRORS}, tags=["projects"],
              summary="Change a project, its story or its world",
              operation_id="studio_api_project_update")
def project_update(request, project_id: UUID, payload: ProjectPatch):
    project = selectors.project_get(user=request.auth, public_id=project_id)
    fields = sent(payload)
    story, world = fields.pop("story", None), fields.pop("world", None)
    with transaction.atomic():
        services.project_update(project=project, **fields)
        if story:
            services.story_update(project=project, **story)
        if world:
            services.world_update(project=project, **world)
    return ok(project_out(project))


@router.delete("/projects/{project_id}", response={200: DeletedEnvelope, **ERRORS}, tags=["projects"],
               summary="Move a project to the trash (restorable for 30 days)",
               operation_id="studio_api_project_delete")
def project_delete(request, project_id: UUID):
    # A team's project goes to the trash by its admins (the whole team loses it).
    project = selectors.project_get(user=request.auth, public_id=project_id, action=roles.MANAGE)
    services.project_delete(project=project)
    return ok({"deleted": True})


class ProjectMoveIn(Input):
    team: str | None = Field(None, max_length=90,
                             description="A team's slug to move the project into; null: back to its creator's "
                                         "personal workspace")


@router.post("/projects/{project_id}/move", response={200: ProjectEnvelope, 403: ErrorEnvelope, **ERRORS},
             tags=["projects"], summary="Move a project into a team, or back to personal (owner/admin)",
             operation_id="studio_api_project_move")
def project_move(request, project_id: UUID, payload: ProjectMoveIn):
    project = selectors.project_get(user=request.auth, public_id=project_id, action=roles.MANAGE)
    team = team_get(user=request.auth, slug=payload.team, action=roles.MANAGE) if payload.team else None
    services.project_move(project=project, team=team, user=request.auth)
    return ok(project_out(project))
