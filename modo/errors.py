"""Typed refusals shared by every app. The API maps `code`/`status` to DESIGN.md §6; pages show
`message` and, where there is one, a button for `action`."""

from django.utils.translation import gettext_lazy as _


class AppError(Exception):
    code = "ERROR"
    status = 400
    action = ""  # where the creator can go next: "buy", "upgrade", "wait", "connect_drive"
    default_message = _("That is not possible right now.")

    def __init__(self, message=None, **extra):
        self.message = str(message or self.default_message)
        self.extra = extra
        super().__init__(self.message)


class ServiceUnavailable(AppError):
    """A service the request needs (Redis for the rate limits, the workers) does not answer: try
    again later (503, with Retry-After). Nothing was held or charged."""

    code, status, action = "SERVICE_UNAVAILABLE", 503, "wait"
    default_message = _("This is unavailable for a moment on our side. Please try again in a minute.")

    def __init__(self, message=None, *, retry_after: int = 30):
        super().__init__(message, retry_after=retry_after)
