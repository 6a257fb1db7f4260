"""Media pages: private file and thumbnail delivery, storage settings and the Drive OAuth flow.

The galleries, the asset page and the showcase files show assets in their bible, so they are
studio's (studio/gallery/). Thin: every asset comes through an ownership-checked selector
(anyone else's is a 404) and every write through a service; refusals are AppErrors whose
message the page shows."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles
from accounts import selectors as account_selectors
from accounts import teams as team_services
from modo.errors import AppError
from modo.http import absolute_url, safe_next

from . import drive, images, selectors, services, storage
from .models import MediaAsset

# The grids show thumbnails at about 160 CSS px and the little pictures at 72 px or less.
SMALL_THUMBNAIL = 192
FILE_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"


def file_response(asset: MediaAsset, *, thumbnail: bool, download: bool, public: bool = False,
                  placeholder: bool = True):
    """The file (or thumbnail): streamed from local storage, a short-lived signed URL on S3, or
    fetched from Drive with the owner's connection. Files never run as a page (CSP sandbox).
    A download is named by the asset's file name (a generated one's is readable, set by whoever
    stored it), with an RFC 6266 filename* for names beyond ASCII.
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
            response["Content-Disposition"] = content_disposition_header(True, name or "download")
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


@login_required
def asset_file(request, asset_id):
    asset = selectors.asset_get(user=request.user, public_id=asset_id)
    return file_response(asset, thumbnail=False, download=request.GET.get("download") == "1")


@login_required
def asset_thumb(request, asset_id):
    """The thumbnail; `?w=192` a smaller one for grids and little pictures (their srcset), made
    from the stored thumbnail and kept in the cache. On S3 the stored one is what the browser gets."""
    asset = selectors.asset_get(user=request.user, public_id=asset_id)
    if request.GET.get("w") == str(SMALL_THUMBNAIL) and asset.thumbnail and not storage.is_remote():
        data = _small_thumbnail(asset.thumbnail)
        if data is not None:
            response = HttpResponse(data, content_type="image/webp")
            response["Content-Security-Policy"] = FILE_CSP
            response["Cache-Control"] = "private, max-age=3600"
            return response
    return file_response(asset, thumbnail=True, download=False)


def _small_thumbnail(key: str) -> bytes | None:
    cache_key = f"thumb:{SMALL_THUMBNAIL}:{key}"  # a thumbnail's key is new whenever its file is
    data = cache.get(cache_key)
    if data is None:
        if not default_storage.exists(key):
            return None
        with default_storage.open(key, "rb") as file:
            data = images.shrink(file.read(), SMALL_THUMBNAIL)
        cache.set(cache_key, data, 24 * 3600)
    return data


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
    usage = selectors.storage_usage(user=user)
    return render(request, "media/storage_settings.html", {
        "connection": selectors.drive_connection_for(user),
        "drive_available": drive.oauth_client() is not None,
        "platform_usage": usage.get("platform", {"count": 0, "bytes": 0}),
        "drive_usage": usage.get("drive", {"count": 0, "bytes": 0}),
        "preference": user.storage_preference,
        "storage_choices": MediaAsset.Storage.choices,
    })


@login_required
@require_POST
def team_storage(request):
    """The owner chooses where the current team's new files go: MODO storage or their own Google
    Drive (only once connected). Members' own Drives are never used for a team's projects."""
    team = account_selectors.workspace_team(user=request.user)
    if team is None or not roles.role_allows(team.membership.role, roles.STORAGE):
        raise Http404
    preference = request.POST.get("preference", "")
    if preference == MediaAsset.Storage.DRIVE:
        connection = selectors.drive_connection_for(request.user)
        if connection is None or not connection.is_active:
            messages.error(request, str(drive.DriveNotConnected().message))
            return redirect("credits:team")
    try:
        team_services.team_storage_set(team=team, preference=preference)
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The team's storage was saved."))
    return redirect("credits:team")


@login_required
def drive_connect(request):
    """Sends the creator to Google's consent page (drive.file, offline); state guards the return."""
    if drive.oauth_client() is None:
        messages.error(request, str(drive.DriveNotConfigured().message))
        return redirect("media:storage_settings")
    state = secrets.token_urlsafe(32)
    request.session["drive_oauth"] = {"state": state, "next": safe_next(request, reverse("media:storage_settings"))}
    return redirect(drive.auth_url(state=state, redirect_uri=absolute_url(reverse("media:drive_callback"), request),
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
                                     redirect_uri=absolute_url(reverse("media:drive_callback"), request))
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
