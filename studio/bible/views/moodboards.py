"""A project's moodboards and a moodboard's page (its fields, its "Generate image" panel and its
gallery). Requesting its image is studio/generate/views.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from modo.errors import AppError

from ... import moodboards, selectors, targets
from ...gallery import selectors as gallery_selectors
from ...gallery.panels import gallery_context
from ...generate.panels import image_panel, missing_characters
from ...models import Moodboard
from ..forms import MoodboardForm
from . import saved
from .trash import trashed


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
    covers = gallery_selectors.latest_images(kind="moodboard", public_ids=[b.public_id for b in boards])
    for board in boards:
        board.cover_image = covers.get(board.public_id)
    return render(request, "studio/visual/moodboards.html", {
        "project": project, "form": form, "boards": boards,
        "characters": list(form.fields["characters"].queryset),
    })


def moodboard_page(request, moodboard: Moodboard, *, form=None, panel_form=None, error=None, status=200):
    """The moodboard's page, with the image request (`panel_form`) and its refusal when there is one."""
    project = moodboard.project
    form = form or MoodboardForm(instance=moodboard, project=project)
    panel = image_panel(request, kind="moodboard", obj=moodboard, form=panel_form, error=error)
    if error is not None and error.code == "MISSING_REFERENCES":
        panel["missing"] = missing_characters(error, panel["cast"])
    return render(request, "studio/visual/moodboard.html", {
        "project": project, "moodboard": moodboard, "form": form, "panel": panel,
        "characters": list(form.fields["characters"].queryset),
        "gallery": gallery_context(request, targets.target_of(moodboard)),
    }, status=status)


@login_required
def moodboard_detail(request, moodboard_id):
    moodboard = selectors.moodboard_get(user=request.user, public_id=moodboard_id)
    project = moodboard.project
    if request.method == "POST" and request.POST.get("action") == "delete":
        moodboards.moodboard_delete(moodboard=moodboard)
        trashed(request, moodboard, moodboard.title)
        return redirect("studio:moodboards", public_id=project.public_id)
    form = MoodboardForm(request.POST or None, instance=moodboard, project=project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moodboards.moodboard_update(moodboard=moodboard, **{**data, "characters": list(data["characters"])})
        except AppError as exc:
            form.add_error(None, exc.message)
        else:
            return saved(request, reverse("studio:moodboard", args=[moodboard.public_id]))
    return moodboard_page(request, moodboard, form=form)
