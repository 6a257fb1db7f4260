"""Middleware of the project package."""

from . import views


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
