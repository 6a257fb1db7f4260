"""Media pages: galleries (htmx fragments inside the studio pages), the asset page, private file
and thumbnail delivery, the public showcase files, storage settings and the Drive OAuth flow.

Thin: every asset and target comes through an ownership-checked selector (anyone else's is a
404) and every write through a service; refusals are AppErrors whose message the page shows."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.db.models import Count, Sum
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from modo.errors import AppError

from . import drive, selectors, services, storage
from .models import MediaAsset

FILE_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"
# A gallery re-polls while a fresh asset's thumbnail is still being made (never for long).
THUMBNAIL_WAIT = timedelta(minutes=2)
# A target's page shows this many of its files (primary, favourites, newest); the project
# gallery pages through all of them. A bible's own gallery can hold hundreds.
GALLERY_LIMIT = 24
TARGET_PAGES = {"project": "studio:project", "character": "studio:character", "location": "studio:location",
                "scene": "studio:scene", "moodboard": "studio:moodboard"}


def target_url(kind: str, public_id) -> str:
    name = TARGET_PAGES.get(kind)
    return reverse(name, args=[public_id]) if name else reverse("studio:projects")


def gallery_context(request, target: selectors.TargetRef, *, error: AppError | None = None) -> dict:
    """What templates/media/_gallery.html needs for one target's gallery."""
    assets = selectors.gallery(target, limit=GALLERY_LIMIT + 1)  # one more: are there more?
    more, assets = len(assets) > GALLERY_LIMIT, assets[:GALLERY_LIMIT]
    stale = set()
    if target.kind == MediaAsset.Target.CHARACTER:
        from studio.generate.prompts import stale_asset_ids  # studio imports this module: import late

        stale = stale_asset_ids(target.obj, assets)
    for asset in assets:
        asset.is_stale = asset.pk in stale  # made from an older version of the character sheet
    recent = timezone.now() - THUMBNAIL_WAIT
    connection = selectors.drive_connection_for(request.user)
    return {
        "target": target,
        "assets": assets,
        "more_url": reverse("studio:gallery", args=[target.project.public_id]) if more else "",
        "pending": any(a.is_accessible and not a.thumbnail and a.created_at > recent for a in assets),
        "error": error,
        "drive_connected": bool(connection and connection.is_active),
        "can_link_drive": bool(connection and connection.is_active) or bool(settings.GOOGLE_DRIVE_API_KEY),
        "upload_max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        "next": target_url(target.kind, target.id),
    }


def _gallery_response(request, target: selectors.TargetRef, *, error: AppError | None = None,
                      success: str = ""):
    """htmx requests get the re-rendered gallery; plain posts go back to the target's page."""
    if request.headers.get("HX-Request"):
        # 200 even for a refusal: htmx swaps only 2xx, and the gallery shows the message in place.
        return render(request, "media/_gallery.html", {"g": gallery_context(request, target, error=error)})
    if error:
        messages.error(request, error.message)
    elif success:
        messages.success(request, success)
    return redirect(_safe_next(request, target_url(target.kind, target.id)))


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def _target_from(request) -> selectors.TargetRef:
    try:
        kind, public_id = selectors.parse_target(request.POST.get("target") or request.GET.get("target", ""))
    except ValueError as exc:
        raise Http404 from exc
    return selectors.target_get(user=request.user, kind=kind, public_id=public_id)


# --- galleries -------------------------------------------------------------------------------------

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
            raise services.images.UploadRejected(_("Choose an image to upload."))
        services.asset_upload(file=file, owner=request.user, target=target)
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
        services.asset_link_drive(url=request.POST.get("drive_url", ""), owner=request.user, target=target,
                                  media_type=media_type)
    except AppError as exc:
        return _gallery_response(request, target, error=exc)
    return _gallery_response(request, target, success=_("Drive file added."))


ACTIONS = {
    "primary": lambda request, a: services.asset_set_primary(asset=a),
    "favourite": lambda request, a: services.asset_favourite(asset=a, favourite=True),
    "unfavourite": lambda request, a: services.asset_favourite(asset=a, favourite=False),
    "check": lambda request, a: services.asset_check(asset=a),
    "replace": lambda request, a: services.asset_replace(asset=a, url=request.POST.get("drive_url", "")),
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
    asset = selectors.asset_get(user=request.user, public_id=asset_id)
    target = selectors.target_get(user=request.user, kind=asset.target_kind, public_id=asset.target_id)
    try:
        ACTIONS[action](request, asset)
    except AppError as exc:
        return _gallery_response(request, target, error=exc)
    if action == "delete" and request.POST.get("from") == "asset":
        messages.success(request, _("Deleted."))
        return redirect(target_url(target.kind, target.id))
    return _gallery_response(request, target, success=str(ACTION_MESSAGES[action]))


# --- the asset page and its files ------------------------------------------------------------------

@login_required
def asset_detail(request, asset_id):
    asset = selectors.asset_get(user=request.user, public_id=asset_id)
    target = selectors.target_get(user=request.user, kind=asset.target_kind, public_id=asset.target_id)
    return render(request, "media/asset_detail.html", {
        "asset": asset, "target": target, "project": asset.project, "target_url": target_url(target.kind, target.id),
        "drive_connected": bool((c := selectors.drive_connection_for(request.user)) and c.is_active),
    })


def file_response(asset: MediaAsset, *, thumbnail: bool, download: bool, public: bool = False,
                  placeholder: bool = True):
    """The file (or thumbnail): streamed from local storage, a short-lived signed URL on S3, or
    fetched from Drive with the owner's connection. Files never run as a page (CSP sandbox).
    A file that cannot be reached is a placeholder picture for pages, a 404 for the API."""

    def missing():
        if not placeholder:
            raise Http404
        return redirect(static("img/asset-missing.svg"))

    key, mime, name = asset.storage_key, asset.mime, asset.file_name
    if thumbnail:
        if asset.thumbnail:
            key, mime, name = asset.thumbnail, "image/webp", "thumbnail.webp"
        elif not (asset.is_image and asset.storage == MediaAsset.Storage.PLATFORM):
            return redirect(static("img/asset-placeholder.svg"))
    if asset.storage == MediaAsset.Storage.DRIVE and not (thumbnail and asset.thumbnail):
        try:
            response = HttpResponse(services.asset_open(asset=asset), content_type=mime)
        except AppError:
            return missing()
        if download:
            response["Content-Disposition"] = f'attachment; filename="{_ascii(name)}"'
    elif storage.is_remote():
        return redirect(storage.public_url(key) if public else storage.signed_url(key, filename=name,
                                                                                  attachment=download))
    else:
        if not storage.exists(key):
            return missing()
        response = FileResponse(default_storage.open(key, "rb"), content_type=mime, as_attachment=download,
                                filename=name)
    response["Content-Security-Policy"] = FILE_CSP
    response["Cache-Control"] = "public, max-age=300" if public else "private, max-age=3600"
    return response


def _ascii(name: str) -> str:
    return "".join(c for c in name if c.isascii() and (c.isalnum() or c in "._- ")) or "download"


@login_required
def asset_file(request, asset_id):
    asset = selectors.asset_get(user=request.user, public_id=asset_id)
    return file_response(asset, thumbnail=False, download=request.GET.get("download") == "1")


@login_required
def asset_thumb(request, asset_id):
    asset = selectors.asset_get(user=request.user, public_id=asset_id)
    return file_response(asset, thumbnail=True, download=False)


def showcase_file(request, slug, asset_id):
    """A published project's primary image, for everyone, only while it is published."""
    asset = selectors.public_asset_get(slug=slug, public_id=asset_id)
    return file_response(asset, thumbnail=request.GET.get("size") == "thumb", download=False, public=True)


# --- storage settings and Google Drive ---------------------------------------------------------------

@login_required
def storage_settings(request):
    user = request.user
    if request.method == "POST":
        try:
            services.storage_preference_set(user=user, preference=request.POST.get("preference", ""))
        except AppError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Storage preference saved."))
        return redirect("media:storage_settings")
    usage = (MediaAsset.objects.filter(owner=user, deleted_at__isnull=True)
             .values("storage").annotate(count=Count("id"), bytes=Sum("size")))
    usage = {row["storage"]: row for row in usage}
    return render(request, "media/storage_settings.html", {
        "connection": selectors.drive_connection_for(user),
        "drive_available": drive.oauth_client() is not None,
        "platform_usage": usage.get("platform", {"count": 0, "bytes": 0}),
        "drive_usage": usage.get("drive", {"count": 0, "bytes": 0}),
        "preference": user.storage_preference,
        "storage_choices": MediaAsset.Storage.choices,
    })


@login_required
def drive_connect(request):
    """Sends the creator to Google's consent page (drive.file, offline); state guards the return."""
    if drive.oauth_client() is None:
        messages.error(request, str(drive.DriveNotConfigured().message))
        return redirect("media:storage_settings")
    state = secrets.token_urlsafe(32)
    request.session["drive_oauth"] = {"state": state, "next": _safe_next(request, reverse("media:storage_settings"))}
    return redirect(drive.auth_url(state=state, redirect_uri=request.build_absolute_uri(reverse("media:drive_callback")),
                                   login_hint=request.user.email))


@login_required
def drive_callback(request):
    pending = request.session.pop("drive_oauth", None) or {}
    state = request.GET.get("state", "")
    if not pending.get("state") or not secrets.compare_digest(pending["state"], state):
        return HttpResponseBadRequest(_("This Google Drive sign-in link has expired. Start again from Settings → Storage."))
    destination = pending.get("next") or reverse("media:storage_settings")
    if request.GET.get("error") or not request.GET.get("code"):
        messages.warning(request, _("Google Drive was not connected."))
        return redirect(destination)
    try:
        tokens = drive.exchange_code(code=request.GET["code"],
                                     redirect_uri=request.build_absolute_uri(reverse("media:drive_callback")))
        drive.connection_save(user=request.user, **tokens)
    except AppError as exc:
        messages.error(request, exc.message)
        return redirect(destination)
    messages.success(request, _("Google Drive is connected."))
    return redirect(destination)


@login_required
@require_POST
def drive_disconnect(request):
    connection = selectors.drive_connection_for(request.user)
    if connection is not None:
        drive.connection_disconnect(connection=connection)
        if request.user.storage_preference == MediaAsset.Storage.DRIVE:
            services.storage_preference_set(user=request.user, preference=MediaAsset.Storage.PLATFORM)
        messages.success(request, _("Google Drive is disconnected. New files go to MODO storage."))
    return redirect("media:storage_settings")
