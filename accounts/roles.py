"""Staff roles. Superusers see everything; the "support" group helps creators — users, credits,
orders, jobs — and never sees AI providers or their keys."""

import contextvars

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext as _

from modo.errors import AppError

SUPPORT = "support"
SUPPORT_PERMISSIONS = [
    "accounts.view_user", "accounts.view_team", "accounts.view_membership",
    "credits.view_creditaccount", "credits.change_creditaccount",  # grant / deduct through the ledger
    "credits.view_ledgerentry", "credits.view_hold", "credits.view_paymentevent",
    "credits.view_order", "credits.change_order",  # mark paid / cancel
    "credits.view_plan", "credits.view_creditpackage", "credits.view_creditcost",
    "studio.view_project", "studio.view_generation", "media.view_mediaasset",
    "modo.view_contactmessage", "modo.change_contactmessage", "modo.view_analytics",
]


def roles_sync() -> Group:
    """Creates the support group or resets its permissions to the list above (idempotent)."""
    group, _ = Group.objects.get_or_create(name=SUPPORT)
    wanted = []
    for name in SUPPORT_PERMISSIONS:
        app_label, codename = name.split(".")
        wanted += list(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
    group.permissions.set(wanted)
    return group


# --- team roles -------------------------------------------------------------------------------
# The one copy of what each team role may do. Every object lookup (studio, media, credits
# selectors) asks `row_allows` / `role_allows`; anyone without the action gets 404 (except on
# the team API's own endpoints, where a member is told 403: RoleRefused).

READ, EDIT, GENERATE, MANAGE, BUY, DELETE, TRANSFER = "read", "edit", "generate", "manage", "buy", "delete", "transfer"
STORAGE = "storage"  # where the team's files go: the owner's Google Drive is the owner's to offer
ACTIONS = (READ, EDIT, GENERATE, MANAGE, BUY, DELETE, TRANSFER, STORAGE)

ROLE_ACTIONS = {
    "viewer": frozenset({READ}),
    "editor": frozenset({READ, EDIT, GENERATE}),
    # members, invitations, caps, purchases, moving projects in and out of the team
    "admin": frozenset({READ, EDIT, GENERATE, MANAGE, BUY}),
    "owner": frozenset(ACTIONS),  # also deletes the team, transfers ownership, offers their Drive
}


def role_allows(role: str | None, action: str) -> bool:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return action in ROLE_ACTIONS.get(role or "", ())


def roles_allowing(action: str) -> list[str]:
    return [role for role, actions in ROLE_ACTIONS.items() if role_allows(role, action)]


class RoleRefused(AppError):
    """A member asked for what their role does not allow (the API's 403: they can see the team,
    so saying so hides nothing; anyone else gets 404). `role` is theirs, `allowed_roles` who may."""

    code, status = "FORBIDDEN", 403

    def __init__(self, *, role: str, action: str):
        allowed = roles_allowing(action)
        if allowed == ["owner"]:
            message = _("Only the team’s owner can do this.")
        elif set(allowed) == {"owner", "admin"}:
            message = _("Only the team’s owner or an admin can do this.")
        else:
            message = _("Your role in this team does not allow this.")
        super().__init__(message, role=role, allowed_roles=allowed)


def row_allows(*, user, action: str, owner_id, team_id) -> bool:
    """Whether `user` may `action` a row whose scope (its project, say) has `owner_id` and
    `team_id`: a personal row (no team) is its owner's; a team's, its members' whose role allows
    the action (their membership is read only then). A removed member has no membership.
    Lookups read their row first and ask this (accounts.selectors.allowed_or_404): a query with
    no OR and no membership subquery (bench figure 2: the character read 2.5 ms instead of 4.3)."""
    if team_id is None:
        return owner_id is not None and owner_id == getattr(user, "pk", None)
    from .models import Membership

    return Membership.objects.filter(user=user, team_id=team_id, role__in=roles_allowing(action)).exists()


# The action a lookup checks when its caller names none: reads on safe requests, edits on any
# other (set per request by accounts.middleware.AccessActionMiddleware). Fails closed: a write
# through a selector called without an action needs the edit right.
_request_action: contextvars.ContextVar[str] = contextvars.ContextVar("request_action", default=READ)


def default_action() -> str:
    return _request_action.get()


def request_action_set(method: str):
    return _request_action.set(READ if method in ("GET", "HEAD", "OPTIONS") else EDIT)


def request_action_reset(token) -> None:
    _request_action.reset(token)
