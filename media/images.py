"""Untrusted image uploads in, clean re-encoded bytes out; thumbnails and video probes.

Pure bytes-in/bytes-out: nothing here touches the database or storage."""

import io
import re
import struct
from dataclasses import dataclass

import av
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps

from modo.errors import AppError


class UploadRejected(AppError):
    code = "UNSUPPORTED_FILE"
    status = 422
    default_message = _("Only JPEG, PNG or WebP images can be uploaded.")


class FileTooLarge(UploadRejected):
    code = "FILE_TOO_LARGE"
    status = 413
    default_message = _("This file is too large.")


def _damaged():
    return UploadRejected(_("This file is damaged or incomplete."))


def _polyglot():
    return UploadRejected(_("This file is not a plain image (it contains markup or hidden content)."))


def _too_many_pixels():
    return UploadRejected(
        _("This image is too large: at most %(mp)s megapixels.") % {"mp": f"{settings.UPLOAD_MAX_PIXELS / 1e6:.3g}"}
    )


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    mime: str
    ext: str
    width: int
    height: int


# Sniffed format -> (Pillow formats that may claim it, mime, extension). Pillow opens JPEGs with
# a multi-picture index (phone gain maps, camera previews) as "MPO"; they are still JPEGs.
_FORMATS = {
    "JPEG": ({"JPEG", "MPO"}, "image/jpeg", "jpg"),
    "PNG": ({"PNG"}, "image/png", "png"),
    "WEBP": ({"WEBP"}, "image/webp", "webp"),
}
_MARKUP = re.compile(rb"<html|<script|<svg|<!doctype|<\?php|<iframe|javascript:", re.IGNORECASE)
# In JPEG entropy-coded data 0xFF is followed by a stuffed 0x00, a restart marker or more 0xFF
# fill; anything else is the next marker.
_JPEG_SCAN_END = re.compile(rb"\xff(?![\x00\xd0-\xd7\xff])")
_PIXEL_CHUNKS = {b"IDAT", b"fdAT", b"VP8 ", b"VP8L", b"ALPH", b"ANMF"}


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _png_layout(data: bytes) -> tuple[int, list[bytes]]:
    """End of the IEND chunk and the bodies of every non-pixel chunk."""
    pos, parts = 8, []
    while pos + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        if end > len(data):
            break
        if kind not in _PIXEL_CHUNKS:
            parts.append(data[pos + 8 : end - 4])
        if kind == b"IEND":
            return end, parts
        pos = end
    raise _damaged()


def _jpeg_layout(data: bytes, pos: int = 0) -> tuple[int, list[bytes]]:
    """End of the EOI marker of the JPEG starting at `pos`, and its marker segments (everything but
    entropy-coded pixel data). Walking segments skips EXIF thumbnails and their own EOI."""
    pos += 2
    parts = []
    while True:
        if pos >= len(data) or data[pos] != 0xFF:
            raise _damaged()
        while pos < len(data) and data[pos] == 0xFF:
            pos += 1
        if pos >= len(data):
            raise _damaged()
        marker = data[pos]
        pos += 1
        if marker == 0xD9:
            return pos, parts
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            continue
        if pos + 2 > len(data):
            raise _damaged()
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        if length < 2 or pos + length > len(data):
            raise _damaged()
        parts.append(data[pos + 2 : pos + length])
        pos += length
        if marker == 0xDA:
            scan_end = _JPEG_SCAN_END.search(data, pos)
            if scan_end is None:
                raise _damaged()
            pos = scan_end.start()


def _webp_layout(data: bytes) -> tuple[int, list[bytes]]:
    """End of the RIFF container (from its size field) and the bodies of every non-pixel chunk."""
    (riff_size,) = struct.unpack("<I", data[4:8])
    end = 8 + riff_size
    if end > len(data):
        raise _damaged()
    pos, parts = 12, []
    while pos + 8 <= end:
        kind, size = struct.unpack("<4sI", data[pos : pos + 8])
        if pos + 8 + size > end:
            raise _damaged()
        if kind not in _PIXEL_CHUNKS:
            parts.append(data[pos + 8 : pos + 8 + size])
        pos += 8 + size + (size & 1)
    return end, parts


def _is_padding(tail: bytes) -> bool:
    return not tail.strip(b"\x00\xff")


def _refuse_polyglots(data: bytes, fmt: str) -> None:
    """Raises unless the file ends where its format says it ends and no metadata carries markup.

    Compressed pixel data is not scanned: by chance alone "<svg" turns up in about 2% of 10 MB
    photos, and those bytes are decoded and thrown away, never stored."""
    if fmt == "PNG":
        end, parts = _png_layout(data)
    elif fmt == "WEBP":
        end, parts = _webp_layout(data)
    else:
        end, parts = _jpeg_layout(data)
        # Multi-picture JPEGs (gain maps, previews) append whole JPEGs after the first EOI.
        while not _is_padding(data[end:]) and data.startswith(b"\xff\xd8\xff", end):
            end, more = _jpeg_layout(data, end)
            parts += more
    if not _is_padding(data[end:]):
        raise _polyglot()
    if any(_MARKUP.search(part) for part in parts):
        raise _polyglot()


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


def decode_image(data: bytes) -> tuple[Image.Image, str]:
    """Checks an untrusted upload (size, magic bytes, polyglots, pixel count, integrity) and returns
    its first frame decoded and upright, with the sniffed format ("JPEG", "PNG" or "WEBP").
    Raises FileTooLarge or UploadRejected; never decodes pixels past the caps."""
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise FileTooLarge(
            _("This file is too large: at most %(mb)s MB.") % {"mb": f"{settings.UPLOAD_MAX_BYTES / 1024 / 1024:.3g}"}
        )
    fmt = _sniff(data)
    if fmt is None:
        raise UploadRejected()
    _refuse_polyglots(data, fmt)
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            if image.format not in _FORMATS[fmt][0]:
                raise UploadRejected()
            if image.width * image.height > settings.UPLOAD_MAX_PIXELS:
                raise _too_many_pixels()
            # Animated PNG/WebP: only the first frame is loaded and kept.
            image.load()
            return ImageOps.exif_transpose(image), fmt
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels() from exc
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise _damaged() from exc


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


def _upright(frame: av.VideoFrame) -> Image.Image:
    # Phones record portrait video as landscape frames plus a display rotation (counter-clockwise).
    image = frame.to_image()
    return image.rotate(frame.rotation, expand=True) if frame.rotation else image


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
        image = _upright(_first_video_frame(data)[0])
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


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a trusted image (generated output) read from its header, without decoding
    pixels. Raises UploadRejected if it is not an image Pillow can identify."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (OSError, SyntaxError, ValueError) as exc:
        raise _damaged() from exc
