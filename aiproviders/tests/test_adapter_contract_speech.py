"""The speech and lip-sync part of the adapter contract (test_adapter_contract.py has text, images
and video): each vendor kind with HTTP stubbed at the transport (respx, stubs.mock_http), so the
vendor SDKs — openai, google-genai, elevenlabs, replicate — run for real, and the offline adapter.

Every speech adapter answers a line as audio bytes that decode to sound, sends the vendor what it
must (path, auth, model, voice, text), lists voices, and maps the vendor's errors to
ProviderError without leaking the key or retrying on its own."""

import array
import base64
import json

import httpx
import pytest

from aiproviders.adapters import adapter_for, errors
from aiproviders.adapters.base import LipSyncRequest, ProviderConfig, ProviderError, SpeechRequest, SpeechResult
from aiproviders.adapters.elevenlabs import ElevenLabsAdapter
from aiproviders.adapters.google import GoogleAdapter
from aiproviders.adapters.local import LocalAdapter
from aiproviders.adapters.openai import OpenAIAdapter
from aiproviders.adapters.replicate import ReplicateAdapter
from media import audio

from . import stubs
from .test_adapter_contract import KEY, no_network  # noqa: F401 (the no-socket fixture applies here too)

LINE = SpeechRequest(text="The lantern is dark again.", voice="", language="en", speed=1.0, pitch=50)
# What vendors send: one second of a 300 Hz square wave, as raw 24 kHz PCM and as WAV.
PCM = array.array("h", (8000 if (i // 40) % 2 else -8000 for i in range(24000))).tobytes()
WAV = audio.encode(audio.Pcm(array.array("h", PCM)), "wav")[0]


class Harness:
    kind, adapter_class, base_url, model, voice = "", None, "", "", ""

    def adapter(self, **settings):
        return self.adapter_class(ProviderConfig(kind=self.kind, api_key=KEY, base_url=self.base_url, timeout=5.0,
                                                 config=settings))


class OpenAISpeech(Harness):
    kind, adapter_class, model, voice = "openai", OpenAIAdapter, "gpt-4o-mini-tts", "coral"
    api = "https://api.openai.com/v1"

    def route(self, router):
        return router.post(f"{self.api}/audio/speech")

    def stub(self, router):
        return self.route(router).respond(200, content=WAV, headers={"content-type": "audio/wav", "x-request-id": "req_tts"})

    def check(self, request, result):
        assert request.headers["authorization"] == f"Bearer {KEY}"
        body = json.loads(request.content)
        assert (body["model"], body["voice"], body["input"], body["response_format"]) == (
            self.model, self.voice, LINE.text, "wav")
        assert result.request_id == "req_tts"

    def error(self, status, message, headers=None):
        return httpx.Response(status, json=stubs.openai_error(message, type="server_error" if status >= 500 else "invalid_request_error"),
                              headers=headers)


class GoogleSpeech(Harness):
    kind, adapter_class, model, voice = "google", GoogleAdapter, "gemini-2.5-flash-preview-tts", "Puck"
    api = "https://generativelanguage.googleapis.com/v1"

    def route(self, router):
        return router.post(f"{self.api}/models/{self.model}:generateContent")

    def stub(self, router):
        return self.route(router).respond(200, json={
            "candidates": [{"content": {"role": "model", "parts": [{"inlineData": {
                "mimeType": "audio/L16;codec=pcm;rate=24000", "data": base64.b64encode(PCM).decode()}}]},
                "finishReason": "STOP"}], "responseId": "resp-tts"})

    def check(self, request, result):
        assert request.headers["x-goog-api-key"] == KEY
        body = json.loads(request.content)
        # google-genai 3.3 sends the speech config's inner fields in snake_case (protobuf JSON takes both).
        speech = json.loads(json.dumps(body["generationConfig"]["speechConfig"]).replace("prebuilt_voice_config", "prebuiltVoiceConfig")
                            .replace("voice_config", "voiceConfig").replace("voice_name", "voiceName")
                            .replace("language_code", "languageCode"))
        assert body["generationConfig"]["responseModalities"] == ["AUDIO"]
        assert speech["voiceConfig"]["prebuiltVoiceConfig"]["voiceName"] == self.voice
        assert speech["languageCode"] == "en-US" and body["contents"][0]["parts"][0]["text"] == LINE.text
        assert result.request_id == "resp-tts"

    def error(self, status, message, headers=None):
        return httpx.Response(status, json=stubs.google_error(status, message, status="UNAVAILABLE"), headers=headers)


class ElevenLabsSpeech(Harness):
    kind, adapter_class, model, voice = "elevenlabs", ElevenLabsAdapter, "eleven_multilingual_v2", "voice-rachel"
    api = "https://api.elevenlabs.io"

    def route(self, router):
        return router.post(f"{self.api}/v1/text-to-speech/{self.voice}")

    def stub(self, router):
        return self.route(router).respond(200, content=PCM, headers={"content-type": "audio/pcm"})

    def check(self, request, result):
        assert request.headers["xi-api-key"] == KEY
        assert request.url.params["output_format"] == "pcm_24000"
        body = json.loads(request.content)
        assert (body["text"], body["model_id"], body["voice_settings"]["speed"]) == (LINE.text, self.model, 1.0)

    def error(self, status, message, headers=None):
        return httpx.Response(status, json={"detail": {"status": "error", "message": message}}, headers=headers)


VENDORS = [OpenAISpeech(), GoogleSpeech(), ElevenLabsSpeech()]
kinds = pytest.mark.parametrize("harness", VENDORS, ids=lambda h: h.kind)


@kinds
def test_a_line_comes_back_as_sound_that_decodes(harness):
    with stubs.mock_http() as router:
        route = harness.stub(router)
        line = SpeechRequest(**{**LINE.__dict__, "voice": harness.voice})
        result = harness.adapter().speak(harness.model, line)
    assert isinstance(result, SpeechResult) and result.mime == "audio/wav"
    pcm = audio.decode(result.data)
    assert abs(pcm.duration - 1.0) < 0.05 and audio.rms(pcm.samples) > 0.1
    assert route.call_count == 1
    harness.check(route.calls.last.request, result)


def test_local_speaks_without_any_request():
    with stubs.mock_http() as router:
        result = LocalAdapter(ProviderConfig(kind="local")).speak("local-speech", LINE)
    assert not router.calls and audio.decode(result.data).duration > 0.5


ERROR_CASES = {"401": True, "400": True, "429": False, "500": False, "connect_error": False, "read_timeout": False}


@kinds
@pytest.mark.parametrize("case", ERROR_CASES)
def test_vendor_speech_errors_become_provider_errors(harness, case):
    with stubs.mock_http() as router:
        route = harness.route(router)
        if case == "connect_error":
            route.mock(side_effect=httpx.ConnectError)
        elif case == "read_timeout":
            route.mock(side_effect=httpx.ReadTimeout)
        else:
            headers = {"retry-after": "7"} if case == "429" else None
            route.mock(return_value=harness.error(int(case), f"Incorrect API key provided: {KEY}", headers))
        with pytest.raises(ProviderError) as info:
            harness.adapter().speak(harness.model, SpeechRequest(**{**LINE.__dict__, "voice": harness.voice}))
    error = info.value
    assert error.permanent is ERROR_CASES[case]
    assert route.call_count == 1  # the SDK made no retry of its own
    for text in (str(error), error.user_message, error.detail):
        assert KEY not in text
    if case == "401":
        assert (error.code, error.user_message) == ("auth", errors.AUTH)
    if case == "429":
        assert error.code == "rate_limited" and error.retry_after == 7.0
    if case == "read_timeout":
        assert error.code == "timeout"


@kinds
def test_a_missing_key_fails_permanently_without_a_request(harness):
    adapter = harness.adapter_class(ProviderConfig(kind=harness.kind, api_key="", timeout=5.0))
    with stubs.mock_http() as router:
        with pytest.raises(ProviderError) as info:
            adapter.speak(harness.model, LINE)
    assert info.value.permanent and not router.calls


def test_each_vendor_lists_its_voices():
    with stubs.mock_http() as router:
        listed = router.get(f"{ElevenLabsSpeech.api}/v2/voices").respond(200, json={
            "voices": [{"voice_id": "voice-rachel", "name": "Rachel", "labels": {"language": "en"}},
                       {"voice_id": "voice-sari", "name": "Sari", "labels": {"language": "id"}}],
            "has_more": False, "total_count": 2})
        eleven = ElevenLabsSpeech().adapter().voices("eleven_multilingual_v2")
    assert [(v.id, v.language) for v in eleven] == [("voice-rachel", "en"), ("voice-sari", "id")]
    assert listed.calls.last.request.headers["xi-api-key"] == KEY
    assert "coral" in [v.id for v in OpenAISpeech().adapter().voices("gpt-4o-mini-tts")]
    assert "Kore" in [v.id for v in GoogleSpeech().adapter().voices("gemini-2.5-flash-preview-tts")]
    local = LocalAdapter(ProviderConfig(kind="local")).voices("local-speech")
    assert {"en", "id"} <= {v.language for v in local}


def test_the_registry_builds_the_elevenlabs_adapter():
    assert isinstance(adapter_for(ProviderConfig(kind="elevenlabs", api_key=KEY)), ElevenLabsAdapter)


# ------------------------------------------------------------------------------------ lip-sync

SADTALKER = "cjwbw/sadtalker:3aa3dac9353cc4d6bd62a8f95957bd844003b401ca4e4a9b33baa574c549d376"
REPLICATE = "https://api.replicate.com"


def replicate():
    return ReplicateAdapter(ProviderConfig(kind="replicate", api_key=KEY, timeout=5.0,
                                           config={"poll_interval": 0, "webhook_url": "https://studio.example/hooks/replicate"}))


def test_replicate_lipsync_starts_with_face_and_sound_then_polls_until_the_mp4_is_downloaded():
    with stubs.mock_http() as router:
        create = router.post(f"{REPLICATE}/v1/predictions").respond(201, json=stubs.prediction("p-lip", "starting"))
        router.get(f"{REPLICATE}/v1/predictions/p-lip").mock(side_effect=[
            httpx.Response(200, json=stubs.prediction("p-lip", "processing")),
            httpx.Response(200, json=stubs.prediction("p-lip", "succeeded", output="https://replicate.delivery/x/talk.mp4")),
        ])
        router.get("https://replicate.delivery/x/talk.mp4").respond(200, content=stubs.MP4,
                                                                   headers={"content-type": "video/mp4"})
        adapter = replicate()
        started = adapter.start_lipsync(SADTALKER, LipSyncRequest(image=stubs.png(), audio=WAV, duration=1.0))
        running = adapter.poll_video(SADTALKER, started.job_id)
        done = adapter.poll_video(SADTALKER, started.job_id)
    request = create.calls.last.request
    body = json.loads(request.content)
    assert request.headers["authorization"] == f"Bearer {KEY}" and "prefer" not in request.headers
    assert body["version"] == SADTALKER.split(":")[1]
    assert body["input"]["source_image"].startswith("data:image/png;base64,")
    assert body["input"]["driven_audio"] == "data:audio/wav;base64," + base64.b64encode(WAV).decode()
    assert body["webhook"] == "https://studio.example/hooks/replicate" and body["webhook_events_filter"] == ["completed"]
    assert (started.status, running.status, done.status) == ("running", "running", "succeeded")
    assert done.data == stubs.MP4 and done.mime == "video/mp4"


def test_a_failed_replicate_lipsync_is_a_failed_job_and_auth_errors_are_permanent():
    with stubs.mock_http() as router:
        router.post(f"{REPLICATE}/v1/predictions").mock(side_effect=[
            httpx.Response(201, json=stubs.prediction("p-bad", "failed", error="No face detected in the image")),
            httpx.Response(401, json=stubs.replicate_error(401, f"Invalid token {KEY}")),
        ])
        failed = replicate().start_lipsync(SADTALKER, LipSyncRequest(image=stubs.png(), audio=WAV))
        with pytest.raises(ProviderError) as info:
            replicate().start_lipsync(SADTALKER, LipSyncRequest(image=stubs.png(), audio=WAV))
    assert failed.status == "failed" and isinstance(failed.error, ProviderError)
    assert info.value.permanent and info.value.code == "auth" and KEY not in info.value.detail


@pytest.mark.parametrize("kind", ["openai", "google", "anthropic"])
def test_adapters_without_lipsync_refuse_it_permanently(kind):
    adapter = adapter_for(ProviderConfig(kind=kind, api_key=KEY))
    with pytest.raises(ProviderError) as info:
        adapter.start_lipsync("m", LipSyncRequest(image=b"", audio=b""))
    assert info.value.permanent and info.value.code == "unsupported"
