"""Writes for notifications: sending one (as the creator's preference allows), reading them,
saving preferences, and marking an address that bounced.

Other apps call the functions of accounts.notifications (re-exported in __init__.py); the
email goes out from a Celery task once the notification is committed (emails.py)."""

import logging
from uuid import UUID

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone

from ..models import Notification, NotificationPreference, User
from . import presence, selectors

log = logging.getLogger(__name__)
Kind, Channel, Email = Notification.Kind, NotificationPreference.Channel, Notification.Email


def _unread_add(user: User, delta: int) -> None:
    """Moves the bell's counter (User.notifications_unread) by `delta`, never below zero, in the
    caller's transaction; the user object in hand follows."""
    if delta:
        User.objects.filter(pk=user.pk).update(notifications_unread=Greatest(F("notifications_unread") + delta, 0))
        user.notifications_unread = max(0, user.notifications_unread + delta)


def notification_send(*, user: User, kind: str, subject: str = "", params: dict | None = None, url: str = "",
                      image_url: str = "", image_asset: UUID | None = None, unless_present: bool = False,
                      by_email: bool = True) -> Notification | None:
    """Records one notification for `user` (in the inbox and/or by email, as their preference for
    `kind` says) and returns it; None when the preference is "off", when the same kind and
    subject were notified before, or (unless_present) while the creator is on the subject's
    page. The email is sent by a task after commit: this never waits for a mail server.
    `image_url` is the inbox's picture (a page of this site); `image_asset` the media asset the
    email shows a small copy of (the email task makes it: pictures.py). `by_email=False`: the
    inbox only (the caller sends an email of its own about the same thing)."""
    if unless_present and subject and presence.presence_here(user_id=user.pk, subject=subject):
        return None
    channel = selectors.notification_channel(user=user, kind=kind)
    if channel == Channel.OFF or not user.is_active:
        return None
    email = (by_email and channel in (Channel.ALL, Channel.EMAIL) and bool(user.email)
             and user.email_undeliverable_at is None)
    in_app = channel in (Channel.ALL, Channel.APP)
    if not (email or in_app):
        return None
    from ..tasks import send_notification_email  # the task module imports this one

    with transaction.atomic():
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    user=user, kind=kind, subject=subject[:120], params=params or {}, url=url[:500],
                    image_url=image_url[:500], image_asset=image_asset, in_app=in_app, email_state=Email.PENDING if email else Email.NONE)
        except IntegrityError:
            return None  # already notified about this subject
        if email:
            transaction.on_commit(lambda: send_notification_email.delay(notification.pk))
        if in_app:
            _unread_add(user, 1)
    return notification


def notification_read(*, user: User, notification: Notification) -> None:
    """`notification` is one of `user`'s (selectors.notification_get)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        with transaction.atomic():
            if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at):
                _unread_add(user, -1 if notification.in_app else 0)


def notifications_read_all(*, user: User) -> int:
    with transaction.atomic():
        done = Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
        User.objects.filter(pk=user.pk).update(notifications_unread=0)
    user.notifications_unread = 0
    return done


def notifications_read_subject(*, user: User, subject: str) -> int:
    """The creator saw the thing itself (e.g. the job's card): its notifications are read."""
    with transaction.atomic():
        done = Notification.objects.filter(user=user, subject=subject, in_app=True, read_at__isnull=True).update(
            read_at=timezone.now())
        _unread_add(user, -done)
    return done


def notification_preferences_set(*, user: User, channels: dict[str, str], low_credits_threshold: int) -> None:
    with transaction.atomic():
        for kind, channel in channels.items():
            NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"channel": channel})
        if user.low_credits_threshold != low_credits_threshold:
            user.low_credits_threshold = low_credits_threshold
            User.objects.filter(pk=user.pk).update(low_credits_threshold=low_credits_threshold)


def email_undeliverable_mark(*, email: str, reason: str) -> int:
    """The mail vendor reported a bounce or a complaint for `email`: nothing more is emailed
    there (and what waits for it is dropped) until the address is changed or cleared."""
    users = User.objects.filter(email__iexact=email.strip(), email_undeliverable_at__isnull=True)
    ids = list(users.values_list("pk", flat=True))
    if not ids:
        return 0
    with transaction.atomic():
        User.objects.filter(pk__in=ids).update(email_undeliverable_at=timezone.now(), email_undeliverable_reason=reason[:200])
        Notification.objects.filter(user_id__in=ids, email_state=Email.PENDING).update(email_state=Email.SKIPPED)
    log.info("email address of user(s) %s marked undeliverable: %s", ids, reason[:200])
    return len(ids)


# --- what other apps announce ----------------------------------------------------------------------

def credits_low_crossed(*, user: User, available_before: int, available_after: int) -> bool:
    """Whether a spend took the available credits from the creator's own threshold or above to
    below it (so the warning comes once, not again until they rise above it and fall once more)."""
    threshold = user.low_credits_threshold
    return bool(threshold) and available_after < threshold <= available_before


def credits_low_check(*, user: User, available_before: int, available_after: int, url: str = "") -> Notification | None:
    """Call after a spend: notifies once when the available credits cross below the creator's own
    threshold."""
    if not credits_low_crossed(user=user, available_before=available_before, available_after=available_after):
        return None
    return notification_send(user=user, kind=Kind.CREDITS_LOW, url=url,
                             params={"available": available_after, "threshold": user.low_credits_threshold})


def _invitation_subject(invitation_id: str) -> str:
    return f"invitation:{invitation_id}"


def team_invitation_sent(*, inviter: User, email: str, team_name: str, invitation_id: str = "",
                         ip: str | None = None) -> Notification | None:
    """For teams: call once an invitation is sent. Counts the inviter's sends for the
    invitation-burst alert, and puts the invitation in the invitee's inbox when the address is a
    verified address of an active account here. The notification points at the invitee's
    invitations page (/teams/invitations/, where they accept or decline while signed in), never at
    the emailed link: a notification's url is stored, and the link's token must not be. It is not
    emailed: the invitation email itself is the teams feature's."""
    from modo import alerts

    alerts.event_count(kind=alerts.Kind.INVITATION_BURST, key=f"user:{inviter.pk}",
                       evidence={"inviter": inviter.email, "last_invitee": email, "ip": ip or alerts.client_ip()})
    address = (EmailAddress.objects.select_related("user")
               .filter(email__iexact=email.strip(), verified=True, user__is_active=True).first())
    if address is None:
        return None
    return notification_send(user=address.user, kind=Kind.TEAM_INVITATION, url=reverse("accounts:team_invitations"),
                             subject=_invitation_subject(invitation_id) if invitation_id else "",
                             params={"inviter": inviter.get_full_name(), "team": team_name}, by_email=False)


def team_invitation_answered(*, user: User, invitation_id: str) -> int:
    """For teams: the invitee accepted or declined; the invitation's notification is read."""
    return notifications_read_subject(user=user, subject=_invitation_subject(invitation_id))
