"""The team API: what /settings/team/ does, for programs — the team itself (read, rename, delete),
its picture, its members (role, monthly cap, removal), leaving, ownership, withdrawing an
invitation. Listing and creating teams, listing members and sending invitations are in
accounts/api.py.

The rules are the page's: who may act is the one role table (roles.py), asked through
selectors.team_for_member (404 for outsiders and removed members, 403 FORBIDDEN with the
member's `role` and the `allowed_roles` for a member whose role is too low); what may be done is
the services' (accounts/teams.py: one owner, who neither leaves nor is removed nor demoted before
a transfer — 409 OWNER_CONFLICT — and every picture through the shared upload decoder)."""

from typing import Literal
from uuid import UUID

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from modo import envelope
from modo.inputs import NON_BLANK, Input, state_no_nul

from . import roles, selectors, teams
from .api import MemberOut, TeamEnvelope, member_out, team_out

router = Router(tags=["teams"])

FORBIDDEN = {403: envelope.ErrorEnvelope}
OWNER_CONFLICT = {409: envelope.ErrorEnvelope}  # what the owner cannot do before a transfer (teams.OwnerConflict)


class TeamUpdateIn(Input):
    name: str = Field(..., min_length=1, max_length=80, pattern=NON_BLANK)


def _at_least_one_field(schema: dict) -> None:
    state_no_nul(schema)
    schema["minProperties"] = 1


class MemberUpdateIn(Input):
    """Either field or both (an empty body is a 422); a field left out is left as it is."""

    model_config = {"json_schema_extra": _at_least_one_field}

    role: Literal["admin", "editor", "viewer"] | None = Field(
        None, description="Not the owner's (409: ownership moves only by a transfer); null: unchanged")
    monthly_credit_cap: int | None = Field(
        None, ge=0, le=teams.CAP_MAX,
        description="Credits this member may spend from the team's account per calendar month; null: no cap")


class MemberEnvelope(Schema):
    success: bool = True
    data: MemberOut


class TransferIn(Input):
    member_id: UUID = Field(..., description="The member who becomes the owner (you become an admin)")


class Left(Schema):
    left: bool


class LeftEnvelope(Schema):
    success: bool = True
    data: Left


def _team_answer(request, team):
    return envelope.ok(team_out(team, team.membership.role, request))


# --- the team ----------------------------------------------------------------------------------

@router.get("/teams/{slug}", response={200: TeamEnvelope, **envelope.ERRORS}, summary="A team (any member)")
def team_detail(request, slug: str):
    return _team_answer(request, selectors.team_get(user=request.auth, slug=slug))


@router.patch("/teams/{slug}", response={200: TeamEnvelope, **FORBIDDEN, **envelope.ERRORS},
              summary="Rename a team (owner/admin)")
def team_update(request, slug: str, payload: TeamUpdateIn):
    team = selectors.team_for_member(user=request.auth, slug=slug, action=roles.MANAGE)
    teams.team_rename(team=team, name=payload.name)
    return _team_answer(request, team)


@router.delete("/teams/{slug}", response={200: envelope.DeletedEnvelope, **FORBIDDEN, **envelope.ERRORS},
               summary="Delete a team (owner): every membership and open invitation ends; cannot be undone")
def team_delete(request, slug: str):
    team = selectors.team_for_member(user=request.auth, slug=slug, action=roles.DELETE)
    teams.team_delete(team=team)
    return envelope.ok({"deleted": True})


# --- its picture -------------------------------------------------------------------------------

@router.get("/teams/{slug}/avatar", response={**envelope.ERRORS}, url_name="team_avatar",
            summary="The team's picture, a square WebP (any member; 404 when it has none)",
            openapi_extra={"responses": {"200": {"description": "The picture",
                                                 "content": {"image/webp": {"schema": {"type": "string",
                                                                                       "format": "binary"}}}}}})
def team_avatar(request, slug: str):
    team = selectors.team_get(user=request.auth, slug=slug)
    if not team.avatar:
        raise Http404
    response = FileResponse(team.avatar.open("rb"), content_type="image/webp")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@router.post("/teams/{slug}/avatar", response={200: TeamEnvelope, **FORBIDDEN, 413: envelope.ErrorEnvelope,
                                               **envelope.ERRORS},
             summary="Upload the team's picture (owner/admin; multipart `file`: JPEG, PNG or WebP, 413 too large, "
                     "422 not a clean image); kept as a 256 px square",
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {"properties": {
                 "file": {"minLength": 1}}}}}}})
def team_avatar_upload(request, slug: str, file: File[UploadedFile]):
    team = selectors.team_for_member(user=request.auth, slug=slug, action=roles.MANAGE)
    teams.team_avatar_set(team=team, upload=file)
    return _team_answer(request, team)


@router.delete("/teams/{slug}/avatar", response={200: TeamEnvelope, **FORBIDDEN, **envelope.ERRORS},
               summary="Remove the team's picture (owner/admin): its initials are shown instead")
def team_avatar_delete(request, slug: str):
    team = selectors.team_for_member(user=request.auth, slug=slug, action=roles.MANAGE)
    teams.team_avatar_remove(team=team)
    return _team_answer(request, team)


# --- members -----------------------------------------------------------------------------------

@router.patch("/teams/{slug}/members/{member_id}", response={200: MemberEnvelope, **FORBIDDEN, **OWNER_CONFLICT,
                                                             **envelope.ERRORS},
              summary="Change a member's role and/or monthly credit cap (owner/admin; null clears the cap)")
def member_update(request, slug: str, member_id: UUID, payload: MemberUpdateIn):
    team = selectors.team_for_member(user=request.auth, slug=slug, action=roles.MANAGE)
    member = selectors.member_get(team=team, public_id=member_id)
    sent = payload.model_fields_set
    if not sent:
        message = _("Send a role, a monthly_credit_cap (null for no cap), or both.")
        raise teams.TeamError(message, fields={"__all__": [message]})
    if payload.role is not None and payload.role != member.role:
        teams.member_role_set(membership=member, role=payload.role)
    if "monthly_credit_cap" in sent:
        teams.member_cap_set(membership=member, cap=payload.monthly_credit_cap)
    return envelope.ok(member_out(member))


@router.delete("/teams/{slug}/members/{member_id}", response={200: envelope.DeletedEnvelope, **FORBIDDEN,
                                                              **OWNER_CONFLICT, **envelope.ERRORS},
               summary="Remove a member (owner/admin; the owner: 409): from then on the team is a 404 for them")
def member_delete(request, slug: str, member_id: UUID):
    team = selectors.team_for_member(user=request.auth, slug=slug, action=roles.MANAGE)
    teams.member_remove(membership=selectors.member_get(team=team, public_id=member_id))
    return envelope.ok({"deleted": True})


@router.post("/teams/{slug}/leave", response={200: LeftEnvelope, **OWNER_CONFLICT, **envelope.ERRORS},
             summary="Leave a team (any member; the owner transfers ownership or deletes the team first: 409)")
def team_leave(request, slug: str):
    team = selectors.team_get(user=request.auth, slug=slug)
    teams.member_remove(membership=team.membership)
    return envelope.ok({"left": True})


@router.post("/teams/{slug}/transfer", response={200: MemberEnvelope, **FORBIDDEN, **envelope.ERRORS},
             summary="Transfer ownership to another member (owner); you become an admin")
def team_transfer(request, slug: str, payload: TransferIn):
    team = selectors.team_for_member(user=request.auth, slug=slug, action=roles.TRANSFER)
    member = selectors.member_get(team=team, public_id=payload.member_id)
    teams.ownership_transfer(team=team, to=member)
    return envelope.ok(member_out(member))


# --- invitations -------------------------------------------------------------------------------

@router.delete("/teams/{slug}/invitations/{invitation_id}", response={200: envelope.DeletedEnvelope, **FORBIDDEN,
                                                                      **envelope.ERRORS},
               summary="Withdraw an invitation (owner/admin): its link stops working")
def invitation_revoke(request, slug: str, invitation_id: UUID):
    team = selectors.team_for_member(user=request.auth, slug=slug, action=roles.MANAGE)
    teams.invitation_revoke(invitation=selectors.invitation_get(team=team, public_id=invitation_id))
    return envelope.ok({"deleted": True})
