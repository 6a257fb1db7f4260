"""Visual generation jobs: character images, moodboards and animations.

    request → guards (storage, plan, trial, balance, daily limit, concurrency cap) → quote →
    row + hold in one transaction → enqueued on commit (queue "image" or "video") → a worker
    claims it with a conditional update → the router calls the provider → the output is stored
    as a MediaAsset → the hold is captured → succeeded.

Every other ending (failure, cancel, timeout) releases the hold, once: the status moves with a
conditional update and only the caller whose update won settles the hold (and the ledger's own
settle is idempotent too). A task delivered twice finds the job no longer queued and does
nothing. Transient provider errors put the job back in the queue with a bounded exponential
backoff (MAX_ATTEMPTS in all). No transaction is held while a provider or a storage is called."""

import hashlib
import io
import json
import logging
import math
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image

from aiproviders import router
from aiproviders.adapters import ProviderError
from aiproviders.adapters.base import ImageRequest, VideoRequest
from aiproviders.models import AIModel
from credits import guards
from credits import services as ledger
from credits.selectors import credit_account_for
from media import services as media_services
from media.models import MediaAsset
from media.selectors import TargetRef
from modo import catalog
from modo.after_response import after_response
from modo.errors import AppError

from . import selectors
from .models import Character, Generation, ImagePreset, Moodboard

log = logging.getLogger(__name__)

Kind, Status = Generation.Kind, Generation.Status

MAX_ATTEMPTS = 3  # worker attempts of one job (each may itself retry and fall back in the router)
REQUEUE_AFTER = timedelta(minutes=2)  # a queued job not started by then had its message lost
MAX_REQUEUES = 2
RUNNING_TIMEOUT = {Kind.CHARACTER_IMAGE: timedelta(minutes=10), Kind.MOODBOARD: timedelta(minutes=10),
                   Kind.ANIMATION: timedelta(minutes=30)}
POLL_SECONDS = 5
DURATIONS = (3, 5, 8)
MOTIONS = {"zoom_in": gettext_lazy("Slow zoom in"), "zoom_out": gettext_lazy("Slow zoom out"),
           "pan_left": gettext_lazy("Pan left"), "pan_right": gettext_lazy("Pan right")}
QUALITY_TAGS = "highly detailed, consistent character design, clean composition, best quality"


@dataclass(frozen=True)
class Spec:
    type: str  # the router's model type
    queue: str


SPECS = {Kind.CHARACTER_IMAGE: Spec("image", "image"), Kind.MOODBOARD: Spec("image", "image"),
         Kind.ANIMATION: Spec("video", "video")}


class TooManyJobs(AppError):
    code, status, action = "TOO_MANY_JOBS", 429, "wait"
    default_message = gettext_lazy("You already have the most jobs running at once. Wait for one to finish.")


class MissingReferences(AppError):
    code, status = "MISSING_REFERENCES", 422


class InvalidJob(AppError):
    code, status = "INVALID_INPUT", 422


class _Stop(Exception):
    """The job ended while the worker was busy with it (cancelled, or settled elsewhere)."""


# --- presets and prompts ---------------------------------------------------------------------------

def presets(kind: str) -> list[ImagePreset]:
    """The active presets of a kind, in their order (from the configuration catalog)."""
    return [p for p in catalog.snapshot().presets if p.kind == kind]


def _chosen_presets(*, style: str, size: str) -> tuple[ImagePreset | None, ImagePreset | None]:
    """The style and the size asked for, else each kind's default, else its first."""
    active = catalog.snapshot().presets  # ordered by kind, sort_order, id

    def pick(kind: str, key: str) -> ImagePreset | None:
        mine = [p for p in active if p.kind == kind]
        return ((next((p for p in mine if p.key == key), None) if key else None)
                or next((p for p in mine if p.is_default), None) or (mine[0] if mine else None))

    return pick("style", style), pick("size", size)


def character_sheet_hash(character: Character) -> str:
    """Changes when a visual field of the character changes (and only then)."""
    fields = [character.name, character.appearance, character.clothing, character.accessories, character.visual_style]
    return hashlib.sha256(json.dumps(fields).encode()).hexdigest()


def _hash(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def character_prompt(character: Character, *, extra: str = "", style: ImagePreset | None = None) -> str:
    """Name, appearance, "wearing …", "with …", visual style, the creator's words, the style's
    words and quality tags."""
    parts = [character.name, character.appearance.strip()]
    if character.clothing.strip():
        parts.append(f"wearing {character.clothing.strip()}")
    if character.accessories.strip():
        parts.append(f"with {character.accessories.strip()}")
    parts += [character.visual_style.strip(), extra.strip(), style.prompt if style else "", QUALITY_TAGS]
    return ", ".join(p.rstrip(".") for p in parts if p)


def moodboard_prompt(*, characters: list[Character], action: str, pose: str, scene, setting: str, extra: str = "",
                     style: ImagePreset | None = None) -> str:
    """"A and B, action, pose, in <scene>, <setting>, cinematic composition, detailed background"."""
    names = [c.name for c in characters]
    who = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    where = f"in {scene.title}" + (f" ({scene.description.strip()[:200]})" if scene and scene.description.strip() else "") \
        if scene else ""
    parts = [who, action.strip(), pose.strip(), where, setting.strip()[:300], extra.strip(),
             "cinematic composition, detailed background", style.prompt if style else ""]
    return ", ".join(p.rstrip(".") for p in parts if p)


def moodboard_setting(moodboard: Moodboard, location=None) -> str:
    location = location or moodboard.location
    if location is not None:
        return ", ".join(filter(None, [location.name, location.visual_notes.strip() or location.description.strip()]))
    world = getattr(moodboard.project, "world", None)
    return world.setting if world else ""


def reference_grid(images: list[bytes], cell: int = 512) -> bytes:
    """Several reference pictures side by side in one PNG, for a model that takes one reference."""
    columns = min(len(images), 3)
    rows = math.ceil(len(images) / columns)
    grid = Image.new("RGB", (columns * cell, rows * cell), "white")
    for n, data in enumerate(images):
        with Image.open(io.BytesIO(data)) as picture:
            picture = picture.convert("RGB")
            picture.thumbnail((cell, cell))
            x, y = (n % columns) * cell + (cell - picture.width) // 2, (n // columns) * cell + (cell - picture.height) // 2
            grid.paste(picture, (x, y))
    out = io.BytesIO()
    grid.save(out, "PNG")
    return out.getvalue()


# --- requests --------------------------------------------------------------------------------------

def _usable_image(asset: MediaAsset | None) -> bool:
    return asset is not None and asset.deleted_at is None and asset.is_image and asset.is_accessible


def job_quote(*, user, kind: str, model: AIModel | None = None, references: int = 0, duration: int | None = None) -> dict:
    """What the page shows before running: cost, balance and the trial's remaining generations."""
    spec = SPECS[kind]
    account = credit_account_for(user=user)
    params = {"duration": duration} if spec.type == "video" else {"references": [None] * references}
    cost = router.quote(type=spec.type, model=model, params=params)
    plan = account.plan
    trial_left = max(0, (plan.trial_generation_cap or 0) - account.trial_generations_used) if plan.is_trial else None
    return {"cost": cost, "available": account.available, "trial_left": trial_left,
            "video_allowed": plan.has_feature("video")}


def _request(*, user, project, kind: str, target_kind: str, target_id, params: dict, prompt: str,
             model: AIModel | None, idempotency_key: str, input_hash: str, quote_params: dict) -> Generation:
    idempotency_key = (idempotency_key or "").strip()[:100]
    if idempotency_key:
        existing = Generation.objects.filter(owner=user, idempotency_key=idempotency_key).select_related(
            "project", "output_asset", "model_used").first()
        if existing is not None:
            return existing
    media_services.storage_ready(user=user)
    spec = SPECS[kind]
    cost = router.quote(type=spec.type, model=model, params=quote_params)

    def admissible(locked) -> None:
        # Under the account's row lock, so a creator's concurrent requests are checked one after
        # another: the cap on running jobs holds, and the daily limit is counted last.
        if selectors.active_job_count(user=user) >= settings.GENERATION_MAX_ACTIVE:
            raise TooManyJobs()
        guards.generation_check(account=locked, kind=spec.type, cost=cost,
                                premium=bool(model and model.tier == AIModel.Tier.PREMIUM))

    job = Generation(
        public_id=uuid.uuid4(), owner=user, project=project, kind=kind, target_kind=target_kind, target_id=target_id,
        params=params, prompt=prompt, model_requested=model, credits_quoted=cost, idempotency_key=idempotency_key,
        input_hash=input_hash, queued_at=timezone.now(), progress_message=_("Waiting for a worker…"),
    )
    try:
        with transaction.atomic():
            # The job's row is written by the hold's statement, pointing at its hold (a fresh key: always a new hold).
            reference = f"generation:{job.public_id}"
            ledger.credits_hold(user=user, amount=cost, reference=reference, idempotency_key=reference,
                                check=admissible, held_by=job)
            # Sent once committed, after the 202 has gone out (a message lost on the way is sent
            # again by the sweeper: the row is what counts).
            transaction.on_commit(lambda: after_response(lambda: _enqueue(job)))
    except IntegrityError:
        # The same idempotency key sent twice at once: the first one made the job.
        return Generation.objects.select_related("project", "output_asset", "model_used").get(
            owner=user, idempotency_key=idempotency_key)
    return job


def _enqueue(job: Generation, countdown: int = 0) -> None:
    from .tasks import run_generation

    run_generation.apply_async(args=[job.pk], queue=SPECS[job.kind].queue, countdown=countdown or None)


def character_image_request(*, user, character: Character, prompt: str = "", style: str = "", size: str = "",
                            reference: MediaAsset | None = None, strength: float = 0.6, model: AIModel | None = None,
                            idempotency_key: str = "") -> Generation:
    """An image of the character from its sheet (text-to-image), or from a reference picked among
    the project's assets (image-to-image, `strength` 0 keeps the reference, 1 ignores it)."""
    if reference is not None and (reference.project_id != character.project_id or not _usable_image(reference)):
        raise InvalidJob(_("Pick an image of this project that can still be opened as the reference."))
    style_preset, size_preset = _chosen_presets(style=style, size=size)
    built = character_prompt(character, extra=prompt, style=style_preset)
    refs = [str(reference.public_id)] if reference else []
    params = {"extra_prompt": prompt.strip(), "style": style_preset.key if style_preset else "",
              "size": size_preset.key if size_preset else "", "width": size_preset.width if size_preset else 1024,
              "height": size_preset.height if size_preset else 1024, "references": refs,
              "strength": min(1.0, max(0.0, float(strength))), "sheet_hash": character_sheet_hash(character),
              "subject": {"name": character.name, "traits": [t for t in (character.appearance, character.clothing) if t]}}
    return _request(user=user, project=character.project, kind=Kind.CHARACTER_IMAGE, target_kind="character",
                    target_id=character.public_id, params=params, prompt=built, model=model,
                    idempotency_key=idempotency_key, input_hash=_hash(params["sheet_hash"], built, refs),
                    quote_params={"references": refs})


def moodboard_request(*, user, moodboard: Moodboard, characters: list[Character] | None = None, scene=None,
                      location=None, pose: str | None = None, action: str | None = None, prompt: str = "",
                      style: str = "", size: str = "", model: AIModel | None = None,
                      idempotency_key: str = "") -> Generation:
    """A moodboard image from the characters' reference sheets, the scene, the setting, the pose
    and the action. Characters without a usable primary image are refused before any charge."""
    characters = list(characters if characters is not None else moodboard.characters.select_related("primary_image"))
    if not characters:
        raise InvalidJob(_("Choose at least one character for the moodboard."))
    if any(c.project_id != moodboard.project_id for c in characters):
        raise InvalidJob(_("Those characters are not in this project."))
    missing = [c.name for c in characters if not _usable_image(c.primary_image)]
    if missing:
        raise MissingReferences(
            _("Give these characters a reference sheet first: %(names)s.") % {"names": ", ".join(missing)},
            missing=missing, missing_ids=[str(c.public_id) for c in characters if not _usable_image(c.primary_image)])
    scene, location = scene or moodboard.scene, location or moodboard.location
    style_preset, size_preset = _chosen_presets(style=style, size=size or "landscape-m")
    built = moodboard_prompt(characters=characters, action=moodboard.action if action is None else action,
                             pose=moodboard.pose if pose is None else pose, scene=scene,
                             setting=moodboard_setting(moodboard, location), extra=prompt, style=style_preset)
    refs = [str(c.primary_image.public_id) for c in characters]
    params = {"characters": [str(c.public_id) for c in characters], "references": refs,
              "scene": str(scene.public_id) if scene else None, "location": str(location.public_id) if location else None,
              "style": style_preset.key if style_preset else "", "size": size_preset.key if size_preset else "",
              "width": size_preset.width if size_preset else 1024, "height": size_preset.height if size_preset else 768,
              "extra_prompt": prompt.strip(), "strength": 0.75,
              "subject": {"name": moodboard.title, "traits": [c.name for c in characters]}}
    return _request(user=user, project=moodboard.project, kind=Kind.MOODBOARD, target_kind="moodboard",
                    target_id=moodboard.public_id, params=params, prompt=built, model=model,
                    idempotency_key=idempotency_key, input_hash=_hash(built, refs), quote_params={"references": refs})


def animation_request(*, user, source: MediaAsset, duration: int, motion: str = "zoom_in", prompt: str = "",
                      model: AIModel | None = None, idempotency_key: str = "") -> Generation:
    """A short video from an image asset (a moodboard image, a character sheet, an upload...),
    stored next to its source. Video needs a plan that includes it (PLAN_REQUIRED)."""
    if not _usable_image(source):
        raise InvalidJob(_("Animate an image that can still be opened."))
    if duration not in DURATIONS:
        raise InvalidJob(_("Choose 3, 5 or 8 seconds."))
    motion = motion if motion in MOTIONS else "zoom_in"
    portrait = (source.height or 0) > (source.width or 0)
    params = {"source": str(source.public_id), "duration": duration, "motion": motion,
              "width": 720 if portrait else 1280, "height": 1280 if portrait else 720, "extra_prompt": prompt.strip()}
    return _request(user=user, project=source.project, kind=Kind.ANIMATION, target_kind=source.target_kind,
                    target_id=source.target_id, params=params, prompt=prompt.strip(), model=model,
                    idempotency_key=idempotency_key, input_hash=_hash(str(source.public_id), duration, motion, prompt),
                    quote_params={"duration": duration})


def job_retry(*, job: Generation) -> Generation:
    """A failed or cancelled job again, as a new job with the same parameters (and a new hold)."""
    if job.is_active or job.status == Status.SUCCEEDED:
        raise InvalidJob(_("Only a failed or cancelled job can be retried."))
    quote_params = {"duration": job.params.get("duration")} if job.kind == Kind.ANIMATION else \
        {"references": job.params.get("references") or []}
    params = {k: v for k, v in job.params.items() if k != "requeues"}  # the sweeper's count starts anew
    return _request(user=job.owner, project=job.project, kind=job.kind, target_kind=job.target_kind,
                    target_id=job.target_id, params=params, prompt=job.prompt, model=job.model_requested,
                    idempotency_key="", input_hash=job.input_hash, quote_params=quote_params)


# --- settling ---------------------------------------------------------------------------------------

def _release(job: Generation) -> None:
    if job.hold_id:
        ledger.credits_release(hold=job.hold)


def job_fail(*, job: Generation, code: str, message: str) -> bool:
    """Ends an active job as failed and releases its hold. False when it had already ended."""
    with transaction.atomic():
        ended = Generation.objects.filter(pk=job.pk, status__in=Generation.ACTIVE).update(
            status=Status.FAILED, error_code=code[:40], error_message=str(message)[:500], finished_at=timezone.now(),
            progress_message="")
        if ended:
            _release(job)
    return bool(ended)


def job_cancel(*, job: Generation) -> Generation:
    """A queued job is cancelled (and released) at once; a running one is asked to stop and the
    worker ends it at its next checkpoint."""
    with transaction.atomic():
        if Generation.objects.filter(pk=job.pk, status=Status.QUEUED).update(
                status=Status.CANCELLED, finished_at=timezone.now(), progress_message=""):
            _release(job)
        else:
            Generation.objects.filter(pk=job.pk, status=Status.RUNNING).update(
                cancel_requested=True, progress_message=_("Stopping…"))
    job.refresh_from_db()
    return job


def _stop_if_cancelled(job: Generation) -> None:
    """A checkpoint: ends the job as cancelled (released) when the creator asked, or stops the
    worker when someone else (the sweeper) ended it."""
    current = Generation.objects.filter(pk=job.pk).values("status", "cancel_requested").first()
    if current is None or current["status"] != Status.RUNNING:
        raise _Stop()
    if current["cancel_requested"]:
        with transaction.atomic():
            if Generation.objects.filter(pk=job.pk, status=Status.RUNNING).update(
                    status=Status.CANCELLED, finished_at=timezone.now(), progress_message=""):
                _release(job)
        raise _Stop()


def _progress(job: Generation, percent: int, message: str) -> None:
    Generation.objects.filter(pk=job.pk, status=Status.RUNNING).update(progress=percent, progress_message=message[:200],
                                                                      updated_at=timezone.now())


def _succeed(job: Generation, *, data: bytes, mime: str, model: AIModel, vendor_request_id: str = "",
             duration: float | None = None) -> None:
    """Stores the output (in the creator's storage) and captures the cost of the model used —
    never more than was quoted. If the job ended meanwhile, the stored file is removed again."""
    charged = min(job.credits_quoted, _model_cost(job, model))
    target = TargetRef(job.target_kind, job.target_id, job.project, None)
    asset = media_services.asset_store(
        data=data, mime=mime, owner=job.owner, target=target, source_type=MediaAsset.Source.GENERATED,
        duration=duration or None, generation={
            "model": model.display_name, "prompt": job.prompt, "credits": charged, "vendor_request_id": vendor_request_id,
            "input_hash": job.input_hash, "params": {**job.params, "kind": job.kind, "job": str(job.public_id)}})
    with transaction.atomic():
        done = Generation.objects.filter(pk=job.pk, status=Status.RUNNING).update(
            status=Status.SUCCEEDED, output_asset=asset, model_used=model, cost_charged=charged, progress=100,
            progress_message="", finished_at=timezone.now(), error_code="", error_message="")
        if done:
            ledger.credits_capture(hold=job.hold, amount=charged)
    if not done:
        media_services.asset_delete(asset=asset)
        raise _Stop()


def _model_cost(job: Generation, model: AIModel) -> int:
    spec = SPECS[job.kind]
    params = {"duration": job.params.get("duration")} if spec.type == "video" else \
        {"references": job.params.get("references") or []}
    return router.quote(type=spec.type, model=model, params=params)


# --- the worker ------------------------------------------------------------------------------------

def job_claim(job_id: int) -> Generation | None:
    """Takes a queued job for this worker (None if another delivery or a cancel got there first)."""
    claimed = Generation.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1, progress=5,
        progress_message=_("Starting…"), updated_at=timezone.now())
    if not claimed:
        return None
    return Generation.objects.select_related("owner", "project", "hold__account", "model_requested").get(pk=job_id)


def job_execute(job_id: int) -> None:
    """The task body: claim, run, settle (or back to the queue, with a backoff, after a
    transient provider error)."""
    job = job_claim(job_id)
    if job is None:
        return
    try:
        _stop_if_cancelled(job)
        if job.kind == Kind.ANIMATION:
            _start_animation(job)
        else:
            _make_image(job)
    except _Stop:
        return
    except ProviderError as exc:
        _provider_failed(job, exc)
    except AppError as exc:  # e.g. Drive disconnected since the request
        job_fail(job=job, code=exc.code, message=exc.message)
    except Exception:
        log.exception("generation %s failed", job.public_id)
        job_fail(job=job, code="internal", message=_("Something went wrong on our side. Your credits were not charged."))


def _provider_failed(job: Generation, exc: ProviderError) -> None:
    if exc.permanent or job.attempts >= MAX_ATTEMPTS:
        job_fail(job=job, code=exc.code or "provider_error", message=exc.user_message)
        return
    # Exponential, but never sooner than the failing model's cooldown (the router would skip it)
    # and never more than five minutes. queued_at is when it is due, so the sweeper waits too.
    countdown = int(min(300, max(settings.AI_MODEL_COOLDOWN_SECONDS, 5 * 2 ** (job.attempts - 1))))
    requeued = Generation.objects.filter(pk=job.pk, status=Status.RUNNING).update(
        status=Status.QUEUED, queued_at=timezone.now() + timedelta(seconds=countdown), progress=0,
        progress_message=_("The AI service is busy; trying again shortly…"), updated_at=timezone.now())
    if requeued:
        _enqueue(job, countdown=countdown)


def _open(public_id: str, job: Generation) -> bytes:
    asset = MediaAsset.objects.select_related("owner").filter(public_id=public_id, owner=job.owner,
                                                              deleted_at__isnull=True).first()
    if asset is None:
        raise InvalidJob(_("A reference image was deleted. Pick another one and try again."))
    return media_services.asset_open(asset=asset)


def _make_image(job: Generation) -> None:
    params = job.params
    references = [_open(ref, job) for ref in params.get("references") or []]
    model = job.model_requested or router.default_model(type="image")
    if len(references) > 1 and (model is None or not model.cap_multi_reference or model.max_references < len(references)):
        references = [reference_grid(references)]  # one picture of them all for a one-reference model
    _progress(job, 20, _("Drawing…"))
    call = router.Call(type="image", model=job.model_requested, max_credits=job.credits_quoted, user=job.owner,
                       reference=f"generation:{job.public_id}", params={"references": references})
    request = ImageRequest(prompt=job.prompt, references=references, width=params.get("width", 1024),
                           height=params.get("height", 1024), style=params.get("style", ""),
                           strength=params.get("strength", 0.6), subject=params.get("subject") or {})
    result, used, _usage = router.generate_image(call, request)
    _progress(job, 90, _("Saving…"))
    _stop_if_cancelled(job)
    _succeed(job, data=result.data, mime=result.mime, model=used, vendor_request_id=result.request_id)


def _start_animation(job: Generation) -> None:
    params = job.params
    image = _open(params["source"], job)
    _progress(job, 15, _("Sending to the animator…"))
    call = router.Call(type="video", model=job.model_requested, max_credits=job.credits_quoted, user=job.owner,
                       reference=f"generation:{job.public_id}", params={"duration": params["duration"]})
    request = VideoRequest(image=image, prompt=job.prompt, duration=params["duration"], motion=params["motion"],
                           width=params["width"], height=params["height"])
    video, used, _usage = router.start_video(call, request)
    Generation.objects.filter(pk=job.pk).update(vendor_job_id=video.job_id[:200], model_used=used)
    job.vendor_job_id, job.model_used = video.job_id[:200], used
    _video_state(job, video)


def _video_state(job: Generation, video) -> None:
    """Acts on one answer from the vendor: store a finished video, fail, or poll again later."""
    if video.status == "succeeded":
        if not Generation.objects.filter(pk=job.pk, status=Status.RUNNING, finishing_at__isnull=True).update(
                finishing_at=timezone.now()):
            return  # the webhook's task or another poll is storing it
        _stop_if_cancelled(job)
        _succeed(job, data=video.data, mime=video.mime, model=job.model_used, vendor_request_id=video.request_id,
                 duration=video.duration or job.params.get("duration"))
    elif video.status == "failed":
        error = video.error or ProviderError(_("The animation could not be made."), permanent=True)
        job_fail(job=job, code=error.code or "provider_error", message=error.user_message)
    else:
        _progress(job, max(20, min(95, video.progress or 20)), _("Animating…"))
        _schedule_poll(job)


def _schedule_poll(job: Generation, countdown: int = POLL_SECONDS) -> None:
    from .tasks import poll_generation

    poll_generation.apply_async(args=[job.pk], queue="video", countdown=countdown)


def job_poll(job_id: int) -> None:
    """One check of a running vendor video (scheduled by the worker, or at once by the webhook)."""
    job = Generation.objects.select_related("owner", "project", "hold__account", "model_used").filter(
        pk=job_id, status=Status.RUNNING).exclude(vendor_job_id="").first()
    if job is None or job.model_used is None:
        return
    try:
        _stop_if_cancelled(job)
        video = router.poll_video(model=job.model_used, job_id=job.vendor_job_id)
        _video_state(job, video)
    except _Stop:
        return
    except ProviderError as exc:
        if exc.permanent:
            job_fail(job=job, code=exc.code or "provider_error", message=exc.user_message)
        else:
            _schedule_poll(job, countdown=POLL_SECONDS * 2)  # the sweeper's timeout bounds this
    except AppError as exc:
        job_fail(job=job, code=exc.code, message=exc.message)


def job_vendor_event(*, vendor_job_id: str) -> bool:
    """The vendor says a job changed (a verified webhook): check it now instead of at the next
    poll. False when no running job has that vendor id."""
    job = Generation.objects.filter(vendor_job_id=vendor_job_id, status=Status.RUNNING).first()
    if job is None:
        return False
    from .tasks import poll_generation

    transaction.on_commit(lambda: poll_generation.apply_async(args=[job.pk], queue="video"))
    return True


# --- the sweeper -----------------------------------------------------------------------------------

def jobs_sweep(*, now=None, dry_run: bool = False) -> dict:
    """Re-enqueues queued jobs whose message seems lost (twice at most), then fails — and releases
    — jobs queued or running past their time. Returns counts (with dry_run: what it would do)."""
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0}
    for job in Generation.objects.filter(status=Status.QUEUED, queued_at__lt=now - REQUEUE_AFTER).select_related(
            "hold__account"):
        requeues = int(job.params.get("requeues", 0))
        if dry_run:
            counts["failed" if requeues >= MAX_REQUEUES else "requeued"] += 1
        elif requeues >= MAX_REQUEUES:
            counts["failed"] += job_fail(job=job, code="timeout",
                                         message=_("The job could not be started. Your credits were not charged."))
        elif Generation.objects.filter(pk=job.pk, status=Status.QUEUED, queued_at=job.queued_at).update(
                queued_at=now, params={**job.params, "requeues": requeues + 1}):
            _enqueue(job)
            counts["requeued"] += 1
    for kind, limit in RUNNING_TIMEOUT.items():
        for job in Generation.objects.filter(status=Status.RUNNING, kind=kind, started_at__lt=now - limit
                                             ).select_related("hold__account"):
            counts["failed"] += 1 if dry_run else job_fail(
                job=job, code="timeout", message=_("This took too long and was stopped. Your credits were not charged."))
    return counts


# --- staleness ---------------------------------------------------------------------------------------

def stale_asset_ids(character: Character, assets) -> set:
    """The character's generated images made from an older version of its sheet."""
    current = character_sheet_hash(character)
    return {a.pk for a in assets if (a.params or {}).get("sheet_hash") not in (None, current)}
