"""Pages that make a new image from an existing one: Upscale (from any image card: 2× or 4×) and
Restyle (a standalone studio page: upload a photo or pick an image, a style, a size), and using
a result as a character's reference sheet. The work is upscale.py and restyle.py; a job made
here is followed on the same page (?job=…) by its card, which shows the before/after slider once
it has landed (templates/studio/visual/_compare.html).

Thin, like views.py: objects through ownership-checked selectors (anyone else's is a 404), writes
through services, refusals shown in place (a plan without upscale sees why and a way to upgrade)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from credits.exceptions import PlanRequired
from media import images
from media import selectors as media_selectors
from media import services as media_services
from modo.errors import AppError

from .. import selectors, targets
from ..gallery import services as gallery_services
from ..models import Generation
from . import jobs, prompts, restyle, upscale
from .forms import RestyleForm, SheetForm, UpscaleForm, fresh_key

Kind = Generation.Kind
PICKABLE = 24  # the project's newest images offered as restyle sources


def _job_of(request) -> Generation | None:
    """The job named in ?job= (the creator's own: anyone else's is a 404), with its target."""
    job_id = request.GET.get("job")
    if not job_id:
        return None
    return targets.with_targets(request.user, [selectors.job_get(user=request.user, public_id=job_id)])[0]


def _upgrade_or_none(request, exc: AppError):
    url = exc.extra.get("upgrade_url")
    return redirect(url) if url else None


def _chosen(form, fits: list[int]) -> int:
    """The scale checked on the page: the one just posted, else the smallest that fits."""
    posted = form.data.get("scale") if form.is_bound else None
    return int(posted) if posted in ("2", "4") else (fits[0] if fits else 0)


@login_required
def upscale_page(request, asset_id):
    """GET: the scales (2×, 4×) with their output size and cost; the upgrade card on a plan
    without upscale. POST: request it, then follow the job here."""
    source = media_selectors.asset_get(user=request.user, public_id=asset_id)
    if not source.is_image:
        raise Http404
    quote = jobs.job_quote(user=request.user, kind=Kind.UPSCALE)
    form = UpscaleForm(request.POST or None, initial={"idempotency_key": fresh_key()})
    error = None
    if request.method == "POST":
        if form.is_valid():
            try:
                job = upscale.upscale_request(user=request.user, source=source, scale=form.cleaned_data["scale"],
                                              idempotency_key=form.cleaned_data["idempotency_key"])
            except AppError as exc:
                if (upgrade := _upgrade_or_none(request, exc)) is not None:
                    return upgrade
                error = exc
            else:
                messages.success(request, _("Upscaling… The larger image appears next to the original when it is done."))
                return redirect(f"{reverse('studio:upscale', args=[source.public_id])}?job={job.public_id}#result")
        else:
            error = jobs.InvalidJob(_("Choose 2× or 4×."))
    fits = upscale.fitting_scales(source)
    scales = [{"scale": s, "width": (source.width or 0) * s, "height": (source.height or 0) * s, "fits": s in fits}
              for s in upscale.SCALES]
    target = targets.with_targets(request.user, [source])[0].target_info
    return render(request, "studio/visual/upscale.html", {
        "project": source.project, "source": source, "form": form, "quote": quote, "error": error,
        "scales": scales, "chosen": _chosen(form, fits), "target": target, "job": _job_of(request), "max_mp": upscale.max_megapixels(),
    }, status=error.status if error else 200)


@login_required
def restyle_page(request, public_id):
    """The photo → style page of a project. GET (?source= preselects an image, ?job= follows a
    job). POST: a photo uploaded (validated like any upload, kept in the project's gallery) or
    an image picked, a style and a size → a restyle job, followed here. A plan without restyle
    sees the upgrade card; its POST is refused (403) before any upload or hold."""
    project = selectors.project_get(user=request.user, public_id=public_id)
    quote = jobs.job_quote(user=request.user, kind=Kind.RESTYLE, references=1, project=project)
    form = RestyleForm(request.POST or None, request.FILES or None,
                       initial={"idempotency_key": fresh_key(), "size": "medium",
                                "source": request.GET.get("source", "")})
    error = None
    if request.method == "POST" and not quote["feature_allowed"]:
        error = PlanRequired()
    elif request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["photo"]:
                    source = media_services.asset_upload(file=data["photo"], owner=request.user,
                                                         target=targets.target_of(project))
                elif data["source"]:
                    source = media_selectors.asset_get(user=request.user, public_id=data["source"])
                else:
                    raise images.UploadRejected(_("Upload a photo or pick an image."))
                job = restyle.restyle_request(user=request.user, source=source, style=data["style"],
                                              size=data["size"], idempotency_key=data["idempotency_key"])
            except AppError as exc:
                if (upgrade := _upgrade_or_none(request, exc)) is not None:
                    return upgrade
                error = exc
            else:
                messages.success(request, _("Restyling… The result appears here and in the gallery when it is done."))
                return redirect(f"{reverse('studio:restyle', args=[project.public_id])}?job={job.public_id}#result")
        else:
            error = jobs.InvalidJob(_("Upload a photo or pick an image, and choose a style and a size."))
    picked = str(form["source"].value() or "")
    pickable = list(media_selectors.assets_for(user=request.user, project=project)
                    .filter(media_type="image", is_accessible=True).order_by("-created_at", "-id")[:PICKABLE])
    if picked and picked not in {str(a.public_id) for a in pickable}:
        chosen = media_selectors.asset_get(user=request.user, public_id=picked)  # an older one, or elsewhere
        if chosen.is_image:
            pickable.insert(0, chosen)
    return render(request, "studio/visual/restyle.html", {
        "project": project, "form": form, "error": error, "pickable": pickable, "picked": picked,
        "styles": restyle.styles_in_order(prompts.presets("style")), "sizes": [(k, label) for k, (_letter, label) in restyle.SIZES.items()],
        "quote": quote, "job": _job_of(request),
    }, status=error.status if error else 200)


@login_required
def use_as_sheet(request, asset_id):
    """POST: this image becomes the reference sheet of a character of its project (it moves to
    the character's gallery and stays in the project's). GET: the choice of character."""
    asset = media_selectors.asset_get(user=request.user, public_id=asset_id)
    if not asset.is_image:
        raise Http404
    characters = list(selectors.characters_of(asset.project).select_related(None).only("public_id", "name"))
    form = SheetForm(request.POST or None, characters=characters)
    if request.method == "POST":
        if form.is_valid():
            character = selectors.character_get(user=request.user, public_id=form.cleaned_data["character"])
            try:
                gallery_services.asset_use_as_sheet(asset=asset, character=character)
            except AppError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Now the reference sheet of %(name)s.") % {"name": character.name})
                return redirect(targets.page_url("character", character.public_id))
        else:
            messages.error(request, _("Choose a character of this project."))
    return render(request, "studio/visual/use_as_sheet.html", {
        "project": asset.project, "asset": asset, "form": form, "characters": characters,
    }, status=422 if form.is_bound and not form.is_valid() else 200)
