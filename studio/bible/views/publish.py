"""Publishing a bible (choosing its public sections, or none: private again) and its public
showcase page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ... import selectors, services
from ...gallery import selectors as gallery_selectors
from ...watch import selectors as watch_selectors
from ...watch import services as watch_services
from ..forms import PublishForm


@login_required
def publish(request, public_id):
    """The sections ticked are published; the "Unpublish" button posts none, which makes the
    bible private again."""
    project = selectors.project_get(user=request.user, public_id=public_id)
    # Bound on every POST, even one with no field at all: no section ticked is a choice too.
    animations = gallery_selectors.animations_of(project)
    on_watch = watch_selectors.watch_clip_ids(project=project)
    form = PublishForm(request.POST if request.method == "POST" else None, animations=animations,
                       initial={"sections": project.published_sections, "pen_name": project.pen_name,
                                "watch": [str(public_id) for public_id in on_watch]})
    if request.method == "POST" and form.is_valid():
        # The "Unpublish" button posts no pen name: the one chosen before is kept for next time.
        pen_name = form.cleaned_data["pen_name"] if "pen_name" in request.POST else None
        services.project_publish(project=project, sections=form.cleaned_data["sections"], pen_name=pen_name)
        if pen_name is not None:  # the main form (not "Unpublish") says which animations Watch shows
            watch_services.watch_clips_set(project=project, asset_ids=form.cleaned_data["watch"])
        if project.is_published:
            messages.success(request, _("Published. Anyone can now read the sections you chose."))
        else:
            messages.success(request, _("Unpublished. Your bible is private again."))
        return redirect("studio:publish", public_id=project.public_id)
    return render(request, "studio/publish.html", {"project": project, "form": form, "animations": animations})
