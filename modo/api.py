"""`/api/v1/`: the JSON API. Every answer uses one envelope (built by modo/envelope.py):

    {"success": true, "data": {...}}
    {"success": false, "error": "CODE", "message": "...", ...extra}
"""

from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from accounts.api import api_auth
from accounts.api import router as accounts_router
from credits.api import router as credits_router
from credits.api import webhooks as credits_webhooks
from modo import envelope
from modo.errors import AppError

api = NinjaAPI(
    title="MODO Creator Verse API",
    version="1",
    description="Build IP bibles with AI. Authenticate with a personal API token "
    "(`Authorization: Bearer modo_...`, created under Settings → API keys) or a browser session.",
    auth=api_auth,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


def error_response(request, code: str, status: int, message: str, **extra):
    return api.create_response(request, envelope.error(code, message, **extra), status=status)


@api.exception_handler(AppError)
def _app_error(request, exc: AppError):
    response = api.create_response(request, envelope.refusal(exc), status=exc.status)
    if "retry_after" in exc.extra:
        response["Retry-After"] = str(exc.extra["retry_after"])
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error_response(
        request, "UNAUTHENTICATED", 401, _("Sign in, or send a valid API token as “Authorization: Bearer …”.")
    )


@api.exception_handler(AuthorizationError)
def _forbidden(request, exc):
    return error_response(request, "FORBIDDEN", 403, _("You are not allowed to do that."))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, "NOT_FOUND", 404, _("Not found."))


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", []) if part not in ("body", "query", "path", "payload")]
        fields.setdefault(".".join(loc) or "__all__", []).append(err.get("msg", "invalid"))
    return error_response(request, "INVALID_INPUT", 422, _("Some fields are invalid."), fields=fields)


@api.exception_handler(MultiPartParserError)
def _unreadable_upload(request, exc):
    return error_response(request, "INVALID_INPUT", 400, _("The upload could not be read: send it as multipart/form-data."))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    codes = {400: "INVALID_INPUT", 401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND",
             405: "METHOD_NOT_ALLOWED", 429: "RATE_LIMITED"}
    return error_response(request, codes.get(exc.status_code, "ERROR"), exc.status_code, str(exc))


TEAM_PARAMETER = {
    "name": "team", "in": "query", "required": False,
    "schema": {"type": "string", "maxLength": 90, "pattern": "^[-a-zA-Z0-9_]*$"},
    "description": "The workspace: a team's slug (you must belong to it, else 404). Lists, new projects, "
                   "credits and orders are then the team's. Without it: your personal workspace.",
}


def _openapi_with_workspace(get_schema):
    """Every authenticated operation documents the `?team=<slug>` workspace parameter."""
    def schema(*args, **kwargs):
        document = get_schema(*args, **kwargs)
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and operation.get("security"):
                    params = operation.setdefault("parameters", [])
                    if not any(p.get("name") == "team" and p.get("in") == "query" for p in params):
                        params.append(TEAM_PARAMETER)
                    operation.setdefault("responses", {}).setdefault("404", {
                        "description": "Not found (also: a `team` you do not belong to)",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}})
        return document
    return schema


api.get_openapi_schema = _openapi_with_workspace(api.get_openapi_schema)

api.add_router("/", accounts_router)
api.add_router("/", "accounts.team_api.router")
api.add_router("/", "accounts.notifications.api.router")
api.add_router("/", credits_router)
api.add_router("/", credits_webhooks)
api.add_router("/", "studio.bible.api.router")
api.add_router("/", "studio.generate.api.router")
api.add_router("/", "studio.generate.speech_api.router")
api.add_router("/", "studio.gallery.api.router")
api.add_router("/", "aiproviders.webhook_api.router")
