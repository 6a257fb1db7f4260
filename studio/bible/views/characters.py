"""The characters list (the cast), a character's sheet and its relationships."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ... import selectors, services, targets
from ...gallery.panels import gallery_context
from ..forms import CharacterForm, CharacterQuickForm, RelationshipForm
from . import saved
from .trash import trashed

# The characters list's rows (a few hundred of them render in ~50 ms) are cached under a digest of
# what they show (selectors.cast_version): any change to a character makes a new key.
CAST_CACHE_SECONDS = 300


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
        trashed(request, character, character.name)
        return redirect("studio:characters", public_id=project.public_id)
    form = CharacterForm(request.POST or None, instance=character)
    if request.method == "POST" and form.is_valid():
        services.character_update(character=character, **form.cleaned_data)
        return saved(request, reverse("studio:character", args=[character.public_id]))
    return render(request, "studio/character_detail.html", {
        "project": character.project, "character": character, "form": form,
        "relationships": selectors.relationships_of(character),
        "relationship_form": RelationshipForm(character=character),
        "gallery": gallery_context(request, targets.target_of(character)),
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
