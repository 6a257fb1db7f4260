"""The "Generate image" panel of a character's and a moodboard's page
(templates/studio/visual/_image_panel.html): presets, references, the quote and the target's
running jobs."""

import uuid

from django.urls import reverse

from media import selectors as media_selectors
from modo.errors import AppError

from .. import selectors, targets
from ..models import Generation
from . import jobs, prompts
from .forms import fresh_key, size_groups

Kind = Generation.Kind
REFERENCES_SHOWN = 24


def recent_jobs(request, *, target_kind: str, target_id, project) -> list[Generation]:
    """The target's jobs still running, and the one named by ?job= (after a redirect from Animate).
    The caller got the target (of `project`) through the access layer."""
    found = selectors.jobs_for(user=request.user, project=project).filter(target_kind=target_kind, target_id=target_id)
    active = list(found.filter(status__in=Generation.ACTIVE)[:5])
    try:
        named = uuid.UUID(request.GET.get("job", ""))
    except ValueError:
        return active
    if all(j.public_id != named for j in active):
        active[:0] = list(found.filter(public_id=named))  # someone else's id finds nothing
    return active


def image_panel(request, *, kind: str, obj, form=None, error: AppError | None = None) -> dict:
    """What the panel needs for a character or a moodboard (`kind`)."""
    user = request.user
    styles, sizes = prompts.presets("style"), prompts.presets("size")
    data = form.data if form is not None and form.is_bound else {}
    default_size = "landscape-m" if kind == "moodboard" else next((s.key for s in sizes if s.is_default), "")
    context = {
        "kind": kind, "obj": obj, "id": f"gen-{obj.public_id}", "error": error,
        "page_url": targets.page_url(kind, obj.public_id),
        "styles": styles, "size_groups": size_groups(sizes),
        "style": data.get("style") or next((s.key for s in styles if s.is_default), ""),
        "size": data.get("size") or default_size, "prompt": data.get("prompt", ""),
        "key": fresh_key(),
        # Voice lines have their own panel; a lip-sync's video lands here, next to its image.
        "jobs": targets.with_targets(user, [j for j in recent_jobs(request, target_kind=kind, target_id=obj.public_id,
                                                                    project=obj.project) if j.kind != Kind.VOICE]),
    }
    if kind == "character":
        context.update({
            "action": reverse("studio:character_image", args=[obj.public_id]),
            "references": list(media_selectors.references_for(user=user, project=obj.project)[:REFERENCES_SHOWN]),
            "reference": data.get("reference", ""), "strength": data.get("strength") or "0.6",
            "quote": jobs.job_quote(user=user, kind=Kind.CHARACTER_IMAGE, references=1 if data.get("reference") else 0,
                                    project=obj.project),
            "quote_url": reverse("studio:job_quote") + f"?kind={Kind.CHARACTER_IMAGE}",
        })
    else:
        cast = list(obj.characters.select_related("primary_image"))
        context.update({
            "action": reverse("studio:moodboard_image", args=[obj.public_id]), "cast": cast,
            "without_sheet": [c for c in cast if c.primary_image_id is None],
            "quote": jobs.job_quote(user=user, kind=Kind.MOODBOARD, references=len(cast), project=obj.project),
            "sheets": sheets_offer(user, obj, cast),
            "quote_url": reverse("studio:job_quote") + f"?kind={Kind.MOODBOARD}&references={len(cast)}",
        })
    return context


def sheets_offer(user, moodboard, cast) -> dict:
    """The moodboard panel's offer to draw, in one click, the reference sheets its characters lack
    (templates/studio/visual/_sheets_offer.html): who, the total cost, and whose are on their way."""
    without = [c for c in cast if c.primary_image_id is None]
    pending = jobs.sheets_pending(user=user, characters=without) if without else set()
    wanted = [c for c in without if c.public_id not in pending]
    quote = jobs.job_quote(user=user, kind=Kind.CHARACTER_IMAGE, project=moodboard.project)
    return {
        "id": f"sheets-{moodboard.public_id}", "wanted": wanted, "pending": [c for c in without if c.public_id in pending],
        "cost": quote["cost"] * len(wanted), "each": quote["cost"], "available": quote["available"],
        "action": reverse("studio:moodboard_sheets", args=[moodboard.public_id]), "key": fresh_key(),
    }


def missing_characters(exc: AppError, characters) -> list:
    """The characters a MISSING_REFERENCES refusal names (they have no reference sheet yet)."""
    ids = set(exc.extra.get("missing_ids") or [])
    return [c for c in characters if str(c.public_id) in ids]
