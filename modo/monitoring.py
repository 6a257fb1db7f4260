"""Error reporting to Sentry (when SENTRY_DSN is set): request errors and Celery task failures,
with the release and the signed-in user's id — never an email address, a cookie, a header that
carries a credential, a request body or a frame's local variables (`scrub`, the before_send hook,
removes what the SDK's own settings might still let through)."""

import re

import sentry_sdk

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
BEARER = re.compile(r"(?i)\b(bearer|token|basic)\s+(?!bearer\b|token\b|basic\b)[\w.~+/=-]+")
SECRET_HEADERS = {"authorization", "cookie", "set-cookie", "x-csrftoken", "proxy-authorization", "x-api-key"}
SECRET_WORDS = ("password", "secret", "token", "key", "csrf", "session", "auth", "signature", "email")
FILTERED = "[Filtered]"


def _clean(value):
    """Every string in the event with email addresses and bearer/basic credentials masked."""
    if isinstance(value, str):
        return BEARER.sub(r"\1 [Filtered]", EMAIL.sub("[email]", value))
    if isinstance(value, dict):
        return {k: FILTERED if isinstance(k, str) and any(w in k.lower() for w in SECRET_WORDS)
                and not isinstance(v, (dict, list)) and k not in ("id",) else _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def scrub(event: dict, hint: dict | None = None) -> dict:
    """Sentry's before_send: keeps the user's id only, drops cookies, credential headers and
    bodies, and masks emails and secrets anywhere else in the event."""
    user = event.get("user") or {}
    event["user"] = {"id": str(user["id"])} if user.get("id") else {}
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("cookies", None)
        request.pop("data", None)
        request["headers"] = {name: value for name, value in (request.get("headers") or {}).items()
                              if name.lower() not in SECRET_HEADERS}
        if request.get("query_string"):
            request["query_string"] = FILTERED
        request.pop("env", None)
    # The installed packages' names are not data (and "django-allauth" is no secret).
    kept = {key: event.pop(key) for key in ("user", "modules", "sdk") if key in event}
    return {**_clean(event), **kept}


def sentry_init(*, dsn: str, release: str = "", environment: str = "production", traces_sample_rate: float = 0.0,
                transport=None) -> None:
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn, release=release or None, environment=environment, traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # No user details but what scrub() keeps (the id), no bodies, no frame variables.
        data_collection={"user_info": False, "http_bodies": [], "stack_frame_variables": False,
                         "database_query_data": False, "cookies": {"mode": "off"},
                         "http_headers": {"request": {"mode": "denylist", "terms": sorted(SECRET_HEADERS)}}},
        before_send=scrub,
        before_send_transaction=scrub, transport=transport,
    )


class SentryUserMiddleware:
    """Tags the request's events with the signed-in user's id (only the id). After
    AuthenticationMiddleware; costs nothing without SENTRY_DSN."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if sentry_sdk.get_client().is_active():
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                sentry_sdk.set_user({"id": str(user.pk)})
                try:
                    return self.get_response(request)
                finally:
                    # Not left for whatever this process reports next (outside a WSGI server, as in
                    # tests, requests share one scope).
                    sentry_sdk.set_user(None)
        return self.get_response(request)
