"""The export and import pages: a pitch bible shown or downloaded, a JSON / Markdown zip file
downloaded at once or built in the background (its status page and its download), and the upload
of a JSON export as a new project. Thin: every project and every background export is fetched
through an owner-checked lookup (anyone else gets 404); the work is in the other modules of
studio.exports."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import roles
from credits.exceptions import CreditsError
from modo.http import is_htmx

from .. import selectors
from . import background
from .formats import FILE_FORMATS, export_bytes, export_filename
from .importer import IMPORT_MAX_BYTES, BundleInvalid, bible_import, bundle_parse
from .pitch import pitch_bible_html, pitch_bible_pdf


def _private(response):
    # Exports hold a creator's unpublished work: no shared cache may keep a copy.
    patch_cache_control(response, private=True, no_store=True)
    return response


def _attachment(response, filename: str):
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return _private(response)


@login_required
def export(request, public_id, fmt):
    """html: the pitch bible as a page (?download=1: as a file); pdf: the pitch bible as a PDF file.
    json / zip (POST): the file at once, or, for a large project, a background job and its status page.
    Exporting reads the bible: a team's viewers may (a POST that changes nothing of it)."""
    project = selectors.project_get(user=request.user, public_id=public_id, action=roles.READ)
    if fmt == "pdf":
        response = HttpResponse(pitch_bible_pdf(project, request=request), content_type="application/pdf")
        return _attachment(response, f"{project.slug or 'bible'}-pitch-bible.pdf")
    if fmt == "html":
        download = bool(request.GET.get("download"))
        response = HttpResponse(pitch_bible_html(project, request=request, for_download=download))
        if download:
            return _attachment(response, export_filename(project, "html"))
        return _private(response)
    if fmt not in FILE_FORMATS:
        raise Http404
    if request.method != "POST":
        # Building a file (or starting a job) is an action, not a read a prefetcher may repeat.
        return HttpResponseNotAllowed(["POST"])
    if background.export_is_large(project):
        export_id = background.export_start(user=request.user, project=project, fmt=fmt,
                                            language=translation.get_language() or "")
        return redirect("studio:export_status", export_id=export_id)
    response = HttpResponse(export_bytes(project, fmt), content_type=FILE_FORMATS[fmt][1])
    return _attachment(response, export_filename(project, fmt))


@login_required
def export_status(request, export_id):
    """The progress of a background export; htmx polls the fragment until it is ready."""
    record = background.export_record_get(user=request.user, export_id=export_id)
    context = {"record": record, "pending": record["status"] in background.ExportStatus.PENDING}
    if is_htmx(request):
        return _private(render(request, "studio/export/_status.html", context))
    return _private(render(request, "studio/export/export_status.html", context))


@login_required
def export_download(request, export_id):
    record = background.export_record_get(user=request.user, export_id=export_id)
    if record["status"] != background.ExportStatus.READY:
        return redirect("studio:export_status", export_id=export_id)
    content_type = FILE_FORMATS.get(record["fmt"], ("", "application/octet-stream"))[1]
    response = FileResponse(background.export_open(record=record), as_attachment=True, filename=record["filename"],
                            content_type=content_type)
    return _private(response)


class BibleImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Bible file"),
        help_text=gettext_lazy("A .json file exported from MODO Creator Verse, up to 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        try:
            self.bundle = bundle_parse(upload.read())
        except BundleInvalid as exc:
            raise forms.ValidationError(exc.message) from None
        return upload


@login_required
def import_project(request):
    form = BibleImportForm(request.POST or None, request.FILES or None)
    upgrade = False
    if request.method == "POST" and form.is_valid():
        try:
            project = bible_import(user=request.user, bundle=form.bundle)
        except CreditsError as exc:
            form.add_error(None, exc.message)
            upgrade = exc.action == "upgrade"
        else:
            messages.success(request, _("“%(title)s” was imported as a new project.") % {"title": project.title})
            return redirect("studio:project", public_id=project.public_id)
    return render(request, "studio/export/import.html", {"form": form, "upgrade": upgrade})
