"""Middleware of the kernel: /healthz before everything, compression of pages, and the product's
error pages in development."""

import logging

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.middleware.gzip import GZipMiddleware
from django.urls import get_resolver
from django.views import defaults

from . import views

logger = logging.getLogger("django.request")


class HealthzMiddleware:
    """Answers /healthz before sessions and users are loaded: with the database down, a request
    that carries a session cookie (an operator's browser, a monitor that once signed in) must
    still get the health check's JSON 503, not the HTML 500 the user lookup would raise first.
    First in MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return views.healthz(request)
        if request.path == "/healthz/workers":
            return views.healthz_workers(request)
        return self.get_response(request)


class PageGZipMiddleware(GZipMiddleware):
    """Gzips pages and JSON answers, never a stream: a server-sent event must reach the browser when
    it is written (gzip would hold it until its buffer fills), and streamed files are images, video
    or zips already compressed. Static files never get here: WhiteNoise answers them first, from
    its own pre-compressed copies in production.

    BREACH needs a secret repeated in every compressed page; Django masks the CSRF token afresh on
    every request, and no other secret is echoed into a page."""

    def process_response(self, request, response):
        if response.streaming:
            return response
        return super().process_response(request, response)


class ProductErrorPagesMiddleware:
    """Development only (`make run`, DEBUG on): the site's own 404 and 500 pages instead of Django's
    technical pages (which list every URL and setting), while the traceback still goes to the
    terminal through the `django.request` logger. Last in MIDDLEWARE, so CommonMiddleware's
    APPEND_SLASH redirect still sees the 404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # No view was found for the path: Django answered with its URL list.
        if response.status_code == 404 and getattr(request, "resolver_match", None) is None:
            response = get_resolver().resolve_error_handler(404)(request, Http404())
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return get_resolver().resolve_error_handler(404)(request, exception)
        if isinstance(exception, PermissionDenied):
            return None  # Django already answers with the site's 403 page
        if isinstance(exception, (BadRequest, SuspiciousOperation)):
            logger.warning("Bad request: %s", request.path, exc_info=exception, extra={"request": request})
            response = defaults.bad_request(request, exception)
        else:
            logger.error("Internal Server Error: %s", request.path, exc_info=exception,
                         extra={"status_code": 500, "request": request})
            response = get_resolver().resolve_error_handler(500)(request)
        response._has_been_logged = True  # logged above, with the traceback
        return response
