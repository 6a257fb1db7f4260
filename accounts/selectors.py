"""Reads for accounts. Every lookup of a user's object goes through here and checks the owner."""

import re
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from . import roles
from .models import ApiToken, Invitation, Membership, Team, User
from .services import TOKEN_PREFIX, token_hash

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,90}")


def api_token_list(*, user: User):
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")


def api_token_get(*, user: User, public_id) -> ApiToken:
    """404 for a token that is not this user's."""
    return get_object_or_404(ApiToken, user=user, public_id=public_id)


def api_token_user(*, raw: str) -> tuple[User, ApiToken] | None:
    """The active user behind a live token, or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    # At most one row (the hash is unique): read as it comes, with no ORDER BY or LIMIT, on every
    # API call (bench figure 2).
    tokens = ApiToken.objects.select_related("user").filter(
        token_hash=token_hash(raw), revoked_at__isnull=True, user__is_active=True).order_by()
    token = next(iter(tokens), None)
    return (token.user, token) if token else None


def allowed_or_404(queryset, *, user, action: str | None = None, scope: str = "project", **lookup):
    """The one row of `queryset` matching `lookup`, when `user` may `action` it (with no action,
    the request's: roles.default_action); 404 otherwise — absent, not a UUID, or not theirs. The
    access rule is asked of the row's `scope` (the attribute holding `owner_id` and `team_id`,
    its project for a section, a job or an asset; empty for a project itself)."""
    try:
        obj = get_object_or_404(queryset, **lookup)
    except (ValidationError, ValueError, TypeError) as exc:  # not a UUID
        raise Http404 from exc
    holder = getattr(obj, scope) if scope else obj
    if not roles.row_allows(user=user, action=action or roles.default_action(), owner_id=holder.owner_id,
                            team_id=holder.team_id):
        raise Http404
    return obj


# --- teams -------------------------------------------------------------------------------------


def teams_for(*, user) -> list[Team]:
    """The live teams the user belongs to, each with `role` (theirs) set."""
    memberships = Membership.objects.filter(user=user, team__deleted_at__isnull=True).select_related("team")
    teams = []
    for membership in memberships.order_by("team__name", "team_id"):
        membership.team.role = membership.role
        teams.append(membership.team)
    return teams


def membership_for(*, user, team: Team) -> Membership | None:
    if not getattr(user, "is_authenticated", False) or team is None:
        return None
    return Membership.objects.filter(user=user, team=team, team__deleted_at__isnull=True).first()


def team_get(*, user, slug: str = "", public_id=None, action: str = roles.READ) -> Team:
    """The live team, when the user's role in it allows `action`; 404 for anyone else (outsiders,
    removed members, and members whose role does not allow it). `team.membership` is theirs."""
    if slug and not SLUG.fullmatch(slug):
        raise Http404
    lookup = {"slug": slug} if slug else {"public_id": public_id}
    try:
        membership = (Membership.objects.select_related("team", "user")
                      .filter(user=user, team__deleted_at__isnull=True, **{f"team__{k}": v for k, v in lookup.items()})
                      .first())
    except (ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc
    if membership is None or not roles.role_allows(membership.role, action):
        raise Http404
    team = membership.team
    team.membership = membership
    return team


def team_for_member(*, user, slug: str, action: str) -> Team:
    """The API's team lookup: like team_get (404 for outsiders and removed members), but a member
    whose role does not allow `action` gets RoleRefused (403, with their role and who may)."""
    team = team_get(user=user, slug=slug, action=roles.READ)
    if not roles.role_allows(team.membership.role, action):
        raise roles.RoleRefused(role=team.membership.role, action=action)
    return team


def team_with_avatar(*, user, public_id) -> Team:
    """A team's picture is seen by its members (while the team lives) and by staff who may view
    teams (the admin shows it); 404 for anyone else and for a team without one."""
    if user.has_perm("accounts.view_team"):
        try:
            team = Team.objects.filter(public_id=public_id).first()
        except (ValidationError, ValueError, TypeError) as exc:
            raise Http404 from exc
    else:
        team = team_get(user=user, public_id=public_id)
    if team is None or not team.avatar:
        raise Http404
    return team


def workspace_team(*, user) -> Team | None:
    """The user's current workspace: their remembered team while they still belong to it, else
    None (the personal workspace)."""
    if not getattr(user, "is_authenticated", False) or not user.current_team_id:
        return None
    membership = Membership.objects.select_related("team").filter(
        user=user, team_id=user.current_team_id, team__deleted_at__isnull=True).first()
    if membership is None:
        return None
    team = membership.team
    team.membership = membership
    return team


def workspace_for(request, *, user=None) -> Team | None:
    """The workspace a request acts in, read once per request: `?team=<slug>` when given (the
    API's way; 404 unless the user belongs to it), else the user's remembered one."""
    if not hasattr(request, "_workspace"):
        user = user or request.user
        slug = request.GET.get("team", "")
        request._workspace = team_get(user=user, slug=slug) if slug else workspace_team(user=user)
    return request._workspace


def team_members(*, team: Team):
    return Membership.objects.filter(team=team).select_related("user").order_by("created_at", "id")


def team_invitations_open(*, team: Team):
    return Invitation.objects.filter(team=team, accepted_at__isnull=True, revoked_at__isnull=True,
                                     declined_at__isnull=True, expires_at__gt=timezone.now()).select_related("invited_by")


# How long an invitation that ended unanswered (expired, withdrawn) stays on the invitee's page.
INVITEE_ENDED_DAYS = 30


def verified_addresses(*, user) -> list[str]:
    return list(EmailAddress.objects.filter(user=user, verified=True).order_by("-primary", "email")
                .values_list("email", flat=True))


def _addressed_to(user):
    """Invitations to one of the user's verified email addresses (invitations store theirs
    lowercased): a subquery, so the lookup stays one statement."""
    verified = EmailAddress.objects.filter(user=user, verified=True).annotate(address=Lower("email")).values("address")
    return Invitation.objects.filter(email__in=verified)


def invitations_for_invitee(*, user) -> list[Invitation]:
    """The invitations the user has not answered, newest first: open ones, and those that ended
    unanswered (expired, withdrawn, the team deleted) in the last INVITEE_ENDED_DAYS, which the
    page shows as such. Accepted and declined ones are not listed."""
    since = timezone.now() - timedelta(days=INVITEE_ENDED_DAYS)
    return list(_addressed_to(user).filter(accepted_at__isnull=True, declined_at__isnull=True, expires_at__gt=since)
                .select_related("team", "invited_by").order_by("-created_at", "-id"))


def invitation_for_invitee(*, user, public_id) -> Invitation:
    """An invitation addressed to one of the user's verified addresses, whatever its state (the
    service says whether it can still be answered); 404 for anyone else's."""
    try:
        return get_object_or_404(_addressed_to(user).select_related("team"), public_id=public_id)
    except (ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc


def invitation_by_token(*, raw: str) -> Invitation | None:
    """The invitation behind a link's token (open or not: the page says which), or None."""
    if not raw:
        return None
    return Invitation.objects.select_related("team").filter(token_hash=token_hash(raw)).first()


def invitation_get(*, team: Team, public_id) -> Invitation:
    try:
        return get_object_or_404(Invitation, team=team, public_id=public_id)
    except (ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc


def member_get(*, team: Team, public_id) -> Membership:
    try:
        return get_object_or_404(Membership.objects.select_related("user"), team=team, public_id=public_id)
    except (ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc
