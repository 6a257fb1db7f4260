"""Offline speech: eSpeak NG, the library and its voice data shipped inside the `espeakng-loader`
wheel (no system package, no network), called through ctypes in synchronous mode. English and
Bahasa Indonesia voices; speed and pitch map to eSpeak's rate (words per minute) and pitch.

The library keeps global state (one voice, one callback), so calls are serialised per process."""

import array
import ctypes
import io
import threading
import wave

from django.utils.translation import gettext_noop

from ..base import ProviderError, SpeechRequest, SpeechResult, Voice

# eSpeak NG's API numbers (speak_lib.h).
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_RATE, _VOLUME, _PITCH = 1, 2, 3
BASE_WPM = 165  # speed 1.0
MAX_CHARS = 5000

# (voice id, name, language): eSpeak voice names; "+f3" picks one of its female variants.
VOICES = (
    Voice("en-us", "English (US)", "en"),
    Voice("en-us+f3", "English (US), higher", "en"),
    Voice("en", "English (UK)", "en"),
    Voice("en+m3", "English (UK), deeper", "en"),
    Voice("id", "Bahasa Indonesia", "id"),
    Voice("id+f3", "Bahasa Indonesia, higher", "id"),
)
DEFAULT_VOICE = {"en": "en-us", "id": "id"}

_lock = threading.Lock()
_engine = None


class _Engine:
    """The loaded library, initialised once, and the buffer its callback fills."""

    CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

    def __init__(self):
        import espeakng_loader

        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self.lib.espeak_Initialize.restype = ctypes.c_int
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.rate = self.lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0,
                                               espeakng_loader.get_data_path().encode(), 0)
        if self.rate <= 0:
            raise OSError(f"espeak_Initialize returned {self.rate}")
        self.buffer = array.array("h")
        self._callback = self.CALLBACK(self._collect)  # kept referenced: the library holds a pointer to it
        self.lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav, count, _events):
        if count > 0:
            self.buffer.frombytes(ctypes.string_at(wav, count * 2))
        return 0

    def synth(self, text: str, *, voice: str, wpm: int, pitch: int) -> array.array:
        del self.buffer[:]
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise ValueError(f"unknown eSpeak voice {voice!r}")
        self.lib.espeak_SetParameter(_RATE, wpm, 0)
        self.lib.espeak_SetParameter(_PITCH, pitch, 0)
        self.lib.espeak_SetParameter(_VOLUME, 100, 0)
        encoded = text.encode("utf-8")
        status = self.lib.espeak_Synth(encoded, len(encoded) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        self.lib.espeak_Synchronize()
        if status != 0:
            raise OSError(f"espeak_Synth returned {status}")
        return array.array("h", self.buffer)


def _engine_get() -> _Engine:
    global _engine
    if _engine is None:
        _engine = _Engine()
    return _engine


def voices() -> list[Voice]:
    return list(VOICES)


def speak(request: SpeechRequest) -> SpeechResult:
    """A 16-bit mono WAV of the text in the chosen voice (or the language's default voice)."""
    text = " ".join((request.text or "").split())
    if not text:
        raise ProviderError(gettext_noop("There is nothing to read."), permanent=True, code="bad_request")
    if len(text) > MAX_CHARS:
        raise ProviderError(gettext_noop("A line can be at most %(n)s characters."), permanent=True, code="bad_request",
                            params={"n": MAX_CHARS})
    known = {v.id for v in VOICES}
    voice = request.voice if request.voice in known else DEFAULT_VOICE.get(request.language, "en-us")
    speed = min(2.0, max(0.5, float(request.speed or 1.0)))
    pitch = min(100, max(0, int(request.pitch if request.pitch is not None else 50)))
    try:
        with _lock:
            engine = _engine_get()
            samples = engine.synth(text, voice=voice, wpm=round(BASE_WPM * speed), pitch=pitch)
            rate = engine.rate
    except (OSError, ValueError, ImportError) as exc:
        raise ProviderError(gettext_noop("The offline voice could not speak this."), permanent=True,
                            code="render_failed", detail=f"espeak: {type(exc).__name__}: {exc}") from None
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(samples.tobytes())
    return SpeechResult(data=out.getvalue(), mime="audio/wav", duration=len(samples) / rate,
                        request_id=f"local-{voice}-{len(samples)}")
