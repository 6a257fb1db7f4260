"""Reads for notifications: the inbox, the bell's count, a creator's preferences. Every lookup of
one notification checks its owner (404 for anyone else's)."""

from django.shortcuts import get_object_or_404

from ..models import Notification, NotificationPreference, User

Channel = NotificationPreference.Channel


def notification_inbox(*, user: User):
    return Notification.objects.filter(user=user, in_app=True).order_by("-created_at", "-pk")


def notification_unread_count(*, user: User) -> int:
    """The bell's number: every app page shows it, so it is a counter on the user row that the
    authentication middleware loads anyway (services.py keeps it in step): no query per page."""
    return user.notifications_unread


def notification_get(*, user: User, public_id) -> Notification:
    """404 for a notification that is not this user's."""
    return get_object_or_404(Notification, user=user, in_app=True, public_id=public_id)


def notification_channels(*, user: User) -> dict[str, str]:
    """Every kind's channel for this user (the default where no preference was saved)."""
    saved = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))
    return {kind: saved.get(kind, Channel.ALL) for kind in Notification.Kind.values}


def notification_channel(*, user: User, kind: str) -> str:
    return NotificationPreference.objects.filter(user=user, kind=kind).values_list(
        "channel", flat=True).first() or Channel.ALL
