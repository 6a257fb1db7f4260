"""Voices: a character's voice (model, the provider's voice id, language, speed, pitch), voice
lines read from text typed in a panel or from a scene's dialogue (each line in its speaker's
voice), and the worker's part: speak each line, join them with short pauses into one file.

Priced by started 15 s of output (the "audio" cost rule). The quote before the run is an
estimate from the text's length (generous: reading speed varies by voice), the hold is that
quote, and the capture is the price of the duration actually made — never more than the hold
(worker._succeed takes the minimum)."""

import math
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from aiproviders import router
from aiproviders.adapters.base import SpeechRequest
from aiproviders.models import AIModel
from credits.selectors import credit_account_for
from media import audio
from modo.cache import digest

from ..models import Character, Generation, Scene
from .jobs import InvalidJob, _request
from .worker import _progress, _stop_if_cancelled, _succeed

Kind = Generation.Kind

LANGUAGES = {"en": "English", "id": "Bahasa Indonesia"}
FORMATS = ("wav", "mp3", "opus")
MAX_TEXT = 4000  # characters in one voice job
PAUSE = 0.45  # seconds between two lines of a scene
# Reading speed for the estimate: about 12 characters a second at speed 1.0 (eSpeak reads ~15,
# vendors 13–16), so the estimate runs long rather than short; plus a quarter for safety.
CHARS_PER_SECOND = 12
ESTIMATE_MARGIN = 1.25


@dataclass(frozen=True)
class Line:
    text: str
    character: Character | None = None


# --- a character's voice --------------------------------------------------------------------------

def tts_models():
    return AIModel.objects.select_related("provider").filter(type="audio", cap_tts=True, enabled=True,
                                                           provider__enabled=True).order_by("-is_default", "priority", "id")


def tts_model(model_id) -> AIModel | None:
    """An enabled text-to-speech model by id (None for an unknown or disabled one)."""
    try:
        return tts_models().filter(pk=int(model_id)).first()
    except (TypeError, ValueError):
        return None


def voice_of(character: Character | None, *, language: str = "en") -> dict:
    """The character's voice with defaults filled in (the default model's default voice)."""
    voice = dict(character.voice or {}) if character is not None else {}
    return {"model": voice.get("model"), "voice": voice.get("voice", ""),
            "language": voice.get("language") or language, "speed": float(voice.get("speed") or 1.0),
            "pitch": int(voice.get("pitch") if voice.get("pitch") is not None else 50)}


def character_voice_set(*, character: Character, model: AIModel | None, voice: str, language: str, speed: float,
                        pitch: int) -> Character:
    """Gives the character a voice. Raises InvalidJob for a language, speed or pitch out of range."""
    if language not in LANGUAGES:
        raise InvalidJob(_("Choose English or Bahasa Indonesia."))
    if not 0.5 <= speed <= 2.0 or not 0 <= pitch <= 100:
        raise InvalidJob(_("Speed goes from 0.5 to 2 and pitch from 0 to 100."))
    character.voice = {"model": model.pk if model else None, "voice": voice.strip()[:100], "language": language,
                       "speed": round(speed, 2), "pitch": int(pitch)}
    character.save(update_fields=["voice", "updated_at"])
    return character


# --- lines ------------------------------------------------------------------------------------------

_PARENTHETICAL = re.compile(r"^\(.*\)$")
_EXTENSION = re.compile(r"\s*\((V\.O\.|O\.S\.|O\.C\.|CONT'D|CONT’D)\)\s*$", re.IGNORECASE)


def scene_lines(scene: Scene, characters: list[Character]) -> list[Line]:
    """The dialogue of the scene's script, in order: screenplay cues (a speaker's name alone on a
    line, in capitals, then what they say up to a blank line) and "Name: words" lines. Only
    characters of the project speak; parentheticals and action lines are not read."""
    by_name = {}
    for character in characters:
        by_name[character.name.upper()] = character
        by_name.setdefault(character.name.split()[0].upper(), character)
    lines, speaker, words = [], None, []

    def flush():
        if speaker is not None and words:
            lines.append(Line(" ".join(words), speaker))

    for raw in (scene.script or "").splitlines():
        text = raw.strip()
        if not text:
            flush()
            speaker, words = None, []
            continue
        cue = _EXTENSION.sub("", text)
        if cue.isupper() and cue.upper() in by_name:
            flush()
            speaker, words = by_name[cue.upper()], []
        elif ":" in text and text.split(":", 1)[0].strip().upper() in by_name:
            flush()
            name, said = text.split(":", 1)
            speaker, words = by_name[name.strip().upper()], [said.strip()] if said.strip() else []
        elif speaker is not None and not _PARENTHETICAL.match(text):
            words.append(text)
    flush()
    return [line for line in lines if line.text]


def estimate_seconds(lines: list[dict]) -> float:
    """A generous estimate of how long the lines last when read, with the pauses between them."""
    seconds = sum(len(line["text"]) / (CHARS_PER_SECOND * max(0.5, line.get("speed") or 1.0)) for line in lines)
    return round(max(1.0, (seconds + PAUSE * (len(lines) - 1)) * ESTIMATE_MARGIN), 2)


def _line_params(line: Line, *, language: str) -> dict:
    voice = voice_of(line.character, language=language)
    return {"text": line.text, "character": str(line.character.public_id) if line.character else None,
            "speaker": line.character.name if line.character else "", **voice}


def voice_quote(*, user, seconds: float, model: AIModel | None = None) -> dict:
    """The price of `seconds` of speech with `model` (or the default), and what the creator has."""
    account = credit_account_for(user=user)
    return {"cost": router.quote(type="audio", model=model, params={"duration": max(1.0, seconds)}), "seconds": seconds,
            "available": account.available, "audio_allowed": account.plan.has_feature("audio")}


def voices_for(model: AIModel) -> list:
    """The model's voices, kept for ten minutes (a vendor's list is a network call)."""
    key = f"voices:{model.pk}:{model.updated_at.timestamp():.0f}"
    found = cache.get(key)
    if found is None:
        found = router.voices(model=model)
        cache.set(key, found, 600)
    return found


def _voice_request(*, user, project, target_kind: str, target_id, subject: str, lines: list[Line], language: str,
                   fmt: str, model: AIModel | None, idempotency_key: str) -> Generation:
    if not lines:
        raise InvalidJob(_("There is nothing to read. Type some text, or write dialogue in the scene's script."))
    if sum(len(line.text) for line in lines) > MAX_TEXT:
        raise InvalidJob(_("At most %(n)s characters can be read at once.") % {"n": MAX_TEXT})
    if fmt not in FORMATS:
        raise InvalidJob(_("Choose WAV, MP3 or Opus."))
    if language not in LANGUAGES:
        raise InvalidJob(_("Choose English or Bahasa Indonesia."))
    line_params = [_line_params(line, language=language) for line in lines]
    if model is None:  # the first speaker's model, when it is still available
        model = next((m for m in (tts_model(p["model"]) for p in line_params if p["model"]) if m), None)
    seconds = estimate_seconds(line_params)
    if seconds > settings.AUDIO_MAX_SECONDS:
        raise InvalidJob(_("That is too long to read at once: at most %(n)s seconds.") % {"n": settings.AUDIO_MAX_SECONDS})
    params = {"lines": line_params, "format": fmt, "pause": PAUSE, "language": language, "quote_duration": seconds,
              "subject": {"name": subject}}
    prompt = "\n".join(f"{p['speaker']}: {p['text']}" if p["speaker"] else p["text"] for p in line_params)
    return _request(user=user, project=project, kind=Kind.VOICE, target_kind=target_kind, target_id=target_id,
                    params=params, prompt=prompt, model=model, idempotency_key=idempotency_key,
                    input_hash=digest(prompt, line_params, fmt), quote_params={"duration": seconds}, subject=subject)


def character_line_request(*, user, character: Character, text: str, fmt: str = "wav", model: AIModel | None = None,
                           idempotency_key: str = "") -> Generation:
    """Any text, read in the character's voice; the sound is stored on the character."""
    text = " ".join((text or "").split())
    voice = voice_of(character)
    return _voice_request(user=user, project=character.project, target_kind="character", target_id=character.public_id,
                          subject=character.name, lines=[Line(text, character)] if text else [],
                          language=voice["language"], fmt=fmt, model=model, idempotency_key=idempotency_key)


def scene_read_request(*, user, scene: Scene, fmt: str = "wav", language: str = "en", model: AIModel | None = None,
                       idempotency_key: str = "") -> Generation:
    """The whole scene's dialogue, each line in its speaker's voice, stitched in order with short
    pauses into one file stored on the scene."""
    characters = list(scene.project.characters.all())
    return _voice_request(user=user, project=scene.project, target_kind="scene", target_id=scene.public_id,
                          subject=scene.title, lines=scene_lines(scene, characters), language=language, fmt=fmt,
                          model=model, idempotency_key=idempotency_key)


# --- the worker's part ------------------------------------------------------------------------------

def voice_run(job: Generation) -> None:
    """Speaks each line (its own voice), decodes and checks each answer, joins them with pauses,
    encodes the file and stores it; the capture is the price of its real length."""
    lines = job.params["lines"]
    parts, used, request_ids = [], None, []
    for n, line in enumerate(lines):
        _stop_if_cancelled(job)
        _progress(job, 10 + int(80 * n / len(lines)), gettext_noop("Reading the lines…"))
        call = router.Call(type="audio", capability="tts", model=job.model_requested, max_credits=job.credits_quoted,
                           user=job.owner, reference=f"generation:{job.public_id}",
                           params={"duration": job.params["quote_duration"]})
        # A line's voice id belongs to the model it was chosen for: another model gets its default voice.
        same_model = not line.get("model") or job.model_requested_id in (None, line["model"])
        request = SpeechRequest(text=line["text"], voice=line.get("voice", "") if same_model else "",
                                language=line.get("language", "en"), speed=line.get("speed", 1.0),
                                pitch=line.get("pitch", 50))
        result, used, _usage = router.speak(call, request)
        parts.append(audio.decode(result.data, max_seconds=settings.AUDIO_MAX_SECONDS, max_bytes=10**9))
        request_ids.append(result.request_id)
    _progress(job, 92, gettext_noop("Saving…"))
    pcm = audio.join(parts, pause=job.params.get("pause", PAUSE))
    if pcm.duration > settings.AUDIO_MAX_SECONDS:
        raise InvalidJob(gettext_noop("The reading came out too long to keep."))
    data, mime = audio.encode(pcm, job.params.get("format", "wav"))
    _stop_if_cancelled(job)
    _succeed(job, data=data, mime=mime, model=used, vendor_request_id=",".join(filter(None, request_ids))[:200],
             duration=math.ceil(pcm.duration * 1000) / 1000)
