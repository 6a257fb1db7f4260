"""The JSON envelope of every answer, from the API and from pages alike (DESIGN.md §6):

    {"success": true, "data": ...}
    {"success": false, "error": "CODE", "message": "...", ...extra}

`ok` and `error` build it; the ninja schemas below document it in the OpenAPI document."""

from ninja import Schema
from ninja.errors import ValidationError

from .errors import AppError


def ok(data, **extra) -> dict:
    """A success: `data`, plus top-level extras such as a list's `meta`."""
    return {"success": True, "data": data, **extra}


def error(code: str, message: str, **extra) -> dict:
    """A refusal: its code, a message for people, and the code's extra fields."""
    return {"success": False, "error": code, "message": str(message), **extra}


def refusal(exc: AppError) -> dict:
    """The envelope of a typed refusal, with its `action` (where the creator can go next) when it has one."""
    extra = {"action": exc.action, **exc.extra} if exc.action else exc.extra
    return error(exc.code, exc.message, **extra)


def invalid(field: str, message: str) -> ValidationError:
    """The 422 INVALID_INPUT of a schema error, for checks that need the database: raise it."""
    return ValidationError([{"loc": ("body", "payload", field), "msg": message}])


class ErrorEnvelope(Schema):
    """Every refusal: `{"success": false, "error": CODE, "message": ...}`, plus the code's extra
    fields (`fields` for INVALID_INPUT, `required`/`available` for INSUFFICIENT_CREDITS, ...)."""

    model_config = {"extra": "allow"}

    success: bool = False
    error: str
    message: str


class Deleted(Schema):
    deleted: bool


class DeletedEnvelope(Schema):
    success: bool = True
    data: Deleted


# Responses every endpoint documents; the handlers in modo/api.py produce them.
ERRORS = {400: ErrorEnvelope, 401: ErrorEnvelope, 404: ErrorEnvelope, 422: ErrorEnvelope}
