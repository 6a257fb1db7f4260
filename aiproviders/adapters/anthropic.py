"""Anthropic (Claude) through the official `anthropic` SDK: streaming text only."""

from collections.abc import Iterator

import anthropic

from . import errors, payloads
from .base import Adapter, ProviderConfig, ProviderError, TextRequest, Usage

ANTHROPIC_URL = "https://api.anthropic.com"
# Error types Anthropic may send as an `error` event in the middle of a 200 stream.
TRANSIENT_EVENT_TYPES = {"overloaded_error", "api_error", "rate_limit_error", "timeout_error"}


class AnthropicAdapter(Adapter):
    """Text: the Messages API with `stream=True`; yields text deltas, then one Usage built from
    `message_start` (input tokens) and `message_delta` (output tokens). No images, no video.

    Sampling temperature is not sent: SDK 2.x no longer has the parameter (the API chooses).
    The SDK client never retries (max_retries=0); every SDK and transport error leaves as
    ProviderError, including one raised mid-stream by the iterator."""

    kind = "anthropic"
    vendor = "Anthropic"

    def __init__(self, config: ProviderConfig):
        super().__init__(config)
        self._client: anthropic.Anthropic | None = None

    @property
    def client(self) -> anthropic.Anthropic:
        if self._client is None:
            if not self.config.api_key:
                raise errors.missing_key(self.vendor)
            self._client = anthropic.Anthropic(
                api_key=self.config.api_key,
                base_url=self.config.base_url or ANTHROPIC_URL,
                timeout=self.config.timeout,
                max_retries=0,
            )
        return self._client

    def generate_text(self, model_id: str, request: TextRequest) -> Iterator[str | Usage]:
        params = {"model": model_id, "max_tokens": request.max_tokens, "messages": payloads.conversation(request),
                  "stream": True}
        if request.system:
            params["system"] = request.system
        usage = Usage()
        with self._translated():
            stream = self.client.messages.create(**params)
            usage.request_id = stream.response.headers.get("request-id", "")
            with stream:
                for event in stream:
                    if event.type == "message_start":
                        message_usage = event.message.usage
                        usage.input_tokens = (message_usage.input_tokens + (message_usage.cache_creation_input_tokens or 0)
                                              + (message_usage.cache_read_input_tokens or 0))
                        usage.request_id = usage.request_id or event.message.id
                    elif event.type == "content_block_delta" and event.delta.type == "text_delta":
                        if event.delta.text:
                            yield event.delta.text
                    elif event.type == "message_delta":
                        usage.output_tokens = event.usage.output_tokens
                        if event.delta.stop_reason == "refusal":
                            details = event.delta.stop_details
                            raise errors.content_policy(
                                vendor=self.vendor, detail=f"stop_reason=refusal {getattr(details, 'category', '') or ''}")
        yield usage

    def test_connection(self) -> str:
        with self._translated():
            page = self.client.models.list(limit=1)
        return f"OK: models listed (first: {page.data[0].id})" if page.data else "OK: no models listed"

    def _translated(self):
        return errors.translating(self._error, (anthropic.AnthropicError, *errors.TRANSPORT_ERRORS))

    def _error(self, exc: Exception) -> ProviderError:
        secret = self.config.api_key
        name = type(exc).__name__
        if isinstance(exc, anthropic.APIConnectionError):  # APITimeoutError is one too
            return errors.transport_error(exc, vendor=self.vendor, secret=secret,
                                         timeout=isinstance(exc, anthropic.APITimeoutError))
        if isinstance(exc, anthropic.APIStatusError):
            error_type = exc.type or ""
            if exc.status_code < 400:  # an `error` event inside a 200 stream
                status = None if error_type in TRANSIENT_EVENT_TYPES else 400
            else:
                status = exc.status_code
            return errors.status_error(vendor=self.vendor, status=status, message=exc.api_message or exc.message,
                                      code=exc.error_code or error_type, exc_name=name, headers=exc.response.headers,
                                      secret=secret)
        if errors.is_transport_error(exc):
            return errors.transport_error(exc, vendor=self.vendor, secret=secret)
        if isinstance(exc, anthropic.CredentialsError):
            return errors.missing_key(self.vendor)
        return errors.misconfigured(self.vendor, errors.scrub(f"{name}: {exc}", secret))
