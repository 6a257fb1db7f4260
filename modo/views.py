"""Public pages, contact, and the health endpoint. (The landing, pricing and showcase pages live with their
data: credits.views.pricing, studio.showcase.)"""

import json
import logging

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import alerts, envelope, ratelimit, services, workers
from .celery import app as celery_app
from .forms import ContactForm

log = logging.getLogger(__name__)

CONTACT_LIMIT_PER_HOUR = 5


def robots_txt(request):
    """Public pages are open to crawlers; the app, the admin and the API are not."""
    return render(request, "robots.txt", content_type="text/plain")


def features(request):
    return render(request, "site/features.html")


def features_studio(request):
    return render(request, "site/features_studio.html")


def features_watch(request):
    return render(request, "site/features_watch.html")


def about(request):
    return render(request, "site/about.html")


def contact(request):
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            ip = get_adapter().get_client_ip(request)
            alerts.event_count(kind=alerts.Kind.CONTACT_BURST, key=f"ip:{ip}",
                               evidence={"ip": ip, "last_email": form.cleaned_data["email"], "spam": form.is_spam()})
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
    # The page's one <style> carries the request's nonce (set by the CSP middleware before any view ran).
    return _api_error(request, 500, "SERVER_ERROR", _("Something went wrong on our side.")) or HttpResponseServerError(
        loader.get_template("500.html").render({"csp_nonce": getattr(request, "csp_nonce", "")})
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


def _report_field(report: dict, *names: str) -> str:
    """The first of `names` present in the report, cut short and on one line (the values come from anyone)."""
    for name in names:
        value = report.get(name)
        if value:
            return "".join(c if c.isprintable() else "?" for c in str(value)[:300])
    return "-"


@csrf_exempt  # browsers send reports without our token
@require_POST
def csp_report(request):
    """Logs one WARNING line per Content-Security-Policy violation a browser reports; always 204.

    Takes both the report-uri format ({"csp-report": {...}}) and the Reporting API's list of reports.
    Bodies over CSP_REPORT_MAX_BYTES are refused (413) unread; each IP may send
    CSP_REPORT_RATE_PER_MINUTE reports a minute (429 after that). The body itself is never logged.
    """
    cap = settings.CSP_REPORT_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > cap:
        return HttpResponse(status=413)
    ip = get_adapter().get_client_ip(request)
    if not ratelimit.hit(key=f"csp-report:{ip}", limit=settings.CSP_REPORT_RATE_PER_MINUTE, window_seconds=60):
        return HttpResponse(status=429)
    body = request.read(cap + 1)
    if len(body) > cap:
        return HttpResponse(status=413)
    try:
        data = json.loads(body)
    except ValueError:
        return HttpResponse(status=400)
    if isinstance(data, dict):
        reports = [data.get("csp-report")]
    elif isinstance(data, list):
        reports = [item.get("body") for item in data if isinstance(item, dict)]
    else:
        reports = []
    for report in reports:
        if isinstance(report, dict):
            log.warning(
                "CSP violation: directive=%s blocked=%s document=%s",
                _report_field(report, "effective-directive", "effectiveDirective", "violated-directive"),
                _report_field(report, "blocked-uri", "blockedURL"),
                _report_field(report, "document-uri", "documentURL"),
            )
    return HttpResponse(status=204)
