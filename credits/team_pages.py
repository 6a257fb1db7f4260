"""The team pages: /settings/team/ (members with their roles and this plan cycle's usage, invitations,
roles, caps, removal, leaving, ownership, deletion, the team's picture), team creation, the
workspace switcher and the invitation link. They live with credits because a team's page shows
what each member spent from the shared account; the team rules themselves are accounts' (accounts/teams.py, roles.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles
from accounts import selectors as account_selectors
from accounts import teams as team_services
from accounts.adapters import SESSION_INVITATION
from accounts.models import Role
from modo.errors import AppError
from modo.http import absolute_url, safe_next

from . import selectors


def _team(request, action: str):
    """The current workspace's team when the user's role allows `action` (404 otherwise)."""
    slug = request.POST.get("team_slug") or request.GET.get("team") or ""
    if slug:
        return account_selectors.team_get(user=request.user, slug=slug, action=action)
    team = account_selectors.workspace_team(user=request.user)
    if team is None or not roles.role_allows(team.membership.role, action):
        raise Http404
    return team


def accept_url(request):
    return lambda raw: absolute_url(reverse("credits:team_join", args=[raw]), request)


@login_required
def team_settings(request):
    team = account_selectors.workspace_team(user=request.user)
    if team is None:
        return render(request, "credits/team_none.html", {"teams": account_selectors.teams_for(user=request.user),
                                                          "settings_tab": "team"})
    role = team.membership.role
    can_manage = roles.role_allows(role, roles.MANAGE)
    account = selectors.credit_account_for(team=team)
    usage = selectors.member_usage(account=account) if can_manage else {}
    cycle_start, cycle_end = selectors.usage_cycle(account)
    members = list(account_selectors.team_members(team=team))
    for member in members:
        member.used = usage.get(member.user_id, 0)
    return render(request, "credits/team.html", {
        "team": team, "role": role, "members": members, "account": account, "can_manage": can_manage,
        "is_owner": roles.role_allows(role, roles.TRANSFER), "cycle_start": cycle_start, "cycle_end": cycle_end,
        "invitations": account_selectors.team_invitations_open(team=team) if can_manage else [],
        "role_choices": [c for c in Role.choices if c[0] != Role.OWNER], "settings_tab": "team",
    })


@login_required
def team_new(request):
    error = ""
    if request.method == "POST":
        try:
            team = team_services.team_create(user=request.user, name=request.POST.get("name", ""))
        except AppError as exc:
            error = exc.message
        else:
            messages.success(request, _("Team “%(name)s” is ready. Invite your collaborators.") % {"name": team.name})
            return redirect("credits:team")
    return render(request, "credits/team_new.html", {"error": error, "settings_tab": "team"})


@login_required
@require_POST
def workspace_switch(request):
    slug = request.POST.get("team", "")
    team = account_selectors.team_get(user=request.user, slug=slug) if slug else None
    team_services.workspace_switch(user=request.user, team=team)
    return redirect(safe_next(request, reverse("dashboard")))


@login_required
def workspaces(request):
    """The switcher's menu (htmx fragment when opened; a page without JavaScript)."""
    context = {"teams": account_selectors.teams_for(user=request.user),
               "current": account_selectors.workspace_team(user=request.user), "settings_tab": "team"}
    template = "credits/_workspaces.html" if request.headers.get("HX-Request") else "credits/workspaces.html"
    return render(request, template, context)


def _done(request, message: str):
    messages.success(request, message)
    return redirect("credits:team")


def _refused(request, exc: AppError):
    messages.error(request, exc.message)
    return redirect("credits:team")


@login_required
@require_POST
def team_rename(request):
    team = _team(request, roles.MANAGE)
    try:
        team_services.team_rename(team=team, name=request.POST.get("name", ""))
    except AppError as exc:
        return _refused(request, exc)
    return _done(request, _("The team is now called %(name)s.") % {"name": team.name})


@login_required
@require_POST
def team_avatar(request):
    """Uploads the team's picture, or removes it (owner/admin)."""
    team = _team(request, roles.MANAGE)
    if request.POST.get("remove"):
        team_services.team_avatar_remove(team=team)
        return _done(request, _("The team’s picture was removed."))
    upload = request.FILES.get("avatar")
    if upload is None:
        messages.error(request, _("Choose an image to upload."))
        return redirect("credits:team")
    try:
        team_services.team_avatar_set(team=team, upload=upload)
    except AppError as exc:
        return _refused(request, exc)
    return _done(request, _("The team’s picture was updated."))


@login_required
@require_POST
def team_invite(request):
    team = _team(request, roles.MANAGE)
    try:
        sent = team_services.invitation_create(team=team, email=request.POST.get("email", ""),
                                               role=request.POST.get("role", Role.EDITOR), invited_by=request.user,
                                               accept_url=accept_url(request))
    except AppError as exc:
        return _refused(request, exc)
    return _done(request, _("Invitation sent to %(email)s.") % {"email": sent.invitation.email})


@login_required
@require_POST
def invitation_revoke(request, invitation_id):
    team = _team(request, roles.MANAGE)
    invitation = account_selectors.invitation_get(team=team, public_id=invitation_id)
    team_services.invitation_revoke(invitation=invitation)
    return _done(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})


@login_required
@require_POST
def member_update(request, member_id):
    """A member's role and monthly credit cap (owner/admin)."""
    team = _team(request, roles.MANAGE)
    member = account_selectors.member_get(team=team, public_id=member_id)
    try:
        if request.POST.get("role") and member.role != Role.OWNER:
            team_services.member_role_set(membership=member, role=request.POST["role"])
        if "cap" in request.POST:
            cap = request.POST["cap"].strip()
            if cap and not cap.isdigit():
                raise team_services.TeamError(_("A cap is a whole number of credits, 0 or more."))
            team_services.member_cap_set(membership=member, cap=int(cap) if cap else None)
    except AppError as exc:
        return _refused(request, exc)
    return _done(request, _("%(name)s was updated.") % {"name": member.user.get_full_name()})


@login_required
@require_POST
def member_remove(request, member_id):
    team = _team(request, roles.MANAGE)
    member = account_selectors.member_get(team=team, public_id=member_id)
    try:
        team_services.member_remove(membership=member)
    except AppError as exc:
        return _refused(request, exc)
    return _done(request, _("%(name)s was removed from the team.") % {"name": member.user.get_full_name()})


@login_required
@require_POST
def team_leave(request):
    team = _team(request, roles.READ)
    try:
        team_services.member_remove(membership=team.membership)
    except AppError as exc:
        return _refused(request, exc)
    messages.success(request, _("You left %(team)s.") % {"team": team.name})
    return redirect("dashboard")


@login_required
@require_POST
def team_transfer(request):
    team = _team(request, roles.TRANSFER)
    member = account_selectors.member_get(team=team, public_id=request.POST.get("member", ""))
    try:
        team_services.ownership_transfer(team=team, to=member)
    except AppError as exc:
        return _refused(request, exc)
    return _done(request, _("%(name)s now owns the team.") % {"name": member.user.get_full_name()})


@login_required
@require_POST
def team_delete(request):
    team = _team(request, roles.DELETE)
    if request.POST.get("confirm", "").strip() != team.name:
        messages.error(request, _("Type the team’s name to delete it."))
        return redirect("credits:team")
    team_services.team_delete(team=team)
    messages.success(request, _("The team %(team)s was deleted.") % {"team": team.name})
    return redirect("dashboard")


def team_join(request, token):
    """The invitation link: a clear page for a link that cannot be used; otherwise, signed in, a
    button to join; signed out, sign in or create an account (the link is kept in the session
    through signup, and the invited address counts as verified: the email proved it)."""
    invitation = account_selectors.invitation_by_token(raw=token)
    try:
        team_services.invitation_check(invitation)
    except team_services.InvitationInvalid as exc:
        request.session.pop(SESSION_INVITATION, None)
        return render(request, "credits/team_join_invalid.html", {"message": exc.message,
                                                                   "reason": exc.extra.get("reason")}, status=410)
    if not request.user.is_authenticated:
        request.session[SESSION_INVITATION] = {"token": token, "email": invitation.email}
        return render(request, "credits/team_join.html", {"invitation": invitation, "next": request.path})
    if request.method == "POST":
        try:
            team_services.invitation_accept(invitation=invitation, user=request.user)
        except team_services.InvitationInvalid as exc:
            return render(request, "credits/team_join_invalid.html", {"message": exc.message}, status=410)
        request.session.pop(SESSION_INVITATION, None)
        messages.success(request, _("Welcome to %(team)s!") % {"team": invitation.team.name})
        return redirect("dashboard")
    return render(request, "credits/team_join.html", {"invitation": invitation})
