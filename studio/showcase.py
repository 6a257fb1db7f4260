"""The public showcase: the bibles their creators published."""

from django.core.paginator import Paginator
from django.shortcuts import render

from .selectors import showcase_list

PAGE_SIZE = 24


def showcase(request):
    page = Paginator(showcase_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "site/showcase.html", {"projects": page.object_list, "page": page})
