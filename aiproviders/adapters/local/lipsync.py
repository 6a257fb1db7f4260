"""Offline lip-sync preview: a face brought to life by the loudness of the sound — the mouth
region (lower middle of the picture) opens with each syllable's RMS and the frame breathes in a
slight zoom — encoded as an H.264 MP4 with the sound muxed in as AAC (PyAV). The face is a still
picture, or a video whose pictures play under the same effect (looped when it is shorter than the
sound, cut when longer). Labelled on the picture as an offline preview: it is not a real
lip-sync model."""

import io
import math
from collections.abc import Iterator
from fractions import Fraction

from django.conf import settings
from django.utils.translation import gettext_noop
from PIL import Image, ImageDraw

from media import audio, video

from ..base import ProviderError
from .video import fit

FPS = 24
LABEL = "Offline lip-sync preview"
# Where a portrait's mouth usually is, as shares of the frame: centre x, centre y, width, height.
MOUTH = (0.5, 0.64, 0.2, 0.07)


def _mouth_open(frame: Image.Image, loudness: float) -> Image.Image:
    """The mouth region stretched downwards by up to 60 % with the loudness."""
    if loudness < 0.05:
        return frame
    w, h = frame.size
    cx, cy, mw, mh = MOUTH
    box = (round((cx - mw / 2) * w), round((cy - mh / 2) * h), round((cx + mw / 2) * w), round((cy + mh / 2) * h))
    region = frame.crop(box)
    taller = region.resize((region.width, max(1, round(region.height * (1 + 0.6 * loudness)))), Image.Resampling.BILINEAR)
    # A soft dark line in the middle reads as a parted mouth.
    draw = ImageDraw.Draw(taller)
    gap = max(1, round(taller.height * 0.18 * loudness))
    mid = taller.height // 2
    draw.ellipse((taller.width * 0.2, mid - gap, taller.width * 0.8, mid + gap), fill=(40, 18, 22))
    frame.paste(taller, (box[0], box[1]))
    return frame


def _label() -> Image.Image:
    """The "offline preview" tag, drawn once and pasted on every frame."""
    tag = Image.new("RGB", (6 * len(LABEL) + 8, 16), (12, 12, 14))
    ImageDraw.Draw(tag).text((4, 2), LABEL, fill=(255, 255, 255))
    return tag


def _sound(wav: bytes) -> audio.Pcm:
    try:
        return audio.decode(wav, max_seconds=settings.AUDIO_MAX_SECONDS)
    except audio.AudioRejected as exc:
        raise ProviderError(gettext_noop("The sound could not be read."), permanent=True, code="bad_request",
                            detail=f"lip-sync audio: {exc.message}") from None


def render_lipsync(source: Image.Image, wav: bytes, *, width: int, height: int) -> tuple[bytes, float]:
    """(MP4 bytes, seconds): a still face for as many frames as the sound lasts, the sound as its
    audio track."""
    pcm = _sound(wav)
    margin = 1.06
    big = fit(source, round(width * margin), round(height * margin))
    return _render(pcm, (big for _ in range(_frame_count(pcm))), width=width, height=height, margin=margin)


def render_lipsync_video(face: bytes, wav: bytes, *, width: int, height: int) -> tuple[bytes, float]:
    """(MP4 bytes, seconds): the face video's pictures at FPS under the same effect — looped or cut
    to the sound's length — with the sound as the audio track (the video's own sound is dropped)."""
    pcm = _sound(wav)
    margin = 1.06
    sw, sh = round(width * margin), round(height * margin)
    pictures = video.frames_at(face, fps=FPS, count=_frame_count(pcm), longest=max(sw, sh))
    shown, big = None, None

    def fitted() -> Iterator[Image.Image]:
        nonlocal shown, big
        for picture in pictures:
            if picture is not shown:  # a picture held over several frames is fitted once
                shown, big = picture, fit(picture, sw, sh)
            yield big

    try:
        return _render(pcm, fitted(), width=width, height=height, margin=margin)
    except video.VideoRejected as exc:
        raise ProviderError(gettext_noop("The face video could not be read."), permanent=True, code="bad_request",
                            detail=f"lip-sync face video: {exc.message}") from None


def _frame_count(pcm: audio.Pcm) -> int:
    return max(1, math.ceil(pcm.duration * FPS))


def _render(pcm: audio.Pcm, faces: Iterator[Image.Image], *, width: int, height: int,
            margin: float) -> tuple[bytes, float]:
    """Encodes one frame per face picture (each fitted at `margin` × the frame), zoomed and
    mouthed by the sound's loudness, then muxes the sound."""
    import av

    levels = audio.envelope(pcm, fps=FPS)
    sw, sh = round(width * margin), round(height * margin)
    buf = io.BytesIO()
    try:
        container = av.open(buf, mode="w", format="mp4")
        # A face that barely moves: the fastest presets lose little here and halve the encode.
        stream = container.add_stream("libx264", rate=FPS, options={"preset": "superfast", "crf": "23"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        sound = container.add_stream("aac", rate=audio.RATE, layout="mono")
        smooth, tag = 0.0, _label()
        for index, big in enumerate(faces):
            level = levels[index] if index < len(levels) else 0.0
            smooth = 0.5 * smooth + 0.5 * level  # no flicker between frames
            zoom = 1 + (margin - 1) * (0.5 + 0.5 * math.sin(index / FPS * 0.8)) * 0.6 + 0.02 * smooth
            bw, bh = sw / zoom, sh / zoom
            x0, y0 = (sw - bw) / 2, (sh - bh) * 0.45
            image = big.resize((width, height), Image.Resampling.BILINEAR, box=(x0, y0, x0 + bw, y0 + bh))
            image = _mouth_open(image, smooth)
            image.paste(tag, (4, height - tag.height - 4))
            frame = av.VideoFrame.from_image(image)
            frame.pts, frame.time_base = index, Fraction(1, FPS)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        audio.write_pcm(container, sound, pcm)
        container.close()
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise ProviderError(gettext_noop("The video could not be rendered."), permanent=True, code="render_failed",
                            detail=f"local lip-sync encode failed: {type(exc).__name__}: {exc}") from None
    return buf.getvalue(), pcm.duration
