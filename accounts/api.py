"""API authentication and the account endpoints."""

from typing import Literal

from django.urls import reverse
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer, SessionAuth

from modo import envelope
from modo.http import absolute_url
from modo.inputs import NON_BLANK, Input

from . import roles, selectors, services, teams


def _api_workspace(request, user) -> None:
    """The API's workspace is explicit: `?team=<slug>` (404 unless the user belongs to that team),
    else the personal one — never the workspace last chosen in the app."""
    slug = request.GET.get("team", "")
    request._workspace = selectors.team_get(user=user, slug=slug) if slug else None


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer modo_...` with a personal API token (no CSRF: not a cookie)."""

    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        found = selectors.api_token_user(raw=token)
        if found is None:
            return None
        user, api_token = found
        services.api_token_touch(token=api_token)
        request.user = user
        request.api_token = api_token
        _api_workspace(request, user)
        return user


class ActiveSessionAuth(SessionAuth):
    """The browser session; ninja checks the CSRF token for unsafe methods."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None or not user.is_active:
            return None
        _api_workspace(request, user)
        return user


api_auth = [BearerTokenAuth(), ActiveSessionAuth()]

router = Router(tags=["account"])


class MeOut(Schema):
    id: str
    email: str
    display_name: str
    locale: str
    timezone: str
    avatar_url: str | None
    date_joined: str


class MeEnvelope(Schema):
    success: bool = True
    data: MeOut


@router.get("/me", response={200: MeEnvelope, 401: envelope.ErrorEnvelope}, summary="The signed-in user")
def me(request):
    user = request.auth
    return envelope.ok({
        "id": str(user.public_id),
        "email": user.email,
        "display_name": user.get_full_name(),
        "locale": user.locale or "en",
        "timezone": user.timezone,
        "avatar_url": absolute_url(reverse("accounts:avatar", args=[user.public_id]), request)
        if user.avatar
        else None,
        "date_joined": user.date_joined.isoformat(),
    })


# --- teams ---------------------------------------------------------------------------------------
# Every endpoint takes the workspace as `?team=<slug>` (a team the caller belongs to; 404
# otherwise): lists and new projects are then the team's, and credits are the team's account.
# Managing a team (its members, picture, ownership): accounts/team_api.py. On both, outsiders and
# removed members get 404, a member whose role is too low 403 FORBIDDEN (selectors.team_for_member).

class TeamOut(Schema):
    id: str
    name: str
    slug: str
    role: str
    avatar_url: str | None = Field(..., description="The team's picture (members only); null: show its initials")


class TeamListEnvelope(Schema):
    success: bool = True
    data: list[TeamOut]


class TeamEnvelope(Schema):
    success: bool = True
    data: TeamOut


class TeamIn(Input):
    name: str = Field(..., min_length=1, max_length=80, pattern=NON_BLANK)


class MemberOut(Schema):
    id: str
    email: str
    display_name: str
    role: str
    monthly_credit_cap: int | None


class MemberListEnvelope(Schema):
    success: bool = True
    data: list[MemberOut]


class InvitationIn(Input):
    email: str = Field(..., max_length=254, pattern=NON_BLANK, description="Checked as an address after access")
    role: Literal["admin", "editor", "viewer"] = "editor"


class InvitationOut(Schema):
    id: str
    email: str
    role: str
    expires_at: str


class InvitationEnvelope(Schema):
    success: bool = True
    data: InvitationOut


class InvitationListEnvelope(Schema):
    success: bool = True
    data: list[InvitationOut]


def team_out(team, role, request) -> dict:
    avatar_url = absolute_url(reverse("api:team_avatar", args=[team.slug]), request) if team.avatar else None
    return {"id": str(team.public_id), "name": team.name, "slug": team.slug, "role": role, "avatar_url": avatar_url}


def member_out(m) -> dict:
    return {"id": str(m.public_id), "email": m.user.email, "display_name": m.user.get_full_name(), "role": m.role,
            "monthly_credit_cap": m.monthly_credit_cap}


def _invitation_out(inv) -> dict:
    return {"id": str(inv.public_id), "email": inv.email, "role": inv.role, "expires_at": inv.expires_at.isoformat()}


@router.get("/teams", response={200: TeamListEnvelope, **envelope.ERRORS}, summary="Your teams", tags=["teams"])
def team_list(request):
    return envelope.ok([team_out(t, t.role, request) for t in selectors.teams_for(user=request.auth)])


@router.post("/teams", response={201: TeamEnvelope, **envelope.ERRORS}, summary="Create a team (you own it)",
             tags=["teams"])
def team_create(request, payload: TeamIn):
    team = teams.team_create(user=request.auth, name=payload.name)
    return Status(201, envelope.ok(team_out(team, "owner", request)))


@router.get("/teams/{slug}/members", response={200: MemberListEnvelope, **envelope.ERRORS},
            summary="A team's members (any member)", tags=["teams"])
def member_list(request, slug: str):
    team = selectors.team_get(user=request.auth, slug=slug, action=roles.READ)
    return envelope.ok([member_out(m) for m in selectors.team_members(team=team)])


@router.get("/teams/{slug}/invitations", response={200: InvitationListEnvelope, 403: envelope.ErrorEnvelope,
                                                 **envelope.ERRORS},
            summary="Open invitations (owner/admin)", tags=["teams"])
def invitation_list(request, slug: str):
    team = selectors.team_for_member(user=request.auth, slug=slug, action=roles.MANAGE)
    return envelope.ok([_invitation_out(i) for i in selectors.team_invitations_open(team=team)])


@router.post("/teams/{slug}/invitations", response={201: InvitationEnvelope, 403: envelope.ErrorEnvelope,
                                                    429: envelope.ErrorEnvelope, **envelope.ERRORS},
             summary="Invite someone by email (owner/admin; rate-limited)", tags=["teams"])
def invitation_create(request, slug: str, payload: InvitationIn):
    team = selectors.team_for_member(user=request.auth, slug=slug, action=roles.MANAGE)
    sent = teams.invitation_create(
        team=team, email=payload.email, role=payload.role, invited_by=request.auth,
        accept_url=lambda raw: absolute_url(reverse("credits:team_join", args=[raw]), request))
    return Status(201, envelope.ok(_invitation_out(sent.invitation)))
