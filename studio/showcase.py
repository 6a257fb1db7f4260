"""The public showcase: the bibles their creators published, and each one's page (the sections
its creator chose to publish, with the moodboards and animations of those sections)."""

from django.core.paginator import Paginator
from django.shortcuts import render

from . import selectors
from .gallery import selectors as gallery_selectors

PAGE_SIZE = 24
LANDING_STRIP = 6


def home(request):
    """The landing page, with a strip of the newest published bibles (none: no strip)."""
    return render(request, "site/home.html", {"showcase_strip": list(selectors.showcase_list()[:LANDING_STRIP])})


def showcase(request):
    page = Paginator(selectors.showcase_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "site/showcase.html", {"projects": page.object_list, "page": page})


def showcase_detail(request, slug):
    project = selectors.showcase_get(slug=slug)
    sections = set(project.published_sections)
    moodboards = []
    if gallery_selectors.is_published_kind(project, "moodboard"):
        moodboards = list(selectors.moodboards_of(project))
        pictures = gallery_selectors.moodboard_pictures(project=project, public_ids=[m.public_id for m in moodboards])
        for moodboard in moodboards:
            moodboard.picture = pictures.get(moodboard.public_id)
    animations = [a for a in gallery_selectors.animations_of(project)
                  if gallery_selectors.is_published_kind(project, a.target_kind)]
    sounds = [a for a in gallery_selectors.sounds_of(project)
              if gallery_selectors.is_published_kind(project, a.target_kind)]
    return render(request, "site/showcase_detail.html", {
        "project": project, "sections": sections,
        "story": project.story if "story" in sections else None,
        "beats": project.beats.all() if "story" in sections else [],
        "characters": selectors.characters_of(project) if "characters" in sections else [],
        "world": project.world if "world" in sections else None,
        "locations": project.locations.all() if "world" in sections else [],
        "scenes": selectors.scenes_of(project) if sections & {"scenes", "script"} else [],
        "moodboards": moodboards, "animations": animations, "sounds": sounds,
    })
