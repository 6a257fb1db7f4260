"""Untrusted image uploads in, clean re-encoded bytes out; thumbnails and video probes.

Pure bytes-in/bytes-out: nothing here touches the database or storage."""

import io
import struct
from dataclasses import dataclass

import av
from django.conf import settings
from PIL import Image, ImageCms, ImageOps

from modo.imaging import FORMATS as _FORMATS
from modo.imaging import FileTooLarge, UploadRejected, decode_image  # noqa: F401 (media's callers import them here)
from modo.imaging import damaged as _damaged

from .video import upright


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    mime: str
    ext: str
    width: int
    height: int


def _to_srgb(image: Image.Image) -> Image.Image:
    """Converts pixels carrying an ICC profile to sRGB, so dropping the profile keeps the colours
    (phone photos are often Display P3). A profile we cannot use is dropped as is."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image


def clean_image(data: bytes) -> CleanImage:
    """Decodes an untrusted upload and re-encodes it in the same format without metadata (no EXIF,
    ICC, text chunks or trailing bytes survive; EXIF orientation is applied to the pixels).
    Raises FileTooLarge (413) or UploadRejected (422) before anything could be stored."""
    image, fmt = decode_image(data)
    image = _to_srgb(image)
    if fmt == "JPEG":
        image = image.convert("RGB")
        options = {"quality": 90}
    elif fmt == "PNG":
        options = {"optimize": True}
        if "transparency" in image.info:
            options["transparency"] = image.info["transparency"]
    else:
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
        options = {"quality": 90}
    # Pillow's PNG writer copies the ICC profile from info; nothing of the upload's info may survive.
    image.info = {}
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    _, mime, ext = _FORMATS[fmt]
    return CleanImage(data=out.getvalue(), mime=mime, ext=ext, width=image.width, height=image.height)


def _first_video_frame(data: bytes) -> tuple[av.VideoFrame, int | None]:
    """The first decodable frame and the container's duration in av.time_base units."""
    try:
        with av.open(io.BytesIO(data)) as container:
            if not container.streams.video:
                raise _damaged()
            frame = next(container.decode(container.streams.video[0]), None)
            duration = container.duration
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise _damaged() from exc
    if frame is None:
        raise _damaged()
    return frame, duration


def probe_video(data: bytes) -> dict:
    """{"width", "height", "duration"} of a video as displayed (rotation applied), duration in
    seconds (None when the container does not record it). Decodes the first frame to prove the file
    is playable; raises UploadRejected otherwise."""
    frame, duration = _first_video_frame(data)
    width, height = frame.width, frame.height
    if frame.rotation % 180:
        width, height = height, width
    return {"width": width, "height": height, "duration": duration / av.time_base if duration else None}


def thumbnail(data: bytes, mime: str) -> bytes:
    """A WebP whose longest side is at most THUMBNAIL_SIZE, same aspect ratio, upright; for video/*
    the first decodable frame. Raises UploadRejected if the input cannot be decoded."""
    size = (settings.THUMBNAIL_SIZE, settings.THUMBNAIL_SIZE)
    if mime.startswith("video/"):
        image = upright(_first_video_frame(data)[0])
        image.thumbnail(size, Image.Resampling.LANCZOS)
    else:
        try:
            with Image.open(io.BytesIO(data)) as source:
                # Shrinking first lets JPEGs decode at reduced scale; the box is square, so
                # transposing afterwards gives the same result.
                source.thumbnail(size, Image.Resampling.LANCZOS)
                image = ImageOps.exif_transpose(source)
        except (OSError, SyntaxError, ValueError, EOFError, struct.error, Image.DecompressionBombError) as exc:
            raise _damaged() from exc
    image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=80)
    return out.getvalue()


def shrink(data: bytes, size: int) -> bytes:
    """A stored thumbnail (our own WebP) scaled down so its longest side is at most `size`."""
    with Image.open(io.BytesIO(data)) as source:
        source.thumbnail((size, size), Image.Resampling.LANCZOS)
        image = source.convert("RGBA" if source.has_transparency_data else "RGB")
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=80)
    return out.getvalue()


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a trusted image (generated output) read from its header, without decoding
    pixels. Raises UploadRejected if it is not an image Pillow can identify."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (OSError, SyntaxError, ValueError) as exc:
        raise _damaged() from exc
