"""OpenAI, and any server that speaks its API (kind "openai_compatible" with config.base_url),
through the official `openai` SDK."""

import base64
import tempfile
from collections.abc import Iterator

import openai

from . import downloads, errors, payloads
from .base import (
    Adapter,
    ImageRequest,
    ImageResult,
    ProviderConfig,
    ProviderError,
    SpeechRequest,
    SpeechResult,
    TextRequest,
    Usage,
    Voice,
)

OPENAI_URL = "https://api.openai.com/v1"
GPT_IMAGE_SIZES = {"1024x1024": (1024, 1024), "1024x1536": (1024, 1536), "1536x1024": (1536, 1024)}
DALL_E_3_SIZES = {"1024x1024": (1024, 1024), "1024x1792": (1024, 1792), "1792x1024": (1792, 1024)}
DALL_E_2_SIZES = {"1024x1024": (1024, 1024)}
# The speech API's built-in voices (multilingual: they read the text's own language).
SPEECH_VOICES = ("alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse")
SPOOL_BYTES = 8 * 1024 * 1024  # a longer answer spills from memory to a temporary file
# Reasoning models answer 400 to any temperature but the default.
FIXED_TEMPERATURE_PREFIXES = ("o1", "o3", "o4", "gpt-5")


def _sizes(configured) -> dict[str, tuple[int, int]] | None:
    """The model row's size table ({"square": "1024x1024", "wide": "1792x1024", ...}) as
    {"1024x1024": (1024, 1024), ...}; None when it has none (or an unreadable one)."""
    if not isinstance(configured, dict) or not configured:
        return None
    sizes = {}
    for value in configured.values():
        width, _, height = str(value).partition("x")
        if width.isdigit() and height.isdigit():
            sizes[str(value)] = (int(width), int(height))
    return sizes or None


class OpenAIAdapter(Adapter):
    """Text: streaming Chat Completions. Images: the images API, `generations` from a prompt and
    `edits` when reference images are given (gpt-image models take several). No video.

    An image model's options (the model row's `config`) may name its `sizes` (the nearest in
    shape is asked for) and its `quality`; without them the sizes each model accepts are used.

    The SDK client never retries (max_retries=0); the router owns retries and fallback. Every SDK
    and transport error leaves as ProviderError, including one raised mid-stream by the iterator."""

    kind = "openai"

    def __init__(self, config: ProviderConfig):
        super().__init__(config)
        self.vendor = "OpenAI" if config.kind == "openai" else "OpenAI-compatible"
        self._client: openai.OpenAI | None = None

    @property
    def client(self) -> openai.OpenAI:
        if self._client is None:
            api_key = self.config.api_key
            if self.config.kind == "openai_compatible":
                if not self.config.base_url:
                    raise errors.misconfigured(self.vendor, "no base URL is configured")
                # Local servers often need no key; an explicit placeholder keeps the SDK from
                # sending OPENAI_API_KEY from the environment to someone else's server.
                api_key = api_key or "not-needed"
            elif not api_key:
                raise errors.missing_key(self.vendor)
            self._client = openai.OpenAI(
                api_key=api_key,
                base_url=self.config.base_url or OPENAI_URL,
                timeout=self.config.timeout,
                max_retries=0,
            )
        return self._client

    def generate_text(self, model_id: str, request: TextRequest) -> Iterator[str | Usage]:
        messages = [{"role": "system", "content": request.system}] if request.system else []
        messages += payloads.conversation(request)
        params = {"model": model_id, "messages": messages, "stream": True, "stream_options": {"include_usage": True}}
        # Compatible servers (vLLM, Ollama, LM Studio...) know the older name of the limit.
        params["max_completion_tokens" if self.config.kind == "openai" else "max_tokens"] = request.max_tokens
        if not model_id.startswith(FIXED_TEMPERATURE_PREFIXES):
            params["temperature"] = request.temperature
        usage = Usage()
        wrote, refusal = False, ""
        with self._translated():
            stream = self.client.chat.completions.create(**params)
            usage.request_id = stream.response.headers.get("x-request-id", "")
            with stream:
                for chunk in stream:
                    usage.request_id = usage.request_id or chunk.id or ""
                    if chunk.usage:
                        usage.input_tokens = chunk.usage.prompt_tokens or 0
                        usage.output_tokens = chunk.usage.completion_tokens or 0
                    for choice in chunk.choices[:1]:
                        if choice.delta.content:
                            wrote = True
                            yield choice.delta.content
                        refusal += choice.delta.refusal or ""
                        if choice.finish_reason == "content_filter":
                            raise errors.content_policy(vendor=self.vendor, detail="finish_reason=content_filter")
        if refusal and not wrote:
            raise errors.content_policy(vendor=self.vendor, detail=f"refusal: {refusal}", secret=self.config.api_key)
        yield usage

    def generate_image(self, model_id: str, request: ImageRequest) -> ImageResult:
        options = self.config.model_options(model_id)
        sizes = _sizes(options.get("sizes"))
        if sizes is None and model_id.startswith("dall-e-3"):
            sizes = DALL_E_3_SIZES
        elif sizes is None and model_id.startswith("dall-e-2"):
            sizes = DALL_E_2_SIZES
        elif sizes is None:
            sizes = GPT_IMAGE_SIZES
        params = {"model": model_id, "prompt": request.prompt, "n": 1,
                  "size": payloads.nearest_size(request.width, request.height, sizes)}
        if options.get("quality"):  # DALL-E 3: "standard" | "hd"; gpt-image: "low" | "medium" | "high"
            params["quality"] = options["quality"]
        if model_id.startswith("dall-e"):
            params["response_format"] = "b64_json"  # gpt-image models always answer in base64 and reject it
        with self._translated():
            if request.references:
                if model_id.startswith("dall-e-3"):
                    raise errors.no_references(self.vendor, model_id)
                files = []
                for n, data in enumerate(request.references, 1):
                    mime = payloads.sniff_mime(data) or "image/png"
                    files.append((f"reference-{n}.{mime.split('/')[1]}", data, mime))
                raw = self.client.images.with_raw_response.edit(image=files if len(files) > 1 else files[0], **params)
            else:
                raw = self.client.images.with_raw_response.generate(**params)
            response = raw.parse()
            item = response.data[0] if response.data else None
            if item is not None and item.b64_json:
                data = base64.b64decode(item.b64_json)
            elif item is not None and item.url:
                data, _ = downloads.download(item.url, timeout=self.config.timeout, vendor=self.vendor)
            else:
                raise errors.no_output(vendor=self.vendor, detail="the images API returned no image")
        data, mime = downloads.checked_image(data, vendor=self.vendor)  # an image, and not a huge one
        width, height = payloads.image_size(data)
        return ImageResult(data=data, mime=mime, width=width, height=height,
                           request_id=raw.headers.get("x-request-id", ""))

    def speak(self, model_id: str, request: SpeechRequest) -> SpeechResult:
        """`audio.speech` streamed to a (spooled) file as WAV; speed 0.25–4 (pitch is not a control)."""
        voice = request.voice if request.voice in SPEECH_VOICES else SPEECH_VOICES[0]
        with self._translated(), tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as out:
            with self.client.audio.speech.with_streaming_response.create(
                    model=model_id, voice=voice, input=request.text, response_format="wav",
                    speed=min(4.0, max(0.25, float(request.speed or 1.0)))) as response:
                request_id = response.headers.get("x-request-id", "")
                for chunk in response.iter_bytes(64 * 1024):
                    out.write(chunk)
            out.seek(0)
            data = out.read()
        if not data:
            raise errors.no_output(vendor=self.vendor, detail="the speech API returned no audio")
        return SpeechResult(data=data, mime="audio/wav", request_id=request_id)

    def voices(self, model_id: str) -> list[Voice]:
        return [Voice(v, v.capitalize()) for v in SPEECH_VOICES]

    def test_connection(self) -> str:
        with self._translated():
            page = self.client.models.list()
        return f"OK: {len(page.data)} models"

    def _translated(self):
        return errors.translating(self._error, (openai.OpenAIError, *errors.TRANSPORT_ERRORS))

    def _error(self, exc: Exception) -> ProviderError:
        secret = self.config.api_key
        name = type(exc).__name__
        if isinstance(exc, openai.APIConnectionError):  # APITimeoutError is one too
            return errors.transport_error(exc, vendor=self.vendor, secret=secret,
                                         timeout=isinstance(exc, openai.APITimeoutError))
        if isinstance(exc, openai.APIStatusError):
            return errors.status_error(vendor=self.vendor, status=exc.status_code, message=exc.message,
                                      code=exc.code or exc.type or "", exc_name=name, headers=exc.response.headers,
                                      secret=secret)
        if isinstance(exc, openai.APIError):  # an error event inside the stream
            return errors.status_error(vendor=self.vendor, status=None, message=exc.message, code=exc.code or "",
                                      exc_name=name, secret=secret)
        if errors.is_transport_error(exc):
            return errors.transport_error(exc, vendor=self.vendor, secret=secret)
        return errors.misconfigured(self.vendor, errors.scrub(f"{name}: {exc}", secret))
