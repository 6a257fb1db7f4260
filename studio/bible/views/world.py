"""The world page (setting, history, culture, rules) and its locations."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from ... import selectors, services, targets
from ...gallery.panels import gallery_context
from ..forms import LocationForm, WorldForm
from . import saved
from .trash import trashed


@login_required
def world(request, public_id):
    project = selectors.project_get(user=request.user, public_id=public_id)
    form = WorldForm(request.POST or None, instance=project.world, prefix="world")
    location_form = LocationForm(prefix="location")
    if request.method == "POST":
        if "location-name" in request.POST:
            location_form = LocationForm(request.POST, prefix="location")
            if location_form.is_valid():
                services.location_create(project=project, **location_form.cleaned_data)
                return redirect(reverse("studio:world", args=[project.public_id]) + "#locations")
        elif form.is_valid():
            services.world_update(project=project, **form.cleaned_data)
            return saved(request, reverse("studio:world", args=[project.public_id]))
    return render(request, "studio/world.html", {
        "project": project, "form": form, "locations": project.locations.all(), "location_form": location_form,
    })


@login_required
def location_detail(request, location_id):
    location = selectors.location_get(user=request.user, public_id=location_id)
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.object_delete(obj=location)
        trashed(request, location, location.name)
        return redirect(reverse("studio:world", args=[location.project.public_id]) + "#locations")
    form = LocationForm(request.POST or None, instance=location)
    if request.method == "POST" and form.is_valid():
        services.location_update(location=location, **form.cleaned_data)
        return saved(request, reverse("studio:location", args=[location.public_id]))
    return render(request, "studio/location_detail.html", {
        "project": location.project, "location": location, "form": form,
        "gallery": gallery_context(request, targets.target_of(location)),
    })
