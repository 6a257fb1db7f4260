"""The invitee's side of team invitations: /teams/invitations/ lists what was sent to the signed-in
user's verified addresses, to accept or decline there. Their inbox links here (a notification is
stored, so it carries no token); the emailed link (/teams/join/<token>/, credits/team_pages.py)
answers through the same service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, teams


@login_required
def invitations(request):
    items = []
    for invitation in selectors.invitations_for_invitee(user=request.user):
        try:
            teams.invitation_check(invitation)
            items.append({"invitation": invitation, "open": True, "problem": None})
        except teams.InvitationInvalid as exc:
            items.append({"invitation": invitation, "open": False, "problem": exc})
    return render(request, "accounts/invitations.html", {
        "open_items": [i for i in items if i["open"]], "ended_items": [i for i in items if not i["open"]],
        "addresses": selectors.verified_addresses(user=request.user), "settings_tab": "team",
    })


@login_required
@require_POST
def invitation_accept(request, invitation_id):
    invitation = selectors.invitation_for_invitee(user=request.user, public_id=invitation_id)
    try:
        teams.invitation_accept(invitation=invitation, user=request.user)
    except teams.InvitationInvalid as exc:
        messages.error(request, exc.message)
        return redirect("accounts:team_invitations")
    messages.success(request, _("Welcome to %(team)s!") % {"team": invitation.team.name})
    return redirect("dashboard")


@login_required
@require_POST
def invitation_decline(request, invitation_id):
    invitation = selectors.invitation_for_invitee(user=request.user, public_id=invitation_id)
    try:
        teams.invitation_decline(invitation=invitation, user=request.user)
    except teams.InvitationInvalid as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You declined the invitation to %(team)s.") % {"team": invitation.team.name})
    return redirect("accounts:team_invitations")
