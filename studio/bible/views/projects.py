"""The dashboard, the projects list, a new project, a project's overview, the trash, and
reordering a project's beats, scenes, characters and locations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.selectors import team_get, teams_for, workspace_for
from credits.exceptions import CreditsError
from modo.cache import fragment_version
from modo.http import is_htmx, safe_next

from ... import selectors, services, targets
from ...gallery.panels import gallery_context
from ..forms import ProjectFilterForm, ProjectForm
from . import saved

PROJECTS_PER_PAGE = 12


@login_required
def dashboard(request):
    recent = selectors.projects_for(user=request.user, team=workspace_for(request))[:4]
    return render(request, "studio/dashboard.html", {"recent_projects": recent})


@login_required
def project_list(request):
    form = ProjectFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    team = workspace_for(request)
    projects = selectors.projects_for(user=request.user, team=team, **{k: v for k, v in filters.items() if v})
    page = Paginator(projects, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "studio/project_list.html", {
        "form": form, "page": page, "query": query.urlencode(), "filtered": any(filters.values()),
        "trash_count": selectors.trash_for(user=request.user, team=team).count(),
    })


@login_required
def project_new(request):
    form = ProjectForm(request.POST or None)
    # In a team workspace the new project is the team's: only those who may edit its bibles start one.
    team = workspace_for(request)
    if team is not None and not roles.role_allows(team.membership.role, roles.EDIT):
        raise Http404
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(owner=request.user, team=team, **form.cleaned_data)
        except CreditsError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("“%(title)s” is ready. Start with the story or your characters.") % {"title": project.title})
            return redirect("studio:project", public_id=project.public_id)
    return render(request, "studio/project_new.html", {"form": form, "team": team})


# The project form's fields (~100 template nodes and 8 widgets: a sixth of the bible overview's
# time, benchmarks/README.md figure 5) are cached for an unbound form, under a digest of the values
# they show and the reader's language (modo.cache.fragment_version): a change makes a new key.
PROJECT_FORM_CACHE_SECONDS = 300


@login_required
def project_detail(request, public_id):
    # With its story and world: the sections' progress reads them.
    project = selectors.project_get(user=request.user, public_id=public_id, related=("cover", "story", "world"))
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST":
        if form.is_valid():
            services.project_update(project=project, **form.cleaned_data)
            return saved(request, reverse("studio:project", args=[project.public_id]))
        if is_htmx(request):
            return render(request, "studio/partials/project_form.html", {"project": project, "form": form}, status=422)
    return render(request, "studio/project_detail.html", {
        "project": project, "form": form, "progress": selectors.section_progress(project),
        "gallery": gallery_context(request, targets.target_of(project)),
        "form_version": None if form.is_bound else fragment_version(
            "project-form", project.public_id, sorted(form.initial.items()), translation.get_language()),
        "form_cache_seconds": PROJECT_FORM_CACHE_SECONDS,
    })


@login_required
def project_delete(request, public_id):
    # A team's project goes to the trash by its admins (the whole team loses it).
    project = selectors.project_get(user=request.user, public_id=public_id, action=roles.MANAGE)
    if request.method == "POST":
        services.project_delete(project=project)
        messages.success(request, _("“%(title)s” moved to the trash. You can restore it for 30 days.") % {"title": project.title})
        return redirect("studio:projects")
    return render(request, "studio/project_delete.html", {"project": project})


@login_required
def trash(request):
    return render(request, "studio/trash.html", {"projects": selectors.trash_for(user=request.user,
                                                                                 team=workspace_for(request)),
                                                 "trash_days": selectors.TRASH_DAYS})


@login_required
@require_POST
def project_restore(request, public_id):
    project = selectors.project_get(user=request.user, public_id=public_id, include_deleted=True, action=roles.MANAGE)
    try:
        services.project_restore(project=project)
    except CreditsError as exc:
        messages.error(request, exc.message)
        return redirect("studio:trash")
    messages.success(request, _("“%(title)s” is back.") % {"title": project.title})
    return redirect("studio:project", public_id=project.public_id)


@login_required
@require_POST
def reorder(request, public_id, kind):
    project = selectors.project_get(user=request.user, public_id=public_id)
    querysets = {"beats": project.beats.all(), "scenes": project.scenes.all(), "characters": project.characters.all(),
                 "locations": project.locations.all()}
    if kind not in querysets:
        raise Http404
    queryset = querysets[kind]
    order = request.POST.getlist("order")
    if request.POST.get("move"):  # the up/down buttons without JavaScript: "<public id>:up|down"
        moved, _sep, direction = request.POST["move"].partition(":")
        order = [str(pk) for pk in queryset.values_list("public_id", flat=True)]
        if moved in order:
            i = order.index(moved)
            j = i - 1 if direction == "up" else i + 1
            if 0 <= j < len(order):
                order[i], order[j] = order[j], order[i]
    services.reorder(queryset=queryset, public_ids=order)
    if is_htmx(request):
        return HttpResponse(status=204)
    return redirect(safe_next(request, reverse("studio:project", args=[project.public_id])))


@login_required
def project_move(request, public_id):
    """Moves a personal project into a team, or a team's project back to its creator's personal
    workspace: an explicit action of the project's owner (personal) or the team's owner/admin.
    GET: the choice (the teams the user manages)."""
    project = selectors.project_get(user=request.user, public_id=public_id, action=roles.MANAGE)
    if request.method != "POST":
        teams = [t for t in teams_for(user=request.user) if roles.role_allows(t.role, roles.MANAGE)]
        return render(request, "studio/project_move.html", {"project": project, "teams": teams})
    slug = request.POST.get("team", "")
    try:
        if slug:
            team = team_get(user=request.user, slug=slug, action=roles.MANAGE)
            services.project_move(project=project, team=team, user=request.user)
            messages.success(request, _("“%(title)s” now belongs to %(team)s.") % {"title": project.title, "team": team.name})
        else:
            services.project_move(project=project, team=None, user=request.user)
            messages.success(request, _("“%(title)s” is back in its creator’s personal workspace.")
                             % {"title": project.title})
    except CreditsError as exc:
        messages.error(request, exc.message)
    return redirect("studio:project", public_id=project.public_id)
