"""Voice and lip-sync endpoints of /api/v1/: read text or a scene's dialogue aloud, list a
speech model's voices, and lip-sync an image or a video to a sound (202 with the job, followed and
cancelled through /jobs like every job). Refusals (402, 403 PLAN_REQUIRED, 409, 422, 429,
503) are raised by the services before anything is held; modo/api.py turns them into the envelope."""

from typing import Literal
from uuid import UUID

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from aiproviders import router as ai_router
from aiproviders.adapters import ProviderError
from aiproviders.models import AIModel
from media import selectors as media_selectors
from modo.envelope import ERRORS, ErrorEnvelope, error, invalid, ok
from modo.inputs import Input, state_no_nul

from .. import selectors
from ..schemas import Text
from . import lipsync, voice
from .api import IDEMPOTENCY, REFUSALS, JobEnvelope, _accepted, _model

router = Router()


def _scene_or_character(schema: dict) -> None:
    state_no_nul(schema)
    schema["oneOf"] = [
        {"required": ["scene"], "properties": {"scene": {"type": "string", "format": "uuid"}, "character": {"type": "null"}}},
        {"required": ["character", "text"], "properties": {
            "character": {"type": "string", "format": "uuid"}, "scene": {"type": "null"},
            "text": {"type": "string", "minLength": 1, "pattern": r"\S"}}},
    ]


class VoiceIn(Input):
    """Either `character` and `text` (any text in the character's voice), or `scene` (its
    dialogue, each line in its speaker's voice, stitched into one file)."""

    model_config = {"json_schema_extra": _scene_or_character}

    character: UUID | None = None
    text: Text(voice.MAX_TEXT) = ""
    scene: UUID | None = None
    language: Literal[tuple(voice.LANGUAGES)] = Field("en", description="For speakers without a voice of their own")
    format: Literal[voice.FORMATS] = "wav"
    model: int | None = Field(None, description="An enabled text-to-speech model (default: the speaker's, else the default)")
    idempotency_key: str = IDEMPOTENCY


@router.post("/generate/voice", response={202: JobEnvelope, **REFUSALS}, tags=["generate"],
             summary="Read text in a character's voice, or a scene's dialogue (audio plans; priced per started 15 s)",
             operation_id="studio_voice_api_generate_voice")
def generate_voice(request, payload: VoiceIn):
    user = request.auth
    # Anyone else's scene or character is a 404 before anything else is said about the request.
    scene = selectors.scene_get(user=user, public_id=payload.scene) if payload.scene else None
    character = selectors.character_get(user=user, public_id=payload.character) if payload.character else None
    model = _model(payload.model, "audio")
    if (scene is None) == (character is None):
        raise invalid("scene", _("Give either a scene or a character."))
    if scene is not None:
        job = voice.scene_read_request(user=user, scene=scene, fmt=payload.format, language=payload.language,
                                       model=model, idempotency_key=payload.idempotency_key)
    else:
        if not payload.text.strip():
            raise invalid("text", _("Type what the character says."))
        job = voice.character_line_request(user=user, character=character, text=payload.text, fmt=payload.format,
                                           model=model, idempotency_key=payload.idempotency_key)
    return _accepted(job)


class VoiceOut(Schema):
    id: str
    name: str
    language: str


class VoicesEnvelope(Schema):
    success: bool = True
    data: list[VoiceOut]


class VoicesFilter(Input):
    model: int | None = Field(None, description="A text-to-speech model (default: the default one)")


@router.get("/voices", response={200: VoicesEnvelope, 502: ErrorEnvelope, **ERRORS}, tags=["generate"],
            description="404 when the model is not an enabled text-to-speech model.",
            summary="The voices a text-to-speech model offers",
            operation_id="studio_voice_api_voices")
def voices(request, filters: Query[VoicesFilter]):
    model = (AIModel.objects.select_related("provider").filter(
        pk=filters.model, type="audio", cap_tts=True, enabled=True, provider__enabled=True).first()
        if filters.model is not None else ai_router.default_model(type="audio"))
    if model is None:
        raise Http404  # no such speech model (or none enabled)
    try:
        found = ai_router.voices(model=model)
    except ProviderError as exc:
        return Status(502, error("PROVIDER_ERROR", exc.user_text))
    return ok([{"id": v.id, "name": v.name, "language": v.language} for v in found])


class LipSyncIn(Input):
    source_asset: UUID = Field(description="The face: a character sheet, a moodboard image, or a video (an animation, "
                                           "a video uploaded with POST /assets) looped or cut to the sound's length")
    audio_asset: UUID = Field(description="A voice line, or a sound uploaded with POST /assets")
    model: int | None = Field(None, description="An enabled lip-sync model (default: the first by priority)")
    idempotency_key: str = IDEMPOTENCY


@router.post("/generate/lipsync", response={202: JobEnvelope, 413: ErrorEnvelope, **REFUSALS}, tags=["generate"],
             summary="Make an image or a video say a sound (video plans with lip-sync; priced per started 10 s)",
             description="A video face needs a lip-sync model that takes one (422 VIDEO_FACE_UNSUPPORTED otherwise), "
                         "and is checked by decoding: 422 INVALID_VIDEO when it does not, 413 over the size cap.",
             operation_id="studio_voice_api_generate_lipsync")
def generate_lipsync(request, payload: LipSyncIn):
    user = request.auth
    model = _model(payload.model, "video")
    if model is not None and not model.cap_lipsync:
        raise invalid("model", _("This model cannot lip-sync."))
    job = lipsync.lipsync_request(
        user=user, source=media_selectors.asset_get(user=user, public_id=payload.source_asset),
        sound=media_selectors.asset_get(user=user, public_id=payload.audio_asset), model=model,
        idempotency_key=payload.idempotency_key)
    return _accepted(job)


