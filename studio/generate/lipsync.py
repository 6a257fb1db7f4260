"""Lip-sync: a face (a character's sheet, a moodboard image — or a video: an animation clip, an
uploaded video) and a sound (a voice line, or an uploaded sound file checked by decoding) → a
talking video, stored next to the face. Video plans only (the "lipsync" plan feature), priced per
started 10 s of the sound: the length is known before the run, so the quote is exact; the capture
is the price of the video made, never above the hold. The worker starts it like an animation: at
once offline, or a vendor prediction followed by webhook and polling (worker._video_state).

A video face is checked before anything is held: within the size and length caps, its pictures
decode (media/video.py), and a lip-sync model that takes a video (cap_lipsync_video) is asked
for or switched on — a picture-only model (SadTalker) is refused one (VIDEO_FACE_UNSUPPORTED).
Such a job carries `capability: "lipsync_video"`, so its quote and its fallbacks are among the
models that take a video."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from aiproviders import router
from aiproviders.adapters.base import LipSyncRequest
from aiproviders.models import AIModel
from credits.selectors import credit_account_for
from media import audio, video
from media import services as media_services
from media.models import MediaAsset
from modo.cache import digest
from modo.errors import AppError
from modo.imaging import FileTooLarge

from ..models import Generation
from .jobs import InvalidJob, _request, _usable_image, video_size
from .worker import _open, _progress, _video_state

Kind = Generation.Kind

MAX_SECONDS = 60  # of sound in one lip-sync
MAX_SIDE = 720  # the offline preview's longest side (vendors choose their own)


class VideoFaceUnsupported(AppError):
    code, status = "VIDEO_FACE_UNSUPPORTED", 422
    default_message = gettext_lazy("This lip-sync model takes a picture as the face, not a video. "
                                    "Pick a picture, or a model that takes a video.")


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


def _video_face(source: MediaAsset, model: AIModel | None) -> video.VideoInfo:
    """A video face checked before any hold: a model that takes one, the stored size and length
    within the caps (413 / 422), and its pictures decoding (422). Its shape and length come back."""
    if source.deleted_at is not None or not source.is_accessible:
        raise InvalidJob(_("Lip-sync a video that can still be opened."))
    if model is not None and not model.cap_lipsync_video:
        raise VideoFaceUnsupported(model=model.pk)
    if model is None and not lipsync_models().filter(cap_lipsync_video=True).exists():
        raise VideoFaceUnsupported(_("No lip-sync model that takes a video is switched on. Pick a picture as the face."))
    if source.size and source.size > settings.VIDEO_UPLOAD_MAX_BYTES:
        raise FileTooLarge()
    if source.duration and source.duration > settings.VIDEO_MAX_SECONDS + 0.5:
        raise video.VideoRejected(_("This video is too long: at most %(n)s seconds.") % {"n": settings.VIDEO_MAX_SECONDS})
    return video.inspect(media_services.asset_open(asset=source))


def lipsync_request(*, user, source: MediaAsset, sound: MediaAsset, model: AIModel | None = None,
                    idempotency_key: str = "") -> Generation:
    """A talking video of `source` (an image, or a video of the project: looped or cut to the
    sound's length) saying `sound` (an audio asset of the same project). Raises InvalidJob,
    VideoFaceUnsupported, VideoRejected (422) and FileTooLarge (413) before the pipeline's own
    refusals — all before any hold."""
    face_video = source.media_type == MediaAsset.MediaType.VIDEO
    if not face_video and not _usable_image(source):
        raise InvalidJob(_("Lip-sync an image that can still be opened."))
    if sound.media_type != MediaAsset.MediaType.AUDIO or sound.deleted_at is not None or not sound.is_accessible \
            or sound.project_id != source.project_id:
        raise InvalidJob(_("Pick a voice line or a sound file of this project."))
    seconds = float(sound.duration or 0)
    if seconds <= 0:
        raise InvalidJob(_("The length of this sound is not known. Upload it again."))
    if seconds > MAX_SECONDS:
        raise InvalidJob(_("Lip-sync takes at most %(n)s seconds of sound.") % {"n": MAX_SECONDS})
    face = {}
    if face_video:
        info = _video_face(source, model)
        width, height = frame_size(info.width, info.height)
        face = {"face": "video", "capability": "lipsync_video"}
    else:
        width, height = frame_size(source.width, source.height)
    params = {"source": str(source.public_id), "audio": str(sound.public_id), "duration": round(seconds, 3),
              "quote_duration": round(seconds, 3), "width": width, "height": height,
              "subject": {"name": sound.file_name}, **face}
    return _request(user=user, project=source.project, kind=Kind.LIPSYNC, target_kind=source.target_kind,
                    target_id=source.target_id, params=params, prompt="", model=model, idempotency_key=idempotency_key,
                    input_hash=digest(str(source.public_id), str(sound.public_id)),
                    quote_params={"duration": params["quote_duration"]})


def lipsync_start(job: Generation) -> None:
    """The worker's part: the face (a picture or a video) and the sound (decoded again, as WAV) to
    the lip-sync model (one that takes a video, for a video face)."""
    params = job.params
    face = _open(params["source"], job)
    pcm = audio.decode(_open(params["audio"], job), max_seconds=settings.AUDIO_MAX_SECONDS, max_bytes=10**9)
    wav, _mime = audio.encode(pcm, "wav")
    _progress(job, 15, gettext_noop("Lip-syncing…"))
    call = router.Call(type="video", capability=params.get("capability") or "lipsync", model=job.model_requested,
                       max_credits=job.credits_quoted, user=job.owner, reference=f"generation:{job.public_id}",
                       params={"duration": params["quote_duration"]})
    is_video = params.get("face") == "video"
    request = LipSyncRequest(image=b"" if is_video else face, video=face if is_video else b"", audio=wav,
                             duration=pcm.duration, width=params["width"], height=params["height"])
    started, used, _usage = router.start_lipsync(call, request)
    Generation.objects.filter(pk=job.pk).update(vendor_job_id=started.job_id[:200], model_used=used)
    job.vendor_job_id, job.model_used = started.job_id[:200], used
    _video_state(job, started)
