"""The vendor adapters' error vocabulary: SDK, HTTP and transport errors mapped to ProviderError.

Every ProviderError built here has a short `user_message` that is safe to show a creator, and a
`detail` for logs that names the vendor, the exception class, the HTTP status and the vendor's own
message, with the API key scrubbed out (`scrub`). Retry-After is read for the transient ones. The
vendor SDKs speak two HTTP stacks (openai, anthropic and google-genai use httpx2; replicate uses
httpx), so transport errors from both are recognised.
"""

import email.utils
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import httpx
from django.utils.translation import gettext_noop

from .base import ProviderError

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
BAD_OUTPUT = gettext_noop(
    "The AI provider sent back a file we could not use (too large, or not a picture or video). Please try another model."
)
NO_REFERENCES = gettext_noop("This AI model cannot work from reference images.")

TRANSPORT_ERRORS: tuple[type[Exception], ...] = (httpx.TransportError,) + ((httpx2.TransportError,) if httpx2 else ())
TIMEOUT_ERRORS: tuple[type[Exception], ...] = (httpx.TimeoutException,) + ((httpx2.TimeoutException,) if httpx2 else ())

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
    if code in {"content_policy_violation", "moderation_blocked", "content_filter", "safety", "content_moderation"}:
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
