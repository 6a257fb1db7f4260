"""Generation pages: AI text for a field of the bible (quote, the streamed draft, its history and
actions), image requests from a character's or a moodboard's panel, job cards and the jobs
list, and animating an image. The work itself is drafts.py (text) and jobs.py (images, video).

Thin: every object comes through an ownership-checked selector (anyone else's is a 404) and
every write through a service. Refusals are AppErrors shown in place with a button for their
action (buy credits, choose a plan, connect Google Drive). htmx requests get fragments (a job
card, the refusal); plain posts redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import workspace_for
from aiproviders.adapters import ProviderError
from aiproviders.models import AIModel
from credits.exceptions import CreditsError
from media import selectors as media_selectors
from modo import envelope
from modo.errors import AppError
from modo.http import is_htmx, safe_next

from .. import selectors, services, targets
from ..bible.views.moodboards import moodboard_page
from ..models import Generation
from . import announce, jobs, prompts
from . import drafts as text_drafts
from .forms import AnimateForm, CharacterImageForm, GenerateForm, JobFilterForm, MoodboardImageForm, fresh_key
from .panels import image_panel, missing_characters, sheets_offer

Kind = Generation.Kind
JOBS_PER_PAGE = 20


# --- AI text -------------------------------------------------------------------------------------

@login_required
def generate_quote(request, public_id):
    """htmx fragment: cost, balance and trial count before running."""
    project = selectors.project_get(user=request.user, public_id=public_id)
    quote = text_drafts.text_quote(user=request.user, model=text_drafts.text_model(request.GET.get("model")),
                                   project=project)
    return render(request, "studio/partials/generate_quote.html", {
        **quote, "models": AIModel.objects.filter(type="text", enabled=True, provider__enabled=True).select_related("provider"),
    })


@login_required
@require_POST
def generate(request, public_id):
    """Streams a draft as server-sent events (or answers JSON once done for non-SSE clients)."""
    project = selectors.project_get(user=request.user, public_id=public_id, related=prompts.CANON_RELATED)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        return JsonResponse(envelope.error("INVALID_INPUT", _("Some fields are invalid."), fields=form.errors), status=422)
    data = form.cleaned_data
    model = text_drafts.text_model(data["model"])
    if data["field"] not in text_drafts.FIELDS.get(data["target_kind"], ()) or (data["model"] and model is None):
        return JsonResponse(envelope.error("INVALID_INPUT", _("That cannot be generated here.")), status=422)
    try:
        events = text_drafts.text_stream(
            user=request.user, project=project, target_kind=data["target_kind"], target_id=data["target_id"],
            field=data["field"], prompt=data["prompt"], model=model, language=translation.get_language() or "en",
        )
    except text_drafts.TargetNotFound:
        raise Http404 from None
    except CreditsError as exc:
        return JsonResponse(envelope.refusal(exc), status=exc.status)
    except ProviderError as exc:
        return JsonResponse(envelope.error("PROVIDER_ERROR", exc.user_text), status=502)
    return text_drafts.sse_response(events)


@login_required
def drafts(request, public_id):
    """htmx fragment: the draft history of one field, to compare, accept or restore."""
    project = selectors.project_get(user=request.user, public_id=public_id)
    target_kind, field = request.GET.get("target_kind", ""), request.GET.get("field", "")
    target_id = request.GET.get("target_id") or None
    try:
        target = text_drafts.resolve_target(project, target_kind, target_id, field)
    except text_drafts.TargetNotFound:
        raise Http404 from None
    return render(request, "studio/partials/drafts.html", {
        "project": project, "drafts": selectors.drafts_for(project=project, target_kind=target_kind,
                                                           target_id=getattr(target, "public_id", None), field=field),
        "current": getattr(target, field, "") if target is not None else "",
    })


@login_required
@require_POST
def draft_action(request, draft_id, action):
    draft = selectors.draft_get(user=request.user, public_id=draft_id)
    try:
        {"accept": services.draft_accept, "discard": services.draft_discard, "undo": services.draft_undo}[action](draft=draft)
    except KeyError:
        raise Http404 from None
    except ValueError as exc:
        messages.error(request, str(exc))
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect(safe_next(request, reverse("studio:project", args=[draft.project.public_id])))


# --- job cards and answers to requests -------------------------------------------------------------

def _upgrade(request, exc: AppError):
    """A used-up trial takes the creator to the upgrade page, which says why (None for any other
    refusal, which is shown in place)."""
    url = exc.extra.get("upgrade_url")
    if not url:
        return None
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _refusal(request, exc: AppError, *, slot: str, context: dict | None = None):
    """An htmx refusal goes into the panel's message slot (200: htmx swaps only 2xx)."""
    response = render(request, "studio/visual/_refusal.html", {"error": exc, **(context or {})})
    response["HX-Retarget"] = f"#{slot}"
    response["HX-Reswap"] = "innerHTML"
    return response


def _job_card(request, job: Generation, *, just_finished=False, error: AppError | None = None,
              extra: dict | None = None):
    row = (request.GET.get("view") or request.POST.get("view")) == "row"
    job = targets.with_targets(request.user, [job])[0]
    response = render(request, "studio/visual/_job_row.html" if row else "studio/visual/_job.html", {
        "job": job, "just_finished": just_finished and not job.is_active, "error": error, **(extra or {}),
    })
    if not (request.GET.get("poll") == "1" and job.is_active):
        # Credits moved (held, charged or returned): the badge, the trial banner and the panels'
        # cost lines on the page fetch themselves again (templates/credits/_credit_badge.html).
        response["HX-Trigger"] = "credits-changed"
    return response


def _requested(request, job: Generation, *, panel_id: str):
    """The answer to a request that made (or found, for a repeated key) a job."""
    if is_htmx(request):
        # The card goes on top of the panel's list; the form gets a new key and its message slot empties.
        return _job_card(request, job, just_finished=True, extra={"new_key": fresh_key(), "panel_id": panel_id})
    messages.success(request, _("Your job is in the queue. It appears in the gallery when it is done."))
    return redirect("studio:jobs")


# --- image requests --------------------------------------------------------------------------------

@login_required
def character_image(request, character_id):
    """GET: the panel (a fragment for htmx, a page without JavaScript). POST: request an image."""
    character = selectors.character_get(user=request.user, public_id=character_id)
    form = CharacterImageForm(request.POST or None)
    error = None
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            reference = (media_selectors.asset_get(user=request.user, public_id=data["reference"])
                         if data["reference"] else None)
            try:
                job = jobs.character_image_request(
                    user=request.user, character=character, prompt=data["prompt"], style=data["style"],
                    size=data["size"], reference=reference,
                    strength=0.6 if data["strength"] is None else data["strength"],
                    idempotency_key=data["idempotency_key"])
            except AppError as exc:
                error = exc
            else:
                return _requested(request, job, panel_id=f"gen-{character.public_id}")
        else:
            error = jobs.InvalidJob(_("Check the extra direction (up to 1,000 characters) and the reference strength."))
        if (upgrade := _upgrade(request, error)) is not None:
            return upgrade
        if is_htmx(request):
            return _refusal(request, error, slot=f"gen-{character.public_id}-message",
                            context={"next_url": reverse("studio:character", args=[character.public_id])})
    panel = image_panel(request, kind="character", obj=character, form=form, error=error)
    if is_htmx(request):
        return render(request, "studio/visual/_image_panel.html", {"panel": panel})
    return render(request, "studio/visual/character_image.html", {
        "project": character.project, "character": character, "panel": panel,
    }, status=error.status if error else 200)


@login_required
@require_POST
def moodboard_image(request, moodboard_id):
    moodboard = selectors.moodboard_get(user=request.user, public_id=moodboard_id)
    form = MoodboardImageForm(request.POST)
    slot = f"gen-{moodboard.public_id}-message"
    if form.is_valid():
        data = form.cleaned_data
        try:
            job = jobs.moodboard_request(user=request.user, moodboard=moodboard, prompt=data["prompt"],
                                         style=data["style"], size=data["size"],
                                         idempotency_key=data["idempotency_key"])
        except AppError as exc:
            error = exc
        else:
            return _requested(request, job, panel_id=f"gen-{moodboard.public_id}")
    else:
        error = jobs.InvalidJob(_("Keep the extra direction under 1,000 characters."))
    if (upgrade := _upgrade(request, error)) is not None:
        return upgrade
    if is_htmx(request):
        missing = missing_characters(error, moodboard.characters.all()) if error.code == "MISSING_REFERENCES" else []
        return _refusal(request, error, slot=slot, context={
            "missing": missing, "next_url": reverse("studio:moodboard", args=[moodboard.public_id])})
    return moodboard_page(request, moodboard, panel_form=form, error=error, status=error.status)


@login_required
def moodboard_sheets(request, moodboard_id):
    """POST: a job for each character of the moodboard without a reference sheet (one click, its
    total quoted beforehand). GET (htmx, while they are drawn): the offer again, or a page reload
    once every sheet is there."""
    moodboard = selectors.moodboard_get(user=request.user, public_id=moodboard_id)
    cast = list(moodboard.characters.select_related("primary_image"))
    made, error = [], None
    if request.method == "POST":
        try:
            made, error = jobs.sheets_request(user=request.user, characters=cast,
                                              idempotency_key=request.POST.get("idempotency_key", "")[:60])
        except AppError as exc:
            error = exc
    offer = sheets_offer(request.user, moodboard, cast)
    if not is_htmx(request):
        if error:
            messages.error(request, error.message)
        if made:
            messages.success(request, _("Drawing the reference sheets. Each character's first image becomes its sheet."))
        return redirect(reverse("studio:moodboard", args=[moodboard.public_id]) + "#generate")
    if request.method == "GET" and not offer["pending"]:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"  # every sheet is there: the cast and the quote change
        return response
    return render(request, "studio/visual/_sheets_offer.html", {
        "offer": offer, "error": error, "jobs": targets.with_targets(request.user, made),
        "panel_id": f"gen-{moodboard.public_id}"})


@login_required
def job_quote(request):
    """htmx fragment: cost, balance and trial before running (again when a reference is picked)."""
    kind = request.GET.get("kind", "")
    if kind not in jobs.SPECS:
        raise Http404
    duration = request.GET.get("duration")
    references = request.GET.get("references", "")
    references = min(int(references), 10) if references.isdigit() else 1 if request.GET.get("reference") else 0
    quote = jobs.job_quote(user=request.user, kind=kind, references=references, team=workspace_for(request),
                           duration=int(duration) if duration in {str(d) for d in jobs.DURATIONS} else None)
    return render(request, "studio/visual/_quote.html", {"quote": quote})


# --- jobs -----------------------------------------------------------------------------------------

@login_required
def job(request, job_id):
    """A job card (or a jobs-list row with ?view=row). It polls itself while the job is active;
    ?poll=1 says the caller saw it active, so an ended job now announces itself (toast, gallery)."""
    job = selectors.job_get(user=request.user, public_id=job_id)
    if request.GET.get("poll") == "1":
        announce.job_watched(user=request.user, job=job)  # on its page: no notification when it ends (announce.py)
    return _job_card(request, job, just_finished=request.GET.get("poll") == "1")


@login_required
@require_POST
def job_cancel(request, job_id):
    job = selectors.job_get(user=request.user, public_id=job_id)
    job = jobs.job_cancel(job=job)
    if is_htmx(request):
        return _job_card(request, job)
    messages.success(request, _("Cancelled. Your credits were not charged.") if not job.is_active
                     else _("Stopping the job…"))
    return redirect(safe_next(request, reverse("studio:jobs")))


@login_required
@require_POST
def job_retry(request, job_id):
    job = selectors.job_get(user=request.user, public_id=job_id)
    try:
        again = jobs.job_retry(job=job, user=request.user)
    except AppError as exc:
        if (upgrade := _upgrade(request, exc)) is not None:
            return upgrade
        if is_htmx(request):
            return _job_card(request, job, error=exc)
        messages.error(request, exc.message)
    else:
        if is_htmx(request):
            return _job_card(request, again, just_finished=True)
        messages.success(request, _("Trying again: a new job is in the queue."))
    return redirect(safe_next(request, reverse("studio:jobs")))


@login_required
def jobs_list(request):
    form = JobFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(selectors.jobs_for(user=request.user, team=workspace_for(request), status=status), JOBS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "studio/visual/jobs.html", {
        "page": page, "jobs": targets.with_targets(request.user, page.object_list), "status": status,
        "statuses": form.fields["status"].choices, "query": query.urlencode(),
    })


# --- animate ----------------------------------------------------------------------------------------

@login_required
def animate(request, asset_id):
    source = media_selectors.asset_get(user=request.user, public_id=asset_id)
    if not source.is_image:
        raise Http404
    quotes = [(d, jobs.job_quote(user=request.user, kind=Kind.ANIMATION, duration=d, project=source.project))
              for d in jobs.DURATIONS]
    form = AnimateForm(request.POST or None, initial={"idempotency_key": fresh_key()})
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = jobs.animation_request(user=request.user, source=source, duration=data["duration"],
                                         motion=data["motion"], prompt=data["prompt"],
                                         idempotency_key=data["idempotency_key"])
        except AppError as exc:
            if (upgrade := _upgrade(request, exc)) is not None:
                return upgrade
            error = exc
        else:
            messages.success(request, _("Animating… The video appears next to the image when it is done."))
            if job.target_kind in ("character", "moodboard"):
                page = targets.page_url(job.target_kind, job.target_id)
                return redirect(f"{page}?job={job.public_id}#generate")
            return redirect("studio:jobs")
    target = targets.with_targets(request.user, [source])[0].target_info  # source.project came with asset_get
    return render(request, "studio/visual/animate.html", {
        "project": source.project, "source": source, "form": form, "quotes": quotes, "error": error,
        "video_allowed": quotes[0][1]["video_allowed"], "quote": quotes[0][1], "target": target,
        "motions": jobs.MOTIONS,
    }, status=error.status if error else 200)
