"""The public Watch pages: the grid of clips on show (animations and lip-syncs) and a clip's player page."""

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control

from modo.http import absolute_url

from ..models import Project
from . import selectors

PAGE_SIZE = 24


class WatchFilterForm(forms.Form):
    genre = forms.ChoiceField(label=_("Genre"), required=False, choices=[("", _("All genres")), *Project.Genre.choices])
    format = forms.ChoiceField(label=_("Format"), required=False,
                               choices=[("", _("All formats")), *Project.Format.choices])


# Every request asks the database (selectors.py): no page of Watch is served from a cache, a
# shared one included, once a clip is off (unpublished, unticked, deleted).
@cache_control(no_cache=True)
def watch(request):
    form = WatchFilterForm(request.GET)
    chosen = form.cleaned_data if form.is_valid() else {}
    filters = {name: chosen.get(name, "") for name in ("genre", "format")}
    page = Paginator(selectors.watch_clips(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "site/watch.html", {
        "form": form, "clips": selectors.with_subjects(page.object_list), "page": page, "filtered": any(filters.values()),
        "query": urlencode({k: v for k, v in filters.items() if v}),
    })


@cache_control(no_cache=True)
def watch_clip(request, slug, clip_id):
    clip = selectors.watch_clip_get(slug=slug, public_id=clip_id)
    file_path = reverse("studio:showcase_file", args=[clip.project.slug, clip.asset.public_id])
    return render(request, "site/watch_clip.html", {
        "clip": clip, "project": clip.project, "characters": selectors.clip_characters(clip),
        "subject": selectors.with_subjects([clip])[0].subject,
        "video_url": file_path, "poster_url": f"{file_path}?size=thumb",
        # Link previews (Open Graph, Twitter cards) need absolute addresses.
        "share_url": absolute_url(request.path, request),
        "share_image": absolute_url(f"{file_path}?size=thumb", request),
        "share_video": absolute_url(file_path, request),
    })
