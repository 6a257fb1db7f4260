"""Typed refusals. The API maps `code`/`status` to DESIGN.md §6; pages show `message` and `action`."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from modo.errors import AppError


class CreditsError(AppError):
    """A refusal about credits, plans or limits."""


class InsufficientCredits(CreditsError):
    code, status, action = "INSUFFICIENT_CREDITS", 402, "buy"

    def __init__(self, *, required: int, available: int):
        super().__init__(
            _("This needs %(required)s credits and you have %(available)s available.")
            % {"required": required, "available": available},
            required=required,
            available=available,
        )


def upgrade_url(reason: str) -> str:
    """The upgrade page, saying why the creator was sent there ("trial_generations", "trial_days", "plan")."""
    return reverse("credits:subscription") + "?" + urlencode({"locked": 1, "reason": reason})


class TrialLimit(CreditsError):
    """The trial is over. With a `reason` ("trial_days" or "trial_generations") it carries the
    upgrade page's address (`upgrade_url`), where pages take the creator."""

    code, status, action = "TRIAL_LIMIT", 402, "upgrade"
    default_message = _("Your free trial has ended. Choose a plan to keep creating.")

    def __init__(self, message=None, *, reason: str = ""):
        extra = {"reason": reason, "upgrade_url": upgrade_url(reason)} if reason else {}
        super().__init__(message, **extra)


class PlanRequired(CreditsError):
    code, status, action = "PLAN_REQUIRED", 403, "upgrade"
    default_message = _("Your plan does not include this. Upgrade to use it.")


class RateLimited(CreditsError):
    code, status, action = "RATE_LIMITED", 429, "wait"

    def __init__(self, *, retry_after: int, limit: int):
        super().__init__(
            _("You reached your plan's limit of %(limit)s generations a day. Try again in %(minutes)s minutes.")
            % {"limit": limit, "minutes": max(1, (retry_after + 59) // 60)},
            retry_after=retry_after,
        )


class InvalidInput(CreditsError):
    """A request that makes no sense: a bad amount, an unknown or unbuyable item."""

    code, status = "INVALID_INPUT", 422


class OrderConflict(CreditsError):
    """A gateway notification for an order that was not sent to that gateway (a manual order)."""

    code, status = "ORDER_CONFLICT", 409
    default_message = _("This order was not sent to this payment gateway.")


class MemberCapReached(CreditsError):
    """A team member's monthly credit cap (set by the team's admins) would be passed."""

    code, status, action = "MEMBER_CAP_REACHED", 402, "ask_admin"

    def __init__(self, *, cap: int, used: int):
        super().__init__(
            _("This would pass your monthly limit in this team: %(used)s of %(cap)s credits used. "
              "Ask a team admin to raise it.") % {"used": used, "cap": cap},
            cap=cap, used=used,
        )
