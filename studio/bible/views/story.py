"""The story page (logline, synopsis, themes) and its beats: a structure's template, add, edit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ... import selectors, services
from ..forms import BeatForm, StoryForm, StructureForm
from . import saved
from .trash import trashed


@login_required
def story(request, public_id):
    project = selectors.project_get(user=request.user, public_id=public_id)
    form = StoryForm(request.POST or None, instance=project.story)
    if request.method == "POST":
        if form.is_valid():
            services.story_update(project=project, **form.cleaned_data)
            return saved(request, reverse("studio:story", args=[project.public_id]))
    return render(request, "studio/story.html", {
        "project": project, "form": form, "beats": project.beats.all(), "beat_form": BeatForm(prefix="beat"),
        "structure_form": StructureForm(initial={"structure": project.story.structure}),
    })


@login_required
@require_POST
def beats_template(request, public_id):
    project = selectors.project_get(user=request.user, public_id=public_id)
    form = StructureForm(request.POST)
    if form.is_valid():
        services.beats_apply_template(project=project, structure=form.cleaned_data["structure"])
        messages.success(request, _("Beats set from the template."))
    return redirect("studio:story", public_id=project.public_id)


@login_required
@require_POST
def beat_create(request, public_id):
    project = selectors.project_get(user=request.user, public_id=public_id)
    form = BeatForm(request.POST, prefix="beat")
    if form.is_valid():
        services.beat_create(project=project, **form.cleaned_data)
    else:
        messages.error(request, _("A beat needs a title."))
    return redirect(reverse("studio:story", args=[project.public_id]) + "#beats")


@login_required
def beat_edit(request, beat_id):
    beat = selectors.beat_get(user=request.user, public_id=beat_id)
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.object_delete(obj=beat)
        trashed(request, beat, beat.title)
        return redirect(reverse("studio:story", args=[beat.project.public_id]) + "#beats")
    form = BeatForm(request.POST or None, instance=beat)
    if request.method == "POST" and form.is_valid():
        services.beat_update(beat=beat, **form.cleaned_data)
        return saved(request, reverse("studio:story", args=[beat.project.public_id]) + "#beats")
    return render(request, "studio/beat_edit.html", {"project": beat.project, "beat": beat, "form": form})
