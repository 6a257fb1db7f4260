"""Public pages, contact, and the health endpoint. (The pricing and showcase pages live with their
data: credits.views.pricing, studio.showcase.showcase.)"""

import logging

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from . import envelope, ratelimit, services, workers
from .celery import app as celery_app
from .forms import ContactForm

log = logging.getLogger(__name__)

CONTACT_LIMIT_PER_HOUR = 5


def robots_txt(request):
    """Public pages are open to crawlers; the app, the admin and the API are not."""
    return render(request, "robots.txt", content_type="text/plain")


def home(request):
    return render(request, "site/home.html")


def features(request):
    return render(request, "site/features.html")


def about(request):
    return render(request, "site/about.html")


def contact(request):
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            ip = get_adapter().get_client_ip(request)
            if form.is_spam():
                log.info("contact form dropped as spam from %s", ip)
            elif not ratelimit.hit(key=f"contact:{ip}", limit=CONTACT_LIMIT_PER_HOUR, window_seconds=3600):
                form.add_error(None, _("You have sent several messages in the last hour. Please try again later."))
                return render(request, "site/contact.html", {"form": form}, status=429)
            else:
                data = form.cleaned_data
                services.contact_message_create(
                    name=data["name"], email=data["email"], topic=data["topic"], message=data["message"],
                    user=request.user, ip_address=ip, user_agent=request.META.get("HTTP_USER_AGENT", ""),
                )
            # Bots get the same answer as people, so they learn nothing.
            messages.success(request, _("Thank you! Your message has reached our team; we reply within two working days."))
            return redirect("contact")
    else:
        initial = {}
        if request.user.is_authenticated:
            initial = {"name": request.user.display_name, "email": request.user.email}
        form = ContactForm(initial=initial)
    return render(request, "site/contact.html", {"form": form})


def _check(fn) -> str:
    try:
        fn()
        return "ok"
    except Exception as exc:  # a health check reports, it never raises
        log.warning("healthz: %s", exc.__class__.__name__)
        return "error"


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache():
    cache.set("healthz", "1", timeout=10)
    if cache.get("healthz") != "1":
        raise RuntimeError("cache read-back failed")


def _broker():
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def _api_error(request, status: int, code: str, message: str) -> JsonResponse | None:
    if request.path.startswith("/api/"):
        return JsonResponse(envelope.error(code, message), status=status)
    return None


def page_not_found(request, exception):
    """JSON for API clients, the site's 404 page for people."""
    return _api_error(request, 404, "NOT_FOUND", _("Not found.")) or render(request, "404.html", status=404)


def server_error(request):
    # Rendered without the request context: whatever broke may be part of it.
    return _api_error(request, 500, "SERVER_ERROR", _("Something went wrong on our side.")) or HttpResponseServerError(
        loader.get_template("500.html").render()
    )


@never_cache
def healthz_workers(request):
    """Whether a worker beat recently for each queue (modo/workers.py): 503 when one has none.
    Apart from /healthz, so that a dead worker never takes the web out of its load balancer."""
    queues = {queue.name: "ok" if workers.alive(queue.name) else "missing" for queue in celery_app.conf.task_queues}
    healthy = all(v == "ok" for v in queues.values())
    return JsonResponse({"status": "ok" if healthy else "error", "queues": queues}, status=200 if healthy else 503)


@never_cache
def healthz(request):
    checks = {"database": _check(_database), "cache": _check(_cache), "broker": _check(_broker)}
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)
