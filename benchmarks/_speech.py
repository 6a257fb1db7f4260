"""Figure 7: the offline voices and lip-sync (issue 19), in this process with the real
LocalAdapter — eSpeak NG from its wheel, PyAV for the MP4 — no router, no storage."""

import statistics
import time

from _harness import say, summary

# English and Indonesian lines of a scene, about 25 s of speech in all.
LINES = [
    ("en", "The lantern is dark again, and the whole village is waiting for the wind."),
    ("id", "Lenteranya padam lagi, dan seluruh kampung menunggu angin pulang."),
    ("en", "Then we light it together, child. Bring the oil from the boat."),
    ("id", "Baik, Pak Darto. Saya ambil minyaknya dari perahu sekarang juga."),
    ("en", "Hurry, before the tide turns and the heron comes back."),
]
TTS_MIN_SPEEDUP = 20  # seconds of audio per second of wall time
LIPSYNC_MAX_S = 15  # a 10 s 720×720 offline lip-sync render


def figure_speech(results) -> None:
    from aiproviders.adapters.base import ProviderConfig, SpeechRequest
    from aiproviders.adapters.local import LocalAdapter
    from media import audio

    say("10. offline voices: 5 lines × 4 rounds (English and Indonesian), decoded as the worker does")
    adapter = LocalAdapter(ProviderConfig(kind="local"))
    adapter.speak("local-speech", SpeechRequest(text="warm up", language="en"))  # loads the library and its data
    rates, seconds = [], 0.0
    for _round in range(4):
        started, made = time.perf_counter(), 0.0
        for language, text in LINES:
            result = adapter.speak("local-speech", SpeechRequest(text=text, language=language))
            made += audio.decode(result.data).duration
        rates.append(made / (time.perf_counter() - started))
        seconds = made
    rate = statistics.median(rates)
    results.data["speech"] = {"audio_s_per_round": round(seconds, 2), "speedup": summary(rates)}
    results.add("10. offline TTS, audio s per wall s (median)", round(rate, 1), "×", f">= {TTS_MIN_SPEEDUP}×",
                rate >= TTS_MIN_SPEEDUP)


def figure_lipsync(results) -> None:
    import io

    from PIL import Image

    from aiproviders.adapters.base import LipSyncRequest, ProviderConfig, SpeechRequest
    from aiproviders.adapters.local import LocalAdapter
    from media import audio

    say("10. offline lip-sync: one 10 s 720×720 render")
    adapter = LocalAdapter(ProviderConfig(kind="local"))
    parts = [audio.decode(adapter.speak("local-speech", SpeechRequest(text=t, language=lang)).data) for lang, t in LINES]
    pcm = audio.join(parts)
    pcm.samples = pcm.samples[: 10 * pcm.rate]  # exactly ten seconds
    wav, _ = audio.encode(pcm, "wav")
    picture = io.BytesIO()
    Image.new("RGB", (768, 1024), (214, 170, 140)).save(picture, "PNG")
    started = time.perf_counter()
    job = adapter.start_lipsync("local-lipsync", LipSyncRequest(image=picture.getvalue(), audio=wav, duration=10.0,
                                                                width=720, height=720))
    took = time.perf_counter() - started
    results.data["lipsync"] = {"render_s": round(took, 3), "video_s": round(job.duration, 3), "bytes": len(job.data)}
    results.add("10. offline 10 s 720² lip-sync render", round(took, 2), "s", f"<= {LIPSYNC_MAX_S} s",
                took <= LIPSYNC_MAX_S)
