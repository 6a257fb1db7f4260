"""Creator pages of the studio. Thin: parse, call a selector or service, render."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aiproviders.adapters import ProviderError
from aiproviders.models import AIModel
from credits.exceptions import CreditsError
from media.selectors import target_of
from media.views import gallery_context

from . import selectors, services
from .forms import (
    BeatForm,
    CharacterForm,
    CharacterQuickForm,
    GenerateForm,
    LocationForm,
    ProjectFilterForm,
    ProjectForm,
    PublishForm,
    RelationshipForm,
    SceneForm,
    SceneQuickForm,
    StoryForm,
    StructureForm,
    WorldForm,
)
from .generate import drafts as text_drafts

PROJECTS_PER_PAGE = 12
# The characters list's rows (a few hundred of them render in ~50 ms) are cached under a digest of
# what they show (selectors.cast_version): any change to a character makes a new key.
CAST_CACHE_SECONDS = 300


def _saved(request, target_url):
    """htmx submits get a small "saved" fragment; plain posts redirect with a message."""
    if request.headers.get("HX-Request"):
        return render(request, "studio/partials/saved.html")
    messages.success(request, _("Saved."))
    return redirect(target_url)


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


@login_required
def dashboard(request):
    recent = selectors.projects_for(user=request.user)[:4]
    return render(request, "studio/dashboard.html", {"recent_projects": recent})


@login_required
def project_list(request):
    form = ProjectFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    projects = selectors.projects_for(user=request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(projects, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "studio/project_list.html", {
        "form": form, "page": page, "query": query.urlencode(), "filtered": any(filters.values()),
        "trash_count": selectors.trash_for(user=request.user).count(),
    })


@login_required
def project_new(request):
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(owner=request.user, **form.cleaned_data)
        except CreditsError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("“%(title)s” is ready. Start with the story or your characters.") % {"title": project.title})
            return redirect("studio:project", public_id=project.public_id)
    return render(request, "studio/project_new.html", {"form": form})


@login_required
def project_detail(request, public_id):
    project = selectors.project_get(user=request.user, public_id=public_id)
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST":
        if form.is_valid():
            services.project_update(project=project, **form.cleaned_data)
            return _saved(request, reverse("studio:project", args=[project.public_id]))
        if request.headers.get("HX-Request"):
            return render(request, "studio/partials/project_form.html", {"project": project, "form": form}, status=422)
    return render(request, "studio/project_detail.html", {
        "project": project, "form": form, "progress": selectors.section_progress(project),
        "gallery": gallery_context(request, target_of(project)),
    })


@login_required
def project_delete(request, public_id):
    project = selectors.project_get(user=request.user, public_id=public_id)
    if request.method == "POST":
        services.project_delete(project=project)
        messages.success(request, _("“%(title)s” moved to the trash. You can restore it for 30 days.") % {"title": project.title})
        return redirect("studio:projects")
    return render(request, "studio/project_delete.html", {"project": project})


@login_required
def trash(request):
    return render(request, "studio/trash.html", {"projects": selectors.trash_for(user=request.user),
                                                 "trash_days": selectors.TRASH_DAYS})


@login_required
@require_POST
def project_restore(request, public_id):
    project = selectors.project_get(user=request.user, public_id=public_id, include_deleted=True)
    try:
        services.project_restore(project=project)
    except CreditsError as exc:
        messages.error(request, exc.message)
        return redirect("studio:trash")
    messages.success(request, _("“%(title)s” is back.") % {"title": project.title})
    return redirect("studio:project", public_id=project.public_id)


# --- story ---------------------------------------------------------------------------------------

@login_required
def story(request, public_id):
    project = selectors.project_get(user=request.user, public_id=public_id)
    form = StoryForm(request.POST or None, instance=project.story)
    if request.method == "POST":
        if form.is_valid():
            services.story_update(project=project, **form.cleaned_data)
            return _saved(request, reverse("studio:story", args=[project.public_id]))
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
        return redirect(reverse("studio:story", args=[beat.project.public_id]) + "#beats")
    form = BeatForm(request.POST or None, instance=beat)
    if request.method == "POST" and form.is_valid():
        services.beat_update(beat=beat, **form.cleaned_data)
        return _saved(request, reverse("studio:story", args=[beat.project.public_id]) + "#beats")
    return render(request, "studio/beat_edit.html", {"project": beat.project, "beat": beat, "form": form})


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
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204)
    return redirect(_safe_next(request, reverse("studio:project", args=[project.public_id])))


# --- characters ----------------------------------------------------------------------------------

@login_required
def characters(request, public_id):
    project = selectors.project_get(user=request.user, public_id=public_id)
    form = CharacterQuickForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        character = services.character_create(project=project, **form.cleaned_data)
        return redirect("studio:character", character_id=character.public_id)
    characters = selectors.cast_of(project)
    return render(request, "studio/characters.html", {
        "project": project, "characters": characters, "cast_version": selectors.cast_version(characters), "form": form,
        "cast_cache_seconds": CAST_CACHE_SECONDS,
    })


@login_required
def character_detail(request, character_id):
    character = selectors.character_get(user=request.user, public_id=character_id)
    if request.method == "POST" and request.POST.get("action") == "delete":
        project = character.project
        services.object_delete(obj=character)
        messages.success(request, _("%(name)s was deleted.") % {"name": character.name})
        return redirect("studio:characters", public_id=project.public_id)
    form = CharacterForm(request.POST or None, instance=character)
    if request.method == "POST" and form.is_valid():
        services.character_update(character=character, **form.cleaned_data)
        return _saved(request, reverse("studio:character", args=[character.public_id]))
    return render(request, "studio/character_detail.html", {
        "project": character.project, "character": character, "form": form,
        "relationships": selectors.relationships_of(character),
        "relationship_form": RelationshipForm(character=character),
        "gallery": gallery_context(request, target_of(character)),
    })


@login_required
@require_POST
def relationship_add(request, character_id):
    character = selectors.character_get(user=request.user, public_id=character_id)
    form = RelationshipForm(request.POST, character=character)
    if form.is_valid():
        services.relationship_add(source=character, **form.cleaned_data)
    else:
        messages.error(request, _("Choose another character of this project and a kind of relationship."))
    return redirect(reverse("studio:character", args=[character.public_id]) + "#relationships")


@login_required
@require_POST
def relationship_delete(request, character_id, relationship_id):
    character = selectors.character_get(user=request.user, public_id=character_id)
    relationship = (character.relationships_out.filter(public_id=relationship_id).first()
                    or character.relationships_in.filter(public_id=relationship_id).first())
    if relationship is None:
        raise Http404
    relationship.delete()
    return redirect(reverse("studio:character", args=[character.public_id]) + "#relationships")


# --- world ---------------------------------------------------------------------------------------

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
            return _saved(request, reverse("studio:world", args=[project.public_id]))
    return render(request, "studio/world.html", {
        "project": project, "form": form, "locations": project.locations.all(), "location_form": location_form,
    })


@login_required
def location_detail(request, location_id):
    location = selectors.location_get(user=request.user, public_id=location_id)
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.object_delete(obj=location)
        return redirect(reverse("studio:world", args=[location.project.public_id]) + "#locations")
    form = LocationForm(request.POST or None, instance=location)
    if request.method == "POST" and form.is_valid():
        services.location_update(location=location, **form.cleaned_data)
        return _saved(request, reverse("studio:location", args=[location.public_id]))
    return render(request, "studio/location_detail.html", {
        "project": location.project, "location": location, "form": form,
        "gallery": gallery_context(request, target_of(location)),
    })


# --- scenes and script ---------------------------------------------------------------------------

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
        return redirect("studio:scenes", public_id=project.public_id)
    form = SceneForm(request.POST or None, instance=scene, project=project)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        services.scene_update(scene=scene, beat=data.pop("beat") or False, location=data.pop("location") or False,
                              characters=list(data.pop("characters")), **data)
        return _saved(request, reverse("studio:scene", args=[scene.public_id]))
    return render(request, "studio/scene_detail.html", {
        "project": project, "scene": scene, "form": form, "gallery": gallery_context(request, target_of(scene)),
    })


@login_required
def script(request, public_id):
    project = selectors.project_get(user=request.user, public_id=public_id)
    return render(request, "studio/script.html", {"project": project, "scenes": selectors.scenes_of(project)})


# --- publishing ----------------------------------------------------------------------------------

@login_required
def publish(request, public_id):
    project = selectors.project_get(user=request.user, public_id=public_id)
    form = PublishForm(request.POST or None, initial={"sections": project.published_sections})
    if request.method == "POST" and form.is_valid():
        services.project_publish(project=project, sections=form.cleaned_data["sections"])
        if project.is_published:
            messages.success(request, _("Published. Anyone can now read the sections you chose."))
        else:
            messages.success(request, _("Unpublished. Your bible is private again."))
        return redirect("studio:publish", public_id=project.public_id)
    return render(request, "studio/publish.html", {"project": project, "form": form})


def showcase_detail(request, slug):
    project = selectors.showcase_get(slug=slug)
    sections = set(project.published_sections)
    return render(request, "site/showcase_detail.html", {
        "project": project, "sections": sections,
        "story": project.story if "story" in sections else None,
        "beats": project.beats.all() if "story" in sections else [],
        "characters": selectors.characters_of(project) if "characters" in sections else [],
        "world": project.world if "world" in sections else None,
        "locations": project.locations.all() if "world" in sections else [],
        "scenes": selectors.scenes_of(project) if sections & {"scenes", "script"} else [],
    })


# --- AI text -------------------------------------------------------------------------------------

@login_required
def generate_quote(request, public_id):
    """htmx fragment: cost, balance and trial count before running."""
    selectors.project_get(user=request.user, public_id=public_id)
    quote = text_drafts.text_quote(user=request.user, model=text_drafts.text_model(request.GET.get("model")))
    return render(request, "studio/partials/generate_quote.html", {
        **quote, "models": AIModel.objects.filter(type="text", enabled=True, provider__enabled=True).select_related("provider"),
    })


@login_required
@require_POST
def generate(request, public_id):
    """Streams a draft as server-sent events (or answers JSON once done for non-SSE clients)."""
    project = selectors.project_get(user=request.user, public_id=public_id)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"success": False, "error": "INVALID_INPUT", "fields": form.errors}, status=422)
    data = form.cleaned_data
    model = text_drafts.text_model(data["model"])
    if data["field"] not in text_drafts.FIELDS.get(data["target_kind"], ()) or (data["model"] and model is None):
        return JsonResponse({"success": False, "error": "INVALID_INPUT",
                             "message": _("That cannot be generated here.")}, status=422)
    try:
        events = text_drafts.text_stream(
            user=request.user, project=project, target_kind=data["target_kind"], target_id=data["target_id"],
            field=data["field"], prompt=data["prompt"], model=model, language=translation.get_language() or "en",
        )
    except text_drafts.TargetNotFound:
        raise Http404 from None
    except CreditsError as exc:
        return JsonResponse({"success": False, "error": exc.code, "message": exc.message, "action": exc.action,
                             **exc.extra}, status=exc.status)
    except ProviderError as exc:
        return JsonResponse({"success": False, "error": "PROVIDER_ERROR", "message": exc.user_message}, status=502)
    return text_drafts.sse_response(events)


@login_required
def drafts(request, public_id):
    """htmx fragment: the draft history of one field, to compare, accept or restore."""
    project = selectors.project_get(user=request.user, public_id=public_id)
    target_kind, field = request.GET.get("target_kind", ""), request.GET.get("field", "")
    target_id = request.GET.get("target_id") or None
    try:
        target = text_drafts.resolve_target(project, target_kind, target_id, field)
    except text_drafts.TargetNotFound:
        raise Http404 from None
    return render(request, "studio/partials/drafts.html", {
        "project": project, "drafts": selectors.drafts_for(project=project, target_kind=target_kind,
                                                           target_id=getattr(target, "public_id", None), field=field),
        "current": getattr(target, field, "") if target is not None else "",
    })


@login_required
@require_POST
def draft_action(request, draft_id, action):
    draft = selectors.draft_get(user=request.user, public_id=draft_id)
    try:
        {"accept": services.draft_accept, "discard": services.draft_discard, "undo": services.draft_undo}[action](draft=draft)
    except KeyError:
        raise Http404 from None
    except ValueError as exc:
        messages.error(request, str(exc))
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect(_safe_next(request, reverse("studio:project", args=[draft.project.public_id])))
