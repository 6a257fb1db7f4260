"""What a Celery worker does with a visual job: claim it with a conditional update, call the
router (the provider), store the output as a MediaAsset, capture the hold — or release it on
every other ending. Transient provider errors put the job back in the queue with a bounded
exponential backoff (MAX_ATTEMPTS in all); the sweeper re-enqueues lost messages and fails
jobs past their time. No transaction is held while a provider or a storage is called.

A running job is leased to its worker (Generation.lease_expires_at), renewed at every progress
update and by a small thread while a long call blocks. A worker killed mid-job stops renewing:
once the lease has expired, the sweeper (every minute) or a redelivered message claims the job
again — MAX_ATTEMPTS in all, then it fails and its hold is released. Every write of the worker
names the attempt it holds, so a worker presumed dead that wakes up cannot settle a job taken over."""

import functools
import io
import logging
import math
import threading
from datetime import timedelta

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_noop
from PIL import Image

from aiproviders import router
from aiproviders.adapters import ProviderError
from aiproviders.adapters.base import ImageRequest, UpscaleRequest, VideoRequest
from aiproviders.models import AIModel
from credits import ledger
from media import services as media_services
from media.models import MediaAsset
from media.selectors import TargetRef
from modo.errors import AppError

from .. import targets
from ..gallery import services as gallery_services
from ..models import Generation
from . import announce
from .jobs import SPECS, InvalidJob, _enqueue, _release, job_fail, pricing_params

log = logging.getLogger(__name__)

Kind, Status = Generation.Kind, Generation.Status

MAX_ATTEMPTS = 3  # worker attempts of one job (each may itself retry and fall back in the router)
REQUEUE_AFTER = timedelta(minutes=2)  # a queued job not started by then had its message lost
MAX_REQUEUES = 2
RUNNING_TIMEOUT = {Kind.CHARACTER_IMAGE: timedelta(minutes=10), Kind.MOODBOARD: timedelta(minutes=10),
                   Kind.ANIMATION: timedelta(minutes=30), Kind.UPSCALE: timedelta(minutes=10),
                   Kind.RESTYLE: timedelta(minutes=10), Kind.VOICE: timedelta(minutes=10),
                   Kind.LIPSYNC: timedelta(minutes=30)}
# Kinds whose output is made from one source image (params["source"]): the asset records it.
DERIVED = (Kind.UPSCALE, Kind.RESTYLE)
POLL_SECONDS = 5
THUMBNAIL_GRACE = timedelta(minutes=2)  # a thumbnail not made by then had its message lost


# The worker has no reader: what it stores (progress and failure messages) is the English msgid
# with its parameters, translated when a page shows it (Generation.progress_text / error_text).
# Its entry points run with no language at all, so that refusals built from lazy translations
# (AppError) are stored as their msgid too, whatever language the process was left in.
def without_language(func):
    @functools.wraps(func)
    def run(*args, **kwargs):
        with translation.override(None):
            return func(*args, **kwargs)
    return run


class _Stop(Exception):
    """The job ended while the worker was busy with it (cancelled, or settled elsewhere)."""

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



def _lease() -> timedelta:
    return timedelta(seconds=settings.GENERATION_LEASE_SECONDS)


def _mine(job: Generation):
    """The job as long as this worker still holds it: running, and not claimed again since."""
    return Generation.objects.filter(pk=job.pk, status=Status.RUNNING, attempts=job.attempts)


def _renew(job: Generation) -> int:
    return _mine(job).update(lease_expires_at=timezone.now() + _lease())


class _LeaseKept:
    """Renews the job's lease every third of it while the worker is busy with a call that
    reports no progress (a provider, a storage). Dies with the worker, which is the point."""

    def __init__(self, job: Generation):
        self.job, self.done = job, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name=f"lease-{job.pk}")

    def _run(self):
        try:
            while not self.done.wait(settings.GENERATION_LEASE_SECONDS / 3):
                _renew(self.job)
        except Exception:
            log.warning("could not renew the lease of generation %s", self.job.public_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connection

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join()


def _stop_if_cancelled(job: Generation) -> None:
    """A checkpoint: ends the job as cancelled (released) when the creator asked, or stops the
    worker when someone else (the sweeper, another worker) ended or took it."""
    current = Generation.objects.filter(pk=job.pk).values("status", "cancel_requested", "attempts").first()
    if current is None or current["status"] != Status.RUNNING or current["attempts"] != job.attempts:
        raise _Stop()
    if current["cancel_requested"]:
        with transaction.atomic():
            if _mine(job).update(
                    status=Status.CANCELLED, finished_at=timezone.now(), progress_message=""):
                _release(job)
        raise _Stop()


def _progress(job: Generation, percent: int, message: str) -> None:
    """Shows the creator how far it got, and renews the lease (a heartbeat)."""
    _mine(job).update(progress=percent, progress_message=message[:200], updated_at=timezone.now(),
                      lease_expires_at=timezone.now() + _lease())


def _succeed(job: Generation, *, data: bytes, mime: str, model: AIModel, vendor_request_id: str = "",
             duration: float | None = None) -> None:
    """Stores the output (in the creator's storage, under a readable name) and captures the cost
    of the model used — never more than was quoted; a character's first image becomes its
    reference sheet in the same transaction. If the job ended meanwhile, the stored file is
    removed again."""
    charged = min(job.credits_quoted, _model_cost(job, model, duration))
    target = TargetRef(job.target_kind, job.target_id, job.project, None)
    source = MediaAsset.objects.filter(public_id=job.params["source"], owner=job.owner).first() \
        if job.kind in DERIVED and job.params.get("source") else None
    asset = media_services.asset_store(
        data=data, mime=mime, owner=job.owner, target=target, source_type=MediaAsset.Source.GENERATED,
        duration=duration or None, file_name=download_name(job, mime), derived_from=source, generation={
            "model": model.display_name, "prompt": job.prompt, "credits": charged, "vendor_request_id": vendor_request_id,
            "input_hash": job.input_hash, "params": {**job.params, "kind": job.kind, "job": str(job.public_id)}})
    with transaction.atomic():
        done = _mine(job).update(
            status=Status.SUCCEEDED, output_asset=asset, model_used=model, cost_charged=charged, progress=100,
            progress_message="", finished_at=timezone.now(), error_code="", error_message="", error_params={},
            lease_expires_at=None)
        if done:
            ledger.credits_capture(hold=job.hold, amount=charged, actor=job.owner_id)
            gallery_services.sheet_set_if_missing(asset=asset)  # a character's first image is its sheet
            announce.job_ended_on_commit(job)
    if not done:
        media_services.asset_delete(asset=asset)
        raise _Stop()


KIND_WORDS = {Kind.CHARACTER_IMAGE: "sheet", Kind.MOODBOARD: "moodboard", Kind.ANIMATION: "animation",
              Kind.UPSCALE: "upscaled", Kind.RESTYLE: "restyled", Kind.VOICE: "voice", Kind.LIPSYNC: "lipsync"}


def download_name(job: Generation, mime: str) -> str:
    """A readable file name for the output, e.g. laras-wening-sheet-2026-12-03.png or
    night-market-animation-5s.mp4: what it shows, what it is, and its date (or length). Media
    stores it as the asset's file name and sends it with downloads."""
    kind = targets.KINDS.get(job.target_kind)
    obj = targets.in_project(job.project, job.target_kind, job.target_id) if kind else None
    name = getattr(obj, kind.label, "") if obj is not None else ""
    stem = slugify(name, allow_unicode=True)[:80].strip("-") or job.target_kind
    when = f"{job.params.get('duration')}s" if job.kind == Kind.ANIMATION else f"{timezone.localdate():%Y-%m-%d}"
    return f"{stem}-{KIND_WORDS.get(job.kind, 'image')}-{when}.{media_services.extension(mime)}"


def _model_cost(job: Generation, model: AIModel, duration: float | None = None) -> int:
    """What the model used charges for this job. Voice lines and lip-syncs are priced by the
    length of what was made (`duration`), never above the hold (the caller takes the minimum)."""
    spec, params = SPECS[job.kind], pricing_params(job.kind, job.params)
    if duration is not None and "quote_duration" in job.params:
        params = {"duration": duration}
    return router.quote(type=spec.type, model=model, params=params, capability=spec.capability)


# --- the worker ------------------------------------------------------------------------------------

def _orphaned(now) -> Q:
    """Running jobs whose worker stopped renewing their lease (killed, or cut off)."""
    return Q(status=Status.RUNNING, lease_expires_at__lt=now)


def job_claim(job_id: int) -> Generation | None:
    """Takes a queued job — or an orphaned one with attempts left — for this worker (None if
    another delivery, a cancel or a live worker has it)."""
    now = timezone.now()
    orphan = _orphaned(now) & Q(attempts__lt=MAX_ATTEMPTS, cancel_requested=False)  # else the sweeper ends it
    claimed = Generation.objects.filter(Q(status=Status.QUEUED) | orphan, pk=job_id).update(
        status=Status.RUNNING, started_at=now, attempts=F("attempts") + 1, lease_expires_at=now + _lease(),
        progress=5, progress_message=Case(When(attempts__gt=0, then=Value(gettext_noop("Retrying…"))),
                                           default=Value(gettext_noop("Starting…"))),
        updated_at=now)
    if not claimed:
        return None
    return Generation.objects.select_related("owner", "project", "hold__account", "model_requested").get(pk=job_id)


@without_language
def job_execute(job_id: int) -> None:
    """The task body: claim, run, settle (or back to the queue, with a backoff, after a
    transient provider error)."""
    job = job_claim(job_id)
    if job is None:
        return
    try:
        _stop_if_cancelled(job)
        with _LeaseKept(job):
            if job.kind in (Kind.ANIMATION, Kind.LIPSYNC) and job.vendor_job_id and job.model_used_id:
                _schedule_poll(job, countdown=0)  # taken over: the vendor is still making it
            elif job.kind == Kind.ANIMATION:
                _start_animation(job)
            elif job.kind == Kind.UPSCALE:
                _make_upscale(job)
            elif job.kind in (Kind.VOICE, Kind.LIPSYNC):
                from . import lipsync, voice  # they build on this module

                (voice.voice_run if job.kind == Kind.VOICE else lipsync.lipsync_start)(job)
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
        job_fail(job=job, code="internal", message=gettext_noop("Something went wrong on our side. Your credits were not charged."))


def _provider_failed(job: Generation, exc: ProviderError) -> None:
    if exc.permanent or job.attempts >= MAX_ATTEMPTS:
        job_fail(job=job, code=exc.code or "provider_error", message=exc.user_message, params=exc.params)
        return
    # Exponential, but never sooner than the failing model's cooldown (the router would skip it)
    # and never more than five minutes. queued_at is when it is due, so the sweeper waits too.
    countdown = int(min(300, max(settings.AI_MODEL_COOLDOWN_SECONDS, 5 * 2 ** (job.attempts - 1))))
    requeued = _mine(job).update(
        status=Status.QUEUED, queued_at=timezone.now() + timedelta(seconds=countdown), progress=0, lease_expires_at=None,
        progress_message=gettext_noop("The AI service is busy; trying again shortly…"), updated_at=timezone.now())
    if requeued:
        _enqueue(job, countdown=countdown)


def _open(public_id: str, job: Generation) -> bytes:
    asset = MediaAsset.objects.select_related("owner").filter(public_id=public_id, owner=job.owner,
                                                              deleted_at__isnull=True).first()
    if asset is None:
        raise InvalidJob(gettext_noop("A reference image was deleted. Pick another one and try again."))
    return media_services.asset_open(asset=asset)


def _make_image(job: Generation) -> None:
    params = job.params
    references = [_open(ref, job) for ref in params.get("references") or []]
    model = job.model_requested or router.default_model(type="image")
    takes_all = model is not None and model.cap_multi_reference and model.max_references >= len(references)
    if len(references) > 1 and not takes_all and (
            job.model_requested is not None or router.multi_reference_model(count=len(references)) is None):
        references = [reference_grid(references)]  # one picture of them all for a one-reference model
    _progress(job, 20, gettext_noop("Drawing…"))
    call = router.Call(type="image", model=job.model_requested, max_credits=job.credits_quoted, user=job.owner,
                       reference=f"generation:{job.public_id}", params={"references": references})
    request = ImageRequest(prompt=job.prompt, references=references, width=params.get("width", 1024),
                           height=params.get("height", 1024), style=params.get("style", ""),
                           strength=params.get("strength", 0.6), subject=params.get("subject") or {})
    result, used, _usage = router.generate_image(call, request)
    _progress(job, 90, gettext_noop("Saving…"))
    _stop_if_cancelled(job)
    _succeed(job, data=result.data, mime=result.mime, model=used, vendor_request_id=result.request_id)


def _make_upscale(job: Generation) -> None:
    image = _open(job.params["source"], job)
    _progress(job, 20, gettext_noop("Upscaling…"))
    call = router.Call(type="image", model=job.model_requested, max_credits=job.credits_quoted, user=job.owner,
                       reference=f"generation:{job.public_id}")
    result, used, _usage = router.upscale_image(call, UpscaleRequest(image=image, scale=job.params["scale"]))
    _progress(job, 90, gettext_noop("Saving…"))
    _stop_if_cancelled(job)
    _succeed(job, data=result.data, mime=result.mime, model=used, vendor_request_id=result.request_id)


def _start_animation(job: Generation) -> None:
    params = job.params
    image = _open(params["source"], job)
    _progress(job, 15, gettext_noop("Sending to the animator…"))
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
        error = video.error or ProviderError(gettext_noop("The animation could not be made."), permanent=True)
        job_fail(job=job, code=error.code or "provider_error", message=error.user_message, params=error.params)
    else:
        _progress(job, max(20, min(95, video.progress or 20)), gettext_noop("Animating…"))
        _schedule_poll(job)


def _schedule_poll(job: Generation, countdown: int = POLL_SECONDS) -> None:
    from ..tasks import poll_generation

    poll_generation.apply_async(args=[job.pk], queue="video", countdown=countdown)


@without_language
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
            job_fail(job=job, code=exc.code or "provider_error", message=exc.user_message, params=exc.params)
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
    from ..tasks import poll_generation

    transaction.on_commit(lambda: poll_generation.apply_async(args=[job.pk], queue="video"))
    return True


# --- the sweeper -----------------------------------------------------------------------------------

def _cancel_orphan(job: Generation, now) -> bool:
    """The creator asked to stop a job whose worker then died: cancelled, and released."""
    with transaction.atomic():
        ended = Generation.objects.filter(_orphaned(now), pk=job.pk).update(
            status=Status.CANCELLED, finished_at=now, progress_message="", lease_expires_at=None)
        if ended:
            _release(job)
    return bool(ended)


@without_language
def jobs_sweep(*, now=None, dry_run: bool = False) -> dict:
    """Re-enqueues queued jobs whose message seems lost (twice at most), fails — and releases —
    jobs queued or running past their time, then puts orphaned jobs (lease expired: their worker
    died) back in the queue, or fails them once out of attempts. Returns counts (with dry_run:
    what it would do)."""
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0}
    for job in Generation.objects.filter(status=Status.QUEUED, queued_at__lt=now - REQUEUE_AFTER).select_related(
            "hold__account"):
        requeues = int(job.params.get("requeues", 0))
        if dry_run:
            counts["failed" if requeues >= MAX_REQUEUES else "requeued"] += 1
        elif requeues >= MAX_REQUEUES:
            counts["failed"] += job_fail(job=job, code="timeout",
                                         message=gettext_noop("The job could not be started. Your credits were not charged."))
        elif Generation.objects.filter(pk=job.pk, status=Status.QUEUED, queued_at=job.queued_at).update(
                queued_at=now, params={**job.params, "requeues": requeues + 1}):
            _enqueue(job)
            counts["requeued"] += 1
    for kind, limit in RUNNING_TIMEOUT.items():
        for job in Generation.objects.filter(status=Status.RUNNING, kind=kind, started_at__lt=now - limit
                                             ).select_related("hold__account"):
            counts["failed"] += 1 if dry_run else job_fail(
                job=job, code="timeout", message=gettext_noop("This took too long and was stopped. Your credits were not charged."))
    for job in Generation.objects.filter(_orphaned(now)).select_related("hold__account"):
        if job.cancel_requested:
            counts["failed"] += 1 if dry_run else _cancel_orphan(job, now)
        elif job.attempts >= MAX_ATTEMPTS:
            counts["failed"] += 1 if dry_run else job_fail(
                job=job, code="worker_lost", message=gettext_noop("The job was interrupted too often. Your credits were not charged."))
        elif dry_run:
            counts["requeued"] += 1
        elif Generation.objects.filter(_orphaned(now), pk=job.pk, attempts=job.attempts).update(
                status=Status.QUEUED, queued_at=now, lease_expires_at=None, progress=0,
                progress_message=gettext_noop("Retrying…"), updated_at=now):
            _enqueue(job)  # the claim takes it as any queued job, and counts the attempt
            counts["requeued"] += 1
    if not dry_run:  # side effects after a result was stored are retried here, never failed on
        media_services.thumbnails_queue_missing(before=now - THUMBNAIL_GRACE)
    return counts


