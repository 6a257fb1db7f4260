"""The one interface every vendor adapter implements.

An adapter is a class constructed with a ProviderConfig (the decrypted key lives only in that
object, for the duration of a call) and exposing:

    generate_text(model_id, request: TextRequest) -> Iterator[str | Usage]
        yields text chunks as they arrive, then exactly one Usage as the last item
    generate_image(model_id, request: ImageRequest) -> ImageResult
        the image bytes (downloaded when the vendor answers with a URL), never a vendor URL
    start_video(model_id, request: VideoRequest) -> VideoJob
    poll_video(model_id, job_id: str) -> VideoJob
        status "running" (progress 0–100), "succeeded" (with the MP4 bytes) or "failed"
    upscale_image(model_id, request: UpscaleRequest) -> ImageResult
        the image `scale` times larger on each side (the bytes, never a vendor URL), from the
        vendors that have an upscaler
    speak(model_id, request: SpeechRequest) -> SpeechResult
        one line of speech: the audio bytes, their type and duration (never a vendor URL)
    voices(model_id) -> list[Voice]
        the voices a model offers (a fixed list, or the vendor's)
    start_lipsync(model_id, request: LipSyncRequest) -> VideoJob
        a face (an image, or a video for models with cap_lipsync_video) and a sound in, a talking
        MP4 out; followed with poll_video like a video
    test_connection() -> str
        the smallest real call the vendor allows; returns a short human description

Capabilities an adapter does not have raise ProviderError(permanent=True). Every vendor/SDK
error is mapped to ProviderError; messages never contain the key."""

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from modo.i18n import stored_message


class ProviderError(Exception):
    """`permanent` errors (auth, bad request, content policy, unsupported) are not retried and
    do not fall back; transient ones (timeouts, 5xx, 429, connection) are. `user_message` is
    safe to show a creator: an English msgid (marked with gettext_noop) and its `params`, kept
    untranslated so that it can be stored and shown later in the reader's language (`user_text`
    now, or modo.i18n.stored_message at display time); `detail` is for logs (still without secrets)."""

    def __init__(self, user_message: str, *, permanent: bool, retry_after: float | None = None, detail: str = "",
                 code: str = "", params: dict | None = None):
        super().__init__(detail or user_message)
        self.user_message = user_message
        self.params = dict(params or {})
        self.permanent = permanent
        self.retry_after = retry_after
        self.detail = detail or user_message
        self.code = code or ("permanent" if permanent else "transient")

    @property
    def user_text(self) -> str:
        """`user_message` in the active language, its parameters filled in."""
        return stored_message(self.user_message, self.params)


_UNSUPPORTED = {
    "write text": gettext_noop("This AI provider cannot write text."),
    "make images": gettext_noop("This AI provider cannot make images."),
    "make videos": gettext_noop("This AI provider cannot make videos."),
    "upscale images": gettext_noop("This AI provider cannot upscale images."),
    "speak": gettext_noop("This AI provider cannot speak."),
    "lip-sync": gettext_noop("This AI provider cannot lip-sync."),
}


@dataclass(frozen=True)
class ProviderConfig:
    kind: str
    api_key: str = ""
    base_url: str = ""
    timeout: float = 60.0
    config: dict = field(default_factory=dict)
    credentials: str = ""  # a service-account JSON (Google on Vertex AI), decrypted for one call

    def __repr__(self):  # never print the key
        return f"ProviderConfig(kind={self.kind!r}, base_url={self.base_url!r}, api_key=***)"

    def model_options(self, model_id: str) -> dict:
        """The options of one model: the provider's config["models"][model_id], which the router
        fills from the model row's own `config`."""
        return dict((self.config.get("models") or {}).get(model_id) or {})


@dataclass
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    request_id: str = ""


@dataclass
class TextRequest:
    prompt: str
    system: str = ""
    # Earlier turns, oldest first: [{"role": "user" | "assistant", "content": "..."}]
    messages: list[dict] = field(default_factory=list)
    max_tokens: int = 1024
    temperature: float = 0.7
    # What the offline provider drafts from: {"section": "character", "project": {...canon...},
    # "subject": {...the character / location / scene fields...}}. Vendors ignore it (the
    # prompt builders already put it into `prompt` / `system`).
    context: dict = field(default_factory=dict)


@dataclass
class ImageRequest:
    prompt: str
    references: list[bytes] = field(default_factory=list)  # i2i / multi-reference inputs
    width: int = 1024
    height: int = 1024
    style: str = ""  # a preset key: "anime", "cinematic", "cartoon", "realistic", "chibi", "sketch"...
    strength: float = 0.6  # i2i: 0 keeps the reference, 1 ignores it
    subject: dict = field(default_factory=dict)  # {"name": ..., "traits": [...]} for the offline card


@dataclass
class ImageResult:
    data: bytes
    mime: str
    width: int = 0
    height: int = 0
    request_id: str = ""


@dataclass
class UpscaleRequest:
    image: bytes
    scale: int = 2  # 2 or 4: each side is multiplied by it
    prompt: str = ""  # the conservative upscalers keep closer to it


@dataclass
class VideoRequest:
    image: bytes
    prompt: str = ""
    duration: int = 5  # seconds
    motion: str = "zoom_in"  # zoom_in, zoom_out, pan_left, pan_right
    width: int = 1280
    height: int = 720


@dataclass
class VideoJob:
    job_id: str
    status: str  # "running", "succeeded", "failed"
    progress: int = 0
    data: bytes | None = None
    mime: str = "video/mp4"
    error: ProviderError | None = None
    request_id: str = ""
    duration: float = 0.0


@dataclass
class SpeechRequest:
    text: str
    voice: str = ""  # the vendor's voice id ("" : the model's first voice)
    language: str = "en"  # "en" or "id"
    speed: float = 1.0  # 0.5–2.0
    pitch: int = 50  # 0–100, 50 is the voice's own (vendors without a pitch control ignore it)


@dataclass
class SpeechResult:
    data: bytes
    mime: str  # audio/wav, audio/mpeg, audio/ogg
    duration: float = 0.0  # seconds, 0 when the vendor does not say (the caller decodes it)
    request_id: str = ""


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    language: str = ""  # "en", "id", "" for multilingual


@dataclass
class LipSyncRequest:
    image: bytes  # the face (a character sheet, a moodboard image); b"" when `video` is the face
    audio: bytes  # what it says (WAV)
    duration: float = 0.0  # seconds of audio
    width: int = 720
    height: int = 720
    video: bytes = b""  # the face as a video (an animation, an upload): looped or cut to the sound's length


class Adapter:
    """Base class: everything unsupported by default."""

    kind = ""

    def __init__(self, config: ProviderConfig):
        self.config = config

    def _unsupported(self, what: str):
        raise ProviderError(_UNSUPPORTED[what], permanent=True, code="unsupported", detail=f"{self.kind}: cannot {what}")

    def generate_text(self, model_id: str, request: TextRequest) -> Iterator[str | Usage]:
        self._unsupported("write text")

    def generate_image(self, model_id: str, request: ImageRequest) -> ImageResult:
        self._unsupported("make images")

    def start_video(self, model_id: str, request: VideoRequest) -> VideoJob:
        self._unsupported("make videos")

    def poll_video(self, model_id: str, job_id: str) -> VideoJob:
        self._unsupported("make videos")

    def upscale_image(self, model_id: str, request: UpscaleRequest) -> ImageResult:
        self._unsupported("upscale images")

    def speak(self, model_id: str, request: SpeechRequest) -> SpeechResult:
        self._unsupported("speak")

    def voices(self, model_id: str) -> list[Voice]:
        return []

    def start_lipsync(self, model_id: str, request: LipSyncRequest) -> VideoJob:
        self._unsupported("lip-sync")

    def test_connection(self) -> str:
        return "ok"
