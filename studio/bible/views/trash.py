"""A bible's trash: the characters, locations, scenes, beats and moodboards deleted in the last 30
days, each restorable; and the "Undo" of the toast shown after a delete, which posts here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from modo.http import safe_next

from ... import selectors, targets, trash


def trashed(request, obj, label: str) -> None:
    """The toast after a delete: "<label> was moved to the trash." with an Undo button (base.html
    reads the extra tag: undo:<project>:<kind>:<id>)."""
    messages.success(request, _("%(name)s was moved to the trash.") % {"name": label},
                     extra_tags=f"undo:{obj.project.public_id}:{trash.kind_of(obj)}:{obj.public_id}")


@login_required
def section_trash(request, public_id):
    project = selectors.project_get(user=request.user, public_id=public_id)
    if request.method == "POST":
        try:
            obj = trash.section_restore(project=project, kind=request.POST.get("kind", ""),
                                        public_id=request.POST.get("id", ""))
        except Http404:
            messages.error(request, _("That is no longer in the trash."))
        else:
            messages.success(request, _("%(name)s was restored.") % {"name": str(obj)})
            if request.POST.get("undo"):  # the toast's Undo: back to what was deleted
                return redirect(targets.page_url(trash.kind_of(obj), obj.public_id))
        return redirect(safe_next(request, reverse("studio:section_trash", args=[project.public_id])))
    return render(request, "studio/section_trash.html", {
        "project": project, "items": trash.sections_trashed(project=project), "trash_days": selectors.TRASH_DAYS})
