"""Lip-sync: a face (a character's sheet, a moodboard image) and a sound (a voice line, or an
uploaded sound file checked by decoding) → a talking video, stored next to the image. Video
plans only (the "lipsync" plan feature), priced per started 10 s of the sound: the length is
known before the run, so the quote is exact; the capture is the price of the video made, never
above the hold. The worker starts it like an animation: at once offline, or a vendor
prediction followed by webhook and polling (worker._video_state)."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from aiproviders import router
from aiproviders.adapters.base import LipSyncRequest
from aiproviders.models import AIModel
from credits.selectors import credit_account_for
from media import audio
from media.models import MediaAsset

from ..models import Generation
from .jobs import InvalidJob, _hash, _request, _usable_image, video_size
from .worker import _open, _progress, _video_state

Kind = Generation.Kind

MAX_SECONDS = 60  # of sound in one lip-sync
MAX_SIDE = 720  # the offline preview's longest side (vendors choose their own)


def lipsync_models():
    return AIModel.objects.select_related("provider").filter(type="video", cap_lipsync=True, enabled=True,
                                                           provider__enabled=True).order_by("priority", "id")


def lipsync_quote(*, user, seconds: float | None, model: AIModel | None = None) -> dict:
    account = credit_account_for(user=user)
    cost = router.quote(type="video", capability="lipsync", model=model, params={"duration": seconds}) if seconds else None
    return {"cost": cost, "seconds": seconds, "available": account.available,
            "lipsync_allowed": account.plan.has_feature("lipsync")}


def frame_size(width: int | None, height: int | None) -> tuple[int, int]:
    """The video frame nearest the image's shape, its longest side at most MAX_SIDE (even sides)."""
    w, h = video_size(width, height)
    scale = min(1.0, MAX_SIDE / max(w, h))
    return round(w * scale / 2) * 2, round(h * scale / 2) * 2


def lipsync_request(*, user, source: MediaAsset, sound: MediaAsset, model: AIModel | None = None,
                    idempotency_key: str = "") -> Generation:
    """A talking video of `source` (an image) saying `sound` (an audio asset of the same project)."""
    if not _usable_image(source):
        raise InvalidJob(_("Lip-sync an image that can still be opened."))
    if sound.media_type != MediaAsset.MediaType.AUDIO or sound.deleted_at is not None or not sound.is_accessible \
            or sound.project_id != source.project_id:
        raise InvalidJob(_("Pick a voice line or a sound file of this project."))
    seconds = float(sound.duration or 0)
    if seconds <= 0:
        raise InvalidJob(_("The length of this sound is not known. Upload it again."))
    if seconds > MAX_SECONDS:
        raise InvalidJob(_("Lip-sync takes at most %(n)s seconds of sound.") % {"n": MAX_SECONDS})
    width, height = frame_size(source.width, source.height)
    params = {"source": str(source.public_id), "audio": str(sound.public_id), "duration": round(seconds, 3),
              "quote_duration": round(seconds, 3), "width": width, "height": height,
              "subject": {"name": sound.file_name}}
    return _request(user=user, project=source.project, kind=Kind.LIPSYNC, target_kind=source.target_kind,
                    target_id=source.target_id, params=params, prompt="", model=model, idempotency_key=idempotency_key,
                    input_hash=_hash(str(source.public_id), str(sound.public_id)),
                    quote_params={"duration": params["quote_duration"]})


def lipsync_start(job: Generation) -> None:
    """The worker's part: the face and the sound (decoded again, as WAV) to the lip-sync model."""
    params = job.params
    image = _open(params["source"], job)
    pcm = audio.decode(_open(params["audio"], job), max_seconds=settings.AUDIO_MAX_SECONDS, max_bytes=10**9)
    wav, _mime = audio.encode(pcm, "wav")
    _progress(job, 15, gettext_noop("Lip-syncing…"))
    call = router.Call(type="video", capability="lipsync", model=job.model_requested, max_credits=job.credits_quoted,
                       user=job.owner, reference=f"generation:{job.public_id}",
                       params={"duration": params["quote_duration"]})
    request = LipSyncRequest(image=image, audio=wav, duration=pcm.duration, width=params["width"],
                             height=params["height"])
    video, used, _usage = router.start_lipsync(call, request)
    Generation.objects.filter(pk=job.pk).update(vendor_job_id=video.job_id[:200], model_used=used)
    job.vendor_job_id, job.model_used = video.job_id[:200], used
    _video_state(job, video)
