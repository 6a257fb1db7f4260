"""LocalAdapter, the offline provider: no network, no key, the embedded default on a fresh install.

    generate_text  writes one field's text from the bible's own data (request.context): only the
                   text that goes into the field, no label, title or note (the panel says it is
                   offline: text.offline_label); the length the creator asked for; deterministic
                   for the same input. In Bahasa Indonesia when context["language"] is "id",
                   otherwise in English.
    generate_image renders a title card from the prompt (t2i), stylises one reference (i2i) or
                   composites several (multi-reference) with Pillow; PNG of exactly width×height.
    upscale_image  enlarges an image 2× or 4× by resampling (upscale.py: Lanczos + a mild unsharp
                   mask), honest about being a resample; JPEG out, PNG when it has transparency.
    start_video    animates an image with an eased pan/zoom into an H.264 MP4 (PyAV), at once:
                   the returned job has already succeeded. Nothing is stored between calls, so
                   poll_video only explains that (a failed, permanent job) instead of keeping MP4
                   bytes in process memory that another worker could never see anyway.
    speak          English or Indonesian speech with eSpeak NG (speech.py): a WAV.
    start_lipsync  an offline preview (lipsync.py): the face — a picture, or a video's pictures
                   looped or cut to the sound's length — pulsing with the sound's loudness, the
                   sound muxed in; succeeded at once, like start_video.

This module checks the request (sizes, durations, strength, reference count) and delegates the
work: text.py and writers.py write the draft, title_card.py, image_styles.py and images.py draw the pictures,
video.py encodes the MP4. Bad inputs (unreadable or oversized references, sizes or durations out
of range) raise ProviderError(permanent=True); nothing here is worth retrying."""

import hashlib
import math
from collections.abc import Iterator

from django.utils.translation import gettext_noop
from PIL import Image

from ..base import (
    Adapter,
    ImageRequest,
    ImageResult,
    LipSyncRequest,
    ProviderError,
    SpeechRequest,
    SpeechResult,
    TextRequest,
    UpscaleRequest,
    Usage,
    VideoJob,
    VideoRequest,
    Voice,
)
from . import speech
from .image_styles import stylise
from .images import _palette, _png, composite, cover, decode_image
from .lipsync import render_lipsync, render_lipsync_video
from .seeding import _digest
from .text import _chunks, _request_text, _tokens, _words, draft_text
from .title_card import render_card
from .upscale import upscale
from .video import FPS, MOTIONS, render_video

MAX_REFERENCES = 16
MIN_SIDE, MAX_IMAGE_SIDE = 16, 4096
MAX_VIDEO_SIDE, MAX_VIDEO_PIXELS = 1920, 1920 * 1080


class LocalAdapter(Adapter):
    """Offline drafts, images and videos. Never touches the network; never raises a transient
    error (the same input would fail the same way)."""

    kind = "local"

    def generate_text(self, model_id: str, request: TextRequest) -> Iterator[str | Usage]:
        text = draft_text(request)
        yield from _chunks(text)
        # Tokens are estimated, not counted: about four tokens for three words (English or Indonesian).
        yield Usage(
            input_tokens=_tokens(_words(_request_text(request))),
            output_tokens=_tokens(_words(text)),
            request_id="local-" + _digest(request.prompt, request.system, request.messages, request.context)[:12],
        )

    def generate_image(self, model_id: str, request: ImageRequest) -> ImageResult:
        width, height = _checked_size(request.width, request.height, MAX_IMAGE_SIDE, MAX_IMAGE_SIDE**2)
        if len(request.references) > MAX_REFERENCES:
            raise ProviderError(gettext_noop("Use at most %(n)s reference images."), permanent=True, code="bad_request",
                                params={"n": MAX_REFERENCES})
        strength = _strength(request.strength)
        if not request.references:
            image = render_card(request.prompt, request.subject or {}, width, height)
        elif len(request.references) == 1:
            source = cover(decode_image(request.references[0], fit=(width, height)), width, height)
            image = Image.blend(source, stylise(source, request.style), strength)
        else:
            collage = composite(request.references, width, height, _palette(request.prompt or "collage"))
            image = Image.blend(collage, stylise(collage, request.style), strength)
        data = _png(image)
        return ImageResult(data=data, mime="image/png", width=width, height=height,
                           request_id="local-" + hashlib.sha256(data).hexdigest()[:12])

    def upscale_image(self, model_id: str, request: UpscaleRequest) -> ImageResult:
        data, mime, width, height = upscale(request.image, request.scale)
        return ImageResult(data=data, mime=mime, width=width, height=height,
                           request_id="local-" + hashlib.sha256(data).hexdigest()[:12])

    def start_video(self, model_id: str, request: VideoRequest) -> VideoJob:
        duration = _checked_duration(request.duration)
        width, height = _checked_size(request.width, request.height, MAX_VIDEO_SIDE, MAX_VIDEO_PIXELS, even=True)
        motion = request.motion if request.motion in MOTIONS else "zoom_in"
        source = decode_image(request.image, fit=(width, height))
        job_id = "local-" + _digest(hashlib.sha256(request.image).hexdigest(), duration, motion, width, height)[:16]
        data, frames = render_video(source, width=width, height=height, seconds=duration, motion=motion)
        return VideoJob(job_id=job_id, status="succeeded", progress=100, data=data, request_id=job_id,
                        duration=frames / FPS)

    def poll_video(self, model_id: str, job_id: str) -> VideoJob:
        return VideoJob(job_id=job_id, status="failed", error=ProviderError(
            gettext_noop("This offline video is no longer available. Please make it again."), permanent=True, code="not_found",
            detail="the local provider returns videos from start_video and keeps no jobs to poll",
        ))

    def speak(self, model_id: str, request: SpeechRequest) -> SpeechResult:
        return speech.speak(request)

    def voices(self, model_id: str) -> list[Voice]:
        return speech.voices()

    def start_lipsync(self, model_id: str, request: LipSyncRequest) -> VideoJob:
        width, height = _checked_size(request.width, request.height, MAX_VIDEO_SIDE, MAX_VIDEO_PIXELS, even=True)
        face = request.video or request.image
        job_id = "local-lipsync-" + _digest(hashlib.sha256(face + request.audio).hexdigest(), width, height)[:16]
        if request.video:
            data, seconds = render_lipsync_video(request.video, request.audio, width=width, height=height)
        else:
            source = decode_image(request.image, fit=(width, height))
            data, seconds = render_lipsync(source, request.audio, width=width, height=height)
        return VideoJob(job_id=job_id, status="succeeded", progress=100, data=data, request_id=job_id, duration=seconds)

    def test_connection(self) -> str:
        return "Offline provider ready (no network needed)"


def _checked_size(width, height, max_side: int, max_pixels: int, *, even: bool = False) -> tuple[int, int]:
    try:
        width, height = int(width), int(height)
    except (TypeError, ValueError):
        width = height = 0
    ok = MIN_SIDE <= width <= max_side and MIN_SIDE <= height <= max_side and width * height <= max_pixels
    if even and (width % 2 or height % 2):
        ok = False
    if not ok:
        raise ProviderError(gettext_noop("That size is not supported."), permanent=True, code="bad_request",
                            detail=f"size {width}x{height} outside {MIN_SIDE}..{max_side} (max {max_pixels} px, even={even})")
    return width, height


def _checked_duration(duration) -> int:
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) or not 1 <= duration <= 10 \
            or duration != int(duration):
        raise ProviderError(gettext_noop("Videos can be 1 to 10 seconds long."), permanent=True, code="bad_request",
                            detail=f"duration {duration!r}")
    return int(duration)


def _strength(value) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return 0.6
    return 0.6 if math.isnan(value) else min(1.0, max(0.0, value))
