"""Generation endpoints of /api/v1/: write a field of the bible with AI (JSON or SSE), start
character images, moodboard images and animations (202 with the job), follow, cancel and retry
jobs, and the image presets.

Every object comes through an ownership-checked selector (anyone else's is a 404); refusals
(402 credits / trial, 403 plan, 409 Drive, 422 input, 429 limits, 503 SERVICE_UNAVAILABLE with
Retry-After when Redis or the workers are down) are raised by the services
and turned into the envelope by modo/api.py. The operationIds are the ones clients already
generated code from."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from accounts.selectors import workspace_for
from aiproviders.adapters import ProviderError
from aiproviders.models import AIModel
from media import selectors as media_selectors
from modo.envelope import ERRORS, ErrorEnvelope, error, invalid, ok
from modo.inputs import Input, PageNumber, state_no_nul

from .. import selectors
from ..models import Generation
from ..schemas import Meta, Text, choices, page_of
from . import drafts, jobs, prompts, restyle, upscale

router = Router()

JOBS_PER_PAGE = 20
REFUSALS = {402: ErrorEnvelope, 403: ErrorEnvelope, 409: ErrorEnvelope, 429: ErrorEnvelope, 503: ErrorEnvelope, **ERRORS}


# --- AI text -------------------------------------------------------------------------------------

TargetKind = choices(drafts.FIELDS)


def _field_of_its_kind(schema: dict) -> None:
    state_no_nul(schema)
    schema["oneOf"] = [
        {"properties": {"target_kind": {"const": kind}, "field": {"enum": list(fields)},
                        **({"target_id": {"type": "string", "format": "uuid"}} if kind in drafts.NEEDS_TARGET_ID else {})},
         **({"required": ["target_id"]} if kind in drafts.NEEDS_TARGET_ID else {})}
        for kind, fields in drafts.FIELDS.items()]


class GenerateIn(Input):
    """`field` is one of its target kind's fields (drafts.FIELDS), and the kinds that name an
    object take its `target_id`."""

    model_config = {"json_schema_extra": _field_of_its_kind}

    project: UUID
    target_kind: TargetKind
    target_id: UUID | None = Field(None, description="Required for " + ", ".join(drafts.NEEDS_TARGET_ID))
    field: str = Field(max_length=40, description="e.g. synopsis, backstory, script; see the target kind")
    prompt: str = Field("", max_length=2000, description="What you want, in your words (optional)")
    model: int | None = Field(None, description="An enabled text model (default: the default text model)")


class GenerateOut(Schema):
    draft: UUID
    text: str
    cost: int
    canon: list[str] = Field(description="The bible facts the prompt included")
    model: str
    offline: str = Field("", description="For a draft written offline (the local model), the label to show next "
                                         "to it, in the creator's language; never part of `text`")


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
    "(draft, cost, model, canon, omitted, offline: the label of an offline draft or \"\"), `chunk` (text) …, then `done` (draft, cost) or `error` "
    "(draft, message, partial; the credits are released). Otherwise the answer is JSON once the text is complete."
)


def _text_model(model_id: int | None) -> AIModel | None:
    model = drafts.text_model(model_id)
    if model_id is not None and model is None:
        raise invalid("model", _("This text model is not available."))
    return model


@router.post(
    "/generate/text",
    response={200: GenerateEnvelope, 402: ErrorEnvelope, 403: ErrorEnvelope, 429: ErrorEnvelope,
              502: ProviderErrorEnvelope, 503: ErrorEnvelope, **ERRORS},
    tags=["generate"],
    summary="Write a field of the bible with AI (JSON, or SSE with Accept: text/event-stream)",
    description=SSE_DESCRIPTION,
    openapi_extra={"responses": {200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}}},
    operation_id="studio_api_generate_text",
)
def generate_text(request, payload: GenerateIn):
    project = selectors.project_get(user=request.auth, public_id=payload.project, related=prompts.CANON_RELATED)
    allowed = drafts.FIELDS[payload.target_kind]
    if payload.field not in allowed:
        raise invalid("field", _("Choose one of: %(fields)s.") % {"fields": ", ".join(allowed)})
    if payload.target_kind in drafts.NEEDS_TARGET_ID and payload.target_id is None:
        raise invalid("target_id", _("This field is required."))
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
        return Status(502, error("PROVIDER_ERROR", exc.user_text))

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
        return Status(502, error("PROVIDER_ERROR", message, draft=start.get("draft"), partial=bool(parts)))
    return ok({"draft": end["draft"], "text": "".join(parts), "cost": end["cost"], "canon": start["canon"],
               "model": start["model"], "offline": start["offline"]})


# --- images and animations -------------------------------------------------------------------------

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


class JobListEnvelope(Schema):
    success: bool = True
    data: list[JobOut]
    meta: Meta


def job_out(job: Generation) -> dict:
    return {
        "id": job.public_id, "project": job.project.public_id, "kind": job.kind, "status": job.status,
        "target": f"{job.target_kind}:{job.target_id}", "progress": job.progress,
        "progress_message": job.progress_text, "credits_quoted": job.credits_quoted,
        "cost_charged": job.cost_charged, "model": job.model_used.display_name if job.model_used else None,
        "output_asset": job.output_asset.public_id if job.output_asset else None, "error_code": job.error_code,
        "error_message": job.error_text, "params": job.params, "created_at": job.created_at,
        "started_at": job.started_at, "finished_at": job.finished_at,
    }


def _accepted(job: Generation):
    # A job just made carries its project and has no model used or output yet: no need to read it back.
    return Status(202, ok(job_out(job)))


def _model(model_id: int | None, type: str) -> AIModel | None:
    if model_id is None:
        return None
    model = AIModel.objects.select_related("provider").filter(
        pk=model_id, type=type, enabled=True, provider__enabled=True).first()
    if model is None:
        raise invalid("model", _("This model is not available."))
    return model


def _asset(user, public_id: UUID | None):
    return media_selectors.asset_get(user=user, public_id=public_id) if public_id else None


IDEMPOTENCY = Field("", max_length=100, description="The same key again returns the same job instead of a new one")


class CharacterImageIn(Input):
    character: UUID
    reference_asset: UUID | None = Field(None, description="An image of the project: image-to-image")
    strength: float = Field(0.6, ge=0, le=1, description="Image-to-image: 0 keeps the reference, 1 ignores it")
    prompt: Text(1000) = ""
    style: Text(40) = Field("", description="A style preset key (GET /image-presets)")
    size: Text(40) = Field("", description="A size preset key")
    model: int | None = None
    idempotency_key: str = IDEMPOTENCY


@router.post("/generate/character", response={202: JobEnvelope, **REFUSALS}, tags=["generate"],
             summary="Draw a character from its sheet (or from a reference image)",
             operation_id="studio_visual_api_generate_character")
def generate_character(request, payload: CharacterImageIn):
    character = selectors.character_get(user=request.auth, public_id=payload.character, with_image=False)
    job = jobs.character_image_request(
        user=request.auth, character=character, prompt=payload.prompt, style=payload.style, size=payload.size,
        reference=_asset(request.auth, payload.reference_asset), strength=payload.strength,
        model=_model(payload.model, "image"), idempotency_key=payload.idempotency_key)
    return _accepted(job)


class MoodboardImageIn(Input):
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
             summary="Draw a moodboard image from the characters' reference sheets, the scene and the setting",
             operation_id="studio_visual_api_generate_moodboard")
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


class AnimationIn(Input):
    source_asset: UUID
    duration: Literal[3, 5, 8] = 5
    motion: Literal[tuple(jobs.MOTIONS)] = "zoom_in"
    prompt: Text(500) = ""
    model: int | None = None
    idempotency_key: str = IDEMPOTENCY


@router.post("/generate/animation", response={202: JobEnvelope, **REFUSALS}, tags=["generate"],
             summary="Animate an image (3, 5 or 8 s; video plans only)",
             operation_id="studio_visual_api_generate_animation")
def generate_animation(request, payload: AnimationIn):
    job = jobs.animation_request(
        user=request.auth, source=_asset(request.auth, payload.source_asset), duration=payload.duration,
        motion=payload.motion, prompt=payload.prompt, model=_model(payload.model, "video"),
        idempotency_key=payload.idempotency_key)
    return _accepted(job)


class UpscaleIn(Input):
    source_asset: UUID = Field(description="An image you own; the result goes next to it (same target)")
    scale: Literal[2, 4] = 2
    model: int | None = Field(None, description="An enabled image model that can upscale (default: the first)")
    idempotency_key: str = IDEMPOTENCY


@router.post("/generate/upscale", response={202: JobEnvelope, **REFUSALS}, tags=["generate"],
             summary="Upscale an image 2× or 4× (plans with upscale; 422 above the pixel cap)",
             operation_id="studio_visual_api_generate_upscale")
def generate_upscale(request, payload: UpscaleIn):
    job = upscale.upscale_request(
        user=request.auth, source=_asset(request.auth, payload.source_asset), scale=payload.scale,
        model=_model(payload.model, "image"), idempotency_key=payload.idempotency_key)
    return _accepted(job)


class RestyleIn(Input):
    source_asset: UUID = Field(description="A photo or any image you own; the result goes next to it")
    style: Text(40) = Field(description="A style preset key (GET /image-presets), e.g. plush, anime, cinematic")
    size: Literal[tuple(restyle.SIZES)] = "medium"
    model: int | None = Field(None, description="An enabled image model with image-to-image (default: the default)")
    idempotency_key: str = IDEMPOTENCY


@router.post("/generate/restyle", response={202: JobEnvelope, **REFUSALS}, tags=["generate"],
             summary="Redraw a photo or image in a style preset (plans with restyle; image-to-image, the image price)",
             operation_id="studio_visual_api_generate_restyle")
def generate_restyle(request, payload: RestyleIn):
    job = restyle.restyle_request(
        user=request.auth, source=_asset(request.auth, payload.source_asset), style=payload.style,
        size=payload.size, model=_model(payload.model, "image"), idempotency_key=payload.idempotency_key)
    return _accepted(job)


class JobFilters(Input):
    status: Literal["active", *Generation.Status.values] | None = None
    project: UUID | None = None
    kind: Literal[tuple(Generation.Kind.values)] | None = None
    page: PageNumber = 1


@router.get("/jobs", response={200: JobListEnvelope, **ERRORS}, tags=["jobs"], summary="Your recent jobs",
            operation_id="studio_visual_api_job_list")
def job_list(request, filters: Query[JobFilters]):
    project = selectors.project_get(user=request.auth, public_id=filters.project) if filters.project else None
    found = selectors.jobs_for(user=request.auth, team=workspace_for(request, user=request.auth),
                               status=filters.status or "", project=project, kind=filters.kind or "")
    page, meta = page_of(found, page=filters.page, per_page=JOBS_PER_PAGE)
    return ok([job_out(j) for j in page], meta=meta)


@router.get("/jobs/{job_id}", response={200: JobEnvelope, **ERRORS}, tags=["jobs"], summary="A job and its progress",
            operation_id="studio_visual_api_job_detail")
def job_detail(request, job_id: UUID):
    return ok(job_out(selectors.job_get(user=request.auth, public_id=job_id)))


@router.post("/jobs/{job_id}/cancel", response={200: JobEnvelope, **ERRORS}, tags=["jobs"],
             summary="Cancel: a queued job at once, a running one at its next checkpoint (credits released)",
             operation_id="studio_visual_api_job_cancel")
def job_cancel(request, job_id: UUID):
    job = jobs.job_cancel(job=selectors.job_get(user=request.auth, public_id=job_id))
    return ok(job_out(selectors.job_get(user=request.auth, public_id=job.public_id)))


@router.post("/jobs/{job_id}/retry", response={202: JobEnvelope, **REFUSALS}, tags=["jobs"],
             summary="Run a failed or cancelled job again as a new job (a new hold)",
             operation_id="studio_visual_api_job_retry")
def job_retry(request, job_id: UUID):
    return _accepted(jobs.job_retry(job=selectors.job_get(user=request.auth, public_id=job_id,
                                                                action="generate"), user=request.auth))


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
            summary="The style and size presets of image generation",
            operation_id="studio_visual_api_image_presets")
def image_presets(request):
    return ok([{"kind": p.kind, "key": p.key, "label": p.label, "width": p.width, "height": p.height}
               for p in prompts.presets("style") + prompts.presets("size")])
