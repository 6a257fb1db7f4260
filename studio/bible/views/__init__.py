"""The bible's pages, one module per section. Thin: parse, call a selector or service, render."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from modo.http import is_htmx


def saved(request, target_url):
    """htmx submits get a small "saved" fragment; plain posts redirect with a message."""
    if is_htmx(request):
        return render(request, "studio/partials/saved.html")
    messages.success(request, _("Saved."))
    return redirect(target_url)
