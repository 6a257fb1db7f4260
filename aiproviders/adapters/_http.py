"""What the vendor adapters share: one error vocabulary, Retry-After parsing, secret scrubbing,
downloading vendor output URLs, and a little image/conversation plumbing.

Every ProviderError built here has a short `user_message` that is safe to show a creator, and a
`detail` for logs that names the vendor, the exception class, the HTTP status and the vendor's own
message, with the API key scrubbed out. The vendor SDKs speak two HTTP stacks (openai, anthropic
and google-genai use httpx2; replicate uses httpx), so transport errors from both are recognised.
"""

import base64
import binascii
import email.utils
import io
import math
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import httpx
from django.utils.translation import gettext_noop

from .base import ProviderError, TextRequest

try:  # the openai, anthropic and google-genai SDKs send through httpx2
    import httpx2
except ImportError:  # pragma: no cover - httpx2 comes with those SDKs
    httpx2 = None

# Marked for translation, returned untranslated: whoever shows `user_message` runs it through gettext.
AUTH = gettext_noop("The AI provider rejected our credentials. An administrator has been notified.")
QUOTA = gettext_noop("The AI provider account has reached its usage limit. An administrator has been notified.")
BAD_REQUEST = gettext_noop("The AI provider could not process this request.")
NOT_FOUND = gettext_noop("This AI model is not available from the provider.")
CONTENT_POLICY = gettext_noop(
    "The AI provider declined this request under its content policy. Please rephrase it and try again."
)
NO_OUTPUT = gettext_noop("The AI provider returned no result for this request. Please rephrase it and try again.")
RATE_LIMITED = gettext_noop("The AI provider is busy right now. Please try again in a moment.")
UNAVAILABLE = gettext_noop("The AI provider is temporarily unavailable. Please try again shortly.")
TIMEOUT = gettext_noop("The AI provider took too long to answer. Please try again.")
CONNECTION = gettext_noop("We could not reach the AI provider. Please try again shortly.")
GENERATION_FAILED = gettext_noop("The AI provider could not finish this request. Please try again.")
DOWNLOAD = gettext_noop("The AI provider's result could not be downloaded. Please try again.")
MISCONFIGURED = gettext_noop("This AI provider is not set up correctly. An administrator has been notified.")
NO_REFERENCES = gettext_noop("This AI model cannot work from reference images.")

TRANSPORT_ERRORS: tuple[type[Exception], ...] = (httpx.TransportError,) + ((httpx2.TransportError,) if httpx2 else ())
TIMEOUT_ERRORS: tuple[type[Exception], ...] = (httpx.TimeoutException,) + ((httpx2.TimeoutException,) if httpx2 else ())

MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024
_DETAIL_LIMIT = 600


@contextmanager
def translating(to_provider_error: Callable[[Exception], ProviderError], catch: tuple[type[Exception], ...]) -> Iterator[None]:
    """Re-raise the SDK and transport errors in `catch` as the ProviderError the adapter maps them to.

    The vendor exception is not chained: its message and request may carry what we scrubbed."""
    try:
        yield
    except ProviderError:
        raise
    except catch as exc:
        raise to_provider_error(exc) from None


def scrub(text: object, secret: str) -> str:
    """`text` as a string with the key replaced by ***, shortened for logs."""
    text = str(text or "")
    if secret:
        text = text.replace(secret, "***")
    return text[:_DETAIL_LIMIT]


def _detail(vendor: str, exc_name: str, status: int | None, code: str, message: str, secret: str) -> str:
    parts = [vendor, exc_name]
    if status:
        parts.append(f"HTTP {status}")
    if code:
        parts.append(f"code={code}")
    return scrub(" ".join(p for p in parts if p) + (f": {message}" if message else ""), secret)


def retry_after(headers: Mapping | None) -> float | None:
    """Seconds to wait from `retry-after-ms` / `Retry-After` (seconds or an HTTP date), if sent."""
    if not headers:
        return None
    try:
        millis = headers.get("retry-after-ms")
        if millis:
            return max(0.0, float(millis) / 1000)
        value = headers.get("retry-after")
    except (TypeError, ValueError):
        return None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def status_error(*, vendor: str, status: int | None, message: str = "", code: str = "", exc_name: str = "",
                 headers: Mapping | None = None, secret: str = "", retry_after_s: float | None = None) -> ProviderError:
    """The ProviderError for an HTTP error status (or a vendor error event without one)."""
    detail = _detail(vendor, exc_name, status, code, message, secret)
    code = (code or "").lower()
    if code in {"content_policy_violation", "moderation_blocked", "content_filter", "safety"}:
        return content_policy(vendor=vendor, detail=detail)
    if code in {"insufficient_quota", "billing_hard_limit_reached"} or status == 402:
        return ProviderError(QUOTA, permanent=True, detail=detail, code="quota")
    if status is None:  # an error event in the middle of a stream: the vendor failed, not the request
        return ProviderError(UNAVAILABLE, permanent=False, detail=detail, code="stream_error")
    if status in (401, 403):
        return ProviderError(AUTH, permanent=True, detail=detail, code="auth")
    if status in (408, 409, 425, 429, 499) or (status and status >= 500):
        wait = retry_after_s if retry_after_s is not None else retry_after(headers)
        if status in (425, 429):
            return ProviderError(RATE_LIMITED, permanent=False, retry_after=wait, detail=detail, code="rate_limited")
        if status == 408:
            return ProviderError(TIMEOUT, permanent=False, retry_after=wait, detail=detail, code="timeout")
        return ProviderError(UNAVAILABLE, permanent=False, retry_after=wait, detail=detail, code=f"http_{status}")
    if status == 404:
        return ProviderError(NOT_FOUND, permanent=True, detail=detail, code="not_found")
    return ProviderError(BAD_REQUEST, permanent=True, detail=detail, code="bad_request")


def transport_error(exc: BaseException, *, vendor: str, secret: str = "", timeout: bool | None = None) -> ProviderError:
    """Timeouts and dropped or refused connections: always worth another try."""
    detail = _detail(vendor, type(exc).__name__, None, "", str(exc), secret)
    if timeout if timeout is not None else isinstance(exc, TIMEOUT_ERRORS):
        return ProviderError(TIMEOUT, permanent=False, detail=detail, code="timeout")
    return ProviderError(CONNECTION, permanent=False, detail=detail, code="connection")


def is_transport_error(exc: BaseException) -> bool:
    return isinstance(exc, TRANSPORT_ERRORS)


def content_policy(*, vendor: str, detail: str, secret: str = "") -> ProviderError:
    return ProviderError(CONTENT_POLICY, permanent=True, detail=scrub(f"{vendor} content policy: {detail}", secret),
                         code="content_policy")


def no_output(*, vendor: str, detail: str, secret: str = "") -> ProviderError:
    """The vendor answered without the thing we asked for (e.g. only text instead of an image)."""
    return ProviderError(NO_OUTPUT, permanent=True, detail=scrub(f"{vendor}: {detail}", secret), code="no_output")


def missing_key(vendor: str) -> ProviderError:
    return ProviderError(AUTH, permanent=True, detail=f"{vendor}: no API key is configured", code="auth")


def misconfigured(vendor: str, what: str) -> ProviderError:
    return ProviderError(MISCONFIGURED, permanent=True, detail=f"{vendor}: {what}", code="misconfigured")


def no_references(vendor: str, model_id: str) -> ProviderError:
    return ProviderError(NO_REFERENCES, permanent=True, detail=f"{vendor}: {model_id} takes no reference images",
                         code="unsupported")


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


def sniff_mime(data: bytes) -> str:
    """The media type from the first bytes, for the formats vendors send back ("" when unknown)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[4:8] == b"ftyp":
        return "video/quicktime" if data[8:10] == b"qt" else "video/mp4"
    if data.startswith(b"\x1aE\xdf\xa3"):
        return "video/webm"
    return ""


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) read from the image header, (0, 0) if Pillow cannot tell."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return 0, 0


def data_uri(data: bytes) -> str:
    return f"data:{sniff_mime(data) or 'application/octet-stream'};base64,{base64.b64encode(data).decode()}"


def conversation(request: TextRequest) -> list[dict]:
    """Earlier turns plus the prompt as [{"role": "user" | "assistant", "content": str}], oldest first.

    Empty turns are dropped and consecutive turns by the same speaker are joined, which every
    vendor accepts (Anthropic and Google reject two user turns in a row)."""
    turns: list[dict] = []
    for message in [*request.messages, {"role": "user", "content": request.prompt}]:
        role = "assistant" if message.get("role") == "assistant" else "user"
        content = str(message.get("content") or "").strip()
        if not content:
            continue
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"] += "\n\n" + content
        else:
            turns.append({"role": role, "content": content})
    return turns


def nearest_size(width: int, height: int, choices: Mapping[str, tuple[int, int]]) -> str:
    """The key in `choices` whose aspect ratio is closest to width × height."""
    wanted = math.log(max(width, 1) / max(height, 1))
    return min(choices, key=lambda key: abs(math.log(choices[key][0] / choices[key][1]) - wanted))


ASPECT_RATIOS = {
    "1:1": (1, 1), "16:9": (16, 9), "9:16": (9, 16), "4:3": (4, 3), "3:4": (3, 4),
    "3:2": (3, 2), "2:3": (2, 3), "21:9": (21, 9), "9:21": (9, 21), "5:4": (5, 4), "4:5": (4, 5),
}


def aspect_ratio(width: int, height: int, allowed: tuple[str, ...] | None = None) -> str:
    choices = {k: v for k, v in ASPECT_RATIOS.items() if allowed is None or k in allowed}
    return nearest_size(width, height, choices)
