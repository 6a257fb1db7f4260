"""Voice and lip-sync pages: a character's voice panel (its voice, a line typed in it, the lines
made so far with players), a scene's "read the scene" panel, and the lip-sync page (an image or a
video of the project, or an uploaded video, and a voice line or an uploaded sound → a talking
video). The panels are fragments
loaded by htmx as their page opens; each also works without JavaScript.

Thin: objects come through ownership-checked selectors (404 for anyone else's), writes through
studio.generate.voice / lipsync and media.services; refusals are shown in place."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aiproviders.adapters import ProviderError
from media import selectors as media_selectors
from media import services as media_services
from media.models import MediaAsset
from modo.errors import AppError
from modo.http import is_htmx

from .. import selectors, targets
from ..models import Generation
from . import lipsync, voice
from .forms import fresh_key
from .panels import recent_jobs
from .views import _refusal, _requested, _upgrade

Kind = Generation.Kind
SOUNDS_SHOWN = 6
FACES_SHOWN = 24  # the project's newest images, and videos, offered as a lip-sync's face


def _number(value, default: float, cast=float):
    try:
        return cast(value)
    except (TypeError, ValueError):
        return default


def _sounds(user, target) -> list[MediaAsset]:
    return list(media_selectors.assets_for(user=user, target=target).filter(
        media_type=MediaAsset.MediaType.AUDIO).order_by("-created_at")[:SOUNDS_SHOWN])


def _voice_jobs(request, kind: str, obj) -> list[Generation]:
    found = recent_jobs(request, target_kind=kind, target_id=obj.public_id, project=obj.project)
    return targets.with_targets(request.user, [j for j in found if j.kind == Kind.VOICE])


def voice_panel(request, character, *, error: AppError | None = None, saved: bool = False) -> dict:
    current = voice.voice_of(character)
    models = list(voice.tts_models())
    model = voice.tts_model(request.GET.get("model") or current["model"]) or (models[0] if models else None)
    voices, voices_error = [], ""
    if model is not None:
        try:
            voices = voice.voices_for(model)
        except ProviderError as exc:
            voices_error = exc.user_text
    return {
        "id": f"voice-{character.public_id}", "character": character, "current": current, "models": models,
        "model": model, "voices": voices, "voices_error": voices_error, "languages": voice.LANGUAGES,
        "formats": voice.FORMATS, "error": error, "saved": saved, "key": fresh_key(),
        "quote": voice.voice_quote(user=request.user, seconds=15, model=model),  # the price of each started 15 s
        "sounds": _sounds(request.user, targets.target_of(character)), "jobs": _voice_jobs(request, "character", character),
    }


@login_required
def character_voice(request, character_id):
    """GET: the voice panel. POST: save the character's voice."""
    character = selectors.character_get(user=request.user, public_id=character_id)
    page = reverse("studio:character", args=[character.public_id])
    if request.method != "POST":
        panel = voice_panel(request, character)
        return render(request, "studio/voice/_voice_panel.html", {"panel": panel}) if is_htmx(request) \
            else redirect(page + "#voice")
    error, saved = None, False
    try:
        voice.character_voice_set(
            character=character, model=voice.tts_model(request.POST.get("model")), voice=request.POST.get("voice", ""),
            language=request.POST.get("language", "en"), speed=_number(request.POST.get("speed"), 1.0),
            pitch=_number(request.POST.get("pitch"), 50, int))
        saved = True
    except AppError as exc:
        error = exc
    if not is_htmx(request):
        if error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Voice saved."))
        return redirect(page + "#voice")
    return render(request, "studio/voice/_voice_panel.html",
                  {"panel": voice_panel(request, character, error=error, saved=saved)})


@login_required
@require_POST
def character_line(request, character_id):
    """Reads the typed text in the character's voice (a voice job; its card lands in the panel)."""
    character = selectors.character_get(user=request.user, public_id=character_id)
    panel_id = f"voice-{character.public_id}"
    try:
        job = voice.character_line_request(user=request.user, character=character, text=request.POST.get("text", ""),
                                           fmt=request.POST.get("format", "wav"),
                                           idempotency_key=request.POST.get("idempotency_key", "")[:100])
    except AppError as exc:
        if (upgrade := _upgrade(request, exc)) is not None:
            return upgrade
        if is_htmx(request):
            return _refusal(request, exc, slot=f"{panel_id}-message",
                            context={"next_url": reverse("studio:character", args=[character.public_id])})
        messages.error(request, exc.message)
        return redirect(reverse("studio:character", args=[character.public_id]) + "#voice")
    return _requested(request, job, panel_id=panel_id)


def scene_panel(request, scene, *, error: AppError | None = None) -> dict:
    characters = list(scene.project.characters.all())
    lines = voice.scene_lines(scene, characters)
    seconds = voice.estimate_seconds([{"text": line.text, "speed": voice.voice_of(line.character)["speed"]}
                                      for line in lines]) if lines else 0
    quote = voice.voice_quote(user=request.user, seconds=seconds)
    return {"id": f"read-{scene.public_id}", "scene": scene, "lines": lines, "seconds": seconds, "quote": quote,
            "formats": voice.FORMATS, "languages": voice.LANGUAGES, "error": error, "key": fresh_key(),
            "unvoiced": sorted({line.character.name for line in lines if not line.character.voice}),
            "sounds": _sounds(request.user, targets.target_of(scene)), "jobs": _voice_jobs(request, "scene", scene)}


@login_required
def scene_voice(request, scene_id):
    """GET: the "read the scene" panel. POST: read its dialogue into one file."""
    scene = selectors.scene_get(user=request.user, public_id=scene_id)
    page = reverse("studio:scene", args=[scene.public_id])
    if request.method != "POST":
        if not is_htmx(request):
            return redirect(page + "#voice")
        return render(request, "studio/voice/_scene_panel.html", {"panel": scene_panel(request, scene)})
    panel_id = f"read-{scene.public_id}"
    try:
        job = voice.scene_read_request(user=request.user, scene=scene, fmt=request.POST.get("format", "wav"),
                                       language=request.POST.get("language", "en"),
                                       idempotency_key=request.POST.get("idempotency_key", "")[:100])
    except AppError as exc:
        if (upgrade := _upgrade(request, exc)) is not None:
            return upgrade
        if is_htmx(request):
            return _refusal(request, exc, slot=f"{panel_id}-message", context={"next_url": page})
        messages.error(request, exc.message)
        return redirect(page + "#voice")
    return _requested(request, job, panel_id=panel_id)


def _project_media(user, project, media_type: str) -> list[MediaAsset]:
    return list(media_selectors.assets_for(user=user, project=project).filter(
        media_type=media_type, is_accessible=True).order_by("-created_at")[:FACES_SHOWN])


@login_required
def lipsync_page(request, public_id):
    """Pick a face of the project — an image, or a video (an animation, an upload) — or upload a
    video, and a sound (a voice line, or upload one), see the cost, and make the face say it.
    After a request the page shows the job's card (?job=). `image` names the chosen face (an
    image's or a video's id)."""
    project = selectors.project_get(user=request.user, public_id=public_id)
    error, chosen = None, {"image": request.GET.get("image", ""), "audio": request.GET.get("audio", "")}
    if request.method == "POST":
        chosen = {"image": request.POST.get("image", ""), "audio": request.POST.get("audio", "")}
        try:
            face_upload = request.FILES.get("face_video")
            if face_upload is not None:  # checked by decoding and kept in the project's gallery
                source = media_services.video_upload(file=face_upload, owner=request.user,
                                                     target=targets.target_of(project))
                chosen["image"] = str(source.public_id)  # kept: a refusal below need not upload it again
            elif chosen["image"]:
                source = media_selectors.asset_get(user=request.user, public_id=chosen["image"])
            else:
                raise lipsync.InvalidJob(_("Pick the face that will speak: an image or a video."))
            upload = request.FILES.get("sound")
            if upload is not None:
                sound = media_services.audio_upload(file=upload, owner=request.user,
                                                    target=targets.target_get(user=request.user, kind=source.target_kind,
                                                                              public_id=source.target_id))
            elif chosen["audio"]:
                sound = media_selectors.asset_get(user=request.user, public_id=chosen["audio"])
            else:
                raise lipsync.InvalidJob(_("Pick a voice line or upload a sound."))
            job = lipsync.lipsync_request(user=request.user, source=source, sound=sound,
                                          idempotency_key=request.POST.get("idempotency_key", "")[:100])
        except (AppError, ValueError) as exc:
            if isinstance(exc, AppError) and (upgrade := _upgrade(request, exc)) is not None:
                return upgrade
            error = exc if isinstance(exc, AppError) else lipsync.InvalidJob(_("Pick a face and a sound of this project."))
        else:
            messages.success(request, _("Lip-syncing… The video appears here and next to the image when it is done."))
            return redirect(reverse("studio:lipsync", args=[project.public_id]) + f"?job={job.public_id}")
    try:
        job_id = uuid.UUID(request.GET.get("job", ""))
    except ValueError:
        job_id = None
    found = selectors.jobs_for(user=request.user).filter(public_id=job_id).first() if job_id else None  # others': none
    job = targets.with_targets(request.user, [found])[0] if found else None
    quote = lipsync.lipsync_quote(user=request.user, seconds=10)
    images = list(media_selectors.references_for(user=request.user, project=project)[:FACES_SHOWN])
    videos = _project_media(request.user, project, MediaAsset.MediaType.VIDEO)
    sounds = _project_media(request.user, project, MediaAsset.MediaType.AUDIO)
    return render(request, "studio/voice/lipsync.html", {
        "project": project, "images": images, "videos": videos, "sounds": sounds, "chosen": chosen, "error": error,
        "job": job, "quote": quote, "per_ten": quote["cost"], "key": fresh_key(), "max_seconds": lipsync.MAX_SECONDS,
        "video_max_seconds": settings.VIDEO_MAX_SECONDS, "video_max_mb": settings.VIDEO_UPLOAD_MAX_BYTES // (1024 * 1024),
    }, status=error.status if error else 200)
