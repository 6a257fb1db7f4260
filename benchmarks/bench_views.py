"""The yardstick every page is divided by (figure 5): the least a signed-in Django page can do
here. Through the same middleware as every page (session, locale, CSRF, auth, preferences,
CSP, gzip), it reads the session (one query: the database session row), the signed-in user
(one query: the auth middleware's lookup — the trivial query) and renders a tiny template
without context processors. Anyone not signed in gets a 403: it shows nothing and writes nothing.
Served only under bench_settings (bench_urls); production has no such URL."""

from django.http import HttpResponse, HttpResponseForbidden
from django.template.loader import get_template


def minimal(request):
    if not request.user.is_authenticated:  # the session read, then the user query
        return HttpResponseForbidden()
    return HttpResponse(get_template("bench/minimal.html").render({"name": request.user.display_name}))
