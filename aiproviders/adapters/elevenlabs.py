"""ElevenLabs text to speech through the official `elevenlabs` SDK (httpx underneath)."""

from elevenlabs import ElevenLabs, VoiceSettings
from elevenlabs.core.api_error import ApiError

from . import errors, payloads
from .base import Adapter, ProviderConfig, ProviderError, SpeechRequest, SpeechResult, Voice

ELEVENLABS_URL = "https://api.elevenlabs.io"
PCM_RATE = 24000
DEFAULT_VOICE = "21m00Tcm4TlvDq8ikWAM"  # "Rachel", in every account's premade voices
NO_RETRIES = {"max_retries": 0}  # the router owns retries and fallback


class ElevenLabsAdapter(Adapter):
    """Speech: `text_to_speech.convert` asking for raw 24 kHz PCM, returned as WAV; speed goes in
    the voice settings (0.7–1.2, ElevenLabs' range); pitch is not a control. Voices: the account's
    (`voices.search`). Every SDK and transport error leaves as ProviderError."""

    kind = "elevenlabs"
    vendor = "ElevenLabs"

    def __init__(self, config: ProviderConfig):
        super().__init__(config)
        self._client: ElevenLabs | None = None

    @property
    def client(self) -> ElevenLabs:
        if self._client is None:
            if not self.config.api_key:
                raise errors.missing_key(self.vendor)
            self._client = ElevenLabs(api_key=self.config.api_key, base_url=self.config.base_url or ELEVENLABS_URL,
                                      timeout=self.config.timeout)
        return self._client

    def speak(self, model_id: str, request: SpeechRequest) -> SpeechResult:
        settings = VoiceSettings(speed=min(1.2, max(0.7, float(request.speed or 1.0))))
        with self._translated():
            chunks = self.client.text_to_speech.convert(
                voice_id=request.voice or DEFAULT_VOICE, text=request.text, model_id=model_id,
                output_format=f"pcm_{PCM_RATE}", voice_settings=settings, request_options=NO_RETRIES)
            pcm = b"".join(chunks)
        if not pcm:
            raise errors.no_output(vendor=self.vendor, detail="text-to-speech returned no audio")
        return SpeechResult(data=payloads.pcm_to_wav(pcm, PCM_RATE), mime="audio/wav", duration=len(pcm) / 2 / PCM_RATE)

    def voices(self, model_id: str) -> list[Voice]:
        with self._translated():
            found = self.client.voices.search(page_size=100, request_options=NO_RETRIES)
        return [Voice(v.voice_id, v.name or v.voice_id, (v.labels or {}).get("language", "")) for v in found.voices]

    def test_connection(self) -> str:
        with self._translated():
            found = self.client.voices.search(page_size=1, request_options=NO_RETRIES)
        return f"OK: {found.total_count if found.total_count is not None else len(found.voices)} voices"

    def _translated(self):
        return errors.translating(self._error, (ApiError, *errors.TRANSPORT_ERRORS))

    def _error(self, exc: Exception) -> ProviderError:
        secret = self.config.api_key
        if isinstance(exc, ApiError):
            body = exc.body if isinstance(exc.body, dict) else {}
            detail = body.get("detail") if isinstance(body.get("detail"), dict) else {}
            return errors.status_error(vendor=self.vendor, status=exc.status_code,
                                      message=str(detail.get("message") or exc.body or ""),
                                      code=str(detail.get("status") or ""), exc_name=type(exc).__name__,
                                      headers=exc.headers, secret=secret)
        if errors.is_transport_error(exc):
            return errors.transport_error(exc, vendor=self.vendor, secret=secret)
        return errors.misconfigured(self.vendor, errors.scrub(f"{type(exc).__name__}: {exc}", secret))
