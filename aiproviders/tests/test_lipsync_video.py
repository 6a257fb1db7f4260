"""Lip-sync from a video face: the offline preview plays the video's pictures (looped or cut to
the sound's length) under the loudness effect with the sound muxed in; Replicate sends the video
only to a model whose options name a video input (SadTalker takes a picture: refused, no
request); the router tries only the models that take a video, at the lip-sync price."""

import io
import json
import math
from array import array

import av
import pytest

from aiproviders import router
from aiproviders import services as ai_services
from aiproviders.adapters.base import LipSyncRequest, ProviderConfig, ProviderError
from aiproviders.adapters.local import LocalAdapter
from aiproviders.adapters.replicate import ReplicateAdapter
from aiproviders.models import AIModel, Provider, UsageLog
from media import audio
from media.tests.conftest import clip

from . import stubs
from .test_adapter_contract import KEY, no_network  # noqa: F401 (no socket opens here either)

SADTALKER = "cjwbw/sadtalker:3aa3dac9353cc4d6bd62a8f95957bd844003b401ca4e4a9b33baa574c549d376"
VIDEO_LIPSYNC = "example/video-lipsync:0123456789abcdef"
REPLICATE = "https://api.replicate.com"


def speech(seconds: float) -> tuple[bytes, float]:
    """A WAV whose loudness comes and goes (a syllable every 0.25 s)."""
    samples = array(
        "h", (int(9000 * math.sin(i / 9) * (1 if (i // 6000) % 2 else 0.1)) for i in range(int(seconds * audio.RATE)))
    )
    return audio.encode(audio.Pcm(samples), "wav")[0], seconds


def lengths(data: bytes) -> tuple[float, float, int]:
    """(video seconds, audio seconds, pictures) of an MP4."""
    with av.open(io.BytesIO(data)) as container:
        picture, sound = container.streams.video[0], container.streams.audio[0]
        frames = sum(1 for _ in container.decode(picture))
        return float(picture.duration * picture.time_base), float(sound.duration * sound.time_base), frames


def offline(face: bytes, wav: bytes, seconds: float, **size):
    return LocalAdapter(ProviderConfig(kind="local")).start_lipsync(
        "local-lipsync",
        LipSyncRequest(image=b"", video=face, audio=wav, duration=seconds, **(size or {"width": 192, "height": 128})),
    )


@pytest.mark.parametrize("face_seconds", [1.0, 5.0])  # shorter than the sound: looped; longer: cut
def test_offline_lipsync_of_a_video_face_lasts_as_long_as_the_sound(face_seconds):
    wav, seconds = speech(3.5)
    job = offline(clip((120, 80), seconds=face_seconds, rate=12, sound=True), wav, seconds)
    assert job.status == "succeeded" and abs(job.duration - seconds) < 0.01
    video_seconds, audio_seconds, frames = lengths(job.data)
    assert abs(video_seconds - seconds) < 0.1 and abs(audio_seconds - seconds) < 0.1
    assert frames == math.ceil(seconds * 24)
    with av.open(io.BytesIO(job.data)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (192, 128)
        pictures = [f.to_image() for f in container.decode(stream)]
    # the face video's own pictures play (its colours change from picture to picture)
    assert len({p.resize((8, 8)).tobytes() for p in pictures[::3]}) > 10


def test_offline_lipsync_refuses_a_face_video_that_does_not_decode_for_good():
    wav, seconds = speech(1.0)
    with pytest.raises(ProviderError) as refused:
        offline(clip(seconds=3.0)[:900], wav, seconds)
    assert refused.value.permanent and refused.value.code == "bad_request"


def replicate(models=None):
    return ReplicateAdapter(
        ProviderConfig(kind="replicate", api_key=KEY, timeout=5.0, config={"poll_interval": 0, "models": models or {}})
    )


def test_sadtalker_takes_a_picture_only_and_is_refused_a_video_without_a_request():
    wav, seconds = speech(1.0)
    with stubs.mock_http() as mock:
        with pytest.raises(ProviderError) as refused:
            replicate().start_lipsync(SADTALKER, LipSyncRequest(image=b"", video=clip(), audio=wav, duration=seconds))
    assert refused.value.permanent and refused.value.code == "unsupported" and not mock.calls
    assert "picture" in refused.value.user_message


def test_a_replicate_model_that_takes_a_video_is_sent_the_video():
    wav, seconds = speech(1.0)
    face = clip()
    with stubs.mock_http() as mock:
        create = mock.post(f"{REPLICATE}/v1/predictions").respond(201, json=stubs.prediction("p-face", "starting"))
        started = replicate({VIDEO_LIPSYNC: {"lipsync_video_key": "face", "lipsync_audio_key": "audio"}}).start_lipsync(
            VIDEO_LIPSYNC, LipSyncRequest(image=b"", video=face, audio=wav, duration=seconds)
        )
    sent = json.loads(create.calls.last.request.content)["input"]
    assert started.status == "running" and set(sent) == {"face", "audio"}
    assert sent["face"] == "data:video/mp4;base64," + stubs.b64(face)


@pytest.mark.django_db
def test_the_router_sends_a_video_face_only_to_a_model_that_takes_one_at_the_lipsync_price():
    provider = Provider.objects.create(
        name="Replicate (video face)", kind=Provider.Kind.REPLICATE, enabled=True, timeout_seconds=30
    )
    ai_services.provider_set_key(provider=provider, api_key=KEY)
    AIModel.objects.create(
        provider=provider, model_id=SADTALKER, display_name="SadTalker", type=AIModel.Type.VIDEO, cap_lipsync=True, priority=1
    )  # tried first for a picture, never for a video
    offline_model = AIModel.objects.get(provider__kind="local", model_id="local-lipsync")
    assert offline_model.cap_lipsync_video  # the migration gave the offline model the capability
    wav, seconds = speech(2.0)
    call = router.Call(type="video", capability="lipsync", params={"duration": 12})
    started, used, _usage = router.start_lipsync(
        call, LipSyncRequest(image=b"", video=clip(), audio=wav, duration=seconds, width=96, height=64)
    )
    assert started.status == "succeeded" and used == offline_model
    assert list(UsageLog.objects.values_list("model__model_id", flat=True)) == ["local-lipsync"]
    assert (
        router.quote(type="video", capability="lipsync_video", params={"duration": 12})
        == router.quote(type="video", capability="lipsync", params={"duration": 12})
        == 40
    )
