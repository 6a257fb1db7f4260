"""Bible-aware text generation: quote → guards → hold → stream → capture (or release).

The stream is a series of events the views turn into SSE or JSON:
    {"event": "start", "draft", "cost", "model", "canon", "omitted", "offline"}
                                                   — offline: the panel's label for an offline draft, else ""
    {"event": "chunk", "text"}
    {"event": "done", "draft", "cost"}           — hold captured, draft ready
    {"event": "error", "draft", "message", "partial"} — hold released, partial text kept
No database transaction is open while the provider streams."""

import json
import logging
import uuid
from collections.abc import Iterator

from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from aiproviders import router
from aiproviders.adapters import ProviderError
from aiproviders.adapters.base import TextRequest, Usage
from aiproviders.adapters.local import offline_label
from aiproviders.models import AIModel
from credits import guards, ledger
from modo.errors import AppError

from .. import targets
from ..models import Character, Draft, Location, Project, Scene, Story, World
from . import announce, jobs, prompts

log = logging.getLogger(__name__)

FIELDS = {
    "project": ("logline", "premise"),
    "story": ("synopsis", "themes"),
    "beat": ("description",),
    "character": (*Character.TEXT_FIELDS, "profile"),
    "world": World.TEXT_FIELDS,
    "location": Location.TEXT_FIELDS,
    "scene": Scene.TEXT_FIELDS,
    "free": ("text",),
}
# The kinds whose object is named by an id (studio/targets.py); the others are the project's own.
NEEDS_TARGET_ID = tuple(kind for kind in FIELDS if kind in targets.KINDS and kind != "project")


class TargetNotFound(Exception):
    pass


def resolve_target(project: Project, target_kind: str, target_id, field: str, *, read: dict | None = None):
    """The object of this project the text is for; TargetNotFound for anything else. `read`:
    {kind: [the project's objects of that kind]} the caller has read already, to look in."""
    if field not in FIELDS.get(target_kind, ()):
        raise TargetNotFound(f"{target_kind}.{field}")
    if target_kind == "project":
        return project
    if target_kind == "story":
        return Story.objects.get_or_create(project=project)[0]
    if target_kind == "world":
        return World.objects.get_or_create(project=project)[0]
    if target_kind == "free":
        return None
    if read and target_kind in read:
        try:
            wanted = uuid.UUID(str(target_id))
        except ValueError:
            raise TargetNotFound(target_kind) from None
        target = next((obj for obj in read[target_kind] if obj.public_id == wanted), None)
    else:
        target = targets.in_project(project, target_kind, target_id)
    if target is None:
        raise TargetNotFound(target_kind)
    return target


def text_quote(*, user, model: AIModel | None = None, project: Project | None = None) -> dict:
    """What the page shows before running: cost, balance, trial count."""
    from credits.selectors import trial_status

    account = jobs.paying_account(user=user, project=project)
    model = model or router.default_model(type="text")
    return {"cost": router.quote(type="text", model=model), "available": account.available,
            "trial": trial_status(account), "model": model}


def text_stream(*, user, project: Project, target_kind: str, target_id, field: str, prompt: str,
                model: AIModel | None = None, language: str = "en") -> Iterator[dict]:
    """Raises TargetNotFound and credits' typed refusals before anything is held; after that,
    every outcome releases or captures the hold exactly once."""
    # The cast and the places are read once: for the canon, and to find a character or a place
    # the text is for among them.
    characters, locations = list(project.characters.all()), list(project.locations.all())
    target = resolve_target(project, target_kind, target_id, field,
                            read={"character": characters, "location": locations})
    model = model or router.default_model(type="text")
    if model is None:
        raise ProviderError(gettext_noop("No text model is available right now."), permanent=False, code="no_model")
    cost = router.quote(type="text", model=model)
    built = prompts.build(project, target_kind=target_kind, target=target, field=field, prompt=prompt, language=language,
                          characters=characters, locations=locations)

    # The hold and the draft in one short transaction: a refusal leaves neither behind. Under the
    # account's row lock: the plan, the trial, the balance and the daily limit.
    draft_id = uuid.uuid4()
    reference = f"draft:{draft_id}"
    description = draft_description(project, target_kind, target, field)
    try:
        with transaction.atomic():
            account = jobs.account_lock_for(user=user, project=project)
            guards.member_cap_check(account=account, actor=user, cap=jobs.member_cap(user=user, project=project),
                                    cost=cost)
            guards.generation_check(account=account, kind="text", cost=cost, premium=model.tier == AIModel.Tier.PREMIUM)
            hold = ledger.credits_hold(account=account, amount=cost, reference=reference, idempotency_key=reference,
                                       description=description, actor=user)
            draft = Draft.objects.create(
                public_id=draft_id, project=project, owner=user, target_kind=target_kind,
                target_id=getattr(target, "public_id", None), field=field, prompt=prompt, canon=built["canon"],
                model_name=model.display_name,
            )
    except AppError as exc:
        announce.generation_refused_or_failed(user_id=user.pk, reason=f"refused: {exc.code}")
        raise
    return _stream(user=user, draft=draft, hold=hold, cost=cost, model=model, built=built, reference=reference,
                   language=language)


SECTION_PAGES = {"story": "studio:story", "world": "studio:world", "free": "studio:project", "project": "studio:project"}


def draft_description(project: Project, target_kind: str, target, field: str) -> dict:
    """What the credit statement says a draft's credits were for: "Text draft", the object's name
    (the bible's for its own sections), the field (stored in English, shown translated) and a
    link to the page it was written for."""
    name_field = targets.KINDS[target_kind].label if target_kind in targets.KINDS else None
    subject = getattr(target, name_field, "") if name_field and target_kind != "project" else project.title
    detail = ""
    if target is not None:
        try:
            with translation.override("en"):
                detail = str(type(target)._meta.get_field(field).verbose_name)
        except FieldDoesNotExist:
            detail = field.replace("_", " ")
    if target_kind in SECTION_PAGES:
        url = reverse(SECTION_PAGES[target_kind], args=[project.public_id])
    else:
        url = targets.page_url(target_kind, target.public_id)
    return {"label": gettext_noop("Text draft"), "subject": subject, "detail": detail, "url": url}


def text_model(model_id) -> AIModel | None:
    """An enabled text model by id, or None."""
    if not model_id:
        return None
    return (AIModel.objects.select_related("provider")
            .filter(pk=model_id, type="text", enabled=True, provider__enabled=True).first())


def sse_response(events: Iterator[dict]) -> StreamingHttpResponse:
    def lines():
        for event in events:
            yield f"event: {event['event']}\ndata: {json.dumps(event)}\n\n"

    response = StreamingHttpResponse(lines(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx must not buffer the stream
    return response


def _stream(*, user, draft, hold, cost, model, built, reference, language) -> Iterator[dict]:
    # That a draft was written offline is said next to it, in the panel, never inside its text.
    offline = offline_label(language) if model.provider.kind == "local" else ""
    yield {"event": "start", "draft": str(draft.public_id), "cost": cost, "model": model.label,
           "canon": built["canon"], "omitted": built["omitted"], "offline": offline}
    parts: list[str] = []
    settled = False

    def capture() -> int:
        # Run by the router in the transaction that writes the usage row, the last thing it does:
        # the capture, the finished draft and the row's credits commit together, or not at all.
        ledger.credits_capture(hold=hold, amount=cost, actor=user)
        _finish(draft, parts, Draft.Status.READY, credits=cost)
        return cost

    call = router.Call(type="text", model=model, max_credits=cost, user=user, reference=reference, settle=capture)
    request = TextRequest(prompt=built["prompt"], system=built["system"], context=built["context"], max_tokens=1500)
    try:
        for item in router.stream_text(call, request):
            if isinstance(item, Usage):
                continue
            parts.append(item)
            yield {"event": "chunk", "text": item}
        settled = True  # the stream ended: capture() has committed
        yield {"event": "done", "draft": str(draft.public_id), "cost": cost}
    except ProviderError as exc:
        ledger.credits_release(hold=hold)
        settled = True
        announce.generation_refused_or_failed(user_id=user.pk, reason=f"failed: {exc.code or 'provider_error'}")
        # Stored as the msgid (shown later in the reader's language); one with parameters is kept filled in.
        _finish(draft, parts, Draft.Status.INCOMPLETE,
                error=exc.user_message % exc.params if exc.params else exc.user_message)
        yield {"event": "error", "draft": str(draft.public_id), "message": exc.user_text, "partial": bool(parts)}
    finally:
        if not settled:  # the client went away (GeneratorExit) or something unexpected broke
            ledger.credits_release(hold=hold)
            _finish(draft, parts, Draft.Status.INCOMPLETE, error=gettext_noop("The generation was interrupted."))


def _finish(draft: Draft, parts: list[str], status: str, *, credits: int = 0, error: str = "") -> None:
    Draft.objects.filter(pk=draft.pk).update(text="".join(parts), status=status, credits_charged=credits,
                                             error_message=error[:300], updated_at=timezone.now())
