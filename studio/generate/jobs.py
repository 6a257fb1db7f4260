"""Requests for visual jobs: character images, moodboards and animations.

    request → guards (storage, a live worker for its queue where required, plan, trial, balance,
    daily limit, concurrency cap) → quote →
    the account locked, checked, the hold and the job row in one short transaction → enqueued
    once committed (queue "image" or "video") → the worker takes it from there (worker.py).

Every ending other than success (failure, cancel, timeout) releases the hold, once: the status
moves with a conditional update and only the caller whose update won settles the hold (and the
ledger's own settle is idempotent too)."""

import math
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.selectors import membership_for
from aiproviders import router
from aiproviders.models import AIModel
from credits import guards, ledger
from credits.exceptions import InsufficientCredits
from credits.selectors import credit_account_for, trial_status
from media import services as media_services
from media.models import MediaAsset
from modo import workers
from modo.after_response import after_response
from modo.cache import digest
from modo.errors import AppError, ServiceUnavailable

from .. import selectors, targets
from ..models import Character, Generation, Moodboard
from . import announce
from .prompts import character_prompt, character_sheet_hash, chosen_presets, moodboard_prompt, moodboard_setting

Kind, Status = Generation.Kind, Generation.Status

DURATIONS = (3, 5, 8)
# The frames an animation can have (what video models commonly offer): the one nearest the source
# image's shape is used, and the image is fitted inside it, never stretched.
VIDEO_SIZES = ((1280, 720), (960, 720), (720, 720), (720, 960), (720, 1280))
MOTIONS = {"zoom_in": gettext_lazy("Slow zoom in"), "zoom_out": gettext_lazy("Slow zoom out"),
           "pan_left": gettext_lazy("Pan left"), "pan_right": gettext_lazy("Pan right")}


@dataclass(frozen=True)
class Spec:
    type: str  # the router's model type
    queue: str
    feature: str = ""  # the plan feature it needs beyond its type's (Plan.feature_<name>)
    variant: str = ""  # the credit cost variant when it is not the router's default (t2i / i2i)
    capability: str = ""  # narrows the models (lip-sync: a video model that lip-syncs) and may pick the cost rule

    @property
    def credits_kind(self) -> str:
        """The kind credits know it by: its cost rule and its plan feature (audio, lipsync, video...)."""
        return router.PRICING_KIND.get(self.capability, self.type)

    @property
    def by_length(self) -> bool:
        """Priced by the seconds it lasts (animations, voice lines, lip-syncs)."""
        return self.type in ("video", "audio")


# Voice lines are short CPU work like images: they share the "image" queue.
SPECS = {Kind.CHARACTER_IMAGE: Spec("image", "image"), Kind.MOODBOARD: Spec("image", "image"),
         Kind.ANIMATION: Spec("video", "video"),
         Kind.UPSCALE: Spec("image", "image", feature="upscale", variant="upscale", capability="upscale"),
         Kind.RESTYLE: Spec("image", "image", feature="restyle"), Kind.VOICE: Spec("audio", "image", capability="tts"),
         Kind.LIPSYNC: Spec("video", "video", capability="lipsync")}


def pricing_params(kind: str, params: dict) -> dict:
    """What prices a job of this kind with these params (the request, a retry and the capture
    use the same): its length for what is priced by length (a voice line's estimated one,
    `quote_duration`, until it is spoken), else its cost variant or its references."""
    spec = SPECS[kind]
    if spec.by_length:
        return {"duration": params.get("quote_duration") or params.get("duration")}
    if spec.variant:
        return {"variant": spec.variant}
    return {"references": params.get("references") or []}


class TooManyJobs(AppError):
    code, status, action = "TOO_MANY_JOBS", 429, "wait"
    default_message = gettext_lazy("You already have the most jobs running at once. Wait for one to finish.")


TEAM_TOO_MANY_JOBS = gettext_lazy("Your team already has the most jobs running at once. Wait for one to finish.")


class MissingReferences(AppError):
    code, status = "MISSING_REFERENCES", 422


class InvalidJob(AppError):
    code, status = "INVALID_INPUT", 422


# --- requests --------------------------------------------------------------------------------------

def _usable_image(asset: MediaAsset | None) -> bool:
    return asset is not None and asset.deleted_at is None and asset.is_image and asset.is_accessible


def paying_account(*, user, project):
    """Who pays for work on `project`: its team's account, or the user's own. The one place the
    studio chooses (the ledger knows nothing of teams)."""
    return credit_account_for(team=project.team) if project is not None and project.team_id else \
        credit_account_for(user=user)


def member_cap(*, user, project) -> int | None:
    """The user's monthly credit cap in the project's team (None: personal, or no cap)."""
    if project is None or not project.team_id:
        return None
    membership = membership_for(user=user, team=project.team)
    return membership.monthly_credit_cap if membership else None


def account_lock_for(*, user, project):
    """The paying account, locked for the caller's transaction (see ledger.account_lock)."""
    if project is not None and project.team_id:
        return ledger.account_lock(account=credit_account_for(team=project.team))
    return ledger.account_lock(user=user)


def job_quote(*, user, kind: str, model: AIModel | None = None, references: int = 0, duration: int | None = None,
              project=None, team=None) -> dict:
    """What the page shows before running: cost, balance and the trial's remaining generations
    (of the project's paying account; without a project, of the workspace's: `team` or personal)."""
    spec = SPECS[kind]
    account = credit_account_for(team=team) if project is None and team is not None else \
        paying_account(user=user, project=project)
    # Voice lines and lip-syncs are quoted for ten seconds unless told.
    default_duration = 10 if spec.capability in ("tts", "lipsync") else None
    params = pricing_params(kind, {"duration": duration or default_duration, "references": [None] * references})
    cost = router.quote(type=spec.type, model=model, params=params, capability=spec.capability)
    trial = trial_status(account)
    return {"cost": cost, "available": account.available, "trial": trial,
            "trial_left": trial["generations_left"] if trial else None,
            "video_allowed": account.plan.has_feature("video"),
            "feature_allowed": not spec.feature or account.plan.has_feature(spec.feature)}


def _request(*, user, project, kind: str, target_kind: str, target_id, params: dict, prompt: str,
             model: AIModel | None, idempotency_key: str, input_hash: str, quote_params: dict,
             subject: str = "") -> Generation:
    idempotency_key = (idempotency_key or "").strip()[:100]
    if idempotency_key:
        existing = Generation.objects.filter(owner=user, idempotency_key=idempotency_key).select_related(
            "project", "output_asset", "model_used").first()
        if existing is not None:
            return existing
    media_services.storage_ready(user=user, team=project.team if project.team_id else None)
    spec = SPECS[kind]
    if settings.GENERATION_REQUIRE_WORKERS and not workers.alive(spec.queue):
        raise ServiceUnavailable(_("No worker is running for this kind of job right now, so nothing was started or "
                                   "charged. Please try again in a few minutes."), retry_after=60)
    # A job may narrow its models further (a lip-sync of a video face: "lipsync_video").
    cost = router.quote(type=spec.type, model=model, params=quote_params, capability=params.get("capability") or spec.capability)

    job = Generation(
        public_id=uuid.uuid4(), owner=user, project=project, kind=kind, target_kind=target_kind, target_id=target_id,
        params=params, prompt=prompt, model_requested=model, credits_quoted=cost, idempotency_key=idempotency_key,
        input_hash=input_hash, queued_at=timezone.now(), progress_message=gettext_noop("Waiting for a worker…"),
    )
    reference = f"generation:{job.public_id}"
    description = charge_description(project, kind, target_kind, target_id, subject)
    try:
        with transaction.atomic():
            # Under the account's row lock a creator's concurrent requests are checked one after
            # another: the cap on running jobs holds, and the daily limit is counted last.
            # A team's project: the team's account, its members' running jobs counted together
            # against the cap, and the member's cap per cycle checked under its lock.
            account = account_lock_for(user=user, project=project)
            if selectors.active_job_count(account=account) >= settings.GENERATION_MAX_ACTIVE:
                raise TooManyJobs(TEAM_TOO_MANY_JOBS if account.team_id else None)
            guards.member_cap_check(account=account, actor=user, cap=member_cap(user=user, project=project), cost=cost)
            guards.generation_check(account=account, kind=spec.credits_kind, cost=cost, feature=spec.feature or None,
                                    premium=bool(model and model.tier == AIModel.Tier.PREMIUM))
            job.hold = ledger.credits_hold(account=account, amount=cost, reference=reference, idempotency_key=reference,
                                           description=description, actor=user)
            job.save(force_insert=True)
            # Sent once committed, after the 202 has gone out (a message lost on the way is sent
            # again by the sweeper: the row is what counts).
            transaction.on_commit(lambda: after_response(lambda: _enqueue(job)))
    except AppError as exc:
        announce.generation_refused_or_failed(user_id=user.pk, reason=f"refused: {exc.code}")
        raise
    except IntegrityError:
        # The same idempotency key sent twice at once: the first one made the job.
        return Generation.objects.select_related("project", "output_asset", "model_used").get(
            owner=user, idempotency_key=idempotency_key)
    return job


def charge_description(project, kind: str, target_kind: str, target_id, subject: str = "") -> dict:
    """What the credit statement says a job's credits were for: its kind (stored in English,
    shown translated), the target's name (looked up when the caller has not named it) and a link
    to the target's page."""
    with translation.override("en"):
        label = str(Kind(kind).label)
    if target_kind not in targets.KINDS or not target_id:
        return {"label": label, "subject": subject or project.title, "url": targets.page_url("project", project.public_id)}
    if not subject:
        target = targets.in_project(project, target_kind, target_id)
        subject = getattr(target, targets.KINDS[target_kind].label, "") if target else ""
    return {"label": label, "subject": subject, "url": targets.page_url(target_kind, target_id)}


def _enqueue(job: Generation, countdown: int = 0) -> None:
    from ..tasks import run_generation

    run_generation.apply_async(args=[job.pk], queue=SPECS[job.kind].queue, countdown=countdown or None)


def character_image_request(*, user, character: Character, prompt: str = "", style: str = "", size: str = "",
                            reference: MediaAsset | None = None, strength: float = 0.6, model: AIModel | None = None,
                            idempotency_key: str = "") -> Generation:
    """An image of the character from its sheet (text-to-image), or from a reference picked among
    the project's assets (image-to-image, `strength` 0 keeps the reference, 1 ignores it)."""
    if reference is not None and (reference.project_id != character.project_id or not _usable_image(reference)):
        raise InvalidJob(_("Pick an image of this project that can still be opened as the reference."))
    style_preset, size_preset = chosen_presets(style=style, size=size)
    built = character_prompt(character, extra=prompt, style=style_preset)
    refs = [str(reference.public_id)] if reference else []
    params = {"extra_prompt": prompt.strip(), "style": style_preset.key if style_preset else "",
              "size": size_preset.key if size_preset else "", "width": size_preset.width if size_preset else 1024,
              "height": size_preset.height if size_preset else 1024, "references": refs,
              "strength": min(1.0, max(0.0, float(strength))), "sheet_hash": character_sheet_hash(character),
              "subject": {"name": character.name, "traits": [t for t in (character.appearance, character.clothing) if t]}}
    return _request(user=user, project=character.project, kind=Kind.CHARACTER_IMAGE, target_kind="character",
                    target_id=character.public_id, params=params, prompt=built, model=model,
                    idempotency_key=idempotency_key, input_hash=digest(params["sheet_hash"], built, refs),
                    quote_params={"references": refs}, subject=character.name)


def sheets_pending(*, user, characters) -> set:
    """The public ids of these characters that have a character image job under way (its image
    will become their sheet)."""
    return set(Generation.objects.filter(owner=user, kind=Kind.CHARACTER_IMAGE, status__in=Generation.ACTIVE,
                                         target_kind="character", target_id__in=[c.public_id for c in characters])
               .values_list("target_id", flat=True))


def sheets_wanted(*, user, characters) -> list[Character]:
    """Of these characters, the ones with no reference sheet and no image on its way."""
    pending = sheets_pending(user=user, characters=characters)
    return [c for c in characters if c.primary_image_id is None and c.public_id not in pending]


def sheets_request(*, user, characters, idempotency_key: str = "") -> tuple[list[Generation], AppError | None]:
    """One character image job for each of these characters that has no reference sheet yet (and
    none on its way); the first image that lands becomes its sheet (worker.py). The whole batch
    is checked first against the balance and the cap on running jobs, so none starts when not all
    can; then each job is an ordinary request with its own guards and hold. Returns the jobs made
    and, when one was refused after others had started, that refusal (a refusal before any job
    is raised: InsufficientCredits, TooManyJobs and the like)."""
    wanted = sheets_wanted(user=user, characters=characters)
    if not wanted:
        return [], None
    quote = job_quote(user=user, kind=Kind.CHARACTER_IMAGE, project=wanted[0].project)
    if quote["cost"] * len(wanted) > quote["available"]:
        raise InsufficientCredits(required=quote["cost"] * len(wanted), available=quote["available"])
    room = settings.GENERATION_MAX_ACTIVE - selectors.active_job_count(
        account=paying_account(user=user, project=wanted[0].project))
    if len(wanted) > room:
        raise TooManyJobs(_("That makes %(n)s images and you can run %(room)s more jobs at once now. "
                            "Wait for a job to finish, or give some characters a sheet on their page.")
                          % {"n": len(wanted), "room": max(0, room)})
    made = []
    for character in wanted:
        key = f"{idempotency_key}:{character.public_id}" if idempotency_key else ""
        try:
            made.append(character_image_request(user=user, character=character, idempotency_key=key))
        except AppError as exc:
            if not made:
                raise
            return made, exc
    return made, None


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
    style_preset, size_preset = chosen_presets(style=style, size=size or "landscape-m")
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
                    idempotency_key=idempotency_key, input_hash=digest(built, refs), quote_params={"references": refs},
                    subject=moodboard.title)


def video_size(width: int | None, height: int | None) -> tuple[int, int]:
    """The allowed video frame nearest in shape to an image of width × height (16:9 when unknown)."""
    if not width or not height:
        return VIDEO_SIZES[0]
    return min(VIDEO_SIZES, key=lambda size: abs(math.log((size[0] / size[1]) / (width / height))))


def animation_request(*, user, source: MediaAsset, duration: int, motion: str = "zoom_in", prompt: str = "",
                      model: AIModel | None = None, idempotency_key: str = "") -> Generation:
    """A short video from an image asset (a moodboard image, a character sheet, an upload...),
    stored next to its source. Video needs a plan that includes it (PLAN_REQUIRED)."""
    if not _usable_image(source):
        raise InvalidJob(_("Animate an image that can still be opened."))
    if duration not in DURATIONS:
        raise InvalidJob(_("Choose 3, 5 or 8 seconds."))
    motion = motion if motion in MOTIONS else "zoom_in"
    width, height = video_size(source.width, source.height)
    params = {"source": str(source.public_id), "duration": duration, "motion": motion,
              "width": width, "height": height, "extra_prompt": prompt.strip()}
    return _request(user=user, project=source.project, kind=Kind.ANIMATION, target_kind=source.target_kind,
                    target_id=source.target_id, params=params, prompt=prompt.strip(), model=model,
                    idempotency_key=idempotency_key, input_hash=digest(str(source.public_id), duration, motion, prompt),
                    quote_params={"duration": duration})


def job_retry(*, job: Generation, user=None) -> Generation:
    """A failed or cancelled job again, as a new job with the same parameters (and a new hold),
    asked by `user` (a team's member retrying a teammate's job pays as themself; default: the
    job's creator)."""
    if job.is_active or job.status == Status.SUCCEEDED:
        raise InvalidJob(_("Only a failed or cancelled job can be retried."))
    params = {k: v for k, v in job.params.items() if k != "requeues"}  # the sweeper's count starts anew
    return _request(user=user or job.owner, project=job.project, kind=job.kind, target_kind=job.target_kind,
                    target_id=job.target_id, params=params, prompt=job.prompt, model=job.model_requested,
                    idempotency_key="", input_hash=job.input_hash, quote_params=pricing_params(job.kind, params),
                    subject=(job.params.get("subject") or {}).get("name", ""))


# --- settling ---------------------------------------------------------------------------------------

def _release(job: Generation) -> None:
    if job.hold_id:
        ledger.credits_release(hold=job.hold, actor=job.owner_id)


def job_fail(*, job: Generation, code: str, message: str, params: dict | None = None) -> bool:
    """Ends an active job as failed and releases its hold. False when it had already ended.
    `message` is an English msgid and `params` its parameters: the page translates them for its reader."""
    with transaction.atomic():
        ended = Generation.objects.filter(pk=job.pk, status__in=Generation.ACTIVE).update(
            status=Status.FAILED, error_code=code[:40], error_message=str(message)[:500], error_params=params or {},
            finished_at=timezone.now(), progress_message="")
        if ended:
            _release(job)
            announce.job_ended_on_commit(job)
    if ended:
        announce.generation_refused_or_failed(user_id=job.owner_id, reason=f"failed: {code}")
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
                cancel_requested=True, progress_message=gettext_noop("Stopping…"))
    job.refresh_from_db()
    return job




def job_refund(*, job: Generation, actor, reason: str = ""):
    """Gives the creator back what a finished job was charged (support's "refund this job"), into
    the buckets it came from. Once per job, however often it is asked: a repeat returns the first
    refund's ledger entry. None when the job was charged nothing."""
    if job.status != Status.SUCCEEDED or not job.hold_id:
        raise InvalidJob(_("Only a finished job can be refunded."))
    return ledger.credits_refund(account=job.hold.account, reference=job.hold.reference, actor=actor,
                                 reason=reason)
