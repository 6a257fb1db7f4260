"""Video in, as bytes (PyAV): an untrusted upload decoded whole and re-encoded — its size, length
and pixels capped, and what decodes checked against what its header promises — a stored video's
shape and length read by decoding it, and its pictures at a steady rate, looped or cut to a length
(the offline lip-sync of a video face).

Pure bytes-in/bytes-out: nothing here touches the database or storage."""

import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

import av
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image

from modo.errors import AppError
from modo.imaging import FileTooLarge

from . import audio

MIME = "video/mp4"
MAX_SIDE = 1280  # an uploaded video is kept at most this wide or tall (the largest animation frame)
MAX_FPS = 30  # and at most this many pictures a second
DEFAULT_FPS = 24  # when the file does not say
MAX_PIXELS = 3840 * 2160  # a picture larger than 4K UHD is refused before it is decoded
# A video whose pictures end before this share of the length its header declares is incomplete.
COMPLETE_SHARE = audio.COMPLETE_SHARE
DECODE_ERRORS = (av.FFmpegError, OSError, ValueError, EOFError, IndexError, MemoryError)


class VideoRejected(AppError):
    code, status = "INVALID_VIDEO", 422
    default_message = _("This video could not be read. Use an MP4, WebM or MOV file.")


@dataclass(frozen=True)
class VideoInfo:
    width: int  # as displayed (a phone's rotation applied)
    height: int
    duration: float  # seconds


@dataclass(frozen=True)
class CleanVideo:
    data: bytes
    mime: str
    width: int
    height: int
    duration: float


def looks_like_video(head: bytes) -> bool:
    """MP4 / MOV (an ISO media file that is not an M4A sound) or WebM / Matroska, by the first bytes."""
    if head[4:8] == b"ftyp":
        return head[8:11] not in (b"M4A", b"M4B", b"M4P")
    return head[:4] == b"\x1aE\xdf\xa3"


def upright(frame: av.VideoFrame, *, longest: int | None = None) -> Image.Image:
    """The picture as it is meant to be seen — phones record portrait video as landscape frames
    plus a display rotation (counter-clockwise) — scaled down (by FFmpeg, much faster than
    Pillow) so its longest side is at most `longest`."""
    width, height = frame.width, frame.height
    if longest and max(width, height) > longest:
        scale = longest / max(width, height)
        image = frame.reformat(
            width=max(1, round(width * scale)), height=max(1, round(height * scale)), format="rgb24", interpolation="AREA"
        ).to_image()
    else:
        image = frame.to_image()
    return image.rotate(frame.rotation, expand=True) if frame.rotation else image


def _too_long(max_seconds: float) -> VideoRejected:
    return VideoRejected(_("This video is too long: at most %(n)s seconds.") % {"n": int(max_seconds)})


def _damaged() -> VideoRejected:
    return VideoRejected(_("This video is damaged or incomplete."))


def _size_checked(data: bytes, max_bytes: int | None) -> None:
    max_bytes = settings.VIDEO_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    if len(data) > max_bytes:
        raise FileTooLarge(_("This file is too large: at most %(mb)s MB.") % {"mb": f"{max_bytes / 1024 / 1024:.3g}"})


def _rate(stream) -> float:
    rate = stream.average_rate or stream.guessed_rate
    return float(rate) if rate and 1 <= float(rate) <= 240 else DEFAULT_FPS


def _declared_seconds(container) -> float | None:
    if container.duration:
        return container.duration / av.time_base
    stream = container.streams.video[0]
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return None


def _max_pixels() -> int:
    return min(MAX_PIXELS, settings.UPLOAD_MAX_PIXELS)


def _pictures(container, *, max_seconds: float) -> Iterator[tuple[float, av.VideoFrame]]:
    """(seconds from the first picture, frame) for each decoded picture, in order. Raises
    VideoRejected past the length or pixel cap."""
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    context = stream.codec_context
    if (context.width or 0) * (context.height or 0) > _max_pixels():
        raise VideoRejected(_("This video's pictures are too large."))
    rate, start, last = _rate(stream), None, 0.0
    for index, frame in enumerate(container.decode(stream)):
        t = frame.time if frame.time is not None else index / rate
        start = t if start is None else start
        t = max(last, t - start)  # never backwards, whatever the timestamps say
        if t > max_seconds + 0.5:
            raise _too_long(max_seconds)
        if frame.width * frame.height > _max_pixels():
            raise VideoRejected(_("This video's pictures are too large."))
        last = t
        yield t, frame


def _opened(data: bytes, *, max_seconds: float):
    """The container — of a file that says it is an MP4, MOV or WebM — checked to hold a video
    stream whose declared length is within the cap."""
    if not looks_like_video(data[:16]):
        raise VideoRejected()
    container = av.open(io.BytesIO(data), mode="r")
    if not container.streams.video:
        container.close()
        raise VideoRejected()
    declared = _declared_seconds(container)
    if declared is not None and declared > max_seconds + 0.5:
        container.close()
        raise _too_long(max_seconds)
    return container, declared


def inspect(data: bytes, *, max_bytes: int | None = None, max_seconds: float | None = None) -> VideoInfo:
    """A stored video checked before it is used (a lip-sync's face): within the size cap (413), a
    video stream whose pictures decode — the first one at least, every one when the container does
    not declare its length — and a length within the cap (422). Its shape is as displayed."""
    max_seconds = settings.VIDEO_MAX_SECONDS if max_seconds is None else max_seconds
    _size_checked(data, max_bytes)
    try:
        container, declared = _opened(data, max_seconds=max_seconds)
        with container:
            first, end = None, 0.0
            for t, frame in _pictures(container, max_seconds=max_seconds):
                first = frame if first is None else first
                end = t
                if declared is not None:
                    break
            rate = _rate(container.streams.video[0])
    except VideoRejected:
        raise
    except DECODE_ERRORS as exc:
        raise _damaged() from exc
    if first is None:
        raise _damaged()
    width, height = (first.height, first.width) if first.rotation % 180 else (first.width, first.height)
    return VideoInfo(width=width, height=height, duration=round(declared if declared is not None else end + 1 / rate, 3))


def _steady(pictures: Iterator[tuple[float, av.VideoFrame]], fps: float, rate: float) -> Iterator[av.VideoFrame]:
    """The pictures resampled to `fps`: output picture k (at k / fps seconds) is the last decoded
    picture shown at or before that time; the last one lasts one source picture."""
    k, shown, last_t = 0, None, 0.0
    for t, frame in pictures:
        while shown is not None and k / fps < t:
            yield shown
            k += 1
        shown, last_t = frame, t
    if shown is not None:
        end = last_t + 1 / rate
        while k == 0 or k / fps < end - 1e-6:
            yield shown
            k += 1


def frames_at(
    data: bytes, *, fps: float, count: int, longest: int | None = None, max_seconds: float | None = None
) -> Iterator[Image.Image]:
    """`count` pictures of the video at `fps`, upright, their longest side at most `longest`: the
    video looped when it is shorter, cut when it is longer. One decoded picture is kept at a time
    (the video is opened again to loop), so a long face video costs no more memory than a short
    one. Raises VideoRejected."""
    max_seconds = settings.VIDEO_MAX_SECONDS if max_seconds is None else max_seconds
    made = 0
    try:
        while made < count:
            container, _declared = _opened(data, max_seconds=max_seconds)
            with container:
                rate = _rate(container.streams.video[0])
                this_pass, shown, image = 0, None, None
                for frame in _steady(_pictures(container, max_seconds=max_seconds), fps, rate):
                    if frame is not shown:
                        shown, image = frame, upright(frame, longest=longest)
                    yield image
                    made += 1
                    this_pass += 1
                    if made >= count:
                        return
            if not this_pass:
                raise _damaged()
    except VideoRejected:
        raise
    except DECODE_ERRORS as exc:
        raise _damaged() from exc


def _even_size(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, MAX_SIDE / max(width, height))
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def clean(data: bytes, *, max_bytes: int | None = None, max_seconds: float | None = None) -> CleanVideo:
    """An uploaded video decoded whole (decode errors, a length or pixel cap passed, pictures that
    end well before the length the header declares: VideoRejected 422; too many bytes:
    FileTooLarge 413) and re-encoded as an H.264 MP4 at most MAX_SIDE wide or tall and MAX_FPS,
    upright, its sound (if any) as mono AAC. Nothing of the upload but its pictures and its sound
    survives (no metadata, no location)."""
    max_seconds = settings.VIDEO_MAX_SECONDS if max_seconds is None else max_seconds
    _size_checked(data, max_bytes)
    out = io.BytesIO()
    writer = None
    try:
        container, declared = _opened(data, max_seconds=max_seconds)
        with container:
            pcm = _sound_of(data, container, max_seconds=max_seconds)
            rate = _rate(container.streams.video[0])
            fps = Fraction(min(MAX_FPS, round(rate)) or DEFAULT_FPS)
            ended = [0.0]

            def timed():
                for t, frame in _pictures(container, max_seconds=max_seconds):
                    ended[0] = t
                    yield t, frame

            made, shown, picture, shape, stream = 0, None, None, None, None
            for frame in _steady(timed(), float(fps), rate):
                if writer is None:
                    turned = frame.rotation % 180
                    shape = _even_size(*((frame.height, frame.width) if turned else (frame.width, frame.height)))
                    writer = av.open(out, mode="w", format="mp4")
                    stream = writer.add_stream("libx264", rate=fps, options={"preset": "veryfast", "crf": "23"})
                    stream.width, stream.height, stream.pix_fmt = shape[0], shape[1], "yuv420p"
                    sound = writer.add_stream("aac", rate=audio.RATE, layout="mono") if pcm is not None else None
                if frame is not shown:
                    shown, picture = frame, _scaled(frame, shape)
                picture.pts, picture.time_base = made, 1 / fps
                for packet in stream.encode(picture):
                    writer.mux(packet)
                made += 1
        if writer is None:
            raise _damaged()
        seconds = ended[0] + 1 / rate
        if declared is not None and seconds < declared * COMPLETE_SHARE - 0.1:
            raise VideoRejected(
                _("This video is incomplete: its header promises %(declared)s s but only %(decoded)s s can be played.")
                % {"declared": f"{declared:.1f}", "decoded": f"{seconds:.1f}"}
            )
        for packet in stream.encode():
            writer.mux(packet)
        if sound is not None:
            audio.write_pcm(writer, sound, pcm)
        writer.close()
        writer = None
    except (VideoRejected, FileTooLarge):
        raise
    except DECODE_ERRORS as exc:
        raise _damaged() from exc
    finally:
        if writer is not None:  # refused half-way: the half-written output is dropped
            with contextlib.suppress(*DECODE_ERRORS):
                writer.close()
    return CleanVideo(data=out.getvalue(), mime=MIME, width=shape[0], height=shape[1], duration=round(made / float(fps), 3))


def _scaled(frame: av.VideoFrame, shape: tuple[int, int]) -> av.VideoFrame:
    """The picture upright at `shape`, as YUV for the encoder: FFmpeg scales it directly (fast);
    a rotated one goes through Pillow."""
    if not frame.rotation:
        return frame.reformat(width=shape[0], height=shape[1], format="yuv420p")
    image = upright(frame).convert("RGB").resize(shape, Image.Resampling.BILINEAR)
    return av.VideoFrame.from_image(image).reformat(format="yuv420p")


def _sound_of(data: bytes, container, *, max_seconds: float) -> audio.Pcm | None:
    """The video's sound as PCM (None when it has none); a sound that does not decode whole
    refuses the video."""
    if not container.streams.audio:
        return None
    try:
        return audio.decode(data, max_seconds=max_seconds, max_bytes=len(data))
    except audio.AudioRejected as exc:
        raise VideoRejected(_("The sound of this video is damaged or incomplete.")) from exc
