"""The offline voices (eSpeak NG from its wheel: no system package, no network) really speak: the
sound lasts longer for a longer text, in English and in Bahasa Indonesia, and it is not silence;
and the offline lip-sync preview is an MP4 with the sound's audio track and a video track."""

import io

import av
import pytest

from aiproviders.adapters.base import LipSyncRequest, ProviderConfig, ProviderError, SpeechRequest
from aiproviders.adapters.local import LocalAdapter
from media import audio

from .stubs import png

SHORT = {"en": "The lantern is dark.", "id": "Lenteranya padam."}
LONG = {"en": "The lantern is dark again, and the whole floating village waits for the wind to come home "
              "before the tide turns at midnight.",
        "id": "Lenteranya padam lagi, dan seluruh kampung terapung menunggu angin pulang sebelum air pasang "
              "berbalik tengah malam nanti."}


def speak(text, **kwargs):
    result = LocalAdapter(ProviderConfig(kind="local")).speak("local-speech", SpeechRequest(text=text, **kwargs))
    return result, audio.decode(result.data)


@pytest.mark.parametrize("language", ["en", "id"])
def test_offline_speech_lasts_longer_for_longer_text_and_is_not_silence(language):
    short_result, short = speak(SHORT[language], language=language)
    long_result, long = speak(LONG[language], language=language)
    assert short_result.mime == "audio/wav"
    assert 0.6 < short.duration < 4 and long.duration > 3 * short.duration
    assert abs(long_result.duration - long.duration) < 0.05
    for pcm in (short, long):
        assert audio.rms(pcm.samples) > 0.03  # speech, not silence
        assert max(audio.envelope(pcm, fps=10)) == 1.0 and min(audio.envelope(pcm, fps=10)) < 0.2  # words and gaps


def test_indonesian_and_english_voices_differ_for_the_same_text():
    _, english = speak("Selamat pagi, Pak Darto.", language="en")
    _, indonesian = speak("Selamat pagi, Pak Darto.", language="id")
    assert english.samples != indonesian.samples


def test_speed_changes_the_length():
    _, normal = speak(LONG["en"], speed=1.0)
    _, fast = speak(LONG["en"], speed=1.6)
    assert fast.duration < 0.8 * normal.duration


def test_empty_text_is_a_permanent_error():
    with pytest.raises(ProviderError) as error:
        speak("   ")
    assert error.value.permanent


def test_offline_lipsync_has_the_sounds_length_in_audio_and_video():
    result, pcm = speak(LONG["en"])
    job = LocalAdapter(ProviderConfig(kind="local")).start_lipsync(
        "local-lipsync", LipSyncRequest(image=png(64, 80), audio=result.data, duration=pcm.duration, width=320, height=400))
    assert job.status == "succeeded" and abs(job.duration - pcm.duration) < 0.01
    with av.open(io.BytesIO(job.data)) as container:
        video, sound = container.streams.video[0], container.streams.audio[0]
        assert (video.codec_context.width, video.codec_context.height) == (320, 400)
        assert abs(float(sound.duration * sound.time_base) - pcm.duration) < 0.1
        assert abs(float(video.duration * video.time_base) - pcm.duration) < 0.1
        frames = [f.to_image() for _, f in zip(range(200), container.decode(video), strict=False)]
    # The picture moves with the sound: frames differ while it speaks.
    assert len({f.tobytes() for f in frames[::6]}) > 3
