"""Emailing notifications: at most one email per kind per user every EMAIL_WINDOW; whatever
arrives meanwhile waits and goes out as one digest when the window has passed (the flush, a
beat task every minute). Written in the reader's language. Never called from a request: the
tasks in accounts/tasks.py run it after the notification is committed."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from modo.http import absolute_url

from ..models import EmailThrottle, Notification, User
from . import pictures
from .kinds import text_of

log = logging.getLogger(__name__)
Email = Notification.Email
EMAIL_WINDOW = timedelta(minutes=10)
DIGEST_MAX = 50


def _throttle_locked(*, user_id: int, kind: str) -> EmailThrottle:
    try:
        with transaction.atomic():
            EmailThrottle.objects.get_or_create(user_id=user_id, kind=kind)
    except IntegrityError:
        pass  # made at the same moment by another task
    return EmailThrottle.objects.select_for_update().get(user_id=user_id, kind=kind)


def notification_email_deliver(*, user_id: int, kind: str, now=None) -> int:
    """Emails what waits for (user, kind) if the kind's window is open: one notification as
    itself, several (or any held back by the window) as a digest. Returns how many went out.
    The claim (window + rows) is committed before the mail server is called, and undone if
    sending fails, so a retry sends them again and two workers never send one twice."""
    now = now or timezone.now()
    with transaction.atomic():
        throttle = _throttle_locked(user_id=user_id, kind=kind)
        previous = throttle.last_sent_at
        if previous is not None and now - previous < EMAIL_WINDOW:
            return 0  # the flush sends them once the window has passed
        waiting = list(Notification.objects.filter(user_id=user_id, kind=kind, email_state=Email.PENDING)
                       .order_by("created_at", "pk")[:DIGEST_MAX])
        if not waiting:
            return 0
        user = User.objects.get(pk=user_id)
        ids = [n.pk for n in waiting]
        if user.email_undeliverable_at is not None or not user.is_active:
            Notification.objects.filter(pk__in=ids).update(email_state=Email.SKIPPED)
            return 0
        Notification.objects.filter(pk__in=ids).update(email_state=Email.SENDING)
        EmailThrottle.objects.filter(pk=throttle.pk).update(last_sent_at=now)
    held_back = previous is not None and any(n.created_at < previous + EMAIL_WINDOW for n in waiting)
    try:
        _message(user=user, notifications=waiting, digest=held_back or len(waiting) > 1).send()
    except Exception:
        with transaction.atomic():
            Notification.objects.filter(pk__in=ids, email_state=Email.SENDING).update(email_state=Email.PENDING)
            EmailThrottle.objects.filter(pk=throttle.pk, last_sent_at=now).update(last_sent_at=previous)
        raise
    Notification.objects.filter(pk__in=ids).update(email_state=Email.SENT, emailed_at=now)
    return len(ids)


def notification_emails_flush(*, now=None) -> int:
    """Beat: sends every digest whose window has passed. Returns how many notifications went out."""
    now = now or timezone.now()
    pairs = (Notification.objects.filter(email_state=Email.PENDING).values_list("user_id", "kind")
             .distinct().order_by())
    sent = 0
    for user_id, kind in pairs:
        try:
            sent += notification_email_deliver(user_id=user_id, kind=kind, now=now)
        except Exception:
            log.exception("notification email to user %s (%s) failed; it is tried again next time", user_id, kind)
    return sent


def _message(*, user: User, notifications: list[Notification], digest: bool) -> EmailMultiAlternatives:
    language = user.locale or settings.LANGUAGE_CODE
    message = EmailMultiAlternatives(from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email])
    # What a job made goes inline (pictures.py): no media URL ever goes into an email.
    found = pictures.pictures_for(user=user, notifications=notifications)
    attached = {pk: pictures.picture_attach(message, picture, name=f"preview-{number}.jpg")
                for number, (pk, picture) in enumerate(found.items(), start=1)}
    with translation.override(language):
        items = [{"text": text_of(n), "url": absolute_url(n.url) if n.url.startswith("/") else n.url,
                  "created_at": n.created_at, "picture": attached.get(n.pk)} for n in notifications]
        if digest:
            subject = ngettext("%(count)s update from MODO Creator Verse", "%(count)s updates from MODO Creator Verse",
                               len(items)) % {"count": len(items)}
        else:
            subject = items[0]["text"].title
        context = {
            "user": user, "language": language, "items": items, "digest": digest, "subject": subject,
            "inbox_url": absolute_url(reverse("accounts:notifications")),
            "settings_url": absolute_url(reverse("accounts:notification_settings")),
            "greeting": _("Hello %(name)s,") % {"name": user.get_short_name()},
        }
        message.subject = subject
        message.body = render_to_string("emails/notification.txt", context)
        message.attach_alternative(render_to_string("emails/notification.html", context), "text/html")
    # The vendor's tracking webhook tells which kind of email bounced (anymail tags / metadata).
    message.tags = [f"notification:{notifications[0].kind}"]
    return message
