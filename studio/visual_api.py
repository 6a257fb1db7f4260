"""Visual generation endpoints of /api/v1/: start character images, moodboard images and
animations (202 with the job), follow, cancel and retry jobs, and the project's moodboards.

Every object comes through an ownership-checked selector (anyone else's is a 404); refusals
(402 credits / trial, 403 plan, 409 Drive, 422 input, 429 limits) are raised by the services
and turned into the envelope by modo/api.py."""

import math
from datetime import datetime
from typing import Literal
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from aiproviders.models import AIModel
from media import selectors as media_selectors

from . import moodboards, selectors
from .api import ERRORS, DeletedEnvelope, ErrorEnvelope, Required, Text, _invalid, _set
from .generate import jobs, prompts
from .models import Generation

router = Router()

JOBS_PER_PAGE = 20
REFUSALS = {402: ErrorEnvelope, 403: ErrorEnvelope, 409: ErrorEnvelope, 429: ErrorEnvelope, **ERRORS}


class JobOut(Schema):
    id: UUID
    project: UUID
    kind: str
    status: str
    target: str = Field(description='Where the result goes, "kind:uuid"')
    progress: int
    progress_message: str
    credits_quoted: int = Field(description="Held while the job runs")
    cost_charged: int = Field(description="Captured when it succeeded (0 otherwise: the hold was released)")
    model: str | None
    output_asset: UUID | None
    error_code: str
    error_message: str
    params: dict
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class JobEnvelope(Schema):
    success: bool = True
    data: JobOut


class Meta(Schema):
    page: int
    pages: int
    total: int


class JobListEnvelope(Schema):
    success: bool = True
    data: list[JobOut]
    meta: Meta


def job_out(job: Generation) -> dict:
    return {
        "id": job.public_id, "project": job.project.public_id, "kind": job.kind, "status": job.status,
        "target": f"{job.target_kind}:{job.target_id}", "progress": job.progress,
        "progress_message": job.progress_message, "credits_quoted": job.credits_quoted,
        "cost_charged": job.cost_charged, "model": job.model_used.display_name if job.model_used else None,
        "output_asset": job.output_asset.public_id if job.output_asset else None, "error_code": job.error_code,
        "error_message": job.error_message, "params": job.params, "created_at": job.created_at,
        "started_at": job.started_at, "finished_at": job.finished_at,
    }


def _accepted(job: Generation):
    # A job just made carries its project and has no model used or output yet: no need to read it back.
    return Status(202, {"success": True, "data": job_out(job)})


def _model(model_id: int | None, type: str) -> AIModel | None:
    if model_id is None:
        return None
    model = AIModel.objects.select_related("provider").filter(
        pk=model_id, type=type, enabled=True, provider__enabled=True).first()
    if model is None:
        raise _invalid("model", _("This model is not available."))
    return model


def _asset(user, public_id: UUID | None):
    return media_selectors.asset_get(user=user, public_id=public_id) if public_id else None


IDEMPOTENCY = Field("", max_length=100, description="The same key again returns the same job instead of a new one")


class CharacterImageIn(Schema):
    character: UUID
    reference_asset: UUID | None = Field(None, description="An image of the project: image-to-image")
    strength: float = Field(0.6, ge=0, le=1, description="Image-to-image: 0 keeps the reference, 1 ignores it")
    prompt: Text(1000) = ""
    style: Text(40) = Field("", description="A style preset key (GET /image-presets)")
    size: Text(40) = Field("", description="A size preset key")
    model: int | None = None
    idempotency_key: str = IDEMPOTENCY


@router.post("/generate/character", response={202: JobEnvelope, **REFUSALS}, tags=["generate"],
             summary="Draw a character from its sheet (or from a reference image)")
def generate_character(request, payload: CharacterImageIn):
    character = selectors.character_get(user=request.auth, public_id=payload.character, with_image=False)
    job = jobs.character_image_request(
        user=request.auth, character=character, prompt=payload.prompt, style=payload.style, size=payload.size,
        reference=_asset(request.auth, payload.reference_asset), strength=payload.strength,
        model=_model(payload.model, "image"), idempotency_key=payload.idempotency_key)
    return _accepted(job)


class MoodboardImageIn(Schema):
    moodboard: UUID
    characters: list[UUID] | None = Field(None, description="Default: the moodboard's characters")
    scene: UUID | None = None
    location: UUID | None = None
    pose: Text(200) | None = None
    action: Text(300) | None = None
    prompt: Text(1000) = ""
    style: Text(40) = ""
    size: Text(40) = ""
    model: int | None = None
    idempotency_key: str = IDEMPOTENCY


@router.post("/generate/moodboard", response={202: JobEnvelope, **REFUSALS}, tags=["generate"],
             summary="Draw a moodboard image from the characters' reference sheets, the scene and the setting")
def generate_moodboard(request, payload: MoodboardImageIn):
    user = request.auth
    moodboard = selectors.moodboard_get(user=user, public_id=payload.moodboard)
    characters = None
    if payload.characters is not None:
        characters = [selectors.character_get(user=user, public_id=c) for c in payload.characters]
    job = jobs.moodboard_request(
        user=user, moodboard=moodboard, characters=characters,
        scene=selectors.scene_get(user=user, public_id=payload.scene) if payload.scene else None,
        location=selectors.location_get(user=user, public_id=payload.location) if payload.location else None,
        pose=payload.pose, action=payload.action, prompt=payload.prompt, style=payload.style, size=payload.size,
        model=_model(payload.model, "image"), idempotency_key=payload.idempotency_key)
    return _accepted(job)


class AnimationIn(Schema):
    source_asset: UUID
    duration: Literal[3, 5, 8] = 5
    motion: Literal[tuple(jobs.MOTIONS)] = "zoom_in"
    prompt: Text(500) = ""
    model: int | None = None
    idempotency_key: str = IDEMPOTENCY


@router.post("/generate/animation", response={202: JobEnvelope, **REFUSALS}, tags=["generate"],
             summary="Animate an image (3, 5 or 8 s; video plans only)")
def generate_animation(request, payload: AnimationIn):
    job = jobs.animation_request(
        user=request.auth, source=_asset(request.auth, payload.source_asset), duration=payload.duration,
        motion=payload.motion, prompt=payload.prompt, model=_model(payload.model, "video"),
        idempotency_key=payload.idempotency_key)
    return _accepted(job)


class JobFilters(Schema):
    status: Literal["active", *Generation.Status.values] | None = None
    project: UUID | None = None
    kind: Literal[tuple(Generation.Kind.values)] | None = None
    page: int = Field(1, ge=1)


@router.get("/jobs", response={200: JobListEnvelope, **ERRORS}, tags=["jobs"], summary="Your recent jobs")
def job_list(request, filters: Query[JobFilters]):
    project = selectors.project_get(user=request.auth, public_id=filters.project) if filters.project else None
    found = selectors.jobs_for(user=request.auth, status=filters.status or "", project=project, kind=filters.kind or "")
    total = found.count()
    start = (filters.page - 1) * JOBS_PER_PAGE
    return {"success": True, "data": [job_out(j) for j in found[start:start + JOBS_PER_PAGE]],
            "meta": {"page": filters.page, "pages": max(1, math.ceil(total / JOBS_PER_PAGE)), "total": total}}


@router.get("/jobs/{job_id}", response={200: JobEnvelope, **ERRORS}, tags=["jobs"], summary="A job and its progress")
def job_detail(request, job_id: UUID):
    return {"success": True, "data": job_out(selectors.job_get(user=request.auth, public_id=job_id))}


@router.post("/jobs/{job_id}/cancel", response={200: JobEnvelope, **ERRORS}, tags=["jobs"],
             summary="Cancel: a queued job at once, a running one at its next checkpoint (credits released)")
def job_cancel(request, job_id: UUID):
    job = jobs.job_cancel(job=selectors.job_get(user=request.auth, public_id=job_id))
    return {"success": True, "data": job_out(selectors.job_get(user=request.auth, public_id=job.public_id))}


@router.post("/jobs/{job_id}/retry", response={202: JobEnvelope, **REFUSALS}, tags=["jobs"],
             summary="Run a failed or cancelled job again as a new job (a new hold)")
def job_retry(request, job_id: UUID):
    return _accepted(jobs.job_retry(job=selectors.job_get(user=request.auth, public_id=job_id)))


class Preset(Schema):
    kind: str
    key: str
    label: str
    width: int | None
    height: int | None


class PresetsEnvelope(Schema):
    success: bool = True
    data: list[Preset]


@router.get("/image-presets", response={200: PresetsEnvelope, **ERRORS}, tags=["generate"],
            summary="The style and size presets of image generation")
def image_presets(request):
    return {"success": True, "data": [{"kind": p.kind, "key": p.key, "label": p.label, "width": p.width,
                                       "height": p.height} for p in prompts.presets("style") + prompts.presets("size")]}


# --- moodboards ------------------------------------------------------------------------------------

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


class MoodboardIn(Schema):
    title: Required(120)
    scene: UUID | None = None
    location: UUID | None = None
    characters: list[UUID] = []
    pose: Text(200) = ""
    action: Text(300) = ""
    notes: Text() = ""


class MoodboardPatch(Schema):
    title: Required(120) | None = None
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
            summary="A project's moodboards")
def moodboard_list(request, project_id: UUID):
    project = selectors.project_get(user=request.auth, public_id=project_id)
    return {"success": True, "data": [moodboard_out(b) for b in selectors.moodboards_of(project)]}


@router.post("/projects/{project_id}/moodboards", response={201: MoodboardEnvelope, **ERRORS}, tags=["moodboards"],
             summary="Add a moodboard")
def moodboard_create(request, project_id: UUID, payload: MoodboardIn):
    project = selectors.project_get(user=request.auth, public_id=project_id)
    board = moodboards.moodboard_create(project=project, **_links(request.auth, payload.model_dump()))
    return Status(201, {"success": True, "data": moodboard_out(board)})


@router.get("/moodboards/{moodboard_id}", response={200: MoodboardEnvelope, **ERRORS}, tags=["moodboards"],
            summary="A moodboard")
def moodboard_detail(request, moodboard_id: UUID):
    return {"success": True, "data": moodboard_out(selectors.moodboard_get(user=request.auth, public_id=moodboard_id))}


@router.patch("/moodboards/{moodboard_id}", response={200: MoodboardEnvelope, **ERRORS}, tags=["moodboards"],
              summary="Change a moodboard (null scene/location clears it)")
def moodboard_update(request, moodboard_id: UUID, payload: MoodboardPatch):
    board = selectors.moodboard_get(user=request.auth, public_id=moodboard_id)
    board = moodboards.moodboard_update(moodboard=board, **_links(request.auth, _set(payload)))
    return {"success": True, "data": moodboard_out(selectors.moodboard_get(user=request.auth, public_id=moodboard_id))}


@router.delete("/moodboards/{moodboard_id}", response={200: DeletedEnvelope, **ERRORS}, tags=["moodboards"],
               summary="Delete a moodboard and its images")
def moodboard_delete(request, moodboard_id: UUID):
    moodboards.moodboard_delete(moodboard=selectors.moodboard_get(user=request.auth, public_id=moodboard_id))
    return {"success": True, "data": {"deleted": True}}
