"""Offline image-to-video: an eased pan or zoom (Ken Burns) over one image, encoded as an H.264
MP4 with PyAV, at 24 frames per second."""

import io
import math
from fractions import Fraction

from django.utils.translation import gettext_noop
from PIL import Image

from ..base import ProviderError
from .images import cover

# Shapes closer than this are filled edge to edge (a sliver is cropped); any further apart, the
# image is fitted inside the frame with dark bars (letterbox or pillarbox), never stretched.
CROP_TOLERANCE = 0.03
BAR_COLOUR = (12, 12, 14)

FPS = 24
MOTIONS = ("zoom_in", "zoom_out", "pan_left", "pan_right")


def _ease(t: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * t)


def fit(source: Image.Image, width: int, height: int) -> Image.Image:
    """The source at width × height keeping its shape: cover-fitted when the shapes nearly match,
    else contained and centred on dark bars."""
    if abs(math.log((source.width / source.height) / (width / height))) <= CROP_TOLERANCE:
        return cover(source, width, height)
    scale = min(width / source.width, height / source.height)
    inner = source.convert("RGB").resize((max(1, round(source.width * scale)), max(1, round(source.height * scale))),
                                         Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (width, height), BAR_COLOUR)
    canvas.paste(inner, ((width - inner.width) // 2, (height - inner.height) // 2))
    return canvas


def render_video(source: Image.Image, *, width: int, height: int, seconds: int, motion: str) -> tuple[bytes, int]:
    """An H.264 MP4 of `seconds`×24 frames: an eased Ken Burns move over `source`. The source is
    fitted once (fit(): its shape kept) at 1.25× the output size, so every crop window stays
    inside it and the deepest zoom is still 1:1; each frame is one box-resize of that source,
    with the frame's own shape, so nothing is stretched."""
    import av  # imported here: only the video path needs FFmpeg loaded

    margin = 1.25
    sw, sh = round(width * margin), round(height * margin)
    big = fit(source, sw, sh)
    frames = seconds * FPS
    buf = io.BytesIO()
    try:
        container = av.open(buf, mode="w", format="mp4")
        stream = container.add_stream("libx264", rate=FPS, options={"preset": "veryfast", "crf": "20"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(frames):
            t = _ease(index / max(1, frames - 1))
            box = _camera_box(motion, t, sw, sh, margin)
            frame = av.VideoFrame.from_image(big.resize((width, height), Image.Resampling.BILINEAR, box=box))
            frame.pts = index
            frame.time_base = Fraction(1, FPS)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        container.close()
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise ProviderError(gettext_noop("The video could not be rendered."), permanent=True, code="render_failed",
                            detail=f"local video encode failed: {type(exc).__name__}: {exc}") from None
    return buf.getvalue(), frames


def _camera_box(motion: str, t: float, sw: int, sh: int, margin: float) -> tuple[float, float, float, float]:
    if motion in ("pan_left", "pan_right"):
        zoom = 1.12 + 0.04 * t
        bw, bh = sw / zoom, sh / zoom
        travel = sw - bw
        x0 = travel * (1 - t) if motion == "pan_left" else travel * t
        y0 = (sh - bh) / 2
        return x0, y0, x0 + bw, y0 + bh
    zoom = 1 + (margin - 1) * (t if motion == "zoom_in" else 1 - t)
    bw, bh = sw / zoom, sh / zoom
    # Drift slightly up while zooming: faces sit in the upper half more often than not.
    x0, y0 = (sw - bw) / 2, (sh - bh) * 0.42
    return x0, y0, x0 + bw, y0 + bh
