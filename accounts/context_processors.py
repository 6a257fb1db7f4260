from django.conf import settings

from .notifications import selectors


def notifications(request):
    """The bell of the app shell: the unread count (lazy, so public pages never pay for it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": lambda: selectors.notification_unread_count(user=user),
            "notifications_poll_seconds": settings.NOTIFICATIONS_POLL_SECONDS}
