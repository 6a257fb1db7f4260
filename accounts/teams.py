"""Writes for teams: creation, members and roles, ownership transfer, invitations, the workspace.

Who may call what is checked by the caller through `accounts.selectors.team_get(action=...)`
(the one access layer); these functions keep the team's own invariants (one owner, the owner
cannot be removed or demoted, an invitation is used once)."""

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from modo import ratelimit
from modo.errors import AppError
from modo.imaging import FileTooLarge

from . import notifications
from .models import Invitation, Membership, Role, Team, User
from .services import avatar_webp, token_hash

log = logging.getLogger(__name__)
INVITATION_DAYS = 7
# Invitations a team may send per hour (a team cannot be used to mail strangers in bulk).
INVITATIONS_PER_HOUR = 20
# A member's monthly cap fits the column (PostgreSQL's integer) with room to spare.
CAP_MAX = 1_000_000_000


class TeamError(AppError):
    code, status = "INVALID_INPUT", 422


class OwnerConflict(TeamError):
    """What the owner cannot do while they own the team (leave, be removed, change role): the
    request is sound, the team's one-owner rule refuses it (409) until ownership is transferred."""

    code, status, action = "OWNER_CONFLICT", 409, "transfer"


class InvitationInvalid(AppError):
    """An invitation link that cannot be used; `reason` is expired, revoked, used or unknown."""

    code, status = "INVITATION_INVALID", 410
    default_message = gettext_lazy("This invitation can no longer be used.")


class InvitationRateLimited(AppError):
    code, status, action = "RATE_LIMITED", 429, "wait"
    default_message = gettext_lazy("This team has sent many invitations in the last hour. Try again later.")


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "team"
    slug, n = base, 1
    while Team.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def team_create(*, user: User, name: str) -> Team:
    """A new team owned by `user`, who switches to it. Its credit account is opened by credits on
    first use (Free plan, no trial)."""
    name = name.strip()
    if not name:
        raise TeamError(_("Give the team a name."))
    with transaction.atomic():
        team = Team.objects.create(name=name[:80], slug=_unique_slug(name))
        Membership.objects.create(team=team, user=user, role=Role.OWNER)
        User.objects.filter(pk=user.pk).update(current_team=team)
    user.current_team = team
    return team


def team_rename(*, team: Team, name: str) -> Team:
    name = name.strip()
    if not name:
        raise TeamError(_("Give the team a name."))
    team.name = name[:80]
    team.save(update_fields=["name", "updated_at"])
    return team


def team_delete(*, team: Team) -> None:
    """Ends the team: every membership and open invitation goes, so its projects, files, jobs and
    account are reachable by no one (they are kept: the ledger is append-only)."""
    now = timezone.now()
    with transaction.atomic():
        Team.objects.filter(pk=team.pk).update(deleted_at=now, updated_at=now)
        Invitation.objects.filter(team=team, accepted_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
        Membership.objects.filter(team=team).delete()
        User.objects.filter(current_team=team).update(current_team=None)


def team_storage_set(*, team: Team, preference: str) -> Team:
    """Where the team's new files go: "platform", or "drive" (the owner's Google Drive: the caller
    checked the owner has a working connection)."""
    if preference not in {"platform", "drive"}:
        raise TeamError(_("Choose MODO storage or the owner's Google Drive."))
    team.storage_preference = preference
    team.save(update_fields=["storage_preference", "updated_at"])
    return team


def team_avatar_set(*, team: Team, upload) -> Team:
    """The team's picture from an uploaded image: refused (FileTooLarge 413 past
    AVATAR_MAX_BYTES, UploadRejected 422 unless a clean JPEG, PNG or WebP within the pixel cap, as
    every upload) before anything is stored; kept as a 256 px square WebP without metadata. The
    file is written before the row is locked; the one it replaces is deleted after the commit."""
    limit = settings.AVATAR_MAX_BYTES
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(_("The image is too large (%(size)s MB); the limit is %(limit)s MB.") % {
            "size": f"{(upload.size or len(data)) / 1024 / 1024:.1f}", "limit": limit // 1024 // 1024})
    field = team.avatar.field
    name = field.storage.save(field.generate_filename(team, "avatar.webp"), ContentFile(avatar_webp(data)))
    return _team_avatar_swap(team, name)


def team_avatar_remove(*, team: Team) -> Team:
    """Back to the team's initials; the file is deleted after the commit."""
    return _team_avatar_swap(team, "")


def _team_avatar_swap(team: Team, name: str) -> Team:
    # Under the row lock, so two changes at once each delete exactly the file they replaced.
    storage = team.avatar.storage
    with transaction.atomic():
        old = Team.objects.select_for_update().filter(pk=team.pk).values_list("avatar", flat=True).get()
        team.updated_at = timezone.now()
        Team.objects.filter(pk=team.pk).update(avatar=name, updated_at=team.updated_at)
        if old and old != name:
            transaction.on_commit(lambda: storage.delete(old))
    team.avatar = name
    return team


def workspace_switch(*, user: User, team: Team | None) -> None:
    """Remembers the workspace the user works in (None: personal). The caller got `team` through
    team_get, so the user belongs to it."""
    User.objects.filter(pk=user.pk).update(current_team=team)
    user.current_team = team


def member_role_set(*, membership: Membership, role: str) -> Membership:
    """Changes a member's role (never to or from owner: that is a transfer)."""
    if role not in {Role.ADMIN, Role.EDITOR, Role.VIEWER}:
        raise TeamError(_("Choose admin, editor or viewer."))
    if membership.role == Role.OWNER:
        raise OwnerConflict(_("The owner's role changes only by transferring ownership."))
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


def member_cap_set(*, membership: Membership, cap: int | None) -> Membership:
    if cap is not None and cap < 0:
        raise TeamError(_("A cap is a whole number of credits, 0 or more."))
    if cap is not None and cap > CAP_MAX:
        raise TeamError(_("A cap is at most %(max)s credits.") % {"max": number_format(CAP_MAX, force_grouping=True)})
    membership.monthly_credit_cap = cap
    membership.save(update_fields=["monthly_credit_cap", "updated_at"])
    return membership


def member_remove(*, membership: Membership) -> None:
    """Removes a member (or a member leaves). From this moment every object of the team is a 404
    for them. The owner cannot leave: they transfer ownership or delete the team."""
    if membership.role == Role.OWNER:
        raise OwnerConflict(_("The owner cannot leave the team. Transfer ownership first, or delete the team."))
    with transaction.atomic():
        Membership.objects.filter(pk=membership.pk).delete()
        User.objects.filter(pk=membership.user_id, current_team_id=membership.team_id).update(current_team=None)


def ownership_transfer(*, team: Team, to: Membership) -> None:
    """Makes `to` the owner and the old owner an admin, in one transaction (the one-owner
    constraint holds at every step)."""
    if to.team_id != team.pk:
        raise TeamError(_("Choose a member of this team."))
    if to.role == Role.OWNER:
        return
    with transaction.atomic():
        Membership.objects.filter(team=team, role=Role.OWNER).update(role=Role.ADMIN, updated_at=timezone.now())
        Membership.objects.filter(pk=to.pk).update(role=Role.OWNER, updated_at=timezone.now())
    to.role = Role.OWNER


@dataclass(frozen=True)
class SentInvitation:
    invitation: Invitation
    raw: str  # the token in the link; only its hash is stored


def invitation_create(*, team: Team, email: str, role: str, invited_by: User, accept_url) -> SentInvitation:
    """Invites `email` with `role` and sends the link (`accept_url(raw_token)` builds it). An
    address already in the team is refused; one with an open invitation gets a new link (the old
    one is revoked). Rate-limited per team. Once committed, an invitee who already has an account
    with that (verified) address also finds it in their inbox, pointing at their invitations page,
    never at the link: a notification is stored, the token must not be."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise TeamError(_("Enter a valid email address."), fields={"email": [_("Enter a valid email address.")]}) from None
    if role not in {Role.ADMIN, Role.EDITOR, Role.VIEWER}:
        raise TeamError(_("Choose admin, editor or viewer."))
    if Membership.objects.filter(team=team, user__email__iexact=email).exists():
        raise TeamError(_("%(email)s is already in this team.") % {"email": email})
    if not ratelimit.hit(key=f"team-invite:{team.public_id}", limit=INVITATIONS_PER_HOUR, window_seconds=3600):
        raise InvitationRateLimited(retry_after=3600)
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(team=team, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True,
                                  declined_at__isnull=True).update(revoked_at=now)
        invitation = Invitation.objects.create(team=team, email=email, role=role, token_hash=token_hash(raw),
                                               invited_by=invited_by, expires_at=now + timedelta(days=INVITATION_DAYS))
        link = accept_url(raw)
        transaction.on_commit(lambda: _invitation_mail(invitation, link))
        transaction.on_commit(lambda: _invitation_announce(invitation))
    return SentInvitation(invitation=invitation, raw=raw)


def _invitation_announce(invitation: Invitation) -> None:
    """The invitee's inbox (when the address is an account's) and the inviter's count for the
    invitation-burst alert. Never raises: the invitation was sent whatever happens here."""
    try:
        notifications.team_invitation_sent(inviter=invitation.invited_by, email=invitation.email,
                                           team_name=invitation.team.name, invitation_id=str(invitation.public_id))
    except Exception:
        log.exception("could not announce invitation %s", invitation.pk)


def _invitation_mail(invitation: Invitation, link: str) -> None:
    """The invitation email, in the inviter's language (the invitee has none with us yet)."""
    inviter = invitation.invited_by
    with translation.override((inviter.locale if inviter else "") or settings.LANGUAGE_CODE):
        context = {"invitation": invitation, "team": invitation.team, "link": link,
                   "inviter": inviter.get_full_name() if inviter else "", "days": INVITATION_DAYS,
                   "role": invitation.get_role_display()}
        subject = _("%(inviter)s invited you to %(team)s on MODO Creator Verse") % {
            "inviter": context["inviter"] or "MODO", "team": invitation.team.name}
        body = render_to_string("emails/team_invitation.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


def invitation_revoke(*, invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True,
                              declined_at__isnull=True).update(revoked_at=timezone.now())


def invitation_check(invitation: Invitation | None) -> Invitation:
    """The invitation if it can still be accepted; InvitationInvalid (with its reason) otherwise."""
    if invitation is None:
        raise InvitationInvalid(_("This invitation link is not valid. Ask the team for a new one."), reason="unknown")
    if invitation.accepted_at is not None:
        raise InvitationInvalid(_("This invitation has already been used. Ask the team for a new one if you need "
                                  "to join again."), reason="used")
    if invitation.declined_at is not None:
        raise InvitationInvalid(_("This invitation was declined. Ask the team for a new one if you change your mind."),
                                reason="declined")
    if invitation.revoked_at is not None or invitation.team.deleted_at is not None:
        raise InvitationInvalid(_("This invitation was withdrawn by the team."), reason="revoked")
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalid(_("This invitation has expired. Ask the team to send a new one."), reason="expired")
    return invitation


def _claim(invitation: Invitation, now, **changes) -> bool:
    """Closes an open invitation (accepted or declined) with a conditional update: of two answers
    at once, one wins."""
    return bool(Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True,
                                          declined_at__isnull=True, expires_at__gt=now)
                .update(updated_at=now, **changes))


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Joins the team with the invitation's role, once: the row is claimed with a conditional
    update, so two clicks (or two accounts) cannot both use it. A user already in the team keeps
    their membership as it is. Who may answer is the caller's to check: the emailed link's token,
    or selectors.invitation_for_invitee (addressed to one of the user's verified addresses).
    Raises InvitationInvalid (expired, withdrawn, used, declined)."""
    invitation_check(invitation)
    now = timezone.now()
    with transaction.atomic():
        claimed = _claim(invitation, now, accepted_at=now, accepted_by=user)
        if not claimed:
            invitation.refresh_from_db()
            invitation_check(invitation)
        try:
            with transaction.atomic():
                membership = Membership.objects.create(team=invitation.team, user=user, role=invitation.role)
        except IntegrityError:
            membership = Membership.objects.get(team=invitation.team, user=user)
        User.objects.filter(pk=user.pk).update(current_team=invitation.team)
        notifications.team_invitation_answered(user=user, invitation_id=str(invitation.public_id))
    user.current_team = invitation.team
    return membership


def invitation_decline(*, invitation: Invitation, user: User) -> None:
    """The invitee says no: the invitation and its link are closed, and the team's page no longer
    lists it. The caller checked it is addressed to `user` (selectors.invitation_for_invitee).
    Raises InvitationInvalid when it could no longer be answered."""
    invitation_check(invitation)
    now = timezone.now()
    with transaction.atomic():
        if not _claim(invitation, now, declined_at=now):
            invitation.refresh_from_db()
            invitation_check(invitation)
        notifications.team_invitation_answered(user=user, invitation_id=str(invitation.public_id))
    invitation.declined_at = now
