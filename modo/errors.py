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
