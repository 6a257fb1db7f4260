"""Pages of visual generation: a character's "Generate image" panel, job cards and the jobs list,
moodboards, animating an image and the project gallery. The jobs themselves are studio/jobs.py.

Thin, like studio/views.py: every object comes through an ownership-checked selector (anyone
else's is a 404) and every write through a service. Refusals are AppErrors shown in place with a
button for their action (buy credits, choose a plan, connect Google Drive). htmx requests get
fragments (a job card, the refusal, the next page of the gallery); plain posts redirect."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import CharField, F, Value
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from media import selectors as media_selectors
from media.models import MediaAsset
from media.views import gallery_context
from modo.errors import AppError

from . import moodboards, selectors
from .forms_visual import (
    AnimateForm,
    CharacterImageForm,
    GalleryFilterForm,
    JobFilterForm,
    MoodboardForm,
    MoodboardImageForm,
    fresh_key,
    size_groups,
)
from .generate import jobs, prompts
from .models import Character, Generation, Location, Moodboard, Scene

Kind = Generation.Kind
JOBS_PER_PAGE = 20
ASSETS_PER_PAGE = 20
REFERENCES_SHOWN = 24
STALE_SCAN_LIMIT = 2000  # the "out of date" filter looks at this many generated character images at most
TARGET_MODELS = {"character": (Character, "studio:character", "name"), "location": (Location, "studio:location", "name"),
                 "scene": (Scene, "studio:scene", "title"), "moodboard": (Moodboard, "studio:moodboard", "title")}


def _htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def _targets(user, items) -> dict:
    """{(kind, public id): {"label", "url"}} for the targets of jobs or assets, in one query however
    many items and kinds there are (a project target is the item's own, already loaded, project).
    Deleted targets are simply missing."""
    found, wanted = {}, {}
    for item in items:
        if item.target_kind == "project":
            project = item.project
            if project.public_id == item.target_id:
                found[("project", project.public_id)] = {"label": project.title,
                                                         "url": reverse("studio:project", args=[project.public_id])}
        elif item.target_kind in TARGET_MODELS:
            wanted.setdefault(item.target_kind, set()).add(item.target_id)
    parts = [model.objects.filter(project__owner=user, public_id__in=wanted[kind])
             .order_by().annotate(kind=Value(kind, output_field=CharField()), label=F(field))
             .values_list("kind", "public_id", "label")
             for kind, (model, _url, field) in TARGET_MODELS.items() if kind in wanted]
    if parts:
        for kind, public_id, label in parts[0].union(*parts[1:], all=True):
            found[(kind, public_id)] = {"label": label, "url": reverse(TARGET_MODELS[kind][1], args=[public_id])}
    return found


def _with_targets(user, items) -> list:
    items = list(items)
    targets = _targets(user, items)
    for item in items:
        item.target_info = targets.get((item.target_kind, item.target_id))
    return items


def _recent_jobs(request, *, target_kind: str, target_id) -> list[Generation]:
    """The target's jobs still running, and the one named by ?job= (after a redirect from Animate)."""
    found = selectors.jobs_for(user=request.user).filter(target_kind=target_kind, target_id=target_id)
    active = list(found.filter(status__in=Generation.ACTIVE)[:5])
    try:
        named = uuid.UUID(request.GET.get("job", ""))
    except ValueError:
        return active
    if all(j.public_id != named for j in active):
        active[:0] = list(found.filter(public_id=named))  # someone else's id finds nothing
    return active


def _refusal(request, exc: AppError, *, slot: str, context: dict | None = None):
    """An htmx refusal goes into the panel's message slot (200: htmx swaps only 2xx)."""
    response = render(request, "studio/visual/_refusal.html", {"error": exc, **(context or {})})
    response["HX-Retarget"] = f"#{slot}"
    response["HX-Reswap"] = "innerHTML"
    return response


def _job_card(request, job: Generation, *, just_finished=False, error: AppError | None = None,
              extra: dict | None = None):
    row = (request.GET.get("view") or request.POST.get("view")) == "row"
    job = _with_targets(request.user, [job])[0]
    return render(request, "studio/visual/_job_row.html" if row else "studio/visual/_job.html", {
        "job": job, "just_finished": just_finished and not job.is_active, "error": error, **(extra or {}),
    })


def _requested(request, job: Generation, *, panel_id: str):
    """The answer to a request that made (or found, for a repeated key) a job."""
    if _htmx(request):
        # The card goes on top of the panel's list; the form gets a new key and its message slot empties.
        return _job_card(request, job, just_finished=True, extra={"new_key": fresh_key(), "panel_id": panel_id})
    messages.success(request, _("Your job is in the queue. It appears in the gallery when it is done."))
    return redirect("studio:jobs")


# --- the "Generate image" panel of a character --------------------------------------------------

def _image_panel(request, *, kind: str, obj, form=None, error: AppError | None = None) -> dict:
    """What templates/studio/visual/_image_panel.html needs (a character's or a moodboard's)."""
    user = request.user
    styles, sizes = prompts.presets("style"), prompts.presets("size")
    data = form.data if form is not None and form.is_bound else {}
    default_size = "landscape-m" if kind == "moodboard" else next((s.key for s in sizes if s.is_default), "")
    context = {
        "kind": kind, "obj": obj, "id": f"gen-{obj.public_id}", "error": error,
        "page_url": reverse(TARGET_MODELS[kind][1], args=[obj.public_id]),
        "styles": styles, "size_groups": size_groups(sizes),
        "style": data.get("style") or next((s.key for s in styles if s.is_default), ""),
        "size": data.get("size") or default_size, "prompt": data.get("prompt", ""),
        "key": fresh_key(),
        "jobs": _with_targets(user, _recent_jobs(request, target_kind=kind, target_id=obj.public_id)),
    }
    if kind == "character":
        context.update({
            "action": reverse("studio:character_image", args=[obj.public_id]),
            "references": list(media_selectors.references_for(user=user, project=obj.project)[:REFERENCES_SHOWN]),
            "reference": data.get("reference", ""), "strength": data.get("strength") or "0.6",
            "quote": jobs.job_quote(user=user, kind=Kind.CHARACTER_IMAGE, references=1 if data.get("reference") else 0),
            "quote_url": reverse("studio:job_quote") + f"?kind={Kind.CHARACTER_IMAGE}",
        })
    else:
        cast = list(obj.characters.select_related("primary_image"))
        context.update({
            "action": reverse("studio:moodboard_image", args=[obj.public_id]), "cast": cast,
            "without_sheet": [c for c in cast if c.primary_image_id is None],
            "quote": jobs.job_quote(user=user, kind=Kind.MOODBOARD, references=len(cast)),
        })
    return context


def _missing_characters(exc: AppError, characters) -> list:
    ids = set(exc.extra.get("missing_ids") or [])
    return [c for c in characters if str(c.public_id) in ids]


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
        if _htmx(request):
            return _refusal(request, error, slot=f"gen-{character.public_id}-message",
                            context={"next_url": reverse("studio:character", args=[character.public_id])})
    panel = _image_panel(request, kind="character", obj=character, form=form, error=error)
    if _htmx(request):
        return render(request, "studio/visual/_image_panel.html", {"panel": panel})
    return render(request, "studio/visual/character_image.html", {
        "project": character.project, "character": character, "panel": panel,
    }, status=error.status if error else 200)


@login_required
def job_quote(request):
    """htmx fragment: cost, balance and trial before running (again when a reference is picked)."""
    kind = request.GET.get("kind", "")
    if kind not in jobs.SPECS:
        raise Http404
    duration = request.GET.get("duration")
    quote = jobs.job_quote(user=request.user, kind=kind, references=1 if request.GET.get("reference") else 0,
                           duration=int(duration) if duration in {str(d) for d in jobs.DURATIONS} else None)
    return render(request, "studio/visual/_quote.html", {"quote": quote})


# --- jobs -----------------------------------------------------------------------------------------

@login_required
def job(request, job_id):
    """A job card (or a jobs-list row with ?view=row). It polls itself while the job is active;
    ?poll=1 says the caller saw it active, so an ended job now announces itself (toast, gallery)."""
    job = selectors.job_get(user=request.user, public_id=job_id)
    return _job_card(request, job, just_finished=request.GET.get("poll") == "1")


@login_required
@require_POST
def job_cancel(request, job_id):
    job = selectors.job_get(user=request.user, public_id=job_id)
    job = jobs.job_cancel(job=job)
    if _htmx(request):
        return _job_card(request, job)
    messages.success(request, _("Cancelled. Your credits were not charged.") if not job.is_active
                     else _("Stopping the job…"))
    return redirect(_safe_next(request, reverse("studio:jobs")))


@login_required
@require_POST
def job_retry(request, job_id):
    job = selectors.job_get(user=request.user, public_id=job_id)
    try:
        again = jobs.job_retry(job=job)
    except AppError as exc:
        if _htmx(request):
            return _job_card(request, job, error=exc)
        messages.error(request, exc.message)
    else:
        if _htmx(request):
            return _job_card(request, again, just_finished=True)
        messages.success(request, _("Trying again: a new job is in the queue."))
    return redirect(_safe_next(request, reverse("studio:jobs")))


@login_required
def jobs_list(request):
    form = JobFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(selectors.jobs_for(user=request.user, status=status), JOBS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "studio/visual/jobs.html", {
        "page": page, "jobs": _with_targets(request.user, page.object_list), "status": status,
        "statuses": form.fields["status"].choices, "query": query.urlencode(),
    })


# --- moodboards -----------------------------------------------------------------------------------

def _latest_images(boards) -> dict:
    """Each moodboard's newest image for the list: one query for all of them."""
    ids = [b.public_id for b in boards]
    latest = {}
    for asset in (MediaAsset.objects.filter(target_kind=MediaAsset.Target.MOODBOARD, target_id__in=ids,
                                            deleted_at__isnull=True, media_type=MediaAsset.MediaType.IMAGE)
                  .order_by("-is_primary", "-created_at").only("public_id", "target_id", "is_primary", "created_at")):
        latest.setdefault(asset.target_id, asset)
    return latest


@login_required
def moodboard_list(request, public_id):
    project = selectors.project_get(user=request.user, public_id=public_id)
    form = MoodboardForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moodboard = moodboards.moodboard_create(project=project, **{**data, "characters": list(data["characters"])})
        except AppError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Moodboard created. Generate its first image below."))
            return redirect("studio:moodboard", moodboard_id=moodboard.public_id)
    boards = list(selectors.moodboards_of(project))
    covers = _latest_images(boards)
    for board in boards:
        board.cover_image = covers.get(board.public_id)
    return render(request, "studio/visual/moodboards.html", {
        "project": project, "form": form, "boards": boards,
        "characters": list(form.fields["characters"].queryset),
    })


def _moodboard_page(request, moodboard: Moodboard, *, form=None, panel_form=None, error=None, status=200):
    project = moodboard.project
    form = form or MoodboardForm(instance=moodboard, project=project)
    panel = _image_panel(request, kind="moodboard", obj=moodboard, form=panel_form, error=error)
    if error is not None and error.code == "MISSING_REFERENCES":
        panel["missing"] = _missing_characters(error, panel["cast"])
    return render(request, "studio/visual/moodboard.html", {
        "project": project, "moodboard": moodboard, "form": form, "panel": panel,
        "characters": list(form.fields["characters"].queryset),
        "gallery": gallery_context(request, media_selectors.target_of(moodboard)),
    }, status=status)


@login_required
def moodboard_detail(request, moodboard_id):
    moodboard = selectors.moodboard_get(user=request.user, public_id=moodboard_id)
    project = moodboard.project
    if request.method == "POST" and request.POST.get("action") == "delete":
        moodboards.moodboard_delete(moodboard=moodboard)
        messages.success(request, _("“%(title)s” was deleted.") % {"title": moodboard.title})
        return redirect("studio:moodboards", public_id=project.public_id)
    form = MoodboardForm(request.POST or None, instance=moodboard, project=project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moodboards.moodboard_update(moodboard=moodboard, **{**data, "characters": list(data["characters"])})
        except AppError as exc:
            form.add_error(None, exc.message)
        else:
            if _htmx(request):
                return render(request, "studio/partials/saved.html")
            messages.success(request, _("Saved."))
            return redirect("studio:moodboard", moodboard_id=moodboard.public_id)
    return _moodboard_page(request, moodboard, form=form)


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
    if _htmx(request):
        missing = _missing_characters(error, moodboard.characters.all()) if error.code == "MISSING_REFERENCES" else []
        return _refusal(request, error, slot=slot, context={
            "missing": missing, "next_url": reverse("studio:moodboard", args=[moodboard.public_id])})
    return _moodboard_page(request, moodboard, panel_form=form, error=error, status=error.status)


# --- animate ----------------------------------------------------------------------------------------

@login_required
def animate(request, asset_id):
    source = media_selectors.asset_get(user=request.user, public_id=asset_id)
    if not source.is_image:
        raise Http404
    quotes = [(d, jobs.job_quote(user=request.user, kind=Kind.ANIMATION, duration=d)) for d in jobs.DURATIONS]
    form = AnimateForm(request.POST or None, initial={"idempotency_key": fresh_key()})
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = jobs.animation_request(user=request.user, source=source, duration=data["duration"],
                                         motion=data["motion"], prompt=data["prompt"],
                                         idempotency_key=data["idempotency_key"])
        except AppError as exc:
            error = exc
        else:
            messages.success(request, _("Animating… The video appears next to the image when it is done."))
            if job.target_kind in ("character", "moodboard"):
                page = reverse(TARGET_MODELS[job.target_kind][1], args=[job.target_id])
                return redirect(f"{page}?job={job.public_id}#generate")
            return redirect("studio:jobs")
    target = _with_targets(request.user, [source])[0].target_info  # source.project came with asset_get
    return render(request, "studio/visual/animate.html", {
        "project": source.project, "source": source, "form": form, "quotes": quotes, "error": error,
        "video_allowed": quotes[0][1]["video_allowed"], "quote": quotes[0][1], "target": target,
        "motions": jobs.MOTIONS,
    }, status=error.status if error else 200)


# --- the project gallery ---------------------------------------------------------------------------

def _sheet_characters(project, assets) -> list[Character]:
    """The characters of the project these assets were made for, with only what their sheet's
    hash reads (a bible can have hundreds of characters; a gallery page shows twenty assets)."""
    ids = {a.target_id for a in assets if a.target_kind == MediaAsset.Target.CHARACTER}
    return list(Character.objects.filter(project=project, public_id__in=ids).only(
        "public_id", "name", "appearance", "clothing", "accessories", "visual_style"))


def _stale_ids(assets, characters) -> set:
    """Of these assets, the character images made from an older version of the character's sheet."""
    by_character: dict = {}
    for asset in assets:
        if asset.target_kind == MediaAsset.Target.CHARACTER:
            by_character.setdefault(asset.target_id, []).append(asset)
    stale = set()
    for character in characters:
        if character.public_id in by_character:
            stale |= prompts.stale_asset_ids(character, by_character[character.public_id])
    return stale


@login_required
def project_gallery(request, public_id):
    project = selectors.project_get(user=request.user, public_id=public_id)
    form = GalleryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    assets = media_selectors.assets_for(user=request.user, project=project)
    if filters.get("q"):
        assets = assets.filter(prompt__icontains=filters["q"])
    if filters.get("media"):
        assets = assets.filter(media_type=filters["media"])
    if filters.get("source") == "linked":
        assets = assets.filter(source_type__in=[MediaAsset.Source.LINKED, MediaAsset.Source.REPLACED])
    elif filters.get("source"):
        assets = assets.filter(source_type=filters["source"])
    if filters.get("favourites"):
        assets = assets.filter(is_favourite=True)
    characters = None
    if filters.get("stale"):
        generated = list(assets.filter(target_kind=MediaAsset.Target.CHARACTER, source_type=MediaAsset.Source.GENERATED)
                         .only("pk", "target_kind", "target_id", "params")[:STALE_SCAN_LIMIT])
        characters = _sheet_characters(project, generated)
        assets = assets.filter(pk__in=_stale_ids(generated, characters))
    assets = assets.order_by(*GalleryFilterForm.SORTS.get(filters.get("sort") or "newest"))
    page = Paginator(assets, ASSETS_PER_PAGE).get_page(request.GET.get("page"))
    for asset in page.object_list:
        asset.project = project  # all of them are this project's: no query per asset
    items = _with_targets(request.user, page.object_list)
    stale = _stale_ids(items, characters if characters is not None else _sheet_characters(project, items))
    for asset in items:
        asset.is_stale = asset.pk in stale
    query = request.GET.copy()
    query.pop("page", None)
    context = {"project": project, "form": form, "page": page, "assets": items, "query": query.urlencode(),
               "filtered": any(filters.get(k) for k in ("q", "media", "source", "favourites", "stale")),
               "next": request.get_full_path()}
    if _htmx(request) and request.GET.get("page"):
        return render(request, "studio/visual/_gallery_items.html", context)
    return render(request, "studio/visual/gallery.html", context)
