"""Typed refusals. The API maps `code`/`status` to DESIGN.md §6; pages show `message` and `action`."""

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


class TrialLimit(CreditsError):
    code, status, action = "TRIAL_LIMIT", 402, "upgrade"
    default_message = _("Your free trial has ended. Choose a plan to keep creating.")


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
