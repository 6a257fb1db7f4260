"""Fetching what a vendor answered with a URL: its output file over HTTP(S) (no credentials, size
capped), or a `data:` URI decoded in place. Failures are ProviderErrors with the DOWNLOAD message."""

import base64
import binascii
import io

import httpx

from .base import ProviderError
from .errors import BAD_OUTPUT, DOWNLOAD, transport_error
from .payloads import sniff_mime

MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024


def download(url: str, *, timeout: float, vendor: str, max_bytes: int = MAX_DOWNLOAD_BYTES) -> tuple[bytes, str]:
    """(bytes, content type) of a vendor output URL; `data:` URIs are decoded in place.

    Sent without any credentials: output URLs are pre-signed CDN links, and the vendor key must
    not travel to another host."""
    if url.startswith("data:"):
        return decode_data_uri(url, vendor=vendor)
    if not url.startswith(("https://", "http://")):
        raise ProviderError(DOWNLOAD, permanent=False, detail=f"{vendor}: unexpected output URL scheme", code="download_failed")
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True) as client, client.stream("GET", url) as response:
            if response.status_code >= 400:
                response.read()
                raise ProviderError(DOWNLOAD, permanent=False, code="download_failed",
                                    detail=f"{vendor}: output download answered HTTP {response.status_code}")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise ProviderError(DOWNLOAD, permanent=True, code="download_failed",
                                        detail=f"{vendor}: output larger than {max_bytes} bytes")
                chunks.append(chunk)
            mime = response.headers.get("content-type", "").split(";")[0].strip()
    except httpx.TransportError as exc:
        raise transport_error(exc, vendor=f"{vendor} download") from None
    data = b"".join(chunks)
    return data, sniff_mime(data) or mime or "application/octet-stream"


def decode_data_uri(uri: str, *, vendor: str) -> tuple[bytes, str]:
    header, _, payload = uri.partition(",")
    mime = header[5:].split(";")[0] or "application/octet-stream"
    try:
        data = base64.b64decode(payload, validate=False) if ";base64" in header else payload.encode()
    except (binascii.Error, ValueError):
        raise ProviderError(DOWNLOAD, permanent=False, detail=f"{vendor}: undecodable data URI",
                            code="download_failed") from None
    return data, sniff_mime(data) or mime


MAX_IMAGE_BYTES = 30 * 1024 * 1024


def checked_image(data: bytes, *, vendor: str, max_bytes: int = MAX_IMAGE_BYTES) -> tuple[bytes, str]:
    """`data` if it is an image Pillow can decode and not bigger than `max_bytes`, with its type.
    Anything else (an HTML error page, a video, a truncated file) is refused for good: asking
    the same model again would bring the same answer."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > max_bytes:
        raise ProviderError(BAD_OUTPUT, permanent=True, code="bad_output",
                            detail=f"{vendor}: output image larger than {max_bytes} bytes")
    mime = sniff_mime(data)
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        mime = ""
    if not mime.startswith("image/"):
        raise ProviderError(BAD_OUTPUT, permanent=True, code="bad_output",
                            detail=f"{vendor}: output is not an image ({len(data)} bytes)")
    return data, mime


def download_image(url: str, *, timeout: float, vendor: str, max_bytes: int = MAX_IMAGE_BYTES) -> tuple[bytes, str]:
    """A vendor's output image: size capped while it streams, then decoded to check it is one."""
    data, _ = download(url, timeout=timeout, vendor=vendor, max_bytes=max_bytes)
    return checked_image(data, vendor=vendor, max_bytes=max_bytes)


def download_video(url: str, *, timeout: float, vendor: str, max_bytes: int = MAX_DOWNLOAD_BYTES) -> tuple[bytes, str]:
    """A vendor's output video: size capped, and its first bytes must say MP4/WebM/QuickTime."""
    data, _ = download(url, timeout=timeout, vendor=vendor, max_bytes=max_bytes)
    mime = sniff_mime(data)
    if not mime.startswith("video/"):
        raise ProviderError(BAD_OUTPUT, permanent=True, code="bad_output",
                            detail=f"{vendor}: output is not a video ({len(data)} bytes)")
    return data, mime
