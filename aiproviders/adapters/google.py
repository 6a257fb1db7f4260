"""Google Gemini through the official `google-genai` SDK: the Gemini Developer API with an API
key, or Vertex AI with a service account (then Imagen works too)."""

import hashlib
import json
import re
import threading
from collections.abc import Iterator

import httpx
from django.utils.translation import gettext_noop
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

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

BLOCKED_FINISH_REASONS = {
    "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT",
    "IMAGE_RECITATION", "MODEL_ARMOR",
}
# Gemini TTS's prebuilt voices (each speaks every supported language).
SPEECH_VOICES = ("Kore", "Puck", "Charon", "Zephyr", "Fenrir", "Leda", "Aoede", "Orus")
SPEECH_LANGUAGES = {"en": "en-US", "id": "id-ID"}
GEMINI_IMAGE_ASPECT_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
IMAGEN_ASPECT_RATIOS = ("1:1", "3:4", "4:3", "9:16", "16:9")
VERTEX_SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
IMAGEN_NEEDS_VERTEX = gettext_noop("This image model needs Google Vertex AI, which is not set up. An administrator has been notified.")


class GoogleAdapter(Adapter):
    """Text: `generate_content_stream`; yields each chunk's text, then one Usage from the last
    `usage_metadata` (thinking tokens count as output: they are billed as output). Images: Gemini
    image models through `generate_content`, reference images sent as inline parts; Imagen is
    refused (the SDK serves it only through Vertex AI). No video.

    Blocked prompts and safety finish reasons are permanent content-policy errors. The SDK makes
    one attempt (HttpRetryOptions(attempts=1)); every SDK and transport error leaves as
    ProviderError, including one raised mid-stream by the iterator.

    config.config["api_version"] pins the API version (the SDK default otherwise).

    Vertex AI: when config.config names a `location` (e.g. "us-central1") the client talks to
    Vertex AI with the provider's service-account JSON (stored encrypted, like a key) and
    config.config["project"] (the JSON's project_id when not named). Imagen
    (`models.generate_images`) works only there; on the Gemini Developer API it is refused."""

    kind = "google"
    vendor = "Google"

    def __init__(self, config: ProviderConfig):
        super().__init__(config)
        self._client: genai.Client | None = None

    @property
    def vertex(self) -> bool:
        return bool(self.config.config.get("location"))

    @property
    def client(self) -> genai.Client:
        if self._client is None:
            http_options = types.HttpOptions(
                base_url=self.config.base_url or None,
                api_version=self.config.config.get("api_version") or None,
                timeout=int(self.config.timeout * 1000),
                retry_options=types.HttpRetryOptions(attempts=1),
            )
            if self.vertex:
                credentials, project = self._vertex_credentials()
                self._client = genai.Client(vertexai=True, project=project, location=self.config.config["location"],
                                            credentials=credentials, http_options=http_options)
            else:
                if not self.config.api_key:
                    raise errors.missing_key(self.vendor)
                self._client = genai.Client(api_key=self.config.api_key, vertexai=False, http_options=http_options)
        return self._client

    def _vertex_credentials(self):
        """Service-account credentials with a live access token (fetched over httpx, so that the
        token exchange has the adapter's timeout and error mapping), and the project."""
        if not self.config.credentials:
            raise ProviderError(errors.AUTH, permanent=True, code="auth",
                                detail=f"{self.vendor}: Vertex AI needs a service-account JSON")
        try:
            info = json.loads(self.config.credentials)
        except ValueError:
            info = None
        if not isinstance(info, dict) or info.get("type") != "service_account":
            raise errors.misconfigured(self.vendor, "the stored credentials are not a service-account JSON")
        project = self.config.config.get("project") or info.get("project_id")
        if not project:
            raise errors.misconfigured(self.vendor, "Vertex AI needs a project (config \"project\")")
        return _service_account(info, timeout=self.config.timeout, secret=info.get("private_key_id", "")), project

    def generate_text(self, model_id: str, request: TextRequest) -> Iterator[str | Usage]:
        contents = [
            types.Content(role="model" if turn["role"] == "assistant" else "user",
                          parts=[types.Part.from_text(text=turn["content"])])
            for turn in payloads.conversation(request)
        ]
        config = types.GenerateContentConfig(
            system_instruction=request.system or None,
            max_output_tokens=request.max_tokens,
            temperature=request.temperature,
        )
        usage = Usage()
        with self._translated():
            for chunk in self.client.models.generate_content_stream(model=model_id, contents=contents, config=config):
                self._raise_if_blocked(chunk)
                usage.request_id = usage.request_id or chunk.response_id or ""
                if chunk.usage_metadata:
                    meta = chunk.usage_metadata
                    usage.input_tokens = meta.prompt_token_count or 0
                    usage.output_tokens = (meta.candidates_token_count or 0) + (meta.thoughts_token_count or 0)
                for part in self._parts(chunk):
                    if part.text and not part.thought:
                        yield part.text
        yield usage

    def generate_image(self, model_id: str, request: ImageRequest) -> ImageResult:
        if model_id.removeprefix("models/").startswith("imagen"):
            if not self.vertex:
                # google-genai serves Imagen (`generate_images`) only through Vertex AI; on the
                # Gemini Developer API the Gemini image models replace it.
                raise ProviderError(IMAGEN_NEEDS_VERTEX, permanent=True, code="unsupported",
                                    detail=f"{self.vendor}: {model_id} needs Vertex AI (set \"location\" and "
                                           "\"project\" in the provider's config and paste a service-account JSON), "
                                           "or use a Gemini image model")
            if request.references:
                raise errors.no_references(self.vendor, model_id)
            with self._translated():
                data, mime, request_id = self._imagen(model_id, request)
        else:
            with self._translated():
                data, mime, request_id = self._gemini_image(model_id, request)
        data, mime = downloads.checked_image(data, vendor=self.vendor)  # an image, and not a huge one
        width, height = payloads.image_size(data)
        return ImageResult(data=data, mime=mime, width=width, height=height, request_id=request_id)

    def _gemini_image(self, model_id: str, request: ImageRequest) -> tuple[bytes, str, str]:
        parts = [types.Part.from_bytes(data=data, mime_type=payloads.sniff_mime(data) or "image/png")
                 for data in request.references]
        parts.append(types.Part.from_text(text=request.prompt))
        response = self.client.models.generate_content(
            model=model_id,
            contents=[types.Content(role="user", parts=parts)],
            config=types.GenerateContentConfig(
                response_modalities=["TEXT", "IMAGE"],
                image_config=types.ImageConfig(
                    aspect_ratio=payloads.aspect_ratio(request.width, request.height, GEMINI_IMAGE_ASPECT_RATIOS)),
            ),
        )
        self._raise_if_blocked(response)
        for part in self._parts(response):
            if part.inline_data and part.inline_data.data:
                return part.inline_data.data, part.inline_data.mime_type or "", response.response_id or ""
        raise errors.no_output(vendor=self.vendor, detail=f"{model_id} answered without an image")

    def _imagen(self, model_id: str, request: ImageRequest) -> tuple[bytes, str, str]:
        response = self.client.models.generate_images(
            model=model_id, prompt=request.prompt,
            config=types.GenerateImagesConfig(
                number_of_images=1, include_rai_reason=True,
                aspect_ratio=payloads.aspect_ratio(request.width, request.height, IMAGEN_ASPECT_RATIOS)),
        )
        for generated in response.generated_images or []:
            if generated.image and generated.image.image_bytes:
                return generated.image.image_bytes, generated.image.mime_type or "", ""
            if generated.rai_filtered_reason:
                raise errors.content_policy(vendor=self.vendor, detail=f"Imagen: {generated.rai_filtered_reason}")
        raise errors.content_policy(vendor=self.vendor, detail=f"{model_id} answered without an image (filtered)")

    def speak(self, model_id: str, request: SpeechRequest) -> SpeechResult:
        """Gemini TTS (`generate_content` with the AUDIO modality): raw 16-bit PCM back, returned as
        WAV. Speed and pitch are asked for in words, the way this model is steered."""
        voice = request.voice if request.voice in SPEECH_VOICES else SPEECH_VOICES[0]
        style = []
        if request.speed and abs(request.speed - 1) >= 0.1:
            style.append("slowly" if request.speed < 1 else "quickly")
        if request.pitch is not None and abs(request.pitch - 50) >= 15:
            style.append("in a low voice" if request.pitch < 50 else "in a high voice")
        text = f"Say {' and '.join(style)}: {request.text}" if style else request.text
        config = types.GenerateContentConfig(
            response_modalities=["AUDIO"],
            speech_config=types.SpeechConfig(
                language_code=SPEECH_LANGUAGES.get(request.language),
                voice_config=types.VoiceConfig(prebuilt_voice_config=types.PrebuiltVoiceConfig(voice_name=voice))),
        )
        with self._translated():
            response = self.client.models.generate_content(model=model_id, contents=text, config=config)
        self._raise_if_blocked(response)
        for part in self._parts(response):
            if part.inline_data and part.inline_data.data:
                mime = part.inline_data.mime_type or ""
                if mime.startswith("audio/wav"):
                    return SpeechResult(data=part.inline_data.data, mime="audio/wav", request_id=response.response_id or "")
                rate = re.search(r"rate=(\d+)", mime)
                return SpeechResult(data=payloads.pcm_to_wav(part.inline_data.data, int(rate.group(1)) if rate else 24000),
                                    mime="audio/wav", request_id=response.response_id or "")
        raise errors.no_output(vendor=self.vendor, detail=f"{model_id} answered without audio")

    def voices(self, model_id: str) -> list[Voice]:
        return [Voice(v, v) for v in SPEECH_VOICES]

    def test_connection(self) -> str:
        with self._translated():
            pager = self.client.models.list(config={"page_size": 1})
            first = pager.page[0].name if pager.page else ""
        return f"OK: models listed (first: {first})" if first else "OK: no models listed"

    @staticmethod
    def _parts(response: types.GenerateContentResponse) -> list[types.Part]:
        candidate = response.candidates[0] if response.candidates else None
        return list(candidate.content.parts or []) if candidate and candidate.content else []

    def _raise_if_blocked(self, response: types.GenerateContentResponse):
        feedback = response.prompt_feedback
        if feedback and feedback.block_reason:
            raise errors.content_policy(vendor=self.vendor, detail=f"prompt blocked: {_name(feedback.block_reason)}")
        for candidate in response.candidates or []:
            if candidate.finish_reason and _name(candidate.finish_reason) in BLOCKED_FINISH_REASONS:
                raise errors.content_policy(vendor=self.vendor, detail=f"finish_reason={_name(candidate.finish_reason)}")

    def _translated(self):
        return errors.translating(self._error, (genai_errors.APIError, genai_errors.UnknownApiResponseError,
                                                *errors.TRANSPORT_ERRORS))

    def _error(self, exc: Exception) -> ProviderError:
        secret = self.config.api_key
        name = type(exc).__name__
        if isinstance(exc, genai_errors.APIError):
            status, message = exc.code, exc.message or ""
            reason = _error_reason(exc.details)
            if status == 400 and (reason == "API_KEY_INVALID" or "API key" in message):
                status = 401  # Google answers 400 INVALID_ARGUMENT to a bad key
            headers = exc.response.headers if getattr(exc, "response", None) is not None else None
            return errors.status_error(vendor=self.vendor, status=status if isinstance(status, int) else None,
                                      message=message, code=reason or exc.status or "", exc_name=name,
                                      headers=headers, secret=secret, retry_after_s=_retry_delay(exc.details))
        if errors.is_transport_error(exc):
            return errors.transport_error(exc, vendor=self.vendor, secret=secret)
        # UnknownApiResponseError: a body that is not JSON, e.g. a proxy's error page.
        return errors.status_error(vendor=self.vendor, status=502, message=str(exc), exc_name=name, secret=secret)


def _name(value) -> str:
    return getattr(value, "value", None) or str(value)


def _error_details(body) -> list:
    error = body.get("error", body) if isinstance(body, dict) else {}
    details = error.get("details") if isinstance(error, dict) else None
    return details if isinstance(details, list) else []


def _error_reason(body) -> str:
    for item in _error_details(body):
        if isinstance(item, dict) and item.get("reason"):
            return str(item["reason"])
    return ""


def _retry_delay(body) -> float | None:
    """Seconds from a google.rpc.RetryInfo detail ("retryDelay": "12s"), which Google sends on 429."""
    for item in _error_details(body):
        if isinstance(item, dict) and str(item.get("@type", "")).endswith("RetryInfo"):
            match = re.fullmatch(r"(\d+(?:\.\d+)?)s", str(item.get("retryDelay", "")))
            if match:
                return float(match.group(1))
    return None


# --- Vertex AI credentials -----------------------------------------------------------------------

_TOKENS: dict[str, object] = {}  # hash of the service-account JSON → its credentials (token cached ~1 h)
_TOKENS_LOCK = threading.Lock()


class _HttpxAuthRequest:
    """google-auth's transport interface over httpx, for the OAuth token exchange."""

    def __init__(self, timeout: float):
        self.timeout = timeout

    def __call__(self, url, method="GET", body=None, headers=None, timeout=None, **kwargs):
        from google.auth import exceptions as auth_exceptions
        from google.auth.transport import Response

        try:
            response = httpx.request(method, url, content=body, headers=headers, timeout=timeout or self.timeout)
        except httpx.TransportError as exc:
            raise auth_exceptions.TransportError(str(exc)) from exc

        class _Response(Response):
            status = response.status_code
            headers = response.headers
            data = response.content

        return _Response()


def _service_account(info: dict, *, timeout: float, secret: str = ""):
    from google.auth import exceptions as auth_exceptions
    from google.oauth2 import service_account

    digest = hashlib.sha256(json.dumps(info, sort_keys=True).encode()).hexdigest()
    with _TOKENS_LOCK:
        credentials = _TOKENS.get(digest)
        if credentials is None:
            try:
                credentials = service_account.Credentials.from_service_account_info(info, scopes=VERTEX_SCOPES)
            except (ValueError, KeyError) as exc:
                raise errors.misconfigured("Google", f"unreadable service-account JSON: {type(exc).__name__}") from None
            _TOKENS[digest] = credentials
        if not credentials.valid:
            try:
                credentials.refresh(_HttpxAuthRequest(timeout))
            except auth_exceptions.RefreshError as exc:
                _TOKENS.pop(digest, None)
                raise ProviderError(errors.AUTH, permanent=True, code="auth",
                                    detail=errors.scrub(f"Google service account refused: {exc}", secret)) from None
            except auth_exceptions.TransportError as exc:
                raise ProviderError(errors.CONNECTION, permanent=False, code="connection",
                                    detail=errors.scrub(f"Google token exchange: {exc}", secret)) from None
    return credentials
