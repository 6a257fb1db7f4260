"""The scenes list, a scene (what it links to, its script) and the whole script."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from ... import selectors, services, targets
from ...gallery.panels import gallery_context
from ..forms import SceneForm, SceneQuickForm
from . import saved
from .trash import trashed


@login_required
def scenes(request, public_id):
    project = selectors.project_get(user=request.user, public_id=public_id)
    form = SceneQuickForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        scene = services.scene_create(project=project, **form.cleaned_data)
        return redirect("studio:scene", scene_id=scene.public_id)
    return render(request, "studio/scenes.html", {"project": project, "scenes": selectors.scenes_of(project), "form": form})


@login_required
def scene_detail(request, scene_id):
    scene = selectors.scene_get(user=request.user, public_id=scene_id)
    project = scene.project
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.object_delete(obj=scene)
        trashed(request, scene, scene.title)
        return redirect("studio:scenes", public_id=project.public_id)
    form = SceneForm(request.POST or None, instance=scene, project=project)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        services.scene_update(scene=scene, beat=data.pop("beat") or False, location=data.pop("location") or False,
                              characters=list(data.pop("characters")), **data)
        return saved(request, reverse("studio:scene", args=[scene.public_id]))
    return render(request, "studio/scene_detail.html", {
        "project": project, "scene": scene, "form": form,
        "gallery": gallery_context(request, targets.target_of(scene)),
    })


@login_required
def script(request, public_id):
    project = selectors.project_get(user=request.user, public_id=public_id)
    return render(request, "studio/script.html", {"project": project, "scenes": selectors.scenes_of(project)})
