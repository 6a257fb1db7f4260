"""The safe decoder for untrusted image uploads (avatars, gallery uploads): magic bytes, size and
pixel caps, polyglot refusal. Model-free bytes in, a Pillow image out; shared by accounts and media,
so there is one implementation of the upload rule."""

import io
import re
import struct

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from modo.errors import AppError


class UploadRejected(AppError):
    code = "UNSUPPORTED_FILE"
    status = 422
    default_message = _("Only JPEG, PNG or WebP images can be uploaded.")


class FileTooLarge(UploadRejected):
    code = "FILE_TOO_LARGE"
    status = 413
    default_message = _("This file is too large.")


def damaged() -> UploadRejected:
    """The refusal of a file that does not decode (media's video and thumbnail code raise it too)."""
    return UploadRejected(_("This file is damaged or incomplete."))


def _polyglot():
    return UploadRejected(_("This file is not a plain image (it contains markup or hidden content)."))


def _too_many_pixels():
    return UploadRejected(
        _("This image is too large: at most %(mp)s megapixels.") % {"mp": f"{settings.UPLOAD_MAX_PIXELS / 1e6:.3g}"}
    )


# Sniffed format -> (Pillow formats that may claim it, mime, extension). Pillow opens JPEGs with
# a multi-picture index (phone gain maps, camera previews) as "MPO"; they are still JPEGs.
FORMATS = {
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
    raise damaged()


def _jpeg_layout(data: bytes, pos: int = 0) -> tuple[int, list[bytes]]:
    """End of the EOI marker of the JPEG starting at `pos`, and its marker segments (everything but
    entropy-coded pixel data). Walking segments skips EXIF thumbnails and their own EOI."""
    pos += 2
    parts = []
    while True:
        if pos >= len(data) or data[pos] != 0xFF:
            raise damaged()
        while pos < len(data) and data[pos] == 0xFF:
            pos += 1
        if pos >= len(data):
            raise damaged()
        marker = data[pos]
        pos += 1
        if marker == 0xD9:
            return pos, parts
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            continue
        if pos + 2 > len(data):
            raise damaged()
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        if length < 2 or pos + length > len(data):
            raise damaged()
        parts.append(data[pos + 2 : pos + length])
        pos += length
        if marker == 0xDA:
            scan_end = _JPEG_SCAN_END.search(data, pos)
            if scan_end is None:
                raise damaged()
            pos = scan_end.start()


def _webp_layout(data: bytes) -> tuple[int, list[bytes]]:
    """End of the RIFF container (from its size field) and the bodies of every non-pixel chunk."""
    (riff_size,) = struct.unpack("<I", data[4:8])
    end = 8 + riff_size
    if end > len(data):
        raise damaged()
    pos, parts = 12, []
    while pos + 8 <= end:
        kind, size = struct.unpack("<4sI", data[pos : pos + 8])
        if pos + 8 + size > end:
            raise damaged()
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
            if image.format not in FORMATS[fmt][0]:
                raise UploadRejected()
            if image.width * image.height > settings.UPLOAD_MAX_PIXELS:
                raise _too_many_pixels()
            # Animated PNG/WebP: only the first frame is loaded and kept.
            image.load()
            return ImageOps.exif_transpose(image), fmt
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels() from exc
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise damaged() from exc
