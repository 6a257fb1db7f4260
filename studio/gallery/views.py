"""Gallery pages: a target's gallery (an htmx fragment inside the studio pages) and its upload,
Drive link and file actions, the asset page, the project gallery and the public showcase files.

Thin: every asset and target comes through an ownership-checked selector (anyone else's is a
404), every write through a service — media's for the files, gallery/services.py's where the
bible changes too (a cover, a reference sheet). Refusals are AppErrors the gallery shows in place."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from media import images
from media import selectors as media_selectors
from media import services as media_services
from media.models import MediaAsset
from media.selectors import TargetRef
from media.views import file_response
from modo import catalog
from modo.errors import AppError
from modo.http import is_htmx, safe_next

from .. import selectors as studio_selectors
from .. import targets
from ..generate import jobs
from . import selectors, services
from .forms import GalleryFilterForm
from .panels import FILES_CACHE_SECONDS, files_version, gallery_context

ASSETS_PER_PAGE = 20


def _gallery_response(request, target: TargetRef, *, error: AppError | None = None, success: str = ""):
    """htmx requests get the re-rendered gallery; plain posts go back to the target's page."""
    if is_htmx(request):
        # 200 even for a refusal: htmx swaps only 2xx, and the gallery shows the message in place.
        return render(request, "media/_gallery.html", {"g": gallery_context(request, target, error=error)})
    if error:
        messages.error(request, error.message)
    elif success:
        messages.success(request, success)
    return redirect(safe_next(request, targets.page_url(target.kind, target.id)))


def _target_from(request) -> TargetRef:
    try:
        kind, public_id = targets.parse_target(request.POST.get("target") or request.GET.get("target", ""))
    except ValueError as exc:
        raise Http404 from exc
    return targets.target_get(user=request.user, kind=kind, public_id=public_id)


def _target_of(request, asset: MediaAsset) -> TargetRef:
    return targets.target_get(user=request.user, kind=asset.target_kind, public_id=asset.target_id)


# --- a target's gallery ------------------------------------------------------------------------------

@login_required
def gallery(request):
    """The gallery fragment of one target (?target=kind:uuid): htmx polls it while thumbnails are made."""
    target = _target_from(request)
    return render(request, "media/_gallery.html", {"g": gallery_context(request, target)})


@login_required
@require_POST
def upload(request):
    target = _target_from(request)
    file = request.FILES.get("file")
    try:
        if file is None:
            raise images.UploadRejected(_("Choose an image to upload."))
        media_services.asset_upload(file=file, owner=request.user, target=target)
    except AppError as exc:
        return _gallery_response(request, target, error=exc)
    return _gallery_response(request, target, success=_("Image uploaded."))


@login_required
@require_POST
def link(request):
    target = _target_from(request)
    media_type = request.POST.get("media_type") or MediaAsset.MediaType.IMAGE
    if media_type not in (MediaAsset.MediaType.IMAGE, MediaAsset.MediaType.VIDEO):
        media_type = MediaAsset.MediaType.IMAGE
    try:
        media_services.asset_link_drive(url=request.POST.get("drive_url", ""), owner=request.user, target=target,
                                        media_type=media_type)
    except AppError as exc:
        return _gallery_response(request, target, error=exc)
    return _gallery_response(request, target, success=_("Drive file added."))


ACTIONS = {
    "primary": lambda request, a: services.asset_set_primary(asset=a),
    "favourite": lambda request, a: media_services.asset_favourite(asset=a, favourite=True),
    "unfavourite": lambda request, a: media_services.asset_favourite(asset=a, favourite=False),
    "check": lambda request, a: media_services.asset_check(asset=a),
    "replace": lambda request, a: media_services.asset_replace(asset=a, url=request.POST.get("drive_url", "")),
    "delete": lambda request, a: services.asset_delete(asset=a),
}
ACTION_MESSAGES = {
    "primary": gettext_lazy("Set as the primary image."), "check": gettext_lazy("Checked."),
    "replace": gettext_lazy("Replaced."), "delete": gettext_lazy("Deleted."), "favourite": "", "unfavourite": "",
}


@login_required
@require_POST
def asset_action(request, asset_id, action):
    if action not in ACTIONS:
        raise Http404
    asset = media_selectors.asset_get(user=request.user, public_id=asset_id)
    target = _target_of(request, asset)
    try:
        ACTIONS[action](request, asset)
    except AppError as exc:
        return _gallery_response(request, target, error=exc)
    if action == "delete" and request.POST.get("from") == "asset":
        messages.success(request, _("Deleted."))
        return redirect(targets.page_url(target.kind, target.id))
    return _gallery_response(request, target, success=str(ACTION_MESSAGES[action]))


# --- the asset page --------------------------------------------------------------------------------

def _preset_names() -> dict:
    return {(p.kind, p.key): p.display_label for p in catalog.snapshot().presets}


def _made_with(params: dict, presets: dict | None = None) -> dict:
    """The style, size and camera motion a file was made with, named in the reader's language
    (the params keep their keys; a preset removed since is shown by its key)."""
    presets = _preset_names() if presets is None else presets
    return {"style": presets.get(("style", params.get("style")), params.get("style")),
            "size": presets.get(("size", params.get("size")), params.get("size")),
            "motion": jobs.MOTIONS.get(params.get("motion"), params.get("motion"))}


@login_required
def asset_detail(request, asset_id):
    asset = media_selectors.asset_get(user=request.user, public_id=asset_id)
    target = _target_of(request, asset)
    return render(request, "media/asset_detail.html", {
        "asset": asset, "target": target, "project": asset.project, "made_with": _made_with(asset.params or {}),
        "target_url": targets.page_url(target.kind, target.id),
        "drive_connected": bool((c := media_selectors.drive_connection_for(request.user)) and c.is_active),
    })


# --- the project gallery ---------------------------------------------------------------------------

@login_required
def project_gallery(request, public_id):
    project = studio_selectors.project_get(user=request.user, public_id=public_id)
    form = GalleryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    assets, characters = selectors.project_gallery(user=request.user, project=project, **filters)
    page = Paginator(assets, ASSETS_PER_PAGE).get_page(request.GET.get("page"))
    for asset in page.object_list:
        asset.project = project  # all of them are this project's: no query per asset
    items = targets.with_targets(request.user, page.object_list)
    stale = selectors.stale_ids(items, characters if characters is not None
                                else selectors.sheet_characters(project, items))
    presets = _preset_names()
    for asset in items:
        asset.is_stale = asset.pk in stale
        asset.made_with = _made_with(asset.params or {}, presets)
        asset.added = naturaltime(asset.created_at)  # shown, so part of the cached markup's key
    query = request.GET.copy()
    query.pop("page", None)
    context = {"project": project, "form": form, "page": page, "assets": items, "query": query.urlencode(),
               "filtered": any(filters.get(k) for k in ("q", "media", "source", "favourites", "stale")),
               "next": request.get_full_path(), "cache_seconds": FILES_CACHE_SECONDS,
               "files_version": files_version(items, shown=("is_stale", "made_with", "added", "target_info"))}
    if is_htmx(request) and request.GET.get("page"):
        return render(request, "studio/visual/_gallery_items.html", context)
    return render(request, "studio/visual/gallery.html", context)


# --- the showcase ----------------------------------------------------------------------------------

def showcase_file(request, slug, asset_id):
    """A published project's primary image, for everyone, only while it is published. A clip (an
    animation or a lip-sync, and its poster) is checked again on every request, shared caches
    included: unpublishing takes it off Watch at once."""
    asset = selectors.showcase_asset_get(slug=slug, public_id=asset_id)
    response = file_response(asset, thumbnail=request.GET.get("size") == "thumb", download=False, public=True)
    if asset.is_video:
        response["Cache-Control"] = "public, no-cache"
    return response
