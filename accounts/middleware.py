import zoneinfo

from django.conf import settings
from django.utils import timezone, translation

from modo import alerts

from . import roles


class UserPreferencesMiddleware:
    """Applies a signed-in user's saved language and time zone to the request.

    Runs after LocaleMiddleware (which picked a language from the cookie or the browser) and
    after AuthenticationMiddleware, so the saved choice follows the user across devices."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.locale:
                translation.activate(user.locale)
                request.LANGUAGE_CODE = translation.get_language()
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.timezone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        # `?lang=id` pins a language for this page view (the hreflang links of public pages use it).
        if request.GET.get("lang") in dict(settings.LANGUAGES):
            translation.activate(request.GET["lang"])
            request.LANGUAGE_CODE = translation.get_language()
        # Alerts count abuse per IP as well as per account (modo/alerts.py).
        token = alerts.current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            alerts.current_request.reset(token)


class AccessActionMiddleware:
    """Sets the action object lookups check by default for this request: read on GET/HEAD,
    edit on anything else (accounts.roles.default_action). Callers that need more (generate,
    manage) or less (a POST that only reads, like an export) name it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = roles.request_action_set(request.method)
        try:
            return self.get_response(request)
        finally:
            roles.request_action_reset(token)
